"""Dressing a person: the one sequence photo try-on and live try-on both run.

:func:`dress` takes a picture, what perception found on it (pose, body-part map, person mask)
and the garments, and runs the steps in order:

1. anchors and checks (:mod:`~fitroom.dressing.person_checks`): body anchors from the pose;
   a person or garment that cannot be fitted is refused;
2. fit (:mod:`~fitroom.dressing.fit`, geometry in :mod:`fitroom.fitting`): each garment laid on
   the body, lower garments first;
3. old garment (:mod:`~fitroom.dressing.old_garment`): analysed once, passed to every step;
4. tuck (:mod:`~fitroom.dressing.waistband`): where a top goes into a waistband;
5. limbs (:mod:`~fitroom.dressing.limbs`) and render (:mod:`~fitroom.dressing.render`): the old
   garment removed (:mod:`~fitroom.dressing.old_garment_removal`, :mod:`~fitroom.dressing.skin`,
   :mod:`~fitroom.dressing.background`; the line along its border:
   :mod:`~fitroom.dressing.old_border`; an old coat's tail over the legs:
   :mod:`~fitroom.dressing.old_top_tail`), light (:mod:`~fitroom.dressing.shading`) and the
   layers drawn (:mod:`~fitroom.dressing.composite`).

Photo try-on (:class:`fitroom.tryon.TryOn`) calls it on the whole photo. Live try-on
(:class:`fitroom.live.LiveSession`) calls it on a smaller working copy of each frame and passes a
:class:`DressingStream`: the stream smooths anchors and the waistband over time, and where
photo mode refuses an unreliable pose the stream draws the garment but keeps the old one.
"""

from __future__ import annotations

import math
import time
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from typing import Protocol

import numpy as np
import numpy.typing as npt

from fitroom.dressing.composite import TuckLine
from fitroom.dressing.fit import PreparedGarments, fit_garment, layering_order
from fitroom.dressing.hem import (
    EDGE_OVERLAP,
    LINE_TO_EDGE,
    TOP_HEM_STEP,
    meet_top_edge,
    waistband_at_top_edge,
)
from fitroom.dressing.limbs import Limbs
from fitroom.dressing.old_garment import OldGarment, analyse_old_garment
from fitroom.dressing.person_checks import (
    MIN_VISIBILITY,
    arm_warnings,
    check_garment,
    check_person,
    check_pose_outline,
    pose_outline_unreliable,
)
from fitroom.dressing.render import render_fitted
from fitroom.dressing.waistband import (
    WAISTBAND_OVERLAP,
    top_edge_row,
    tuck_lines,
    waistband_line,
)
from fitroom.fitting.anchors import BodyAnchors, body_anchors
from fitroom.fitting.fitted import FittedGarment
from fitroom.fitting.garment_fit import SIZE_EASE
from fitroom.fitting.legs_gap import legs_part_row
from fitroom.fitting.lower_fit import regular_waist_row
from fitroom.garments.core import Garment
from fitroom.vision.core import BodyParts, Pose

FloatArray = npt.NDArray[np.float32]
ByteArray = npt.NDArray[np.uint8]

#: The ease of a regular fit (size M); looser garments may stand off the body's outline.
REGULAR_EASE = SIZE_EASE["M"]


@dataclass(frozen=True)
class DressOptions:
    """How to dress the person (plain values; the public option types build these).

    Attributes:
        ease: garment width over the measured body width (see
            :data:`fitroom.fitting.SIZE_EASE`).
        length: garment length relative to a regular fit (1 = regular).
        tuck: True tucks a top in, False never, None follows the photo (see
            :func:`~fitroom.dressing.waistband.tuck_lines`).
    """

    ease: float = REGULAR_EASE
    length: float = 1.0
    tuck: bool | None = None

    def reach(self, anchors: BodyAnchors) -> float:
        """Pixels a garment looser than a regular fit stands off the body by (its extra width)."""
        return max(0.0, self.ease - REGULAR_EASE) * 0.5 * anchors.shoulder_width


class DressingStream(Protocol):
    """What a stream of frames adds to :func:`dress`: smoothing over time (the frame's
    timestamp is the stream's to know)."""

    def keep_old_garment(self, unreliable_pose: bool) -> bool:
        """Whether to leave the old garment as it is on this frame, given whether its pose is
        one photo mode would refuse."""
        ...

    def smooth_anchors(self, anchors: BodyAnchors) -> BodyAnchors:
        """The frame's body anchors smoothed with the frames before."""
        ...

    def smooth_waistband(self, line: FloatArray | None) -> FloatArray | None:
        """The frame's waistband line smoothed with the frames before."""
        ...

    def waistband_unused(self) -> None:
        """This frame needed no waistband: forget its history."""
        ...


@dataclass(frozen=True)
class Dressed:
    """A dressed picture.

    Attributes:
        image: uint8 (H, W, 3) RGB, the input's size.
        visible_masks: per garment (input order), float32 (H, W) in [0, 1]: where it shows.
        fitted: per garment (input order), its fit (body-pixel targets and warped layers).
        warnings: things the caller may want to tell the user.
        timings_ms: wall milliseconds of ``fit`` (anchors, checks, fit) and ``render`` (old
            garment, tuck, render).
    """

    image: ByteArray
    visible_masks: tuple[FloatArray, ...]
    fitted: tuple[FittedGarment, ...]
    warnings: tuple[str, ...]
    timings_ms: dict[str, float] = field(default_factory=dict, hash=False)

    def __post_init__(self) -> None:
        if self.image.dtype != np.uint8 or self.image.ndim != 3 or self.image.shape[2] != 3:
            raise ValueError(
                f"Dressed.image: expected uint8 (H, W, 3), got {self.image.dtype} "
                f"{self.image.shape}"
            )
        if len(self.visible_masks) != len(self.fitted):
            raise ValueError(
                f"Dressed: {len(self.visible_masks)} visible masks for {len(self.fitted)} garments"
            )


def hems_at_top_edge(
    fitted: Sequence[FittedGarment],
    cuts: Sequence[TuckLine],
    image: ByteArray,
    parts: BodyParts,
    person_mask: FloatArray,
    anchors: BodyAnchors,
) -> tuple[list[FittedGarment], float | None]:
    """The fitted garments with each untucked top's hem laid where the person's own top ends
    over their trousers or skirt (:func:`~fitroom.dressing.hem.meet_top_edge`; the row from
    :func:`~fitroom.dressing.waistband.top_edge_row`, read only when such a top is worn and
    the hips are seen in the picture), and that row when a hem was raised to it (else None)."""
    loose = [f.region == "upper" and cut is None for f, cut in zip(fitted, cuts, strict=True)]
    h = image.shape[0]
    hips = anchors.hips
    # (A photo cut off above the hips shows no edge of a top over trousers: what crosses its
    # lower rows is a belt, a harness or the hands, and the top goes on out of the picture.)
    hips_seen = bool(
        np.all(anchors.visibility[:, 3] >= MIN_VISIBILITY) and float(hips[:, 1].max()) < h
    )
    if not any(loose) or not hips_seen:
        return list(fitted), None
    edge = top_edge_row(parts, person_mask, image, anchors, min_step=TOP_HEM_STEP)
    if edge is None:
        return list(fitted), None
    overlap = EDGE_OVERLAP * anchors.shoulder_width
    met = [
        meet_top_edge(f, edge, overlap, h) if is_loose else f
        for f, is_loose in zip(fitted, loose, strict=True)
    ]
    raised = any(m is not f for m, f in zip(met, fitted, strict=True))
    return met, edge + overlap if raised else None


def dress(
    image: ByteArray,
    pose: Pose,
    parts: BodyParts,
    person_mask: FloatArray,
    garments: Sequence[Garment],
    options: DressOptions,
    prepared: PreparedGarments,
    *,
    stream: DressingStream | None = None,
    face_seen: bool = True,
) -> Dressed:
    """Dress the person in ``image`` in ``garments`` (see the module docstring).

    Args:
        image: uint8 (H, W, 3) RGB picture.
        pose: the person's pose in ``image``'s pixels.
        parts: the person's body-part map, ``image``'s size.
        person_mask: float32 (H, W) in [0, 1].
        garments: layered in the order given (later on top; trousers and skirts go under tops).
        options: size, length and tuck.
        prepared: the cache of prepared garments to fit from.
        stream: None for a photo; a stream's smoothing for a live frame.
        face_seen: perception found the face (a photo without one gets a warning).

    Raises:
        PersonNotUsable: shoulders not visible; in a photo also a pose whose shoulders lie well
            inside the body's outline (see
            :func:`~fitroom.dressing.person_checks.check_pose_outline`).
        UnsupportedGarment: a garment without its landmarks; in a photo also one that cannot
            be fitted to the visible body (see
            :func:`~fitroom.dressing.person_checks.check_garment`).
    """
    h, w = image.shape[:2]
    t0 = time.perf_counter()
    anchors = body_anchors(pose, parts, (w, h))
    keep_old = False
    if stream is None:
        check_pose_outline(anchors, person_mask)
    else:
        # A stream does not blink out on such a frame: the garment is drawn, the old one kept.
        keep_old = stream.keep_old_garment(pose_outline_unreliable(anchors, person_mask))
    anchors, warnings = check_person(anchors)
    if not face_seen:
        warnings.append("no face found: hair and face occlusion may be rough")
    warnings.extend(arm_warnings(anchors))
    # Where the limbs are on this very picture: the old garment is removed around them (the
    # part map is this picture's too). A stream's smoothed anchors place the new garment
    # steadily, but they lag a moving person: limbs from them put the arm's outline inside the
    # torso of a person walking in, and the old sleeve over the real arm was painted as the
    # wall behind it (white patches on the close-up clip's arm, frames 16-18).
    measured = anchors
    if stream is None:
        for garment in garments:
            check_garment(garment, anchors)
    else:
        anchors = stream.smooth_anchors(anchors)
    order = layering_order(garments)
    old: OldGarment | None = None
    waistband_read = False

    def find_waistband(top_edge: bool = False, meet_edge: bool = False) -> FloatArray | None:
        nonlocal old, waistband_read
        waistband_read = True
        old = old or analyse_old_garment(parts, person_mask, image)
        line = waistband_line(parts, person_mask, image, old=old)
        if line is None and top_edge:
            # No waistband of another colour: where the person's top ends over them (a top
            # the colour of the trousers, or hanging over them all round; see top_edge_row).
            edge = top_edge_row(parts, person_mask, image, anchors)
            line = None if edge is None else np.full(w, edge, np.float32)
        elif line is not None and meet_edge:
            # A new top tucked in at the trousers: at the old top's edge when that hangs a
            # little over them (see waistband_at_top_edge; before a stream's smoothing).
            edge = top_edge_row(parts, person_mask, image, anchors, min_step=TOP_HEM_STEP)
            if edge is not None:
                # (Lifted by the tuck's overlap less an untucked hem's: the new top then
                # reaches as far over the edge as one hanging loose, see hems_at_top_edge.)
                sw = anchors.shoulder_width
                lift = (WAISTBAND_OVERLAP - EDGE_OVERLAP) * sw
                line = waistband_at_top_edge(line, edge - lift, LINE_TO_EDGE * sw)
        return line if stream is None else stream.smooth_waistband(line)

    # Only trousers, shorts or skirts tried on: the new waistband goes up to where the person
    # wears their own (their top was worn to meet it), and the top stays in front of the new
    # ones where it hung over the old (see render_fitted).
    only_lower = all(g.category == "lower" for g in garments)
    old_waistband = find_waistband(top_edge=True) if only_lower else None
    waist_at_most = None if old_waistband is None else float(np.median(old_waistband))
    if only_lower and old_waistband is None:
        # Neither found: the person's top stays in front down to the regular waist row. A
        # new waistband worn higher (see lower_pins) rises over bare skin there, not over the
        # shirt's hem or an open jacket: drawn over, the top was cut off at the new waistband.
        old_waistband = np.full(w, regular_waist_row(anchors), np.float32)
    # Where the person's legs stand apart: new trousers or shorts show no gap above it.
    legs_part = (
        legs_part_row(person_mask, measured)
        if any(g.category == "lower" for g in garments)
        else None
    )
    fitted = {
        i: fit_garment(
            garments[i], anchors, options.ease, prepared, options.length, waist_at_most, legs_part
        )
        for i in order
    }
    t1 = time.perf_counter()
    timings = {"fit": (t1 - t0) * 1e3}
    ordered = [fitted[i] for i in order]
    if not any(f.layers for f in ordered):
        # Nothing to draw (the garment fell outside the picture).
        zeros = tuple(np.zeros((h, w), np.float32) for _ in garments)
        timings["render"] = 0.0
        every = tuple(fitted[i] for i in range(len(garments)))
        return Dressed(image.copy(), zeros, every, tuple(warnings), timings)
    old = old or analyse_old_garment(parts, person_mask, image)
    cuts = tuck_lines(
        [garments[i] for i in order],
        ordered,
        anchors,
        options.tuck,
        lambda: find_waistband(meet_edge=True),
    )
    if stream is not None and not waistband_read:
        stream.waistband_unused()
    if stream is None and options.tuck is None and options.length == 1.0 and not only_lower:
        # (A photo's top following the photo; a stream's edge row would need smoothing over
        # frames first: read per frame, the hem jumped as the person turned.)
        ordered, raised_to = hems_at_top_edge(ordered, cuts, image, parts, person_mask, anchors)
        if raised_to is not None and old.continues_below and old.hem_row is None:
            # The photo's top ends at that row, over trousers the colour test reads as more of
            # it (a black sweatshirt over dark jeans): they stay below it as the photo has
            # them (see old_garment_to_remove). Taken for the old top, beside the raised hem
            # they drew the new fabric carried down the hips and stripes of skin between.
            old = replace(old, hem_row=math.ceil(raised_to))
    out, ordered_visible = render_fitted(
        image,
        ordered,
        parts,
        person_mask,
        cut_below_y=cuts,
        limbs=Limbs.from_anchors(measured),
        reach=options.reach(anchors),
        keep_old=keep_old,
        old=old,
        old_waistband=old_waistband,
    )
    timings["render"] = (time.perf_counter() - t1) * 1e3
    return Dressed(
        image=out,
        visible_masks=tuple(ordered_visible[order.index(i)] for i in range(len(garments))),
        fitted=tuple(fitted[i] for i in range(len(garments))),
        warnings=tuple(warnings),
        timings_ms=timings,
    )


__all__ = [
    "REGULAR_EASE",
    "DressOptions",
    "Dressed",
    "DressingStream",
    "dress",
    "hems_at_top_edge",
]
