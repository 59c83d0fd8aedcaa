"""BlazePose body landmarks: MediaPipe's pose models with our own pre- and post-processing.

(Over 500 lines: detection, ROI tracking, the landmark model and the heatmap refinement are one
chain with MediaPipe's coordinate conventions, and :class:`PoseLandmarker` holds the models and
the tracking state for photo and live alike; the pure steps come first.)

The models run with ai-edge-litert:

* ``pose_detection`` (224×224, RGB in [-1, 1], letterboxed with black) finds people. Each detection
  carries four keypoints; the first two are the hip centre and a point whose distance from it gives
  the full-body size and whose direction gives the body's rotation.
* a landmark model, ``pose_landmark_lite``, ``_full`` or ``_heavy`` (one graph interface, three
  sizes: 2.8, 6.4 and 27.7 MB), (256×256, RGB in [0, 1]) looks at a rotated square around one person
  (the region of interest, ROI) and returns 39 landmarks in crop pixels ``[x, y, z, visibility,
  presence]`` (the last two as logits), a pose-presence probability, 256×256 segmentation logits,
  a 64×64×39 heatmap used to refine x and y, and 39×3 world landmarks in metres. Landmarks 33 and
  34 are alignment points like the detector's first two keypoints; they give the next frame's ROI.

The constants below are the ones MediaPipe's pose graphs use (``mediapipe/modules/pose_*``): the
same anchors, the same ROI rule (square of side 2 × |alignment vector| × 1.25, rotated so that the
alignment vector points up), the landmark crop replicating the edge pixels outside the image, and
heatmap refinement with a 7×7 window. With them, our landmarks agree with the legacy
``mediapipe.solutions.pose`` to under a pixel on average for the same ROI.

Two running modes, as in MediaPipe's tasks API:

* :meth:`PoseLandmarker.process` for photos: detector on the photo (plus square tiles of elongated
  photos, to find smaller people), landmarks for every detection, run twice (a quick model places
  the ROI, which is more accurate than the detector's, and the heavy model reads the landmarks in
  it), then duplicates and poses found on another person's body are dropped.
* :meth:`PoseLandmarker.process_frame` for a stream of frames of one person: the ROI is tracked
  from the previous frame's alignment landmarks, the detector runs only when tracking is lost, and
  landmarks are smoothed by One-Euro filters driven by the frame timestamps. The full model:
  at a stream's pace the heavy one is too slow, and the lite one too inaccurate.

The module is longer than most (~900 lines): the pre/post-processing maths and the model holder
share the graph's constants and are read together; splitting the maths out is a later change.
"""

from __future__ import annotations

import time
from collections.abc import Sequence
from dataclasses import dataclass, replace
from typing import Literal, get_args

import cv2
import numpy as np
import numpy.typing as npt

from fitroom._closing import Closeable
from fitroom.errors import InputError, MultiplePeople, NoPersonFound
from fitroom.vision._tflite import TFLiteModel
from fitroom.vision.core import Pose, RotatedRect
from fitroom.vision.detection import (
    Detection,
    Letterbox,
    apply_affine,
    box_iou,
    decode_detections,
    normalize_radians,
    roi_to_input_matrix,
    ssd_anchors,
    weighted_nms,
)
from fitroom.vision.filters import ExponentialSmoother, OneEuroFilter
from fitroom.vision.landmarks import NUM_LANDMARKS

FloatArray = npt.NDArray[np.float32]
ImageArray = npt.NDArray[np.uint8]
Matrix = npt.NDArray[np.float64]

#: The BlazePose landmark models, smallest first (same inputs and outputs, see the module doc).
PoseModel = Literal["lite", "full", "heavy"]
_LANDMARK_MODEL_NAMES: dict[str, str] = {
    "lite": "pose_landmark_lite",
    "full": "pose_landmark_full",
    "heavy": "pose_landmark_heavy",
}

DETECTOR_SIZE = 224
LANDMARK_SIZE = 256
DETECTOR_STRIDES = (8, 16, 32, 32, 32)
DETECTOR_KEYPOINTS = 4
#: Weighted-NMS overlap above which two detections are merged into one.
NMS_IOU = 0.3
#: The ROI is the alignment square enlarged by this factor, so the whole body fits with a margin.
ROI_SCALE = 1.25
#: The alignment vector (hip centre → scale point) points straight up in the crop.
ROI_TARGET_ANGLE = np.pi / 2
MODEL_LANDMARKS = 39
ALIGNMENT_CENTRE, ALIGNMENT_SCALE = 33, 34
HEATMAP_KERNEL = 7
#: A landmark is moved to its heatmap's centre of mass only if the heatmap peak is this confident.
HEATMAP_MIN_CONFIDENCE = 0.5
#: Two poses whose landmarks lie within this fraction of the body size (median over the
#: body landmarks) are the same person seen from two overlapping detections.
DUPLICATE_DISTANCE = 0.1
#: Two poses whose person masks overlap by more than this share of the smaller are one person.
DUPLICATE_CONTAINMENT = 0.5
#: Person masks are compared at this fraction of the image size (cheap, precise enough).
_DEDUP_MASK_SCALE = 0.25
#: After losing the person, the stream keeps looking where they were for this long (ms).
REACQUIRE_MS = 500
#: Logits are clipped here before the sigmoid (float32 exp overflows past ~88).
_LOGIT_CLIP = 80.0
#: Two successive photo passes disagree when the shoulder or hip width of one is more than this
#: many times the other's: the model flipped between a front and a side reading of the body
#: (a full pass read one person's shoulders as 172 px, then 69 px; the heavy model, 195 px).
DISAGREE_WIDTH_RATIO = 1.3
#: ... or when the 90th percentile of the body landmarks' moves exceeds this fraction of the
#: ROI side (the legs or arms jumped to another reading; steady passes move < 0.05).
DISAGREE_SPREAD = 0.07
_BODY_LANDMARKS = slice(11, 33)
_WIDTH_PAIRS = ((11, 12), (23, 24))  # shoulders, hips


def _sigmoid(logits: npt.NDArray[np.float32]) -> FloatArray:
    clipped = np.clip(logits, -_LOGIT_CLIP, _LOGIT_CLIP)
    return (1.0 / (1.0 + np.exp(-clipped))).astype(np.float32)


def _check_image(image: npt.NDArray[np.generic]) -> None:
    if image.dtype != np.uint8 or image.ndim != 3 or image.shape[2] != 3:
        raise InputError(
            f"pose: expected an RGB uint8 image of shape (H, W, 3), got {image.dtype} "
            f"{image.shape}; decode files with fitroom.imaging.decode_image"
        )
    if image.shape[0] < 2 or image.shape[1] < 2:
        raise InputError(f"pose: image of {image.shape[1]}×{image.shape[0]} pixels is too small")


# --------------------------------------------------------------------------- pure maths


def detector_input(image: ImageArray) -> tuple[FloatArray, Letterbox]:
    """Letterbox an RGB image into the detector's (1, 224, 224, 3) input in [-1, 1].

    The image is centred in a black square with bilinear resampling, mapping pixel corners to
    pixel corners as MediaPipe does (the detector was tuned on inputs prepared that way).
    Returns the tensor and the :class:`Letterbox` that maps detector coordinates back.
    """
    h, w = image.shape[:2]
    side = float(max(h, w))
    scale = DETECTOR_SIZE / side
    pad_x, pad_y = (side - w) / 2 * scale, (side - h) / 2 * scale
    matrix = np.array([[scale, 0.0, pad_x], [0.0, scale, pad_y]], dtype=np.float64)
    boxed = cv2.warpAffine(
        image,
        matrix,
        (DETECTOR_SIZE, DETECTOR_SIZE),
        flags=cv2.INTER_LINEAR,
        borderMode=cv2.BORDER_CONSTANT,
        borderValue=(0, 0, 0),
    )
    tensor = boxed.astype(np.float32)[None]
    tensor *= 2.0 / 255.0
    tensor -= 1.0
    return tensor, Letterbox(scale=scale, pad_x=pad_x, pad_y=pad_y, size=DETECTOR_SIZE)


def detection_tiles(
    width: int, height: int, *, min_gain: float = 1.4, input_size: int = DETECTOR_SIZE
) -> list[tuple[int, int, int]]:
    """Square tiles ``(x0, y0, side)`` spanning the long side of an elongated image.

    Letterboxing a 3:2 photo into the detector's square input wastes a third of its pixels, and
    people far from the camera become too small to detect. Squares of the short side, evenly
    spread with overlap, show them ``long / max(short, input_size)`` times larger; tiles are
    returned only when that gain is at least ``min_gain`` (3:2 photos get tiles, 4:3 ones do not:
    there the gain is small and the two extra detector runs would cost 40 % more time).

    >>> detection_tiles(640, 429)
    [(0, 0, 429), (211, 0, 429)]
    >>> detection_tiles(768, 1024)
    []
    """
    short, long = min(width, height), max(width, height)
    if long < min_gain * max(short, input_size):
        return []
    count = int(np.ceil(long / short))
    starts = np.linspace(0, long - short, count).round().astype(int)
    if width >= height:
        return [(int(s), 0, short) for s in starts]
    return [(0, int(s), short) for s in starts]


def add_new_detections(
    base: Sequence[Detection], extra: Sequence[Detection], *, max_iou: float = NMS_IOU
) -> list[Detection]:
    """``base`` followed by the detections of ``extra`` that overlap none of ``base``.

    Used to add people found in tiles to those found in the whole image without disturbing the
    whole-image detections (averaging boxes found at two scales moves the ROI, and the landmark
    model's answer is sensitive to it). ``extra`` is merged among itself by weighted NMS.
    """
    merged = weighted_nms(list(extra), max_iou)
    if not base:
        return merged
    boxes = np.stack([d.box for d in base])
    return list(base) + [d for d in merged if float(box_iou(d.box, boxes).max()) <= max_iou]


def roi_from_alignment_points(
    centre: npt.ArrayLike, scale_point: npt.ArrayLike, *, scale: float = ROI_SCALE
) -> RotatedRect:
    """The landmark model's ROI from the two alignment points (pixels).

    A square centred on ``centre`` with side ``2 · |scale_point − centre| · scale``, rotated so
    that the vector from ``centre`` to ``scale_point`` points up in the crop.

    >>> roi = roi_from_alignment_points((100.0, 200.0), (100.0, 120.0))
    >>> roi.cx, roi.cy, roi.width, roi.rotation
    (100.0, 200.0, 200.0, 0.0)
    """
    c = np.asarray(centre, dtype=np.float64)
    s = np.asarray(scale_point, dtype=np.float64)
    dx, dy = s[0] - c[0], s[1] - c[1]
    side = max(2.0 * float(np.hypot(dx, dy)) * scale, 1e-3)
    rotation = normalize_radians(ROI_TARGET_ANGLE - float(np.arctan2(-dy, dx)))
    return RotatedRect(float(c[0]), float(c[1]), side, side, rotation)


def whole_image_roi(width: int, height: int) -> RotatedRect:
    """An upright ROI for a person who fills the image: its long side is the body size.

    >>> whole_image_roi(600, 800)
    RotatedRect(cx=300.0, cy=400.0, width=1000.0, height=1000.0, rotation=0.0)
    """
    side = float(max(width, height)) * ROI_SCALE
    return RotatedRect(width / 2.0, height / 2.0, side, side, 0.0)


def landmark_input(image: ImageArray, roi: RotatedRect) -> tuple[FloatArray, Matrix]:
    """Crop a rotated ROI into the landmark model's (1, 256, 256, 3) input in [0, 1].

    Outside the image the edge pixels are replicated (as in MediaPipe; black borders change the
    model's answer for people cut by the frame). Returns the tensor and the 2×3 matrix taking
    image pixels to crop pixels.
    """
    forward = roi_to_input_matrix(roi, LANDMARK_SIZE)
    crop = cv2.warpAffine(
        image,
        forward,
        (LANDMARK_SIZE, LANDMARK_SIZE),
        flags=cv2.INTER_LINEAR,
        borderMode=cv2.BORDER_REPLICATE,
    )
    tensor = crop.astype(np.float32)[None]
    tensor *= 1.0 / 255.0
    return tensor, forward


def refine_with_heatmap(
    points: FloatArray,
    heatmap: FloatArray,
    *,
    input_size: int = LANDMARK_SIZE,
    kernel_size: int = HEATMAP_KERNEL,
    min_confidence: float = HEATMAP_MIN_CONFIDENCE,
) -> FloatArray:
    """Move landmarks to the centre of mass of their heatmap near the regressed position.

    Args:
        points: (N, 2) landmark x, y in crop pixels (crop of ``input_size`` pixels).
        heatmap: (h, w, N) heatmap logits, one channel per landmark.
        input_size: side of the crop the points refer to.
        kernel_size: side of the window around each point.
        min_confidence: landmarks whose window peak (after sigmoid) is lower stay as regressed.

    Returns:
        (N, 2) refined points in crop pixels. Points outside the heatmap stay unchanged; windows
        are cut at the heatmap border. Cell ``(row, col)`` stands for position ``col / w`` of the
        crop (its corner, not its centre), as in MediaPipe's RefineLandmarksFromHeatmapCalculator:
        with it, refined points sit on average 0.2 px from the regressed ones on our test photos,
        with cell centres they would sit 2 px off; the heatmap was trained that way.
    """
    h, w, n = heatmap.shape
    if points.shape != (n, 2):
        raise ValueError(f"refine_with_heatmap: expected points ({n}, 2), got {points.shape}")
    half = (kernel_size - 1) // 2
    cols = np.trunc(points[:, 0] / input_size * w).astype(np.int64)
    rows = np.trunc(points[:, 1] / input_size * h).astype(np.int64)
    inside = (cols >= 0) & (cols < w) & (rows >= 0) & (rows < h)
    offsets = np.arange(-half, half + 1)
    win_rows = rows[:, None] + offsets[None, :]  # (N, k)
    win_cols = cols[:, None] + offsets[None, :]
    valid = ((win_rows >= 0) & (win_rows < h))[:, :, None] & ((win_cols >= 0) & (win_cols < w))[
        :, None, :
    ]  # (N, k, k)
    channel = np.arange(n)[:, None, None]
    window = heatmap[
        np.clip(win_rows, 0, h - 1)[:, :, None], np.clip(win_cols, 0, w - 1)[:, None, :], channel
    ]
    confidence = np.where(valid, _sigmoid(window), 0.0)
    total = confidence.sum(axis=(1, 2))
    peak = confidence.max(axis=(1, 2))
    refine = inside & (peak >= min_confidence) & (total > 0)
    safe_total = np.where(total > 0, total, 1.0)
    mean_col = (confidence.sum(axis=1) * win_cols).sum(axis=1) / safe_total
    mean_row = (confidence.sum(axis=2) * win_rows).sum(axis=1) / safe_total
    out = points.astype(np.float32).copy()
    out[refine, 0] = mean_col[refine] / w * input_size
    out[refine, 1] = mean_row[refine] / h * input_size
    return out


def decode_landmarks(
    raw: FloatArray, heatmap: FloatArray, forward: Matrix, roi: RotatedRect
) -> FloatArray:
    """Landmark-model output to (39, 5) image landmarks ``[x, y, z, visibility, presence]``.

    Args:
        raw: (39, 5) raw output in crop pixels, visibility and presence as logits.
        heatmap: (64, 64, 39) heatmap logits.
        forward: 2×3 matrix image → crop used for the input.
        roi: the ROI the crop shows.

    x, y are image pixels; z is in pixels on the scale of x (crop z scaled like x).
    """
    xy = refine_with_heatmap(raw[:, :2], heatmap)
    back = cv2.invertAffineTransform(forward).astype(np.float64)
    out = np.empty((raw.shape[0], 5), dtype=np.float32)
    out[:, :2] = apply_affine(back, xy)
    out[:, 2] = raw[:, 2] * (roi.width / LANDMARK_SIZE)
    out[:, 3:] = _sigmoid(raw[:, 3:5])
    return out


def decode_world_landmarks(raw: FloatArray, roi: RotatedRect) -> FloatArray:
    """(39, 3) world landmarks in the ROI's frame to (33, 3) metres in the image's orientation.

    The model answers in the upright crop; x and y are rotated back by the ROI rotation.
    """
    cos, sin = np.cos(roi.rotation), np.sin(roi.rotation)
    world = raw[:NUM_LANDMARKS].astype(np.float32).copy()
    world[:, 0] = cos * raw[:NUM_LANDMARKS, 0] - sin * raw[:NUM_LANDMARKS, 1]
    world[:, 1] = sin * raw[:NUM_LANDMARKS, 0] + cos * raw[:NUM_LANDMARKS, 1]
    return world


def segmentation_to_image(
    logits: FloatArray, forward: Matrix, image_size: tuple[int, int], *, scale: float = 1.0
) -> FloatArray:
    """Warp (256, 256) segmentation logits back to an (H, W) float32 mask in [0, 1].

    ``image_size`` is (H, W); with ``scale`` < 1 the mask is made directly at the reduced size
    ``(round(H · scale), round(W · scale))``. Outside the ROI the mask is 0.
    """
    probability = _sigmoid(logits)
    h, w = max(1, round(image_size[0] * scale)), max(1, round(image_size[1] * scale))
    matrix = forward.copy()
    matrix[:, :2] /= scale  # the mask's pixel (u, v) is image pixel (u, v) / scale
    mask: FloatArray = cv2.warpAffine(
        probability,
        matrix,
        (w, h),
        flags=cv2.INTER_LINEAR | cv2.WARP_INVERSE_MAP,
        borderMode=cv2.BORDER_CONSTANT,
        borderValue=0.0,
    )
    np.clip(mask, 0.0, 1.0, out=mask)
    return mask


def body_size(roi: RotatedRect) -> float:
    """Full-body size in pixels implied by an ROI (twice the alignment distance)."""
    return roi.width / ROI_SCALE


#: Landmarks compared when deciding whether two poses are the same person: nose, shoulders,
#: elbows, wrists, hips, knees, ankles (the face and hand clusters would over-weight small areas).
_BODY_INDICES = np.array([0, 11, 12, 13, 14, 15, 16, 23, 24, 25, 26, 27, 28])


def mask_containment(a: FloatArray, b: FloatArray) -> float:
    """Share of the smaller of two soft masks that lies inside the other (0 = apart, 1 = inside).

    >>> big = np.zeros((4, 4), np.float32); big[:, :3] = 1
    >>> small = np.zeros((4, 4), np.float32); small[:2, :2] = 1
    >>> mask_containment(big, small)
    1.0
    """
    smaller = min(float(a.sum()), float(b.sum()))
    if smaller <= 0:
        return 0.0
    return float(np.minimum(a, b).sum()) / smaller


def same_person(
    a: Pose,
    b: Pose,
    mask_a: FloatArray | None = None,
    mask_b: FloatArray | None = None,
    *,
    max_distance: float = DUPLICATE_DISTANCE,
    max_containment: float = DUPLICATE_CONTAINMENT,
) -> bool:
    """Whether two poses describe one person.

    True when the median distance between their body landmarks is below ``max_distance`` times
    the smaller body size (two ROIs that converged on one body), or, given their person masks
    (same size, e.g. from :func:`segmentation_to_image`), when more than ``max_containment`` of
    the smaller mask lies inside the other: a second "person" found on someone's body (a print
    on a skirt read as a face) is segmented as part of that body, while two real people, even side
    by side or overlapping, get masks that barely overlap.
    """
    distances = np.linalg.norm(a.xy[_BODY_INDICES] - b.xy[_BODY_INDICES], axis=1)
    scale = min(body_size(a.roi), body_size(b.roi))
    if np.median(distances) < max_distance * scale:
        return True
    if mask_a is None or mask_b is None:
        return False
    return mask_containment(mask_a, mask_b) > max_containment


def deduplicate(
    poses: Sequence[Pose],
    masks: Sequence[FloatArray] | None = None,
    *,
    max_distance: float = DUPLICATE_DISTANCE,
    max_containment: float = DUPLICATE_CONTAINMENT,
) -> list[int]:
    """Indices of the poses to keep, one per person (see :func:`same_person`).

    ``poses`` come in order of priority (e.g. detector confidence): a pose that repeats an
    earlier one is dropped.
    """
    if masks is not None and len(masks) != len(poses):
        raise ValueError(f"deduplicate: {len(poses)} poses but {len(masks)} masks")
    order = range(len(poses))
    kept: list[int] = []
    for i in order:
        duplicate = any(
            same_person(
                poses[i],
                poses[k],
                None if masks is None else masks[i],
                None if masks is None else masks[k],
                max_distance=max_distance,
                max_containment=max_containment,
            )
            for k in kept
        )
        if not duplicate:
            kept.append(i)
    return kept


def single_person(poses: Sequence[Pose]) -> Pose:
    """The one pose of a photo that must show exactly one person.

    Raises:
        NoPersonFound: ``poses`` is empty.
        MultiplePeople: there is more than one pose.
    """
    if not poses:
        raise NoPersonFound(
            "no person was found in the photo; use a photo showing one person, "
            "with the head and upper body visible"
        )
    if len(poses) > 1:
        raise MultiplePeople(
            f"{len(poses)} people were found in the photo, expected exactly one; "
            "crop the photo to the person to use or take one of just that person",
            count=len(poses),
        )
    return poses[0]


# --------------------------------------------------------------------------- model holder


def passes_disagree(previous: FloatArray, last: FloatArray, roi_side: float) -> bool:
    """Whether two successive landmark passes on one person read the body differently.

    ``previous`` and ``last`` are (≥33, ≥2) landmarks in pixels; ``roi_side`` the last pass's ROI
    side. True when a shoulder or hip width changed by more than :data:`DISAGREE_WIDTH_RATIO`
    times or the body landmarks moved by more than :data:`DISAGREE_SPREAD` of the ROI (90th
    percentile). Steady passes settle within a few percent: a big change means the model is
    unsure of the reading, and a stronger model should decide.

    >>> a = np.zeros((33, 2), np.float32); a[[12, 24], 0] = 100.0
    >>> b = a.copy(); b[[12, 24], 0] = 60.0
    >>> passes_disagree(a, a, 400.0), passes_disagree(a, b, 400.0)
    (False, True)
    """
    for i, j in _WIDTH_PAIRS:
        before = float(np.hypot(*(previous[i, :2] - previous[j, :2])))
        after = float(np.hypot(*(last[i, :2] - last[j, :2])))
        if max(before, after) > DISAGREE_WIDTH_RATIO * max(min(before, after), 1.0):
            return True
    moves = np.hypot(*(previous[_BODY_LANDMARKS, :2] - last[_BODY_LANDMARKS, :2]).T)
    return float(np.quantile(moves, 0.9)) > DISAGREE_SPREAD * max(roi_side, 1.0)


def _next_roi(landmarks: FloatArray) -> RotatedRect:
    """The ROI implied by (39, 5) landmarks' alignment points."""
    return roi_from_alignment_points(
        landmarks[ALIGNMENT_CENTRE, :2], landmarks[ALIGNMENT_SCALE, :2]
    )


def _same_place(roi: RotatedRect, previous: RotatedRect) -> bool:
    """Whether two ROIs frame a body at about the same place and size (frame-to-frame)."""
    shift = float(np.hypot(roi.cx - previous.cx, roi.cy - previous.cy))
    ratio = roi.width / previous.width
    return shift <= 0.25 * previous.width and 2 / 3 <= ratio <= 3 / 2


@dataclass(frozen=True)
class _RoiLandmarks:
    """Decoded output of one landmark-model run (internal)."""

    landmarks: FloatArray  # (39, 5) image pixels
    world: FloatArray  # (33, 3) metres
    score: float
    roi: RotatedRect
    segmentation_logits: FloatArray  # (256, 256)
    forward: Matrix


class PoseLandmarker(Closeable):
    """BlazePose detector + landmark models; a context manager, ``close()`` frees the models.

    Args:
        num_threads: CPU threads for each model.
        burst_threads: also keep the landmark model ready to run on this many threads, for
            :meth:`process_frame` calls with ``burst=True`` (a live stream's frame while the
            other core is idle); None: no second copy of the model.
        min_detection_score: detector confidence needed to look at a region.
        min_presence: pose-presence probability needed to report a pose (and to keep tracking).
        max_people: most poses :meth:`process` returns.
        with_segmentation: fill :attr:`Pose.segmentation` with the model's person mask at image
            size (costs one warp of the mask per person).
        smoothing: in :meth:`process_frame`, smooth landmarks over time with One-Euro filters.
        refine_photo_roi: in :meth:`process`, run ``photo_roi_model`` on the detector's ROI
            first and ``photo_model`` on the ROI its answer implies (as tracking does on the
            next frame); without it, ``photo_model`` runs once on the detector's ROI. The
            detector's ROI is coarse: the second pass costs one more (small) landmark run per
            person, and with the heavy model raised PCK@0.2 over the 17 people of
            benchmarks/pose_accuracy.py from 0.737 to 0.770 (with the full model twice: 0.701
            to 0.713).
        photo_model: landmark model of :meth:`process`. ``"heavy"`` (the default) reads photos
            best: PCK@0.2 0.770 and OKS 0.764 against 0.713 / 0.734 for the full model twice,
            for about 40 ms more per person on two cores (lite then heavy: 65 ms at best,
            against 26 ms for full twice). ``"full"`` when time matters more.
        photo_roi_passes: how many times ``photo_roi_model`` runs when ``refine_photo_roi``,
            each time on the ROI the previous answer implies, before ``photo_model``. With the
            full model for both, 2 passes (three full runs: one more, 13 ms at best on two idle
            cores, against 39 ms more for lite then heavy) gave PCK@0.2 0.778 / OKS 0.759: an
            option when the heavy model's time cannot be spent.
        photo_roi_model: the model whose landmarks place the ROI of ``photo_model`` when
            ``refine_photo_roi``. The lite one places it as well as the full or heavy ones
            (PCK@0.2 0.770, 0.770, 0.776 with the heavy model after it), and fastest.
        photo_fallback_model: in :meth:`process`, run this model on the last pass's ROI when
            the last two passes disagree (:func:`passes_disagree`); None: never. With
            ``photo_roi_model="full", photo_roi_passes=2, photo_model="full"`` and ``"heavy"``
            here, the heavy model ran for 3 of the 17 labelled people and 3 of the 51 shared
            photos: PCK@0.2 0.795 / OKS 0.774 (heavy alone 0.770 / 0.764), and photo perception
            on one core ~86 ms CPU against ~103 ms. Not the default: on the 25 true pairs the
            try-on's garment-box SSIM median fell from 0.651 to 0.627 (dresscode tops and lower
            garments read a little wider by the full model), so the heavy model stays.
        stream_model: landmark model of :meth:`process_frame`. ``"full"`` (the default): the
            heavy one does not fit a live frame's budget, and the lite one, ~40 % faster, loses
            too much accuracy (PCK@0.2 0.639 against 0.786 in stream-like use,
            ``benchmarks/pose_accuracy.py --stream``).
        detection_tiles: in :meth:`process`, also run the detector on square tiles of elongated
            photos (see :func:`detection_tiles`), so that smaller people are found too; costs one
            detector run per tile (two for a 3:2 photo). People found in a tile are only
            added when the whole-image pass did not find them.

    After every call, :attr:`last_timings_ms` holds the milliseconds spent per step:
    ``pose_detect`` (0 when the detector was skipped), ``pose_landmarks`` (landmark model and
    decoding, all people), ``pose_segmentation`` (mask warps) and ``pose_total``.
    """

    def __init__(
        self,
        *,
        num_threads: int = 2,
        min_detection_score: float = 0.5,
        min_presence: float = 0.5,
        max_people: int = 4,
        with_segmentation: bool = True,
        smoothing: bool = True,
        refine_photo_roi: bool = True,
        detection_tiles: bool = True,
        burst_threads: int | None = None,
        photo_model: PoseModel = "heavy",
        photo_roi_model: PoseModel = "lite",
        stream_model: PoseModel = "full",
        photo_roi_passes: int = 1,
        photo_fallback_model: PoseModel | None = None,
    ) -> None:
        if max_people < 1:
            raise ValueError(f"PoseLandmarker: max_people must be >= 1, got {max_people}")
        if photo_roi_passes < 1:
            raise ValueError(
                f"PoseLandmarker: photo_roi_passes must be >= 1, got {photo_roi_passes}"
            )
        self.photo_roi_passes = photo_roi_passes
        for option, value in (
            ("photo_model", photo_model),
            ("photo_roi_model", photo_roi_model),
            ("stream_model", stream_model),
            *((("photo_fallback_model", photo_fallback_model),) if photo_fallback_model else ()),
        ):
            if value not in _LANDMARK_MODEL_NAMES:
                raise ValueError(
                    f"PoseLandmarker: {option} must be one of {get_args(PoseModel)}, got {value!r}"
                )
        self.photo_model: PoseModel = photo_model
        self.photo_roi_model: PoseModel = photo_roi_model
        self.stream_model: PoseModel = stream_model
        self.photo_fallback_model: PoseModel | None = photo_fallback_model
        #: People of the last :meth:`process` whose passes disagreed (``photo_fallback_model``
        #: ran for them).
        self.last_fallbacks = 0
        self.num_threads = num_threads
        self.burst_threads = burst_threads
        self.min_detection_score = min_detection_score
        self.min_presence = min_presence
        self.max_people = max_people
        self.with_segmentation = with_segmentation
        self.smoothing = smoothing
        self.refine_photo_roi = refine_photo_roi
        self.detection_tiles = detection_tiles
        self._detector = TFLiteModel("pose_detection", num_threads=num_threads)
        # The stream model loads now (a live stream's first frame must not wait for it), the
        # photo models when a photo first needs them: a live session never loads the heavy one
        # (64 MB once unpacked, and each live connection has its own landmarker).
        self._landmark_models: dict[str, TFLiteModel] = {}
        self._closed = False
        self._landmark_model(stream_model)
        self._anchors = ssd_anchors(DETECTOR_SIZE, DETECTOR_STRIDES)
        self.last_timings_ms: dict[str, float] = {}
        # Stream state.
        self._roi: RotatedRect | None = None
        self._lost: tuple[RotatedRect, int] | None = None  # last ROI and when it was lost
        self._last_timestamp_ms: int | None = None
        # Speeds are divided by the body size, so the filters behave the same near and far.
        # Settings as in MediaPipe's pose_landmark_filtering graph.
        self._landmark_filter = OneEuroFilter(min_cutoff=0.05, beta=80.0, derivative_cutoff=1.0)
        self._alignment_filter = OneEuroFilter(min_cutoff=0.01, beta=10.0, derivative_cutoff=1.0)
        self._world_filter = OneEuroFilter(min_cutoff=0.1, beta=40.0, derivative_cutoff=1.0)
        self._score_smoother = ExponentialSmoother(alpha=0.1)

    # ------------------------------------------------------------------ public API

    def process(self, image: ImageArray) -> list[Pose]:
        """Photo mode: every person found (up to ``max_people``), largest first; [] if nobody.

        The detector looks at the whole photo (and at tiles of elongated photos); the landmark
        model then looks at each detection. Poses found twice, or found on another person's
        body, are dropped (:func:`deduplicate`).

        Args:
            image: RGB uint8 (H, W, 3).

        Returns:
            Poses with landmarks in image pixels; ``segmentation`` is an (H, W) float32 mask in
            [0, 1] when ``with_segmentation``.
        """
        _check_image(image)
        self.last_fallbacks = 0
        timings = {"pose_detect": 0.0, "pose_landmarks": 0.0, "pose_segmentation": 0.0}
        start = time.perf_counter()
        h, w = image.shape[:2]
        detections = self._detect(image, timings)
        if self.detection_tiles:
            in_tiles: list[Detection] = []
            for x0, y0, side in detection_tiles(w, h):
                tile = image[y0 : y0 + side, x0 : x0 + side]
                in_tiles += self._detect(tile, timings, offset=(x0, y0))
            detections = add_new_detections(detections, in_tiles)
        # Extra detections beyond max_people are still tried: some turn out to be duplicates or
        # false positives, and a real person should not lose its place to them.
        rois = [
            roi_from_alignment_points(d.keypoints[0], d.keypoints[1])
            for d in detections[: 2 * self.max_people]
        ]
        found = [f for f in (self._photo_landmarks(image, roi, timings) for roi in rois) if f]
        bare = [self._to_pose(f, None) for f in found]
        # One pose has nothing to be a duplicate of: its mask is not needed.
        masks = (
            [
                segmentation_to_image(
                    f.segmentation_logits, f.forward, (h, w), scale=_DEDUP_MASK_SCALE
                )
                for f in found
            ]
            if len(found) > 1
            else None
        )
        kept = sorted(deduplicate(bare, masks), key=lambda i: bare[i].roi.width, reverse=True)
        seg_start = time.perf_counter()
        poses = [
            self._to_pose(found[i], (h, w) if self.with_segmentation else None)
            for i in kept[: self.max_people]
        ]
        timings["pose_segmentation"] += (time.perf_counter() - seg_start) * 1000.0
        timings["pose_total"] = (time.perf_counter() - start) * 1000.0
        self.last_timings_ms = timings
        return poses

    def process_frame(
        self, frame: ImageArray, timestamp_ms: int, *, burst: bool = False
    ) -> Pose | None:
        """Stream mode for one person: track the ROI from frame to frame and smooth landmarks.

        The landmark model looks at the ROI implied by the previous frame's landmarks. On the
        first frame, and whenever tracking is lost (pose presence below ``min_presence``), the
        detector runs and the ROI of its best detection and the whole frame are both tried; the
        more confident answer is followed. The detector relies on the face and misplaces people
        whose head is cut off by the frame (common with a mirror-style camera), while the
        landmark model finds them in the whole frame. As the landmark model alone also "finds"
        people in empty scenes, the whole frame is only trusted when the detector saw someone,
        or when the answer is where the person was last seen (less than ``REACQUIRE_MS`` ago).
        After a lost track the whole frame is tried first, and a person it finds where they
        were is taken without running the detector (a stutter costs one landmark run).

        Args:
            frame: RGB uint8 (H, W, 3).
            timestamp_ms: capture time of the frame in milliseconds, increasing.
            burst: run the landmark model on ``burst_threads`` threads (the caller knows the
                other cores are idle); same result.

        Returns:
            The pose, or None when nobody is found in this frame.

        Raises:
            InputError: ``timestamp_ms`` is not later than the previous frame's.
        """
        _check_image(frame)
        if self._last_timestamp_ms is not None and timestamp_ms <= self._last_timestamp_ms:
            raise InputError(
                f"process_frame: timestamp_ms must increase, got {timestamp_ms} after "
                f"{self._last_timestamp_ms}; call reset() before starting a new stream"
            )
        self._last_timestamp_ms = timestamp_ms
        timings = {"pose_detect": 0.0, "pose_landmarks": 0.0, "pose_segmentation": 0.0}
        start = time.perf_counter()
        h, w = frame.shape[:2]
        tracked = self._roi
        if tracked is None and self._lost is not None:
            # Lost a moment ago: one bad frame (motion blur, an arm across the body) should not
            # end the track when the detector cannot see the person either.
            roi, lost_at = self._lost
            if timestamp_ms - lost_at <= REACQUIRE_MS:
                tracked = roi
        found: _RoiLandmarks | None = None
        if tracked is not None:
            found = self._run_landmarks(
                frame, tracked, timings, model=self.stream_model, burst=burst
            )
        if found is None or found.score < self.min_presence:
            found = self._recover(frame, tracked, timings, burst=burst)
        if found is None or found.score < self.min_presence:
            if self._roi is not None:
                self._lost = (self._roi, timestamp_ms)
            self._lose_track()
            timings["pose_total"] = (time.perf_counter() - start) * 1000.0
            self.last_timings_ms = timings
            return None
        if self.smoothing:
            landmarks, world = self._smooth(found, timestamp_ms / 1000.0)
            found = replace(found, landmarks=landmarks, world=world)
        self._roi = _next_roi(found.landmarks)
        self._lost = None
        seg_start = time.perf_counter()
        pose = self._to_pose(found, (h, w) if self.with_segmentation else None)
        timings["pose_segmentation"] += (time.perf_counter() - seg_start) * 1000.0
        timings["pose_total"] = (time.perf_counter() - start) * 1000.0
        self.last_timings_ms = timings
        return pose

    def reset(self) -> None:
        """Forget the tracked person and the timestamps (call before a new stream)."""
        self._lose_track()
        self._lost = None
        self._last_timestamp_ms = None

    def close(self) -> None:
        """Release the models."""
        self._detector.close()
        for model in self._landmark_models.values():
            model.close()
        self._landmark_models.clear()
        self._closed = True

    # ------------------------------------------------------------------ steps

    def _detect(
        self, image: ImageArray, timings: dict[str, float], offset: tuple[int, int] = (0, 0)
    ) -> list[Detection]:
        """Detections in image pixels (shifted by ``offset``), best first."""
        start = time.perf_counter()
        tensor, box = detector_input(image)
        raw_boxes, raw_scores = self._detector.run(tensor)
        detections = decode_detections(
            raw_boxes,
            # Clipped here so the sigmoid inside cannot overflow float32 (warnings are errors).
            np.clip(raw_scores, -_LOGIT_CLIP, _LOGIT_CLIP),
            self._anchors,
            input_size=DETECTOR_SIZE,
            num_keypoints=DETECTOR_KEYPOINTS,
            min_score=self.min_detection_score,
        )
        merged = weighted_nms(detections, NMS_IOU)
        shift = np.array(offset, dtype=np.float32)
        in_image = [
            Detection(
                box=(box.to_image(d.box.reshape(2, 2)) + shift).reshape(4),
                keypoints=box.to_image(d.keypoints) + shift,
                score=d.score,
            )
            for d in merged
        ]
        timings["pose_detect"] += (time.perf_counter() - start) * 1000.0
        return in_image

    def _landmark_model(self, kind: PoseModel) -> TFLiteModel:
        if self._closed:
            raise RuntimeError("PoseLandmarker was closed; create a new one")
        model = self._landmark_models.get(kind)
        if model is None:
            # Only the stream runs in bursts; a second copy of the photo models would be unused.
            burst = self.burst_threads if kind == self.stream_model else None
            model = TFLiteModel(
                _LANDMARK_MODEL_NAMES[kind], num_threads=self.num_threads, burst_threads=burst
            )
            self._landmark_models[kind] = model
        return model

    def _run_landmarks(
        self,
        image: ImageArray,
        roi: RotatedRect,
        timings: dict[str, float],
        *,
        model: PoseModel,
        burst: bool = False,
    ) -> _RoiLandmarks:
        landmarker = self._landmark_model(model)
        start = time.perf_counter()
        tensor, forward = landmark_input(image, roi)
        raw, presence, segmentation, heatmap, world = landmarker.run(tensor, burst=burst)
        result = _RoiLandmarks(
            landmarks=decode_landmarks(raw.reshape(MODEL_LANDMARKS, 5), heatmap[0], forward, roi),
            world=decode_world_landmarks(world.reshape(MODEL_LANDMARKS, 3), roi),
            score=float(presence.reshape(-1)[0]),
            roi=roi,
            segmentation_logits=segmentation[0, :, :, 0],
            forward=forward,
        )
        timings["pose_landmarks"] += (time.perf_counter() - start) * 1000.0
        return result

    def _recover(
        self,
        frame: ImageArray,
        tracked: RotatedRect | None,
        timings: dict[str, float],
        *,
        burst: bool = False,
    ) -> _RoiLandmarks | None:
        """Find the person again after tracking failed (or on the first frame); None if nobody."""
        h, w = frame.shape[:2]
        whole = whole_image_roi(w, h)
        first: _RoiLandmarks | None = None
        if tracked is not None:
            # Still tracking a moment ago: the whole frame first. When it finds the person
            # where they were, the detector and the second try are not needed: a lost track
            # then costs one landmark run instead of three and the detector (in a live stream,
            # a frame of 40 ms more that also delays the frames behind it).
            first = self._run_landmarks(frame, whole, timings, model=self.stream_model, burst=burst)
            if first.score >= self.min_presence and _same_place(
                _next_roi(first.landmarks), tracked
            ):
                return first
        detections = self._detect(frame, timings)
        if not detections and tracked is None:
            return None
        tries = [
            first
            if first is not None
            else self._run_landmarks(frame, whole, timings, model=self.stream_model, burst=burst)
        ]
        if detections:
            best = detections[0]
            roi = roi_from_alignment_points(best.keypoints[0], best.keypoints[1])
            tries.append(
                self._run_landmarks(frame, roi, timings, model=self.stream_model, burst=burst)
            )
        if not detections and tracked is not None:
            tries = [t for t in tries if _same_place(_next_roi(t.landmarks), tracked)]
        return max(tries, key=lambda t: t.score, default=None)

    def _photo_landmarks(
        self, image: ImageArray, roi: RotatedRect, timings: dict[str, float]
    ) -> _RoiLandmarks | None:
        """Landmarks in ``roi`` (re-run on the ROI they imply), or None below min_presence."""
        passes = [self.photo_roi_model] * self.photo_roi_passes if self.refine_photo_roi else []
        found = self._run_landmarks(image, roi, timings, model=(passes or [self.photo_model])[0])
        if found.score < self.min_presence:
            return None
        previous = None
        for model in [*passes[1:], self.photo_model] if passes else []:
            again = self._run_landmarks(image, _next_roi(found.landmarks), timings, model=model)
            if again.score < self.min_presence:
                break
            previous, found = found, again
        fallback = self.photo_fallback_model
        if (
            fallback is not None
            and previous is not None
            and passes_disagree(previous.landmarks, found.landmarks, found.roi.width)
        ):
            # The stronger model on the ROI the last pass saw (placed by the passes before).
            self.last_fallbacks += 1
            again = self._run_landmarks(image, found.roi, timings, model=fallback)
            if again.score >= self.min_presence:
                found = again
        return found

    @staticmethod
    def _to_pose(found: _RoiLandmarks, mask_size: tuple[int, int] | None) -> Pose:
        """A Pose from decoded output; with ``mask_size`` (H, W), with its segmentation."""
        segmentation = None
        if mask_size is not None:
            segmentation = segmentation_to_image(
                found.segmentation_logits, found.forward, mask_size
            )
        return Pose(
            landmarks=np.ascontiguousarray(found.landmarks[:NUM_LANDMARKS], dtype=np.float32),
            world_landmarks=np.ascontiguousarray(found.world, dtype=np.float32),
            score=found.score,
            roi=found.roi,
            segmentation=segmentation,
        )

    def _smooth(self, found: _RoiLandmarks, time_s: float) -> tuple[FloatArray, FloatArray]:
        """One-Euro smoothing of a stream's landmarks; returns (39, 5) landmarks, (33, 3) world."""
        raw = found.landmarks
        # Body size from the unsmoothed alignment points, as MediaPipe scales its filters.
        alignment = roi_from_alignment_points(
            raw[ALIGNMENT_CENTRE, :2], raw[ALIGNMENT_SCALE, :2], scale=1.0
        )
        inverse_size = 1.0 / max(alignment.width, 1.0)
        out = raw.copy()
        out[:NUM_LANDMARKS, :3] = self._landmark_filter(
            raw[:NUM_LANDMARKS, :3], time_s, value_scale=inverse_size
        )
        out[NUM_LANDMARKS:, :3] = self._alignment_filter(
            raw[NUM_LANDMARKS:, :3], time_s, value_scale=inverse_size
        )
        out[:, 3:] = self._score_smoother(raw[:, 3:])
        world = self._world_filter(found.world, time_s).astype(np.float32)
        return out.astype(np.float32), world

    def _lose_track(self) -> None:
        self._roi = None
        self._landmark_filter.reset()
        self._alignment_filter.reset()
        self._world_filter.reset()
        self._score_smoother.reset()


__all__ = [
    "DETECTOR_SIZE",
    "LANDMARK_SIZE",
    "PoseLandmarker",
    "PoseModel",
    "add_new_detections",
    "body_size",
    "decode_landmarks",
    "decode_world_landmarks",
    "deduplicate",
    "detection_tiles",
    "detector_input",
    "landmark_input",
    "mask_containment",
    "passes_disagree",
    "refine_with_heatmap",
    "roi_from_alignment_points",
    "same_person",
    "segmentation_to_image",
    "single_person",
    "whole_image_roi",
]
