"""Fit a garment to a person: per-part warps from garment landmarks to body anchors.

The torso panel is warped by a thin-plate spline pinned at collar, shoulders, armpits, waist and
hem; each sleeve is laid along its arm (shoulder → elbow → wrist, :mod:`fitroom.fitting.sleeves`)
and bends at the elbow. The result is one premultiplied RGBA layer per part, cropped to the box it
covers.
"""

from __future__ import annotations

from collections.abc import Callable

import cv2
import numpy as np
import numpy.typing as npt

from fitroom.errors import InputError, UnsupportedGarment
from fitroom.fitting.anchors import BodyAnchors, body_axis_x, seams_beside_joints
from fitroom.fitting.fitted import FittedGarment, FittedLayer, clip_box, without_slivers
from fitroom.fitting.neckline import front_neckline, worn_front_neckline
from fitroom.fitting.sleeves import fit_sleeve
from fitroom.fitting.warp import (
    apply_affine,
    remap_premultiplied,
    similarity_from_pairs,
    tps_inverse_maps,
)
from fitroom.garments.core import Garment, GarmentLandmarks, GarmentPart
from fitroom.garments.neck_opening import collar_at_neck

FloatArray = npt.NDArray[np.float32]

#: Torso control points of an upper garment, in a fixed order.
TORSO_POINTS: tuple[str, ...] = (
    "neck_center",
    "neck_left",
    "neck_right",
    "shoulder_left",
    "shoulder_right",
    "armpit_left",
    "armpit_right",
    "waist_left",
    "waist_right",
    "hem_left",
    "hem_right",
)

#: Garment width over the measured body width, per size label (M = a regular fit).
SIZE_EASE: dict[str, float] = {
    "XXS": 0.94,
    "XS": 0.97,
    "S": 1.0,
    "M": 1.04,
    "L": 1.09,
    "XL": 1.14,
    "XXL": 1.2,
}


def size_ease(size: str | None) -> float:
    """Garment width over the measured body width for a size label (None = a regular fit, M).

    >>> size_ease("l"), size_ease(None)
    (1.09, 1.04)

    Raises:
        InputError: the label is not one of :data:`SIZE_EASE`.
    """
    label = (size or "M").upper()
    if label not in SIZE_EASE:
        raise InputError(
            f"unknown size {size!r}; use one of {', '.join(SIZE_EASE)} or leave it unset"
        )
    return SIZE_EASE[label]


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


#: A hem this far below the hip joints (share of the thigh's length) hangs on the body's axis.
HANG_BELOW = 0.3


def torso_targets(
    garment: Garment,
    anchors: BodyAnchors,
    ease: float = 1.04,
    *,
    similarity: npt.NDArray[np.float64] | None = None,
) -> tuple[dict[str, tuple[float, float]], float]:
    """Where each torso landmark of an upper garment lands on the body.

    A similarity (shoulders onto shoulders) places the garment first, keeping its own proportions
    (neckline, length). Armpits, waist and hem then move sideways to the measured torso width
    times ``ease`` (the garment's width over the body's), so the new garment covers the old one.
    ``similarity`` replaces the shoulders' one (a top placed by its chest, see
    :func:`fitroom.fitting.strap_top_fit.strap_top_targets`).

    Returns:
        (name → (x, y) target, scale in body pixels per garment pixel).
    """
    lm = garment.landmarks
    g_sh = np.array([lm["shoulder_left"][:2], lm["shoulder_right"][:2]], np.float64)
    if similarity is None:
        # Placed by the seams at the joints' height: the neckline and the length keep where
        # they were; only the shoulder seams themselves go up onto the shoulders' tops (below),
        # so a garment's collar is not lifted into the chin and hair with them.
        placed = seams_beside_joints(anchors.shoulder_joints)
        matrix = similarity_from_pairs(g_sh, placed)
    else:
        matrix = similarity
        placed = apply_affine(matrix, g_sh).astype(np.float32)
    scale = float(np.hypot(*matrix[:, 0]))
    targets: dict[str, tuple[float, float]] = {}
    for name in TORSO_POINTS:
        x, y = apply_affine(matrix, lm[name][:2])[0]
        targets[name] = (float(x), float(y))
    if similarity is None and not straight_top_edge(lm):
        # (A top placed by its chest keeps its straps where they are, close to the neck.
        # An off-shoulder or strapless top hangs from no shoulder: its straight upper edge
        # stays at the joints' height, below the shoulders' round, which shows bare.)
        targets["shoulder_left"] = (float(anchors.shoulders[0, 0]), float(anchors.shoulders[0, 1]))
        targets["shoulder_right"] = (float(anchors.shoulders[1, 0]), float(anchors.shoulders[1, 1]))
    # Length follows the chest: a garment as wide as the body at the armpits is as long,
    # relative to that width, as it is on the product photo.
    g_pit = float(np.hypot(*(lm["armpit_left"][:2] - lm["armpit_right"][:2])))
    pit_y = 0.5 * (targets["armpit_left"][1] + targets["armpit_right"][1])
    edges = anchors.torso_edge_at(pit_y)
    if edges is not None and g_pit > 1.0 and edges[0] > edges[1]:
        length_scale = max(scale, min(1.6 * scale, (edges[0] - edges[1]) * ease / g_pit))
        top = 0.5 * (placed[0, 1] + placed[1, 1])
        g_top = 0.5 * (float(lm["shoulder_left"][1]) + float(lm["shoulder_right"][1]))
        for name in TORSO_POINTS[5:]:
            x, _ = targets[name]
            targets[name] = (x, float(top + (float(lm[name][1]) - g_top) * length_scale))
    cover_body_width(targets, anchors, ease)
    hang_below_hips(targets, anchors)
    return targets, scale


#: A row's measured torso whose centre lies further than this share of its half-width from the
#: body's axis (:func:`~.anchors.body_axis_x`), and which is narrower than :data:`NARROWED` of the
#: torso at the armpits, is cut short by an arm in front of it: the garment is centred on the
#: axis there. (On the true pairs' tops the centre lies within 0.22 of the axis except where a
#: forearm crosses the waist: 4.0 off it, at 0.2 of the armpits' width. A person turning
#: side-on in the live walking clip is off the pose's axis and narrower lower down, but not
#: that narrow: there the measured torso decides, or the live garment jumped in size.)
OFF_AXIS = 0.5
NARROWED = 0.5


def cover_body_width(
    targets: dict[str, tuple[float, float]], anchors: BodyAnchors, ease: float
) -> None:
    """Move the armpits, waist and hem of torso targets sideways to the measured torso width
    times ``ease``, about the torso's centre (the body's axis where an arm hides one side, see
    :data:`OFF_AXIS`), in place (rows where the torso was measured)."""
    armpit_half: float | None = None
    for row in ("armpit", "waist", "hem"):
        (lx, ly), (rx, ry) = targets[f"{row}_left"], targets[f"{row}_right"]
        y = 0.5 * (ly + ry)
        edges = anchors.torso_edge_at(y)
        if edges is None:
            continue
        el, er = edges
        centre = 0.5 * (el + er)
        body_half = 0.5 * (el - er)
        garment_half = 0.5 * (lx - rx)
        if body_half <= 0:
            continue
        if row == "armpit":
            armpit_half = body_half
        axis = body_axis_x(anchors, y)
        narrowed = armpit_half is not None and body_half < NARROWED * armpit_half
        if narrowed and abs(centre - axis) > OFF_AXIS * body_half:
            # An arm across the body cut the measured torso short on one side: centred on
            # what was left, the panel's waist and hem were pulled sideways under the arm.
            centre = axis
        # Cover the measured body (and the clothes on it), never squeeze a loose garment by
        # more than 10% of its own width.
        half = max(body_half * ease, 0.9 * garment_half)
        targets[f"{row}_left"] = (centre + half, ly)
        targets[f"{row}_right"] = (centre - half, ry)


def hang_below_hips(targets: dict[str, tuple[float, float]], anchors: BodyAnchors) -> None:
    """Centre the hem of a garment that reaches below the hips (a dress, a long coat) on the
    body's axis, in place: fabric hangs down from the hips, it does not carry on along the tilt
    of the shoulders (which the similarity that placed it follows).

    The hem keeps its width; its centre moves to the point of the hips-to-knees line at the
    hem's height (straight down from the hips for a person bending or sitting)."""
    hips = anchors.hips.astype(np.float64)
    hip_mid = hips.mean(axis=0)
    down = anchors.knees.astype(np.float64).mean(axis=0) - hip_mid
    thigh = float(np.hypot(*down))
    if thigh < 1.0:
        return
    down /= thigh
    if down[1] < 0.5:
        down = np.array([0.0, 1.0])
    (lx, ly), (rx, ry) = targets["hem_left"], targets["hem_right"]
    y = 0.5 * (ly + ry)
    if y < hip_mid[1] + HANG_BELOW * thigh:
        return
    centre = hip_mid[0] + down[0] * (y - hip_mid[1]) / down[1]
    half = 0.5 * (lx - rx)
    targets["hem_left"] = (float(centre + half), ly)
    targets["hem_right"] = (float(centre - half), ry)


def lengthened(
    targets: dict[str, tuple[float, float]], anchors: BodyAnchors, length_scale: float
) -> dict[str, tuple[float, float]]:
    """Torso targets with waist and hem moved down (``length_scale`` > 1) or up from the
    shoulder line, along the body's axis (perpendicular to the shoulders)."""
    left, right = anchors.shoulders.astype(np.float64)
    across = left - right
    down = np.array([-across[1], across[0]]) / max(1e-6, float(np.hypot(*across)))
    if down[1] < 0:
        down = -down
    top = 0.5 * (left + right)
    out = dict(targets)
    for name in ("waist_left", "waist_right", "hem_left", "hem_right"):
        p = np.asarray(targets[name], np.float64)
        depth = float(np.dot(p - top, down))
        moved = p + down * depth * (length_scale - 1.0)
        out[name] = (float(moved[0]), float(moved[1]))
    return out


def prepare_garment(
    garment: Garment, factor: float
) -> tuple[dict[str, FloatArray], GarmentLandmarks]:
    """The garment's premultiplied parts and landmarks at ``factor`` × its photo size."""
    cutout, part_map = _resized_garment(garment, factor)
    return premultiplied_parts(cutout, part_map), garment.landmarks.scaled(factor)


#: Neck centre and shoulder points at most this share of the neck points' distance below them:
#: the top edge runs straight across (see :func:`straight_top_edge`).
STRAIGHT_TOP = 0.1


def straight_top_edge(landmarks: GarmentLandmarks) -> bool:
    """Whether a top's upper edge runs straight across from shoulder to shoulder, its neck
    points, neck centre and shoulder points all level: an off-shoulder, strapless or bandeau
    top, which has no neck opening at all (nothing of the garment's back shows above that
    edge). A fixed rounded opening cut below it made a scalloped hole in the top's front.

    >>> import numpy as np
    >>> names = ("neck_center", "neck_left", "neck_right", "shoulder_left", "shoulder_right")
    >>> flat = [[50, 10, 1], [70, 10, 1], [30, 10, 1], [95, 11, 1], [5, 11, 1]]
    >>> straight_top_edge(GarmentLandmarks(names, np.array(flat, np.float32)))
    True
    >>> tee = [[50, 12, 1], [70, 5, 1], [30, 5, 1], [95, 20, 1], [5, 20, 1]]
    >>> straight_top_edge(GarmentLandmarks(names, np.array(tee, np.float32)))
    False
    """
    wanted = ("neck_center", "neck_left", "neck_right", "shoulder_left", "shoulder_right")
    if not set(wanted) <= set(landmarks.names):
        return False
    (lx, ly), (rx, ry) = landmarks["neck_left"][:2], landmarks["neck_right"][:2]
    span = abs(float(lx) - float(rx))
    if span < 1.0:
        return False
    top = 0.5 * (float(ly) + float(ry))
    lowest = max(float(landmarks[n][1]) for n in ("neck_center", "shoulder_left", "shoulder_right"))
    return lowest - top <= STRAIGHT_TOP * span


#: Strands of a warped torso panel narrower than this share of the shoulder-seam distance are
#: dropped (see :func:`without_slivers`).
SLIVER_WIDTH = 0.02


#: Torso placement: garment, body anchors and ease → (landmark targets, body px per garment px).
PlaceTorso = Callable[[Garment, BodyAnchors, float], tuple[dict[str, tuple[float, float]], float]]

#: A (cached) garment preparation: garment and resize factor → premultiplied parts and landmarks.
PrepareGarment = Callable[[Garment, float], tuple[dict[str, FloatArray], GarmentLandmarks]]

#: Prepared garments are reused at these steps of the resize factor.
FACTOR_STEP = 0.05


def fit_upper(
    garment: Garment,
    anchors: BodyAnchors,
    ease: float = 1.04,
    prepared: PrepareGarment | None = None,
    *,
    length_scale: float = 1.0,
    place: PlaceTorso | None = None,
) -> FittedGarment:
    """Fit an upper garment (or the top of a dress) to a person.

    Args:
        garment: an ``upper`` garment with the upper landmark set.
        anchors: the person's body anchors.
        ease: garment width over measured torso width (see :data:`SIZE_EASE`).
        prepared: a (cached) :func:`prepare_garment`; called with the garment and a factor
            that is a multiple of :data:`FACTOR_STEP`.
        length_scale: garment length over its regular length on this body (a size too small
            is shorter: < 1); the waist, hem and cuffs move along the body.
        place: where the torso landmarks land (default :func:`torso_targets`; a dress has
            its own, :func:`fitroom.fitting.dress_fit.dress_targets`).

    Raises:
        UnsupportedGarment: the garment lacks the upper landmarks.
    """
    missing = [n for n in TORSO_POINTS if n not in garment.landmarks]
    if missing:
        raise UnsupportedGarment(
            f"garment {garment.name!r} ({garment.category}) has no {', '.join(missing)} "
            "landmarks; an upper garment package is needed"
        )
    size = anchors.image_size
    targets, scale = (place or torso_targets)(garment, anchors, ease)
    if length_scale != 1.0:
        targets = lengthened(targets, anchors, length_scale)
    # Work from a copy of the garment at about the output's resolution: sampling a large photo
    # bilinearly at a quarter of its size aliases stripes and checks, and costs time.
    factor = min(1.0, FACTOR_STEP * max(1, round(1.3 * scale / FACTOR_STEP)))
    pieces, lm = (prepared or prepare_garment)(garment, factor)
    targets_scale = scale
    scale = scale / factor
    sleeves: list[FittedLayer] = []
    forearms: list[FittedLayer] = []
    for side, row in (("left", 0), ("right", 1)):
        name = f"{side}_sleeve"
        if name not in pieces or garment.sleeve == "none":
            continue
        upper, forearm = fit_sleeve(
            pieces[name],
            lm,
            side,
            targets,
            anchors,
            row,
            scale,
            length_scale,
            to_wrist=garment.sleeve == "long",
        )
        sleeves.extend(upper)
        forearms.extend(forearm)
    layers: list[FittedLayer] = []
    body_pts = np.array([targets[n] for n in TORSO_POINTS], np.float32)
    garment_pts = np.array([lm[n][:2] for n in TORSO_POINTS], np.float32)
    front = front_neckline(garment)
    if front is not None:
        body_front = worn_front_neckline(front, garment.landmarks, targets)
        body_pts = np.vstack([body_pts, np.array([body_front], np.float32)])
        garment_pts = np.vstack([garment_pts, np.array([front], np.float32) * factor])
    box = clip_box(body_pts, 0.12 * anchors.shoulder_width + 8, size)
    if box is not None:
        map_x, map_y = tps_inverse_maps(body_pts, garment_pts, box, smoothing=1.0)
        panel = remap_premultiplied(pieces["torso"], map_x, map_y)
        sliver = max(3, round(SLIVER_WIDTH * anchors.shoulder_width))
        layers.append(FittedLayer("torso", box, without_slivers(panel, sliver)))
    # Sleeves hang over the body's sides (on a bulky coat the arms lie within the torso's
    # outline: under the panel they would vanish), forearms beside or across the body: both
    # are drawn over the torso panel.
    layers.extend(sleeves)
    layers.extend(forearms)
    return FittedGarment(
        layers=tuple(layers),
        targets=targets,
        scale=targets_scale,
        own_neck_opening=bool((garment.parts == int(GarmentPart.NECK_INSIDE)).any())
        or straight_top_edge(garment.landmarks),
        collar_at_neck=collar_at_neck(garment.landmarks),
    )


__all__ = [
    "FACTOR_STEP",
    "HANG_BELOW",
    "NARROWED",
    "OFF_AXIS",
    "SIZE_EASE",
    "SLIVER_WIDTH",
    "SOLID_ALPHA",
    "STRAIGHT_TOP",
    "TORSO_POINTS",
    "PlaceTorso",
    "cover_body_width",
    "decontaminated",
    "fit_upper",
    "hang_below_hips",
    "lengthened",
    "premultiplied_parts",
    "prepare_garment",
    "size_ease",
    "straight_top_edge",
    "torso_targets",
]
