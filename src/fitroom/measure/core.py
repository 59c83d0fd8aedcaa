"""What the measurement stage works on and returns: frozen, validated dataclasses.

A :class:`BodyView` is one silhouette of one person (a front or a side photo): the person mask,
33 BlazePose-order keypoints and, optionally, which mask pixels are arms or hands. The estimator
takes nothing else, so a real photo (through :meth:`BodyView.from_person`) and a synthetic body
(:mod:`fitroom.measure.synthetic`) go through the same code.

Measurements are body measurements in centimetres:

* ``height``: stature, as stated by the shopper (echoed, it sets the scale);
* ``shoulder_width``: shoulder breadth between the two shoulder keypoints (acromion to acromion);
* ``chest``, ``waist``, ``hip``: horizontal circumferences at the widest chest level, the
  narrowest waist level and the widest hip/seat level;
* ``inseam``: crotch to floor;
* ``arm_length``: shoulder → elbow → wrist along the arm;
* ``torso_length``: shoulder line to hip-joint line, vertically.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Literal, get_args

import numpy as np
import numpy.typing as npt

from fitroom.errors import InputError

if TYPE_CHECKING:
    from fitroom.vision.core import BodyParts
    from fitroom.vision.perception import Perception, PersonAnalysis

FloatArray = npt.NDArray[np.float32]
BoolArray = npt.NDArray[np.bool_]

MeasurementName = Literal[
    "height",
    "shoulder_width",
    "chest",
    "waist",
    "hip",
    "inseam",
    "arm_length",
    "torso_length",
]
#: Every measurement name, in display order (the Literal above is the single source).
MEASUREMENT_NAMES: tuple[MeasurementName, ...] = get_args(MeasurementName)
#: The circumferences, for which a side view matters.
GIRTHS: tuple[MeasurementName, ...] = ("chest", "waist", "hip")

NUM_KEYPOINTS = 33


@dataclass(frozen=True)
class BodyView:
    """One silhouette of one person, the estimator's whole input.

    Attributes:
        mask: float32 (H, W) person mask in [0, 1] (1 = person).
        keypoints: float32 (33, 3) BlazePose-order ``[x, y, visibility]``, x and y in pixels of
            the mask, visibility in [0, 1] (for a real pose: min(visibility, presence)).
        arms: optional bool (H, W), True on arm and hand pixels; torso widths leave them out.
            None: arms are not known, widths may include arms that touch the body.
        world: optional float32 (33, 3) metric 3D keypoints (a pose model's world landmarks,
            x right, y down, z away from the camera); used to tell whether the body faces the
            camera (:func:`fitroom.measure.estimate.body_turn_deg`).
    """

    mask: FloatArray
    keypoints: FloatArray
    arms: BoolArray | None = field(default=None, repr=False)
    world: FloatArray | None = field(default=None, repr=False)

    def __post_init__(self) -> None:
        if self.mask.dtype != np.float32 or self.mask.ndim != 2:
            raise InputError(
                f"BodyView.mask: expected float32 (H, W), got {self.mask.dtype} {self.mask.shape}"
            )
        if self.keypoints.dtype != np.float32 or self.keypoints.shape != (NUM_KEYPOINTS, 3):
            raise InputError(
                f"BodyView.keypoints: expected float32 ({NUM_KEYPOINTS}, 3), "
                f"got {self.keypoints.dtype} {self.keypoints.shape}"
            )
        if not np.isfinite(self.keypoints).all():
            raise InputError("BodyView.keypoints must be finite")
        if self.arms is not None and (
            self.arms.dtype != np.bool_ or self.arms.shape != self.mask.shape
        ):
            raise InputError(
                f"BodyView.arms: expected bool {self.mask.shape}, "
                f"got {self.arms.dtype} {self.arms.shape}"
            )
        if self.world is not None and (
            self.world.dtype != np.float32 or self.world.shape != (NUM_KEYPOINTS, 3)
        ):
            raise InputError(
                f"BodyView.world: expected float32 ({NUM_KEYPOINTS}, 3), "
                f"got {self.world.dtype} {self.world.shape}"
            )

    @property
    def height(self) -> int:
        """Image height in pixels."""
        return int(self.mask.shape[0])

    @property
    def width(self) -> int:
        """Image width in pixels."""
        return int(self.mask.shape[1])

    @classmethod
    def from_person(cls, perception: Perception, person: PersonAnalysis) -> BodyView:
        """The view of one person found by :class:`fitroom.vision.perception.Perceiver`.

        The mask is the perception's person mask; arm pixels come from the person's body-part
        map when perception computed one (``Perceiver(parts=True)``, the default).
        """
        from fitroom.vision.core import ARM_PARTS, HAND_PARTS

        lm = person.pose.landmarks
        keypoints = np.stack([lm[:, 0], lm[:, 1], np.minimum(lm[:, 3], lm[:, 4])], axis=1)
        parts: BodyParts | None = person.parts
        arms = None if parts is None else parts.mask(*ARM_PARTS, *HAND_PARTS)
        return cls(
            mask=np.ascontiguousarray(perception.mask.mask, dtype=np.float32),
            keypoints=np.ascontiguousarray(keypoints, dtype=np.float32),
            arms=arms,
            world=np.ascontiguousarray(person.pose.world_landmarks, dtype=np.float32),
        )


@dataclass(frozen=True)
class Scale:
    """How many centimetres one pixel spans in a view, and where that came from.

    Attributes:
        cm_per_px: centimetres per pixel.
        relative_uncertainty: one standard deviation of ``cm_per_px`` as a fraction of it.
        source: ``"head_to_heel"`` (stated height over the silhouette's height),
            ``"proportions"`` (stated height through average body proportions, no head needed)
            or ``"given"`` (handed in by the caller, e.g. fixed from earlier video frames).
        top_px, floor_px: image rows of the top of the head and of the floor (soles), when the
            scale was taken from the whole silhouette; else None.
    """

    cm_per_px: float
    relative_uncertainty: float
    source: Literal["head_to_heel", "proportions", "given"]
    top_px: float | None = None
    floor_px: float | None = None

    def __post_init__(self) -> None:
        if not (math.isfinite(self.cm_per_px) and self.cm_per_px > 0):
            raise InputError(f"Scale.cm_per_px must be positive, got {self.cm_per_px}")
        if not (math.isfinite(self.relative_uncertainty) and self.relative_uncertainty >= 0):
            raise InputError(
                f"Scale.relative_uncertainty must be ≥ 0, got {self.relative_uncertainty}"
            )


@dataclass(frozen=True)
class BodyMeasurements:
    """Estimated body measurements in centimetres.

    Attributes:
        measurements_cm: measurement name (see :data:`MEASUREMENT_NAMES`) → value in cm. A
            measurement the photo cannot give (e.g. inseam with the feet cut off in scale-given
            mode) is absent, never guessed.
        uncertainty_cm: the same keys → one standard deviation in cm.
        warnings: human-readable reasons to trust the numbers less (arms touching the body,
            loose clothing, implausible values...).
        views: ``"front"`` or ``"front+side"`` (estimated from photos), ``"typed"`` (entered by
            the shopper, :meth:`typed`).
        scale: the front view's scale; None for typed measurements.
    """

    measurements_cm: dict[str, float] = field(hash=False)
    uncertainty_cm: dict[str, float] = field(hash=False)
    warnings: tuple[str, ...]
    views: Literal["front", "front+side", "typed"]
    scale: Scale | None = None

    def __post_init__(self) -> None:
        unknown = set(self.measurements_cm) - set(MEASUREMENT_NAMES)
        if unknown:
            raise InputError(
                f"unknown measurement names {sorted(unknown)}; expected {MEASUREMENT_NAMES}"
            )
        if set(self.uncertainty_cm) != set(self.measurements_cm):
            raise InputError("every measurement needs an uncertainty and vice versa")
        for name, value in self.measurements_cm.items():
            if not (math.isfinite(value) and value > 0):
                raise InputError(f"measurement {name} must be a positive number, got {value}")
            sigma = self.uncertainty_cm[name]
            if not (math.isfinite(sigma) and sigma >= 0):
                raise InputError(f"uncertainty of {name} must be ≥ 0, got {sigma}")

    @classmethod
    def typed(cls, values_cm: dict[str, float], *, uncertainty_cm: float = 1.0) -> BodyMeasurements:
        """Measurements the shopper typed in (taken with a tape: ±1 cm by default).

        >>> BodyMeasurements.typed({"chest": 96, "waist": 82})["waist"]
        82.0
        """
        values = {name: float(value) for name, value in values_cm.items()}
        return cls(values, dict.fromkeys(values, float(uncertainty_cm)), (), "typed")

    def __getitem__(self, name: str) -> float:
        return self.measurements_cm[name]

    def get(self, name: str) -> float | None:
        """The measurement in cm, or None when it could not be estimated."""
        return self.measurements_cm.get(name)

    def as_dict(self) -> dict[str, object]:
        """The JSON-ready form (the shape ``fitroom measure --json`` writes)."""
        order = [n for n in MEASUREMENT_NAMES if n in self.measurements_cm]
        return {
            "measurements_cm": {n: round(self.measurements_cm[n], 1) for n in order},
            "uncertainty_cm": {n: round(self.uncertainty_cm[n], 1) for n in order},
            "warnings": list(self.warnings),
            "views": self.views,
            "scale": None
            if self.scale is None
            else {"cm_per_px": round(self.scale.cm_per_px, 5), "source": self.scale.source},
        }


__all__ = [
    "GIRTHS",
    "MEASUREMENT_NAMES",
    "BodyMeasurements",
    "BodyView",
    "MeasurementName",
    "Scale",
]
