"""Split a garment into the parts the fitting stage warps separately.

Upper garments and dresses: pixels outward of the torso line shoulder → armpit → waist → hem
corner on each side are that side's sleeve, the rest is the body panel. Lower garments and
jumpsuits: below the crotch, each side of it is a leg. Values are :class:`GarmentPart` codes.
"""

from __future__ import annotations

import numpy as np
import numpy.typing as npt

from fitroom.garments.core import Category, GarmentLandmarks, GarmentPart

ByteArray = npt.NDArray[np.uint8]


def _line_x(
    rows: npt.NDArray[np.float32], pts: list[tuple[float, float]]
) -> npt.NDArray[np.float32]:
    ys = np.array([p[1] for p in pts], np.float32)
    xs = np.array([p[0] for p in pts], np.float32)
    ys = np.maximum.accumulate(ys + np.arange(len(ys), dtype=np.float32) * 1e-3)
    return np.interp(rows, ys, xs).astype(np.float32)


def split_parts(
    mask: npt.NDArray[np.bool_],
    landmarks: GarmentLandmarks,
    category: Category,
    has_sleeves: bool,
) -> ByteArray:
    """Per-pixel part map.

    Args:
        mask: bool (H, W) garment pixels at photo resolution.
        landmarks: the garment's landmarks (photo pixels).
        category: upper, lower or full.
        has_sleeves: whether the garment has sleeves.

    Returns:
        uint8 (H, W) of :class:`GarmentPart` values; 0 outside the mask.

    >>> m = np.ones((4, 4), bool)
    >>> lm = GarmentLandmarks(("waistband_left",), np.zeros((1, 3), np.float32))
    >>> int(split_parts(m, lm, "lower", False).max())
    1
    """
    h, w = mask.shape
    parts = np.where(mask, np.uint8(GarmentPart.BODY), np.uint8(GarmentPart.NONE)).astype(np.uint8)
    rows = np.arange(h, dtype=np.float32)
    cols = np.arange(w, dtype=np.float32)[None, :]
    names = set(landmarks.names)
    if has_sleeves and {"shoulder_right", "armpit_right", "hem_right"} <= names:
        for side, outward, part in (
            ("right", -1.0, GarmentPart.RIGHT_SLEEVE),
            ("left", 1.0, GarmentPart.LEFT_SLEEVE),
        ):
            # Along the body's side: through the waist too, so a sleeve hanging beside a fitted
            # body is cut along the body's edge, not along the chord from armpit to hem.
            keys = ["shoulder", "armpit", "waist", "hem"]
            if f"waist_{side}" not in names:
                keys.remove("waist")
            pts = [
                (float(landmarks[f"{k}_{side}"][0]), float(landmarks[f"{k}_{side}"][1]))
                for k in keys
            ]
            line = _line_x(rows, pts)
            beyond = (cols - line[:, None]) * outward > 0
            if category == "full":
                # Sleeves end above the middle of a dress's skirt (it flares past the line).
                armpit_y, hem_y = pts[1][1], pts[-1][1]
                beyond[int(max(0, armpit_y + 0.5 * (hem_y - armpit_y))) :] = False
            cuffs = [f"cuff_{side}_outer", f"cuff_{side}_inner"]
            if set(cuffs) <= names and min(float(landmarks[n][2]) for n in cuffs) > 0.1:
                # Nor does a sleeve reach below its cuff: a skirt or hem bulging past the
                # torso line there is body.
                cuff_y = max(float(landmarks[n][1]) for n in cuffs)
                beyond[int(max(0, cuff_y + 0.02 * h)) :] = False
            parts[mask & beyond] = np.uint8(part)
    if "crotch" in names and float(landmarks["crotch"][2]) > 0:
        cx, cy = float(landmarks["crotch"][0]), float(landmarks["crotch"][1])
        below = rows[:, None] > cy
        parts[mask & below & (cols < cx)] = np.uint8(GarmentPart.RIGHT_LEG)
        parts[mask & below & (cols >= cx)] = np.uint8(GarmentPart.LEFT_LEG)
    return parts


__all__ = ["split_parts"]
