"""Upper-garment fitting: length overrides and sleeves laid along the arms."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from fitroom.fitting.anchors import BodyAnchors
from fitroom.fitting.garment_fit import FittedLayer, fit_upper, lengthened, torso_targets
from fitroom.garments import Garment, ingest_garment
from fitroom.garments.synth import synth_garment


@pytest.fixture(scope="module")
def tee() -> Garment:
    return ingest_garment(synth_garment("t-shirt", seed=3, pattern="solid").image)


@pytest.fixture(scope="module")
def shirt() -> Garment:
    """A long-sleeved drawn shirt."""
    return ingest_garment(synth_garment("shirt", seed=4, pattern="solid").image)


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


class TestLengthened:
    @settings(max_examples=30, deadline=None)
    @given(st.floats(0.7, 1.4), st.floats(-30.0, 30.0))
    def test_hem_moves_with_length_and_shoulders_stay(
        self, tee: Garment, length: float, tilt: float
    ) -> None:
        garment = tee
        anchors = _figure(tilt)
        targets, _ = torso_targets(garment, anchors)
        out = lengthened(targets, anchors, length)
        for name in ("shoulder_left", "shoulder_right", "neck_center", "armpit_left"):
            assert out[name] == targets[name]
        top = float(anchors.shoulders[:, 1].mean())
        for name in ("hem_left", "hem_right", "waist_left"):
            before = targets[name][1] - top
            after = out[name][1] - top
            # Depth below the shoulder line scales with the length (to within the tilt's
            # sideways share).
            assert abs(after - length * before) <= 0.2 * abs(before) * abs(length - 1) + 1e-3

    def test_identity_at_one(self, tee: Garment) -> None:
        garment = tee
        anchors = _figure(12.0)
        targets, _ = torso_targets(garment, anchors)
        out = lengthened(targets, anchors, 1.0)
        for name, point in targets.items():
            assert np.allclose(out[name], point, atol=1e-6)


def _area(layers: tuple[FittedLayer, ...], part: str) -> float:
    return float(next(layer for layer in layers if layer.part == part).rgba[..., 3].sum())


class TestFitUpperSize:
    def test_tight_size_is_narrower(self, tee: Garment) -> None:
        anchors = _figure(torso_half=130.0)  # a body wider than the drawn tee
        tight = fit_upper(tee, anchors, 0.94)
        loose = fit_upper(tee, anchors, 1.2)
        assert _area(loose.layers, "torso") > 1.1 * _area(tight.layers, "torso")
        assert loose.targets["armpit_left"][0] > tight.targets["armpit_left"][0]
        assert loose.targets["armpit_right"][0] < tight.targets["armpit_right"][0]


class TestFitUpperLength:
    def test_longer_garment_reaches_lower(self, shirt: Garment) -> None:
        anchors = _figure()
        short = fit_upper(shirt, anchors, length_scale=0.85)
        long = fit_upper(shirt, anchors, length_scale=1.15)

        def lowest(fitted_layers: tuple[FittedLayer, ...], part: str) -> int:
            layer = next(layer for layer in fitted_layers if layer.part == part)
            rows = np.nonzero((layer.rgba[..., 3] > 0.5).any(axis=1))[0]
            return int(layer.box[1] + rows.max())

        assert lowest(long.layers, "torso") > lowest(short.layers, "torso") + 20
        assert lowest(long.layers, "left_forearm") > lowest(short.layers, "left_forearm") + 10


def _centroid(layer: FittedLayer) -> np.ndarray:
    alpha = layer.rgba[..., 3]
    ys, xs = np.nonzero(alpha > 0.5)
    assert ys.size > 100, layer.part
    return np.array([xs.mean() + layer.box[0], ys.mean() + layer.box[1]])


def _distance_to_segment(p: np.ndarray, a: np.ndarray, b: np.ndarray) -> float:
    t = float(np.clip(np.dot(p - a, b - a) / max(1e-9, float(np.dot(b - a, b - a))), 0.0, 1.0))
    return float(np.hypot(*(p - (a + t * (b - a)))))


class TestSleevesFollowArms:
    @settings(max_examples=8, deadline=None)
    @given(st.floats(-20.0, 60.0), st.floats(-120.0, 40.0))
    def test_long_sleeve_bends_at_the_elbow(
        self, shirt: Garment, elbow_dx: float, wrist_dx: float
    ) -> None:
        anchors = _figure()
        # The left arm (image right): elbow moved sideways, forearm reaching across the body.
        elbows = anchors.elbows.copy()
        wrists = anchors.wrists.copy()
        elbows[0, 0] += elbow_dx
        wrists[0] = elbows[0] + np.array([wrist_dx, 150.0], np.float32)
        bent = BodyAnchors(**{**anchors.__dict__, "elbows": elbows, "wrists": wrists})
        fitted = fit_upper(shirt, bent)
        parts = [layer.part for layer in fitted.layers]
        # Sleeves over the torso panel (they hang over the body's sides), forearms last.
        assert parts.index("torso") < parts.index("left_sleeve") < parts.index("left_forearm")
        upper = next(layer for layer in fitted.layers if layer.part == "left_sleeve")
        fore = next(layer for layer in fitted.layers if layer.part == "left_forearm")
        shoulder, elbow, wrist = bent.shoulder_joints[0], bent.elbows[0], bent.wrists[0]
        radius = 0.25 * bent.shoulder_width
        assert _distance_to_segment(_centroid(upper), shoulder, elbow) < radius
        assert _distance_to_segment(_centroid(fore), elbow, wrist) < radius

    def test_short_sleeve_has_no_forearm(self, tee: Garment) -> None:
        fitted = fit_upper(tee, _figure())
        parts = {layer.part for layer in fitted.layers}
        assert {"left_sleeve", "right_sleeve", "torso"} <= parts
        assert not parts & {"left_forearm", "right_forearm"}


class TestSkirtFlare:
    def test_skirt_hangs_from_the_waist_and_flares(self) -> None:
        from fitroom.fitting.lower_fit import SKIRT_CROTCH_CONFIDENCE, lower_pins

        skirt = ingest_garment(synth_garment("skirt", seed=7, pattern="solid").image)
        assert float(skirt.landmarks["crotch"][2]) < SKIRT_CROTCH_CONFIDENCE
        anchors = _figure()
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
    def test_leg_pins_stay_along_the_leg(self, knee_dx: float, ankle_dx: float) -> None:
        from fitroom.fitting.lower_fit import lower_pins

        trousers = ingest_garment(synth_garment("trousers", seed=9, pattern="solid").image)
        anchors = _figure()
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
            near = min(_distance_to_segment(p, hip, knee), _distance_to_segment(p, knee, ankle))
            assert near < reach, (p, near, reach)


class TestTrouserOutline:
    def test_outer_seams_cover_the_measured_legs(self) -> None:
        """Trousers narrower than the hips-and-legs outline are carried out to it at the hem
        and knee (as a top covers the torso); without an outline the pins are the garment's."""
        from fitroom.fitting.lower_fit import lower_pins

        trousers = ingest_garment(synth_garment("trousers", seed=9, pattern="solid").image)
        anchors = _figure()
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
