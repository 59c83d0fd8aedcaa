"""A long sleeve's forearm part reaching the old cuff's end.

A long sleeve ends at the wrist joint (see :data:`fitroom.fitting.sleeves.LONG_SLEEVE_REACH`),
but a worn cuff often covers the wrist down to the hand, where the coarse part map calls it
hand: the strip of old sleeve between the new sleeve's end and the hand was repainted as skin,
an orange-brown band round each wrist above the old cuff. The forearm part is stretched along
the forearm, from the elbow, to the old cuff's end (at most :data:`CUFF_STRETCH` of the
forearm's length farther; :func:`meet_old_cuffs`); the old cuff's pixels the part map calls
hand stay in front of it (they are the photo's, in front of the hand's label) and the rest is
new sleeve.

Masks float32 (H, W) in [0, 1]; layers as :class:`~fitroom.fitting.fitted.FittedLayer`.
"""

from __future__ import annotations

from dataclasses import replace

import cv2
import numpy as np
import numpy.typing as npt

from fitroom.dressing.limbs import Limb, Limbs
from fitroom.dressing.masks import labels_mask
from fitroom.dressing.sleeve_ends import (
    CORRIDOR,
    OLD_END_QUANTILE,
    distance_along,
    stretch_along,
)
from fitroom.fitting.fitted import FittedGarment, FittedLayer
from fitroom.vision.core import ARM_PARTS, HAND_PARTS, BodyParts

FloatArray = npt.NDArray[np.float32]


#: The most a long sleeve's forearm part is lengthened to meet the old cuff, as a share of the
#: forearm's length.
CUFF_STRETCH = 0.25
#: Largest colour distance (CIE ΔE76) from the old top's chest colour of an old cuff's pixel
#: the part map calls hand.
CUFF_DELTA_E = 20.0


_NONE: tuple[npt.NDArray[np.intp], npt.NDArray[np.intp]] = (
    np.zeros(0, np.intp),
    np.zeros(0, np.intp),
)


def _run_from(along: FloatArray, start: int, least: int) -> int:
    """How many pixels along the arm, from ``start``, rows across it hold at least ``least``
    old-sleeve pixels without a gap of more than a few pixels (``along``: the pixels' signed
    distances along the arm); 0 when none lies next to ``start``."""
    counts = np.bincount(np.round(along[along >= 0.0]).astype(np.int64))
    if start >= counts.size or counts[max(0, start - 2) : start + 3].sum() == 0:
        return 0
    filled = counts[start:] >= least
    for k in np.flatnonzero(~filled):
        if not filled[k : k + 4].any():
            return int(k)
    return int(filled.size)


def _forearm_reach(
    forearm: FittedLayer, arm: Limb
) -> tuple[FloatArray, FloatArray, float, float] | None:
    """(the elbow, the forearm's unit axis, its length, how far the forearm layer reaches from
    the elbow along it), or None when the arm has no forearm or the layer too few pixels."""
    if arm.bones.shape[0] < 3:
        return None
    elbow, wrist = arm.bones[1].astype(np.float32), arm.bones[2].astype(np.float32)
    bone = wrist - elbow
    length = float(np.hypot(*bone))
    if length < 2.0:
        return None
    axis = (bone / length).astype(np.float32)
    x0, y0, _, _ = forearm.box
    ys, xs = np.nonzero(forearm.rgba[..., 3] > 0.5)
    if ys.size < 10:
        return None
    pts = np.stack([xs + x0, ys + y0], axis=1).astype(np.float32)
    return elbow, axis, length, float(np.quantile(distance_along(pts, elbow, axis), 0.99))


def _corridor_box(
    ends: FloatArray, radius: float, shape: tuple[int, int]
) -> tuple[slice, slice] | None:
    """The (rows, columns) slices of the box round the segment ``ends`` ((2, 2) float32) grown
    by :data:`CORRIDOR` arm radii, within the frame ``shape``; None when it is empty."""
    h, w = shape
    pad = CORRIDOR * radius + 2.0
    bx0, by0 = (max(0, int(v)) for v in np.floor(ends.min(axis=0) - pad))
    bx1 = int(min(w, np.ceil(ends[:, 0].max() + pad)))
    by1 = int(min(h, np.ceil(ends[:, 1].max() + pad)))
    if bx1 <= bx0 or by1 <= by0:
        return None
    return slice(by0, by1), slice(bx0, bx1)


def cuff_end_gap(
    forearm: FittedLayer,
    arm: Limb,
    old_top: FloatArray,
    parts: BodyParts,
    image: npt.NDArray[np.uint8],
    old_lab: FloatArray,
) -> tuple[float, float, tuple[npt.NDArray[np.intp], npt.NDArray[np.intp]]]:
    """(the new forearm part's length from the elbow along the forearm, how much farther the
    old sleeve reaches, in pixels; the (rows, columns) of the old cuff's pixels the part map
    calls hand, up to that end); no gap when either cannot be read.

    Args:
        forearm: the long sleeve's forearm layer.
        arm: the arm it lies on (shoulder → elbow → wrist).
        old_top: float32 (H, W): the old top's mask (its pixels on the arm's labels that are
            not skin count).
        parts: the person's body-part map.
        image: uint8 (H, W, 3) RGB photo: non-skin pixels the part map calls hand, within the
            arm's radius of its axis and coloured like ``old_lab`` (float32 (3,) Lab, the old
            top's chest; :data:`CUFF_DELTA_E`) count too.
    """
    reach = _forearm_reach(forearm, arm)
    if reach is None:
        return 0.0, 0.0, _NONE
    elbow, axis, length, new_end = reach
    normal = np.array([-axis[1], axis[0]], np.float32)
    # Read in a box round the forearm and as far past the wrist as a cuff may reach.
    wrist = elbow + axis * length
    ends = np.stack([elbow, wrist + axis * (CUFF_STRETCH * length + arm.radius)])
    box = _corridor_box(ends, arm.radius, parts.labels.shape)
    if box is None:
        return new_end, 0.0, _NONE
    by0, bx0 = box[0].start, box[1].start
    labels, cloth = parts.labels[box], parts.skin[box] < 0.5
    sleeve = labels_mask(labels, ARM_PARTS) & (old_top[box] > 0.5) & cloth
    hand = labels_mask(labels, HAND_PARTS) & cloth
    hy, hx = np.nonzero(hand)
    if hy.size:
        lab = cv2.cvtColor(
            image[box][hy, hx].reshape(-1, 1, 3).astype(np.float32) / 255.0, cv2.COLOR_RGB2LAB
        ).reshape(-1, 3)
        hand[hy, hx] = np.linalg.norm(lab - old_lab, axis=1) < CUFF_DELTA_E
    oys, oxs = np.nonzero(sleeve | hand)
    if oys.size < 10:
        return new_end, 0.0, _NONE
    opts = np.stack([oxs + bx0, oys + by0], axis=1).astype(np.float32)
    across = np.abs(distance_along(opts, elbow, normal))
    # (On the hand's label only the arm's own width: beside it lie the hips and trousers.)
    near = across <= np.where(hand[oys, oxs], arm.radius, CORRIDOR * arm.radius)
    along = distance_along(opts[near], elbow, axis)
    if along.size < 10:
        return new_end, 0.0, _NONE
    start = round(new_end)
    run = _run_from(along, start, max(1, int(0.5 * arm.radius)))
    if run == 0:
        return new_end, 0.0, _NONE
    end = min(float(start + run), float(np.quantile(along, OLD_END_QUANTILE)))
    on_hand = hand[oys, oxs] & near
    cuff = on_hand & (distance_along(opts, elbow, axis) <= end)
    return new_end, max(0.0, end - new_end), (oys[cuff] + by0, oxs[cuff] + bx0)


def _forearm_layers(layers: list[FittedLayer], limbs: Limbs) -> list[tuple[int, Limb]]:
    """(index in ``layers``, arm) of each forearm layer whose arm has a forearm."""
    found = []
    for side, arm in (("left", limbs.left_arm), ("right", limbs.right_arm)):
        i = next((k for k, layer in enumerate(layers) if layer.part == f"{side}_forearm"), None)
        if i is not None and arm.bones.shape[0] >= 3:
            found.append((i, arm))
    return found


def _forearm_stretched(
    forearm: FittedLayer, arm: Limb, factor: float, size: tuple[int, int]
) -> FittedLayer:
    """The forearm layer stretched by ``factor`` along the forearm from the elbow (see
    :func:`stretch_along`)."""
    bone = (arm.bones[2] - arm.bones[1]).astype(np.float64)
    axis = bone / max(1e-6, float(np.hypot(*bone)))
    return stretch_along(forearm, arm.bones[1].astype(np.float64), axis, factor, size)


def meet_old_cuffs(
    fitted: FittedGarment,
    limbs: Limbs,
    old_top: FloatArray,
    parts: BodyParts,
    image: npt.NDArray[np.uint8],
    old_lab: FloatArray | None,
) -> tuple[FittedGarment, FloatArray]:
    """``fitted`` with each long sleeve's forearm part lengthened to the old cuff's end when
    that lies at most :data:`CUFF_STRETCH` of the forearm's length farther down the arm (see
    :func:`cuff_end_gap` and the module docstring), and the old cuff's pixels the part map
    calls hand (float32 (H, W) in {0, 1}: old fabric, to be covered, not kept in front as a
    hand). Garments without forearm parts, or an old top of no known colour (``old_lab``
    None), are unchanged and the mask is empty."""
    h, w = old_top.shape
    cuffs = np.zeros((h, w), np.float32)
    if fitted.region != "upper" or old_lab is None:
        return fitted, cuffs
    layers = list(fitted.layers)
    changed = False
    for i, arm in _forearm_layers(layers, limbs):
        new_len, gap, (ys, xs) = cuff_end_gap(layers[i], arm, old_top, parts, image, old_lab)
        forearm_len = float(np.hypot(*(arm.bones[2] - arm.bones[1])))
        if new_len < 4.0 or gap < 2.0 or gap > CUFF_STRETCH * forearm_len:
            continue
        stretched = _forearm_stretched(layers[i], arm, (new_len + gap) / new_len, (w, h))
        # (Only what the sleeve now covers: a cuff wider than it stays, in front as the hand's,
        # rather than being repainted as skin beside the new cuff.)
        bx0, by0, bx1, by1 = stretched.box
        inside = (ys >= by0) & (ys < by1) & (xs >= bx0) & (xs < bx1)
        ys, xs = ys[inside], xs[inside]
        covered = stretched.rgba[ys - by0, xs - bx0, 3] > 0.5
        cuffs[ys[covered], xs[covered]] = 1.0
        layers[i] = stretched
        changed = True
    return (replace(fitted, layers=tuple(layers)) if changed else fitted), cuffs


__all__ = [
    "CUFF_DELTA_E",
    "CUFF_STRETCH",
    "cuff_end_gap",
    "meet_old_cuffs",
]
