"""Result types validate their arrays on construction and say what was expected."""

from __future__ import annotations

import numpy as np
import pytest

from fitroom.vision.core import (
    BodyPart,
    BodyParts,
    Expression,
    Face,
    PersonMask,
    Pose,
    RotatedRect,
)


def _pose(**overrides: object) -> Pose:
    fields: dict[str, object] = {
        "landmarks": np.zeros((33, 5), np.float32),
        "world_landmarks": np.zeros((33, 3), np.float32),
        "score": 0.9,
        "roi": RotatedRect(10, 10, 5, 5),
    }
    fields.update(overrides)
    return Pose(**fields)  # type: ignore[arg-type]


class TestPose:
    def test_smoke(self) -> None:
        lm = np.zeros((33, 5), np.float32)
        lm[:, 0] = np.arange(33)
        lm[:, 1] = 2 * np.arange(33)
        lm[:, 3] = 1
        pose = _pose(landmarks=lm)
        assert pose.xy.shape == (33, 2)
        assert pose.bbox() == (0.0, 0.0, 32.0, 64.0)

    def test_exception_shape(self) -> None:
        with pytest.raises(ValueError, match=r"expected shape \(33, 5\), got \(17, 5\)"):
            _pose(landmarks=np.zeros((17, 5), np.float32))

    def test_exception_dtype(self) -> None:
        with pytest.raises(ValueError, match="expected dtype float32, got float64"):
            _pose(landmarks=np.zeros((33, 5), np.float64))

    def test_frozen(self) -> None:
        pose = _pose()
        with pytest.raises(AttributeError):
            pose.score = 0.1  # type: ignore[misc]


def test_rotated_rect_needs_positive_size() -> None:
    with pytest.raises(ValueError, match="positive"):
        RotatedRect(0, 0, 0, 5)


def test_person_mask_and_parts() -> None:
    mask = PersonMask(np.full((4, 6), 0.7, np.float32))
    assert mask.binary().all()
    labels = np.zeros((4, 6), np.uint8)
    labels[1, 1] = BodyPart.FACE
    labels[2, 2] = BodyPart.LEFT_HAND
    parts = BodyParts(labels, np.zeros((4, 6), np.float32))
    assert parts.mask(BodyPart.FACE, BodyPart.LEFT_HAND).sum() == 2
    with pytest.raises(ValueError, match="BodyPart ids"):
        BodyParts(np.full((4, 6), 99, np.uint8), np.zeros((4, 6), np.float32))
    with pytest.raises(ValueError, match="skin"):
        BodyParts(labels, np.zeros((3, 6), np.float32))


def test_face_and_expression() -> None:
    probs = np.array([0.1, 0, 0, 0.6, 0.1, 0.1, 0.1], np.float32)
    face = Face((1, 2, 30, 40), 0.9, np.zeros((6, 2), np.float32), expression=Expression(probs))
    assert face.expression is not None and face.expression.label == "happy"
    assert face.expression.as_dict()["happy"] == pytest.approx(0.6)
    with pytest.raises(ValueError, match="x0 < x1"):
        Face((30, 2, 1, 40), 0.9, np.zeros((6, 2), np.float32))
