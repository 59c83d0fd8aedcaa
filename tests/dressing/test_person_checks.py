"""Person checks (fitroom.dressing.person_checks) on stick-figure anchors."""

from __future__ import annotations

from dataclasses import replace

import numpy as np
import pytest

from fitroom.dressing.person_checks import (
    arm_warnings,
    check_person,
    check_pose_outline,
    outline_over_shoulders,
    pose_outline_unreliable,
)
from fitroom.errors import PersonNotUsable
from fitroom.fitting.anchors import BodyAnchors


def _straight_anchors(shoulders: np.ndarray) -> BodyAnchors:
    """Body anchors of a stick figure hanging straight down from two shoulder points."""
    return BodyAnchors(
        shoulders=shoulders,
        shoulder_joints=shoulders,
        elbows=shoulders + 50,
        wrists=shoulders + 100,
        hips=shoulders + 150,
        knees=shoulders + 200,
        ankles=shoulders + 250,
        torso_edges=np.zeros((0, 3), np.float32),
        visibility=np.ones((2, 6), np.float32),
        image_size=(400, 600),
    )


class TestPersonChecks:
    def test_person_seen_from_the_back_is_warned_and_mirrored(self) -> None:
        pts = np.array([[100.0, 100.0], [200.0, 100.0]], np.float32)  # left shoulder image-left
        anchors = _straight_anchors(pts)
        assert anchors.facing_back
        fitted_to, warnings = check_person(anchors)
        assert not fitted_to.facing_back
        assert fitted_to.shoulder_joints[0, 0] > fitted_to.shoulder_joints[1, 0]
        assert any("back" in w for w in warnings)

    def test_shoulders_out_of_frame_are_refused(self) -> None:
        pts = np.array([[200.0, -30.0], [100.0, -30.0]], np.float32)
        anchors = _straight_anchors(pts)
        with pytest.raises(PersonNotUsable, match="shoulders"):
            check_person(anchors)

    def test_shoulders_inside_a_wide_outline_are_refused(self) -> None:
        # The person's outline is 300 px wide under the shoulders; a pose that puts the
        # shoulders 100 px apart with sides swapped (a lost upper body) is not fitted to.
        mask = np.zeros((600, 400), np.float32)
        mask[80:500, 50:350] = 1.0
        swapped = _straight_anchors(np.array([[150.0, 100.0], [250.0, 100.0]], np.float32))
        assert outline_over_shoulders(swapped, mask) == pytest.approx(3.0)
        with pytest.raises(PersonNotUsable, match="pose is unreliable"):
            check_pose_outline(swapped, mask)
        # Shoulders 200 px apart on the same outline are a plausible body.
        wide = _straight_anchors(np.array([[300.0, 100.0], [100.0, 100.0]], np.float32))
        assert outline_over_shoulders(wide, mask) == pytest.approx(1.5)
        check_pose_outline(wide, mask)

    def test_a_stream_calls_the_always_refused_outline_unreliable(self) -> None:
        mask = np.zeros((600, 400), np.float32)
        mask[80:500, 50:350] = 1.0
        # 3.0 shoulder widths: refused in a photo, unreliable in a stream.
        narrow = _straight_anchors(np.array([[250.0, 100.0], [150.0, 100.0]], np.float32))
        assert not narrow.facing_back
        assert pose_outline_unreliable(narrow, mask)
        with pytest.raises(PersonNotUsable):
            check_pose_outline(narrow, mask)
        # 1.5: a plausible body either way.
        wide = _straight_anchors(np.array([[300.0, 100.0], [100.0, 100.0]], np.float32))
        assert not pose_outline_unreliable(wide, mask)

    def test_an_arm_barely_seen_is_warned_about(self) -> None:
        anchors = _straight_anchors(np.array([[300.0, 100.0], [100.0, 100.0]], np.float32))
        assert arm_warnings(anchors) == []
        visibility = anchors.visibility.copy()
        visibility[1, 1] = 0.2  # the right elbow
        warned = arm_warnings(replace(anchors, visibility=visibility))
        assert len(warned) == 1 and "right arm" in warned[0]
