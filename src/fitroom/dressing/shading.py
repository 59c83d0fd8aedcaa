"""Light: the photo's slowly varying light, round limbs' relief, contact shadows at garment edges.

Masks are float32 (H, W) in [0, 1]; light and shadow factors float32 (H, W), 1 = unchanged.
"""

from __future__ import annotations

from collections.abc import Sequence

import cv2
import numpy as np
import numpy.typing as npt

from fitroom.dressing.limbs import Limb

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
    spread = cv2.GaussianBlur(alpha, (0, 0), sigma)
    outside = np.clip(spread - alpha, 0.0, 1.0)
    factor: FloatArray = (1.0 - strength * outside * person).astype(np.float32)
    return factor


__all__ = ["contact_shadow", "limb_relief", "low_frequency_shading"]
