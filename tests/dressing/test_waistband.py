"""The waistband of the trousers or skirt a person wears (fitroom.dressing.waistband)."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from fitroom.dressing.waistband import top_edge_row, waistband_line
from fitroom.fitting.anchors import BodyAnchors, body_anchors
from fitroom.fitting.lower_fit import regular_waist_row
from fitroom.imaging import decode_image
from fitroom.vision import Perceiver
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


@pytest.fixture(scope="module")
def perceiver() -> Iterator[Perceiver]:
    with Perceiver(num_threads=1) as model:
        yield model


@pytest.mark.shared
@pytest.mark.slow
@pytest.mark.parametrize("person", ["000000", "000001", "000003", "013568", "013569"])
def test_top_edge_row_is_where_the_top_ends(
    shared_data: Path, perceiver: Perceiver, person: str
) -> None:
    """Research photos where no waistband of another colour is found (a shirt or jacket hanging
    over trousers of a close colour, a shirt over high-waisted shorts): the edge lies at most 15
    rows above and 5 below the top of the trousers or shorts in the photo's parse map (the
    median over its columns); on all but 013568 (6 rows) the regular waist row is 10 to 55 rows
    off, and the edge closer."""
    stem = person
    photo = decode_image(shared_data / "pairs" / "image" / f"{stem}_0.jpg")
    parse = np.array(Image.open(shared_data / "pairs" / "image-parse" / f"{stem}_4.png"))
    worn = np.isin(parse, (5, 6))
    top_of_worn = float(np.median(np.argmax(worn[:, worn.any(axis=0)], axis=0)))
    found = perceiver.process(photo)
    seen = found.single()
    assert seen.parts is not None
    mask = found.mask.mask
    anchors = body_anchors(seen.pose, seen.parts, (photo.shape[1], photo.shape[0]))
    assert waistband_line(seen.parts, mask, photo) is None
    edge = top_edge_row(seen.parts, mask, photo, anchors)
    assert edge is not None
    assert -15.0 <= edge - top_of_worn <= 5.0, (edge, top_of_worn)
    regular = regular_waist_row(anchors)
    if person != "013568":
        assert abs(edge - top_of_worn) < abs(regular - top_of_worn), (edge, regular, top_of_worn)


def _drawn_anchors() -> BodyAnchors:
    """Anchors of the drawn person (tests/dressing/conftest.py): hips on row 120, knees on row
    160 (the regular waist row is 110; the edge is looked for on rows 98 to 122)."""

    def pair(y: float) -> np.ndarray:
        return np.array([[75.0, y], [45.0, y]], np.float32)

    return BodyAnchors(
        shoulders=pair(45),
        shoulder_joints=pair(45),
        elbows=pair(80),
        wrists=pair(110),
        hips=pair(120),
        knees=pair(160),
        ankles=pair(195),
        torso_edges=np.array([[60.0, 90.0, 30.0], [110.0, 90.0, 30.0]], np.float32),
        visibility=np.ones((2, 6), np.float32),
        image_size=(120, 200),
    )


def test_top_edge_row_on_a_drawn_body(drawn_person: DrawnPerson) -> None:
    """One colour from the chest down (a dress): no edge. The same body in blue trousers from
    row 104: the edge is found there, though the skin map marks no skin (clothed legs)."""
    image, parts, person = drawn_person(TOP)
    clothed = parts.labels[40:] > 0
    image[40:][clothed] = TOP
    parts = BodyParts(parts.labels, np.zeros_like(parts.skin))
    anchors = _drawn_anchors()
    assert top_edge_row(parts, person, image, anchors) is None
    image[104:][parts.labels[104:] > 0] = TROUSERS
    edge = top_edge_row(parts, person, image, anchors)
    assert edge is not None and abs(edge - 104.0) <= 3.0, edge
