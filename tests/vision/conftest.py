"""Options and fixtures for the vision tests.

``pytest tests/vision --regen-goldens`` (or ``FITROOM_REGEN_GOLDENS=1``) rewrites the golden
landmark files in tests/vision/golden/ from the current code instead of comparing against them.
Look at the diff (and at a debug overlay) before committing regenerated goldens.
"""

from __future__ import annotations

import os
from collections.abc import Iterator

import pytest

from fitroom.vision.pose import PoseLandmarker


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption(
        "--regen-goldens",
        action="store_true",
        default=False,
        help="rewrite tests/vision/golden/*.json from the current code instead of comparing",
    )


@pytest.fixture(scope="session")
def regen_goldens(request: pytest.FixtureRequest) -> bool:
    """Whether golden files are to be rewritten rather than compared."""
    # pytest registers this file's option only when tests/vision is on the command line, hence
    # the default (the environment variable works from anywhere).
    return bool(request.config.getoption("--regen-goldens", default=False)) or (
        os.environ.get("FITROOM_REGEN_GOLDENS") == "1"
    )


@pytest.fixture(scope="module")
def landmarker() -> Iterator[PoseLandmarker]:
    """One photo-mode PoseLandmarker per test module (models load once)."""
    with PoseLandmarker() as model:
        yield model
