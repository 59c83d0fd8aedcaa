"""The old garment: what the person wears now, analysed once per dressing call, and its masks.

:func:`analyse_old_garment` reads the old top's colours once (:class:`OldGarment`); the masks of
the old upper garment (:func:`old_garment_mask`: torso and sleeves, old collars and cuffs from
:mod:`fitroom.dressing.old_collar_and_cuffs`, hair spared) and of the old trousers or skirt
(:func:`old_lower_garment_mask`) say what is to be removed. Where the uncovered old fabric is
repainted is :mod:`fitroom.dressing.old_garment_removal`.

Images are uint8 (H, W, 3) RGB; masks float32 (H, W) in [0, 1]; colours Lab (OpenCV float).
"""

from __future__ import annotations

from dataclasses import dataclass, replace

import cv2
import numpy as np
import numpy.typing as npt

from fitroom.dressing.masks import labels_mask, pick, smooth_edges
from fitroom.dressing.old_collar_and_cuffs import old_collar, old_cuffs, old_neckband, spare_hair
from fitroom.vision.core import ARM_PARTS, LEG_PARTS, BodyPart, BodyParts

FloatArray = npt.NDArray[np.float32]
ByteArray = npt.NDArray[np.uint8]


@dataclass(frozen=True)
class OldGarment:
    """What the person's current upper garment looks like, worked out once per dressing call.

    Attributes:
        chest_lab: float32 (3,) median Lab colour of the old top's chest (the non-skin upper
            half of the torso, every other pixel; see :func:`old_garment_lab`), or None when
            the photo shows too little of it.
        palette: float32 (K, 3) Lab: the chest's median over all its pixels first, then up to
            :data:`OLD_TOP_COLOURS` main colours (a striped top has several); (0, 3) when the
            chest shows too little fabric (50 pixels or fewer).
        continues_below: the old garment goes on over the thighs (a dress, a long tunic; see
            :func:`old_garment_continues_below`).
        hem_row: when the colour test reads it as going on below, the first row below the old
            top's hem if the clothes there turn a darker or lighter shade of its colour (a
            black cami over black jeans; see :func:`hem_by_shade`), else None. (A photo try-on
            sets it to the row it raised a new top's hem to, where the photo's top ends: see
            :func:`~fitroom.dressing.core.hems_at_top_edge`.) Below it only the sleeves are old
            top (:func:`~fitroom.dressing.old_garment_removal.old_garment_to_remove`).
    """

    chest_lab: FloatArray | None
    palette: FloatArray
    continues_below: bool
    hem_row: int | None = None

    def __post_init__(self) -> None:
        if self.chest_lab is not None and self.chest_lab.shape != (3,):
            raise ValueError(f"OldGarment.chest_lab: expected (3,), got {self.chest_lab.shape}")
        if self.palette.ndim != 2 or self.palette.shape[1] != 3:
            raise ValueError(f"OldGarment.palette: expected (K, 3), got {self.palette.shape}")

    def cropped(self, top: int) -> OldGarment:
        """The analysis in the rows of a crop of the photo starting ``top`` rows down."""
        if self.hem_row is None:
            return self
        return replace(self, hem_row=self.hem_row - top)


def analyse_old_garment(parts: BodyParts, person: FloatArray, image: ByteArray) -> OldGarment:
    """The old upper garment's colours and whether it goes on below the waist (see
    :class:`OldGarment`), from the photo, its body-part map and person mask."""
    chest_lab = old_garment_lab(parts, person, image)
    below = chest_lab is not None and _continues_below(parts, person, image, chest_lab)
    return OldGarment(
        chest_lab=chest_lab,
        palette=chest_palette(parts, person, image),
        continues_below=below,
        hem_row=hem_by_shade(parts, person, image, chest_lab)
        if below and chest_lab is not None
        else None,
    )


#: Least lightness difference (L*) between an old top's chest and the clothes on the top of the
#: legs for :func:`hem_by_shade` to tell where one ends and the other starts...
HEM_SHADE_STEP = 6.0
#: ...and the most their colours (a*, b*) may differ for the clothes to be a shade of the top's
#: colour: a blue shirt over black trousers is another colour, which :func:`hem_by_shade` leaves
#: to the colour test.
HEM_SHADE_CHROMA = 6.0


def hem_by_shade(
    parts: BodyParts, person: FloatArray, image: ByteArray, chest_lab: FloatArray
) -> int | None:
    """The first row below the old top's hem when the clothes below it are a shade of its
    colour (a black satin cami over black jeans: within the colour test's ΔE76 of 30, so read
    as one garment going on below), or None when no such step shows.

    The clothes below are the median colour of the non-skin leg pixels from a fifth to two
    fifths of the way down the legs; they must be a darker or lighter shade of the chest's colour
    ``chest_lab``: :data:`HEM_SHADE_STEP` apart in lightness at least (a dress's own light and
    folds are not), within :data:`HEM_SHADE_CHROMA` in colour. Going down from a
    third of the way from the torso's top to that band, each row's median fabric colour is
    nearer one or the other; the hem is the first row (below one nearer the chest) from which
    on at least nine rows in ten down to the band are nearer the clothes below.
    """
    torso = parts.labels == int(BodyPart.TORSO)
    legs = labels_mask(parts.labels, set(LEG_PARTS))
    fabric = (torso | legs) & (parts.skin < 0.5) & (person > 0.5)
    t_rows = np.nonzero(torso.any(axis=1))[0]
    l_rows = np.nonzero(legs.any(axis=1))[0]
    if t_rows.size < 4 or l_rows.size < 20:
        return None
    span = int(l_rows[-1]) - int(l_rows[0])
    b0, b1 = int(l_rows[0]) + span // 5, int(l_rows[0]) + 2 * span // 5
    band = legs[b0:b1] & fabric[b0:b1]
    if int(band.sum()) < 50:
        return None
    below_lab = np.median(lab_of_pixels(pick(image[b0:b1], band)), axis=0)
    step = abs(float(below_lab[0] - chest_lab[0]))
    chroma = float(np.linalg.norm(below_lab[1:] - chest_lab[1:]))
    if step < HEM_SHADE_STEP or chroma > HEM_SHADE_CHROMA:
        return None
    # (From a third of the way down from the torso's top to the legs' band: the part map's
    # torso may reach far down the legs, its middle below the hem.)
    start = int(t_rows[0]) + (b0 - int(t_rows[0])) // 3
    if start >= b0:
        return None
    nearer_below = np.zeros(b0 - start, bool)
    for i, y in enumerate(range(start, b0)):
        row = fabric[y]
        if int(row.sum()) < 10:
            continue
        lab = np.median(lab_of_pixels(image[y][row]), axis=0)
        nearer_below[i] = np.linalg.norm(lab - below_lab) < np.linalg.norm(lab - chest_lab)
    for i in range(nearer_below.size):
        # (Rows of the top's colour above it: a step, not clothes of one shade throughout.)
        if nearer_below[i] and i > 0 and float(nearer_below[i:].mean()) >= 0.9:
            return start + i
    return None


def lab_of_pixels(pixels: ByteArray) -> FloatArray:
    """(N, 3) uint8 RGB pixels as (N, 3) float32 Lab."""
    lab: FloatArray = cv2.cvtColor(
        pixels.reshape(-1, 1, 3).astype(np.float32) / 255.0, cv2.COLOR_RGB2LAB
    ).reshape(-1, 3)
    return lab


def _candidates(
    parts: BodyParts, person: FloatArray
) -> tuple[npt.NDArray[np.bool_], npt.NDArray[np.bool_], npt.NDArray[np.bool_]]:
    """(torso, torso or arms, old-garment candidates): (H, W) bool each. Candidates are torso
    and arm pixels that are not skin, inside the person."""
    labels = parts.labels
    torso = labels == int(BodyPart.TORSO)
    region = torso | labels_mask(labels, set(ARM_PARTS))
    return torso, region, region & (parts.skin < 0.5) & (person > 0.5)


def chest_palette(parts: BodyParts, person: FloatArray, image: ByteArray) -> FloatArray:
    """The old top's chest colours: float32 (K, 3) Lab, the median of all its non-skin pixels in
    the torso's upper half first, then its main colours; (0, 3) with 50 such pixels or fewer."""
    torso = parts.labels == int(BodyPart.TORSO)
    rows = np.nonzero(torso.any(axis=1))[0]
    if rows.size == 0:
        return np.zeros((0, 3), np.float32)
    top, bottom = int(rows[0]), int(rows[-1])
    middle = (top + bottom) // 2
    # (The old-garment candidates of :func:`old_garment_mask` on the torso's upper half.)
    band = slice(top, middle)
    chest = torso[band] & (parts.skin[band] < 0.5) & (person[band] > 0.5)
    if int(chest.sum()) <= 50:
        return np.zeros((0, 3), np.float32)
    ref_lab = cv2.cvtColor(
        pick(image[top:middle], chest).reshape(-1, 1, 3).astype(np.float32) / 255.0,
        cv2.COLOR_RGB2LAB,
    ).reshape(-1, 3)
    ref = np.median(ref_lab, axis=0)
    # Each of the chest's main colours: a striped or patchwork top has several, and each goes
    # on below the chest.
    palette: FloatArray = np.vstack([ref[None, :], _main_colours(ref_lab)]).astype(np.float32)
    return palette


#: Edge smoothing of the old-garment mask, as a share of the map's longer side.
OLD_GARMENT_EDGE_SMOOTHING = 0.005


def old_garment_mask(
    parts: BodyParts,
    person: FloatArray,
    image: ByteArray | None = None,
    old: OldGarment | None = None,
) -> FloatArray:
    """Where the person's current upper garment is: float32 (H, W) in [0, 1].

    Torso and arm pixels that are not skin, inside the person. The neck is left alone (the
    body-part map's neck often reaches into the chin and hair, which must not change) except
    for an old collar: non-skin neck pixels below the face coloured like the garment's chest. With
    ``image`` given, torso pixels in the lower half of the torso must also be coloured like the
    garment's chest (ΔE76 < 30): the part map's torso reaches into the waistband of trousers or
    a skirt, which must not be repainted. ``old`` is the photo's :class:`OldGarment` (worked
    out here when not given).
    """
    torso, region, hard = _candidates(parts, person)
    if image is not None and torso.any():
        palette = (old or analyse_old_garment(parts, person, image)).palette
        rows = np.nonzero(torso.any(axis=1))[0]
        top, bottom = int(rows[0]), int(rows[-1])
        middle = (top + bottom) // 2
        cols = np.nonzero(torso.any(axis=0))[0]
        x0, x1 = int(cols[0]), int(cols[-1]) + 1
        if palette.shape[0] > 0:
            lower = image[middle : bottom + 1, x0:x1].astype(np.float32) / 255.0
            lab = cv2.cvtColor(lower, cv2.COLOR_RGB2LAB)
            # (Only the candidate pixels: the torso's old fabric in the box.)
            lower_hard = hard[middle : bottom + 1, x0:x1]
            ys, xs = np.nonzero(lower_hard & torso[middle : bottom + 1, x0:x1])
            near = np.full(ys.size, np.inf, np.float32)
            candidates = lab[ys, xs]
            for colour in palette:
                np.minimum(near, np.linalg.norm(candidates - colour, axis=1), out=near)
            far = near >= 30.0
            lower_hard[ys[far], xs[far]] = False
            spare_hair(parts, image, hard, palette, middle)
            hard |= old_cuffs(parts, person, image, hard, palette[0])
            hard |= old_collar(parts, person, image, palette)
            hard |= old_neckband(parts, person, image, hard & torso, palette[0])
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
    pixels = pick(image[rows_, ::2], chest).reshape(-1, 1, 3).astype(np.float32) / 255.0
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
    return ref is not None and _continues_below(parts, person, image, ref, share)


def _continues_below(
    parts: BodyParts, person: FloatArray, image: ByteArray, ref: FloatArray, share: float = 0.6
) -> bool:
    """:func:`old_garment_continues_below` given the old garment's chest colour ``ref`` (Lab)."""
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
        picked = pick(image[top : top + span], band)[::2]
        pixels = picked.reshape(-1, 1, 3).astype(np.float32) / 255.0
        lab = cv2.cvtColor(pixels, cv2.COLOR_RGB2LAB).reshape(-1, 3)
        if float((np.linalg.norm(lab - ref, axis=1) < 30.0).mean()) < share:
            return False
        seen += 1
    return seen > 0


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


def old_skirt_mask(
    parts: BodyParts, person: FloatArray, image: ByteArray, old: OldGarment
) -> FloatArray:
    """Where the skirt of the person's old dress is: leg pixels that are not skin, inside the
    person, coloured like the old garment's chest (ΔE76 < 30 to a colour of its palette; shoes,
    boots and tights are not). float32 (H, W) in {0, 1}; all zero when the old garment does
    not go on below the waist (see :attr:`OldGarment.continues_below`)."""
    h, w = person.shape
    out = np.zeros((h, w), np.float32)
    if not old.continues_below or old.palette.shape[0] == 0:
        return out
    hard = labels_mask(parts.labels, set(LEG_PARTS)) & (parts.skin < 0.5) & (person > 0.5)
    ys, xs = np.nonzero(hard)
    if ys.size == 0:
        return out
    pixels = image[ys, xs].reshape(-1, 1, 3).astype(np.float32) / 255.0
    lab = cv2.cvtColor(pixels, cv2.COLOR_RGB2LAB).reshape(-1, 3)
    near = np.full(ys.size, np.inf, np.float32)
    for colour in old.palette:
        np.minimum(near, np.linalg.norm(lab - colour, axis=1), out=near)
    out[ys[near < 30.0], xs[near < 30.0]] = 1.0
    return out


#: The narrowest old skirt below a new dress's hem, as a share of the photo's longer side:
#: runs of "old skirt" narrower than this across a row are the legs' anti-aliased outline (or
#: their shadow) coloured like a light or dark old dress, not fabric.
SKIRT_MIN_WIDTH = 0.02


def wide_skirt(skirt: FloatArray) -> FloatArray:
    """The part of ``skirt`` (float32 (H, W) in {0, 1}, the old dress read below a new hem)
    at least :data:`SKIRT_MIN_WIDTH` wide across (an opening along the rows): float32 (H, W)
    in {0, 1}.

    An old dress's skirt below a shorter new one is a band as wide as the legs or more. On the
    five true dress pairs (the photo's dress as long as the new one) what was read there was the
    legs' outline down to the socks (skin blended with a white backdrop, coloured like a white
    print) and slivers beside the knees: repainted as background, they thinned the legs by a
    line on each side."""
    hard = np.ascontiguousarray(skirt > 0.5).view(np.uint8)
    if not hard.any():
        return skirt
    width = max(3, round(SKIRT_MIN_WIDTH * max(skirt.shape)))
    across = cv2.getStructuringElement(cv2.MORPH_RECT, (width, 1))
    wide = cv2.morphologyEx(hard, cv2.MORPH_OPEN, across)
    # The band's own rim (its rounded top and bottom rows, narrower than the opening) goes
    # with it: left, it drew a dark ring round a black sock repainted as the skirt's.
    rim = cv2.getStructuringElement(cv2.MORPH_ELLIPSE, (width // 3 * 2 + 1,) * 2)
    out: FloatArray = (cv2.dilate(wide, rim) & hard).astype(np.float32)
    return out


#: A pixel read as old skirt whose hue (a*, b*) lies nearer the person's lit skin's than the
#: nearest old-garment colour's by more than this (ΔE of the hue alone) is skin in shadow.
SKIN_HUE_MARGIN = 4.0


def without_shaded_skin(
    skirt: FloatArray, parts: BodyParts, image: ByteArray, old: OldGarment
) -> FloatArray:
    """``skirt`` (float32 (H, W) in {0, 1}, the old dress read on the legs by its colours)
    without the legs' skin in shadow: pixels whose hue is nearer the person's lit skin (median
    a*, b* of the limbs where :attr:`~fitroom.vision.core.BodyParts.skin` > 0.5) than any
    colour of the old garment's palette by :data:`SKIN_HUE_MARGIN`. float32 (H, W) in {0, 1}.

    Shade darkens skin but keeps its hue. Right under a dress's hem the thighs lie in its
    shadow: darker, and read as not-skin, they came within ΔE 30 of a grey print (the one-
    shoulder true pair's 45/14/11 against 52/2/-2) and were repainted as background, a white
    blotch on each leg. An old dress of the skin's own hue stays whole (neither is nearer)."""
    hard = skirt > 0.5
    if not hard.any() or old.palette.shape[0] == 0:
        return skirt
    limbs = labels_mask(parts.labels, set(LEG_PARTS) | set(ARM_PARTS)) & (parts.skin > 0.5)
    if int(np.count_nonzero(limbs)) < 50:
        return skirt
    skin_ab = np.median(lab_of_pixels(image[limbs])[:, 1:], axis=0)
    ys, xs = np.nonzero(hard)
    ab = lab_of_pixels(image[ys, xs])[:, 1:]
    to_skin = np.linalg.norm(ab - skin_ab, axis=1)
    to_old = np.min(
        np.linalg.norm(ab[:, None, :] - old.palette[None, :, 1:].astype(np.float32), axis=2),
        axis=1,
    )
    out = skirt.copy()
    shaded = to_skin + SKIN_HUE_MARGIN < to_old
    out[ys[shaded], xs[shaded]] = 0.0
    return out


def old_lower_garment_mask(parts: BodyParts, person: FloatArray) -> FloatArray:
    """Where the person's current trousers or skirt are: leg pixels that are not skin, inside the
    person. float32 (H, W) in [0, 1]."""
    hard = labels_mask(parts.labels, set(LEG_PARTS)) & (parts.skin < 0.5) & (person > 0.5)
    soft: FloatArray = cv2.GaussianBlur(hard.astype(np.float32), (0, 0), 1.0)
    return soft


__all__ = [
    "HEM_SHADE_CHROMA",
    "HEM_SHADE_STEP",
    "OLD_GARMENT_EDGE_SMOOTHING",
    "OLD_TOP_COLOURS",
    "SKIN_HUE_MARGIN",
    "SKIRT_MIN_WIDTH",
    "OldGarment",
    "analyse_old_garment",
    "below_hem",
    "chest_palette",
    "hem_by_shade",
    "lab_of_pixels",
    "old_garment_continues_below",
    "old_garment_lab",
    "old_garment_mask",
    "old_lower_garment_mask",
    "old_skirt_mask",
    "wide_skirt",
    "without_shaded_skin",
]
