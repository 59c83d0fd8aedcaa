"""The old top's edges the body-part map calls something else: its collar (neck), its cuffs
(hand), and long hair lying on it (torso, arm) that must be spared.

Each step takes the old top's chest colours (Lab, from
:class:`~fitroom.dressing.old_garment.OldGarment`) and answers with pixels to add to, or take out
of, :func:`~fitroom.dressing.old_garment.old_garment_mask`.
Images are uint8 (H, W, 3) RGB; masks bool (H, W); colours Lab (OpenCV float).
"""

from __future__ import annotations

import cv2
import numpy as np
import numpy.typing as npt

from fitroom.dressing.masks import labels_mask, padded_box
from fitroom.vision.core import HAND_PARTS, BodyPart, BodyParts

FloatArray = npt.NDArray[np.float32]
ByteArray = npt.NDArray[np.uint8]


def spare_hair(
    parts: BodyParts,
    image: ByteArray,
    hard: npt.NDArray[np.bool_],
    palette: FloatArray,
    middle: int,
) -> None:
    """Take long hair lying on the shoulders and chest out of ``hard`` (in place): pixels
    above row ``middle`` (the torso's middle) coloured like the hair (ΔE76 < 20) and clearly
    unlike every colour of the old garment (``palette``, Lab). The part map often calls their
    tips torso or arm."""
    # (Found on every other row and column, then applied to the 2×2 blocks: the mask is
    # smoothed afterwards, and hair tips need no finer outline.)
    hy, hx = np.nonzero(parts.labels[:middle:2, ::2] == int(BodyPart.HAIR))
    if hy.size < 12:
        return
    hy, hx = 2 * hy, 2 * hx
    # (Every other hair pixel found: the median needs no more.)
    sample = image[hy[::2], hx[::2]].reshape(-1, 1, 3)
    hair_lab = cv2.cvtColor(sample.astype(np.float32) / 255.0, cv2.COLOR_RGB2LAB).reshape(-1, 3)
    hair_ref = np.median(hair_lab, axis=0)
    hair_rgb = np.median(sample.reshape(-1, 3), axis=0).astype(np.int16)
    # Hair tips lie next to the hair, in its colour: a cheap RGB test first (a ΔE76 of 20 is
    # well inside 45 grey levels per channel), the Lab test only for what passes.
    reach = round(0.15 * max(hard.shape))
    y1 = min(middle, int(hy.max()) + reach)
    x0, x1 = max(0, int(hx.min()) - reach), min(hard.shape[1], int(hx.max()) + reach + 1)
    ys, xs = np.nonzero(hard[:y1:2, x0:x1:2])
    ys, xs = 2 * ys, 2 * xs + x0
    near = np.abs(image[ys, xs].astype(np.int16) - hair_rgb).max(axis=1) < 45
    ys, xs = ys[near], xs[near]
    if ys.size == 0:
        return
    lab = cv2.cvtColor(
        image[ys, xs].reshape(-1, 1, 3).astype(np.float32) / 255.0, cv2.COLOR_RGB2LAB
    ).reshape(-1, 3)
    to_hair = np.linalg.norm(lab - hair_ref, axis=1)
    to_garment = np.linalg.norm(lab[:, None, :] - palette[None, :, :], axis=2).min(axis=1)
    spare = (to_hair < 20.0) & (to_garment > to_hair + 10.0)
    h, w = hard.shape
    for dy in (0, 1):
        for dx in (0, 1):
            hard[np.minimum(ys[spare] + dy, h - 1), np.minimum(xs[spare] + dx, w - 1)] = False


def old_cuffs(
    parts: BodyParts,
    person: FloatArray,
    image: ByteArray,
    sleeves: npt.NDArray[np.bool_],
    ref_lab: FloatArray,
) -> npt.NDArray[np.bool_]:
    """Sleeve cuffs the part map calls hand: non-skin hand pixels right at a clothed forearm,
    coloured like the old garment (ΔE76 < 25). A bag held lower in the hand is not touched."""
    labels = parts.labels
    out = np.zeros(labels.shape, bool)
    # (Everything below only in the hands' box, grown by the reach: the cuffs lie in it.)
    hand_box = padded_box(labels_mask(labels, set(HAND_PARTS)), 0)
    if hand_box is None:
        return out
    hands = labels_mask(labels[hand_box], set(HAND_PARTS))
    hands &= (parts.skin[hand_box] < 0.5) & (person[hand_box] > 0.5)
    if not hands.any():
        return out
    reach = max(3, round(0.02 * max(labels.shape)))
    k = cv2.getStructuringElement(cv2.MORPH_ELLIPSE, (2 * reach + 1, 2 * reach + 1))
    # Only around the hands (a full-frame dilation by this much is slow).
    hy, hx = np.nonzero(hands)
    hy += hand_box[0].start
    hx += hand_box[1].start
    h, w = labels.shape
    y0, y1 = max(0, int(hy.min()) - reach), min(h, int(hy.max()) + reach + 1)
    x0, x1 = max(0, int(hx.min()) - reach), min(w, int(hx.max()) + reach + 1)
    box = (slice(y0, y1), slice(x0, x1))
    forearms = labels_mask(labels[box], {BodyPart.LEFT_FOREARM, BodyPart.RIGHT_FOREARM})
    forearms &= sleeves[box]
    if not forearms.any():
        return out
    near_box = cv2.dilate(forearms.astype(np.uint8), k).astype(bool)
    hands_in_box = labels_mask(labels[box], set(HAND_PARTS))
    hands_in_box &= (parts.skin[box] < 0.5) & (person[box] > 0.5)
    ys, xs = np.nonzero(near_box & hands_in_box)
    if ys.size == 0:
        return out
    ys, xs = ys + y0, xs + x0
    pixels = image[ys, xs].reshape(-1, 1, 3).astype(np.float32) / 255.0
    lab = cv2.cvtColor(pixels, cv2.COLOR_RGB2LAB).reshape(-1, 3)
    alike = np.linalg.norm(lab - ref_lab, axis=1) < 25.0
    out[ys[alike], xs[alike]] = True
    return out


#: An old collar is repainted only when it covers at most this share of the neck below the face.
OLD_COLLAR_MAX_SHARE = 0.5


def old_collar(
    parts: BodyParts, person: FloatArray, image: ByteArray, palette: FloatArray
) -> npt.NDArray[np.bool_]:
    """An old collar or high neckline the part map calls neck: non-skin neck pixels below the
    face, coloured like one of the old garment's chest colours ``palette`` ((K, 3) Lab, the
    median first; ΔE76 < 25) and not like the hair. Hair and the chin lie above the face's
    lowest row, or are skin, so they are not touched. With the head cropped by the picture's
    top edge (no face, the neck reaching the top row) the whole neck is looked at."""
    ref_lab = palette[0]
    labels = parts.labels
    out = np.zeros(labels.shape, bool)
    face_rows = np.nonzero((labels == int(BodyPart.FACE)).any(axis=1))[0]
    if face_rows.size == 0 and not (labels[0] == int(BodyPart.NECK)).any():
        return out
    # (Only the rows below the face are looked at.)
    below = slice(int(face_rows[-1]) + 1 if face_rows.size else 0, None)
    whole_neck = labels[below] == int(BodyPart.NECK)
    neck_size = int(np.count_nonzero(whole_neck))
    ys, xs = np.nonzero(whole_neck & (parts.skin[below] < 0.5) & (person[below] > 0.5))
    if ys.size == 0:
        return out
    ys += below.start
    hair_ref = part_colour(image, labels, BodyPart.HAIR)
    if hair_ref is not None:
        # Hair falling over the neck is often labelled neck: when it is coloured like the
        # garment, the two cannot be told apart here, and the hair must not change.
        if float(np.linalg.norm(hair_ref - ref_lab)) < 30.0:
            return out
        # The garment's other colours count only where they are unlike the hair.
        palette = palette[np.linalg.norm(palette - hair_ref, axis=1) >= 30.0]
    pixels = image[ys, xs].reshape(-1, 1, 3).astype(np.float32) / 255.0
    lab = cv2.cvtColor(pixels, cv2.COLOR_RGB2LAB).reshape(-1, 3)
    alike = np.linalg.norm(lab[:, None, :] - palette[None, :, :], axis=2).min(axis=1) < 25.0
    if int(alike.sum()) > OLD_COLLAR_MAX_SHARE * neck_size and not _bare_above(
        whole_neck, parts.skin[below]
    ):
        # A turtleneck or a scarf fills the neck: painting it as skin would leave a flat
        # block where the throat's shading should be; it stays, worn under the new garment.
        return out
    out[ys[alike], xs[alike]] = True
    return out


#: How far up the neck from the old top's edge a neckband may reach, as a share of the
#: picture's longer side (a rib band or a contrasting trim, not a turtleneck).
NECKBAND_REACH = 0.025


def old_neckband(
    parts: BodyParts,
    person: FloatArray,
    image: ByteArray,
    top: npt.NDArray[np.bool_],
    chest_lab: FloatArray,
) -> npt.NDArray[np.bool_]:
    """An old neckband of any colour the part map calls neck: non-skin neck pixels below the
    face within :data:`NECKBAND_REACH` of the old top ``top`` ((H, W) bool, its mask so far),
    joined to it, away from the hair.

    :func:`old_collar` finds a collar by the chest's colours; a contrasting trim (a black and
    white ribbed band round a lilac tee) has none of them and stayed, drawn above the new
    garment's neckline. The band is told by where it lies instead: on the neck, right at the
    old top's edge. A turtleneck filling the neck stays, and so does everything when the
    hair is coloured like the old top's chest ``chest_lab`` (Lab; see :func:`old_collar`).
    """
    labels = parts.labels
    out = np.zeros(labels.shape, bool)
    neck = labels == int(BodyPart.NECK)
    if not neck.any() or not top.any():
        return out
    face_rows = np.nonzero((labels == int(BodyPart.FACE)).any(axis=1))[0]
    if face_rows.size == 0 and not neck[0].any():
        return out
    start = int(face_rows[-1]) + 1 if face_rows.size else 0
    h, w = labels.shape
    reach = max(2, round(NECKBAND_REACH * max(h, w)))
    # (Only the neck's box, grown by the reach: the band lies in it.)
    ys, xs = np.nonzero(neck[start:])
    if ys.size == 0:
        return out
    y0, y1 = start + int(ys.min()), min(h, start + int(ys.max()) + reach + 2)
    x0, x1 = max(0, int(xs.min()) - reach), min(w, int(xs.max()) + reach + 1)
    box = (slice(y0, y1), slice(x0, x1))
    cand = neck[box] & (parts.skin[box] < 0.5) & (person[box] > 0.5)
    cand[: max(0, start - y0)] = False
    k = cv2.getStructuringElement(cv2.MORPH_ELLIPSE, (2 * reach + 1, 2 * reach + 1))
    if _hair_like(labels, image, chest_lab):
        return out
    hair = np.ascontiguousarray(labels[box] == int(BodyPart.HAIR)).view(np.uint8)
    if hair.any():
        # Hair falling over the neck towards the collar is often labelled neck.
        cand &= ~cv2.dilate(hair, k).astype(bool)
    neck_below = neck[start:]
    if int(cand.sum()) > OLD_COLLAR_MAX_SHARE * int(np.count_nonzero(neck_below)) and not (
        _bare_above(neck_below, parts.skin[start:])
    ):
        # A turtleneck fills the neck: it stays whole (see old_collar), not cut to a band.
        return out
    garment = np.ascontiguousarray(top[box]).view(np.uint8)
    cand &= cv2.dilate(garment, k).astype(bool)
    if not cand.any():
        return out
    # Only what is joined to the old top (a pixel's gap allowed): a shadow under the chin is not.
    joined = cand | cv2.dilate(garment, np.ones((3, 3), np.uint8)).astype(bool)
    n, comp = cv2.connectedComponents(joined.view(np.uint8), connectivity=8)
    if n > 2:
        touching = np.zeros(n, bool)
        touching[comp[garment.astype(bool)]] = True
        cand &= touching[comp]
    out[box] = cand
    return out


def _hair_like(labels: ByteArray, image: ByteArray, colour: FloatArray) -> bool:
    """Whether the hair (over 50 pixels of it) is coloured like ``colour`` (Lab, ΔE76 < 30):
    hair falling over the neck then cannot be told from the old top's collar."""
    hair_lab = part_colour(image, labels, BodyPart.HAIR)
    return hair_lab is not None and float(np.linalg.norm(hair_lab - colour)) < 30.0


def part_colour(image: ByteArray, labels: ByteArray, part: BodyPart) -> FloatArray | None:
    """The median Lab colour of a body part's pixels in ``image`` (uint8 RGB), or None when
    the part map has 50 of them or fewer. (Every 7th pixel: the median needs no more.)"""
    where = np.flatnonzero(labels == int(part))
    if where.size <= 50:
        return None
    lab = cv2.cvtColor(
        image.reshape(-1, 3)[where[::7]].reshape(-1, 1, 3).astype(np.float32) / 255.0,
        cv2.COLOR_RGB2LAB,
    ).reshape(-1, 3)
    median: FloatArray = np.median(lab, axis=0)
    return median


#: The top share of the neck's rows looked at for bare skin above an old collar.
NECK_TOP_SHARE = 0.25


def _bare_above(neck: npt.NDArray[np.bool_], skin: FloatArray) -> bool:
    """Whether the top :data:`NECK_TOP_SHARE` of the neck's rows (``neck``: (H, W) bool, the
    rows below the face) are mostly bare skin: what fills most of the neck below them is then
    a collar band at its base, not a turtleneck. (A head cropped by the picture's top edge, or
    a chin the part map calls face, leaves a short neck label that such a band mostly fills.)"""
    rows = np.nonzero(neck.any(axis=1))[0]
    if rows.size == 0:
        return False
    top = int(rows[0]) + max(1, round(NECK_TOP_SHARE * (int(rows[-1]) + 1 - int(rows[0]))))
    band = neck[:top]
    return int(np.count_nonzero(band & (skin[:top] > 0.5))) > 0.5 * int(np.count_nonzero(band))


__all__ = [
    "NECKBAND_REACH",
    "NECK_TOP_SHARE",
    "OLD_COLLAR_MAX_SHARE",
    "old_collar",
    "old_cuffs",
    "old_neckband",
    "part_colour",
    "spare_hair",
]
