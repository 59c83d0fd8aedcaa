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


__all__ = ["ANALYSIS_SIDE", "Silhouette", "convexity_defects", "leg_gap", "silhouette"]
