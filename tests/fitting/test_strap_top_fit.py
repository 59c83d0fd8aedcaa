"""A top with close-set straps (a halter) is sized by its chest (fitroom.fitting.strap_top_fit)."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import numpy as np
import pytest

from fitroom.fitting.anchors import BodyAnchors
from fitroom.fitting.dress_fit import body_chest_width
from fitroom.fitting.garment_fit import torso_targets
from fitroom.fitting.strap_top_fit import close_straps, strap_top_targets
from fitroom.garments import Garment, ingest_garment

#: The shared product photo of a long halter top (its strap tops are the tie at the neck).
HALTER = "vitonhd_04825_00.jpg"


@pytest.fixture(scope="module")
def shared_tops(shared_data: Path) -> dict[str, Garment]:
    """The upper garments among ../shared/data/garments, by file name."""
    tops = {}
    for path in sorted((shared_data / "garments").glob("*.jpg")):
        garment = ingest_garment(path)
        if garment.category == "upper":
            tops[path.name] = garment
    return tops


def _width(targets: dict[str, tuple[float, float]], row: str) -> float:
    return abs(targets[f"{row}_left"][0] - targets[f"{row}_right"][0])


def test_a_halter_top_is_sized_by_its_chest(
    shared_tops: dict[str, Garment], stick_figure: Callable[..., BodyAnchors]
) -> None:
    # Placed by its neck tie onto the shoulder seams, the halter came out 2.5 times its size:
    # its hem below the knees (row 720), across the backdrop between the legs.
    halter = shared_tops[HALTER]
    anchors = stick_figure()
    assert close_straps(halter)
    targets, scale = strap_top_targets(halter, anchors)
    as_any_top, top_scale = torso_targets(halter, anchors)
    assert top_scale > 2.0 * scale
    assert 0.5 * (as_any_top["hem_left"][1] + as_any_top["hem_right"][1]) > 720.0
    # Its flat chest goes onto the body's chest; its hem ends at the hips, above the knees.
    lm = halter.landmarks
    flat_chest = abs(float(lm["armpit_left"][0]) - float(lm["armpit_right"][0]))
    chest = body_chest_width(anchors)
    assert chest is not None
    assert scale * flat_chest == pytest.approx(chest, rel=0.02)
    hem = 0.5 * (targets["hem_left"][1] + targets["hem_right"][1])
    assert float(anchors.hips[:, 1].mean()) - 40.0 < hem < float(anchors.knees[:, 1].mean())
    # Its straps stay close to the neck (the shoulders' tops show bare beside them), and the
    # tie is at the shoulders' height, not lifted into the chin.
    shoulders = float(anchors.shoulders[0, 0] - anchors.shoulders[1, 0])
    assert _width(targets, "shoulder") < 0.5 * shoulders
    assert min(targets["shoulder_left"][1], targets["shoulder_right"][1]) == pytest.approx(
        float(anchors.shoulders[:, 1].mean()), abs=1.0
    )
    # It still covers the torso as any top does.
    assert _width(targets, "armpit") >= 0.99 * chest


def test_every_other_shared_top_is_placed_by_its_shoulders(
    shared_tops: dict[str, Garment], stick_figure: Callable[..., BodyAnchors]
) -> None:
    # Tees, tanks with straps over the shoulders, sweaters, a jersey: their shoulder points
    # are at least 0.7 of their chest apart, and they land exactly where they did.
    anchors = stick_figure(tilt=6.0)
    others = {name: g for name, g in shared_tops.items() if name != HALTER}
    assert len(others) >= 10
    for name, garment in others.items():
        assert not close_straps(garment), name
        targets, scale = strap_top_targets(garment, anchors)
        expected, expected_scale = torso_targets(garment, anchors)
        assert scale == expected_scale, name
        for point, xy in expected.items():
            np.testing.assert_array_equal(targets[point], xy, err_msg=f"{name} {point}")


def test_a_top_with_sleeves_is_never_sized_by_its_chest(tee: Garment) -> None:
    assert tee.sleeve != "none"
    assert not close_straps(tee)
