"""A long sleeve's forearm part reaching the old cuff's end
(fitroom.dressing.forearm_ends)."""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

from fitroom.dressing.forearm_ends import (
    CUFF_STRETCH,
    meet_old_cuffs,
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
