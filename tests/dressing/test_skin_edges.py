"""The outline of repainted skin against the background (fitroom.dressing.skin_edges)."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

import cv2
import numpy as np

from fitroom.dressing.skin import fill_with_skin
from fitroom.dressing.skin_edges import crisp_outline, skin_outline_over_backdrop

GREY = (128.0, 128.0, 128.0)  # the backdrop
LAVENDER = (180.0, 150.0, 220.0)  # the old fabric
SKIN = (200.0, 150.0, 120.0)

if TYPE_CHECKING:
    from tests.dressing.conftest import InATank


def _stair_sleeve(step: int = 6) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """A 96×96 old lavender sleeve on a grey backdrop whose outline is a diagonal staircase of
    ``step`` pixels (a part map's grid), with a rim pixel of half fabric, half backdrop outside
    it on every row (the fabric's own soft edge, which the person mask leaves outside).
    Returns (image float32 (H, W, 3), exposed (the sleeve, to repaint as skin), backdrop)."""
    h = w = 96
    image = np.empty((h, w, 3), np.float32)
    image[:] = GREY
    exposed = np.zeros((h, w), np.float32)
    for y in range(h):
        edge = 20 + (y // step) * step // 2  # the outline moves right in steps down the rows
        exposed[y, edge:] = 1.0
        image[y, edge:] = LAVENDER
        image[y, edge - 1] = 0.5 * (np.array(GREY) + np.array(LAVENDER))
    backdrop = 1.0 - exposed
    return image, exposed, backdrop


def _outline_columns(weight: np.ndarray) -> np.ndarray:
    """Per row, where the weight crosses 0.5 going right (sub-pixel, linear between pixels)."""
    cols = []
    for row in weight:
        i = int(np.argmax(row >= 0.5))
        a, b = float(row[i - 1]), float(row[i])
        cols.append(i - 1 + (0.5 - a) / (b - a))
    return np.array(cols)


def _wobble(cols: np.ndarray) -> float:
    """RMS distance of the outline from the straight line through it, in pixels."""
    rows = np.arange(cols.size, dtype=np.float64)
    fit = np.polyval(np.polyfit(rows, cols, 1), rows)
    return float(np.sqrt(np.mean((cols - fit) ** 2)))


class TestCrispOutline:
    def test_smooths_stairs_keeps_the_area(self) -> None:
        _, exposed, _ = _stair_sleeve()
        hard = exposed > 0.5
        out = crisp_outline(hard, 3.0)
        assert out.dtype == np.float32
        assert float(out.min()) >= 0.0 and float(out.max()) <= 1.0
        # (Rows near the top and bottom edges are left out: the blur meets the border there.)
        middle = slice(12, 84)
        assert _wobble(_outline_columns(out[middle])) < 0.6 * _wobble(
            _outline_columns(hard[middle].astype(np.float32))
        )
        assert abs(float(out.sum()) - float(hard.sum())) < 0.01 * float(hard.sum())

    def test_rim_is_narrow(self) -> None:
        hard = np.zeros((20, 40), bool)
        hard[:, 20:] = True
        row = crisp_outline(hard, 3.0)[10]
        # Between 0 and 1 over about two pixels: anti-aliased, not blurred.
        assert int(((row > 0.02) & (row < 0.98)).sum()) <= 3


class TestSkinOutlineOverBackdrop:
    def test_no_halo_and_no_stairs(self) -> None:
        image, exposed, backdrop = _stair_sleeve()
        removable = np.ones(exposed.shape, bool)
        clear = backdrop > 0.5
        base = image.copy()
        weight = skin_outline_over_backdrop(base, exposed, backdrop, removable, clear, 1000)
        out = fill_with_skin(base, weight, SKIN, np.ones(exposed.shape, np.float32))
        # Beside the repainted skin no pixel keeps the old fabric's bluish tint (its rim was
        # a line of half lavender all along the outline).
        before = fill_with_skin(image, exposed, SKIN, np.ones(exposed.shape, np.float32))
        assert float((before[..., 2] - before[..., 0]).max()) >= 20.0
        assert float((out[..., 2] - out[..., 0]).max()) < 3.0
        # The skin's outline is a smooth line, not the sleeve's stair-steps.
        middle = slice(12, 84)
        assert _wobble(_outline_columns(weight[middle])) < 0.6 * _wobble(
            _outline_columns(exposed[middle])
        )
        # Away from the outline the skin is whole and the backdrop untouched.
        assert float(weight[:, 80:].min()) == 1.0
        assert np.array_equal(out[:, :8], image[:, :8])

    def test_keeps_what_may_not_change(self) -> None:
        image, exposed, backdrop = _stair_sleeve()
        # Nothing may change (the person's kept parts all round): weight and image as given.
        removable = np.zeros(exposed.shape, bool)
        base = image.copy()
        weight = skin_outline_over_backdrop(
            base, exposed, backdrop, removable, backdrop > 0.5, 1000
        )
        assert np.array_equal(base[exposed == 0], image[exposed == 0])
        assert np.array_equal(weight[exposed == 0], exposed[exposed == 0])

    def test_nothing_to_do(self) -> None:
        image, exposed, backdrop = _stair_sleeve()
        base = image.copy()
        none = np.zeros_like(exposed)
        weight = skin_outline_over_backdrop(
            base, none, backdrop, np.ones(none.shape, bool), backdrop > 0.5, 1000
        )
        assert np.array_equal(weight, none)
        assert np.array_equal(base, image)


def test_repainted_arms_have_no_halo_on_a_photo(in_a_tank: Callable[[str], InATank]) -> None:
    # A woman in a lavender tee on a grey backdrop dressed in a sleeveless tank top: the old
    # sleeves are repainted as bare arms. Where the arms meet the backdrop no line of the
    # tee's colour stays: 58 bluish pixels there before the outline was redrawn, 13 now (by
    # the new tank's straps, where the outline is left as drawn).
    scene = in_a_tank("dresscode_049713_0")
    photo, mask, dressed = scene.photo, scene.mask, scene.dressed
    result = dressed.image.astype(np.int16)
    changed = np.abs(result - photo.astype(np.int16)).max(axis=2) > 12
    painted = changed & (result[..., 0] > result[..., 2] + 25)
    painted = cv2.morphologyEx(painted.astype(np.uint8), cv2.MORPH_OPEN, np.ones((3, 3), np.uint8))
    assert int(painted.sum()) > 5000
    ring = (cv2.dilate(painted, np.ones((5, 5), np.uint8)) > 0) & (painted == 0)
    ring &= (mask < 0.5) & (dressed.visible_masks[0] < 0.05)
    lab = cv2.cvtColor(dressed.image.astype(np.float32) / 255.0, cv2.COLOR_RGB2LAB)
    bluish = ring & (lab[..., 2] < -6.0)
    assert int(bluish.sum()) <= 20
