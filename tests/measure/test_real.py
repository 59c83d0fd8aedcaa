"""Real photos and video from ../shared/data: refusals, plausibility, frame-to-frame spread."""

from __future__ import annotations

from pathlib import Path

import cv2
import numpy as np
import pytest

from fitroom.errors import PersonNotUsable
from fitroom.imaging import decode_image
from fitroom.measure import (
    BodyView,
    estimate_measurements,
    scale_from_proportions,
    shoulder_width_cm,
)
from fitroom.measure.estimate import PLAUSIBLE_RANGE
from fitroom.vision.perception import Perceiver

pytestmark = pytest.mark.shared
ASSUMED_HEIGHT_CM = 170.0


@pytest.fixture(scope="module")
def perceiver() -> Perceiver:
    with Perceiver() as p:
        yield p  # type: ignore[misc]


@pytest.mark.parametrize(
    "name", ["dresscode_049205_0.jpg", "dresscode_049713_0.jpg", "dresscode_052472_0.jpg"]
)
def test_full_body_photos_with_cropped_heads_are_refused_clearly(
    shared_data: Path, perceiver: Perceiver, name: str
) -> None:
    perception = perceiver.process(decode_image(shared_data / "persons" / name))
    view = BodyView.from_person(perception, perception.single())
    try:
        result = estimate_measurements(view, ASSUMED_HEIGHT_CM)
    except PersonNotUsable as exc:
        # These Dress Code shots crop the head at the eyes or mouth (as the dataset ships).
        assert "head" in str(exc) and "whole body" in str(exc)
        return
    for measurement, (low, high) in PLAUSIBLE_RANGE.items():
        value = result.get(measurement)
        if value is not None and not low <= value / ASSUMED_HEIGHT_CM <= high:
            assert any(measurement in w for w in result.warnings)


def test_head_free_scale_on_a_real_photo_gives_plausible_or_warned_values(
    shared_data: Path, perceiver: Perceiver
) -> None:
    photo = shared_data / "persons" / "dresscode_051962_0.jpg"
    perception = perceiver.process(decode_image(photo))
    view = BodyView.from_person(perception, perception.single())
    scale = scale_from_proportions(view, ASSUMED_HEIGHT_CM)
    result = estimate_measurements(view, ASSUMED_HEIGHT_CM, scale=scale)
    assert {"shoulder_width", "chest", "waist", "hip", "inseam"} <= set(result.measurements_cm)
    for measurement, (low, high) in PLAUSIBLE_RANGE.items():
        value = result.get(measurement)
        if value is not None and not low <= value / ASSUMED_HEIGHT_CM <= high:
            assert any(measurement in w and "plausible" in w for w in result.warnings)


@pytest.mark.slow
def test_video_shoulder_width_spread(shared_data: Path) -> None:
    """Tracking mode over vivid_upper1.mp4 (head cut off, model turns to face the camera)."""
    capture = cv2.VideoCapture(str(shared_data / "video" / "vivid_upper1.mp4"))
    fps = capture.get(cv2.CAP_PROP_FPS) or 25.0
    widths: list[float] = []
    turned = index = 0
    with Perceiver(faces=False, parts=False) as perceiver:
        while True:
            ok, bgr = capture.read()
            if not ok:
                break
            frame = cv2.cvtColor(bgr, cv2.COLOR_BGR2RGB)
            perception = perceiver.process_frame(frame, round(index * 1000.0 / fps))
            index += 1
            if not perception.people:
                continue
            view = BodyView.from_person(perception, perception.people[0])
            with pytest.raises(PersonNotUsable):
                estimate_measurements(view, ASSUMED_HEIGHT_CM)  # the head is cut off
            try:
                widths.append(shoulder_width_cm(view, scale_from_proportions(view, 170.0)))
            except PersonNotUsable as exc:
                assert "turned" in str(exc)
                turned += 1
    capture.release()
    assert index > 20 and len(widths) >= 15
    assert turned > 0  # the clip starts in profile: those frames must not count
    assert float(np.std(widths)) <= 1.5
    low, high = PLAUSIBLE_RANGE["shoulder_width"]
    assert low * 170 <= float(np.median(widths)) <= high * 170
