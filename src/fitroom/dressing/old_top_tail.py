"""Where an old coat's tail over the legs is found and removed.

A coat, a long cardigan or a tunic worn open over trousers hangs down over the thighs, and the
part map calls what lies over the legs leg: the old top's mask
(:func:`~fitroom.dressing.old_garment.old_garment_mask`: torso and arms) leaves it, and below a
new top's hem the old coat stayed whole. :func:`old_top_tail` finds it; :func:`remove_old_top_tail`
repaints it, as the trousers within the legs' width and as the background beyond.

Images are uint8 (H, W, 3) RGB (float32 in [0, 255] while being rendered); masks float32 (H, W)
in [0, 1]; colours Lab (OpenCV float).
"""

from __future__ import annotations

import cv2
import numpy as np
import numpy.typing as npt

from fitroom.dressing.background import fill_with_background
from fitroom.dressing.limbs import Limbs, limb_mask
from fitroom.dressing.masks import grown_in_box, labels_mask, pick, smooth_edges
from fitroom.dressing.old_garment import OldGarment
from fitroom.vision.core import HAND_PARTS, LEG_PARTS, BodyPart, BodyParts

FloatArray = npt.NDArray[np.float32]
ByteArray = npt.NDArray[np.uint8]


#: How far the photo is blurred before the old top's tail is told from the trousers, as a share
#: of its longer side (a tweed's specks and a pair of jeans' seams are not colours of their own).
TAIL_BLUR = 0.008

#: A tail pixel is within this ΔE76 of a colour of the old top's chest, and this much nearer
#: to it than to the trousers' colour (:data:`TAIL_MARGIN`).
TAIL_NEAR = 25.0
TAIL_MARGIN = 10.0

#: A tail reaches at least this share of the photo's longer side down from the legs' top (a
#: coat, a long cardigan); shorter, it is an old hem below a waistband and is left alone.
TAIL_MIN_DROP = 0.1


#: The legs must end (the feet) at least this share of the photo's height above its bottom edge.
LEGS_END_MARGIN = 0.01


def old_top_tail(
    parts: BodyParts,
    person: FloatArray,
    image: ByteArray,
    old: OldGarment,
    top: FloatArray,
) -> FloatArray:
    """The old top's tail the part map calls leg: float32 (H, W) in {0, 1}.

    A coat, a long cardigan or a tunic worn open over trousers hangs down over the thighs, and
    the part map calls what lies over the legs leg, so :func:`old_garment_mask` (torso and arms)
    leaves it: below a new top's hem the old coat stayed whole. Its pixels are leg pixels, not
    skin, inside the person, coloured (on the photo blurred by :data:`TAIL_BLUR`) like one of
    the old top's chest colours and unlike the trousers (the legs' colour between 60 % and 85 %
    of their height, where a coat rarely reaches), joined to the old top's mask ``top``. Empty
    when the old garment goes on below as a dress (its skirt stays under a new top, see
    :func:`old_skirt_mask`) or the legs show too little below it.
    """
    h, w = person.shape
    out = np.zeros((h, w), np.float32)
    if old.continues_below or old.palette.shape[0] == 0 or not (top > 0.5).any():
        return out
    legs = labels_mask(parts.labels, set(LEG_PARTS)) & (parts.skin < 0.5) & (person > 0.5)
    rows = np.nonzero(legs.any(axis=1))[0]
    # (Legs running out of the photo's bottom edge are not known to be legs: on a half-length
    # photo the part map calls the top's own lower half "leg", and it was taken for a coat.)
    if rows.size < 10 or rows[-1] >= h - max(2, round(LEGS_END_MARGIN * h)):
        return out
    # (The torso's pixels beside the legs too, where the old top's mask left them: below a
    # waistband line, or past its colour test; and the hands' box, which takes in the coat's
    # front edge beside a hand hanging at the hips.)
    around = labels_mask(parts.labels, {BodyPart.TORSO, *HAND_PARTS})
    fabric = legs | (around & (parts.skin < 0.5) & (person > 0.5))
    fabric &= top <= 0.5
    y0, y1 = int(rows[0]), int(rows[-1]) + 1
    span = y1 - y0
    below = legs[y0 + int(0.6 * span) : y0 + int(0.85 * span)]
    if int(below.sum()) < 50:
        return out
    # Trousers coloured like the old top (a suit; or the top's own lower half, read as legs)
    # leave no tail to tell from them: told first from the band's own pixels, unblurred, before
    # the blurs over the legs' box (~12 ms on a 768×1024 photo).
    band = pick(image[y0 + int(0.6 * span) : y0 + int(0.85 * span)], below)
    band_lab = cv2.cvtColor(band.reshape(-1, 1, 3).astype(np.float32) / 255.0, cv2.COLOR_RGB2LAB)
    if np.linalg.norm(old.palette - np.median(band_lab, axis=(0, 1)), axis=1).min() < TAIL_MARGIN:
        return out
    # (Only the legs' box, blurred, and a few rows above it where the old top's mask ends:
    # the rest of the photo plays no part.)
    cols = np.nonzero(legs.any(axis=0))[0]
    x0, x1 = int(cols[0]), int(cols[-1]) + 1
    above = min(y0, max(4, round(0.02 * max(h, w))))
    y0 -= above
    box = image[y0:y1, x0:x1].astype(np.float32) / 255.0
    # Blurred over the clothes alone (skin and the backdrop left out): mixed with the backdrop,
    # the dark trousers' outline came out the grey of a grey top.
    cloth = fabric[y0:y1, x0:x1] | (top[y0:y1, x0:x1] > 0.5)
    weight = cv2.GaussianBlur(cloth.astype(np.float32), (0, 0), TAIL_BLUR * max(h, w))
    lab = (
        cv2.GaussianBlur(
            cv2.cvtColor(box, cv2.COLOR_RGB2LAB) * cloth[..., None], (0, 0), TAIL_BLUR * max(h, w)
        )
        / np.maximum(weight, 1e-3)[..., None]
    )
    sample = lab[above + int(0.6 * span) : above + int(0.85 * span)][below[:, x0:x1]]
    trousers = np.median(sample, axis=0)
    to_top = np.min([np.linalg.norm(lab - c, axis=2) for c in old.palette], axis=0)
    to_trousers = np.linalg.norm(lab - trousers, axis=2)
    tail = fabric[y0:y1, x0:x1] & (to_top < TAIL_NEAR) & (to_top + TAIL_MARGIN < to_trousers)
    if not tail.any():
        return out
    # Joined to the old top (a dark shoe or a dark patch of the trousers is not).
    joined = tail | (top[y0:y1, x0:x1] > 0.5)
    _, components = cv2.connectedComponents(joined.view(np.uint8))
    touching = np.unique(components[top[y0:y1, x0:x1] > 0.5])
    keep = np.isin(components, touching[touching > 0]) & tail
    # A coat's front is a panel, not a sliver along the trousers' outline.
    r = max(1, round(TAIL_BLUR * max(h, w)))
    disc = cv2.getStructuringElement(cv2.MORPH_ELLIPSE, (2 * r + 1, 2 * r + 1))
    keep = cv2.morphologyEx(keep.view(np.uint8), cv2.MORPH_OPEN, disc).astype(bool)
    rows_kept = np.flatnonzero(keep.any(axis=1))
    if rows_kept.size == 0 or rows_kept[-1] - above < TAIL_MIN_DROP * max(h, w):
        # The old top's hem showing below a tucked top's waistband, no coat: what lies under
        # it there is the trousers' waistband, which the fill cannot draw (it came out as a
        # smeared band); the hem is left as it was.
        return out
    out[y0:y1, x0:x1] = keep
    return out


def remove_old_top_tail(
    base: FloatArray,
    parts: BodyParts,
    person: FloatArray,
    tail: FloatArray,
    union: FloatArray,
    limbs: Limbs | None,
    side: int,
) -> FloatArray:
    """Repaint the old top's tail over the legs (see
    :func:`old_top_tail`) where the new garments leave it.

    Within the legs' own width lies what the legs show beside it (the trousers, or bare
    legs), filled in from there; beyond it what lay behind the coat (the background). Without
    ``limbs`` the tail stays. ``base`` is repainted in place and returned.
    """
    if limbs is None:
        return base
    h, w = person.shape
    exposed = tail * (1.0 - union)
    if not exposed.any():
        return base
    # (Grown a little within the legs' labels: the coat's dark hem and edges lie just past the
    # colour test.)
    reach = max(2, round(0.006 * side))
    legs = labels_mask(parts.labels, LEG_PARTS)
    exposed = np.maximum(exposed, grown_in_box(exposed, reach) * legs * (1.0 - union))
    inside = limb_mask(
        (h, w), [limbs.left_thigh, limbs.left_shin, limbs.right_thigh, limbs.right_shin]
    )
    inside = smooth_edges(inside > 0.5, max(1.5, 0.005 * side))
    behind = exposed * (1.0 - inside)
    on_legs = exposed * inside
    if behind.any():
        # The coat's outer edge (a dark outline, its soft rim on the backdrop) goes with it: the
        # fill reaches a little further out, and takes nothing from near the coat.
        rim = grown_in_box(behind, 2 * reach) * (1.0 - inside) * (1.0 - union)
        rim *= ~labels_mask(parts.labels, HAND_PARTS) & (parts.skin < 0.5)
        # (All of the tail the legs' fill does not fully cover, which is then drawn over it:
        # where two fills meet, half of each left a quarter of the dark coat as a seam.)
        region = np.maximum(exposed * (inside < 0.999), rim)
        avoid = np.maximum(np.maximum(person, tail), grown_in_box(region, reach))
        base = fill_with_background(base, region, avoid=avoid, out=base)
    if on_legs.any():
        # (Only the legs' own pixels beside the tail are sources: not the background, the
        # tail, nor the new garment.)
        sources = legs & (person > 0.5) & (tail < 0.5) & (union < 0.5)
        base = fill_with_background(base, on_legs, avoid=(~sources).astype(np.float32), out=base)
    return base


__all__ = [
    "LEGS_END_MARGIN",
    "TAIL_BLUR",
    "TAIL_MARGIN",
    "TAIL_MIN_DROP",
    "TAIL_NEAR",
    "old_top_tail",
    "remove_old_top_tail",
]
