"""Render fitted garments into a photo: remove the old garment, shade, layer, composite.

The steps are modules of their own (old_garment, old_garment_removal, drape, skin, background,
shading, composite); :func:`render_fitted` runs them in order on the box around the person.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace

import cv2
import numpy as np
import numpy.typing as npt

from fitroom.dressing.bare_legs import bare_legs_mask
from fitroom.dressing.composite import (
    TuckLine,
    composite_garments,
    cover_with,
    layer_coverage,
    occluders,
    old_top_in_front,
    place_layer,
)
from fitroom.dressing.drape import (
    DRAPE_REACH,
    SLEEVE_DRAPE_REACH,
    TOP_DRAPE_REACH,
    bridge_gaps,
    drape_allowed,
    drape_band,
    enclosed_gaps,
    extend_fabric,
    own_neck_openings,
    sleeve_drape_allowed,
)
from fitroom.dressing.forearm_ends import meet_old_cuffs
from fitroom.dressing.hem import meet_old_hem
from fitroom.dressing.limbs import Limbs, bare_stretches, limb_mask
from fitroom.dressing.lower_drape import (
    hand_fabric_band,
    lower_drape_allowed,
    lower_drape_band,
    old_lower_beside_hands,
)
from fitroom.dressing.lower_shading import LOWER_EDGE_SLOPE, lower_light
from fitroom.dressing.masks import grow_mask, per_channel
from fitroom.dressing.old_garment import OldGarment, analyse_old_garment
from fitroom.dressing.old_garment_removal import (
    old_dress_below_hem,
    old_garment_to_remove,
    remove_old_garment,
)
from fitroom.dressing.old_top_tail import old_top_tail, remove_old_top_tail
from fitroom.dressing.seams import seam_cracks
from fitroom.dressing.shading import (
    EDGE_SLOPE,
    LIGHT_POWER,
    LIGHT_RANGE,
    contact_shadow,
    fabric_luminance,
    fold_shading,
    low_frequency_shading,
    plain_fabric,
)
from fitroom.dressing.sleeve_ends import meet_old_sleeve_ends
from fitroom.fitting.fitted import FittedGarment, FittedLayer
from fitroom.vision.core import BodyParts

FloatArray = npt.NDArray[np.float32]
ByteArray = npt.NDArray[np.uint8]

#: How far beyond the legs' outline a skirt may hang, as a share of the thigh's length.
SKIRT_FLARE = 0.3


def skirt_hull(limbs: Limbs, shape: tuple[int, int]) -> FloatArray:
    """Where a skirt may hang: from the hips down to the ankles, across both legs and the gap
    between them, :data:`SKIRT_FLARE` wider on each side. float32 (H, W) in {0, 1}."""
    h, w = shape
    out = np.zeros((h, w), np.float32)
    legs = [(limbs.left_thigh, limbs.left_shin), (limbs.right_thigh, limbs.right_shin)]
    centre = 0.5 * float(limbs.left_thigh.bones[0][0] + limbs.right_thigh.bones[0][0])
    flare = SKIRT_FLARE * limbs.thigh
    sides = []
    for thigh, shin in legs:
        joints = [thigh.bones[0], thigh.bones[1], shin.bones[1]]
        radius = max(thigh.radius, shin.radius)
        sides.append(
            [
                (float(x) + np.sign(float(x) - centre or 1.0) * (radius + flare * k / 2), float(y))
                for k, (x, y) in enumerate(joints)
            ]
        )
    # (Hips, knees, ankles of one leg, then the other's back up: the hull's outline.)
    points = np.array(sides[0] + sides[1][::-1], np.float32)
    if not np.isfinite(points).all():
        return out
    cv2.fillPoly(out, [np.round(points).astype(np.int32)], 1.0)
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


def _crop_cut(
    cut: float | FloatArray | None, x0: int, x1: int, y0: int
) -> float | FloatArray | None:
    if cut is None:
        return None
    if isinstance(cut, np.ndarray):
        return np.ascontiguousarray(cut[x0:x1] - y0, dtype=np.float32)
    return cut - y0


def _cropped(fitted: FittedGarment, x0: int, y0: int) -> FittedGarment:
    """A fitted garment in the coordinates of a crop starting at (x0, y0)."""
    return replace(
        fitted,
        layers=tuple(
            FittedLayer(
                layer.part,
                (layer.box[0] - x0, layer.box[1] - y0, layer.box[2] - x0, layer.box[3] - y0),
                layer.rgba,
            )
            for layer in fitted.layers
        ),
        targets={k: (v[0] - x0, v[1] - y0) for k, v in fitted.targets.items()},
    )


def _tuck_rows(cut_below_y: Sequence[TuckLine] | None, width: int) -> FloatArray | None:
    """The highest tuck line of all garments, float32 (W,) rows per column, or None."""
    rows: FloatArray | None = None
    for cut in cut_below_y or ():
        if cut is None:
            continue
        line = np.broadcast_to(np.asarray(cut, np.float32), (width,))
        rows = line.copy() if rows is None else np.minimum(rows, line)
    return rows


def render_fitted(
    image: ByteArray,
    garments: Sequence[FittedGarment],
    parts: BodyParts,
    person_mask: FloatArray,
    *,
    cut_below_y: Sequence[TuckLine] | None = None,
    limbs: Limbs | None = None,
    frame_side: int | None = None,
    reach: float = 0.0,
    keep_old: bool = False,
    old: OldGarment | None = None,
    old_waistband: FloatArray | None = None,
) -> tuple[ByteArray, tuple[FloatArray, ...]]:
    """Dress the photo in fitted garments (first garment lowest).

    Old fabric the new garments leave uncovered is repainted (see
    :mod:`fitroom.dressing.old_garment_removal`): on a limb beyond its radius as background
    (loose sleeve fabric), elsewhere as the person's skin, shaded round on the limbs; an old
    dress stays below a new top's hem.

    Args:
        image: uint8 (H, W, 3) RGB photo.
        garments: fitted garments in layering order (later ones drawn on top).
        parts: the person's body-part map.
        person_mask: float32 (H, W) person mask in [0, 1].
        cut_below_y: per garment, where its torso panel is tucked in: a row below which it is
            hidden, or float32 (W,) such rows per column (a waistband's curve), or None.
        limbs: the person's arms and legs. Old-garment pixels on a limb farther than its radius
            from its bones are loose fabric: the background is painted there, not skin; the
            shoulders' and the torso's round shapes come from the limbs' first joints, and the
            shoes below each leg's ankle stay. None: no limb-aware repainting.
        frame_side: the longer side of the whole photo when ``image`` is a crop of it (sizes
            of soft edges and shadows follow the photo, not the crop).
        reach: how many pixels beyond the person's outline a garment may show, on top of a
            1% margin of the photo's longer side (a loose size stands off the body).
        keep_old: leave the old garment as it is where the new ones do not cover it (no skin
            or background repainted): for a pose too unreliable to say where the body is.
        old: the photo's :class:`~fitroom.dressing.old_garment.OldGarment` (worked out here
            when not given).
        old_waistband: float32 (W,): per column the top row of the trousers or skirt the
            person wears, given when only lower garments are tried on: the person's own top
            stays in front of them above it (see
            :func:`~fitroom.dressing.composite.old_top_in_front`).

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
        # photo outside it does not change. (The old garment is read on the whole photo.)
        old = (old or analyse_old_garment(parts, person_mask, image)).cropped(by0)
        crop_parts = BodyParts(
            np.ascontiguousarray(parts.labels[by0:by1, bx0:bx1]),
            np.ascontiguousarray(parts.skin[by0:by1, bx0:bx1]),
        )
        crop_out, crop_visible = render_fitted(
            np.ascontiguousarray(image[by0:by1, bx0:bx1]),
            [_cropped(fitted, bx0, by0) for fitted in garments],
            crop_parts,
            np.ascontiguousarray(person_mask[by0:by1, bx0:bx1]),
            cut_below_y=None
            if cut_below_y is None
            else [_crop_cut(c, bx0, bx1, by0) for c in cut_below_y],
            limbs=None if limbs is None else limbs.shifted(np.array([bx0, by0], np.float32)),
            frame_side=max(full_h, full_w),
            reach=reach,
            keep_old=keep_old,
            old=old,
            old_waistband=None
            if old_waistband is None
            else np.ascontiguousarray(old_waistband[bx0:bx1] - by0, dtype=np.float32),
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
    support = grow_mask(person > 0.5, grow)
    if limbs is not None:
        # Below the hips a skirt or a dress hangs across the gap between the legs and a little
        # wider than them: cut to the person's outline there it would become two tubes round
        # the legs. The garment's own shape decides within the legs' hull (trouser legs have
        # their own gap), not beyond it.
        support = np.maximum(support, skirt_hull(limbs, (h, w)))
    old = old or analyse_old_garment(parts, person, image)
    regions = {fitted.region for fitted in garments}
    new_dress = "full" in regions
    upper = new_dress or "upper" in regions
    old_mask, lower_old = old_garment_to_remove(
        image,
        parts,
        person,
        upper=upper,
        lower="lower" in regions,
        cut_below_y=cut_below_y,
        limbs=limbs,
        old=old,
    )
    if not keep_old and "upper" in regions:
        # A top ending a little above the old top's hem is lengthened to it (no band of
        # painted belly, nor a strip of the old top, between the two hems).
        old_top = old_mask * (1.0 - lower_old)
        # (The old cuffs hang beside the hips, below the old top's hem row.)
        old_sleeves = old_top.copy()
        if old.hem_row is not None:
            # (A top over clothes of a shade of its colour: it ends where the shade turns.)
            old_top[max(0, old.hem_row) :] = 0.0
        if not old.continues_below or old.hem_row is not None:
            # (An old top the colour of the trousers below it has no hem the photo shows:
            # its mask runs on to the part map's hip line.)
            garments = [meet_old_hem(fitted, old_top, parts) for fitted in garments]
        if limbs is not None:
            # Likewise a short sleeve ending a little above the old sleeve's end.
            garments = [meet_old_sleeve_ends(f, limbs, old_top, parts) for f in garments]
            # And a long sleeve ending a little above the old cuff's end.
            # (Its cuff on the hand's label is old fabric then, under the new sleeve.)
            met = [
                meet_old_cuffs(f, limbs, old_sleeves, parts, image, old.chest_lab) for f in garments
            ]
            garments = [fitted for fitted, _ in met]
            for _, cuffs in met:
                np.maximum(old_mask, cuffs, out=old_mask)
        # (Frame-sized arrays are let go as soon as they are done with: the fewer live at the
        # render's peak, the fewer fresh pages later arrays fault in.)
        del old_top, old_sleeves
    if not keep_old and "lower" in regions:
        # The part map's hands are blobs wider than the hands: round a hand in a pocket they
        # take in the old trousers' pocket and waist. Kept in front of the new ones, those
        # stayed as holes filled with carried fabric, flat patches beside the hand (or the
        # hand's own pixels smeared grey); as old fabric (out of the hands in front, see
        # occluders) the new garment is drawn there, its own texture up to the hand's skin.
        under = np.zeros((h, w), np.float32)
        for fitted in garments:
            if fitted.region == "lower":
                for layer in fitted.layers:
                    np.maximum(under, place_layer(layer, (w, h)), out=under)
        pockets = old_lower_beside_hands(image, parts, person, lower_old) * (under > 0.5)
        if pockets.any():
            np.maximum(lower_old, pockets, out=lower_old)
            np.maximum(old_mask, pockets, out=old_mask)
        del under, pockets
    lower_front = None
    if old_waistband is not None and not keep_old:
        lower_front = old_top_in_front(parts, person, old_waistband)
    coverage = layer_coverage(
        garments,
        parts,
        support,
        cut_below_y,
        image,
        lower_front,
        old_fabric=None if keep_old else old_mask,
    )
    union = np.zeros((h, w), np.float32)
    panels = np.zeros((h, w), np.float32)  # the torso panels alone
    for fitted, items in zip(garments, coverage, strict=True):
        for item in items:
            cover_with(union, item.keep)
            if fitted.layers[item.index].part == "torso":
                np.maximum(panels, item.keep, out=panels)
    if not union.any():
        return image.copy(), tuple(np.zeros((h, w), np.float32) for _ in garments)
    if new_dress:
        # A new dress replaces an old dress whole, the skirt below its hem too.
        skirt = old_dress_below_hem(image, parts, person, union, limbs, old)
        old_mask = np.maximum(old_mask, skirt)
    base = image.astype(np.float32)
    shading = low_frequency_shading(image, old_mask)
    drape = np.zeros((h, w), np.float32)
    gaps = np.zeros((h, w), np.float32)
    if not keep_old and upper:
        # Where the old top reaches only a little beyond the new one (shoulders, sides, under
        # the arms), the new fabric is carried out to the old outline (drawn after the layers,
        # and not repainted as skin or background before).
        shoulders_y = None
        if limbs is not None:
            shoulders_y = max(float(limbs.left_arm.bones[0][1]), float(limbs.right_arm.bones[0][1]))
        allowed = drape_allowed(parts, cut_below_y, shoulders_y)
        # (Not into a garment's own neck opening: that is its neckline, not a rim.)
        openings = own_neck_openings(garments, (h, w))
        allowed *= 1.0 - openings
        bare_arms = None
        if limbs is not None:
            bare_arms = limb_mask((h, w), bare_stretches([limbs.left_arm, limbs.right_arm], union))
        uncovered = 1.0 - union  # (the old fabric the new garments leave)
        uncovered *= old_mask
        drape = drape_band(
            uncovered, union, allowed, side, DRAPE_REACH if new_dress else TOP_DRAPE_REACH
        )
        if bare_arms is not None:
            sleeves = sleeve_drape_allowed(parts, bare_arms) * (1.0 - allowed)
            sleeve_band = drape_band(uncovered, union, sleeves, side, SLEEVE_DRAPE_REACH)
            drape = np.maximum(drape, sleeve_band)
            del sleeves, sleeve_band
        # Between a sleeve and the body panel the fabric is carried across narrow gaps.
        gaps = enclosed_gaps(uncovered, union, _tuck_rows(cut_below_y, w), side)
        gaps *= 1.0 - openings
        if bare_arms is not None and gaps.any():
            # Not over a bare arm (below a short sleeve, between the body and the sleeve's
            # flared end): that is the arm, repainted as skin.
            gaps = gaps * (1.0 - bare_arms)
        del allowed, bare_arms, uncovered
    elif not keep_old and "lower" in regions:
        # Likewise new trousers, shorts or a skirt out to the old ones' outline, outwards only.
        crotch = [f.targets["crotch"][1] for f in garments if "crotch" in f.targets]
        drape = lower_drape_band(
            lower_old * (1.0 - union),
            union,
            lower_drape_allowed(parts),
            side,
            min(crotch) if crotch else None,
        )
        # Old trousers the part map gave to the hands, where they meet the new ones: carried
        # over by their fabric. (Removed, they left patches of painted skin or background
        # beside the hand; kept, a piece of the old leggings or jeans at the hip.)
        carried = hand_fabric_band(image, parts, person, lower_old, union, limbs, side)
        if carried.any():
            lower_old = np.maximum(lower_old, carried)
            old_mask = np.maximum(old_mask, carried)
            drape = np.maximum(drape, carried)
    if drape.any() or gaps.any():
        # (No crack between the garment's edge and the fabric carried beyond it: see seams.)
        np.maximum(drape, seam_cracks(union, np.maximum(drape, gaps), old_mask), out=drape)
    if not keep_old:
        covered = np.maximum(drape, gaps)
        np.maximum(union, covered, out=covered)
        base = remove_old_garment(
            base,
            image,
            parts,
            person,
            old_mask=old_mask,
            lower_old=lower_old,
            union=covered,
            panels=panels,
            shading=shading,
            limbs=limbs,
            old=old,
            # (An old dress stays below a new top's hem, not below a new dress's.)
            upper=upper and not new_dress,
            side=side,
        )
        if upper and "lower" not in regions:
            # An old coat's tail over the legs (new trousers remove it with the old ones).
            tail = old_top_tail(parts, person, image, old, old_mask)
            base = remove_old_top_tail(base, parts, person, tail, union, limbs, side)
            del tail
    # No shadow on the face, hair and neck (whose label often reaches into the chin and hair).
    shade_on = person * (1.0 - occluders(parts, float(h), False))
    shadow_on = shade_on
    if not upper and not keep_old and limbs is not None and lower_old.any():
        # Not where the old trousers were, beyond the bare legs, and nothing new is drawn:
        # that is background painted just now, and a shadow there drew a grey halo along the
        # new legs' outline (a blurry edge, said a blind review). (On a bare leg below new
        # shorts the hem's shadow stays.)
        behind = lower_old * (1.0 - covered)
        behind *= 1.0 - bare_legs_mask(parts, limbs, covered)
        shadow_on = shade_on * (1.0 - behind)
    if not keep_old:
        del covered
    shadow = contact_shadow(union, shadow_on, sigma=max(2.0, 0.006 * side))
    # (Only the shadow's box: elsewhere its factor is exactly 1.)
    sx, sy, sw, sh = cv2.boundingRect(np.ascontiguousarray(shadow != 1.0).view(np.uint8))
    base[sy : sy + sh, sx : sx + sw] *= per_channel(shadow[sy : sy + sh, sx : sx + sw])
    del shadow
    # The photo's folds on the new fabric, read from what the person wore and their body there.
    # (The old fabric's weave goes only on a new fabric about as dark: see fold_shading.)
    lower_only = regions == {"lower"} and not keep_old
    folds = fold_shading(
        image,
        np.maximum(old_mask, shade_on) * union,
        side,
        fabric_luminance(garments),
        # (Lower garments alone: see LOWER_EDGE_SLOPE.)
        LOWER_EDGE_SLOPE if lower_only else EDGE_SLOPE,
    )
    # (The old garment's slow light is damped: a dark belt or waistband under a top is not
    # light, and at full strength it would show through the new garment as a dark band.)
    # (Only where a garment is drawn: elsewhere the light multiplies nothing.)
    light = np.ones((h, w), np.float32)
    bx, by, bw, bh = cv2.boundingRect((union > 0.0).view(np.uint8))
    drawn = (slice(by, by + bh), slice(bx, bx + bw))
    if upper:
        # (A top's or a dress's light is read round the old one's prints: see plain_fabric.)
        shading = low_frequency_shading(image, plain_fabric(image, old_mask))
    if lower_only:
        # (Lower garments alone: the light at the new garment's own exposure, see lower_light.)
        light[drawn] = lower_light(shading[drawn], folds[drawn], union[drawn])
    else:
        light[drawn] = np.clip(shading[drawn], *LIGHT_RANGE) ** LIGHT_POWER * folds[drawn]
    # (Not needed below: let go before the layers' own arrays are made.)
    del shading, shade_on, old_mask, lower_old, panels, person
    visible = composite_garments(base, garments, coverage, light, support)
    if drape.any() and visible:
        extend_fabric(base, drape * (1.0 - gaps), union, folds)
        if not upper:
            # (Only lower garments: the carried fabric is theirs, the top layer's.)
            visible[-1] = np.maximum(visible[-1], drape)
    if gaps.any() and visible:
        bridge_gaps(base, gaps, union)
        drape = np.maximum(drape, gaps)
        # (The carried fabric belongs to the top layer: the last garment.)
        visible[-1] = np.maximum(visible[-1], drape)
    base += 0.5
    np.clip(base, 0, 255, out=base)
    return base.astype(np.uint8), tuple(visible)


__all__ = ["SKIRT_FLARE", "render_fitted", "skirt_hull"]
