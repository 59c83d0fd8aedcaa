"""The photo's light and folds, to be laid on a new garment.

A garment photographed flat has no folds where the person's body bends it and no light from the
photo's lamps. Both are in the photo, in the luminance of what the person wears: the slowly
varying light (see :func:`~fitroom.render.compose.low_frequency_shading`) and the folds, narrow
dark and bright streaks on top of the fabric's own colour. :func:`fold_shading` takes the folds
as the ratio of the luminance to a local median of it: the median follows the fabric's colour
and prints wider than a fold, so what is left is shading, not colour.
"""

from __future__ import annotations

import cv2
import numpy as np
import numpy.typing as npt

FloatArray = npt.NDArray[np.float32]
ByteArray = npt.NDArray[np.uint8]

#: Width of the local median, as a share of the photo's longer side: wider than a fold, narrower
#: than a print or a garment panel.
FOLD_WINDOW = 0.03
#: Luminance added to both sides of the ratio (0-255 scale): on black fabric a little sensor noise
#: is not a fold.
FOLD_FLOOR = 12.0
#: How far folds may darken or brighten the new garment.
FOLD_RANGE = (0.6, 1.3)
#: A luminance step beyond this (as |log ratio|) is a print's edge, not a fold: folds are gentle.
PRINT_STEP = 0.35
#: A colour (a*, b* distance to the local median) beyond this is a print, not a fold: folds
#: change how light the fabric is, not its hue.
PRINT_CHROMA = 10.0


def fold_shading(image: ByteArray, region: FloatArray, side: int | None = None) -> FloatArray:
    """Folds of the fabric inside ``region``: float32 (H, W) factors, 1.0 = no fold.

    Args:
        image: uint8 (H, W, 3) RGB photo.
        region: float32 (H, W) in [0, 1]: the fabric (and skin) whose folds are wanted.
        side: the photo's longer side in pixels when ``image`` is a crop of it.

    Returns:
        float32 (H, W): luminance over its local median within the region, clipped to
        :data:`FOLD_RANGE`; 1.0 outside the region and where the window is mostly outside it.

    >>> flat = np.full((64, 64, 3), 120, np.uint8)
    >>> bool(np.allclose(fold_shading(flat, np.ones((64, 64), np.float32)), 1.0))
    True
    """
    h, w = region.shape
    side = side or max(h, w)
    inside = region > 0.5
    if not inside.any():
        return np.ones((h, w), np.float32)
    # Half resolution: folds are wider than two pixels, and the median is the costly step.
    f = 2 if min(h, w) >= 64 else 1
    sw, sh = max(1, w // f), max(1, h // f)
    small_rgb = cv2.resize(image, (sw, sh), interpolation=cv2.INTER_AREA)
    lab = cv2.cvtColor(small_rgb, cv2.COLOR_RGB2LAB)  # uint8 Lab: a*, b* offset by 128
    small = cv2.cvtColor(small_rgb, cv2.COLOR_RGB2GRAY)
    small_in = cv2.resize(inside.view(np.uint8), (sw, sh), interpolation=cv2.INTER_NEAREST) > 0
    # Outside the region the median would see the background: fill it with the region's own
    # values pushed outwards (inpainting at a coarse scale is enough for a median's window).
    filled = small.copy()
    chroma = np.ascontiguousarray(lab[..., 1:])
    if not small_in.all():
        dist, nearest = cv2.distanceTransformWithLabels(
            (~small_in).view(np.uint8), cv2.DIST_L2, 3, labelType=cv2.DIST_LABEL_PIXEL
        )
        ys, xs = np.nonzero(small_in)
        lookup = np.zeros(int(nearest.max()) + 1, np.uint8)
        lookup[nearest[ys, xs]] = small[ys, xs]
        filled = lookup[nearest]
        flat = nearest.ravel()
        chroma_lookup = np.zeros((int(nearest.max()) + 1, 2), np.uint8)
        chroma_lookup[nearest[ys, xs]] = chroma[ys, xs]
        chroma = chroma_lookup[flat].reshape(sh, sw, 2)
        del dist
    k = max(3, round(FOLD_WINDOW * side / f) | 1)
    k = min(k, 255)
    base = cv2.medianBlur(filled, k).astype(np.float32)
    ratio = (filled.astype(np.float32) + FOLD_FLOOR) / (base + FOLD_FLOOR)
    # Prints, logos and stripes of the old garment are not folds: where the colour leaves the
    # local median's hue, or the luminance jumps more than a fold does, nothing is taken.
    hue_base = np.dstack([cv2.medianBlur(np.ascontiguousarray(chroma[..., c]), k) for c in (0, 1)])
    hue_off = np.linalg.norm(chroma.astype(np.float32) - hue_base.astype(np.float32), axis=2)
    step = np.abs(np.log(ratio))
    fold_like = np.clip(1.0 - (step - PRINT_STEP) / 0.15, 0.0, 1.0) * np.clip(
        1.0 - (hue_off - PRINT_CHROMA) / 5.0, 0.0, 1.0
    )
    # (Spread a little: a print's anti-aliased rim is neither print nor fold.)
    fold_like = cv2.erode(fold_like.astype(np.float32), np.ones((3, 3), np.uint8))
    ratio = 1.0 + (np.clip(ratio, *FOLD_RANGE) - 1.0) * fold_like
    # Fade out towards the region's edge, where the window saw what lies beyond.
    weight = cv2.GaussianBlur(small_in.astype(np.float32), (0, 0), max(1.0, k / 4))
    weight = np.clip((weight - 0.5) * 2.0, 0.0, 1.0) * small_in
    folds = 1.0 + (ratio - 1.0) * weight
    big: FloatArray = cv2.resize(folds.astype(np.float32), (w, h), interpolation=cv2.INTER_LINEAR)
    return big


__all__ = [
    "FOLD_FLOOR",
    "FOLD_RANGE",
    "FOLD_WINDOW",
    "PRINT_CHROMA",
    "PRINT_STEP",
    "fold_shading",
]
