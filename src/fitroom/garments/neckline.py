"""Where a top's neck opening meets its shoulders, read on the outline's top edge.

Analysis pixels of the :class:`~fitroom.garments.silhouette.Silhouette`; image-left is the
wearer's right. The definitions are those of :mod:`fitroom.garments.landmarks`.
"""

from __future__ import annotations

import numpy as np

from fitroom.garments.silhouette import Point, Silhouette


def neck_points(sil: Silhouette, body_width: float) -> tuple[Point, Point, Point]:
    """neck_center, neck_left (image right), neck_right (image left).

    A neck side is where the neckline meets the shoulder line: the point of the top edge that
    rises highest above the chord from the centre line to half a body width out, or the side's
    highest point when that stands clearly above it.
    """
    cx = round(sil.center_x)

    def side(outward: int) -> Point:
        reach = np.arange(0, int(0.5 * body_width) + 1)
        cols = np.clip(cx + outward * reach, sil.x0, sil.x1 - 1)
        # Stop before columns whose top drops below the shoulders (past a strap's end).
        low = np.flatnonzero(sil.top[cols] > sil.y0 + 0.2 * sil.height)
        far = int(cols[low[0] - 1] if low.size and low[0] > 0 else cols[-1])
        xs = np.arange(min(cx, far), max(cx, far) + 1)
        if xs.size < 3:
            return float(cx), float(sil.top[cx]), 0.2
        tops = sil.top[xs].astype(np.float32)
        t0, t1 = float(sil.top[cx]), float(sil.top[far])
        chord = t0 + (t1 - t0) * (xs - cx) / float(far - cx)
        i = int(np.argmax(chord - tops))
        # A collar standing clearly above a long convex shoulder curve (a cardigan whose
        # sleeves widen the body) is the neck side, not the middle of that curve.
        j = int(np.argmin(tops))
        if tops[i] - tops[j] > 0.03 * sil.height:
            i = j
        return float(xs[i]), float(tops[i]), 0.8

    right, left = side(-1), side(1)
    mid = round((right[0] + left[0]) / 2)
    center = (float(mid), float(sil.top[mid]), 0.8)
    return center, left, right


def collar_base(sil: Silhouette, neck: Point, outward: int, body_width: float) -> Point:
    """The neck side of a collared garment: where the collar's outer edge meets the shoulder line.

    Walking out from the centre along the top edge, a collar standing above the shoulders ends
    in a steep drop (steeper than 45°) within 30 % of a body width; the neck side is the foot of
    that drop, the corner where the edge turns into the gentler shoulder line. ``neck`` (the
    top edge's highest point beside the opening, on the collar) is kept when there is no such
    drop (a crew or V neck rises to its neck points from the opening instead).
    """
    cx = sil.center_x
    k = 3
    dists = np.arange(0, int(0.45 * body_width) + k + 1)
    xs = np.clip(np.round(cx + outward * dists).astype(int), sil.x0, sil.x1 - 1)
    tops = sil.top[xs].astype(np.float32)
    slope = (tops[k:] - tops[:-k]) / k
    steep = np.flatnonzero(slope[: int(0.3 * body_width)] > 1.0)
    if steep.size == 0:
        return neck
    start = int(steep[0])
    # The foot: the corner furthest below the chord from the drop's start to the shoulder line
    # 15 % of a body width further out.
    end = min(tops.size - 1, start + int(0.15 * body_width))
    if end - start < 3:
        return neck
    seg = np.arange(start, end + 1)
    chord = tops[start] + (tops[end] - tops[start]) * (seg - start) / float(end - start)
    foot = int(seg[np.argmax(tops[seg] - chord)])
    tol = max(2.0, 0.015 * sil.height)
    drop = float(tops[foot] - tops[start])
    # A strap's outer edge drops into the armhole, much deeper than a collar stands.
    if not tol <= drop <= 0.08 * sil.height or foot > 0.35 * body_width:
        return neck
    if neck[1] > tops[foot] - tol:
        return neck
    return float(xs[foot]), float(tops[foot]), 0.7


def flat_top(sil: Silhouette, shoulder_right_x: float, shoulder_left_x: float) -> bool:
    """Whether the top edge shows no neck opening: level (within 1 % of the height) with the
    centre over at least 3/4 of the shoulder span, and the centre not 1 % below its highest
    point (a ghost-mannequin shot's back neck, a flat yoke). A collar standing above the
    shoulders, or a wide boat neck, drops away before 3/4 of the span or dips at the centre."""
    cx = round(sil.center_x)
    lo, hi = (
        round(min(shoulder_right_x, shoulder_left_x)),
        round(max(shoulder_right_x, shoulder_left_x)),
    )
    span = hi - lo
    if span < 3 or not lo <= cx <= hi:
        return False
    top = sil.top[lo : hi + 1].astype(np.float32)
    centre = float(sil.top[cx])
    if centre - float(top.min()) >= 0.01 * sil.height:
        return False
    level = top <= centre + 0.01 * sil.height
    i = cx - lo
    a = i - (int(np.argmin(level[i::-1])) if not level[i::-1].all() else i + 1) + 1
    b = i + (int(np.argmin(level[i:])) if not level[i:].all() else len(level) - i) - 1
    return (b - a) >= 0.75 * span


#: Neck opening width over the shoulder span, about 0.4 on the annotated tops and dresses
#: (0.30–0.52, boat necks and off-shoulder tops wider).
_NECK_SHARE = 0.4


def neck_from_shoulders(sil: Silhouette, right: Point, left: Point) -> tuple[Point, Point, Point]:
    """neck_center, neck_left, neck_right placed by proportion when the outline has no neck cue:
    centred between the shoulders, the opening a fixed share of their span, on the top edge."""
    mid = (right[0] + left[0]) / 2
    half = 0.5 * _NECK_SHARE * abs(left[0] - right[0])

    def on_top(x: float) -> Point:
        xi = int(np.clip(round(x), sil.x0, sil.x1 - 1))
        return float(xi), float(sil.top[xi]), 0.4

    return on_top(mid), on_top(mid + half), on_top(mid - half)


__all__ = ["collar_base", "flat_top", "neck_from_shoulders", "neck_points"]
