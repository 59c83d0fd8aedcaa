"""No crack between the new garment and the fabric carried beyond it
(fitroom.dressing.seams)."""

from __future__ import annotations

import numpy as np

from fitroom.dressing.seams import SEAM_WIDTH, seam_cracks


def _edges(gap: int) -> tuple[np.ndarray, np.ndarray]:
    """A garment (columns < 20) and carried fabric (from 20 + ``gap``), each with an
    anti-aliased one-pixel rim at 0.5 facing the other."""
    union = np.zeros((30, 50), np.float32)
    union[:, :20] = 1.0
    union[:, 20] = 0.5
    carried = np.zeros((30, 50), np.float32)
    carried[:, 22 + gap :] = 1.0
    carried[:, 21 + gap] = 0.5
    return union, carried


class TestSeamCracks:
    def test_the_rims_between_garment_and_carried_fabric_are_filled_whole(self) -> None:
        union, carried = _edges(0)
        cracks = seam_cracks(union, carried, np.ones_like(union))
        assert float(cracks[5:25, 20:22].min()) == 1.0
        # Nothing elsewhere: the garment and the carried fabric themselves are left alone.
        assert float(cracks[:, :20].max()) == 0.0
        assert float(cracks[:, 23:].max()) == 0.0

    def test_a_wider_gap_is_no_crack(self) -> None:
        union, carried = _edges(SEAM_WIDTH + 2)
        assert float(seam_cracks(union, carried, np.ones_like(union)).max()) == 0.0

    def test_only_on_the_old_garment(self) -> None:
        union, carried = _edges(0)
        assert float(seam_cracks(union, carried, np.zeros_like(union)).max()) == 0.0

    def test_nothing_carried_nothing_sealed(self) -> None:
        union, _ = _edges(0)
        empty = np.zeros_like(union)
        assert float(seam_cracks(union, empty, np.ones_like(union)).max()) == 0.0
