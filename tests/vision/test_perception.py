"""The whole perception stage on real photos and a real clip, and its typed refusals."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from pathlib import Path

import cv2
import numpy as np
import pytest

from fitroom.errors import MultiplePeople, NoPersonFound
from fitroom.imaging import decode_image
from fitroom.vision import BodyPart, Perceiver, PoseLandmark, perception_to_dict
from fitroom.vision.perception import annotate_perception


@pytest.fixture(scope="module")
def perceiver() -> Iterator[Perceiver]:
    with Perceiver() as model:
        yield model


class TestPhotoMode:
    def test_astronaut_one_person_with_parts_and_face(
        self, perceiver: Perceiver, astronaut: np.ndarray
    ) -> None:
        result = perceiver.process(astronaut)
        person = result.single()
        assert result.mask.mask.shape == astronaut.shape[:2]
        assert person.parts is not None and person.face is not None
        nose = person.pose.landmarks[PoseLandmark.NOSE, :2].round().astype(int)
        assert person.parts.labels[nose[1], nose[0]] == BodyPart.FACE
        fx0, fy0, fx1, fy1 = person.face.box
        assert fx0 < nose[0] < fx1 and fy0 < nose[1] < fy1
        x0, y0, x1, y1 = person.bbox
        assert x0 < nose[0] < x1 and y0 <= nose[1] < y1
        overlay = annotate_perception(astronaut, result)
        assert overlay.shape == astronaut.shape and not np.array_equal(overlay, astronaut)

    def test_no_person(self, perceiver: Perceiver, coffee: np.ndarray) -> None:
        result = perceiver.process(coffee)
        assert result.people == ()
        assert float(result.mask.mask.mean()) < 0.02
        assert perception_to_dict(result)["people"] == []
        with pytest.raises(NoPersonFound, match="no person"):
            result.single()

    def test_several_people(self, perceiver: Perceiver, shared_data: Path) -> None:
        photo = decode_image(shared_data / "keypoints" / "coco" / "000000196141.jpg")
        result = perceiver.process(photo)
        assert len(result.people) >= 2
        with pytest.raises(MultiplePeople) as info:
            result.single()
        assert info.value.count == len(result.people)

    def test_shared_person_photos(self, perceiver: Perceiver, shared_data: Path) -> None:
        for path in sorted((shared_data / "persons").glob("vitonhd_*.jpg"))[:4]:
            person = perceiver.process(decode_image(path)).single()
            assert person.parts is not None
            labels = person.parts.labels
            for part in (BodyPart.TORSO, BodyPart.FACE):
                assert (labels == part).sum() > 1000, (path.name, part)

    def test_checked_full_pose_reads_the_photo_like_the_heavy_model(
        self, perceiver: Perceiver, astronaut: np.ndarray
    ) -> None:
        """Full passes checked by the heavy model: the same person, within a few pixels."""
        with Perceiver(
            faces=False, parts=False, photo_pose_model="full", photo_pose_fallback="heavy"
        ) as checked:
            assert (checked.pose.photo_roi_model, checked.pose.photo_roi_passes) == ("full", 2)
            fast = checked.process(astronaut).single().pose
        heavy = perceiver.process(astronaut).single().pose
        # Shoulders and hips (her arms are out of the picture: guesses that differ by model).
        torso = [11, 12, 23, 24]
        moved = np.linalg.norm(fast.xy[torso] - heavy.xy[torso], axis=1)
        assert float(np.median(moved)) < 0.03 * heavy.roi.width

    def test_json_shape(self, perceiver: Perceiver, astronaut: np.ndarray) -> None:
        payload = perception_to_dict(perceiver.process(astronaut))
        assert payload["image"] == {"width": 512, "height": 512}
        people = payload["people"]
        assert isinstance(people, list) and len(people) == 1
        assert len(people[0]["landmarks"]) == 33


class TestStreamMode:
    def test_clip_person_in_every_frame(self, shared_data: Path) -> None:
        capture = cv2.VideoCapture(str(shared_data / "video" / "vivid_upper1.mp4"))
        found = frames = 0
        with Perceiver(faces=False) as perceiver:
            while True:
                ok, bgr = capture.read()
                if not ok:
                    break
                rgb = cv2.cvtColor(bgr, cv2.COLOR_BGR2RGB)
                result = perceiver.process_frame(rgb, timestamp_ms=frames * 42)
                found += len(result.people) == 1
                frames += 1
        capture.release()
        assert frames == 48
        assert found == frames

    def test_overlapped_models_give_the_same_result(self, astronaut: np.ndarray) -> None:
        # The selfie model on a helper thread while the pose model runs: only faster.
        frame = cv2.resize(astronaut, (640, 480), interpolation=cv2.INTER_AREA)
        moved = np.roll(frame, 12, axis=1)
        with (
            Perceiver(num_threads=1, faces=False, parts=False) as serial,
            Perceiver(num_threads=1, faces=False, parts=False, overlap_models=True) as overlap,
        ):
            for ts, image in enumerate((frame, moved, frame)):
                a = serial.process_frame(image, 33 * ts)
                b = overlap.process_frame(image, 33 * ts)
                assert len(a.people) == len(b.people) == 1
                assert np.array_equal(a.people[0].pose.landmarks, b.people[0].pose.landmarks)
                assert np.array_equal(a.mask.mask, b.mask.mask)
        assert not [t for t in threading.enumerate() if t.name.startswith("fitroom-selfie")]

    def test_burst_on_a_spare_core_gives_the_same_result(self, astronaut: np.ndarray) -> None:
        # The pose and selfie models on two threads (or the selfie model run beforehand by
        # the caller) while the other core is idle: only faster.
        frame = cv2.resize(astronaut, (640, 480), interpolation=cv2.INTER_AREA)
        moved = np.roll(frame, 12, axis=1)
        with (
            Perceiver(num_threads=1, faces=False, parts=False) as serial,
            Perceiver(
                num_threads=1, faces=False, parts=False, overlap_models=True, burst_threads=2
            ) as burst,
        ):
            for ts, image in enumerate((frame, moved, frame, moved)):
                spare = ts % 2 == 0
                given = None if ts < 2 else burst.segmenter.selfie_probability(image)
                a = serial.process_frame(image, 33 * ts)
                b = burst.process_frame(image, 33 * ts, spare_core=spare, selfie=given)
                assert burst.last_pose_threads == (2 if spare else 1)
                assert serial.last_pose_threads == 1
                assert len(a.people) == len(b.people) == 1
                np.testing.assert_allclose(
                    a.people[0].pose.landmarks, b.people[0].pose.landmarks, atol=1e-3
                )
                assert np.abs(a.mask.mask - b.mask.mask).max() < 1e-3

    def test_bad_frame_is_typed(self, perceiver: Perceiver) -> None:
        from fitroom.errors import ImageDecodeError

        with pytest.raises(ImageDecodeError, match="frame"):
            perceiver.process_frame(np.zeros((10, 10), np.uint8), 0)
