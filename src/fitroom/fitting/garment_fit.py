"""Fit a garment to a person: per-part warps from garment landmarks to body anchors.

The torso panel is warped by a thin-plate spline pinned at collar, shoulders, armpits, waist and
hem; each sleeve is laid along its arm (shoulder → elbow → wrist) and bends at the elbow. The
result is one premultiplied RGBA layer per part, cropped to the box it covers.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

import cv2
import numpy as np
import numpy.typing as npt

from fitroom.errors import InputError, UnsupportedGarment
from fitroom.fitting.anchors import BodyAnchors
from fitroom.fitting.warp import (
    apply_affine,
    remap_premultiplied,
    similarity_from_pairs,
    tps_inverse_maps,
)
from fitroom.garments.core import Garment, GarmentLandmarks, GarmentPart

FloatArray = npt.NDArray[np.float32]

#: Torso control points of an upper garment, in a fixed order.
TORSO_POINTS: tuple[str, ...] = (
    "neck_center",
    "neck_left",
    "neck_right",
    "shoulder_left",
    "shoulder_right",
    "armpit_left",
    "armpit_right",
    "waist_left",
    "waist_right",
    "hem_left",
    "hem_right",
)

#: Garment width over the measured body width, per size label (M = a regular fit).
SIZE_EASE: dict[str, float] = {
    "XXS": 0.94,
    "XS": 0.97,
    "S": 1.0,
    "M": 1.04,
    "L": 1.09,
    "XL": 1.14,
    "XXL": 1.2,
}


def size_ease(size: str | None) -> float:
    """Garment width over the measured body width for a size label (None = a regular fit, M).

    >>> size_ease("l"), size_ease(None)
    (1.09, 1.04)

    Raises:
        InputError: the label is not one of :data:`SIZE_EASE`.
    """
    label = (size or "M").upper()
    if label not in SIZE_EASE:
        raise InputError(
            f"unknown size {size!r}; use one of {', '.join(SIZE_EASE)} or leave it unset"
        )
    return SIZE_EASE[label]


@dataclass(frozen=True)
class FittedLayer:
    """One warped garment part.

    Attributes:
        part: "torso", "left_sleeve" or "right_sleeve".
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
        layers: parts in drawing order (sleeves first, then the torso panel on top).
        targets: garment landmark name → (x, y) body pixel where it was pinned.
        scale: body pixels per garment pixel.
        region: the body region it clothes, "upper" (tops and dresses) or "lower" (trousers,
            skirts): decides which old garment it replaces.
    """

    layers: tuple[FittedLayer, ...]
    targets: dict[str, tuple[float, float]] = field(hash=False)
    scale: float
    region: str = "upper"

    def __post_init__(self) -> None:
        if self.region not in ("upper", "lower"):
            raise ValueError(f"FittedGarment.region: expected upper or lower, got {self.region!r}")


def premultiplied_parts(
    cutout: npt.NDArray[np.uint8], parts: npt.NDArray[np.uint8]
) -> dict[str, FloatArray]:
    """A garment's parts as premultiplied float32 (H, W, 4) images.

    Args:
        cutout: uint8 (H, W, 4) RGBA garment cutout.
        parts: uint8 (H, W) :class:`GarmentPart` map.

    Sleeves are grown a few pixels into the torso so that the seam under the torso panel has no
    gap; the torso panel excludes the sleeves' soft edges so no sleeve outline travels with it.
    """
    alpha = cutout[..., 3].astype(np.float32) * np.float32(1.0 / 255.0)
    rgb = cutout[..., :3].astype(np.float32)
    out: dict[str, FloatArray] = {}
    kernel = cv2.getStructuringElement(cv2.MORPH_ELLIPSE, (21, 21))
    small = cv2.getStructuringElement(cv2.MORPH_ELLIPSE, (3, 3))
    sleeves = np.zeros(parts.shape, np.uint8)
    sides = (("left_sleeve", GarmentPart.LEFT_SLEEVE), ("right_sleeve", GarmentPart.RIGHT_SLEEVE))
    for name, code in sides:
        hard = (parts == int(code)).astype(np.uint8)
        if int(hard.sum()) < 16:
            continue
        sleeves |= hard
        out[name] = _premultiply(rgb, cv2.dilate(hard, kernel).astype(np.float32) * alpha)
    body_weight = (1.0 - cv2.dilate(sleeves, small).astype(np.float32)) * alpha
    out["torso"] = _premultiply(rgb, body_weight)
    return out


def _premultiply(rgb: FloatArray, weight: FloatArray) -> FloatArray:
    out = np.empty((*weight.shape, 4), np.float32)
    np.multiply(rgb, weight[..., None], out=out[..., :3])
    out[..., 3] = weight
    return out


def _resized_garment(
    garment: Garment, factor: float
) -> tuple[npt.NDArray[np.uint8], npt.NDArray[np.uint8]]:
    """The cutout and part map shrunk by ``factor`` (area filter: no moiré on fine patterns)."""
    if factor >= 0.999:
        return garment.cutout, garment.parts
    w, h = garment.size
    size = (max(2, round(w * factor)), max(2, round(h * factor)))
    cutout = cv2.resize(garment.cutout, size, interpolation=cv2.INTER_AREA)
    parts = cv2.resize(garment.parts, size, interpolation=cv2.INTER_NEAREST)
    return cutout, parts


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


def torso_targets(
    garment: Garment, anchors: BodyAnchors, ease: float = 1.04
) -> tuple[dict[str, tuple[float, float]], float]:
    """Where each torso landmark of an upper garment lands on the body.

    A similarity (shoulders onto shoulders) places the garment first, keeping its own proportions
    (neckline, length). Armpits, waist and hem then move sideways to the measured torso width
    times ``ease`` (the garment's width over the body's), so the new garment covers the old one.

    Returns:
        (name → (x, y) target, scale in body pixels per garment pixel).
    """
    lm = garment.landmarks
    g_sh = np.array([lm["shoulder_left"][:2], lm["shoulder_right"][:2]], np.float64)
    matrix = similarity_from_pairs(g_sh, anchors.shoulders)
    scale = float(np.hypot(*matrix[:, 0]))
    targets: dict[str, tuple[float, float]] = {}
    for name in TORSO_POINTS:
        x, y = apply_affine(matrix, lm[name][:2])[0]
        targets[name] = (float(x), float(y))
    targets["shoulder_left"] = (float(anchors.shoulders[0, 0]), float(anchors.shoulders[0, 1]))
    targets["shoulder_right"] = (float(anchors.shoulders[1, 0]), float(anchors.shoulders[1, 1]))
    # Length follows the chest: a garment as wide as the body at the armpits is as long,
    # relative to that width, as it is on the product photo.
    g_pit = float(np.hypot(*(lm["armpit_left"][:2] - lm["armpit_right"][:2])))
    pit_y = 0.5 * (targets["armpit_left"][1] + targets["armpit_right"][1])
    edges = anchors.torso_edge_at(pit_y)
    if edges is not None and g_pit > 1.0 and edges[0] > edges[1]:
        length_scale = max(scale, min(1.6 * scale, (edges[0] - edges[1]) * ease / g_pit))
        top = 0.5 * (anchors.shoulders[0, 1] + anchors.shoulders[1, 1])
        g_top = 0.5 * (float(lm["shoulder_left"][1]) + float(lm["shoulder_right"][1]))
        for name in TORSO_POINTS[5:]:
            x, _ = targets[name]
            targets[name] = (x, float(top + (float(lm[name][1]) - g_top) * length_scale))
    for row in ("armpit", "waist", "hem"):
        (lx, ly), (rx, ry) = targets[f"{row}_left"], targets[f"{row}_right"]
        y = 0.5 * (ly + ry)
        edges = anchors.torso_edge_at(y)
        if edges is None:
            continue
        el, er = edges
        centre = 0.5 * (el + er)
        body_half = 0.5 * (el - er)
        garment_half = 0.5 * (lx - rx)
        if body_half <= 0:
            continue
        # Cover the measured body (and the clothes on it), never squeeze a loose garment by
        # more than 10% of its own width.
        half = max(body_half * ease, 0.9 * garment_half)
        targets[f"{row}_left"] = (centre + half, ly)
        targets[f"{row}_right"] = (centre - half, ry)
    return targets, scale


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


def sleeve_pins(
    lm: GarmentLandmarks,
    side: str,
    targets: dict[str, tuple[float, float]],
    anchors: BodyAnchors,
    row: int,
    scale: float,
) -> list[tuple[tuple[float, float], tuple[float, float]]]:
    """(body point, garment point) pairs pinning one sleeve.

    The sleeve shares its shoulder and armpit pins with the torso panel (no gap at the seam);
    its cuff lies along the arm (shoulder → elbow → wrist) at the sleeve's own length × scale,
    as wide as the garment's cuff × scale; a sleeve reaching past the elbow gets a pair of
    elbow pins so it bends there.
    """
    g_sh = lm[f"shoulder_{side}"][:2].astype(np.float64)
    g_pit = lm[f"armpit_{side}"][:2].astype(np.float64)
    g_out = lm[f"cuff_{side}_outer"][:2].astype(np.float64)
    g_in = lm[f"cuff_{side}_inner"][:2].astype(np.float64)
    chain = np.stack(
        [anchors.shoulder_joints[row], anchors.elbows[row], anchors.wrists[row]]
    ).astype(np.float32)
    centre_line = anchors.shoulder_joints.mean(axis=0)
    # The cuff's distance down the arm: the outer seam runs from the shoulder, the inner seam
    # from the armpit (which sits well down the upper arm), so a short sleeve still reaches
    # past the armpit instead of folding up above it.
    upper = chain[1] - chain[0]
    upper_len = max(1e-6, float(np.hypot(*upper)))
    pit = np.asarray(targets[f"armpit_{side}"], np.float32)
    pit_along = float(np.clip(np.dot(pit - chain[0], upper) / upper_len, 0.0, upper_len))
    outer_len = scale * float(np.hypot(*(g_out - g_sh)))
    inner_len = pit_along + scale * float(np.hypot(*(g_in - g_pit)))
    length = 0.5 * (outer_len + inner_len)
    # A loose flat-lay cuff would stand off the arm like a wing; a worn sleeve hangs around it.
    half_cuff = min(0.5 * scale * float(np.hypot(*(g_out - g_in))), 0.17 * anchors.shoulder_width)
    cuff, direction = along_chain(chain, length)
    normal = np.array([-direction[1], direction[0]], np.float32)
    if float(np.dot(normal, chain[0] - centre_line)) < 0:
        normal = -normal
    pins = [
        (targets[f"shoulder_{side}"], (float(g_sh[0]), float(g_sh[1]))),
        (targets[f"armpit_{side}"], (float(g_pit[0]), float(g_pit[1]))),
        (tuple(map(float, cuff + normal * half_cuff)), (float(g_out[0]), float(g_out[1]))),
        (tuple(map(float, cuff - normal * half_cuff)), (float(g_in[0]), float(g_in[1]))),
    ]
    if length > upper_len * 1.15:
        f = upper_len / length
        g_eo = g_sh + (g_out - g_sh) * f
        g_ei = g_pit + (g_in - g_pit) * f
        half = 0.5 * scale * float(np.hypot(*(g_eo - g_ei)))
        bend = chain[2] - chain[0]
        bend_n = np.array([-bend[1], bend[0]], np.float32) / max(1e-6, float(np.hypot(*bend)))
        if float(np.dot(bend_n, normal)) < 0:
            bend_n = -bend_n
        elbow = chain[1]
        pins.append((tuple(map(float, elbow + bend_n * half)), (float(g_eo[0]), float(g_eo[1]))))
        pins.append((tuple(map(float, elbow - bend_n * half)), (float(g_ei[0]), float(g_ei[1]))))
    return pins  # type: ignore[return-value]


def prepare_garment(
    garment: Garment, factor: float
) -> tuple[dict[str, FloatArray], GarmentLandmarks]:
    """The garment's premultiplied parts and landmarks at ``factor`` × its photo size."""
    cutout, part_map = _resized_garment(garment, factor)
    return premultiplied_parts(cutout, part_map), garment.landmarks.scaled(factor)


#: A (cached) garment preparation: garment and resize factor → premultiplied parts and landmarks.
PrepareGarment = Callable[[Garment, float], tuple[dict[str, FloatArray], GarmentLandmarks]]

#: Prepared garments are reused at these steps of the resize factor.
FACTOR_STEP = 0.05


def fit_upper(
    garment: Garment,
    anchors: BodyAnchors,
    ease: float = 1.04,
    prepared: PrepareGarment | None = None,
) -> FittedGarment:
    """Fit an upper garment (or the top of a dress) to a person.

    Args:
        garment: an ``upper`` garment with the upper landmark set.
        anchors: the person's body anchors.
        ease: garment width over measured torso width (see :data:`SIZE_EASE`).
        prepared: a (cached) :func:`prepare_garment`; called with the garment and a factor
            that is a multiple of :data:`FACTOR_STEP`.

    Raises:
        UnsupportedGarment: the garment lacks the upper landmarks.
    """
    missing = [n for n in TORSO_POINTS if n not in garment.landmarks]
    if missing:
        raise UnsupportedGarment(
            f"garment {garment.name!r} ({garment.category}) has no {', '.join(missing)} "
            "landmarks; an upper garment package is needed"
        )
    size = anchors.image_size
    targets, scale = torso_targets(garment, anchors, ease)
    # Work from a copy of the garment at about the output's resolution: sampling a large photo
    # bilinearly at a quarter of its size aliases stripes and checks, and costs time.
    factor = min(1.0, FACTOR_STEP * max(1, round(1.3 * scale / FACTOR_STEP)))
    pieces, lm = (prepared or prepare_garment)(garment, factor)
    targets_scale = scale
    scale = scale / factor
    layers: list[FittedLayer] = []
    for side, row in (("left", 0), ("right", 1)):
        name = f"{side}_sleeve"
        if name not in pieces or garment.sleeve == "none":
            continue
        pins = sleeve_pins(lm, side, targets, anchors, row, scale)
        body_pins = np.array([p[0] for p in pins], np.float32)
        garment_pins = np.array([p[1] for p in pins], np.float32)
        margin = 0.25 * float(np.hypot(*(body_pins[0] - body_pins[1]))) + 8
        box = clip_box(body_pins, margin, size)
        if box is None:
            continue
        map_x, map_y = tps_inverse_maps(body_pins, garment_pins, box, smoothing=0.5)
        layers.append(FittedLayer(name, box, remap_premultiplied(pieces[name], map_x, map_y)))
    body_pts = np.array([targets[n] for n in TORSO_POINTS], np.float32)
    garment_pts = np.array([lm[n][:2] for n in TORSO_POINTS], np.float32)
    box = clip_box(body_pts, 0.12 * anchors.shoulder_width + 8, size)
    if box is not None:
        map_x, map_y = tps_inverse_maps(body_pts, garment_pts, box, smoothing=1.0)
        layers.append(FittedLayer("torso", box, remap_premultiplied(pieces["torso"], map_x, map_y)))
    return FittedGarment(layers=tuple(layers), targets=targets, scale=targets_scale)


__all__ = [
    "FACTOR_STEP",
    "SIZE_EASE",
    "TORSO_POINTS",
    "FittedGarment",
    "FittedLayer",
    "fit_upper",
    "premultiplied_parts",
    "prepare_garment",
    "size_ease",
    "sleeve_pins",
    "torso_targets",
]
