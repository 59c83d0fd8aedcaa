"""The person's skin: its colour field, and repainting uncovered old fabric as shaded skin.

Images are float32 (H, W, 3) RGB in [0, 255] while being rendered; masks float32 (H, W) in [0, 1].
"""

from __future__ import annotations

from collections.abc import Sequence

import cv2
import numpy as np
import numpy.typing as npt

from fitroom.dressing.limbs import Limb
from fitroom.dressing.masks import labels_mask
from fitroom.dressing.shading import limb_relief
from fitroom.vision.core import HAND_PARTS, BodyPart, BodyParts

FloatArray = npt.NDArray[np.float32]
ByteArray = npt.NDArray[np.uint8]

#: Used when the photo shows no skin to learn from (e.g. gloves and a hood).
DEFAULT_SKIN_RGB = (196, 150, 125)


def skin_colour(image: ByteArray, parts: BodyParts) -> tuple[float, float, float]:
    """Median RGB of the person's confident skin on face, neck and hands (a default if none).

    Args:
        image: uint8 (H, W, 3) RGB photo.
        parts: its body-part map.
    """
    where = labels_mask(parts.labels, {BodyPart.FACE, BodyPart.NECK, *HAND_PARTS})
    where &= parts.skin > 0.6
    if int(where.sum()) < 50:
        where = parts.skin > 0.8
    if int(where.sum()) < 50:
        return tuple(float(c) for c in DEFAULT_SKIN_RGB)  # type: ignore[return-value]
    med = np.median(image[where].reshape(-1, 3), axis=0)
    return float(med[0]), float(med[1]), float(med[2])


def _push_pull(num: FloatArray, den: FloatArray, fallback: FloatArray) -> FloatArray:
    """Fill a sparse weighted average everywhere: where ``den`` (coverage in [0, 1]) is low, the
    value comes from ever coarser averages (a pull-push pyramid). ``num`` (h, w, 3) holds the
    weighted sums; ``fallback`` (3,) is used when nothing at all is covered."""
    h, w = den.shape
    if h <= 2 and w <= 2:
        total = float(den.sum())
        mean = num.reshape(-1, 3).sum(axis=0) / total if total > 1e-3 else fallback
        return np.broadcast_to(mean.astype(np.float32), (h, w, 3)).copy()
    size = (max(1, (w + 1) // 2), max(1, (h + 1) // 2))
    coarse = _push_pull(
        cv2.resize(num, size, interpolation=cv2.INTER_AREA),
        cv2.resize(den, size, interpolation=cv2.INTER_AREA),
        fallback,
    )
    up = cv2.resize(coarse, (w, h), interpolation=cv2.INTER_LINEAR)
    weight = np.clip(den * np.float32(4.0), 0.0, 1.0)[..., None]
    own = num / np.maximum(den, np.float32(1e-6))[..., None]
    out: FloatArray = (own * weight + up * (1.0 - weight)).astype(np.float32)
    return out


#: The skin colour field is estimated on a grid this many times coarser than the photo.
SKIN_FIELD_FACTOR = 8


def skin_field(
    image: ByteArray,
    parts: BodyParts,
    person: FloatArray,
    box: tuple[int, int, int, int] | None = None,
) -> FloatArray:
    """The person's skin colour at every pixel, from the nearest skin the photo shows.

    Confident skin on the neck, chest, arms, hands and legs (the face only when there is too
    little of those: make-up and features make it a poor match for the body) is averaged on a
    coarse grid and spread into the gaps by a pull-push pyramid, so a repainted chest takes the
    colour and light of the neck and shoulders next to it, a repainted arm that of the hand.

    Args:
        box: (x0, y0, x1, y1): only this part of the field is wanted (the rest is left 0).

    Returns:
        float32 (H, W, 3) RGB in [0, 255], smooth.
    """
    h, w = parts.labels.shape
    f = SKIN_FIELD_FACTOR
    size = (max(1, w // f), max(1, h // f))
    # (Every other row and column: the grid's cells average many pixels anyway.)
    half = slice(None, None, 2), slice(None, None, 2)
    sure = (parts.skin[half] > 0.7) & (person[half] > 0.5)
    body = sure & ~labels_mask(parts.labels[half], {BodyPart.FACE, BodyPart.HAIR})
    sources = body if int(body.sum()) >= 10 * f * f else sure
    weight = cv2.resize(sources.astype(np.float32), size, interpolation=cv2.INTER_AREA)
    sub = np.ascontiguousarray(image[half])
    masked = cv2.bitwise_and(sub, sub, mask=sources.view(np.uint8))
    # (Averaged in 8 bits: a cell's mean need not be finer than a grey level.)
    num = cv2.resize(masked, size, interpolation=cv2.INTER_AREA).astype(np.float32)
    total = float(weight.sum())
    # (The person's overall skin colour only matters when no skin is seen at all.)
    fallback = (
        num.reshape(-1, 3).sum(axis=0) / np.float32(total)
        if total > 1e-3
        else np.asarray(skin_colour(image, parts), np.float32)
    )
    small = _push_pull(num, weight, fallback)
    # A light blur: the coarse cells' averages would otherwise show as soft blocks.
    small = cv2.GaussianBlur(small, (0, 0), 1.0)
    x0, y0, x1, y1 = box if box is not None else (0, 0, w, h)
    field = np.zeros((h, w, 3), np.float32)
    if x1 <= x0 or y1 <= y0:
        return field
    # Upsampled (as cv2.resize would, pixel centres aligned) only inside the box.
    fx, fy = w / size[0], h / size[1]
    to_small = np.array(
        [[1.0 / fx, 0.0, (x0 + 0.5) / fx - 0.5], [0.0, 1.0 / fy, (y0 + 0.5) / fy - 0.5]]
    )
    field[y0:y1, x0:x1] = cv2.warpAffine(
        small,
        to_small,
        (x1 - x0, y1 - y0),
        flags=cv2.INTER_LINEAR | cv2.WARP_INVERSE_MAP,
        borderMode=cv2.BORDER_REPLICATE,
    )
    return field


def _lab(rgb: FloatArray) -> FloatArray:
    lab: FloatArray = cv2.cvtColor(
        np.clip(rgb, 0, 255) * np.float32(1.0 / 255.0), cv2.COLOR_RGB2LAB
    )
    return lab


def skin_already(
    image: FloatArray, field: FloatArray, garment_lab: FloatArray | None
) -> FloatArray:
    """How surely each pixel already shows skin (so need not be repainted): float32 (h, w) in
    [0, 1]. A pixel counts as skin when its colour is near the local skin colour ``field`` and
    nearer to it than to the old garment's colour ``garment_lab`` (Lab; lightness counts half:
    shading changes it). The part map's skin mask is coarse at the edges of arms; without this,
    bare skin there would be repainted with a flatter copy of itself.

    Args:
        image: float32 (h, w, 3) RGB in [0, 255].
        field: float32 (h, w, 3) RGB skin colour (see :func:`skin_field`).
        garment_lab: (3,) Lab colour of the old garment, or None if unknown.
    """
    weights = np.array([0.7, 1.0, 1.0], np.float32)
    lab = _lab(image)
    d_skin = np.linalg.norm((lab - _lab(field)) * weights, axis=2)
    near = np.clip((22.0 - d_skin) / 8.0, 0.0, 1.0)
    if garment_lab is None:
        out: FloatArray = near.astype(np.float32)
        return out
    d_garment = np.linalg.norm((lab - garment_lab.astype(np.float32)) * weights, axis=2)
    nearer = np.clip((d_garment - d_skin - 4.0) / 8.0, 0.0, 1.0)
    out = (near * nearer).astype(np.float32)
    return out


_GRAIN: FloatArray | None = None


def _grain(h: int, w: int) -> FloatArray:
    """Unit-variance fine noise (a fixed seed, a tile repeated): the grain a camera puts on skin."""
    global _GRAIN
    if _GRAIN is None:
        noise = np.random.default_rng(7).standard_normal((128, 128)).astype(np.float32)
        # Blurred on a wrapped copy, so the tile repeats without seams.
        wrapped = np.pad(noise, 4, mode="wrap")
        noise = cv2.GaussianBlur(wrapped, (0, 0), 0.7)[4:-4, 4:-4]
        _GRAIN = (noise / np.float32(noise.std())).astype(np.float32)
    reps = (-(-h // 128), -(-w // 128))
    tiled: FloatArray = np.tile(_GRAIN, reps)[:h, :w]
    return tiled


def fill_with_skin(
    base: FloatArray,
    exposed: FloatArray,
    skin_rgb: tuple[float, float, float] | FloatArray,
    shading: FloatArray,
    limbs: Sequence[Limb] = (),
    *,
    garment_lab: FloatArray | None = None,
    grain: float = 0.0,
    out: FloatArray | None = None,
) -> FloatArray:
    """Repaint ``exposed`` pixels (old garment no longer covered) as shaded skin.

    Args:
        base: float32 (H, W, 3) image being rendered.
        exposed: float32 (H, W) in [0, 1], how much of each pixel to repaint.
        skin_rgb: the person's skin colour, or float32 (H, W, 3) a colour per pixel (see
            :func:`skin_field`); with a field, pixels that already look like skin there (see
            :func:`skin_already`) keep the photo.
        shading: float32 (H, W) relative light (1 = average).
        limbs: the arms, legs (and torso) whose repainted skin is
            shaded round (see :func:`limb_relief`) rather than flat.
        garment_lab: the old garment's Lab colour, to tell skin from a skin-coloured garment.
        grain: standard deviation (0-255) of the fine grain added to the repainted skin.
        out: where the result is written (may be ``base`` itself); a new copy when None.
    """
    out = base.copy() if out is None else out
    # (The box of the pixels to repaint, without listing them.)
    bx, by, bw, bh = cv2.boundingRect((exposed > 1e-3).view(np.uint8))
    if bw == 0 or bh == 0:
        return out
    y0, y1, x0, x1 = by, by + bh, bx, bx + bw
    # The old garment's light is only a hint for skin: on dark fabric small absolute changes
    # are large relative ones, so it is damped and bounded.
    light = np.clip(shading[y0:y1, x0:x1], 0.85, 1.15) ** 0.5
    if limbs:
        offset = np.array([x0, y0], np.float32)
        light = light * limb_relief((y1 - y0, x1 - x0), [limb.shifted(offset) for limb in limbs])
    e = exposed[y0:y1, x0:x1]
    crop = base[y0:y1, x0:x1]
    if isinstance(skin_rgb, np.ndarray):
        colour = skin_rgb[y0:y1, x0:x1]
        # Only where something is to be repainted (the box is mostly other things).
        already = np.zeros(e.shape, np.float32)
        ys_e, xs_e = np.nonzero(e > 1e-3)
        already[ys_e, xs_e] = skin_already(
            crop[ys_e, xs_e][:, None, :], colour[ys_e, xs_e][:, None, :], garment_lab
        )[:, 0]
        # Only skin in coherent patches (an arm's edge) stays: specks of skin seen through an
        # open knit would stay as dots in the fill.
        r = max(2, round(0.004 * max(exposed.shape)))
        k = cv2.getStructuringElement(cv2.MORPH_ELLIPSE, (2 * r + 1, 2 * r + 1))
        patches = cv2.morphologyEx((already > 0.5).view(np.uint8), cv2.MORPH_OPEN, k)
        e = e * (1.0 - already * patches.astype(np.float32))
        # The field already holds the brightness of the skin nearby: the light only varies it
        # (a patch in a sleeve's shade is darker than the lit arm beside it, but the patch as
        # a whole is as bright as that arm).
        total = float(e.sum())
        if total > 1.0:
            light = light / np.float32(max(0.5, float((light * e).sum()) / total))
    else:
        colour = np.asarray(skin_rgb, np.float32)[None, None, :]
    # Only the pixels to repaint are worked out (where ``e`` is 0 the blend gives the photo
    # back): the box is mostly other things.
    ys, xs = np.nonzero(e)
    weight = e[ys, xs][:, None]
    skin = (colour[ys, xs] if colour.shape[:2] == e.shape else colour[0]) * light[ys, xs][:, None]
    if grain > 0.0:
        skin = skin + (np.float32(grain) * _grain(y1 - y0, x1 - x0)[ys, xs])[:, None]
    out[ys + y0, xs + x0] = crop[ys, xs] * (1.0 - weight) + skin * weight
    return out


def skin_grain(image: ByteArray, parts: BodyParts) -> float:
    """The fine grain (standard deviation, 0-255) on the person's confident skin: what a
    repainted patch needs so it does not look smoother than the skin around it."""
    # (Every third row and column: a median needs no more, and the grain is finer than that.)
    sure = parts.skin[::3, ::3] > 0.8
    if int(sure.sum()) < 100:
        return 0.0
    grey = cv2.cvtColor(np.ascontiguousarray(image[::3, ::3]), cv2.COLOR_RGB2GRAY)
    grey = grey.astype(np.float32)
    fine = grey - cv2.GaussianBlur(grey, (0, 0), 1.0)
    # The median absolute deviation: edges of features (eyes, nails) are outliers.
    mad = float(np.median(np.abs(fine[sure])))
    return float(min(3.0, 0.8 * 1.4826 * mad))


__all__ = [
    "DEFAULT_SKIN_RGB",
    "fill_with_skin",
    "skin_already",
    "skin_colour",
    "skin_field",
    "skin_grain",
]
