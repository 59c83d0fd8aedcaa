"""Review material for the live look: a 5-second MP4 and strips of dressed frames.

    python benchmarks/live_look.py                                   # vivid_upper1, a shared tee
    python benchmarks/live_look.py --clip openpose_video.avi --garment vitonhd_00126_00.jpg

Dresses ``../shared/data/video/CLIP`` (640×480, camera-paced order, every frame dressed) with a
shared product photo and writes to ``out/live_review/`` (research-licence material: never
commit it):

* ``CLIP_5s.mp4``: the first five seconds, dressed;
* ``CLIP_strip.png``: every ``--every``-th frame, input above, dressed below;
* ``CLIP_consecutive.png``: eight consecutive dressed frames cropped to the person (flicker
  and swimming show as changes between neighbours).
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import cv2
import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _common import shared_data_dir

SIZE = (640, 480)
OUT = Path(__file__).resolve().parent.parent / "out" / "live_review"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--clip", default="vivid_upper1.mp4")
    parser.add_argument("--garment", default="web_stussy_tee_idm09164_00.jpg")
    parser.add_argument("--seconds", type=float, default=5.0)
    parser.add_argument("--every", type=int, default=12, help="strip: one frame in this many")
    args = parser.parse_args()

    from fitroom.garments import ingest_garment
    from fitroom.imaging import decode_image
    from fitroom.live import LiveSession, video_frames

    data = shared_data_dir()
    photo = decode_image((data / "garments" / args.garment).read_bytes())
    garment = ingest_garment(photo, name=Path(args.garment).stem)
    clip = data / "video" / args.clip
    fps = 30.0
    frames = [f for f, _ in video_frames(clip, size=SIZE, loop_to=round(args.seconds * fps))]
    # Each loop of a short clip is a stream of its own (at the seam the person jumps across
    # the room, which no camera shows).
    clip_length = len(list(video_frames(clip, size=SIZE)))
    OUT.mkdir(parents=True, exist_ok=True)
    stem = Path(args.clip).stem
    dressed: list[np.ndarray] = []
    with LiveSession([garment]) as session:
        for i, frame in enumerate(frames):
            if i and i % clip_length == 0:
                session.reset()
            dressed.append(session.process_frame(frame, round(i * 1000 / fps)).image)

    fourcc = cv2.VideoWriter.fourcc(*"mp4v")
    writer = cv2.VideoWriter(str(OUT / f"{stem}_5s.mp4"), fourcc, fps, SIZE)
    for image in dressed:
        writer.write(cv2.cvtColor(image, cv2.COLOR_RGB2BGR))
    writer.release()

    picked = list(range(0, len(frames), args.every))[:10]
    strip = np.vstack(
        [np.hstack([frames[i] for i in picked]), np.hstack([dressed[i] for i in picked])]
    )
    strip = cv2.resize(strip, (strip.shape[1] // 2, strip.shape[0] // 2), cv2.INTER_AREA)
    cv2.imwrite(str(OUT / f"{stem}_strip.png"), cv2.cvtColor(strip, cv2.COLOR_RGB2BGR))

    # Consecutive frames around the middle, cropped to where the garment changed pixels.
    changed = np.zeros(frames[0].shape[:2], bool)
    for a, b in zip(frames, dressed, strict=True):
        changed |= np.abs(a.astype(np.int16) - b.astype(np.int16)).max(axis=2) > 12
    ys, xs = np.nonzero(changed)
    if len(xs):
        x0, x1, y0, y1 = xs.min(), xs.max() + 1, ys.min(), ys.max() + 1
        mid = len(frames) // 2
        crops = [dressed[i][y0:y1, x0:x1] for i in range(mid, min(mid + 8, len(frames)))]
        row = np.hstack(crops)
        cv2.imwrite(str(OUT / f"{stem}_consecutive.png"), cv2.cvtColor(row, cv2.COLOR_RGB2BGR))

    print(f"LOOK clip={args.clip} garment={args.garment} frames={len(frames)} -> {OUT}")


if __name__ == "__main__":
    main()
