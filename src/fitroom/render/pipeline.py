"""Render fitted garments into a photo: remove the old garment, shade, layer, composite."""

from __future__ import annotations

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
    old_garment_mask,
    old_lower_garment_mask,
    skin_colour,
)
from fitroom.vision.core import ARM_PARTS, HAND_PARTS, LEG_PARTS, BodyPart, BodyParts

FloatArray = npt.NDArray[np.float32]
ByteArray = npt.NDArray[np.uint8]


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
    body_rows = width >= 0.8 * float(width.max())
    margin = max(2, round(0.01 * max(h, w)))
    cols = np.arange(w)[None, :]
    beside = (cols < (left - margin)[:, None]) | (cols > (right + margin)[:, None])
    torso = parts.labels == int(BodyPart.TORSO)
    out[beside & body_rows[:, None] & torso] = 1.0
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
        frame_side: the longer side of the whole photo when ``image`` is a crop of it (sizes
            of soft edges and shadows follow the photo, not the crop).
        reach: how many pixels beyond the person's outline a garment may show, on top of a
            1% margin of the photo's longer side (a loose size stands off the body).

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
    fronts: dict[tuple[float | None, bool], FloatArray] = {}  # occluders, shared by layers
    for gi, fitted in enumerate(garments):
        neck = fitted.targets.get("neck_center")
        items = []
        limit = None if cut_below_y is None else cut_below_y[gi]
        for li, layer in enumerate(fitted.layers):
            key = (None if neck is None else float(neck[1]), layer.part == "torso")
            if key not in fronts:
                fronts[key] = occluders(parts, key[0], key[1])
            hidden = fronts[key]
            if limit is not None and layer.part == "torso":
                # Only the body panel goes into the waistband; sleeves hang free.
                below = np.clip((rows - limit) / 3.0, 0.0, 1.0)
                hidden = np.maximum(hidden, np.broadcast_to(below, hidden.shape))
            keep = _layer_keep(layer.box, layer.rgba[..., 3], hidden, support)
            items.append((li, keep, hidden))
        coverage.append(items)
    union = np.zeros((h, w), np.float32)
    for items in coverage:
        for _, keep, _ in items:
            union = (1.0 - (1.0 - union) * (1.0 - keep)).astype(np.float32)
    if not union.any():
        return image.copy(), tuple(np.zeros((h, w), np.float32) for _ in garments)
    base = image.astype(np.float32)
    regions = {fitted.region for fitted in garments}
    old = np.zeros((h, w), np.float32)
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
        old = np.maximum(old, old_lower_garment_mask(parts, person))
    shading = low_frequency_shading(image, old)
    exposed = old * (1.0 - union)
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
    if exposed.any():
        loose = exposed * _beside_body(union, parts)
        if limbs:
            limb_labels = labels_mask(parts.labels, (*ARM_PARTS, *LEG_PARTS)).astype(np.float32)
            not_limbs = 1.0 - limb_mask((h, w), limbs)
            loose = np.maximum(loose * not_limbs, exposed * limb_labels * not_limbs)
        if loose.any():
            base = fill_with_background(base, loose, avoid=np.maximum(person, old))
            exposed = exposed - loose
        # Repainted arms and legs are round: darker towards their sides.
        base = fill_with_skin(base, exposed, skin_colour(image, parts), shading, limbs)
    # No shadow on the face, hair and neck (whose label often reaches into the chin and hair).
    shade_on = person * (1.0 - occluders(parts, float(h), False))
    shadow = contact_shadow(union, shade_on, sigma=max(2.0, 0.006 * side))
    base *= shadow[..., None]
    visible: list[FloatArray] = []
    for fitted, items in zip(garments, coverage, strict=True):
        seen = np.zeros((h, w), np.float32)
        for li, _keep, hidden in items:
            alpha = composite_layer(base, fitted.layers[li], hidden, shading, support)
            seen = (1.0 - (1.0 - seen) * (1.0 - alpha)).astype(np.float32)
        for j in range(len(visible)):
            visible[j] *= 1.0 - seen
        visible.append(seen)
    out = np.clip(base + 0.5, 0, 255).astype(np.uint8)
    return out, tuple(visible)


__all__ = ["render_fitted"]
