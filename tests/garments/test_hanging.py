"""Hanging sleeves: drawn long-sleeved tops whose sleeves hang beside the body, and a tee."""

from __future__ import annotations

import cv2
import numpy as np
import pytest

from fitroom.garments import GarmentPart, ingest_garment
from fitroom.garments.category import shape_features
from fitroom.garments.hanging import HangingSleeve, find_hanging_sleeve, inner_line_x
from fitroom.garments.silhouette import silhouette

#: A long-sleeved top laid flat (photo pixels, 1000 × 1000): body 300..700 from the shoulders
#: at y 150 to the hem at y 820, sleeves 80 px wide hanging from the shoulders to y 860, parted
#: from the body by a 20 px gap from y ``gap_top`` down (they touch the body above it).
SHOULDERS_Y, HEM_Y, CUFF_Y = 150, 820, 860


def _long_sleeved_top(gap_top: int) -> np.ndarray:
    image = np.full((1000, 1000, 3), 245, np.uint8)
    colour = (30, 60, 120)
    body = np.array([(420, 100), (580, 100), (700, 150), (700, HEM_Y), (300, HEM_Y), (300, 150)])
    cv2.fillPoly(image, [body.astype(np.int32)], colour)
    for x_out, x_in in ((200, 280), (800, 720)):
        sleeve = np.array([(x_out, 230), (x_out, CUFF_Y), (x_in, CUFF_Y), (x_in, 230)])
        cv2.fillPoly(image, [sleeve.astype(np.int32)], colour)
        # The shoulder: the sleeve's top joined to the body's shoulder corner.
        shoulder = np.array([(x_out, 230), (300 if x_out < 500 else 700, 150), (x_in, 230)])
        cv2.fillPoly(image, [np.vstack([shoulder, [(x_in, gap_top)]]).astype(np.int32)], colour)
        # Sleeve against the body above the gap.
        lo, hi = sorted((x_in, 300 if x_out < 500 else 700))
        cv2.rectangle(image, (lo, 150), (hi, gap_top), colour, -1)
    return image


@pytest.mark.parametrize("gap_top", [330, 640])
def test_drawn_hanging_sleeves_are_found_with_their_cuffs(gap_top: int) -> None:
    sil = silhouette(np.any(_long_sleeved_top(gap_top) < 200, axis=2))
    width = shape_features(sil).body_width
    s = 1.0 / sil.scale
    for outward in (-1, 1):
        sleeve = find_hanging_sleeve(sil, outward, width)
        assert isinstance(sleeve, HangingSleeve)
        # The cuff's corners are the sleeve's bottom corners; the gap starts where it was drawn.
        outer_x = 200 if outward < 0 else 800
        inner_x = 280 if outward < 0 else 720
        assert abs(sleeve.cuff_outer[0] * s - outer_x) <= 8
        assert abs(sleeve.cuff_inner[0] * s - inner_x) <= 8
        assert abs(sleeve.cuff_outer[1] * s - CUFF_Y) <= 8
        assert abs(sleeve.gap_top[1] * s - gap_top) <= 10
        # Above the gap the sleeve's inner edge is its outer edge moved in by its width.
        assert abs(inner_line_x(sil, sleeve, (gap_top - 60) * sil.scale) * s - inner_x) <= 10


def test_short_sleeved_tee_has_no_hanging_sleeve() -> None:
    image = np.full((900, 1000, 3), 245, np.uint8)
    outline = np.array(
        [(400, 110), (600, 110), (860, 260), (790, 330), (690, 250), (690, 820), (310, 820),
         (310, 250), (210, 330), (140, 260)],
        np.int32,
    )  # fmt: skip
    cv2.fillPoly(image, [outline], (40, 90, 160))
    sil = silhouette(np.any(image < 200, axis=2))
    width = shape_features(sil).body_width
    assert find_hanging_sleeve(sil, -1, width) is None
    assert find_hanging_sleeve(sil, 1, width) is None


@pytest.mark.parametrize("gap_top", [330, 640])
def test_drawn_hanging_sleeves_give_landmarks_and_parts(gap_top: int) -> None:
    """Shoulders at the shoulder corners, armpits at the top of the gap (or, hidden, no lower
    than it), cuffs at the sleeve ends, and the sleeve parts are the sleeves."""
    garment = ingest_garment(_long_sleeved_top(gap_top), category_hint="upper")
    lm = garment.landmarks
    assert garment.sleeve == "long"
    for side, x_out, x_in in (("right", 200, 280), ("left", 800, 720)):
        assert lm[f"shoulder_{side}"][1] < 260, side
        assert abs(lm[f"shoulder_{side}"][0] - (x_out + (300 if side == "right" else 700)) / 2) < 70
        assert SHOULDERS_Y < lm[f"armpit_{side}"][1] <= gap_top + 10
        assert abs(lm[f"cuff_{side}_outer"][0] - x_out) <= 8
        assert abs(lm[f"cuff_{side}_inner"][0] - x_in) <= 8
        assert abs(lm[f"hem_{side}"][1] - HEM_Y) <= 8
    parts = garment.parts
    assert (parts[700, 210:270] == GarmentPart.RIGHT_SLEEVE).all()
    assert (parts[700, 730:790] == GarmentPart.LEFT_SLEEVE).all()
    assert (parts[700, 320:680] == GarmentPart.BODY).all()
