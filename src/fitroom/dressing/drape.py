"""The new garment's edge laid onto the old garment's outline where the two nearly meet.

A garment fitted from a few landmarks ends a little short of, or beside, the outline of what the
person wears: at the shoulders, under the arms, along the sides. Painting that rim as skin or
background leaves a thin band of body around the new garment that no photo shows. Fabric drapes:
where the old garment reaches at most a few pixels beyond the new one, the new fabric is carried
out to the old outline, with the photo's own folds on it.
"""

from __future__ import annotations

from collections.abc import Sequence

import cv2
import numpy as np
import numpy.typing as npt

from fitroom.dressing.composite import TuckLine
from fitroom.dressing.masks import blur_box, labels_mask, padded_box, pick, put, smooth_edges
from fitroom.fitting.fitted import FittedGarment
from fitroom.vision.core import ARM_PARTS, BodyPart, BodyParts

FloatArray = npt.NDArray[np.float32]

#: How far the new garment may be carried out, as a share of the photo's longer side.
DRAPE_REACH = 0.022
#: How far a new top (not a dress) may be carried out: a top fitted from its flat-lay landmarks
#: falls short of the worn one's outline by more at the sides and shoulders (on the true pairs,
#: a person photographed in the very top, carrying it out this far drew the top's outline where
#: the photo shows it instead of a band of repainted skin and background beside it).
TOP_DRAPE_REACH = 0.035
#: How far a new sleeve is carried out over an old, looser one: only its few pixels (further, a
#: wide old sleeve turned the new one into a wing, and in live the sleeve grew by a third from
#: one frame to the next as the arm came into view).
SLEEVE_DRAPE_REACH = 0.008
#: Rounding of the part map's outline where the carried fabric may go (share of the longer side).
ALLOWED_SMOOTHING = 0.008
#: The widest gap between two pieces of the new garment on one row (a sleeve and the body) that
#: is closed with fabric, as a share of the photo's longer side.
GAP_WIDTH = 0.05


def drape_allowed(
    parts: BodyParts, cut_below_y: Sequence[TuckLine] | None, shoulders_y: float | None = None
) -> FloatArray:
    """Where a top's fabric may be carried out: the torso, and the upper arms above
    ``shoulders_y`` (the round of the shoulder; lower down, an arm beside a short sleeve is
    bare arm, not fabric), above every tuck line. float32 (H, W) in [0, 1]."""
    labels = parts.labels
    rows = np.arange(labels.shape[0], dtype=np.float32)[:, None]
    hard = labels_mask(labels, (BodyPart.TORSO,))
    upper_arms = labels_mask(labels, (BodyPart.LEFT_UPPER_ARM, BodyPart.RIGHT_UPPER_ARM))
    if shoulders_y is not None:
        upper_arms &= rows < shoulders_y
    # Rounded: the part map's outline is a staircase, and the carried fabric's edge would
    # show its steps where it ends on the map's edge (between an arm and the torso).
    allowed = smooth_edges(hard | upper_arms, max(1.5, ALLOWED_SMOOTHING * max(labels.shape)))
    for limit in cut_below_y or ():
        if limit is not None:
            below = rows >= (np.asarray(limit, np.float32)[None, :] if np.ndim(limit) else limit)
            allowed *= ~below
    return allowed


def own_neck_openings(garments: Sequence[FittedGarment], shape: tuple[int, int]) -> FloatArray:
    """The neck openings the torso panels of dresses leave out (read from their product photos,
    :attr:`~fitroom.fitting.fitted.FittedGarment.own_neck_opening`): per column between the
    neck points, the rows from the neck points down to the panel's first opaque pixel. float32
    (H, W) in {0, 1}.

    The old garment showing there is no rim of the new one to carry fabric over: it is the
    neckline's own opening (a V-neck coat dress over the photo's own narrower V came out with
    its V filled with black fabric up to the old V's edge). Only dresses: the opening read on a
    tee's photo runs deeper than its worn neckline (the inside of the front's collar band is
    taken in), and the fabric carried up to the old collar is what keeps its neckline where
    the photo has it (on the VITON-HD true pairs the tees' box SSIM fell by up to 0.014)."""
    out = np.zeros(shape, np.float32)
    for fitted in garments:
        names = ("neck_left", "neck_right")
        if fitted.region != "full" or not fitted.own_neck_opening:
            continue
        if not all(n in fitted.targets for n in names):
            continue
        torso = next((layer for layer in fitted.layers if layer.part == "torso"), None)
        if torso is None:
            continue
        (lx, ly), (rx, ry) = fitted.targets["neck_left"], fitted.targets["neck_right"]
        x0, y0, x1, y1 = torso.box
        a, b = max(x0, round(min(lx, rx))), min(x1, round(max(lx, rx)) + 1)
        top = max(y0, round(min(ly, ry)))
        if b <= a or top >= y1:
            continue
        solid = torso.rgba[top - y0 :, a - x0 : b - x0, 3] > 0.5
        # (A column with no opaque pixel below the neck is no opening: the panel ends there.)
        first = np.where(solid.any(axis=0), np.argmax(solid, axis=0), 0)
        rows = np.arange(solid.shape[0])[:, None]
        out[top:y1, a:b] = np.maximum(out[top:y1, a:b], (rows < first[None, :]).astype(np.float32))
    return out


def sleeve_drape_allowed(parts: BodyParts, bare_arms: FloatArray) -> FloatArray:
    """Where a new sleeve's fabric may be carried out: the arms, except their bare stretches.
    float32 (H, W) in [0, 1].

    Where a new sleeve covers the arm's bone, the arm is inside it, and an old sleeve reaching
    a few pixels beyond it is sleeve fabric hanging a little looser (a puffed or wide sleeve):
    painted as background it drew a pale streak along the new sleeve, as skin a brown one.

    Args:
        parts: the person's body-part map.
        bare_arms: float32 (H, W): where the arms show bare (the capsules of their stretches no
            new garment covers, see :func:`~fitroom.dressing.limbs.bare_stretches`).
    """
    arms = labels_mask(parts.labels, tuple(ARM_PARTS))
    sigma = max(1.5, ALLOWED_SMOOTHING * max(parts.labels.shape))
    out: FloatArray = (smooth_edges(arms, sigma) * (1.0 - bare_arms)).astype(np.float32)
    return out


def drape_band(
    exposed: FloatArray,
    union: FloatArray,
    allowed: FloatArray,
    side: int,
    reach_share: float = DRAPE_REACH,
) -> FloatArray:
    """Old-garment pixels next to the new garment that it should cover: float32 (H, W) in [0, 1].

    Args:
        exposed: float32 (H, W): old garment the new ones leave uncovered.
        union: float32 (H, W): the new garments' coverage.
        allowed: float32 (H, W) in [0, 1]: where the new fabric may go (e.g. the torso and upper
            arms above a tuck line).
        side: the photo's longer side in pixels.
        reach_share: how far the fabric may be carried, as a share of ``side``.

    Returns:
        The uncovered old garment within ``reach_share`` of the new garment, not below its
        nearest new-garment pixel (a hem stays where it is), softened at its far edge.
    """
    h, w = union.shape
    full = np.zeros((h, w), np.float32)
    cand = (exposed > 0.5) & (allowed > 0.5)
    if not cand.any() or not (union > 0.5).any():
        return full
    reach = max(2.0, reach_share * side)
    # Only the candidates' box, grown by the reach, can hold the band and what it touches.
    box = padded_box(cand, round(reach) + 3)
    if box is None or not (union[box] > 0.5).any():
        return full
    full[box] = _band_in_box(exposed[box], union[box], allowed[box], cand[box], reach)
    return full


def _band_in_box(
    exposed: FloatArray,
    union: FloatArray,
    allowed: FloatArray,
    cand: npt.NDArray[np.bool_],
    reach: float,
) -> FloatArray:
    """:func:`drape_band` inside a box (rows and distances are the same as in the frame)."""
    h = union.shape[0]
    outside = np.ascontiguousarray(union <= 0.5).view(np.uint8)
    dist, nearest = cv2.distanceTransformWithLabels(
        outside, cv2.DIST_L2, 5, labelType=cv2.DIST_LABEL_PIXEL
    )
    # (OpenCV numbers the source pixels 1, 2, ... in row-major order: the k-th pixel of the
    # garment lies on the row that many pixels down its row counts.)
    per_row = np.count_nonzero(outside == 0, axis=1)
    src_y = np.zeros(int(per_row.sum()) + 1, np.float32)
    src_y[1:] = np.repeat(np.arange(h, dtype=np.float32), per_row)
    below = np.arange(h, dtype=np.float32)[:, None] > src_y[nearest] + 2.0
    band = cand & (dist <= reach) & ~below
    # Only the rim that touches the new garment: an island of old fabric farther out stays old.
    n, comp = cv2.connectedComponents(
        np.ascontiguousarray(band | (union > 0.5)).view(np.uint8), connectivity=8
    )
    if n > 2:
        touching = np.zeros(n, np.bool_)
        touching[comp[union > 0.5]] = True
        band &= touching[comp]
    soft: FloatArray = cv2.GaussianBlur(band.astype(np.float32), (0, 0), 0.8)
    out: FloatArray = (soft * exposed * np.clip(allowed * 2.0, 0.0, 1.0)).astype(np.float32)
    return out


def _row_neighbours(
    covered: npt.NDArray[np.bool_],
) -> tuple[npt.NDArray[np.int32], npt.NDArray[np.int32]]:
    """Per pixel, the nearest covered column at or left of it on its row (-1 if none) and at
    or right of it (the width if none): int32 (h, w) each."""
    w = covered.shape[1]
    cols = np.arange(w, dtype=np.int32)[None, :]
    left = np.maximum.accumulate(np.where(covered, cols, np.int32(-1)), axis=1)
    right = np.minimum.accumulate(np.where(covered, cols, np.int32(w))[:, ::-1], axis=1)[:, ::-1]
    return left.astype(np.int32), np.ascontiguousarray(right, dtype=np.int32)


def enclosed_gaps(
    exposed: FloatArray, union: FloatArray, tuck_rows: FloatArray | None, side: int
) -> FloatArray:
    """Old-garment pixels in a narrow gap between two pieces of the new garment on the same row
    (a long sleeve hanging beside the body): float32 (H, W) in [0, 1].

    A sleeve fitted along the arm's bone is narrower than a loose old sleeve, and the fitted
    body panel narrower than the old top's: between them the old fabric is uncovered. No photo
    of the person shows background or skin there (the arm hangs against the body's side): the
    new fabric is carried across. Gaps wider than :data:`GAP_WIDTH` of the photo's longer side
    are not closed (an arm held away from the body shows what is behind it).

    Args:
        exposed: float32 (H, W): old garment the new ones leave uncovered.
        union: float32 (H, W): the new garments' coverage.
        tuck_rows: float32 (W,) per column the row below which the top is tucked in (nothing
            is closed below it), or None.
        side: the photo's longer side in pixels.
    """
    h, w = union.shape
    out = np.zeros((h, w), np.float32)
    covered = union > 0.5
    cand = (exposed > 0.5) & ~covered
    if not cand.any():
        return out
    # Only the rows of the candidates and the columns of the new garment can hold an enclosed
    # gap (a gap needs a covered pixel on each side): the neighbours are looked up in that box.
    _, ry0, _, rh = cv2.boundingRect(cand.view(np.uint8))
    cx0, _, cw, _ = cv2.boundingRect(covered.view(np.uint8))
    if cw == 0:
        return out
    rows_box, cols_box = slice(ry0, ry0 + rh), slice(cx0, cx0 + cw)
    left, right = _row_neighbours(covered[rows_box, cols_box])
    narrow = (left >= 0) & (right < cw) & ((right - left) <= max(4.0, GAP_WIDTH * side))
    gap = np.zeros((h, w), np.bool_)
    gap[rows_box, cols_box] = cand[rows_box, cols_box] & narrow
    if tuck_rows is not None:
        rows = np.arange(h, dtype=np.float32)[:, None]
        gap &= rows < tuck_rows[None, :]
    if not gap.any():
        return out
    # (Only the gaps' box grown by the blur's reach: elsewhere the soft gaps are exactly 0.)
    box = blur_box(gap, 0.8)
    if box is None:  # pragma: no cover - gap.any() above
        return out
    soft = cv2.GaussianBlur(gap[box].astype(np.float32), (0, 0), 0.8)
    out[box] = soft * exposed[box] * (1.0 - union[box])
    return out


def bridge_gaps(base: FloatArray, gaps: FloatArray, union: FloatArray) -> None:
    """Paint ``gaps`` (from :func:`enclosed_gaps`) in place across each row, from the new
    garment's colour at the gap's left end to that at its right end.

    Across a narrow gap the fabric's pattern goes on from both sides (a stripe runs from the
    sleeve into the body): an average of the colours around the gap would paint a striped
    top's gap flat grey.

    Args:
        base: float32 (H, W, 3) image with the new garments drawn, modified in place.
        gaps: float32 (H, W) in [0, 1].
        union: float32 (H, W): the new garments' coverage.
    """
    ys, xs = np.nonzero(gaps > 0)
    if ys.size == 0:
        return
    # A couple of pixels inside each piece's edge: its anti-aliased rim is partly photo.
    solid = cv2.erode(np.ascontiguousarray(union > 0.9).view(np.uint8), np.ones((1, 5), np.uint8))
    solid = solid.astype(bool)
    y0, y1 = int(ys.min()), int(ys.max()) + 1
    cx0, _, cw, _ = cv2.boundingRect(solid[y0:y1].view(np.uint8))
    if cw == 0:
        return
    left, right = _row_neighbours(solid[y0:y1, cx0 : cx0 + cw])
    r, c = ys - y0, np.clip(xs - cx0, 0, cw - 1)
    # (Columns outside the solid fabric's box have it on one side only: no bridge.)
    inside = (xs >= cx0) & (xs < cx0 + cw)
    lx, rx = left[r, c] + cx0, right[r, c] + cx0
    ok = inside & (lx >= cx0) & (rx < cx0 + cw)
    if not ok.any():
        return
    ys, xs, lx, rx = ys[ok], xs[ok], lx[ok], rx[ok]
    t = ((xs - lx) / np.maximum(1, rx - lx)).astype(np.float32)[:, None]
    colour = base[ys, lx] * (1.0 - t) + base[ys, rx] * t
    a = gaps[ys, xs][:, None]
    base[ys, xs] = base[ys, xs] * (1.0 - a) + colour * a


def extend_fabric(base: FloatArray, band: FloatArray, union: FloatArray, folds: FloatArray) -> None:
    """Paint ``band`` in place with the colour of the nearest new-garment pixel of ``base``.

    The colour is taken without that pixel's folds and given the band's own (``folds``, as
    from :func:`~fitroom.dressing.shading.fold_shading`), so the carried fabric is lit like the
    photo there rather than a streak of one pixel's shade.

    Args:
        base: float32 (H, W, 3) image with the new garments drawn, modified in place.
        band: float32 (H, W) in [0, 1] from :func:`drape_band`.
        union: float32 (H, W): the new garments' coverage.
        folds: float32 (H, W) shading factors (1 = none).
    """
    if not band.any():
        return
    # A few pixels inside the garment's edge: its anti-aliased rim still holds the product
    # photo's background and would be drawn out in streaks.
    inset = max(2, round(0.004 * max(union.shape)))
    # Only the band's box, grown by the reach: the nearest garment pixel lies within it.
    bx, by, bw, bh = cv2.boundingRect((band > 0).view(np.uint8))
    grow = round(max(DRAPE_REACH, TOP_DRAPE_REACH) * max(union.shape)) + inset + 12
    h, w = union.shape
    bx0, by0 = max(0, bx - grow), max(0, by - grow)
    bx1, by1 = min(w, bx + bw + grow), min(h, by + bh + grow)
    box = (slice(by0, by1), slice(bx0, bx1))
    _extend_in_box(base[box], band[box], union[box], folds[box], inset)


def _extend_in_box(
    base: FloatArray, band: FloatArray, union: FloatArray, folds: FloatArray, inset: int
) -> None:
    """:func:`extend_fabric` on a box (views into the frame; ``base`` is painted in place)."""
    k = cv2.getStructuringElement(cv2.MORPH_ELLIPSE, (2 * inset + 1, 2 * inset + 1))
    solid = cv2.erode(np.ascontiguousarray(union > 0.9).view(np.uint8), k).astype(bool)
    if not solid.any():
        return
    _, nearest = cv2.distanceTransformWithLabels(
        (~solid).view(np.uint8), cv2.DIST_L2, 5, labelType=cv2.DIST_LABEL_PIXEL
    )
    # (OpenCV numbers the source pixels 1, 2, ... in row-major order, as boolean indexing
    # lists them.)
    size = int(np.count_nonzero(solid)) + 1
    src = np.zeros((size, 3), np.float32)
    src_fold = np.ones(size, np.float32)
    src[1:] = pick(base, solid)
    src_fold[1:] = folds[solid]
    y0, y1 = np.nonzero(band.any(axis=1))[0][[0, -1]]
    x0, x1 = np.nonzero(band.any(axis=0))[0][[0, -1]]
    pad = 8
    y0, x0 = max(0, int(y0) - pad), max(0, int(x0) - pad)
    y1, x1 = min(band.shape[0], int(y1) + pad + 1), min(band.shape[1], int(x1) + pad + 1)
    # (Only the band's own pixels are looked up and painted: elsewhere in its box the blend
    # gives the photo back. Boolean indexing lists them in row-major order.)
    sel = band[y0:y1, x0:x1] > 0
    near = nearest[y0:y1, x0:x1][sel]
    flat = src[near] / np.maximum(src_fold[near], 1e-3)[:, None]
    # Nearest-pixel colours make streaks across the band (one per edge pixel): averaged
    # along the band, weighted to the band, they become the garment's even colour.
    inband = sel.astype(np.float32)
    weighted = np.zeros((*sel.shape, 3), np.float32)
    put(weighted, sel, flat)
    num = pick(cv2.GaussianBlur(weighted, (0, 0), 3.0), sel)
    den = cv2.GaussianBlur(inband, (0, 0), 3.0)[sel][:, None]
    colour = np.where(den > 1e-3, num / np.maximum(den, 1e-3), flat)
    colour = colour * folds[y0:y1, x0:x1][sel][:, None]
    a = band[y0:y1, x0:x1][sel][:, None]
    crop = base[y0:y1, x0:x1]
    put(crop, sel, pick(crop, sel) * (1.0 - a) + colour * a)


__all__ = [
    "DRAPE_REACH",
    "GAP_WIDTH",
    "SLEEVE_DRAPE_REACH",
    "TOP_DRAPE_REACH",
    "bridge_gaps",
    "drape_allowed",
    "drape_band",
    "enclosed_gaps",
    "extend_fabric",
    "own_neck_openings",
    "sleeve_drape_allowed",
]
