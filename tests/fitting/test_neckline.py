"""Where a top's front neckline lands on the body (fitroom.fitting.neckline)."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import numpy as np
import pytest

from fitroom.fitting.anchors import BodyAnchors
from fitroom.fitting.garment_fit import fit_upper
from fitroom.fitting.neckline import front_neckline, worn_front_neckline
from fitroom.garments import GarmentPart, ingest_garment

StickFigure = Callable[..., BodyAnchors]


def test_the_front_neckline_lands_as_deep_as_on_the_product_photo(
    shared_data: Path, stick_figure: StickFigure
) -> None:
    """A crew-neck tee's product photo (its inside back seen through the opening): the fitted
    panel's opening ends below the neck points' targets by the photo's depth, scaled as the
    neck points' distance is (the warp pins it there: no sagging, deeper U)."""
    tee = ingest_garment(shared_data / "pairs" / "cloth" / "00001_00.jpg")
    front = front_neckline(tee)
    assert front is not None
    lm = tee.landmarks
    inside = tee.parts == int(GarmentPart.NECK_INSIDE)
    # (The median over the middle columns.)
    assert front[1] == pytest.approx(float(np.nonzero(inside[:, round(front[0])])[0].max()), abs=2)
    anchors = stick_figure()
    fitted = fit_upper(tee, anchors)
    (lx, ly), (rx, ry) = fitted.targets["neck_left"], fitted.targets["neck_right"]
    g_span = abs(float(lm["neck_left"][0]) - float(lm["neck_right"][0]))
    depth = (front[1] - float(lm["neck_left"][1])) * abs(lx - rx) / g_span
    expected = worn_front_neckline(front, lm, fitted.targets)
    assert expected[1] == pytest.approx(0.5 * (ly + ry) + depth, abs=1.0)
    # The torso panel's opening (transparent) reaches down to that row and no farther.
    panel = next(layer for layer in fitted.layers if layer.part == "torso")
    x0, y0 = panel.box[:2]
    column = panel.rgba[:, round(expected[0]) - x0, 3]
    opening = np.nonzero(column[: round(expected[1]) - y0 + 15] < 0.5)[0]
    assert abs(int(opening.max()) + y0 - expected[1]) <= 4.0
