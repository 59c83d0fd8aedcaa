"""Photo try-on: dress a person's photo in one garment or an outfit.

>>> from fitroom.tryon import TryOn, TryOnOptions      # doctest: +SKIP
>>> with TryOn() as tryon:                             # doctest: +SKIP
...     result = tryon.render(photo, [garment], TryOnOptions(size="M"))
...     result.image, result.visible_masks[0], result.warnings
"""

from __future__ import annotations

import time
from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np
import numpy.typing as npt

from fitroom._closing import Closeable
from fitroom.errors import InputError, PersonNotUsable, UnsupportedGarment
from fitroom.fitting.anchors import BodyAnchors, body_anchors
from fitroom.fitting.garment_fit import (
    SIZE_EASE,
    FittedGarment,
    fit_upper,
    prepare_garment,
    size_ease,
)
from fitroom.fitting.lower_fit import fit_lower
from fitroom.garments.core import Garment, GarmentLandmarks
from fitroom.imaging.decode import ensure_rgb
from fitroom.render.compose import waistband_line
from fitroom.render.pipeline import render_fitted
from fitroom.vision.perception import Perceiver, Perception

FloatArray = npt.NDArray[np.float32]
ByteArray = npt.NDArray[np.uint8]

#: An arm's radius as a share of the shoulder-seam distance (loose sleeve fabric lies beyond).
ARM_RADIUS = 0.12
#: A thigh's radius, as a share of the shoulder-seam distance.
LEG_RADIUS = 0.2
#: A shin's radius, as a share of the shoulder-seam distance (old trousers wider than the shin
#: below the knee are loose fabric, painted as what lies behind).
SHIN_RADIUS = 0.12

#: How far a tucked top reaches over the waistband, as a share of the shoulder-seam distance.
WAISTBAND_OVERLAP = 0.03

#: How many prepared garments a :class:`TryOn` keeps.
PREPARED_CACHE_SIZE = 16

#: The ease of a regular fit (size M); looser garments may stand off the body's outline.
REGULAR_EASE = SIZE_EASE["M"]

#: Accepted :attr:`TryOnOptions.width_ease` values (beyond them a garment is not wearable).
WIDTH_EASE_RANGE = (0.8, 1.5)
#: Accepted :attr:`TryOnOptions.length_scale` values.
LENGTH_SCALE_RANGE = (0.7, 1.4)

#: A landmark counts as seen when its visibility reaches this and it lies inside the photo.
MIN_VISIBILITY = 0.5


@dataclass(frozen=True)
class TryOnOptions:
    """How to dress the person.

    Attributes:
        size: a size label (XXS … XXL, see :data:`fitroom.fitting.SIZE_EASE`); larger sizes sit
            looser. None = a regular fit (M).
        tuck: tuck an upper garment in: True hides it below the new trousers' waistband (or
            just above the hip line); False lets it hang to its full length; None (the default)
            follows the photo: over the person's own trousers or skirt the top is tucked in at
            their waistband, as the shop photos that try-on is used on show tops, and the
            trousers stay as they are; over a dress or bare legs, or with new trousers, it
            hangs free.
        width_ease: garment width over the measured body width, overriding ``size`` (e.g.
            from a size chart and the person's measurements: below 1 sits tight, above 1
            loose). None = from ``size``.
        length_scale: the garment's length (body, sleeves, legs) relative to a regular fit on
            this body: below 1 shorter (a size too small), above 1 longer. None = 1.
    """

    size: str | None = None
    tuck: bool | None = None
    width_ease: float | None = None
    length_scale: float | None = None

    def __post_init__(self) -> None:
        size_ease(self.size)  # refuses an unknown size label now, not at render time
        lo, hi = WIDTH_EASE_RANGE
        if self.width_ease is not None and not lo <= self.width_ease <= hi:
            raise InputError(
                f"width_ease {self.width_ease!r} is outside {lo}…{hi}; give a garment width "
                "over body width such as 0.95 (tight) or 1.15 (loose), or leave it unset"
            )
        lo, hi = LENGTH_SCALE_RANGE
        if self.length_scale is not None and not lo <= self.length_scale <= hi:
            raise InputError(
                f"length_scale {self.length_scale!r} is outside {lo}…{hi}; give a length "
                "relative to a regular fit such as 0.95 (short) or 1.05 (long), or leave it unset"
            )

    @property
    def ease(self) -> float:
        """Garment width over the measured body width."""
        return size_ease(self.size) if self.width_ease is None else float(self.width_ease)

    @property
    def length(self) -> float:
        """Garment length relative to a regular fit (1 = regular)."""
        return 1.0 if self.length_scale is None else float(self.length_scale)


@dataclass(frozen=True)
class TryOnResult:
    """The dressed photo.

    Attributes:
        image: uint8 (H, W, 3) RGB, the input's size.
        visible_masks: per garment (input order), float32 (H, W) in [0, 1]: where it shows.
        warnings: things the caller may want to tell the user (e.g. a low-confidence arm).
        timings_ms: wall milliseconds per stage and "total".
        perception: what perception found (for overlays and debugging).
    """

    image: ByteArray
    visible_masks: tuple[FloatArray, ...]
    warnings: tuple[str, ...]
    timings_ms: dict[str, float] = field(hash=False)
    perception: Perception = field(repr=False, hash=False)

    def __post_init__(self) -> None:
        if self.image.dtype != np.uint8 or self.image.ndim != 3 or self.image.shape[2] != 3:
            raise ValueError(
                f"TryOnResult.image: expected uint8 (H, W, 3), got {self.image.dtype} "
                f"{self.image.shape}"
            )
        for m in self.visible_masks:
            if m.shape != self.image.shape[:2] or m.dtype != np.float32:
                raise ValueError(
                    f"TryOnResult.visible_masks: expected float32 {self.image.shape[:2]}, "
                    f"got {m.dtype} {m.shape}"
                )

    @property
    def garment_mask(self) -> FloatArray:
        """float32 (H, W): where any new garment shows."""
        out = np.zeros(self.image.shape[:2], np.float32)
        for m in self.visible_masks:
            out = np.maximum(out, m)
        return out


def _seen(anchors: BodyAnchors, points: FloatArray, vis: FloatArray) -> bool:
    w, h = anchors.image_size
    inside = (points[:, 0] >= 0) & (points[:, 0] < w) & (points[:, 1] >= 0) & (points[:, 1] < h)
    return bool(np.all(inside) and np.all(vis >= MIN_VISIBILITY))


def check_person(anchors: BodyAnchors) -> tuple[BodyAnchors, list[str]]:
    """Check that a person can wear a garment; returns the anchors to fit to and warnings.

    A person whose left shoulder is on the image's left is either seen from the back or the
    pose swapped their sides (common when the head is cropped, as on shop photos). Refusing
    would reject many usable front-facing photos, so the sides are swapped, the garment's front
    is drawn, and a warning says so (documented choice: warn, not refuse).

    Raises:
        PersonNotUsable: the shoulders are not visible.
    """
    warnings: list[str] = []
    if not _seen(anchors, anchors.shoulder_joints, anchors.visibility[:, 0]):
        raise PersonNotUsable(
            "both shoulders must be visible in the photo to fit a garment; use a photo that "
            "shows the person at least from the head to the chest"
        )
    if anchors.facing_back:
        anchors = anchors.mirrored()
        warnings.append(
            "the person may be seen from the back (their left shoulder is on the image's "
            "left); the garment's front was drawn — use a photo facing the camera"
        )
    return anchors, warnings


#: A body outline wider than this many shoulder-joint distances, a little below the shoulders,
#: means the pose's shoulders are not where the body is (a real torso with its arms beside it
#: is 1.1-1.9 times as wide; checked on the shared photos and the astronaut's bulky suit).
MAX_OUTLINE_OVER_SHOULDERS = 2.0
#: Beyond this the pose is refused even when its sides are not swapped.
MAX_OUTLINE_OVER_SHOULDERS_ALWAYS = 2.4


def outline_over_shoulders(anchors: BodyAnchors, person_mask: FloatArray) -> float:
    """How many shoulder-joint distances wide the person's outline is, a little below the
    shoulders: the smallest width over three rows (a quarter, a half and three quarters of a
    joint distance lower), each the run of person pixels under the joints' midpoint.
    0 when the midpoint is not on the person or the rows leave the photo."""
    mask = person_mask > 0.5
    h, w = mask.shape
    joints = anchors.shoulder_joints
    width = float(np.hypot(*(joints[0] - joints[1])))
    if width < 1.0:
        return 0.0
    mid = anchors.shoulder_joints.mean(axis=0)
    x = round(float(mid[0]))
    ratios = []
    for share in (0.25, 0.5, 0.75):
        y = round(float(mid[1]) + share * width)
        if not (0 <= y < h and 0 <= x < w) or not mask[y, x]:
            return 0.0
        row = mask[y]
        gaps_left = np.flatnonzero(~row[:x])
        gaps_right = np.flatnonzero(~row[x:])
        left = int(gaps_left[-1]) + 1 if gaps_left.size else 0
        right = x + int(gaps_right[0]) if gaps_right.size else w
        ratios.append((right - left) / width)
    return float(min(ratios))


def check_pose_outline(anchors: BodyAnchors, person_mask: FloatArray) -> None:
    """Refuse a pose whose shoulders lie well inside the body's outline (the pose model lost
    the upper body, common when the head is cropped): a garment fitted to them would be drawn
    a fraction of the body's size.

    Raises:
        PersonNotUsable: the outline is wider than :data:`MAX_OUTLINE_OVER_SHOULDERS` shoulder
            distances and the sides look swapped, or wider than
            :data:`MAX_OUTLINE_OVER_SHOULDERS_ALWAYS`.
    """
    ratio = outline_over_shoulders(anchors, person_mask)
    limit = MAX_OUTLINE_OVER_SHOULDERS if anchors.facing_back else MAX_OUTLINE_OVER_SHOULDERS_ALWAYS
    if ratio > limit:
        raise PersonNotUsable(
            f"the shoulders found in this photo lie well inside the body (its outline is "
            f"{ratio:.1f} shoulder widths wide): the pose is unreliable, so the garment would "
            "be drawn at the wrong size; use a photo that shows the head and both shoulders"
        )


def limb_capsules(anchors: BodyAnchors) -> list[tuple[FloatArray, float]]:
    """The arms and legs as bone chains with a radius in pixels, for the renderer's occlusion
    and old-garment passes: shoulder-elbow-wrist at :data:`ARM_RADIUS`, hip-knee at
    :data:`LEG_RADIUS` and, narrower, knee-ankle at :data:`SHIN_RADIUS` (shoulder-seam shares)."""
    scale = anchors.shoulder_width
    arms = [
        (np.stack([anchors.shoulder_joints[i], anchors.elbows[i], anchors.wrists[i]]), ARM_RADIUS)
        for i in (0, 1)
    ]
    thighs = [(np.stack([anchors.hips[i], anchors.knees[i]]), LEG_RADIUS) for i in (0, 1)]
    shins = [(np.stack([anchors.knees[i], anchors.ankles[i]]), SHIN_RADIUS) for i in (0, 1)]
    return [(bones, share * scale) for bones, share in arms + thighs + shins]


def check_garment(garment: Garment, anchors: BodyAnchors) -> None:
    """Refuse a garment that cannot be fitted to the body this photo shows.

    Raises:
        UnsupportedGarment: trousers or a skirt on a photo without hips and knees visible, or
            a jumpsuit (not fitted yet).
    """
    if garment.category == "lower" or garment.subcategory == "jumpsuit":
        hips = _seen(anchors, anchors.hips, anchors.visibility[:, 3])
        knees = _seen(anchors, anchors.knees, anchors.visibility[:, 4])
        if not (hips and knees):
            raise UnsupportedGarment(
                f"{garment.subcategory} {garment.name!r} needs the hips and knees visible, but "
                "this photo shows only the upper body; use a full-body photo or an upper garment"
            )
        if garment.subcategory == "jumpsuit":
            raise UnsupportedGarment(
                f"jumpsuit {garment.name!r}: jumpsuits are not fitted yet; try a top with "
                "trousers, or a dress"
            )


class TryOn(Closeable):
    """Holds the perception models; a context manager (``close()`` frees them).

    Args:
        num_threads: CPU threads for the models.
    """

    def __init__(self, *, num_threads: int = 2) -> None:
        self._perceiver = Perceiver(num_threads=num_threads, faces=True, parts=True, max_people=2)
        # Garments prepared for warping (resized, split into premultiplied parts), by identity:
        # a shop renders the same garment on many photos.
        self._prepared: dict[
            tuple[int, float], tuple[Garment, tuple[dict[str, FloatArray], GarmentLandmarks]]
        ] = {}

    def _prepare(
        self, garment: Garment, factor: float
    ) -> tuple[dict[str, FloatArray], GarmentLandmarks]:
        key = (id(garment), round(factor, 3))
        hit = self._prepared.get(key)
        if hit is not None and hit[0] is garment:
            return hit[1]
        if len(self._prepared) >= PREPARED_CACHE_SIZE:
            self._prepared.pop(next(iter(self._prepared)))
        value = prepare_garment(garment, factor)
        self._prepared[key] = (garment, value)
        return value

    def render(
        self,
        person_image: npt.NDArray[np.uint8],
        garments: Sequence[Garment],
        options: TryOnOptions | None = None,
    ) -> TryOnResult:
        """Dress the one person in ``person_image`` (RGB uint8 (H, W, 3)) in ``garments``.

        Garments are layered in the order given (later on top); a dress or top is fitted to the
        torso and arms.

        Raises:
            NoPersonFound, MultiplePeople: not exactly one person.
            PersonNotUsable: shoulders not visible, or the pose's shoulders lie well inside
                the body's outline (see :func:`check_pose_outline`). (A person seen from the
                back is warned about, see :func:`check_person`.)
            UnsupportedGarment: a garment that cannot be fitted to the visible body.
        """
        options = options or TryOnOptions()
        if not garments:
            raise InputError("give at least one garment to try on")
        image = ensure_rgb(person_image)
        h, w = image.shape[:2]
        timings: dict[str, float] = {}
        t0 = time.perf_counter()
        perception = self._perceiver.process(image)
        timings["perception"] = (time.perf_counter() - t0) * 1e3
        person = perception.single()
        if person.parts is None:  # pragma: no cover - the perceiver is built with parts=True
            raise RuntimeError("perception returned no body-part map")
        t1 = time.perf_counter()
        anchors = body_anchors(person.pose, person.parts, (w, h))
        check_pose_outline(anchors, perception.mask.mask)
        anchors, warnings = check_person(anchors)
        if person.face is None:
            warnings.append("no face found: hair and face occlusion may be rough")
        for side, row in (("left", 0), ("right", 1)):
            if float(anchors.visibility[row, 1]) < MIN_VISIBILITY:
                warnings.append(f"the {side} arm is hard to see; its sleeve may be misplaced")
        for garment in garments:
            check_garment(garment, anchors)
        # Layering: trousers and skirts first, tops and dresses over them (a tucked top is cut
        # at the trousers' waistband, or just above the hips without trousers).
        order = sorted(range(len(garments)), key=lambda i: garments[i].category != "lower")
        fitted: dict[int, FittedGarment] = {}
        for i in order:
            garment = garments[i]
            if garment.category == "lower":
                fitted[i] = fit_lower(
                    garment, anchors, options.ease, self._prepare, length_scale=options.length
                )
            else:
                fitted[i] = fit_upper(
                    garment, anchors, options.ease, self._prepare, length_scale=options.length
                )
        waists = [f.targets["waistband_center"][1] for f in fitted.values() if f.region == "lower"]
        tuck_y = (
            min(waists) + 0.03 * anchors.shoulder_width
            if waists
            else float(anchors.hips[:, 1].mean()) - 0.05 * anchors.shoulder_width
        )
        cut: float | FloatArray | None = None
        if options.tuck:
            cut = tuck_y
        elif options.tuck is None and not waists:
            waistband = waistband_line(person.parts, perception.mask.mask, image)
            if waistband is not None:
                # A touch below the waistband's top edge, so no gap opens above it.
                cut = waistband + np.float32(WAISTBAND_OVERLAP * anchors.shoulder_width)
        cuts = [cut if garments[i].category == "upper" else None for i in order]
        timings["fit"] = (time.perf_counter() - t1) * 1e3
        t2 = time.perf_counter()
        limbs = limb_capsules(anchors)
        out, ordered_visible = render_fitted(
            image,
            [fitted[i] for i in order],
            person.parts,
            perception.mask.mask,
            cut_below_y=cuts,
            limbs=limbs,
            # A garment looser than a regular fit stands off the body by its extra width.
            reach=max(0.0, options.ease - REGULAR_EASE) * 0.5 * anchors.shoulder_width,
        )
        visible = tuple(ordered_visible[order.index(i)] for i in range(len(garments)))
        timings["render"] = (time.perf_counter() - t2) * 1e3
        timings["total"] = (time.perf_counter() - t0) * 1e3
        return TryOnResult(
            image=out,
            visible_masks=visible,
            warnings=tuple(warnings),
            timings_ms=timings,
            perception=perception,
        )

    def close(self) -> None:
        """Release the models."""
        self._prepared.clear()
        self._perceiver.close()


__all__ = [
    "LENGTH_SCALE_RANGE",
    "MAX_OUTLINE_OVER_SHOULDERS",
    "MAX_OUTLINE_OVER_SHOULDERS_ALWAYS",
    "MIN_VISIBILITY",
    "WIDTH_EASE_RANGE",
    "TryOn",
    "TryOnOptions",
    "TryOnResult",
    "check_garment",
    "check_person",
    "check_pose_outline",
    "limb_capsules",
    "outline_over_shoulders",
]
