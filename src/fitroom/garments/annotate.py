"""Drawings of a garment for people: landmarks, parts and palette on one sheet."""

from __future__ import annotations

import cv2
import numpy as np
import numpy.typing as npt

from fitroom.garments.core import Garment, GarmentLandmarks, GarmentPart

ByteArray = npt.NDArray[np.uint8]

PART_COLOURS: dict[int, tuple[int, int, int]] = {
    int(GarmentPart.BODY): (80, 160, 255),
    int(GarmentPart.LEFT_SLEEVE): (255, 120, 60),
    int(GarmentPart.RIGHT_SLEEVE): (60, 200, 90),
    int(GarmentPart.LEFT_LEG): (230, 80, 200),
    int(GarmentPart.RIGHT_LEG): (240, 210, 40),
    int(GarmentPart.NECK_INSIDE): (120, 60, 160),
}


def draw_landmarks(image: ByteArray, landmarks: GarmentLandmarks, labels: bool = True) -> ByteArray:
    """RGB uint8 copy of ``image`` with the landmarks drawn (wearer-left red, right green)."""
    out = image.copy()
    r = max(3, round(max(out.shape[:2]) / 160))
    for name, (x, y, conf) in landmarks.as_dict().items():
        colour = (
            (230, 40, 40) if "left" in name else (40, 180, 40) if "right" in name else (40, 80, 230)
        )
        centre = (round(x), round(y))
        cv2.circle(out, centre, r, colour, -1 if conf >= 0.5 else 1, cv2.LINE_AA)
        if labels:
            cv2.putText(
                out,
                name,
                (centre[0] + r + 1, centre[1] + r),
                cv2.FONT_HERSHEY_SIMPLEX,
                max(0.3, r / 12),
                (20, 20, 20),
                1,
                cv2.LINE_AA,
            )
    return out


def draw_parts(parts: npt.NDArray[np.uint8], background: ByteArray | None = None) -> ByteArray:
    """RGB uint8 colour rendering of a part map (over ``background`` when given)."""
    h, w = parts.shape
    out = np.full((h, w, 3), 255, np.uint8) if background is None else background.copy()
    for value, colour in PART_COLOURS.items():
        sel = parts == value
        out[sel] = (0.45 * out[sel] + 0.55 * np.array(colour)).astype(np.uint8)
    return out


def inspection_sheet(garment: Garment, height: int = 640) -> ByteArray:
    """RGB uint8 sheet: cutout on a checkerboard with landmarks | parts | palette swatches."""
    h, w = garment.cutout.shape[:2]
    yy, xx = np.mgrid[:h, :w]
    checker = np.where(((yy // 16 + xx // 16) % 2)[..., None] == 0, 235, 200).astype(np.float32)
    alpha = garment.alpha[..., None]
    comp = (garment.rgb.astype(np.float32) * alpha + checker * (1 - alpha)).astype(np.uint8)
    left = draw_landmarks(comp, garment.landmarks)
    middle = draw_parts(garment.parts)
    scale = height / h
    size = (max(1, round(w * scale)), height)
    left = cv2.resize(left, size, interpolation=cv2.INTER_AREA)
    middle = cv2.resize(middle, size, interpolation=cv2.INTER_NEAREST)
    swatch_w = 220
    right = np.full((height, swatch_w, 3), 255, np.uint8)
    y = 10
    kind = f"{garment.category}/{garment.subcategory}"
    text = f"{kind} sleeve:{garment.sleeve} {garment.features.pattern}"
    cv2.putText(
        right, text[:34], (6, y + 12), cv2.FONT_HERSHEY_SIMPLEX, 0.4, (0, 0, 0), 1, cv2.LINE_AA
    )
    y += 30
    for colour in garment.features.palette:
        hh = max(14, int(colour.share * (height - 60)))
        cv2.rectangle(right, (6, y), (60, y + hh), tuple(int(c) for c in colour.rgb), -1)
        cv2.rectangle(right, (6, y), (60, y + hh), (0, 0, 0), 1)
        cv2.putText(
            right,
            f"{colour.name} {colour.share:.0%}",
            (66, y + 12),
            cv2.FONT_HERSHEY_SIMPLEX,
            0.4,
            (0, 0, 0),
            1,
            cv2.LINE_AA,
        )
        y += hh + 4
        if y > height - 20:
            break
    return np.ascontiguousarray(np.hstack([left, middle, right]))


__all__ = ["PART_COLOURS", "draw_landmarks", "draw_parts", "inspection_sheet"]
