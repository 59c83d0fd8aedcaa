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
from fitroom.dressing.masks import blur_box, per_channel
from fitroom.fitting.fitted import FittedGarment

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
    # (The rows and columns that fill whole f×f blocks: OpenCV's area filter averages those
    # blocks exactly, many times faster than its general path for a fractional scale. The
    # few left over at the bottom and right take the light of the blocks beside them.)
    fw, fh = (sw * f, sh * f) if w >= f and h >= f else (w, h)
    cut = (slice(0, fh), slice(0, fw))
    grey = cv2.cvtColor(image[cut], cv2.COLOR_RGB2GRAY).astype(np.float32)
    grey *= region[cut]  # (in place: no second frame-sized array)
    small_l = cv2.resize(grey, (sw, sh), interpolation=cv2.INTER_AREA)
    small_w = cv2.resize(region[cut], (sw, sh), interpolation=cv2.INTER_AREA)
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
    big: FloatArray = cv2.resize(rel, (fw, fh), interpolation=cv2.INTER_LINEAR)
    if (fh, fw) != (h, w):
        big = cv2.copyMakeBorder(big, 0, h - fh, 0, w - fw, cv2.BORDER_REPLICATE)
    return big


#: A print's colour: this far (a*, b* distance) from the median colour of the fabric around it.
PLAIN_CHROMA = 14.0
#: A print's lightness: beyond this factor lighter or darker than the fabric's median.
PLAIN_STEP = 1.8


def plain_fabric(image: ByteArray, region: FloatArray) -> FloatArray:
    """``region`` without what is not the fabric's plain colour: prints, logos, stripes and
    patches of another hue or much lighter or darker. float32 (H, W) in [0, 1].

    The old garment's slow light (:func:`low_frequency_shading`) read over a logo put a
    shadow of it, a soft band, on the new garment; read without it, the light round the logo
    fills its place. (Judged against the region's own median colour, at 1/4 resolution.)
    """
    h, w = region.shape
    inside = region > 0.5
    if int(inside.sum()) < 16:
        return region
    f = 4
    sw, sh = max(1, w // f), max(1, h // f)
    small = cv2.resize(image, (sw, sh), interpolation=cv2.INTER_AREA)
    small_in = cv2.resize(region, (sw, sh), interpolation=cv2.INTER_AREA) > 0.5
    if int(small_in.sum()) < 4:
        return region
    lab = cv2.cvtColor(small, cv2.COLOR_RGB2LAB).astype(np.float32)
    ref = np.median(lab[small_in], axis=0)
    hue_off = np.linalg.norm(lab[..., 1:] - ref[1:], axis=2)
    lum = lab[..., 0] + 12.0
    step = np.abs(np.log(lum / (ref[0] + 12.0)))
    plain = (hue_off < PLAIN_CHROMA) & (step < np.log(PLAIN_STEP))
    # (A print's anti-aliased rim is neither: grown by a pixel of the small map.)
    plain = cv2.erode(plain.view(np.uint8), np.ones((3, 3), np.uint8)) > 0
    big = cv2.resize(plain.astype(np.float32), (w, h), interpolation=cv2.INTER_LINEAR)
    out: FloatArray = (region * big).astype(np.float32, copy=False)
    return out


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


#: The old garment's slow light is taken within this range and at this power: a dark belt or
#: waistband under a top is not light, and at full strength it would show through the new
#: garment as a dark band.
LIGHT_RANGE = (0.7, 1.25)
LIGHT_POWER = 0.6

#: Width of the local median, as a share of the photo's longer side: wider than a fold, narrower
#: than a print or a garment panel.
FOLD_WINDOW = 0.03
#: Luminance added to both sides of the ratio (0-255 scale): on black fabric a little sensor noise
#: is not a fold.
FOLD_FLOOR = 12.0
#: How far folds may darken or brighten the new garment. Brightening is held lower than
#: darkening: a fold's shadow carries over to any fabric, but a sheen on the old fabric (a
#: bulky, shiny suit) would cover a matte new one in bright specks.
FOLD_RANGE = (0.7, 1.1)
#: Folds are taken at this power of the photo's (1 = as deep as in the photo). Whatever of the
#: old garment is not drape (its seams, pocket edges, weave) is held back by the gates below,
#: not by flattening the folds themselves.
FOLD_STRENGTH = 1.0
#: A luminance step beyond this (as |log ratio|) is a print's edge, not a fold: folds are gentle.
PRINT_STEP = 0.2
#: A colour (a*, b* distance to the local median) beyond this is a print, not a fold: folds
#: change how light the fabric is, not its hue.
PRINT_CHROMA = 10.0
#: A sharp edge of the old garment (a seam, a pocket's or a patch's outline, a panel's border,
#: a button) is where the log luminance changes by more than this per pixel of a 1024-pixel
#: photo; a fold's flank is spread over many pixels. (Luminance floored at :data:`EDGE_FLOOR`
#: first: on black leather a fold's highlight is steep in the log, and it is a fold.)
EDGE_SLOPE = 0.04
EDGE_FLOOR = 50.0
#: The old fabric's own weave or knit (denim's speckle, a sweater's stitches) measured as the
#: finest detail's local spread over the local luminance: beyond this the old garment's folds are
#: taken smoothed (:data:`TEXTURE_SMOOTHING`), or a white tee put over dark denim looks dirty.
TEXTURE_LEVEL = 0.025
#: The smoothing of the folds over a textured old fabric, in pixels of a 1024-pixel photo.
TEXTURE_SMOOTHING = 5.0
#: How much lighter (0-255 luminance) the new fabric must be than the old for the old weave to
#: be smoothed away whole. The ratio carries the weave of a dark old fabric as a deep speckle:
#: on a new fabric as dark it is the photo's own grain, on a light one it is dirt.
TEXTURE_CONTRAST = 60.0


def fabric_luminance(garments: Sequence[FittedGarment]) -> float | None:
    """Median luminance (0-255) of the new garments' fabric (where a layer is opaque), or None
    when no layer is."""
    values = []
    for fitted in garments:
        for layer in fitted.layers:
            rgba = layer.rgba.reshape(-1, 4)
            solid = rgba[:, 3] > 0.5
            if solid.any():
                # (Whole pixels picked along one axis: picking the colour channels out of
                # the (H, W, 4) image by a 2-D mask took ten times as long.)
                picked = np.compress(solid, rgba, axis=0)
                rgb = picked[:, :3] / picked[:, 3:]
                values.append(rgb @ np.array([0.299, 0.587, 0.114], np.float32))
    if not values:
        return None
    return float(np.median(np.concatenate(values)))


def fold_shading(
    image: ByteArray,
    region: FloatArray,
    side: int | None = None,
    over: float | None = None,
    edge_slope: float = EDGE_SLOPE,
) -> FloatArray:
    """Folds of the fabric inside ``region``: float32 (H, W) factors, 1.0 = no fold.

    The luminance over its local median, at full resolution (a fold's crisp flank and the
    photo's fine grain are what make fabric look photographed), without the old garment's
    prints (another hue, or a step deeper than a fold), its sharp edges (seams, pocket and patch
    outlines, buttons) and, on a textured old fabric, its weave.

    Args:
        image: uint8 (H, W, 3) RGB photo.
        region: float32 (H, W) in [0, 1]: the fabric (and skin) whose folds are wanted.
        side: the photo's longer side in pixels when ``image`` is a crop of it.
        over: median luminance (0-255) of the new fabric the folds go on (see
            :func:`fabric_luminance`); None smooths a textured old fabric's weave away whole.
        edge_slope: the slope of a sharp edge of the old garment, not taken for a fold (see
            :data:`EDGE_SLOPE`).

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
        np.ascontiguousarray(image[y0:y1, x0:x1]),
        np.ascontiguousarray(inside[y0:y1, x0:x1]),
        side,
        over,
        edge_slope,
    )
    return out


def _folds_in_box(
    image: ByteArray,
    inside: npt.NDArray[np.bool_],
    side: int,
    over: float | None,
    edge_slope: float = EDGE_SLOPE,
) -> FloatArray:
    """:func:`fold_shading` on a box holding the whole region (``inside``, bool (h, w))."""
    h, w = inside.shape
    # The medians (the costly step) at half resolution: they are wider than two pixels.
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
    # (The lightness's and the hue's medians in one three-channel pass: the same values as
    # channel by channel, in about three quarters of the time.)
    medians = cv2.medianBlur(np.dstack([filled, chroma]), k)
    base = medians[..., 0]
    # Prints, logos and stripes of the old garment are not folds: where the colour leaves the
    # local median's hue nothing is taken.
    hue_base = medians[..., 1:]
    hue_off = np.linalg.norm(chroma.astype(np.float32) - hue_base.astype(np.float32), axis=2)
    hue_ok = np.clip(1.0 - (hue_off - PRINT_CHROMA) / 5.0, 0.0, 1.0).astype(np.float32)
    # Fade out towards the region's edge, where the window saw what lies beyond.
    weight = cv2.GaussianBlur(small_in.astype(np.float32), (0, 0), max(1.0, k / 4))
    weight = np.clip((weight - 0.5) * 2.0, 0.0, 1.0) * small_in

    def full(a: npt.NDArray[np.float32] | ByteArray) -> FloatArray:
        # (No copies of what is float32 already.)
        if f == 1:
            return a.astype(np.float32, copy=False)
        big: FloatArray = cv2.resize(
            a.astype(np.float32, copy=False), (w, h), interpolation=cv2.INTER_LINEAR
        )
        return big

    # The ratio itself at full resolution (outside the region: the filled values).
    lum = cv2.cvtColor(image, cv2.COLOR_RGB2GRAY).astype(np.float32)
    if not inside.all():
        lum = np.where(inside, lum, full(filled))
    ratio = (lum + np.float32(FOLD_FLOOR)) / (full(base) + np.float32(FOLD_FLOOR))
    step = np.abs(np.log(ratio))
    fold_like = np.clip(1.0 - (step - PRINT_STEP) / 0.15, 0.0, 1.0) * full(hue_ok)
    # Sharp edges of the old garment are not folds (spread a little: what is beside a seam is
    # neither fold nor seam).
    scale = side / 1024.0
    smooth = cv2.GaussianBlur(np.log(lum + np.float32(EDGE_FLOOR)), (0, 0), 0.7)
    gx = cv2.Sobel(smooth, cv2.CV_32F, 1, 0, ksize=3)
    gy = cv2.Sobel(smooth, cv2.CV_32F, 0, 1, ksize=3)
    slope = cv2.magnitude(gx, gy) * np.float32(scale / 8.0)
    # (Box-sized arrays let go once done with: fewer live at the render's peak.)
    del smooth, gx, gy
    edge = np.clip((slope - np.float32(edge_slope)) / 0.03, 0.0, 1.0)
    grow = max(1, round(3 * scale))
    edge = cv2.dilate(edge, cv2.getStructuringElement(cv2.MORPH_ELLIPSE, (2 * grow + 1,) * 2))
    edge = cv2.GaussianBlur(edge, (0, 0), grow)
    fold_like *= 1.0 - np.clip(edge, 0.0, 1.0)
    del step, slope, edge
    # (A print's anti-aliased rim is neither print nor fold.)
    fold_like = cv2.erode(fold_like.astype(np.float32), np.ones((3, 3), np.uint8))
    deep = ratio if FOLD_STRENGTH == 1.0 else ratio**FOLD_STRENGTH
    folds = 1.0 + (np.clip(deep, *FOLD_RANGE) - 1.0) * fold_like
    # On a textured old fabric only the smooth part of its folds: its weave is not drape (on a
    # new fabric no lighter than the old it is the photo's grain, and stays).
    lighter = 1.0
    if over is not None:
        lighter = (over - float(np.median(filled[small_in]))) / TEXTURE_CONTRAST
    if lighter > 0.0:
        fine = lum - cv2.GaussianBlur(lum, (0, 0), max(0.5, scale))
        spread = np.sqrt(cv2.GaussianBlur(fine * fine, (0, 0), 3.0 * scale))
        texture = spread / (cv2.GaussianBlur(lum, (0, 0), 3.0 * scale) + 30.0)
        textured = np.clip((texture - TEXTURE_LEVEL) / 0.03, 0.0, 1.0) * min(1.0, lighter)
        smoothed = cv2.GaussianBlur(folds, (0, 0), TEXTURE_SMOOTHING * scale)
        folds += (smoothed - folds) * textured
        del fine, spread, texture, textured, smoothed
    out: FloatArray = (1.0 + (folds - 1.0) * full(weight)).astype(np.float32, copy=False)
    return out


#: The window of a product photo's own folds (see :func:`without_own_folds`), as the share of
#: the garment's longer side that :data:`FOLD_WINDOW` is of a photo's: a garment fills about
#: half of the photo it is worn in.
OWN_FOLD_SIDE = 2.0
#: Detail of a product photo finer than this share of that side is its fabric's knit or slub,
#: not a fold: it stays on the garment.
OWN_FOLD_GRAIN = 0.002


def without_own_folds(parts: dict[str, FloatArray]) -> dict[str, FloatArray]:
    """A garment's premultiplied parts without the folds its product photo was taken with.

    A product photo has folds of its own (the garment laid flat or hung); worn, it takes the
    photo's folds (:func:`fold_shading`), and its own, drawn over them, showed where the
    person's body makes none, or crossed them. They are found on the garment as on the photo
    (the luminance over its local median, without prints, seams, outlines and a coarse weave)
    and divided out; prints, seams and the garment's colour stay.

    Args:
        parts: part name → premultiplied float32 (H, W, 4) image (colour in [0, 255], alpha in
            [0, 1]), all of the same size (see
            :func:`~fitroom.fitting.garment_layers.premultiplied_parts`).

    Returns:
        The parts in the same layout, the colour divided by the garment's own folds.
    """
    if not parts:
        return parts
    first = next(iter(parts.values()))
    h, w = first.shape[:2]
    alpha = np.zeros((h, w), np.float32)
    rgb = np.zeros((h, w, 3), np.float32)
    for part in parts.values():
        # (Where parts overlap, the colour of the most opaque: the others' are soft rims.)
        a = part[..., 3]
        more = a > alpha
        rgb[more] = part[..., :3][more] / a[more][:, None]
        alpha[more] = a[more]
    solid = alpha > 0.5
    if not solid.any():
        return parts
    _, _, bw, bh = cv2.boundingRect(solid.view(np.uint8))
    colour = np.clip(rgb + 0.5, 0, 255).astype(np.uint8)
    side = round(OWN_FOLD_SIDE * max(bw, bh))
    own = fold_shading(colour, solid.astype(np.float32), side)
    # (Only the folds: the fabric's own knit or slub, finer than a fold, is the garment's and
    # stays.)
    own = cv2.GaussianBlur(own, (0, 0), max(0.5, OWN_FOLD_GRAIN * side))
    flat = per_channel(1.0 / own)
    out: dict[str, FloatArray] = {}
    for name, part in parts.items():
        new = part.copy()
        new[..., :3] *= flat
        # (A fold's highlight lifted a white garment's shadowed fabric above white.)
        np.minimum(new[..., :3], 255.0 * part[..., 3:], out=new[..., :3])
        out[name] = new
    return out


__all__ = [
    "EDGE_FLOOR",
    "EDGE_SLOPE",
    "FOLD_FLOOR",
    "FOLD_RANGE",
    "FOLD_STRENGTH",
    "FOLD_WINDOW",
    "LIGHT_POWER",
    "LIGHT_RANGE",
    "OWN_FOLD_GRAIN",
    "OWN_FOLD_SIDE",
    "PLAIN_CHROMA",
    "PLAIN_STEP",
    "PRINT_CHROMA",
    "PRINT_STEP",
    "TEXTURE_CONTRAST",
    "TEXTURE_LEVEL",
    "TEXTURE_SMOOTHING",
    "contact_shadow",
    "fabric_luminance",
    "fold_shading",
    "limb_relief",
    "low_frequency_shading",
    "plain_fabric",
    "without_own_folds",
]
