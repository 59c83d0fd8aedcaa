"""The outline of repainted skin where it meets the background: smooth, anti-aliased, no halo.

Repainted skin took its weight from the old garment's mask. Where that mask meets what lies
behind the person, its rim is soft (the old fabric's own edge pixels, half fabric and half
background) and follows the part map's grid: blended over the photo there, the skin kept a
line of the old fabric's colour along its outline (a pale or coloured halo), and its edge went
in stair-steps. Here the skin's outline is redrawn as a smooth curve at sub-pixel precision,
and what shows beside and under its soft rim is the background, not the old fabric.

Images are float32 (H, W, 3) RGB in [0, 255]; masks float32 (H, W) in [0, 1].
"""

from __future__ import annotations

from collections.abc import Callable

import cv2
import numpy as np
import numpy.typing as npt

from fitroom.dressing.masks import box_of, grown_in_box, labels_mask, padded_box, per_channel
from fitroom.dressing.skin import skin_already, skin_field
from fitroom.vision.core import BodyPart, BodyParts

FloatArray = npt.NDArray[np.float32]
ByteArray = npt.NDArray[np.uint8]
#: Which of the asked pixels (a bool mask over a box of the frame) already show skin.
SkinTest = Callable[[npt.NDArray[np.bool_], tuple[slice, slice]], npt.NDArray[np.bool_]]

#: The width (a share of the photo's longer side) of the band along the skin's outer outline
#: that is redrawn: about the old mask's soft rim and the part map's staircase step.
OUTLINE_BAND = 0.004
#: How far the outline's stair-steps are smoothed (a share of the longer side; see
#: :func:`~fitroom.dressing.masks.smooth_edges`).
OUTLINE_SMOOTHING = 0.003


#: The width in pixels of the anti-aliased rim of the redrawn outline (a photo's own edges
#: are about this soft; wider, the skin looked blurred onto the background).
OUTLINE_RIM = 1.5


def crisp_outline(hard: npt.NDArray[np.bool_], sigma: float) -> FloatArray:
    """``hard``'s shape with its stair-steps rounded off (blurred by ``sigma``) and a rim of
    :data:`OUTLINE_RIM` pixels (the blur steepened again round 0.5: the shape's area stays
    about the same). float32 (H, W) in [0, 1].

    >>> hard = np.zeros((30, 30), bool); hard[:, 15:] = True
    >>> out = crisp_outline(hard, 3.0)
    >>> bool(out[:, :12].max() < 0.01 and out[:, 18:].min() > 0.99)
    True
    >>> bool(0.0 < out[10, 14] < 0.5 < out[10, 15] < 1.0)  # a soft rim, no stair
    True
    """
    blurred = cv2.GaussianBlur(
        hard.astype(np.float32), (0, 0), sigma, borderType=cv2.BORDER_REPLICATE
    )
    # (A step blurred by sigma rises with slope 1 / (sigma * sqrt(2 pi)) at its middle.)
    gain = np.float32(sigma * np.sqrt(2.0 * np.pi) / OUTLINE_RIM)
    out: FloatArray = np.clip((blurred - np.float32(0.5)) * gain + np.float32(0.5), 0.0, 1.0)
    return out


#: The weighted average of the backdrop under the outline is smooth (its sigma is twice the
#: band): it is blurred at 1 / this of the photo's size, a sixteenth of the work, then
#: scaled back up (the full-size blur was a third of the outline's time).
AVERAGE_SHRINK = 4


def weighted_blur(
    values: FloatArray, weights: FloatArray, sigma: float
) -> tuple[FloatArray, FloatArray]:
    """Gaussian blurs by ``sigma`` of ``values * weights`` ((H, W, 3)) and of ``weights``
    ((H, W)): their ratio is the weighted average near each pixel (normalised convolution).
    Worked out at 1 / :data:`AVERAGE_SHRINK` of the size when ``sigma`` is large enough.

    >>> v = np.zeros((64, 64, 3), np.float32); v[:, :32] = 100.0
    >>> w = np.zeros((64, 64), np.float32); w[:, :32] = 1.0
    >>> num, den = weighted_blur(v, w, 8.0)
    >>> bool(abs(num[32, 40, 0] / den[32, 40] - 100.0) < 1.0)
    True
    """
    weighted = values * per_channel(weights)
    f = AVERAGE_SHRINK
    h, w = weights.shape
    if sigma < 2.0 * f or min(h, w) < 4 * f:
        return cv2.GaussianBlur(weighted, (0, 0), sigma), cv2.GaussianBlur(weights, (0, 0), sigma)
    small = ((w + f - 1) // f, (h + f - 1) // f)
    out = []
    for plane in (weighted, weights):
        shrunk = cv2.resize(plane, small, interpolation=cv2.INTER_AREA)
        blurred = cv2.GaussianBlur(shrunk, (0, 0), sigma / f)
        out.append(cv2.resize(blurred, (w, h), interpolation=cv2.INTER_LINEAR))
    return out[0], out[1]


def skin_outline_over_backdrop(
    base: FloatArray,
    exposed: FloatArray,
    backdrop: FloatArray,
    removable: npt.NDArray[np.bool_],
    clear: npt.NDArray[np.bool_],
    side: int,
    skin_seen: SkinTest | None = None,
) -> FloatArray:
    """Redraw the outline of repainted skin where it meets the background.

    Along the skin's outline beside ``backdrop``, in a band :data:`OUTLINE_BAND` wide, the
    background is repainted under the skin (the average of the backdrop beside it; ``base``
    changes in place), and the skin's weight there becomes its hard shape (``exposed`` > 0.5)
    with the stair-steps smoothed and the rim anti-aliased (:data:`OUTLINE_SMOOTHING`).

    Args:
        base: float32 (H, W, 3) the image being rendered (changed in place).
        exposed: float32 (H, W): how much of each pixel is to be repainted as skin.
        backdrop: float32 (H, W): where the background shows now (the person's outside,
            fabric repainted as the background).
        removable: bool (H, W): pixels that may turn into the background (old fabric, the
            person's outside); elsewhere (kept skin, hair, a new garment) nothing changes.
        clear: bool (H, W): the background as the photo shows it, clear of the person and
            of the old fabric's rim: the colour under the band is taken from these pixels
            alone (the old fabric's rim would bring its colour back; fabric repainted as the
            background may hold dark smears of the person's edge).
        side: the photo's longer side.
        skin_seen: tells which pixels of the photo already show skin (given a bool mask of
            the pixels asked about, in the box (rows, columns) of the whole frame): these
            keep their weight and colour.

    Returns:
        float32 (H, W): the skin's new weight (``exposed`` outside the band).

    >>> base = np.full((40, 40, 3), 200.0, np.float32); base[:, 20:] = 50.0; base[:, 19] = 120.0
    >>> exposed = np.zeros((40, 40), np.float32); exposed[:, 20:] = 1.0; exposed[:, 19] = 0.6
    >>> backdrop = 1.0 - exposed
    >>> removable = np.ones((40, 40), bool)
    >>> e = skin_outline_over_backdrop(base, exposed, backdrop, removable, removable, 1000)
    >>> bool(e[:, 25:].min() == 1.0 and e[:, :15].max() == 0.0)
    True
    >>> bool(abs(base[20, 19, 0] - 200.0) < 3.0)  # the half-fabric rim is background now
    True
    """
    hard = exposed > 0.5
    back = backdrop > 0.5
    if not hard.any() or not back.any():
        return exposed
    reach = max(2, round(OUTLINE_BAND * side))
    k = cv2.getStructuringElement(cv2.MORPH_ELLIPSE, (2 * reach + 1, 2 * reach + 1))
    # (Only around the skin: the rest of the frame is not looked at.)
    box = padded_box(hard, 2 * reach + 4)
    if box is None:
        return exposed
    hard_box = np.ascontiguousarray(hard[box])
    near_skin = cv2.dilate(hard_box.view(np.uint8), k) > 0
    near_back = cv2.dilate(np.ascontiguousarray(back[box]).view(np.uint8), k) > 0
    band = near_skin & near_back & removable[box]
    if not band.any():
        return exposed
    if skin_seen is not None:
        # (The photo's own skin there, under old fabric the part map saw as such or beside
        # it: its soft outline is the limb's own, and stays.)
        band &= ~skin_seen(band, box)
    # The background under the band: the average of the clear background beside it
    # (normalised convolution). (Inpainting it drew dark blocks where the person's own dark
    # edge pixels were its nearest sources.) Where none is near, the band is left as it was.
    # (Two pixels away from anything else: the person's edge pixels mix with the backdrop.)
    away = cv2.erode(np.ascontiguousarray(clear[box]).view(np.uint8), np.ones((5, 5), np.uint8))
    sources = (away.view(np.bool_) & ~band & ~hard_box).astype(np.float32)
    num, den = weighted_blur(base[box], sources, 2.0 * reach)
    seen = band & (den > 0.02)
    if seen.any():
        under = num[seen] / den[seen][:, None]
        base[box][seen] = under
    band = seen
    smooth = crisp_outline(hard_box, max(1.0, OUTLINE_SMOOTHING * side))
    out = exposed.copy()
    out[box][band] = smooth[band]
    return out


def skin_outline_in_photo(
    base: FloatArray,
    exposed: FloatArray,
    image: ByteArray,
    parts: BodyParts,
    person: FloatArray,
    old_mask: FloatArray,
    union: FloatArray,
    removed: FloatArray | None,
    garment_lab: FloatArray | None,
    side: int,
) -> tuple[FloatArray, FloatArray]:
    """:func:`skin_outline_over_backdrop` on a photo whose old garment is being removed.

    Args:
        base: float32 (H, W, 3) the photo being rendered (changed in place).
        exposed: float32 (H, W): the old fabric to repaint as skin.
        image: uint8 (H, W, 3) the photo itself; ``parts`` and ``person`` its part map and
            person mask.
        old_mask: float32 (H, W) the old fabric being removed; ``union`` where the new
            garments show; ``removed`` the fabric repainted as the background (or None).
        garment_lab: the old garment's Lab colour (to tell skin from it), or None.
        side: the photo's longer side.

    Returns:
        (the skin's new weight, the skin colour field (see
        :func:`~fitroom.dressing.skin.skin_field`) around it, to repaint it with).
    """
    h, w = person.shape
    # (The skin's colour around the skin to paint and its outline's band.)
    x0, y0, x1, y1 = box_of(exposed)
    band = max(2, round(OUTLINE_BAND * side))
    pad = 3 * band + 4
    field = skin_field(
        image,
        parts,
        person,
        (max(0, x0 - pad), max(0, y0 - pad), min(w, x1 + pad), min(h, y1 + pad)),
    )
    if x1 <= x0 or y1 <= y0:
        return exposed, field
    # Only around the skin to paint: the outline's band reaches 2 bands and 4 pixels beyond
    # it, what it looks at beside it (the head and the new garments grown) 3 bands more.
    # (Worked out on the whole frame, these masks were a third of the outline's time.)
    m = 5 * band + 12
    sub = (slice(max(0, y0 - m), min(h, y1 + m)), slice(max(0, x0 - m), min(w, x1 + m)))
    person, union, old_mask = person[sub], union[sub], old_mask[sub]
    backdrop = (person < 0.5).astype(np.float32)
    backdrop *= 1.0 - union
    if removed is not None:
        np.maximum(backdrop, removed[sub], out=backdrop)
    photo, colours = image[sub], field[sub]

    def skin_seen(asked: npt.NDArray[np.bool_], box: tuple[slice, slice]) -> npt.NDArray[np.bool_]:
        seen = np.zeros(asked.shape, bool)
        pixels = photo[box][asked].astype(np.float32)[:, None, :]
        colour = colours[box][asked][:, None, :]
        seen[asked] = skin_already(pixels, colour, garment_lab)[:, 0] > 0.5
        return seen

    # Not the person's kept parts (shoes, skin beside the old fabric's soft
    # rim), nor skin the part map sees under old fabric repainted as skin (legs beside old
    # shorts: their own soft outline stays), nor beside a new garment (a sliver of skin
    # between a new sleeve and the backdrop is drawn as before, the garment's soft edge over
    # it).
    removable = (old_mask > 0.3) | (person < 0.5)
    removable &= person * (1.0 - old_mask) < 0.6
    removable &= parts.skin[sub] < 0.5
    # (Nor near the hair: its rim, which the part map often calls clothes, would be cut.)
    head = labels_mask(parts.labels[sub], {BodyPart.FACE, BodyPart.HAIR}).astype(np.float32)
    removable &= grown_in_box(head, 3 * band) < 0.5
    removable &= grown_in_box(union, 2 * band) < 0.5
    clear = (person < 0.3) & (old_mask < 0.15) & (union < 0.5)
    crop = exposed[sub]
    around = skin_outline_over_backdrop(
        base[sub], crop, backdrop, removable, clear, side, skin_seen
    )
    if around is crop:
        return exposed, field
    weight = exposed.copy()
    weight[sub] = around
    return weight, field


def person_now(
    person: FloatArray,
    union: FloatArray,
    removed: FloatArray | None,
    box: tuple[int, int, int, int],
    pad: int,
) -> FloatArray:
    """The person as drawn now: their outline or a new garment, without what was ``removed``
    (repainted as the background), float32 (H, W) in [0, 1]; only in ``box`` (x0, y0, x1, y1)
    grown by ``pad`` (0 elsewhere: it is only wanted around repainted skin)."""
    h, w = person.shape
    out = np.zeros((h, w), np.float32)
    x0, y0 = max(0, box[0] - pad), max(0, box[1] - pad)
    x1, y1 = min(w, box[2] + pad), min(h, box[3] + pad)
    if x1 <= x0 or y1 <= y0:
        return out
    crop = np.maximum(person[y0:y1, x0:x1], union[y0:y1, x0:x1])
    if removed is not None:
        crop *= 1.0 - removed[y0:y1, x0:x1]
    out[y0:y1, x0:x1] = crop
    return out


__all__ = [
    "AVERAGE_SHRINK",
    "OUTLINE_BAND",
    "OUTLINE_RIM",
    "OUTLINE_SMOOTHING",
    "SkinTest",
    "crisp_outline",
    "person_now",
    "skin_outline_in_photo",
    "skin_outline_over_backdrop",
    "weighted_blur",
]
