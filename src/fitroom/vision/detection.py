"""SSD-style detector maths shared by BlazePose's and BlazeFace's detectors (pure functions).

Anchors follow the scheme of MediaPipe's SSD anchor options with fixed anchor size: per feature-map
layer, two anchors per cell, layers of equal stride merged into one grid. Decoded boxes and
keypoints are in normalised [0, 1] coordinates of the (letterboxed) detector input.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import cv2
import numpy as np
import numpy.typing as npt

from fitroom.vision.core import RotatedRect

FloatArray = npt.NDArray[np.float32]


def ssd_anchors(input_size: int, strides: Sequence[int], anchors_per_layer: int = 2) -> FloatArray:
    """Anchor centres (N, 2) in [0, 1] for a square input, fixed anchor size (w = h = 1).

    Consecutive layers with the same stride share one grid, each adding ``anchors_per_layer``
    anchors per cell, as in MediaPipe's SsdAnchorsCalculator.

    >>> ssd_anchors(224, [8, 16, 32, 32, 32]).shape
    (2254, 2)
    >>> ssd_anchors(128, [8, 16, 16, 16]).shape
    (896, 2)
    """
    centres: list[FloatArray] = []
    layer = 0
    while layer < len(strides):
        stride = strides[layer]
        repeats = 0
        while layer < len(strides) and strides[layer] == stride:
            repeats += anchors_per_layer
            layer += 1
        cells = int(np.ceil(input_size / stride))
        ys, xs = np.meshgrid(np.arange(cells), np.arange(cells), indexing="ij")
        grid = np.stack([(xs + 0.5) / cells, (ys + 0.5) / cells], axis=-1).reshape(-1, 1, 2)
        centres.append(np.repeat(grid, repeats, axis=1).reshape(-1, 2).astype(np.float32))
    return np.concatenate(centres, axis=0)


@dataclass(frozen=True)
class Detection:
    """One decoded detection in normalised detector-input coordinates.

    Attributes:
        box: (4,) float32 ``[x0, y0, x1, y1]``.
        keypoints: (K, 2) float32.
        score: confidence in [0, 1].
    """

    box: FloatArray
    keypoints: FloatArray
    score: float


def decode_detections(
    raw_boxes: FloatArray,
    raw_scores: FloatArray,
    anchors: FloatArray,
    *,
    input_size: int,
    num_keypoints: int,
    min_score: float = 0.5,
) -> list[Detection]:
    """Decode raw regressor outputs (N, 4 + 2K) and logits (N,) into detections above ``min_score``.

    Box regressors are ``[dx, dy, w, h]`` in input pixels relative to the anchor centre; keypoints
    are ``[dx, dy]`` pairs likewise.
    """
    # float64 so that exp() of a clipped logit cannot overflow (a warning is an error in tests).
    logits = np.clip(raw_scores.reshape(-1).astype(np.float64), -100.0, 100.0)
    scores = 1.0 / (1.0 + np.exp(-logits))
    keep = np.flatnonzero(scores >= min_score)
    if keep.size == 0:
        return []
    raw = raw_boxes.reshape(raw_boxes.shape[-2], -1)[keep] / float(input_size)
    anchor = anchors[keep]
    cx = raw[:, 0] + anchor[:, 0]
    cy = raw[:, 1] + anchor[:, 1]
    half_w = raw[:, 2] / 2.0
    half_h = raw[:, 3] / 2.0
    boxes = np.stack([cx - half_w, cy - half_h, cx + half_w, cy + half_h], axis=1)
    kps = raw[:, 4 : 4 + 2 * num_keypoints].reshape(-1, num_keypoints, 2) + anchor[:, None, :]
    return [
        Detection(
            box=boxes[i].astype(np.float32),
            keypoints=kps[i].astype(np.float32),
            score=float(scores[keep[i]]),
        )
        for i in range(keep.size)
    ]


def box_iou(box: FloatArray, boxes: FloatArray) -> FloatArray:
    """IoU of one ``[x0, y0, x1, y1]`` box with each of (N, 4) boxes.

    >>> float(box_iou(np.array([0, 0, 2, 2], np.float32), np.array([[1, 1, 3, 3]], np.float32))[0])
    0.1428571492433548
    """
    x0 = np.maximum(box[0], boxes[:, 0])
    y0 = np.maximum(box[1], boxes[:, 1])
    x1 = np.minimum(box[2], boxes[:, 2])
    y1 = np.minimum(box[3], boxes[:, 3])
    inter = np.clip(x1 - x0, 0, None) * np.clip(y1 - y0, 0, None)
    area = (box[2] - box[0]) * (box[3] - box[1])
    areas = (boxes[:, 2] - boxes[:, 0]) * (boxes[:, 3] - boxes[:, 1])
    union = area + areas - inter
    return (inter / np.maximum(union, 1e-9)).astype(np.float32)


def weighted_nms(detections: Sequence[Detection], iou_threshold: float = 0.3) -> list[Detection]:
    """Blend overlapping detections (score-weighted average of boxes and keypoints).

    Detections overlapping the best remaining one by more than ``iou_threshold`` are merged into it
    rather than dropped, which steadies boxes between frames. Returned best first.
    """
    if not detections:
        return []
    order = sorted(detections, key=lambda d: d.score, reverse=True)
    boxes = np.stack([d.box for d in order])
    remaining = np.arange(len(order))
    merged: list[Detection] = []
    while remaining.size:
        best = remaining[0]
        ious = box_iou(boxes[best], boxes[remaining])
        group = remaining[ious > iou_threshold]
        if group.size == 0:
            group = remaining[:1]
        weights = np.array([order[i].score for i in group], dtype=np.float32)
        weights /= weights.sum()
        box = np.tensordot(weights, boxes[group], axes=1).astype(np.float32)
        kps = np.tensordot(weights, np.stack([order[i].keypoints for i in group]), axes=1)
        merged.append(Detection(box=box, keypoints=kps.astype(np.float32), score=order[best].score))
        remaining = remaining[ious <= iou_threshold] if group.size > 1 else remaining[1:]
    return merged


@dataclass(frozen=True)
class Letterbox:
    """How an image was scaled and padded into a square model input.

    ``scale`` maps image pixels to input pixels; ``pad_x``/``pad_y`` are the input-pixel offsets.
    """

    scale: float
    pad_x: float
    pad_y: float
    size: int

    def to_image(self, points: FloatArray) -> FloatArray:
        """Map (..., 2) normalised input coordinates back to image pixels."""
        out = points.astype(np.float32) * self.size
        out[..., 0] = (out[..., 0] - self.pad_x) / self.scale
        out[..., 1] = (out[..., 1] - self.pad_y) / self.scale
        return out


def letterbox(image: npt.NDArray[np.uint8], size: int) -> tuple[npt.NDArray[np.uint8], Letterbox]:
    """Resize an RGB image to fit a ``size``×``size`` square, keeping aspect, padding with black."""
    h, w = image.shape[:2]
    scale = size / max(h, w)
    new_w, new_h = max(1, round(w * scale)), max(1, round(h * scale))
    resized = cv2.resize(image, (new_w, new_h), interpolation=cv2.INTER_AREA)
    pad_x, pad_y = (size - new_w) // 2, (size - new_h) // 2
    out = np.zeros((size, size, 3), np.uint8)
    out[pad_y : pad_y + new_h, pad_x : pad_x + new_w] = resized
    return out, Letterbox(scale=scale, pad_x=float(pad_x), pad_y=float(pad_y), size=size)


def roi_to_input_matrix(roi: RotatedRect, size: int) -> npt.NDArray[np.float64]:
    """2×3 affine matrix taking image pixels into a ``size``×``size`` crop of the rotated ROI."""
    cos, sin = np.cos(roi.rotation), np.sin(roi.rotation)
    # Columns of the ROI frame in image space: x axis (cos, sin), y axis (-sin, cos).
    src = np.array(
        [
            [roi.cx - roi.width / 2 * cos + roi.height / 2 * sin,
             roi.cy - roi.width / 2 * sin - roi.height / 2 * cos],
            [roi.cx + roi.width / 2 * cos + roi.height / 2 * sin,
             roi.cy + roi.width / 2 * sin - roi.height / 2 * cos],
            [roi.cx - roi.width / 2 * cos - roi.height / 2 * sin,
             roi.cy - roi.width / 2 * sin + roi.height / 2 * cos],
        ],
        dtype=np.float32,
    )  # fmt: skip
    dst = np.array([[0, 0], [size, 0], [0, size]], dtype=np.float32)
    return cv2.getAffineTransform(src, dst).astype(np.float64)


def crop_roi(
    image: npt.NDArray[np.uint8], roi: RotatedRect, size: int
) -> tuple[npt.NDArray[np.uint8], npt.NDArray[np.float64]]:
    """Crop a rotated ROI to ``size``×``size`` (black outside the image).

    Returns the crop and the 2×3 matrix that maps crop pixels back to image pixels.
    """
    forward = roi_to_input_matrix(roi, size)
    crop = cv2.warpAffine(
        image, forward, (size, size), flags=cv2.INTER_LINEAR, borderMode=cv2.BORDER_CONSTANT
    )
    return crop, cv2.invertAffineTransform(forward).astype(np.float64)


def apply_affine(matrix: npt.NDArray[np.float64], points: FloatArray) -> FloatArray:
    """Apply a 2×3 affine matrix to (N, 2) points."""
    pts = points.astype(np.float64)
    return (pts @ matrix[:, :2].T + matrix[:, 2]).astype(np.float32)


def normalize_radians(angle: float) -> float:
    """Wrap an angle to [-π, π)."""
    return float(angle - 2 * np.pi * np.floor((angle + np.pi) / (2 * np.pi)))
