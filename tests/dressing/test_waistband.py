"""The waistband of the trousers or skirt a person wears (fitroom.dressing.waistband)."""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

from fitroom.dressing.waistband import waistband_line
from fitroom.vision.core import BodyParts

TOP = (230, 230, 225)  # a white top
TROUSERS = (40, 60, 140)  # blue trousers

#: The ``drawn_person`` fixture (tests/dressing/conftest.py).
DrawnPerson = Callable[[tuple[int, int, int]], tuple[np.ndarray, BodyParts, np.ndarray]]


class TestWaistbandLine:
    def test_finds_the_top_of_the_trousers(self, drawn_person: DrawnPerson) -> None:
        image, parts, person = drawn_person(TROUSERS)
        line = waistband_line(parts, person, image)
        assert line is not None and line.shape == (120,) and line.dtype == np.float32
        assert np.all(np.abs(line - 100) <= 3)

    def test_none_for_a_dress(self, drawn_person: DrawnPerson) -> None:
        image, parts, person = drawn_person(TOP)
        assert waistband_line(parts, person, image) is None

    def test_none_when_the_waist_is_not_the_legs_colour(self, drawn_person: DrawnPerson) -> None:
        # Something dark held at the waist (a helmet, a bag) over legs in other trousers.
        image, parts, person = drawn_person(TROUSERS)
        image[100:120, 30:90] = (10, 10, 10)
        assert waistband_line(parts, person, image) is None
