"""What a garment is once ingested: frozen dataclasses of typed NumPy arrays.

Coordinates are (x, y) pixels of the product photo the garment came from (the cutout and the
parts map have the photo's own size). "Left" and "right" are the WEARER's: on a front-view
product photo the wearer's left is the image's right side (the MediaPipe convention).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import IntEnum
from typing import Literal

import numpy as np
import numpy.typing as npt

from fitroom.errors import GarmentError

FloatArray = npt.NDArray[np.float32]
ByteArray = npt.NDArray[np.uint8]

Category = Literal["upper", "lower", "full"]
Subcategory = Literal[
    "t-shirt",
    "shirt",
    "sweater",
    "jacket",
    "tank",
    "trousers",
    "shorts",
    "skirt",
    "dress",
    "jumpsuit",
]
SleeveLength = Literal["none", "short", "long"]
Pattern = Literal["solid", "stripes", "checks", "dots", "print"]

CATEGORIES: tuple[Category, ...] = ("upper", "lower", "full")
SUBCATEGORIES: dict[Category, tuple[Subcategory, ...]] = {
    "upper": ("t-shirt", "shirt", "sweater", "jacket", "tank"),
    "lower": ("trousers", "shorts", "skirt"),
    "full": ("dress", "jumpsuit"),
}
SLEEVE_LENGTHS: tuple[SleeveLength, ...] = ("none", "short", "long")
PATTERNS: tuple[Pattern, ...] = ("solid", "stripes", "checks", "dots", "print")


class GarmentPart(IntEnum):
    """Values of :attr:`Garment.parts`, the per-pixel part map (uint8)."""

    NONE = 0
    BODY = 1  # torso panel of a top or dress, waistband/hip panel of trousers or a skirt
    LEFT_SLEEVE = 2  # wearer's left = image right
    RIGHT_SLEEVE = 3
    LEFT_LEG = 4
    RIGHT_LEG = 5
    # Inside of a top or dress seen through its neck opening (the back's inside, labels):
    # worn, the person's neck and chest are there (see fitroom.garments.neck_opening).
    NECK_INSIDE = 6


UPPER_LANDMARKS: tuple[str, ...] = (
    "neck_center",
    "neck_left",
    "neck_right",
    "shoulder_left",
    "shoulder_right",
    "armpit_left",
    "armpit_right",
    "cuff_left_outer",
    "cuff_left_inner",
    "cuff_right_outer",
    "cuff_right_inner",
    "waist_left",
    "waist_right",
    "hem_left",
    "hem_right",
)
LOWER_LANDMARKS: tuple[str, ...] = (
    "waistband_left",
    "waistband_right",
    "waistband_center",
    "crotch",
    "hem_left_outer",
    "hem_left_inner",
    "hem_right_outer",
    "hem_right_inner",
)
_CUFFS = ("cuff_left_outer", "cuff_left_inner", "cuff_right_outer", "cuff_right_inner")


def landmark_names(
    category: Category, subcategory: Subcategory, has_sleeves: bool
) -> tuple[str, ...]:
    """The landmark set of a garment kind.

    Upper garments always carry all 15 (a sleeveless top's "cuffs" are its armhole ends, with
    low confidence); a dress carries the cuffs only when it has sleeves; a jumpsuit adds the
    lower set's crotch and leg hems.

    >>> len(landmark_names("upper", "tank", False)), len(landmark_names("lower", "skirt", False))
    (15, 8)
    >>> "cuff_left_outer" in landmark_names("full", "dress", False)
    False
    """
    if category == "upper":
        return UPPER_LANDMARKS
    if category == "lower":
        return LOWER_LANDMARKS
    upper = tuple(n for n in UPPER_LANDMARKS if has_sleeves or n not in _CUFFS)
    if subcategory == "jumpsuit":
        upper = tuple(n for n in upper if not n.startswith("hem_"))
        return (
            *upper,
            "crotch",
            "hem_left_outer",
            "hem_left_inner",
            "hem_right_outer",
            "hem_right_inner",
        )
    return upper


@dataclass(frozen=True)
class GarmentLandmarks:
    """Named garment landmarks.

    Attributes:
        names: landmark names, in the order of ``points``.
        points: float32 (N, 3): x, y in photo pixels and a confidence in [0, 1].
    """

    names: tuple[str, ...]
    points: FloatArray

    def __post_init__(self) -> None:
        if self.points.dtype != np.float32 or self.points.shape != (len(self.names), 3):
            raise GarmentError(
                f"landmark points must be float32 of shape ({len(self.names)}, 3), "
                f"got {self.points.dtype} {self.points.shape}"
            )
        if len(set(self.names)) != len(self.names):
            raise GarmentError(f"duplicate landmark names in {self.names}")
        if not np.isfinite(self.points).all():
            raise GarmentError("landmark points must be finite")

    def __getitem__(self, name: str) -> FloatArray:
        """(x, y, confidence) of one landmark; KeyError if the garment has no such landmark."""
        try:
            return self.points[self.names.index(name)]
        except ValueError:
            raise KeyError(name) from None

    def __contains__(self, name: object) -> bool:
        return name in self.names

    def as_dict(self) -> dict[str, tuple[float, float, float]]:
        """``{name: (x, y, confidence)}`` with plain floats."""
        return {
            n: (float(p[0]), float(p[1]), float(p[2]))
            for n, p in zip(self.names, self.points, strict=True)
        }

    def scaled(self, factor: float) -> GarmentLandmarks:
        """The same landmarks with x, y multiplied by ``factor`` (confidence unchanged)."""
        points = self.points.copy()
        points[:, :2] *= np.float32(factor)
        return GarmentLandmarks(self.names, points)


@dataclass(frozen=True)
class PaletteColour:
    """One dominant colour: Lab (L in [0, 100]), sRGB uint8, a human name, its share of the area."""

    lab: tuple[float, float, float]
    rgb: tuple[int, int, int]
    name: str
    share: float


@dataclass(frozen=True)
class GarmentFeatures:
    """Appearance features.

    Attributes:
        palette: dominant colours, largest share first; shares sum to 1.
        pattern: solid, stripes, checks, dots or print.
        texture: float32 (T,) texture descriptor (LBP histogram + oriented gradient energies).
        vector: float32 (D,) L2-normalised descriptor for similarity search (dot product =
            cosine similarity); comparable across garments of the same fitroom version.
    """

    palette: tuple[PaletteColour, ...]
    pattern: Pattern
    texture: FloatArray
    vector: FloatArray

    def __post_init__(self) -> None:
        if self.pattern not in PATTERNS:
            raise GarmentError(f"pattern must be one of {PATTERNS}, got {self.pattern!r}")
        for name, arr in (("texture", self.texture), ("vector", self.vector)):
            if arr.dtype != np.float32 or arr.ndim != 1:
                raise GarmentError(f"{name} must be a float32 vector, got {arr.dtype} {arr.shape}")
        norm = float(np.linalg.norm(self.vector))
        if abs(norm - 1.0) > 1e-3:
            raise GarmentError(f"feature vector must be L2-normalised, its norm is {norm:.4f}")


@dataclass(frozen=True)
class SizeRange:
    """A body measurement range in centimetres (low ≤ high)."""

    low: float
    high: float


@dataclass(frozen=True)
class SizeChart:
    """Size → body measurement ranges in cm, e.g. ``{"M": {"chest": SizeRange(96, 101)}}``."""

    sizes: tuple[str, ...]
    measurements: dict[str, dict[str, SizeRange]] = field(hash=False)

    def __post_init__(self) -> None:
        if set(self.sizes) != set(self.measurements):
            raise GarmentError("size chart sizes and measurement rows disagree")

    def as_dict(self) -> dict[str, dict[str, list[float]]]:
        return {
            s: {m: [r.low, r.high] for m, r in self.measurements[s].items()} for s in self.sizes
        }


@dataclass(frozen=True)
class Provenance:
    """Where a garment came from."""

    source_name: str
    source_sha256: str
    fitroom_version: str
    created: str  # ISO 8601, UTC


@dataclass(frozen=True)
class Garment:
    """A try-on-ready garment.

    Attributes:
        name: display name.
        cutout: uint8 (H, W, 4) RGBA at the product photo's size, alpha soft at the edges.
        parts: uint8 (H, W) :class:`GarmentPart` values (0 where alpha < 0.5).
        category: upper, lower or full.
        subcategory: t-shirt, shirt, sweater, jacket, tank, trousers, shorts, skirt, dress or
            jumpsuit.
        sleeve: none, short or long (``none`` for lower garments).
        length: garment height over its width at the body (shoulders, or waistband) — a
            scale-free measure of how long it is.
        landmarks: the category's landmark set in photo pixels.
        features: palette, pattern, texture and the similarity vector.
        size_chart: optional size chart.
        provenance: source, hash, version, time.
    """

    name: str
    cutout: ByteArray
    parts: ByteArray
    category: Category
    subcategory: Subcategory
    sleeve: SleeveLength
    length: float
    landmarks: GarmentLandmarks
    features: GarmentFeatures
    provenance: Provenance
    size_chart: SizeChart | None = None

    def __post_init__(self) -> None:
        if self.cutout.dtype != np.uint8 or self.cutout.ndim != 3 or self.cutout.shape[2] != 4:
            raise GarmentError(
                f"cutout must be RGBA uint8 (H, W, 4), got {self.cutout.dtype} {self.cutout.shape}"
            )
        if self.parts.dtype != np.uint8 or self.parts.shape != self.cutout.shape[:2]:
            raise GarmentError(
                f"parts must be uint8 {self.cutout.shape[:2]}, "
                f"got {self.parts.dtype} {self.parts.shape}"
            )
        if int(self.parts.max(initial=0)) > max(GarmentPart):
            raise GarmentError(f"parts values must be GarmentPart codes 0..{max(GarmentPart)}")
        if self.category not in CATEGORIES:
            raise GarmentError(f"category must be one of {CATEGORIES}, got {self.category!r}")
        if self.subcategory not in SUBCATEGORIES[self.category]:
            raise GarmentError(
                f"subcategory {self.subcategory!r} is not one of {SUBCATEGORIES[self.category]}"
            )
        if self.sleeve not in SLEEVE_LENGTHS:
            raise GarmentError(f"sleeve must be one of {SLEEVE_LENGTHS}, got {self.sleeve!r}")

    @property
    def size(self) -> tuple[int, int]:
        """(width, height) of the cutout in pixels."""
        return int(self.cutout.shape[1]), int(self.cutout.shape[0])

    @property
    def alpha(self) -> FloatArray:
        """float32 (H, W) alpha in [0, 1]."""
        return self.cutout[..., 3].astype(np.float32) * np.float32(1.0 / 255.0)

    @property
    def rgb(self) -> ByteArray:
        """uint8 (H, W, 3) colours of the cutout (meaningful where alpha > 0)."""
        return np.ascontiguousarray(self.cutout[..., :3])

    def part_mask(self, part: GarmentPart) -> npt.NDArray[np.bool_]:
        """bool (H, W) pixels of one part."""
        return self.parts == int(part)

    def summary(self) -> dict[str, object]:
        """The JSON-friendly summary ``fitroom garment inspect --json`` prints."""
        return {
            "name": self.name,
            "category": self.category,
            "subcategory": self.subcategory,
            "sleeve": self.sleeve,
            "length": round(self.length, 3),
            "landmarks": {
                k: [round(v[0], 1), round(v[1], 1), round(v[2], 2)]
                for k, v in self.landmarks.as_dict().items()
            },
            "palette": [
                {"name": c.name, "rgb": list(c.rgb), "share": round(c.share, 3)}
                for c in self.features.palette
            ],
            "pattern": self.features.pattern,
        }


__all__ = [
    "CATEGORIES",
    "LOWER_LANDMARKS",
    "PATTERNS",
    "SLEEVE_LENGTHS",
    "SUBCATEGORIES",
    "UPPER_LANDMARKS",
    "Category",
    "Garment",
    "GarmentFeatures",
    "GarmentLandmarks",
    "GarmentPart",
    "PaletteColour",
    "Pattern",
    "Provenance",
    "SizeChart",
    "SizeRange",
    "SleeveLength",
    "Subcategory",
    "landmark_names",
]
