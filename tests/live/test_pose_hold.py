"""The pose a live frame is dressed with: a lapse of the pose model is bridged by the last good
pose, and the garment's width changes no faster than a body turns."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from fitroom.live.pose_hold import (
    COLLAPSE_RATIO,
    MAX_FLIP_HOLD_FRAMES,
    RELEASE_FRAMES,
    SPREAD_OUTLINE,
    PoseHold,
    limit_shoulder_width,
    moved_pose,
    pose_plausible,
    shoulder_distance,
    spread_shoulders,
)
from fitroom.live.smoothing import MAX_WIDTH_STEP
from fitroom.vision.core import Pose, RotatedRect
from fitroom.vision.landmarks import PoseLandmark as L

FloatArray = np.ndarray

#: The person's outline: a body 120 px wide under the shoulders, on a 400×400 frame.
MASK = np.zeros((400, 400), np.float32)
MASK[90:380, 140:260] = 1.0


def _pose(
    shoulders: tuple[float, float] = (250.0, 150.0),
    shift: tuple[float, float] = (0.0, 0.0),
    shoulder_y: float = 100.0,
) -> Pose:
    """A standing person facing the camera: the given shoulder x (left, right), hips 40 px
    apart at y 250, everything moved by ``shift``."""
    landmarks = np.zeros((33, 5), np.float32)
    landmarks[:, 3:] = 1.0
    landmarks[:, :2] = (200.0, 60.0)  # face
    left, right = shoulders
    points = {
        L.LEFT_SHOULDER: (left, shoulder_y),
        L.RIGHT_SHOULDER: (right, shoulder_y),
        L.LEFT_ELBOW: (left + 5, 170.0),
        L.RIGHT_ELBOW: (right - 5, 170.0),
        L.LEFT_WRIST: (left + 5, 230.0),
        L.RIGHT_WRIST: (right - 5, 230.0),
        L.LEFT_HIP: (220.0, 250.0),
        L.RIGHT_HIP: (180.0, 250.0),
        L.LEFT_KNEE: (222.0, 320.0),
        L.RIGHT_KNEE: (178.0, 320.0),
        L.LEFT_ANKLE: (224.0, 380.0),
        L.RIGHT_ANKLE: (176.0, 380.0),
    }
    for landmark, xy in points.items():
        landmarks[int(landmark), :2] = xy
    landmarks[:, :2] += np.asarray(shift, np.float32)
    return Pose(
        landmarks, np.zeros((33, 3), np.float32), 0.9, RotatedRect(200.0, 200.0, 300.0, 300.0)
    )


COLLAPSED = (205.0, 195.0)  # both shoulders on the chest: 10 px apart on a 120 px body
#: The body cut off 10 px under the shoulders (a frame's bottom edge, say).
CUT_OFF = MASK.copy()
CUT_OFF[110:] = 0.0


class TestPosePlausible:
    def test_shoulders_on_the_chest_are_not(self) -> None:
        assert pose_plausible(_pose(), MASK, None)
        # The outline is 12 shoulder distances wide: photo mode would refuse this pose.
        assert not pose_plausible(_pose(COLLAPSED), MASK, None)

    def test_a_sudden_narrowing_is_a_collapse(self) -> None:
        # 55 px apart on a 120 px body passes the outline test, but not after 100 px.
        narrow = _pose((227.5, 172.5))
        assert pose_plausible(narrow, MASK, None)
        assert not pose_plausible(narrow, MASK, 100.0)
        assert pose_plausible(narrow, MASK, 55.0 / COLLAPSE_RATIO - 1.0)


class TestPoseHold:
    def test_nothing_before_a_good_pose_then_the_good_pose_through_a_lapse(self) -> None:
        hold = PoseHold()
        # (The body is cut off just under these shoulders: none to spread them to.)
        assert hold(_pose(COLLAPSED), CUT_OFF, 0) is None
        good = _pose()
        assert hold(good, MASK, 33) is good
        held = hold(_pose(COLLAPSED, shift=(6.0, 2.0)), MASK, 66)
        assert held is not None and hold.held
        # The good pose's upper body, moved with the hips (6, 2).
        expected = good.xy[[int(L.LEFT_SHOULDER), int(L.RIGHT_SHOULDER)]] + (6.0, 2.0)
        np.testing.assert_allclose(
            held.xy[[int(L.LEFT_SHOULDER), int(L.RIGHT_SHOULDER)]], expected, atol=1e-4
        )
        assert shoulder_distance(held) == pytest.approx(shoulder_distance(good))
        # The legs are the frame's own.
        np.testing.assert_allclose(held.xy[int(L.LEFT_ANKLE)], (230.0, 382.0))

    def test_a_collapsed_pose_before_any_good_one_is_spread_to_the_body(self) -> None:
        hold = PoseHold()
        spread = hold(_pose(COLLAPSED), MASK, 0)
        assert spread is not None and hold.held and hold.spread
        # The body is 120 px wide under the shoulders: spread to 120 / SPREAD_OUTLINE about
        # its centre, the left shoulder still on the image's right, the heights kept.
        shoulders = spread.xy[[int(L.LEFT_SHOULDER), int(L.RIGHT_SHOULDER)]]
        half = 0.5 * 120.0 / SPREAD_OUTLINE
        np.testing.assert_allclose(shoulders, [[200.0 + half, 100.0], [200.0 - half, 100.0]])
        assert pose_plausible(spread, MASK, None)
        # The arms and the rest are the frame's own.
        np.testing.assert_allclose(spread.xy[int(L.LEFT_WRIST)], (210.0, 230.0))
        # The first good pose takes over without a jump in width, then wholly.
        good = _pose()
        widths = [shoulder_distance(p) for p in (hold(good, MASK, 33 * i) for i in range(1, 12))]
        assert not hold.spread
        steps = np.diff([2.0 * half, *widths]) / np.array([2.0 * half, *widths[:-1]])
        assert np.all(np.abs(steps) <= MAX_WIDTH_STEP + 1e-3)
        assert widths[-1] == pytest.approx(shoulder_distance(good))

    def test_shoulders_over_a_body_cut_off_under_them_are_not_spread(self) -> None:
        assert not pose_plausible(_pose(COLLAPSED), CUT_OFF, None)
        assert spread_shoulders(_pose(COLLAPSED), CUT_OFF) is None

    def test_leaving_a_hold_goes_over_a_few_frames(self) -> None:
        hold = PoseHold()
        hold(_pose(), MASK, 0)
        hold(_pose(COLLAPSED), MASK, 33)
        # The person stepped 40 px to the side meanwhile: the garment follows in steps.
        target = _pose(shift=(40.0, 0.0))
        xs = []
        for i in range(RELEASE_FRAMES):
            out = hold(target, MASK, 66 + 33 * i)
            assert out is not None and not hold.held
            xs.append(float(out.xy[int(L.LEFT_SHOULDER), 0]))
        steps = np.diff([250.0, *xs])
        assert np.all(steps > 0) and np.all(steps < 40.0)
        assert xs[-1] == pytest.approx(290.0)

    def test_sides_swapped_by_the_pose_model_do_not_close_the_shoulders(self) -> None:
        hold = PoseHold()
        hold(_pose(), MASK, 0)
        hold(_pose(COLLAPSED), MASK, 33)
        swapped = _pose((150.0, 250.0))  # the same body, left and right swapped
        # (Held first as a swap of the pose model's, then followed: the person turned round.)
        for i in range(MAX_FLIP_HOLD_FRAMES + RELEASE_FRAMES):
            out = hold(swapped, MASK, 66 + 33 * i)
            assert out is not None
            assert hold.held == (i < MAX_FLIP_HOLD_FRAMES)
            assert shoulder_distance(out) == pytest.approx(100.0, abs=1.0)
        assert out.xy[int(L.LEFT_SHOULDER), 0] == pytest.approx(150.0)

    def test_sides_swapped_for_a_frame_are_held(self) -> None:
        # The pose model swaps a turning person's sides on a frame: the part map built on it
        # took her cardigan for skin. The good pose is held, and the next good one followed.
        hold = PoseHold()
        good = _pose()
        hold(good, MASK, 0)
        out = hold(_pose((150.0, 250.0), shift=(4.0, 0.0)), MASK, 33)
        assert out is not None and hold.held
        np.testing.assert_allclose(out.xy[int(L.LEFT_SHOULDER)], (254.0, 100.0), atol=1e-4)
        again = _pose(shift=(8.0, 0.0))
        out = hold(again, MASK, 66)
        assert out is not None and not hold.held

    def test_a_person_who_jumps_across_the_frame_is_not_held(self) -> None:
        # A video cut (or a looping clip): the hips are 150 px away on the next frame, with
        # the shoulders lost; the garment is not drawn where the person was (the pose held
        # over), nor as wide as they were there: spread anew to the body now seen.
        hold = PoseHold()
        hold(_pose(), MASK, 0)
        there = np.roll(MASK, -120, axis=1)
        for ms in (33, 66):
            out = hold(_pose(COLLAPSED, shift=(-120.0, 0.0)), there, ms)
            assert out is not None and hold.spread
            np.testing.assert_allclose(
                out.xy[int(L.LEFT_SHOULDER), 0], 80.0 + 60.0 / SPREAD_OUTLINE
            )
            assert shoulder_distance(out) == pytest.approx(120.0 / SPREAD_OUTLINE)
        # Four frames later (three dropped by a busy pipeline) it may have walked there.
        hold.reset()
        hold(_pose(), MASK, 0)
        held = hold(_pose(COLLAPSED, shift=(-120.0, 0.0)), there, 133)
        assert held is not None and not hold.spread
        # Without the jump the same lapse is bridged.
        hold.reset()
        hold(_pose(), MASK, 0)
        assert hold(_pose(COLLAPSED, shift=(-20.0, 0.0)), np.roll(MASK, -20, axis=1), 33)

    def test_reset_forgets_the_good_pose(self) -> None:
        hold = PoseHold()
        hold(_pose(), MASK, 0)
        hold.reset()
        # (Spread to the body rather than the good pose held.)
        out = hold(_pose(COLLAPSED), MASK, 33)
        assert out is not None and hold.spread
        assert shoulder_distance(out) == pytest.approx(120.0 / SPREAD_OUTLINE)


class TestShoulderWidth:
    @settings(max_examples=40, deadline=None)
    @given(st.floats(20.0, 200.0), st.floats(20.0, 200.0), st.integers(1, 3))
    def test_changes_at_most_a_step_per_frame(self, last: float, now: float, frames: int) -> None:
        pose = _pose((200.0 + now / 2, 200.0 - now / 2))
        out = limit_shoulder_width(pose, last, frames * 1000.0 / 30.0)
        got = shoulder_distance(out)
        step = (1.0 + MAX_WIDTH_STEP) ** frames
        assert last / step - 1e-3 <= got <= last * step + 1e-3
        # Towards the measurement, never past it; the shoulders' midpoint stays.
        assert min(last, now) - 1e-3 <= got <= max(last, now) + 1e-3
        mid = out.xy[[int(L.LEFT_SHOULDER), int(L.RIGHT_SHOULDER)]].mean(axis=0)
        np.testing.assert_allclose(mid, (200.0, 100.0), atol=1e-3)
        # The arms stay where the pose has them.
        np.testing.assert_array_equal(out.xy[int(L.LEFT_WRIST)], pose.xy[int(L.LEFT_WRIST)])

    def test_a_collapse_to_the_chest_is_spread_over_frames(self) -> None:
        hold = PoseHold()
        hold(_pose(), MASK, 0)
        # Plausible but 30% narrower in one frame (above the collapse ratio): damped.
        out = hold(_pose((235.0, 165.0)), MASK, 33)
        assert out is not None and not hold.held
        assert shoulder_distance(out) == pytest.approx(100.0 / (1.0 + MAX_WIDTH_STEP), rel=1e-3)


def test_moved_pose_without_seen_hips_follows_the_shoulders() -> None:
    good = _pose()
    now = _pose(shift=(10.0, 0.0))
    now.landmarks[[int(L.LEFT_HIP), int(L.RIGHT_HIP)], 3] = 0.1
    moved = moved_pose(good, now)
    np.testing.assert_allclose(moved.xy[int(L.LEFT_SHOULDER)], (260.0, 100.0))
