"""Background removal for product photos on plain (white or light-grey) backgrounds.

The photo is analysed at a reduced working resolution (``work_side`` pixels on the long side):

1. a smooth background model is fitted to the pixels that look like the frame's border colour
   (normalised convolution, so a vignette or a gradient backdrop is modelled, not mistaken for
   the garment);
2. every pixel gets a colour distance to that model (Lab, with darkening down-weighted because
   soft shadows only darken the backdrop);
3. GrabCut, seeded from that distance, decides the uncertain pixels using colour models and
   image edges — this is what finds a white garment on a white backdrop;
4. background regions enclosed by the garment are kept as holes when they match the backdrop
   closely (between straps, inside a ghost-mannequin neck opening);
5. back at full resolution, a narrow band around the outline gets a soft alpha from the
   colour matting equation ``c = a·F + (1 − a)·B`` with the local garment colour F and the
   background model B; where F and B are too close to tell apart the smoothed mask is kept.

Photos that cannot give a clean garment are refused with :class:`GarmentPhotoRejected` (busy
background, garment or person cut by the frame, several garments) or :class:`GarmentNotFound`
(nothing on the backdrop).
"""

from __future__ import annotations

from dataclasses import dataclass

import cv2
import numpy as np
import numpy.typing as npt

from fitroom.errors import GarmentNotFound, GarmentPhotoRejected, InputError
from fitroom.garments.backdrop import (
    ByteArray,
    FloatArray,
    backdrop_seen_from_border,
    background_model,
    border_mask,
    colour_distance,
    lab_of,
)

#: Long side of the working image for segmentation (pixels).
DEFAULT_WORK_SIDE = 400
#: Colour distance (ΔE-like) above which a pixel surely differs from the backdrop.
_SURE_FOREGROUND = 12.0
#: Colour distance above which a pixel probably differs from the backdrop (at most; a
#: noiseless backdrop lowers it, see :func:`_maybe_threshold`).
_MAYBE_FOREGROUND = 2.5
#: Colour distance a garment's pixels must reach at the frame for the garment to count as cut by
#: it: a white collar shot close to the top edge spreads a faint shade onto the border rows.
_FRAME_CUT_DISTANCE = 6.0
#: Colour distance below which an enclosed region is treated as backdrop showing through.
_HOLE_DISTANCE = 0.8


@dataclass(frozen=True)
class Cutout:
    """A garment separated from its backdrop.

    Attributes:
        alpha: float32 (H, W) in [0, 1], soft at the garment's outline, at the photo's resolution.
        background: float32 (3,) median backdrop colour, RGB in [0, 255].
        from_transparency: True when the alpha came from a transparent PNG unchanged.
        frame_contact: float32 (4,) fraction of the top, bottom, left and right edges touched by
            the garment.
    """

    alpha: FloatArray
    background: FloatArray
    from_transparency: bool
    frame_contact: FloatArray

    def __post_init__(self) -> None:
        if self.alpha.ndim != 2 or self.alpha.dtype != np.float32:
            raise ValueError(
                f"alpha must be float32 (H, W), got {self.alpha.dtype} {self.alpha.shape}"
            )
        if self.background.shape != (3,) or self.frame_contact.shape != (4,):
            raise ValueError("background must have shape (3,) and frame_contact shape (4,)")

    @property
    def mask(self) -> npt.NDArray[np.bool_]:
        """Binary garment mask (alpha ≥ 0.5), shape (H, W)."""
        return self.alpha >= 0.5


def _resize_to_work(rgb: ByteArray, work_side: int) -> tuple[ByteArray, float]:
    h, w = rgb.shape[:2]
    scale = min(1.0, work_side / max(h, w))
    if scale >= 1.0:
        return rgb, 1.0
    size = (max(1, round(w * scale)), max(1, round(h * scale)))
    return cv2.resize(rgb, size, interpolation=cv2.INTER_AREA), scale


def _frame_contact(mask: npt.NDArray[np.bool_], width: int = 2) -> FloatArray:
    """Fraction of the top, bottom, left, right edge where the mask reaches the frame."""
    return np.array(
        [
            mask[:width].any(axis=0).mean(),
            mask[-width:].any(axis=0).mean(),
            mask[:, :width].any(axis=1).mean(),
            mask[:, -width:].any(axis=1).mean(),
        ],
        np.float32,
    )


def _segment(small: ByteArray) -> tuple[npt.NDArray[np.bool_], FloatArray, FloatArray]:
    """Garment mask, backdrop model and Lab image, all at working resolution."""
    lab = lab_of(small)
    h, w = lab.shape[:2]
    border = border_mask(h, w, max(2, round(max(h, w) / 130)))
    known = backdrop_seen_from_border(lab, border)
    bg = background_model(lab, known)
    dist = colour_distance(lab, bg)

    noise = _check_background(dist, known, border)
    maybe_threshold = _maybe_threshold(noise)
    # The low threshold of a noiseless backdrop only where the flood from the border did not
    # reach: inside narrow gaps (between legs, sleeve and body) the backdrop's own edges blur.
    maybe = (dist > _MAYBE_FOREGROUND) | (~known & (dist > maybe_threshold))
    if not maybe.any():
        raise GarmentNotFound(
            "no garment found: the photo is a plain backdrop; give a product photo showing "
            "one garment on a white or light-grey background"
        )
    seeds = np.full((h, w), cv2.GC_PR_BGD, np.uint8)
    seeds[maybe] = cv2.GC_PR_FGD
    sure = cv2.erode((dist > _SURE_FOREGROUND).astype(np.uint8), np.ones((5, 5), np.uint8)) > 0
    seeds[sure] = cv2.GC_FGD
    far = cv2.distanceTransform((~maybe).astype(np.uint8), cv2.DIST_L2, 3) > 10
    # Sure backdrop away from anything "maybe"; where the flood from the border did not reach,
    # only the backdrop's exact colour (the inside of a white garment can be as far from
    # anything "maybe" as a gap between trouser legs is).
    plain = (dist < 1.5) & (known | (dist < maybe_threshold / 3.0))
    seeds[far & ~maybe & plain] = cv2.GC_BGD
    seeds[border & ~maybe] = cv2.GC_BGD

    # GrabCut only where it has something to decide: the box around the uncertain pixels.
    undecided = (seeds == cv2.GC_PR_FGD) | (seeds == cv2.GC_PR_BGD)
    ys, xs = np.nonzero(undecided | (seeds == cv2.GC_FGD))
    pad = 12
    y0, y1 = max(0, int(ys.min()) - pad), min(h, int(ys.max()) + pad + 1)
    x0, x1 = max(0, int(xs.min()) - pad), min(w, int(xs.max()) + pad + 1)
    crop_seeds = np.ascontiguousarray(seeds[y0:y1, x0:x1])
    has_fg = bool(((crop_seeds == cv2.GC_FGD) | (crop_seeds == cv2.GC_PR_FGD)).any())
    has_bg = bool(((crop_seeds == cv2.GC_BGD) | (crop_seeds == cv2.GC_PR_BGD)).any())
    if has_fg and has_bg:
        bgd_model = np.zeros((1, 65), np.float64)
        fgd_model = np.zeros((1, 65), np.float64)
        crop = np.ascontiguousarray(cv2.cvtColor(small[y0:y1, x0:x1], cv2.COLOR_RGB2BGR))
        cv2.setRNGSeed(0)  # GrabCut's k-means initialisation: same photo, same cutout
        cv2.grabCut(crop, crop_seeds, None, bgd_model, fgd_model, 2, cv2.GC_INIT_WITH_MASK)
        seeds[y0:y1, x0:x1] = crop_seeds
    fg = (seeds == cv2.GC_FGD) | (seeds == cv2.GC_PR_FGD)
    fg = _clean(fg, dist, hole_distance=min(_HOLE_DISTANCE, max(0.4, maybe_threshold / 3.0)))
    return fg, bg, lab


def _maybe_threshold(noise: float) -> float:
    """Colour distance above which a pixel may be garment, given the backdrop's noise level.

    On a noiseless backdrop (retouched studio white or grey) a white garment differs by well
    under 2.5 ΔE yet far more than the backdrop's own variation.
    """
    return float(np.clip(0.3 + 3.0 * noise, 0.45, _MAYBE_FOREGROUND))


def _clean(
    fg: npt.NDArray[np.bool_], dist: FloatArray, hole_distance: float = _HOLE_DISTANCE
) -> npt.NDArray[np.bool_]:
    """Drop specks, fill enclosed holes unless the backdrop clearly shows through them."""
    fg8 = fg.astype(np.uint8)
    count, labels, stats, _ = cv2.connectedComponentsWithStats(fg8, connectivity=8)
    if count <= 1:
        return fg
    areas = stats[1:, cv2.CC_STAT_AREA]
    keep = np.zeros(count, bool)
    keep[1:] = areas >= max(20, 0.02 * int(areas.max()))
    fg = keep[labels]
    # Enclosed background regions: fill them, except real see-through holes.
    bg8 = (~fg).astype(np.uint8)
    count, labels, stats, _ = cv2.connectedComponentsWithStats(bg8, connectivity=4)
    edge_ids = set(np.unique(np.concatenate([labels[0], labels[-1], labels[:, 0], labels[:, -1]])))
    min_hole = max(12, int(fg.sum() * 0.0015))
    # Judge a hole by its inside: the one-pixel rim is blended with the garment around it (a
    # narrow gap between a hanging sleeve and the body is mostly rim).
    core = cv2.erode(bg8, np.ones((3, 3), np.uint8)) > 0
    for i in range(1, count):
        if i in edge_ids:
            continue
        region = labels == i
        area = int(stats[i, cv2.CC_STAT_AREA])
        if area >= min_hole:
            inner = region & core
            inside = dist[inner] if inner.sum() >= 0.3 * area else dist[region]
            if float(np.median(inside)) < hole_distance and float(np.percentile(inside, 90)) < 2.0:
                continue  # backdrop seen through the garment: keep the hole
        fg = fg | region
    return fg


def _check_background(
    dist: FloatArray, known: npt.NDArray[np.bool_], border: npt.NDArray[np.bool_]
) -> float:
    """Refuse photos whose backdrop is not plain; return the backdrop's noise level.

    The noise level is the 90th percentile of the colour distance on backdrop pixels away from
    the garment.
    """
    border_plain = float((known & border).sum()) / float(border.sum())
    if border_plain < 0.5:
        raise GarmentPhotoRejected(
            f"the background is not plain: only {border_plain:.0%} of the photo's border is one "
            "uniform colour; give a product photo of the garment alone on a white or light-grey "
            "background (flat-lay or ghost mannequin)"
        )
    far = cv2.distanceTransform(known.astype(np.uint8), cv2.DIST_L2, 3) > 4
    if far.sum() < 0.05 * far.size:
        raise GarmentPhotoRejected(
            "the background is not plain: too little of the photo is a uniform backdrop; give a "
            "product photo of the garment alone on a white or light-grey background"
        )
    # Local texture of the backdrop: studio paper is smooth up to JPEG noise; snow, walls,
    # floors and streets are not.
    texture = cv2.GaussianBlur(np.abs(dist - cv2.blur(dist, (5, 5))), (0, 0), 1.0)
    busy = float(np.percentile(texture[far], 95))
    if busy > 1.0:
        raise GarmentPhotoRejected(
            f"the background is textured (roughness {busy:.2f}, a plain backdrop is below 1.0); "
            "give a product photo on a plain white or light-grey background"
        )
    return float(np.percentile(dist[far], 90))


def _check_layout(fg: npt.NDArray[np.bool_], contact: FloatArray) -> None:
    """Refuse a garment cut by the frame, a person, or several garments."""
    top, bottom, left, right = (float(c) for c in contact)
    if top > 0.06 or bottom > 0.06 or left > 0.6 or right > 0.6:
        sides = [
            name
            for name, value, limit in (
                ("top", top, 0.06),
                ("bottom", bottom, 0.06),
                ("left", left, 0.6),
                ("right", right, 0.6),
            )
            if value > limit
        ]
        raise GarmentPhotoRejected(
            f"the garment is cut by the {' and '.join(sides)} edge of the photo (or this is a "
            "photo of a person wearing it); give a product photo that shows the whole garment "
            "with a margin of backdrop on every side"
        )
    _, _, stats, _ = cv2.connectedComponentsWithStats(fg.astype(np.uint8), connectivity=8)
    areas = np.sort(stats[1:, cv2.CC_STAT_AREA])[::-1]
    if len(areas) >= 2 and areas[1] > 0.12 * areas[0]:
        raise GarmentPhotoRejected(
            f"the photo shows {int((areas > 0.12 * areas[0]).sum())} separate items; give a "
            "photo of one garment only"
        )
    if fg.mean() < 0.01:
        raise GarmentNotFound(
            f"no garment found: only {fg.mean():.1%} of the photo differs from the backdrop; "
            "give a product photo in which the garment fills a good part of the frame"
        )


def _refine_alpha(
    rgb: ByteArray,
    fg_small: npt.NDArray[np.bool_],
    lab_small: FloatArray,
    bg_small: FloatArray,
) -> FloatArray:
    """Full-resolution soft alpha from the working-resolution mask.

    Inside a band around the outline, alpha solves ``c = a·F + (1 − a)·B`` (projection on the
    F–B segment) with F the nearby garment colour and B the backdrop model, both estimated at
    working resolution (they are smooth) and read at full resolution only on the band.
    """
    h, w = rgb.shape[:2]
    hs, ws = fg_small.shape
    fg8 = fg_small.astype(np.uint8)
    coarse = cv2.resize(fg8.astype(np.float32), (w, h), interpolation=cv2.INTER_LINEAR)
    if (hs, ws) == (h, w):
        coarse = cv2.GaussianBlur(coarse, (0, 0), 0.7)
    alpha = coarse
    kernel = np.ones((3, 3), np.uint8)
    band_small = (cv2.dilate(fg8, kernel, iterations=2) - cv2.erode(fg8, kernel, iterations=2)) > 0
    if not band_small.any():
        return alpha
    inner = cv2.erode(fg8, kernel, iterations=2).astype(np.float32)
    num = cv2.GaussianBlur(lab_small * inner[..., None], (0, 0), 3.0)
    den = cv2.GaussianBlur(inner, (0, 0), 3.0)
    fg_colour = num / np.maximum(den, 1e-6)[..., None]
    band = cv2.resize(band_small.astype(np.uint8), (w, h), interpolation=cv2.INTER_NEAREST) > 0
    ys, xs = np.nonzero(band)
    # Sample the smooth small-resolution fields at the band pixels (bilinear via remap; the
    # sample list is folded into rows of 1024 because remap's maps are limited to 32767 rows).
    count = len(xs)
    padded = -(-count // 1024) * 1024
    flat_x = np.zeros(padded, np.float32)
    flat_y = np.zeros(padded, np.float32)
    flat_x[:count] = (xs.astype(np.float32) + 0.5) * (ws / w) - 0.5
    flat_y[:count] = (ys.astype(np.float32) + 0.5) * (hs / h) - 0.5
    map_x = flat_x.reshape(-1, 1024)
    map_y = flat_y.reshape(-1, 1024)

    def sample(field: FloatArray) -> FloatArray:
        out = cv2.remap(field, map_x, map_y, cv2.INTER_LINEAR, borderMode=cv2.BORDER_REPLICATE)
        return out.reshape(padded, -1)[:count]

    fg_at = sample(fg_colour)
    bg_at = sample(bg_small)
    den_at = sample(den)
    colour = lab_of(np.ascontiguousarray(rgb[ys, xs].reshape(-1, 1, 3))).reshape(-1, 3)
    fb = (fg_at - bg_at).reshape(-1, 3)
    cb = (colour - bg_at).reshape(-1, 3)
    contrast2 = (fb**2).sum(axis=1)
    projected = np.clip((cb * fb).sum(axis=1) / np.maximum(contrast2, 1e-6), 0.0, 1.0)
    trust = np.clip((np.sqrt(contrast2) - 6.0) / 10.0, 0.0, 1.0) * (den_at.reshape(-1) > 0.05)
    alpha[ys, xs] = trust * projected + (1.0 - trust) * coarse[ys, xs]
    return alpha


def alpha_from_rgba(rgba: ByteArray) -> FloatArray:
    """Alpha of a transparent PNG as float32 (H, W) in [0, 1]."""
    if rgba.ndim != 3 or rgba.shape[2] != 4 or rgba.dtype != np.uint8:
        raise InputError(f"expected an RGBA uint8 image (H, W, 4), got {rgba.dtype} {rgba.shape}")
    return rgba[..., 3].astype(np.float32) * np.float32(1.0 / 255.0)


def cut_out(image: ByteArray, *, work_side: int = DEFAULT_WORK_SIDE, check: bool = True) -> Cutout:
    """Separate the garment from a plain backdrop, or use a transparent PNG's alpha as it is.

    Args:
        image: RGB uint8 (H, W, 3) product photo, or RGBA uint8 (H, W, 4) with transparency.
        work_side: long side of the working resolution for segmentation.
        check: refuse unusable photos (turn off only to inspect what the cutout would be).

    Returns:
        The :class:`Cutout` at the photo's resolution.

    Raises:
        GarmentPhotoRejected: busy backdrop, garment/person cut by the frame, several items.
        GarmentNotFound: nothing but backdrop.
        InputError: not an RGB/RGBA uint8 image.
    """
    if image.dtype != np.uint8 or image.ndim != 3 or image.shape[2] not in (3, 4):
        raise InputError(
            f"expected an RGB or RGBA uint8 image (H, W, 3|4), got {image.dtype} {image.shape}"
        )
    h, w = image.shape[:2]
    if min(h, w) < 32:
        raise GarmentPhotoRejected(
            f"the photo is only {w}×{h} pixels; give a product photo at least 256 pixels on "
            "each side"
        )
    if image.shape[2] == 4:
        alpha = alpha_from_rgba(image)
        mask = alpha >= 0.5
        if float(alpha.min()) < 0.5:
            contact = _frame_contact(mask)
            if check:
                _check_layout(mask, contact)
            return Cutout(
                alpha=alpha,
                background=np.full(3, 255.0, np.float32),
                from_transparency=True,
                frame_contact=contact,
            )
        image = np.ascontiguousarray(image[..., :3])
    small, _ = _resize_to_work(image, work_side)
    fg, bg, lab_small = _segment(small)
    contact = _frame_contact(fg & (colour_distance(lab_small, bg) > _FRAME_CUT_DISTANCE))
    if check:
        _check_layout(fg, contact)
    alpha = _refine_alpha(image, fg, lab_small, bg)
    median_lab = np.median(bg.reshape(-1, 3), axis=0).astype(np.float32)
    background = cv2.cvtColor(median_lab.reshape(1, 1, 3), cv2.COLOR_Lab2RGB).reshape(3) * 255.0
    return Cutout(
        alpha=alpha.astype(np.float32),
        background=background.astype(np.float32),
        from_transparency=False,
        frame_contact=contact,
    )


__all__ = [
    "DEFAULT_WORK_SIDE",
    "Cutout",
    "alpha_from_rgba",
    "background_model",
    "colour_distance",
    "cut_out",
]
