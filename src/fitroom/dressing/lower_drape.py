"""The drape of new trousers, shorts or a skirt: carried out to the old ones' outline where the
two nearly meet.

A lower garment fitted from a few landmarks (waist, crotch, hems) is a little narrower or wider
than what the person wears: at the hips and along the outer seams. Painting the rim of old fabric
it leaves as skin or background draws a pale band down the leg that no photo of the person shows.
As for a top (see :mod:`fitroom.dressing.drape`), the new fabric is carried out to the old
outline, but outwards only: the gap between the new legs stays, and so does the new hem (shorts
over old trousers end at their own length), judged per column rather than from the nearest new
pixel (down a slanted outer seam that nearest pixel lies above, and the carried band broke into
teeth); and less far than a top's (:data:`LOWER_DRAPE_REACH`).

Masks float32 (H, W) in [0, 1].
"""

from __future__ import annotations

import cv2
import numpy as np
import numpy.typing as npt

from fitroom.dressing.drape import ALLOWED_SMOOTHING
from fitroom.dressing.masks import labels_mask, smooth_edges
from fitroom.vision.core import BodyPart, BodyParts

FloatArray = npt.NDArray[np.float32]

#: How far new trousers, shorts or a skirt may be carried out, as a share of the photo's longer
#: side: a few pixels, the rim the fit leaves. (At 0.012 the shared shorts pairs came closer to
#: their photos, but on other people the band became a panel of its own down each side: over
#: an old dress, beside leggings, in stair-steps down a slanted seam; a blind review preferred
#: the trousers without it.)
LOWER_DRAPE_REACH = 0.002


def lower_drape_allowed(parts: BodyParts) -> FloatArray:
    """Where the fabric of new trousers, shorts or a skirt may be carried out: the torso and the
    legs, rounded like :func:`~fitroom.dressing.drape.drape_allowed`. float32 (H, W) in [0, 1]."""
    body = labels_mask(parts.labels, (BodyPart.TORSO, BodyPart.LEFT_LEG, BodyPart.RIGHT_LEG))
    return smooth_edges(body, max(1.5, ALLOWED_SMOOTHING * max(parts.labels.shape)))


def lower_drape_band(
    exposed: FloatArray,
    garment: FloatArray,
    allowed: FloatArray,
    side: int,
    legs_below: float | None = None,
) -> FloatArray:
    """Old trousers or skirt beside the new lower garment that it should cover: float32 (H, W).

    Args:
        exposed: the old trousers or skirt the new garment leaves uncovered.
        garment: the new lower garment's coverage.
        allowed: where its fabric may go (:func:`lower_drape_allowed`).
        side: the photo's longer side in pixels.
        legs_below: the row of the new garment's crotch: below it, what lies between two
            pieces of it on a row is the gap between the legs (None: on every row).

    Returns:
        The uncovered old fabric within :data:`LOWER_DRAPE_REACH` of the new
        garment, touching it, outside it on its row (not between the legs) and not below its
        hem (the lowest new row within that reach of the column), softened at its far edge.

    >>> z = np.zeros((40, 40), np.float32)
    >>> new = z.copy(); new[5:30, 10:20] = 1.0
    >>> old = z.copy(); old[5:35, 10:24] = 1.0
    >>> band = lower_drape_band(old * (1 - new), new, np.ones_like(z), 2000)
    >>> bool(band[20, 22] > 0.5), bool(band[33, 22] > 0.5)
    (True, False)
    """
    h, w = garment.shape
    out = np.zeros((h, w), np.float32)
    covered = garment > 0.5
    cand = (exposed > 0.5) & (allowed > 0.5) & ~covered
    if not cand.any() or not covered.any():
        return out
    reach = max(2.0, LOWER_DRAPE_REACH * side)
    dist = cv2.distanceTransform(np.ascontiguousarray(~covered).view(np.uint8), cv2.DIST_L2, 5)
    # Per column the new garment's lowest row, spread sideways by the reach (beside a leg).
    rows = np.arange(h, dtype=np.int32)[:, None]
    hem = np.where(covered.any(axis=0), np.max(np.where(covered, rows, -1), axis=0), -1)
    k = 2 * round(reach) + 1
    hem_near = cv2.dilate(hem.astype(np.float32)[None, :], np.ones((1, k), np.uint8))[0]
    band = cand & (dist <= reach) & (rows <= hem_near[None, :])
    # Not inwards between the new legs: below the crotch, what lies between two pieces of the
    # new garment on a row is the gap between the legs, background or skin. (Closed where it
    # was narrow, the old trousers between legs standing together became bars of new fabric
    # across the gap. Above the crotch, a hole is where a hand in a pocket or a bag lies in
    # front: carried over, the band rims it.)
    left = np.maximum.accumulate(covered, axis=1)
    right = np.maximum.accumulate(covered[:, ::-1], axis=1)[:, ::-1]
    between = left & right
    if legs_below is not None:
        between &= rows >= legs_below
    band &= ~between
    # Only the rim that touches the new garment: an island of old fabric farther out stays old.
    n, comp = cv2.connectedComponents(np.ascontiguousarray(band | covered).view(np.uint8))
    if n > 2:
        band &= np.isin(comp, np.unique(comp[covered]))
    soft = cv2.GaussianBlur(band.astype(np.float32), (0, 0), 0.8)
    out[:] = soft * exposed * np.clip(allowed * 2.0, 0.0, 1.0)
    return out


__all__ = [
    "LOWER_DRAPE_REACH",
    "lower_drape_allowed",
    "lower_drape_band",
]
