"""Drawing perception results onto a photo (pure functions: each returns a new image).

All images are RGB ``uint8`` (H, W, 3).
"""

from __future__ import annotations

import cv2
import numpy as np
import numpy.typing as npt

from fitroom.vision.core import PART_COLORS, BodyPart, BodyParts, Face, Pose
from fitroom.vision.landmarks import POSE_CONNECTIONS

RGBImage = npt.NDArray[np.uint8]


def _thickness(image: RGBImage) -> int:
    return max(1, round(max(image.shape[:2]) / 400))


def draw_mask(
    image: RGBImage,
    mask: npt.NDArray[np.float32],
    color: tuple[int, int, int] = (0, 200, 255),
    opacity: float = 0.35,
) -> RGBImage:
    """Tint the pixels of a soft mask (H, W) in [0, 1] with ``color``."""
    weight = (mask.astype(np.float32) * opacity)[..., None]
    out = image.astype(np.float32) * (1 - weight) + np.array(color, np.float32) * weight
    return np.clip(out + 0.5, 0, 255).astype(np.uint8)


def draw_parts(image: RGBImage, parts: BodyParts, opacity: float = 0.45) -> RGBImage:
    """Colour each body part with its colour from :data:`PART_COLORS`."""
    lut = np.zeros((256, 3), np.float32)
    for part, color in PART_COLORS.items():
        lut[int(part)] = color
    colors = lut[parts.labels]
    weight = np.where(parts.labels == BodyPart.BACKGROUND, 0.0, opacity)[..., None]
    out = image.astype(np.float32) * (1 - weight) + colors * weight
    return np.clip(out + 0.5, 0, 255).astype(np.uint8)


def draw_pose(image: RGBImage, pose: Pose, min_visibility: float = 0.5) -> RGBImage:
    """Draw the skeleton: bones between visible landmarks and a dot per landmark."""
    out = image.copy()
    t = _thickness(image)
    pts = pose.landmarks
    for a, b in sorted(POSE_CONNECTIONS):
        if pts[a, 3] >= min_visibility and pts[b, 3] >= min_visibility:
            pa = (round(float(pts[a, 0])), round(float(pts[a, 1])))
            pb = (round(float(pts[b, 0])), round(float(pts[b, 1])))
            cv2.line(out, pa, pb, (255, 255, 255), t + 1, cv2.LINE_AA)
    for i, (x, y, _z, vis, _pres) in enumerate(pts):
        if vis < min_visibility:
            continue
        # Person's left in orange, right in blue, centre in white.
        color = (255, 140, 0) if i in _LEFT else (0, 120, 255) if i in _RIGHT else (255, 255, 255)
        cv2.circle(out, (round(float(x)), round(float(y))), t + 2, color, -1, cv2.LINE_AA)
    return out


_LEFT = {1, 2, 3, 7, 9, 11, 13, 15, 17, 19, 21, 23, 25, 27, 29, 31}
_RIGHT = {4, 5, 6, 8, 10, 12, 14, 16, 18, 20, 22, 24, 26, 28, 30, 32}


def draw_face(image: RGBImage, face: Face) -> RGBImage:
    """Draw the face box and, when known, the most likely expression with its probability."""
    out = image.copy()
    t = _thickness(image)
    x0, y0, x1, y1 = (round(v) for v in face.box)
    cv2.rectangle(out, (x0, y0), (x1, y1), (255, 230, 0), t, cv2.LINE_AA)
    if face.expression is not None:
        label = face.expression.label
        prob = float(face.expression.probabilities.max())
        text = f"{label} {prob:.0%}"
        scale = max(0.4, (x1 - x0) / 180)
        (tw, th), _ = cv2.getTextSize(text, cv2.FONT_HERSHEY_SIMPLEX, scale, t)
        ty = max(th + 4, y0 - 4)
        cv2.rectangle(out, (x0, ty - th - 4), (x0 + tw + 4, ty + 2), (0, 0, 0), -1)
        cv2.putText(
            out, text, (x0 + 2, ty - 2), cv2.FONT_HERSHEY_SIMPLEX, scale, (255, 230, 0), t,
            cv2.LINE_AA,
        )  # fmt: skip
    return out


def draw_box(
    image: RGBImage,
    box: tuple[float, float, float, float],
    color: tuple[int, int, int] = (0, 255, 0),
) -> RGBImage:
    """Draw an axis-aligned box."""
    out = image.copy()
    x0, y0, x1, y1 = (round(v) for v in box)
    cv2.rectangle(out, (x0, y0), (x1, y1), color, _thickness(image), cv2.LINE_AA)
    return out
