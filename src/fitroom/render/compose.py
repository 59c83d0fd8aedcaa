"""Rendering as pure functions: old-garment removal, shading transfer, occlusion, compositing.

Images are RGB; inside this module they are float32 (H, W, 3) in [0, 255] so that several steps
can be chained without rounding. Masks are float32 (H, W) in [0, 1].
"""

from __future__ import annotations

from collections.abc import Sequence

import cv2
import numpy as np
import numpy.typing as npt

from fitroom.fitting.garment_fit import FittedLayer
from fitroom.vision.core import ARM_PARTS, HAND_PARTS, LEG_PARTS, BodyPart, BodyParts

FloatArray = npt.NDArray[np.float32]
ByteArray = npt.NDArray[np.uint8]

#: Used when the photo shows no skin to learn from (e.g. gloves and a hood).
DEFAULT_SKIN_RGB = (196, 150, 125)


def _labels_mask(
    labels: ByteArray, parts: frozenset[BodyPart] | set[BodyPart]
) -> npt.NDArray[np.bool_]:
    return np.isin(labels, np.array([int(p) for p in parts], np.uint8))


def skin_colour(image: ByteArray, parts: BodyParts) -> tuple[float, float, float]:
    """Median RGB of the person's confident skin on face, neck and hands (a default if none).

    Args:
        image: uint8 (H, W, 3) RGB photo.
        parts: its body-part map.
    """
    where = _labels_mask(parts.labels, {BodyPart.FACE, BodyPart.NECK, *HAND_PARTS})
    where &= parts.skin > 0.6
    if int(where.sum()) < 50:
        where = parts.skin > 0.8
    if int(where.sum()) < 50:
        return tuple(float(c) for c in DEFAULT_SKIN_RGB)  # type: ignore[return-value]
    med = np.median(image[where].reshape(-1, 3), axis=0)
    return float(med[0]), float(med[1]), float(med[2])


def old_garment_mask(
    parts: BodyParts, person: FloatArray, image: ByteArray | None = None
) -> FloatArray:
    """Where the person's current upper garment is: float32 (H, W) in [0, 1].

    Torso and arm pixels that are not skin, inside the person. The neck is left alone: the
    body-part map's neck often reaches into the chin and hair, which must not change. With
    ``image`` given, torso pixels in the lower half of the torso must also be coloured like the
    garment's chest (ΔE76 < 30): the part map's torso reaches into the waistband of trousers or
    a skirt, which must not be repainted.
    """
    labels = parts.labels
    torso = labels == int(BodyPart.TORSO)
    region = torso | _labels_mask(labels, set(ARM_PARTS))
    hard = region & (parts.skin < 0.5) & (person > 0.5)
    if image is not None and torso.any():
        rows = np.nonzero(torso.any(axis=1))[0]
        top, bottom = int(rows[0]), int(rows[-1])
        middle = (top + bottom) // 2
        chest = hard[top:middle] & torso[top:middle]
        cols = np.nonzero(torso.any(axis=0))[0]
        x0, x1 = int(cols[0]), int(cols[-1]) + 1
        if int(chest.sum()) > 50:
            lower = image[middle : bottom + 1, x0:x1].astype(np.float32) / 255.0
            lab = cv2.cvtColor(lower, cv2.COLOR_RGB2LAB)
            ref_lab = cv2.cvtColor(
                image[top:middle][chest].reshape(-1, 1, 3).astype(np.float32) / 255.0,
                cv2.COLOR_RGB2LAB,
            ).reshape(-1, 3)
            ref = np.median(ref_lab, axis=0)
            alike = np.linalg.norm(lab - ref, axis=2) < 30.0
            hard[middle : bottom + 1, x0:x1] &= alike | ~torso[middle : bottom + 1, x0:x1]
    soft: FloatArray = cv2.GaussianBlur(hard.astype(np.float32), (0, 0), 1.0)
    return soft


def old_lower_garment_mask(parts: BodyParts, person: FloatArray) -> FloatArray:
    """Where the person's current trousers or skirt are: leg pixels that are not skin, inside the
    person. float32 (H, W) in [0, 1]."""
    hard = _labels_mask(parts.labels, set(LEG_PARTS)) & (parts.skin < 0.5) & (person > 0.5)
    soft: FloatArray = cv2.GaussianBlur(hard.astype(np.float32), (0, 0), 1.0)
    return soft


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


def fill_with_skin(
    base: FloatArray,
    exposed: FloatArray,
    skin_rgb: tuple[float, float, float],
    shading: FloatArray,
) -> FloatArray:
    """Repaint ``exposed`` pixels (old garment no longer covered) as shaded skin.

    Args:
        base: float32 (H, W, 3) image being rendered.
        exposed: float32 (H, W) in [0, 1], how much of each pixel to repaint.
        skin_rgb: the person's skin colour.
        shading: float32 (H, W) relative light (1 = average).
    """
    out = base.copy()
    ys, xs = np.nonzero(exposed > 1e-3)
    if ys.size == 0:
        return out
    y0, y1, x0, x1 = int(ys.min()), int(ys.max()) + 1, int(xs.min()), int(xs.max()) + 1
    light = np.clip(shading[y0:y1, x0:x1], 0.65, 1.2) ** 0.7
    skin = np.asarray(skin_rgb, np.float32)[None, None, :] * light[..., None]
    e = exposed[y0:y1, x0:x1, None]
    out[y0:y1, x0:x1] = base[y0:y1, x0:x1] * (1.0 - e) + skin * e
    return out


def limb_mask(shape: tuple[int, int], limbs: Sequence[tuple[FloatArray, float]]) -> FloatArray:
    """Where the limbs themselves are: thick polylines along the bones, float32 (H, W) in [0, 1].

    Args:
        shape: (H, W).
        limbs: per limb, (K, 2) joint positions in pixels (e.g. shoulder, elbow, wrist) and
            its radius in pixels.
    """
    out = np.zeros(shape, np.uint8)
    for chain, radius in limbs:
        thickness = max(1, round(2 * radius))
        pts = np.round(chain).astype(np.int32).reshape(-1, 1, 2)
        cv2.polylines(out, [pts], False, 255, thickness, cv2.LINE_AA)
    return out.astype(np.float32) * np.float32(1.0 / 255.0)


def fill_with_background(base: FloatArray, region: FloatArray, factor: int = 4) -> FloatArray:
    """Repaint ``region`` (float32 (H, W) in [0, 1]) from its surroundings (inpainting at
    1/``factor`` resolution; the fill is smooth, as a background behind a person is)."""
    out = base.copy()
    hard = region > 0.05
    ys, xs = np.nonzero(hard)
    if ys.size == 0:
        return out
    h, w = region.shape
    pad = 8 * factor
    y0, y1 = max(0, int(ys.min()) - pad), min(h, int(ys.max()) + pad + 1)
    x0, x1 = max(0, int(xs.min()) - pad), min(w, int(xs.max()) + pad + 1)
    crop = np.clip(base[y0:y1, x0:x1], 0, 255).astype(np.uint8)
    size = (max(1, (x1 - x0) // factor), max(1, (y1 - y0) // factor))
    small = cv2.resize(crop, size, interpolation=cv2.INTER_AREA)
    # Area-average then any coverage counts, so thin regions survive the downscale.
    coverage = cv2.resize(hard[y0:y1, x0:x1].astype(np.float32), size, interpolation=cv2.INTER_AREA)
    small_mask = cv2.dilate((coverage > 0).astype(np.uint8), np.ones((3, 3), np.uint8))
    filled = cv2.inpaint(small, small_mask, 3, cv2.INPAINT_TELEA)
    big = cv2.resize(filled, (x1 - x0, y1 - y0), interpolation=cv2.INTER_LINEAR).astype(np.float32)
    e = region[y0:y1, x0:x1, None]
    out[y0:y1, x0:x1] = base[y0:y1, x0:x1] * (1.0 - e) + big * e
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


def place_layer(layer: FittedLayer, size: tuple[int, int]) -> FloatArray:
    """A layer's alpha placed in a full float32 (H, W) frame of ``size`` (width, height)."""
    w, h = size
    out = np.zeros((h, w), np.float32)
    x0, y0, x1, y1 = layer.box
    out[y0:y1, x0:x1] = layer.rgba[..., 3]
    return out


def composite_layer(
    base: FloatArray,
    layer: FittedLayer,
    hidden: FloatArray,
    shading: FloatArray,
    support: FloatArray,
) -> FloatArray:
    """Draw one premultiplied layer over ``base`` in place; returns its visible alpha (H, W).

    Args:
        base: float32 (H, W, 3) image, modified in place.
        layer: the warped garment part.
        hidden: float32 (H, W) in [0, 1]: what lies in front of this layer (hair, hands, ...).
        shading: float32 (H, W) relative light from the photo (1 = average).
        support: float32 (H, W) in [0, 1]: where garment may appear (the person, slightly grown).
    """
    h, w = base.shape[:2]
    x0, y0, x1, y1 = layer.box
    visible = np.zeros((h, w), np.float32)
    keep = (1.0 - hidden[y0:y1, x0:x1]) * support[y0:y1, x0:x1]
    alpha = layer.rgba[..., 3] * keep
    if not alpha.any():
        return visible
    light = np.clip(shading[y0:y1, x0:x1], 0.7, 1.25) ** 0.6
    colour = layer.rgba[..., :3] * (keep * light)[..., None]
    crop = base[y0:y1, x0:x1]
    crop *= 1.0 - alpha[..., None]
    crop += colour
    visible[y0:y1, x0:x1] = alpha
    return visible


def grow_mask(mask: FloatArray, radius: int) -> FloatArray:
    """A float mask dilated by ``radius`` pixels and softened by a one-pixel blur."""
    if radius <= 0:
        return mask.astype(np.float32)
    k = cv2.getStructuringElement(cv2.MORPH_ELLIPSE, (2 * radius + 1, 2 * radius + 1))
    grown = cv2.dilate(mask.astype(np.float32), k)
    out: FloatArray = cv2.GaussianBlur(grown, (0, 0), 1.0)
    return out


def occluders(parts: BodyParts, neckline_y: float | None, with_arms: bool) -> FloatArray:
    """What stays in front of a garment layer: hair, face, hands, the neck above the neckline,
    and (for the torso panel) the bare arms. float32 (H, W) in [0, 1], edges softened."""
    labels = parts.labels
    front = _labels_mask(labels, {BodyPart.HAIR, BodyPart.FACE, *HAND_PARTS})
    if with_arms:
        # Bare arms are in front of the torso; arms in old sleeves are not protected (the new
        # garment or the skin fill replaces those sleeves).
        front |= _labels_mask(labels, set(ARM_PARTS)) & (parts.skin > 0.5)
    if neckline_y is not None:
        neck = labels == int(BodyPart.NECK)
        rows = np.arange(labels.shape[0])[:, None] < neckline_y
        front |= neck & rows
    soft: FloatArray = cv2.GaussianBlur(front.astype(np.float32), (0, 0), 0.8)
    return soft


__all__ = [
    "DEFAULT_SKIN_RGB",
    "composite_layer",
    "contact_shadow",
    "fill_with_background",
    "fill_with_skin",
    "grow_mask",
    "limb_mask",
    "low_frequency_shading",
    "occluders",
    "old_garment_mask",
    "old_lower_garment_mask",
    "place_layer",
    "skin_colour",
]
