"""Decode image bytes or files into RGB ``uint8`` arrays, once, with limits.

Pillow reads the header before any pixel is decoded, so the pixel-count limit is enforced before
memory is spent: a 20000×20000 PNG header is refused in microseconds (a decompression bomb).
"""

from __future__ import annotations

import io
import os
import warnings

import cv2
import numpy as np
import numpy.typing as npt
from PIL import Image, ImageOps, UnidentifiedImageError

from fitroom._files import read_input_file
from fitroom.errors import ImageDecodeError, ImageTooLarge

#: Default limit on decoded pixels (40 MP: a modern phone photo, with room to spare).
DEFAULT_MAX_PIXELS = 40_000_000
#: Default limit on encoded size.
DEFAULT_MAX_BYTES = 25 * 1024 * 1024

_ACCEPTED_FORMATS = {"JPEG", "PNG", "WEBP", "MPO"}

ImageSource = bytes | bytearray | memoryview | str | os.PathLike[str]


def _read_bytes(source: ImageSource, max_bytes: int) -> bytes:
    if isinstance(source, bytes | bytearray | memoryview):
        data = bytes(source)
    else:
        data = read_input_file(
            source,
            max_bytes=max_bytes,
            what="a JPEG, PNG or WebP image",
            error=ImageDecodeError,
            too_large=ImageTooLarge,
        )
    if len(data) == 0:
        raise ImageDecodeError("the image is empty (0 bytes); give a JPEG, PNG or WebP image")
    if len(data) > max_bytes:
        raise ImageTooLarge(
            f"the image is {len(data)} bytes, over the limit of {max_bytes} bytes; "
            "resize or recompress it"
        )
    return data


def decode_image(
    source: ImageSource,
    *,
    max_pixels: int = DEFAULT_MAX_PIXELS,
    max_bytes: int = DEFAULT_MAX_BYTES,
    keep_alpha: bool = False,
) -> npt.NDArray[np.uint8]:
    """Decode a JPEG, PNG or WebP image (bytes or a path) into an RGB(A) ``uint8`` array.

    EXIF orientation is applied, palette/grey/CMYK/16-bit images are converted to 8-bit RGB.
    An alpha channel is composited onto white unless ``keep_alpha`` is set, in which case images
    with transparency come back as (H, W, 4) RGBA and opaque ones as (H, W, 3) RGB.

    Raises:
        ImageDecodeError: empty, corrupt, truncated or non-image input, or an unsupported format.
        ImageTooLarge: more than ``max_pixels`` pixels or ``max_bytes`` bytes.

    >>> decode_image(b"")
    Traceback (most recent call last):
    ...
    fitroom.errors.ImageDecodeError: the image is empty (0 bytes); give a JPEG, PNG or WebP image
    """
    data = _read_bytes(source, max_bytes)
    try:
        with warnings.catch_warnings():
            # Pillow's own bomb warning is replaced by our explicit limit below, and its
            # warnings about damaged metadata (EXIF, TIFF tags) by our typed errors: a warning
            # would print lines to a CLI user, and is an exception where warnings are errors.
            warnings.simplefilter("ignore")
            image = Image.open(io.BytesIO(data))
    except Image.DecompressionBombError as exc:
        # Pillow refuses headers of more than twice its own limit before we see the size.
        raise ImageTooLarge(
            f"the image header declares too many pixels ({exc}); the limit is {max_pixels} "
            "pixels: resize it (a 2000-pixel long side is plenty)"
        ) from exc
    except (UnidentifiedImageError, OSError, ValueError) as exc:
        raise ImageDecodeError(
            "the data is not a readable JPEG, PNG or WebP image "
            f"({type(exc).__name__}); upload a photo in one of those formats"
        ) from exc
    fmt = image.format or "unknown"
    if fmt not in _ACCEPTED_FORMATS:
        raise ImageDecodeError(f"{fmt} images are not accepted; use JPEG, PNG or WebP")
    width, height = image.size
    if width <= 0 or height <= 0:
        raise ImageDecodeError(f"the image has no pixels ({width}×{height})")
    if width * height > max_pixels:
        raise ImageTooLarge(
            f"the image is {width}×{height} = {width * height} pixels, over the limit of "
            f"{max_pixels}; resize it (a 2000-pixel long side is plenty)"
        )
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            image.load()
            upright: Image.Image = ImageOps.exif_transpose(image) or image
    except (OSError, ValueError, SyntaxError, Image.DecompressionBombError) as exc:
        raise ImageDecodeError(
            f"the {fmt} image is corrupt or truncated ({exc}); upload the original file"
        ) from exc
    return _to_array(upright, keep_alpha)


def _to_array(image: Image.Image, keep_alpha: bool) -> npt.NDArray[np.uint8]:
    has_alpha = image.mode in ("RGBA", "LA", "PA") or (
        image.mode == "P" and "transparency" in image.info
    )
    if image.mode in ("I;16", "I;16B", "I;16L", "I"):
        # 16-bit grey: the top 8 bits (v / 257, rounded), as every viewer shows it; a fixed
        # scale keeps a photo's tones (stretching to its own peak would brighten a dim one).
        grey = np.asarray(image, dtype=np.float64)
        grey8 = np.clip(np.rint(grey / 257.0), 0, 255).astype(np.uint8)
        if "transparency" in image.info:  # a tRNS grey value: those pixels are transparent
            clear = grey == float(image.info["transparency"])
            if keep_alpha and clear.any():
                opacity = np.where(clear, 0, 255).astype(np.uint8)
                return np.ascontiguousarray(np.dstack([grey8, grey8, grey8, opacity]))
            grey8[clear] = 255
        return np.ascontiguousarray(np.repeat(grey8[..., None], 3, axis=2))
    if has_alpha:
        rgba = np.asarray(image.convert("RGBA"), dtype=np.uint8)
        if keep_alpha and int(rgba[..., 3].min()) < 255:
            return np.ascontiguousarray(rgba)
        alpha = rgba[..., 3:4].astype(np.float32) / 255.0
        rgb = rgba[..., :3].astype(np.float32) * alpha + 255.0 * (1.0 - alpha)
        return np.ascontiguousarray(np.clip(rgb + 0.5, 0, 255).astype(np.uint8))
    return np.ascontiguousarray(np.asarray(image.convert("RGB"), dtype=np.uint8))


def ensure_rgb(image: npt.NDArray[np.generic], name: str = "image") -> npt.NDArray[np.uint8]:
    """Check that an array is an RGB ``uint8`` image of shape (H, W, 3) and return it.

    >>> ensure_rgb(np.zeros((2, 2), np.uint8))  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    fitroom.errors.ImageDecodeError: image: expected an RGB uint8 array of shape (H, W, 3), ...
    """
    if image.ndim != 3 or image.shape[2] != 3 or image.dtype != np.uint8:
        raise ImageDecodeError(
            f"{name}: expected an RGB uint8 array of shape (H, W, 3), "
            f"got shape {image.shape} and dtype {image.dtype}"
        )
    if image.shape[0] < 1 or image.shape[1] < 1:
        raise ImageDecodeError(f"{name}: the image has no pixels ({image.shape})")
    return image  # type: ignore[return-value]


def encode_png(image: npt.NDArray[np.uint8]) -> bytes:
    """Encode an RGB(A) ``uint8`` image (or a grey one) as PNG bytes."""
    bgr = _rgb_to_bgr(image)
    ok, buf = cv2.imencode(".png", bgr)
    if not ok:
        raise ImageDecodeError("could not encode the image as PNG")
    return bytes(buf.tobytes())


def encode_jpeg(image: npt.NDArray[np.uint8], quality: int = 90) -> bytes:
    """Encode an RGB ``uint8`` image as JPEG bytes (no EXIF: nothing about the shopper leaks)."""
    ok, buf = cv2.imencode(".jpg", _rgb_to_bgr(image), [cv2.IMWRITE_JPEG_QUALITY, int(quality)])
    if not ok:
        raise ImageDecodeError("could not encode the image as JPEG")
    return bytes(buf.tobytes())


def _rgb_to_bgr(image: npt.NDArray[np.uint8]) -> npt.NDArray[np.uint8]:
    if image.ndim == 2:
        return image
    if image.shape[2] == 4:
        return cv2.cvtColor(image, cv2.COLOR_RGBA2BGRA)
    return cv2.cvtColor(image, cv2.COLOR_RGB2BGR)
