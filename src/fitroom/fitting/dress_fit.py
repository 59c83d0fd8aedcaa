"""Where a dress's torso landmarks land on the body: its size, its top and its length.

A dress is fitted like a top (:func:`fitroom.fitting.garment_fit.fit_upper`: one torso panel
warped by a thin-plate spline, sleeves on the arms) but placed by its own rules:

* **Sleeveless dresses** (straps, tank, one-shoulder, halter) have no shoulder seam: their
  "shoulder" landmarks are the tops of the straps, well inside the body's shoulders. Placed by
  those onto the shoulder seams, a dress with straps a third narrower than the shoulders came
  out a third too large: too wide, and so long that it covered the feet. Such a dress is sized
  by its chest instead (armpit to armpit against the body's chest), stands upright on the
  body's axis (the straps' tilt of a one-shoulder dress is the design, not the pose), and its
  straps rest on the tops of the shoulders.
* **Dresses with sleeves** (or whose armholes are not read, e.g. sleeves hanging beside the
  body) are placed by their shoulder seams, as a top is, but keep their own proportions: a
  top's length that "follows the chest" would make a knee-length dress a maxi.
* **Long sleeves hanging flush against the body** (a coat dress photographed with its arms
  down, no background between sleeve and body) are not seen as sleeves: the outline's
  "armpits" are then the sleeves' cuffs, as deep on both sides. Drawn at the torso's width,
  that row left the person's arms, and the old sleeves on them, outside the dress (bands of
  repainted arm from shoulder to wrist). The cuffs go over the person's forearms instead.
* **Below the torso** the skirt is centred on the outline of the hips and legs at its row
  (:attr:`~fitroom.fitting.anchors.BodyAnchors.lower_edges`): on a person turned a little
  or standing on one leg, the line between the joints lies well off the middle of what shows
  of the body, and the skirt drawn about it left the body's (and the old dress's) one side
  uncovered.
* **A draped skirt**: a full skirt's hem is narrower on the body than laid flat
  (:func:`drape_skirt`, measured against the parse maps of the true dress pairs).
* **Length**: the hem follows from the garment's own proportions at that size (a knee-length
  dress ends near the knee) and never falls below the ankles: the feet stay the person's.
* **Outline corners for shoulders**: a dress read as sleeveless whose armholes are not read (a
  coat dress with its sleeves hanging flush, a draped asymmetric dress) has as "shoulders" the
  top corners of its outline, which lie beyond its seams (the outer edge of a sleeve's or a
  drape's top): placed onto the seams, it came out a few per cent too large and too long
  (:data:`CORNERS_BEYOND_SEAMS`).
"""

from __future__ import annotations

from dataclasses import replace

import numpy as np
import numpy.typing as npt

from fitroom.fitting.anchors import BodyAnchors, seams_beside_joints
from fitroom.fitting.garment_fit import SIZE_EASE, TORSO_POINTS, cover_body_width, hang_below_hips
from fitroom.fitting.warp import apply_affine, similarity_from_pairs
from fitroom.garments.core import Garment, GarmentLandmarks

#: Armholes deeper than this share of the chest's width are not armholes (the "armpits" of a
#: garment whose sleeves hang beside the body, or of a draped cape, are far down its side).
ARMHOLE_DEPTH_MAX = 0.9

#: Deep armholes on both sides whose heights differ by at most this share of the chest's width
#: are the cuffs of long sleeves hanging flush against the body (a cape or a draped panel falls
#: on one side only, to its own depth).
CUFFS_LEVEL = 0.15

#: Half a forearm's width (with its sleeve), as a share of the shoulder joints' distance.
ARM_HALF_WIDTH = 0.1

#: The rows where the body's chest width is measured: this share of the way from the shoulder
#: joints down to the hips (around the armpits, above the waist).
CHEST_ROWS = (0.2, 0.4)

#: The chest that sizes a sleeveless dress is at most this share of the shoulder joints'
#: distance (the true pairs' dresses: 0.82-0.85; an arm against the side read 0.92).
CHEST_CAP = 0.86

#: A dress placed by the top corners of its outline (no armholes read, see the module
#: docstring) is drawn at this share of the size those corners on the shoulder seams give,
#: about the middle of the shoulders' tops. On the two such true pairs (the coat dress and the
#: draped asymmetric dress) 0.96-0.97 gave the best overlap with the photo's dress (the
#: parse map's: IoU 0.89 -> 0.91 and 0.78 -> 0.80, the dress drawn beyond the photo's
#: 0.08 -> 0.04 and 0.19 -> 0.15 of it) and garment-box SSIM (0.588 -> 0.614,
#: 0.271 -> 0.296); 0.90 left the photo's dress uncovered at the sides (IoU 0.86). (Tried:
#: the shoulder points kept on the shoulders' tops: 0.607 on the coat dress; the shrink
#: applied to the placing similarity, before the sides are set: 0.603, IoU 0.77 on the
#: draped one. The chest-sized dresses gain nothing from a like shrink: the one-shoulder
#: dress's overlap falls.)
CORNERS_BEYOND_SEAMS = 0.97

#: A skirt's flare on the body (its hem's width beyond its waist's), as a share of the flare
#: laid flat (the A-line true pair: the hem 0.86 of its flat width, 0.75 of its flare).
SKIRT_DRAPE = 0.75


def chest_sized(lm: GarmentLandmarks) -> bool:
    """Whether a sleeveless garment's armpits are its chest's sides (armholes of a plausible
    depth below the straps), so that its chest can size it."""
    left, right = np.asarray(lm["armpit_left"][:2]), np.asarray(lm["armpit_right"][:2])
    width = float(np.hypot(*(left - right)))
    top = 0.5 * (float(lm["shoulder_left"][1]) + float(lm["shoulder_right"][1]))
    depth = 0.5 * float(left[1] + right[1]) - top
    return width > 1.0 and 0.0 < depth <= ARMHOLE_DEPTH_MAX * width


def sleeves_hang_flush(lm: GarmentLandmarks) -> bool:
    """Whether a garment read as sleeveless has long sleeves hanging flush against its sides:
    both armholes deeper than :data:`ARMHOLE_DEPTH_MAX` of the chest's width, level with each
    other (:data:`CUFFS_LEVEL`), the "armpits" being the cuffs."""
    left, right = np.asarray(lm["armpit_left"][:2]), np.asarray(lm["armpit_right"][:2])
    width = abs(float(left[0] - right[0]))
    top = 0.5 * (float(lm["shoulder_left"][1]) + float(lm["shoulder_right"][1]))
    deep = min(float(left[1]), float(right[1])) - top > ARMHOLE_DEPTH_MAX * width
    return width > 1.0 and deep and abs(float(left[1] - right[1])) <= CUFFS_LEVEL * width


def over_forearms(targets: dict[str, tuple[float, float]], anchors: BodyAnchors) -> None:
    """Move the "armpits" (the cuffs of sleeves hanging flush, see :func:`sleeves_hang_flush`)
    out over the forearms, in place: each at least :data:`ARM_HALF_WIDTH` beyond the
    elbow-to-wrist line at its row. Only for an arm hanging down (elbow below the shoulder,
    wrist below the elbow); a raised arm is left to the panel as it is."""
    mid_x = float(anchors.shoulder_joints[:, 0].mean())
    joints = float(np.hypot(*(anchors.shoulder_joints[0] - anchors.shoulder_joints[1])))
    for name, row in (("armpit_left", 0), ("armpit_right", 1)):
        shoulder = anchors.shoulder_joints[row].astype(np.float64)
        elbow = anchors.elbows[row].astype(np.float64)
        wrist = anchors.wrists[row].astype(np.float64)
        if not shoulder[1] < elbow[1] < wrist[1]:
            continue
        x, y = targets[name]
        t = float(np.clip((y - elbow[1]) / (wrist[1] - elbow[1]), 0.0, 1.0))
        arm_x = float(elbow[0] + t * (wrist[0] - elbow[0]))
        outward = 1.0 if float(shoulder[0]) >= mid_x else -1.0
        edge = arm_x + outward * ARM_HALF_WIDTH * joints
        if (edge - x) * outward > 0:
            targets[name] = (edge, y)


def body_chest_width(anchors: BodyAnchors) -> float | None:
    """The body's width across the chest (median over the rows of :data:`CHEST_ROWS`), in
    pixels, or None where the torso was not measured there."""
    top = float(anchors.shoulder_joints[:, 1].mean())
    hips = float(anchors.hips[:, 1].mean())
    if hips <= top:
        return None
    widths = []
    for share in np.linspace(CHEST_ROWS[0], CHEST_ROWS[1], 9):
        edges = anchors.torso_edge_at(top + float(share) * (hips - top))
        if edges is not None and edges[0] > edges[1]:
            widths.append(edges[0] - edges[1])
    return float(np.median(widths)) if widths else None


def chest_similarity(
    lm: GarmentLandmarks, anchors: BodyAnchors, ease: float, chest_cap: float | None = None
) -> npt.NDArray[np.float64] | None:
    """The similarity placing a sleeveless dress (or a top with straps close together, see
    :mod:`~fitroom.fitting.strap_top_fit`): chest onto the chest (times ``ease`` over a
    regular fit's, :data:`~fitroom.fitting.garment_fit.SIZE_EASE` "M"), upright along the
    body's axis, the highest strap top on the shoulders' tops.

    At a regular size the flat dress's chest (armpit to armpit) goes onto the body's width
    itself: laid flat, a dress shows half its girth, which already wraps the chest seen from
    the front. Times the ease of a top (whose sides are then set by
    :func:`~fitroom.fitting.garment_fit.cover_body_width`), the three sleeveless true pairs
    came out 4-20 % too large, and as much too long.

    ``chest_cap``: the body's chest counts at most this share of the shoulder joints'
    distance (:data:`CHEST_CAP` for a dress; an arm hanging against the side widens the
    torso's outline)."""
    chest = body_chest_width(anchors)
    if chest is not None and chest_cap is not None:
        joints = float(np.hypot(*(anchors.shoulder_joints[0] - anchors.shoulder_joints[1])))
        chest = min(chest, chest_cap * joints)
    g_pit = abs(float(lm["armpit_left"][0]) - float(lm["armpit_right"][0]))
    if chest is None or g_pit <= 1.0:
        return None
    g_cx = 0.5 * (float(lm["armpit_left"][0]) + float(lm["armpit_right"][0]))
    g_top = min(float(lm["shoulder_left"][1]), float(lm["shoulder_right"][1]))
    # (The joints give the body's tilt; the shoulders' tops, whose heights follow each
    # shoulder's own outline, give the height of the straps.)
    across = (anchors.shoulder_joints[0] - anchors.shoulder_joints[1]).astype(np.float64)
    norm = float(np.hypot(*across))
    if norm < 1.0:
        return None
    across /= norm
    mid = anchors.shoulders.astype(np.float64).mean(axis=0)
    half = 0.5 * chest * ease / SIZE_EASE["M"]
    source = [[g_cx - 0.5 * g_pit, g_top], [g_cx + 0.5 * g_pit, g_top]]
    target = [mid - across * half, mid + across * half]
    return similarity_from_pairs(source, target)


def dress_targets(
    garment: Garment, anchors: BodyAnchors, ease: float = 1.04
) -> tuple[dict[str, tuple[float, float]], float]:
    """Where each torso landmark of a dress lands on the body (see the module docstring).

    Returns:
        (name → (x, y) target, scale in body pixels per garment pixel).
    """
    lm = garment.landmarks
    matrix = None
    sides = anchors
    if garment.sleeve == "none" and chest_sized(lm):
        matrix = chest_similarity(lm, anchors, ease, CHEST_CAP)
        if matrix is not None:
            sides = torso_within_cap(anchors, CHEST_CAP)
    seams = matrix is None
    if matrix is None:
        g_sh = np.array([lm["shoulder_left"][:2], lm["shoulder_right"][:2]], np.float64)
        matrix = similarity_from_pairs(g_sh, seams_beside_joints(anchors.shoulder_joints))
    scale = float(np.hypot(*matrix[:, 0]))
    targets: dict[str, tuple[float, float]] = {}
    for name in TORSO_POINTS:
        x, y = apply_affine(matrix, lm[name][:2])[0]
        targets[name] = (float(x), float(y))
    if seams:
        # Shoulder seams onto the shoulders' tops, as a top's (fitting.garment_fit).
        for name, row in (("shoulder_left", 0), ("shoulder_right", 1)):
            targets[name] = (float(anchors.shoulders[row, 0]), float(anchors.shoulders[row, 1]))
    cover_body_width(targets, sides, ease)
    drape_skirt(targets, anchors)
    if garment.sleeve == "none" and sleeves_hang_flush(lm):
        over_forearms(targets, anchors)
    hang_below_hips(targets, anchors)
    centre_below_torso(targets, anchors)
    above_ankles(targets, anchors)
    if seams and garment.sleeve == "none":
        shrunk_about_shoulders(targets, anchors, CORNERS_BEYOND_SEAMS)
        scale *= CORNERS_BEYOND_SEAMS
    return targets, scale


def shrunk_about_shoulders(
    targets: dict[str, tuple[float, float]], anchors: BodyAnchors, factor: float
) -> None:
    """Scale every target by ``factor`` about the middle of the shoulders' tops, in place: the
    whole dress smaller (``factor`` < 1) with its proportions kept, hanging from the same
    shoulders."""
    mx, my = (float(v) for v in anchors.shoulders.astype(np.float64).mean(axis=0))
    for name, (x, y) in targets.items():
        targets[name] = (mx + (x - mx) * factor, my + (y - my) * factor)


def torso_within_cap(anchors: BodyAnchors, cap: float) -> BodyAnchors:
    """The anchors with the torso's outline at most ``cap`` of the shoulder joints' distance
    wide on every row: each edge held within half of that of the body's axis there (the line
    from the shoulder joints' middle to the hips'), the other edge kept.

    An arm hanging against the side joins the torso's outline (a bag's strap, a hand on the
    hip): the sides of a sleeveless dress set by that outline stood out over the arm (the
    shift dress true pair: its bodice 10 % wider than in the photo, drawn over the inner
    forearm of the fitted one-shoulder dress). The body under a sleeveless dress is no wider
    than its chest, which :func:`chest_similarity` caps alike."""
    joints = float(np.hypot(*(anchors.shoulder_joints[0] - anchors.shoulder_joints[1])))
    top = anchors.shoulder_joints.astype(np.float64).mean(axis=0)
    hips = anchors.hips.astype(np.float64).mean(axis=0)
    if joints < 1.0 or hips[1] <= top[1]:
        return anchors
    edges = anchors.torso_edges.copy()
    t = (edges[:, 0] - top[1]) / (hips[1] - top[1])
    axis = top[0] + np.clip(t, 0.0, 1.0) * (hips[0] - top[0])
    half = 0.5 * cap * joints
    with np.errstate(invalid="ignore"):
        edges[:, 1] = np.minimum(edges[:, 1], axis + half)
        edges[:, 2] = np.maximum(edges[:, 2], axis - half)
    return replace(anchors, torso_edges=edges.astype(np.float32))


def drape_skirt(targets: dict[str, tuple[float, float]], anchors: BodyAnchors) -> None:
    """Narrow the flare of a dress's hem (its width beyond the waist's) to :data:`SKIRT_DRAPE`
    of the flare laid flat, in place, about the hem's centre; never narrower than the hips and
    legs' outline at the hem's row.

    A dress laid flat shows half its girth; worn and seen from the front, a full skirt's folds
    turn away from the eye. Drawn at its flat width, the A-line true pair's hem came out 16 %
    wider than in the photo; a sheath has no flare to lose, and narrowed as a whole it left the
    old dress showing at the hips."""
    (wlx, _), (wrx, _) = targets["waist_left"], targets["waist_right"]
    (lx, ly), (rx, ry) = targets["hem_left"], targets["hem_right"]
    waist_half, hem_half = 0.5 * (wlx - wrx), 0.5 * (lx - rx)
    if waist_half <= 0 or hem_half <= waist_half:
        return
    half = waist_half + SKIRT_DRAPE * (hem_half - waist_half)
    edges = anchors.lower_edge_at(0.5 * (ly + ry))
    if edges is not None and edges[0] > edges[1]:
        half = max(half, 0.5 * (edges[0] - edges[1]))
    if half >= hem_half:
        return
    centre = 0.5 * (lx + rx)
    targets["hem_left"] = (centre + half, ly)
    targets["hem_right"] = (centre - half, ry)


def centre_below_torso(targets: dict[str, tuple[float, float]], anchors: BodyAnchors) -> None:
    """Centre the waist and hem rows that lie below the measured torso on the middle of the
    hips and legs' outline at their height, in place (each row keeps its width). Rows within
    the torso (centred by :func:`~fitroom.fitting.garment_fit.cover_body_width`) or where the
    outline was not measured stay."""
    for row in ("waist", "hem"):
        (lx, ly), (rx, ry) = targets[f"{row}_left"], targets[f"{row}_right"]
        y = 0.5 * (ly + ry)
        edges = anchors.lower_edge_at(y)
        if anchors.torso_edge_at(y) is not None or edges is None or edges[0] <= edges[1]:
            continue
        shift = 0.5 * (edges[0] + edges[1]) - 0.5 * (lx + rx)
        targets[f"{row}_left"] = (lx + shift, ly)
        targets[f"{row}_right"] = (rx + shift, ry)


def above_ankles(targets: dict[str, tuple[float, float]], anchors: BodyAnchors) -> None:
    """Raise a hem that would fall below the ankles to the ankles, in place: the part below the
    armpits is shortened along the body (waist and hem move up in proportion).

    Only where the ankles are in the picture and below the knees (a pose that guesses the feet
    outside a cropped photo says nothing about the hem)."""
    ankles = float(anchors.ankles[:, 1].mean())
    knees = float(anchors.knees[:, 1].mean())
    if not (np.isfinite(ankles) and knees < ankles < anchors.image_size[1]):
        return
    hem = 0.5 * (targets["hem_left"][1] + targets["hem_right"][1])
    pit = 0.5 * (targets["armpit_left"][1] + targets["armpit_right"][1])
    if hem <= ankles or hem <= pit:
        return
    shrink = (ankles - pit) / (hem - pit)
    for name in ("waist_left", "waist_right", "hem_left", "hem_right"):
        x, y = targets[name]
        targets[name] = (x, pit + (y - pit) * shrink)


__all__ = [
    "ARMHOLE_DEPTH_MAX",
    "ARM_HALF_WIDTH",
    "CHEST_CAP",
    "CHEST_ROWS",
    "CORNERS_BEYOND_SEAMS",
    "CUFFS_LEVEL",
    "SKIRT_DRAPE",
    "above_ankles",
    "body_chest_width",
    "centre_below_torso",
    "chest_similarity",
    "chest_sized",
    "drape_skirt",
    "dress_targets",
    "over_forearms",
    "shrunk_about_shoulders",
    "sleeves_hang_flush",
    "torso_within_cap",
]
