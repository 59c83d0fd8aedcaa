"""What stays in front of a garment layer (fitroom.dressing.composite)."""

from __future__ import annotations

from typing import Any

import numpy as np

from fitroom.dressing.composite import (
    NECK_OPENING_DEPTH,
    STRAPPED_BACK_DIP,
    collar_line,
    cover_with,
    front_of,
    layer_coverage,
    occluders,
    old_top_in_front,
    shows_back_collar,
    sleeveless,
    without_clothed_hands,
)
from fitroom.fitting.fitted import FittedGarment, FittedLayer
from fitroom.vision.core import BodyPart, BodyParts


def test_neck_opening_hides_the_inside_of_the_back() -> None:
    """A product photo shows the inside of the back through the neck opening; worn, that is
    where the neck and chest are: the torso panel is hidden there, and only there."""
    labels = np.full((200, 200), int(BodyPart.TORSO), np.uint8)
    labels[:40] = int(BodyPart.BACKGROUND)
    parts = BodyParts(labels, np.zeros((200, 200), np.float32))
    plain = occluders(parts, 40.0, True)
    opened = occluders(parts, 40.0, True, neck_span=(80.0, 120.0))
    deepest = 40 + NECK_OPENING_DEPTH * 40
    assert plain[50, 100] < 0.1
    assert opened[50, 100] > 0.9  # inside the opening
    assert opened[round(deepest) + 4, 100] < 0.1  # below it
    assert opened[50, 70] < 0.1 and opened[50, 130] < 0.1  # beside it


def test_the_neck_stays_in_front_above_the_collar_line_only() -> None:
    """The part map's neck is a wide capsule whose lower corners reach onto the shoulders
    beyond the garment's neck points; cut out down to the collar's middle row, they opened a
    square notch of painted skin at each side of the new neckline. The neck stays in front
    above the line through the garment's three neck points, level beyond them."""
    line = collar_line(
        {"neck_left": (120.0, 40.0), "neck_right": (80.0, 40.0), "neck_center": (100.0, 48.0)}, 200
    )
    assert line is not None
    assert line[100] == 48.0 and line[80] == 40.0 and line[10] == 40.0 and line[190] == 40.0
    assert 40.0 < line[90] < 48.0
    assert collar_line({"neck_center": (100.0, 48.0)}, 200) is None
    labels = np.full((200, 200), int(BodyPart.TORSO), np.uint8)
    labels[:50, 60:140] = int(BodyPart.NECK)
    labels[:10] = int(BodyPart.BACKGROUND)
    skin = np.zeros((200, 200), np.float32)
    skin[:50, 85:115] = 1.0  # the neck itself
    parts = BodyParts(labels, skin)
    panel = FittedLayer("torso", (0, 30, 200, 200), np.ones((170, 200, 4), np.float32))
    targets = {"neck_center": (100.0, 48.0), "neck_left": (120.0, 40.0), "neck_right": (80.0, 40.0)}
    garment = FittedGarment(layers=(panel,), targets=targets, scale=1.0, own_neck_opening=True)
    support = np.ones((200, 200), np.float32)
    (layer,) = layer_coverage([garment], parts, support, None)[0]
    assert layer.keep[46, 66] > 0.9 and layer.keep[46, 134] > 0.9  # the capsule's corners
    assert layer.keep[36, 100] < 0.1  # the neck above the collar's middle


def _panel_keep(targets: dict[str, tuple[float, float]], **flags: Any) -> np.ndarray:
    """Where a torso panel covering a 200 × 200 torso (below row 40) shows, for a garment
    pinned at ``targets`` with the given :class:`FittedGarment` neck flags: float32 (H, W)."""
    labels = np.full((200, 200), int(BodyPart.TORSO), np.uint8)
    labels[:40] = int(BodyPart.BACKGROUND)
    parts = BodyParts(labels, np.zeros((200, 200), np.float32))
    support = np.ones((200, 200), np.float32)
    panel = FittedLayer("torso", (0, 0, 200, 200), np.ones((200, 200, 4), np.float32))
    garment = FittedGarment(layers=(panel,), targets=targets, scale=1.0, **flags)
    (layer,) = layer_coverage([garment], parts, support, None)[0]
    return layer.keep


def test_a_garment_with_its_own_opening_gets_no_fixed_one() -> None:
    """The fixed rounded opening is hidden only on a torso panel that does not leave out its
    garment's own (read from the product photo at ingestion): an old package without it
    keeps today's opening, a garment with it shows its panel wherever the panel is."""
    targets = {"neck_center": (100.0, 40.0), "neck_left": (120.0, 40.0), "neck_right": (80.0, 40.0)}
    kept = {own: _panel_keep(targets, own_neck_opening=own) for own in (False, True)}
    assert kept[False][50, 100] < 0.1  # the fixed opening
    assert kept[True][50, 100] > 0.9  # the panel itself decides
    assert kept[False][150, 100] > 0.9 and kept[True][150, 100] > 0.9


def test_a_v_neck_outline_gets_no_opening_cut_below_it() -> None:
    """A wrap or V-neck dress whose product photo's top edge dips deep between its straps: that
    edge is the front neckline itself, and the fixed opening cut below it made a round hole of
    painted skin in the bodice (the shared green tulle dress on every person)."""
    crew = {"neck_center": (100.0, 42.0), "neck_left": (120.0, 40.0), "neck_right": (80.0, 40.0)}
    wrap = {"neck_center": (100.0, 70.0), "neck_left": (140.0, 40.0), "neck_right": (60.0, 42.0)}
    assert shows_back_collar(crew)
    assert not shows_back_collar(wrap)
    assert not shows_back_collar({"neck_center": (100.0, 40.0)})
    for targets, opening in ((crew, True), (wrap, False)):
        below_centre = (round(targets["neck_center"][1]) + 8, 100)
        assert bool(_panel_keep(targets)[below_centre] < 0.1) is opening


def test_a_tank_dress_scooped_back_gets_the_opening() -> None:
    """A tank dress's neck points are its straps' tops and its back is scooped between them
    (STRAPPED_BACK_DIP): the inside of the back (its label) is hidden there; a top, or a dress
    with sleeves, dipping as deep is taken for its front neckline and keeps its panel."""
    scoop = {"neck_center": (100.0, 60.0), "neck_left": (140.0, 40.0), "neck_right": (60.0, 40.0)}
    assert not shows_back_collar(scoop)
    assert shows_back_collar(scoop, STRAPPED_BACK_DIP)
    below_centre = (68, 100)
    assert _panel_keep(scoop, region="full")[below_centre] < 0.1
    assert _panel_keep(scoop)[below_centre] > 0.9  # a top


def test_sleeveless_means_no_sleeve_layer() -> None:
    panel = FittedLayer("torso", (0, 0, 4, 4), np.ones((4, 4, 4), np.float32))
    sleeve = FittedLayer("left_sleeve", (0, 0, 4, 4), np.ones((4, 4, 4), np.float32))
    assert sleeveless(FittedGarment(layers=(panel,), targets={}, scale=1.0))
    assert not sleeveless(FittedGarment(layers=(panel, sleeve), targets={}, scale=1.0))


def test_own_top_stays_in_front_of_new_trousers_above_the_old_waistband() -> None:
    """Trying on only trousers: the person's top, where it hangs over the old waistband, stays
    in front of the new ones; a bare midriff and the old trousers below the line do not."""
    labels = np.full((200, 200), int(BodyPart.TORSO), np.uint8)
    skin = np.zeros((200, 200), np.float32)
    skin[60:80, 90:110] = 1.0  # a bare patch of midriff
    parts = BodyParts(labels, skin)
    person = np.ones((200, 200), np.float32)
    waistband = np.full(200, 120.0, np.float32)
    front = old_top_in_front(parts, person, waistband)
    assert front[100, 50] > 0.9  # the top, above the old waistband
    assert front[70, 100] < 0.1  # bare skin
    assert front[140, 50] < 0.1  # the old trousers, below it


def test_bare_forearms_stay_in_front_of_a_lower_layer() -> None:
    """A hand and forearm hanging in front of the hips stay in front of new shorts."""
    labels = np.full((200, 200), int(BodyPart.TORSO), np.uint8)
    labels[100:160, 20:40] = int(BodyPart.LEFT_FOREARM)
    skin = (labels == int(BodyPart.LEFT_FOREARM)).astype(np.float32)
    parts = BodyParts(labels, skin)
    shorts = FittedGarment(
        layers=(FittedLayer("lower", (0, 80, 200, 200), np.ones((120, 200, 4), np.float32)),),
        targets={},
        scale=1.0,
        region="lower",
    )
    support = np.ones((200, 200), np.float32)
    (layer,) = layer_coverage([shorts], parts, support, None)[0]
    assert layer.keep[130, 30] < 0.1  # the bare forearm stays in front
    assert layer.keep[130, 100] > 0.9  # the shorts show elsewhere


def test_hands_showing_no_skin_do_not_stay_in_front_of_new_shorts() -> None:
    """A "hand" of the part map on a jacket's hem (the real hands behind the back) is no hand:
    new shorts are drawn over it, not cut round it in a blotch of the old jacket; a bare hand
    stays in front (a few shaded pixels of it read as not skin and all)."""
    labels = np.full((200, 200), int(BodyPart.TORSO), np.uint8)
    labels[100:140, 20:50] = int(BodyPart.LEFT_HAND)  # skin: a bare hand
    labels[100:140, 150:180] = int(BodyPart.RIGHT_HAND)  # no skin: the jacket's hem
    skin = np.zeros((200, 200), np.float32)
    skin[100:135, 20:50] = 1.0  # (its lowest rows in shadow)
    parts = BodyParts(labels, skin)
    cleaned = without_clothed_hands(parts)
    assert (cleaned.labels[100:140, 20:50] == int(BodyPart.LEFT_HAND)).all()
    assert (cleaned.labels[100:140, 150:180] == int(BodyPart.BACKGROUND)).all()
    shorts = FittedGarment(
        layers=(FittedLayer("lower", (0, 80, 200, 200), np.ones((120, 200, 4), np.float32)),),
        targets={},
        scale=1.0,
        region="lower",
    )
    (layer,) = layer_coverage([shorts], parts, np.ones((200, 200), np.float32), None)[0]
    assert layer.keep[120, 35] < 0.1  # the bare hand stays in front
    assert layer.keep[120, 165] > 0.9  # the shorts cover the jacket's "hand"
    assert layer.keep[138, 35] < 0.1  # the shaded rows of the bare hand too


def test_a_one_shoulder_garment_gets_no_fixed_opening() -> None:
    """A one-shoulder dress's top edge runs across the chest: no back collar, nothing inside to
    hide. The fixed opening cut below it made a round hole of painted skin and a dark band in
    the bodice (pair 020714); a garment whose top edge goes round the neck keeps it."""
    targets = {"neck_center": (100.0, 42.0), "neck_left": (120.0, 40.0), "neck_right": (80.0, 40.0)}
    kept = {collar: _panel_keep(targets, collar_at_neck=collar) for collar in (True, False)}
    assert kept[True][50, 100] < 0.1
    assert kept[False][50, 100] > 0.9


def test_an_old_cuff_the_part_map_calls_hand_does_not_stay_in_front() -> None:
    """The coarse part map's hand reaches up over the old sleeve's cuff. Kept in front of the
    new garment yet removed as old fabric, that cuff was painted as a band of bare wrist over
    the new sleeve's end (both wrists of pairs 020723 and 00002_00). The hand itself (skin,
    not old fabric) stays in front."""
    labels = np.full((100, 100), int(BodyPart.TORSO), np.uint8)
    labels[60:, 40:60] = int(BodyPart.RIGHT_HAND)  # the cuff (rows 60-69), then the hand
    parts = BodyParts(labels, np.zeros((100, 100), np.float32))
    old_fabric = np.zeros((100, 100), np.float32)
    old_fabric[:70] = 1.0  # the old top and its cuff
    plain = occluders(parts, None, False)
    told = occluders(parts, None, False, old_fabric=old_fabric)
    assert plain[64, 50] > 0.9 and told[64, 50] < 0.1  # the cuff
    assert plain[85, 50] > 0.9 and told[85, 50] > 0.9  # the hand


def test_an_old_cuff_the_part_map_calls_bare_forearm_does_not_stay_in_front() -> None:
    """Likewise a cuff the part map calls bare forearm (forearm label, skin): the new long
    sleeve stopped short of it and it was repainted as a brown band round the wrist (00002_00).
    The bare forearm above it (skin, not old fabric) still crosses in front of the panel."""
    labels = np.full((100, 100), int(BodyPart.TORSO), np.uint8)
    labels[30:90, 40:60] = int(BodyPart.RIGHT_FOREARM)  # bare forearm, then the cuff (70-89)
    skin = np.zeros((100, 100), np.float32)
    skin[30:90, 40:60] = 1.0
    parts = BodyParts(labels, skin)
    old_fabric = np.zeros((100, 100), np.float32)
    old_fabric[70:90, 40:60] = 1.0  # the old cuff
    plain = occluders(parts, None, True)
    told = occluders(parts, None, True, old_fabric=old_fabric)
    assert plain[80, 50] > 0.9 and told[80, 50] < 0.1  # the cuff
    assert plain[45, 50] > 0.9 and told[45, 50] > 0.9  # the bare forearm


def test_cover_with_is_one_layer_over_another_bit_for_bit() -> None:
    """In place, the same float32 values as the plain formula 1 - (1 - c)(1 - a)."""
    rng = np.random.default_rng(5)
    coverage = rng.random((64, 48), dtype=np.float32)
    alpha = rng.random((64, 48), dtype=np.float32)
    expected = (1.0 - (1.0 - coverage) * (1.0 - alpha)).astype(np.float32)
    cover_with(coverage, alpha)
    assert coverage.tobytes() == expected.tobytes()


def test_a_shared_front_gives_the_same_occluders() -> None:
    """Occluders built on a front worked out once equal those worked out from scratch (the
    neck is added to a copy: the shared front itself does not change)."""
    labels = np.full((120, 100), int(BodyPart.TORSO), np.uint8)
    labels[:20, 30:70] = int(BodyPart.HAIR)
    labels[20:40, 35:65] = int(BodyPart.FACE)
    labels[40:50, 42:58] = int(BodyPart.NECK)
    labels[90:110, 5:15] = int(BodyPart.LEFT_HAND)
    parts = BodyParts(labels, np.zeros((120, 100), np.float32))
    image = np.random.default_rng(2).integers(0, 255, (120, 100, 3), np.uint8)
    front = front_of(parts, False, image)
    kept = front.copy()
    shared = occluders(parts, 48.0, False, (42.0, 58.0), image, front=front)
    alone = occluders(parts, 48.0, False, (42.0, 58.0), image)
    assert shared.tobytes() == alone.tobytes()
    assert front.tobytes() == kept.tobytes()
