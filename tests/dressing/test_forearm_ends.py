"""A long sleeve's forearm part ending where the person's own long sleeve ends
(fitroom.dressing.forearm_ends)."""

from __future__ import annotations

import dataclasses
from collections.abc import Callable

import numpy as np
import pytest

from fitroom.dressing.forearm_ends import (
    CUFF_STRETCH,
    PUSHED_UP_FROM,
    PUSHED_UP_SHORTEN,
    meet_old_cuffs,
    meet_pushed_up_sleeves,
    pushed_up_gap,
)
from fitroom.dressing.limbs import Limbs
from fitroom.fitting.fitted import FittedGarment, FittedLayer
from fitroom.vision.core import BodyPart, BodyParts

TeeScene = Callable[[int], tuple[FittedGarment, np.ndarray, BodyParts]]


def _arm_labels(hand_from: int) -> np.ndarray:
    """A 300 × 200 part map: the torso, the right arm hanging at x = 40 (elbow at row 150),
    its hand from row ``hand_from`` to 289."""
    labels = np.zeros((300, 200), np.uint8)
    labels[50:200, 60:140] = BodyPart.TORSO
    labels[45:150, 25:56] = BodyPart.RIGHT_UPPER_ARM
    labels[150:hand_from, 25:56] = BodyPart.RIGHT_FOREARM
    labels[hand_from:290, 25:56] = BodyPart.RIGHT_HAND
    return labels


def _long_sleeved_top() -> FittedGarment:
    """A top whose right forearm part covers rows 150–239 of the right arm."""
    rgba = np.zeros((90, 40, 4), np.float32)
    rgba[..., 3] = 1.0
    forearm = FittedLayer("right_forearm", (20, 150, 60, 240), rgba)
    panel = FittedLayer("torso", (60, 50, 140, 200), np.ones((150, 80, 4), np.float32))
    return FittedGarment((panel, forearm), {"shoulder_right": (40.0, 50.0)}, 1.0)


def _cuff_scene(
    cuff_end: int, cuff_colour: tuple[int, int, int] = (20, 20, 20)
) -> tuple[FittedGarment, np.ndarray, BodyParts, np.ndarray]:
    """A black long-sleeved top whose right forearm part covers rows 150–239 of the right arm
    (elbow at row 150, wrist at 240); the photo's black cuff goes on to row ``cuff_end`` over
    what the part map calls hand (rows 230 on), the hand's skin below it."""
    h, w = 300, 200
    labels = _arm_labels(hand_from=230)
    skin = np.zeros((h, w), np.float32)
    skin[cuff_end:290, 25:56] = 1.0
    image = np.full((h, w, 3), 235, np.uint8)
    image[45:cuff_end, 25:56] = cuff_colour
    image[cuff_end:290, 25:56] = (220, 170, 140)
    top = _long_sleeved_top()
    old = np.zeros((h, w), np.float32)
    old[45:230, 22:58] = 1.0  # the old mask stops where the part map's hand begins
    return top, old, BodyParts(labels, skin), image


BLACK_LAB = np.array([0.0, 0.0, 0.0], np.float32)


class TestMeetOldCuffs:
    def test_the_forearm_reaches_the_old_cuff_on_the_hand(self, arms_down: Limbs) -> None:
        top, old, parts, image = _cuff_scene(cuff_end=258)
        met, cuffs = meet_old_cuffs(top, arms_down, old, parts, image, BLACK_LAB)
        forearm = met.layers[1]
        ys, _ = np.nonzero(forearm.rgba[..., 3] > 0.5)
        # (To the old cuff's end, less the few pixels the end's quantile leaves: it was row 239.)
        assert 250 <= ys.max() + forearm.box[1] <= 258
        assert met.layers[0] is top.layers[0]
        # The cuff's pixels on the hand are old fabric now (covered by the sleeve), the
        # hand's skin below it is not.
        assert cuffs[232:250, 30:50].all()
        assert not cuffs[262:].any()
        assert not cuffs[:230].any()

    def test_a_cuff_of_another_colour_is_not_followed(self, arms_down: Limbs) -> None:
        # (A dark hand-held thing unlike the old top: not its cuff.)
        top, old, parts, image = _cuff_scene(cuff_end=258, cuff_colour=(200, 30, 30))
        image[45:230, 25:56] = (20, 20, 20)
        met, cuffs = meet_old_cuffs(top, arms_down, old, parts, image, BLACK_LAB)
        assert met is top and not cuffs.any()

    def test_a_far_cuff_is_not_followed(self, arms_down: Limbs) -> None:
        top, old, parts, image = _cuff_scene(cuff_end=240 + round(CUFF_STRETCH * 90) + 12)
        labels = parts.labels.copy()
        labels[230:299, 25:56] = BodyPart.RIGHT_HAND
        met, cuffs = meet_old_cuffs(
            top, arms_down, old, BodyParts(labels, parts.skin), image, BLACK_LAB
        )
        assert met is top and not cuffs.any()

    def test_short_sleeves_and_unknown_old_colours_are_left(
        self, arms_down: Limbs, tee_scene: TeeScene
    ) -> None:
        tee, old, parts = tee_scene(old_end=115)
        image = np.zeros((*old.shape, 3), np.uint8)
        met, cuffs = meet_old_cuffs(tee, arms_down, old, parts, image, BLACK_LAB)
        assert met is tee and not cuffs.any()
        top, old, parts, image = _cuff_scene(cuff_end=258)
        met, cuffs = meet_old_cuffs(top, arms_down, old, parts, image, None)
        assert met is top and not cuffs.any()


def _pushed_up_scene(
    old_end: int, bare_below: bool = True
) -> tuple[FittedGarment, np.ndarray, BodyParts]:
    """A long-sleeved top whose right forearm part covers rows 150–239 of the right arm
    (elbow at row 150, wrist at 240); the old sleeve covers the arm down to row ``old_end``,
    the bare forearm and hand below it (``bare_below``; else something that is not skin, a
    bag, lies there)."""
    h, w = 300, 200
    labels = _arm_labels(hand_from=235)
    skin = np.zeros((h, w), np.float32)
    if bare_below:
        # (The arm narrower than the part map's: beside it the label is arm, but not skin.)
        skin[old_end:290, 30:51] = 1.0
    top = _long_sleeved_top()
    old = np.zeros((h, w), np.float32)
    old[45:235, 22:58] = 1.0  # the old mask: the whole arm (the part map's arm is wide)
    return top, old, BodyParts(labels, skin)


class TestMeetPushedUpSleeves:
    def test_a_sleeve_pushed_up_the_forearm_is_followed(self, arms_down: Limbs) -> None:
        top, old, parts = _pushed_up_scene(old_end=195)
        new_len, gap = pushed_up_gap(top.layers[1], arms_down.right_arm, old, parts)
        assert new_len == pytest.approx(89.0, abs=2.0)
        assert gap == pytest.approx(44.0, abs=3.0)
        met = meet_pushed_up_sleeves(top, arms_down, old, parts)
        forearm = met.layers[1]
        ys, _ = np.nonzero(forearm.rgba[..., 3] > 0.5)
        # From the elbow (row 150) to the old sleeve's end; the panel untouched.
        assert ys.min() + forearm.box[1] == 150
        assert ys.max() + forearm.box[1] == pytest.approx(195, abs=3)
        assert met.layers[0] is top.layers[0]

    def test_an_old_sleeve_down_to_the_wrist_is_not_followed(self, arms_down: Limbs) -> None:
        top, old, parts = _pushed_up_scene(old_end=238)
        assert pushed_up_gap(top.layers[1], arms_down.right_arm, old, parts)[1] == 0.0
        assert meet_pushed_up_sleeves(top, arms_down, old, parts) is top

    def test_a_short_old_sleeve_is_not_followed(self, arms_down: Limbs) -> None:
        # A long sleeve over a tee's bare forearm reaches the wrist: the old sleeve ends above
        # (or just below) the elbow and says nothing of how a long sleeve is worn.
        for old_end in (120, 150 + round(0.5 * PUSHED_UP_FROM * 90)):
            top, old, parts = _pushed_up_scene(old_end=old_end)
            assert meet_pushed_up_sleeves(top, arms_down, old, parts) is top

    def test_a_forearm_not_bare_below_the_old_sleeve_is_not_followed(
        self, arms_down: Limbs
    ) -> None:
        # (What is there, a bag held in front of the arm, may hide the old sleeve.)
        top, old, parts = _pushed_up_scene(old_end=195, bare_below=False)
        assert meet_pushed_up_sleeves(top, arms_down, old, parts) is top

    def test_a_sleeve_shortened_by_too_much_is_not_followed(self, arms_down: Limbs) -> None:
        # A new sleeve reaching far past the wrist (rows 150-279) over an old one pushed up
        # to mid-forearm: more than PUSHED_UP_SHORTEN of the forearm would go.
        top, old, parts = _pushed_up_scene(old_end=195)
        rgba = np.zeros((130, 40, 4), np.float32)
        rgba[..., 3] = 1.0
        long_forearm = FittedLayer("right_forearm", (20, 150, 60, 280), rgba)
        top = dataclasses.replace(top, layers=(top.layers[0], long_forearm))
        _, gap = pushed_up_gap(long_forearm, arms_down.right_arm, old, parts)
        assert gap > PUSHED_UP_SHORTEN * 90
        assert meet_pushed_up_sleeves(top, arms_down, old, parts) is top

    def test_short_sleeves_are_left(self, arms_down: Limbs, tee_scene: TeeScene) -> None:
        tee, old, parts = tee_scene(old_end=115)
        assert meet_pushed_up_sleeves(tee, arms_down, old, parts) is tee
