"""Rough body-part map and soft skin mask from pose + person mask + a per-image skin-colour model.

(Over 500 lines: the four steps below run as one pass over the same small grid and share the
shape distance fields, the skin model and the head geometry; the steps are in reading order.)

How a pixel gets its label (images with a long side over :data:`DETAIL_LONG_SIDE` are first
halved until they fit; the result is upsampled and the boundary with the background always
follows the full-resolution person mask):

1. **Shapes from the pose** (on a small grid, long side :data:`PARTS_LONG_SIDE`): capsules for
   upper arms, forearms, hands, legs (thigh, shin, foot) and neck, a quadrilateral for the torso
   (hips pushed out to the flanks), the head as the union of a skull ellipse and a face ellipse.
   Limb radii start from body proportions (× :func:`~fitroom.vision.segmentation.body_size`) and
   are corrected by the person mask's distance transform sampled along the bone, within limits
   (an arm lying against the torso must not take the torso's width).
2. **Occlusion order.** A pixel inside several shapes takes the front-most: hands, forearms,
   upper arms, head, neck, torso, legs; an arm whose landmarks lie clearly behind the torso in
   depth (pose z) goes behind the torso. A person pixel inside no shape takes the shape whose
   surface is nearest (signed distance), so loose clothes and hair still get a part.
3. **Face and hair** (around the head only, at detail resolution): head pixels that look like
   skin and lie in the face zone (the face mesh's outline when a :class:`~fitroom.vision.core.Face`
   with landmarks is given, else an ellipse from the face landmarks) are FACE, the eyes, brows and
   mouth kept by a core zone; head pixels under the chin in the middle are NECK; the rest is HAIR.
   A Gaussian hair-colour model fitted to the top of the head then claims long hair lying on the
   shoulders and upper arms (above the shoulder line, beside the neck) where it is connected to
   the head's hair; below the shoulder line, on the chest, only what is clearly nearer the hair's
   colour than the top's (read below the chin, where hair does not fall).
4. **Skin.** :class:`SkinModel`, a Gaussian on (Cr, Cb) with a loose luma band, is fitted to the
   cheeks and nose (or, without a visible face, the backs of the hands or the chin), then refitted
   to the person's pixels it already calls skin (:func:`refine_skin_model`) so it covers the
   shading of arms and legs; :meth:`SkinModel.generic` stands in when nothing usable is seen or
   the samples do not look like skin at all (a chin disk that fell on a turtleneck). The grid's
   skin probability is upsampled with a guided filter (the image as guide) so thin arms keep
   their edges.

Left/right are the person's own sides (BlazePose's), so LEFT_* parts appear on the image's right
for a person facing the camera.

On the arms, skin is also judged against the torso's clothes (:func:`bare_limb_probability`):
a bare arm in another light than the face is still skin when it is nearer skin than the sleeve.

The module is longer than most (~970 lines): skin model, part shapes and their assembly are one
step whose pieces are tuned together; splitting the skin model out is a later change.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

import cv2
import numpy as np
import numpy.typing as npt

from fitroom.errors import InputError
from fitroom.vision.core import ARM_PARTS, HAND_PARTS, BodyPart, BodyParts, Face, PersonMask, Pose
from fitroom.vision.landmarks import PoseLandmark as L
from fitroom.vision.segmentation import (
    apply_guided_coefficients,
    body_size,
    guided_filter_coefficients,
    shrink,
)

FloatArray = npt.NDArray[np.float32]
RGBImage = npt.NDArray[np.uint8]
Points = npt.NDArray[np.float64]
Labels = npt.NDArray[np.uint8]

#: Long side of the grid on which parts are assigned.
PARTS_LONG_SIDE = 192

#: Images with a longer side are halved until they fit, analysed, and the result upsampled.
DETAIL_LONG_SIDE = 640

#: A landmark counts as seen (for colour sampling) when its visibility reaches this.
MIN_SAMPLE_VISIBILITY = 0.6

#: Squared chroma Mahalanobis distance under :meth:`SkinModel.generic` beyond which a fitted
#: model's mean is not skin (the samples fell on clothes or hair).
MAX_GENERIC_DISTANCE_SQ = 5.0


# --------------------------------------------------------------------------------------------
# Skin colour model.
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class SkinModel:
    """Skin colour of one person: a Gaussian on YCrCb chroma plus a loose luma band.

    Attributes:
        mean: (3,) float32 mean (Y, Cr, Cb), OpenCV's 8-bit YCrCb scale.
        chroma_inv_cov: (2, 2) float32 inverse covariance of (Cr, Cb).
        luma_std: spread of Y (shading varies a lot over a body, so it is used loosely).
        samples: number of pixels fitted (0 for the generic model).
        source: where the samples came from: "face", "hands", "face+hands" or "generic", with
            "+refined" appended once :func:`refine_skin_model` refitted it to the whole person.
    """

    mean: FloatArray
    chroma_inv_cov: FloatArray = field(repr=False)
    luma_std: float
    samples: int
    source: str

    def __post_init__(self) -> None:
        if self.mean.shape != (3,) or self.chroma_inv_cov.shape != (2, 2):
            raise ValueError(
                f"SkinModel: expected mean (3,) and chroma_inv_cov (2, 2), got "
                f"{self.mean.shape} and {self.chroma_inv_cov.shape}"
            )

    @classmethod
    def generic(cls) -> SkinModel:
        """A broad model of human skin chroma, for when the person shows no face or hands."""
        # Centre and spread of the classic Cr ∈ [133, 173], Cb ∈ [77, 127] skin box (Chai & Ngan).
        cov = np.diag([10.0**2, 12.0**2])
        return cls(
            mean=np.array([150.0, 153.0, 102.0], np.float32),
            chroma_inv_cov=np.linalg.inv(cov).astype(np.float32),
            luma_std=45.0,
            samples=0,
            source="generic",
        )

    def mahalanobis_sq(self, ycrcb: FloatArray) -> FloatArray:
        """Squared Mahalanobis distance in chroma of (..., 3) YCrCb pixels."""
        d_cr = ycrcb[..., 1] - self.mean[1]
        d_cb = ycrcb[..., 2] - self.mean[2]
        m = self.chroma_inv_cov
        out: FloatArray = (
            m[0, 0] * d_cr * d_cr + (2 * m[0, 1]) * d_cr * d_cb + m[1, 1] * d_cb * d_cb
        ).astype(np.float32, copy=False)
        return out

    def probability(self, ycrcb: FloatArray) -> FloatArray:
        """Soft skin probability in [0, 1] of (..., 3) YCrCb pixels (OpenCV 8-bit scale).

        0.5 at a chroma Mahalanobis distance of 3 (the fit trims its samples, so its spread is a
        little tight), 0.8 at 2.5, 0.17 at 3.5; pixels more than 3 luma spreads darker or
        brighter than the skin seen are damped, to 0 at 4 spreads.
        """
        logit = np.minimum((self.mahalanobis_sq(ycrcb) - np.float32(9.0)) * np.float32(0.5), 60)
        p = np.float32(1.0) / (np.float32(1.0) + np.exp(logit, dtype=np.float32))
        luma = np.abs(ycrcb[..., 0] - self.mean[0]) * np.float32(1.0 / max(self.luma_std, 1.0))
        p *= np.clip(np.float32(4.0) - luma, 0.0, 1.0)
        return p.astype(np.float32, copy=False)


_MAX_FIT_SAMPLES = 2000


def _quantile(values: FloatArray, q: float) -> float:
    """The q-quantile (nearest rank) of a 1-D array; np.partition is much cheaper than
    np.percentile on the few thousand values used here."""
    k = round(q * (values.shape[0] - 1))
    return float(np.partition(values, k)[k])


def fit_skin_model_to_pixels(ycrcb: FloatArray, source: str) -> SkinModel | None:
    """Fit a :class:`SkinModel` to (N, 3) YCrCb samples; None when fewer than 20 or not skin.

    Robust: the darkest and brightest 15% (eyes, brows, nostrils, highlights) are dropped, then
    the 80% nearest the median chroma are kept before the covariance is taken. The covariance's
    spread is kept between 2.5 units per axis (a flat-lit face must not give a needle-thin model)
    and 8 (wider means clothes got in). A fit whose mean is far from any human skin chroma (see
    :data:`MAX_GENERIC_DISTANCE_SQ`) is refused.
    """
    if ycrcb.shape[0] < 20:
        return None
    # A couple of thousand samples pin a 2-D Gaussian down; more only cost time.
    ycrcb = ycrcb[:: max(1, ycrcb.shape[0] // _MAX_FIT_SAMPLES)]
    y = ycrcb[:, 0]
    keep = ycrcb[(y >= _quantile(y, 0.15)) & (y <= _quantile(y, 0.85))]
    if keep.shape[0] < 20:
        keep = ycrcb
    chroma = keep[:, 1:]
    centre = np.array([_quantile(chroma[:, 0], 0.5), _quantile(chroma[:, 1], 0.5)], np.float32)
    dist = np.linalg.norm(chroma - centre, axis=1)
    keep = keep[dist <= _quantile(dist, 0.8)]
    mean = keep.mean(axis=0).astype(np.float32)
    if float(_GENERIC_SKIN.mahalanobis_sq(mean)) > MAX_GENERIC_DISTANCE_SQ:
        return None
    # Skin chroma clusters tightly; a spread beyond 8 units means the samples mixed in clothes.
    values, vectors = np.linalg.eigh(np.cov(keep[:, 1:].T.astype(np.float64)))
    values = np.clip(values + 2.5**2, 2.5**2, 8.0**2)
    cov = (vectors * values) @ vectors.T
    return SkinModel(
        mean=mean,
        chroma_inv_cov=np.linalg.inv(cov).astype(np.float32),
        luma_std=float(max(np.std(keep[:, 0]), 20.0)),
        samples=int(keep.shape[0]),
        source=source,
    )


_GENERIC_SKIN = SkinModel.generic()


def _to_ycrcb(rgb: npt.NDArray[np.uint8]) -> FloatArray:
    """(N, 3) RGB uint8 pixels → (N, 3) float32 YCrCb (OpenCV 8-bit scale)."""
    if rgb.shape[0] == 0:
        return np.zeros((0, 3), np.float32)
    out: FloatArray = (
        cv2.cvtColor(rgb.reshape(-1, 1, 3), cv2.COLOR_RGB2YCrCb).reshape(-1, 3).astype(np.float32)
    )
    return out


def _disk_samples(image: RGBImage, centres: list[Points], radius: float) -> FloatArray:
    """YCrCb values (N, 3) of the image pixels in disks around ``centres`` (inside the image)."""
    h, w = image.shape[:2]
    r = max(1, round(radius))
    dy, dx = np.mgrid[-r : r + 1, -r : r + 1]
    disk = dx * dx + dy * dy <= r * r
    offsets = np.stack([dx[disk], dy[disk]], axis=1)
    chunks = []
    for c in centres:
        pts = np.round(c).astype(np.int64) + offsets
        ok = (pts[:, 0] >= 0) & (pts[:, 0] < w) & (pts[:, 1] >= 0) & (pts[:, 1] < h)
        chunks.append(image[pts[ok, 1], pts[ok, 0]])
    return _to_ycrcb(np.concatenate(chunks) if chunks else np.zeros((0, 3), np.uint8))


def _seen(pose: Pose, *indices: int, shape: tuple[int, int]) -> bool:
    h, w = shape
    for i in indices:
        x, y = pose.landmarks[i, :2]
        if pose.landmarks[i, 3] < MIN_SAMPLE_VISIBILITY or not (0 <= x < w and 0 <= y < h):
            return False
    return True


def _face_samples(image: RGBImage, pose: Pose, face: Face | None) -> tuple[FloatArray, bool]:
    """Skin samples from the face and whether they are trustworthy (cheeks and nose seen)."""
    shape = image.shape[:2]
    xy = pose.xy.astype(np.float64)
    if face is not None:
        k = face.keypoints.astype(np.float64)
        right_eye, left_eye, nose, mouth = k[0], k[1], k[2], k[3]
        across = left_eye - right_eye
        centres = [
            nose,
            right_eye + 0.55 * (mouth - right_eye) - 0.15 * across,
            left_eye + 0.55 * (mouth - left_eye) + 0.15 * across,
        ]
        return _disk_samples(image, centres, 0.18 * float(np.linalg.norm(across))), True
    if _seen(pose, L.NOSE, L.LEFT_EYE, L.RIGHT_EYE, L.MOUTH_LEFT, L.MOUTH_RIGHT, shape=shape):
        across = xy[L.LEFT_EYE] - xy[L.RIGHT_EYE]
        centres = [
            xy[L.NOSE],
            xy[L.RIGHT_EYE] + 0.6 * (xy[L.MOUTH_RIGHT] - xy[L.RIGHT_EYE]) - 0.1 * across,
            xy[L.LEFT_EYE] + 0.6 * (xy[L.MOUTH_LEFT] - xy[L.LEFT_EYE]) + 0.1 * across,
        ]
        return _disk_samples(image, centres, 0.18 * float(np.linalg.norm(across))), True
    if _seen(pose, L.MOUTH_LEFT, L.MOUTH_RIGHT, shape=shape):
        # Photo cropped at the eyes: the chin below the mouth is often still skin (or a collar).
        mouth_width = float(np.linalg.norm(xy[L.MOUTH_LEFT] - xy[L.MOUTH_RIGHT]))
        mouth = (xy[L.MOUTH_LEFT] + xy[L.MOUTH_RIGHT]) / 2
        down = xy[L.LEFT_SHOULDER] + xy[L.RIGHT_SHOULDER] - 2 * mouth
        down /= max(float(np.linalg.norm(down)), 1e-6)
        centre = mouth + 0.7 * mouth_width * down
        return _disk_samples(image, [centre], 0.3 * mouth_width), False
    return np.zeros((0, 3), np.float32), False


def _hand_samples(image: RGBImage, pose: Pose) -> FloatArray:
    xy = pose.xy.astype(np.float64)
    chunks = [np.zeros((0, 3), np.float32)]
    for wrist, index, pinky in (
        (L.LEFT_WRIST, L.LEFT_INDEX, L.LEFT_PINKY),
        (L.RIGHT_WRIST, L.RIGHT_INDEX, L.RIGHT_PINKY),
    ):
        if _seen(pose, wrist, index, pinky, shape=image.shape[:2]):
            knuckles = (xy[index] + xy[pinky]) / 2
            size = float(np.linalg.norm(knuckles - xy[wrist]))
            chunks.append(_disk_samples(image, [(xy[wrist] + knuckles) / 2], 0.35 * size))
    return np.concatenate(chunks)


def fit_skin_model(image: RGBImage, pose: Pose, face: Face | None = None) -> SkinModel:
    """Learn the person's skin colour from their cheeks and nose, and hands when visible.

    Only a few hundred pixels are read (disks on the cheeks and nose, or the chin when the photo
    is cropped at the eyes, and the backs of the hands) at full resolution, so this is cheap even
    for large photos. A face seen from the front decides alone (:func:`refine_skin_model` later
    widens the model to the arms and legs). Otherwise hands are used: they hold things and chins
    hide behind collars, so hand pixels count only when they look like anybody's skin, and a
    chin-only model gives way to the hands' when the two disagree.

    Args:
        image: RGB uint8 (H, W, 3).
        pose: the person, landmarks in this image's pixels.
        face: optional face; its detector keypoints (eyes, nose, mouth) are more precise than the
            pose's and are preferred.

    Returns:
        The fitted model, or :meth:`SkinModel.generic` when no skin could be sampled.
    """
    face_pixels, trusted = _face_samples(image, pose, face)
    face_model = fit_skin_model_to_pixels(face_pixels, "face")
    if face_model is not None and trusted:
        return face_model
    hands = _hand_samples(image, pose)
    hands = hands[_GENERIC_SKIN.mahalanobis_sq(hands) < 4.0]
    hand_model = fit_skin_model_to_pixels(hands, "hands")
    if hand_model is None:
        return face_model if face_model is not None else _GENERIC_SKIN
    if face_model is not None and float(hand_model.mahalanobis_sq(face_model.mean)) < 9.0:
        pooled = fit_skin_model_to_pixels(np.concatenate([face_pixels, hands]), "face+hands")
        return pooled if pooled is not None else hand_model
    return hand_model


def refine_skin_model(model: SkinModel, ycrcb: FloatArray) -> SkinModel:
    """Refit ``model`` to the (N, 3) pixels it already calls skin (probability > 0.6).

    The face and hands are small samples under one light; the rest of the visible skin (arms,
    legs, neck) shows the person's full range of shading. The refit is refused (``model`` is
    returned) when fewer than 50 pixels qualify or its mean moves more than 2 spreads away.
    """
    ycrcb = ycrcb[:: max(1, ycrcb.shape[0] // (2 * _MAX_FIT_SAMPLES))]
    chosen = ycrcb[model.probability(ycrcb) > 0.6]
    if chosen.shape[0] < 50:
        return model
    refit = fit_skin_model_to_pixels(chosen, model.source + "+refined")
    if refit is None or float(model.mahalanobis_sq(refit.mean)) > 4.0:
        return model
    return refit


#: On the arms, a pixel this far (chroma spreads) from the skin model may still be bare skin, if
#: it is nearer the skin than the torso's clothes (see :func:`bare_limb_probability`).
LIMB_SKIN_DISTANCE = 4.5
_ARM_AND_HAND = np.array(sorted(int(p) for p in ARM_PARTS | HAND_PARTS), np.uint8)
if np.any(np.diff(_ARM_AND_HAND) != 1):
    raise AssertionError("the arms' and hands' labels must be consecutive (see _parts_at_detail)")


def clothes_colour(ycrcb: FloatArray) -> tuple[FloatArray, FloatArray] | None:
    """Mean and inverse covariance of the (N, 3) YCrCb pixels of the torso's clothes.

    Robust like the skin fit (the 80 % nearest the median colour); the spread is kept at least 6
    units in chroma and 15 in luma, so a plain tee does not give a needle-thin model. None with
    fewer than 50 pixels.
    """
    if ycrcb.shape[0] < 50:
        return None
    ycrcb = ycrcb[:: max(1, ycrcb.shape[0] // _MAX_FIT_SAMPLES)].astype(np.float64)
    centre = np.median(ycrcb, axis=0)
    dist = np.linalg.norm((ycrcb - centre) * (0.5, 1.0, 1.0), axis=1)
    keep = ycrcb[dist <= _quantile(dist.astype(np.float32), 0.8)]
    values, vectors = np.linalg.eigh(np.cov(keep.T) + np.diag([15.0**2, 6.0**2, 6.0**2]))
    inverse = (vectors / values) @ vectors.T
    return keep.mean(axis=0).astype(np.float32), inverse.astype(np.float32)


def bare_limb_probability(
    ycrcb: FloatArray,
    skin: SkinModel,
    clothes: tuple[FloatArray, FloatArray] | None,
    *,
    max_distance: float = LIMB_SKIN_DISTANCE,
) -> FloatArray:
    """Skin probability of (..., 3) YCrCb arm pixels, judged against the person's clothes.

    Bare arms are lit unlike the face the skin model was fitted on: shadowed forearms are far
    darker, sunlit upper arms paler (their chroma drifts towards grey).
    :meth:`SkinModel.probability` is strict there (3 chroma spreads, a luma band) because on the
    whole body it must not take beige clothes for skin. On an arm the alternative is the sleeve,
    usually of the torso's fabric: a pixel up to ``max_distance`` chroma spreads from the skin,
    at any luma, is skin when it is nearer the skin model than the torso's clothes colour (both
    as Mahalanobis distances).
    Without a clothes colour, :meth:`SkinModel.probability` is returned unchanged.
    """
    base = skin.probability(ycrcb)
    if clothes is None:
        return base
    mean, inverse = clothes
    delta = ycrcb - mean
    to_clothes = np.sqrt(np.einsum("...i,ij,...j->...", delta, inverse, delta))
    to_skin = np.sqrt(skin.mahalanobis_sq(ycrcb))
    near_skin = np.clip(max_distance - to_skin, 0.0, 1.0)
    nearer_skin = np.clip(to_clothes - to_skin, 0.0, 1.0)
    out: FloatArray = np.maximum(base, near_skin * nearer_skin).astype(np.float32, copy=False)
    return out


# --------------------------------------------------------------------------------------------
# Part shapes.
# --------------------------------------------------------------------------------------------

#: Limb radii as fractions of the body size (about the shoulder width), before the mask check.
_RADIUS = {
    "upper_arm": 0.14,
    "forearm": 0.11,
    "thigh": 0.28,
    "shin": 0.18,
    "foot": 0.12,
    "neck": 0.16,
}
#: How far the mask's distance transform may move a limb radius from its prior.
_RADIUS_RANGE = (0.7, 1.15)

# The whole head is labelled HAIR until _refine_head splits it into FACE, HAIR and NECK.
_HEAD = BodyPart.HAIR


@dataclass(frozen=True)
class HeadGeometry:
    """The head seen from the pose's face landmarks (pixels).

    Attributes:
        centre: centre of the skull ellipse (hair included).
        up: unit vector towards the top of the head.
        half_width, half_height: semi-axes of the skull ellipse.
        face_centre, face_half_width, face_half_height: the face zone (hairline to chin).
        core_centre, core_half_width, core_half_height: the inner face (brows to below the
            mouth), face even where it is not skin-coloured (eyes, brows, lips).
        chin: the chin point.
        eye_line: a point on the line through the eyes.
    """

    centre: Points
    up: Points
    half_width: float
    half_height: float
    face_centre: Points
    face_half_width: float
    face_half_height: float
    core_centre: Points
    core_half_width: float
    core_half_height: float
    chin: Points
    eye_line: Points


def head_geometry(xy: Points) -> HeadGeometry:
    """Head ellipse, face zone and chin from the pose's landmarks 0-10 (any pixel scale)."""
    size = body_size(xy)
    eye_mid = (xy[L.LEFT_EYE] + xy[L.RIGHT_EYE]) / 2
    mouth_mid = (xy[L.MOUTH_LEFT] + xy[L.MOUTH_RIGHT]) / 2
    ear_mid = (xy[L.LEFT_EAR] + xy[L.RIGHT_EAR]) / 2
    up = eye_mid - mouth_mid
    eye_mouth = float(np.linalg.norm(up))
    if eye_mouth < 1e-6:
        up = np.array([0.0, -1.0])
        eye_mouth = 0.1 * size
    up = up / np.linalg.norm(up)
    ear_width = float(np.linalg.norm(xy[L.LEFT_EAR] - xy[L.RIGHT_EAR]))
    # In profile the ears overlap; the eye–mouth distance (≈ 1/3 of the face) still gives size.
    head_width = max(ear_width * 1.15, 2.3 * eye_mouth, 0.3 * size)
    face_half_width = max(0.5 * ear_width, 1.25 * eye_mouth)
    # In eye–mouth units e from the eyes, up positive: hairline ≈ +1.6, brows ≈ +0.5,
    # mouth −1, chin ≈ −1.9.
    return HeadGeometry(
        # The skull's centre is about level with the ears, a little above the eyes.
        centre=(ear_mid + eye_mid) / 2 + up * 0.35 * eye_mouth,
        up=up,
        half_width=0.55 * head_width,
        half_height=0.75 * head_width,
        face_centre=eye_mid - up * 0.15 * eye_mouth,
        face_half_width=face_half_width,
        face_half_height=1.75 * eye_mouth,
        core_centre=eye_mid - up * 0.4 * eye_mouth,
        core_half_width=0.85 * face_half_width,
        core_half_height=0.95 * eye_mouth,
        chin=mouth_mid - up * 0.9 * eye_mouth,
        eye_line=eye_mid,
    )


def _capsules_sdf(
    capsules: list[tuple[Points, Points, float]], shape: tuple[int, int], reach: float
) -> tuple[tuple[slice, slice], FloatArray] | None:
    """Signed distance to a union of capsules (a, b, radius), on their box grown by ``reach``.

    Rows and columns broadcast, so most operations are on vectors. Returns the box (as slices
    of the grid) and the distances in it, or None when the box misses the grid.
    """
    h, w = shape
    ends = np.array([p for a, b, _ in capsules for p in (a, b)])
    grow = reach + max(r for *_, r in capsules)
    x0 = max(0, math.floor(float(ends[:, 0].min()) - grow))
    x1 = min(w, math.ceil(float(ends[:, 0].max()) + grow) + 1)
    y0 = max(0, math.floor(float(ends[:, 1].min()) - grow))
    y1 = min(h, math.ceil(float(ends[:, 1].max()) + grow) + 1)
    if x1 <= x0 or y1 <= y0:
        return None
    xs = np.arange(x0, x1, dtype=np.float32)
    ys = np.arange(y0, y1, dtype=np.float32)
    best: FloatArray | None = None
    for a, b, radius in capsules:
        ux, uy = np.float32(b[0] - a[0]), np.float32(b[1] - a[1])
        inv_length_sq = np.float32(1.0) / max(ux * ux + uy * uy, np.float32(1e-6))
        dx = xs - np.float32(a[0])
        dy = ys - np.float32(a[1])
        t = (dy * (uy * inv_length_sq))[:, None] + (dx * (ux * inv_length_sq))[None, :]
        np.minimum(np.maximum(t, 0.0, out=t), 1.0, out=t)
        px: FloatArray = (dx[None, :] - t * ux).astype(np.float32, copy=False)
        py: FloatArray = (dy[:, None] - t * uy).astype(np.float32, copy=False)
        px *= px
        py *= py
        px += py
        np.sqrt(px, out=px)
        px -= np.float32(radius)
        if best is None:
            best = px
        else:
            np.minimum(best, px, out=best)
    assert best is not None
    return (slice(y0, y1), slice(x0, x1)), best


def _mask_radius(inner: FloatArray, a: Points, b: Points, prior: float) -> float:
    """Limb radius from the mask's distance transform along the bone, near ``prior``."""
    h, w = inner.shape
    samples = []
    for t in (0.3, 0.5, 0.7):
        x, y = a + t * (b - a)
        if 0 <= x < w and 0 <= y < h:
            samples.append(float(inner[int(y), int(x)]))
    if not samples:
        return prior
    lo, hi = _RADIUS_RANGE
    median = sorted(samples)[len(samples) // 2]
    return min(max(median, lo * prior), hi * prior)


def ellipse_sdf(
    X: FloatArray, Y: FloatArray, centre: Points, up: Points, half_width: float, half_height: float
) -> FloatArray:
    """Approximate signed distance (pixels) to a rotated ellipse, negative inside.

    ``up`` is the unit direction of the ``half_height`` axis.
    """
    dx = X - np.float32(centre[0])
    dy = Y - np.float32(centre[1])
    along = (dx * np.float32(up[0]) + dy * np.float32(up[1])) * np.float32(1.0 / half_height)
    across = (dy * np.float32(up[0]) - dx * np.float32(up[1])) * np.float32(1.0 / half_width)
    rho = np.sqrt(along * along + across * across)
    out: FloatArray = (rho - np.float32(1.0)) * np.float32(min(half_width, half_height))
    return out


def _polygon_sdf(shape: tuple[int, int], polygon: Points) -> FloatArray:
    """Signed distance to a filled convex polygon on the grid, negative inside."""
    pts = np.round(np.clip(polygon, -4096, 8192) * 16).astype(np.int32).reshape(-1, 1, 2)
    inside = np.zeros(shape, np.uint8)
    cv2.fillConvexPoly(inside, pts, 1, cv2.LINE_8, 4)
    outside_distance = cv2.distanceTransform(1 - inside, cv2.DIST_L2, 3)
    inside_distance = cv2.distanceTransform(inside, cv2.DIST_L2, 3)
    out: FloatArray = outside_distance - inside_distance
    return out


def assign_parts(xy: Points, z: npt.NDArray[np.float64], inner: FloatArray) -> Labels:
    """Label every grid pixel with a part: the front-most shape containing it, else the shape
    whose surface is nearest (signed distances in grid pixels).

    Shapes are painted from back to front (legs, torso, neck, head, upper arms, forearms,
    hands): a pixel inside the new shape takes it; a pixel inside no shape so far takes it when
    its surface is nearer than the best so far. Limb, hand and neck capsules are evaluated only
    within 0.6 body sizes of their bones (farther, the torso or another part is nearer anyway).

    Args:
        xy: (33, 2) landmarks in grid pixels; z: (33,) depths on the same scale.
        inner: (h, w) float32 distance transform of the person mask on the grid.

    Returns:
        (h, w) uint8 :class:`BodyPart` labels; the whole head is ``HAIR`` (split later).
    """
    h, w = inner.shape
    size = body_size(xy)
    reach = 0.6 * size
    labels = np.zeros((h, w), np.uint8)
    best = np.full((h, w), np.inf, np.float32)
    everywhere = (slice(0, h), slice(0, w))

    def paint(part: BodyPart, region: tuple[slice, slice], distance: FloatArray) -> None:
        part_labels, part_best = labels[region], best[region]
        inside = distance < 0
        part_labels[inside] = part
        part_best[inside] = -np.inf
        nearer = distance < part_best
        part_labels[nearer] = part
        np.copyto(part_best, distance, where=nearer)

    def limb(a: Points, b: Points, kind: str) -> tuple[Points, Points, float]:
        return a, b, _mask_radius(inner, a, b, _RADIUS[kind] * size)

    torso = np.array(
        [
            xy[L.LEFT_SHOULDER],
            xy[L.RIGHT_SHOULDER],
            # Hips pushed out to the flanks (hip joints sit inside the pelvis).
            xy[L.RIGHT_HIP] - 0.3 * (xy[L.LEFT_HIP] - xy[L.RIGHT_HIP]),
            xy[L.LEFT_HIP] + 0.3 * (xy[L.LEFT_HIP] - xy[L.RIGHT_HIP]),
        ]
    )
    torso_sdf = _polygon_sdf((h, w), torso)
    head = head_geometry(xy)
    shoulder_mid = (xy[L.LEFT_SHOULDER] + xy[L.RIGHT_SHOULDER]) / 2
    body_up = shoulder_mid - (xy[L.LEFT_HIP] + xy[L.RIGHT_HIP]) / 2
    body_up /= max(float(np.linalg.norm(body_up)), 1e-6)
    neck_radius = _RADIUS["neck"] * size
    # Arms clearly behind the torso in depth (pose z) go behind it in the occlusion order.
    torso_z = float(np.mean(z[[L.LEFT_SHOULDER, L.RIGHT_SHOULDER, L.LEFT_HIP, L.RIGHT_HIP]]))

    def paint_capsules(part: BodyPart, capsules: list[tuple[Points, Points, float]]) -> None:
        found = _capsules_sdf(capsules, (h, w), reach)
        if found is None:
            return
        region, distance = found
        side = part.name.split("_")[0]
        if side in ("LEFT", "RIGHT") and part not in (BodyPart.LEFT_LEG, BodyPart.RIGHT_LEG):
            arm_z = float(np.mean(z[[L[f"{side}_ELBOW"], L[f"{side}_WRIST"]]]))
            if arm_z > torso_z + 0.25 * size:
                np.maximum(distance, -torso_sdf[region], out=distance)
        paint(part, region, distance)

    for side in ("LEFT", "RIGHT"):
        hip, knee, ankle, foot = (
            xy[L[f"{side}_{n}"]] for n in ("HIP", "KNEE", "ANKLE", "FOOT_INDEX")
        )
        paint_capsules(
            BodyPart[f"{side}_LEG"],
            [limb(hip, knee, "thigh"), limb(knee, ankle, "shin"), limb(ankle, foot, "foot")],
        )
    paint(BodyPart.TORSO, everywhere, torso_sdf)
    # The neck stops a radius above the shoulder line so its round end stays off the chest.
    neck_bottom = shoulder_mid + body_up * neck_radius
    paint_capsules(BodyPart.NECK, [(head.chin, neck_bottom, neck_radius)])
    # The head is the skull (hair included) and the face down to the chin.
    X = np.arange(w, dtype=np.float32)[None, :]
    Y = np.arange(h, dtype=np.float32)[:, None]
    head_sdf = np.minimum(
        ellipse_sdf(X, Y, head.centre, head.up, head.half_width, head.half_height),
        ellipse_sdf(X, Y, head.face_centre, head.up, head.face_half_width, head.face_half_height),
    )
    paint(_HEAD, everywhere, head_sdf)
    for segment in ("UPPER_ARM", "FOREARM"):
        for side in ("RIGHT", "LEFT"):
            a, b = (
                (xy[L[f"{side}_SHOULDER"]], xy[L[f"{side}_ELBOW"]])
                if segment == "UPPER_ARM"
                else (xy[L[f"{side}_ELBOW"]], xy[L[f"{side}_WRIST"]])
            )
            paint_capsules(BodyPart[f"{side}_{segment}"], [limb(a, b, segment.lower())])
    for side in ("RIGHT", "LEFT"):
        wrist = xy[L[f"{side}_WRIST"]]
        knuckles = (xy[L[f"{side}_INDEX"]] + xy[L[f"{side}_PINKY"]]) / 2
        palm = float(np.linalg.norm(knuckles - wrist))
        # Fingers reach about as far past the knuckles again as the knuckles are from the wrist.
        hand = (
            wrist + 0.2 * (knuckles - wrist),
            wrist + 1.8 * (knuckles - wrist),
            max(0.55 * palm, 0.05 * size),
        )
        paint_capsules(BodyPart[f"{side}_HAND"], [hand])
    return labels


# --------------------------------------------------------------------------------------------
# Face and hair, at full resolution around the head.
# --------------------------------------------------------------------------------------------


def _fit_gaussian(samples: FloatArray, floor: float) -> tuple[FloatArray, FloatArray] | None:
    """Mean and inverse covariance (with a per-axis floor) of (N, C) samples; None if N < 30."""
    if samples.shape[0] < 30:
        return None
    mean = samples.mean(axis=0)
    cov = np.cov(samples.T.astype(np.float64)) + np.eye(samples.shape[1]) * floor**2
    return mean.astype(np.float32), np.linalg.inv(cov).astype(np.float32)


_HAIR_CAN_COVER = np.zeros(256, bool)
# Not the neck: what matches the hair colour right under the head is usually a collar.
for _part in (BodyPart.TORSO, BodyPart.LEFT_UPPER_ARM, BodyPart.RIGHT_UPPER_ARM):
    _HAIR_CAN_COVER[int(_part)] = True


def _top_colour(
    image: RGBImage, labels: Labels, mask: FloatArray, shoulder_y: int, depth: int
) -> tuple[FloatArray, FloatArray] | None:
    """The colour model (YCrCb mean, inverse covariance) of what covers the torso in the
    ``depth`` rows below ``shoulder_y`` (the top, where no hair falls), or None."""
    y0, y1 = max(0, shoulder_y), min(labels.shape[0], shoulder_y + max(4, depth))
    if y1 <= y0:
        return None
    torso = (labels[y0:y1] == BodyPart.TORSO) & (mask[y0:y1] > 0.5)
    # (Every other row and column: a mean and a covariance need no more.)
    torso[1::2] = False
    torso[:, 1::2] = False
    if int(torso.sum()) < 50:
        return None
    samples = _to_ycrcb(image[y0:y1][torso])
    return _fit_gaussian(samples[:: max(1, samples.shape[0] // _MAX_FIT_SAMPLES)], floor=6.0)


def _refine_head(
    image: RGBImage,
    labels: Labels,
    skin: FloatArray,
    mask: FloatArray,
    pose: Pose,
    face: Face | None,
    model: SkinModel,
) -> None:
    """Split the head into FACE and HAIR and extend HAIR over the shoulders, in place.

    Works at full resolution on the head's bounding box, then on the band between the head and
    the shoulder line for long hair.
    """
    H, W = labels.shape
    xy = pose.xy.astype(np.float64)
    head = head_geometry(xy)
    shoulder_y = float(max(xy[L.LEFT_SHOULDER, 1], xy[L.RIGHT_SHOULDER, 1]))
    # Search box: the head ellipse, widened and lowered to reach long hair on the shoulders.
    reach_x = 2.2 * head.half_width
    x0 = min(max(math.floor(head.centre[0] - reach_x), 0), W)
    x1 = min(max(math.ceil(head.centre[0] + reach_x), 0), W)
    y0 = min(max(math.floor(head.centre[1] - 2.0 * head.half_height), 0), H)
    y1 = min(max(math.ceil(max(head.centre[1] + 1.2 * head.half_height, shoulder_y)), 0), H)
    if x1 - x0 < 2 or y1 - y0 < 2:
        return
    in_head = labels[y0:y1, x0:x1] == _HEAD
    rows = np.flatnonzero(in_head.any(axis=1))
    cols = np.flatnonzero(in_head.any(axis=0))
    if rows.size == 0:
        return
    # The head's own box, in image coordinates.
    hy0, hy1 = y0 + int(rows[0]), y0 + int(rows[-1]) + 1
    hx0, hx1 = x0 + int(cols[0]), x0 + int(cols[-1]) + 1
    head_labels = labels[hy0:hy1, hx0:hx1]
    is_head = head_labels == _HEAD
    ycrcb = cv2.cvtColor(image[hy0:hy1, hx0:hx1], cv2.COLOR_RGB2YCrCb).astype(np.float32)
    head_mask = mask[hy0:hy1, hx0:hx1]
    probability = model.probability(ycrcb)
    # Full-resolution skin on the head, where the face and hair edges need it.
    np.copyto(skin[hy0:hy1, hx0:hx1], probability, where=is_head)
    probability *= head_mask
    X = np.arange(hx0, hx1, dtype=np.float32)[None, :]
    Y = np.arange(hy0, hy1, dtype=np.float32)[:, None]
    zone_sdf = ellipse_sdf(
        X, Y, head.face_centre, head.up, head.face_half_width, head.face_half_height
    )
    zone = zone_sdf < 0
    if face is not None and face.landmarks is not None:
        pts = np.round((face.landmarks[:, :2] - (hx0, hy0)) * 16).astype(np.int32)
        outline = np.zeros(is_head.shape, np.uint8)
        cv2.fillConvexPoly(outline, cv2.convexHull(pts), 1, cv2.LINE_8, 4)
        zone = outline.astype(bool)
    # Eyes, brows and lips are not skin-coloured but are face: a core zone keeps them.
    core = (
        ellipse_sdf(X, Y, head.core_centre, head.up, head.core_half_width, head.core_half_height)
        < 0
    )
    is_face = (is_head & zone & ((probability > 0.35) | core)).astype(np.uint8)
    # Close small gaps (eye whites, shadows) inside the face.
    k = max(3, int(0.12 * head.face_half_width) | 1)
    kernel = cv2.getStructuringElement(cv2.MORPH_ELLIPSE, (k, k))
    face_px = (cv2.morphologyEx(is_face, cv2.MORPH_CLOSE, kernel) > 0) & is_head & zone
    head_labels[face_px] = BodyPart.FACE
    # What is left is hair, except under the chin in the middle: the throat or a collar.
    dx = X - np.float32(head.chin[0])
    dy = Y - np.float32(head.chin[1])
    under_chin = (dx * np.float32(head.up[0]) + dy * np.float32(head.up[1]) < 0) & (
        np.abs(dx * np.float32(head.up[1]) - dy * np.float32(head.up[0]))
        < np.float32(0.8 * head.face_half_width)
    )
    throat = is_head & ~face_px & under_chin
    head_labels[throat] = BodyPart.NECK
    hair = is_head & ~face_px & ~throat  # already labelled HAIR (the head's placeholder)

    # Long hair: a colour model of the hair above the eyes claims connected pixels of the torso
    # and upper arms down to the shoulder line.
    above_eyes = (X - np.float32(head.eye_line[0])) * np.float32(head.up[0]) + (
        Y - np.float32(head.eye_line[1])
    ) * np.float32(head.up[1]) > 0
    top_hair = hair & above_eyes & (probability < 0.3) & (head_mask > 0.5)
    samples = ycrcb[top_hair]
    fit = _fit_gaussian(samples[:: max(1, samples.shape[0] // _MAX_FIT_SAMPLES)], floor=6.0)
    band_y1 = min(y1, int(np.ceil(shoulder_y)))
    if fit is None or band_y1 <= hy0:
        return
    _claim_hair_above_shoulders(
        image, labels, mask, model, fit, head, (x0, hy0, x1, band_y1), hy1 - hy0
    )
    _claim_hair_below_shoulders(image, labels, mask, model, fit, head, (x0, hy0, x1), band_y1)


def _claim_hair_above_shoulders(
    image: RGBImage,
    labels: Labels,
    mask: FloatArray,
    model: SkinModel,
    fit: tuple[FloatArray, FloatArray],
    head: HeadGeometry,
    box: tuple[int, int, int, int],
    head_height: int,
) -> None:
    """Label HAIR, in place, the torso and upper-arm pixels of ``box`` (x0, y0, x1, y1: from
    the head's top to the shoulder line) that match the hair's colour model ``fit`` and are
    connected to the head's hair (``head_height``: the head's height in pixels)."""
    x0, hy0, x1, band_y1 = box
    mean, inv_cov = fit
    band = labels[hy0:band_y1, x0:x1]
    candidate = _HAIR_CAN_COVER[band]
    # Hair falls beside the neck onto the shoulders; straight below the chin and below the
    # shoulder line it is more often a dark top that matches dark hair, so those are left out.
    BX = np.arange(x0, x1, dtype=np.float32)[None, :] - np.float32(head.chin[0])
    BY = np.arange(hy0, band_y1, dtype=np.float32)[:, None] - np.float32(head.chin[1])
    across = np.abs(BX * np.float32(head.up[1]) - BY * np.float32(head.up[0]))
    below_chin = BX * np.float32(head.up[0]) + BY * np.float32(head.up[1]) < 0
    candidate &= ~(below_chin & (across < np.float32(1.2 * head.face_half_width)))
    cy, cx = np.nonzero(candidate)
    if cy.size == 0:
        return
    colours = _to_ycrcb(image[cy + hy0, cx + x0])
    d = colours - mean
    d_hair = ((d @ inv_cov) * d).sum(axis=1)
    hair_like = d_hair < 9.0
    hair_like &= model.probability(colours) * mask[cy + hy0, cx + x0] < 0.5
    top = _top_colour(image, labels, mask, band_y1, head_height)
    if top is not None:
        # Dark hair on a dark top: the hair's colour model claims the top's shoulders too (a
        # block as wide as the search band, left in front of every new garment). What is at
        # least as near to the top's own colour (read below the shoulder line) is the top.
        t = colours - top[0]
        d_top = ((t @ top[1]) * t).sum(axis=1)
        hair_like &= d_hair < d_top
    _claim_joined_to_hair(band, cy[hair_like], cx[hair_like])


def _claim_joined_to_hair(band: Labels, cy: npt.NDArray[np.intp], cx: npt.NDArray[np.intp]) -> None:
    """Label HAIR, in place, the pixels (``cy``, ``cx``) of ``band`` that are joined (8-connected,
    through one another) to its HAIR pixels."""
    if cy.size == 0:
        return
    grown = np.zeros(band.shape, np.uint8)
    band_hair = band == BodyPart.HAIR
    grown[band_hair] = 1
    grown[cy, cx] = 1
    count, components = cv2.connectedComponents(grown, connectivity=8)
    touching = np.zeros(count, bool)
    touching[components[band_hair]] = True
    touching[0] = False
    claimed = touching[components[cy, cx]]
    band[cy[claimed], cx[claimed]] = BodyPart.HAIR


#: How far below the shoulder line long hair is looked for, in the skull's half-heights (hair
#: lying on the chest of the shared pairs reaches about 2.2).
HAIR_BELOW_SHOULDERS = 3.0

#: Below the shoulder line a pixel is hair only when its squared colour distance to the hair is
#: under this share of its distance to the top (read straight below the chin, where hair does
#: not fall): there, a top of the hair's colour is far more common than hair.
HAIR_OVER_TOP = 0.5


def _claim_hair_below_shoulders(
    image: RGBImage,
    labels: Labels,
    mask: FloatArray,
    model: SkinModel,
    fit: tuple[FloatArray, FloatArray],
    head: HeadGeometry,
    box: tuple[int, int, int],
    shoulder_row: int,
) -> None:
    """Label HAIR, in place, long hair lying on the chest and upper arms below the shoulder
    line (row ``shoulder_row``; ``box``: x0, the head's top row, x1).

    A pixel is hair when it matches the hair's colour model ``fit``, is not skin, is clearly
    nearer the hair than the top (:data:`HAIR_OVER_TOP`; the top's colour is read below the chin,
    between the strands that fall beside the neck) and is connected to the head's hair. The
    path may run through the neck's shape beside the throat (the pose's neck is wide and the
    hair falls over its sides). Left out, the new garment was drawn over the hair lying on the
    shoulders.
    """
    x0, y0, x1 = box
    y1 = min(labels.shape[0], round(shoulder_row + HAIR_BELOW_SHOULDERS * head.half_height))
    if y1 - shoulder_row < 2 or x1 - x0 < 2:
        return
    band = labels[y0:y1, x0:x1]
    inside = mask[y0:y1, x0:x1] > 0.5
    bx = np.arange(x0, x1, dtype=np.float32)[None, :] - np.float32(head.chin[0])
    by = np.arange(y0, y1, dtype=np.float32)[:, None] - np.float32(head.chin[1])
    across = np.abs(bx * np.float32(head.up[1]) - by * np.float32(head.up[0]))
    below_chin = bx * np.float32(head.up[0]) + by * np.float32(head.up[1]) < 0
    # (The throat and the collar below it, narrower than the face: hair falls beside them.)
    middle = below_chin & (across < np.float32(0.8 * head.face_half_width))
    pixels = image[y0:y1, x0:x1]
    top_px = (band == BodyPart.TORSO) & inside & (across < np.float32(0.6 * head.face_half_width))
    top_px[: shoulder_row - y0] = False
    top_px[1::2] = False
    top_px[:, 1::2] = False
    top_samples = _to_ycrcb(pixels[top_px])
    top_samples = top_samples[model.probability(top_samples) < 0.5]
    top = _fit_gaussian(top_samples[:: max(1, top_samples.shape[0] // _MAX_FIT_SAMPLES)], 6.0)
    if top is None:
        return
    candidate = (_HAIR_CAN_COVER[band] | (band == BodyPart.NECK)) & inside & ~middle
    cy, cx = np.nonzero(candidate)
    if cy.size == 0:
        return
    colours = _to_ycrcb(pixels[cy, cx])
    d = colours - fit[0]
    d_hair = ((d @ fit[1]) * d).sum(axis=1)
    t = colours - top[0]
    d_top = ((t @ top[1]) * t).sum(axis=1)
    hair_like = (d_hair < 9.0) & (d_hair < HAIR_OVER_TOP * d_top)
    # Fair hair is close to skin in colour (the skin model calls blond strands skin): on the
    # top, what matches the hair and not the top is hair; on the neck's shape, where bare skin
    # is the rule, only what the hair's model fits better than the skin's.
    skin_like = model.probability(colours) >= 0.5
    skin_like &= d_hair >= model.mahalanobis_sq(colours)
    hair_like &= ~(skin_like & (band[cy, cx] == BodyPart.NECK))
    _claim_joined_to_hair(band, cy[hair_like], cx[hair_like])


# --------------------------------------------------------------------------------------------
# Public function.
# --------------------------------------------------------------------------------------------


def body_parts(
    image: RGBImage,
    pose: Pose,
    person_mask: PersonMask,
    face: Face | None = None,
    *,
    long_side: int = PARTS_LONG_SIDE,
    detail_long_side: int = DETAIL_LONG_SIDE,
) -> BodyParts:
    """The rough body-part map and soft skin mask of one person.

    Args:
        image: RGB uint8 (H, W, 3).
        pose: the person's pose, landmarks in this image's pixels.
        person_mask: (H, W) soft mask; exactly the pixels above 0.5 get a part.
        face: optional face of the same person; its mesh outline (when present) marks the face
            and its keypoints seed the skin model.
        long_side: long side of the grid on which the parts are assigned.
        detail_long_side: images larger than this are halved until they fit, analysed there
            (face/hair split, skin edges) and the result upsampled; the boundary with the
            background always follows the full-resolution mask.

    Returns:
        :class:`BodyParts`: labels (H, W) uint8 of :class:`BodyPart` (BACKGROUND outside the
        mask), skin (H, W) float32 in [0, 1] (0 on hair and outside the mask).
    """
    if image.ndim != 3 or image.shape[2] != 3 or image.dtype != np.uint8:
        raise InputError(f"expected an RGB uint8 image (H, W, 3), got {image.dtype} {image.shape}")
    H, W = image.shape[:2]
    mask = person_mask.mask
    if mask.shape != (H, W):
        raise InputError(f"person mask shape {mask.shape} must match the image's {(H, W)}")
    inside = cv2.compare(mask, 0.5, cv2.CMP_GT)
    if cv2.countNonZero(inside) == 0:
        return BodyParts(labels=np.zeros((H, W), np.uint8), skin=np.zeros((H, W), np.float32))
    # Large images are halved (Gaussian pyramid: fast and clean) until they fit the detail size
    # (unless that loses the whole mask, as a few scattered pixels would be).
    detail_image, detail_mask = image, mask
    while max(detail_image.shape[:2]) > detail_long_side:
        detail_image, detail_mask = cv2.pyrDown(detail_image), cv2.pyrDown(detail_mask)
    if detail_image is not image and cv2.countNonZero(cv2.compare(detail_mask, 0.5, cv2.CMP_GT)):
        dh, dw = detail_image.shape[:2]
        sx, sy = dw / W, dh / H
        labels, skin = _parts_at_detail(
            detail_image,
            pose.scaled(sx, sy),
            detail_mask,
            None if face is None else _scaled_face(face, sx, sy),
            long_side,
        )
        labels = cv2.resize(labels, (W, H), interpolation=cv2.INTER_NEAREST)
        skin = cv2.resize(skin, (W, H), interpolation=cv2.INTER_LINEAR)
    else:
        labels, skin = _parts_at_detail(image, pose, mask, face, long_side)
    cv2.bitwise_and(labels, inside, dst=labels)
    missing = cv2.countNonZero(inside) - cv2.countNonZero(labels)
    if missing:
        # Mask pixels the (coarser) part map did not reach take a neighbour's part.
        _fill_missing(labels, inside)
    np.minimum(skin, mask, out=skin)
    np.copyto(skin, np.float32(0.0), where=labels == BodyPart.HAIR)
    return BodyParts(labels=labels, skin=skin)


def _fill_missing(labels: Labels, inside: Labels) -> None:
    """In place: mask pixels without a part take their neighbours' (largest) part, growing up
    to 64 pixels; any left over become torso."""
    missing = ((labels == BodyPart.BACKGROUND) & (inside > 0)).view(np.uint8)
    x, y, w, h = cv2.boundingRect(missing)
    if w == 0 or h == 0:
        return
    # Only missing pixels change, and each step reads one pixel around them: the work is
    # confined to their box grown by one pixel, with the same result as on the whole frame.
    H, W = labels.shape
    x0, y0, x1, y1 = max(0, x - 1), max(0, y - 1), min(W, x + w + 1), min(H, y + h + 1)
    kernel = np.ones((3, 3), np.uint8)
    left = cv2.countNonZero(missing)
    for _ in range(64):
        crop = labels[y0:y1, x0:x1]
        todo = missing[y0:y1, x0:x1]
        cv2.copyTo(cv2.dilate(crop, kernel), todo, crop)
        # Still missing: inside and no part yet. The box shrinks to them as they fill. (todo
        # holds 0 or 1, the comparison 0 or 255: their bitwise and is the logical one.)
        cv2.bitwise_and(todo, cv2.compare(crop, int(BodyPart.BACKGROUND), cv2.CMP_EQ), todo)
        was, left = left, cv2.countNonZero(todo)
        if left == 0:
            return
        if left == was:
            # No part reached a missing pixel in this step, so none will in the next ones
            # (parts spread only through missing pixels): the rest are islands no part
            # touches. Stopping here saves the steps up to 64, each over the box they keep
            # large (35 such pixels made 64 steps over 376×475 pixels of a test photo).
            break
        x, y, w, h = cv2.boundingRect(todo)
        x, y = x + x0, y + y0
        x0, y0, x1, y1 = max(0, x - 1), max(0, y - 1), min(W, x + w + 1), min(H, y + h + 1)
    crop = labels[y0:y1, x0:x1]
    crop[missing[y0:y1, x0:x1] > 0] = BodyPart.TORSO


def _scaled_face(face: Face, sx: float, sy: float) -> Face:
    x0, y0, x1, y1 = face.box
    scale = np.array([sx, sy], np.float32)
    landmarks = None
    if face.landmarks is not None:
        landmarks = face.landmarks.copy()
        landmarks[:, :2] *= scale
        landmarks[:, 2] *= (sx + sy) / 2
    return Face(
        box=(x0 * sx, y0 * sy, x1 * sx, y1 * sy),
        score=face.score,
        keypoints=(face.keypoints * scale).astype(np.float32),
        landmarks=landmarks,
        expression=face.expression,
    )


def _parts_at_detail(
    image: RGBImage, pose: Pose, mask: FloatArray, face: Face | None, long_side: int
) -> tuple[Labels, FloatArray]:
    """Labels (H, W) near the mask (not yet cut by it) and raw skin probability (H, W)."""
    H, W = image.shape[:2]
    scale = min(1.0, long_side / max(H, W))
    gw, gh = max(1, round(W * scale)), max(1, round(H * scale))
    sx, sy = gw / W, gh / H
    # Work at this resolution is confined to the person's box (grown a little): fresh
    # full-frame float arrays cost more in page faults than the arithmetic done in them.
    near = cv2.dilate(cv2.compare(mask, 0.5, cv2.CMP_GT), np.ones((3, 3), np.uint8))
    bx, by, bw, bh = cv2.boundingRect(near)
    labels_full = np.zeros((H, W), np.uint8)
    skin_full = np.zeros((H, W), np.float32)
    if bw == 0 or bh == 0:
        return labels_full, skin_full
    small_mask = shrink(mask, (gw, gh))
    binary = (small_mask > 0.5).astype(np.uint8)
    small = shrink(image, (gw, gh))
    model = fit_skin_model(image, pose, face)
    x0, x1 = max(0, int(bx * sx) - 1), min(gw, math.ceil((bx + bw) * sx) + 1)
    y0, y1 = max(0, int(by * sy) - 1), min(gh, math.ceil((by + bh) * sy) + 1)
    inner = cv2.distanceTransform(binary[y0:y1, x0:x1], cv2.DIST_L2, 3)
    # Far off-frame guesses are clipped so fixed-point drawing cannot overflow.
    xy = np.clip(pose.xy.astype(np.float64) * (sx, sy) - (x0, y0), -4 * (gw + gh), 8 * (gw + gh))
    z = pose.landmarks[:, 2].astype(np.float64) * (sx + sy) / 2
    # Cells the mask touches at all, and their neighbours, get a part.
    touched = cv2.dilate(
        (small_mask[y0:y1, x0:x1] > 0.01).astype(np.uint8), np.ones((3, 3), np.uint8)
    ).astype(bool)
    labels = assign_parts(xy, z, inner)
    labels[~touched] = BodyPart.BACKGROUND
    ycrcb = cv2.cvtColor(small[y0:y1, x0:x1], cv2.COLOR_RGB2YCrCb).astype(np.float32)
    # Refit on the parts where skin shows when it shows (not the torso).
    model = refine_skin_model(model, ycrcb[(labels != BodyPart.TORSO) & (binary[y0:y1, x0:x1] > 0)])
    skin_small = np.zeros((gh, gw), np.float32)
    skin_small[y0:y1, x0:x1] = model.probability(ycrcb)
    inside_small = binary[y0:y1, x0:x1] > 0
    # (The arms' and hands' labels are consecutive: two comparisons, several times faster
    # than np.isin.)
    arms = (labels >= _ARM_AND_HAND[0]) & (labels <= _ARM_AND_HAND[-1]) & inside_small
    if arms.any():
        # Arms are bare skin or sleeve: judged against the torso's clothes, not skin alone.
        clothes = clothes_colour(ycrcb[(labels == BodyPart.TORSO) & inside_small])
        box_skin_small = skin_small[y0:y1, x0:x1]
        box_skin_small[arms] = bare_limb_probability(ycrcb[arms], model, clothes)

    # Grid → person box. Grid pixel centres sit at (i + 0.5) / s - 0.5.
    to_grid = np.array([[sx, 0.0, (bx + 0.5) * sx - 0.5], [0.0, sy, (by + 0.5) * sy - 0.5]])
    box = (slice(by, by + bh), slice(bx, bx + bw))
    labels_small = np.zeros((gh, gw), np.uint8)
    labels_small[y0:y1, x0:x1] = labels
    box_labels = cv2.warpAffine(
        labels_small,
        to_grid,
        (bw, bh),
        flags=cv2.INTER_NEAREST | cv2.WARP_INVERSE_MAP,
        borderMode=cv2.BORDER_REPLICATE,
    )
    cv2.copyTo(box_labels, near[box], labels_full[box])
    # Edge-aware upsampling of the skin (a guided filter fitted on the grid, applied with the
    # grey image): thin arms keep their width where a plain resize would blur them into the
    # neighbouring clothes.
    a, b = guided_filter_coefficients(cv2.cvtColor(small, cv2.COLOR_RGB2GRAY), skin_small, 1, 2e-3)
    warp = cv2.INTER_LINEAR | cv2.WARP_INVERSE_MAP
    a = cv2.warpAffine(a, to_grid, (bw, bh), flags=warp, borderMode=cv2.BORDER_REPLICATE)
    b = cv2.warpAffine(b, to_grid, (bw, bh), flags=warp, borderMode=cv2.BORDER_REPLICATE)
    box_skin = apply_guided_coefficients(cv2.cvtColor(image[box], cv2.COLOR_RGB2GRAY), a, b)
    np.clip(box_skin, 0.0, 1.0, out=skin_full[box])
    _refine_head(image, labels_full, skin_full, mask, pose, face, model)
    return labels_full, skin_full
