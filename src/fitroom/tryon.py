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
from fitroom.dressing.core import DressOptions, dress
from fitroom.dressing.fit import PREPARED_CACHE_SIZE, PreparedGarments
from fitroom.dressing.person_checks import (
    MAX_OUTLINE_OVER_SHOULDERS,
    MAX_OUTLINE_OVER_SHOULDERS_ALWAYS,
    MIN_VISIBILITY,
    check_garment,
    check_person,
    check_pose_outline,
    outline_over_shoulders,
)
from fitroom.errors import InputError
from fitroom.fitting.garment_fit import size_ease
from fitroom.garments.core import Garment
from fitroom.imaging.decode import ensure_rgb
from fitroom.vision.perception import Perceiver, Perception

FloatArray = npt.NDArray[np.float32]
ByteArray = npt.NDArray[np.uint8]

#: Accepted :attr:`TryOnOptions.width_ease` values (beyond them a garment is not wearable).
WIDTH_EASE_RANGE = (0.8, 1.5)
#: Accepted :attr:`TryOnOptions.length_scale` values.
LENGTH_SCALE_RANGE = (0.7, 1.4)


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


class TryOn(Closeable):
    """Holds the perception models; a context manager (``close()`` frees them).

    Args:
        num_threads: CPU threads for the models.
        expression: also classify the face's expression (``result.perception``'s face);
            the dressing never uses it, so it is off unless asked (the shop reads it to
            record a reaction).
    """

    def __init__(self, *, num_threads: int = 2, expression: bool = False) -> None:
        self._perceiver = Perceiver(
            num_threads=num_threads,
            faces=True,
            expression=expression,
            parts=True,
            max_people=2,
        )
        # A shop renders the same garment on many photos.
        self._prepared = PreparedGarments(PREPARED_CACHE_SIZE)

    def render(
        self,
        person_image: npt.NDArray[np.uint8],
        garments: Sequence[Garment],
        options: TryOnOptions | None = None,
    ) -> TryOnResult:
        """Dress the one person in ``person_image`` (RGB uint8 (H, W, 3)) in ``garments``.

        Garments are layered in the order given (later on top); a dress or top is fitted to the
        torso and arms. The dressing itself is :func:`fitroom.dressing.dress`.

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
        t0 = time.perf_counter()
        perception = self._perceiver.process(image)
        timings = {"perception": (time.perf_counter() - t0) * 1e3}
        person = perception.single()
        if person.parts is None:  # pragma: no cover - the perceiver is built with parts=True
            raise RuntimeError("perception returned no body-part map")
        dressed = dress(
            image,
            person.pose,
            person.parts,
            perception.mask.mask,
            garments,
            DressOptions(ease=options.ease, length=options.length, tuck=options.tuck),
            self._prepared,
            face_seen=person.face is not None,
        )
        timings.update(dressed.timings_ms)
        timings["total"] = (time.perf_counter() - t0) * 1e3
        return TryOnResult(
            image=dressed.image,
            visible_masks=dressed.visible_masks,
            warnings=dressed.warnings,
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
    "outline_over_shoulders",
]
