"""Light: the photo's slowly varying light and its folds, round limbs' relief, contact shadows.

A garment photographed flat has no folds where the person's body bends it and no light from the
photo's lamps. Both are in the photo, in the luminance of what the person wears: the slowly
varying light (:func:`low_frequency_shading`) and the folds, narrow dark and bright streaks on
top of the fabric's own colour (:func:`fold_shading`: the ratio of the luminance to a local
median of it; the median follows the fabric's colour and prints wider than a fold).

Masks are float32 (H, W) in [0, 1]; light and shadow factors float32 (H, W), 1 = unchanged.
"""

from __future__ import annotations

from collections.abc import Sequence

import cv2
import numpy as np
import numpy.typing as npt

from fitroom.dressing.limbs import Limb
from fitroom.dressing.masks import blur_box

FloatArray = npt.NDArray[np.float32]
ByteArray = npt.NDArray[np.uint8]


def low_frequency_shading(image: ByteArray, region: FloatArray, sigma: float = 24.0) -> FloatArray:
    """The photo's slowly varying light inside ``region``, relative to its median (1 = median).

    Normalised convolution inside the region, so bright skin or background next to a dark
    garment does not leak into it. Computed at 1/8 resolution for speed.

    Returns:
        float32 (H, W); 1.0 where the region gives no information.
    """
    h, w = region.shape
    f = 8
    sw, sh = max(1, w // f), max(1, h // f)
    grey = cv2.cvtColor(image, cv2.COLOR_RGB2GRAY).astype(np.float32)
    small_l = cv2.resize(grey * region, (sw, sh), interpolation=cv2.INTER_AREA)
    small_w = cv2.resize(region, (sw, sh), interpolation=cv2.INTER_AREA)
    s = sigma / f
    num = cv2.GaussianBlur(small_l, (0, 0), s)
    den = cv2.GaussianBlur(small_w, (0, 0), s)
    ok = den > 1e-3
    light = np.ones_like(num)
    light[ok] = num[ok] / den[ok]
    inside = small_w > 0.5
    if int(inside.sum()) < 4:
        return np.ones((h, w), np.float32)
    ref = float(np.median(light[inside]))
    if ref < 1.0:
        return np.ones((h, w), np.float32)
    rel = np.where(ok, light / ref, 1.0).astype(np.float32)
    big: FloatArray = cv2.resize(rel, (w, h), interpolation=cv2.INTER_LINEAR)
    return big


def limb_relief(shape: tuple[int, int], limbs: Sequence[Limb], depth: float = 0.15) -> FloatArray:
    """Light falling off across round limbs: 1 on each bone, darker towards its sides (a
    cylinder seen from the front, lit from the camera, at most ``depth`` darker), back to 1 at
    the radius without a step. float32 (H, W); 1 beyond the radius.

    Args:
        shape: (H, W).
        limbs: the limbs (joints and radius in pixels).
    """
    h, w = shape
    out = np.ones(shape, np.float32)
    for limb in limbs:
        chain, radius = limb.bones, limb.radius
        if radius <= 1.0:
            continue
        # Only the limb's box (grown by its radius) can change.
        lo = np.floor(chain.min(axis=0) - radius - 1).astype(int)
        hi = np.ceil(chain.max(axis=0) + radius + 2).astype(int)
        x0, y0 = max(0, int(lo[0])), max(0, int(lo[1]))
        x1, y1 = min(w, int(hi[0])), min(h, int(hi[1]))
        if x1 <= x0 or y1 <= y0:
            continue
        bones = np.full((y1 - y0, x1 - x0), 255, np.uint8)
        pts = np.round(chain - np.array([x0, y0], np.float32)).astype(np.int32)
        cv2.polylines(bones, [pts.reshape(-1, 1, 2)], False, 0, 1)
        dist = cv2.distanceTransform(bones, cv2.DIST_L2, 3)
        across = np.clip(dist / np.float32(radius), 0.0, 1.0)
        # Lambert on a cylinder: the surface normal turns away as sqrt(1 - x²) falls; faded
        # back to 1 over the outer quarter of the radius, so where the repainted skin goes on
        # beyond the limb (a belly beside the thighs) there is no dark seam at the radius.
        fade = np.clip((1.0 - across) / 0.25, 0.0, 1.0)
        fade = fade * fade * (3.0 - 2.0 * fade)
        lit = 1.0 - depth * (1.0 - np.sqrt(1.0 - across * across)) * fade
        # Beyond the radius lies the torso (or background), not this limb.
        lit[dist >= radius] = 1.0
        np.minimum(out[y0:y1, x0:x1], lit, out=out[y0:y1, x0:x1])
    return out


def contact_shadow(
    alpha: FloatArray, person: FloatArray, sigma: float, strength: float = 0.3
) -> FloatArray:
    """Multiplicative darkening just outside a garment's edges (1 = unchanged), only on the person.

    Args:
        alpha: float32 (H, W) union of the new garments' coverage.
        person: float32 (H, W) person mask.
        sigma: shadow softness in pixels.
    """
    factor: FloatArray = np.ones(alpha.shape, np.float32)
    # (Only the garments' box grown by the blur's reach: beyond it the factor is exactly 1.)
    box = blur_box(alpha != 0, sigma)
    if box is None:
        return factor
    spread = cv2.GaussianBlur(alpha[box], (0, 0), sigma)
    outside = np.clip(spread - alpha[box], 0.0, 1.0)
    factor[box] = 1.0 - strength * outside * person[box]
    return factor


#: Width of the local median, as a share of the photo's longer side: wider than a fold, narrower
#: than a print or a garment panel.
FOLD_WINDOW = 0.03
#: Luminance added to both sides of the ratio (0-255 scale): on black fabric a little sensor noise
#: is not a fold.
FOLD_FLOOR = 12.0
#: How far folds may darken or brighten the new garment. Brightening is held lower than
#: darkening: a fold's shadow carries over to any fabric, but a sheen on the old fabric (a
#: bulky, shiny suit) would cover a matte new one in bright specks.
FOLD_RANGE = (0.8, 1.1)
#: Folds are taken softened by this power (1 = as deep as in the photo): what carries over is
#: the drape, not every crease and seam of the old garment (its belt, its waistband and its
#: hems would show through the new one).
FOLD_STRENGTH = 0.7
#: A luminance step beyond this (as |log ratio|) is a print's edge, not a fold: folds are gentle.
PRINT_STEP = 0.2
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
    out = np.ones((h, w), np.float32)
    if not inside.any():
        return out
    # Only the region's box (and a window beyond) is worked on: the rest stays 1.
    bx, by, bw, bh = cv2.boundingRect(inside.view(np.uint8))
    pad = round(FOLD_WINDOW * side) + 4
    x0, y0 = max(0, bx - pad), max(0, by - pad)
    x1, y1 = min(w, bx + bw + pad), min(h, by + bh + pad)
    out[y0:y1, x0:x1] = _folds_in_box(
        np.ascontiguousarray(image[y0:y1, x0:x1]), np.ascontiguousarray(inside[y0:y1, x0:x1]), side
    )
    return out


def _folds_in_box(image: ByteArray, inside: npt.NDArray[np.bool_], side: int) -> FloatArray:
    """:func:`fold_shading` on a box holding the whole region (``inside``, bool (h, w))."""
    h, w = inside.shape
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
        # (OpenCV numbers the region's pixels 1, 2, ... in row-major order, as boolean
        # indexing lists them.)
        size = int(np.count_nonzero(small_in)) + 1
        lookup = np.zeros(size, np.uint8)
        lookup[1:] = small[small_in]
        filled = lookup[nearest]
        flat = nearest.ravel()
        chroma_lookup = np.zeros((size, 2), np.uint8)
        chroma_lookup[1:] = chroma[small_in]
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
    ratio = 1.0 + (np.clip(ratio**FOLD_STRENGTH, *FOLD_RANGE) - 1.0) * fold_like
    # Fade out towards the region's edge, where the window saw what lies beyond.
    weight = cv2.GaussianBlur(small_in.astype(np.float32), (0, 0), max(1.0, k / 4))
    weight = np.clip((weight - 0.5) * 2.0, 0.0, 1.0) * small_in
    folds = 1.0 + (ratio - 1.0) * weight
    big: FloatArray = cv2.resize(folds.astype(np.float32), (w, h), interpolation=cv2.INTER_LINEAR)
    return big


__all__ = [
    "FOLD_FLOOR",
    "FOLD_RANGE",
    "FOLD_STRENGTH",
    "FOLD_WINDOW",
    "PRINT_CHROMA",
    "PRINT_STEP",
    "contact_shadow",
    "fold_shading",
    "limb_relief",
    "low_frequency_shading",
]
