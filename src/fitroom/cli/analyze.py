"""``fitroom analyze``: perception of a photo or a video, drawn as an overlay and as JSON."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any

import cv2
import numpy as np

from fitroom._files import check_input_file
from fitroom.cli.paths import output_file
from fitroom.errors import InputError, VideoError
from fitroom.imaging import DEFAULT_MAX_PIXELS, Preprocess, decode_image, encode_png, preprocess

VIDEO_SUFFIXES = {".mp4", ".avi", ".mov", ".mkv", ".webm", ".m4v", ".mjpeg", ".y4m"}


def register(sub: Any) -> None:
    """Register the ``analyze`` subcommand."""
    parser: argparse.ArgumentParser = sub.add_parser(
        "analyze",
        help="find the person: pose, mask, body parts, face and expression",
        description="Analyse a photo (or a video, frame by frame in tracking mode) and draw what "
        'was found. An image with no person is a valid result ("people": []).',
    )
    parser.add_argument("input", nargs="?", help="photo (JPEG/PNG/WebP) or video (MP4/AVI/...)")
    parser.add_argument(
        "--demo", action="store_true", help="analyse the bundled public-domain astronaut photo"
    )
    parser.add_argument("-o", "--output", help="overlay picture (.png/.jpg) or video (.mp4)")
    parser.add_argument("--json", dest="json_path", help="write the results as JSON here")
    parser.add_argument("--max-pixels", type=int, default=DEFAULT_MAX_PIXELS)
    parser.add_argument("--denoise", action="store_true", help="edge-preserving denoise first")
    parser.add_argument("--white-balance", action="store_true", help="grey-world white balance")
    parser.add_argument("--exposure", action="store_true", help="CLAHE exposure/contrast fix")
    parser.add_argument("--no-progress", action="store_true", help="no progress bar for videos")
    parser.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    """Run ``fitroom analyze``."""
    from fitroom.vision.perception import Perceiver

    if args.demo == bool(args.input):
        raise InputError("give either an image/video path or --demo")
    if args.output:
        output_file(args.output, "-o")
    if args.json_path and args.json_path != "-":
        output_file(args.json_path, "--json")
    options = Preprocess(
        denoise=args.denoise, white_balance=args.white_balance, exposure=args.exposure
    )
    with Perceiver(num_threads=args.threads) as perceiver:
        if args.input and Path(args.input).suffix.lower() in VIDEO_SUFFIXES:
            return _run_video(perceiver, Path(args.input), args, options)
        if args.demo:
            from skimage import data

            image = np.ascontiguousarray(data.astronaut())
        else:
            image = decode_image(args.input, max_pixels=args.max_pixels)
        return _run_photo(perceiver, image, args, options)


def _write_json(path: str | None, payload: dict[str, Any]) -> None:
    text = json.dumps(payload, indent=1)
    if path == "-":
        sys.stdout.write(text + "\n")
    elif path:
        Path(path).write_text(text + "\n", encoding="utf-8")


def _run_photo(
    perceiver: Any, image: np.ndarray, args: argparse.Namespace, opts: Preprocess
) -> int:
    from fitroom.vision.perception import annotate_perception, perception_to_dict

    image = preprocess(image, opts)
    perception = perceiver.process(image)
    if args.output:
        overlay = annotate_perception(image, perception)
        out = Path(args.output)
        if out.suffix.lower() in (".jpg", ".jpeg"):
            from fitroom.imaging import encode_jpeg

            out.write_bytes(encode_jpeg(overlay))
        else:
            out.write_bytes(encode_png(overlay))
    _write_json(args.json_path, perception_to_dict(perception))
    names = ", ".join(
        f"person {i + 1}"
        + ("" if p.face is None or p.face.expression is None else f" ({p.face.expression.label})")
        for i, p in enumerate(perception.people)
    )
    print(
        f"found {len(perception.people)} {'person' if len(perception.people) == 1 else 'people'}"
        f"{': ' + names if names else ''}; {perception.timings_ms.get('total', 0.0):.0f} ms",
        file=sys.stderr,
    )
    return 0


def _run_video(perceiver: Any, path: Path, args: argparse.Namespace, opts: Preprocess) -> int:
    from tqdm import tqdm

    from fitroom.vision.perception import annotate_perception, perception_to_dict

    check_input_file(path, what="a video (MP4, AVI, ...)", error=VideoError)
    capture = cv2.VideoCapture(str(path))
    if not capture.isOpened():
        raise VideoError(f"{path}: cannot be opened as a video; use MP4 (H.264) or AVI")
    fps = capture.get(cv2.CAP_PROP_FPS) or 25.0
    if not np.isfinite(fps) or fps <= 0:
        fps = 25.0
    total = int(capture.get(cv2.CAP_PROP_FRAME_COUNT)) or None
    writer: cv2.VideoWriter | None = None
    frames: list[dict[str, Any]] = []
    found = 0
    index = 0
    try:
        with tqdm(total=total, unit="frame", disable=args.no_progress, file=sys.stderr) as bar:
            while True:
                ok, bgr = capture.read()
                if not ok:
                    break
                frame = preprocess(cv2.cvtColor(bgr, cv2.COLOR_BGR2RGB), opts)
                timestamp_ms = round(index * 1000.0 / fps)
                perception = perceiver.process_frame(frame, timestamp_ms)
                found += bool(perception.people)
                if args.json_path:
                    record = perception_to_dict(perception)
                    record["frame"] = index
                    record["timestamp_ms"] = timestamp_ms
                    frames.append(record)
                if args.output:
                    if writer is None:
                        h, w = frame.shape[:2]
                        fourcc = cv2.VideoWriter.fourcc(*"mp4v")
                        writer = cv2.VideoWriter(str(args.output), fourcc, fps, (w, h))
                        if not writer.isOpened():
                            raise VideoError(f"{args.output}: cannot write a video there")
                    overlay = annotate_perception(frame, perception)
                    writer.write(cv2.cvtColor(overlay, cv2.COLOR_RGB2BGR))
                index += 1
                bar.update(1)
    finally:
        capture.release()
        if writer is not None:
            writer.release()
    if index == 0:
        raise VideoError(f"{path}: no frame could be read; the video is empty or corrupt")
    _write_json(args.json_path, {"video": str(path), "fps": fps, "frames": frames})
    print(f"{index} frames, person found in {found}", file=sys.stderr)
    return 0
