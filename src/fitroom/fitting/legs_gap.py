"""Where a person's legs part, and new trousers' or shorts' legs closed above it.

A lower garment fitted from a few landmarks parts its legs at its own crotch, a little below
the hips; but where the person's legs stand together, what they wear covers both legs as one
down to where the legs part (on the shared true pairs of shorts 0.37-0.64 of the thigh below the
hips), and a gap of painted background opened between the new legs that the photo does not
show. :func:`legs_part_row` reads that row from the person mask; :func:`close_legs_gap` closes
the new legs' gap above it in the fitted layer.
"""

from __future__ import annotations

import cv2
import numpy as np
import numpy.typing as npt

from fitroom.fitting.anchors import BodyAnchors

FloatArray = npt.NDArray[np.float32]


#: How much of the person's outline must be missing near the midline between the legs, in
#: pixels, for a row to show the gap between them (see :func:`legs_part_row`).
LEGS_GAP_PIXELS = 2
#: The share of the rows below that must show the gap too (a stray hole is not the gap).
LEGS_GAP_RUN = 0.8
#: The lowest the legs are taken to part, as a share of the hip-to-knee length below the hips:
#: lower down, a dress, a skirt or a long coat hides the legs (on the shared photos the legs
#: part 0.37-0.64 of the thigh below the hips in trousers and shorts, 0.97 under a dress).
LEGS_PART_LOWEST = 0.75


def legs_part_row(person: FloatArray, anchors: BodyAnchors) -> float | None:
    """The row below which the person's legs stand apart: the first row between the hip joints
    and the knees from which the photo's background shows between the legs (near the line from
    the hips' middle to the knees', on :data:`LEGS_GAP_RUN` of the rows of the next twentieth
    of the thigh); None when it shows nowhere above :data:`LEGS_PART_LOWEST` (legs together, a
    dress, a skirt or a long coat). Above that row what the person wears covers both legs as
    one: new trousers or shorts show no gap there either (see :func:`close_legs_gap`).

    Args:
        person: float32 (H, W) person mask in [0, 1].
        anchors: the person's body anchors.

    >>> pts = lambda a, b: np.array([a, b], np.float32)
    >>> anchors = BodyAnchors(pts((60, 20), (40, 20)), pts((60, 20), (40, 20)),
    ...     pts((62, 40), (38, 40)), pts((62, 50), (38, 50)), pts((58, 60), (42, 60)),
    ...     pts((58, 100), (42, 100)), pts((58, 140), (42, 140)),
    ...     np.zeros((0, 3), np.float32), np.ones((2, 6), np.float32), (100, 160))
    >>> m = np.zeros((160, 100), np.float32); m[20:150, 35:65] = 1.0; m[80:, 48:52] = 0.0
    >>> legs_part_row(m, anchors)
    80.0
    """
    h, w = person.shape
    hip = anchors.hips.astype(np.float64).mean(axis=0)
    knee = anchors.knees.astype(np.float64).mean(axis=0)
    span = abs(float(anchors.hips[0, 0] - anchors.hips[1, 0]))
    y0, y1 = max(0, int(np.ceil(hip[1]))), min(h, int(knee[1]))
    if y1 - y0 < 4:
        return None
    reach = max(2, round(0.25 * span))
    gap = np.zeros(y1 - y0, bool)
    for i, y in enumerate(range(y0, y1)):
        t = (y - hip[1]) / max(1e-6, knee[1] - hip[1])
        x = round(float(hip[0] + t * (knee[0] - hip[0])))
        seg = person[y, max(0, x - reach) : min(w, x + reach + 1)]
        gap[i] = int(np.count_nonzero(seg < 0.5)) >= LEGS_GAP_PIXELS
    run = max(1, round(0.05 * float(np.hypot(*(knee - hip)))))
    lowest = float(hip[1]) + LEGS_PART_LOWEST * float(np.hypot(*(knee - hip)))
    for start in np.nonzero(gap)[0].tolist():
        if y0 + start > lowest:
            break
        if float(gap[start : start + run].mean()) >= LEGS_GAP_RUN:
            return float(y0 + start)
    return None


#: Below the row where the person's legs part, the new legs' gap opens over this share of the
#: height from the garment's crotch to that row (the photo's own gap has a pointed top).
LEGS_GAP_OPENING = 0.3


def close_legs_gap(
    rgba: FloatArray, crotch_x: float, crotch_row: float, legs_part: float
) -> FloatArray:
    """A fitted lower garment's layer with the gap between its legs closed above ``legs_part``
    (see :func:`legs_part_row`): float32 (h, w, 4) premultiplied, in the layer's own pixels.

    Its legs part at the garment's own crotch (``crotch_row``), but where the person's legs
    stand together, what they wear covers both legs as one down to where they part, and the
    new garment must too (else a wedge of painted background opens between the legs that the
    photo does not show). Row by row, each leg's piece is stretched across to the gap's middle
    (its outer edge stays), the gap closed above ``legs_part`` and opening to its own width
    over :data:`LEGS_GAP_OPENING` of the height below. ``crotch_x``: a column inside the gap.

    >>> layer = np.zeros((30, 30, 4), np.float32); layer[:, 2:28] = (90, 90, 90, 1)
    >>> layer[10:, 13:17] = 0.0
    >>> out = close_legs_gap(layer, 15.0, 10.0, 20.0)
    >>> float(out[15, 15, 3]), float(out[29, 15, 3]), float(out[15, 27, 3])
    (1.0, 0.0, 1.0)
    """
    h, w = rgba.shape[:2]
    below = LEGS_GAP_OPENING * max(0.0, legs_part - crotch_row)
    y0, y1 = max(0, int(np.floor(crotch_row))), min(h, int(np.ceil(legs_part + below)))
    if y1 <= y0 or below <= 0.0:
        return rgba
    covered = rgba[y0:y1, :, 3] > 0.5
    xs = np.arange(w, dtype=np.float32)
    map_x = np.tile(xs, (y1 - y0, 1))
    cx = int(np.clip(round(crotch_x), 0, w - 1))
    changed = False
    for i in range(y1 - y0):
        row = covered[i]
        if row[cx] or not row[:cx].any() or not row[cx:].any():
            continue
        # The gap: the uncovered run round the crotch's column, between the two legs.
        gl = int(cx - np.argmax(row[cx::-1]) + 1)
        gr = int(cx + np.argmax(row[cx:]) - 1)
        lo, hi = int(np.argmax(row)), int(w - 1 - np.argmax(row[::-1]))
        y = y0 + i
        open_share = float(np.clip((y - legs_part) / below, 0.0, 1.0))
        half = 0.5 * (gr - gl + 1) * open_share
        # (Pixel centres: the left piece ends at gl - 1, the right one starts at gr + 1.)
        mid = 0.5 * (gl + gr)
        left_end, right_start = mid - half - 0.5, mid + half + 0.5
        if left_end <= lo + 1 or right_start >= hi - 1:
            continue
        # Destination column → source column, linear on each side (outer edges fixed).
        left = (xs >= lo) & (xs < mid - half)
        map_x[i, left] = np.minimum(lo + (xs[left] - lo) * (gl - 1 - lo) / (left_end - lo), gl - 1)
        right = (xs >= mid + half) & (xs <= hi)
        map_x[i, right] = np.maximum(
            hi - (hi - xs[right]) * (hi - gr - 1) / (hi - right_start), gr + 1
        )
        changed = True
    if not changed:
        return rgba
    map_y = np.repeat(np.arange(y0, y1, dtype=np.float32)[:, None], w, axis=1)
    out = rgba.copy()
    out[y0:y1] = cv2.remap(
        rgba, map_x, map_y, cv2.INTER_LINEAR, borderMode=cv2.BORDER_CONSTANT, borderValue=0
    )
    return out


__all__ = [
    "LEGS_GAP_OPENING",
    "LEGS_GAP_PIXELS",
    "LEGS_GAP_RUN",
    "LEGS_PART_LOWEST",
    "close_legs_gap",
    "legs_part_row",
]
