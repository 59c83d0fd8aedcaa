"""Where the new garment meets the fabric carried out to the old outline: no crack between them.

The new garment's edge is anti-aliased (its coverage falls from 1 to 0 over a pixel or two)
and so is the fabric carried beyond it to the old garment's outline
(:mod:`~fitroom.dressing.drape`). Where the two meet, each covers about half of the rim's
pixels: the rim was covered by neither, repainted as skin under a half-transparent edge, and
drew a thin light or dark line tracing where the new garment's edge lay, inside the fabric.

Masks are float32 (H, W) in [0, 1].
"""

from __future__ import annotations

import cv2
import numpy as np
import numpy.typing as npt

from fitroom.dressing.masks import padded_box

FloatArray = npt.NDArray[np.float32]

#: The widest crack closed, in pixels (the anti-aliased rims of the garment and of the
#: carried fabric side by side).
SEAM_WIDTH = 5


def seam_cracks(union: FloatArray, carried: FloatArray, old_mask: FloatArray) -> FloatArray:
    """The cracks between the new garment and the fabric carried beyond it, to be painted as
    carried fabric too: float32 (H, W) in [0, 1] (0 off the cracks).

    A crack is a valley of the coverage ``max(union, carried)`` at most :data:`SEAM_WIDTH`
    pixels wide (a grey closing lifts it) on the old garment (``old_mask`` > 0.5). Its pixels
    are given the carried fabric's full weight: the carried fabric is painted over the
    garment already drawn (:func:`~fitroom.dressing.drape.extend_fabric`), so at a weight of
    ``1 - union`` the photo under the rim would still show through.

    Args:
        union: float32 (H, W): where the new garments show.
        carried: float32 (H, W): the fabric carried beyond them (drape band and gaps).
        old_mask: float32 (H, W): the old garment.

    >>> u = np.zeros((5, 9), np.float32); u[:, :4] = 1.0; u[:, 4] = 0.5
    >>> c = np.zeros((5, 9), np.float32); c[:, 6:] = 1.0; c[:, 5] = 0.5
    >>> out = seam_cracks(u, c, np.ones((5, 9), np.float32))
    >>> [round(float(v), 2) for v in out[2, 3:7]]
    [0.0, 1.0, 1.0, 0.0]
    """
    out = np.zeros(union.shape, np.float32)
    if not carried.any():
        return out
    # Only around the carried fabric: a crack lies between it and the garment.
    box = padded_box(carried > 0.05, SEAM_WIDTH + 2)
    if box is None:
        return out
    cover = np.maximum(union[box], carried[box])
    k = cv2.getStructuringElement(cv2.MORPH_ELLIPSE, (SEAM_WIDTH, SEAM_WIDTH))
    closed = cv2.morphologyEx(cover, cv2.MORPH_CLOSE, k)
    lift = (closed - cover) * (old_mask[box] > 0.5)
    crack = lift > 0.05
    if not crack.any():
        return out
    # (Full weight on a crack: what the closing lifts is the rim of both edges.)
    out[box] = np.where(crack, closed, np.float32(0.0))
    return out


__all__ = ["SEAM_WIDTH", "seam_cracks"]
