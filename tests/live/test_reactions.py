"""Live expression readings: the face box from the pose, one frame in N, nothing without a face."""

from __future__ import annotations

import dataclasses
from collections.abc import Iterator
from pathlib import Path

import numpy as np
import numpy.typing as npt
import pytest

from fitroom.errors import InputError
from fitroom.imaging import decode_image
from fitroom.live.reactions import LiveExpressions, face_box_from_pose
from fitroom.vision.core import EXPRESSIONS, Pose
from fitroom.vision.face import Box, FaceAnalyzer
from fitroom.vision.landmarks import PoseLandmark
from fitroom.vision.perception import Perceiver, Perception


@pytest.fixture(scope="module")
def perceiver() -> Iterator[Perceiver]:
    with Perceiver(num_threads=1, faces=False, parts=False, max_people=1) as model:
        yield model


@pytest.fixture(scope="module")
def faces() -> Iterator[FaceAnalyzer]:
    with FaceAnalyzer(num_threads=1, with_landmarks=False) as model:
        yield model


def _iou(a: Box, b: Box) -> float:
    w = max(0.0, min(a[2], b[2]) - max(a[0], b[0]))
    h = max(0.0, min(a[3], b[3]) - max(a[1], b[1]))
    union = (a[2] - a[0]) * (a[3] - a[1]) + (b[2] - b[0]) * (b[3] - b[1]) - w * h
    return w * h / union


def _detector_and_pose_boxes(
    image: npt.NDArray[np.uint8], perceiver: Perceiver, faces: FaceAnalyzer
) -> tuple[Box, Box]:
    pose = perceiver.process(image).single().pose
    face = faces.analyze_person(image, pose)
    assert face is not None
    box = face_box_from_pose(pose, image.shape)
    assert box is not None
    return face.box, box


def test_pose_box_lands_on_the_detector_face(
    astronaut: npt.NDArray[np.uint8], perceiver: Perceiver, faces: FaceAnalyzer
) -> None:
    detected, from_pose = _detector_and_pose_boxes(astronaut, perceiver, faces)
    assert _iou(detected, from_pose) > 0.7, (detected, from_pose)
    by_pose = faces.classify_expression(astronaut, from_pose)
    assert by_pose.label == "happy"


def test_pose_box_on_shared_persons(
    shared_data: Path, perceiver: Perceiver, faces: FaceAnalyzer
) -> None:
    for path in sorted((shared_data / "persons").glob("vitonhd_*.jpg"))[:5]:
        detected, from_pose = _detector_and_pose_boxes(decode_image(path), perceiver, faces)
        assert _iou(detected, from_pose) > 0.5, (path.name, detected, from_pose)


def _hidden(pose: Pose, *landmarks: PoseLandmark) -> Pose:
    lms = pose.landmarks.copy()
    lms[list(landmarks), 3] = 0.0
    return dataclasses.replace(pose, landmarks=lms)


def test_no_box_without_the_face_landmarks(
    astronaut: npt.NDArray[np.uint8], perceiver: Perceiver
) -> None:
    pose = perceiver.process(astronaut).single().pose
    assert face_box_from_pose(_hidden(pose, PoseLandmark.LEFT_EYE), astronaut.shape) is None
    assert face_box_from_pose(_hidden(pose, PoseLandmark.MOUTH_RIGHT), astronaut.shape) is None
    # Without the ears the eyes and mouth still size the box.
    no_ears = face_box_from_pose(
        _hidden(pose, PoseLandmark.LEFT_EAR, PoseLandmark.RIGHT_EAR), astronaut.shape
    )
    with_ears = face_box_from_pose(pose, astronaut.shape)
    assert no_ears is not None and with_ears is not None
    assert _iou(no_ears, with_ears) > 0.8
    # A head cut off by the frame's top edge.
    assert face_box_from_pose(pose, (60, 512, 3)) is None


def test_reader_reads_one_frame_in_n_and_nothing_without_a_person(
    astronaut: npt.NDArray[np.uint8], coffee: npt.NDArray[np.uint8], perceiver: Perceiver
) -> None:
    dressed: Perception = perceiver.process(astronaut)
    empty: Perception = perceiver.process(coffee)
    assert not empty.people
    with LiveExpressions(every=3) as reader:
        readings = [reader.read(astronaut, dressed) for _ in range(7)]
        assert [r is not None for r in readings] == [True, False, False, True, False, False, True]
        for reading in readings:
            if reading is not None:
                assert reading.probabilities.shape == (len(EXPRESSIONS),)
                assert reading.label == "happy"
        assert reader.last_ms > 0.0
    with LiveExpressions(every=1) as reader:
        assert reader.read(coffee, empty) is None  # every frame is due; no one is there
        assert reader.last_ms == 0.0
    with pytest.raises(InputError):
        LiveExpressions(every=0)
