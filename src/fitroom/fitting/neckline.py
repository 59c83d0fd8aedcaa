"""Where a top's front neckline lands on the body: the bottom of its neck opening on the
product photo, pinned below the neck points' targets in the torso panel's warp (see
:func:`fitroom.fitting.garment_fit.fit_upper`)."""

from __future__ import annotations

import numpy as np

from fitroom.garments.core import Garment, GarmentLandmarks, GarmentPart


def front_neckline(garment: Garment) -> tuple[float, float] | None:
    """The front neckline's lowest point on the product photo: the bottom of the neck opening
    (:attr:`GarmentPart.NECK_INSIDE`) midway between the neck points, or None without one."""
    lm = garment.landmarks
    if not {"neck_left", "neck_right"} <= set(lm.names):
        return None
    inside = garment.parts == int(GarmentPart.NECK_INSIDE)
    if not inside.any():
        return None
    cx = 0.5 * (float(lm["neck_left"][0]) + float(lm["neck_right"][0]))
    span = abs(float(lm["neck_left"][0]) - float(lm["neck_right"][0]))
    x0 = max(0, round(cx - 0.1 * span))
    x1 = min(inside.shape[1], round(cx + 0.1 * span) + 1)
    cols = inside[:, x0:x1]
    has = cols.any(axis=0)
    if not has.any():
        return None
    bottoms = inside.shape[0] - 1 - np.argmax(cols[::-1, has], axis=0)
    return cx, float(np.median(bottoms))


def worn_front_neckline(
    front: tuple[float, float],
    landmarks: GarmentLandmarks,
    targets: dict[str, tuple[float, float]],
) -> tuple[float, float]:
    """Where the front neckline's lowest point lands on the body: below the middle of the
    neck points' targets by its depth below them on the product photo, scaled as the neck
    points' distance is.

    Pinned there, the thin-plate spline keeps the opening's shape: with only the neck points
    and the shoulders holding it, the panel between them and the armpits sagged or bulged, and
    the front neckline with it (a crew neck came out a deeper U on some bodies). (Tried: a
    shallower worn neckline than the product photo's, as the true pairs' photos show, pulled
    the print below it into an arc; and lifting the whole garment towards the shoulders' tops
    moved logos away from the photos'.)
    """
    (glx, gly), (grx, gry) = landmarks["neck_left"][:2], landmarks["neck_right"][:2]
    g_span = max(1.0, float(np.hypot(float(glx) - float(grx), float(gly) - float(gry))))
    g_drop = front[1] - 0.5 * (float(gly) + float(gry))
    (lx, ly), (rx, ry) = targets["neck_left"], targets["neck_right"]
    span = float(np.hypot(lx - rx, ly - ry))
    return 0.5 * (lx + rx), 0.5 * (ly + ry) + g_drop * span / g_span


__all__ = ["front_neckline", "worn_front_neckline"]
