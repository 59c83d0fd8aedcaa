"""A tee's, sweater's or tank's hem at the hips at the lowest (fitroom.fitting.hem_length)."""

from __future__ import annotations

import dataclasses
from collections.abc import Callable

import numpy as np

from fitroom.fitting.anchors import BodyAnchors
from fitroom.fitting.garment_fit import torso_targets
from fitroom.garments import Garment

StickFigure = Callable[..., BodyAnchors]


def test_a_tees_hem_ends_at_the_hips_at_the_lowest(stick_figure: StickFigure, tee: Garment) -> None:
    """A tee whose product photo is long for the body ends no lower than the hip joints;
    a shirt (which may be worn long, untucked) keeps its length."""
    anchors = stick_figure()
    hips = float(anchors.hips[:, 1].mean())
    long_tee = dataclasses.replace(
        anchors, hips=anchors.hips - np.array([0.0, 0.5 * (hips - 200.0)], np.float32)
    )
    raised = float(long_tee.hips[:, 1].mean())
    targets, _ = torso_targets(tee, long_tee)
    assert max(targets["hem_left"][1], targets["hem_right"][1]) <= raised + 0.5
    free, _ = torso_targets(dataclasses.replace(tee, subcategory="shirt"), long_tee)
    assert free["hem_left"][1] > raised + 1.0
    # (The armpits do not move.)
    assert free["armpit_left"] == targets["armpit_left"]
