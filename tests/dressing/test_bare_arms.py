"""Bare arms at their own width (fitroom.dressing.bare_arms)."""

from __future__ import annotations

import numpy as np

from fitroom.dressing.bare_arms import (
    arm_outlines,
    bare_shoulder_radius,
    beyond_arm_outlines,
    neck_and_shoulder_slopes,
    shoulder_radii,
)
from fitroom.dressing.limbs import Limb, Limbs
from fitroom.vision.core import BodyPart, BodyParts


def _only_the_right_arm(arm: Limb) -> Limbs:
    """``arm`` as the right arm, the other limbs far off the map."""
    away = Limb(np.array([[-500.0, -500.0], [-500.0, -400.0]], np.float32), 20.0)
    far = Limb(np.array([[-900.0, -500.0], [-900.0, -400.0], [-900.0, -300.0]], np.float32), 20.0)
    return Limbs(far, arm, away, away, away, away)


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
    return BodyParts(labels, skin), _only_the_right_arm(arm)


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
        # (Round the middle of the bare wrist, column 60, carried up the arm.)
        assert cols[0] <= 43 and cols[-1] >= 74
        # A bone off the arm altogether is not moved onto it.
        parts, limbs = _sleeved_arm(20.0)
        cols = np.flatnonzero(arm_outlines((220, 120), limbs, parts)[100] > 0.5)
        assert cols[-1] <= 41


def _slim_arm_in_a_wide_short_sleeve() -> tuple[BodyParts, Limbs]:
    """A 220×150 map of a slim arm (24 pixels wide, bare from row 100 down: columns 48–71,
    narrowing to 22 along the forearm) in a wide short sleeve the part map calls arm (columns
    30–89, rows 40–99), the torso beside it (columns 100–149), its bones down column 60 and
    the capsule's radius (20) a loose sleeve's, as the shoulders' width gives it."""
    labels = np.zeros((220, 150), np.uint8)
    labels[40:100, 30:90] = BodyPart.RIGHT_UPPER_ARM
    labels[100:120, 48:72] = BodyPart.RIGHT_UPPER_ARM
    labels[120:200, 49:71] = BodyPart.RIGHT_FOREARM
    labels[200:220, 47:73] = BodyPart.RIGHT_HAND
    labels[30:220, 100:150] = BodyPart.TORSO
    skin = np.zeros((220, 150), np.float32)
    skin[100:] = np.isin(labels[100:], (5, 6, 7, 8, 9, 10)).astype(np.float32)
    arm = Limb(np.array([[60.0, 40.0], [60.0, 120.0], [60.0, 200.0]], np.float32), 20.0)
    return BodyParts(labels, skin), _only_the_right_arm(arm)


class TestArmUnderAWideShortSleeve:
    """A blind review's worst try-on: a person in a short-sleeved tee dressed in a sleeveless
    dress got skin slabs in the shape of the old sleeves: the arm's outline took the capsule's
    radius and the sleeve's middle, so the whole sleeve was painted as arm."""

    def test_the_arm_is_as_wide_as_its_bare_skin(self) -> None:
        parts, limbs = _slim_arm_in_a_wide_short_sleeve()
        on_arm = np.isin(parts.labels, (5, 6, 7, 8, 9, 10))
        radius = bare_shoulder_radius(parts, limbs.right_arm.bones, 20.0, on_arm)
        assert 12.0 <= radius <= 16.0  # the bare 24-pixel arm's, not the capsule's 20
        outline = arm_outlines((220, 150), limbs, parts) > 0.5
        under_sleeve = np.flatnonzero(outline[70])
        assert under_sleeve.size <= 32  # the sleeve is 60 wide, the arm 24 below it
        assert abs(0.5 * (under_sleeve[0] + under_sleeve[-1]) - 60.0) <= 2.0

    def test_the_sleeve_beyond_the_arm_is_loose_on_the_outer_side_only(self) -> None:
        parts, limbs = _slim_arm_in_a_wide_short_sleeve()
        loose = beyond_arm_outlines((220, 150), limbs, parts)
        assert loose[50:95, 30:44].all()  # the sleeve's outer side: the backdrop behind
        assert not loose[50:95, 54:66].any()  # the arm
        # Between the arm and the torso lies the torso's side (no stripe of the backdrop).
        assert not loose[50:95, 80:90].any()

    def test_long_sleeves_keep_the_capsule(self) -> None:
        parts, limbs = _slim_arm_in_a_wide_short_sleeve()
        covered = BodyParts(parts.labels, np.zeros_like(parts.skin))
        on_arm = np.isin(parts.labels, (5, 6, 7, 8, 9, 10))
        assert bare_shoulder_radius(covered, limbs.right_arm.bones, 20.0, on_arm) == 20.0


def _shoulders_and_neck() -> tuple[BodyParts, Limbs]:
    """A 160×120 map: a neck (columns 50–69, rows 20–44) over a torso, the shoulder joints at
    (25, 50) and (95, 50) (20 % apart as the neck's half width of 11.2), arms of radius 10
    hanging from them; the left upper arm's label reaches in over the shoulder's top towards
    the neck (rows 38–49, columns 35–47), as the part map's often does, and a wide sleeve's
    fabric stands off the arm lower down (columns 2–9, rows 80–99)."""
    labels = np.zeros((160, 120), np.uint8)
    labels[20:45, 50:70] = BodyPart.NECK
    labels[45:160, 30:90] = BodyPart.TORSO
    labels[40:150, 10:35] = BodyPart.LEFT_UPPER_ARM
    labels[38:50, 35:48] = BodyPart.LEFT_UPPER_ARM
    labels[80:100, 2:10] = BodyPart.LEFT_UPPER_ARM
    labels[40:150, 90:110] = BodyPart.RIGHT_UPPER_ARM
    skin = np.zeros((160, 120), np.float32)
    left = Limb(np.array([[25.0, 50.0], [20.0, 100.0], [18.0, 150.0]], np.float32), 10.0)
    right = Limb(np.array([[95.0, 50.0], [100.0, 100.0], [102.0, 150.0]], np.float32), 10.0)
    away = Limb(np.array([[-500.0, -500.0], [-500.0, -400.0]], np.float32), 10.0)
    return BodyParts(labels, skin), Limbs(left, right, away, away, away, away)


class TestNeckAndShoulderSlopes:
    def test_the_neck_then_the_slopes_out_to_the_shoulders_tops(self) -> None:
        parts, limbs = _shoulders_and_neck()
        body = neck_and_shoulder_slopes(parts, limbs)
        assert body[25, 60] and body[25, 50]  # the neck, near its top
        assert not body[25, 35] and not body[25, 85]  # beside it, above the slopes
        assert body[35, 40] and not body[33, 30]  # half way down the slope, and above it
        assert body[45, 45] and body[45, 80]  # between the neck and each shoulder's top
        assert not body[45, 10] and not body[55, 45]  # beyond a joint's column, below its row

    def test_nothing_without_a_neck(self) -> None:
        parts, limbs = _shoulders_and_neck()
        labels = parts.labels.copy()
        labels[labels == BodyPart.NECK] = BodyPart.BACKGROUND
        assert not neck_and_shoulder_slopes(BodyParts(labels, parts.skin), limbs).any()


class TestBeyondArmOutlines:
    def test_the_arm_label_over_the_shoulders_top_is_not_loose_sleeve(self) -> None:
        """Repainted as the background, the part map's arm over the shoulder's top drew a bite
        of the backdrop between the neck and the shoulder: it is body, not loose sleeve."""
        parts, limbs = _shoulders_and_neck()
        loose = beyond_arm_outlines((160, 120), limbs, parts)
        assert not loose[40:50, 38:48].any()
        # A wide sleeve's fabric off the arm lower down still is.
        assert loose[85:95, 2:6].all()


class TestShoulderRadii:
    def test_a_bare_arm_measured_a_missing_one_the_capsule(self) -> None:
        parts, limbs = _slim_arm_in_a_wide_short_sleeve()
        left, right = shoulder_radii(parts, limbs)
        assert left == 20.0  # the left arm is off the map: its capsule's radius
        assert 12.0 <= right <= 16.0  # the bare 24-pixel arm's, not the capsule's 20

    def test_given_radii_are_what_the_steps_use(self) -> None:
        """The slopes and the outlines read the radii they are given (worked out once per
        render), and give what they work out themselves when given none."""
        parts, limbs = _shoulders_and_neck()
        radii = shoulder_radii(parts, limbs)
        slopes = neck_and_shoulder_slopes(parts, limbs)
        assert np.array_equal(neck_and_shoulder_slopes(parts, limbs, radii), slopes)
        assert np.array_equal(
            beyond_arm_outlines((160, 120), limbs, parts, slopes, radii),
            beyond_arm_outlines((160, 120), limbs, parts),
        )
        # (Shoulders with a larger radius: their round tops are higher, the slopes steeper.)
        wider = neck_and_shoulder_slopes(parts, limbs, (radii[0] + 8.0, radii[1] + 8.0))
        assert not np.array_equal(wider, slopes)
