"""Fixtures of the fitting tests: a front-facing stick figure's body anchors."""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
import pytest

from fitroom.fitting.anchors import BodyAnchors
from fitroom.garments import Garment, ingest_garment
from fitroom.garments.synth import synth_garment


def _figure(tilt: float = 0.0, elbow_out: float = 0.0, torso_half: float = 80.0) -> BodyAnchors:
    """A front-facing stick figure 600×900 px with a torso 2 × ``torso_half`` px wide from row
    200 to 560;
    ``tilt`` raises the left shoulder (px), ``elbow_out`` moves both elbows away from the
    body (px)."""
    c = 300.0
    rows = np.arange(0, 900, 4, dtype=np.float32)
    edges = np.full((rows.size, 3), np.nan, np.float32)
    edges[:, 0] = rows
    inside = (rows >= 200) & (rows <= 560)
    edges[inside, 1] = c + torso_half
    edges[inside, 2] = c - torso_half
    return BodyAnchors(
        shoulders=np.array([[c + 110, 200 - tilt], [c - 110, 200 + tilt]], np.float32),
        shoulder_joints=np.array([[c + 90, 200 - tilt], [c - 90, 200 + tilt]], np.float32),
        elbows=np.array([[c + 110 + elbow_out, 380], [c - 110 - elbow_out, 380]], np.float32),
        wrists=np.array([[c + 115, 540], [c - 115, 540]], np.float32),
        hips=np.array([[c + 60, 560], [c - 60, 560]], np.float32),
        knees=np.array([[c + 60, 720], [c - 60, 720]], np.float32),
        ankles=np.array([[c + 60, 880], [c - 60, 880]], np.float32),
        torso_edges=edges,
        visibility=np.ones((2, 6), np.float32),
        image_size=(600, 900),
    )


@pytest.fixture(scope="session")
def stick_figure() -> Callable[..., BodyAnchors]:
    """:func:`_figure`: a stick figure's anchors, ``tilt``, ``elbow_out`` and ``torso_half``
    as keywords."""
    return _figure


def _distance_to_segment(p: np.ndarray, a: np.ndarray, b: np.ndarray) -> float:
    t = float(np.clip(np.dot(p - a, b - a) / max(1e-9, float(np.dot(b - a, b - a))), 0.0, 1.0))
    return float(np.hypot(*(p - (a + t * (b - a)))))


@pytest.fixture(scope="session")
def segment_distance() -> Callable[[np.ndarray, np.ndarray, np.ndarray], float]:
    """The distance of a point ``p`` from the segment ``a``–``b`` (pixels)."""
    return _distance_to_segment


@pytest.fixture(scope="module")
def tee() -> Garment:
    """A drawn solid tee (these tests' own: seed 3)."""
    return ingest_garment(synth_garment("t-shirt", seed=3, pattern="solid").image)


@pytest.fixture(scope="module")
def shirt() -> Garment:
    """A long-sleeved drawn shirt (solid)."""
    return ingest_garment(synth_garment("shirt", seed=4, pattern="solid").image)
