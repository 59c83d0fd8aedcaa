"""A sleeve's end laid on the old sleeve's end when the two nearly meet.

A short sleeve's length read from a product photo is a poor guide to where it ends on the arm
(a flat-lay sleeve is cut at a slant, the arm is foreshortened). When the old sleeve ends a little
farther down the arm than the new one, the strip of old sleeve between them was repainted as a
stair-stepped band of skin round the arm, with the old sleeve's outline still beside it. The new
sleeve is stretched along its upper arm, from its shoulder seam, so it ends where the old one did
(at most :data:`SLEEVE_STRETCH` longer); a sleeve much shorter than the old one (a tee over a
long-sleeved top) keeps its own length and the arm below it is bare.

A long sleeve's forearm part is met to the person's own long sleeve in
:mod:`fitroom.dressing.forearm_ends` (old cuffs).

Masks float32 (H, W) in [0, 1]; layers as :class:`~fitroom.fitting.fitted.FittedLayer`.
"""

from __future__ import annotations

from dataclasses import replace

import cv2
import numpy as np
import numpy.typing as npt

from fitroom.dressing.limbs import Limb, Limbs
from fitroom.dressing.masks import labels_mask
from fitroom.fitting.fitted import FittedGarment, FittedLayer
from fitroom.vision.core import ARM_PARTS, BodyParts

FloatArray = npt.NDArray[np.float32]

#: The most a short sleeve is lengthened to meet the old sleeve's end, as a share of its length.
SLEEVE_STRETCH = 0.4
#: Old-sleeve pixels farther than this many arm radii from the upper arm's axis are not read
#: (the body's side, a bag).
CORRIDOR = 1.6
#: The share of the old sleeve's pixels along the arm taken as its end (a stray pixel of the
#: part map's staircase must not lengthen a sleeve).
OLD_END_QUANTILE = 0.97


def distance_along(points: FloatArray, origin: FloatArray, axis: FloatArray) -> FloatArray:
    """Signed distance of (N, 2) points along ``axis`` (unit, (2,)) from ``origin``."""
    out: FloatArray = ((points - origin) @ axis).astype(np.float32)
    return out


def sleeve_end_gap(
    sleeve: FittedLayer, seam: FloatArray, arm: Limb, old_top: FloatArray, parts: BodyParts
) -> tuple[float, float]:
    """(the new sleeve's length from its seam along the upper arm, how much farther the old
    sleeve reaches), in pixels; (0, 0) when either cannot be read, and no gap when the old
    sleeve reaches the elbow (a long sleeve: the arm below the new one is bare).

    Args:
        sleeve: the sleeve's upper-arm layer.
        seam: float32 (2,) its shoulder seam point (where it is pinned to the panel).
        arm: the arm it lies on (shoulder → elbow → wrist).
        old_top: float32 (H, W): the old top's mask; only its pixels on the arms' labels count.
        parts: the person's body-part map.
    """
    bone = arm.bones[1] - arm.bones[0]
    length = float(np.hypot(*bone))
    if length < 2.0:
        return 0.0, 0.0
    axis = (bone / length).astype(np.float32)
    normal = np.array([-axis[1], axis[0]], np.float32)
    x0, y0, _, _ = sleeve.box
    ys, xs = np.nonzero(sleeve.rgba[..., 3] > 0.5)
    if ys.size < 10:
        return 0.0, 0.0
    pts = np.stack([xs + x0, ys + y0], axis=1).astype(np.float32)
    new_end = float(np.quantile(distance_along(pts, seam, axis), 0.99))
    # The old sleeve: old-top pixels on the arms' labels that are not skin (the old-top mask
    # reaches onto a bare forearm where the part map's arm is coarse), read within a box that
    # holds the corridor along the upper arm (below; its axis runs through the shoulder joint).
    h, w = parts.labels.shape
    start = arm.bones[0] + axis * float((seam - arm.bones[0]) @ axis)
    ends = np.stack([start, start + axis * (length + arm.radius)])
    pad = CORRIDOR * arm.radius + 2.0
    bx0, by0 = (max(0, int(v)) for v in np.floor(ends.min(axis=0) - pad))
    bx1, by1 = (
        int(min(w, np.ceil(ends[:, 0].max() + pad))),
        int(min(h, np.ceil(ends[:, 1].max() + pad))),
    )
    if bx1 <= bx0 or by1 <= by0:
        return new_end, 0.0
    box = (slice(by0, by1), slice(bx0, bx1))
    arms = labels_mask(parts.labels[box], ARM_PARTS) & (old_top[box] > 0.5)
    arms &= parts.skin[box] < 0.5
    oys, oxs = np.nonzero(arms)
    if oys.size < 10:
        return new_end, 0.0
    opts = np.stack([oxs + bx0, oys + by0], axis=1).astype(np.float32)
    near = np.abs(distance_along(opts, arm.bones[0], normal)) <= CORRIDOR * arm.radius
    along = distance_along(opts[near], seam, axis)
    # Only the old sleeve on the upper arm (below the elbow an old long sleeve goes on).
    along = along[(along > 0.0) & (along <= length + arm.radius)]
    if along.size < 10:
        return new_end, 0.0
    # Rows across the arm holding old sleeve, one per pixel along it: the old sleeve goes on
    # from the new one's end as long as they follow without a gap (a few pixels of slack).
    counts = np.bincount(np.round(along).astype(np.int64))
    start = round(new_end)
    if start >= counts.size or counts[max(0, start - 2) : start + 3].sum() == 0:
        return new_end, 0.0
    filled = counts[start:] >= max(1, int(0.25 * arm.radius))
    # (The first pixel from which the next four hold none: a sliding sum, not a loop.)
    ahead = np.convolve(filled.astype(np.int32), np.ones(4, np.int32))[3:]
    gaps = np.flatnonzero(ahead == 0)
    run = int(gaps[0]) if gaps.size else filled.size
    end = min(float(start + run), float(np.quantile(along, OLD_END_QUANTILE)))
    if end >= length - 0.5 * arm.radius:
        # The old sleeve goes on to the elbow: a long sleeve (or one past the elbow), not a
        # short one to meet; the arm below the new sleeve is bare.
        return new_end, 0.0
    return new_end, max(0.0, end - new_end)


def stretch_along(
    layer: FittedLayer, seam: FloatArray, axis: FloatArray, factor: float, size: tuple[int, int]
) -> FittedLayer:
    """The layer stretched by ``factor`` along ``axis`` (unit (2,)) from ``seam``, its box
    grown to hold it (within the frame ``size``: width, height)."""
    a = np.outer(axis, axis).astype(np.float64)
    m = np.eye(2) + (factor - 1.0) * a
    x0, y0, x1, y1 = layer.box
    corners = np.array([[x0, y0], [x1, y0], [x0, y1], [x1, y1]], np.float64)
    moved = (corners - seam) @ m.T + seam
    w, h = size
    nx0 = max(0, int(np.floor(min(moved[:, 0].min(), x0))))
    ny0 = max(0, int(np.floor(min(moved[:, 1].min(), y0))))
    nx1 = min(w, int(np.ceil(max(moved[:, 0].max(), x1))) + 1)
    ny1 = min(h, int(np.ceil(max(moved[:, 1].max(), y1))) + 1)
    if nx1 - nx0 < 2 or ny1 - ny0 < 2:
        return layer
    # Output pixel (in the new box) → frame → unstretched frame → old box.
    inv = np.linalg.inv(m)
    shift = seam - inv @ seam
    affine = np.zeros((2, 3), np.float64)
    affine[:, :2] = inv
    affine[:, 2] = inv @ np.array([nx0, ny0], np.float64) + shift - np.array([x0, y0])
    rgba = cv2.warpAffine(
        layer.rgba,
        affine,
        (nx1 - nx0, ny1 - ny0),
        flags=cv2.INTER_LINEAR | cv2.WARP_INVERSE_MAP,
        borderMode=cv2.BORDER_CONSTANT,
        borderValue=(0.0, 0.0, 0.0, 0.0),
    ).astype(np.float32)
    return FittedLayer(layer.part, (nx0, ny0, nx1, ny1), np.ascontiguousarray(rgba))


def meet_old_sleeve_ends(
    fitted: FittedGarment, limbs: Limbs, old_top: FloatArray, parts: BodyParts
) -> FittedGarment:
    """``fitted`` with each short sleeve lengthened to the old sleeve's end when that lies at
    most :data:`SLEEVE_STRETCH` of its length farther down the upper arm (see the module
    docstring); long sleeves (with a forearm part) and sleeveless tops are unchanged."""
    if fitted.region != "upper":
        return fitted
    h, w = old_top.shape
    names = {layer.part for layer in fitted.layers}
    layers = list(fitted.layers)
    changed = False
    for side, arm in (("left", limbs.left_arm), ("right", limbs.right_arm)):
        name = f"{side}_sleeve"
        seam_xy = fitted.targets.get(f"shoulder_{side}")
        if name not in names or f"{side}_forearm" in names or seam_xy is None:
            continue
        seam = np.asarray(seam_xy, np.float32)
        i = next(k for k, layer in enumerate(layers) if layer.part == name)
        new_len, gap = sleeve_end_gap(layers[i], seam, arm, old_top, parts)
        if new_len < 4.0 or gap < 2.0 or gap > SLEEVE_STRETCH * new_len:
            continue
        bone = arm.bones[1] - arm.bones[0]
        axis = (bone / max(1e-6, float(np.hypot(*bone)))).astype(np.float64)
        factor = (new_len + gap) / new_len
        layers[i] = stretch_along(layers[i], seam.astype(np.float64), axis, factor, (w, h))
        changed = True
    if not changed:
        return fitted
    # (Everything else kept: a panel that leaves out its own neck opening still does.)
    return replace(fitted, layers=tuple(layers))


__all__ = [
    "CORRIDOR",
    "OLD_END_QUANTILE",
    "SLEEVE_STRETCH",
    "distance_along",
    "meet_old_sleeve_ends",
    "sleeve_end_gap",
    "stretch_along",
]
