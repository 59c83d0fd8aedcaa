"""A top's hem laid on the old top's hem when the two nearly meet (fitroom.dressing.hem)."""

from __future__ import annotations

import dataclasses
from collections.abc import Iterator
from pathlib import Path

import cv2
import numpy as np
import pytest
from PIL import Image

from fitroom.dressing.hem import (
    HEM_PIVOT,
    meet_old_hem,
    meet_top_edge,
    old_hem_gap,
    panel_hem_row,
    stretch_to_hem,
    waistband_at_top_edge,
)
from fitroom.fitting.fitted import FittedGarment, FittedLayer
from fitroom.garments import ingest_garment
from fitroom.imaging import decode_image
from fitroom.tryon import TryOn
from fitroom.vision.core import BodyPart, BodyParts


def _scene(old_hem: int) -> tuple[FittedGarment, np.ndarray, BodyParts]:
    """A new top over rows 40–139 of a torso (rows 30–199); the old top down to ``old_hem``."""
    labels = np.zeros((240, 160), np.uint8)
    labels[30:200, 30:130] = BodyPart.TORSO
    parts = BodyParts(labels, np.zeros((240, 160), np.float32))
    rgba = np.zeros((100, 80, 4), np.float32)
    rgba[..., 3] = 1.0
    rgba[..., 0] = np.linspace(0.0, 255.0, 100, dtype=np.float32)[:, None]  # a vertical ramp
    top = FittedGarment((FittedLayer("torso", (40, 40, 120, 140), rgba),), {}, 1.0)
    old = np.zeros((240, 160), np.float32)
    old[35:old_hem, 35:125] = 1.0
    return top, old, parts


class TestMeetOldHem:
    def test_a_nearby_old_hem_is_met(self) -> None:
        top, old, parts = _scene(old_hem=155)
        assert old_hem_gap(top.layers[0], old, parts) == pytest.approx(15.0, abs=1.0)
        met = meet_old_hem(top, old, parts)
        panel = met.layers[0]
        assert panel.box == (40, 40, 120, 155)
        # The neckline and chest are not moved; the hem's last row keeps its colour.
        pivot = round(HEM_PIVOT * 100)
        assert np.array_equal(panel.rgba[:pivot], top.layers[0].rgba[:pivot])
        assert panel.rgba[-1, 0, 0] == pytest.approx(255.0, abs=3.0)

    def test_a_far_old_hem_is_not_met(self) -> None:
        # A crop top over a long tee keeps its own length.
        top, old, parts = _scene(old_hem=199)
        assert meet_old_hem(top, old, parts) is top

    def test_an_old_top_ending_higher_changes_nothing(self) -> None:
        top, old, parts = _scene(old_hem=120)
        assert old_hem_gap(top.layers[0], old, parts) == 0.0
        assert meet_old_hem(top, old, parts) is top

    def test_the_garment_keeps_what_it_says_of_its_neck_opening(self) -> None:
        # (A panel leaving out its own opening still does once lengthened: dropping that cut a
        # fixed opening on top of it.)
        top, old, parts = _scene(old_hem=155)
        own = dataclasses.replace(top, own_neck_opening=True)
        met = meet_old_hem(own, old, parts)
        assert met is not own and met.own_neck_opening and met.region == "upper"

    def test_stretch_stays_in_the_frame(self) -> None:
        top, _, _ = _scene(old_hem=155)
        panel = stretch_to_hem(top.layers[0], 30, height=150)
        assert panel.box[3] == 150 and panel.rgba.shape[0] == 110


class TestMeetTopEdge:
    def test_a_long_top_is_shortened_to_the_edge(self) -> None:
        # The panel's hem is row 139; the old top ended over the trousers at row 120.
        top, _, _ = _scene(old_hem=155)
        assert panel_hem_row(top.layers[0]) == 139.0
        met = meet_top_edge(top, 120.0, 2.0, height=240)
        panel = met.layers[0]
        assert panel_hem_row(panel) == pytest.approx(122.0, abs=1.0)
        # The chest is not moved; the hem keeps its colour (the ramp's end).
        pivot = round(HEM_PIVOT * 100)
        assert np.array_equal(panel.rgba[:pivot], top.layers[0].rgba[:pivot])
        assert panel.rgba[-1, 0, 0] == pytest.approx(255.0, abs=8.0)

    def test_a_top_ending_above_the_edge_keeps_its_length(self) -> None:
        top, _, _ = _scene(old_hem=155)
        assert meet_top_edge(top, 150.0, 0.0, height=240) is top

    def test_a_far_edge_changes_nothing(self) -> None:
        # More than a fifth of the panel's height away: a cropped top stays cropped.
        top, _, _ = _scene(old_hem=155)
        assert meet_top_edge(top, 100.0, 0.0, height=240) is top

    def test_a_lower_garment_changes_nothing(self) -> None:
        top, _, _ = _scene(old_hem=155)
        trousers = dataclasses.replace(top, region="lower")
        assert trousers.region != "upper"
        assert meet_top_edge(trousers, 120.0, 0.0, height=240) is trousers


class TestWaistbandAtTopEdge:
    def test_a_line_below_the_edge_is_raised_to_it_whole(self) -> None:
        line = np.array([130.0, 128.0, 126.0, 128.0], np.float32)  # median 128
        raised = waistband_at_top_edge(line, 110.0, 30.0)
        assert raised.dtype == np.float32
        assert float(np.median(raised)) == pytest.approx(110.0)
        # Its shape kept (a waistband's slope or curve).
        assert np.allclose(np.diff(raised), np.diff(line))

    def test_a_far_or_lower_edge_changes_nothing(self) -> None:
        line = np.array([130.0, 130.0], np.float32)
        assert waistband_at_top_edge(line, 90.0, 30.0) is line  # 40 rows above: another edge
        assert waistband_at_top_edge(line, 140.0, 30.0) is line  # the edge below the line


@pytest.fixture(scope="module")
def tryon() -> Iterator[TryOn]:
    with TryOn(num_threads=1) as model:
        yield model


def test_a_tee_reaches_its_hem_on_a_true_pair(tryon: TryOn, shared_data: Path) -> None:
    """A person photographed in a white tee, dressed in that tee's product photo: the tee
    covers the photo's tee down to its hem (it stopped about 60 px short, over a band of
    painted belly, before the hem was met)."""
    pairs = shared_data / "pairs"
    photo = decode_image(pairs / "image" / "00000_00.jpg")
    result = tryon.render(photo, [ingest_garment(pairs / "cloth" / "00000_00.jpg")])
    # VITON-HD's label 5 is the upper garment.
    region = np.array(Image.open(pairs / "image-parse" / "00000_00.png")) == 5
    rows = np.flatnonzero(region.any(axis=1))
    lowest = np.arange(region.shape[0])[:, None] > rows[-1] - (rows[-1] - rows[0]) // 6
    drawn = result.visible_masks[0] > 0.5
    assert float(drawn[region & lowest].mean()) > 0.7  # 0.30 before


def test_a_jacket_over_trousers_of_its_colour_ends_at_its_hem(
    tryon: TryOn, shared_data: Path
) -> None:
    """A khaki jacket over khaki trousers (Dress Code 000000), dressed in that jacket: no
    waistband shows in the colour tests, and the jacket came out about 65 rows too long, over
    the trousers; it ends at the photo's hem now."""
    pairs = shared_data / "pairs"
    photo = decode_image(pairs / "image" / "000000_0.jpg")
    result = tryon.render(photo, [ingest_garment(pairs / "cloth" / "000000_1.jpg")])
    # Dress Code's label 4 is the upper garment.
    region = np.array(Image.open(pairs / "image-parse" / "000000_4.png")) == 4
    cols = np.flatnonzero(region.any(axis=0))
    middle = cols[cols.size // 4 : 3 * cols.size // 4]
    drawn = result.visible_masks[0] > 0.5
    photo_hem = np.median([np.flatnonzero(region[:, c]).max() for c in middle])
    new_hem = np.median([np.flatnonzero(drawn[:, c]).max() for c in middle])
    assert abs(new_hem - photo_hem) < 15  # 64 rows below before


def _middle_hems(region: np.ndarray, drawn: np.ndarray) -> tuple[float, float]:
    """The photo's and the render's hem rows: medians over the garment's middle columns."""
    cols = np.flatnonzero(region.any(axis=0))
    middle = cols[cols.size // 4 : 3 * cols.size // 4]
    photo_hem = np.median([np.flatnonzero(region[:, c]).max() for c in middle])
    new_hem = np.median([np.flatnonzero(drawn[:, c]).max() for c in middle if drawn[:, c].any()])
    return float(photo_hem), float(new_hem)


@pytest.mark.parametrize(
    ("pair", "before"),
    [
        # A black top hanging over white jeans: tucked at the jeans' colour, 20 rows below.
        ("00006_00", 20),
        # A black sweatshirt over dark blue jeans: no edge found at the trousers' step, 80
        # rows below.
        ("00012_00", 80),
    ],
)
def test_a_top_ends_where_the_photo_s_does(
    tryon: TryOn, shared_data: Path, pair: str, before: int
) -> None:
    """VITON-HD true pairs, each person dressed in the top they wear: the new top's hem lies
    within 10 rows of the photo's (``before`` rows below it before the old top's edge was met)."""
    pairs = shared_data / "pairs"
    photo = decode_image(pairs / "image" / f"{pair}.jpg")
    result = tryon.render(photo, [ingest_garment(pairs / "cloth" / f"{pair}.jpg")])
    region = np.array(Image.open(pairs / "image-parse" / f"{pair}.png")) == 5
    photo_hem, new_hem = _middle_hems(region, result.visible_masks[0] > 0.5)
    assert abs(new_hem - photo_hem) < 10, (photo_hem, new_hem, before)


def test_the_trousers_below_a_raised_hem_stay_as_the_photo_has_them(
    tryon: TryOn, shared_data: Path
) -> None:
    """VITON-HD 00012_00: a black sweatshirt over dark blue jeans, which the colour test reads
    as more of the sweatshirt. With the new hem raised to the photo's, the jeans under it were
    taken for old top left hanging: new fabric was carried down beside the left hip and
    stripes of skin painted over the jeans beside the right one (921 skin-coloured pixels
    within 60 rows of the hem, 4 % of the left half of the jeans turned black)."""
    pairs = shared_data / "pairs"
    photo = decode_image(pairs / "image" / "00012_00.jpg")
    result = tryon.render(photo, [ingest_garment(pairs / "cloth" / "00012_00.jpg")])
    parse = np.array(Image.open(pairs / "image-parse" / "00012_00.png"))
    # VITON-HD's label 5 is the upper garment, 9 the trousers.
    top, jeans = parse == 5, parse == 9
    cols = np.flatnonzero(top.any(axis=0))
    middle = cols[cols.size // 4 : 3 * cols.size // 4]
    hem = round(float(np.median([np.flatnonzero(top[:, c]).max() for c in middle])))
    below = np.zeros_like(jeans)
    below[hem + 3 : hem + 60] = True
    out, src = result.image.astype(int), photo.astype(int)
    # Skin is redder than blue; the photo's jeans are bluer than red.
    skin = (out[..., 0] - out[..., 2] > 15) & (src[..., 0] - src[..., 2] < 0) & jeans & below
    assert int(skin.sum()) < 150, int(skin.sum())
    # The jeans' inside (20 px from their sides, where the new sleeves may hang over them), left
    # half: as the photo has them.
    inside = cv2.erode(jeans.astype(np.uint8), np.ones((1, 41), np.uint8)).astype(bool) & below
    xs = np.flatnonzero(inside.any(axis=0))
    inside[:, (xs[0] + xs[-1]) // 2 :] = False
    changed = np.abs(out - src).max(axis=2) > 40
    assert float(changed[inside].mean()) < 0.01
