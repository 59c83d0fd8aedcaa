"""Helpers shared by the benchmark scripts (not part of the package)."""

from __future__ import annotations

import os
import statistics
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import cv2
import numpy as np

REPO = Path(__file__).resolve().parents[1]


def shared_data_dir() -> Path:
    """../shared/data, or FITROOM_SHARED_DATA; exits with a message when absent."""
    env = os.environ.get("FITROOM_SHARED_DATA")
    path = Path(env) if env else REPO.parent / "shared" / "data"
    if not (path / "MANIFEST.md").is_file():
        sys.exit(f"shared research data not found at {path}; set FITROOM_SHARED_DATA")
    return path


def read_rgb(path: Path) -> np.ndarray:
    """Read an image file as RGB uint8 through fitroom's input boundary."""
    from fitroom.imaging import decode_image

    return decode_image(path)


def video_frames(path: Path, size: tuple[int, int] | None = None) -> Iterator[np.ndarray]:
    """RGB frames of a video, optionally resized to (width, height)."""
    capture = cv2.VideoCapture(str(path))
    try:
        while True:
            ok, bgr = capture.read()
            if not ok:
                return
            if size is not None:
                bgr = cv2.resize(bgr, size, interpolation=cv2.INTER_AREA)
            yield cv2.cvtColor(bgr, cv2.COLOR_BGR2RGB)
    finally:
        capture.release()


def time_ms(fn: Callable[[], object], repeat: int, warmup: int = 3) -> list[float]:
    """Wall milliseconds of ``repeat`` calls after ``warmup`` calls."""
    for _ in range(warmup):
        fn()
    out = []
    for _ in range(repeat):
        t0 = time.perf_counter()
        fn()
        out.append((time.perf_counter() - t0) * 1e3)
    return out


def summary(values: list[float]) -> str:
    """'median p90' string of milliseconds."""
    arr = np.asarray(values)
    return f"median {statistics.median(values):7.2f} ms  p90 {np.percentile(arr, 90):7.2f} ms"
