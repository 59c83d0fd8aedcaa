"""Named garment landmarks from the outline's geometry.

(Over 500 lines: the upper-garment steps share the private outline helpers below; the neck
opening lives in :mod:`~fitroom.garments.neckline`, sleeves hanging beside the body in
:mod:`~fitroom.garments.hanging` and outline paths in :mod:`~fitroom.garments.silhouette`.)

All measurements are on the :class:`~fitroom.garments.silhouette.Silhouette` (analysis
resolution) and returned in photo pixels. Image-left is the wearer's RIGHT. Every landmark is a
point of the flat garment's outline; the definitions (shared with the hand annotations in
``tests/garments/fixtures/landmarks_gt.json``, key "definitions"):

* neck left/right: where the neckline meets the shoulder line — the top edge's point rising
  highest above the chord from the centre line to the shoulders; neck centre: the top of the
  outline midway between them. A top edge level across most of the shoulders (a back neck
  seen through a ghost-mannequin shot) gives no cue: the opening is then centred between the
  shoulders and a fixed share of their span wide (low confidence).
* shoulder: the outer end of the shoulder line — the outline's bend between neck side and outer
  cuff (the middle of a rounded shoulder); sleeveless: the strap's outer top corner.
* armpit: where the sleeve's underside meets the body's side edge; sleeveless: the bottom of the
  armhole, where the armhole curve runs into the side seam — the outline's corner where a strap
  meets the bodice when it shows one, else estimated from the garment's proportions.
* cuff outer/inner: the two ends of the sleeve opening's edge (a cuff band's bottom corners),
  outer on the shoulder side. Sleeves, cuffs and armpits come from one optimal polyline fitted
  to the outline from the neck side to just past the armpit, so they hold for short, long, cap
  and puff sleeves alike (a puff's frilled cuff hanging down ends at the bodice: its inner
  corner is the armpit, and its shoulder is the middle of the curve above the puff).
* waist: the body's side edges on one row — a top's halfway between armpits and hem, a dress's
  at its narrowest row (its waist seam) near the upper fifth of armpit → hem.
* hem left/right: the body panel's bottom corners, where the side edge meets the hem.
* waistband left/right/centre: the waistband's top corners and top centre; crotch: the top of
  the background gap between the legs (which may slant); leg hem outer/inner: each leg
  opening's bottom corners.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import cv2
import numpy as np
import numpy.typing as npt

from fitroom.garments.core import Category, GarmentLandmarks, Subcategory, landmark_names
from fitroom.garments.hanging import HangingSleeve, find_hanging_sleeve, inner_line, inner_line_x
from fitroom.garments.neckline import collar_base, flat_top, neck_from_shoulders, neck_points
from fitroom.garments.silhouette import (
    Point,
    Silhouette,
    contour_path,
    convexity_defects,
    cross2d,
    leg_gap,
    outline_bend,
    polyline_corners,
)

FloatArray = npt.NDArray[np.float32]
IntArray = npt.NDArray[np.int32]


@dataclass(frozen=True)
class LandmarkResult:
    """Landmarks in photo pixels plus what was learnt on the way.

    Attributes:
        landmarks: the named set.
        has_sleeves: whether sleeves were found.
        sleeve_ratio: sleeve length (shoulder to cuff) over torso length (shoulder to hem);
            0 without sleeves.
    """

    landmarks: GarmentLandmarks
    has_sleeves: bool
    sleeve_ratio: float


def _side_x(sil: Silhouette, y: float, outward: int) -> float:
    """Outer edge x of the body run at row y, on the side ``outward`` (-1 image-left, +1 right)."""
    run = sil.run_at(round(y), sil.center_x)
    if run is None:
        return sil.center_x
    return float(run[0] if outward < 0 else run[1])


def _armpit(sil: Silhouette, outward: int, body_width: float) -> Point:
    """Deepest side concavity in the upper 75 %: where a sleeve leaves the body.

    The sleeve fit (:func:`_sleeve`) starts from it and refines it; confidence 0.2 means no
    concavity was found (a sleeve lying on the torso, or none at all).
    """
    h = sil.height
    cands = [
        d
        for d in convexity_defects(sil, 0.02 * body_width)
        if sil.y0 + 0.05 * h < d[1] < sil.y0 + 0.75 * h
        and (d[0] - sil.center_x) * outward > 0.15 * body_width
    ]
    if cands:
        x, y, depth = max(cands, key=lambda d: d[2])
        conf = float(np.clip(depth / (0.1 * body_width), 0.3, 1.0))
        return float(x), float(y), conf
    # No concavity: the side edge at a quarter of the height.
    side_y = sil.y0 + 0.3 * h
    return _side_x(sil, side_y, outward), side_y, 0.2


def _armhole_bottoms(sil: Silhouette, shoulders: dict[str, Point]) -> dict[str, Point]:
    """Armpits of a sleeveless garment: a visible armhole corner, else the side edge 0.7
    shoulder widths below the shoulders.

    The bottom of an armhole often does not show in the outline (the armhole curve runs
    smoothly into the side seam, and a dress's bodice may have no concavity at all); then its
    depth comes from the garment's proportions and the side edge at that row gives x.
    """
    width = abs(shoulders["left"][0] - shoulders["right"][0])
    out = {}
    for name, outward in (("right", -1), ("left", 1)):
        corner = _armhole_corner(sil, shoulders[name], width, outward)
        if corner is not None:
            out[name] = corner
            continue
        y = float(min(shoulders[name][1] + 0.7 * width, sil.y0 + 0.6 * sil.height))
        out[name] = (_side_x(sil, y, outward), y, 0.4)
    return out


def _armhole_corner(sil: Silhouette, shoulder: Point, width: float, outward: int) -> Point | None:
    """A visible armhole bottom: the side outline's corner sticking outward of the chord from
    the shoulder to the side edge 2 shoulder widths lower (a strap meeting the bodice), or
    None when the side runs smoothly (inside that chord)."""
    y_end = float(min(shoulder[1] + 2.0 * width, sil.y0 + 0.6 * sil.height))
    end = (_side_x(sil, y_end, outward), y_end, 0.0)
    top = (sil.center_x, float(sil.y0), 0.0)
    path = contour_path(sil, shoulder, end, top).astype(np.float32)
    if len(path) < 5 or y_end <= shoulder[1] + 2:
        return None
    t = np.clip((path[:, 1] - shoulder[1]) / (y_end - shoulder[1]), 0.0, 1.0)
    chord_x = shoulder[0] + t * (end[0] - shoulder[0])
    offset = (path[:, 0] - chord_x) * outward
    i = int(np.argmax(offset))
    if offset[i] < 0.03 * width:
        return None
    return float(path[i, 0]), float(path[i, 1]), 0.6


def _shoulder(
    sil: Silhouette, neck: Point, armpit: Point, outward: int, sleeved: bool, body_width: float
) -> Point:
    if sleeved:
        x = armpit[0] + outward * 0.12 * body_width
        xi = int(np.clip(round(x), sil.x0, sil.x1 - 1))
        return float(xi), float(sil.top[xi]), 0.6
    # Sleeveless: the outer top corner of the strap / shoulder above the armhole (or in the
    # top 15 %, when the concavity found is higher still).
    ys, xs = np.nonzero(sil.mask[: int(max(armpit[1], sil.y0 + 0.15 * sil.height))])
    if xs.size == 0:
        return neck
    side = (xs - sil.center_x) * outward > 0
    xs, ys = xs[side], ys[side]
    if xs.size == 0:
        return neck
    score = (xs - sil.center_x) * outward - 0.5 * (ys - sil.y0)
    i = int(np.argmax(score))
    return float(xs[i]), float(ys[i]), 0.7


def _torso_line_x(
    y: npt.NDArray[np.float32], shoulder: Point, armpit: Point, hem: Point
) -> npt.NDArray[np.float32]:
    """x of the torso boundary polyline shoulder → armpit → hem at rows y."""
    ys = np.array([shoulder[1], armpit[1], hem[1]], np.float32)
    xs = np.array([shoulder[0], armpit[0], hem[0]], np.float32)
    if not (ys[0] < ys[1] < ys[2]):
        ys = np.maximum.accumulate(ys + np.arange(3, dtype=np.float32) * 1e-3)
    return np.interp(y, ys, xs).astype(np.float32)


def sleeve_mask(
    sil: Silhouette, shoulder: Point, armpit: Point, hem: Point, outward: int
) -> npt.NDArray[np.bool_]:
    """Pixels outward of the torso line on one side (analysis resolution)."""
    h, w = sil.mask.shape
    rows = np.arange(h, dtype=np.float32)
    line = _torso_line_x(rows, shoulder, armpit, hem)
    cols = np.arange(w, dtype=np.float32)[None, :]
    beyond = (cols - line[:, None]) * outward > 1.0
    return sil.mask & beyond


def _largest_component(mask: npt.NDArray[np.bool_]) -> npt.NDArray[np.bool_]:
    """The largest 4-connected blob after a 3×3 opening (drops slivers along the torso line)."""
    opened = cv2.morphologyEx(mask.astype(np.uint8), cv2.MORPH_OPEN, np.ones((3, 3), np.uint8))
    count, labels, stats, _ = cv2.connectedComponentsWithStats(opened, connectivity=4)
    if count <= 1:
        return np.zeros_like(mask)
    return labels == 1 + int(np.argmax(stats[1:, cv2.CC_STAT_AREA]))


def _hem_corner(
    sil: Silhouette, y_from: float, outward: int, pixels: npt.NDArray[np.bool_] | None = None
) -> Point:
    """The body's bottom corner on one side: the pixel furthest outward-and-down."""
    mask = sil.mask if pixels is None else pixels
    ys, xs = np.nonzero(mask[int(y_from) :])
    if xs.size == 0:
        return sil.center_x, float(sil.y1 - 1), 0.1
    ys = ys + int(y_from)
    score = (xs - sil.center_x) * outward + (ys - y_from)
    i = int(np.argmax(score))
    return float(xs[i]), float(ys[i]), 0.8


def _side_corner(sil: Silhouette, start: Point, outward: int) -> Point:
    """The bottom corner below ``start`` on one side: the outline point furthest outward of the
    chord from ``start`` to the bottom of the centre line (where the side edge turns into the
    hem, also on a curved shirt-tail hem whose lowest pixels lie further in)."""
    cx = round(sil.center_x)
    bottom = (float(cx), float(sil.bottom[cx]), 0.0)
    top = (float(cx), float(sil.top[cx]), 0.0)
    path = contour_path(sil, start, bottom, top).astype(np.float32)
    if len(path) < 3:
        return start
    a, b = np.array(start[:2], np.float32), np.array(bottom[:2], np.float32)
    t = np.clip((path[:, 1] - a[1]) / max(1e-6, float(b[1] - a[1])), 0.0, 1.0)
    offset = (path[:, 0] - (a[0] + t * (b[0] - a[0]))) * outward
    i = int(np.argmax(offset))
    return float(path[i, 0]), float(path[i, 1]), 0.8


def _torso_pixels(sil: Silhouette, y_from: float) -> npt.NDArray[np.bool_]:
    """Body-run pixels (the run containing the centre) below ``y_from``; excludes sleeves."""
    out = np.zeros_like(sil.mask)
    for y in range(int(y_from), sil.y1):
        run = sil.run_at(y, sil.center_x)
        if run is not None and run[0] <= sil.center_x <= run[1]:
            out[y, run[0] : run[1] + 1] = True
    return out


@dataclass(frozen=True)
class _Sleeve:
    """Corners of one sleeve's outline (analysis pixels)."""

    shoulder: Point
    cuff_outer: Point
    cuff_inner: Point
    armpit: Point


#: The outline turns by at least this many degrees at a sleeve's outer cuff corner (seam to
#: cuff opening); a fitted corner turning less lies on the straight outer seam.
CUFF_CORNER_TURN = 30.0


def bend_angle(a: IntArray, b: IntArray, c: IntArray) -> float:
    """How many degrees a path a → b → c turns at b (0 = straight on).

    >>> import numpy as np
    >>> round(bend_angle(np.array([0, 0]), np.array([10, 0]), np.array([10, 10])))
    90
    >>> round(bend_angle(np.array([0, 0]), np.array([10, 10]), np.array([20, 21])))
    3
    """
    u = (b - a).astype(np.float64)
    v = (c - b).astype(np.float64)
    if not (u.any() and v.any()):
        return 180.0
    return float(np.degrees(abs(np.arctan2(u[0] * v[1] - u[1] * v[0], float(np.dot(u, v))))))


def _sleeve(sil: Silhouette, neck: Point, armpit: Point) -> _Sleeve | None:
    """Shoulder, cuff corners and armpit from the outline between neck side and armpit.

    A polyline with five free corners is fitted to the outline from the neck side to a little
    past the (concavity) armpit; its corner nearest the concavity is the armpit and the two
    before it are the cuff's outer and inner corners (the others absorb collar, neckline and
    shoulder bends). The shoulder is the outline's bend between neck and outer cuff.
    """
    bottom = (sil.center_x, float(sil.y1 - 1), 0.0)
    # Past the armpit down the side, so the armpit is a corner of the fit like the cuff's.
    extend = max(4, int(0.03 * sil.height))
    path = contour_path(sil, neck, armpit, bottom, extend=extend)
    found = polyline_corners(path, 5)
    if found is None:
        return None
    # A rounded corner can take two of the spare vertices: merge near neighbours.
    corners: list[int] = []
    group = [found[0]]
    for c in found[1:]:
        if c - group[-1] <= max(3, int(0.03 * len(path))):
            group.append(c)
        else:
            corners.append(round(sum(group) / len(group)))
            group = [c]
    corners.append(round(sum(group) / len(group)))
    # The armpit is the (first) corner at the concavity; the two before it are the cuff's (a
    # spare corner may fall anywhere: past the armpit, or doubling a rounded armpit).
    gaps = np.abs(np.array(corners) - (len(path) - 1 - extend))
    near = np.flatnonzero(gaps <= max(2, extend // 3))
    at = int(near[0]) if near.size else int(np.argmin(gaps))
    if at < 2:
        return None
    i, j, k = corners[at - 2], corners[at - 1], corners[at]
    before = corners[at - 3] if at >= 3 else 0

    def turn(a: int, b: int, c: int) -> float:
        pa, pb, pc = (path[t].astype(np.float32) for t in (a, b, c))
        return float(cross2d(pb - pa, pc - pb))

    # A cuff's corners turn the outline outward, like the shoulder; the armpit turns it
    # inward. When the fitted "outer cuff" turns inward too, it is the notch above a frilled
    # cuff hanging down (a puff sleeve), whose opening ends at the bodice: shift by one.
    # Such a sleeve bulges below its shoulder: the shoulder is the bend between the neck side
    # and the puff's outermost corner (the one above the notch), not the bulge itself.
    shoulder_end = i
    if turn(before, i, j) * turn(j, k, len(path) - 1) > 0:
        shoulder_end = before if before > 0 else j
        i, j = j, k
    elif bend_angle(path[before], path[i], path[j]) < CUFF_CORNER_TURN:
        # The outline runs straight on through the "outer cuff": it is a spare corner on a
        # long outer seam, and the real outer corner is the next one (the sleeve's tip). A
        # short sleeve angled out whose opening ends right at the armpit has its inner cuff
        # corner next to the armpit: the fit spent that corner on the seam, and the cuff ran
        # across the tip only (a sleeve drawn a third of its width, or not at all).
        # Tip → armpit is then the cuff opening and the underarm seam, or (no underarm seam
        # to speak of) the opening alone, which ends at the armpit.
        split = polyline_corners(path[j : k + 1], 1)
        inner = j + split[0] if split else k
        if bend_angle(path[j], path[inner], path[k]) < CUFF_CORNER_TURN:
            inner = k
        # (The shoulder is then the bend between the neck side and the tip.)
        shoulder_end = i = j
        j = inner

    def point(p: IntArray) -> Point:
        return float(p[0]), float(p[1]), 0.7

    return _Sleeve(
        shoulder=point(path[outline_bend(path[: shoulder_end + 1])]),
        cuff_outer=point(path[i]),
        cuff_inner=point(path[j]),
        armpit=point(path[k]),
    )


def _waist(
    sil: Silhouette,
    pts: dict[str, Point],
    dress: bool,
    limits: Callable[[int], tuple[float, float]] | None = None,
) -> tuple[Point, Point]:
    """(waist_right, waist_left): the body's side edges at the waist row.

    A top's waist is halfway between armpits and hem; a dress's is its narrowest row between
    5 % and 45 % of the way from armpits to hem, pulled towards 20 % (a shift dress has no
    narrowing of its own; an empire line sits just below the armpits). ``limits(y)`` bounds the
    body's run on row y (sleeves hanging against the body lie outside it).
    """
    arm_y = (pts["armpit_left"][1] + pts["armpit_right"][1]) / 2
    hem_y = (pts["hem_left"][1] + pts["hem_right"][1]) / 2
    span = max(1.0, hem_y - arm_y)
    if dress:
        rows = np.arange(int(arm_y + 0.05 * span), int(arm_y + 0.45 * span) + 1)
        prior = arm_y + 0.2 * span
    else:
        rows = np.array([round((arm_y + hem_y) / 2)])
        prior = float(rows[0])
    best: tuple[float, int, tuple[int, int]] | None = None
    for y in rows:
        run = sil.run_at(int(y), sil.center_x)
        if run is None:
            continue
        if limits is not None:
            lo, hi = limits(int(y))
            run = (max(run[0], round(lo)), min(run[1], round(hi)))
        cost = (run[1] - run[0]) + 0.5 * abs(float(y) - prior)
        if best is None or cost < best[0]:
            best = (cost, int(y), run)
    if best is None:
        return (_side_x(sil, prior, -1), prior, 0.2), (_side_x(sil, prior, 1), prior, 0.2)
    _, wy, (lx, rx) = best
    return (float(lx), float(wy), 0.6), (float(rx), float(wy), 0.6)


def _snap(sil: Silhouette, p: Point, conf: float) -> Point:
    """The outline point nearest to ``p``."""
    d = (sil.contour[:, 0] - p[0]) ** 2 + (sil.contour[:, 1] - p[1]) ** 2
    x, y = sil.contour[int(np.argmin(d))]
    return float(x), float(y), conf


def _mirrored_side(
    sil: Silhouette, pts: dict[str, Point], source: str, target: str
) -> dict[str, Point]:
    """``target``'s sleeve and side landmarks mirrored from ``source`` across the centre line.

    Outline points (shoulder, cuffs, hem) are snapped to the outline; the armpit and waist stay
    where the mirror puts them (under a sleeve lying on the torso they are inside the outline).
    """
    axis = pts["neck_center"][0]
    out: dict[str, Point] = {}
    for key in ("shoulder", "armpit", "hem", "waist", "cuff_{}_outer", "cuff_{}_inner"):
        src_name = key.format(source) if "{}" in key else f"{key}_{source}"
        dst_name = key.format(target) if "{}" in key else f"{key}_{target}"
        x, y, _ = pts[src_name]
        mirrored = (2.0 * axis - x, y, 0.3)
        out[dst_name] = mirrored if key in ("armpit", "waist") else _snap(sil, mirrored, 0.3)
    return out


#: Armpit depth below the shoulders over the shoulder span when the sleeve hides it (a long
#: sleeve lying against the body): about 0.5 on the tops whose armpit shows.
_ARMPIT_DEPTH_SHARE = 0.5


def _hanging_upper(
    sil: Silhouette, pts: dict[str, Point], hanging: dict[str, HangingSleeve], dress: bool
) -> float:
    """Sleeve, side and hem landmarks of a top whose long sleeves hang beside the body, written
    into ``pts`` (which holds the neck points); a side without a sleeve seen apart is mirrored.
    Returns the sleeve ratio.

    The shoulder is the outline's furthest point out-and-up between the neck side and the
    cuff's outer corner (the corner between shoulder line and sleeve, or the middle of a
    rounded shoulder). The armpit is the top of the background between sleeve and body, or,
    when the sleeve lies against the body higher up, level with the other side's, or half a
    shoulder span below the shoulders on the sleeve's inner edge. The body is what lies between
    the sleeves' inner edges: its bottom corners are the hem, its sides at the waist row the
    waist.
    """
    bottom = (sil.center_x, float(sil.y1 - 1), 0.0)
    for name, sleeve in hanging.items():
        # Out-and-up at about 55°: the middle of the turn from a flat lay's sloping shoulder line
        # (20–30°) to the hanging sleeve (90°).
        path = contour_path(sil, pts[f"neck_{name}"], sleeve.cuff_outer, bottom)
        reach = (path[:, 0] - sil.center_x) * sleeve.outward - 0.7 * path[:, 1]
        x, y = path[int(np.argmax(reach))]
        pts[f"shoulder_{name}"] = (float(x), float(y), 0.7)
        pts[f"cuff_{name}_outer"] = sleeve.cuff_outer
        pts[f"cuff_{name}_inner"] = sleeve.cuff_inner
    shoulders = [pts[f"shoulder_{name}"] for name in hanging]
    if len(shoulders) == 2:
        span = abs(shoulders[0][0] - shoulders[1][0])
    else:
        span = 2.0 * abs(shoulders[0][0] - pts["neck_center"][0])
    seen = {
        name: sleeve.gap_top
        for name, sleeve in hanging.items()
        if sleeve.gap_top[1] <= pts[f"shoulder_{name}"][1] + _ARMPIT_DEPTH_SHARE * span
    }
    # The background between sleeve and body starts at the armpit or lower (the sleeve may
    # touch the body below it), and flat garments are laid out close to symmetric: both armpits
    # are level with the highest one seen. None seen: half a shoulder span below the shoulder.
    top = min(seen.values(), key=lambda p: p[1]) if seen else None
    for name, sleeve in hanging.items():
        if top is not None and name in seen and seen[name][1] <= top[1] + 1:
            pts[f"armpit_{name}"] = (seen[name][0], seen[name][1], 0.7)
            continue
        y = top[1] if top is not None else pts[f"shoulder_{name}"][1] + _ARMPIT_DEPTH_SHARE * span
        pts[f"armpit_{name}"] = (inner_line_x(sil, sleeve, y), y, 0.5 if top else 0.4)
    arm_y = max(pts[f"armpit_{name}"][1] for name in hanging)

    h, w = sil.mask.shape
    lo = inner_line(sil, hanging["right"]) + 1 if "right" in hanging else np.full(h, -1.0)
    hi = inner_line(sil, hanging["left"]) - 1 if "left" in hanging else np.full(h, float(w))

    def limits(y: int) -> tuple[float, float]:
        return float(lo[y]), float(hi[y])

    cols = np.arange(w)[None, :]
    body = sil.mask & (cols > lo[:, None]) & (cols < hi[:, None])
    body[: int(arm_y)] = False
    for name, outward in (("right", -1), ("left", 1)):
        if name in hanging:
            pts[f"hem_{name}"] = _hem_corner(sil, arm_y, outward, body)
    if len(hanging) == 1:
        source = next(iter(hanging))
        target = "left" if source == "right" else "right"
        pts.update(
            _mirrored_side(sil, {**pts, "waist_" + source: pts["hem_" + source]}, source, target)
        )
    pts["waist_right"], pts["waist_left"] = _waist(sil, pts, dress, limits)
    ratio = 0.0
    for name in ("right", "left"):
        cuff_mid = (
            np.array(pts[f"cuff_{name}_outer"][:2], np.float32)
            + np.array(pts[f"cuff_{name}_inner"][:2], np.float32)
        ) / 2
        length = float(np.linalg.norm(cuff_mid - np.array(pts[f"shoulder_{name}"][:2])))
        ratio = max(ratio, length / max(1.0, pts[f"hem_{name}"][1] - pts[f"shoulder_{name}"][1]))
    return ratio


def _upper(
    sil: Silhouette, has_sleeves: bool, body_width: float, dress: bool
) -> tuple[dict[str, Point], bool, float]:
    pts: dict[str, Point] = {}
    center, neck_left, neck_right = neck_points(sil, body_width)
    neck_left = collar_base(sil, neck_left, 1, body_width)
    neck_right = collar_base(sil, neck_right, -1, body_width)
    pts["neck_center"], pts["neck_left"], pts["neck_right"] = center, neck_left, neck_right
    sides = {"right": -1, "left": 1}  # wearer's side → image direction outward
    hanging = {
        name: found_hanging
        for name, outward in sides.items()
        if (found_hanging := find_hanging_sleeve(sil, outward, body_width)) is not None
    }
    if hanging:
        ratio = _hanging_upper(sil, pts, hanging, dress)
        if flat_top(sil, pts["shoulder_right"][0], pts["shoulder_left"][0]):
            pts["neck_center"], pts["neck_left"], pts["neck_right"] = neck_from_shoulders(
                sil, pts["shoulder_right"], pts["shoulder_left"]
            )
        return pts, True, ratio
    armpits = {name: _armpit(sil, outward, body_width) for name, outward in sides.items()}
    shoulders = {
        name: _shoulder(sil, pts[f"neck_{name}"], armpits[name], outward, has_sleeves, body_width)
        for name, outward in sides.items()
    }
    if not has_sleeves:
        armpits = _armhole_bottoms(sil, shoulders)
    arm_y = max(armpits["left"][1], armpits["right"][1])
    torso = _torso_pixels(sil, arm_y)
    sleeve_ratio = 0.0
    found_sleeves = False
    sleeved: set[str] = set()
    for name, outward in sides.items():
        shoulder = shoulders[name]
        hem = _hem_corner(sil, arm_y, outward, torso)
        pts[f"shoulder_{name}"] = shoulder
        pts[f"armpit_{name}"] = armpits[name]
        pts[f"hem_{name}"] = hem
        found = None
        if has_sleeves:
            sleeve = sleeve_mask(sil, shoulder, armpits[name], hem, outward)
            if dress:
                # A dress's skirt flares beyond the torso line: sleeves end above its middle.
                sleeve[int(arm_y + 0.5 * (hem[1] - arm_y)) :] = False
            if int(_largest_component(sleeve).sum()) >= 30:
                found = _sleeve(sil, pts[f"neck_{name}"], armpits[name])
        if found is not None:
            found_sleeves = True
            sleeved.add(name)
            pts[f"shoulder_{name}"] = found.shoulder
            pts[f"armpit_{name}"] = found.armpit
            pts[f"cuff_{name}_outer"] = found.cuff_outer
            pts[f"cuff_{name}_inner"] = found.cuff_inner
            cuff_mid = (
                np.array(found.cuff_outer[:2], np.float32) + np.array(found.cuff_inner[:2])
            ) / 2
            sleeve_len = float(np.linalg.norm(cuff_mid - np.array(found.shoulder[:2])))
            torso_len = max(1.0, hem[1] - found.shoulder[1])
            sleeve_ratio = max(sleeve_ratio, sleeve_len / torso_len)
        else:
            # Sleeveless: the armhole's ends stand in for the cuff, with low confidence.
            pts[f"cuff_{name}_outer"] = (shoulder[0], shoulder[1], 0.1)
            pts[f"cuff_{name}_inner"] = (armpits[name][0], armpits[name][1], 0.1)
    for name, outward in sides.items():
        pts[f"hem_{name}"] = _side_corner(sil, pts[f"armpit_{name}"], outward)
    pts["waist_right"], pts["waist_left"] = _waist(sil, pts, dress)
    if flat_top(sil, pts["shoulder_right"][0], pts["shoulder_left"][0]):
        pts["neck_center"], pts["neck_left"], pts["neck_right"] = neck_from_shoulders(
            sil, pts["shoulder_right"], pts["shoulder_left"]
        )
    if has_sleeves and found_sleeves:
        # A sleeve lying against the torso leaves no concavity on its side: mirror the side
        # that has one (flat garments are photographed close to symmetric).
        weak = [name for name in sides if armpits[name][2] <= 0.2 or name not in sleeved]
        if len(weak) == 1:
            strong = "left" if weak[0] == "right" else "right"
            if armpits[strong][2] >= 0.5 and strong in sleeved:
                pts.update(_mirrored_side(sil, pts, strong, weak[0]))
    return pts, found_sleeves, sleeve_ratio


def _crotch_apex(sil: Silhouette, gx: float, gy: float) -> tuple[float, float]:
    """Extend the leg gap's two inner edges upwards to where they meet.

    The gap narrows to a wedge that segmentation closes before its tip; the inner leg edges
    are straight enough near the crotch to extrapolate.
    """
    rows = np.arange(int(gy), int(gy + 0.3 * (sil.y1 - gy)))
    lefts, rights, ys = [], [], []
    for y in rows:
        row = sil.mask[y]
        xi = round(gx)
        if row[xi]:
            continue
        left = xi - int(np.argmax(row[xi::-1])) if row[: xi + 1].any() else None
        right = xi + int(np.argmax(row[xi:])) if row[xi:].any() else None
        if left is None or right is None:
            continue
        lefts.append(left)
        rights.append(right)
        ys.append(y)
    if len(ys) < 5:
        return gx, gy
    yv = np.array(ys, np.float64)
    al, bl = np.polyfit(yv, np.array(lefts, np.float64), 1)
    ar, br = np.polyfit(yv, np.array(rights, np.float64), 1)
    if abs(al - ar) < 1e-6:
        return gx, gy
    y_apex = (br - bl) / (al - ar)
    if not (gy - 0.06 * sil.height <= y_apex <= gy):
        return gx, gy
    return float(al * y_apex + bl + ar * y_apex + br) / 2.0, float(y_apex)


#: How far down from the top edge the waistband is looked for, as a share of the garment's
#: height (belt loops, a tie's knot or bow stand above it).
WAISTBAND_SEARCH = 0.15


def waistband_row(sil: Silhouette) -> int:
    """The row of a lower garment's waistband: the first row from the top (past 2 % of the
    height) whose run through the centre is filled across and at least 80 % as wide as the
    widest such row within :data:`WAISTBAND_SEARCH` of the height.

    A tie's knot or belt loops stand above the waistband: read at the very top, the waistband
    was the knot's width (a fifth of the garment's), and the garment was scaled five times up.
    """
    first = sil.y0 + max(1, int(0.02 * sil.height))
    last = max(first, sil.y0 + int(WAISTBAND_SEARCH * sil.height))
    widths = []
    for y in range(first, last + 1):
        run = sil.run_at(y, sil.center_x)
        widths.append(0 if run is None else run[1] - run[0] + 1)
    widest = max(widths)
    for y, width in zip(range(first, last + 1), widths, strict=True):
        if widest > 0 and width >= 0.8 * widest:
            return y
    return first


#: Wide shorts whose legs hang together: where the crotch sits above the hem, as a share of the
#: garment's height (their inseam is short; shorts showing a gap have it at 0.2–0.55).
HIDDEN_CROTCH_ABOVE_HEM = 0.2


def _hidden_crotch(sil: Silhouette) -> dict[str, Point]:
    """Crotch and hem points of shorts whose legs hang together (no gap between them shows):
    the hem steps where the two leg openings meet; the crotch lies above that step."""
    xs = np.arange(sil.x0 + int(0.3 * sil.width), sil.x0 + int(0.7 * sil.width))
    bottom = sil.bottom[xs].astype(np.float64)
    k = max(1, int(0.02 * sil.width))
    i = int(np.argmax(np.abs(bottom[k:] - bottom[:-k])))
    x = float(xs[i] + k / 2)
    y = float(sil.y1 - 1) - HIDDEN_CROTCH_ABOVE_HEM * sil.height
    pts: dict[str, Point] = {"crotch": (x, y, 0.6)}
    for name, outward in (("right", -1), ("left", 1)):
        pts[f"hem_{name}_outer"] = _hem_corner(sil, sil.y0 + 0.5 * sil.height, outward)
        col = int(np.clip(round(x + outward * k), sil.x0, sil.x1 - 1))
        pts[f"hem_{name}_inner"] = (float(col), float(sil.bottom[col]), 0.6)
    return pts


def _lower(sil: Silhouette, shorts: bool = False) -> dict[str, Point]:
    pts: dict[str, Point] = {}
    y = waistband_row(sil)
    run = sil.run_at(y, sil.center_x) or (sil.x0, sil.x1 - 1)
    lx, rx = run
    # The corner column's own top can sit lower on a slanted side: read the edge just inward.
    inset = max(1, (rx - lx) // 40)
    pts["waistband_right"] = (float(lx), float(sil.top[min(lx + inset, rx)]), 0.8)
    pts["waistband_left"] = (float(rx), float(sil.top[max(rx - inset, lx)]), 0.8)
    mid = (lx + rx) // 2
    # (Not above the waistband's row by more than the top corners: a tie's knot is not it.)
    top_mid = max(float(sil.top[mid]), float(y) - max(1, int(0.02 * sil.height)))
    pts["waistband_center"] = (float(mid), top_mid, 0.8)
    gap = leg_gap(sil)
    if gap is None and shorts:
        pts.update(_hidden_crotch(sil))
        return pts
    if gap is None:
        # A skirt (or legs lying together): no crotch; the hem corners are the body's.
        cy = sil.y0 + 0.35 * sil.height
        pts["crotch"] = (sil.center_x, cy, 0.0)
        for name, outward in (("right", -1), ("left", 1)):
            outer = _hem_corner(sil, sil.y0 + 0.5 * sil.height, outward)
            pts[f"hem_{name}_outer"] = outer
            pts[f"hem_{name}_inner"] = (sil.center_x + outward * 2.0, float(sil.y1 - 1), 0.1)
        return pts
    gx, gy = _crotch_apex(sil, float(gap[0]), float(gap[1]))
    pts["crotch"] = (gx, gy, 0.8)
    w = sil.mask.shape[1]
    cols = np.arange(w)[None, :]
    below = np.zeros_like(sil.mask)
    below[int(gy) :] = True
    for name, outward in (("right", -1), ("left", 1)):
        leg = sil.mask & below & ((cols - gx) * outward > 0)
        ys, xs = np.nonzero(leg)
        if xs.size == 0:
            pts[f"hem_{name}_outer"] = (float(gx), float(sil.y1 - 1), 0.0)
            pts[f"hem_{name}_inner"] = (float(gx), float(sil.y1 - 1), 0.0)
            continue
        outer_score = (xs - gx) * outward + ys
        inner_score = -(xs - gx) * outward + ys
        i, j = int(np.argmax(outer_score)), int(np.argmax(inner_score))
        pts[f"hem_{name}_outer"] = (float(xs[i]), float(ys[i]), 0.8)
        pts[f"hem_{name}_inner"] = (float(xs[j]), float(ys[j]), 0.8)
    return pts


def find_landmarks(
    sil: Silhouette,
    category: Category,
    subcategory: Subcategory,
    has_sleeves: bool,
    body_width: float,
) -> LandmarkResult:
    """The category's landmark set, in photo pixels.

    Args:
        sil: the garment's silhouette.
        category, subcategory: what the garment is.
        has_sleeves: whether the shape analysis saw sleeves (cuffs are searched only then).
        body_width: body width in analysis pixels (from the shape features).
    """
    pts: dict[str, Point] = {}
    found_sleeves = False
    sleeve_ratio = 0.0
    if category in ("upper", "full"):
        upper, found_sleeves, sleeve_ratio = _upper(
            sil, has_sleeves, body_width, category == "full"
        )
        pts.update(upper)
    if category == "lower" or subcategory == "jumpsuit":
        lower = _lower(sil, shorts=subcategory == "shorts")
        if category == "lower":
            pts.update(lower)
        else:
            pts.update({k: v for k, v in lower.items() if not k.startswith("waistband")})
    names = landmark_names(category, subcategory, found_sleeves)
    inv = 1.0 / sil.scale
    points = np.array(
        [[(pts[n][0] + 0.5) * inv - 0.5, (pts[n][1] + 0.5) * inv - 0.5, pts[n][2]] for n in names],
        np.float32,
    )
    return LandmarkResult(GarmentLandmarks(names, points), found_sleeves, sleeve_ratio)


__all__ = ["WAISTBAND_SEARCH", "LandmarkResult", "find_landmarks", "sleeve_mask", "waistband_row"]
