"""Body anchors: torso widths from the part map, and the anchors of a real photo."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from fitroom.fitting.anchors import BodyAnchors, body_anchors, measure_torso_edges
from fitroom.imaging import decode_image
from fitroom.vision import Perceiver
from fitroom.vision.core import BodyPart


class TestMeasureTorsoEdges:
    @settings(max_examples=40, deadline=None)
    @given(st.integers(0, 60), st.integers(5, 60), st.integers(0, 40), st.integers(5, 40))
    def test_rectangle_edges_exact(self, x0: int, w: int, y0: int, h: int) -> None:
        labels = np.zeros((100, 140), np.uint8)
        labels[y0 : y0 + h, x0 : x0 + w] = BodyPart.TORSO
        edges = measure_torso_edges(labels)
        inside = (edges[:, 0] >= y0 + 2) & (edges[:, 0] < y0 + h - 2)
        # The 2nd and 98th percentile columns: within 2% of the width (+1 px) of the edges.
        tol = 0.02 * w + 1
        assert np.all(np.abs(edges[inside, 1] - (x0 + w - 1)) <= tol)
        assert np.all(np.abs(edges[inside, 2] - x0) <= tol)
        far = (edges[:, 0] < y0 - 2) | (edges[:, 0] > y0 + h + 1)
        assert np.all(np.isnan(edges[far, 1]))

    def test_stray_pixel_does_not_widen(self) -> None:
        labels = np.zeros((60, 200), np.uint8)
        labels[10:50, 50:150] = BodyPart.TORSO
        labels[30, 195] = BodyPart.TORSO
        edges = measure_torso_edges(labels)
        row = edges[edges[:, 0] == 28][0]
        assert row[1] < 152


def _anchors_with_edges(edges: np.ndarray) -> BodyAnchors:
    pair = np.array([[60.0, 10.0], [40.0, 10.0]], np.float32)
    return BodyAnchors(
        shoulders=pair,
        shoulder_joints=pair,
        elbows=pair,
        wrists=pair,
        hips=pair,
        knees=pair,
        ankles=pair,
        torso_edges=edges.astype(np.float32),
        visibility=np.ones((2, 6), np.float32),
        image_size=(100, 100),
    )


class TestTorsoEdgeAt:
    @settings(max_examples=40, deadline=None)
    @given(st.floats(0.0, 1.0), st.floats(-20.0, 20.0), st.floats(-20.0, 20.0))
    def test_continuous_between_measured_rows(
        self, t: float, d_left: float, d_right: float
    ) -> None:
        # A still person's edges sampled at a row that drifts by a fraction of a pixel must
        # drift by a fraction of the rows' difference, not jump to the next row's value.
        edges = np.array([[20.0, 70.0, 30.0], [24.0, 70.0 + d_left, 30.0 + d_right]])
        anchors = _anchors_with_edges(edges)
        got = anchors.torso_edge_at(20.0 + 4.0 * t)
        assert got is not None
        assert abs(got[0] - (70.0 + t * d_left)) < 1e-3
        assert abs(got[1] - (30.0 + t * d_right)) < 1e-3

    def test_unmeasured_rows_and_far_rows(self) -> None:
        nan = float("nan")
        edges = np.array([[0.0, nan, nan], [4.0, 60.0, 40.0], [8.0, nan, nan], [32.0, 70.0, 30.0]])
        anchors = _anchors_with_edges(edges)
        # Next to one measured row: that row's values.
        assert anchors.torso_edge_at(5.0) == (60.0, 40.0)
        # Measured rows 28 pixels apart are not interpolated; the middle is too far from both.
        assert anchors.torso_edge_at(18.0) is None
        assert anchors.torso_edge_at(31.0) == (70.0, 30.0)
        assert anchors.torso_edge_at(40.0) is None  # past the last row
        assert _anchors_with_edges(np.zeros((0, 3))).torso_edge_at(5.0) is None


class TestBodyAnchors:
    def test_astronaut(self, astronaut: np.ndarray) -> None:
        with Perceiver(num_threads=1) as perceiver:
            person = perceiver.process(astronaut).single()
        assert person.parts is not None
        anchors = body_anchors(person.pose, person.parts, (512, 512))
        assert isinstance(anchors, BodyAnchors)
        assert not anchors.facing_back
        # Shoulder seams lie outside the joints, on the same line.
        left, right = anchors.shoulders
        jl, jr = anchors.shoulder_joints
        assert left[0] > jl[0] > jr[0] > right[0]
        assert 100 < anchors.shoulder_width < 400
        edges = anchors.torso_edge_at(float(anchors.shoulder_joints[:, 1].mean()) + 60)
        assert edges is not None and edges[0] > edges[1]

    def test_mirrored_keeps_the_measured_torso_width(self) -> None:
        # Sides swapped by the pose model (common on a head-cropped person, and from frame to
        # frame on a stream): the mirrored anchors face the camera, and the torso edges —
        # measured by image position, larger x first — still give the body's width, so the
        # garment is sized to the body whichever way the pose model put the sides.
        edges = np.array([[20.0, 70.0, 30.0], [24.0, 72.0, 28.0]])
        swapped = _anchors_with_edges(edges)
        swapped = BodyAnchors(
            **{**swapped.__dict__, "shoulder_joints": swapped.shoulder_joints[[1, 0]].copy()}
        )
        assert swapped.facing_back
        front = swapped.mirrored()
        assert not front.facing_back
        got = front.torso_edge_at(22.0)
        assert got is not None and got[0] - got[1] == pytest.approx(42.0)
        assert front.torso_edge_at(22.0) == swapped.torso_edge_at(22.0)


class TestLowerPins:
    @settings(max_examples=30, deadline=None)
    @given(st.floats(2.0, 80.0), st.floats(0.5, 2.0))
    def test_inner_pins_do_not_cross(self, knee_gap: float, ease: float) -> None:
        from fitroom.fitting.lower_fit import lower_pins
        from fitroom.garments.synth import synth_garment

        garment = synth_garment("trousers", seed=10, pattern="solid")
        c = 300.0
        hips = np.array([[c + 40, 400], [c - 40, 400]], np.float32)
        knees = np.array([[c + knee_gap, 600], [c - knee_gap, 600]], np.float32)
        ankles = np.array([[c + knee_gap, 800], [c - knee_gap, 800]], np.float32)
        anchors = BodyAnchors(
            shoulders=np.array([[c + 90, 100], [c - 90, 100]], np.float32),
            shoulder_joints=np.array([[c + 75, 100], [c - 75, 100]], np.float32),
            elbows=np.array([[c + 90, 250], [c - 90, 250]], np.float32),
            wrists=np.array([[c + 90, 380], [c - 90, 380]], np.float32),
            hips=hips,
            knees=knees,
            ankles=ankles,
            torso_edges=np.zeros((0, 3), np.float32),
            visibility=np.ones((2, 6), np.float32),
            image_size=(600, 1000),
        )
        pins, scale = lower_pins(garment.landmarks, anchors, ease)
        assert scale > 0
        body = np.array([p[0] for p in pins])
        # (Waistband and crotch; each leg's pins; last, each outer seam halfway down.)
        legs, seams = body[4:-2], body[-2:]
        half = len(legs) // 2
        # Each leg's pins stay on its own side of the midline between the legs.
        assert np.all(legs[:half, 0] > c), legs
        assert np.all(legs[half:, 0] < c), legs
        assert seams[0, 0] > c > seams[1, 0], seams


class TestRaiseToShoulderTops:
    def test_seams_go_up_to_the_body_outline_within_reach(self) -> None:
        from fitroom.fitting.anchors import SHOULDER_TOP_MAX, raise_to_shoulder_tops
        from fitroom.vision.core import BodyPart

        labels = np.zeros((200, 200), np.uint8)
        labels[60:200, 40:160] = int(BodyPart.TORSO)
        joints = np.array([[140.0, 80.0], [60.0, 80.0]], np.float32)
        seams = np.array([[150.0, 80.0], [50.0, 80.0]], np.float32)
        raised = raise_to_shoulder_tops(seams, joints, labels)
        assert np.allclose(raised[:, 1], 80.0 - SHOULDER_TOP_MAX * 80.0, atol=1.0)
        assert np.allclose(raised[:, 0], seams[:, 0])
        labels[:] = 0
        labels[75:200, 40:160] = int(BodyPart.TORSO)
        raised = raise_to_shoulder_tops(seams, joints, labels)
        assert np.allclose(raised[:, 1], 75.0)
        # Hair above the shoulder is not body: nothing there raises the seam further.
        labels[40:75, 40:160] = int(BodyPart.HAIR)
        assert np.allclose(raise_to_shoulder_tops(seams, joints, labels)[:, 1], 75.0)


class TestShouldersFacing:
    @staticmethod
    def _world(across: float, depth: float, drop: float = 0.0) -> np.ndarray:
        world = np.zeros((33, 3), np.float32)
        world[11] = (0.5 * across, 0.5 * drop, 0.5 * depth)
        world[12] = (-0.5 * across, -0.5 * drop, -0.5 * depth)
        return world

    def test_square_shoulders_face_the_camera(self) -> None:
        from fitroom.fitting.anchors import shoulders_facing

        assert shoulders_facing(self._world(0.3, 0.0)) == 1.0
        # A tilt within the picture (one shoulder lower) is not a turn.
        assert shoulders_facing(self._world(0.3, 0.0, drop=0.08)) == 1.0
        # The pose model's depth noise on a person facing the camera counts as square.
        assert shoulders_facing(self._world(0.3, 0.06)) == 1.0

    @settings(max_examples=40, deadline=None)
    @given(st.floats(25.0, 50.0))
    def test_turned_shoulders_read_their_turn(self, degrees: float) -> None:
        from fitroom.fitting.anchors import FACING_SQUARE, shoulders_facing

        turn = np.radians(degrees)
        world = self._world(0.3 * float(np.cos(turn)), 0.3 * float(np.sin(turn)))
        assert shoulders_facing(world) == pytest.approx(float(np.cos(turn)) / FACING_SQUARE)

    def test_side_on_and_degenerate(self) -> None:
        from fitroom.fitting.anchors import FACING_MIN, shoulders_facing

        assert shoulders_facing(self._world(0.0, 0.3)) == FACING_MIN
        assert shoulders_facing(np.zeros((33, 3), np.float32)) == 1.0

    def test_anchors_refuse_a_facing_out_of_range(self) -> None:
        anchors = _anchors_with_edges(np.zeros((0, 3)))
        for bad in (0.0, -0.5, 1.2):
            with pytest.raises(ValueError, match="facing"):
                BodyAnchors(**{**anchors.__dict__, "facing": bad})
        turned = BodyAnchors(**{**anchors.__dict__, "facing": 0.7})
        assert turned.mirrored().facing == 0.7

    def test_true_pairs_man_turned_aside_and_people_facing(self, shared_data: Path) -> None:
        # Pair 000001_0: a man turned a quarter to his right; 000000_0 and 000007_0 stand
        # square to the camera.
        facing = {}
        with Perceiver(num_threads=1) as perceiver:
            for name in ("000000_0", "000001_0", "000007_0"):
                photo = decode_image(shared_data / "pairs" / "image" / f"{name}.jpg")
                person = perceiver.process(photo).single()
                assert person.parts is not None
                size = (photo.shape[1], photo.shape[0])
                facing[name] = body_anchors(person.pose, person.parts, size).facing
        assert facing["000000_0"] == 1.0
        assert facing["000007_0"] == 1.0
        assert facing["000001_0"] < 0.8
