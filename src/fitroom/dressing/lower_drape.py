"""The drape of new trousers, shorts or a skirt: carried out to the old ones' outline where the
two nearly meet.

A lower garment fitted from a few landmarks (waist, crotch, hems) is a little narrower or wider
than what the person wears: at the hips and along the outer seams. Painting the rim of old fabric
it leaves as skin or background draws a pale band down the leg that no photo of the person shows.
As for a top (see :mod:`fitroom.dressing.drape`), the new fabric is carried out to the old
outline, but outwards only: the gap between the new legs stays, and so does the new hem (shorts
over old trousers end at their own length), judged per column rather than from the nearest new
pixel (down a slanted outer seam that nearest pixel lies above, and the carried band broke into
teeth); and less far than a top's (:data:`LOWER_DRAPE_REACH`).

The part map's hands are blobs wider than the hands: beside the thigh or round a pocket they take
in old trousers, which were then neither leg nor old fabric and stayed, a piece of the old
leggings or jeans at the hip. Those the new fabric is carried over too
(:func:`hand_fabric_band`).

Masks float32 (H, W) in [0, 1].
"""

from __future__ import annotations

from collections.abc import Sequence

import cv2
import numpy as np
import numpy.typing as npt

from fitroom.dressing.drape import ALLOWED_SMOOTHING
from fitroom.dressing.limbs import Limbs
from fitroom.dressing.masks import labels_mask, smooth_edges
from fitroom.vision.core import BodyPart, BodyParts

FloatArray = npt.NDArray[np.float32]
ByteArray = npt.NDArray[np.uint8]

#: Colour distance (CIE76 ΔE) to the old trousers' median colour within which a hand-labelled
#: pixel that is not skin is taken for their fabric, at most (see :func:`old_lower_beside_hands`).
HAND_FABRIC_DELTA_E = 14.0

#: How far new trousers, shorts or a skirt may be carried out, as a share of the photo's longer
#: side: a few pixels, the rim the fit leaves. (At 0.012 the shared shorts pairs came closer to
#: their photos, but on other people the band became a panel of its own down each side: over
#: an old dress, beside leggings, in stair-steps down a slanted seam; a blind review preferred
#: the trousers without it.)
LOWER_DRAPE_REACH = 0.002


def lower_drape_allowed(parts: BodyParts) -> FloatArray:
    """Where the fabric of new trousers, shorts or a skirt may be carried out: the torso and the
    legs, rounded like :func:`~fitroom.dressing.drape.drape_allowed`. float32 (H, W) in [0, 1]."""
    body = labels_mask(parts.labels, (BodyPart.TORSO, BodyPart.LEFT_LEG, BodyPart.RIGHT_LEG))
    return smooth_edges(body, max(1.5, ALLOWED_SMOOTHING * max(parts.labels.shape)))


def old_lower_beside_hands(
    image: ByteArray,
    parts: BodyParts,
    person: FloatArray,
    lower_old: FloatArray,
    hands: Sequence[BodyPart] = (BodyPart.LEFT_HAND, BodyPart.RIGHT_HAND),
) -> FloatArray:
    """Old trousers or leggings that the part map gave to a hand beside the hips: float32
    (H, W) in [0, 1].

    The map's hand is a blob a good deal wider than the hand; beside the thigh it takes in a
    strip of the trousers, which is then neither leg nor old fabric and stayed as it was, a
    piece of the old leggings between the hand and the new trousers. A hand is skin: the
    pixels of a hand's label that are not skin, in the rows of the legs, the colour of the old
    lower garment and touching it, are that garment. Where they touch the new trousers they are
    carried over by its fabric (see :func:`hand_fabric_band`).

    Args:
        image: uint8 (H, W, 3) RGB photo.
        parts: the body-part map.
        person: float32 (H, W) person mask.
        lower_old: float32 (H, W): the old lower garment found on the legs.
        hands: the hands to look beside: those hanging beside the thighs (see
            :func:`hands_hanging`).

    >>> img = np.full((20, 20, 3), 20, np.uint8); img[:, 14:] = 200
    >>> labels = np.zeros((20, 20), np.uint8); labels[5:, 4:10] = int(BodyPart.LEFT_LEG)
    >>> labels[8:18, 10:18] = int(BodyPart.LEFT_HAND)
    >>> skin = np.zeros((20, 20), np.float32); skin[:, 14:] = 1.0
    >>> old = (labels == int(BodyPart.LEFT_LEG)).astype(np.float32)
    >>> found = old_lower_beside_hands(img, BodyParts(labels, skin), np.ones_like(skin), old)
    >>> bool(found[12, 12] > 0.5), bool(found[12, 15] > 0.5), bool(found[2, 12] > 0.5)
    (True, False, False)
    """
    h, w = person.shape
    out = np.zeros((h, w), np.float32)
    solid = lower_old > 0.5
    if not hands:
        return out
    hands_mask = labels_mask(parts.labels, tuple(hands))
    cand = hands_mask & (parts.skin < 0.5) & (person > 0.5)
    if int(solid.sum()) < 16 or not cand.any():
        return out
    legs_top = int(np.argmax(solid.any(axis=1)))
    cand[:legs_top] = False
    if not cand.any():
        return out
    lab = cv2.cvtColor(image.astype(np.float32) / 255.0, cv2.COLOR_RGB2LAB)
    ref = np.median(lab[solid], axis=0)
    delta = np.linalg.norm(lab - ref, axis=2)
    # As close as the trousers' own colours lie to their median (a cream cardigan hanging over
    # white shorts is not shorts), within :data:`HAND_FABRIC_DELTA_E`.
    near_own = 1.5 * float(np.percentile(delta[solid], 75))
    cand &= delta < float(np.clip(near_own, 0.4 * HAND_FABRIC_DELTA_E, HAND_FABRIC_DELTA_E))
    # Only what touches the old trousers: a bag or a bracelet of their colour elsewhere stays.
    n, comp = cv2.connectedComponents(np.ascontiguousarray(cand | solid).view(np.uint8))
    if n > 2:
        cand &= np.isin(comp, np.unique(comp[solid]))
    if not cand.any():
        return out
    # And its anti-aliased rim along the hand (half fabric, half skin: as skin it stayed, a
    # dark line round the hand), a pixel or two, no further than the fabric's colour reaches.
    rim = cv2.dilate(cand.view(np.uint8), np.ones((5, 5), np.uint8)) > 0
    near = delta < 2.5 * HAND_FABRIC_DELTA_E
    cand |= rim & hands_mask & near & (person > 0.5)
    out[cand] = 1.0
    soft: FloatArray = cv2.GaussianBlur(out, (0, 0), 1.0)
    return soft


def hands_hanging(limbs: Limbs) -> tuple[BodyPart, ...]:
    """The hands whose wrist lies below the hip joints: hanging beside the thighs. (A hand
    higher up is in a pocket or on the hip, and what the part map gives it beside it is the
    trousers' waist and pockets, which the new ones' outline decides.)"""
    hips_y = max(float(limbs.left_thigh.bones[0][1]), float(limbs.right_thigh.bones[0][1]))
    return tuple(
        hand
        for hand, arm in (
            (BodyPart.LEFT_HAND, limbs.left_arm),
            (BodyPart.RIGHT_HAND, limbs.right_arm),
        )
        if float(arm.bones[-1][1]) > hips_y
    )


def touching(pieces: FloatArray, garment: FloatArray) -> FloatArray:
    """The pieces (float32 (H, W) in [0, 1]) whose connected parts touch ``garment``'s coverage
    (grown by a pixel): float32 (H, W), the rest zeroed.

    >>> z = np.zeros((10, 10), np.float32); new = z.copy(); new[:, :4] = 1.0
    >>> bits = z.copy(); bits[2:5, 4:6] = 1.0; bits[7:9, 8:10] = 1.0
    >>> kept = touching(bits, new)
    >>> float(kept[3, 5]), float(kept[8, 9])
    (1.0, 0.0)
    """
    solid = pieces > 0.5
    covered = cv2.dilate((garment > 0.5).view(np.uint8), np.ones((3, 3), np.uint8)) > 0
    n, comp = cv2.connectedComponents(np.ascontiguousarray(solid).view(np.uint8))
    if n < 2:
        return np.zeros_like(pieces)
    hit = np.unique(comp[solid & covered])
    out: FloatArray = np.where(np.isin(comp, hit[hit > 0]), pieces, 0.0).astype(np.float32)
    return out


#: How far from new trousers the old ones around a hand in a pocket or on the hip are carried
#: over by the new fabric, as a share of the photo's longer side. (Their pocket and waist
#: around the hand, which the new ones' own outline decides beyond this: carried whole, a
#: flat patch of the nearest fabric's colour.)
POCKET_REACH = 0.02


def hand_fabric_band(
    image: ByteArray,
    parts: BodyParts,
    person: FloatArray,
    lower_old: FloatArray,
    garment: FloatArray,
    limbs: Limbs | None,
    side: int,
) -> FloatArray:
    """Old trousers the part map gave to the hands that new trousers, shorts or a skirt carry
    their fabric over: float32 (H, W) in [0, 1].

    Beside a hand hanging by the thigh (:func:`hands_hanging`), all of the old fabric in its
    label that touches the new garment (a strip of the leggings between hand and trousers);
    beside a hand in a pocket or on the hip, that fabric only within :data:`POCKET_REACH` of
    the new garment (a dark patch of the old jeans at each pocket).

    Args:
        image: uint8 (H, W, 3) RGB photo.
        parts: the body-part map.
        person: float32 (H, W) person mask.
        lower_old: float32 (H, W): the old lower garment found on the legs.
        garment: float32 (H, W): the new lower garment's coverage.
        limbs: the person's limbs (None: every hand is taken as in a pocket).
        side: the photo's longer side in pixels.
    """
    found = old_lower_beside_hands(image, parts, person, lower_old) * (1.0 - garment)
    if not found.any():
        return found
    carried = touching(found, garment)
    hanging = labels_mask(parts.labels, hands_hanging(limbs)) if limbs is not None else None
    covered = np.ascontiguousarray(garment <= 0.5).view(np.uint8)
    dist = cv2.distanceTransform(covered, cv2.DIST_L2, 5)
    near = dist <= max(2.0, POCKET_REACH * side)
    if hanging is not None:
        near |= hanging
    out: FloatArray = carried * near
    return out


def lower_drape_band(
    exposed: FloatArray,
    garment: FloatArray,
    allowed: FloatArray,
    side: int,
    legs_below: float | None = None,
) -> FloatArray:
    """Old trousers or skirt beside the new lower garment that it should cover: float32 (H, W).

    Args:
        exposed: the old trousers or skirt the new garment leaves uncovered.
        garment: the new lower garment's coverage.
        allowed: where its fabric may go (:func:`lower_drape_allowed`).
        side: the photo's longer side in pixels.
        legs_below: the row of the new garment's crotch: below it, what lies between two
            pieces of it on a row is the gap between the legs (None: on every row).

    Returns:
        The uncovered old fabric within :data:`LOWER_DRAPE_REACH` of the new
        garment, touching it, outside it on its row (not between the legs) and not below its
        hem (the lowest new row within that reach of the column), softened at its far edge.

    >>> z = np.zeros((40, 40), np.float32)
    >>> new = z.copy(); new[5:30, 10:20] = 1.0
    >>> old = z.copy(); old[5:35, 10:24] = 1.0
    >>> band = lower_drape_band(old * (1 - new), new, np.ones_like(z), 2000)
    >>> bool(band[20, 22] > 0.5), bool(band[33, 22] > 0.5)
    (True, False)
    """
    h, w = garment.shape
    out = np.zeros((h, w), np.float32)
    covered = garment > 0.5
    cand = (exposed > 0.5) & (allowed > 0.5) & ~covered
    if not cand.any() or not covered.any():
        return out
    reach = max(2.0, LOWER_DRAPE_REACH * side)
    dist = cv2.distanceTransform(np.ascontiguousarray(~covered).view(np.uint8), cv2.DIST_L2, 5)
    # Per column the new garment's lowest row, spread sideways by the reach (beside a leg).
    rows = np.arange(h, dtype=np.int32)[:, None]
    hem = np.where(covered.any(axis=0), np.max(np.where(covered, rows, -1), axis=0), -1)
    k = 2 * round(reach) + 1
    hem_near = cv2.dilate(hem.astype(np.float32)[None, :], np.ones((1, k), np.uint8))[0]
    band = cand & (dist <= reach) & (rows <= hem_near[None, :])
    # Not inwards between the new legs: below the crotch, what lies between two pieces of the
    # new garment on a row is the gap between the legs, background or skin. (Closed where it
    # was narrow, the old trousers between legs standing together became bars of new fabric
    # across the gap. Above the crotch, a hole is where a hand in a pocket or a bag lies in
    # front: carried over, the band rims it.)
    left = np.maximum.accumulate(covered, axis=1)
    right = np.maximum.accumulate(covered[:, ::-1], axis=1)[:, ::-1]
    between = left & right
    if legs_below is not None:
        between &= rows >= legs_below
    band &= ~between
    # Only the rim that touches the new garment: an island of old fabric farther out stays old.
    n, comp = cv2.connectedComponents(np.ascontiguousarray(band | covered).view(np.uint8))
    if n > 2:
        band &= np.isin(comp, np.unique(comp[covered]))
    soft = cv2.GaussianBlur(band.astype(np.float32), (0, 0), 0.8)
    out[:] = soft * exposed * np.clip(allowed * 2.0, 0.0, 1.0)
    return out


__all__ = [
    "HAND_FABRIC_DELTA_E",
    "LOWER_DRAPE_REACH",
    "POCKET_REACH",
    "hand_fabric_band",
    "hands_hanging",
    "lower_drape_allowed",
    "lower_drape_band",
    "old_lower_beside_hands",
    "touching",
]
