"""Recolour variants: the same garment in another colour, keeping its texture and shading.

In CIE Lab the garment's lightness detail (folds, knit, print contrast) is kept around the new
colour's lightness, and its colour is moved to the new colour's hue and chroma, keeping a share
of its own colour variation so a print stays readable.

>>> from fitroom.garments.recolour import parse_rgb
>>> parse_rgb("#aa3344")
(170, 51, 68)
"""

from __future__ import annotations

import dataclasses
import re

import cv2
import numpy as np
import numpy.typing as npt

from fitroom.errors import InputError
from fitroom.garments.core import Garment
from fitroom.garments.features import garment_features

FloatArray = npt.NDArray[np.float32]
ByteArray = npt.NDArray[np.uint8]

#: Share of the garment's own colour variation (a, b around its median) that is kept.
CHROMA_DETAIL = 0.35

#: Percentiles of the garment's lightness that must stay inside [0, 100] after the shift.
LIGHTNESS_RANGE = (2.0, 98.0)

_HEX = re.compile(r"^#?([0-9a-fA-F]{6}|[0-9a-fA-F]{3})$")


def parse_rgb(text: str) -> tuple[int, int, int]:
    """An RGB colour from ``#rrggbb``, ``#rgb`` or ``r,g,b`` (0–255).

    Raises:
        InputError: not one of those forms.
    """
    value = text.strip()
    match = _HEX.match(value)
    if match:
        digits = match.group(1)
        if len(digits) == 3:
            digits = "".join(c * 2 for c in digits)
        return int(digits[0:2], 16), int(digits[2:4], 16), int(digits[4:6], 16)
    pieces = [p.strip() for p in value.split(",")]
    if len(pieces) == 3 and all(p.isdigit() and int(p) <= 255 for p in pieces):
        return int(pieces[0]), int(pieces[1]), int(pieces[2])
    raise InputError(
        f"colour {text!r} not understood; give it as #rrggbb (e.g. '#aa3344') or r,g,b (0-255)"
    )


def _lab(rgb: ByteArray) -> FloatArray:
    out: FloatArray = cv2.cvtColor(
        rgb.astype(np.float32) * np.float32(1.0 / 255.0), cv2.COLOR_RGB2LAB
    )
    return out


def recolour_rgb(
    rgb: ByteArray, mask: npt.NDArray[np.bool_], target_rgb: tuple[int, int, int]
) -> ByteArray:
    """Recolour the ``mask`` pixels of ``rgb`` (uint8 (H, W, 3)) towards ``target_rgb``.

    The median Lab colour of the masked pixels becomes the target's; lightness detail around
    the median is kept (compressed only as far as needed to stay in range), colour detail is
    kept at :data:`CHROMA_DETAIL`. Pixels outside the mask are returned unchanged.

    Returns:
        uint8 (H, W, 3).
    """
    if rgb.dtype != np.uint8 or rgb.ndim != 3 or rgb.shape[2] != 3:
        raise InputError(f"recolour_rgb: expected uint8 (H, W, 3), got {rgb.dtype} {rgb.shape}")
    if mask.shape != rgb.shape[:2]:
        raise InputError(f"recolour_rgb: mask {mask.shape} does not match image {rgb.shape[:2]}")
    out = rgb.copy()
    if int(mask.sum()) == 0:
        return out
    lab = _lab(rgb[mask].reshape(-1, 1, 3)).reshape(-1, 3)
    target = _lab(np.array([[target_rgb]], np.uint8)).reshape(3)
    median = np.median(lab, axis=0)
    detail = lab[:, 0] - median[0]
    lo, hi = np.percentile(detail, LIGHTNESS_RANGE)
    # Compress the lightness detail only when the new colour's lightness leaves it no room.
    room = 1.0
    if hi > 1e-3:
        room = min(room, (100.0 - float(target[0])) / float(hi))
    if lo < -1e-3:
        room = min(room, float(target[0]) / -float(lo))
    new = np.empty_like(lab)
    new[:, 0] = target[0] + detail * max(0.0, room)
    new[:, 1:] = target[1:] + (lab[:, 1:] - median[1:]) * CHROMA_DETAIL
    new[:, 0] = np.clip(new[:, 0], 0.0, 100.0)
    back = cv2.cvtColor(new.reshape(-1, 1, 3).astype(np.float32), cv2.COLOR_LAB2RGB)
    out[mask] = np.clip(back.reshape(-1, 3) * 255.0 + 0.5, 0, 255).astype(np.uint8)
    return out


def recolour_garment(garment: Garment, target_rgb: tuple[int, int, int]) -> Garment:
    """A recolour variant of ``garment``: its garment pixels moved to ``target_rgb`` (see
    :func:`recolour_rgb`), palette and features recomputed; shape, parts and landmarks kept.

    >>> from fitroom.garments import ingest_garment                      # doctest: +SKIP
    >>> red = recolour_garment(ingest_garment("tee.jpg"), (170, 51, 68))  # doctest: +SKIP
    """
    if len(target_rgb) != 3 or not all(0 <= int(c) <= 255 for c in target_rgb):
        raise InputError(f"target colour must be three 0-255 values, got {target_rgb!r}")
    mask = garment.cutout[..., 3] > 0
    rgb = recolour_rgb(
        garment.rgb, mask, (int(target_rgb[0]), int(target_rgb[1]), int(target_rgb[2]))
    )
    cutout = np.dstack([rgb, garment.cutout[..., 3]])
    features = garment_features(
        rgb, garment.cutout[..., 3] >= 128, garment.category, garment.sleeve, garment.length
    )
    hex_name = "#{:02x}{:02x}{:02x}".format(*target_rgb)
    return dataclasses.replace(
        garment, name=f"{garment.name} ({hex_name})", cutout=cutout, features=features
    )


__all__ = ["CHROMA_DETAIL", "parse_rgb", "recolour_garment", "recolour_rgb"]
