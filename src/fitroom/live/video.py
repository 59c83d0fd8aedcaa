"""Frames from a video file or a camera, as RGB uint8 with millisecond timestamps."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import cv2
import numpy as np
import numpy.typing as npt

from fitroom.errors import VideoError

ByteArray = npt.NDArray[np.uint8]


def video_frames(
    source: str | Path | int,
    *,
    size: tuple[int, int] | None = None,
    loop_to: int | None = None,
    fps: float | None = None,
) -> Iterator[tuple[ByteArray, int]]:
    """Yield ``(frame, timestamp_ms)`` from a video file (or a camera index).

    Args:
        source: a video path, or an OpenCV camera index.
        size: (W, H) of every frame, or None to keep the video's size. A frame of another shape
            is scaled to fit and padded with black bars (letterboxed), so bodies keep their
            proportions.
        loop_to: restart a file at its end until this many frames were given (None = once).
        fps: the frame rate for timestamps; None = the file's own (30 when unknown). A camera
            uses the wall clock.

    Raises:
        VideoError: the video cannot be opened or has no frames.
    """
    camera = isinstance(source, int)
    capture = cv2.VideoCapture(source if camera else str(source))
    if not capture.isOpened():
        raise VideoError(f"could not open video {source!r}; give a readable MP4/AVI or a camera")
    rate = fps or capture.get(cv2.CAP_PROP_FPS) or 30.0
    if not np.isfinite(rate) or rate <= 0:
        rate = 30.0
    start = cv2.getTickCount()
    count = 0
    try:
        while True:
            ok, bgr = capture.read()
            if not ok:
                if camera or loop_to is None or count == 0 or count >= loop_to:
                    break
                capture.set(cv2.CAP_PROP_POS_FRAMES, 0)
                ok, bgr = capture.read()
                if not ok:
                    break
            if size is not None and (bgr.shape[1], bgr.shape[0]) != size:
                bgr = letterbox(bgr, size)
            if camera:
                ts = int((cv2.getTickCount() - start) * 1000 / cv2.getTickFrequency())
            else:
                ts = round(count * 1000.0 / rate)
            yield np.ascontiguousarray(cv2.cvtColor(bgr, cv2.COLOR_BGR2RGB)), ts
            count += 1
            if loop_to is not None and not camera and count >= loop_to:
                break
    finally:
        capture.release()
    if count == 0:
        raise VideoError(f"video {source!r} has no readable frames")


def letterbox(image: ByteArray, size: tuple[int, int]) -> ByteArray:
    """``image`` scaled to fit ``size`` = (W, H), centred on black bars.

    >>> letterbox(np.zeros((832, 624, 3), np.uint8), (640, 480)).shape
    (480, 640, 3)
    """
    w, h = size
    ih, iw = image.shape[:2]
    factor = min(w / iw, h / ih)
    sw, sh = max(1, round(iw * factor)), max(1, round(ih * factor))
    interp = cv2.INTER_AREA if factor < 1 else cv2.INTER_LINEAR
    scaled = cv2.resize(image, (sw, sh), interpolation=interp)
    out = np.zeros((h, w, *image.shape[2:]), image.dtype)
    x0, y0 = (w - sw) // 2, (h - sh) // 2
    out[y0 : y0 + sh, x0 : x0 + sw] = scaled
    return out


def read_video(
    path: str | Path, *, size: tuple[int, int] | None = None
) -> tuple[list[ByteArray], float]:
    """All frames of a (short) video as RGB uint8 and its frame rate."""
    capture = cv2.VideoCapture(str(path))
    rate = capture.get(cv2.CAP_PROP_FPS) if capture.isOpened() else 0.0
    capture.release()
    frames = [frame for frame, _ in video_frames(path, size=size)]
    return frames, float(rate) if rate and np.isfinite(rate) and rate > 0 else 30.0


__all__ = ["letterbox", "read_video", "video_frames"]
