"""Long sleeves hanging down beside the body: where each one ends and where it parts from the body.

A product photo of a long-sleeved top usually shows the sleeves hanging straight down, lying
against the body or a little apart from it. The outline then has no armpit concavity of its own:
the background between sleeve and body is a slit open at the bottom, a hole, or nothing at all
above the cuffs (a sleeve longer than the body shows only below the hem). Rows are read one by
one: a row whose outermost garment run on one side is separate from the body's run (or, below the
body's hem, from the centre) and narrow as a sleeve shows that sleeve apart from the body. From
those rows come the cuff (the sleeve's lowest end), the sleeve's width, and the highest row where
background shows between sleeve and body (the armpit is there or higher). Above that row the
sleeve's inner edge is taken as its outer edge moved in by its width.

All values are in analysis pixels of the :class:`~fitroom.garments.silhouette.Silhouette`.
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from fitroom.garments.silhouette import Point, Silhouette

FloatArray = npt.NDArray[np.float32]

#: A sleeve is at most this share of the body's width across.
_SLEEVE_WIDTH_SHARE = 0.5
#: Separate rows must cover at least this share of the garment's height to count as a sleeve.
_MIN_ROWS_SHARE = 0.05
#: A hanging sleeve ends below this share of the garment's height.
_MIN_CUFF_SHARE = 0.65
#: A sleeve's inner edge lies at least this share of the body's width out from the centre.
_MIN_INNER_OFFSET_SHARE = 0.25
#: Largest step of the side edge between rows above a hanging sleeve, over the body's width.
_MAX_EDGE_STEP_SHARE = 0.06
#: Longest break (share of the height) between rows of one sleeve seen apart from the body.
_MAX_BREAK_SHARE = 0.12


@dataclass(frozen=True)
class HangingSleeve:
    """One sleeve hanging beside the body.

    Attributes:
        outward: -1 for the image-left (wearer's right) sleeve, +1 for the other.
        cuff_outer, cuff_inner: the sleeve end's corners, outer on the garment's side edge.
        gap_top: (x, y) of the highest row where background shows between sleeve and body.
        width: the sleeve's width across, measured where it hangs apart.
        rows: int32 (k,) rows where the sleeve shows apart from the body, ascending.
        inner: float32 (k,) the sleeve's inner edge x on those rows.
    """

    outward: int
    cuff_outer: Point
    cuff_inner: Point
    gap_top: tuple[float, float]
    width: float
    rows: npt.NDArray[np.int32]
    inner: FloatArray

    def __post_init__(self) -> None:
        if self.rows.shape != self.inner.shape or self.rows.ndim != 1 or self.rows.size == 0:
            raise ValueError(
                f"rows and inner must be equal non-empty (k,) arrays, got "
                f"{self.rows.shape} and {self.inner.shape}"
            )


def outer_edge_x(sil: Silhouette, y: float, outward: int) -> float:
    """The garment's outermost column on row ``y`` on one side (the centre when empty)."""
    row = sil.mask[min(max(round(y), 0), sil.mask.shape[0] - 1)]
    cols = np.flatnonzero(row)
    if cols.size == 0:
        return sil.center_x
    return float(cols[-1] if outward > 0 else cols[0])


def _outer_edges(sil: Silhouette, outward: int) -> FloatArray:
    """float32 (h,) :func:`outer_edge_x` of every row."""
    mask = sil.mask
    edge = mask.shape[1] - 1 - mask[:, ::-1].argmax(axis=1) if outward > 0 else mask.argmax(axis=1)
    return np.where(mask.any(axis=1), edge, sil.center_x).astype(np.float32)


def _row_runs(mask: npt.NDArray[np.bool_]) -> list[list[tuple[int, int]]]:
    """Every row's garment runs as (left, right) inclusive, found in one pass."""
    h, w = mask.shape
    padded = np.zeros((h, w + 2), np.int8)
    padded[:, 1:-1] = mask
    step = np.diff(padded, axis=1)
    sy, sx = np.nonzero(step == 1)
    _, ex = np.nonzero(step == -1)
    runs: list[list[tuple[int, int]]] = [[] for _ in range(h)]
    for y, a, b in zip(sy.tolist(), sx.tolist(), (ex - 1).tolist(), strict=True):
        runs[y].append((a, b))
    return runs


def find_hanging_sleeve(sil: Silhouette, outward: int, body_width: float) -> HangingSleeve | None:
    """The sleeve on side ``outward`` when it hangs apart from the body on some rows, else None.

    Only rows below the top 15 % are read (a collar or a strap's end is not a sleeve).
    """
    cx = sil.center_x
    h = sil.height
    body_bottom = int(sil.bottom[round(cx)])
    rows: list[int] = []
    runs: list[tuple[int, int]] = []
    gap_rows: list[tuple[int, float]] = []
    all_runs = _row_runs(sil.mask)
    for y in range(int(sil.y0 + 0.15 * h), sil.y1):
        row_runs = all_runs[y]
        if len(row_runs) < 2:
            continue
        body = next((r for r in row_runs if r[0] <= cx <= r[1]), None)
        if body is None and y <= body_bottom:
            continue
        if outward > 0:
            limit = body[1] if body is not None else cx
            side = [r for r in row_runs if r[0] > limit]
        else:
            limit = body[0] if body is not None else cx
            side = [r for r in row_runs if r[1] < limit]
        if not side:
            continue
        sleeve = side[-1] if outward > 0 else side[0]
        if not 0.08 * body_width <= sleeve[1] - sleeve[0] + 1 <= _SLEEVE_WIDTH_SHARE * body_width:
            continue
        rows.append(y)
        runs.append(sleeve)
        if body is not None:
            near = sleeve[0] if outward > 0 else sleeve[1]
            far = body[1] if outward > 0 else body[0]
            gap_rows.append((y, (near + far) / 2.0))
    # The sleeve is the longest stretch of such rows (short breaks where it touches the body
    # allowed); stray rows elsewhere (a notch, a pocket flap, a frayed hem) are not.
    if not rows:
        return None
    breaks = [
        0,
        *(i for i in range(1, len(rows)) if rows[i] - rows[i - 1] > max(2, _MAX_BREAK_SHARE * h)),
        len(rows),
    ]
    a, b = max(itertools.pairwise(breaks), key=lambda ab: ab[1] - ab[0])
    rows, runs = rows[a:b], runs[a:b]
    gap_rows = [g for g in gap_rows if rows[0] <= g[0] <= rows[-1]]
    if len(rows) < max(3, _MIN_ROWS_SHARE * h):
        return None
    row_arr = np.array(rows, np.int32)
    inner = np.array([r[0] if outward > 0 else r[1] for r in runs], np.float32)
    if float(np.median((inner - cx) * outward)) < _MIN_INNER_OFFSET_SHARE * body_width:
        return None  # two panels parted at the centre (a slit, a wrap's front), not sleeves
    widths = np.array([r[1] - r[0] + 1 for r in runs], np.float32)
    # A sleeve runs down from the shoulder: above where it is seen apart, the garment's side edge
    # goes on without a step (a tie or a flap hanging from the waist starts below a step in).
    edge = _outer_edges(sil, outward)[int(sil.y0 + 0.25 * h) : int(row_arr[0]) + 1]
    if edge.size > 1 and float(np.abs(np.diff(edge)).max()) > _MAX_EDGE_STEP_SHARE * body_width:
        return None
    # Width where the sleeve first parts from the body (its upper arm), from the top rows seen.
    width = float(np.median(widths[: max(3, len(widths) // 4)]))
    # The cuff: the sleeve's lowest columns, read on a row a little above its end.
    lowest = int(row_arr[-1])
    probe = int(row_arr[np.searchsorted(row_arr, lowest - max(2, int(0.02 * h)))])
    run = runs[rows.index(probe)]
    cols = np.arange(run[0], run[1] + 1)
    # Each column's end is where its garment run from the probe row ends (the body may
    # continue lower in the same column, further down).
    below = sil.mask[probe:, run[0] : run[1] + 1]
    ends = np.where(below.all(axis=0), below.shape[0], np.argmin(below, axis=0))
    bottoms = (probe + ends - 1).astype(np.float32)
    offset = (cols - cx) * outward
    i_out = int(np.argmax(offset + (bottoms - probe)))
    i_in = int(np.argmax(-offset + (bottoms - probe)))
    if float(bottoms.max()) < sil.y0 + _MIN_CUFF_SHARE * h:
        return None  # a short sleeve's underside parted from the body, not a hanging one
    cuff_outer = (float(cols[i_out]), float(bottoms[i_out]), 0.7)
    cuff_inner = (float(cols[i_in]), float(bottoms[i_in]), 0.7)
    if gap_rows:
        gap_top = (gap_rows[0][1], float(gap_rows[0][0]))
    else:
        # Apart only below the body's hem: the background starts there.
        gap_top = (float(inner[0]), float(rows[0]))
    return HangingSleeve(outward, cuff_outer, cuff_inner, gap_top, width, row_arr, inner)


def inner_line(sil: Silhouette, sleeve: HangingSleeve) -> FloatArray:
    """float32 (h,) the sleeve's inner edge (its boundary with the body) on every row: where it
    is seen, the edge itself; below its end, the end's; elsewhere the outer edge moved in by
    the sleeve's width."""
    line = _outer_edges(sil, sleeve.outward) - np.float32(sleeve.outward * sleeve.width)
    line[sleeve.rows] = sleeve.inner
    line[int(sleeve.rows[-1]) + 1 :] = sleeve.inner[-1]
    return line


def inner_line_x(sil: Silhouette, sleeve: HangingSleeve, y: float) -> float:
    """:func:`inner_line` on row ``y``."""
    return float(inner_line(sil, sleeve)[min(max(round(y), 0), sil.mask.shape[0] - 1)])


__all__ = ["HangingSleeve", "find_hanging_sleeve", "inner_line", "inner_line_x", "outer_edge_x"]
