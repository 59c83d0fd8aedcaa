"""``fitroom live``: the fitting room on a camera (a mirror window) or on a video file."""

from __future__ import annotations

import argparse
import time
from pathlib import Path
from typing import Any

from fitroom._files import check_input_file
from fitroom.cli.paths import output_file, output_folder
from fitroom.errors import InputError, VideoError

#: Garment packages end with this; other paths are product photos, ingested on the fly.
PACKAGE_SUFFIX = ".fitg"
#: Prefix naming a garment of the project's drawn demo catalog, e.g. ``demo:striped-tee``.
DEMO_PREFIX = "demo:"


def register(sub: Any) -> None:
    """Register the ``live`` subcommand."""
    parser: argparse.ArgumentParser = sub.add_parser(
        "live",
        help="live try-on on a camera (window) or a video file (headless)",
        description="Dress the person on a camera stream in an OpenCV window (keys: n/p next/"
        "previous garment, s snapshot, q quit; a raised-hand swipe also switches garments), or "
        "a video file headless with --input/--output. Ends with one line: LIVE frames=N "
        "dropped=N fps=F p50_ms=F p95_ms=F lost=N.",
    )
    source = parser.add_mutually_exclusive_group(required=True)
    source.add_argument("--camera", type=int, help="camera index (opens a window)")
    source.add_argument("--input", help="video file to dress (headless)")
    parser.add_argument("--output", help="dressed video (.mp4) for --input")
    parser.add_argument(
        "--garment",
        nargs="+",
        default=[f"{DEMO_PREFIX}striped-tee"],
        help="garment packages (.fitg), product photos, or demo:NAME from the demo catalog",
    )
    parser.add_argument(
        "--background",
        help="a scene name (studio, bedroom, office, "
        "restaurant) or an image path to replace the background with",
    )
    parser.add_argument("--size", help="garment size label (XXS…XXL)")
    parser.add_argument(
        "--tuck",
        choices=("auto", "yes", "no"),
        default="auto",
        help="tuck the top in: auto (at the waistband of the trousers or skirt worn, when one "
        "is seen), yes (just above the hips), no",
    )
    parser.add_argument("--width", type=int, default=640, help="frame width (default 640)")
    parser.add_argument("--height", type=int, default=480, help="frame height (default 480)")
    parser.add_argument(
        "--realtime",
        action="store_true",
        help="for --input: drop frames that arrive while busy, as with a camera",
    )
    parser.add_argument("--snapshot-dir", default=".", help="where the s key saves frames")
    parser.add_argument("--no-progress", action="store_true", help="no progress bar")
    parser.set_defaults(run=run)


def load_garments(specs: list[str]) -> list[Any]:
    """Garments from packages, product photos or ``demo:NAME`` entries."""
    from fitroom.garments import ingest_garment, load_garment

    out = []
    for spec in specs:
        if spec.startswith(DEMO_PREFIX):
            from fitroom.garments.synth import DEMO_CATALOG, synth_garment

            name = spec[len(DEMO_PREFIX) :]
            entry = next((e for e in DEMO_CATALOG if e[0] == name), None)
            if entry is None:
                names = ", ".join(e[0] for e in DEMO_CATALOG)
                raise InputError(f"unknown demo garment {name!r}; use one of {names}")
            _, kind, pattern, seed = entry
            drawn = synth_garment(kind, seed=seed, pattern=pattern)
            out.append(ingest_garment(drawn.image, name=name))
        elif spec.lower().endswith(PACKAGE_SUFFIX):
            out.append(load_garment(spec))
        else:
            out.append(ingest_garment(spec))
    return out


def _background(spec: str | None) -> Any:
    if spec is None:
        return None
    from fitroom.live import SCENES

    if spec in SCENES:
        return spec
    if not Path(spec).is_file():
        raise InputError(
            f"--background {spec!r} is neither a scene ({', '.join(SCENES)}) nor an image file"
        )
    from fitroom.imaging import decode_image

    return decode_image(spec)


def run(args: argparse.Namespace) -> int:
    """Run ``fitroom live``."""
    from fitroom.live import LiveOptions, LiveSession

    if args.input is not None and args.output is None:
        raise InputError("--input needs --output OUT.mp4 (the dressed video)")
    if args.width < 16 or args.height < 16:
        raise InputError(f"frame size must be at least 16×16, got {args.width}×{args.height}")
    garments = load_garments(args.garment)
    tuck = {"auto": None, "yes": True, "no": False}[args.tuck]
    options = LiveOptions(size=args.size, background=_background(args.background), tuck=tuck)
    # One core renders while the others run the models (see LiveSession).
    model_threads = max(1, args.threads - 1)
    if args.input is None:
        output_folder(args.snapshot_dir, "--snapshot-dir")
    else:
        check_input_file(args.input, what="a video (MP4, AVI, ...)", error=VideoError)
        output_file(args.output, "--output")
    with LiveSession(garments, options, num_threads=model_threads) as session:
        if args.input is not None:
            return _run_file(session, args)
        return _run_camera(session, args)


def _run_file(session: Any, args: argparse.Namespace) -> int:
    import cv2
    from tqdm import tqdm

    from fitroom.live import video_frames

    size = (args.width, args.height)
    capture = cv2.VideoCapture(args.input)
    if not capture.isOpened():
        raise VideoError(f"could not open video {args.input!r}; give a readable MP4/AVI file")
    fps = capture.get(cv2.CAP_PROP_FPS) or 30.0
    total = int(capture.get(cv2.CAP_PROP_FRAME_COUNT)) or None
    capture.release()
    out_path = output_file(args.output, "--output")
    writer = cv2.VideoWriter(str(out_path), cv2.VideoWriter.fourcc(*"mp4v"), fps, size)
    if not writer.isOpened():
        raise VideoError(f"could not write video {str(out_path)!r}; use an .mp4 path")
    bar = tqdm(total=total, unit="frame", disable=args.no_progress, leave=False)

    def sink(frame: Any) -> None:
        writer.write(cv2.cvtColor(frame.image, cv2.COLOR_RGB2BGR))
        bar.update(1)

    try:
        stats = session.run(video_frames(args.input, size=size), sink, realtime=bool(args.realtime))
    finally:
        bar.close()
        writer.release()
    print(stats.summary_line())
    return 0


def _run_camera(
    session: Any, args: argparse.Namespace
) -> int:  # pragma: no cover - needs a display
    import cv2

    from fitroom.imaging import encode_png
    from fitroom.live import SwipeDetector, video_frames

    window = "fitroom live"
    cv2.namedWindow(window, cv2.WINDOW_NORMAL)
    swipe = SwipeDetector()
    folder = Path(args.snapshot_dir)
    stop = False

    def frames() -> Any:
        for item in video_frames(args.camera, size=(args.width, args.height)):
            if stop:
                return
            yield item

    def sink(frame: Any) -> None:
        nonlocal stop
        step = 0 if frame.dropped else swipe.update(frame.pose, frame.timestamp_ms)
        # The window is mirrored: a hand moving to the image's right moves to the screen's
        # left, which (as on a phone) turns to the next garment.
        if step:
            session.select(session.garment_index + step)
        cv2.imshow(window, cv2.cvtColor(cv2.flip(frame.image, 1), cv2.COLOR_RGB2BGR))
        key = cv2.waitKey(1) & 0xFF
        if key == ord("q") or key == 27:
            stop = True
        elif key == ord("n"):
            session.next_garment()
        elif key == ord("p"):
            session.previous_garment()
        elif key == ord("s"):
            path = folder / time.strftime("fitroom-live-%Y%m%d-%H%M%S.png")
            path.write_bytes(encode_png(frame.image))
            print(f"saved {path}")

    try:
        stats = session.run(frames(), sink, realtime=True)
    finally:
        cv2.destroyAllWindows()
    print(stats.summary_line())
    return 0
