"""Where images cross into fitroom: decoding, validation and optional preprocessing.

Inside the library every image is RGB ``uint8`` of shape (H, W, 3) and every mask is ``float32``
of shape (H, W) with values in [0, 1].
"""

from fitroom.imaging.decode import (
    DEFAULT_MAX_BYTES,
    DEFAULT_MAX_PIXELS,
    decode_image,
    encode_jpeg,
    encode_png,
    ensure_rgb,
)
from fitroom.imaging.preprocess import Preprocess, auto_exposure, denoise, gray_world, preprocess

__all__ = [
    "DEFAULT_MAX_BYTES",
    "DEFAULT_MAX_PIXELS",
    "Preprocess",
    "auto_exposure",
    "decode_image",
    "denoise",
    "encode_jpeg",
    "encode_png",
    "ensure_rgb",
    "gray_world",
    "preprocess",
]
