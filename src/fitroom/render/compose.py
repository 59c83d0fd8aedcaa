"""Rendering as pure functions: old-garment removal, shading transfer, occlusion, compositing.

Images are RGB; inside this module they are float32 (H, W, 3) in [0, 255] so that several steps
can be chained without rounding. Masks are float32 (H, W) in [0, 1].
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

import cv2
import numpy as np
import numpy.typing as npt

from fitroom.fitting.garment_fit import FittedLayer
from fitroom.vision.core import ARM_PARTS, HAND_PARTS, LEG_PARTS, BodyPart, BodyParts

FloatArray = npt.NDArray[np.float32]
ByteArray = npt.NDArray[np.uint8]

#: Used when the photo shows no skin to learn from (e.g. gloves and a hood).
DEFAULT_SKIN_RGB = (196, 150, 125)


def labels_mask(labels: ByteArray, parts: Iterable[BodyPart]) -> npt.NDArray[np.bool_]:
    """Where the body-part map holds any of ``parts``: (H, W) bool."""
    # A 256-entry lookup table: several times faster than np.isin on a uint8 label map.
    table = np.zeros(256, np.bool_)
    table[[int(p) for p in parts]] = True
    return table[labels]


#: Edge smoothing of part-map masks, as a share of the map's longer side (the map is upsampled
#: from the model's grid with nearest neighbours: its edges are staircases of that step).
EDGE_SMOOTHING = 0.003


def smooth_edges(hard: npt.NDArray[np.bool_], sigma: float | None = None) -> FloatArray:
    """A hard mask with rounded, anti-aliased edges: float32 (H, W) in [0, 1].

    Blurred by ``sigma`` (default :data:`EDGE_SMOOTHING` × the longer side, at least one pixel)
    and steepened again around 0.5, so staircase edges become smooth curves with a soft rim
    about a pixel or two wide, while the mask's area stays about the same.
    """
    if sigma is None:
        sigma = max(1.0, EDGE_SMOOTHING * max(hard.shape))
    out = np.zeros(hard.shape, np.float32)
    rows = np.flatnonzero(hard.any(axis=1))
    if rows.size == 0:
        return out
    cols = np.flatnonzero(hard.any(axis=0))
    # Only the mask's box (grown by the blur's reach) can change.
    pad = int(np.ceil(3.0 * sigma)) + 1
    h, w = hard.shape
    y0, y1 = max(0, int(rows[0]) - pad), min(h, int(rows[-1]) + pad + 1)
    x0, x1 = max(0, int(cols[0]) - pad), min(w, int(cols[-1]) + pad + 1)
    crop = hard[y0:y1, x0:x1].astype(np.float32)
    if sigma > 4.0 and min(crop.shape) >= 8:
        # A wide blur at half resolution (a quarter of the work; the result is smooth anyway).
        ch, cw = crop.shape
        half = cv2.resize(crop, ((cw + 1) // 2, (ch + 1) // 2), interpolation=cv2.INTER_AREA)
        half = cv2.GaussianBlur(half, (0, 0), 0.5 * sigma, borderType=cv2.BORDER_REPLICATE)
        blurred = cv2.resize(half, (cw, ch), interpolation=cv2.INTER_LINEAR)
    else:
        blurred = cv2.GaussianBlur(crop, (0, 0), sigma, borderType=cv2.BORDER_REPLICATE)
    gain = np.float32(0.5 * sigma + 1.0)
    out[y0:y1, x0:x1] = np.clip((blurred - np.float32(0.5)) * gain + np.float32(0.5), 0.0, 1.0)
    return out


def skin_colour(image: ByteArray, parts: BodyParts) -> tuple[float, float, float]:
    """Median RGB of the person's confident skin on face, neck and hands (a default if none).

    Args:
        image: uint8 (H, W, 3) RGB photo.
        parts: its body-part map.
    """
    where = labels_mask(parts.labels, {BodyPart.FACE, BodyPart.NECK, *HAND_PARTS})
    where &= parts.skin > 0.6
    if int(where.sum()) < 50:
        where = parts.skin > 0.8
    if int(where.sum()) < 50:
        return tuple(float(c) for c in DEFAULT_SKIN_RGB)  # type: ignore[return-value]
    med = np.median(image[where].reshape(-1, 3), axis=0)
    return float(med[0]), float(med[1]), float(med[2])


#: Edge smoothing of the old-garment mask, as a share of the map's longer side.
OLD_GARMENT_EDGE_SMOOTHING = 0.005


def old_garment_mask(
    parts: BodyParts, person: FloatArray, image: ByteArray | None = None
) -> FloatArray:
    """Where the person's current upper garment is: float32 (H, W) in [0, 1].

    Torso and arm pixels that are not skin, inside the person. The neck is left alone (the
    body-part map's neck often reaches into the chin and hair, which must not change) except
    for an old collar: non-skin neck pixels below the face coloured like the garment's chest. With
    ``image`` given, torso pixels in the lower half of the torso must also be coloured like the
    garment's chest (ΔE76 < 30): the part map's torso reaches into the waistband of trousers or
    a skirt, which must not be repainted.
    """
    labels = parts.labels
    torso = labels == int(BodyPart.TORSO)
    region = torso | labels_mask(labels, set(ARM_PARTS))
    hard = region & (parts.skin < 0.5) & (person > 0.5)
    if image is not None and torso.any():
        rows = np.nonzero(torso.any(axis=1))[0]
        top, bottom = int(rows[0]), int(rows[-1])
        middle = (top + bottom) // 2
        chest = hard[top:middle] & torso[top:middle]
        cols = np.nonzero(torso.any(axis=0))[0]
        x0, x1 = int(cols[0]), int(cols[-1]) + 1
        if int(chest.sum()) > 50:
            lower = image[middle : bottom + 1, x0:x1].astype(np.float32) / 255.0
            lab = cv2.cvtColor(lower, cv2.COLOR_RGB2LAB)
            ref_lab = cv2.cvtColor(
                image[top:middle][chest].reshape(-1, 1, 3).astype(np.float32) / 255.0,
                cv2.COLOR_RGB2LAB,
            ).reshape(-1, 3)
            ref = np.median(ref_lab, axis=0)
            # Against each of the chest's main colours: a striped or patchwork top has several,
            # and each goes on below the chest.
            palette = np.vstack([ref[None, :], _main_colours(ref_lab)])
            # (Only the candidate pixels: the torso's old fabric in the box.)
            lower_hard = hard[middle : bottom + 1, x0:x1]
            ys, xs = np.nonzero(lower_hard & torso[middle : bottom + 1, x0:x1])
            near = np.full(ys.size, np.inf, np.float32)
            for colour in palette:
                np.minimum(near, np.linalg.norm(lab[ys, xs] - colour, axis=1), out=near)
            lower_hard[ys[near >= 30.0], xs[near >= 30.0]] = False
            _spare_hair(parts, image, hard, palette, middle)
            hard |= _old_cuffs(parts, person, image, hard, ref)
            hard |= _old_collar(parts, person, image, palette)
    if hard.any():
        # Skin showing through an open knit or lace, and specks the skin model took for skin,
        # are holes in the old garment: closed, or they would stay as dots in the skin fill.
        bx, by, bw, bh = cv2.boundingRect(hard.view(np.uint8))
        r = max(2, round(0.004 * max(hard.shape)))
        h, w = hard.shape
        y0, y1 = max(0, by - r), min(h, by + bh + r)
        x0, x1 = max(0, bx - r), min(w, bx + bw + r)
        k = cv2.getStructuringElement(cv2.MORPH_ELLIPSE, (2 * r + 1, 2 * r + 1))
        box = hard[y0:y1, x0:x1].view(np.uint8)
        closed = cv2.morphologyEx(box, cv2.MORPH_CLOSE, k).astype(bool)
        closed &= region[y0:y1, x0:x1] & (person[y0:y1, x0:x1] > 0.5)
        hard[y0:y1, x0:x1] |= closed
    # Rounder than a plain part-map edge: the mask's outline comes from the part map's coarse
    # grid, and the skin painted inside it would show the grid's steps.
    return smooth_edges(hard, max(1.0, OLD_GARMENT_EDGE_SMOOTHING * max(hard.shape)))


#: How many main colours of an old top's chest are told apart (see :func:`old_garment_mask`).
OLD_TOP_COLOURS = 3


def _main_colours(lab: FloatArray) -> FloatArray:
    """Up to :data:`OLD_TOP_COLOURS` main colours of (N, 3) Lab pixels, each covering at least
    a tenth of them: (K, 3) float32."""
    sample = np.ascontiguousarray(lab[:: max(1, lab.shape[0] // 1500)], np.float32)
    if sample.shape[0] < 10 * OLD_TOP_COLOURS:
        return np.zeros((0, 3), np.float32)
    criteria = (cv2.TERM_CRITERIA_EPS + cv2.TERM_CRITERIA_MAX_ITER, 10, 1.0)
    # A fixed start (the kmeans++ seeding draws from OpenCV's global random state).
    cv2.setRNGSeed(0)
    _, labels, centres = cv2.kmeans(
        sample, OLD_TOP_COLOURS, None, criteria, 1, cv2.KMEANS_PP_CENTERS
    )
    counts = np.bincount(labels.reshape(-1), minlength=OLD_TOP_COLOURS)
    keep: FloatArray = centres[counts >= 0.1 * sample.shape[0]].astype(np.float32)
    return keep


def _spare_hair(
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


def _old_cuffs(
    parts: BodyParts,
    person: FloatArray,
    image: ByteArray,
    sleeves: npt.NDArray[np.bool_],
    ref_lab: FloatArray,
) -> npt.NDArray[np.bool_]:
    """Sleeve cuffs the part map calls hand: non-skin hand pixels right at a clothed forearm,
    coloured like the old garment (ΔE76 < 25). A bag held lower in the hand is not touched."""
    labels = parts.labels
    hands = labels_mask(labels, set(HAND_PARTS)) & (parts.skin < 0.5) & (person > 0.5)
    out = np.zeros(labels.shape, bool)
    if not hands.any():
        return out
    forearms = labels_mask(labels, {BodyPart.LEFT_FOREARM, BodyPart.RIGHT_FOREARM}) & sleeves
    if not forearms.any():
        return out
    reach = max(3, round(0.02 * max(labels.shape)))
    k = cv2.getStructuringElement(cv2.MORPH_ELLIPSE, (2 * reach + 1, 2 * reach + 1))
    # Only around the hands (a full-frame dilation by this much is slow).
    hy, hx = np.nonzero(hands)
    h, w = labels.shape
    y0, y1 = max(0, int(hy.min()) - reach), min(h, int(hy.max()) + reach + 1)
    x0, x1 = max(0, int(hx.min()) - reach), min(w, int(hx.max()) + reach + 1)
    near_box = cv2.dilate(forearms[y0:y1, x0:x1].astype(np.uint8), k).astype(bool)
    ys, xs = np.nonzero(near_box & hands[y0:y1, x0:x1])
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


def _old_collar(
    parts: BodyParts, person: FloatArray, image: ByteArray, palette: FloatArray
) -> npt.NDArray[np.bool_]:
    """An old collar or high neckline the part map calls neck: non-skin neck pixels below the
    face, coloured like one of the old garment's chest colours ``palette`` ((K, 3) Lab, the
    median first; ΔE76 < 25) and not like the hair. Hair and the chin lie above the face's
    lowest row, or are skin, so they are not touched."""
    ref_lab = palette[0]
    labels = parts.labels
    out = np.zeros(labels.shape, bool)
    whole_neck = labels == int(BodyPart.NECK)
    neck = whole_neck & (parts.skin < 0.5) & (person > 0.5)
    face_rows = np.nonzero((labels == int(BodyPart.FACE)).any(axis=1))[0]
    if not neck.any() or face_rows.size == 0:
        return out
    below_face = int(face_rows[-1]) + 1
    neck[:below_face] = False
    neck_size = int(whole_neck[below_face:].sum())
    ys, xs = np.nonzero(neck)
    if ys.size == 0:
        return out
    hair = labels == int(BodyPart.HAIR)
    if int(hair.sum()) > 50:
        # Hair falling over the neck is often labelled neck: when it is coloured like the
        # garment, the two cannot be told apart here, and the hair must not change.
        # (Every 7th hair pixel: the median needs no more.)
        hair_lab = cv2.cvtColor(
            image[hair][::7].reshape(-1, 1, 3).astype(np.float32) / 255.0, cv2.COLOR_RGB2LAB
        ).reshape(-1, 3)
        hair_ref = np.median(hair_lab, axis=0)
        if float(np.linalg.norm(hair_ref - ref_lab)) < 30.0:
            return out
        # The garment's other colours count only where they are unlike the hair.
        palette = palette[np.linalg.norm(palette - hair_ref, axis=1) >= 30.0]
    pixels = image[ys, xs].reshape(-1, 1, 3).astype(np.float32) / 255.0
    lab = cv2.cvtColor(pixels, cv2.COLOR_RGB2LAB).reshape(-1, 3)
    alike = np.linalg.norm(lab[:, None, :] - palette[None, :, :], axis=2).min(axis=1) < 25.0
    if int(alike.sum()) > OLD_COLLAR_MAX_SHARE * neck_size:
        # A turtleneck or a scarf fills the neck: painting it as skin would leave a flat
        # block where the throat's shading should be; it stays, worn under the new garment.
        return out
    out[ys[alike], xs[alike]] = True
    return out


def old_garment_lab(parts: BodyParts, person: FloatArray, image: ByteArray) -> FloatArray | None:
    """Median Lab colour of the non-skin upper half of the torso (the old garment's chest)."""
    torso = parts.labels == int(BodyPart.TORSO)
    rows = np.nonzero(torso.any(axis=1))[0]
    if rows.size < 4:
        return None
    top, bottom = int(rows[0]), int(rows[-1])
    middle = (top + bottom) // 2
    # Every other row and column: a median colour does not need every pixel.
    rows_ = slice(top, middle, 2)
    chest = torso[rows_, ::2] & (parts.skin[rows_, ::2] < 0.5) & (person[rows_, ::2] > 0.5)
    if int(chest.sum()) < 12:
        return None
    pixels = image[rows_, ::2][chest].reshape(-1, 1, 3).astype(np.float32) / 255.0
    lab = cv2.cvtColor(pixels, cv2.COLOR_RGB2LAB).reshape(-1, 3)
    ref: FloatArray = np.median(lab, axis=0).astype(np.float32)
    return ref


def old_garment_continues_below(
    parts: BodyParts, person: FloatArray, image: ByteArray, share: float = 0.6
) -> bool:
    """Whether the old upper garment goes on over the thighs (a dress, a long tunic).

    True when, on each leg seen, at least ``share`` of the non-skin pixels in the upper fifth
    of the leg is coloured like the old garment's chest (ΔE76 < 30): trousers or a skirt of
    another colour start at the waist, a dress does not. Colour cannot tell a dress from a top
    and trousers of one colour (black on black); those count as a dress.
    """
    ref = old_garment_lab(parts, person, image)
    if ref is None:
        return False
    seen = 0
    for leg in LEG_PARTS:
        mask = parts.labels == int(leg)
        rows = np.nonzero(mask.any(axis=1))[0]
        if rows.size < 10:
            continue
        top = int(rows[0])
        span = max(4, (int(rows[-1]) - top) // 5)
        band = mask[top : top + span] & (parts.skin[top : top + span] < 0.5)
        band &= person[top : top + span] > 0.5
        if int(band.sum()) < 50:
            continue
        pixels = image[top : top + span][band][::2].reshape(-1, 1, 3).astype(np.float32) / 255.0
        lab = cv2.cvtColor(pixels, cv2.COLOR_RGB2LAB).reshape(-1, 3)
        if float((np.linalg.norm(lab - ref, axis=1) < 30.0).mean()) < share:
            return False
        seen += 1
    return seen > 0


def waistband_line(
    parts: BodyParts, person: FloatArray, image: ByteArray, min_share: float = 0.25
) -> FloatArray | None:
    """Per column, the top row of the trousers or skirt the person wears: float32 (W,).

    Lower-garment pixels are non-skin person pixels on the legs and the lower half of the torso
    whose colour is unlike the old top's chest (ΔE76 ≥ 30). None when the photo shows no such
    garment across at least ``min_share`` of the torso's width (bare legs, a dress, a photo
    cropped at the waist), or when what lies across the waist is not the colour of the clothed
    legs (a helmet or a bag held in front). The line is close to level (see the code).
    """
    labels = parts.labels
    torso = labels == int(BodyPart.TORSO)
    rows = np.nonzero(torso.any(axis=1))[0]
    cols = np.nonzero(torso.any(axis=0))[0]
    ref = old_garment_lab(parts, person, image)
    if rows.size < 4 or ref is None:
        return None
    if old_garment_continues_below(parts, person, image):
        return None
    h, w = labels.shape
    middle = (int(rows[0]) + int(rows[-1])) // 2
    x0, x1 = int(cols[0]), int(cols[-1]) + 1
    # Look from the middle of the torso to a torso-height further down.
    y1 = min(h, int(rows[-1]) + (int(rows[-1]) - int(rows[0])) // 2)
    # Every other row and column: a waistband is wide and the line is smoothed anyway.
    sub = slice(middle, y1, 2), slice(x0, x1, 2)
    region = (torso | labels_mask(labels, set(LEG_PARTS)))[sub]
    region &= (parts.skin[sub] < 0.5) & (person[sub] > 0.5)
    lab = cv2.cvtColor(image[sub].astype(np.float32) / 255.0, cv2.COLOR_RGB2LAB)
    region &= np.linalg.norm(lab - ref, axis=2) >= 30.0
    # A column counts once a few pixels in a row are lower garment (not a stray dark fold).
    # (Anchored at the run's top, so a run's first row is where it starts.)
    run = cv2.erode(region.astype(np.uint8), np.ones((5, 1), np.uint8), anchor=(0, 0)).astype(bool)
    has = run.any(axis=0)
    if float(has.mean()) < min_share:
        return None
    # Trousers or a skirt go on down the legs: what was found at the waist must be the colour
    # of the clothed legs (a helmet or a bag held at the waist is not).
    # (Every other row and column below the torso's middle: the legs' colour is a median.)
    below = slice(middle, h, 2), slice(0, w, 2)
    legs = labels_mask(labels[below], set(LEG_PARTS))
    legs &= (parts.skin[below] < 0.5) & (person[below] > 0.5)
    if int(legs.sum()) < 5 * (x1 - x0) // 4:
        return None
    leg_lab = cv2.cvtColor(
        image[below][legs].reshape(-1, 1, 3).astype(np.float32) / 255.0, cv2.COLOR_RGB2LAB
    ).reshape(-1, 3)
    # Only the first rows of each column's run: below them lie the legs themselves.
    offsets = np.arange(run.shape[0])[:, None]
    first = np.argmax(run, axis=0)[None, :]
    waist = run & (offsets >= first) & (offsets < first + 5)
    waist_lab = lab[waist].reshape(-1, 3)[::2]
    if float(np.linalg.norm(np.median(leg_lab, axis=0) - np.median(waist_lab, axis=0))) > 25.0:
        return None
    top = 2 * np.argmax(run, axis=0).astype(np.float32) + middle
    xs = 2 * np.nonzero(has)[0].astype(np.float32) + x0
    ys = top[has]
    # A waistband seen from the front is close to level, and what breaks it in the part map
    # (a hand, an arm, a fold) lies lower: take the median row, then the median of the columns
    # near it, and allow a slight tilt only when a line fitted to those columns is confident.
    tol = max(4.0, 0.03 * (x1 - x0))
    level = float(np.median(ys))
    near = np.abs(ys - level) <= tol
    if int(near.sum()) >= max(5, xs.size // 3):
        level = float(np.median(ys[near]))
        slope, _ = np.polyfit(xs[near] - xs[near].mean(), ys[near], 1)
        slope = float(np.clip(slope, -0.08, 0.08))
        centre = float(xs[near].mean())
    else:
        slope, centre = 0.0, float(xs.mean())
    grid = np.clip(np.arange(w, dtype=np.float32), xs.min(), xs.max())
    line: FloatArray = (level + slope * (grid - centre)).astype(np.float32)
    return line


def below_hem(coverage: FloatArray, region: FloatArray, margin: float) -> FloatArray:
    """Pixels of ``region`` lower than the new garments' hem, float32 (H, W) in {0, 1}.

    The hem is, per column, the lowest row where ``coverage`` > 0.5 (columns the garments do
    not reach take the median hem), raised by ``margin`` pixels so the kept old fabric tucks
    under the new hem rather than leaving a gap.
    """
    h, w = coverage.shape
    covered = coverage > 0.5
    has = covered.any(axis=0)
    out = np.zeros((h, w), np.float32)
    if not has.any():
        return out
    lowest = (h - 1 - np.argmax(covered[::-1], axis=0)).astype(np.float32)
    lowest[~has] = float(np.median(lowest[has]))
    # A hem is a smooth line: a slit or a hand over the hem must not make a notch in it.
    lowest = cv2.GaussianBlur(lowest.reshape(1, -1), (0, 0), 6.0).reshape(-1)
    rows = np.arange(h, dtype=np.float32)[:, None]
    # (Half a row of slack: the blur leaves a level hem a hair off its row.)
    out[(rows > lowest[None, :] - margin + 0.5) & (region > 0.0)] = 1.0
    return out


def old_lower_garment_mask(parts: BodyParts, person: FloatArray) -> FloatArray:
    """Where the person's current trousers or skirt are: leg pixels that are not skin, inside the
    person. float32 (H, W) in [0, 1]."""
    hard = labels_mask(parts.labels, set(LEG_PARTS)) & (parts.skin < 0.5) & (person > 0.5)
    soft: FloatArray = cv2.GaussianBlur(hard.astype(np.float32), (0, 0), 1.0)
    return soft


def low_frequency_shading(image: ByteArray, region: FloatArray, sigma: float = 24.0) -> FloatArray:
    """The photo's slowly varying light inside ``region``, relative to its median (1 = median).

    Normalised convolution inside the region, so bright skin or background next to a dark
    garment does not leak into it. Computed at 1/8 resolution for speed.

    Returns:
        float32 (H, W); 1.0 where the region gives no information.
    """
    h, w = region.shape
    f = 8
    sw, sh = max(1, w // f), max(1, h // f)
    grey = cv2.cvtColor(image, cv2.COLOR_RGB2GRAY).astype(np.float32)
    small_l = cv2.resize(grey * region, (sw, sh), interpolation=cv2.INTER_AREA)
    small_w = cv2.resize(region, (sw, sh), interpolation=cv2.INTER_AREA)
    s = sigma / f
    num = cv2.GaussianBlur(small_l, (0, 0), s)
    den = cv2.GaussianBlur(small_w, (0, 0), s)
    ok = den > 1e-3
    light = np.ones_like(num)
    light[ok] = num[ok] / den[ok]
    inside = small_w > 0.5
    if int(inside.sum()) < 4:
        return np.ones((h, w), np.float32)
    ref = float(np.median(light[inside]))
    if ref < 1.0:
        return np.ones((h, w), np.float32)
    rel = np.where(ok, light / ref, 1.0).astype(np.float32)
    big: FloatArray = cv2.resize(rel, (w, h), interpolation=cv2.INTER_LINEAR)
    return big


def _push_pull(num: FloatArray, den: FloatArray, fallback: FloatArray) -> FloatArray:
    """Fill a sparse weighted average everywhere: where ``den`` (coverage in [0, 1]) is low, the
    value comes from ever coarser averages (a pull-push pyramid). ``num`` (h, w, 3) holds the
    weighted sums; ``fallback`` (3,) is used when nothing at all is covered."""
    h, w = den.shape
    if h <= 2 and w <= 2:
        total = float(den.sum())
        mean = num.reshape(-1, 3).sum(axis=0) / total if total > 1e-3 else fallback
        return np.broadcast_to(mean.astype(np.float32), (h, w, 3)).copy()
    size = (max(1, (w + 1) // 2), max(1, (h + 1) // 2))
    coarse = _push_pull(
        cv2.resize(num, size, interpolation=cv2.INTER_AREA),
        cv2.resize(den, size, interpolation=cv2.INTER_AREA),
        fallback,
    )
    up = cv2.resize(coarse, (w, h), interpolation=cv2.INTER_LINEAR)
    weight = np.clip(den * np.float32(4.0), 0.0, 1.0)[..., None]
    own = num / np.maximum(den, np.float32(1e-6))[..., None]
    out: FloatArray = (own * weight + up * (1.0 - weight)).astype(np.float32)
    return out


#: The skin colour field is estimated on a grid this many times coarser than the photo.
SKIN_FIELD_FACTOR = 8


def skin_field(
    image: ByteArray,
    parts: BodyParts,
    person: FloatArray,
    box: tuple[int, int, int, int] | None = None,
) -> FloatArray:
    """The person's skin colour at every pixel, from the nearest skin the photo shows.

    Confident skin on the neck, chest, arms, hands and legs (the face only when there is too
    little of those: make-up and features make it a poor match for the body) is averaged on a
    coarse grid and spread into the gaps by a pull-push pyramid, so a repainted chest takes the
    colour and light of the neck and shoulders next to it, a repainted arm that of the hand.

    Args:
        box: (x0, y0, x1, y1): only this part of the field is wanted (the rest is left 0).

    Returns:
        float32 (H, W, 3) RGB in [0, 255], smooth.
    """
    h, w = parts.labels.shape
    f = SKIN_FIELD_FACTOR
    size = (max(1, w // f), max(1, h // f))
    # (Every other row and column: the grid's cells average many pixels anyway.)
    half = slice(None, None, 2), slice(None, None, 2)
    sure = (parts.skin[half] > 0.7) & (person[half] > 0.5)
    body = sure & ~labels_mask(parts.labels[half], {BodyPart.FACE, BodyPart.HAIR})
    sources = body if int(body.sum()) >= 10 * f * f else sure
    weight = cv2.resize(sources.astype(np.float32), size, interpolation=cv2.INTER_AREA)
    sub = np.ascontiguousarray(image[half])
    masked = cv2.bitwise_and(sub, sub, mask=sources.view(np.uint8))
    # (Averaged in 8 bits: a cell's mean need not be finer than a grey level.)
    num = cv2.resize(masked, size, interpolation=cv2.INTER_AREA).astype(np.float32)
    total = float(weight.sum())
    # (The person's overall skin colour only matters when no skin is seen at all.)
    fallback = (
        num.reshape(-1, 3).sum(axis=0) / np.float32(total)
        if total > 1e-3
        else np.asarray(skin_colour(image, parts), np.float32)
    )
    small = _push_pull(num, weight, fallback)
    # A light blur: the coarse cells' averages would otherwise show as soft blocks.
    small = cv2.GaussianBlur(small, (0, 0), 1.0)
    x0, y0, x1, y1 = box if box is not None else (0, 0, w, h)
    field = np.zeros((h, w, 3), np.float32)
    if x1 <= x0 or y1 <= y0:
        return field
    # Upsampled (as cv2.resize would, pixel centres aligned) only inside the box.
    fx, fy = w / size[0], h / size[1]
    to_small = np.array(
        [[1.0 / fx, 0.0, (x0 + 0.5) / fx - 0.5], [0.0, 1.0 / fy, (y0 + 0.5) / fy - 0.5]]
    )
    field[y0:y1, x0:x1] = cv2.warpAffine(
        small,
        to_small,
        (x1 - x0, y1 - y0),
        flags=cv2.INTER_LINEAR | cv2.WARP_INVERSE_MAP,
        borderMode=cv2.BORDER_REPLICATE,
    )
    return field


def _lab(rgb: FloatArray) -> FloatArray:
    lab: FloatArray = cv2.cvtColor(
        np.clip(rgb, 0, 255) * np.float32(1.0 / 255.0), cv2.COLOR_RGB2LAB
    )
    return lab


def skin_already(
    image: FloatArray, field: FloatArray, garment_lab: FloatArray | None
) -> FloatArray:
    """How surely each pixel already shows skin (so need not be repainted): float32 (h, w) in
    [0, 1]. A pixel counts as skin when its colour is near the local skin colour ``field`` and
    nearer to it than to the old garment's colour ``garment_lab`` (Lab; lightness counts half:
    shading changes it). The part map's skin mask is coarse at the edges of arms; without this,
    bare skin there would be repainted with a flatter copy of itself.

    Args:
        image: float32 (h, w, 3) RGB in [0, 255].
        field: float32 (h, w, 3) RGB skin colour (see :func:`skin_field`).
        garment_lab: (3,) Lab colour of the old garment, or None if unknown.
    """
    weights = np.array([0.7, 1.0, 1.0], np.float32)
    lab = _lab(image)
    d_skin = np.linalg.norm((lab - _lab(field)) * weights, axis=2)
    near = np.clip((22.0 - d_skin) / 8.0, 0.0, 1.0)
    if garment_lab is None:
        out: FloatArray = near.astype(np.float32)
        return out
    d_garment = np.linalg.norm((lab - garment_lab.astype(np.float32)) * weights, axis=2)
    nearer = np.clip((d_garment - d_skin - 4.0) / 8.0, 0.0, 1.0)
    out = (near * nearer).astype(np.float32)
    return out


_GRAIN: FloatArray | None = None


def _grain(h: int, w: int) -> FloatArray:
    """Unit-variance fine noise (a fixed seed, a tile repeated): the grain a camera puts on skin."""
    global _GRAIN
    if _GRAIN is None:
        noise = np.random.default_rng(7).standard_normal((128, 128)).astype(np.float32)
        # Blurred on a wrapped copy, so the tile repeats without seams.
        wrapped = np.pad(noise, 4, mode="wrap")
        noise = cv2.GaussianBlur(wrapped, (0, 0), 0.7)[4:-4, 4:-4]
        _GRAIN = (noise / np.float32(noise.std())).astype(np.float32)
    reps = (-(-h // 128), -(-w // 128))
    tiled: FloatArray = np.tile(_GRAIN, reps)[:h, :w]
    return tiled


def fill_with_skin(
    base: FloatArray,
    exposed: FloatArray,
    skin_rgb: tuple[float, float, float] | FloatArray,
    shading: FloatArray,
    limbs: Sequence[tuple[FloatArray, float]] = (),
    *,
    garment_lab: FloatArray | None = None,
    grain: float = 0.0,
) -> FloatArray:
    """Repaint ``exposed`` pixels (old garment no longer covered) as shaded skin.

    Args:
        base: float32 (H, W, 3) image being rendered.
        exposed: float32 (H, W) in [0, 1], how much of each pixel to repaint.
        skin_rgb: the person's skin colour, or float32 (H, W, 3) a colour per pixel (see
            :func:`skin_field`); with a field, pixels that already look like skin there (see
            :func:`skin_already`) keep the photo.
        shading: float32 (H, W) relative light (1 = average).
        limbs: per arm or leg, (K, 2) joints in pixels and its radius: repainted limbs are
            shaded round (see :func:`limb_relief`) rather than flat.
        garment_lab: the old garment's Lab colour, to tell skin from a skin-coloured garment.
        grain: standard deviation (0-255) of the fine grain added to the repainted skin.
    """
    out = base.copy()
    ys, xs = np.nonzero(exposed > 1e-3)
    if ys.size == 0:
        return out
    y0, y1, x0, x1 = int(ys.min()), int(ys.max()) + 1, int(xs.min()), int(xs.max()) + 1
    # The old garment's light is only a hint for skin: on dark fabric small absolute changes
    # are large relative ones, so it is damped and bounded.
    light = np.clip(shading[y0:y1, x0:x1], 0.85, 1.15) ** 0.5
    if limbs:
        offset = np.array([x0, y0], np.float32)
        light = light * limb_relief((y1 - y0, x1 - x0), [(c - offset, r) for c, r in limbs])
    e = exposed[y0:y1, x0:x1]
    crop = base[y0:y1, x0:x1]
    if isinstance(skin_rgb, np.ndarray):
        colour = skin_rgb[y0:y1, x0:x1]
        # Only where something is to be repainted (the box is mostly other things).
        already = np.zeros(e.shape, np.float32)
        ys_e, xs_e = np.nonzero(e > 1e-3)
        already[ys_e, xs_e] = skin_already(
            crop[ys_e, xs_e][:, None, :], colour[ys_e, xs_e][:, None, :], garment_lab
        )[:, 0]
        # Only skin in coherent patches (an arm's edge) stays: specks of skin seen through an
        # open knit would stay as dots in the fill.
        r = max(2, round(0.004 * max(exposed.shape)))
        k = cv2.getStructuringElement(cv2.MORPH_ELLIPSE, (2 * r + 1, 2 * r + 1))
        patches = cv2.morphologyEx((already > 0.5).view(np.uint8), cv2.MORPH_OPEN, k)
        e = e * (1.0 - already * patches.astype(np.float32))
        # The field already holds the brightness of the skin nearby: the light only varies it
        # (a patch in a sleeve's shade is darker than the lit arm beside it, but the patch as
        # a whole is as bright as that arm).
        total = float(e.sum())
        if total > 1.0:
            light = light / np.float32(max(0.5, float((light * e).sum()) / total))
    else:
        colour = np.asarray(skin_rgb, np.float32)[None, None, :]
    skin = colour * light[..., None]
    if grain > 0.0:
        skin = skin + (np.float32(grain) * _grain(y1 - y0, x1 - x0))[..., None]
    out[y0:y1, x0:x1] = crop * (1.0 - e[..., None]) + skin * e[..., None]
    return out


def skin_grain(image: ByteArray, parts: BodyParts) -> float:
    """The fine grain (standard deviation, 0-255) on the person's confident skin: what a
    repainted patch needs so it does not look smoother than the skin around it."""
    # (Every third row and column: a median needs no more, and the grain is finer than that.)
    sure = parts.skin[::3, ::3] > 0.8
    if int(sure.sum()) < 100:
        return 0.0
    grey = cv2.cvtColor(np.ascontiguousarray(image[::3, ::3]), cv2.COLOR_RGB2GRAY)
    grey = grey.astype(np.float32)
    fine = grey - cv2.GaussianBlur(grey, (0, 0), 1.0)
    # The median absolute deviation: edges of features (eyes, nails) are outliers.
    mad = float(np.median(np.abs(fine[sure])))
    return float(min(3.0, 0.8 * 1.4826 * mad))


def limb_mask(shape: tuple[int, int], limbs: Sequence[tuple[FloatArray, float]]) -> FloatArray:
    """Where the limbs themselves are: thick polylines along the bones, float32 (H, W) in [0, 1].

    Args:
        shape: (H, W).
        limbs: per limb, (K, 2) joint positions in pixels (e.g. shoulder, elbow, wrist) and
            its radius in pixels.
    """
    out = np.zeros(shape, np.uint8)
    for chain, radius in limbs:
        thickness = max(1, round(2 * radius))
        pts = np.round(chain).astype(np.int32).reshape(-1, 1, 2)
        cv2.polylines(out, [pts], False, 255, thickness, cv2.LINE_AA)
    return out.astype(np.float32) * np.float32(1.0 / 255.0)


def limb_relief(
    shape: tuple[int, int], limbs: Sequence[tuple[FloatArray, float]], depth: float = 0.15
) -> FloatArray:
    """Light falling off across round limbs: 1 on each bone, darker towards its sides (a
    cylinder seen from the front, lit from the camera, at most ``depth`` darker), back to 1 at
    the radius without a step. float32 (H, W); 1 beyond the radius.

    Args:
        shape: (H, W).
        limbs: per limb, (K, 2) joint positions in pixels and its radius in pixels.
    """
    h, w = shape
    out = np.ones(shape, np.float32)
    for chain, radius in limbs:
        if radius <= 1.0:
            continue
        # Only the limb's box (grown by its radius) can change.
        lo = np.floor(chain.min(axis=0) - radius - 1).astype(int)
        hi = np.ceil(chain.max(axis=0) + radius + 2).astype(int)
        x0, y0 = max(0, int(lo[0])), max(0, int(lo[1]))
        x1, y1 = min(w, int(hi[0])), min(h, int(hi[1]))
        if x1 <= x0 or y1 <= y0:
            continue
        bones = np.full((y1 - y0, x1 - x0), 255, np.uint8)
        pts = np.round(chain - np.array([x0, y0], np.float32)).astype(np.int32)
        cv2.polylines(bones, [pts.reshape(-1, 1, 2)], False, 0, 1)
        dist = cv2.distanceTransform(bones, cv2.DIST_L2, 3)
        across = np.clip(dist / np.float32(radius), 0.0, 1.0)
        # Lambert on a cylinder: the surface normal turns away as sqrt(1 - x²) falls; faded
        # back to 1 over the outer quarter of the radius, so where the repainted skin goes on
        # beyond the limb (a belly beside the thighs) there is no dark seam at the radius.
        fade = np.clip((1.0 - across) / 0.25, 0.0, 1.0)
        fade = fade * fade * (3.0 - 2.0 * fade)
        lit = 1.0 - depth * (1.0 - np.sqrt(1.0 - across * across)) * fade
        # Beyond the radius lies the torso (or background), not this limb.
        lit[dist >= radius] = 1.0
        np.minimum(out[y0:y1, x0:x1], lit, out=out[y0:y1, x0:x1])
    return out


def fill_with_background(
    base: FloatArray, region: FloatArray, factor: int = 4, avoid: FloatArray | None = None
) -> FloatArray:
    """Repaint ``region`` (float32 (H, W) in [0, 1]) from its surroundings (inpainting at
    1/``factor`` resolution; the fill is smooth, as a background behind a person is).

    Pixels where ``avoid`` (float32 (H, W)) exceeds 0.1 are not used as sources: the person
    (and the rest of their old garment) is not what lies behind loose fabric.
    """
    out = base.copy()
    hard = region > 0.05
    ys, xs = np.nonzero(hard)
    if ys.size == 0:
        return out
    h, w = region.shape
    pad = 8 * factor
    y0, y1 = max(0, int(ys.min()) - pad), min(h, int(ys.max()) + pad + 1)
    x0, x1 = max(0, int(xs.min()) - pad), min(w, int(xs.max()) + pad + 1)
    crop = np.clip(base[y0:y1, x0:x1], 0, 255).astype(np.uint8)
    size = (max(1, (x1 - x0) // factor), max(1, (y1 - y0) // factor))
    small = cv2.resize(crop, size, interpolation=cv2.INTER_AREA)
    # Area-average then any coverage counts, so thin regions survive the downscale.
    coverage = cv2.resize(hard[y0:y1, x0:x1].astype(np.float32), size, interpolation=cv2.INTER_AREA)
    small_mask = cv2.dilate((coverage > 0).astype(np.uint8), np.ones((3, 3), np.uint8))
    if avoid is not None:
        skip = cv2.resize(avoid[y0:y1, x0:x1], size, interpolation=cv2.INTER_AREA) > 0.1
        small_mask |= skip.astype(np.uint8)
    filled = cv2.inpaint(small, small_mask, 3, cv2.INPAINT_TELEA)
    big = cv2.resize(filled, (x1 - x0, y1 - y0), interpolation=cv2.INTER_LINEAR).astype(np.float32)
    e = region[y0:y1, x0:x1, None]
    out[y0:y1, x0:x1] = base[y0:y1, x0:x1] * (1.0 - e) + big * e
    return out


def contact_shadow(
    alpha: FloatArray, person: FloatArray, sigma: float, strength: float = 0.3
) -> FloatArray:
    """Multiplicative darkening just outside a garment's edges (1 = unchanged), only on the person.

    Args:
        alpha: float32 (H, W) union of the new garments' coverage.
        person: float32 (H, W) person mask.
        sigma: shadow softness in pixels.
    """
    spread = cv2.GaussianBlur(alpha, (0, 0), sigma)
    outside = np.clip(spread - alpha, 0.0, 1.0)
    factor: FloatArray = (1.0 - strength * outside * person).astype(np.float32)
    return factor


def place_layer(layer: FittedLayer, size: tuple[int, int]) -> FloatArray:
    """A layer's alpha placed in a full float32 (H, W) frame of ``size`` (width, height)."""
    w, h = size
    out = np.zeros((h, w), np.float32)
    x0, y0, x1, y1 = layer.box
    out[y0:y1, x0:x1] = layer.rgba[..., 3]
    return out


def composite_layer(
    base: FloatArray,
    layer: FittedLayer,
    hidden: FloatArray,
    shading: FloatArray,
    support: FloatArray,
) -> FloatArray:
    """Draw one premultiplied layer over ``base`` in place; returns its visible alpha (H, W).

    Args:
        base: float32 (H, W, 3) image, modified in place.
        layer: the warped garment part.
        hidden: float32 (H, W) in [0, 1]: what lies in front of this layer (hair, hands, ...).
        shading: float32 (H, W) relative light from the photo (1 = average).
        support: float32 (H, W) in [0, 1]: where garment may appear (the person, slightly grown).
    """
    h, w = base.shape[:2]
    x0, y0, x1, y1 = layer.box
    visible = np.zeros((h, w), np.float32)
    keep = (1.0 - hidden[y0:y1, x0:x1]) * support[y0:y1, x0:x1]
    alpha = layer.rgba[..., 3] * keep
    if not alpha.any():
        return visible
    light = np.clip(shading[y0:y1, x0:x1], 0.5, 1.4)
    colour = layer.rgba[..., :3] * (keep * light)[..., None]
    crop = base[y0:y1, x0:x1]
    crop *= 1.0 - alpha[..., None]
    crop += colour
    visible[y0:y1, x0:x1] = alpha
    return visible


def grow_mask(mask: FloatArray, radius: int) -> FloatArray:
    """A float mask dilated by ``radius`` pixels and softened by a one-pixel blur."""
    if radius <= 0:
        return mask.astype(np.float32)
    k = cv2.getStructuringElement(cv2.MORPH_ELLIPSE, (2 * radius + 1, 2 * radius + 1))
    grown = cv2.dilate(mask.astype(np.float32), k)
    out: FloatArray = cv2.GaussianBlur(grown, (0, 0), 1.0)
    return out


#: Below the back of the collar, how far down the neck opening reaches, as a share of its width.
#: A product photo shows the inside of the back through the opening (often with the labels);
#: worn, the person's own neck and chest are in front of it.
NECK_OPENING_DEPTH = 0.45


def occluders(
    parts: BodyParts,
    neckline_y: float | None,
    with_arms: bool,
    neck_span: tuple[float, float] | None = None,
) -> FloatArray:
    """What stays in front of a garment layer: hair, face, hands, the neck above the neckline,
    and (for the torso panel) the bare forearms. float32 (H, W) in [0, 1], edges softened.

    With ``neck_span`` (the x of the garment's two neck points), the garment's neck opening
    (:data:`NECK_OPENING_DEPTH`) is hidden too: what a product photo shows there is the inside
    of the garment's back, and worn, the person's neck and chest are in front of it (old
    fabric there is repainted as skin like any other the new garment leaves)."""
    labels = parts.labels
    front = labels_mask(labels, {BodyPart.HAIR, BodyPart.FACE, *HAND_PARTS})
    if with_arms:
        # Bare forearms cross in front of the torso; arms in old sleeves are not protected (the
        # new garment or the skin fill replaces those sleeves). Upper arms hang beside the
        # body, under the new sleeves (drawn over the panel): cutting the panel along them
        # would open a wedge of bare arm between sleeve and body.
        forearms = {BodyPart.LEFT_FOREARM, BodyPart.RIGHT_FOREARM}
        front |= labels_mask(labels, forearms) & (parts.skin > 0.5)
    # A plain one-pixel softening: smoothing the outline would drop thin strands of hair.
    soft: FloatArray = cv2.GaussianBlur(front.astype(np.float32), (0, 0), 0.8)
    if neckline_y is not None:
        neck = labels == int(BodyPart.NECK)
        rows = np.arange(labels.shape[0])[:, None] < neckline_y
        # The neck's outline is the part map's staircase, and it draws the new neckline's
        # sides: smoothed, so the neckline is a clean curve.
        np.maximum(soft, smooth_edges(neck & rows), out=soft)
        if neck_span is not None:
            x0, x1 = sorted(neck_span)
            depth = NECK_OPENING_DEPTH * (x1 - x0)
            h, w = labels.shape
            ys = np.arange(h, dtype=np.float32)[:, None]
            xs = np.arange(w, dtype=np.float32)[None, :]
            # The opening is rounded: deepest in the middle, at the collar's height at its ends.
            half = max(1.0, 0.5 * (x1 - x0))
            t = np.clip(1.0 - ((xs - 0.5 * (x0 + x1)) / half) ** 2, 0.0, 1.0)
            opening = (ys < neckline_y + depth * np.sqrt(t)) & (xs >= x0) & (xs <= x1)
            np.maximum(soft, smooth_edges(opening), out=soft)
    return soft


__all__ = [
    "DEFAULT_SKIN_RGB",
    "NECK_OPENING_DEPTH",
    "below_hem",
    "composite_layer",
    "contact_shadow",
    "fill_with_background",
    "fill_with_skin",
    "grow_mask",
    "labels_mask",
    "limb_mask",
    "limb_relief",
    "low_frequency_shading",
    "occluders",
    "old_garment_continues_below",
    "old_garment_lab",
    "old_garment_mask",
    "old_lower_garment_mask",
    "place_layer",
    "skin_already",
    "skin_colour",
    "skin_field",
    "skin_grain",
    "smooth_edges",
    "waistband_line",
]
