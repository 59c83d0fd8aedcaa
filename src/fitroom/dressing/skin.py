"""The person's skin: its colour field, and repainting uncovered old fabric as shaded skin
(its texture: :mod:`~fitroom.dressing.skin_texture`).

Images are float32 (H, W, 3) RGB in [0, 255] while being rendered; masks float32 (H, W) in [0, 1].
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import cv2
import numpy as np
import numpy.typing as npt

from fitroom.dressing.limbs import Limb
from fitroom.dressing.masks import labels_mask, pick, put
from fitroom.dressing.shading import limb_relief
from fitroom.dressing.skin_texture import texture_noise
from fitroom.vision.core import ARM_PARTS, HAND_PARTS, BodyPart, BodyParts

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


#: How much darker repainted skin gets at the person's outline than on the middle of a limb
#: (a round limb lit from the front: the surface turns away from the light at its sides).
OUTLINE_DEPTH = 0.25


def outline_relief(inside: FloatArray, radius: float, depth: float = OUTLINE_DEPTH) -> FloatArray:
    """Light falling off towards the outline of ``inside`` (float32 (h, w), the person as now
    drawn), as on a round limb seen from the front: 1 on a limb's middle line (or deeper than
    ``radius`` inside), down to ``1 - depth`` at the outline. The limb's local half width is
    the greatest distance to the outline within ``radius``, so a thin forearm is as round as a
    thick upper arm. float32 (h, w)."""
    # At a quarter of the size (the light changes slowly; the outline's own pixels are soft
    # anyway; at full size this took 200 ms, at half size 2).
    h, w = inside.shape
    f = 4
    # (Every fourth pixel: the mask's outline is soft, an average would add nothing.)
    hard = (inside[f // 2 :: f, f // 2 :: f] > 0.5).astype(np.uint8)
    if hard.all():
        # (No outline within the box: all of it lies deeper than ``radius`` inside.)
        return np.ones((h, w), np.float32)
    dist = cv2.distanceTransform(hard, cv2.DIST_L2, 3) * np.float32(f)
    # The ridge nearby: the greatest distance within ``radius``, softened (it changes in steps).
    k = 2 * max(1, round(radius / f)) + 1
    ridge = cv2.dilate(dist, np.ones((k, k), np.uint8))
    ridge = cv2.GaussianBlur(ridge, (0, 0), max(0.5, radius / (4.0 * f)))
    ridge = np.clip(ridge, 1.0, np.float32(radius))
    off_middle = np.clip(np.float32(1.0) - dist / ridge, 0.0, 1.0)
    lit = np.float32(1.0) - np.float32(depth) * (1.0 - np.sqrt(1.0 - off_middle * off_middle))
    out: FloatArray = cv2.resize(lit.astype(np.float32), (w, h), interpolation=cv2.INTER_LINEAR)
    return out


#: The width (a share of the photo's longer side; at least 4 pixels) of the crease where an
#: arm lies against the torso: the torso's side there is lit as at an outline (it turns away
#: from the light and the arm shades it), not as the middle of the chest.
CREASE_WIDTH = 0.005


def cut_arm_creases(outline: FloatArray, labels: npt.NDArray[np.uint8], side: int) -> None:
    """Cut the creases where the arms lie against the torso out of ``outline`` (in place).

    Repainted torso skin between an arm and a new garment's side lay deep inside the person's
    outline and was lit as the middle of the chest: a pale strip between the arm and the
    shirt. Cut on the torso's side of the arms' labels, :data:`CREASE_WIDTH` wide (at least
    4 pixels: :func:`outline_relief` samples every fourth), the outline makes the torso's side
    darken towards the arm, and the arm round on that side too.

    Args:
        outline: float32 (H, W): the person as now drawn (see :func:`fill_with_skin`).
        labels: uint8 (H, W): the part map's labels.
        side: the photo's longer side.

    >>> outline = np.ones((20, 20), np.float32)
    >>> labels = np.zeros((20, 20), np.uint8); labels[:, :10] = BodyPart.TORSO
    >>> labels[:, 10:] = BodyPart.LEFT_UPPER_ARM
    >>> cut_arm_creases(outline, labels, 200)
    >>> [float(outline[5, c]) for c in (4, 6, 9, 10)]
    [1.0, 0.0, 0.0, 1.0]
    """
    x, y, bw, bh = cv2.boundingRect((outline > 0.5).view(np.uint8))
    if bw == 0 or bh == 0:
        return
    crop = labels[y : y + bh, x : x + bw]
    arms = labels_mask(crop, ARM_PARTS).view(np.uint8)
    if not arms.any():
        return
    width = max(4, round(CREASE_WIDTH * side))
    near = cv2.dilate(arms, np.ones((2 * width + 1, 2 * width + 1), np.uint8))
    crease = (near != 0) & (arms == 0) & (crop == BodyPart.TORSO)
    outline[y : y + bh, x : x + bw][crease] = 0.0


#: How far (pixels) beyond the repainted skin the photo's own skin is compared with the fill.
SEAM_RING = 4
#: At most this much lighter or darker (a ratio) the repainted skin is made at a seam.
SEAM_RANGE = (0.7, 1.3)


def seam_match(
    photo: FloatArray,
    colour: FloatArray,
    light: FloatArray,
    other: npt.NDArray[np.bool_],
    paint: FloatArray,
    garment_lab: FloatArray | None,
    reach: float,
    at: tuple[npt.NDArray[np.signedinteger[Any]], npt.NDArray[np.signedinteger[Any]]],
) -> FloatArray | None:
    """How much lighter or darker (a gain per channel) repainted skin should be, near where it
    meets the photo's own skin, to join it without a step: float32 (n, 3) at the pixels
    ``at`` (rows, columns), 1 far from any such seam; None where the repainted skin meets none.

    On the photo's skin just beside the repainted pixels (within :data:`SEAM_RING`), the
    ratio of the photo to what the fill would have drawn there is averaged along the seam and
    spread into the repainted skin, fading over ``reach`` pixels (a forearm in the shade of
    the old sleeve's hem joins a repainted upper arm that is as dark where they meet, and
    lit as the fill's relief further up). (On a grid four times coarser: the correction is
    smooth, and a render holds no more frame-sized arrays for it.)

    Args:
        photo: float32 (h, w, 3) RGB, the image before repainting.
        colour: float32 (h, w, 3) the fill's skin colour; ``light`` (h, w) its light.
        other: bool (h, w): what is not the photo's own skin (the repainted skin, the
            backdrop, a new garment), where the seam is not.
        paint: float32 (h, w): how much of each pixel is repainted.
        garment_lab: the old garment's Lab colour (its pixels are no skin), or None.
        reach: how far (pixels) the seam's correction reaches into the repainted skin.

    >>> photo = np.full((40, 40, 3), 150.0, np.float32)
    >>> colour = np.full((40, 40, 3), 200.0, np.float32)
    >>> paint = np.zeros((40, 40), np.float32); paint[:20] = 1.0
    >>> at = (np.array([19, 2]), np.array([20, 20]))
    >>> gain = seam_match(photo, colour, np.ones((40, 40), np.float32), paint > 0, paint,
    ...                   None, 10.0, at)
    >>> [round(float(g), 2) for g in gain[:, 0]]  # at the seam, far above it
    [0.76, 0.95]
    """
    k = 2 * SEAM_RING + 1
    near = cv2.dilate((paint > 0.5).view(np.uint8), np.ones((k, k), np.uint8)) != 0
    ys, xs = np.nonzero(near & ~other)
    if ys.size == 0:
        return None
    pixels = photo[ys, xs]
    model = colour[ys, xs] * light[ys, xs][:, None]
    skin = skin_already(pixels[:, None, :], model[:, None, :], garment_lab)[:, 0] > 0.5
    if int(skin.sum()) < 4 * SEAM_RING:
        return None
    offset = np.clip(pixels[skin] / np.maximum(model[skin], 1.0), *SEAM_RANGE) - 1.0
    ys, xs = ys[skin], xs[skin]
    # The seam's offsets summed in the coarse grid's cells, averaged along it (normalised
    # convolution), spread into the repainted skin and faded with the distance to the seam.
    f = 4
    h, w = paint.shape
    sh, sw = (h + f - 1) // f, (w + f - 1) // f
    cell = (ys // f) * sw + xs // f
    count = np.bincount(cell, minlength=sh * sw).reshape(sh, sw).astype(np.float32)
    num = np.stack(
        [np.bincount(cell, weights=offset[:, c], minlength=sh * sw) for c in range(3)], axis=-1
    ).reshape(sh, sw, 3)
    sigma = max(0.5, 0.5 * reach / f)
    num = cv2.GaussianBlur(num.astype(np.float32), (0, 0), sigma)
    den = cv2.GaussianBlur(count, (0, 0), sigma)
    dist = cv2.distanceTransform((count == 0).view(np.uint8), cv2.DIST_L2, 3) * np.float32(f)
    fade = np.exp(-0.5 * (dist / np.float32(reach)) ** 2)
    fade[den < 1e-4] = 0.0
    grid = num * (fade / np.maximum(den, np.float32(1e-4)))[..., None]
    # Read at the pixels asked for, linearly between the cells' middles (cv2.remap on the
    # list of pixels folded into rows of 1024: the list is long, the grid small).
    n, fold = at[0].size, 1024
    rows = -(-n // fold)
    gy = np.zeros(rows * fold, np.float32)
    gx = np.zeros(rows * fold, np.float32)
    gy[:n] = (at[0] + 0.5) * (1.0 / f) - 0.5
    gx[:n] = (at[1] + 0.5) * (1.0 / f) - 0.5
    read = cv2.remap(
        grid,
        gx.reshape(rows, fold),
        gy.reshape(rows, fold),
        cv2.INTER_LINEAR,
        borderMode=cv2.BORDER_REPLICATE,
    )
    gain: FloatArray = read.reshape(-1, 3)[:n] + np.float32(1.0)
    return gain


def fill_with_skin(
    base: FloatArray,
    exposed: FloatArray,
    skin_rgb: tuple[float, float, float] | FloatArray,
    shading: FloatArray,
    limbs: Sequence[Limb] = (),
    *,
    garment_lab: FloatArray | None = None,
    grain: float = 0.0,
    mottle: float = 0.0,
    outline: FloatArray | None = None,
    own_skin: FloatArray | None = None,
    covered: FloatArray | None = None,
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
        mottle: standard deviation (0-255) of the coarser mottling added to it (see
            :func:`~fitroom.dressing.skin_texture.skin_texture` for both).
        outline: float32 (H, W), the person as now drawn (1 inside: kept, repainted and new
            garments; 0 where the background was repainted): repainted skin darkens towards
            it like a round limb (see :func:`outline_relief`).
        own_skin: float32 (H, W): where the photo shows skin (the part map's), and
            ``covered`` (float32 (H, W), or None) where new garments hide it. Given with a
            field, repainted skin takes on, near where it meets that skin (see
            :func:`seam_match`), how much lighter or darker it is than the fill would have
            drawn it: no step where a repainted upper arm meets the bare forearm. (The field
            ``skin_rgb`` must then reach :data:`SEAM_RING` pixels beyond ``exposed``'s box.)
        out: where the result is written (may be ``base`` itself); a new copy when None.
    """
    out = base.copy() if out is None else out
    # (The box of the pixels to repaint, without listing them.)
    bx, by, bw, bh = cv2.boundingRect((exposed > 1e-3).view(np.uint8))
    if bw == 0 or bh == 0:
        return out
    match_seams = own_skin is not None and isinstance(skin_rgb, np.ndarray)
    if match_seams:
        # (The photo's skin just beyond the pixels to repaint is looked at too.)
        h, w = exposed.shape
        bx, by = max(0, bx - SEAM_RING), max(0, by - SEAM_RING)
        bw, bh = min(w, bx + bw + 2 * SEAM_RING) - bx, min(h, by + bh + 2 * SEAM_RING) - by
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
        to_paint = e > 1e-3
        already[to_paint] = skin_already(
            pick(crop, to_paint)[:, None, :], pick(colour, to_paint)[:, None, :], garment_lab
        )[:, 0]
        # Only skin in coherent patches (an arm's edge) stays: specks of skin seen through an
        # open knit would stay as dots in the fill.
        r = max(2, round(0.004 * max(exposed.shape)))
        k = cv2.getStructuringElement(cv2.MORPH_ELLIPSE, (2 * r + 1, 2 * r + 1))
        patches = cv2.morphologyEx((already > 0.5).view(np.uint8), cv2.MORPH_OPEN, k)
        e = e * (1.0 - already * patches.astype(np.float32))
    else:
        colour = np.asarray(skin_rgb, np.float32)[None, None, :]
    if outline is not None:
        # (The box grown by a limb's radius: the outline's distance is measured beyond it.)
        radius = min((limb.radius for limb in limbs), default=0.03 * max(exposed.shape))
        h, w = exposed.shape
        pad = int(radius) + 2
        gy0, gy1, gx0, gx1 = max(0, y0 - pad), min(h, y1 + pad), max(0, x0 - pad), min(w, x1 + pad)
        relief = outline_relief(outline[gy0:gy1, gx0:gx1], radius)
        light = light * relief[y0 - gy0 : y1 - gy0, x0 - gx0 : x1 - gx0]
    if isinstance(skin_rgb, np.ndarray):
        # The field already holds the brightness of the skin nearby, its limbs' lit middles and
        # darker sides averaged: the light only varies it (a patch in a sleeve's shade is
        # darker than the lit arm beside it, but the patch as a whole is as bright as that
        # arm; a repainted arm's sides are darker than the field, its middle brighter).
        total = float(e.sum())
        if total > 1.0:
            light = light / np.float32(max(0.5, float((light * e).sum()) / total))
    # Only the pixels to repaint are worked out (where ``e`` is 0 the blend gives the photo
    # back): the box is mostly other things.
    # (Boolean indexing lists them in the same row-major order, faster than their indices.)
    sel = e != 0
    weight = e[sel][:, None]
    lit = light[sel]
    skin = (pick(colour, sel) if colour.shape[:2] == e.shape else colour[0]) * lit[:, None]
    if own_skin is not None and match_seams:
        radius = min((limb.radius for limb in limbs), default=0.03 * max(exposed.shape))
        own = own_skin[y0:y1, x0:x1]
        if covered is not None:
            own = own * (1.0 - covered[y0:y1, x0:x1])
        other = (e >= 0.05) | (own < 0.5)
        rows, cols = np.nonzero(sel)
        gain = seam_match(crop, colour, light, other, e, garment_lab, radius, (rows, cols))
        if gain is not None:
            skin *= gain
    if grain > 0.0 or mottle > 0.0:
        # (Multiplied by the light: a shaded side's texture is as much darker as it is.)
        noise = texture_noise(grain, mottle, y1 - y0, x1 - x0)[sel] * lit
        skin += noise[:, None]
    put(out[y0:y1, x0:x1], sel, pick(crop, sel) * (1.0 - weight) + skin * weight)
    return out


__all__ = [
    "CREASE_WIDTH",
    "DEFAULT_SKIN_RGB",
    "OUTLINE_DEPTH",
    "SEAM_RANGE",
    "SEAM_RING",
    "cut_arm_creases",
    "fill_with_skin",
    "outline_relief",
    "seam_match",
    "skin_already",
    "skin_colour",
    "skin_field",
]
