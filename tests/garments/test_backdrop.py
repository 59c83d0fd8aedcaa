"""The backdrop flood: a white garment on a flat backdrop is not taken for backdrop."""

from __future__ import annotations

import cv2
import numpy as np

from fitroom.garments.backdrop import backdrop_seen_from_border, border_mask, lab_of


def _photo(size: int = 200) -> np.ndarray:
    return np.full((size, size, 3), 246, np.uint8)


def test_white_garment_with_a_faint_outline_is_not_backdrop() -> None:
    """A near-white panel (1 ΔE brighter than the backdrop) inside a faint grey outline: the
    loose colour tolerance alone would flood it; the flood stops at the outline."""
    photo = _photo()
    photo[50:150, 60:140] = 249
    cv2.rectangle(photo, (60, 50), (139, 149), (240, 240, 240), 1)
    photo[100, 60] = 246  # a one-pixel break in the outline does not let the flood in
    lab = lab_of(photo)
    known = backdrop_seen_from_border(lab, border_mask(200, 200, 2))
    assert not known[60:140, 70:130].any()
    assert known[:40].all() and known[160:].all()


def test_narrow_gap_between_dark_parts_stays_backdrop() -> None:
    """Between two dark legs a gap two pixels wide, open at the bottom, is backdrop."""
    photo = _photo()
    photo[30:180, 50:99] = 40
    photo[30:180, 101:150] = 40
    photo[30:60, 99:101] = 40  # the legs join at the top
    lab = lab_of(photo)
    known = backdrop_seen_from_border(lab, border_mask(200, 200, 2))
    assert known[70:170, 99:101].mean() > 0.9
    assert not known[40:170, 55:95].any()


def test_vignetted_backdrop_is_flooded_whole() -> None:
    """A backdrop darkening 5 L towards its corners is all backdrop (the wide tolerance)."""
    yy, xx = np.mgrid[:200, :200].astype(np.float32)
    r2 = ((xx - 100) ** 2 + (yy - 100) ** 2) / 100.0**2
    photo = np.repeat((245 - 12 * r2)[..., None], 3, axis=2).astype(np.uint8)
    photo[70:130, 80:120] = (200, 30, 40)
    known = backdrop_seen_from_border(lab_of(photo), border_mask(200, 200, 2))
    outside = np.ones((200, 200), bool)
    outside[66:134, 76:124] = False
    assert known[outside].mean() > 0.99
    assert not known[72:128, 82:118].any()
