"""Shared fixtures: the research-licence data in ../shared/data, public-domain photos, and two
garments fitroom draws itself (a striped tee and a checked shirt).

Tests that need ../shared/data take the ``shared_data`` fixture: it skips with a reason when the
folder is absent, and fails instead when FITROOM_REQUIRE_SHARED=1 (as CI sets it).
"""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt
import pytest
from hypothesis import HealthCheck, settings

from fitroom.garments import Garment, ingest_garment
from fitroom.garments.synth import synth_garment

REPO = Path(__file__).resolve().parents[1]


def shared_data_dir() -> Path:
    """Where the shared research data lives (FITROOM_SHARED_DATA or ../shared/data)."""
    env = os.environ.get("FITROOM_SHARED_DATA")
    return Path(env) if env else REPO.parent / "shared" / "data"


@pytest.fixture(scope="session")
def shared_data() -> Path:
    """Path of ../shared/data; skip (or fail under FITROOM_REQUIRE_SHARED=1) when absent."""
    path = shared_data_dir()
    if not (path / "MANIFEST.md").is_file():
        reason = f"shared research data not found at {path} (set FITROOM_SHARED_DATA)"
        if os.environ.get("FITROOM_REQUIRE_SHARED") == "1":
            pytest.fail(reason + " and FITROOM_REQUIRE_SHARED=1")
        pytest.skip(reason)
    return path


@pytest.fixture(scope="session")
def astronaut() -> npt.NDArray[np.uint8]:
    """The public-domain astronaut photo (Eileen Collins), RGB uint8 512×512."""
    from skimage import data

    return np.ascontiguousarray(data.astronaut())


@pytest.fixture(scope="session")
def coffee() -> npt.NDArray[np.uint8]:
    """A public-domain photo with no person in it."""
    from skimage import data

    return np.ascontiguousarray(data.coffee())


#: The drawn tee of :func:`angled_tee_photo`: its outline's corners (x, y) by landmark name.
_ANGLED_TEE_CORNERS: dict[str, tuple[int, int]] = {
    "shoulder_left": (720, 140),
    "cuff_left_outer": (900, 330),
    "cuff_left_inner": (700, 420),
    "shoulder_right": (280, 140),
    "cuff_right_outer": (100, 330),
    "cuff_right_inner": (300, 420),
}


@pytest.fixture(scope="session")
def angled_tee_photo() -> npt.NDArray[np.uint8]:
    """A drawn black tee, uint8 (1000, 1000, 3), whose short sleeves stand out at 45° and whose
    cuff openings run straight into the armpits (no underarm seam), like many product photos
    of tees; its corners are :func:`angled_tee_corners`."""
    import cv2

    c = _ANGLED_TEE_CORNERS
    image = np.full((1000, 1000, 3), 245, np.uint8)
    outline = np.array(
        [
            (400, 100), (450, 135), (550, 135), (600, 100), c["shoulder_left"],
            c["cuff_left_outer"], c["cuff_left_inner"], (700, 880), (300, 880),
            c["cuff_right_inner"], c["cuff_right_outer"], c["shoulder_right"],
        ],
        np.int32,
    )  # fmt: skip
    cv2.fillPoly(image, [outline], (30, 30, 30))
    return image


@pytest.fixture(scope="session")
def angled_tee_corners() -> dict[str, tuple[int, int]]:
    """The corners (x, y) of :func:`angled_tee_photo`'s outline, by landmark name."""
    return dict(_ANGLED_TEE_CORNERS)


@pytest.fixture(scope="session")
def tee() -> Garment:
    """The drawn striped tee (synth t-shirt, seed 1), named "tee"."""
    return ingest_garment(synth_garment("t-shirt", seed=1, pattern="stripes").image, name="tee")


@pytest.fixture(scope="session")
def shirt() -> Garment:
    """The drawn long-sleeved checked shirt (synth shirt, seed 4), named "shirt"."""
    return ingest_garment(synth_garment("shirt", seed=4, pattern="checks").image, name="shirt")


# Every property test draws the same examples on every run (derandomize, no example database):
# a test that passes once passes every time, in CI too; each test may still set max_examples.
settings.register_profile("fitroom", derandomize=True, database=None, deadline=None)
settings.load_profile("fitroom")

# The fuzz tests' settings: the same examples on every run (derandomize, no example database),
# no per-example deadline (a busy CI machine is slow, not wrong); each test sets max_examples.
settings.register_profile(
    "fuzz",
    deadline=None,
    derandomize=True,
    database=None,
    suppress_health_check=[HealthCheck.too_slow],
)


def mutate_bytes(
    data: Any, seed: bytes, *, edits: int = 4, chunk: int = 16, cut: int = 256
) -> bytes:
    """``seed`` with 1 to ``edits`` random edits drawn from hypothesis ``data``: a flipped byte,
    an overwritten run, an inserted run (up to ``4 * chunk`` bytes) or a cut (up to ``cut``)."""
    from hypothesis import strategies as st

    out = bytearray(seed)
    for _ in range(data.draw(st.integers(1, edits))):
        action = data.draw(st.sampled_from(["flip", "overwrite", "insert", "cut"]))
        at = data.draw(st.integers(0, len(out)))
        if action == "flip" and at < len(out):
            out[at] ^= data.draw(st.integers(1, 255))
        elif action == "overwrite":
            run = data.draw(st.binary(min_size=1, max_size=chunk))
            out[at : at + len(run)] = run
        elif action == "insert":
            out[at:at] = data.draw(st.binary(min_size=1, max_size=4 * chunk))
        elif action == "cut":
            del out[at : at + data.draw(st.integers(1, cut))]
    return bytes(out)


@pytest.fixture(scope="session")
def mutated() -> Callable[..., bytes]:
    """``mutated(data, seed, edits=4, chunk=16, cut=256)``: a hostile variant of ``seed``
    (fuzz tests draw it inside ``@given(data=st.data())``)."""
    return mutate_bytes
