"""Optional photo preprocessing: denoise, exposure/contrast, white balance.

All off by default; each is a pure function on RGB ``uint8`` (H, W, 3) images. Their cost is
printed by ``benchmarks/perception_speed.py``.
"""

from __future__ import annotations

from dataclasses import dataclass

import cv2
import numpy as np
import numpy.typing as npt

RGBImage = npt.NDArray[np.uint8]


def denoise(image: RGBImage, strength: float = 5.0) -> RGBImage:
    """Edge-preserving denoise (bilateral filter; fast enough for video, unlike non-local means).

    ``strength`` is the colour sigma in grey levels; 0 returns the image unchanged.
    """
    if strength <= 0:
        return image
    return cv2.bilateralFilter(image, d=5, sigmaColor=float(strength) * 5.0, sigmaSpace=3.0)


def auto_exposure(image: RGBImage, clip_limit: float = 2.0, tiles: int = 8) -> RGBImage:
    """Local contrast/exposure correction: CLAHE on the L channel of Lab, colours untouched."""
    lab = cv2.cvtColor(image, cv2.COLOR_RGB2LAB)
    clahe = cv2.createCLAHE(clipLimit=float(clip_limit), tileGridSize=(tiles, tiles))
    lab[..., 0] = clahe.apply(np.ascontiguousarray(lab[..., 0]))
    return cv2.cvtColor(lab, cv2.COLOR_LAB2RGB)


def gray_world(image: RGBImage) -> RGBImage:
    """Grey-world white balance: scale each channel so that the channel means are equal.

    >>> img = np.full((2, 2, 3), (100, 50, 150), np.uint8)
    >>> gray_world(img)[0, 0].tolist()
    [100, 100, 100]
    """
    means = np.array(cv2.mean(image)[:3], dtype=np.float64)
    gain = means.mean() / np.maximum(means, 1e-6)
    # One lookup table per channel: a LUT pass is ~20× faster than float multiplication.
    levels = np.arange(256, dtype=np.float64)[:, None] * gain[None, :]
    lut = np.clip(levels + 0.5, 0, 255).astype(np.uint8).reshape(256, 1, 3)
    return cv2.LUT(image, lut)


@dataclass(frozen=True)
class Preprocess:
    """Which preprocessing steps to run, in the order denoise → white balance → exposure."""

    denoise: bool = False
    white_balance: bool = False
    exposure: bool = False


def preprocess(image: RGBImage, options: Preprocess = Preprocess()) -> RGBImage:
    """Apply the preprocessing steps chosen in ``options`` (none by default)."""
    if options.denoise:
        image = denoise(image)
    if options.white_balance:
        image = gray_world(image)
    if options.exposure:
        image = auto_exposure(image)
    return image
