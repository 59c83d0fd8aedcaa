"""A garment's pieces ready to warp: premultiplied RGBA per part, at a chosen size.

The cutout's soft rim takes the fabric's colour (not the product photo's backdrop), the torso
panel reaches under the sleeves' roots, the neck opening is left out of it, and the sleeves get
a soft edge. Fitting (:mod:`fitroom.fitting.garment_fit`, :mod:`fitroom.fitting.lower_fit`)
warps these pieces onto the body.
"""

from __future__ import annotations

from collections.abc import Callable

import cv2
import numpy as np
import numpy.typing as npt

from fitroom.garments.core import Garment, GarmentLandmarks, GarmentPart

FloatArray = npt.NDArray[np.float32]

#: A (cached) garment preparation: garment and resize factor → premultiplied parts and landmarks.
PrepareGarment = Callable[[Garment, float], tuple[dict[str, FloatArray], GarmentLandmarks]]


def premultiplied_parts(
    cutout: npt.NDArray[np.uint8], parts: npt.NDArray[np.uint8]
) -> dict[str, FloatArray]:
    """A garment's parts as premultiplied float32 (H, W, 4) images.

    Args:
        cutout: uint8 (H, W, 4) RGBA garment cutout.
        parts: uint8 (H, W) :class:`GarmentPart` map.

    The torso panel reaches a few pixels into each sleeve's root so that the seam under the
    sleeves (drawn over the panel, as a sleeve hangs over the body's side) has no gap; the
    sleeves get a one-pixel soft edge so their outline on the panel is anti-aliased.
    """
    alpha = cutout[..., 3].astype(np.float32) * np.float32(1.0 / 255.0)
    rgb = decontaminated(cutout[..., :3].astype(np.float32), alpha)
    out: dict[str, FloatArray] = {}
    kernel = cv2.getStructuringElement(cv2.MORPH_ELLIPSE, (21, 21))
    sleeves = np.zeros(parts.shape, np.uint8)
    sides = (("left_sleeve", GarmentPart.LEFT_SLEEVE), ("right_sleeve", GarmentPart.RIGHT_SLEEVE))
    for name, code in sides:
        hard = (parts == int(code)).astype(np.uint8)
        if int(hard.sum()) < 16:
            continue
        sleeves |= hard
        soft = cv2.GaussianBlur(hard.astype(np.float32), (0, 0), 0.8)
        out[name] = _premultiply(rgb, np.maximum(soft, hard.astype(np.float32)) * alpha)
    body = (parts == int(GarmentPart.BODY)).astype(np.uint8)
    # The sleeves' roots next to the body (not their outer edges, which would travel with
    # the panel's warp and show beside it).
    under_sleeves = sleeves & cv2.dilate(body, kernel)
    body_weight = np.maximum(1 - sleeves, under_sleeves).astype(np.float32) * alpha
    inside = parts == int(GarmentPart.NECK_INSIDE)
    if inside.any():
        # What shows through the neck opening is left out of the panel (worn, the neck and
        # chest are there), with a soft edge like the sleeves'.
        hole = cv2.GaussianBlur(inside.astype(np.float32), (0, 0), 0.8)
        body_weight *= 1.0 - np.maximum(hole, inside.astype(np.float32))
    out["torso"] = _premultiply(rgb, body_weight)
    return out


#: Cutout pixels at least this opaque are the garment's own colour; less opaque ones (the
#: cutout's soft rim) are mixed with the product photo's background.
SOLID_ALPHA = 0.9


def decontaminated(rgb: FloatArray, alpha: FloatArray) -> FloatArray:
    """The cutout's colours with its soft rim recoloured from the nearest solid pixel.

    A cutout's partly transparent rim holds the product photo's background (white, grey)
    blended into the fabric: drawn on a person, every garment and sleeve outline became a faint
    light line (on a black top, a grey one). The rim keeps its alpha; its colour becomes that
    of the nearest pixel at least :data:`SOLID_ALPHA` opaque.

    Args:
        rgb: float32 (H, W, 3) colours in [0, 255] (not premultiplied).
        alpha: float32 (H, W) in [0, 1].

    Returns:
        float32 (H, W, 3); ``rgb`` itself when there is no rim or nothing solid.
    """
    solid = alpha >= SOLID_ALPHA
    rim = (alpha > 0.0) & ~solid
    if not rim.any() or not solid.any():
        return rgb
    _, nearest = cv2.distanceTransformWithLabels(
        (~solid).view(np.uint8), cv2.DIST_L2, 5, labelType=cv2.DIST_LABEL_PIXEL
    )
    ys, xs = np.nonzero(solid)
    colours = np.zeros((int(nearest.max()) + 1, 3), np.float32)
    colours[nearest[ys, xs]] = rgb[ys, xs]
    out = rgb.copy()
    out[rim] = colours[nearest[rim]]
    return out


def _premultiply(rgb: FloatArray, weight: FloatArray) -> FloatArray:
    out = np.empty((*weight.shape, 4), np.float32)
    np.multiply(rgb, weight[..., None], out=out[..., :3])
    out[..., 3] = weight
    return out


def _resized_garment(
    garment: Garment, factor: float
) -> tuple[npt.NDArray[np.uint8], npt.NDArray[np.uint8]]:
    """The cutout and part map shrunk by ``factor`` (area filter: no moiré on fine patterns)."""
    if factor >= 0.999:
        return garment.cutout, garment.parts
    w, h = garment.size
    size = (max(2, round(w * factor)), max(2, round(h * factor)))
    cutout = cv2.resize(garment.cutout, size, interpolation=cv2.INTER_AREA)
    parts = cv2.resize(garment.parts, size, interpolation=cv2.INTER_NEAREST)
    return cutout, parts


def prepare_garment(
    garment: Garment, factor: float
) -> tuple[dict[str, FloatArray], GarmentLandmarks]:
    """The garment's premultiplied parts and landmarks at ``factor`` × its photo size."""
    cutout, part_map = _resized_garment(garment, factor)
    return premultiplied_parts(cutout, part_map), garment.landmarks.scaled(factor)


__all__ = [
    "SOLID_ALPHA",
    "PrepareGarment",
    "decontaminated",
    "premultiplied_parts",
    "prepare_garment",
]
