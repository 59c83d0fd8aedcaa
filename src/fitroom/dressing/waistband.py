"""Tucking a top in: the waistband of the trousers or skirt the person wears, and where a new
top is cut (tucked) into it or into new trousers; where the person's own top ends over their
trousers (:func:`top_edge_row`), which new trousers, shorts or skirts stay behind.

Masks are float32 (H, W) in [0, 1]; a tuck line is a row (float) or float32 (W,) rows per column.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

import cv2
import numpy as np
import numpy.typing as npt

from fitroom.dressing.composite import TuckLine
from fitroom.dressing.masks import labels_mask, pick
from fitroom.dressing.old_garment import OldGarment, analyse_old_garment
from fitroom.fitting.anchors import BodyAnchors
from fitroom.fitting.fitted import FittedGarment
from fitroom.fitting.lower_fit import regular_waist_row
from fitroom.garments.core import Garment
from fitroom.vision.core import LEG_PARTS, BodyPart, BodyParts

FloatArray = npt.NDArray[np.float32]
ByteArray = npt.NDArray[np.uint8]

#: How far a tucked top reaches over the waistband, as a share of the shoulder-seam distance.
WAISTBAND_OVERLAP = 0.03
#: How far a top tucked into new trousers reaches below their waistband (shoulder-seam share).
TUCK_BELOW_NEW_WAIST = 0.03
#: A top tucked in without a waistband to go into stops this far above the hips (same share).
TUCK_ABOVE_HIPS = 0.05


def waistband_line(
    parts: BodyParts,
    person: FloatArray,
    image: ByteArray,
    min_share: float = 0.25,
    old: OldGarment | None = None,
) -> FloatArray | None:
    """Per column, the top row of the trousers or skirt the person wears: float32 (W,).

    Lower-garment pixels are non-skin person pixels on the legs and the lower half of the torso
    whose colour is unlike the old top's chest (ΔE76 ≥ 30). None when the photo shows no such
    garment across at least ``min_share`` of the torso's width (bare legs, a dress, a photo
    cropped at the waist), or when what lies across the waist is not the colour of the clothed
    legs (a helmet or a bag held in front). The line is close to level (see the code).
    ``old`` is the photo's :class:`OldGarment` (worked out here when not given).
    """
    labels = parts.labels
    torso = labels == int(BodyPart.TORSO)
    rows = np.nonzero(torso.any(axis=1))[0]
    cols = np.nonzero(torso.any(axis=0))[0]
    old = old or analyse_old_garment(parts, person, image)
    ref = old.chest_lab
    if rows.size < 4 or ref is None:
        return None
    if old.continues_below:
        return None
    h, w = labels.shape
    middle = (int(rows[0]) + int(rows[-1])) // 2
    x0, x1 = int(cols[0]), int(cols[-1]) + 1
    # Look from the middle of the torso to a torso-height further down.
    y1 = min(h, int(rows[-1]) + (int(rows[-1]) - int(rows[0])) // 2)
    # Every other row and column: a waistband is wide and the line is smoothed anyway.
    sub = slice(middle, y1, 2), slice(x0, x1, 2)
    region = (torso | labels_mask(labels, set(LEG_PARTS)))[sub]
    region &= (parts.skin[sub] < 0.5) & (person[sub] > 0.5)
    lab = cv2.cvtColor(image[sub].astype(np.float32) / 255.0, cv2.COLOR_RGB2LAB)
    region &= np.linalg.norm(lab - ref, axis=2) >= 30.0
    # A column counts once a few pixels in a row are lower garment (not a stray dark fold).
    # (Anchored at the run's top, so a run's first row is where it starts.)
    run = cv2.erode(region.astype(np.uint8), np.ones((5, 1), np.uint8), anchor=(0, 0)).astype(bool)
    has = run.any(axis=0)
    if float(has.mean()) < min_share:
        return None
    # Trousers or a skirt go on down the legs: what was found at the waist must be the colour
    # of the clothed legs (a helmet or a bag held at the waist is not).
    # (Every other row and column below the torso's middle: the legs' colour is a median.)
    below = slice(middle, h, 2), slice(0, w, 2)
    legs = labels_mask(labels[below], set(LEG_PARTS))
    legs &= (parts.skin[below] < 0.5) & (person[below] > 0.5)
    if int(legs.sum()) < 5 * (x1 - x0) // 4:
        return None
    leg_lab = cv2.cvtColor(
        pick(image[below], legs).reshape(-1, 1, 3).astype(np.float32) / 255.0, cv2.COLOR_RGB2LAB
    ).reshape(-1, 3)
    # Only the first rows of each column's run: below them lie the legs themselves.
    offsets = np.arange(run.shape[0])[:, None]
    first = np.argmax(run, axis=0)[None, :]
    waist = run & (offsets >= first) & (offsets < first + 5)
    waist_lab = lab[waist].reshape(-1, 3)[::2]
    if float(np.linalg.norm(np.median(leg_lab, axis=0) - np.median(waist_lab, axis=0))) > 25.0:
        return None
    top = 2 * np.argmax(run, axis=0).astype(np.float32) + middle
    xs = 2 * np.nonzero(has)[0].astype(np.float32) + x0
    ys = top[has]
    # A waistband seen from the front is close to level, and what breaks it in the part map
    # (a hand, an arm, a fold) lies lower: take the median row, then the median of the columns
    # near it, and allow a slight tilt only when a line fitted to those columns is confident.
    tol = max(4.0, 0.03 * (x1 - x0))
    level = float(np.median(ys))
    near = np.abs(ys - level) <= tol
    if int(near.sum()) >= max(5, xs.size // 3):
        level = float(np.median(ys[near]))
        slope, _ = np.polyfit(xs[near] - xs[near].mean(), ys[near], 1)
        slope = float(np.clip(slope, -0.08, 0.08))
        centre = float(xs[near].mean())
    else:
        slope, centre = 0.0, float(xs.mean())
    grid = np.clip(np.arange(w, dtype=np.float32), xs.min(), xs.max())
    line: FloatArray = (level + slope * (grid - centre)).astype(np.float32)
    return line


#: Where the search for the top's hem starts above the regular waist row, and ends below the hip
#: joints, as shares of the hip-to-knee length.
HEM_SEARCH_ABOVE_WAIST = 0.3
HEM_SEARCH_BELOW_HIPS = 0.05
#: The weakest colour step (ΔE76 across 4 rows, median over the body's middle columns) that is
#: taken for the edge between the top and the trousers or skirt.
TOP_EDGE_STEP = 6.0


def top_edge_row(
    parts: BodyParts,
    person: FloatArray,
    image: ByteArray,
    anchors: BodyAnchors,
    *,
    min_step: float = TOP_EDGE_STEP,
) -> float | None:
    """The row where the person's top ends over their trousers, shorts or skirt, found as the
    strongest horizontal colour edge across the body's middle, when :func:`waistband_line`
    finds no waistband (a top close to the trousers' colour, or hanging over them).

    Searched between :data:`HEM_SEARCH_ABOVE_WAIST` above the regular waist row and
    :data:`HEM_SEARCH_BELOW_HIPS` below the hip joints, over the columns between the hip joints,
    on clothed torso and leg pixels; each row scores the median colour step there (a fold, a
    seam or a print runs across a few columns, a hem or a waistband across all of them).
    On the shared photos (Dress Code, parse maps) the edge lies 0 to 20 rows above the top of
    the trousers' or shorts' label where the regular waist row was up to 50 rows off
    (a shirt hanging over the hips, a high-waisted pair of shorts). None when no row steps by
    ``min_step`` (default :data:`TOP_EDGE_STEP`) or the region is too small.
    """
    h, w = person.shape
    hips = anchors.hips.astype(np.float64)
    hip_mid = hips.mean(axis=0)
    thigh = float(np.hypot(*(anchors.knees.astype(np.float64).mean(axis=0) - hip_mid)))
    half = 0.5 * abs(float(hips[0, 0] - hips[1, 0]))
    x0, x1 = max(0, int(hip_mid[0] - half)), min(w, int(hip_mid[0] + half) + 1)
    y0 = max(2, int(regular_waist_row(anchors) - HEM_SEARCH_ABOVE_WAIST * thigh))
    y1 = min(h - 3, int(hip_mid[1] + HEM_SEARCH_BELOW_HIPS * thigh))
    if x1 - x0 < 8 or y1 - y0 < 8:
        return None
    box = slice(y0 - 2, y1 + 3), slice(x0, x1)
    rgb = cv2.GaussianBlur(image[box], (0, 0), 1.5).astype(np.float32) / 255.0
    lab = cv2.cvtColor(rgb, cv2.COLOR_RGB2LAB)
    clothed = (person[box] > 0.5) & (parts.skin[box] < 0.5)
    clothed &= labels_mask(parts.labels[box], {BodyPart.TORSO, *LEG_PARTS})
    step = np.linalg.norm(lab[4:] - lab[:-4], axis=2)
    valid = clothed[4:] & clothed[:-4]
    # Rows where at least half the columns are clothed (hands and arms hide the rest).
    rows = valid.mean(axis=1) > 0.5
    if not rows.any():
        return None
    score = np.zeros(step.shape[0], np.float32)
    score[rows] = np.nanmedian(np.where(valid[rows], step[rows], np.nan), axis=1)
    best = int(np.argmax(score))
    if float(score[best]) < min_step:
        return None
    # (Step i compares rows i and i + 4 of the box, which starts 2 rows above y0.)
    return float(y0 + best)


def tuck_lines(
    garments: Sequence[Garment],
    fitted: Sequence[FittedGarment],
    anchors: BodyAnchors,
    tuck: bool | None,
    find_waistband: Callable[[], FloatArray | None],
) -> list[TuckLine]:
    """Per garment (in the order of ``fitted``), where its torso panel is tucked in.

    Only tops (category ``upper``) are tucked. ``tuck=True``: just below the new trousers'
    waistband, or just above the hips without new trousers. ``tuck=None``: over the person's
    own trousers or skirt (no new ones), a touch below their waistband (``find_waistband``,
    called only then and only for a top: see :func:`waistband_line`), else not at all.
    ``tuck=False``: never.
    """
    waists = [f.targets["waistband_center"][1] for f in fitted if f.region == "lower"]
    tuck_y = (
        min(waists) + TUCK_BELOW_NEW_WAIST * anchors.shoulder_width
        if waists
        else float(anchors.hips[:, 1].mean()) - TUCK_ABOVE_HIPS * anchors.shoulder_width
    )
    cut: TuckLine = None
    if tuck:
        cut = tuck_y
    elif tuck is None and not waists and any(g.category == "upper" for g in garments):
        waistband = find_waistband()
        if waistband is not None:
            # A touch below the waistband's top edge, so no gap opens above it.
            cut = waistband + np.float32(WAISTBAND_OVERLAP * anchors.shoulder_width)
    return [cut if g.category == "upper" else None for g in garments]


__all__ = [
    "HEM_SEARCH_ABOVE_WAIST",
    "HEM_SEARCH_BELOW_HIPS",
    "TOP_EDGE_STEP",
    "TUCK_ABOVE_HIPS",
    "TUCK_BELOW_NEW_WAIST",
    "WAISTBAND_OVERLAP",
    "top_edge_row",
    "tuck_lines",
    "waistband_line",
]
