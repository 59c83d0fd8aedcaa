"""Scenes: replace the background behind the person with a room the project draws itself.

Every scene is drawn procedurally (gradients, soft shapes), so no photo of anyone's room ships
with fitroom; any RGB image the user gives can be used instead.
"""

from __future__ import annotations

from functools import lru_cache

import cv2
import numpy as np
import numpy.typing as npt

from fitroom.errors import InputError
from fitroom.imaging.decode import ensure_rgb

ByteArray = npt.NDArray[np.uint8]
FloatArray = npt.NDArray[np.float32]

#: Names of the scenes :func:`scene_image` draws.
SCENES: tuple[str, ...] = ("studio", "bedroom", "office", "restaurant")


def _vertical_gradient(h: int, w: int, top: tuple[int, ...], bottom: tuple[int, ...]) -> FloatArray:
    t = np.linspace(0.0, 1.0, h, dtype=np.float32)[:, None, None]
    a = np.asarray(top, np.float32)[None, None, :]
    b = np.asarray(bottom, np.float32)[None, None, :]
    return np.broadcast_to(a + (b - a) * t, (h, w, 3)).astype(np.float32)


def _rect(
    canvas: FloatArray, box: tuple[float, float, float, float], colour: tuple[int, ...]
) -> None:
    h, w = canvas.shape[:2]
    x0, y0, x1, y1 = (round(v) for v in (box[0] * w, box[1] * h, box[2] * w, box[3] * h))
    canvas[max(0, y0) : min(h, y1), max(0, x0) : min(w, x1)] = colour


@lru_cache(maxsize=8)
def _drawn(name: str, w: int, h: int) -> ByteArray:
    floor_y = 0.72
    if name == "studio":
        img = _vertical_gradient(h, w, (236, 236, 240), (180, 182, 190))
        # A soft spotlight behind the person.
        yy, xx = np.mgrid[0:h, 0:w].astype(np.float32)
        d = np.hypot((xx - 0.5 * w) / w, (yy - 0.4 * h) / h)
        img = img * (0.85 + 0.2 * np.exp(-(d**2) / 0.08))[..., None]
    elif name == "bedroom":
        img = _vertical_gradient(h, w, (214, 196, 178), (190, 170, 150))
        _rect(img, (0.0, floor_y, 1.0, 1.0), (150, 110, 80))
        _rect(img, (0.06, 0.15, 0.3, 0.45), (170, 200, 225))  # window
        _rect(img, (0.17, 0.15, 0.19, 0.45), (235, 235, 235))
        _rect(img, (0.55, 0.55, 0.98, 0.8), (120, 140, 170))  # bed
        _rect(img, (0.55, 0.5, 0.98, 0.56), (236, 232, 222))
        _rect(img, (0.7, 0.2, 0.85, 0.38), (200, 150, 90))  # picture
    elif name == "office":
        img = _vertical_gradient(h, w, (222, 226, 230), (196, 200, 206))
        _rect(img, (0.0, floor_y, 1.0, 1.0), (110, 112, 120))
        for i in range(4):  # shelves with books
            y = 0.18 + 0.12 * i
            _rect(img, (0.05, y, 0.32, y + 0.015), (120, 90, 60))
            for j in range(6):
                x = 0.06 + 0.043 * j
                hue = (60 + 37 * (i * 6 + j)) % 180
                colour = cv2.cvtColor(np.array([[[hue, 120, 170]]], np.uint8), cv2.COLOR_HSV2RGB)[
                    0, 0
                ]
                _rect(img, (x, y - 0.08, x + 0.035, y), tuple(int(c) for c in colour))
        _rect(img, (0.6, 0.55, 0.97, 0.6), (150, 110, 70))  # desk
        _rect(img, (0.68, 0.35, 0.86, 0.53), (40, 44, 52))  # screen
    elif name == "restaurant":
        img = _vertical_gradient(h, w, (120, 70, 45), (70, 40, 28))
        _rect(img, (0.0, floor_y, 1.0, 1.0), (60, 35, 25))
        yy, xx = np.mgrid[0:h, 0:w].astype(np.float32)
        for cx in (0.15, 0.5, 0.85):  # warm lamps
            d = np.hypot((xx - cx * w) / w, (yy - 0.15 * h) / h)
            img = img + (np.exp(-(d**2) / 0.01) * 150.0)[..., None] * np.array(
                [1.0, 0.8, 0.5], np.float32
            )
        _rect(img, (0.05, 0.62, 0.3, 0.66), (180, 170, 160))  # tables
        _rect(img, (0.7, 0.62, 0.95, 0.66), (180, 170, 160))
    else:
        raise InputError(f"unknown scene {name!r}; use one of {', '.join(SCENES)} or an image")
    # Out of focus, as a real background behind a person would be.
    sigma = max(1.0, 0.004 * max(w, h))
    img = cv2.GaussianBlur(img.astype(np.float32), (0, 0), sigma)
    out = np.clip(img + 0.5, 0, 255).astype(np.uint8)
    out.setflags(write=False)
    return out


def scene_image(name: str, size: tuple[int, int]) -> ByteArray:
    """A drawn scene ``name`` (one of :data:`SCENES`) as RGB uint8 (H, W, 3), ``size`` = (W, H).

    Raises:
        InputError: unknown scene name or an empty size.

    >>> scene_image("office", (64, 48)).shape
    (48, 64, 3)
    """
    w, h = size
    if w < 1 or h < 1:
        raise InputError(f"scene size must be positive, got {size}")
    return _drawn(name, int(w), int(h))


def fit_background(image: ByteArray, size: tuple[int, int]) -> ByteArray:
    """``image`` (RGB uint8) scaled and centre-cropped to cover ``size`` = (W, H)."""
    image = ensure_rgb(image, "background")
    w, h = size
    ih, iw = image.shape[:2]
    factor = max(w / iw, h / ih)
    sw, sh = max(w, round(iw * factor)), max(h, round(ih * factor))
    interp = cv2.INTER_AREA if factor < 1 else cv2.INTER_LINEAR
    scaled = cv2.resize(image, (sw, sh), interpolation=interp)
    x0, y0 = (sw - w) // 2, (sh - h) // 2
    return np.ascontiguousarray(scaled[y0 : y0 + h, x0 : x0 + w])


def replace_background(image: ByteArray, alpha: FloatArray, background: ByteArray) -> ByteArray:
    """Composite the person (``alpha`` float32 (H, W) in [0, 1]) of ``image`` over ``background``.

    Both images are RGB uint8 (H, W, 3) of the same size. Where alpha is 1 the image is kept.
    """
    if image.shape != background.shape or alpha.shape != image.shape[:2]:
        raise ValueError(
            f"replace_background: expected image, background (H, W, 3) and alpha (H, W) of one "
            f"size, got {image.shape}, {background.shape}, {alpha.shape}"
        )
    a = alpha[..., None]
    out = background.astype(np.float32)
    out += a * (image.astype(np.float32) - out)
    return np.clip(out + 0.5, 0, 255).astype(np.uint8)


__all__ = ["SCENES", "fit_background", "replace_background", "scene_image"]
