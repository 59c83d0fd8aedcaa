"""Where the old garment is removed: uncovered old fabric repainted as skin or background."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace

import numpy as np

from fitroom.dressing.limbs import Limb, Limbs
from fitroom.dressing.old_garment import analyse_old_garment
from fitroom.dressing.old_garment_removal import old_dress_below_hem
from fitroom.dressing.render import render_fitted
from fitroom.fitting.fitted import FittedGarment, FittedLayer
from fitroom.vision.core import BodyParts

TOP = (230, 230, 225)  # a white top
TROUSERS = (40, 60, 140)  # blue trousers
SKIN = (200, 150, 120)

#: The ``drawn_person`` fixture (tests/dressing/conftest.py).
DrawnPerson = Callable[[tuple[int, int, int]], tuple[np.ndarray, BodyParts, np.ndarray]]


class TestOldGarmentBelowANewHem:
    def test_a_dress_stays_below_a_cropped_top(
        self, drawn_person: DrawnPerson, short_top: FittedGarment
    ) -> None:
        image, parts, person = drawn_person(TOP)
        out, _ = render_fitted(image, [short_top], parts, person)
        # Torso rows well below the new hem keep the old dress, unchanged.
        assert np.array_equal(out[85:118, 40:80], image[85:118, 40:80])

    def test_an_old_dress_goes_below_a_shorter_new_dress(
        self, drawn_person: DrawnPerson, short_top: FittedGarment
    ) -> None:
        # The same panel worn as a dress (region "full") replaces the old dress entirely: its
        # torso rows below the new hem are the person's own body now, not the old white dress.
        image, parts, person = drawn_person(TOP)
        dress = replace(short_top, region="full")
        out, _ = render_fitted(image, [dress], parts, person)
        belly = out[85:118, 40:80].reshape(-1, 3).astype(float)
        assert np.abs(belly.mean(axis=0) - np.array(SKIN)).max() < 40
        # Its skirt on the legs goes too (the old dress's colour is nowhere below the hem)...
        legs = out[125:195, 35:85].reshape(-1, 3).astype(float)
        assert (np.abs(legs - np.array(TOP)).max(axis=1) < 12).mean() < 0.05
        # ...but trousers under a top stay under a new dress.
        image, parts, person = drawn_person(TROUSERS)
        out, _ = render_fitted(image, [dress], parts, person)
        assert np.array_equal(out[150:190, 35:55], image[150:190, 35:55])

    def test_a_top_over_trousers_is_painted_as_skin_below_a_cropped_top(
        self, drawn_person: DrawnPerson, short_top: FittedGarment
    ) -> None:
        image, parts, person = drawn_person(TROUSERS)
        out, _ = render_fitted(image, [short_top], parts, person)
        # The old white top between the new hem and the trousers becomes skin-coloured...
        belly = out[80:95, 40:80].reshape(-1, 3).astype(float)
        assert np.abs(belly.mean(axis=0) - np.array(SKIN)).max() < 40
        # ...and the trousers' legs stay as they were.
        assert np.array_equal(out[150:190, 35:55], image[150:190, 35:55])

    def test_nothing_below_the_photos_waistband_is_old_top(
        self, drawn_person: DrawnPerson, short_top: FittedGarment
    ) -> None:
        image, parts, person = drawn_person(TROUSERS)
        image[106:112, 40:80] = TOP  # a light print on the trousers, coloured like the top
        waist = np.full(120, 100.0, np.float32)
        out, _ = render_fitted(image, [short_top], parts, person, cut_below_y=[waist])
        assert np.array_equal(out[102:120, 35:85], image[102:120, 35:85])


class TestLooseOldTop:
    def test_old_top_beside_a_narrower_new_one_becomes_background(
        self, drawn_person: DrawnPerson
    ) -> None:
        image, parts, person = drawn_person(TROUSERS)
        rgba = np.zeros((60, 30, 4), np.float32)
        rgba[..., 3] = 1.0
        rgba[..., 2] = 200.0  # a blue panel over torso columns 45–74, rows 40–99
        narrow = FittedGarment((FittedLayer("torso", (45, 40, 75, 100), rgba),), {}, 1.0)
        out, _ = render_fitted(image, [narrow], parts, person)
        beside = out[60:90, 31:40].reshape(-1, 3).astype(float)
        # The white top's sides are painted as the light backdrop around the person, not as
        # skin (the body is no wider than a new top).
        assert np.abs(np.median(beside, axis=0) - 250.0).max() < 20.0
        assert np.abs(np.median(beside, axis=0) - np.array(SKIN)).max() > 30.0


def _drawn_limbs() -> Limbs:
    """The drawn person's arms and legs (ankle bones at row 185: the shoes lie below row 188)."""
    arm_r, thigh_r, shin_r = 6.0, 10.0, 6.0

    def limb(points: list[list[float]], radius: float) -> Limb:
        return Limb(np.array(points, np.float32), radius)

    return Limbs(
        left_arm=limb([[80.0, 45.0], [95.0, 80.0], [98.0, 110.0]], arm_r),
        right_arm=limb([[40.0, 45.0], [25.0, 80.0], [22.0, 110.0]], arm_r),
        left_thigh=limb([[75.0, 120.0], [75.0, 155.0]], thigh_r),
        right_thigh=limb([[45.0, 120.0], [45.0, 155.0]], thigh_r),
        left_shin=limb([[75.0, 155.0], [75.0, 185.0]], shin_r),
        right_shin=limb([[45.0, 155.0], [45.0, 185.0]], shin_r),
    )


class TestOldDressBelowHem:
    def test_the_old_skirt_below_the_new_hem_down_to_the_ankles(
        self, drawn_person: DrawnPerson, short_top: FittedGarment
    ) -> None:
        # The drawn white dress reaches the bottom of the picture: below the ankles it is
        # shoes (coloured like it), which stay.
        image, parts, person = drawn_person(TOP)
        union = np.zeros(person.shape, np.float32)
        union[40:70, 30:90] = 1.0  # the new dress, rows 40-69
        old = analyse_old_garment(parts, person, image)
        skirt = old_dress_below_hem(image, parts, person, union, _drawn_limbs(), old)
        assert (skirt[125:180, 35:55] > 0.5).all()
        assert not skirt[192:].any()  # (a one-pixel soft edge below row 188)
        # Above the new hem lies nothing of it (the new dress covers the legs there).
        union[40:160] = 1.0
        skirt = old_dress_below_hem(image, parts, person, union, _drawn_limbs(), old)
        assert not skirt[120:150].any() and (skirt[165:180, 35:55] > 0.5).all()

    def test_trousers_are_no_old_dress(self, drawn_person: DrawnPerson) -> None:
        image, parts, person = drawn_person(TROUSERS)
        union = np.zeros(person.shape, np.float32)
        union[40:70, 30:90] = 1.0
        old = analyse_old_garment(parts, person, image)
        assert not old_dress_below_hem(image, parts, person, union, _drawn_limbs(), old).any()


class TestNarrowerTrousers:
    def _render(self, drawn_person: DrawnPerson) -> tuple[np.ndarray, np.ndarray]:
        image, parts, person = drawn_person(TROUSERS)
        rgba = np.zeros((70, 50, 4), np.float32)
        rgba[:, 2:16, 3] = 1.0  # two new legs, columns 38-51 and 68-81, rows 110-179
        rgba[:, 32:46, 3] = 1.0
        rgba[..., 0] = 220.0 * rgba[..., 3]
        lower = FittedGarment((FittedLayer("lower", (36, 110, 86, 180), rgba),), {}, 1.0, "lower")
        out, _ = render_fitted(image, [lower], parts, person, limbs=_drawn_limbs())
        return image, out

    def test_old_trousers_between_the_new_legs_become_background(
        self, drawn_person: DrawnPerson
    ) -> None:
        _, out = self._render(drawn_person)
        gap = out[130:170, 53:57].reshape(-1, 3).astype(float)
        assert np.abs(np.median(gap, axis=0) - 250.0).max() < 20.0

    def test_shoes_below_the_ankles_stay(self, drawn_person: DrawnPerson) -> None:
        image, out = self._render(drawn_person)
        assert np.array_equal(out[192:200, 32:58], image[192:200, 32:58])
