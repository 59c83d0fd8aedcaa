"""Where the old garment is removed: old fabric the new garments leave uncovered is repainted.

On a limb beyond its radius, beside the new garment's body, above the shoulders' round tops
and between new trouser legs it is loose fabric: what lay behind it (the background) is painted
there. Elsewhere it is the person's skin, shaded round on the limbs. An old dress goes on under
a new top below its hem, like a skirt.

Images are float32 (H, W, 3) RGB in [0, 255] while being rendered (uint8 for the photo itself);
masks float32 (H, W) in [0, 1].
"""

from __future__ import annotations

from collections.abc import Sequence

import cv2
import numpy as np
import numpy.typing as npt

from fitroom.dressing.background import fill_with_background
from fitroom.dressing.bare_arms import beyond_arm_outlines, neck_and_shoulder_slopes, shoulder_radii
from fitroom.dressing.bare_legs import LEG_ORDER, bare_leg_rows, bare_legs_mask
from fitroom.dressing.composite import TuckLine
from fitroom.dressing.limbs import Limbs, bare_stretches, limb_mask
from fitroom.dressing.masks import (
    box_of,
    grown_in_box,
    labels_mask,
    smooth_edges,
    snap_to_edges,
)
from fitroom.dressing.old_border import erase_old_border
from fitroom.dressing.old_garment import (
    OldGarment,
    below_hem,
    old_garment_mask,
    old_lower_garment_mask,
    old_skirt_mask,
    wide_skirt,
    without_shaded_skin,
)
from fitroom.dressing.skin import cut_arm_creases, fill_with_skin
from fitroom.dressing.skin_edges import person_now, skin_outline_in_photo
from fitroom.dressing.skin_texture import skin_texture
from fitroom.vision.core import ARM_PARTS, HAND_PARTS, LEG_PARTS, BodyPart, BodyParts

FloatArray = npt.NDArray[np.float32]
ByteArray = npt.NDArray[np.uint8]

#: Window of the old top's edge snapping, as a share of the photo's longer side (about the
#: body-part map's staircase step).
OLD_EDGE_SNAP = 0.012


def old_garment_to_remove(
    image: ByteArray,
    parts: BodyParts,
    person: FloatArray,
    *,
    upper: bool,
    lower: bool,
    cut_below_y: Sequence[TuckLine] | None,
    limbs: Limbs | None,
    old: OldGarment,
) -> tuple[FloatArray, FloatArray]:
    """(all old fabric the new garments replace, the old trousers or skirt alone), float32
    (H, W) each: the old top when a new ``upper`` garment is worn, the old trousers or skirt
    when a new ``lower`` one is (not the shoes below the ankles)."""
    h, w = person.shape
    rows = np.arange(h, dtype=np.float32)[:, None]
    old_mask = np.zeros((h, w), np.float32)
    lower_old = np.zeros((h, w), np.float32)
    if upper:
        top = old_garment_mask(parts, person, image, old)
        if top.any():
            # The part map's outline of a sleeve is a staircase a few pixels off the sleeve's
            # real edge: what it leaves outside stays as a coloured rim beside the repainted
            # arm. Snapped to the photo's edges it reaches the sleeve's own outline (only
            # outwards, by at most a window: what the old mask holds stays).
            step = max(2, round(OLD_EDGE_SNAP * max(h, w)))
            top = np.maximum(top, snap_to_edges(top, image, step))
        old_mask = np.maximum(old_mask, top)
        arms = labels_mask(parts.labels, ARM_PARTS)
        for limit in cut_below_y or ():
            if isinstance(limit, np.ndarray):
                # Below the waistband found in the photo lie the person's own trousers or
                # skirt (a leopard print's dark spots may look like a black top): not old top.
                # Sleeves hanging beside them are.
                old_mask = old_mask * (arms | (rows < limit[None, :]))
        if old.continues_below and old.hem_row is not None:
            # Nor the clothes below the old top's hem that the colour test reads as more of it
            # (black jeans under a black cami): they stay as the photo has them, and no new
            # fabric is carried down over them. The sleeves and cuffs beside them are old top
            # (the part map's outline of them rounded: its steps cut notches of old fabric
            # into the trousers).
            sleeves = smooth_edges(arms | labels_mask(parts.labels, HAND_PARTS))
            sleeves[: max(0, old.hem_row)] = 1.0
            old_mask = old_mask * sleeves
    if lower:
        lower_old = old_lower_garment_mask(parts, person)
        if limbs is not None:
            # The shoes below the ankles are not trousers: they stay.
            for i, leg in enumerate(LEG_ORDER):
                ankle_y = limbs.ankle_row(i)
                lower_old = lower_old * ~((rows > ankle_y) & (parts.labels == int(leg)))
        old_mask = np.maximum(old_mask, lower_old)
    return old_mask, lower_old


def old_dress_below_hem(
    image: ByteArray,
    parts: BodyParts,
    person: FloatArray,
    union: FloatArray,
    limbs: Limbs | None,
    old: OldGarment,
) -> FloatArray:
    """The skirt of an old dress below a new dress's hem (``union``: where the new garments
    show), float32 (H, W) in [0, 1]: it goes with the rest of the old dress, and the legs there
    are the person's own. Trousers, leggings, shoes and boots of other colours are not in it
    (see :func:`~fitroom.dressing.old_garment.old_skirt_mask`), nor anything below the ankles.
    """
    skirt = old_skirt_mask(parts, person, image, old)
    if limbs is not None:
        # (Black shoes under a black dress are coloured like it: below the ankles they stay.)
        ankles = min(limbs.ankle_row(0), limbs.ankle_row(1))
        if np.isfinite(ankles):
            skirt[max(0, round(ankles)) :] = 0.0
    if not skirt.any():
        return skirt
    skirt *= below_hem(union, np.ones_like(union), margin=0.0)
    skirt = wide_skirt(without_shaded_skin(skirt, parts, image, old))
    out: FloatArray = cv2.GaussianBlur(skirt, (0, 0), 1.0)
    return out


def outer_slivers(
    loose: npt.NDArray[np.bool_], exposed: FloatArray, person: FloatArray, sigma: float
) -> FloatArray:
    """Thin strips of loose fabric on the person's outline that rounding ``loose`` (by
    ``sigma``) would drop: float32 (H, W) in {0, 1}.

    An old sleeve a few pixels wider than the new one beside it leaves a strip of loose fabric
    too thin to survive the rounding; painted as skin instead, it drew a skin-coloured streak
    along the new sleeve's outer edge. Kept are the strip's pixels with no skin to be painted
    (``exposed`` and not ``loose``) and some background (``person`` < 0.5) within two
    ``sigma``: inside the outline (between a sleeve and the body) the rounding decides.
    """
    out = np.zeros(loose.shape, np.float32)
    reach = max(1, round(2 * sigma))
    bx, by, bw, bh = cv2.boundingRect(np.ascontiguousarray(loose).view(np.uint8))
    if bw == 0 or bh == 0:
        return out
    h, w = loose.shape
    y0, y1 = max(0, by - reach), min(h, by + bh + reach)
    x0, x1 = max(0, bx - reach), min(w, bx + bw + reach)
    k = cv2.getStructuringElement(cv2.MORPH_ELLIPSE, (2 * reach + 1, 2 * reach + 1))
    box = (slice(y0, y1), slice(x0, x1))
    skin = np.ascontiguousarray((exposed[box] > 0.5) & ~loose[box]).view(np.uint8)
    outside = np.ascontiguousarray(person[box] < 0.5).view(np.uint8)
    keep = loose[box] & (cv2.dilate(skin, k) == 0) & (cv2.dilate(outside, k) > 0)
    out[box] = keep
    return out


def remove_old_garment(
    base: FloatArray,
    image: ByteArray,
    parts: BodyParts,
    person: FloatArray,
    *,
    old_mask: FloatArray,
    lower_old: FloatArray,
    union: FloatArray,
    panels: FloatArray,
    shading: FloatArray,
    limbs: Limbs | None,
    old: OldGarment,
    upper: bool,
    side: int,
) -> FloatArray:
    """Repaint the old fabric the new garments leave uncovered (see the module docstring).

    Args:
        base: float32 (H, W, 3) the photo being rendered, repainted in place and returned.
        image: uint8 (H, W, 3) the photo.
        parts, person: its body-part map and person mask.
        old_mask, lower_old: see :func:`old_garment_to_remove`.
        union: float32 (H, W): where any new garment shows.
        panels: float32 (H, W): where the new torso panels show.
        shading: float32 (H, W): the old garment's light (1 = median).
        limbs: the arms and legs (None: no limb-aware repainting).
        old: the old garment's analysis.
        upper: a new upper garment is worn.
        side: the whole photo's longer side (soft edges follow it).
    """
    h, w = person.shape
    sleeve_off_arm = None
    # (Whole-frame products are worked out in place where the values are the same: each new
    # frame-sized array costs its pages' faults too.)
    exposed = 1.0 - union
    exposed *= old_mask
    if upper and exposed.any() and old.continues_below:
        # The old garment is a dress (or a tunic) going on over the thighs: below the new top's
        # hem it stays, worn under the top like a skirt, instead of a band of painted skin
        # between the new hem and the old skirt part.
        # Everything but the arms and hands (old cuffs): the torso and the soft rim of the
        # old-garment mask on the legs (limiting to the torso label would leave a seam along
        # the torso/leg boundary).
        not_arms = (~labels_mask(parts.labels, (*ARM_PARTS, *HAND_PARTS))).astype(np.float32)
        stays = below_hem(union, exposed * not_arms, margin=max(2.0, 0.01 * side))
        if old.hem_row is not None:
            # Clothes of a shade of its colour go on below its hem (a black cami over black
            # jeans): the old top itself ends there, and above it is removed like any top.
            stays[: max(0, old.hem_row)] = 0.0
        stays = cv2.GaussianBlur(cv2.dilate(stays, np.ones((5, 5), np.uint8)), (0, 0), 1.0)
        exposed = exposed * (1.0 - stays)
    if not exposed.any():
        return base
    # (Beside the torso panels: between a panel and a long sleeve lies no body either.)
    loose = exposed * beside_body(panels if panels.any() else union, parts)
    if limbs is not None:
        limb_labels = labels_mask(parts.labels, (*ARM_PARTS, *LEG_PARTS))
        # Only the bare stretches of the limbs: where a new sleeve or trouser leg covers
        # the bone, the limb is inside it, and old fabric left beside it is loose.
        bare = bare_stretches(limbs.all, union)
        not_limbs = 1.0 - limb_mask((h, w), [*bare, limbs.shoulder_line()])
        # An arm is narrower at the wrist than at the shoulder: an old sleeve's fabric beyond
        # the arm's own outline is loose too (painted as skin, it drew a band wider than the arm).
        radii = shoulder_radii(parts, limbs)
        slopes = neck_and_shoulder_slopes(parts, limbs, radii)
        sleeve_off_arm = beyond_arm_outlines((h, w), limbs, parts, slopes, radii)
        np.maximum(not_limbs, sleeve_off_arm, out=not_limbs)
        loose *= not_limbs
        on_limbs = exposed * limb_labels
        on_limbs *= not_limbs
        np.maximum(loose, on_limbs, out=loose)
        # The old sleeve's rim the part map calls backdrop, beside its fabric beyond the arm's
        # outline (a white tape along a black sleeve's edge): no body there either (painted as
        # skin, it drew the old sleeve's outline round the bare arm).
        # (Only when the old top goes: otherwise its sleeves stay, and so does their rim.)
        if upper:
            rim = grown_in_box(sleeve_off_arm.astype(np.float32), max(2, round(0.01 * side)))
            backdrop = parts.labels == int(BodyPart.BACKGROUND)
            np.maximum(loose, exposed * ((rim > 0.5) & backdrop), out=loose)
            del rim, backdrop
        # Above the shoulders' round tops lies what was behind a wide collar or a puffed
        # sleeve head, not skin (the part map's torso reaches up there in steps).
        above = limbs.above_shoulders(parts)
        # (Not the neck and the slopes from it to the shoulders' tops: the body is there.)
        above[slopes] = 0.0
        above *= exposed * not_limbs
        np.maximum(loose, above, out=loose)
        # (Frame-sized arrays are let go as soon as they are done with: the fewer live at the
        # render's peak, the fewer fresh pages the next arrays fault in.)
        del limb_labels, not_limbs, on_limbs, above
        # The split between skin and what lay behind follows the part map's staircase
        # outlines: rounded, so the repainted limbs and shoulders have smooth edges.
        raw = loose > 0.5
        sigma = max(1.5, 0.005 * side)
        # (On the arms below the shoulders only: near the neck and the hair, where the part
        # map's arm labels may reach, the rounding decides as before.)
        arms = labels_mask(parts.labels, ARM_PARTS)
        shoulders_y = max(float(limbs.left_arm.bones[0][1]), float(limbs.right_arm.bones[0][1]))
        if np.isfinite(shoulders_y):
            arms[: max(0, int(np.ceil(shoulders_y)))] = False
        slivers = outer_slivers(raw, exposed, person, sigma) * arms
        loose = np.maximum(smooth_edges(raw, sigma), slivers)
        loose = loose * exposed
        del raw, arms, slivers
    if lower_old.any():
        # Between the new trouser legs lies what was between the old ones: the background
        # (the legs are inside the new trousers), not skin.
        loose = np.maximum(loose, exposed * lower_old * between_columns(union))
        if limbs is not None:
            # Old trousers or shorts the new ones leave are bare legs only within the legs'
            # own width, measured where the photo shows them bare (a thigh narrows to the
            # knee): beyond it, and where an arm's capsule crosses the hips, they are what lay
            # behind (painted as skin there, the legs came out as wide as the old shorts).
            legs = bare_legs_mask(parts, limbs, union)
            legs = smooth_edges(legs > 0.5, max(1.5, 0.005 * side))
            # (All of the old fabric's soft rim too: a faint rim of skin drew its outline.)
            near_old = (lower_old > 0.02).astype(np.float32)
            beyond = exposed * near_old * (1.0 - legs)
            if beyond.any():
                # On rows where a leg shows mostly skin, the leg is bare there (the old shorts
                # ended above): what the part map calls fabric on it is shaded or dark skin it
                # missed, not a trouser leg wider than the leg.
                run = max(2, round(0.02 * side))
                beyond = beyond * (1.0 - bare_leg_rows(parts, person, run))
                loose = np.maximum(loose, beyond)
            del legs, near_old, beyond
    # Old fabric outside the person's outline (the soft rim of the old garment's mask, snapped
    # out to the photo's edges) is what lay behind it, never skin: partly repainted as skin, it
    # drew an orange haze along the whole old outline. (Not grown like ``loose``: it is itself
    # the rim.)
    beyond_person = exposed * (person < 0.5)
    removed = None
    if loose.any() or beyond_person.any():
        # The old fabric's dark outline lies on the soft rim of the masks (or just outside
        # the person mask): the background fill reaches a few pixels further out, so no
        # ghost of the old sleeve or trouser leg stays.
        reach_out = max(2, round(0.01 * side))
        # (Not onto the person's kept parts: skin, hair, hands, the shoes.)
        kept = person * (1.0 - old_mask) >= 0.6
        if sleeve_off_arm is not None and upper:
            # (Nor the old sleeve's trim of another colour beyond the arm's outline, a white
            # tape along a black sleeve: kept, it drew the old sleeve's outline in white.)
            kept &= ~((sleeve_off_arm > 0) & (parts.skin < 0.5))
        if loose.any():
            # (The rim and the region in one array: one frame-sized array fewer at the peak.)
            region = grown_in_box(loose, reach_out)
            region *= ~kept
            region *= 1.0 - union
            np.maximum(region, loose, out=region)
        else:
            region = loose.copy()
        np.maximum(region, beyond_person, out=region)
        base = fill_with_background(base, region, avoid=np.maximum(person, old_mask), out=base)
        del region, kept
        removed = np.maximum(loose, beyond_person)
        exposed -= removed
    del loose, beyond_person
    # Where the skin meets the background its outline is redrawn smooth, over the background
    # (not over the old fabric's soft rim: that drew a halo of its colour round the skin).
    exposed, field = skin_outline_in_photo(
        base, exposed, image, parts, person, old_mask, union, removed, old.chest_lab, side
    )
    # Repainted arms, legs and the chest are round: darker towards their sides.
    grain, mottle = skin_texture(image, parts)
    box = box_of(exposed)
    outline = person_now(person, union, removed, box, round(0.1 * side))
    # (Where an arm lies against the torso, the torso's side turns away: lit as at an outline.)
    cut_arm_creases(outline, parts.labels, side)
    base = fill_with_skin(
        base,
        exposed,
        field,
        shading,
        [] if limbs is None else [*limbs.all, limbs.torso_line()],
        garment_lab=old.chest_lab,
        grain=grain,
        mottle=mottle,
        outline=outline,
        # (The photo's own skin that stays beside the repainted skin: joined without a step.)
        own_skin=parts.skin,
        covered=union,
        out=base,
    )
    return erase_old_border(base, exposed, image, parts, person, union, removed, side)


def beside_body(union: FloatArray, parts: BodyParts) -> FloatArray:
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


def between_columns(coverage: FloatArray) -> FloatArray:
    """Pixels not covered but with covered pixels to their left and right on the same row (the
    gap between two trouser legs), float32 (H, W) in {0, 1}."""
    covered = coverage > 0.5
    left = np.maximum.accumulate(covered, axis=1)
    right = np.maximum.accumulate(covered[:, ::-1], axis=1)[:, ::-1]
    out: FloatArray = (left & right & ~covered).astype(np.float32)
    return out


__all__ = [
    "OLD_EDGE_SNAP",
    "beside_body",
    "between_columns",
    "old_dress_below_hem",
    "old_garment_to_remove",
    "outer_slivers",
    "remove_old_garment",
]
