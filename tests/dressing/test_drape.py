"""The new garment carried out to the old garment's outline where the two nearly meet."""

from __future__ import annotations

import numpy as np

from fitroom.dressing.drape import DRAPE_REACH, drape_band, extend_fabric


def _masks() -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    union = np.zeros((300, 300), np.float32)
    union[50:200, 100:200] = 1.0  # the new top
    old = np.zeros((300, 300), np.float32)
    old[45:230, 95:205] = 1.0  # the old top: 5 px wider each side, 30 px longer
    old[100:120, 240:260] = 1.0  # an island of old fabric well away from the new top
    exposed = old * (1.0 - union)
    return union, old, exposed


class TestDrapeBand:
    def test_rim_beside_the_new_garment_is_covered(self) -> None:
        union, _, exposed = _masks()
        band = drape_band(exposed, union, np.ones_like(union), side=300)
        assert band[120, 97] > 0.9 and band[120, 202] > 0.9  # the sides
        assert band[47, 150] > 0.9  # above the shoulders

    def test_hem_and_islands_stay(self) -> None:
        union, _, exposed = _masks()
        band = drape_band(exposed, union, np.ones_like(union), side=300)
        assert band[215, 150] == 0.0  # below the new hem: the hem stays where it is
        assert band[110, 250] == 0.0  # an island of old fabric far from the new top
        reach = DRAPE_REACH * 300
        assert not (band[120, : round(100 - reach - 2)] > 0).any()

    def test_not_allowed_is_not_covered(self) -> None:
        union, _, exposed = _masks()
        allowed = np.ones_like(union)
        allowed[:, :150] = 0.0
        band = drape_band(exposed, union, allowed, side=300)
        assert band[120, 97] == 0.0 and band[120, 202] > 0.9


def test_extend_fabric_paints_the_garment_colour() -> None:
    union, _, exposed = _masks()
    base = np.full((300, 300, 3), 200.0, np.float32)
    base[union > 0.5] = (30.0, 60.0, 150.0)
    band = drape_band(exposed, union, np.ones_like(union), side=300)
    extend_fabric(base, band, union, np.ones_like(union))
    assert np.allclose(base[120, 97], (30.0, 60.0, 150.0), atol=2.0)
    assert np.allclose(base[215, 150], 200.0)  # untouched below the hem
