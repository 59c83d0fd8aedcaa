"""A parametric body of elliptical cross-sections, rendered as front and side silhouettes.

Used by ``benchmarks/measure_eval.py`` and the tests: every body has known true measurements, and
its silhouettes come with 33 BlazePose-order keypoints and an arm mask, i.e. a
:class:`~fitroom.measure.core.BodyView` exactly like the one a real photo gives. The estimator
cannot tell them apart, so the synthetic error is the error of the geometry, not of perception.

Geometry (centimetres; z up from the floor, x to the person's left, y forward): the torso is a
stack of horizontal ellipses whose half-breadth and half-depth are smooth (monotone cubic) curves
through control levels — crotch, seat (widest hip), hip joints, waist (narrowest), chest, armpits,
shoulders — at fractions of stature taken from classic segment proportions (Drillis & Contini,
1966, as tabulated by Winter, *Biomechanics and Motor Control of Human Movement*): shoulder
(acromion) 0.818 H, chest 0.720 H, elbow 0.630 H, waist 0.610 H, hip joint 0.530 H, wrist 0.485 H,
crotch 0.470 H, knee 0.285 H, ankle 0.039 H; upper arm 0.186 H, forearm 0.146 H, hand 0.108 H.
Each body jitters those levels by a few per cent. Breadths and depth/breadth ratios are drawn
around the means listed in :mod:`fitroom.measure.estimate` (ANSUR II), with a shared "build"
factor so that heavier bodies are wider *and* rounder — the case a front-only estimate gets wrong.

The true chest, waist and hip are the Ramanujan perimeters of the ellipses at the chest, waist and
seat levels; the true inseam is the crotch height; the true arm length is upper arm + forearm.
Clothing can be simulated with ``clothing_ease_cm`` (the silhouette grows, the truth does not).
"""

from __future__ import annotations

import math
from dataclasses import dataclass, replace
from typing import Literal

import cv2
import numpy as np
import numpy.typing as npt
from scipy.interpolate import PchipInterpolator

from fitroom.measure.core import BodyView
from fitroom.measure.estimate import DEPTH_RATIOS, ellipse_perimeter
from fitroom.vision.landmarks import PoseLandmark as L

FloatArray = npt.NDArray[np.float32]
Sex = Literal["female", "male"]
View = Literal["front", "side"]

_SHIFT = 4  # fixed-point bits for sub-pixel polygon vertices (cv2 drawing)
_ONE = 1 << _SHIFT
_SUPER = 4  # supersampling factor of the renderer


@dataclass(frozen=True)
class BodyShape:
    """A synthetic body. Lengths in cm; ``*_level`` are fractions of stature.

    Breadths (``*_breadth``) are front-view widths of the torso ellipse, depths are side-view
    extents. ``arm_abduction_deg`` is the angle of the upper arm from vertical (0 = arms hanging
    against the body, 30 = A-pose). ``stance_cm`` is the gap between the ankles.
    """

    sex: Sex
    height: float
    shoulder_breadth: float
    chest_breadth: float
    chest_depth: float
    waist_breadth: float
    waist_depth: float
    hip_breadth: float
    hip_depth: float
    neck_breadth: float
    head_breadth: float
    upper_arm: float
    forearm: float
    arm_radius: float
    thigh_breadth: float
    knee_breadth: float
    chest_level: float = 0.720
    waist_level: float = 0.610
    seat_level: float = 0.490
    hip_joint_level: float = 0.530
    crotch_level: float = 0.470
    shoulder_level: float = 0.818
    knee_level: float = 0.285
    arm_abduction_deg: float = 25.0
    stance_cm: float = 12.0
    clothing_ease_cm: float = 0.0

    def true_measurements(self) -> dict[str, float]:
        """The body's true measurements in cm, keyed like :data:`MEASUREMENT_NAMES`."""
        h = self.height
        return {
            "height": h,
            "shoulder_width": self.shoulder_breadth,
            "chest": ellipse_perimeter(self.chest_breadth / 2, self.chest_depth / 2),
            "waist": ellipse_perimeter(self.waist_breadth / 2, self.waist_depth / 2),
            "hip": ellipse_perimeter(self.hip_breadth / 2, self.hip_depth / 2),
            "inseam": self.crotch_level * h,
            "arm_length": self.upper_arm + self.forearm,
            "torso_length": (self.shoulder_level - self.hip_joint_level) * h,
        }


def random_body(
    rng: np.random.Generator,
    *,
    sex: Sex | None = None,
    height: float | None = None,
    build: float | None = None,
    arm_abduction_deg: float | None = None,
) -> BodyShape:
    """A random plausible adult body.

    Args:
        rng: the random generator (the body is a pure function of its state).
        sex: drawn 50/50 when None.
        height: stature in cm; drawn (female N(163, 7), male N(176, 7.5), 145–205) when None.
        build: shared size factor in standard deviations (0 = average, +2 = heavy); drawn from
            N(0, 1) clipped to ±2.5 when None.
        arm_abduction_deg: drawn uniformly in 15–35° (the A-pose a measuring app asks for) when
            None.
    """
    sex = sex if sex is not None else ("female" if rng.random() < 0.5 else "male")
    male = sex == "male"
    if height is None:
        height = float(
            np.clip(rng.normal(176.0 if male else 163.0, 7.5 if male else 7.0), 145, 205)
        )
    b = float(np.clip(rng.normal(), -2.5, 2.5)) if build is None else build
    h = height

    def jitter(sd: float) -> float:
        return float(1.0 + rng.normal(0.0, sd))

    ratios = DEPTH_RATIOS[sex]
    chest_b = (0.186 if male else 0.172) * h * (1 + 0.07 * b) * jitter(0.03)
    hip_b = (0.196 if male else 0.220) * h * (1 + 0.06 * b) * jitter(0.03)
    waist_b = (0.179 if male else 0.166) * h * (1 + 0.10 * b) * jitter(0.04)
    # The generator keeps a visible waist (narrower than chest and hip in front view): the waist
    # is defined as the narrowest level, so a body without one has no well-defined waist level.
    waist_b = min(waist_b, 0.97 * min(chest_b, hip_b))
    chest_d = chest_b * (ratios["chest"] + 0.025 * b + rng.normal(0, 0.035))
    waist_d = waist_b * (ratios["waist"] + 0.045 * b + rng.normal(0, 0.04))
    hip_d = hip_b * (ratios["hip"] + 0.025 * b + rng.normal(0, 0.035))
    shoulder_b = (0.230 if male else 0.225) * h * jitter(0.04)
    abduction = float(rng.uniform(15, 35)) if arm_abduction_deg is None else arm_abduction_deg
    return BodyShape(
        sex=sex,
        height=h,
        shoulder_breadth=shoulder_b,
        chest_breadth=chest_b,
        chest_depth=chest_d,
        waist_breadth=waist_b,
        waist_depth=waist_d,
        hip_breadth=hip_b,
        hip_depth=hip_d,
        neck_breadth=(0.070 if male else 0.065) * h * jitter(0.05),
        head_breadth=(0.088 if male else 0.090) * h * jitter(0.04),
        upper_arm=0.186 * h * jitter(0.03),
        forearm=0.146 * h * jitter(0.03),
        arm_radius=0.027 * h * (1 + 0.08 * b) * jitter(0.05),
        thigh_breadth=0.5 * hip_b * jitter(0.03),
        knee_breadth=0.058 * h * (1 + 0.05 * b) * jitter(0.04),
        chest_level=0.720 * jitter(0.008),
        waist_level=0.610 * jitter(0.01),
        seat_level=0.490 * jitter(0.008),
        hip_joint_level=0.530 * jitter(0.008),
        crotch_level=0.470 * jitter(0.015),
        shoulder_level=0.818 * jitter(0.006),
        knee_level=0.285 * jitter(0.015),
        arm_abduction_deg=abduction,
        stance_cm=float(rng.uniform(8, 25)),
    )


class _Canvas:
    """Orthographic camera: cm (lateral u, height z) → pixels, drawing into uint8 layers."""

    def __init__(self, shape: tuple[int, int], scale: float, cx: float, floor_y: float) -> None:
        self.shape = shape
        self.scale, self.cx, self.floor_y = scale, cx, floor_y
        # Drawn hard-edged at _SUPER× the size, then area-averaged: exact pixel coverage (cv2's
        # anti-aliased fill grows shapes by about half a pixel on each side).
        big = (shape[0] * _SUPER, shape[1] * _SUPER)
        self.body = np.zeros(big, np.uint8)
        self.arms = np.zeros(big, np.uint8)

    def px(self, u: float, z: float) -> tuple[float, float]:
        """Pixel coordinates in the output image (pixel centres at integers)."""
        return self.cx + u * self.scale, self.floor_y - z * self.scale

    def _fixed(self, points: list[tuple[float, float]]) -> npt.NDArray[np.int32]:
        pix = np.array([self.px(u, z) for u, z in points], np.float64)
        big = (pix + 0.5) * _SUPER - 0.5
        return np.round(big * _ONE).astype(np.int32)

    def layers(self) -> tuple[FloatArray, npt.NDArray[np.bool_]]:
        """The soft body mask and the boolean arm mask at the output size."""
        size = (self.shape[1], self.shape[0])
        body = cv2.resize(self.body, size, interpolation=cv2.INTER_AREA)
        arms = cv2.resize(self.arms, size, interpolation=cv2.INTER_AREA)
        return body.astype(np.float32) / 255.0, arms >= 128

    def polygon(self, points: list[tuple[float, float]], *, arm: bool = False) -> None:
        poly = self._fixed(points)
        cv2.fillPoly(self.body, [poly], 255, cv2.LINE_8, _SHIFT)
        if arm:
            cv2.fillPoly(self.arms, [poly], 255, cv2.LINE_8, _SHIFT)

    def ellipse(
        self, u: float, z: float, ru: float, rz: float, angle_deg: float = 0.0, *, arm: bool = False
    ) -> None:
        centre = tuple(int(v) for v in self._fixed([(u, z)])[0])
        axes = (round(ru * self.scale * _SUPER * _ONE), round(rz * self.scale * _SUPER * _ONE))
        for layer in (self.body, self.arms) if arm else (self.body,):
            cv2.ellipse(layer, centre, axes, angle_deg, 0, 360, 255, -1, cv2.LINE_8, _SHIFT)

    def capsule(
        self, a: tuple[float, float], b: tuple[float, float], ra: float, rb: float, *, arm: bool
    ) -> None:
        du, dz = b[0] - a[0], b[1] - a[1]
        n = math.hypot(du, dz) or 1.0
        nu, nz = -dz / n, du / n
        self.polygon(
            [
                (a[0] + nu * ra, a[1] + nz * ra),
                (b[0] + nu * rb, b[1] + nz * rb),
                (b[0] - nu * rb, b[1] - nz * rb),
                (a[0] - nu * ra, a[1] - nz * ra),
            ],
            arm=arm,
        )
        self.ellipse(a[0], a[1], ra, ra, arm=arm)
        self.ellipse(b[0], b[1], rb, rb, arm=arm)


def _profile(levels: list[float], values: list[float]) -> PchipInterpolator:
    order = np.argsort(levels)
    return PchipInterpolator(np.asarray(levels)[order], np.asarray(values)[order])


def render_body(
    shape: BodyShape,
    view: View = "front",
    *,
    image_size: tuple[int, int] = (1024, 768),
    body_fraction: float = 0.85,
    keypoint_noise_px: float = 0.0,
    rng: np.random.Generator | None = None,
) -> BodyView:
    """Render a body's front or side silhouette with its keypoints and arm mask.

    Args:
        shape: the body.
        view: ``"front"`` (facing the camera) or ``"side"`` (facing image left, arms hanging).
        image_size: (H, W) of the image in pixels.
        body_fraction: stature over image height (the body is centred, feet near the bottom).
        keypoint_noise_px: standard deviation of Gaussian noise added to keypoint x, y (a pose
            model's error); needs ``rng``.
        rng: the random generator for the keypoint noise.

    Returns:
        A :class:`BodyView`: soft anti-aliased mask float32 (H, W), keypoints float32 (33, 3)
        with visibility 1 (far-side points 0.6 in the side view), arm mask bool (H, W).
    """
    img_h, img_w = image_size
    h = shape.height
    scale = body_fraction * img_h / h
    floor_y = img_h - 0.5 * (1.0 - body_fraction) * img_h
    canvas = _Canvas(image_size, scale, img_w / 2.0, floor_y)
    ease = shape.clothing_ease_cm
    front = view == "front"
    # Torso half-extent along the image's horizontal axis at each control level.
    if front:
        half = {
            "crotch": 0.5 * shape.hip_breadth * 0.93,
            "seat": 0.5 * shape.hip_breadth,
            "joint": 0.5 * shape.hip_breadth * 0.97,
            "waist": 0.5 * shape.waist_breadth,
            "chest": 0.5 * shape.chest_breadth,
            "armpit": 0.5 * shape.chest_breadth * 0.99,
            "shoulder": 0.5 * shape.shoulder_breadth * 0.92,
        }
        centre = dict.fromkeys(half, 0.0)
    else:
        half = {
            "crotch": 0.5 * shape.hip_depth * 0.9,
            "seat": 0.5 * shape.hip_depth,
            "joint": 0.5 * shape.hip_depth * 0.97,
            "waist": 0.5 * shape.waist_depth,
            "chest": 0.5 * shape.chest_depth,
            "armpit": 0.5 * shape.chest_depth * 0.97,
            "shoulder": 0.5 * shape.chest_depth * 0.75,
        }
        # Facing image left: forward = -u. The seat sits back, the chest forward.
        centre = {
            "crotch": 1.5,
            "seat": 2.0,
            "joint": 1.0,
            "waist": 0.0,
            "chest": -1.0,
            "armpit": 0.0,
            "shoulder": 1.0,
        }
    levels = {
        "crotch": shape.crotch_level,
        "seat": shape.seat_level,
        "joint": shape.hip_joint_level,
        "waist": shape.waist_level,
        "chest": shape.chest_level,
        "armpit": 0.5 * (shape.chest_level + shape.shoulder_level) + 0.01,
        "shoulder": shape.shoulder_level - 0.008,
    }
    names = list(levels)
    z_levels = [levels[n] * h for n in names]
    half_of = _profile(z_levels, [half[n] + ease for n in names])
    centre_of = _profile(z_levels, [centre[n] for n in names])
    zs = np.linspace(z_levels[0], z_levels[-1], 120)
    left = [(float(centre_of(z) - half_of(z)), float(z)) for z in zs]
    right = [(float(centre_of(z) + half_of(z)), float(z)) for z in zs[::-1]]
    canvas.polygon(left + right)

    z_sh = shape.shoulder_level * h
    z_neck_top = 0.875 * h
    neck_half = 0.5 * shape.neck_breadth
    sh_half = 0.5 * shape.shoulder_breadth
    if front:
        # Shoulder line: from the neck base down to the acromia, rounded by the arms' capsules.
        canvas.polygon(
            [
                (-neck_half, z_sh + 0.03 * h),
                (neck_half, z_sh + 0.03 * h),
                (sh_half, z_sh + 0.2 * shape.arm_radius),
                (0.5 * shape.chest_breadth * 0.97 + ease, levels["armpit"] * h),
                (-0.5 * shape.chest_breadth * 0.97 - ease, levels["armpit"] * h),
                (-sh_half, z_sh + 0.2 * shape.arm_radius),
            ]
        )
    canvas.polygon(
        [
            (-neck_half, z_sh),
            (neck_half, z_sh),
            (neck_half, z_neck_top),
            (-neck_half, z_neck_top),
        ]
    )
    head_rz = 0.0655 * h
    head_z = h - head_rz
    head_ru = 0.5 * shape.head_breadth if front else 0.5 * shape.head_breadth * 1.2
    canvas.ellipse(0.0 if front else -0.5, head_z, head_ru, head_rz)

    # Legs: from the crotch (touching) to the ankles (apart by the stance), then the feet.
    z_cr = shape.crotch_level * h
    z_knee = shape.knee_level * h
    z_ankle = 0.039 * h
    ankle_half = 0.022 * h
    knee_half = 0.5 * shape.knee_breadth
    thigh_half = 0.5 * shape.thigh_breadth + ease * 0.5
    leg_x = {
        "top": 0.25 * shape.hip_breadth,
        "knee": 0.25 * shape.hip_breadth * 0.5 + 0.25 * shape.stance_cm + knee_half * 0.6,
        "ankle": 0.5 * shape.stance_cm + ankle_half,
    }
    keypoint_xy: dict[int, tuple[float, float]] = {}
    for side in (1.0, -1.0):  # +1: the person's left = image right
        if front:
            top_c = side * leg_x["top"]
            knee_c = side * leg_x["knee"]
            ankle_c = side * leg_x["ankle"]
            top_half = max(leg_x["top"], thigh_half)
            outer = [
                (top_c + side * top_half, z_cr + 0.02 * h),
                (knee_c + side * knee_half, z_knee),
                (ankle_c + side * ankle_half, z_ankle),
            ]
            inner = [
                (ankle_c - side * ankle_half, z_ankle),
                (knee_c - side * knee_half, z_knee),
                (top_c - side * top_half, z_cr),
                (0.0, z_cr),
            ]
            canvas.polygon(outer + inner + [(0.0, z_cr + 0.02 * h)])
            canvas.polygon(
                [
                    (ankle_c - side * (ankle_half + 1.0), z_ankle),
                    (ankle_c + side * (ankle_half + 1.0), z_ankle),
                    (ankle_c + side * (ankle_half + 1.5), 0.0),
                    (ankle_c - side * (ankle_half + 1.5), 0.0),
                ]
            )
        else:
            thigh_d = 0.5 * shape.hip_depth * 0.85 + ease * 0.5
            stride = 0.5 * side * 6.0  # legs slightly staggered front/back
            canvas.polygon(
                [
                    (1.5 - thigh_d, z_cr + 0.02 * h),
                    (stride - knee_half, z_knee),
                    (stride - ankle_half, z_ankle),
                    (stride + ankle_half, z_ankle),
                    (stride + knee_half, z_knee),
                    (1.5 + thigh_d, z_cr + 0.02 * h),
                ]
            )
            canvas.polygon(
                [
                    (stride - 0.14 * h, 0.0),
                    (stride + 0.04 * h, 0.0),
                    (stride + ankle_half, z_ankle + 2),
                    (stride - ankle_half, z_ankle + 2),
                ]
            )
            knee_c, ankle_c = stride, stride
        li = 0 if side > 0 else 1  # left-side landmarks have even offsets from LEFT_*
        keypoint_xy[L.LEFT_HIP + li] = (
            (side * 0.245 * shape.hip_breadth if front else 0.0),
            shape.hip_joint_level * h,
        )
        keypoint_xy[L.LEFT_KNEE + li] = (knee_c, z_knee)
        keypoint_xy[L.LEFT_ANKLE + li] = (ankle_c, z_ankle)
        keypoint_xy[L.LEFT_HEEL + li] = (ankle_c if front else ankle_c + 0.03 * h, 0.012 * h)
        keypoint_xy[L.LEFT_FOOT_INDEX + li] = (
            ankle_c if front else ankle_c - 0.12 * h,
            0.008 * h,
        )

        # Arms.
        alpha = math.radians(shape.arm_abduction_deg)
        shoulder = (side * sh_half if front else 0.0, z_sh)
        if front:
            elbow = (
                shoulder[0] + side * shape.upper_arm * math.sin(alpha),
                z_sh - shape.upper_arm * math.cos(alpha),
            )
            beta = alpha + math.radians(6)
            wrist = (
                elbow[0] + side * shape.forearm * math.sin(beta),
                elbow[1] - shape.forearm * math.cos(beta),
            )
        else:
            tilt = math.radians(4)
            elbow = (shoulder[0] + shape.upper_arm * math.sin(tilt), z_sh - shape.upper_arm)
            wrist = (elbow[0] - shape.forearm * math.sin(tilt * 3), elbow[1] - shape.forearm)
        r = shape.arm_radius
        canvas.capsule(shoulder, elbow, r, 0.8 * r, arm=True)
        canvas.capsule(elbow, wrist, 0.8 * r, 0.6 * r, arm=True)
        du, dz = wrist[0] - elbow[0], wrist[1] - elbow[1]
        n = math.hypot(du, dz)
        hand_len = 0.108 * h
        hand_c = (wrist[0] + du / n * hand_len * 0.5, wrist[1] + dz / n * hand_len * 0.5)
        angle = math.degrees(math.atan2(du, dz))
        canvas.ellipse(hand_c[0], hand_c[1], 0.9 * r, hand_len * 0.5, angle, arm=True)
        tip = (wrist[0] + du / n * hand_len, wrist[1] + dz / n * hand_len)
        keypoint_xy[L.LEFT_SHOULDER + li] = shoulder
        keypoint_xy[L.LEFT_ELBOW + li] = elbow
        keypoint_xy[L.LEFT_WRIST + li] = wrist
        keypoint_xy[L.LEFT_PINKY + li] = (tip[0] + side * 0.3 * r, tip[1] + 0.1 * hand_len)
        keypoint_xy[L.LEFT_INDEX + li] = (tip[0] - side * 0.3 * r, tip[1])
        keypoint_xy[L.LEFT_THUMB + li] = (hand_c[0] - side * 0.8 * r, hand_c[1])

        # Face.
        fwd = 0.0 if front else -0.5 * head_ru
        keypoint_xy[L.LEFT_EAR + li] = (side * 0.9 * head_ru if front else 0.0, head_z)
        keypoint_xy[L.MOUTH_LEFT + li] = (side * 2.5 if front else fwd * 1.6, 0.895 * h)
        eye = L.LEFT_EYE if side > 0 else L.RIGHT_EYE
        for offset, du_eye in ((-1, 1.8), (0, 3.2), (1, 4.6)):
            keypoint_xy[eye + offset] = (
                side * du_eye if front else fwd * 1.7 + (offset * 0.6),
                0.936 * h,
            )
    keypoint_xy[L.NOSE] = (0.0 if front else -head_ru * 0.98, 0.925 * h)

    keypoints = np.zeros((33, 3), np.float32)
    for index, (u, z) in keypoint_xy.items():
        x, y = canvas.px(u, z)
        keypoints[index] = (x, y, 1.0)
    if not front:
        far = [i for i in range(33) if PoseLandmarkSide.is_right(i)]
        keypoints[far, 2] = 0.6
    if keypoint_noise_px > 0:
        if rng is None:
            raise ValueError("keypoint_noise_px needs an rng")
        keypoints[:, :2] += rng.normal(0.0, keypoint_noise_px, (33, 2)).astype(np.float32)
    mask, arms = canvas.layers()
    return BodyView(mask=mask, keypoints=keypoints, arms=arms)


class PoseLandmarkSide:
    """Which BlazePose landmarks are on the person's right (the far side of a left-facing view)."""

    _RIGHT = frozenset(
        i for i in range(33) if L(i).name.startswith("RIGHT") or L(i) is L.MOUTH_RIGHT
    )

    @classmethod
    def is_right(cls, index: int) -> bool:
        return index in cls._RIGHT


def with_clothing(shape: BodyShape, ease_cm: float) -> BodyShape:
    """The same body in clothes that stand ``ease_cm`` off each side of the torso and legs."""
    return replace(shape, clothing_ease_cm=ease_cm)


__all__ = ["BodyShape", "random_body", "render_body", "with_clothing"]
