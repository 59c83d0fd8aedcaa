"""Drawn scenes, background replacement, the swipe gesture and the video reader."""

from __future__ import annotations

from pathlib import Path

import cv2
import numpy as np
import pytest

from fitroom.errors import InputError, VideoError
from fitroom.live import (
    SCENES,
    SwipeDetector,
    fit_background,
    replace_background,
    scene_image,
    video_frames,
)
from fitroom.live.video import letterbox
from fitroom.vision.core import Pose, RotatedRect
from fitroom.vision.landmarks import PoseLandmark


class TestScenes:
    @pytest.mark.parametrize("name", SCENES)
    def test_scene_has_the_size_asked_and_is_not_flat(self, name: str) -> None:
        image = scene_image(name, (320, 240))
        assert image.shape == (240, 320, 3) and image.dtype == np.uint8
        assert image.std() > 3.0

    def test_unknown_scene_is_an_input_error(self) -> None:
        with pytest.raises(InputError, match="unknown scene"):
            scene_image("beach", (10, 10))

    def test_replace_background_keeps_the_person_and_swaps_the_rest(
        self, astronaut: np.ndarray
    ) -> None:
        bg = scene_image("bedroom", (512, 512))
        alpha = np.zeros((512, 512), np.float32)
        alpha[100:300, 100:300] = 1.0
        out = replace_background(astronaut, alpha, bg)
        assert np.array_equal(out[100:300, 100:300], astronaut[100:300, 100:300])
        assert np.array_equal(out[:100], bg[:100])
        with pytest.raises(ValueError, match="one size"):
            replace_background(astronaut, alpha[:10], bg)

    def test_fit_background_covers_the_frame(self, coffee: np.ndarray) -> None:
        out = fit_background(coffee, (640, 480))
        assert out.shape == (480, 640, 3)


def _pose(wrist_x: float, wrist_y: float) -> Pose:
    lm = np.zeros((33, 5), np.float32)
    lm[:, 3:] = 1.0
    lm[int(PoseLandmark.LEFT_SHOULDER), :2] = (360, 200)
    lm[int(PoseLandmark.RIGHT_SHOULDER), :2] = (280, 200)
    lm[int(PoseLandmark.LEFT_WRIST), :2] = (380, 400)
    lm[int(PoseLandmark.RIGHT_WRIST), :2] = (wrist_x, wrist_y)
    roi = RotatedRect(320.0, 300.0, 400.0, 400.0)
    return Pose(lm, np.zeros((33, 3), np.float32), score=1.0, roi=roi)


class TestSwipe:
    def test_raised_hand_moving_right_then_left(self) -> None:
        swipe = SwipeDetector()
        events = [swipe.update(_pose(200 + 15 * i, 150), 33 * i) for i in range(12)]
        assert events.count(1) == 1 and -1 not in events
        events = [swipe.update(_pose(380 - 15 * i, 150), 2000 + 33 * i) for i in range(12)]
        assert events.count(-1) == 1 and 1 not in events

    def test_lowered_hand_or_slow_drift_does_nothing(self) -> None:
        swipe = SwipeDetector()
        assert all(swipe.update(_pose(200 + 15 * i, 300), 33 * i) == 0 for i in range(12))
        assert all(swipe.update(_pose(200 + 2 * i, 150), 33 * i) == 0 for i in range(60))
        assert swipe.update(None, 5000) == 0


class TestVideo:
    def test_letterbox_keeps_proportions(self) -> None:
        image = np.full((832, 624, 3), 200, np.uint8)
        out = letterbox(image, (640, 480))
        assert out.shape == (480, 640, 3)
        cols = np.nonzero(out[240, :, 0])[0]
        assert abs((cols[-1] - cols[0] + 1) - 360) <= 1

    def test_reads_loops_and_stamps_a_written_clip(self, tmp_path: Path) -> None:
        path = tmp_path / "c.avi"
        writer = cv2.VideoWriter(str(path), cv2.VideoWriter.fourcc(*"MJPG"), 25.0, (64, 48))
        for i in range(5):
            writer.write(np.full((48, 64, 3), 40 * i, np.uint8))
        writer.release()
        got = list(video_frames(path, loop_to=12))
        assert len(got) == 12
        assert [ts for _, ts in got] == [40 * i for i in range(12)]
        assert got[0][0].shape == (48, 64, 3)

    def test_missing_video_is_a_video_error(self, tmp_path: Path) -> None:
        with pytest.raises(VideoError):
            list(video_frames(tmp_path / "none.mp4"))
