"""Where sleeves are laid on the arms (fitroom.fitting.sleeves): along the arm, bending at the
elbow."""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from fitroom.fitting.anchors import BodyAnchors
from fitroom.fitting.fitted import FittedLayer
from fitroom.fitting.garment_fit import fit_upper
from fitroom.garments import Garment, ingest_garment

#: The ``stick_figure`` and ``segment_distance`` fixtures (tests/fitting/conftest.py).
StickFigure = Callable[..., BodyAnchors]
SegmentDistance = Callable[[np.ndarray, np.ndarray, np.ndarray], float]


def _centroid(layer: FittedLayer) -> np.ndarray:
    alpha = layer.rgba[..., 3]
    ys, xs = np.nonzero(alpha > 0.5)
    assert ys.size > 100, layer.part
    return np.array([xs.mean() + layer.box[0], ys.mean() + layer.box[1]])


class TestSleevesFollowArms:
    @settings(max_examples=8, deadline=None)
    @given(st.floats(-20.0, 60.0), st.floats(-120.0, 40.0))
    def test_long_sleeve_bends_at_the_elbow(
        self,
        stick_figure: StickFigure,
        segment_distance: SegmentDistance,
        shirt: Garment,
        elbow_dx: float,
        wrist_dx: float,
    ) -> None:
        anchors = stick_figure()
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
        assert segment_distance(_centroid(upper), shoulder, elbow) < radius
        assert segment_distance(_centroid(fore), elbow, wrist) < radius

    def test_short_sleeve_has_no_forearm(self, stick_figure: StickFigure, tee: Garment) -> None:
        fitted = fit_upper(tee, stick_figure())
        parts = {layer.part for layer in fitted.layers}
        assert {"left_sleeve", "right_sleeve", "torso"} <= parts
        assert not parts & {"left_forearm", "right_forearm"}


def _farthest_along(layers: list[FittedLayer], origin: np.ndarray, direction: np.ndarray) -> float:
    """How far the opaque pixels of ``layers`` reach from ``origin`` along ``direction``."""
    reach = -np.inf
    for layer in layers:
        ys, xs = np.nonzero(layer.rgba[..., 3] > 0.5)
        pts = np.stack([xs + layer.box[0], ys + layer.box[1]], axis=1).astype(np.float64)
        reach = max(reach, float(((pts - origin) @ direction).max()))
    return reach


class TestLongSleevesEndAtTheWrist:
    @settings(max_examples=6, deadline=None)
    @given(st.floats(0.7, 1.4))
    def test_whatever_the_forearm_length(
        self, stick_figure: StickFigure, shirt: Garment, forearm: float
    ) -> None:
        # The flat-lay sleeve's length is the same; the person's forearm (foreshortened, or
        # a pose misread) is shorter or longer: the cuff still lies at the wrist.
        anchors = stick_figure()
        wrists = anchors.elbows + (anchors.wrists - anchors.elbows) * np.float32(forearm)
        posed = BodyAnchors(**{**anchors.__dict__, "wrists": wrists})
        fitted = fit_upper(shirt, posed)
        for side, row in (("left", 0), ("right", 1)):
            fore = [layer for layer in fitted.layers if layer.part == f"{side}_forearm"]
            assert fore, f"{side}: a long sleeve has a forearm part"
            elbow, wrist = posed.elbows[row].astype(np.float64), posed.wrists[row]
            bone = wrist - elbow
            length = float(np.hypot(*bone))
            reach = _farthest_along(fore, elbow, bone / length)
            # At the wrist: not short of it (an old cuff left below), not over the hand.
            assert abs(reach - length) < 0.15 * length, (side, forearm, reach, length)

    def test_short_sleeves_keep_their_own_length(
        self, stick_figure: StickFigure, tee: Garment
    ) -> None:
        # A tee's sleeve is not pulled down the arm: how long the forearm is changes nothing.
        anchors = stick_figure()
        layers = []
        for forearm in (0.7, 1.4):
            wrists = anchors.elbows + (anchors.wrists - anchors.elbows) * np.float32(forearm)
            posed = BodyAnchors(**{**anchors.__dict__, "wrists": wrists})
            fitted = fit_upper(tee, posed)
            layers.append(next(layer for layer in fitted.layers if layer.part == "left_sleeve"))
        assert layers[0].box == layers[1].box
        assert np.array_equal(layers[0].rgba, layers[1].rgba)


def _alpha_at(layers: list[FittedLayer], points: np.ndarray) -> np.ndarray:
    """The largest alpha of ``layers`` at each (x, y) of ``points``."""
    out = np.zeros(len(points), np.float32)
    for layer in layers:
        x0, y0, x1, y1 = layer.box
        for i, (x, y) in enumerate(np.round(points).astype(int)):
            if x0 <= x < x1 and y0 <= y < y1:
                out[i] = max(out[i], float(layer.rgba[y - y0, x - x0, 3]))
    return out


class TestAngledShortSleeves:
    def test_both_sleeves_cover_the_upper_arms(
        self, stick_figure: StickFigure, angled_tee_photo: np.ndarray
    ) -> None:
        # The cuff read as the few pixels round the sleeve's tip: one sleeve was drawn a
        # sliver wide, the other not at all.
        fitted = fit_upper(ingest_garment(angled_tee_photo, category_hint="upper"), stick_figure())
        anchors = stick_figure()
        for side, row in (("left", 0), ("right", 1)):
            sleeve = [layer for layer in fitted.layers if layer.part == f"{side}_sleeve"]
            assert sleeve, side
            joint, elbow = anchors.shoulder_joints[row], anchors.elbows[row]
            # The upper arm's middle (above it the slanted armhole leaves the inner side to
            # the torso panel), on its axis and an eighth of the shoulder width either side.
            t = np.linspace(0.4, 0.6, 5, dtype=np.float32)[:, None]
            axis = joint + t * (elbow - joint)
            across = np.array([0.12 * anchors.shoulder_width, 0.0], np.float32)
            points = np.concatenate([axis - across, axis, axis + across])
            covered = float((_alpha_at(sleeve, points) > 0.5).mean())
            assert covered >= 0.9, (side, covered)

    def test_the_panel_leaves_the_arms_beside_the_body(
        self, stick_figure: StickFigure, angled_tee_photo: np.ndarray
    ) -> None:
        # With one shoulder read at the neck's corner (the cuff misread beside it), the tee
        # was placed by a shoulder line too narrow, so scaled up: its sides covered the arms
        # hanging beside the body, down to the wrists.
        anchors = stick_figure()
        fitted = fit_upper(ingest_garment(angled_tee_photo, category_hint="upper"), anchors)
        torso = [layer for layer in fitted.layers if layer.part == "torso"]
        for row in (0, 1):
            elbow, wrist = anchors.elbows[row], anchors.wrists[row]
            t = np.linspace(0.0, 1.0, 8, dtype=np.float32)[:, None]
            forearm = elbow + t * (wrist - elbow)
            assert float(_alpha_at(torso, forearm).max()) < 0.5, row
