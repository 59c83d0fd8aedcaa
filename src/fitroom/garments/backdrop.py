"""The backdrop of a product photo: which pixels surely show it, its colour everywhere, and
each pixel's colour distance to it (the first steps of :mod:`fitroom.garments.cutout`).

Everything here works at the cutout's working resolution, in CIE Lab.
"""

from __future__ import annotations

import cv2
import numpy as np
import numpy.typing as npt

FloatArray = npt.NDArray[np.float32]
ByteArray = npt.NDArray[np.uint8]
BoolArray = npt.NDArray[np.bool_]

#: Colour tolerance (ΔE) of the backdrop flood on a vignetted or gradient backdrop.
_LOOSE_TOLERANCE = 6.0
#: Half-width (working pixels) from which a region the loose flood alone reached can be a
#: garment's inside rather than a rim or a narrow gap.
_WIDE_RADIUS = 8
#: Smallest colour change per pixel (ΔE) that counts as an edge stopping the backdrop flood.
_EDGE_STEP = 0.3


def lab_of(rgb: ByteArray) -> FloatArray:
    """CIE Lab of an RGB uint8 image (L in [0, 100])."""
    return cv2.cvtColor(rgb.astype(np.float32) * (1.0 / 255.0), cv2.COLOR_RGB2Lab)


def border_mask(h: int, w: int, width: int) -> BoolArray:
    """bool (h, w), True on the frame's border band ``width`` pixels wide."""
    border = np.zeros((h, w), bool)
    border[:width] = True
    border[-width:] = True
    border[:, :width] = True
    border[:, -width:] = True
    return border


def background_model(lab: FloatArray, known: npt.NDArray[np.bool_]) -> FloatArray:
    """Smooth backdrop colour at every pixel, from the pixels known to be backdrop.

    Normalised convolution on a 64-pixel thumbnail at three widths: near known backdrop the
    narrow estimate wins (it follows vignettes), far from it the wide one fills in.

    Args:
        lab: float32 (H, W, 3) Lab image.
        known: bool (H, W), True on backdrop pixels.

    Returns:
        float32 (H, W, 3) Lab backdrop model.
    """
    h, w = known.shape
    scale = 64.0 / max(h, w)
    size = (max(2, round(w * scale)), max(2, round(h * scale)))
    weight = known.astype(np.float32)
    # Average colour*weight and weight separately so garment pixels never leak into the model.
    num = cv2.resize(lab * weight[..., None], size, interpolation=cv2.INTER_AREA)
    den = cv2.resize(weight, size, interpolation=cv2.INTER_AREA)
    model = np.zeros_like(num)
    filled = np.zeros(den.shape, np.float32)
    for sigma in (1.5, 5.0, 20.0):
        n = cv2.GaussianBlur(num, (0, 0), sigma)
        d = cv2.GaussianBlur(den, (0, 0), sigma)
        estimate = n / np.maximum(d, 1e-6)[..., None]
        take = np.clip(d / 0.3, 0.0, 1.0) * (1.0 - filled)
        model += estimate * take[..., None]
        filled += take
    if float(filled.min()) < 1e-3:
        # No backdrop anywhere near: fall back to the global mean of the known pixels.
        mean = lab[known].mean(axis=0) if known.any() else lab.reshape(-1, 3).mean(axis=0)
        model += mean[None, None, :] * (1.0 - np.minimum(filled, 1.0))[..., None]
        filled = np.maximum(filled, 1.0)
    model /= filled[..., None]
    return cv2.resize(model, (w, h), interpolation=cv2.INTER_LINEAR)


def _flood_from_border(open_pixels: BoolArray, border: BoolArray) -> BoolArray:
    """The pixels of ``open_pixels`` 4-connected to the border band."""
    open8 = open_pixels.astype(np.uint8)
    _, labels = cv2.connectedComponents(open8, connectivity=4)
    border_ids = np.unique(labels[border & open_pixels])
    reached: BoolArray = np.isin(labels, border_ids[border_ids > 0])
    return reached


def backdrop_seen_from_border(lab: FloatArray, border: BoolArray) -> BoolArray:
    """Pixels surely backdrop: near the border's colour and reached from the border.

    A white garment on a white or light-grey backdrop is within a few ΔE of it, so the loose
    colour tolerance a vignette needs floods the backdrop into the garment (and the backdrop
    model then takes the garment for backdrop). On a flat backdrop (a studio's retouched
    white, its border varying by well under a ΔE) the flood is therefore also run tightly,
    stopping at edges (a white garment's outline is a step of a fraction of a ΔE per pixel,
    where studio paper changes by far less). What only the loose flood reaches is taken back
    where it is wide (holds a disc ``_WIDE_RADIUS`` across) and mostly not the backdrop's own
    colour — the inside of a white garment — and kept where it is thin or plain: the outline's
    anti-aliased rim, a shadowed gap between trouser legs or between a sleeve and the body.

    Args:
        lab: float32 (H, W, 3) Lab image at working resolution.
        border: bool (H, W), the frame's border band.

    Returns:
        bool (H, W), True on backdrop pixels connected to the border.
    """
    median = np.median(lab[border], axis=0)
    deviation = np.linalg.norm(lab - median, axis=2)
    loose = _flood_from_border(deviation < _LOOSE_TOLERANCE, border)
    tolerance = 0.35 + 3.0 * float(np.percentile(deviation[border], 90))
    if tolerance >= _LOOSE_TOLERANCE:
        return loose  # a vignette or gradient backdrop: colour alone, with the wide tolerance
    smooth = cv2.GaussianBlur(lab, (0, 0), 0.8)
    gx = cv2.Sobel(smooth, cv2.CV_32F, 1, 0, ksize=3) / 8.0
    gy = cv2.Sobel(smooth, cv2.CV_32F, 0, 1, ksize=3) / 8.0
    gradient = np.sqrt((gx**2 + gy**2).sum(axis=2))
    edge = gradient > max(_EDGE_STEP, 6.0 * float(np.median(gradient[border])))
    strict = _flood_from_border((deviation < tolerance) & ~edge, border)
    leak = (loose & ~strict).astype(np.uint8)
    disc = cv2.getStructuringElement(cv2.MORPH_ELLIPSE, (2 * _WIDE_RADIUS + 1,) * 2)
    wide = cv2.morphologyEx(leak, cv2.MORPH_OPEN, disc)
    count, labels = cv2.connectedComponents(wide, connectivity=4)
    if count <= 1:
        return loose
    inside = wide > 0
    ids = labels[inside]
    size = np.bincount(ids, minlength=count)
    plain = np.bincount(ids, weights=deviation[inside] < tolerance, minlength=count)
    garment_like = plain < 0.5 * np.maximum(size, 1)
    garment_like[0] = False
    known: BoolArray = loose & ~garment_like[labels]
    return known


def colour_distance(lab: FloatArray, background: FloatArray) -> FloatArray:
    """Distance of each pixel to the backdrop model; darkening counts half (soft shadows).

    Returns float32 (H, W).
    """
    diff = lab - background
    dl = diff[..., 0]
    weight_l = np.where(dl < 0, np.float32(0.5), np.float32(1.0))
    return np.sqrt((weight_l * dl) ** 2 + diff[..., 1] ** 2 + diff[..., 2] ** 2)


__all__ = [
    "backdrop_seen_from_border",
    "background_model",
    "border_mask",
    "colour_distance",
    "lab_of",
]
