"""Lower-garment fitting (fitroom.fitting.lower_fit): skirts flare from the waist, trouser
legs follow the legs."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from fitroom.fitting.anchors import BodyAnchors
from fitroom.garments import ingest_garment
from fitroom.garments.synth import synth_garment

#: The ``stick_figure`` and ``segment_distance`` fixtures (tests/fitting/conftest.py).
StickFigure = Callable[..., BodyAnchors]
SegmentDistance = Callable[[np.ndarray, np.ndarray, np.ndarray], float]


class TestSkirtFlare:
    def test_skirt_hangs_from_the_waist_and_flares(self, stick_figure: StickFigure) -> None:
        from fitroom.fitting.lower_fit import SKIRT_CROTCH_CONFIDENCE, lower_pins

        skirt = ingest_garment(synth_garment("skirt", seed=7, pattern="solid").image)
        assert float(skirt.landmarks["crotch"][2]) < SKIRT_CROTCH_CONFIDENCE
        anchors = stick_figure()
        pins, _ = lower_pins(skirt.landmarks, anchors, 1.04)
        body = np.array([p[0] for p in pins])
        waist, hem = body[:2], body[3:5]
        hip_span = float(anchors.hips[0, 0] - anchors.hips[1, 0])
        # The hem is below the waist, centred under the hips, and wider than the hips.
        assert hem[:, 1].min() > waist[:, 1].max() + 50
        assert abs(float(hem[:, 0].mean()) - float(anchors.hips[:, 0].mean())) < 2.0
        assert float(hem[0, 0] - hem[1, 0]) > hip_span
        # Trousers keep one hem per leg.
        trousers = ingest_garment(synth_garment("trousers", seed=9, pattern="solid").image)
        leg_pins, _ = lower_pins(trousers.landmarks, anchors, 1.04)
        assert len(leg_pins) > len(pins)


class TestTrouserLegs:
    @settings(max_examples=15, deadline=None)
    @given(st.floats(-80.0, 80.0), st.floats(-60.0, 60.0))
    def test_leg_pins_stay_along_the_leg(
        self,
        stick_figure: StickFigure,
        segment_distance: SegmentDistance,
        knee_dx: float,
        ankle_dx: float,
    ) -> None:
        from fitroom.fitting.lower_fit import lower_pins

        trousers = ingest_garment(synth_garment("trousers", seed=9, pattern="solid").image)
        anchors = stick_figure()
        knees = anchors.knees.copy()
        ankles = anchors.ankles.copy()
        knees[0, 0] += knee_dx  # the left leg bends out (or in) at the knee
        ankles[0, 0] = knees[0, 0] + ankle_dx
        bent = BodyAnchors(**{**anchors.__dict__, "knees": knees, "ankles": ankles})
        pins, scale = lower_pins(trousers.landmarks, bent, 1.04)
        legs = np.array([p[0] for p in pins[4:]])
        left = legs[: len(legs) // 2]
        hip, knee, ankle = bent.hips[0], bent.knees[0], bent.ankles[0]
        lm = trousers.landmarks
        # No pin further from the leg's bones than the leg is wide (at the thigh or the hem).
        thigh = float(np.hypot(*(lm["waistband_left"][:2] - lm["crotch"][:2])))
        hem = float(np.hypot(*(lm["hem_left_outer"][:2] - lm["hem_left_inner"][:2])))
        reach = scale * max(thigh, hem) + 10.0
        for p in left:
            near = min(segment_distance(p, hip, knee), segment_distance(p, knee, ankle))
            assert near < reach, (p, near, reach)


class TestTrouserOutline:
    def test_outer_seams_cover_the_measured_legs(self, stick_figure: StickFigure) -> None:
        """Trousers narrower than the hips-and-legs outline are carried out to it at the hem
        and knee (as a top covers the torso); without an outline the pins are the garment's."""
        from fitroom.fitting.lower_fit import lower_pins

        trousers = ingest_garment(synth_garment("trousers", seed=9, pattern="solid").image)
        anchors = stick_figure()
        plain, _ = lower_pins(trousers.landmarks, anchors, 1.04)
        rows = np.arange(0, 900, 4, dtype=np.float32)
        wide = np.full((rows.size, 3), np.nan, np.float32)
        wide[:, 0] = rows
        legs = (rows >= 540) & (rows <= 890)
        wide[legs, 1] = 300 + 170.0  # the person's left outline (image right)
        wide[legs, 2] = 300 - 170.0
        outlined, _ = lower_pins(
            trousers.landmarks, BodyAnchors(**{**anchors.__dict__, "lower_edges": wide}), 1.04
        )
        assert len(plain) == len(outlined)
        outer_x = np.array([p[0][0] for p in outlined[4:]])
        plain_x = np.array([p[0][0] for p in plain[4:]])
        # The outermost pins on each side reach the outline (times the ease), not beyond.
        assert outer_x.max() >= 300 + 170.0 * 0.99 and outer_x.max() <= 300 + 1.04 * 170 + 30
        assert outer_x.min() <= 300 - 170.0 * 0.99
        assert plain_x.max() < outer_x.max()
        # The waistband stays where it was.
        assert np.allclose([p[0] for p in plain[:4]], [p[0] for p in outlined[:4]])


@pytest.mark.shared
@pytest.mark.slow
@pytest.mark.parametrize("pair", ["013563", "013568", "013569", "013571"])
def test_shorts_hem_lies_where_the_person_wears_it(shared_data: Path, pair: str) -> None:
    """Shorts on a standing person who wears these very shorts (a true pair): each leg's hem
    lies within a sixth of the thigh's length of the photo's own hem (the parse map's lowest
    shorts row on that side), well below the hips, and the waistband above the hips.

    (013563's wide cuffed shorts are worn high, under an open cardigan: with the waistband's
    width taken from the torso's outline and at the regular waist row they hung 0.6 thigh
    lengths too long.)"""
    from PIL import Image

    from fitroom.fitting.anchors import body_anchors
    from fitroom.fitting.lower_fit import lower_pins
    from fitroom.imaging import decode_image
    from fitroom.vision import Perceiver

    photo = decode_image((shared_data / "pairs" / "image" / f"{pair}_0.jpg").read_bytes())
    worn = np.isin(
        np.array(Image.open(shared_data / "pairs" / "image-parse" / f"{pair}_4.png")), (5, 6)
    )
    shorts = ingest_garment(shared_data / "pairs" / "cloth" / f"{pair}_1.jpg")
    assert shorts.subcategory == "shorts"
    with Perceiver(num_threads=1) as perceiver:
        person = perceiver.process(photo).single()
    assert person.parts is not None
    anchors = body_anchors(person.pose, person.parts, (photo.shape[1], photo.shape[0]))
    pins, _ = lower_pins(shorts.landmarks, anchors, 1.04)
    lm = shorts.landmarks
    by_garment = {(round(float(g[0]), 2), round(float(g[1]), 2)): b for b, g in pins}

    def body_of(name: str) -> tuple[float, float]:
        return by_garment[(round(float(lm[name][0]), 2), round(float(lm[name][1]), 2))]

    hip = anchors.hips.mean(axis=0)
    thigh = float(np.hypot(*(anchors.knees.mean(axis=0) - hip)))
    cols = np.arange(worn.shape[1])
    for side, outward in (("left", 1), ("right", -1)):
        # (The person's left leg is on the image right.)
        rows = np.nonzero(worn & ((cols - hip[0]) * outward > 0)[None, :])[0]
        hem_y = 0.5 * (body_of(f"hem_{side}_outer")[1] + body_of(f"hem_{side}_inner")[1])
        assert abs(hem_y - float(rows.max())) < thigh / 6, (side, hem_y, rows.max(), thigh)
        assert hem_y > hip[1] + 0.3 * thigh
    assert body_of("waistband_center")[1] < hip[1]


def test_waistband_goes_up_to_the_persons_own_but_never_down(stick_figure: StickFigure) -> None:
    """Where the person wears their trousers higher than the regular waist row, the new
    waistband goes up to that row (no band of the old waistband left above it); a row below the
    regular one changes nothing, and a row far up is held at the highest waist."""
    from fitroom.fitting.lower_fit import WAIST_HIGHEST, lower_pins

    shorts = ingest_garment(synth_garment("shorts", seed=3, pattern="solid").image)
    # (Legs as long as a person's, twice the hips' span to the knee: on the stick figure's
    # short thighs the shorts' own rise already puts the waistband at the highest row.)
    figure = stick_figure()
    legs = {
        "knees": figure.knees + np.float32([0, 80]),
        "ankles": figure.ankles + np.float32([0, 10]),
    }
    anchors = BodyAnchors(**{**figure.__dict__, **legs})
    regular, _ = lower_pins(shorts.landmarks, anchors, 1.04)
    waist_y = regular[2][0][1]
    higher, _ = lower_pins(shorts.landmarks, anchors, 1.04, waist_at_most=waist_y - 20.0)
    lower, _ = lower_pins(shorts.landmarks, anchors, 1.04, waist_at_most=waist_y + 30.0)
    far, _ = lower_pins(shorts.landmarks, anchors, 1.04, waist_at_most=-500.0)
    assert abs(higher[2][0][1] - (waist_y - 20.0)) < 1e-3
    assert lower == regular
    hip = anchors.hips.mean(axis=0)
    thigh = float(np.hypot(*(anchors.knees.mean(axis=0) - hip)))
    assert abs(far[2][0][1] - (float(hip[1]) - WAIST_HIGHEST * thigh)) < 1e-3
    # The hem (the first leg's outer hem pin) follows the waistband up: the garment keeps its
    # length.
    assert higher[4][1] == regular[4][1]
    assert higher[4][0][1] < regular[4][0][1]


def test_knee_and_shin_pins_take_one_row_of_the_garment(stick_figure: StickFigure) -> None:
    """Each leg's knee (and shin) pins pin the garment's outer and inner seams at one row of
    the product photo: taken at the same share of each seam's length, the inner point lay far
    below the outer one (the inner seam starts at the crotch) and the leg was sheared, wide and
    twisted at the knee."""
    from fitroom.fitting.lower_fit import lower_pins

    trousers = ingest_garment(synth_garment("trousers", seed=9, pattern="solid").image)
    figure = stick_figure()
    # (A person's legs: twice the hips' span from hip to knee and knee to ankle.)
    legs = {
        "knees": figure.knees + np.float32([0, 80]),
        "ankles": figure.ankles + np.float32([0, 0]),
    }
    legs["ankles"][:, 1] = 899.0
    anchors = BodyAnchors(**{**figure.__dict__, **legs})
    pins, _ = lower_pins(trousers.landmarks, anchors, 1.04)
    # Waistband, crotch; per leg hem, knee, shin; then each outer seam halfway to the knee.
    assert len(pins) == 4 + 2 * 6 + 2
    for leg in (pins[4:10], pins[10:16]):
        (_, g_ko), (_, g_ki), (_, g_so), (_, g_si) = leg[2:6]
        assert abs(g_ko[1] - g_ki[1]) < 1e-3
        assert abs(g_so[1] - g_si[1]) < 1e-3
        # The body's knee pins lie across the leg at the knee, as wide as the garment there.
        (b_ko, _), (b_ki, _) = leg[2:4]
        assert abs(b_ko[1] - b_ki[1]) < 2.0


def test_waistband_width_follows_the_hips_not_the_torso_outline(stick_figure: StickFigure) -> None:
    """The waistband is as wide as the hip joints' span says (times the ease), whatever the
    torso's outline at the waist: an open cardigan or jacket or arms beside the hips widen the
    outline, not the person."""
    from fitroom.fitting.lower_fit import WAIST_OVER_HIPS, lower_pins

    shorts = ingest_garment(synth_garment("shorts", seed=3, pattern="solid").image)
    slim = stick_figure(torso_half=70.0)
    wide = stick_figure(torso_half=140.0)
    hip_span = float(slim.hips[0, 0] - slim.hips[1, 0])
    for anchors in (slim, wide):
        pins, _ = lower_pins(shorts.landmarks, anchors, 1.1)
        width = pins[0][0][0] - pins[1][0][0]
        assert width == pytest.approx(WAIST_OVER_HIPS * hip_span * 1.1)


@pytest.mark.shared
@pytest.mark.slow
def test_shorts_edge_ends_where_the_person_wears_them(shared_data: Path) -> None:
    """The fitted shorts' own bottom edge (not their hem landmarks, which sit 1 to 7 % of the
    length above it at a cuff's or frayed edge's top: see hem_drop) on the four true pairs:
    per leg its lowest row lies within 12 rows of the parse map's lowest shorts row at the
    median (pinned at the landmarks: 17.5 rows, every leg too low), and never more than 40
    rows off."""
    from PIL import Image

    from fitroom.fitting.anchors import body_anchors
    from fitroom.fitting.lower_fit import fit_lower
    from fitroom.imaging import decode_image
    from fitroom.vision import Perceiver

    offsets = []
    with Perceiver(num_threads=1) as perceiver:
        for pair in ("013563", "013568", "013569", "013571"):
            photo = decode_image(shared_data / "pairs" / "image" / f"{pair}_0.jpg")
            parse = np.array(Image.open(shared_data / "pairs" / "image-parse" / f"{pair}_4.png"))
            worn = np.isin(parse, (5, 6))
            shorts = ingest_garment(shared_data / "pairs" / "cloth" / f"{pair}_1.jpg")
            person = perceiver.process(photo).single()
            assert person.parts is not None
            anchors = body_anchors(person.pose, person.parts, (photo.shape[1], photo.shape[0]))
            layer = fit_lower(shorts, anchors).layers[0]
            x0, y0, x1, y1 = layer.box
            drawn = np.zeros(worn.shape, bool)
            drawn[y0:y1, x0:x1] = layer.rgba[..., 3] > 0.5
            cols = np.arange(worn.shape[1])[None, :] - float(anchors.hips[:, 0].mean())
            for side in (cols > 0, cols < 0):
                edge = np.flatnonzero((drawn & side).any(axis=1))[-1]
                hem = np.flatnonzero((worn & side).any(axis=1))[-1]
                offsets.append(float(edge - hem))
    assert float(np.median(np.abs(offsets))) < 12.0, offsets
    assert max(abs(o) for o in offsets) <= 40.0, offsets


class TestSoftenFabric:
    """The fitted lower garment's fabric is softened, its outline kept."""

    @staticmethod
    def _grainy_layer() -> np.ndarray:
        rng = np.random.default_rng(0)
        rgba = np.zeros((60, 60, 4), np.float32)
        rgba[10:50, 10:50, 3] = 1.0
        grain = rng.normal(0.0, 25.0, (40, 40, 1)).astype(np.float32)
        rgba[10:50, 10:50, :3] = np.clip(np.float32(180.0) + grain, 0.0, 255.0)
        return rgba

    def test_the_alpha_stays_and_the_grain_drops(self) -> None:
        from fitroom.fitting.lower_fit import soften_fabric

        layer = self._grainy_layer()
        out = soften_fabric(layer, 1.0)
        assert out.dtype == np.float32 and out.shape == layer.shape
        assert np.array_equal(out[..., 3], layer[..., 3])
        inner = (slice(14, 46), slice(14, 46))
        assert float(out[inner][..., 0].std()) < 0.6 * float(layer[inner][..., 0].std())
        # The mean colour stays (within a level).
        assert abs(float(out[inner][..., 0].mean()) - float(layer[inner][..., 0].mean())) < 1.0

    def test_the_rim_takes_no_transparent_surroundings(self) -> None:
        from fitroom.fitting.lower_fit import soften_fabric

        layer = np.zeros((30, 30, 4), np.float32)
        layer[:, 10:, 3] = 1.0
        layer[:, 10:, :3] = 200.0
        out = soften_fabric(layer, 2.0)
        # The outermost column of fabric keeps its colour (no darkening from the empty side).
        assert np.allclose(out[:, 10, :3], 200.0, atol=0.5)
        assert not out[:, :10].any()

    def test_zero_sigma_is_the_identity(self) -> None:
        from fitroom.fitting.lower_fit import soften_fabric

        layer = self._grainy_layer()
        assert soften_fabric(layer, 0.0) is layer


@pytest.mark.shared
@pytest.mark.slow
def test_fitted_shorts_are_less_grainy_than_their_product_photo(shared_data: Path) -> None:
    """On a true pair (light denim shorts) the fitted layer's finest detail (pixel-to-pixel
    steps of the colour, inside the fabric) is below that of the same fit unsoftened."""
    from fitroom.fitting import lower_fit
    from fitroom.fitting.anchors import body_anchors
    from fitroom.imaging import decode_image
    from fitroom.vision import Perceiver

    photo = decode_image(shared_data / "pairs" / "image" / "013568_0.jpg")
    shorts = ingest_garment(shared_data / "pairs" / "cloth" / "013568_1.jpg")
    with Perceiver(num_threads=1) as perceiver:
        person = perceiver.process(photo).single()
    assert person.parts is not None
    anchors = body_anchors(person.pose, person.parts, (photo.shape[1], photo.shape[0]))

    def grain(rgba: np.ndarray) -> float:
        solid = rgba[..., 3] > 0.99
        inner = solid[1:, :] & solid[:-1, :]
        step = np.abs(np.diff(rgba[..., 1], axis=0))
        return float(step[inner].mean())

    soft = lower_fit.fit_lower(shorts, anchors).layers[0].rgba
    keep = lower_fit.LOWER_FABRIC_SOFTENING
    try:
        lower_fit.LOWER_FABRIC_SOFTENING = 0.0
        sharp = lower_fit.fit_lower(shorts, anchors).layers[0].rgba
    finally:
        lower_fit.LOWER_FABRIC_SOFTENING = keep
    assert np.array_equal(soft[..., 3], sharp[..., 3])
    assert grain(soft) < 0.8 * grain(sharp), (grain(soft), grain(sharp))


def test_a_person_turned_to_the_side_wears_trousers_below_the_knee(
    stick_figure: StickFigure,
) -> None:
    """The hips' span seen from the front narrows as a person turns; the legs do not. Below
    :data:`HIP_OVER_THIGH` of the thigh the span no longer shortens the trousers (they ended
    at the knee on the live clip's person walking in, then grew by 40 % in one frame as she
    faced the camera); the waistband still narrows with it."""
    from dataclasses import replace

    from fitroom.fitting.lower_fit import HIP_OVER_THIGH, lower_pins

    trousers = ingest_garment(synth_garment("trousers", seed=9, pattern="solid").image)
    facing = stick_figure()
    hips = facing.hips
    thigh = float(np.hypot(*(facing.knees.mean(axis=0) - hips.mean(axis=0))))
    span = float(hips[0, 0] - hips[1, 0])
    middle = float(hips[:, 0].mean())

    def turned(share: float) -> list[tuple[tuple[float, float], tuple[float, float]]]:
        moved = hips.copy()
        moved[:, 0] = middle + (hips[:, 0] - middle) * (share * thigh / span)
        pins, _ = lower_pins(trousers.landmarks, replace(facing, hips=moved), 1.04)
        return pins

    at_floor, side_on = turned(HIP_OVER_THIGH), turned(0.15)
    hems = [max(p[0][1] for p in pins) for pins in (at_floor, side_on)]
    # (The same length down legs that start from hips nearer the middle.)
    assert hems[1] == pytest.approx(hems[0], abs=0.05 * thigh)
    assert hems[1] > float(facing.knees[:, 1].max()) + 0.3 * thigh
    widths = [abs(pins[0][0][0] - pins[1][0][0]) for pins in (at_floor, side_on)]
    assert widths[1] < 0.5 * widths[0]


@pytest.mark.shared
@pytest.mark.slow
@pytest.mark.parametrize("pair", ["013563", "013568", "013569", "013571"])
def test_legs_part_where_the_worn_shorts_part(shared_data: Path, pair: str) -> None:
    """On a true pair of shorts, the row where the person's legs part (read from the person
    mask) lies within a tenth of the thigh of where the worn shorts' legs part (the parse map's
    shorts, down the column between the hips), 0.37-0.64 of the thigh below the hips: far
    below the 0.12 where the fit puts the garment's crotch."""
    from PIL import Image

    from fitroom.fitting.anchors import body_anchors
    from fitroom.fitting.legs_gap import legs_part_row
    from fitroom.imaging import decode_image
    from fitroom.vision import Perceiver

    photo = decode_image((shared_data / "pairs" / "image" / f"{pair}_0.jpg").read_bytes())
    worn = np.isin(
        np.array(Image.open(shared_data / "pairs" / "image-parse" / f"{pair}_4.png")), (5, 6)
    )
    with Perceiver(num_threads=1) as perceiver:
        perception = perceiver.process(photo)
    person = perception.single()
    assert person.parts is not None
    anchors = body_anchors(person.pose, person.parts, (photo.shape[1], photo.shape[0]))
    found = legs_part_row(perception.mask.mask, anchors)
    hip = anchors.hips.mean(axis=0)
    thigh = float(np.hypot(*(anchors.knees.mean(axis=0) - hip)))
    assert found is not None
    # The worn shorts' own parting: the lowest row of the unbroken run of shorts down the
    # columns round the middle between the hips.
    x = round(float(hip[0]))
    rows = np.nonzero(worn[:, x - 2 : x + 3].all(axis=1))[0]
    rows = rows[rows > hip[1]]
    run_end = rows[np.concatenate([[True], np.diff(rows) == 1]).cumprod().astype(bool)].max()
    assert abs(found - float(run_end)) < 0.1 * thigh, (found, run_end, thigh)
    assert found > hip[1] + 0.3 * thigh


class TestLegsPart:
    def _anchors(self) -> BodyAnchors:
        def pts(a: tuple[float, float], b: tuple[float, float]) -> np.ndarray:
            return np.array([a, b], np.float32)

        return BodyAnchors(
            shoulders=pts((130, 40), (70, 40)),
            shoulder_joints=pts((130, 40), (70, 40)),
            elbows=pts((135, 90), (65, 90)),
            wrists=pts((135, 130), (65, 130)),
            hips=pts((120, 150), (80, 150)),
            knees=pts((118, 250), (82, 250)),
            ankles=pts((118, 340), (82, 340)),
            torso_edges=np.zeros((0, 3), np.float32),
            visibility=np.ones((2, 6), np.float32),
            image_size=(200, 360),
        )

    def test_legs_apart_below_a_row(self) -> None:
        from fitroom.fitting.legs_gap import legs_part_row

        person = np.zeros((360, 200), np.float32)
        person[30:350, 60:140] = 1.0
        person[200:, 96:104] = 0.0  # the background between the legs from row 200
        assert legs_part_row(person, self._anchors()) == 200.0

    def test_a_dress_hides_where_the_legs_part(self) -> None:
        from fitroom.fitting.legs_gap import legs_part_row

        person = np.zeros((360, 200), np.float32)
        person[30:350, 60:140] = 1.0
        person[240:, 96:104] = 0.0  # apart only below a knee-length hem
        assert legs_part_row(person, self._anchors()) is None


class TestCloseLegsGap:
    def test_gap_closed_above_the_parting_and_open_below(self) -> None:
        from fitroom.fitting.legs_gap import close_legs_gap

        layer = np.zeros((60, 50, 4), np.float32)
        layer[:, 5:45] = (120.0, 60.0, 30.0, 1.0)
        layer[20:, 22:28] = 0.0  # the legs part at the garment's crotch, row 20
        out = close_legs_gap(layer, 25.0, 20.0, 40.0)
        # Closed between the crotch and the parting row, as wide as before (outer edges kept).
        assert (out[22:40, 5:45, 3] > 0.99).all()
        assert out[22:40, :5, 3].max() == 0.0 and out[22:40, 45:, 3].max() == 0.0
        # Opening below it, to the garment's own gap at the bottom.
        assert (out[50:, 23:27, 3] < 0.01).all()
        # The fabric's colour is carried with it (premultiplied, alpha 1: the colour itself).
        assert np.allclose(out[30, 24, :3], (120.0, 60.0, 30.0), atol=1e-3)
        # Above the crotch nothing changes.
        assert np.array_equal(out[:20], layer[:20])

    def test_no_parting_below_the_crotch_leaves_the_layer(self) -> None:
        from fitroom.fitting.legs_gap import close_legs_gap

        layer = np.zeros((40, 40, 4), np.float32)
        layer[:, 5:35, 3] = 1.0
        layer[15:, 18:22] = 0.0
        assert close_legs_gap(layer, 20.0, 15.0, 15.0) is layer


def test_outer_seam_reaches_the_hips_outline_halfway_down(stick_figure: StickFigure) -> None:
    """Halfway down from the waistband the outer seams are carried out to a wider hips-and-legs
    outline, by at most HIP_SEAM_REACH of the hips' span, and never pulled in by a narrow one."""
    from fitroom.fitting.lower_fit import HIP_SEAM_REACH, lower_pins

    shorts = ingest_garment(synth_garment("shorts", seed=3, pattern="solid").image)
    anchors = stick_figure()
    plain, _ = lower_pins(shorts.landmarks, anchors, 1.04)
    hip_span = float(anchors.hips[0, 0] - anchors.hips[1, 0])
    # An outline measured only round the row halfway down (the seam pins, the last two).
    halfway = plain[-1][0][1]
    rows = np.arange(halfway - 8.0, halfway + 9.0, 4.0, dtype=np.float32)

    def outlined(half_width: float) -> list[tuple[tuple[float, float], tuple[float, float]]]:
        edges = np.stack(
            [rows, np.full_like(rows, 300 + half_width), np.full_like(rows, 300 - half_width)],
            axis=1,
        )
        pins, _ = lower_pins(
            shorts.landmarks, BodyAnchors(**{**anchors.__dict__, "lower_edges": edges}), 1.04
        )
        return pins

    wide, narrow = outlined(400.0), outlined(5.0)
    assert len(plain) == len(wide) == len(narrow)
    # Only the seam pins halfway down move (after each leg's hem, knee and shin pins).
    assert [p[0] for p in wide[:-2]] == [p[0] for p in plain[:-2]]
    for i in (-2, -1):
        shift = wide[i][0][0] - plain[i][0][0]
        assert 1.0 < abs(shift) <= HIP_SEAM_REACH * hip_span + 1e-3
        assert np.sign(shift) == np.sign(plain[i][0][0] - 300.0)
        assert wide[i][1] == plain[i][1]
        assert narrow[i][0] == plain[i][0]


class TestLowestWaistbandRow:
    def test_below_the_hips_by_a_tenth_of_the_thigh(self, stick_figure: StickFigure) -> None:
        from fitroom.fitting.lower_fit import (
            WAISTBAND_LOWEST_BELOW_HIP,
            lowest_waistband_row,
            regular_waist_row,
        )

        anchors = stick_figure()
        hip = anchors.hips.astype(np.float64).mean(axis=0)
        thigh = float(np.hypot(*(anchors.knees.astype(np.float64).mean(axis=0) - hip)))
        row = lowest_waistband_row(anchors)
        assert abs(row - (hip[1] + WAISTBAND_LOWEST_BELOW_HIP * thigh)) < 1e-6
        # Below the hip joints and the regular waistband, above the knees.
        assert regular_waist_row(anchors) < hip[1] < row < float(anchors.knees[:, 1].min())
