"""A sleeve's end laid on the old sleeve's end when they nearly meet
(fitroom.dressing.sleeve_ends)."""

from __future__ import annotations

import dataclasses
from collections.abc import Callable

import numpy as np
import pytest

from fitroom.dressing.limbs import Limbs
from fitroom.dressing.sleeve_ends import (
    SLEEVE_STRETCH,
    meet_old_sleeve_ends,
    sleeve_end_gap,
)
from fitroom.fitting.fitted import FittedGarment
from fitroom.vision.core import BodyParts

TeeScene = Callable[[int], tuple[FittedGarment, np.ndarray, BodyParts]]


class TestMeetOldSleeveEnds:
    def test_a_nearby_old_sleeve_end_is_met(self, arms_down: Limbs, tee_scene: TeeScene) -> None:
        tee, old, parts = tee_scene(old_end=115)
        new_len, gap = sleeve_end_gap(
            tee.layers[1], np.array([40.0, 50.0], np.float32), arms_down.right_arm, old, parts
        )
        assert new_len == pytest.approx(49.0, abs=2.0)
        assert gap == pytest.approx(15.0, abs=2.0)
        met = meet_old_sleeve_ends(tee, arms_down, old, parts)
        sleeve = met.layers[1]
        ys, _ = np.nonzero(sleeve.rgba[..., 3] > 0.5)
        assert ys.max() + sleeve.box[1] == pytest.approx(114, abs=2)
        # Across the arm the sleeve is as wide as before; the panel is untouched.
        xs = np.nonzero(sleeve.rgba[10, :, 3] > 0.5)[0] + sleeve.box[0]
        assert (xs.min(), xs.max()) == (20, 59)
        assert met.layers[0] is tee.layers[0]

    def test_the_garment_keeps_what_it_says_of_its_neck_opening(
        self, arms_down: Limbs, tee_scene: TeeScene
    ) -> None:
        tee, old, parts = tee_scene(old_end=115)
        own = dataclasses.replace(tee, own_neck_opening=True)
        met = meet_old_sleeve_ends(own, arms_down, old, parts)
        assert met is not own and met.own_neck_opening

    def test_a_far_old_sleeve_end_is_not_followed(
        self, arms_down: Limbs, tee_scene: TeeScene
    ) -> None:
        tee, old, parts = tee_scene(old_end=100 + round(SLEEVE_STRETCH * 50) + 10)
        assert meet_old_sleeve_ends(tee, arms_down, old, parts) is tee

    def test_a_long_old_sleeve_is_not_followed(self, arms_down: Limbs, tee_scene: TeeScene) -> None:
        # A tee over a long-sleeved top: the old sleeve goes on past the elbow (row 150);
        # the tee's sleeve keeps its length (the arm below it is bare), however near.
        tee, old, parts = tee_scene(old_end=240)
        _, gap = sleeve_end_gap(
            tee.layers[1], np.array([40.0, 50.0], np.float32), arms_down.right_arm, old, parts
        )
        assert gap == 0.0
        assert meet_old_sleeve_ends(tee, arms_down, old, parts) is tee

    def test_skin_below_the_sleeve_is_not_old_sleeve(
        self, arms_down: Limbs, tee_scene: TeeScene
    ) -> None:
        tee, old, parts = tee_scene(old_end=115)
        skin = parts.skin.copy()
        skin[100:115] = 1.0  # the old mask reaches onto bare arm there
        assert meet_old_sleeve_ends(tee, arms_down, old, BodyParts(parts.labels, skin)) is tee
