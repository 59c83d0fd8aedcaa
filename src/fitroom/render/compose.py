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
            alike = np.linalg.norm(lab - ref, axis=2) < 30.0
            hard[middle : bottom + 1, x0:x1] &= alike | ~torso[middle : bottom + 1, x0:x1]
            hard |= _old_cuffs(parts, person, image, hard, ref)
            hard |= _old_collar(parts, person, image, ref)
    return smooth_edges(hard)


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
    parts: BodyParts, person: FloatArray, image: ByteArray, ref_lab: FloatArray
) -> npt.NDArray[np.bool_]:
    """An old collar or high neckline the part map calls neck: non-skin neck pixels below the
    face, coloured like the old garment's chest (ΔE76 < 25). Hair and the chin lie above the
    face's lowest row, or are skin, so they are not touched."""
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
        if float(np.linalg.norm(np.median(hair_lab, axis=0) - ref_lab)) < 30.0:
            return out
    pixels = image[ys, xs].reshape(-1, 1, 3).astype(np.float32) / 255.0
    lab = cv2.cvtColor(pixels, cv2.COLOR_RGB2LAB).reshape(-1, 3)
    alike = np.linalg.norm(lab - ref_lab, axis=1) < 25.0
    if int(alike.sum()) > OLD_COLLAR_MAX_SHARE * neck_size:
        # A turtleneck or a scarf fills the neck: painting it as skin would leave a flat
        # block where the throat's shading should be; it stays, worn under the new garment.
        return out
    out[ys[alike], xs[alike]] = True
    return out


def _chest_lab(parts: BodyParts, person: FloatArray, image: ByteArray) -> FloatArray | None:
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
    ref = _chest_lab(parts, person, image)
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
    ref = _chest_lab(parts, person, image)
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


def fill_with_skin(
    base: FloatArray,
    exposed: FloatArray,
    skin_rgb: tuple[float, float, float],
    shading: FloatArray,
    limbs: Sequence[tuple[FloatArray, float]] = (),
) -> FloatArray:
    """Repaint ``exposed`` pixels (old garment no longer covered) as shaded skin.

    Args:
        base: float32 (H, W, 3) image being rendered.
        exposed: float32 (H, W) in [0, 1], how much of each pixel to repaint.
        skin_rgb: the person's skin colour.
        shading: float32 (H, W) relative light (1 = average).
        limbs: per arm or leg, (K, 2) joints in pixels and its radius: repainted limbs are
            shaded round (see :func:`limb_relief`) rather than flat.
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
    skin = np.asarray(skin_rgb, np.float32)[None, None, :] * light[..., None]
    e = exposed[y0:y1, x0:x1, None]
    out[y0:y1, x0:x1] = base[y0:y1, x0:x1] * (1.0 - e) + skin * e
    return out


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
    """Light falling off across round limbs: 1 on each bone, down to ``1 - depth`` at its
    radius (a cylinder seen from the front, lit from the camera). float32 (H, W); 1 beyond the
    radius.

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
        # Lambert on a cylinder: the surface normal turns away as sqrt(1 - x²) falls.
        lit = 1.0 - depth * (1.0 - np.sqrt(1.0 - across * across))
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
    light = np.clip(shading[y0:y1, x0:x1], 0.7, 1.25) ** 0.6
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


def occluders(parts: BodyParts, neckline_y: float | None, with_arms: bool) -> FloatArray:
    """What stays in front of a garment layer: hair, face, hands, the neck above the neckline,
    and (for the torso panel) the bare arms. float32 (H, W) in [0, 1], edges softened."""
    labels = parts.labels
    front = labels_mask(labels, {BodyPart.HAIR, BodyPart.FACE, *HAND_PARTS})
    if with_arms:
        # Bare arms are in front of the torso; arms in old sleeves are not protected (the new
        # garment or the skin fill replaces those sleeves).
        front |= labels_mask(labels, set(ARM_PARTS)) & (parts.skin > 0.5)
    # A plain one-pixel softening: smoothing the outline would drop thin strands of hair.
    soft: FloatArray = cv2.GaussianBlur(front.astype(np.float32), (0, 0), 0.8)
    if neckline_y is not None:
        neck = labels == int(BodyPart.NECK)
        rows = np.arange(labels.shape[0])[:, None] < neckline_y
        # The neck's outline is the part map's staircase, and it draws the new neckline's
        # sides: smoothed, so the neckline is a clean curve.
        np.maximum(soft, smooth_edges(neck & rows), out=soft)
    return soft


__all__ = [
    "DEFAULT_SKIN_RGB",
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
    "old_garment_mask",
    "old_lower_garment_mask",
    "place_layer",
    "skin_colour",
    "smooth_edges",
    "waistband_line",
]
