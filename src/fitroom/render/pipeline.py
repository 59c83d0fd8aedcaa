"""Render fitted garments into a photo: remove the old garment, shade, layer, composite."""

from __future__ import annotations

import itertools
from collections.abc import Sequence

import cv2
import numpy as np
import numpy.typing as npt

from fitroom.fitting.garment_fit import FittedGarment, FittedLayer
from fitroom.render.compose import (
    below_hem,
    composite_layer,
    contact_shadow,
    fill_with_background,
    fill_with_skin,
    grow_mask,
    labels_mask,
    limb_mask,
    low_frequency_shading,
    occluders,
    old_garment_continues_below,
    old_garment_lab,
    old_garment_mask,
    old_lower_garment_mask,
    skin_field,
    skin_grain,
    smooth_edges,
)
from fitroom.render.drape import drape_band, extend_fabric
from fitroom.render.shading import fold_shading
from fitroom.vision.core import ARM_PARTS, HAND_PARTS, LEG_PARTS, BodyPart, BodyParts

FloatArray = npt.NDArray[np.float32]
ByteArray = npt.NDArray[np.uint8]

#: The part of the third and fourth limbs given to :func:`render_fitted` (the legs).
LEG_ORDER = (BodyPart.LEFT_LEG, BodyPart.RIGHT_LEG)


def _layer_keep(
    box: tuple[int, int, int, int], alpha: FloatArray, hidden: FloatArray, support: FloatArray
) -> FloatArray:
    x0, y0, x1, y1 = box
    h, w = hidden.shape
    out = np.zeros((h, w), np.float32)
    out[y0:y1, x0:x1] = alpha * (1.0 - hidden[y0:y1, x0:x1]) * support[y0:y1, x0:x1]
    return out


def _work_box(
    garments: Sequence[FittedGarment], person_mask: FloatArray, side: int
) -> tuple[int, int, int, int] | None:
    """The box holding the person and every garment layer, padded; None if nothing to draw."""
    h, w = person_mask.shape
    boxes = [layer.box for fitted in garments for layer in fitted.layers]
    if not boxes:
        return None
    x0 = min(b[0] for b in boxes)
    y0 = min(b[1] for b in boxes)
    x1 = max(b[2] for b in boxes)
    y1 = max(b[3] for b in boxes)
    # The person's bounding box (cv2.boundingRect: (x, y, w, h); all zero for an empty mask).
    px, py, pw, ph = cv2.boundingRect((person_mask > 0.5).view(np.uint8))
    if pw and ph:
        x0, y0 = min(x0, px), min(y0, py)
        x1, y1 = max(x1, px + pw), max(y1, py + ph)
    pad = max(16, round(0.04 * side))
    return max(0, x0 - pad), max(0, y0 - pad), min(w, x1 + pad), min(h, y1 + pad)


def _beside_body(union: FloatArray, parts: BodyParts) -> FloatArray:
    """Torso pixels beside the new garment's body rows, float32 (H, W) in {0, 1}.

    On rows where the new garment is near its full width (its body, not its straps or
    shoulders), an old top reaching further out to the side is loose fabric: a new garment
    is at least as wide as the body (see :func:`~fitroom.fitting.garment_fit.torso_targets`),
    so what lies beyond it is what was behind the old top, not skin.
    """
    covered = union > 0.5
    h, w = covered.shape
    out = np.zeros((h, w), np.float32)
    has = covered.any(axis=1)
    if not has.any():
        return out
    left = np.argmax(covered, axis=1)
    right = w - 1 - np.argmax(covered[:, ::-1], axis=1)
    width = np.where(has, right - left + 1, 0)
    rows = np.flatnonzero(width >= 0.8 * float(width.max()))
    margin = max(2, round(0.01 * max(h, w)))
    cols = np.arange(w)[None, :]
    beside = (cols < (left[rows] - margin)[:, None]) | (cols > (right[rows] + margin)[:, None])
    out[rows] = beside & (parts.labels[rows] == int(BodyPart.TORSO))
    return out


def _box_of(mask: FloatArray) -> tuple[int, int, int, int]:
    """(x0, y0, x1, y1) around the mask's non-zero pixels ((0, 0, 0, 0) if none)."""
    x, y, w, h = cv2.boundingRect((mask > 1e-3).view(np.uint8))
    return x, y, x + w, y + h


def _grown_in_box(mask: FloatArray, radius: int) -> FloatArray:
    """:func:`~fitroom.render.compose.grow_mask` computed only around the mask's pixels."""
    out = np.zeros(mask.shape, np.float32)
    bx, by, bw, bh = cv2.boundingRect((mask > 1e-3).view(np.uint8))
    if bw == 0 or bh == 0:
        return out
    h, w = mask.shape
    pad = radius + 4
    y0, y1 = max(0, by - pad), min(h, by + bh + pad)
    x0, x1 = max(0, bx - pad), min(w, bx + bw + pad)
    crop = mask[y0:y1, x0:x1]
    ch, cw = crop.shape
    if radius >= 4 and min(ch, cw) >= 8:
        # At half resolution: a quarter of the work for a rim that need not be exact.
        half = cv2.resize(crop, ((cw + 1) // 2, (ch + 1) // 2), interpolation=cv2.INTER_AREA)
        grown = grow_mask(half, (radius + 1) // 2)
        out[y0:y1, x0:x1] = cv2.resize(grown, (cw, ch), interpolation=cv2.INTER_LINEAR)
    else:
        out[y0:y1, x0:x1] = grow_mask(crop, radius)
    return out


def _bare_stretches(
    limbs: Sequence[tuple[FloatArray, float]], coverage: FloatArray
) -> list[tuple[FloatArray, float]]:
    """The stretches of each limb's bones that no new garment covers (coverage ≤ 0.5 there),
    as limbs of their own: float32 (K, 2) points every few pixels, and the limb's radius."""
    h, w = coverage.shape
    out: list[tuple[FloatArray, float]] = []
    for chain, radius in limbs:
        points = []
        for a, b in itertools.pairwise(chain):
            steps = max(2, int(np.hypot(*(b - a)) / max(2.0, radius / 3.0)))
            t = np.linspace(0.0, 1.0, steps + 1, dtype=np.float32)[:, None]
            points.append(a[None, :] + t * (b - a)[None, :])
        pts = np.concatenate(points).astype(np.float32)
        xs = np.clip(np.round(pts[:, 0]).astype(int), 0, w - 1)
        ys = np.clip(np.round(pts[:, 1]).astype(int), 0, h - 1)
        bare = coverage[ys, xs] <= 0.5
        # Each run of bare points is a limb of its own.
        edges = np.flatnonzero(np.diff(np.concatenate([[0], bare.astype(np.int8), [0]])))
        for start, stop in zip(edges[::2], edges[1::2], strict=True):
            run = pts[start:stop]
            out.append((run if len(run) > 1 else np.repeat(run, 2, axis=0), radius))
    return out


def _between_columns(coverage: FloatArray) -> FloatArray:
    """Pixels not covered but with covered pixels to their left and right on the same row (the
    gap between two trouser legs), float32 (H, W) in {0, 1}."""
    covered = coverage > 0.5
    left = np.maximum.accumulate(covered, axis=1)
    right = np.maximum.accumulate(covered[:, ::-1], axis=1)[:, ::-1]
    out: FloatArray = (left & right & ~covered).astype(np.float32)
    return out


def _shoulder_line(limbs: Sequence[tuple[FloatArray, float]]) -> list[tuple[FloatArray, float]]:
    """The line between the shoulders as one more limb (a capsule of the arms' radius): the top
    of the chest and the shoulders are round, not the part map's steps. The first two limbs are
    the arms (shoulder joint first); none without them."""
    if len(limbs) < 2:
        return []
    (left, radius), (right, _) = limbs[0], limbs[1]
    return [(np.stack([left[0], right[0]]).astype(np.float32), radius)]


def _torso_line(limbs: Sequence[tuple[FloatArray, float]]) -> list[tuple[FloatArray, float]]:
    """The torso as one more limb, for shading: from between the shoulders to between the hips,
    as wide as the shoulders. Limbs 0-1 are the arms, 2-3 the legs (hip joint first)."""
    if len(limbs) < 4:
        return []
    shoulders = np.stack([limbs[0][0][0], limbs[1][0][0]]).astype(np.float32)
    hips = np.stack([limbs[2][0][0], limbs[3][0][0]]).astype(np.float32)
    radius = 0.55 * float(np.hypot(*(shoulders[0] - shoulders[1])))
    return [(np.stack([shoulders.mean(axis=0), hips.mean(axis=0)]), radius)]


def _above_shoulders(parts: BodyParts, limbs: Sequence[tuple[FloatArray, float]]) -> FloatArray:
    """Torso-labelled pixels above the line through the shoulder joints, float32 (H, W)."""
    h, w = parts.labels.shape
    out = np.zeros((h, w), np.float32)
    if len(limbs) < 2:
        return out
    (lx, ly), (rx, ry) = limbs[0][0][0], limbs[1][0][0]
    if abs(float(lx - rx)) < 1.0:
        return out
    cols = np.arange(w, dtype=np.float32)
    line = ly + (cols - lx) * np.float32((ry - ly) / (rx - lx))
    rows = np.arange(h, dtype=np.float32)[:, None]
    out[(rows < line[None, :]) & (parts.labels == int(BodyPart.TORSO))] = 1.0
    return out


def _crop_cut(
    cut: float | FloatArray | None, x0: int, x1: int, y0: int
) -> float | FloatArray | None:
    if cut is None:
        return None
    if isinstance(cut, np.ndarray):
        return np.ascontiguousarray(cut[x0:x1] - y0, dtype=np.float32)
    return cut - y0


def render_fitted(
    image: ByteArray,
    garments: Sequence[FittedGarment],
    parts: BodyParts,
    person_mask: FloatArray,
    *,
    cut_below_y: Sequence[float | FloatArray | None] | None = None,
    limbs: Sequence[tuple[FloatArray, float]] = (),
    frame_side: int | None = None,
    reach: float = 0.0,
    keep_old: bool = False,
) -> tuple[ByteArray, tuple[FloatArray, ...]]:
    """Dress the photo in fitted garments (first garment lowest).

    Old upper-garment fabric the new garments leave uncovered is repainted: on a limb beyond
    its radius as background (loose sleeve fabric), elsewhere as the person's skin, shaded
    round on the limbs. One exception: when the old garment is a dress (it goes on over the
    thighs, see :func:`~fitroom.render.compose.old_garment_continues_below`), the part below
    the new top's hem stays, worn under the top like a skirt, rather than a band of painted
    belly between the new hem and the dress's skirt.

    Args:
        image: uint8 (H, W, 3) RGB photo.
        garments: fitted garments in layering order (later ones drawn on top).
        parts: the person's body-part map.
        person_mask: float32 (H, W) person mask in [0, 1].
        cut_below_y: per garment, where its torso panel is tucked in: a row below which it is
            hidden, or float32 (W,) such rows per column (a waistband's curve), or None.
        limbs: per arm or leg, its (3, 2) joints in pixels (shoulder, elbow, wrist or hip,
            knee, ankle) and its radius in pixels. Old-garment pixels on a limb farther than the
            radius from its bones are loose fabric: the background is painted there, not skin.
            Given in the order left arm, right arm, left leg, right leg (more may follow, e.g.
            the shins apart): the shoulders' and the torso's round shapes are taken from the
            arms' and legs' first joints, and the shoes below each leg's last joint stay.
        frame_side: the longer side of the whole photo when ``image`` is a crop of it (sizes
            of soft edges and shadows follow the photo, not the crop).
        reach: how many pixels beyond the person's outline a garment may show, on top of a
            1% margin of the photo's longer side (a loose size stands off the body).
        keep_old: leave the old garment as it is where the new ones do not cover it (no skin
            or background repainted): for a pose too unreliable to say where the body is.

    Returns:
        (uint8 (H, W, 3) result, per garment float32 (H, W) visible coverage in [0, 1]).
        Garments that cover nothing leave the photo unchanged.
    """
    full_h, full_w = image.shape[:2]
    box = _work_box(garments, person_mask, frame_side or max(full_h, full_w))
    if box is None:
        return image.copy(), tuple(np.zeros((full_h, full_w), np.float32) for _ in garments)
    bx0, by0, bx1, by1 = box
    if (bx0, by0, bx1, by1) != (0, 0, full_w, full_h):
        # Everything below happens inside the box around the person and the garments; the
        # photo outside it does not change.
        shift = np.array([bx0, by0], np.float32)
        crop_garments = [
            FittedGarment(
                layers=tuple(
                    FittedLayer(
                        layer.part,
                        (
                            layer.box[0] - bx0,
                            layer.box[1] - by0,
                            layer.box[2] - bx0,
                            layer.box[3] - by0,
                        ),
                        layer.rgba,
                    )
                    for layer in fitted.layers
                ),
                targets={k: (v[0] - bx0, v[1] - by0) for k, v in fitted.targets.items()},
                scale=fitted.scale,
                region=fitted.region,
            )
            for fitted in garments
        ]
        crop_parts = BodyParts(
            np.ascontiguousarray(parts.labels[by0:by1, bx0:bx1]),
            np.ascontiguousarray(parts.skin[by0:by1, bx0:bx1]),
        )
        crop_out, crop_visible = render_fitted(
            np.ascontiguousarray(image[by0:by1, bx0:bx1]),
            crop_garments,
            crop_parts,
            np.ascontiguousarray(person_mask[by0:by1, bx0:bx1]),
            cut_below_y=None
            if cut_below_y is None
            else [_crop_cut(c, bx0, bx1, by0) for c in cut_below_y],
            limbs=[(np.asarray(chain, np.float32) - shift, r) for chain, r in limbs],
            frame_side=max(full_h, full_w),
            reach=reach,
            keep_old=keep_old,
        )
        out_full = image.copy()
        out_full[by0:by1, bx0:bx1] = crop_out
        visible_full = []
        for v in crop_visible:
            frame = np.zeros((full_h, full_w), np.float32)
            frame[by0:by1, bx0:bx1] = v
            visible_full.append(frame)
        return out_full, tuple(visible_full)
    h, w = full_h, full_w
    side = frame_side or max(h, w)
    person = person_mask.astype(np.float32)
    grow = max(3, round(0.01 * side + max(0.0, reach)))
    support = grow_mask((person > 0.5).astype(np.float32), grow)
    rows = np.arange(h, dtype=np.float32)[:, None]
    coverage: list[list[tuple[int, FloatArray, FloatArray]]] = []  # per garment: (i, keep, hidden)
    fronts: dict[
        tuple[float | None, bool, tuple[float, float] | None], FloatArray
    ] = {}  # occluders, shared by layers
    for gi, fitted in enumerate(garments):
        neck = fitted.targets.get("neck_center")
        items = []
        limit = None if cut_below_y is None else cut_below_y[gi]
        for li, layer in enumerate(fitted.layers):
            span = None
            if layer.part == "torso" and "neck_left" in fitted.targets:
                span = (
                    float(fitted.targets["neck_left"][0]),
                    float(fitted.targets["neck_right"][0]),
                )
            key = (None if neck is None else float(neck[1]), layer.part == "torso", span)
            if key not in fronts:
                fronts[key] = occluders(parts, key[0], key[1], key[2])
            hidden = fronts[key]
            if limit is not None and layer.part == "torso":
                # Only the body panel goes into the waistband; sleeves hang free.
                below = np.clip((rows - limit) / 3.0, 0.0, 1.0)
                hidden = np.maximum(hidden, np.broadcast_to(below, hidden.shape))
            keep = _layer_keep(layer.box, layer.rgba[..., 3], hidden, support)
            items.append((li, keep, hidden))
        coverage.append(items)
    union = np.zeros((h, w), np.float32)
    panels = np.zeros((h, w), np.float32)  # the torso panels alone
    for fitted, items in zip(garments, coverage, strict=True):
        for li, keep, _ in items:
            union = (1.0 - (1.0 - union) * (1.0 - keep)).astype(np.float32)
            if fitted.layers[li].part == "torso":
                np.maximum(panels, keep, out=panels)
    if not union.any():
        return image.copy(), tuple(np.zeros((h, w), np.float32) for _ in garments)
    base = image.astype(np.float32)
    regions = {fitted.region for fitted in garments}
    old = np.zeros((h, w), np.float32)
    lower_old = np.zeros((h, w), np.float32)
    if "upper" in regions:
        old = np.maximum(old, old_garment_mask(parts, person, image))
        arms = labels_mask(parts.labels, ARM_PARTS)
        for limit in cut_below_y or ():
            if isinstance(limit, np.ndarray):
                # Below the waistband found in the photo lie the person's own trousers or
                # skirt (a leopard print's dark spots may look like a black top): not old top.
                # Sleeves hanging beside them are.
                old = old * (arms | (rows < limit[None, :]))
    if "lower" in regions:
        lower_old = old_lower_garment_mask(parts, person)
        if len(limbs) >= 4:
            # The shoes below the ankles are not trousers: they stay.
            for i, leg in enumerate(LEG_ORDER):
                # (The leg's chain, or its thigh and shin when given apart: limbs 4 and 5.)
                pieces = [limbs[j] for j in (2 + i, 4 + i) if j < len(limbs)]
                ankle_y = max(float(c[-1][1]) + 0.5 * r for c, r in pieces)
                lower_old = lower_old * ~((rows > ankle_y) & (parts.labels == int(leg)))
        old = np.maximum(old, lower_old)
    shading = low_frequency_shading(image, old)
    exposed = old * (1.0 - union) if not keep_old else np.zeros((h, w), np.float32)
    if "upper" in regions and exposed.any() and old_garment_continues_below(parts, person, image):
        # The old garment is a dress (or a tunic) going on over the thighs: below the new top's
        # hem it stays, worn under the top like a skirt, instead of a band of painted skin
        # between the new hem and the old skirt part.
        # Everything but the arms and hands (old cuffs): the torso and the soft rim of the
        # old-garment mask on the legs (limiting to the torso label would leave a seam along
        # the torso/leg boundary).
        not_arms = (~labels_mask(parts.labels, (*ARM_PARTS, *HAND_PARTS))).astype(np.float32)
        stays = below_hem(union, exposed * not_arms, margin=max(2.0, 0.01 * side))
        stays = cv2.GaussianBlur(cv2.dilate(stays, np.ones((5, 5), np.uint8)), (0, 0), 1.0)
        exposed = exposed * (1.0 - stays)
    drape = np.zeros((h, w), np.float32)
    if "upper" in regions and exposed.any():
        # Where the old top reaches only a little beyond the new one (shoulders, sides, under
        # the arms), the new fabric is carried out to the old outline (drawn after the layers).
        allowed = labels_mask(
            parts.labels, (BodyPart.TORSO, BodyPart.LEFT_UPPER_ARM, BodyPart.RIGHT_UPPER_ARM)
        ).astype(np.float32)
        for limit in cut_below_y or ():
            if limit is not None:
                allowed *= rows < np.asarray(limit)[None] if np.ndim(limit) else rows < limit
        drape = drape_band(exposed, union, allowed, side)
        exposed = exposed * (1.0 - drape)
    if exposed.any():
        # (Beside the torso panels: between a panel and a long sleeve lies no body either.)
        loose = exposed * _beside_body(panels if panels.any() else union, parts)
        if limbs:
            limb_labels = labels_mask(parts.labels, (*ARM_PARTS, *LEG_PARTS)).astype(np.float32)
            # Only the bare stretches of the limbs: where a new sleeve or trouser leg covers
            # the bone, the limb is inside it, and old fabric left beside it is loose.
            bare = _bare_stretches(limbs, union)
            not_limbs = 1.0 - limb_mask((h, w), [*bare, *_shoulder_line(limbs)])
            loose = np.maximum(loose * not_limbs, exposed * limb_labels * not_limbs)
            # Above the shoulders' round tops lies what was behind a wide collar or a puffed
            # sleeve head, not skin (the part map's torso reaches up there in steps).
            loose = np.maximum(loose, exposed * _above_shoulders(parts, limbs) * not_limbs)
            # The split between skin and what lay behind follows the part map's staircase
            # outlines: rounded, so the repainted limbs and shoulders have smooth edges.
            loose = smooth_edges(loose > 0.5, max(1.5, 0.005 * side)) * exposed
        if lower_old.any():
            # Between the new trouser legs lies what was between the old ones: the background
            # (the legs are inside the new trousers), not skin.
            loose = np.maximum(loose, exposed * lower_old * _between_columns(union))
        if loose.any():
            # The old fabric's dark outline lies on the soft rim of the masks (or just outside
            # the person mask): the background fill reaches a few pixels further out, so no
            # ghost of the old sleeve or trouser leg stays.
            reach_out = max(2, round(0.01 * side))
            # (Not onto the person's kept parts: skin, hair, hands, the shoes.)
            kept = person * (1.0 - old) >= 0.6
            rim = _grown_in_box(loose, reach_out) * ~kept * (1.0 - union)
            base = fill_with_background(base, np.maximum(loose, rim), avoid=np.maximum(person, old))
            exposed = exposed - loose
        # Repainted arms, legs and the chest are round: darker towards their sides.
        base = fill_with_skin(
            base,
            exposed,
            skin_field(image, parts, person, _box_of(exposed)),
            shading,
            [*limbs, *_torso_line(limbs)],
            garment_lab=old_garment_lab(parts, person, image),
            grain=skin_grain(image, parts),
        )
    # No shadow on the face, hair and neck (whose label often reaches into the chin and hair).
    shade_on = person * (1.0 - occluders(parts, float(h), False))
    shadow = contact_shadow(union, shade_on, sigma=max(2.0, 0.006 * side))
    folds = fold_shading(image, np.maximum(old, shade_on) * union, side)
    base *= shadow[..., None]
    visible: list[FloatArray] = []
    for fitted, items in zip(garments, coverage, strict=True):
        seen = np.zeros((h, w), np.float32)
        for li, _keep, hidden in items:
            alpha = composite_layer(base, fitted.layers[li], hidden, shading * folds, support)
            seen = (1.0 - (1.0 - seen) * (1.0 - alpha)).astype(np.float32)
        for j in range(len(visible)):
            visible[j] *= 1.0 - seen
        visible.append(seen)
    if drape.any() and visible:
        extend_fabric(base, drape, union, folds)
        # (The carried fabric belongs to the top layer of the upper garments: the last one.)
        visible[-1] = np.maximum(visible[-1], drape)
    out = np.clip(base + 0.5, 0, 255).astype(np.uint8)
    return out, tuple(visible)


__all__ = ["render_fitted"]
