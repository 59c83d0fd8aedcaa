"""Fixtures of the live tests: a drawn garment pair and the short real clip, letterboxed."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import numpy.typing as npt
import pytest

from fitroom.garments import Garment, ingest_garment
from fitroom.garments.synth import synth_garment
from fitroom.live import read_video

#: The frame size the live tests run at (a webcam's).
FRAME_SIZE = (640, 480)


@pytest.fixture(scope="session")
def tee() -> Garment:
    return ingest_garment(synth_garment("t-shirt", seed=1, pattern="stripes").image, name="tee")


@pytest.fixture(scope="session")
def shirt() -> Garment:
    return ingest_garment(synth_garment("shirt", seed=4, pattern="checks").image, name="shirt")


@pytest.fixture(scope="session")
def clip_path(shared_data: Path) -> Path:
    return shared_data / "video" / "vivid_upper1.mp4"


@pytest.fixture(scope="session")
def clip(clip_path: Path) -> list[npt.NDArray[np.uint8]]:
    """The 48 frames of vivid_upper1.mp4 letterboxed to 640×480, RGB."""
    frames, _ = read_video(clip_path, size=FRAME_SIZE)
    return frames
