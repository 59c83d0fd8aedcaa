"""Bare arms at their own width (fitroom.dressing.bare_arms)."""

from __future__ import annotations

import numpy as np

from fitroom.dressing.bare_arms import arm_outlines
from fitroom.dressing.limbs import Limb, Limbs
from fitroom.vision.core import BodyPart, BodyParts


def _sleeved_arm(bone_x: float) -> tuple[BodyParts, Limbs]:
    """A 220×120 map of one arm in a straight sleeve 40 pixels wide (columns 40–79, rows
    40–179), a bare wrist 30 pixels wide below it and the hand, its bones running down column
    ``bone_x`` (the wrist joint on row 200); the other limbs far off."""
    labels = np.zeros((220, 120), np.uint8)
    labels[40:120, 40:80] = BodyPart.RIGHT_UPPER_ARM
    labels[120:180, 40:80] = BodyPart.RIGHT_FOREARM
    labels[180:200, 45:75] = BodyPart.RIGHT_FOREARM
    labels[200:220, 43:77] = BodyPart.RIGHT_HAND
    skin = np.zeros((220, 120), np.float32)
    skin[180:] = (labels[180:] > 0).astype(np.float32)
    arm = Limb(np.array([[bone_x, 40.0], [bone_x, 120.0], [bone_x, 200.0]], np.float32), 20.0)
    away = Limb(np.array([[-500.0, -500.0], [-500.0, -400.0]], np.float32), 20.0)
    far = Limb(np.array([[-900.0, -500.0], [-900.0, -400.0], [-900.0, -300.0]], np.float32), 20.0)
    return BodyParts(labels, skin), Limbs(far, arm, away, away, away, away)


class TestArmOutlines:
    def test_the_arm_narrows_to_the_wrist(self) -> None:
        parts, limbs = _sleeved_arm(60.0)
        outline = arm_outlines((220, 120), limbs, parts) > 0.5
        shoulder_width = int(outline[60].sum())
        cuff_width = int(outline[175].sum())
        assert 36 <= shoulder_width <= 42  # the capsule's radius of 20
        # Narrower at the sleeve's cuff, towards the bare wrist's measured width (30).
        assert 29 <= cuff_width <= 34
        assert not outline[:, :10].any()  # the far arm is off the map

    def test_the_outline_covers_the_arm_round_an_off_centre_bone(self) -> None:
        # The pose's bone runs 12 pixels left of the sleeve's middle (column 60): the outline
        # still reaches near the sleeve's right side (round the bone alone it ended at column 67).
        parts, limbs = _sleeved_arm(48.0)
        cols = np.flatnonzero(arm_outlines((220, 120), limbs, parts)[100] > 0.5)
        assert cols[0] <= 40 and cols[-1] >= 74
        # A bone off the arm altogether is not moved onto it.
        parts, limbs = _sleeved_arm(20.0)
        cols = np.flatnonzero(arm_outlines((220, 120), limbs, parts)[100] > 0.5)
        assert cols[-1] <= 41
