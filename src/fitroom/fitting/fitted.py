"""What a fitter returns: warped garment layers with the body pixels they cover, and the
small geometry helpers every fitter shares (boxes, points along a limb, strands dropped from a
warped layer)."""

from __future__ import annotations

from dataclasses import dataclass, field

import cv2
import numpy as np
import numpy.typing as npt

FloatArray = npt.NDArray[np.float32]


@dataclass(frozen=True)
class FittedLayer:
    """One warped garment part.

    Attributes:
        part: "torso", "left_sleeve", "right_sleeve" (upper arm), "left_forearm" or
            "right_forearm" (a long sleeve past the elbow).
        box: (x0, y0, x1, y1) output pixels the layer covers.
        rgba: float32 (y1 - y0, x1 - x0, 4), premultiplied colour in [0, 255] and alpha in
            [0, 1].
    """

    part: str
    box: tuple[int, int, int, int]
    rgba: FloatArray = field(repr=False)

    def __post_init__(self) -> None:
        x0, y0, x1, y1 = self.box
        if self.rgba.shape != (y1 - y0, x1 - x0, 4) or self.rgba.dtype != np.float32:
            raise ValueError(
                f"FittedLayer.rgba: expected float32 ({y1 - y0}, {x1 - x0}, 4), "
                f"got {self.rgba.dtype} {self.rgba.shape}"
            )


@dataclass(frozen=True)
class FittedGarment:
    """A garment fitted to one person.

    Attributes:
        layers: parts in drawing order (the torso panel first, then the sleeves, then the
            forearm parts of long sleeves on top).
        targets: garment landmark name → (x, y) body pixel where it was pinned.
        scale: body pixels per garment pixel.
        region: the body region it clothes, "upper" (tops), "lower" (trousers, skirts) or
            "full" (dresses: the upper body and the legs): decides which old garment it
            replaces.
        own_neck_opening: whether the torso panel leaves out the garment's own neck opening
            (read from its product photo, :attr:`~fitroom.garments.core.GarmentPart.NECK_INSIDE`)
            or has none at all (an off-shoulder or strapless top, see
            :func:`~fitroom.fitting.garment_fit.straight_top_edge`); otherwise the dressing
            hides a fixed rounded opening there.
        collar_at_neck: whether the garment's top edge between its neck points goes round
            the neck (see :func:`fitroom.garments.neck_opening.collar_at_neck`); a one-shoulder
            garment's does not, and gets no fixed opening either.
    """

    layers: tuple[FittedLayer, ...]
    targets: dict[str, tuple[float, float]] = field(hash=False)
    scale: float
    region: str = "upper"
    own_neck_opening: bool = False
    collar_at_neck: bool = True

    def __post_init__(self) -> None:
        if self.region not in ("upper", "lower", "full"):
            raise ValueError(
                f"FittedGarment.region: expected upper, lower or full, got {self.region!r}"
            )


def clip_box(
    points: FloatArray, margin: float, size: tuple[int, int]
) -> tuple[int, int, int, int] | None:
    w, h = size
    x0 = max(0, int(np.floor(points[:, 0].min() - margin)))
    y0 = max(0, int(np.floor(points[:, 1].min() - margin)))
    x1 = min(w, int(np.ceil(points[:, 0].max() + margin)) + 1)
    y1 = min(h, int(np.ceil(points[:, 1].max() + margin)) + 1)
    if x1 - x0 < 2 or y1 - y0 < 2:
        return None
    return x0, y0, x1, y1


def along_chain(chain: FloatArray, distance: float) -> tuple[FloatArray, FloatArray]:
    """The point ``distance`` pixels along a polyline and the unit direction there."""
    for i in range(len(chain) - 1):
        seg = chain[i + 1] - chain[i]
        length = float(np.hypot(*seg))
        if length < 1e-6:
            continue
        direction = seg / length
        if distance <= length or i == len(chain) - 2:
            return (chain[i] + direction * distance).astype(np.float32), direction.astype(
                np.float32
            )
        distance -= length
    return chain[-1].astype(np.float32), np.array([0.0, 1.0], np.float32)


def without_slivers(rgba: FloatArray, width: int) -> FloatArray:
    """A premultiplied (h, w, 4) layer without its strands narrower than ``width`` pixels.

    A torso panel keeps the roots of the sleeves (see
    :func:`~fitroom.fitting.garment_layers.premultiplied_parts`); where the warp
    carries a shoulder seam out beyond the body, that strip is drawn out into a line one or
    two pixels wide around the sleeve, and the space between it and the sleeve was bridged
    as a "gap" in a barcode of streaks. Pixels of the layer that an opening with a ``width``
    disc removes, and that lie more than a pixel from what it keeps, are cleared.

    >>> layer = np.zeros((30, 30, 4), np.float32)
    >>> layer[5:25, 5:15] = 1.0  # a block
    >>> layer[10, 15:28] = 1.0  # a line one pixel wide out of it
    >>> out = without_slivers(layer, 5)
    >>> bool(out[10, 20, 3] == 0.0), bool(np.array_equal(out[5:25, 5:15], layer[5:25, 5:15]))
    (True, True)
    """
    solid = np.ascontiguousarray(rgba[..., 3] > 0.5).view(np.uint8)
    disc = cv2.getStructuringElement(cv2.MORPH_ELLIPSE, (width, width))
    kept = cv2.dilate(cv2.morphologyEx(solid, cv2.MORPH_OPEN, disc), np.ones((5, 5), np.uint8))
    if bool(kept.all()):
        return rgba
    # (A masked copy: the same values as clearing ``out[kept == 0]``, without NumPy's
    # channel-by-channel boolean indexing.)
    out: FloatArray = cv2.bitwise_and(rgba, rgba, mask=kept)
    return out


__all__ = ["FittedGarment", "FittedLayer", "along_chain", "clip_box", "without_slivers"]
