"""The garment's own detail on a frame dressed on a smaller working copy.

A live frame is dressed on a copy about half the camera's size (see
:mod:`~fitroom.live.working_copy`) and what changed is scaled back up: the garment's print,
seams and weave came out blurred (a tee's logo at 288×216 scaled to 640×480). Here the top's
torso panel is laid once more at the frame's own size, pinned to the same body points scaled,
and only what the small copy could not hold (its colour minus the same colour scaled down and
back up) is added where the dressing showed the panel, under the dressing's light. Everything
the dressing decided (where the garment shows, the old garment removed, the light and folds)
stays the working copy's; at the frame's own size nothing is added (a live frame equals the
photo path's render, see ``tests/dressing/test_core.py``).
"""

from __future__ import annotations

from collections.abc import Sequence

import cv2
import numpy as np
import numpy.typing as npt

from fitroom.fitting.fitted import FittedGarment, FittedLayer
from fitroom.fitting.garment_fit import TORSO_POINTS
from fitroom.fitting.garment_layers import PrepareGarment
from fitroom.fitting.warp import remap_premultiplied, tps_inverse_maps
from fitroom.garments.core import Garment

FloatArray = npt.NDArray[np.float32]
ByteArray = npt.NDArray[np.uint8]

#: A layer's detail is added only where its alpha is at least this (inside the garment, not on
#: its soft outline, which the working copy's render draws).
SOLID_ALPHA = 0.98
#: ... and this many pixels inside it (about a working-copy pixel and a half: the scaled copy
#: of the colour blends in the outside that far).
SOLID_MARGIN = 3
_SOLID_KERNEL = np.ones((2 * SOLID_MARGIN + 1, 2 * SOLID_MARGIN + 1), np.uint8)
#: Sizes (shares of the product photo's) the garment is prepared at for the detail: the
#: smallest at least the body's scale (a little more, as the fitters do).
DETAIL_FACTORS = (0.25, 0.35, 0.5, 0.7, 1.0)
#: Luminance floor (0-255) of the light read off the dressed frame (a black garment's light is
#: read as a ratio of two small numbers).
LIGHT_FLOOR = 12.0


def torso_at_size(
    fitted: FittedGarment,
    garment: Garment,
    prepared: PrepareGarment,
    scale: tuple[float, float],
    size: tuple[int, int],
) -> FittedLayer | None:
    """The torso panel of ``fitted`` (laid on a working copy) laid again on the picture
    ``scale`` (x, y) times larger, of ``size`` (width, height): the same landmarks pinned to
    the same body points, scaled (as :func:`~fitroom.fitting.garment_fit.fit_upper` lays it).
    None when the garment has no torso panel there."""
    torso = next((layer for layer in fitted.layers if layer.part == "torso"), None)
    if torso is None or any(n not in fitted.targets for n in TORSO_POINTS):
        return None
    rx, ry = scale
    w, h = size
    bx0, by0, bx1, by1 = torso.box
    box = (
        max(0, int(np.floor(bx0 * rx))),
        max(0, int(np.floor(by0 * ry))),
        min(w, int(np.ceil(bx1 * rx))),
        min(h, int(np.ceil(by1 * ry))),
    )
    if box[2] - box[0] < 8 or box[3] - box[1] < 8:
        return None
    body_scale = fitted.scale * 0.5 * (rx + ry)
    # (The garment prepared at the next of a few sizes up: a person walking towards the camera
    # crosses few of them, and each is prepared once per session, about 10 ms.)
    factor = next((f for f in DETAIL_FACTORS if f >= 1.3 * body_scale), 1.0)
    pieces, landmarks = prepared(garment, factor)
    if "torso" not in pieces:
        return None
    body = np.array([fitted.targets[n] for n in TORSO_POINTS], np.float32)
    body *= np.array([rx, ry], np.float32)
    own = np.array([landmarks[n][:2] for n in TORSO_POINTS], np.float32)
    map_x, map_y = tps_inverse_maps(body, own, box, smoothing=1.0)
    return FittedLayer("torso", box, remap_premultiplied(pieces["torso"], map_x, map_y))


def garment_detail(
    layers: Sequence[FittedLayer], size: tuple[int, int], work_size: tuple[int, int]
) -> tuple[FloatArray, FloatArray, FloatArray, tuple[int, int, int, int]] | None:
    """What garment ``layers`` laid at full ``size`` (width, height) hold beyond their copy at
    ``work_size``, over the layers' box (x0, y0, x1, y1), later layers over earlier ones.

    Returns:
        (detail: float32 (h, w, 3), the colour minus the colour scaled down to the copy and
        back; low: float32 (h, w, 3), that scaled colour; weight: float32 (h, w) in [0, 1],
        where a layer is solid; box), or None when nothing is laid.
    """
    boxes = [layer.box for layer in layers]
    if not boxes:
        return None
    x0, y0 = min(b[0] for b in boxes), min(b[1] for b in boxes)
    x1, y1 = max(b[2] for b in boxes), max(b[3] for b in boxes)
    if x1 <= x0 or y1 <= y0:
        return None
    fx, fy = work_size[0] / size[0], work_size[1] / size[1]
    detail = np.zeros((y1 - y0, x1 - x0, 3), np.float32)
    low_all = np.zeros((y1 - y0, x1 - x0, 3), np.float32)
    weight = np.zeros((y1 - y0, x1 - x0), np.float32)
    first = True
    for layer in layers:
        lx0, ly0, lx1, ly1 = layer.box
        lw, lh = lx1 - lx0, ly1 - ly0
        if lw < 8 or lh < 8:
            continue
        alpha = np.ascontiguousarray(layer.rgba[..., 3])
        # (Premultiplied colour: inside the solid part, SOLID_MARGIN pixels from the outline,
        # it is the colour itself, and so is its scaled copy.)
        colour = np.ascontiguousarray(layer.rgba[..., :3])
        small = (max(1, round(lw * fx)), max(1, round(lh * fy)))
        low = cv2.resize(
            cv2.resize(colour, small, interpolation=cv2.INTER_AREA),
            (lw, lh),
            interpolation=cv2.INTER_LINEAR,
        )
        # (The layer's box edge counts as its outline.)
        solid = cv2.erode(
            cv2.compare(alpha, SOLID_ALPHA, cv2.CMP_GE),
            _SOLID_KERNEL,
            borderType=cv2.BORDER_CONSTANT,
            borderValue=0,
        ).astype(np.float32) * np.float32(1.0 / 255.0)
        box = (slice(ly0 - y0, ly1 - y0), slice(lx0 - x0, lx1 - x0))
        solid3 = cv2.merge([solid, solid, solid])
        if first and layer.box == (x0, y0, x1, y1):
            # (Nothing below the first layer over the whole box: the blends below would
            # give these same values.)
            detail = cv2.subtract(colour, low) * solid3
            low_all = low * solid3
            weight = solid
            first = False
            continue
        first = False
        # (Over the layers below: a sleeve's detail replaces the panel's under it.)
        keep = 1.0 - np.minimum(alpha, 1.0)
        keep3 = cv2.merge([keep, keep, keep])
        detail[box] = detail[box] * keep3 + cv2.subtract(colour, low) * solid3
        low_all[box] = low_all[box] * keep3 + low * solid3
        weight[box] = weight[box] * keep + solid
    return detail, low_all, weight, (x0, y0, x1, y1)


def add_garment_detail(
    out: ByteArray,
    layers: Sequence[FittedLayer],
    visible: FloatArray,
    work_size: tuple[int, int],
) -> None:
    """Add the detail of garment ``layers`` (laid at ``out``'s size) to ``out`` in place.

    Args:
        out: uint8 (H, W, 3) the dressed frame at full size (the copy's render scaled up).
        layers: the garment's layers laid at full size.
        visible: float32 (H, W) in [0, 1]: where the dressing showed them, at full size.
        work_size: (width, height) of the working copy the frame was dressed on.
    """
    h, w = out.shape[:2]
    found = garment_detail(layers, (w, h), work_size)
    if found is None:
        return
    detail, low, weight, (x0, y0, x1, y1) = found
    box = (slice(y0, y1), slice(x0, x1))
    weight *= visible[box]
    if not weight.any():
        return
    drawn = out[box].astype(np.float32)
    # The dressing's light on the garment: what the frame shows over the garment's colour as
    # the copy holds it (both smooth), in luminance.
    lum_drawn = cv2.cvtColor(drawn, cv2.COLOR_RGB2GRAY)
    lum_low = cv2.cvtColor(low, cv2.COLOR_RGB2GRAY)
    light = np.clip(lum_drawn / np.maximum(lum_low, LIGHT_FLOOR), 0.3, 1.6)
    light *= weight
    drawn += detail * cv2.merge([light, light, light])
    out[box] = np.clip(drawn + 0.5, 0.0, 255.0).astype(np.uint8)


__all__ = [
    "DETAIL_FACTORS",
    "LIGHT_FLOOR",
    "SOLID_ALPHA",
    "SOLID_MARGIN",
    "add_garment_detail",
    "garment_detail",
    "torso_at_size",
]
