"""The drape of new trousers, shorts or skirts (fitroom.dressing.lower_drape)."""

from __future__ import annotations

import numpy as np

from fitroom.dressing.lower_drape import (
    LOWER_DRAPE_REACH,
    lower_drape_allowed,
    lower_drape_band,
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
