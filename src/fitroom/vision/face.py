"""Faces: detection (BlazeFace short range), 468-point face mesh, 7-class expression classifier.

(Over 500 lines: the detector, the mesh and the expression classifier run as one chain on
the same crop geometry — letterbox, rotated ROI, box from mesh — and :class:`FaceAnalyzer` holds
all three models; apart, each step would import the others' private geometry.)

The three shipped models run with ai-edge-litert; pre- and post-processing are our own and follow
the options of MediaPipe's ``face_detection_short_range`` and ``face_landmark_front`` graphs:

* detector: the image letterboxed (black bars) into a 128×128 RGB input in [-1, 1]; 896 anchors on
  strides 8, 16, 16, 16; boxes decoded relative to the anchor centres on a 128-pixel scale; sigmoid
  score ≥ 0.5; weighted non-maximum suppression at IoU 0.3.
* mesh: a square ROI around the detection, rotated so that the line right eye → left eye is
  horizontal, 1.5× the detection box's long side, cropped to 192×192 RGB in [0, 1]; the model
  returns 468 × (x, y, z) in crop pixels and a face-presence logit.
* expression: fer's mini-Xception, trained on FER2013 (48×48 grey faces, upscaled to 64×64). The
  face is cropped square around the detection box (see :data:`EXPRESSION_BOX_SCALE`), made grey,
  reduced to FER2013's 48-pixel resolution and scaled up to the model's 64×64, values
  ``(x / 255 - 0.5) * 2``. The model ends in a softmax, so its outputs are probabilities; the
  face and its mirror image are classified and their probabilities averaged.

With the mesh model loaded, a detection counts as a face only when the mesh model's face-presence
score agrees (≥ 0.5), which removes the detector's false positives on hands and patterned cloth.
:meth:`FaceAnalyzer.analyze_person` looks for the face of one person in a square region around
the pose's head landmarks, scaled to the detector's input, so small faces in full-body photos are
found too.

Pure functions hold the maths; :class:`FaceAnalyzer` holds the three models.
"""

from __future__ import annotations

import time
from collections.abc import Sequence

import cv2
import numpy as np
import numpy.typing as npt

from fitroom._closing import Closeable
from fitroom.imaging.decode import ensure_rgb
from fitroom.vision._tflite import TFLiteModel
from fitroom.vision.core import EXPRESSIONS, Expression, Face, Pose, RotatedRect
from fitroom.vision.detection import (
    Detection,
    Letterbox,
    apply_affine,
    crop_roi,
    decode_detections,
    letterbox,
    normalize_radians,
    roi_to_input_matrix,
    ssd_anchors,
    weighted_nms,
)
from fitroom.vision.landmarks import PoseLandmark

FloatArray = npt.NDArray[np.float32]
ByteArray = npt.NDArray[np.uint8]
Box = tuple[float, float, float, float]

DETECTOR_SIZE = 128
DETECTOR_STRIDES = (8, 16, 16, 16)
NUM_KEYPOINTS = 6
NMS_IOU = 0.3
MESH_SIZE = 192
NUM_MESH_POINTS = 468
#: The mesh ROI is the detection box's long side times this (MediaPipe: scale 1.5, square long).
MESH_ROI_SCALE = 1.5
EXPRESSION_SIZE = 64
#: FER2013's native resolution; crops are reduced to it before the model's 64×64 upscaling so that
#: they carry the same amount of detail as the training images.
FER_RESOLUTION = 48
#: Side of the square expression crop relative to the detection box's long side, and the shift of
#: its centre along the face's vertical axis (in long sides; negative = up). The detector's box
#: spans brows to chin and cheek to cheek; tight expression crops like FER2013's also show the
#: forehead. The numbers are the median framing of the 28 tight LFW expression crops in
#: ../shared/data/faces relative to our detector's box on them (image side 1.14 × box, centre
#: 0.12 × box above the box's; there the eyes sit at 41% of the height and are 37% of the side
#: apart), measured without their labels. benchmarks/expression_eval.py compares other choices.
EXPRESSION_BOX_SCALE = 1.15
EXPRESSION_BOX_SHIFT = -0.12
#: Head-region side (square) relative to the extent of the pose's head landmarks, as in MediaPipe
#: Holistic's face-from-pose crop: the face then fills about a third of the detector input.
HEAD_REGION_SCALE = 3.0
#: The mesh model's face-presence probability below which a detection is not a face (MediaPipe
#: gates the mesh at the same value).
MIN_FACE_PRESENCE = 0.5
#: A pose head landmark counts as seen when its visibility reaches this.
MIN_HEAD_VISIBILITY = 0.5

KEYPOINT_RIGHT_EYE = 0
KEYPOINT_LEFT_EYE = 1

_HEAD_LANDMARKS = tuple(range(PoseLandmark.NOSE, PoseLandmark.MOUTH_RIGHT + 1))
_REQUIRED_HEAD_LANDMARKS = (PoseLandmark.NOSE, PoseLandmark.LEFT_EYE, PoseLandmark.RIGHT_EYE)

_ANCHORS = ssd_anchors(DETECTOR_SIZE, DETECTOR_STRIDES)


# ---------------------------------------------------------------------------------------------
# Pure helpers
# ---------------------------------------------------------------------------------------------


def sigmoid(x: float) -> float:
    """Logistic function, clipped to avoid overflow.

    >>> sigmoid(0.0)
    0.5
    """
    return float(1.0 / (1.0 + np.exp(-np.clip(x, -100.0, 100.0))))


def softmax(logits: npt.NDArray[np.floating]) -> FloatArray:
    """Softmax over the last axis, numerically stable; float32.

    >>> softmax(np.array([0.0, 0.0])).tolist()
    [0.5, 0.5]
    """
    z: npt.NDArray[np.float64] = np.asarray(logits, dtype=np.float64)
    e: npt.NDArray[np.float64] = np.exp(z - z.max(axis=-1, keepdims=True))
    out: FloatArray = (e / e.sum(axis=-1, keepdims=True)).astype(np.float32)
    return out


def normalize_probabilities(p: npt.NDArray[np.floating]) -> FloatArray:
    """Clip to ≥ 0 and rescale to sum exactly 1 in float32 (a uniform vector if nothing is left).

    >>> normalize_probabilities(np.array([1.0, 3.0])).tolist()
    [0.25, 0.75]
    """
    q: npt.NDArray[np.float64] = np.clip(np.asarray(p, dtype=np.float64), 0.0, None)
    total = float(q.sum())
    if not np.isfinite(total) or total <= 0:
        return np.full(q.shape, 1.0 / q.shape[-1], dtype=np.float32)
    out: FloatArray = (q / total).astype(np.float32)
    return out


def mirror_average(p: npt.NDArray[np.floating], p_mirrored: npt.NDArray[np.floating]) -> FloatArray:
    """Mean of the probabilities for a face and its mirror image, renormalised.

    >>> mirror_average(np.array([1.0, 0.0]), np.array([0.5, 0.5])).tolist()
    [0.75, 0.25]
    """
    return normalize_probabilities(
        (normalize_probabilities(p).astype(np.float64) + normalize_probabilities(p_mirrored)) / 2
    )


def detector_input(image: ByteArray) -> tuple[FloatArray, Letterbox]:
    """Letterbox an RGB uint8 image into the detector's (1, 128, 128, 3) float32 input in [-1, 1].

    Returns the tensor and the letterbox geometry to map results back.
    """
    square, box = letterbox(image, DETECTOR_SIZE)
    tensor = square.astype(np.float32) * (2.0 / 255.0) - 1.0
    return tensor[None], box


def eye_rotation(right_eye: npt.NDArray[np.floating], left_eye: npt.NDArray[np.floating]) -> float:
    """ROI rotation (radians, clockwise on screen) that makes right eye → left eye horizontal.

    The person's right eye is on the image's left for a face looking at the camera, so an upright
    face gives 0.

    >>> eye_rotation(np.array([0.0, 0.0]), np.array([1.0, 1.0]))  # tilted 45° clockwise
    0.7853981633974483
    """
    dx = float(left_eye[0] - right_eye[0])
    dy = float(left_eye[1] - right_eye[1])
    # MediaPipe: rotation = target − atan2(−dy, dx), with y down and a target angle of 0.
    return normalize_radians(-np.arctan2(-dy, dx))


def mesh_roi(box: Box, keypoints: FloatArray) -> RotatedRect:
    """The face-mesh ROI for a detection in pixels: box centre, long side × 1.5, eye-aligned.

    ``box`` is ``(x0, y0, x1, y1)``; ``keypoints`` (6, 2) are the detector's keypoints.

    >>> roi = mesh_roi((10.0, 20.0, 50.0, 80.0), np.array([[20, 40], [40, 40]] + [[0, 0]] * 4))
    >>> (roi.cx, roi.cy, roi.width, roi.height, roi.rotation)
    (30.0, 50.0, 90.0, 90.0, 0.0)
    """
    x0, y0, x1, y1 = box
    side = max(x1 - x0, y1 - y0) * MESH_ROI_SCALE
    rotation = eye_rotation(keypoints[KEYPOINT_RIGHT_EYE], keypoints[KEYPOINT_LEFT_EYE])
    return RotatedRect(
        cx=(x0 + x1) / 2, cy=(y0 + y1) / 2, width=side, height=side, rotation=rotation
    )


def decode_mesh(
    raw: FloatArray, crop_to_image: npt.NDArray[np.float64], roi: RotatedRect
) -> FloatArray:
    """Mesh output (1404,) in 192-pixel crop space → (468, 3) float32 image pixels.

    x, y go through the crop → image affine matrix; z is scaled like x (crop pixels to image
    pixels by the ROI's width), smaller = nearer the camera.
    """
    points = np.asarray(raw, dtype=np.float32).reshape(NUM_MESH_POINTS, 3)
    out = np.empty_like(points)
    out[:, :2] = apply_affine(crop_to_image, points[:, :2])
    out[:, 2] = points[:, 2] * (roi.width / MESH_SIZE)
    return out


def box_from_mesh(landmarks: FloatArray) -> Box:
    """Axis-aligned ``(x0, y0, x1, y1)`` around (468, 2 or 3) mesh points in pixels.

    >>> box_from_mesh(np.array([[1, 2, 0], [3, 5, 0]], np.float32))
    (1.0, 2.0, 3.0, 5.0)
    """
    xy = landmarks[:, :2]
    x0, y0 = xy.min(axis=0)
    x1, y1 = xy.max(axis=0)
    return float(x0), float(y0), float(x1), float(y1)


def clip_box(box: Box, width: int, height: int) -> Box | None:
    """Clip a box to the image; None when nothing of it is inside.

    >>> clip_box((-5.0, 10.0, 20.0, 300.0), 100, 200)
    (0.0, 10.0, 20.0, 200.0)
    >>> clip_box((150.0, 10.0, 180.0, 20.0), 100, 200) is None
    True
    """
    x0, y0 = max(box[0], 0.0), max(box[1], 0.0)
    x1, y1 = min(box[2], float(width)), min(box[3], float(height))
    if x1 <= x0 or y1 <= y0:
        return None
    return float(x0), float(y0), float(x1), float(y1)


def square_box(box: Box, scale: float = 1.0) -> Box:
    """A square box on the same centre whose side is the long side of ``box`` times ``scale``.

    >>> square_box((0.0, 0.0, 10.0, 20.0), 1.5)
    (-10.0, -5.0, 20.0, 25.0)
    """
    cx, cy = (box[0] + box[2]) / 2, (box[1] + box[3]) / 2
    half = max(box[2] - box[0], box[3] - box[1]) * scale / 2
    return cx - half, cy - half, cx + half, cy + half


def expression_roi(
    box: Box,
    scale: float = EXPRESSION_BOX_SCALE,
    shift: float = EXPRESSION_BOX_SHIFT,
    rotation: float = 0.0,
) -> RotatedRect:
    """Square expression crop for a face box in pixels (framing as in tight expression datasets).

    The side is the box's long side × ``scale``; the centre moves by ``shift`` × long side along
    the face's vertical axis (negative = towards the forehead), which ``rotation`` (radians,
    clockwise on screen) tilts.

    >>> roi = expression_roi((0.0, 0.0, 100.0, 100.0), 1.2, -0.1)
    >>> (roi.cx, roi.cy, roi.width)
    (50.0, 40.0, 120.0)
    """
    x0, y0, x1, y1 = box
    long_side = max(x1 - x0, y1 - y0)
    offset = shift * long_side
    return RotatedRect(
        cx=(x0 + x1) / 2 - offset * float(np.sin(rotation)),
        cy=(y0 + y1) / 2 + offset * float(np.cos(rotation)),
        width=long_side * scale,
        height=long_side * scale,
        rotation=rotation,
    )


def to_grey(image: ByteArray) -> ByteArray:
    """RGB (H, W, 3) → grey (H, W) uint8 with ITU-R BT.601 weights (as OpenCV); grey passes."""
    if image.ndim == 2:
        return image
    return np.asarray(cv2.cvtColor(image, cv2.COLOR_RGB2GRAY), dtype=np.uint8)


def expression_input(
    grey: ByteArray, roi: RotatedRect, *, native_resolution: int | None = FER_RESOLUTION
) -> FloatArray:
    """Crop a square ``roi`` from a grey (H, W) uint8 image → (1, 64, 64, 1) float32 in [-1, 1].

    Outside the image the edge pixels are repeated (FER2013 has no black borders). With
    ``native_resolution`` the crop is first reduced to that size by area averaging and then
    scaled to 64×64 bilinearly, which is how the classifier saw its 48×48 training images;
    ``None`` reduces straight to 64×64.
    """
    final = native_resolution or EXPRESSION_SIZE
    # Warp at up to 4× the final size (cheap) and let INTER_AREA do the anti-aliased reduction.
    work = int(np.clip(round(roi.width), final, 4 * final))
    crop = _crop_replicate(grey, roi, work)
    face = cv2.resize(crop, (final, final), interpolation=cv2.INTER_AREA)
    if final != EXPRESSION_SIZE:
        face = cv2.resize(face, (EXPRESSION_SIZE, EXPRESSION_SIZE), interpolation=cv2.INTER_LINEAR)
    tensor = (face.astype(np.float32) / 255.0 - 0.5) * 2.0
    return tensor[None, :, :, None]


def _crop_replicate(image: ByteArray, roi: RotatedRect, size: int) -> ByteArray:
    """Like :func:`~fitroom.vision.detection.crop_roi` but repeating the edge pixels outside."""
    crop = cv2.warpAffine(
        image,
        roi_to_input_matrix(roi, size),
        (size, size),
        flags=cv2.INTER_LINEAR,
        borderMode=cv2.BORDER_REPLICATE,
    )
    return np.asarray(crop, dtype=np.uint8)


def landmarks_seen(
    pose: Pose,
    indices: Sequence[int],
    image_shape: tuple[int, ...],
    min_visibility: float = MIN_HEAD_VISIBILITY,
) -> bool:
    """Whether each of these pose landmarks is visible (at least ``min_visibility``) and lies
    inside an image of this shape."""
    height, width = image_shape[:2]
    for index in indices:
        x, y, _, visibility, _ = pose.landmarks[index]
        if visibility < min_visibility or not (0 <= x < width and 0 <= y < height):
            return False
    return True


def head_region(pose: Pose, image_shape: tuple[int, ...]) -> Box | None:
    """Square region (pixels, may extend past the image) where a pose's face should be.

    Uses the head landmarks (nose, eyes, ears, mouth) that are visible; the region is their
    extent's long side × :data:`HEAD_REGION_SCALE`, centred on them. None when the nose or either
    eye is not visible or lies outside the image (e.g. a photo cropped at the eyes).
    """
    if not landmarks_seen(pose, _REQUIRED_HEAD_LANDMARKS, image_shape):
        return None
    lms = pose.landmarks
    seen = [i for i in _HEAD_LANDMARKS if lms[i, 3] >= MIN_HEAD_VISIBILITY]
    pts = lms[seen, :2].astype(np.float64)
    x0, y0 = pts.min(axis=0)
    x1, y1 = pts.max(axis=0)
    # Eyes-to-mouth and ear-to-ear extents can both be tiny for a small face seen from far; the
    # eye distance keeps a lower bound so the region never collapses.
    eye_gap = float(
        np.linalg.norm(lms[PoseLandmark.LEFT_EYE, :2] - lms[PoseLandmark.RIGHT_EYE, :2])
    )
    extent = max(x1 - x0, y1 - y0, 2.0 * eye_gap, 4.0)
    cx, cy = (x0 + x1) / 2, (y0 + y1) / 2
    half = extent * HEAD_REGION_SCALE / 2
    return float(cx - half), float(cy - half), float(cx + half), float(cy + half)


def _detection_to_pixels(
    detection: Detection, to_image: npt.NDArray[np.float64]
) -> tuple[Box, FloatArray]:
    """Map a detection's normalised box corners and keypoints through a 2×3 matrix to pixels."""
    x0, y0, x1, y1 = (float(v) for v in detection.box)
    corners = apply_affine(to_image, np.array([[x0, y0], [x1, y1]], dtype=np.float32))
    keypoints = apply_affine(to_image, detection.keypoints)
    (bx0, by0), (bx1, by1) = corners.min(axis=0), corners.max(axis=0)
    return (float(bx0), float(by0), float(bx1), float(by1)), keypoints


def _letterbox_matrix(box: Letterbox) -> npt.NDArray[np.float64]:
    """2×3 matrix taking normalised letterboxed detector coordinates to image pixels."""
    k = box.size / box.scale
    return np.array(
        [[k, 0.0, -box.pad_x / box.scale], [0.0, k, -box.pad_y / box.scale]], dtype=np.float64
    )


# ---------------------------------------------------------------------------------------------
# Model holder
# ---------------------------------------------------------------------------------------------


class FaceAnalyzer(Closeable):
    """Finds faces and reads their mesh and expression; holds the three face models.

    A context manager: ``with FaceAnalyzer() as faces: faces.detect(image)``. Images are RGB
    ``uint8`` (H, W, 3); anything else raises :class:`~fitroom.errors.ImageDecodeError`. After
    each call ``last_timings_ms`` holds the milliseconds spent in ``"face_detect"``,
    ``"face_landmarks"`` and ``"expression"`` (summed over the faces).
    """

    def __init__(
        self,
        *,
        num_threads: int = 2,
        with_landmarks: bool = True,
        with_expression: bool = True,
        min_score: float = 0.5,
    ) -> None:
        if not 0.0 < min_score < 1.0:
            raise ValueError(f"min_score must be in (0, 1), got {min_score}")
        self.with_landmarks = with_landmarks
        self.with_expression = with_expression
        self.min_score = min_score
        self._detector: TFLiteModel | None = TFLiteModel(
            "face_detection_short_range", num_threads=num_threads
        )
        self._mesh: TFLiteModel | None = (
            TFLiteModel("face_landmark", num_threads=num_threads) if with_landmarks else None
        )
        self._emotion: TFLiteModel | None = (
            TFLiteModel("emotion", num_threads=num_threads) if with_expression else None
        )
        self.last_timings_ms: dict[str, float] = {}

    # -- public API -----------------------------------------------------------------------------

    def detect(self, image: ByteArray) -> list[Face]:
        """All faces in an RGB uint8 (H, W, 3) image, best first.

        Boxes, keypoints and mesh are not clipped: a face cut by the image edge keeps its whole
        box (use :func:`clip_box` to clip), so ``classify_expression(image, face.box)`` gives
        ``face.expression``. Landmarks and expression are filled when the analyzer was built with
        them; with landmarks, detections the mesh model does not confirm as faces are dropped.
        """
        image = ensure_rgb(image)
        self.last_timings_ms = {"face_detect": 0.0, "face_landmarks": 0.0, "expression": 0.0}
        start = time.perf_counter()
        tensor, box = detector_input(image)
        detections = self._run_detector(tensor)
        to_image = _letterbox_matrix(box)
        self.last_timings_ms["face_detect"] = _ms_since(start)
        located = [_detection_to_pixels(d, to_image) for d in detections]
        return self._finish(image, located, [d.score for d in detections])

    def analyze_person(self, image: ByteArray, pose: Pose) -> Face | None:
        """The face of the person whose ``pose`` (in this image's pixels) is given, or None.

        A square region around the pose's head landmarks (about three head-widths) is cropped and
        scaled to the detector's input, so small faces in full-body photos are found too. The face
        whose nose keypoint is nearest the pose's nose (among those containing it, the best) is
        returned, mapped back to image pixels. None when the head is not visible (nose or an eye
        unseen or outside the image, e.g. a photo cropped at the eyes) or no face is found there.
        """
        image = ensure_rgb(image)
        self.last_timings_ms = {"face_detect": 0.0, "face_landmarks": 0.0, "expression": 0.0}
        start = time.perf_counter()
        region = head_region(pose, image.shape)
        if region is None:
            self.last_timings_ms["face_detect"] = _ms_since(start)
            return None
        x0, y0, x1, y1 = region
        roi = RotatedRect(cx=(x0 + x1) / 2, cy=(y0 + y1) / 2, width=x1 - x0, height=y1 - y0)
        crop, crop_to_image = crop_roi(image, roi, DETECTOR_SIZE)
        tensor = crop.astype(np.float32) * (2.0 / 255.0) - 1.0
        detections = self._run_detector(tensor[None])
        # Detector output is normalised to the crop; scale to crop pixels, then to the image.
        to_image = crop_to_image @ np.diag([DETECTOR_SIZE, DETECTOR_SIZE, 1.0])
        self.last_timings_ms["face_detect"] = _ms_since(start)
        if not detections:
            return None
        candidates = [_detection_to_pixels(d, to_image) for d in detections]
        nose = pose.landmarks[PoseLandmark.NOSE, :2]
        order = sorted(
            range(len(candidates)),
            key=lambda i: (
                not _contains(candidates[i][0], nose),
                float(np.linalg.norm(candidates[i][1][2] - nose)),
            ),
        )
        faces = self._finish(
            image, [candidates[i] for i in order], [detections[i].score for i in order], limit=1
        )
        return faces[0] if faces else None

    def classify_expression(
        self, image: ByteArray, box: Box, *, tight_crop: bool = False
    ) -> Expression:
        """Expression probabilities of the face in ``box`` (pixels, ``(x0, y0, x1, y1)``).

        ``image`` is RGB uint8 (H, W, 3) or grey (H, W). ``box`` is a face-detector box, around
        which the crop is framed like the classifier's training faces (:func:`expression_roi`);
        with ``tight_crop`` the box is taken as that framing already (e.g. a whole image that is a
        tight face crop) and only made square.
        """
        self.last_timings_ms = {"face_detect": 0.0, "face_landmarks": 0.0, "expression": 0.0}
        return self._classify(to_grey(image), box, tight_crop=tight_crop)

    def close(self) -> None:
        """Release the models."""
        for model in (self._detector, self._mesh, self._emotion):
            if model is not None:
                model.close()
        self._detector = self._mesh = self._emotion = None

    # -- internals ------------------------------------------------------------------------------

    def _classify(self, grey: ByteArray, box: Box, *, tight_crop: bool = False) -> Expression:
        if self._emotion is None:
            raise RuntimeError("this FaceAnalyzer was built with with_expression=False")
        start = time.perf_counter()
        roi = expression_roi(box, 1.0, 0.0) if tight_crop else expression_roi(box)
        tensor = expression_input(grey, roi)
        (raw,) = self._emotion.run(tensor)
        # The classifier was trained with horizontal flips; averaging the face and its mirror
        # image steadies the probabilities (lower log-loss in benchmarks/expression_eval.py).
        (mirrored,) = self._emotion.run(np.ascontiguousarray(tensor[:, :, ::-1]))
        expression = Expression(probabilities=mirror_average(raw[0], mirrored[0]))
        self.last_timings_ms["expression"] += _ms_since(start)
        return expression

    def _run_detector(self, tensor: FloatArray) -> list[Detection]:
        if self._detector is None:
            raise RuntimeError("this FaceAnalyzer was closed")
        boxes, logits = self._detector.run(tensor)
        found = decode_detections(
            boxes,
            # ±80 keeps exp() inside float32 (decode_detections clips at ±100, and e^100
            # overflows); the 0.5 threshold is unaffected.
            np.clip(logits, -80.0, 80.0),
            _ANCHORS,
            input_size=DETECTOR_SIZE,
            num_keypoints=NUM_KEYPOINTS,
            min_score=self.min_score,
        )
        return weighted_nms(found, NMS_IOU)

    def _finish(
        self,
        image: ByteArray,
        located: list[tuple[Box, FloatArray]],
        scores: list[float],
        limit: int | None = None,
    ) -> list[Face]:
        """Mesh and expression for located faces, in the given order, at most ``limit`` of them.

        Faces wholly outside the image are dropped, and so are detections the mesh model does not
        confirm (face-presence below 0.5): the detector's false positives on hands and patterned
        clothes score up to 0.6, the mesh model's presence for them stays below 0.04 while real
        faces score 1.0 (measured on ../shared/data persons, faces and keypoints images).
        """
        height, width = image.shape[:2]
        faces: list[Face] = []
        grey = to_grey(image) if self._emotion is not None else None
        for (box, keypoints), score in zip(located, scores, strict=True):
            if limit is not None and len(faces) >= limit:
                break
            if clip_box(box, width, height) is None:
                continue
            landmarks = None
            if self._mesh is not None:
                landmarks = self._mesh_for(image, box, keypoints)
                if landmarks is None:
                    continue
            expression = self._classify(grey, box) if grey is not None else None
            faces.append(
                Face(
                    box=box,
                    score=float(score),
                    keypoints=keypoints.astype(np.float32),
                    landmarks=landmarks,
                    expression=expression,
                )
            )
        return faces

    def _mesh_for(self, image: ByteArray, box: Box, keypoints: FloatArray) -> FloatArray | None:
        """The (468, 3) mesh in image pixels, or None when the model sees no face in the ROI."""
        assert self._mesh is not None
        start = time.perf_counter()
        roi = mesh_roi(box, keypoints)
        crop, crop_to_image = crop_roi(image, roi, MESH_SIZE)
        raw, presence = self._mesh.run(crop.astype(np.float32)[None] * (1.0 / 255.0))
        landmarks = None
        if sigmoid(float(presence.reshape(-1)[0])) >= MIN_FACE_PRESENCE:
            landmarks = decode_mesh(raw.reshape(-1), crop_to_image, roi)
        self.last_timings_ms["face_landmarks"] += _ms_since(start)
        return landmarks


def _contains(box: Box, point: FloatArray) -> bool:
    return box[0] <= float(point[0]) <= box[2] and box[1] <= float(point[1]) <= box[3]


def _ms_since(start: float) -> float:
    return (time.perf_counter() - start) * 1000.0


__all__ = [
    "EXPRESSIONS",
    "EXPRESSION_BOX_SCALE",
    "FaceAnalyzer",
    "box_from_mesh",
    "clip_box",
    "decode_mesh",
    "detector_input",
    "expression_input",
    "expression_roi",
    "eye_rotation",
    "head_region",
    "landmarks_seen",
    "mesh_roi",
    "mirror_average",
    "normalize_probabilities",
    "sigmoid",
    "softmax",
    "square_box",
    "to_grey",
]
