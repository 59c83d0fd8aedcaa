"""A top's hem laid on the old top's hem when the two nearly meet.

A top fitted from a few landmarks ends where its product photo's proportions say, which is often
a little above the hem of what the person wears (the photo's light, the pose and how the fabric
hangs change the length). The strip of old top between the two hems would be repainted as a band
of skin across the belly that no photo of the person in the new top shows. When the old top ends
at most :data:`HEM_STRETCH` of the panel's height below the new hem, the panel's lower part is
stretched so its hem (ribbing, curve and print kept) lies where the old one did; a top shorter
than that (a crop top over a long tee) keeps its own length.

Over trousers or a skirt of about the top's colour (a khaki jacket over khaki trousers, dark
denim over black jeans) no waistband and no old hem show in the colour tests; the row where the
old top ends over them (:func:`~fitroom.dressing.waistband.top_edge_row`) does. A panel ending
below that row is shortened to it (:func:`meet_top_edge`), by at most :data:`HEM_TO_EDGE` of
its height: a top fitted from its product photo's proportions came out 10–15 % too long, over
the trousers. (Lengthened to it as well, the cross pairs' lower-body change grew: an edge read
too low drew the top over the trousers.)

Masks float32 (H, W) in [0, 1]; layers as :class:`~fitroom.fitting.fitted.FittedLayer`.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace

import cv2
import numpy as np
import numpy.typing as npt

from fitroom.fitting.fitted import FittedGarment, FittedLayer
from fitroom.vision.core import BodyPart, BodyParts

FloatArray = npt.NDArray[np.float32]

#: The most a torso panel is lengthened to meet the old hem, as a share of its height.
HEM_STRETCH = 0.2
#: The share of the panel's height, from its top, that is never stretched (neckline, chest and
#: armholes keep their shape; the stretch is taken by the belly).
HEM_PIVOT = 0.45
#: Columns of the new hem whose old hem is read: its middle share (at the sides an arm hanging
#: beside the body, or a hand in a pocket, blurs where the old top ends).
HEM_MIDDLE = 0.6


#: The most a torso panel is shortened to end where the old top did over the trousers
#: (:func:`meet_top_edge`), as a share of its height.
HEM_TO_EDGE = 0.2
#: How far the new hem reaches over the old top's edge, as a share of the shoulder-seam distance
#: (so no sliver of the old hem shows above the trousers).
EDGE_OVERLAP = 0.01
#: The most the trousers' waistband line is raised to the old top's edge for a new top tucked
#: in there (:func:`waistband_at_top_edge`), as a share of the shoulder-seam distance.
LINE_TO_EDGE = 0.1
#: The weakest colour step taken for the old top's edge when a new top's hem is laid on it
#: (:func:`~fitroom.dressing.core.hems_at_top_edge`, :func:`waistband_at_top_edge`; ΔE76, see
#: :func:`~fitroom.dressing.waistband.top_edge_row`, whose default is for trousers alone). A
#: black sweatshirt over dark blue jeans steps by 3 to 4 (true pair 00012_00: found at row 725,
#: the photo's hem at 726; not found, the new top ran on 80 rows over the jeans); how far a hem
#: moves stays bounded (:data:`HEM_TO_EDGE`, :data:`LINE_TO_EDGE`).
TOP_HEM_STEP = 3.0


def panel_hem_row(panel: FittedLayer) -> float | None:
    """The panel's hem: the median over its middle columns (:data:`HEM_MIDDLE`) of the lowest
    opaque row (frame rows); None when the panel has fewer than four opaque columns."""
    y0 = panel.box[1]
    alpha = panel.rgba[..., 3] > 0.5
    cols = np.flatnonzero(alpha.any(axis=0))
    if cols.size < 4:
        return None
    lowest = y0 + alpha.shape[0] - 1 - np.argmax(alpha[::-1, :], axis=0)
    trim = round(0.5 * (1.0 - HEM_MIDDLE) * cols.size)
    return float(np.median(lowest[cols[trim : cols.size - trim]]))


def old_hem_gap(panel: FittedLayer, old_top: FloatArray, parts: BodyParts) -> float:
    """How many rows below the panel's hem the old top ends (median over the middle columns of
    the hem; 0 when it ends above or the photo does not say).

    Args:
        panel: the new top's torso layer.
        old_top: float32 (H, W): the old top's mask (on the torso label only it counts).
        parts: the person's body-part map.
    """
    x0, y0, x1, _ = panel.box
    alpha = panel.rgba[..., 3] > 0.5
    cols = np.flatnonzero(alpha.any(axis=0))
    if cols.size < 4:
        return 0.0
    # The panel's own hem: its lowest opaque row in each column (frame rows).
    new_hem = y0 + alpha.shape[0] - 1 - np.argmax(alpha[::-1, :], axis=0)
    trim = round(0.5 * (1.0 - HEM_MIDDLE) * cols.size)
    middle = cols[trim : cols.size - trim]
    old = (old_top[:, x0:x1] > 0.5) & (parts.labels[:, x0:x1] == int(BodyPart.TORSO))
    gaps = []
    for c in middle:
        rows = np.flatnonzero(old[:, c])
        hem = int(new_hem[c])
        # Only old fabric that goes on from the new hem downwards counts (not a belt below).
        if rows.size == 0 or not old[min(hem, old.shape[0] - 1), c]:
            gaps.append(0.0)
            continue
        run = rows[rows >= hem]
        # The contiguous run below the new hem.
        breaks = np.flatnonzero(np.diff(run) > 1)
        end = int(run[breaks[0]]) if breaks.size else int(run[-1]) if run.size else hem
        gaps.append(float(end - hem))
    return float(np.median(gaps)) if gaps else 0.0


def stretch_to_hem(panel: FittedLayer, rows: int, height: int) -> FittedLayer:
    """The panel with its part below :data:`HEM_PIVOT` lengthened by ``rows`` (its box grows
    down; not past ``height``, the frame's), or shortened when ``rows`` is negative (by at
    most that part's height less one row)."""
    x0, y0, x1, y1 = panel.box
    rows = min(rows, height - y1)
    pivot = round(HEM_PIVOT * (y1 - y0))
    rows = max(rows, 1 - (y1 - y0 - pivot))
    if rows == 0:
        return panel
    lower = panel.rgba[pivot:]
    # (Shrunk with the area filter: no moiré on a fine print.)
    longer = cv2.resize(
        lower,
        (x1 - x0, lower.shape[0] + rows),
        interpolation=cv2.INTER_LINEAR if rows > 0 else cv2.INTER_AREA,
    ).astype(np.float32)
    rgba = np.ascontiguousarray(np.concatenate([panel.rgba[:pivot], longer], axis=0))
    return FittedLayer(panel.part, (x0, y0, x1, y1 + rows), rgba)


def _panel_resized(
    fitted: FittedGarment, rows_of: Callable[[FittedLayer], int | None], height: int
) -> FittedGarment:
    """``fitted`` with its torso panel lengthened by ``rows_of(panel)`` rows (shortened when
    negative; see :func:`stretch_to_hem`), or unchanged when that says None or there is no
    panel (a lower garment, a garment without a torso panel)."""
    if fitted.region != "upper":
        return fitted
    for i, layer in enumerate(fitted.layers):
        if layer.part != "torso":
            continue
        rows = rows_of(layer)
        if rows is None:
            return fitted
        layers = list(fitted.layers)
        layers[i] = stretch_to_hem(layer, rows, height)
        # (Everything else kept: a panel that leaves out its own neck opening still does.)
        return replace(fitted, layers=tuple(layers))
    return fitted


def meet_old_hem(fitted: FittedGarment, old_top: FloatArray, parts: BodyParts) -> FittedGarment:
    """``fitted`` with its torso panel lengthened to the old top's hem when that lies at most
    :data:`HEM_STRETCH` of the panel's height below its own (see the module docstring);
    unchanged otherwise (a lower garment, no torso panel, an old top ending higher)."""

    def rows_of(panel: FittedLayer) -> int | None:
        gap = old_hem_gap(panel, old_top, parts)
        if gap < 2.0 or gap > HEM_STRETCH * (panel.box[3] - panel.box[1]):
            return None
        return round(gap)

    return _panel_resized(fitted, rows_of, old_top.shape[0])


def meet_top_edge(
    fitted: FittedGarment, edge_row: float, overlap: float, height: int
) -> FittedGarment:
    """``fitted`` with its torso panel's hem (:func:`panel_hem_row`) raised to ``overlap``
    rows below ``edge_row``, the row where the old top ends over the trousers (see the module
    docstring), when that shortens it by at most :data:`HEM_TO_EDGE` of the panel's height;
    unchanged otherwise (a lower garment, no torso panel, a hem above the edge, an edge
    further up: a long top keeps its length over a cropped one).

    Args:
        fitted: the fitted garment.
        edge_row: frame row of the old top's edge.
        overlap: rows the new hem reaches over it.
        height: the frame's height (the panel does not grow past it).
    """

    def rows_of(panel: FittedLayer) -> int | None:
        hem = panel_hem_row(panel)
        if hem is None:
            return None
        rows = round(edge_row + overlap - hem)
        if rows >= 0 or -rows > HEM_TO_EDGE * (panel.box[3] - panel.box[1]):
            return None
        return rows

    return _panel_resized(fitted, rows_of, height)


def waistband_at_top_edge(line: FloatArray, edge_row: float, reach: float) -> FloatArray:
    """The trousers' waistband line (:func:`~fitroom.dressing.waistband.waistband_line`)
    raised to ``edge_row``, the row where the old top ends over them, when its median lies
    below that by less than ``reach`` rows; else ``line`` itself.

    A new top is tucked in a touch below the waistband line, read as the top of the trousers'
    colour. Over a top hanging on the trousers the first rows of that colour lie a few rows
    under the top's edge (its hem's shadow and curve in between): tucked there, the new top
    ended 10 to 30 rows below the photo's on the true pairs (00006_00, 00017_00). The line
    keeps its shape (moved up whole).

    >>> waistband_at_top_edge(np.array([100.0, 104.0], np.float32), 90.0, 30.0)
    array([88., 92.], dtype=float32)
    >>> waistband_at_top_edge(np.array([150.0], np.float32), 90.0, 30.0)
    array([150.], dtype=float32)
    """
    rise = float(np.median(line)) - edge_row
    if not 0.0 < rise < reach:
        return line
    return (line - np.float32(rise)).astype(np.float32)


__all__ = [
    "EDGE_OVERLAP",
    "HEM_MIDDLE",
    "HEM_PIVOT",
    "HEM_STRETCH",
    "HEM_TO_EDGE",
    "LINE_TO_EDGE",
    "TOP_HEM_STEP",
    "meet_old_hem",
    "meet_top_edge",
    "old_hem_gap",
    "panel_hem_row",
    "stretch_to_hem",
    "waistband_at_top_edge",
]
