"""Person mask: MediaPipe selfie segmentation fused with the pose, edges refined by a guided filter.

(Over 500 lines: the steps below share one work grid and one guided filter, and
:class:`PersonSegmenter` holds both selfie models and the temporal state; photo and live use the
same class.)

The pipeline per image (all fusion happens on a small *work grid*, the image scaled so that its
long side is a few hundred pixels, and only the last step touches full resolution):

1. the selfie-segmentation model (general 256×256 or landscape 144×256, chosen by aspect ratio)
   sees the whole image stretched to its input, RGB float32 in [0, 1];
2. its probability is averaged with the pose landmark model's own mask (``Pose.segmentation``)
   when the pose has one, and multiplied by a soft *region prior* drawn from the pose skeleton;
   with several people both are unions over them. The selfie model also answers for salient
   objects (a cup on a table): those away from every posed person are dropped, while objects
   held against the body (the astronaut's helmet) stay;
3. on streams, the work-grid probability is smoothed over time (motion-adaptive, see
   :class:`PersonSegmenter.segment_frame`);
4. a fast guided filter with the image as guide snaps the edges to the photo: its linear
   coefficients are fitted on the work grid and applied to the full-resolution grey image.

Pure functions (:func:`guided_filter` and its two halves, :func:`pose_region_prior`,
:func:`smooth_in_time`, :func:`shrink`, :func:`body_size`) hold the maths; :class:`PersonSegmenter`
holds the models and the stream state.
"""

from __future__ import annotations

import math
import time
from collections.abc import Sequence
from typing import Literal, TypeVar

import cv2
import numpy as np
import numpy.typing as npt

from fitroom._closing import Closeable
from fitroom.errors import InputError
from fitroom.vision._tflite import TFLiteModel
from fitroom.vision.core import PersonMask, Pose
from fitroom.vision.landmarks import PoseLandmark as L

FloatArray = npt.NDArray[np.float32]
RGBImage = npt.NDArray[np.uint8]


#: Width/height ratio from which the landscape (144×256) model is used in ``model="auto"``.
#: 1.2 sits between square (1.0) and the 4:3 of most webcams (1.33), so webcam frames take the
#: faster landscape model and portrait photos the general one.
LANDSCAPE_MIN_ASPECT = 1.2

_T = TypeVar("_T", bound=np.generic)

ModelChoice = Literal["auto", "general", "landscape"]

_MODEL_NAMES: dict[str, str] = {
    "general": "selfie_segmentation",
    "landscape": "selfie_segmentation_landscape",
}

# Skeleton segments drawn into the region prior (person's own sides; both are drawn anyway).
_LIMB_SEGMENTS: tuple[tuple[int, int], ...] = (
    (L.LEFT_SHOULDER, L.LEFT_ELBOW),
    (L.LEFT_ELBOW, L.LEFT_WRIST),
    (L.RIGHT_SHOULDER, L.RIGHT_ELBOW),
    (L.RIGHT_ELBOW, L.RIGHT_WRIST),
    (L.LEFT_WRIST, L.LEFT_INDEX),
    (L.LEFT_WRIST, L.LEFT_PINKY),
    (L.RIGHT_WRIST, L.RIGHT_INDEX),
    (L.RIGHT_WRIST, L.RIGHT_PINKY),
    (L.LEFT_HIP, L.LEFT_KNEE),
    (L.LEFT_KNEE, L.LEFT_ANKLE),
    (L.RIGHT_HIP, L.RIGHT_KNEE),
    (L.RIGHT_KNEE, L.RIGHT_ANKLE),
    (L.LEFT_ANKLE, L.LEFT_FOOT_INDEX),
    (L.RIGHT_ANKLE, L.RIGHT_FOOT_INDEX),
    (L.LEFT_ANKLE, L.LEFT_HEEL),
    (L.RIGHT_ANKLE, L.RIGHT_HEEL),
)
_TORSO = (L.LEFT_SHOULDER, L.RIGHT_SHOULDER, L.RIGHT_HIP, L.LEFT_HIP)
_HEAD = tuple(range(11))


# --------------------------------------------------------------------------------------------
# Guided filter (He, Sun & Tang 2010; fast variant 2015), box filters from OpenCV.
# --------------------------------------------------------------------------------------------


def _as_float_guide(guide: npt.NDArray[np.generic]) -> FloatArray:
    if guide.ndim not in (2, 3) or (guide.ndim == 3 and guide.shape[2] not in (1, 3)):
        raise InputError(
            f"guided_filter: guide must be (H, W), (H, W, 1) or (H, W, 3), got {guide.shape}"
        )
    if guide.ndim == 3 and guide.shape[2] == 1:
        guide = guide[..., 0]
    if guide.dtype == np.uint8:
        return guide.astype(np.float32) * np.float32(1.0 / 255.0)
    return guide.astype(np.float32, copy=False)


def _box(x: FloatArray, radius: int) -> FloatArray:
    k = 2 * radius + 1
    out: FloatArray = cv2.boxFilter(x, cv2.CV_32F, (k, k), borderType=cv2.BORDER_REFLECT)
    return out


def guided_filter_coefficients(
    guide: npt.NDArray[np.generic], src: FloatArray, radius: int, eps: float
) -> tuple[FloatArray, FloatArray]:
    """The guided filter's locally linear model ``q = a·I + b`` (I the guide), box-averaged.

    Args:
        guide: (H, W) grey or (H, W, 3) colour guide, ``uint8`` (read as /255) or float.
        src: (H, W) float32 image to filter (e.g. a mask in [0, 1]).
        radius: box radius in pixels (window 2r+1).
        eps: regulariser; larger = smoother, smaller = follows the guide's edges more.

    Returns:
        ``(a, b)``: a is (H, W) for a grey guide or (H, W, 3) for a colour one; b is (H, W). Both
        float32 and already averaged over the window, so ``q = sum(a * I) + b``.
    """
    guide_f = _as_float_guide(guide)
    p: FloatArray = np.asarray(src, dtype=np.float32)
    if p.shape != guide_f.shape[:2]:
        raise InputError(f"guided_filter: src shape {p.shape} must match guide {guide_f.shape[:2]}")
    r = max(1, int(radius))
    mean_p = _box(p, r)
    if guide_f.ndim == 2:
        mean_I = _box(guide_f, r)
        cov_Ip = _box(guide_f * p, r) - mean_I * mean_p
        var_I = _box(guide_f * guide_f, r) - mean_I * mean_I
        a: FloatArray = (cov_Ip / (var_I + np.float32(eps))).astype(np.float32, copy=False)
        b: FloatArray = mean_p - a * mean_I
        return _box(a, r), _box(b, r)

    # Colour guide: per pixel, solve (Σ + eps·1) a = cov(I, p) with the 3×3 covariance Σ,
    # written out with cofactors so the whole image is solved at once.
    mean_I = _box(guide_f, r)  # (H, W, 3); OpenCV filters each channel
    cov_Ip = _box(guide_f * p[..., None], r) - mean_I * mean_p[..., None]
    e = np.float32(eps)
    rr, rg, rb, gg, gb, bb = (
        _box(guide_f[..., i] * guide_f[..., j], r) - mean_I[..., i] * mean_I[..., j]
        for i, j in ((0, 0), (0, 1), (0, 2), (1, 1), (1, 2), (2, 2))
    )
    rr, gg, bb = rr + e, gg + e, bb + e
    c_rr = gg * bb - gb * gb
    c_rg = gb * rb - rg * bb
    c_rb = rg * gb - gg * rb
    c_gg = rr * bb - rb * rb
    c_gb = rb * rg - rr * gb
    c_bb = rr * gg - rg * rg
    det = rr * c_rr + rg * c_rg + rb * c_rb
    inv_det = np.float32(1.0) / np.maximum(det, np.float32(1e-12))
    cr, cg, cb = cov_Ip[..., 0], cov_Ip[..., 1], cov_Ip[..., 2]
    a = np.empty_like(cov_Ip)
    a[..., 0] = (c_rr * cr + c_rg * cg + c_rb * cb) * inv_det
    a[..., 1] = (c_rg * cr + c_gg * cg + c_gb * cb) * inv_det
    a[..., 2] = (c_rb * cr + c_gb * cg + c_bb * cb) * inv_det
    b = mean_p - np.einsum("hwc,hwc->hw", a, mean_I).astype(np.float32)
    return _box(a.astype(np.float32, copy=False), r), _box(b, r)


def apply_guided_coefficients(
    guide: npt.NDArray[np.generic],
    a: FloatArray,
    b: FloatArray,
    *,
    out: FloatArray | None = None,
) -> FloatArray:
    """``q = a·I + b`` at the guide I's resolution; a and b are resized (bilinear) if smaller.

    Fitting the coefficients on a small grid and applying them here is the *fast guided filter*:
    the smooth coefficients upsample well, the guide brings back the full-resolution edges.

    Args:
        guide: (H, W) grey or (H, W, 3) colour guide, as given to the fit.
        a, b: coefficients from :func:`guided_filter_coefficients`, at any resolution.
        out: optional (H, W) float32 array to write the result into.
    """
    guide_f = _as_float_guide(guide)
    h, w = guide_f.shape[:2]
    if (a.ndim == 3) != (guide_f.ndim == 3):
        raise InputError(
            "guided_filter: colour coefficients need a colour guide and grey ones a grey"
        )
    if a.shape[:2] != (h, w):
        a = cv2.resize(a, (w, h), interpolation=cv2.INTER_LINEAR)
        b = cv2.resize(b, (w, h), interpolation=cv2.INTER_LINEAR)
    q = np.empty((h, w), np.float32) if out is None else out
    if guide_f.ndim == 2:
        cv2.multiply(a, guide_f, dst=q)
    else:
        np.einsum("hwc,hwc->hw", a, guide_f, out=q)
    cv2.add(q, b, dst=q)
    return q


def guided_filter(
    guide: npt.NDArray[np.generic],
    src: FloatArray,
    radius: int,
    eps: float,
    *,
    subsample: int = 1,
) -> FloatArray:
    """Edge-preserving smoothing of ``src`` that follows the edges of ``guide``.

    Args:
        guide: (H, W) grey or (H, W, 3) colour guide; ``uint8`` is read as /255.
        src: (H, W) float32, e.g. a soft mask in [0, 1].
        radius: window radius in full-resolution pixels.
        eps: regulariser in squared guide units (guide in [0, 1]): ~1e-4 follows faint edges,
            ~1e-2 only strong ones.
        subsample: fit the model on a grid ``subsample`` times smaller (fast guided filter).

    Returns:
        (H, W) float32. The filter is linear in ``src`` and keeps constants; values may overshoot
        [min(src), max(src)] slightly near edges, so clip masks afterwards.

    >>> import numpy as np
    >>> g = np.zeros((8, 8), np.float32); g[:, 4:] = 1
    >>> q = guided_filter(g, np.full((8, 8), 0.3, np.float32), 2, 1e-3)
    >>> bool(np.allclose(q, 0.3, atol=1e-5))
    True
    """
    guide_f = _as_float_guide(guide)
    p: FloatArray = np.asarray(src, dtype=np.float32)
    if p.shape != guide_f.shape[:2]:
        raise InputError(f"guided_filter: src shape {p.shape} must match guide {guide_f.shape[:2]}")
    s = max(1, int(subsample))
    if s == 1:
        a, b = guided_filter_coefficients(guide_f, p, radius, eps)
        return apply_guided_coefficients(guide_f, a, b)
    h, w = p.shape
    small = (max(1, round(w / s)), max(1, round(h / s)))
    I_small = cv2.resize(guide_f, small, interpolation=cv2.INTER_AREA)
    p_small = cv2.resize(p, small, interpolation=cv2.INTER_AREA)
    a, b = guided_filter_coefficients(I_small, p_small, max(1, round(radius / s)), eps)
    return apply_guided_coefficients(guide_f, a, b)


# --------------------------------------------------------------------------------------------
# Pose region prior.
# --------------------------------------------------------------------------------------------


# OpenCV draws at integer coordinates; 4 fractional bits keep sub-pixel accuracy.
_SHIFT = 4


def _fixed(point: npt.NDArray[np.float64]) -> tuple[int, int]:
    return round(float(point[0]) * (1 << _SHIFT)), round(float(point[1]) * (1 << _SHIFT))


def body_size(xy: npt.NDArray[np.float64]) -> float:
    """A length about the shoulder width, robust to a person seen from the side (pixels of xy).

    Seen from the side the shoulders close up; the trunk length and hip width keep the scale.
    """
    shoulder_width = float(np.linalg.norm(xy[L.LEFT_SHOULDER] - xy[L.RIGHT_SHOULDER]))
    hip_width = float(np.linalg.norm(xy[L.LEFT_HIP] - xy[L.RIGHT_HIP]))
    shoulder_mid = (xy[L.LEFT_SHOULDER] + xy[L.RIGHT_SHOULDER]) / 2
    hip_mid = (xy[L.LEFT_HIP] + xy[L.RIGHT_HIP]) / 2
    trunk = float(np.linalg.norm(shoulder_mid - hip_mid))
    return max(shoulder_width, 1.2 * hip_width, 0.45 * trunk, 2.0)


def pose_region_prior(
    poses: Sequence[Pose],
    shape: tuple[int, int],
    scale: float,
    *,
    margin: float = 0.3,
    falloff: float = 0.25,
) -> FloatArray:
    """Soft mask of where the posed people can be: 1 on and near their skeletons, 0 far away.

    Each person's skeleton (limbs, hands, feet, torso quadrilateral, head disc large enough for
    hair) is drawn thick, then the distance to it is turned into a ramp, so the prior only limits
    the selfie model far from the body and never cuts into a silhouette.

    Args:
        poses: people whose landmarks are in full-image pixels.
        shape: (h, w) of the grid to draw on.
        scale: grid pixels per image pixel.
        margin: distance (× body scale) from the skeleton over which the prior stays 1.
        falloff: further distance (× body scale) over which it ramps down to 0.

    Returns:
        (h, w) float32 in [0, 1]; all zeros when ``poses`` is empty.
    """
    h, w = shape
    prior = np.zeros((h, w), np.float32)
    for pose in poses:
        # Far off-frame guesses are clipped so OpenCV's fixed-point drawing cannot overflow.
        xy = np.clip(pose.xy.astype(np.float64) * scale, -2.0 * max(h, w), 3.0 * max(h, w))
        size = body_size(xy)
        skeleton = np.zeros((h, w), np.uint8)
        limb = max(1, round(0.35 * size))
        for i, j in _LIMB_SEGMENTS:
            cv2.line(skeleton, _fixed(xy[i]), _fixed(xy[j]), 255, limb, cv2.LINE_8, _SHIFT)
        torso = np.array([_fixed(xy[i]) for i in _TORSO], np.int32).reshape(-1, 1, 2)
        cv2.fillConvexPoly(skeleton, torso, 255, cv2.LINE_8, _SHIFT)
        head = xy[list(_HEAD)]
        centre = head.mean(axis=0)
        head_radius = max(float(np.linalg.norm(head - centre, axis=1).max()) * 2.2, 0.45 * size)
        radius = max(1, round(head_radius * (1 << _SHIFT)))
        cv2.circle(skeleton, _fixed(centre), radius, 255, -1, cv2.LINE_8, _SHIFT)
        # Hair and neck link the head to the shoulders even when the head is tilted.
        neck = (xy[L.LEFT_SHOULDER] + xy[L.RIGHT_SHOULDER]) / 2
        thick = max(1, round(1.2 * head_radius))
        cv2.line(skeleton, _fixed(centre), _fixed(neck), 255, thick, cv2.LINE_8, _SHIFT)
        distance = cv2.distanceTransform(255 - skeleton, cv2.DIST_L2, 3)
        ramp = np.float32(1.0) - (distance - np.float32(margin * size)) / np.float32(
            max(falloff * size, 1.0)
        )
        np.maximum(prior, np.clip(ramp, 0.0, 1.0), out=prior)
    return prior


#: Mean selfie probability over the pose mask's person pixels from which the two models are
#: taken to agree (below it the pose mask's weight rises, to 1 when the selfie model saw nobody).
SELFIE_AGREEMENT = 0.5


def fusion_pose_weight(selfie: FloatArray, pose_prob: FloatArray, base: float) -> float:
    """Weight of the pose model's mask in its average with the selfie model's probability.

    The selfie model can miss a whole person the pose model segments well: a small full-body
    figure in a letterboxed portrait video, cream clothes against a white wall. Averaged at the
    usual weight, every pixel of that person would then sit just under 0.5 and the body-part map
    (which keeps the pixels above 0.5) would come out empty. So the weight rises continuously
    from ``base`` — when the selfie model's mean probability over the pose mask's person pixels
    (> 0.5) reaches :data:`SELFIE_AGREEMENT` — to 1 when it is 0.

    Args:
        selfie, pose_prob: (h, w) float32 probabilities on the same grid.
        base: the weight when the two agree, in [0, 1].

    Returns:
        The weight in [base, 1]; ``base`` when the pose mask holds fewer than 16 person pixels.

    >>> pose = np.zeros((8, 8), np.float32); pose[2:7, 2:7] = 1.0
    >>> fusion_pose_weight(np.zeros_like(pose), pose, 0.5), fusion_pose_weight(pose, pose, 0.5)
    (1.0, 0.5)
    """
    person = pose_prob > 0.5
    count = int(np.count_nonzero(person))
    if count < 16:
        return base
    agreement = float(selfie[person].mean())
    shortfall = min(max(1.0 - agreement / SELFIE_AGREEMENT, 0.0), 1.0)
    return base + (1.0 - base) * shortfall


def smooth_in_time(
    previous: FloatArray, current: FloatArray, elapsed_ms: float, tau_ms: float
) -> FloatArray:
    """Motion-adaptive exponential smoothing of a probability map between two frames.

    The blend weight of ``current`` is ``1 - exp(-elapsed / tau)`` where the map barely changed
    (flicker is damped), rising to 1 where it changed by 0.55 or more (a moving arm or a person
    entering passes at once, without a ghost). The result lies between ``previous`` and
    ``current`` pixel by pixel.

    Args:
        previous, current: (h, w) float32 maps in [0, 1].
        elapsed_ms: time between the two frames (> 0).
        tau_ms: time constant (> 0).
    """
    base = np.float32(1.0 - math.exp(-max(elapsed_ms, 0.0) / max(tau_ms, 1e-6)))
    change = current - previous
    weight = base + (np.float32(1.0) - base) * np.clip(
        (np.abs(change) - np.float32(0.15)) * np.float32(2.5), 0.0, 1.0
    )
    out: FloatArray = previous + weight * change
    return out


# --------------------------------------------------------------------------------------------
# The segmenter.
# --------------------------------------------------------------------------------------------


def shrink(image: npt.NDArray[_T], size: tuple[int, int]) -> npt.NDArray[_T]:
    """Downscale to ``size`` = (width, height): Gaussian pyramid halvings, then bilinear.

    About as clean as ``INTER_AREA`` and several times faster at non-integer ratios.
    """
    width, height = size
    while image.shape[1] >= 2 * width and image.shape[0] >= 2 * height:
        image = cv2.pyrDown(image)
    if image.shape[1] == width and image.shape[0] == height:
        return image
    out: npt.NDArray[_T] = cv2.resize(image, (width, height), interpolation=cv2.INTER_LINEAR)
    return out


def _work_size(width: int, height: int, long_side: int) -> tuple[int, int]:
    s = min(1.0, long_side / max(width, height))
    return max(1, round(width * s)), max(1, round(height * s))


class PersonSegmenter(Closeable):
    """Holds the selfie-segmentation models and the stream state; a context manager.

    Args:
        model: "general" (256×256 input), "landscape" (144×256, about twice as fast) or "auto"
            (landscape when width/height ≥ :data:`LANDSCAPE_MIN_ASPECT`).
        num_threads: TFLite CPU threads.
        work_long_side: long side of the grid on which photo-mode probabilities are fused and
            the guided filter is fitted (the filter then snaps the edges at full resolution).
        stream_work_long_side: the same for :meth:`segment_frame`, smaller to keep frames fast.
        guided_radius: guided-filter window radius, in pixels of a 256-pixel-long grid (scaled
            to the actual work grid).
        guided_eps: guided-filter regulariser (guide in [0, 1]).
        pose_mask_weight: weight of the pose model's own mask in the average with the selfie
            model (0 ignores it).
        temporal_tau_ms: time constant of the stream smoothing; 0 turns it off.
        burst_threads: also keep the selfie models ready to run on this many threads, for
            ``selfie_probability(..., burst=True)``; None: no second copy.

    After each call, :attr:`last_timings_ms` holds the milliseconds per step (``model``,
    ``fusion``, ``temporal`` in streams, ``refine``, ``total``) and :attr:`last_model` the selfie
    model used.

    >>> with PersonSegmenter() as segmenter:                 # doctest: +SKIP
    ...     mask = segmenter.segment(rgb, poses)
    """

    def __init__(
        self,
        *,
        model: ModelChoice = "auto",
        num_threads: int = 2,
        work_long_side: int = 256,
        stream_work_long_side: int = 160,
        guided_radius: int = 4,
        guided_eps: float = 2e-3,
        pose_mask_weight: float = 0.5,
        temporal_tau_ms: float = 50.0,
        burst_threads: int | None = None,
    ) -> None:
        if model not in ("auto", "general", "landscape"):
            raise InputError(f"model must be 'auto', 'general' or 'landscape', got {model!r}")
        if not 0.0 <= pose_mask_weight <= 1.0:
            raise InputError(f"pose_mask_weight must be in [0, 1], got {pose_mask_weight}")
        self.model_choice: ModelChoice = model
        self.num_threads = num_threads
        self.burst_threads = burst_threads
        self.work_long_side = work_long_side
        self.stream_work_long_side = stream_work_long_side
        self.guided_radius = guided_radius
        self.guided_eps = guided_eps
        self.pose_mask_weight = pose_mask_weight
        self.temporal_tau_ms = temporal_tau_ms
        self._models: dict[str, TFLiteModel] = {}
        self._closed = False
        # Load what "auto" or the fixed choice needs up front so the first frame is not slow.
        for kind in ("general", "landscape") if model == "auto" else (model,):
            self._model(kind)
        self.last_timings_ms: dict[str, float] = {}
        #: Which selfie model the last call ran: "general" or "landscape".
        self.last_model: str | None = None
        self._previous: FloatArray | None = None
        self._previous_timestamp_ms: int | None = None
        self._scratch: FloatArray | None = None

    # -- public API -------------------------------------------------------------------------

    def segment(self, image: RGBImage, poses: Sequence[Pose] | None = None) -> PersonMask:
        """Photo mode: the soft mask of the people in ``image``.

        Args:
            image: RGB uint8 (H, W, 3).
            poses: the people found by the pose landmarker. ``None`` means "no pose information":
                the selfie model alone decides (it also keeps salient objects such as a cup). An
                empty sequence means "nobody is there": the mask is all zeros. Otherwise the mask
                is limited to these people and fused with their pose masks.

        Returns:
            (H, W) float32 mask in [0, 1].
        """
        self._check_image(image)
        timings: dict[str, float] = {}
        if poses is not None and len(poses) == 0:
            self.last_timings_ms = {"total": 0.0}
            return PersonMask(np.zeros(image.shape[:2], np.float32))
        t0 = time.perf_counter()
        work = self._fused_probability(image, poses, self.work_long_side, timings)
        mask = self._refine(image, work, timings)
        timings["total"] = (time.perf_counter() - t0) * 1e3
        self.last_timings_ms = timings
        return PersonMask(mask)

    def segment_frame(
        self,
        frame: RGBImage,
        pose: Pose | None,
        timestamp_ms: int,
        selfie: FloatArray | None = None,
    ) -> PersonMask:
        """Stream mode: like :meth:`segment` for one tracked person, smoothed over time.

        ``pose`` None (tracking lost for this frame) falls back to the selfie model alone, so the
        mask does not blink out. The smoothing is an exponential moving average on the work grid
        whose weight grows with the time since the previous frame and, per pixel, with how much
        the probability changed: flicker is damped, real motion passes at once. The state resets
        when the frame size changes or ``timestamp_ms`` does not increase.

        Args:
            frame: RGB uint8 (H, W, 3).
            pose: the tracked person, or None.
            timestamp_ms: the frame's time in milliseconds (increasing).
            selfie: this frame's :meth:`selfie_probability` when already run (e.g. on another
                thread while the pose model ran); None runs it now.
        """
        self._check_image(frame)
        timings: dict[str, float] = {}
        t0 = time.perf_counter()
        poses = None if pose is None else [pose]
        work = self._fused_probability(
            frame, poses, self.stream_work_long_side, timings, selfie=selfie
        )
        t1 = time.perf_counter()
        work = self._smooth_in_time(work, timestamp_ms)
        timings["temporal"] = (time.perf_counter() - t1) * 1e3
        mask = self._refine(frame, work, timings)
        timings["total"] = (time.perf_counter() - t0) * 1e3
        self.last_timings_ms = timings
        return PersonMask(mask)

    def reset(self) -> None:
        """Forget the stream state (start of a new stream)."""
        self._previous = None
        self._previous_timestamp_ms = None

    def close(self) -> None:
        """Release the models."""
        for model in self._models.values():
            model.close()
        self._models.clear()
        self._scratch = None
        self._closed = True
        self.reset()

    # -- steps ------------------------------------------------------------------------------

    def _model(self, kind: str) -> TFLiteModel:
        if self._closed:
            raise RuntimeError("PersonSegmenter was closed; create a new one")
        model = self._models.get(kind)
        if model is None:
            model = TFLiteModel(
                _MODEL_NAMES[kind], num_threads=self.num_threads, burst_threads=self.burst_threads
            )
            self._models[kind] = model
        return model

    def _kind_for(self, width: int, height: int) -> str:
        if self.model_choice != "auto":
            return self.model_choice
        return "landscape" if width / height >= LANDSCAPE_MIN_ASPECT else "general"

    @staticmethod
    def _check_image(image: RGBImage) -> None:
        if image.ndim != 3 or image.shape[2] != 3 or image.dtype != np.uint8:
            raise InputError(
                f"expected an RGB uint8 image of shape (H, W, 3), got {image.dtype} {image.shape}; "
                "decode files with fitroom.imaging.decode_image"
            )
        if image.shape[0] < 2 or image.shape[1] < 2:
            raise InputError(f"image too small to segment: {image.shape[1]}×{image.shape[0]}")

    def selfie_probability(self, image: RGBImage, *, burst: bool = False) -> FloatArray:
        """The selfie model's person probability, (h, w) float32 at its output resolution.

        Thread-safe against the pose models (it uses only this segmenter's interpreters), so a
        stream can run it while the pose landmarks are found. ``burst``: on ``burst_threads``
        threads (the caller knows the other cores are idle).
        """
        h, w = image.shape[:2]
        model = self._model(self._kind_for(w, h))
        _, in_h, in_w, _ = model.input_shape
        # The model was trained on the whole frame stretched to its input (no letterbox).
        self.last_model = "landscape" if in_h < in_w else "general"
        x = shrink(image, (in_w, in_h))
        tensor = x.astype(np.float32)[None]
        tensor *= np.float32(1.0 / 255.0)
        out = model.run(tensor, burst=burst)[0]
        return np.ascontiguousarray(out[0, :, :, 0])

    def _fused_probability(
        self,
        image: RGBImage,
        poses: Sequence[Pose] | None,
        long_side: int,
        timings: dict[str, float],
        selfie: FloatArray | None = None,
    ) -> FloatArray:
        h, w = image.shape[:2]
        ww, wh = _work_size(w, h, long_side)
        t0 = time.perf_counter()
        if selfie is None:
            selfie = self.selfie_probability(image)
        t1 = time.perf_counter()
        timings["model"] = (t1 - t0) * 1e3
        prob: FloatArray = cv2.resize(selfie, (ww, wh), interpolation=cv2.INTER_LINEAR)
        if poses:
            own = [p.segmentation for p in poses if p.segmentation is not None]
            if own and self.pose_mask_weight > 0:
                # Several people: each pose mask covers its own person, so take the union.
                pose_prob = shrink(own[0], (ww, wh))
                for seg in own[1:]:
                    pose_prob = np.maximum(pose_prob, shrink(seg, (ww, wh)))
                k = fusion_pose_weight(prob, pose_prob, self.pose_mask_weight)
                prob = cv2.addWeighted(prob, 1.0 - k, pose_prob, k, 0.0)
            cv2.multiply(prob, pose_region_prior(poses, (wh, ww), ww / w), dst=prob)
        np.clip(prob, 0.0, 1.0, out=prob)
        timings["fusion"] = (time.perf_counter() - t1) * 1e3
        return prob

    def _smooth_in_time(self, work: FloatArray, timestamp_ms: int) -> FloatArray:
        previous, last_ts = self._previous, self._previous_timestamp_ms
        self._previous_timestamp_ms = timestamp_ms
        if (
            self.temporal_tau_ms <= 0
            or previous is None
            or last_ts is None
            or previous.shape != work.shape
            or timestamp_ms <= last_ts
        ):
            self._previous = work
            return work
        smoothed = smooth_in_time(previous, work, timestamp_ms - last_ts, self.temporal_tau_ms)
        self._previous = smoothed
        return smoothed

    def _refine(self, image: RGBImage, work: FloatArray, timings: dict[str, float]) -> FloatArray:
        t0 = time.perf_counter()
        h, w = image.shape[:2]
        wh, ww = work.shape
        if self._scratch is None or self._scratch.shape != (3, h, w):
            # Full-resolution scratch kept between calls: fresh 1 MB arrays cost more in page
            # faults than the arithmetic done in them.
            self._scratch = np.empty((3, h, w), np.float32)
        guide, a_full, b_full = self._scratch
        grey = cv2.cvtColor(image, cv2.COLOR_RGB2GRAY)
        radius = max(1, round(self.guided_radius * max(ww, wh) / 256))
        a, b = guided_filter_coefficients(shrink(grey, (ww, wh)), work, radius, self.guided_eps)
        np.multiply(grey, np.float32(1.0 / 255.0), out=guide)
        cv2.resize(a, (w, h), dst=a_full, interpolation=cv2.INTER_LINEAR)
        cv2.resize(b, (w, h), dst=b_full, interpolation=cv2.INTER_LINEAR)
        apply_guided_coefficients(guide, a_full, b_full, out=a_full)
        mask = np.clip(a_full, 0.0, 1.0)
        timings["refine"] = (time.perf_counter() - t0) * 1e3
        return mask
