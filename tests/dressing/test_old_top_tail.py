"""Where an old coat's tail over the legs is found and removed, on a drawn person."""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

from fitroom.dressing.limbs import Limb, Limbs
from fitroom.dressing.old_garment import analyse_old_garment, old_garment_mask
from fitroom.dressing.old_top_tail import old_top_tail, remove_old_top_tail
from fitroom.vision.core import BodyParts

TOP = (230, 230, 225)  # a white top (or coat)
TROUSERS = (40, 60, 140)  # blue trousers

#: The ``drawn_person`` fixture (tests/dressing/conftest.py).
Scene = tuple[np.ndarray, BodyParts, np.ndarray]
DrawnPerson = Callable[[tuple[int, int, int]], Scene]


def standing(scene: Scene) -> Scene:
    """The scene with 20 rows of backdrop below the feet: the whole person in the photo."""
    image, parts, person = scene
    image = np.concatenate([image, np.full((20, *image.shape[1:]), 250, np.uint8)])
    labels = np.concatenate([parts.labels, np.zeros((20, parts.labels.shape[1]), np.uint8)])
    skin = np.concatenate([parts.skin, np.zeros((20, parts.skin.shape[1]), np.float32)])
    person = np.concatenate([person, np.zeros((20, person.shape[1]), np.float32)])
    return image, BodyParts(labels, skin), person


def open_coat(drawn_person: DrawnPerson, feet: bool = True) -> Scene:
    """The drawn person in blue trousers and a white coat worn open: its fronts hang down the
    outer side of each leg (columns 30-39 and 80-89) to row 159; the part map calls them leg
    below row 120. With ``feet``, the legs end above the photo's bottom edge."""
    image, parts, person = drawn_person(TROUSERS)
    image[100:160, 30:40] = TOP
    image[100:160, 80:90] = TOP
    return standing((image, parts, person)) if feet else (image, parts, person)


def tail_of(image: np.ndarray, parts: BodyParts, person: np.ndarray) -> np.ndarray:
    old = analyse_old_garment(parts, person, image)
    return old_top_tail(parts, person, image, old, old_garment_mask(parts, person, image, old))


def drawn_limbs() -> Limbs:
    """The drawn person's limbs: thigh bones down columns 45 and 75 at radius 10."""

    def limb(points: list[list[float]], radius: float) -> Limb:
        return Limb(np.array(points, np.float32), radius)

    return Limbs(
        left_arm=limb([[80.0, 45.0], [95.0, 80.0], [98.0, 110.0]], 6.0),
        right_arm=limb([[40.0, 45.0], [25.0, 80.0], [22.0, 110.0]], 6.0),
        left_thigh=limb([[75.0, 120.0], [75.0, 155.0]], 10.0),
        right_thigh=limb([[45.0, 120.0], [45.0, 155.0]], 10.0),
        left_shin=limb([[75.0, 155.0], [75.0, 185.0]], 6.0),
        right_shin=limb([[45.0, 155.0], [45.0, 185.0]], 6.0),
    )


class TestOldTopTail:
    def test_the_coat_over_the_legs_is_the_old_top(self, drawn_person: DrawnPerson) -> None:
        tail = tail_of(*open_coat(drawn_person))
        # Most of each front below the hips (the blur softens its edges by a pixel or two).
        assert tail[122:156, 33:39].mean() > 0.9
        assert tail[122:156, 81:87].mean() > 0.9
        # Not the trousers beside or below it, nor the old top's own mask.
        assert not tail[125:200, 44:76].any()
        assert not tail[165:200].any()
        assert not tail[:100].any()

    def test_a_patch_of_its_colour_not_joined_to_it_is_not(self, drawn_person: DrawnPerson) -> None:
        image, parts, person = open_coat(drawn_person)
        image[175:190, 64:80] = TOP  # a white patch on a trouser leg, well below the coat
        tail = tail_of(image, parts, person)
        assert tail[122:156, 33:39].mean() > 0.9
        assert not tail[170:200].any()

    def test_an_old_hem_just_below_the_waist_is_no_tail(self, drawn_person: DrawnPerson) -> None:
        # The old top's hem showing a few rows over the trousers (below a tucked top's
        # waistband): left as it is, like the rest of the trousers' waistband.
        image, parts, person = standing(drawn_person(TROUSERS))
        image[100:126, 30:90] = TOP
        assert not tail_of(image, parts, person).any()

    def test_the_skirt_of_a_dress_is_no_tail(self, drawn_person: DrawnPerson) -> None:
        # (It stays under a new top: see old_skirt_mask.)
        image, parts, person = standing(drawn_person(TOP))
        assert analyse_old_garment(parts, person, image).continues_below
        assert not tail_of(image, parts, person).any()

    def test_nothing_where_the_legs_run_out_of_the_photo(self, drawn_person: DrawnPerson) -> None:
        # A half-length photo: the part map calls the lower half of the top "leg" down to the
        # bottom edge (the astronaut's suit was taken for a coat and cut out in a white block).
        assert tail_of(*open_coat(drawn_person))[122:156, 33:39].mean() > 0.9
        assert not tail_of(*open_coat(drawn_person, feet=False)).any()

    def test_nothing_without_the_old_top(self, drawn_person: DrawnPerson) -> None:
        image, parts, person = open_coat(drawn_person)
        old = analyse_old_garment(parts, person, image)
        assert not old_top_tail(parts, person, image, old, np.zeros_like(person)).any()


class TestRemoveOldTopTail:
    def test_trousers_within_the_legs_and_background_beyond(
        self, drawn_person: DrawnPerson
    ) -> None:
        image, parts, person = open_coat(drawn_person)
        tail = tail_of(image, parts, person)
        union = np.zeros(person.shape, np.float32)
        union[40:100, 30:90] = 1.0  # a new top down to row 99
        base = image.astype(np.float32)
        out = remove_old_top_tail(base, parts, person, tail, union, drawn_limbs(), 200)
        # Within the thigh (columns 37-39 of the right one): the trousers' blue.
        on_leg = out[125:150, 37:40].reshape(-1, 3)
        assert np.abs(np.median(on_leg, axis=0) - np.array(TROUSERS)).max() < 30.0
        # Beyond it (columns 32-33): the backdrop, not the coat.
        beyond = out[125:150, 32:34].reshape(-1, 3)
        assert np.abs(np.median(beyond, axis=0) - 250.0).max() < 30.0
        # The trousers well below the hem (the fill reaches a few pixels past it) and the new
        # top's place are left alone.
        assert np.array_equal(out[175:200, 45:75], image[175:200, 45:75].astype(np.float32))
        assert np.array_equal(out[40:100], image[40:100].astype(np.float32))

    def test_covered_by_the_new_garment_it_stays(self, drawn_person: DrawnPerson) -> None:
        image, parts, person = open_coat(drawn_person)
        tail = tail_of(image, parts, person)
        union = np.ones(person.shape, np.float32)  # a long new coat over all of it
        base = image.astype(np.float32)
        out = remove_old_top_tail(base.copy(), parts, person, tail, union, drawn_limbs(), 200)
        assert np.array_equal(out, base)

    def test_without_limbs_it_stays(self, drawn_person: DrawnPerson) -> None:
        image, parts, person = open_coat(drawn_person)
        tail = tail_of(image, parts, person)
        base = image.astype(np.float32)
        bare = np.zeros_like(person)
        out = remove_old_top_tail(base.copy(), parts, person, tail, bare, None, 200)
        assert np.array_equal(out, base)
