"""Compositing: what stays in front of each garment layer, and drawing the layers over the photo.

Images are float32 (H, W, 3) RGB in [0, 255] while being rendered; masks float32 (H, W) in [0, 1].
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import cv2
import numpy as np
import numpy.typing as npt

from fitroom.dressing.masks import (
    blur_box,
    blur_in_box,
    labels_mask,
    per_channel,
    smooth_edges,
    snap_to_edges,
)
from fitroom.fitting.fitted import FittedGarment, FittedLayer
from fitroom.garments.neck_opening import BACK_DIP
from fitroom.vision.core import HAND_PARTS, BodyPart, BodyParts

FloatArray = npt.NDArray[np.float32]
ByteArray = npt.NDArray[np.uint8]

#: A tuck line: a row, or float32 (W,) rows per column; None = not tucked.
TuckLine = float | FloatArray | None


#: Window of the edge snapping of what stays in front, as a share of the photo's longer side
#: (about the body-part map's staircase step).
SNAP_RADIUS = 0.005

#: Below the back of the collar, how far down the neck opening reaches, as a share of its width.
#: A product photo shows the inside of the back through the opening (often with the labels);
#: worn, the person's own neck and chest are in front of it. Only for garments whose own
#: opening was not read from their photo (see :mod:`fitroom.garments.neck_opening`; their torso
#: panel leaves it out, :attr:`~fitroom.fitting.fitted.FittedGarment.own_neck_opening`).
NECK_OPENING_DEPTH = 0.4


#: How far a strapped dress's top edge between its neck points may dip in the middle and still
#: be the back of its neckline, as a share of their distance: the neck points of a tank dress
#: are its straps' tops and its back is scooped between them (the tank dress true pair: 0.24,
#: its back's label drawn on the chest), deeper than a collar's :data:`BACK_DIP`.
STRAPPED_BACK_DIP = 0.3


def shows_back_collar(targets: dict[str, tuple[float, float]], dip: float = BACK_DIP) -> bool:
    """Whether the garment's top edge between its neck points is the back of its collar (so the
    product photo may show the inside of the back below it), from the fitted landmark targets.

    Where that edge dips well below the neck points in the middle (:data:`BACK_DIP` of their
    distance: a wrap or V-neck dress, a square neck), it is the front neckline itself: there is
    no inside to hide, and an opening cut below it would make a hole in the bodice."""
    if not {"neck_left", "neck_right", "neck_center"} <= targets.keys():
        return False
    (lx, ly), (rx, ry) = targets["neck_left"], targets["neck_right"]
    span = abs(float(lx) - float(rx))
    return float(targets["neck_center"][1]) <= max(float(ly), float(ry)) + dip * span


def sleeveless(fitted: FittedGarment) -> bool:
    """Whether a fitted garment has no sleeve layers (straps, a tank, a sleeveless dress)."""
    return all(layer.part == "torso" for layer in fitted.layers)


def bare_forearms(parts: BodyParts) -> npt.NDArray[np.bool_]:
    """The forearms' skin: (H, W) bool (bare forearms stay in front of a torso panel)."""
    forearms = {BodyPart.LEFT_FOREARM, BodyPart.RIGHT_FOREARM}
    found: npt.NDArray[np.bool_] = labels_mask(parts.labels, forearms) & (parts.skin > 0.5)
    return found


def front_of(
    parts: BodyParts,
    with_arms: bool,
    image: ByteArray | None = None,
    old_fabric: FloatArray | None = None,
) -> FloatArray:
    """The part of :func:`occluders` every layer shares (hair, face, hands and, ``with_arms``,
    the bare forearms; no neck): float32 (H, W) in [0, 1], edges softened."""
    labels = parts.labels
    front = labels_mask(labels, {BodyPart.HAIR, BodyPart.FACE, *HAND_PARTS})
    if with_arms:
        # Bare forearms cross in front of the torso; arms in old sleeves are not protected (the
        # new garment or the skin fill replaces those sleeves). Upper arms hang beside the
        # body, under the new sleeves (drawn over the panel): cutting the panel along them
        # would open a wedge of bare arm between sleeve and body.
        front |= bare_forearms(parts)
    # A plain one-pixel softening: smoothing the outline would drop thin strands of hair.
    soft = blur_in_box(front.astype(np.float32), 0.8)
    if image is not None and front.any():
        step = max(2, round(SNAP_RADIUS * max(labels.shape)))
        soft = snap_to_edges(soft, image, step)
    if old_fabric is not None:
        # (Taken out after the snapping: what stays in front only shrinks. On the forearms
        # too: a long sleeve stopped short of an old cuff the part map calls bare forearm.)
        wrists = {*HAND_PARTS, BodyPart.LEFT_FOREARM, BodyPart.RIGHT_FOREARM}
        cuffs = labels_mask(labels, wrists) & (old_fabric >= 0.5)
        if cuffs.any():
            # (Worked out only around the cuffs, where their blur is not 0: elsewhere the
            # minimum is with 1. The same values, without whole-frame blurs and products.)
            box = blur_box(cuffs, 0.8)
            np.minimum(soft, 1.0, out=soft)
            if box is not None:
                hard_cuffs = cuffs[box].astype(np.float32)
                soft_cuffs = cv2.GaussianBlur(hard_cuffs, (0, 0), 0.8)
                soft[box] = np.minimum(soft[box], 1.0 - np.maximum(soft_cuffs, hard_cuffs))
    return soft


def occluders(
    parts: BodyParts,
    neckline_y: float | FloatArray | None,
    with_arms: bool,
    neck_span: tuple[float, float] | None = None,
    image: ByteArray | None = None,
    old_fabric: FloatArray | None = None,
    *,
    front: FloatArray | None = None,
) -> FloatArray:
    """What stays in front of a garment layer: hair, face, hands, the neck above the neckline
    (``neckline_y``: a row, or float32 (W,) rows per column, see :func:`collar_line`), and (for
    the torso panel) the bare forearms. float32 (H, W) in [0, 1], edges softened.

    With ``old_fabric`` (float32 (H, W): the old garment being removed), hand and bare-forearm
    pixels that are old fabric (a sleeve's cuff the coarse part map calls hand or skin) do not
    stay in front: kept in front of the new garment yet removed as old fabric, they were
    painted as skin, a band of bare wrist over the new sleeve's end.

    With ``neck_span`` (the x of the garment's two neck points), the garment's neck opening
    (:data:`NECK_OPENING_DEPTH`) is hidden too: what a product photo shows there is the inside
    of the garment's back, and worn, the person's neck and chest are in front of it (old
    fabric there is repainted as skin like any other the new garment leaves).

    With ``image`` (the photo), the outline of what stays in front follows the photo's edges
    (:func:`~fitroom.dressing.masks.snap_to_edges`) rather than the part map's staircase: a
    hand on the new garment keeps its fingers' shape.

    ``front`` is :func:`front_of` for the same arguments when already worked out (layers
    share it): the neck's parts are added to a copy of it."""
    soft = front_of(parts, with_arms, image, old_fabric) if front is None else front.copy()
    labels = parts.labels
    if neckline_y is not None:
        neck = labels == int(BodyPart.NECK)
        rows = np.arange(labels.shape[0])[:, None] < neckline_y
        # The neck's outline is the part map's staircase, and it draws the new neckline's
        # sides: smoothed, so the neckline is a clean curve.
        np.maximum(soft, smooth_edges(neck & rows), out=soft)
        if neck_span is not None:
            x0, x1 = sorted(neck_span)
            depth = NECK_OPENING_DEPTH * (x1 - x0)
            if not isinstance(neckline_y, float):
                # (The opening hangs from the collar's lowest point, its back's middle.)
                neckline_y = float(np.max(neckline_y))
            h, w = labels.shape
            ys = np.arange(h, dtype=np.float32)[:, None]
            xs = np.arange(w, dtype=np.float32)[None, :]
            # The opening is rounded: deepest in the middle, at the collar's height at its ends.
            half = max(1.0, 0.5 * (x1 - x0))
            t = np.clip(1.0 - ((xs - 0.5 * (x0 + x1)) / half) ** 2, 0.0, 1.0)
            opening = (ys < neckline_y + depth * np.sqrt(t)) & (xs >= x0) & (xs <= x1)
            np.maximum(soft, smooth_edges(opening), out=soft)
    return soft


def collar_line(targets: dict[str, tuple[float, float]], width: int) -> FloatArray | None:
    """Per column, the row of the garment's collar through its three neck points (a parabola
    between the outer two, level beyond them, never below the middle one): float32 (W,), or
    None without the three points or with two of them in one column.

    The neck stays in front of a garment above this line, not above the row of the collar's
    middle: the part map's neck is a wide capsule whose lower corners reach onto the
    shoulders, and cut out down to the middle's row they opened a square notch in the new
    garment at each side of its neckline, repainted as skin (the "notched" neckline of a
    blind review).

    >>> line = collar_line({"neck_left": (30.0, 10.0), "neck_right": (10.0, 10.0),
    ...                     "neck_center": (20.0, 14.0)}, 40)
    >>> [round(float(line[x]), 1) for x in (0, 10, 15, 20, 30, 39)]
    [10.0, 10.0, 13.0, 14.0, 10.0, 10.0]
    """
    if not {"neck_left", "neck_right", "neck_center"} <= targets.keys():
        return None
    points = sorted(
        (float(targets[k][0]), float(targets[k][1]))
        for k in ("neck_left", "neck_right", "neck_center")
    )
    xs = np.array([x for x, _ in points])
    ys = np.array([y for _, y in points])
    if float(np.diff(xs).min()) < 1.0:
        return None
    coefficients = np.polyfit(xs, ys, 2)
    columns = np.clip(np.arange(width, dtype=np.float64), xs[0], xs[-1])
    line = np.minimum(np.polyval(coefficients, columns), float(targets["neck_center"][1]))
    out: FloatArray = line.astype(np.float32)
    return out


def layer_keep(
    box: tuple[int, int, int, int], alpha: FloatArray, hidden: FloatArray, support: FloatArray
) -> FloatArray:
    """A layer's alpha (float32 (h, w), placed at ``box``) where nothing ``hidden`` lies in
    front of it and a garment may appear (``support``): float32 (H, W) in [0, 1]."""
    x0, y0, x1, y1 = box
    h, w = hidden.shape
    out = np.zeros((h, w), np.float32)
    out[y0:y1, x0:x1] = alpha * (1.0 - hidden[y0:y1, x0:x1]) * support[y0:y1, x0:x1]
    return out


@dataclass(frozen=True)
class LayerCoverage:
    """Where one fitted layer may show.

    Attributes:
        index: the layer's index in its garment's ``layers``.
        keep: float32 (H, W) in [0, 1]: the layer's alpha where nothing hides it.
        hidden: float32 (H, W) in [0, 1]: what lies in front of it (and, for a tucked torso
            panel, everything below the tuck line).
    """

    index: int
    keep: FloatArray
    hidden: FloatArray


def old_top_in_front(parts: BodyParts, person: FloatArray, waistband: FloatArray) -> FloatArray:
    """The person's own top where it hangs over their trousers or skirt: torso pixels that are
    not skin, inside the person, above the old waistband (float32 (W,) rows per column, see
    :func:`~fitroom.dressing.waistband.waistband_line`). float32 (H, W) in [0, 1].

    Trying on only trousers, shorts or a skirt, the top the person keeps on stays in front of
    the new waistband as it hung over the old one (drawn over, the top was cut short by a band
    of new waistband); a bare midriff is not protected, the new waistband may rise over it,
    unless it touches a hand (see the code).

    >>> labels = np.full((10, 10), int(BodyPart.TORSO), np.uint8)
    >>> labels[:, 8:] = int(BodyPart.LEFT_HAND)
    >>> skin = np.zeros((10, 10), np.float32); skin[2:4, 5:8] = 1.0; skin[:, :3] = 1.0
    >>> front = old_top_in_front(BodyParts(labels, skin), np.ones_like(skin), np.full(10, 6.0))
    >>> bool(front[3, 6] > 0.5), bool(front[2, 0] > 0.5), bool(front[8, 4] > 0.5)
    (True, False, False)
    """
    h = parts.labels.shape[0]
    rows = np.arange(h, dtype=np.float32)[:, None]
    above = (parts.labels == int(BodyPart.TORSO)) & (person > 0.5) & (rows < waistband[None, :])
    top = above & (parts.skin < 0.5)
    # Skin there that touches a hand is the hand's (a thumb over the top, fingers the map gave
    # the torso): it stays in front too, or the new waistband, worn higher, was drawn over it.
    fingers = above & (parts.skin >= 0.5)
    if fingers.any():
        hands = labels_mask(parts.labels, HAND_PARTS)
        near = cv2.dilate(hands.view(np.uint8), np.ones((3, 3), np.uint8)) > 0
        n, comp = cv2.connectedComponents(fingers.view(np.uint8))
        if n > 1:
            touching = np.unique(comp[fingers & near])
            top |= np.isin(comp, touching[touching > 0])
    return smooth_edges(top)


#: A hand of the part map with less than this share of skin is no bare hand (see
#: :func:`without_clothed_hands`).
BARE_HAND_SKIN = 0.2


def without_clothed_hands(parts: BodyParts) -> BodyParts:
    """The part map with hands that show almost no skin (:data:`BARE_HAND_SKIN`) labelled
    background.

    Hands hidden behind the back or in a jacket's pockets are often found on the jacket's hem
    hanging over the hips: kept in front of new trousers or shorts, those blobs showed as dark
    patches of the old jacket on the new garment. (A hand in a trouser pocket shows its skin
    and stays in front, shaded fingers and all.)"""
    labels: npt.NDArray[np.uint8] | None = None
    for hand in HAND_PARTS:
        pixels = parts.labels == int(hand)
        if pixels.any() and float((parts.skin[pixels] > 0.5).mean()) < BARE_HAND_SKIN:
            labels = parts.labels.copy() if labels is None else labels
            labels[pixels] = int(BodyPart.BACKGROUND)
    return parts if labels is None else BodyParts(labels, parts.skin)


def layer_coverage(
    garments: Sequence[FittedGarment],
    parts: BodyParts,
    support: FloatArray,
    cut_below_y: Sequence[TuckLine] | None,
    image: ByteArray | None = None,
    lower_front: FloatArray | None = None,
    old_fabric: FloatArray | None = None,
) -> list[list[LayerCoverage]]:
    """Per garment, per layer: where it may show (see :class:`LayerCoverage`).

    Args:
        garments: fitted garments in layering order.
        parts: the person's body-part map.
        support: float32 (H, W): where a garment may appear (the person, slightly grown).
        cut_below_y: per garment, where its torso panel is tucked in (or None).
        image: the photo, to snap what stays in front to its edges (see :func:`occluders`).
        lower_front: float32 (H, W): what else stays in front of a lower garment's layer
            (the person's own top hanging over it, see :func:`old_top_in_front`), or None.
        old_fabric: float32 (H, W): the old garment being removed (see :func:`occluders`),
            or None.
    """
    h = support.shape[0]
    rows = np.arange(h, dtype=np.float32)[:, None]
    coverage: list[list[LayerCoverage]] = []
    # Occluders, shared by layers: (neckline row, torso panel?, neck opening's span, lower?,
    # the garment when its collar is a line).
    fronts: dict[
        tuple[float | None, bool, tuple[float, float] | None, bool, int | None], FloatArray
    ] = {}
    bare_hands: BodyParts | None = None
    # What every layer's occluders share: (bare forearms in front?, lower?).
    shared: dict[tuple[bool, bool], FloatArray] = {}
    for gi, fitted in enumerate(garments):
        neck = fitted.targets.get("neck_center")
        collar = collar_line(fitted.targets, support.shape[1]) if neck is not None else None
        items = []
        limit = None if cut_below_y is None else cut_below_y[gi]
        for li, layer in enumerate(fitted.layers):
            span = None
            # (A garment whose panel leaves out its own opening needs no fixed one; one whose
            # top edge does not go round the neck, a one-shoulder dress, has none to hide.)
            fixed = not fitted.own_neck_opening and fitted.collar_at_neck
            dip = STRAPPED_BACK_DIP if fitted.region == "full" and sleeveless(fitted) else BACK_DIP
            if layer.part == "torso" and fixed and shows_back_collar(fitted.targets, dip):
                span = (
                    float(fitted.targets["neck_left"][0]),
                    float(fitted.targets["neck_right"][0]),
                )
            # (Bare forearms hang in front of the hips too: a lower layer keeps them in front.)
            arms = layer.part in ("torso", "lower")
            # (Over trousers, shorts or a skirt only bare hands stay in front, see
            # without_clothed_hands.)
            lower = layer.part == "lower"
            # (Keyed by the garment when its collar is a line: the neck's rows are its own.)
            key = (
                None if neck is None else float(neck[1]),
                arms,
                span,
                lower,
                None if collar is None else gi,
            )
            if key not in fronts:
                if lower and bare_hands is None:
                    bare_hands = without_clothed_hands(parts)
                seen = bare_hands if lower and bare_hands is not None else parts
                # (With no bare forearm the panel's and the sleeves' fronts are the same.)
                shared_key = (arms and bool(bare_forearms(seen).any()), lower)
                if shared_key not in shared:
                    shared[shared_key] = front_of(seen, shared_key[0], image, old_fabric)
                fronts[key] = occluders(
                    seen,
                    key[0] if collar is None else collar,
                    arms,
                    span,
                    image,
                    old_fabric,
                    front=shared[shared_key],
                )
            hidden = fronts[key]
            if lower_front is not None and layer.part == "lower":
                hidden = np.maximum(hidden, lower_front)
            if limit is not None and layer.part == "torso":
                # Only the body panel goes into the waistband; sleeves hang free.
                below = np.clip((rows - limit) / 3.0, 0.0, 1.0)
                hidden = np.maximum(hidden, np.broadcast_to(below, hidden.shape))
            keep = layer_keep(layer.box, layer.rgba[..., 3], hidden, support)
            items.append(LayerCoverage(li, keep, hidden))
        coverage.append(items)
    return coverage


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
        shading: float32 (H, W) relative light and folds from the photo (1 = average; see
            :mod:`fitroom.dressing.shading`).
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
    rgb = cv2.cvtColor(np.ascontiguousarray(layer.rgba), cv2.COLOR_RGBA2RGB)
    colour = rgb * per_channel(keep * light)
    crop = base[y0:y1, x0:x1]
    crop *= per_channel(1.0 - alpha)
    crop += colour
    visible[y0:y1, x0:x1] = alpha
    return visible


def cover_with(coverage: FloatArray, alpha: FloatArray) -> None:
    """Add ``alpha`` to ``coverage`` in place as one layer over another (1 - (1 - c)(1 - a)),
    both float32 (H, W) in [0, 1]; without the full-frame temporaries of the plain formula."""
    np.subtract(np.float32(1.0), coverage, out=coverage)
    coverage *= np.float32(1.0) - alpha
    np.subtract(np.float32(1.0), coverage, out=coverage)


def composite_garments(
    base: FloatArray,
    garments: Sequence[FittedGarment],
    coverage: Sequence[Sequence[LayerCoverage]],
    shading: FloatArray,
    support: FloatArray,
) -> list[FloatArray]:
    """Draw every layer over ``base`` (in place), first garment lowest; returns per garment its
    visible alpha, float32 (H, W) in [0, 1], less what later garments cover."""
    h, w = base.shape[:2]
    visible: list[FloatArray] = []
    for fitted, items in zip(garments, coverage, strict=True):
        seen = np.zeros((h, w), np.float32)
        for item in items:
            alpha = composite_layer(base, fitted.layers[item.index], item.hidden, shading, support)
            cover_with(seen, alpha)
        for j in range(len(visible)):
            visible[j] *= 1.0 - seen
        visible.append(seen)
    return visible


__all__ = [
    "BARE_HAND_SKIN",
    "NECK_OPENING_DEPTH",
    "SNAP_RADIUS",
    "STRAPPED_BACK_DIP",
    "LayerCoverage",
    "TuckLine",
    "bare_forearms",
    "collar_line",
    "composite_garments",
    "composite_layer",
    "cover_with",
    "front_of",
    "layer_coverage",
    "layer_keep",
    "occluders",
    "old_top_in_front",
    "place_layer",
    "shows_back_collar",
    "sleeveless",
    "without_clothed_hands",
]
