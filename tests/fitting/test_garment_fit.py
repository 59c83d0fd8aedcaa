"""Upper-garment fitting (fitroom.fitting.garment_fit): sizes and length overrides."""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from pathlib import Path

import cv2
import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from fitroom.fitting.anchors import BodyAnchors
from fitroom.fitting.fitted import FittedLayer
from fitroom.fitting.garment_fit import (
    cover_body_width,
    fit_upper,
    lengthened,
    straight_top_edge,
    torso_targets,
)
from fitroom.fitting.garment_layers import premultiplied_parts
from fitroom.garments import Garment, GarmentPart, ingest_garment

#: The ``stick_figure`` fixture (tests/fitting/conftest.py).
StickFigure = Callable[..., BodyAnchors]


class TestLengthened:
    @settings(max_examples=30, deadline=None)
    @given(st.floats(0.7, 1.4), st.floats(-30.0, 30.0))
    def test_hem_moves_with_length_and_shoulders_stay(
        self, stick_figure: StickFigure, tee: Garment, length: float, tilt: float
    ) -> None:
        garment = tee
        anchors = stick_figure(tilt)
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

    def test_identity_at_one(self, stick_figure: StickFigure, tee: Garment) -> None:
        garment = tee
        anchors = stick_figure(12.0)
        targets, _ = torso_targets(garment, anchors)
        out = lengthened(targets, anchors, 1.0)
        for name, point in targets.items():
            assert np.allclose(out[name], point, atol=1e-6)


def _area(layers: tuple[FittedLayer, ...], part: str) -> float:
    return float(next(layer for layer in layers if layer.part == part).rgba[..., 3].sum())


class TestFitUpperSize:
    def test_tight_size_is_narrower(self, stick_figure: StickFigure, tee: Garment) -> None:
        anchors = stick_figure(torso_half=130.0)  # a body wider than the drawn tee
        tight = fit_upper(tee, anchors, 0.94)
        loose = fit_upper(tee, anchors, 1.2)
        assert _area(loose.layers, "torso") > 1.1 * _area(tight.layers, "torso")
        assert loose.targets["armpit_left"][0] > tight.targets["armpit_left"][0]
        assert loose.targets["armpit_right"][0] < tight.targets["armpit_right"][0]


class TestFitUpperLength:
    def test_longer_garment_reaches_lower(self, stick_figure: StickFigure, shirt: Garment) -> None:
        anchors = stick_figure()
        short = fit_upper(shirt, anchors, length_scale=0.85)
        long = fit_upper(shirt, anchors, length_scale=1.15)

        def lowest(fitted_layers: tuple[FittedLayer, ...], part: str) -> int:
            layer = next(layer for layer in fitted_layers if layer.part == part)
            rows = np.nonzero((layer.rgba[..., 3] > 0.5).any(axis=1))[0]
            return int(layer.box[1] + rows.max())

        assert lowest(long.layers, "torso") > lowest(short.layers, "torso") + 20
        assert lowest(long.layers, "left_forearm") > lowest(short.layers, "left_forearm") + 10


def test_a_long_hem_hangs_on_the_body_axis(stick_figure: Callable[..., BodyAnchors]) -> None:
    """A dress placed by tilted shoulders does not carry the tilt down to its hem: below the
    hips the hem is centred under them; a top's hem above the hips is left alone."""
    from fitroom.fitting.garment_fit import hang_below_hips

    anchors = stick_figure(tilt=40.0)
    hip_x = float(anchors.hips[:, 0].mean())
    long = {"hem_left": (hip_x + 150.0, 800.0), "hem_right": (hip_x - 50.0, 800.0)}
    hang_below_hips(long, anchors)
    assert abs(0.5 * (long["hem_left"][0] + long["hem_right"][0]) - hip_x) < 1.0
    assert abs((long["hem_left"][0] - long["hem_right"][0]) - 200.0) < 1e-6
    short = {"hem_left": (hip_x + 150.0, 500.0), "hem_right": (hip_x - 50.0, 500.0)}
    hang_below_hips(short, anchors)
    assert short["hem_left"] == (hip_x + 150.0, 500.0)


class TestCoverBodyWidth:
    def test_a_torso_cut_short_by_an_arm_is_covered_about_the_axis(
        self, stick_figure: StickFigure
    ) -> None:
        """A forearm across the waist leaves only a sliver of torso measured there (the part
        map's torso ends at the arm): the waist stays centred on the body's axis instead of
        being pulled sideways onto that sliver."""
        figure = stick_figure()
        edges = figure.torso_edges.copy()
        cut = (edges[:, 0] >= 360) & (edges[:, 0] <= 420)
        edges[cut, 1] = 240.0  # only x 220..240 measured (the axis is x = 300)
        edges[cut, 2] = 220.0
        occluded = dataclasses.replace(figure, torso_edges=edges)
        targets = {
            "armpit_left": (380.0, 300.0),
            "armpit_right": (220.0, 300.0),
            "waist_left": (380.0, 390.0),
            "waist_right": (220.0, 390.0),
            "hem_left": (380.0, 500.0),
            "hem_right": (220.0, 500.0),
        }
        cover_body_width(targets, occluded, 1.04)
        waist_centre = 0.5 * (targets["waist_left"][0] + targets["waist_right"][0])
        assert abs(waist_centre - 300.0) < 1.0  # 230 when centred on the sliver
        # Where the torso is measured whole, its own centre and width decide as before.
        assert targets["armpit_left"][0] == pytest.approx(300.0 + 80.0 * 1.04)

    def test_a_body_leaning_off_the_axis_a_little_is_followed(
        self, stick_figure: StickFigure
    ) -> None:
        figure = stick_figure()
        edges = figure.torso_edges.copy()
        edges[:, 1:] += 20.0  # the measured torso 20 px (a quarter of its half) to one side
        shifted = dataclasses.replace(figure, torso_edges=edges)
        targets = {
            f"{row}_{side}": (300.0 + (80.0 if side == "left" else -80.0), y)
            for row, y in (("armpit", 300.0), ("waist", 390.0), ("hem", 500.0))
            for side in ("left", "right")
        }
        cover_body_width(targets, shifted, 1.04)
        assert 0.5 * (targets["waist_left"][0] + targets["waist_right"][0]) == pytest.approx(320.0)


def test_the_garments_own_neck_opening_is_left_out_of_the_torso_panel(
    stick_figure: StickFigure, tee: Garment
) -> None:
    """A garment whose part map marks the inside seen through its neck opening: the fitted
    torso panel is transparent there (worn, the neck and chest show) and says so, so the
    dressing hides no fixed opening on top; a garment without it keeps the panel whole."""
    lm = tee.landmarks
    x0, x1 = sorted((round(float(lm["neck_left"][0])), round(float(lm["neck_right"][0]))))
    cx, top = (x0 + x1) // 2, round(float(lm["neck_center"][1]))
    parts = tee.parts.copy()
    hole = np.zeros(parts.shape, bool)
    hole[top : top + (x1 - x0) // 3, x0 + 4 : x1 - 3] = True
    hole &= parts == int(GarmentPart.BODY)
    parts[hole] = np.uint8(GarmentPart.NECK_INSIDE)
    opened = dataclasses.replace(tee, parts=parts)

    pieces = premultiplied_parts(opened.cutout, opened.parts)
    whole = premultiplied_parts(tee.cutout, tee.parts)
    inner = hole & (cv2.erode(hole.astype(np.uint8), np.ones((5, 5), np.uint8)) > 0)
    assert inner.any()
    assert float(pieces["torso"][..., 3][inner].max()) < 0.05
    assert float(whole["torso"][..., 3][inner].min()) > 0.9
    below = np.zeros(parts.shape, bool)
    below[top + (x1 - x0) // 2 : top + (x1 - x0), cx - 5 : cx + 5] = True
    np.testing.assert_allclose(pieces["torso"][below], whole["torso"][below])

    anchors = stick_figure()
    assert fit_upper(opened, anchors).own_neck_opening
    assert not fit_upper(tee, anchors).own_neck_opening


def test_an_off_shoulder_top_has_no_neck_opening_to_cut(
    shared_data: Path, stick_figure: StickFigure
) -> None:
    """The product photo of an off-shoulder top: its upper edge runs straight across, so the
    fitted garment says its panel needs no fixed opening (one cut a scalloped hole into its
    front); a shirt with a collar does not."""
    cloth = shared_data / "pairs" / "cloth"
    off_shoulder = ingest_garment(cloth / "000003_1.jpg")
    shirt = ingest_garment(cloth / "000009_1.jpg")
    assert straight_top_edge(off_shoulder.landmarks)
    assert not straight_top_edge(shirt.landmarks)
    anchors = stick_figure()
    assert fit_upper(off_shoulder, anchors).own_neck_opening
    assert not fit_upper(shirt, anchors).own_neck_opening
    # Its edge stays at the shoulder joints' height (row 200); the shirt's seams go up onto
    # the shoulders' tops (row 175), the bare shoulders show above the off-shoulder top.
    rounded = dataclasses.replace(
        anchors, shoulders=anchors.shoulders - np.array([0.0, 25.0], np.float32)
    )
    for name in ("shoulder_left", "shoulder_right"):
        assert torso_targets(off_shoulder, rounded)[0][name][1] > 195.0
        assert torso_targets(shirt, rounded)[0][name][1] == 175.0


class TestTurnedPersonLength:
    def test_waist_and_hem_hang_as_for_a_person_facing_the_camera(
        self, stick_figure: StickFigure, tee: Garment
    ) -> None:
        # The same stick figure seen turned aside (its shoulders foreshortened to 0.7 of
        # their width): the tee keeps its neck, shoulders and armholes, and reaches at least
        # 1 / 0.7 as far below the shoulder line as the shoulders' scale alone makes it.
        square = stick_figure()
        turned = dataclasses.replace(square, facing=0.7)
        before, scale = torso_targets(tee, square)
        after, turned_scale = torso_targets(tee, turned)
        assert turned_scale == scale
        for name in ("neck_center", "neck_left", "shoulder_left", "armpit_left", "armpit_right"):
            assert after[name] == before[name]
        top = float(square.shoulders[:, 1].mean())
        lm = tee.landmarks
        g_top = 0.5 * float(lm["shoulder_left"][1] + lm["shoulder_right"][1])
        for name in ("waist_left", "waist_right", "hem_left", "hem_right"):
            assert after[name][1] >= before[name][1]
        # (Each row's middle: the rows then slant as the figure's hips do, torso_tilt.)
        for row in ("waist", "hem"):
            depth = 0.5 * (after[f"{row}_left"][1] + after[f"{row}_right"][1]) - top
            flat = 0.5 * float(lm[f"{row}_left"][1] + lm[f"{row}_right"][1]) - g_top
            assert depth >= flat * scale / 0.7 - 1e-3

    def test_facing_the_camera_changes_nothing(
        self, stick_figure: StickFigure, tee: Garment
    ) -> None:
        square = stick_figure(8.0)
        assert torso_targets(tee, dataclasses.replace(square, facing=1.0)) == torso_targets(
            tee, square
        )
