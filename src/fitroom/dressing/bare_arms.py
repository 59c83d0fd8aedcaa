"""Bare arms at their own width: where an arm is under an old sleeve that is repainted as skin.

A sleeve is wider than the arm inside it, most of all at the cuff; repainted as skin up to its
outline, it drew a band wider than the arm. The arm's outline here narrows from the shoulder
to the wrist, as bare arms in photos do; old fabric beyond it is what lay behind.

Masks are float32 (H, W) in [0, 1].
"""

from __future__ import annotations

from dataclasses import dataclass

import cv2
import numpy as np
import numpy.typing as npt

from fitroom.dressing.limbs import Limbs
from fitroom.dressing.masks import labels_mask
from fitroom.vision.core import ARM_PARTS, HAND_PARTS, BodyPart, BodyParts

FloatArray = npt.NDArray[np.float32]

#: A bare arm's radius at the elbow and at the wrist, as shares of its radius at the shoulder
#: (the arm capsule's, :data:`~fitroom.dressing.limbs.ARM_RADIUS`; measured on bare arms in
#: the shared photos: 0.6 to 0.85 of it along the forearm): a forearm is narrower than
#: an upper arm and a wrist narrower still, so a wide old sleeve's cuff is not painted as skin.
ELBOW_OF_SHOULDER = 0.85
WRIST_OF_SHOULDER = 0.6


def _run_grid(
    on: npt.NDArray[np.bool_], centres: FloatArray, across: FloatArray, reach: int
) -> tuple[npt.NDArray[np.bool_], npt.NDArray[np.intp]]:
    """The ``on`` pixels sampled from each of ``centres`` (float32 (S, 2), x and y) along
    ``across`` (a unit vector) and against it, up to ``reach`` pixels: bool (S, 2, reach),
    False outside the picture, and where they were read in ``on.ravel()``, intp (S, 2, reach).
    (One gather for both directions: the helpers of a frame call this a dozen times or more.)"""
    h, w = on.shape
    steps = np.arange(reach, dtype=np.float32)
    signed = np.concatenate([steps, -steps])
    pts = centres[:, None, :] + signed[None, :, None] * across[None, None, :]
    xs, ys = np.rint(pts[..., 0]).astype(np.intp), np.rint(pts[..., 1]).astype(np.intp)
    inside = (xs >= 0) & (xs < w) & (ys >= 0) & (ys < h)
    flat = ys * w + xs
    flat[~inside] = 0
    run = on.ravel()[flat]
    run &= inside
    return run.reshape(len(centres), 2, reach), flat.reshape(len(centres), 2, reach)


def _run_ends(
    run: npt.NDArray[np.bool_], reach: int
) -> tuple[npt.NDArray[np.intp], npt.NDArray[np.intp]]:
    """How far each run of :func:`_run_grid` goes before its first pixel off (all of the
    reach when none is): (along, against), int (S,) each."""
    ends = np.where(run.all(axis=2), reach, np.argmin(run, axis=2))
    return ends[:, 0], ends[:, 1]


def _runs_across(
    on: npt.NDArray[np.bool_],
    centres: FloatArray,
    across: FloatArray,
    reach: int,
    skin: FloatArray | None = None,
) -> tuple[npt.NDArray[np.intp], npt.NDArray[np.intp]]:
    """How far the ``on`` pixels (and, if given, ``skin`` > 0.5 ones: read only where sampled)
    run from each of ``centres`` (float32 (S, 2), x and y) along ``across`` (a unit vector) and
    against it, up to ``reach`` pixels: (along, against), int (S,) each; 0 where a centre is
    itself off."""
    run, flat = _run_grid(on, centres, across, reach)
    if skin is not None:
        run &= skin.ravel()[flat] > 0.5
    return _run_ends(run, reach)


def _across(a: FloatArray, b: FloatArray) -> FloatArray | None:
    """The unit vector across the bone from ``a`` to ``b`` (None for a bone under 4 pixels)."""
    bone = np.asarray(b - a, np.float32)
    length = float(np.hypot(*bone))
    if not np.isfinite(length) or length < 4.0:
        return None
    return np.array([-bone[1], bone[0]], np.float32) / np.float32(length)


def bare_wrist_radius(
    parts: BodyParts,
    elbow: FloatArray,
    wrist: FloatArray,
    on_arm: npt.NDArray[np.bool_] | None = None,
) -> float | None:
    """Half the width of a bare wrist across the forearm (the median over points from 80 % to
    100 % of the way from elbow to wrist of the run of arm or hand skin through the bone,
    measured across it), or None where the photo shows too little of it bare (a long cuff).
    ``on_arm``: the arm and hand labels' pixels, if already known."""
    across = _across(elbow, wrist)
    if across is None:
        return None
    if on_arm is None:
        on_arm = labels_mask(parts.labels, (*ARM_PARTS, *HAND_PARTS))
    t = np.linspace(0.8, 1.0, 7, dtype=np.float32)[:, None]
    centres = (elbow[None, :] + t * (wrist - elbow)[None, :]).astype(np.float32)
    reach = round(0.5 * float(np.hypot(*(wrist - elbow))))
    plus, minus = _runs_across(on_arm, centres, across, reach, parts.skin)
    found = (plus > 0) & (minus > 0)
    if int(found.sum()) < 4:
        return None
    return float(np.median(0.5 * (plus[found] + minus[found])))


#: The fewest points along an arm with its skin seen across the bone for the arm's width to be
#: measured (:func:`bare_shoulder_radius`).
MIN_BARE_POINTS = 4
#: The narrowest an arm is taken to be at the shoulder, as a share of its capsule's radius (a
#: thin arm measured where a shadow or a bracelet cut its skin short stays this wide).
NARROWEST_OF_CAPSULE = 0.6


def _share_of_shoulder(t: FloatArray) -> FloatArray:
    """A bare arm's radius as a share of its radius at the shoulder, at ``t`` of the way from
    the shoulder (0) through the elbow (1) to the wrist (2)."""
    upper = 1.0 + np.minimum(t, 1.0) * (ELBOW_OF_SHOULDER - 1.0)
    fore = np.maximum(t - 1.0, 0.0) * (WRIST_OF_SHOULDER - ELBOW_OF_SHOULDER)
    return (upper + fore).astype(np.float32)


def bare_shoulder_radius(
    parts: BodyParts, bones: FloatArray, capsule: float, on_arm: npt.NDArray[np.bool_]
) -> float:
    """The arm's radius at the shoulder, from the width of its skin where the photo shows it
    bare (``bones``: shoulder, elbow, wrist; ``on_arm``: the arm and hand labels' pixels).

    The capsule's radius (``capsule``, :data:`~fitroom.dressing.limbs.ARM_RADIUS` of the
    shoulders' width) is a loose sleeve's, not the arm's: a slim arm in a short-sleeved tee is
    a third narrower. Across the bone at points from the middle of the upper arm to near the
    wrist, the run of arm skin is measured and divided by the bare arm's taper there
    (:data:`ELBOW_OF_SHOULDER`, :data:`WRIST_OF_SHOULDER`); the median, kept within
    :data:`NARROWEST_OF_CAPSULE` of the capsule's radius and it. The capsule's radius where
    fewer than :data:`MIN_BARE_POINTS` points show skin on both sides (long sleeves).
    """
    shoulder, elbow, wrist = (np.asarray(p, np.float32) for p in bones[:3])
    halves: list[FloatArray] = []
    for a, b, ts in (
        (shoulder, elbow, np.linspace(0.5, 1.0, 6, dtype=np.float32)),
        (elbow, wrist, np.linspace(0.0, 0.8, 9, dtype=np.float32)),
    ):
        across = _across(a, b)
        if across is None:
            continue
        centres = (a[None, :] + ts[:, None] * (b - a)[None, :]).astype(np.float32)
        reach = max(2, round(1.5 * capsule))
        plus, minus = _runs_across(on_arm, centres, across, reach, parts.skin)
        # (Both sides must end inside the reach: a run to its end is skin of the torso or of
        # the other arm beside this one.)
        found = (plus > 0) & (minus > 0) & (plus < reach) & (minus < reach)
        t_whole = ts if a is shoulder else ts + np.float32(1.0)
        halves.append((0.5 * (plus + minus) / _share_of_shoulder(t_whole))[found])
    seen = np.concatenate(halves) if halves else np.zeros(0, np.float32)
    if seen.size < MIN_BARE_POINTS:
        return capsule
    return float(np.clip(np.median(seen), NARROWEST_OF_CAPSULE * capsule, capsule))


def shoulder_radii(
    parts: BodyParts, limbs: Limbs, on_arm: npt.NDArray[np.bool_] | None = None
) -> tuple[float, float]:
    """Each arm's radius at the shoulder (left, right): :func:`bare_shoulder_radius` where
    the arm's three joints are known, its capsule's radius elsewhere. Worked out once per
    render and given to :func:`neck_and_shoulder_slopes` and :func:`beyond_arm_outlines`,
    which both need it. ``on_arm``: the arm and hand labels' pixels, if already known."""
    if on_arm is None:
        on_arm = labels_mask(parts.labels, (*ARM_PARTS, *HAND_PARTS))
    out = []
    for arm in (limbs.left_arm, limbs.right_arm):
        radius = float(arm.radius)
        if arm.bones.shape[0] >= 3 and np.isfinite(arm.bones).all():
            radius = bare_shoulder_radius(parts, arm.bones, radius, on_arm)
        out.append(radius)
    return out[0], out[1]


def arm_outlines(shape: tuple[int, int], limbs: Limbs, parts: BodyParts) -> FloatArray:
    """Where bare arms are, at their own width: float32 (H, W) in {0, 1} (see
    :func:`_arm_outlines`)."""
    return _arm_outlines(shape, limbs, parts).astype(np.float32)


@dataclass(frozen=True)
class _Piece:
    """One bone of an arm sampled every few pixels: where along the arm (0 at the shoulder, 1
    at the elbow, 2 at the wrist), the points on the bone, the unit vector across it, the
    outline's radius at each point (as vectors across), the radii at its two ends, the shift
    across to the middle of the part map's arm and to that of the skin, and where the skin is
    seen on both sides."""

    at: FloatArray
    centres: FloatArray
    across: FloatArray
    radii: FloatArray
    ends: tuple[float, float]
    labelled_shift: FloatArray
    skin_shift: FloatArray
    seen: npt.NDArray[np.bool_]


def _arm_outlines(
    shape: tuple[int, int],
    limbs: Limbs,
    parts: BodyParts,
    shoulders: tuple[float, float] | None = None,
) -> npt.NDArray[np.uint8]:
    """Where bare arms are, at their own width: uint8 (H, W) in {0, 1}.

    Each arm narrows from its radius at the shoulder (:func:`bare_shoulder_radius`) to
    :data:`ELBOW_OF_SHOULDER` of it at the elbow and to the wrist's measured half width
    (:func:`bare_wrist_radius`, kept within 0.45 to 0.8 of the shoulder's;
    :data:`WRIST_OF_SHOULDER` where it is not seen), as bare arms in photos do.

    Where the photo shows the arm's skin across the bone at :data:`MIN_BARE_POINTS` points or
    more, the outline is drawn round the middle of that skin alone, carried on under the old
    sleeve from the nearest points seen (the part map's arm there is the sleeve: round its
    middle, the outline took the sleeve's width and place). Elsewhere (long sleeves) it is
    drawn round the bone and again round the middle of the part map's arm across it (at most
    half the radius away, smoothly along the arm): the pose's joints often lie off the arm's
    middle (an outline round them alone cut the arm's outer side off), and the part map misses
    parts of a sleeve as pale as the backdrop (round its middle alone, the outline cut the
    other side). ``shoulders``: :func:`shoulder_radii`'s, when the caller has them already.
    """
    h, w = shape
    out = np.zeros((h, w), np.uint8)
    on_arm = labels_mask(parts.labels, (*ARM_PARTS, *HAND_PARTS))
    skin_flat = parts.skin.ravel()
    if shoulders is None:
        shoulders = shoulder_radii(parts, limbs, on_arm)
    for arm, r in zip((limbs.left_arm, limbs.right_arm), shoulders, strict=True):
        if arm.bones.shape[0] < 3 or not np.isfinite(arm.bones).all():
            continue
        shoulder, elbow, wrist = (np.asarray(p, np.float32) for p in arm.bones[:3])
        measured = bare_wrist_radius(parts, elbow, wrist, on_arm)
        r_wrist = WRIST_OF_SHOULDER * r if measured is None else measured
        r_wrist = float(np.clip(r_wrist, 0.45 * r, 0.8 * r))
        r_elbow = max(r_wrist, ELBOW_OF_SHOULDER * r)
        # (Runs longer than the radius and a half would only move the band further than it
        # may go.)
        reach = max(2, round(1.5 * r))
        pieces = []
        for i, (a, b, ra, rb) in enumerate(
            ((shoulder, elbow, r, r_elbow), (elbow, wrist, r_elbow, r_wrist))
        ):
            across = _across(a, b)
            if across is None:
                continue
            steps = max(2, int(np.hypot(*(b - a)) / 6.0))
            t = np.linspace(0.0, 1.0, steps + 1, dtype=np.float32)
            centres = (a[None, :] + t[:, None] * (b - a)[None, :]).astype(np.float32)
            run, flat = _run_grid(on_arm, centres, across, reach)
            plus, minus = _run_ends(run, reach)
            labelled = np.clip(np.where(plus > 0, 0.5 * (plus - minus), 0.0), -0.5 * r, 0.5 * r)
            run &= skin_flat[flat] > 0.5
            plus, minus = _run_ends(run, reach)
            seen = (plus > 0) & (minus > 0) & (plus < reach) & (minus < reach)
            skin = np.where(seen, 0.5 * (plus - minus), 0.0)
            radii = (ra + t * (rb - ra))[:, None] * across[None, :]
            pieces.append(_Piece(i + t, centres, across, radii, (ra, rb), labelled, skin, seen))
        if not pieces:
            continue
        at = np.concatenate([p.at for p in pieces])
        seen = np.concatenate([p.seen for p in pieces])
        bare = int(seen.sum()) >= MIN_BARE_POINTS
        if bare:
            # (Under the old sleeve, the shift of the nearest points where the skin is seen.)
            skin = np.concatenate([p.skin_shift for p in pieces])
            carried = np.interp(at, at[seen], skin[seen])
        first = 0
        for piece in pieces:
            centres, across, radii, ends = piece.centres, piece.across, piece.radii, piece.ends
            n = len(piece.at)
            shift = np.clip(carried[first : first + n], -r, r) if bare else piece.labelled_shift
            first += n
            # (Smoothed along the arm: the part map's outline is a staircase.)
            k = 5
            shift = np.convolve(np.pad(shift, k // 2, mode="edge"), np.ones(k) / k, mode="valid")
            moved = centres + shift[:, None].astype(np.float32) * across[None, :]
            for line in (moved,) if bare else (centres, moved):
                # A tapered band along the line (its two sides, one way then back), with
                # round ends.
                sides = np.concatenate([line + radii, (line - radii)[::-1]])
                cv2.fillPoly(out, [np.round(sides).astype(np.int32)], 1)
                for (x, y), radius in ((line[0], ends[0]), (line[-1], ends[1])):
                    centre = (round(float(x)), round(float(y)))
                    cv2.circle(out, centre, max(1, round(radius)), 1, -1)
    return out


def beyond_arm_outlines(
    shape: tuple[int, int],
    limbs: Limbs,
    parts: BodyParts,
    slopes: npt.NDArray[np.bool_] | None = None,
    radii: tuple[float, float] | None = None,
) -> npt.NDArray[np.uint8]:
    """Arm-labelled pixels outside the arms' own outlines (:func:`arm_outlines`), outside
    the neck and the shoulders' slopes (:func:`neck_and_shoulder_slopes`) and not between an
    upper arm and the torso (:func:`torso_side_of_upper_arms`): old sleeve fabric that is not
    arm. uint8 (H, W) in {0, 1}. ``slopes``: :func:`neck_and_shoulder_slopes`'s mask when the
    caller has it already; ``radii``: :func:`shoulder_radii`'s, likewise."""
    off_arms = np.uint8(1) - _arm_outlines(shape, limbs, parts, radii)
    on_arm = labels_mask(parts.labels, ARM_PARTS).view(np.uint8)
    out: npt.NDArray[np.uint8] = cv2.bitwise_and(off_arms, on_arm)
    # The part map's upper arms reach in over the shoulders' tops towards the neck: that is
    # the body, not sleeve (repainted as the background, it drew a bite of the backdrop
    # between the neck and each shoulder).
    out[neck_and_shoulder_slopes(parts, limbs, radii) if slopes is None else slopes] = 0
    # Between an upper arm and the torso beside it lies the torso's side, not the backdrop:
    # repainted as the background, the old sleeve's inner half drew a stripe of the backdrop
    # down the body's side, between the arm and the new garment.
    out[torso_side_of_upper_arms(parts, limbs)] = 0
    return out


def _median_index(counts: npt.NDArray[np.intp]) -> float:
    """The median column (or row) of a mask's pixels from their count per column (or row):
    as ``np.median`` over the pixels' indices, without listing every pixel.

    >>> _median_index(np.array([0, 2, 0, 1]))
    1.0
    >>> _median_index(np.array([1, 0, 0, 1]))
    1.5
    """
    total = np.cumsum(counts)
    n = int(total[-1])
    low = int(np.searchsorted(total, (n - 1) // 2, side="right"))
    high = int(np.searchsorted(total, n // 2, side="right"))
    return 0.5 * (low + high)


def torso_side_of_upper_arms(parts: BodyParts, limbs: Limbs) -> npt.NDArray[np.bool_]:
    """Pixels beside each upper arm (between the shoulder joint's and the elbow's rows across
    the bone) on the torso's side of it, within the capsule's radius of the torso's label:
    (H, W) bool. (An arm held out from the body has the backdrop between; one hanging beside
    it, the body's side.)"""
    h, w = parts.labels.shape
    out = np.zeros((h, w), bool)
    torso = labels_mask(parts.labels, (BodyPart.TORSO,))
    if not torso.any():
        return out
    middle = np.array(
        [
            _median_index(np.count_nonzero(torso, axis=0)),
            _median_index(np.count_nonzero(torso, axis=1)),
        ],
        np.float32,
    )
    for arm in (limbs.left_arm, limbs.right_arm):
        if arm.bones.shape[0] < 2 or not np.isfinite(arm.bones[:2]).all():
            continue
        shoulder, elbow = (np.asarray(p, np.float32) for p in arm.bones[:2])
        across = _across(shoulder, elbow)
        if across is None:
            continue
        bone = elbow - shoulder
        length2 = float(bone @ bone)
        inward = np.float32(1.0 if float((middle - shoulder) @ across) >= 0.0 else -1.0)
        reach = max(2, round(float(arm.radius)))
        x0, x1 = (
            max(0, int(min(shoulder[0], elbow[0])) - 3 * reach),
            int(max(shoulder[0], elbow[0])) + 3 * reach,
        )
        y0, y1 = (
            max(0, int(min(shoulder[1], elbow[1])) - 3 * reach),
            int(max(shoulder[1], elbow[1])) + 3 * reach,
        )
        x1, y1 = min(w, x1), min(h, y1)
        if x1 <= x0 or y1 <= y0:
            continue
        ys, xs = np.mgrid[y0:y1, x0:x1].astype(np.float32)
        dx, dy = xs - shoulder[0], ys - shoulder[1]
        along = (dx * bone[0] + dy * bone[1]) / np.float32(length2)
        side = (dx * across[0] + dy * across[1]) * inward
        # (Within the radius of the torso by a distance transform: a dilation by a disc that
        # wide took 5-6 ms an arm, linear in the disc's size.)
        off_torso = np.ascontiguousarray(~torso[y0:y1, x0:x1]).view(np.uint8)
        near = cv2.distanceTransform(off_torso, cv2.DIST_L2, cv2.DIST_MASK_PRECISE) <= reach
        out[y0:y1, x0:x1] |= (along >= 0.0) & (along <= 1.0) & (side > 0.0) & near
    return out


#: Half a neck's width, as a share of the distance between the shoulder joints (a neck is
#: about 12 cm across, the shoulder joints about 38 cm apart).
NECK_HALF_WIDTH = 0.16
#: Where the neck's sides start to slope out to the shoulders' tops, as a share of the way
#: down from the neck's top row to theirs.
NECK_SLOPE_START = 0.5


def neck_and_shoulder_slopes(
    parts: BodyParts, limbs: Limbs, radii: tuple[float, float] | None = None
) -> npt.NDArray[np.bool_]:
    """The neck and the slopes from it down to the shoulders' round tops: (H, W) bool.

    The neck is :data:`NECK_HALF_WIDTH` of the distance between the shoulder joints either
    side of the part map's neck's middle column, from the neck's top row down; from
    :data:`NECK_SLOPE_START` of the way down to the shoulders' tops (an arm's radius above
    each joint, :func:`bare_shoulder_radius`) its sides slope straight out to them, and reach
    the joints' columns down to the joints' rows. All False without a neck label or shoulder joints.
    ``radii``: :func:`shoulder_radii`'s, when the caller has them already.
    """
    h, w = parts.labels.shape
    out = np.zeros((h, w), bool)
    neck = parts.labels == int(BodyPart.NECK)
    joints = np.stack([limbs.left_arm.bones[0], limbs.right_arm.bones[0]]).astype(np.float32)
    if not neck.any() or not np.isfinite(joints).all():
        return out
    ys, xs = np.nonzero(neck)
    top, middle = int(ys.min()), float(np.median(xs))
    half = NECK_HALF_WIDTH * float(np.hypot(*(joints[0] - joints[1])))
    bottom = min(h, int(np.ceil(float(joints[:, 1].max()))) + 1)
    if bottom <= top:
        return out
    across = np.arange(w, dtype=np.float32)[None, :] - np.float32(middle)
    rows = np.arange(top, bottom, dtype=np.float32)[:, None]
    # (The arm's own radius: the capsule's is a loose sleeve's, and a shoulder's top that high
    # drew the old sleeve's flat shoulder line in skin.)
    if radii is None:
        radii = shoulder_radii(parts, limbs)
    for (sx, sy), radius in zip(joints, radii, strict=True):
        side = np.float32(1.0 if sx >= middle else -1.0)
        reach = max(half, abs(float(sx) - middle))
        shoulder_top = float(sy) - radius
        start = top + NECK_SLOPE_START * max(0.0, shoulder_top - top)
        t = np.clip((rows - start) / np.float32(max(1.0, shoulder_top - start)), 0.0, 1.0)
        within = side * across <= half + (reach - half) * t
        out[top:bottom] |= (side * across >= 0) & within & (rows <= float(sy))
    return out


__all__ = [
    "ELBOW_OF_SHOULDER",
    "MIN_BARE_POINTS",
    "NARROWEST_OF_CAPSULE",
    "NECK_HALF_WIDTH",
    "NECK_SLOPE_START",
    "WRIST_OF_SHOULDER",
    "arm_outlines",
    "bare_shoulder_radius",
    "bare_wrist_radius",
    "beyond_arm_outlines",
    "neck_and_shoulder_slopes",
    "shoulder_radii",
    "torso_side_of_upper_arms",
]
