"""Named garment landmarks from the outline's geometry.

All measurements are on the :class:`~fitroom.garments.silhouette.Silhouette` (analysis
resolution) and returned in photo pixels. Image-left is the wearer's RIGHT.

Upper garments: the armpits are the deepest side concavities of the outline; the sleeve is what
lies outward of the torso line shoulder → armpit → hem corner; the cuff corners are the two
extreme points, across the sleeve's axis, of the sleeve's far end. Lower garments: the crotch is
the top of the gap between the legs; leg hems are each leg's bottom corners. Dresses take the
upper landmarks plus a waist at the narrowest row and the hem corners.
"""

from __future__ import annotations

from dataclasses import dataclass

import cv2
import numpy as np
import numpy.typing as npt

from fitroom.garments.core import Category, GarmentLandmarks, Subcategory, landmark_names
from fitroom.garments.silhouette import Silhouette, convexity_defects, leg_gap

FloatArray = npt.NDArray[np.float32]
Point = tuple[float, float, float]  # x, y, confidence (analysis pixels)


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
    """Deepest side concavity in the upper 75 %; for a sleeveless armhole, its lower bend."""
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


def _armhole_bottom(sil: Silhouette, armpit: Point, outward: int, body_width: float) -> Point:
    """Slide down the side edge from the armhole's deepest point until it stops widening."""
    _, y, conf = armpit
    step = max(2, int(0.02 * sil.height))
    limit = sil.y0 + 0.7 * sil.height
    cur_y = y
    cur_x = _side_x(sil, cur_y, outward)
    while cur_y + step < limit:
        nxt_x = _side_x(sil, cur_y + step, outward)
        if (nxt_x - cur_x) * outward < 0.25 * step:
            break
        cur_y += step
        cur_x = nxt_x
    return cur_x, cur_y, conf


def _neck(sil: Silhouette, body_width: float) -> tuple[Point, Point, Point]:
    """neck_center, neck_left (image right), neck_right (image left)."""
    cx = sil.center_x
    half = 0.4 * body_width
    xs = np.arange(int(max(sil.x0, cx - half)), int(min(sil.x1 - 1, cx + half)) + 1)
    tops = sil.top[xs].astype(np.float32)
    tol = max(2.0, 0.015 * sil.height)

    def side(sel: npt.NDArray[np.bool_], innermost_first: bool) -> Point:
        sx, st = xs[sel], tops[sel]
        if sx.size == 0:
            return cx, float(sil.y0), 0.2
        near = np.flatnonzero(st <= st.min() + tol)
        i = near[-1] if innermost_first else near[0]
        return float(sx[i]), float(st[i]), 0.8

    right = side(xs < cx - 0.05 * body_width, innermost_first=True)  # image-left side
    left = side(xs > cx + 0.05 * body_width, innermost_first=False)
    mid = round((right[0] + left[0]) / 2)
    center = (float(mid), float(sil.top[mid]), 0.8)
    return center, left, right


def _shoulder(
    sil: Silhouette, neck: Point, armpit: Point, outward: int, sleeved: bool, body_width: float
) -> Point:
    if sleeved:
        x = armpit[0] + outward * 0.12 * body_width
        xi = int(np.clip(round(x), sil.x0, sil.x1 - 1))
        return float(xi), float(sil.top[xi]), 0.6
    # Sleeveless: the outer top corner of the strap / shoulder above the armhole.
    ys, xs = np.nonzero(sil.mask[: int(armpit[1])])
    if xs.size == 0:
        return neck
    side = (xs - sil.center_x) * outward > 0
    xs, ys = xs[side], ys[side]
    if xs.size == 0:
        return neck
    score = (xs - sil.center_x) * outward - (ys - sil.y0)
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


def _cuffs(
    sleeve: npt.NDArray[np.bool_], shoulder: Point, armpit: Point
) -> tuple[Point, Point] | None:
    """(outer, inner) cuff corners of a sleeve mask, or None when it is too small."""
    ys, xs = np.nonzero(_largest_component(sleeve))
    if xs.size < 30:
        return None
    root = np.array([(shoulder[0] + armpit[0]) / 2, (shoulder[1] + armpit[1]) / 2], np.float32)
    pts = np.stack([xs, ys], axis=1).astype(np.float32)
    rel = pts - root
    far = pts[int(np.argmax((rel**2).sum(axis=1)))]
    axis = far - root
    length = float(np.linalg.norm(axis))
    if length < 3:
        return None
    axis /= length
    along = rel @ axis
    end = along >= along.max() - max(2.0, 0.08 * length)
    normal = np.array([-axis[1], axis[0]], np.float32)
    # Orient the normal towards the shoulder side (the sleeve's outer edge).
    towards_shoulder = np.array([shoulder[0] - armpit[0], shoulder[1] - armpit[1]], np.float32)
    if float(normal @ towards_shoulder) < 0:
        normal = -normal
    across = rel[end] @ normal
    end_pts = pts[end]
    outer = end_pts[int(np.argmax(across))]
    inner = end_pts[int(np.argmin(across))]
    return (float(outer[0]), float(outer[1]), 0.7), (float(inner[0]), float(inner[1]), 0.7)


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


def _torso_pixels(sil: Silhouette, y_from: float) -> npt.NDArray[np.bool_]:
    """Body-run pixels (the run containing the centre) below ``y_from``; excludes sleeves."""
    out = np.zeros_like(sil.mask)
    for y in range(int(y_from), sil.y1):
        run = sil.run_at(y, sil.center_x)
        if run is not None and run[0] <= sil.center_x <= run[1]:
            out[y, run[0] : run[1] + 1] = True
    return out


def _upper(
    sil: Silhouette, has_sleeves: bool, body_width: float, dress: bool
) -> tuple[dict[str, Point], bool, float]:
    pts: dict[str, Point] = {}
    center, neck_left, neck_right = _neck(sil, body_width)
    pts["neck_center"], pts["neck_left"], pts["neck_right"] = center, neck_left, neck_right
    sides = {"right": -1, "left": 1}  # wearer's side → image direction outward
    armpits = {}
    for name, outward in sides.items():
        a = _armpit(sil, outward, body_width)
        if not has_sleeves:
            a = _armhole_bottom(sil, a, outward, body_width)
        armpits[name] = a
    arm_y = max(armpits["left"][1], armpits["right"][1])
    torso = _torso_pixels(sil, arm_y)
    sleeve_ratio = 0.0
    found_sleeves = False
    for name, outward in sides.items():
        neck = pts[f"neck_{name}"]
        shoulder = _shoulder(sil, neck, armpits[name], outward, has_sleeves, body_width)
        hem = _hem_corner(sil, arm_y, outward, torso)
        pts[f"shoulder_{name}"] = shoulder
        pts[f"armpit_{name}"] = armpits[name]
        pts[f"hem_{name}"] = hem
        cuffs = None
        if has_sleeves:
            sleeve = sleeve_mask(sil, shoulder, armpits[name], hem, outward)
            if dress:
                # A dress's skirt flares beyond the torso line: sleeves end above its middle.
                sleeve[int(arm_y + 0.5 * (hem[1] - arm_y)) :] = False
            cuffs = _cuffs(sleeve, shoulder, armpits[name])
        if cuffs is not None:
            found_sleeves = True
            pts[f"cuff_{name}_outer"], pts[f"cuff_{name}_inner"] = cuffs
            cuff_mid = np.array([(cuffs[0][0] + cuffs[1][0]) / 2, (cuffs[0][1] + cuffs[1][1]) / 2])
            sleeve_len = float(np.linalg.norm(cuff_mid - np.array(shoulder[:2])))
            torso_len = max(1.0, hem[1] - shoulder[1])
            sleeve_ratio = max(sleeve_ratio, sleeve_len / torso_len)
        else:
            # Sleeveless: the armhole's ends stand in for the cuff, with low confidence.
            pts[f"cuff_{name}_outer"] = (shoulder[0], shoulder[1], 0.1)
            pts[f"cuff_{name}_inner"] = (armpits[name][0], armpits[name][1], 0.1)
    # Waist: the narrowest body row in the upper part of the torso (a dress), or the middle.
    hem_y = (pts["hem_left"][1] + pts["hem_right"][1]) / 2
    lo, hi = (0.1, 0.5) if dress else (0.35, 0.65)
    rows = np.arange(int(arm_y + lo * (hem_y - arm_y)), int(arm_y + hi * (hem_y - arm_y)) + 1)
    best: tuple[float, int, tuple[int, int]] | None = None
    mid = (rows[0] + rows[-1]) / 2 if rows.size else arm_y
    for y in rows:
        run = sil.run_at(int(y), sil.center_x)
        if run is None:
            continue
        cost = (run[1] - run[0]) + (0.0 if dress else 0.05 * abs(y - mid))
        if best is None or cost < best[0]:
            best = (cost, int(y), run)
    if best is not None:
        _, wy, (lx, rx) = best
        pts["waist_right"], pts["waist_left"] = (
            (float(lx), float(wy), 0.6),
            (float(rx), float(wy), 0.6),
        )
    else:
        pts["waist_right"] = (_side_x(sil, mid, -1), float(mid), 0.2)
        pts["waist_left"] = (_side_x(sil, mid, 1), float(mid), 0.2)
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


def _lower(sil: Silhouette) -> dict[str, Point]:
    pts: dict[str, Point] = {}
    y = sil.y0 + max(1, int(0.02 * sil.height))
    run = sil.run_at(y, sil.center_x) or (sil.x0, sil.x1 - 1)
    lx, rx = run
    # The corner column's own top can sit lower on a slanted side: read the edge just inward.
    inset = max(1, (rx - lx) // 40)
    pts["waistband_right"] = (float(lx), float(sil.top[min(lx + inset, rx)]), 0.8)
    pts["waistband_left"] = (float(rx), float(sil.top[max(rx - inset, lx)]), 0.8)
    mid = (lx + rx) // 2
    pts["waistband_center"] = (float(mid), float(sil.top[mid]), 0.8)
    gap = leg_gap(sil)
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
        if category == "full":
            # Dress hem: the corners of the whole lower outline.
            y_from = sil.y0 + 0.5 * sil.height
            pts["hem_right"] = _hem_corner(sil, y_from, -1)
            pts["hem_left"] = _hem_corner(sil, y_from, 1)
    if category == "lower" or subcategory == "jumpsuit":
        lower = _lower(sil)
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


__all__ = ["LandmarkResult", "find_landmarks", "sleeve_mask"]
