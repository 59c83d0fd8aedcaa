"""The drape of new trousers, shorts or skirts (fitroom.dressing.lower_drape)."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from fitroom.dressing.limbs import Limb, Limbs
from fitroom.dressing.lower_drape import (
    LOWER_DRAPE_REACH,
    POCKET_REACH,
    hand_fabric_band,
    hands_hanging,
    lower_drape_allowed,
    lower_drape_band,
    old_lower_beside_hands,
    touching,
)
from fitroom.vision.core import BodyPart, BodyParts

#: The photo's longer side: the reach, LOWER_DRAPE_REACH * SIDE, is 12 pixels.
SIDE = round(12 / LOWER_DRAPE_REACH)


def _leg_scene() -> tuple[np.ndarray, np.ndarray]:
    """A new leg (rows 20-149, columns 40-59) inside an old, wider and longer one (columns
    40-69, down to row 189), a slanted outer seam on the new one's right from row 100 down.
    Returns (old fabric left uncovered, new coverage)."""
    new = np.zeros((200, 120), np.float32)
    new[20:150, 40:60] = 1.0
    for y in range(100, 150):  # the new seam slants in: one column every 5 rows
        new[y, 60 - (y - 100) // 5 : 60] = 0.0
    old = np.zeros_like(new)
    old[20:190, 40:70] = 1.0
    return old * (1.0 - new), new


class TestLowerDrapeBand:
    def test_carries_the_fabric_sideways_to_the_old_outline(self) -> None:
        exposed, new = _leg_scene()
        band = lower_drape_band(exposed, new, np.ones_like(new), SIDE)
        assert band.dtype == np.float32 and band.shape == new.shape
        # Beside the straight seam, out to the old outline (10 columns, within the reach).
        assert np.all(band[30:90, 61:69] > 0.5)
        # Down the slanted seam too, every row of it (no teeth).
        assert np.all(band[100:148, 62] > 0.5)

    def test_the_hem_stays(self) -> None:
        exposed, new = _leg_scene()
        band = lower_drape_band(exposed, new, np.ones_like(new), SIDE)
        # The old, longer leg below the new hem is not covered.
        assert float(band[155:, :].max()) < 0.5

    def test_not_beyond_the_reach_nor_outside_the_allowed(self) -> None:
        exposed, new = _leg_scene()
        wide = np.zeros_like(new)
        wide[20:150, 40:100] = 1.0
        band = lower_drape_band(wide * (1.0 - new), new, np.ones_like(new), SIDE)
        reach = round(LOWER_DRAPE_REACH * SIDE)
        assert float(band[30:90, 60 + reach + 2 :].max()) < 0.5
        none = lower_drape_band(exposed, new, np.zeros_like(new), SIDE)
        assert not none.any()

    def test_an_island_of_old_fabric_stays(self) -> None:
        new = np.zeros((100, 100), np.float32)
        new[10:90, 10:40] = 1.0
        old = np.zeros_like(new)
        old[10:90, 45:50] = 1.0  # 5 columns away, not touching the new leg
        band = lower_drape_band(old, new, np.ones_like(new), SIDE)
        assert float(band.max()) < 0.5

    def test_nothing_without_old_fabric_or_garment(self) -> None:
        _, new = _leg_scene()
        zeros = np.zeros_like(new)
        assert not lower_drape_band(zeros, new, np.ones_like(new), SIDE).any()
        assert not lower_drape_band(new, zeros, np.ones_like(new), SIDE).any()


def test_allowed_on_torso_and_legs_only() -> None:
    labels = np.zeros((60, 60), np.uint8)
    labels[0:20] = BodyPart.TORSO
    labels[20:40] = BodyPart.LEFT_LEG
    labels[40:60] = BodyPart.LEFT_FOREARM
    allowed = lower_drape_allowed(BodyParts(labels, np.zeros((60, 60), np.float32)))
    assert float(allowed[5:35, 30].min()) > 0.9
    assert float(allowed[45:, 30].max()) < 0.1


def test_not_inwards_between_the_legs() -> None:
    """Old trousers wider than the new between the legs: below the crotch the gap stays for
    the background, however narrow (no bars of fabric across it); above it a hole in the new
    garment (a hand in front) is rimmed."""
    new = np.zeros((100, 120), np.float32)
    new[10:90, 10:30] = 1.0
    new[10:90, 40:60] = 1.0  # legs 10 columns apart
    old = np.zeros_like(new)
    old[10:90, 5:65] = 1.0
    band = lower_drape_band(old * (1.0 - new), new, np.ones_like(new), SIDE, legs_below=40.0)
    assert float(band[42:80, 31:39].max()) < 0.5
    assert float(band[20:80, 61:64].min()) > 0.5  # the outer seams are carried out
    assert float(band[20:38, 31:39].min()) > 0.5


def _hand_beside_leggings(
    strip_rgb: tuple[int, int, int] = (15, 15, 15),
) -> tuple[np.ndarray, BodyParts, np.ndarray, np.ndarray]:
    """Black leggings on a leg (columns 40-69) and a hand hanging beside the thigh (skin in
    columns 80-89), whose part-map label is a blob (columns 70-89) taking in a strip of the
    leggings (columns 70-79, drawn ``strip_rgb``). Returns (image, parts, person, old
    leggings found on the leg)."""
    image = np.full((120, 120, 3), 200, np.uint8)
    labels = np.zeros((120, 120), np.uint8)
    labels[20:120, 40:70] = BodyPart.LEFT_LEG
    labels[40:90, 70:90] = BodyPart.LEFT_HAND
    image[20:120, 40:70] = 15
    image[40:90, 70:80] = strip_rgb
    image[40:90, 80:90] = (190, 140, 110)
    skin = np.zeros((120, 120), np.float32)
    skin[40:90, 80:90] = 1.0
    person = (labels > 0).astype(np.float32)
    lower_old = (labels == BodyPart.LEFT_LEG).astype(np.float32)
    return image, BodyParts(labels, skin), person, lower_old


class TestOldLowerBesideHands:
    def test_the_strip_of_leggings_in_the_hand_label_is_found(self) -> None:
        image, parts, person, lower_old = _hand_beside_leggings()
        found = old_lower_beside_hands(image, parts, person, lower_old)
        assert found.dtype == np.float32 and found.shape == person.shape
        assert float(found[45:85, 71:79].min()) > 0.5
        # The hand itself (skin) is not.
        assert float(found[45:85, 82:90].max()) < 0.5

    def test_another_colour_in_the_hand_label_stays(self) -> None:
        """A cream cardigan hanging beside white shorts, a bag: not the old trousers."""
        image, parts, person, lower_old = _hand_beside_leggings(strip_rgb=(200, 60, 60))
        assert float(old_lower_beside_hands(image, parts, person, lower_old).max()) < 0.5

    def test_only_the_hands_asked_for(self) -> None:
        image, parts, person, lower_old = _hand_beside_leggings()
        found = old_lower_beside_hands(image, parts, person, lower_old, ())
        assert not found.any()
        right = old_lower_beside_hands(image, parts, person, lower_old, (BodyPart.RIGHT_HAND,))
        assert not right.any()

    def test_not_above_the_legs(self) -> None:
        image, parts, person, lower_old = _hand_beside_leggings()
        lower_old[:60] = 0.0  # the legs start at row 60 here
        found = old_lower_beside_hands(image, parts, person, lower_old)
        assert float(found[40:56].max()) < 0.5
        assert float(found[65:85, 71:79].min()) > 0.5


def _limbs(wrist_y: float) -> Limbs:
    def limb(*points: tuple[float, float]) -> Limb:
        return Limb(np.array(points, np.float32), 5.0)

    return Limbs(
        left_arm=limb((80, 20), (85, 45), (88, wrist_y)),
        right_arm=limb((40, 20), (35, 45), (32, 50)),
        left_thigh=limb((60, 60), (60, 90)),
        right_thigh=limb((45, 60), (45, 90)),
        left_shin=limb((60, 90), (60, 115)),
        right_shin=limb((45, 90), (45, 115)),
    )


def test_hands_hanging_are_those_below_the_hips() -> None:
    assert hands_hanging(_limbs(70.0)) == (BodyPart.LEFT_HAND,)
    # A wrist above the hip joints: a hand in a pocket or on the hip.
    assert hands_hanging(_limbs(55.0)) == ()


class TestHandFabricBand:
    """New trousers over the leg of :func:`_hand_beside_leggings` (columns 40-69), the old
    leggings' strip in the hand's label beside them (columns 70-79)."""

    def _scene(self) -> tuple[np.ndarray, BodyParts, np.ndarray, np.ndarray, np.ndarray]:
        image, parts, person, lower_old = _hand_beside_leggings()
        new = np.zeros_like(person)
        new[20:120, 40:70] = 1.0
        return image, parts, person, lower_old, new

    def test_beside_a_hanging_hand_the_whole_strip_is_carried(self) -> None:
        image, parts, person, lower_old, new = self._scene()
        band = hand_fabric_band(image, parts, person, lower_old, new, _limbs(70.0), 2000)
        assert float(band[45:85, 70:79].min()) > 0.5
        assert float(band[45:85, 82:90].max()) < 0.5  # not the hand
        assert float(band[:, 40:70].max()) == 0.0  # not under the new trousers

    def test_beside_a_hand_in_a_pocket_only_near_the_new_trousers(self) -> None:
        image, parts, person, lower_old, new = self._scene()
        side = round(4 / POCKET_REACH)  # a reach of 4 pixels
        band = hand_fabric_band(image, parts, person, lower_old, new, _limbs(55.0), side)
        assert float(band[45:85, 70:73].min()) > 0.5
        assert float(band[45:85, 76:].max()) < 0.5
        same = hand_fabric_band(image, parts, person, lower_old, new, None, side)
        assert np.array_equal(band, same)


def test_touching_keeps_the_pieces_that_meet_the_garment() -> None:
    new = np.zeros((40, 40), np.float32)
    new[:, :10] = 1.0
    pieces = np.zeros_like(new)
    pieces[5:15, 10:14] = 1.0  # meets the garment's edge
    pieces[25:30, 20:25] = 1.0  # apart from it
    kept = touching(pieces, new)
    assert float(kept[5:15, 10:14].min()) == 1.0
    assert not kept[25:30, 20:25].any()
    assert not touching(np.zeros_like(new), new).any()


@pytest.mark.shared
@pytest.mark.slow
def test_no_piece_of_old_leggings_left_beside_the_hand(shared_data: Path) -> None:
    """A person in black leggings, a hand hanging beside the thigh, dressed in trousers: the
    leggings the part map gave to the hand (dark, not skin, below the hips) are no longer
    dark in the result (before: all of them stayed, a black strip between hand and trousers)."""
    from fitroom.garments import ingest_garment
    from fitroom.imaging import decode_image
    from fitroom.tryon import TryOn
    from fitroom.vision import Perceiver

    photo = decode_image(shared_data / "persons" / "dresscode_049713_0.jpg")
    trousers = ingest_garment(shared_data / "garments" / "dresscode_051991_1.jpg")
    with Perceiver(num_threads=1) as perceiver:
        person = perceiver.process(photo).single()
    assert person.parts is not None
    parts = person.parts
    hips_y = float(person.pose.xy[[23, 24], 1].mean())
    rows = np.arange(photo.shape[0])[:, None]
    lum = photo.astype(np.float32) @ np.array([0.299, 0.587, 0.114], np.float32)
    hand = np.isin(parts.labels, (BodyPart.LEFT_HAND, BodyPart.RIGHT_HAND))
    strip = hand & (parts.skin < 0.5) & (lum < 40.0) & (rows > hips_y)
    assert int(strip.sum()) > 500  # the scene is as described
    with TryOn() as tryon:
        out = tryon.render(photo, [trousers]).image
    out_lum = out.astype(np.float32) @ np.array([0.299, 0.587, 0.114], np.float32)
    assert float((out_lum[strip] < 40.0).mean()) < 0.2
