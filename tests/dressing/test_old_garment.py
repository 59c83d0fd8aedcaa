"""The old-garment analysis and masks of fitroom.dressing.old_garment on drawn scenes."""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from fitroom.dressing.old_garment import (
    analyse_old_garment,
    below_hem,
    old_garment_continues_below,
    old_skirt_mask,
)
from fitroom.vision.core import BodyPart, BodyParts

TOP = (230, 230, 225)  # a white top
TROUSERS = (40, 60, 140)  # blue trousers
SKIN = (200, 150, 120)

#: The ``drawn_person`` fixture (tests/dressing/conftest.py).
DrawnPerson = Callable[[tuple[int, int, int]], tuple[np.ndarray, BodyParts, np.ndarray]]


class TestOldSkirtMask:
    def test_the_skirt_of_an_old_dress_is_on_the_legs(self, drawn_person: DrawnPerson) -> None:
        image, parts, person = drawn_person(TOP)
        skirt = old_skirt_mask(parts, person, image, analyse_old_garment(parts, person, image))
        legs = np.isin(parts.labels, [BodyPart.LEFT_LEG, BodyPart.RIGHT_LEG])
        assert np.array_equal(skirt > 0.5, legs)

    def test_shoes_of_another_colour_are_not(self, drawn_person: DrawnPerson) -> None:
        image, parts, person = drawn_person(TOP)
        image[185:200] = (30, 30, 30)  # black shoes under the white dress
        skirt = old_skirt_mask(parts, person, image, analyse_old_garment(parts, person, image))
        assert skirt[150:180, 35:55].all()
        assert not skirt[185:200].any()

    def test_trousers_under_a_top_are_no_skirt(self, drawn_person: DrawnPerson) -> None:
        image, parts, person = drawn_person(TROUSERS)
        skirt = old_skirt_mask(parts, person, image, analyse_old_garment(parts, person, image))
        assert not skirt.any()


class TestOldGarmentContinuesBelow:
    def test_dress_continues(self, drawn_person: DrawnPerson) -> None:
        image, parts, person = drawn_person(TOP)
        assert old_garment_continues_below(parts, person, image)

    def test_trousers_of_another_colour_do_not(self, drawn_person: DrawnPerson) -> None:
        image, parts, person = drawn_person(TROUSERS)
        assert not old_garment_continues_below(parts, person, image)

    def test_bare_legs_do_not(self, drawn_person: DrawnPerson) -> None:
        image, parts, person = drawn_person(TROUSERS)
        parts = BodyParts(parts.labels, np.maximum(parts.skin, parts.labels >= BodyPart.LEFT_LEG))
        assert not old_garment_continues_below(parts, person, image)


class TestBelowHem:
    @settings(max_examples=25, deadline=None)
    @given(st.integers(8, 60), st.integers(8, 60), st.integers(0, 1000))
    def test_inside_region_and_below_the_hem(self, h: int, w: int, seed: int) -> None:
        rng = np.random.default_rng(seed)
        hem = int(rng.integers(1, h))
        coverage = np.zeros((h, w), np.float32)
        coverage[:hem] = 1.0
        region = (rng.random((h, w)) < 0.5).astype(np.float32)
        out = below_hem(coverage, region, margin=0.0)
        assert out.shape == (h, w) and out.dtype == np.float32
        assert np.all(out <= region)
        assert not out[:hem].any()
        assert np.array_equal(out[hem:] > 0, region[hem:] > 0)

    def test_nothing_without_coverage(self) -> None:
        out = below_hem(np.zeros((10, 10), np.float32), np.ones((10, 10), np.float32), 2.0)
        assert not out.any()


class TestStripedOldTop:
    def test_every_colour_of_a_striped_top_is_old_garment(self, drawn_person: DrawnPerson) -> None:
        from fitroom.dressing.old_garment import old_garment_mask

        image, parts, person = drawn_person(TROUSERS)
        # Red and white stripes, 8 rows each, over the whole top (rows 40–99).
        for y in range(40, 100, 16):
            image[y : y + 8, 30:90] = (190, 30, 40)
        old = old_garment_mask(parts, person, image)
        # The lower half's red stripes are old top like the white ones, not trousers.
        assert float(old[82:86, 40:80].min()) > 0.9
        assert float(old[74:78, 40:80].min()) > 0.9
        # The trousers' waist (rows 100–119, another blue) stays.
        assert float(old[104:116, 40:80].max()) < 0.5


#: A charcoal top and near-black trousers: within the colour test's ΔE76 of 30, one garment to it.
CHARCOAL = (70, 70, 72)
NEAR_BLACK = (30, 30, 32)


class TestHemByShade:
    def test_a_top_over_trousers_of_its_shade_ends_at_its_hem(
        self, drawn_person: DrawnPerson
    ) -> None:
        image, parts, person = drawn_person(NEAR_BLACK)
        image[40:100, 30:90] = CHARCOAL  # the top, rows 40–99; the trousers' waist below
        old = analyse_old_garment(parts, person, image)
        assert old.continues_below  # (the colour test alone reads one dress)
        assert old.hem_row == 100
        assert old.cropped(30).hem_row == 70

    def test_a_dress_of_one_colour_has_no_hem_there(self, drawn_person: DrawnPerson) -> None:
        image, parts, person = drawn_person(CHARCOAL)
        image[40:100, 30:90] = CHARCOAL
        # Its own light: a little darker further down, no step.
        image[100:200] = np.clip(image[100:200].astype(int) - 6, 0, 255).astype(np.uint8)
        old = analyse_old_garment(parts, person, image)
        assert old.continues_below
        assert old.hem_row is None
        assert old.cropped(30) is old

    def test_trousers_of_another_colour_within_the_colour_test_are_left_to_it(
        self, drawn_person: DrawnPerson
    ) -> None:
        # A navy top over black trousers: ΔE76 under 30 (one dark garment to the colour test)
        # but another colour, not a shade of it: no hem row is read, the colour test decides.
        image, parts, person = drawn_person(NEAR_BLACK)
        image[40:100, 30:90] = (50, 60, 90)
        old = analyse_old_garment(parts, person, image)
        assert old.continues_below
        assert old.hem_row is None

    def test_a_top_over_trousers_of_another_colour_has_no_hem_row(
        self, drawn_person: DrawnPerson
    ) -> None:
        image, parts, person = drawn_person(TROUSERS)
        image[40:100, 30:90] = CHARCOAL
        old = analyse_old_garment(parts, person, image)
        assert not old.continues_below  # (the colour tells where the top ends)
        assert old.hem_row is None
