"""Measurements of a garment's outline that category, landmarks and parts share.

Everything works on a binary mask at analysis resolution (long side ``ANALYSIS_SIDE``); callers
scale the results back to photo pixels.
"""

from __future__ import annotations

from dataclasses import dataclass

import cv2
import numpy as np
import numpy.typing as npt

from fitroom.errors import GarmentNotFound

BoolArray = npt.NDArray[np.bool_]
IntArray = npt.NDArray[np.int32]
FloatArray = npt.NDArray[np.float32]
Point = tuple[float, float, float]  # x, y, confidence (analysis pixels)

#: Long side of the mask the outline is measured on (pixels).
ANALYSIS_SIDE = 400


@dataclass(frozen=True)
class Silhouette:
    """A garment outline at analysis resolution.

    Attributes:
        mask: bool (h, w) the garment.
        scale: analysis pixels per photo pixel.
        x0, y0, x1, y1: bounding box (inclusive-exclusive) in analysis pixels.
        top: int32 (w,) first garment row of each column (h where the column is empty).
        bottom: int32 (w,) last garment row of each column (-1 where empty).
        center_x: horizontal centre of the body (of the torso or waistband run).
        contour: int32 (n, 2) outer contour points (x, y).
    """

    mask: BoolArray
    scale: float
    x0: int
    y0: int
    x1: int
    y1: int
    top: IntArray
    bottom: IntArray
    center_x: float
    contour: IntArray

    @property
    def width(self) -> int:
        return self.x1 - self.x0

    @property
    def height(self) -> int:
        return self.y1 - self.y0

    def run_at(self, y: int, x: float) -> tuple[int, int] | None:
        """The horizontal garment run of row ``y`` containing (or nearest to) column ``x``.

        Returns (left, right) inclusive, or None when the row is empty.
        """
        y = int(np.clip(y, 0, self.mask.shape[0] - 1))
        row = self.mask[y]
        cols = np.flatnonzero(row)
        if cols.size == 0:
            return None
        breaks = np.flatnonzero(np.diff(cols) > 1)
        starts = np.concatenate([[cols[0]], cols[breaks + 1]])
        ends = np.concatenate([cols[breaks], [cols[-1]]])
        inside = (starts <= x) & (ends >= x)
        if inside.any():
            i = int(np.flatnonzero(inside)[0])
        else:
            i = int(np.argmin(np.minimum(np.abs(starts - x), np.abs(ends - x))))
        return int(starts[i]), int(ends[i])

    def runs(self, y: int) -> list[tuple[int, int]]:
        """All garment runs of row ``y`` as (left, right) inclusive."""
        cols = np.flatnonzero(self.mask[int(np.clip(y, 0, self.mask.shape[0] - 1))])
        if cols.size == 0:
            return []
        breaks = np.flatnonzero(np.diff(cols) > 1)
        starts = np.concatenate([[cols[0]], cols[breaks + 1]])
        ends = np.concatenate([cols[breaks], [cols[-1]]])
        return [(int(s), int(e)) for s, e in zip(starts, ends, strict=True)]


def silhouette(mask: BoolArray) -> Silhouette:
    """Measure a garment mask (bool (H, W) at photo resolution).

    Raises:
        GarmentNotFound: the mask is empty.
    """
    h, w = mask.shape
    scale = min(1.0, ANALYSIS_SIDE / max(h, w))
    if scale < 1.0:
        size = (max(1, round(w * scale)), max(1, round(h * scale)))
        small = cv2.resize(mask.astype(np.float32), size, interpolation=cv2.INTER_AREA) >= 0.5
    else:
        small = mask.copy()
    if not small.any():
        raise GarmentNotFound("the garment mask is empty; nothing to measure")
    # Keep the largest component only: measurements assume one outline.
    count, labels, stats, _ = cv2.connectedComponentsWithStats(
        small.astype(np.uint8), connectivity=8
    )
    if count > 2:
        biggest = 1 + int(np.argmax(stats[1:, cv2.CC_STAT_AREA]))
        small = labels == biggest
    ys, xs = np.nonzero(small)
    x0, x1, y0, y1 = int(xs.min()), int(xs.max()) + 1, int(ys.min()), int(ys.max()) + 1
    hh = small.shape[0]
    any_col = small.any(axis=0)
    top = np.where(any_col, small.argmax(axis=0), hh).astype(np.int32)
    bottom = np.where(any_col, hh - 1 - small[::-1].argmax(axis=0), -1).astype(np.int32)
    contours, _ = cv2.findContours(small.astype(np.uint8), cv2.RETR_EXTERNAL, cv2.CHAIN_APPROX_NONE)
    contour = max(contours, key=cv2.contourArea).reshape(-1, 2).astype(np.int32)
    # Body centre: middle of the garment's extent on rows at 55–75 % of the height (below the
    # collar, where sleeves, if any, hang symmetrically and trouser legs are both present).
    mids = []
    for frac in (0.55, 0.6, 0.65, 0.7, 0.75):
        cols = np.flatnonzero(small[y0 + int(frac * (y1 - y0))])
        if cols.size:
            mids.append((cols[0] + cols[-1]) / 2.0)
    center_x = float(np.median(mids)) if mids else (x0 + x1) / 2.0
    return Silhouette(small, scale, x0, y0, x1, y1, top, bottom, float(center_x), contour)


def convexity_defects(sil: Silhouette, min_depth: float) -> list[tuple[int, int, float]]:
    """Concavities of the outline deeper than ``min_depth`` pixels: (x, y, depth) of each."""
    contour = sil.contour
    if len(contour) < 4:
        return []
    hull = cv2.convexHull(contour.reshape(-1, 1, 2), returnPoints=False)
    try:
        defects = cv2.convexityDefects(contour.reshape(-1, 1, 2), hull)
    except cv2.error:
        return []
    if defects is None:
        return []
    out = []
    for _, _, far, depth in defects.reshape(-1, 4):
        d = float(depth) / 256.0
        if d >= min_depth:
            x, y = contour[int(far)]
            out.append((int(x), int(y), d))
    return out


def leg_gap(sil: Silhouette) -> tuple[float, float, float] | None:
    """The background between two legs: (x, y) of its top and its height over the garment's.

    Near the centre, a column that starts at the waistband (within the top 15 %, so a belt loop
    or a curved top edge does not hide it), runs down as one piece of garment and then shows
    background to the bounding box's bottom has the gap below; the highest such background is
    the crotch. The gap must be at least 8 % of the garment's height and narrow a quarter of
    the way down from its top (a leg gap is a wedge; the background under a cropped top's hem
    between two hanging sleeves is as wide as the body). Shorts part their legs for a tenth of
    their height or more, trousers for most of it; the legs' hems need not be level.

    Returns:
        (x, y, gap height / garment height) in analysis pixels, or None.
    """
    mask = sil.mask
    h = sil.height
    half = 0.15 * sil.width
    lo, hi = int(max(sil.x0, sil.center_x - half)), int(min(sil.x1 - 1, sil.center_x + half))
    best: tuple[int, int] | None = None
    for x in range(lo, hi + 1):
        col = mask[sil.y0 : sil.y1, x]
        filled = np.flatnonzero(col)
        if filled.size == 0 or filled[0] > 0.15 * h:
            continue
        first = int(filled[0])
        rest = col[first:]
        if rest.all():
            continue
        end = first + int(np.argmin(rest))  # first background row below the top run
        if col[end:].any():
            continue  # more garment below: a hole or a notch, not a gap between legs
        if best is None or end < best[1]:
            best = (x, end)
    if best is None:
        return None
    x, end = best
    gap = (h - end) / max(1, h)
    if gap < 0.08:
        return None
    probe = sil.y0 + end + int(0.25 * (h - end))
    row = mask[probe]
    left = np.flatnonzero(row[: x + 1])
    right = np.flatnonzero(row[x:])
    if left.size == 0 or right.size == 0:
        return None  # open to one side: background beside the garment, not between legs
    if (x + int(right[0])) - int(left[-1]) > 0.35 * sil.width:
        return None
    return float(x), float(sil.y0 + end), float(gap)


def contour_path(
    sil: Silhouette, start: Point, end: Point, avoid: Point, extend: int = 0
) -> IntArray:
    """The outline from ``start`` to ``end`` (nearest contour points), the way not via ``avoid``,
    continued ``extend`` points past ``end``.

    Returns int32 (k, 2) contour points (x, y) in walking order.
    """
    contour = sil.contour
    n = len(contour)

    def nearest(p: Point) -> int:
        d = (contour[:, 0] - p[0]) ** 2 + (contour[:, 1] - p[1]) ** 2
        return int(np.argmin(d))

    i0, i1, iav = nearest(start), nearest(end), nearest(avoid)
    forward = (i1 - i0) % n
    if (iav - i0) % n < forward:
        idx = (i0 - np.arange((i0 - i1) % n + 1 + extend)) % n
    else:
        idx = (i0 + np.arange(forward + 1 + extend)) % n
    return contour[idx]


def cross2d(a: FloatArray, b: FloatArray) -> FloatArray:
    """z of the 2-D cross product, broadcasting over leading axes."""
    return (a[..., 0] * b[..., 1] - a[..., 1] * b[..., 0]).astype(np.float32)


def polyline_corners(path: IntArray, free: int) -> list[int] | None:
    """Indices of the ``free`` inner vertices of the best-fitting polyline along ``path``.

    The polyline runs from the path's first to its last point through ``free`` path points and
    minimises the summed squared distance of the path to its segments (optimal polygonal
    approximation, by dynamic programming). Segment errors come from prefix sums of the
    coordinates' moments, so all pairs cost O(n²) on the (subsampled) path.
    """
    if len(path) < free + 4:
        return None
    step = max(1, len(path) // 120)
    idx = np.unique(np.append(np.arange(0, len(path), step), len(path) - 1))
    pts = path[idx].astype(np.float64)
    x, y = pts[:, 0], pts[:, 1]
    zero = np.zeros(1)
    sx, sy = np.concatenate([zero, np.cumsum(x)]), np.concatenate([zero, np.cumsum(y)])
    sxx, syy = np.concatenate([zero, np.cumsum(x * x)]), np.concatenate([zero, np.cumsum(y * y)])
    sxy = np.concatenate([zero, np.cumsum(x * y)])
    i, j = np.meshgrid(np.arange(len(pts)), np.arange(len(pts)), indexing="ij")
    dx, dy = x[j] - x[i], y[j] - y[i]
    c = x[i] * dy - y[i] * dx
    count = j - i + 1
    m1x, m1y = sx[j + 1] - sx[i], sy[j + 1] - sy[i]
    m2x, m2y, mxy = sxx[j + 1] - sxx[i], syy[j + 1] - syy[i], sxy[j + 1] - sxy[i]
    err = (
        dy * dy * m2x + dx * dx * m2y - 2 * dx * dy * mxy - 2 * c * (dy * m1x - dx * m1y)
    ) + count * c * c
    err = err / np.maximum(dx * dx + dy * dy, 1e-9)
    err[j <= i] = np.inf
    cost = err[0].copy()
    back = []
    for _ in range(free):
        total = cost[:, None] + err
        back.append(np.argmin(total, axis=0))
        cost = total.min(axis=0)
    last = len(pts) - 1
    if not np.isfinite(cost[last]):
        return None
    chain = [last]
    for b in reversed(back):
        chain.append(int(b[chain[-1]]))
    return [int(idx[k]) for k in reversed(chain[1:])]


def outline_bend(path: IntArray) -> int:
    """Index of the path point furthest outside the chord joining its ends (its corner)."""
    if len(path) < 3:
        return 0
    a, b = path[0].astype(np.float32), path[-1].astype(np.float32)
    chord = b - a
    norm = float(np.hypot(chord[0], chord[1]))
    if norm < 1e-6:
        return len(path) // 2
    dist = np.abs(cross2d(chord, path.astype(np.float32) - a)) / norm
    return int(np.argmax(dist))


__all__ = [
    "ANALYSIS_SIDE",
    "Point",
    "Silhouette",
    "contour_path",
    "convexity_defects",
    "cross2d",
    "leg_gap",
    "outline_bend",
    "polyline_corners",
    "silhouette",
]
