"""Fixtures of the live tests: the short real clip, letterboxed (garments: tests/conftest.py)."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import numpy.typing as npt
import pytest

from fitroom.live import read_video

#: The frame size the live tests run at (a webcam's).
FRAME_SIZE = (640, 480)


@pytest.fixture(scope="session")
def clip_path(shared_data: Path) -> Path:
    return shared_data / "video" / "vivid_upper1.mp4"


@pytest.fixture(scope="session")
def clip(clip_path: Path) -> list[npt.NDArray[np.uint8]]:
    """The 48 frames of vivid_upper1.mp4 letterboxed to 640×480, RGB."""
    frames, _ = read_video(clip_path, size=FRAME_SIZE)
    return frames
