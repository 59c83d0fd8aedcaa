"""A sleeve's end laid on the old sleeve's end when the two nearly meet.

A short sleeve's length read from a product photo is a poor guide to where it ends on the arm
(a flat-lay sleeve is cut at a slant, the arm is foreshortened). When the old sleeve ends a little
farther down the arm than the new one, the strip of old sleeve between them was repainted as a
stair-stepped band of skin round the arm, with the old sleeve's outline still beside it. The new
sleeve is stretched along its upper arm, from its shoulder seam, so it ends where the old one did
(at most :data:`SLEEVE_STRETCH` longer); a sleeve much shorter than the old one (a tee over a
long-sleeved top) keeps its own length and the arm below it is bare.

A long sleeve ends at the wrist joint (see :data:`fitroom.fitting.sleeves.LONG_SLEEVE_REACH`),
but a worn cuff often covers the wrist down to the hand, where the coarse part map calls it
hand: the strip of old sleeve between the new sleeve's end and the hand was repainted as skin,
an orange-brown band round each wrist above the old cuff. The forearm part is stretched along
the forearm, from the elbow, to the old cuff's end (at most :data:`CUFF_STRETCH` of the
forearm's length farther; :func:`meet_old_cuffs`); the old cuff's pixels the part map calls
hand stay in front of it (they are the photo's, in front of the hand's label) and the rest is
new sleeve.

A person who wears a long sleeve pushed up the forearm (the bare forearm below the old sleeve's
end) wears the new one so too: drawn down to the wrist, the new sleeve covered the bare forearm
and the hand holding a bag, where the photo of the person in that very garment shows skin
(:func:`meet_pushed_up_sleeves`; only when the old sleeve runs on past the elbow, so a long
sleeve over a tee's bare forearm still reaches the wrist).

Masks float32 (H, W) in [0, 1]; layers as :class:`~fitroom.fitting.fitted.FittedLayer`.
"""

from __future__ import annotations

from dataclasses import replace

import cv2
import numpy as np
import numpy.typing as npt

from fitroom.dressing.limbs import Limb, Limbs
from fitroom.fitting.fitted import FittedGarment, FittedLayer
from fitroom.vision.core import ARM_PARTS, HAND_PARTS, BodyParts

FloatArray = npt.NDArray[np.float32]

#: The most a short sleeve is lengthened to meet the old sleeve's end, as a share of its length.
SLEEVE_STRETCH = 0.4
#: Old-sleeve pixels farther than this many arm radii from the upper arm's axis are not read
#: (the body's side, a bag).
CORRIDOR = 1.6
#: The share of the old sleeve's pixels along the arm taken as its end (a stray pixel of the
#: part map's staircase must not lengthen a sleeve).
OLD_END_QUANTILE = 0.97


def _along(points: FloatArray, origin: FloatArray, axis: FloatArray) -> FloatArray:
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
    new_end = float(np.quantile(_along(pts, seam, axis), 0.99))
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
    arms = np.isin(parts.labels[box], [int(p) for p in ARM_PARTS]) & (old_top[box] > 0.5)
    arms &= parts.skin[box] < 0.5
    oys, oxs = np.nonzero(arms)
    if oys.size < 10:
        return new_end, 0.0
    opts = np.stack([oxs + bx0, oys + by0], axis=1).astype(np.float32)
    near = np.abs(_along(opts, arm.bones[0], normal)) <= CORRIDOR * arm.radius
    along = _along(opts[near], seam, axis)
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
    holes = np.flatnonzero(~filled)
    run = filled.size
    for k in holes:
        if not filled[k : k + 4].any():
            run = int(k)
            break
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
    return elbow, axis, length, float(np.quantile(_along(pts, elbow, axis), 0.99))


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
    sleeve = np.isin(labels, [int(p) for p in ARM_PARTS]) & (old_top[box] > 0.5) & cloth
    hand = np.isin(labels, [int(p) for p in HAND_PARTS]) & cloth
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
    across = np.abs(_along(opts, elbow, normal))
    # (On the hand's label only the arm's own width: beside it lie the hips and trousers.)
    near = across <= np.where(hand[oys, oxs], arm.radius, CORRIDOR * arm.radius)
    along = _along(opts[near], elbow, axis)
    if along.size < 10:
        return new_end, 0.0, _NONE
    start = round(new_end)
    run = _run_from(along, start, max(1, int(0.5 * arm.radius)))
    if run == 0:
        return new_end, 0.0, _NONE
    end = min(float(start + run), float(np.quantile(along, OLD_END_QUANTILE)))
    on_hand = hand[oys, oxs] & near
    cuff = on_hand & (_along(opts, elbow, axis) <= end)
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


#: The most a long sleeve's forearm part is shortened to end where the old sleeve, pushed up
#: the forearm, does (:func:`meet_pushed_up_sleeves`), as a share of the forearm's length.
PUSHED_UP_SHORTEN = 0.6
#: How far past the elbow, as a share of the forearm's length, an old sleeve must reach to be a
#: long sleeve pushed up (a short sleeve, or a flared three-quarter one ending below the elbow,
#: says nothing of how a long sleeve is worn). The true pairs' pushed-up sleeves end at 0.49
#: and 0.64 of the forearm. (Known short: a wide flared sleeve, which the part map reads
#: farther down the arm than it hangs, still passes: a cardigan tried on over such a cross
#: pair's top ends a little below the old flare.)
PUSHED_UP_FROM = 0.4
#: The share of the forearm's rows between the old sleeve's end and the new one's that must
#: hold bare skin (an old sleeve hidden there by a bag or the body is not a pushed-up one).
BARE_SHARE = 0.6


def pushed_up_gap(
    forearm: FittedLayer, arm: Limb, old_top: FloatArray, parts: BodyParts
) -> tuple[float, float]:
    """(the new forearm part's length from the elbow along the forearm, how much shorter the
    old long sleeve is there), in pixels; no gap when the old sleeve does not run on from the
    elbow past :data:`PUSHED_UP_FROM` of the forearm, or when the forearm beyond its end is not
    bare (:data:`BARE_SHARE`).

    Args:
        forearm: the long sleeve's forearm layer.
        arm: the arm it lies on (shoulder → elbow → wrist).
        old_top: float32 (H, W): the old top's mask (its non-skin pixels on the arm's labels
            count).
        parts: the person's body-part map.
    """
    reach = _forearm_reach(forearm, arm)
    if reach is None:
        return 0.0, 0.0
    elbow, axis, length, new_end = reach
    normal = np.array([-axis[1], axis[0]], np.float32)
    box = _corridor_box(
        np.stack([elbow, elbow + axis * max(new_end, 1.0)]), arm.radius, parts.labels.shape
    )
    if box is None:
        return new_end, 0.0
    (by0, by1), (bx0, bx1) = (box[0].start, box[0].stop), (box[1].start, box[1].stop)
    on_arm = np.isin(parts.labels[box], [int(p) for p in ARM_PARTS])
    bare = parts.skin[box] >= 0.5
    gy, gx = np.mgrid[by0:by1, bx0:bx1]
    grid = np.stack([gx.ravel(), gy.ravel()], axis=1).astype(np.float32)
    along = _along(grid, elbow, axis).reshape(gy.shape)
    near = (np.abs(_along(grid, elbow, normal)).reshape(gy.shape) <= arm.radius) & (along >= 0.0)
    rows = round(new_end) + 1

    def per_row(mask: npt.NDArray[np.bool_]) -> npt.NDArray[np.int64]:
        # Pixels per row across the forearm, one row per pixel along it.
        picked = np.round(along[mask & near]).astype(np.int64)
        return np.bincount(picked[picked < rows], minlength=rows)

    # A row is bare where the skin outnumbers the old sleeve in it (the part map's arm is wider
    # than the arm, and a bag's strap along it is neither): not where the sleeve's count
    # merely falls below a threshold.
    sleeve_rows = per_row(on_arm & (old_top[box] > 0.5) & ~bare)
    # (On any label: past the wrist joint the part map calls the bare wrist hand.)
    skin_rows = per_row(bare)
    least = max(1, int(0.5 * arm.radius))
    clothed = (sleeve_rows >= least) & (sleeve_rows >= skin_rows)
    bare_rows = skin_rows > sleeve_rows
    # The old sleeve's end: the first row from the elbow after which most of the next few
    # rows are bare.
    run = 4
    old_end = float(rows)
    for k in range(rows):
        if bare_rows[k] and bare_rows[k : k + run].mean() >= 0.75:
            old_end = float(k)
            break
    if (
        old_end < PUSHED_UP_FROM * length
        or old_end >= new_end - 2.0
        or clothed[: round(old_end)].mean() < BARE_SHARE
    ):
        return new_end, 0.0
    # The forearm beyond the old sleeve's end, up to the new one's: bare in most rows.
    if float(np.mean(bare_rows[round(old_end) :])) < BARE_SHARE:
        return new_end, 0.0
    return new_end, new_end - old_end


def meet_pushed_up_sleeves(
    fitted: FittedGarment, limbs: Limbs, old_top: FloatArray, parts: BodyParts
) -> FittedGarment:
    """``fitted`` with each long sleeve's forearm part shortened, from the elbow, to end where
    the old long sleeve does when the person wears it pushed up the forearm (see
    :func:`pushed_up_gap`; by at most :data:`PUSHED_UP_SHORTEN` of the forearm's length): the
    new sleeve is worn as the person wears theirs, and the bare forearm stays the photo's.
    Garments without forearm parts are unchanged."""
    if fitted.region != "upper":
        return fitted
    h, w = old_top.shape
    layers = list(fitted.layers)
    changed = False
    for i, arm in _forearm_layers(layers, limbs):
        new_len, gap = pushed_up_gap(layers[i], arm, old_top, parts)
        forearm_len = float(np.hypot(*(arm.bones[2] - arm.bones[1])))
        if new_len < 4.0 or gap < 2.0 or gap > PUSHED_UP_SHORTEN * forearm_len:
            continue
        layers[i] = _forearm_stretched(layers[i], arm, (new_len - gap) / new_len, (w, h))
        changed = True
    return replace(fitted, layers=tuple(layers)) if changed else fitted


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
    "BARE_SHARE",
    "CORRIDOR",
    "CUFF_DELTA_E",
    "CUFF_STRETCH",
    "OLD_END_QUANTILE",
    "PUSHED_UP_FROM",
    "PUSHED_UP_SHORTEN",
    "SLEEVE_STRETCH",
    "cuff_end_gap",
    "meet_old_cuffs",
    "meet_old_sleeve_ends",
    "meet_pushed_up_sleeves",
    "pushed_up_gap",
    "sleeve_end_gap",
    "stretch_along",
]
