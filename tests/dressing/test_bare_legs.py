"""Bare legs: drawn at the width the photo shows them, bare from where the old shorts end."""

from __future__ import annotations

import numpy as np

from fitroom.dressing.bare_legs import bare_leg_radius, bare_leg_rows, bare_legs_mask
from fitroom.dressing.limbs import Limb, Limbs
from fitroom.vision.core import BodyPart, BodyParts


class TestBareLegsAtTheirWidth:
    @staticmethod
    def _legs(knee_half: int) -> tuple[BodyParts, Limbs]:
        """A standing pair of legs: hips at row 40, knees at 120, ankles at 200; below the
        knee each leg is bare skin ``knee_half`` pixels either side of its bone."""
        h, w = 220, 200
        labels = np.zeros((h, w), np.uint8)
        skin = np.zeros((h, w), np.float32)
        limbs = []
        for x, label in ((130, BodyPart.LEFT_LEG), (70, BodyPart.RIGHT_LEG)):
            labels[40:200, x - 30 : x + 31] = int(label)  # old wide shorts and legs
            skin[100:200, x - knee_half : x + knee_half + 1] = 1.0
            limbs.append(np.array([[x, 40], [x, 120], [x, 200]], np.float32))
        arm = Limb(np.array([[100, 0], [100, 10]], np.float32), 5.0)
        limb_set = Limbs(
            left_arm=arm,
            right_arm=arm,
            left_thigh=Limb(limbs[0][:2], 25.0),
            right_thigh=Limb(limbs[1][:2], 25.0),
            left_shin=Limb(limbs[0][1:], 15.0),
            right_shin=Limb(limbs[1][1:], 15.0),
        )
        return BodyParts(labels, skin), limb_set

    def test_the_knee_width_is_measured_where_the_leg_is_bare(self) -> None:
        parts, limbs = self._legs(knee_half=11)
        radius = bare_leg_radius(parts, limbs.left_thigh.bones[-1], limbs.left_shin.bones[-1])
        assert radius is not None and abs(radius - 11.5) <= 1.0
        # Trousers down to the shoes: nothing bare to measure.
        covered = BodyParts(parts.labels, np.zeros_like(parts.skin))
        knee, ankle = limbs.left_thigh.bones[-1], limbs.left_shin.bones[-1]
        assert bare_leg_radius(covered, knee, ankle) is None

    def test_bare_legs_narrow_from_the_hip_to_the_knee_and_ankle(self) -> None:
        parts, limbs = self._legs(knee_half=11)
        union = np.zeros(parts.labels.shape, np.float32)
        union[30:70] = 1.0  # new shorts down to row 70
        legs = bare_legs_mask(parts, limbs, union) > 0.5

        def width(row: int) -> int:
            return int(legs[row, 100:].sum())  # the left leg (image right)

        # Nothing drawn under the new shorts; right below their hem the thigh is as wide as
        # a little lower (no round end leaving the corners below the hem to the background);
        # below them the thigh narrows to the knee's width (not the old shorts' 61 pixels),
        # the calf keeps it and the ankle is narrower.
        assert not legs[30:70].any()
        assert width(71) >= width(76) - 1
        assert width(80) > width(118) and width(80) < 52
        assert abs(width(125) - 23) <= 3
        assert width(195) < width(140)

    def test_legs_are_bare_from_the_old_hem_down(self) -> None:
        """Below where the old shorts end each leg is bare, whatever a few shaded pixels are
        called; a couple of skin-coloured rows in a trouser print are no hem."""
        parts, _ = self._legs(knee_half=11)
        skin = parts.skin.copy()
        skin[60:62, 100:160] = 1.0  # two rows of a print read as skin, on the left leg
        rows = bare_leg_rows(BodyParts(parts.labels, skin), np.ones_like(skin), run=5)
        # (The legs' part label is 61 pixels wide, skin 23 from row 100: under half of it.)
        assert not rows[40:58].any()
        assert not rows[64:99].any()
        skin[100:200, 100:160] = np.where(parts.labels[100:200, 100:160] > 0, 1.0, 0.0)
        skin[100:200, 40:100] = np.where(parts.labels[100:200, 40:100] > 0, 1.0, 0.0)
        rows = bare_leg_rows(BodyParts(parts.labels, skin), np.ones_like(skin), run=5)
        assert rows[100:200, 130].all() and rows[100:200, 70].all()
        assert not rows[64:98, 130].any()
