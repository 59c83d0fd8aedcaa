"""Detector maths: anchors, decoding, weighted NMS and rotated-ROI crops."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from fitroom.vision.core import RotatedRect
from fitroom.vision.detection import (
    Detection,
    apply_affine,
    box_iou,
    crop_roi,
    decode_detections,
    letterbox,
    normalize_radians,
    roi_to_input_matrix,
    ssd_anchors,
    weighted_nms,
)


class TestAnchors:
    def test_cardinality_matches_the_models(self) -> None:
        # The shipped models' output rows: 2254 (pose detector), 896 (face detector).
        assert ssd_anchors(224, [8, 16, 32, 32, 32]).shape == (2254, 2)
        assert ssd_anchors(128, [8, 16, 16, 16]).shape == (896, 2)

    def test_centres_inside_unit_square(self) -> None:
        anchors = ssd_anchors(224, [8, 16, 32, 32, 32])
        assert anchors.min() > 0 and anchors.max() < 1
        # First grid: 28×28 cells, two anchors per cell, same centre.
        np.testing.assert_allclose(anchors[0], [0.5 / 28, 0.5 / 28])
        np.testing.assert_allclose(anchors[1], anchors[0])


class TestDecode:
    def test_decodes_box_and_keypoints_relative_to_anchor(self) -> None:
        anchors = np.array([[0.25, 0.5], [0.75, 0.5]], np.float32)
        raw = np.zeros((1, 2, 8), np.float32)
        raw[0, 1] = [12.8, 0, 25.6, 51.2, -12.8, 0, 0, 12.8]  # in 128-px input units
        logits = np.array([[-5.0], [3.0]], np.float32)
        dets = decode_detections(raw, logits, anchors, input_size=128, num_keypoints=2)
        assert len(dets) == 1
        det = dets[0]
        np.testing.assert_allclose(det.box, [0.75, 0.3, 0.95, 0.7], atol=1e-6)
        np.testing.assert_allclose(det.keypoints, [[0.65, 0.5], [0.75, 0.6]], atol=1e-6)
        assert det.score == pytest.approx(1 / (1 + np.exp(-3.0)))

    def test_nothing_above_threshold(self) -> None:
        anchors = ssd_anchors(128, [8, 16, 16, 16])
        raw = np.zeros((1, 896, 16), np.float32)
        logits = np.full((1, 896, 1), -10.0, np.float32)
        assert decode_detections(raw, logits, anchors, input_size=128, num_keypoints=6) == []


class TestWeightedNms:
    def _det(self, box: list[float], score: float) -> Detection:
        return Detection(np.array(box, np.float32), np.array([box[:2]], np.float32), score)

    def test_merges_overlapping_and_keeps_separate(self) -> None:
        dets = [
            self._det([0.0, 0.0, 1.0, 1.0], 0.9),
            self._det([0.1, 0.0, 1.1, 1.0], 0.6),
            self._det([5.0, 5.0, 6.0, 6.0], 0.7),
        ]
        merged = weighted_nms(dets, 0.3)
        assert len(merged) == 2
        assert merged[0].score == 0.9
        # Score-weighted average of the two overlapping boxes.
        np.testing.assert_allclose(merged[0].box[0], 0.6 * 0.1 / 1.5, atol=1e-6)
        np.testing.assert_allclose(merged[1].box, [5, 5, 6, 6])

    def test_empty(self) -> None:
        assert weighted_nms([]) == []

    def test_iou(self) -> None:
        box = np.array([0, 0, 2, 2], np.float32)
        assert box_iou(box, box[None])[0] == pytest.approx(1.0)
        assert box_iou(box, np.array([[3, 3, 4, 4]], np.float32))[0] == 0.0


class TestRoiCrop:
    @settings(max_examples=40, deadline=None)
    @given(
        cx=st.floats(50, 250),
        cy=st.floats(50, 150),
        size=st.floats(20, 120),
        rotation=st.floats(-3.1, 3.1),
        px=st.floats(0.05, 0.95),
        py=st.floats(0.05, 0.95),
    )
    def test_crop_and_back_is_identity(
        self, cx: float, cy: float, size: float, rotation: float, px: float, py: float
    ) -> None:
        roi = RotatedRect(cx, cy, size, size * 1.2, rotation)
        forward = roi_to_input_matrix(roi, 64)
        inverse = np.vstack([forward, [0, 0, 1]])
        back = np.linalg.inv(inverse)[:2]
        point = np.array([[px * 64, py * 64]], np.float32)
        np.testing.assert_allclose(
            apply_affine(forward, apply_affine(back, point)), point, atol=1e-3
        )
        # The crop centre is the ROI centre.
        np.testing.assert_allclose(apply_affine(back, np.array([[32, 32]], np.float32)),
                                   [[cx, cy]], atol=1e-3)  # fmt: skip

    def test_crop_reads_the_right_pixels(self) -> None:
        image = np.zeros((200, 300, 3), np.uint8)
        image[48:53, 98:103] = 255
        crop, to_image = crop_roi(image, RotatedRect(100, 50, 40, 40, 0.7), 64)
        ys, xs = np.nonzero(crop[..., 0] > 128)
        assert abs(xs.mean() - 32) <= 1 and abs(ys.mean() - 32) <= 1
        np.testing.assert_allclose(apply_affine(to_image, np.array([[32, 32]], np.float32)),
                                   [[100, 50]], atol=1e-3)  # fmt: skip

    def test_letterbox_maps_back(self) -> None:
        image = np.zeros((100, 300, 3), np.uint8)
        out, box = letterbox(image, 224)
        assert out.shape == (224, 224, 3)
        corner = box.to_image(np.array([[box.pad_x / 224, box.pad_y / 224]], np.float32))
        np.testing.assert_allclose(corner, [[0, 0]], atol=1e-3)

    def test_normalize_radians(self) -> None:
        assert normalize_radians(3 * np.pi) == pytest.approx(-np.pi)
        assert normalize_radians(0.5) == pytest.approx(0.5)
