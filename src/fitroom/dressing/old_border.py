"""The line along the old garment's border: repainted from both sides once the old fabric is skin.

Where old fabric is repainted as skin (:mod:`~fitroom.dressing.old_garment_removal`), its
border in the photo (a V-neck's edge, a sleeve's or a neckband's hem: shade and the fabric's
rim mixed with skin) is a line of its own, which the skin test takes for skin and keeps, or the
repaint's soft edge leaves half painted: a thin light or dark line tracing where the old
garment ended. :func:`erase_old_border` fills a thin band along it from both sides.

Images are float32 (H, W, 3) RGB in [0, 255] while being rendered (uint8 for the photo itself);
masks float32 (H, W) in [0, 1].
"""

from __future__ import annotations

import cv2
import numpy as np
import numpy.typing as npt

from fitroom.dressing.masks import labels_mask, padded_box, pick, put
from fitroom.dressing.old_collar_and_cuffs import part_colour
from fitroom.dressing.old_garment import lab_of_pixels
from fitroom.vision.core import HAND_PARTS, BodyPart, BodyParts

FloatArray = npt.NDArray[np.float32]
ByteArray = npt.NDArray[np.uint8]

#: Parts of the person the border band never reaches onto.
KEPT_PARTS = (BodyPart.FACE, BodyPart.HAIR, *HAND_PARTS)

#: How wide the band along the old garment's border that is repainted from both sides is, each
#: side of it, as a share of the photo's longer side (see :func:`erase_old_border`).
OLD_BORDER_REACH = 0.002
#: Lab distance (ΔE76) within which a pixel is coloured like the hair.
HAIR_LIKE = 20.0
#: The least skin probability of a pixel beyond the old garment's border that is repainted.
OLD_BORDER_SKIN = 0.25


def erase_old_border(
    base: FloatArray,
    painted: FloatArray,
    image: ByteArray,
    parts: BodyParts,
    person: FloatArray,
    union: FloatArray,
    removed: FloatArray | None,
    side: int,
) -> FloatArray:
    """Repaint the thin band along the border of the old fabric repainted as skin (``painted``
    > 0.5) from both sides of it (in place; ``base`` is returned).

    The old garment's border (a V-neck's edge, a sleeve's or a neckband's hem) is a line of
    its own in the photo: shade and the fabric's rim mixed with skin, which the skin test
    takes for skin and keeps, or the soft edge of the repaint leaves half painted. It stayed
    as a thin light or dark line tracing where the old garment ended. The band
    (:data:`OLD_BORDER_REACH` each side) is filled from the painted skin on one side and the
    photographed skin on the other. Not on the face, hair or hands (nor on hair the part map
    calls torso: pixels beyond the border coloured like the hair, nor on anything beyond it
    the part map does not see as skin, a turtleneck kept under the new garment), nor where a
    new garment covers or the background was repainted.
    """
    hard = painted > 0.5
    if not hard.any():
        return base
    reach = max(1, round(OLD_BORDER_REACH * side))
    box = padded_box(hard, 3 * reach + 4)
    if box is None:
        return base
    k = cv2.getStructuringElement(cv2.MORPH_ELLIPSE, (2 * reach + 1, 2 * reach + 1))
    inside = hard[box].view(np.uint8)
    outer = cv2.dilate(inside, k).astype(bool) & ~hard[box]
    # (Only onto what the part map sees as skin, at least in part.)
    outer &= parts.skin[box] > OLD_BORDER_SKIN
    hair_lab = part_colour(image, parts.labels, BodyPart.HAIR) if outer.any() else None
    face_lab = part_colour(image, parts.labels, BodyPart.FACE) if hair_lab is not None else None
    if hair_lab is not None and face_lab is not None:
        # Hair tips lying on the old top (spared from its mask) are no skin: pixels coloured
        # like the hair, and more like it than like the face.
        ys, xs = np.nonzero(outer)
        lab = lab_of_pixels(image[box][ys, xs])
        to_hair = np.linalg.norm(lab - hair_lab, axis=1)
        near = (to_hair < HAIR_LIKE) & (to_hair < np.linalg.norm(lab - face_lab, axis=1))
        outer[ys[near], xs[near]] = False
    inner = hard[box] & ~cv2.erode(inside, k).astype(bool)
    allowed = (person[box] > 0.5) & (union[box] < 0.5)
    allowed &= ~labels_mask(parts.labels[box], KEPT_PARTS)
    if removed is not None:
        allowed &= removed[box] < 0.5
    band = (inner | outer) & allowed
    # (Only where the band has the border's other side next to it: along a new garment's or
    # the background's edge there is no line to erase.)
    if not (band & outer).any() or not (band & inner).any():
        return base
    crop = np.clip(base[box], 0, 255).astype(np.uint8)
    # Filled from the person's side only: the backdrop within the fill's reach of the band is
    # filled along with it (and not kept), so it is no source. (Filled from the backdrop, the
    # band drew a pale, ragged fringe along the legs below new shorts.)
    reach_k = cv2.getStructuringElement(cv2.MORPH_ELLIPSE, (4 * reach + 5, 4 * reach + 5))
    near_band = cv2.dilate(band.view(np.uint8), reach_k).astype(bool)
    unknown = band | (near_band & (person[box] <= 0.5))
    filled = cv2.inpaint(crop, unknown.view(np.uint8), 2 * reach, cv2.INPAINT_TELEA)
    # (Softened, but not onto what the band may not touch.)
    soft = cv2.GaussianBlur(band.astype(np.float32), (0, 0), 0.7) * allowed
    # (Blended only where the band's weight is not 0: elsewhere the blend gives ``base`` back.)
    touched = soft != 0
    weight = soft[touched][:, None]
    crop_base = base[box]
    blended = pick(crop_base, touched) * (1.0 - weight) + pick(filled, touched) * weight
    put(crop_base, touched, blended)
    return base


__all__ = [
    "HAIR_LIKE",
    "KEPT_PARTS",
    "OLD_BORDER_REACH",
    "OLD_BORDER_SKIN",
    "erase_old_border",
]
