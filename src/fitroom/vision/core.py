"""Perception results: frozen dataclasses of typed NumPy arrays, validated on construction.

Coordinates are in pixels of the image that was analysed (x to the right, y down). Masks are
``float32`` (H, W) in [0, 1]; label maps are ``uint8`` (H, W) with :class:`BodyPart` values.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import IntEnum

import numpy as np
import numpy.typing as npt

from fitroom.vision.landmarks import NUM_LANDMARKS

FloatArray = npt.NDArray[np.float32]
ByteArray = npt.NDArray[np.uint8]


def _check_shape(name: str, array: npt.NDArray[np.generic], shape: tuple[int | None, ...]) -> None:
    if array.ndim != len(shape) or any(
        want is not None and got != want for got, want in zip(array.shape, shape, strict=True)
    ):
        expected = "(" + ", ".join("*" if s is None else str(s) for s in shape) + ")"
        raise ValueError(f"{name}: expected shape {expected}, got {array.shape}")


def _check_dtype(name: str, array: npt.NDArray[np.generic], dtype: type[np.generic]) -> None:
    if array.dtype != dtype:
        raise ValueError(f"{name}: expected dtype {np.dtype(dtype).name}, got {array.dtype}")


@dataclass(frozen=True)
class RotatedRect:
    """A rotated rectangle in pixels: centre, size and rotation (radians, clockwise on screen)."""

    cx: float
    cy: float
    width: float
    height: float
    rotation: float = 0.0

    def __post_init__(self) -> None:
        if not (self.width > 0 and self.height > 0):
            raise ValueError(f"RotatedRect: size must be positive, got {self.width}×{self.height}")


@dataclass(frozen=True)
class Pose:
    """One person's body pose.

    Attributes:
        landmarks: (33, 5) float32, per BlazePose landmark ``[x, y, z, visibility, presence]``;
            x, y in pixels; z in pixels on the same scale as x, relative to the hip midpoint
            (smaller = nearer the camera); visibility and presence in [0, 1].
        world_landmarks: (33, 3) float32, metres, origin at the hip midpoint.
        score: confidence that a person is in the region, in [0, 1].
        roi: the rotated region the landmark model looked at.
        segmentation: optional (H, W) float32 person mask from the landmark model, in [0, 1].
    """

    landmarks: FloatArray
    world_landmarks: FloatArray
    score: float
    roi: RotatedRect
    segmentation: FloatArray | None = field(default=None, repr=False)

    def __post_init__(self) -> None:
        _check_shape("Pose.landmarks", self.landmarks, (NUM_LANDMARKS, 5))
        _check_dtype("Pose.landmarks", self.landmarks, np.float32)
        _check_shape("Pose.world_landmarks", self.world_landmarks, (NUM_LANDMARKS, 3))
        _check_dtype("Pose.world_landmarks", self.world_landmarks, np.float32)
        if self.segmentation is not None:
            _check_shape("Pose.segmentation", self.segmentation, (None, None))
            _check_dtype("Pose.segmentation", self.segmentation, np.float32)

    @property
    def xy(self) -> FloatArray:
        """(33, 2) pixel coordinates."""
        return self.landmarks[:, :2]

    @property
    def visibility(self) -> FloatArray:
        """(33,) visibility in [0, 1]."""
        return self.landmarks[:, 3]

    def bbox(self, min_visibility: float = 0.0) -> tuple[float, float, float, float]:
        """(x0, y0, x1, y1) box around the landmarks with visibility ≥ ``min_visibility``."""
        keep = self.landmarks[:, 3] >= min_visibility
        pts = self.landmarks[keep, :2] if keep.any() else self.landmarks[:, :2]
        x0, y0 = pts.min(axis=0)
        x1, y1 = pts.max(axis=0)
        return float(x0), float(y0), float(x1), float(y1)

    def scaled(self, sx: float, sy: float) -> Pose:
        """The same pose on the image resized by ``sx`` × ``sy`` (depth by their mean); the
        landmark model's own mask is left out (it has the old image's size)."""
        landmarks = self.landmarks.copy()
        landmarks[:, 0] *= sx
        landmarks[:, 1] *= sy
        landmarks[:, 2] *= (sx + sy) / 2
        roi = RotatedRect(
            self.roi.cx * sx,
            self.roi.cy * sy,
            self.roi.width * sx,
            self.roi.height * sy,
            self.roi.rotation,
        )
        return Pose(landmarks, self.world_landmarks, self.score, roi)


@dataclass(frozen=True)
class PersonMask:
    """Soft person mask: (H, W) float32 in [0, 1], 1 = person."""

    mask: FloatArray

    def __post_init__(self) -> None:
        _check_shape("PersonMask.mask", self.mask, (None, None))
        _check_dtype("PersonMask.mask", self.mask, np.float32)

    def binary(self, threshold: float = 0.5) -> npt.NDArray[np.bool_]:
        """Boolean mask of pixels above ``threshold``."""
        return self.mask > threshold


class BodyPart(IntEnum):
    """Labels of the rough body-part map. Left/right are the person's own sides."""

    BACKGROUND = 0
    FACE = 1
    HAIR = 2
    NECK = 3
    TORSO = 4
    LEFT_UPPER_ARM = 5
    RIGHT_UPPER_ARM = 6
    LEFT_FOREARM = 7
    RIGHT_FOREARM = 8
    LEFT_HAND = 9
    RIGHT_HAND = 10
    LEFT_LEG = 11
    RIGHT_LEG = 12


#: Groups used by evaluations and by later stages.
ARM_PARTS = frozenset(
    {
        BodyPart.LEFT_UPPER_ARM,
        BodyPart.RIGHT_UPPER_ARM,
        BodyPart.LEFT_FOREARM,
        BodyPart.RIGHT_FOREARM,
    }
)
HAND_PARTS = frozenset({BodyPart.LEFT_HAND, BodyPart.RIGHT_HAND})
LEG_PARTS = frozenset({BodyPart.LEFT_LEG, BodyPart.RIGHT_LEG})

#: A colour per part for overlays (RGB).
PART_COLORS: dict[BodyPart, tuple[int, int, int]] = {
    BodyPart.BACKGROUND: (0, 0, 0),
    BodyPart.FACE: (255, 200, 150),
    BodyPart.HAIR: (120, 60, 20),
    BodyPart.NECK: (255, 150, 100),
    BodyPart.TORSO: (60, 120, 255),
    BodyPart.LEFT_UPPER_ARM: (60, 220, 60),
    BodyPart.RIGHT_UPPER_ARM: (220, 220, 60),
    BodyPart.LEFT_FOREARM: (30, 150, 30),
    BodyPart.RIGHT_FOREARM: (160, 160, 20),
    BodyPart.LEFT_HAND: (255, 60, 200),
    BodyPart.RIGHT_HAND: (200, 60, 255),
    BodyPart.LEFT_LEG: (60, 200, 200),
    BodyPart.RIGHT_LEG: (30, 120, 160),
}


@dataclass(frozen=True)
class BodyParts:
    """Rough body-part map and skin mask.

    Attributes:
        labels: (H, W) uint8 of :class:`BodyPart` values.
        skin: (H, W) float32 in [0, 1], exposed skin (face, neck, arms, hands, legs) probability.
    """

    labels: ByteArray
    skin: FloatArray

    def __post_init__(self) -> None:
        _check_shape("BodyParts.labels", self.labels, (None, None))
        _check_dtype("BodyParts.labels", self.labels, np.uint8)
        _check_shape("BodyParts.skin", self.skin, self.labels.shape)
        _check_dtype("BodyParts.skin", self.skin, np.float32)
        if int(self.labels.max(initial=0)) > max(BodyPart):
            raise ValueError(f"BodyParts.labels: values must be BodyPart ids ≤ {max(BodyPart)}")

    def mask(self, *parts: BodyPart) -> npt.NDArray[np.bool_]:
        """Boolean mask of the pixels labelled with any of ``parts``."""
        return np.isin(self.labels, np.array([int(p) for p in parts], dtype=np.uint8))


EXPRESSIONS: tuple[str, ...] = ("angry", "disgust", "fear", "happy", "sad", "surprise", "neutral")


@dataclass(frozen=True)
class Expression:
    """Facial-expression probabilities over :data:`EXPRESSIONS` (sum to 1)."""

    probabilities: FloatArray

    def __post_init__(self) -> None:
        _check_shape("Expression.probabilities", self.probabilities, (len(EXPRESSIONS),))
        _check_dtype("Expression.probabilities", self.probabilities, np.float32)

    @property
    def label(self) -> str:
        """The most likely expression."""
        return EXPRESSIONS[int(np.argmax(self.probabilities))]

    def as_dict(self) -> dict[str, float]:
        """Expression name → probability."""
        return {name: float(p) for name, p in zip(EXPRESSIONS, self.probabilities, strict=True)}


@dataclass(frozen=True)
class Face:
    """One face.

    Attributes:
        box: (x0, y0, x1, y1) in pixels.
        score: detector confidence in [0, 1].
        keypoints: (6, 2) float32 detector keypoints (right eye, left eye, nose tip, mouth,
            right ear, left ear) in pixels.
        landmarks: optional (468, 3) float32 face-mesh landmarks in pixels (z on the x scale).
        expression: optional expression probabilities.
    """

    box: tuple[float, float, float, float]
    score: float
    keypoints: FloatArray
    landmarks: FloatArray | None = field(default=None, repr=False)
    expression: Expression | None = None

    def __post_init__(self) -> None:
        x0, y0, x1, y1 = self.box
        if not (x1 > x0 and y1 > y0):
            raise ValueError(f"Face.box: expected x0 < x1 and y0 < y1, got {self.box}")
        _check_shape("Face.keypoints", self.keypoints, (6, 2))
        _check_dtype("Face.keypoints", self.keypoints, np.float32)
        if self.landmarks is not None:
            _check_shape("Face.landmarks", self.landmarks, (468, 3))
            _check_dtype("Face.landmarks", self.landmarks, np.float32)
