"""Fuzzing the image decoder: any bytes give an RGB(A) uint8 image or a typed refusal.

Seeds are small valid images in every format and mode fitroom may meet (JPEG grey/RGB/CMYK,
PNG 1/4/8/16-bit grey, palette with transparency, RGBA, WebP, and formats it refuses); each
example flips, overwrites, inserts or cuts bytes of one of them. Deterministic (derandomize)
and bounded, so CI never sees a different run.
"""

from __future__ import annotations

import io
from collections.abc import Callable

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from PIL import Image

from fitroom.errors import ImageDecodeError, ImageTooLarge
from fitroom.imaging import decode_image

pytestmark = pytest.mark.fuzz

FUZZ = settings(settings.get_profile("fuzz"), max_examples=150)


def _encode(image: Image.Image, fmt: str, **options: object) -> bytes:
    buf = io.BytesIO()
    image.save(buf, format=fmt, **options)
    return buf.getvalue()


def _seeds() -> list[bytes]:
    rng = np.random.default_rng(0)
    rgb = Image.fromarray(rng.integers(0, 256, (24, 32, 3), dtype=np.uint8))
    grey = rgb.convert("L")
    with_alpha = rgb.convert("RGBA")
    with_alpha.putalpha(Image.fromarray(rng.integers(0, 256, (24, 32), dtype=np.uint8)))
    palette = rgb.convert("P", palette=Image.Palette.ADAPTIVE, colors=16)
    palette.info["transparency"] = 3
    sixteen = Image.fromarray(rng.integers(0, 65536, (24, 32), dtype=np.uint16))
    return [
        _encode(rgb, "JPEG", quality=80),
        _encode(grey, "JPEG"),
        _encode(rgb.convert("CMYK"), "JPEG"),
        _encode(rgb, "PNG"),
        _encode(grey, "PNG"),
        _encode(grey.convert("LA"), "PNG"),
        _encode(grey.convert("1"), "PNG"),
        _encode(grey.quantize(16), "PNG", bits=4),
        _encode(palette, "PNG", transparency=3),
        _encode(sixteen, "PNG"),
        _encode(with_alpha, "PNG"),
        _encode(rgb, "WEBP", quality=70),
        _encode(with_alpha, "WEBP", lossless=True),
        _encode(rgb, "GIF"),
        _encode(rgb, "BMP"),
        _encode(rgb, "TIFF"),
    ]


SEEDS = _seeds()


def _decoded_or_refused(data: bytes, keep_alpha: bool) -> None:
    try:
        out = decode_image(data, keep_alpha=keep_alpha, max_pixels=1_000_000)
    except (ImageDecodeError, ImageTooLarge) as exc:
        assert "\n" not in str(exc)
        return
    assert out.dtype == np.uint8 and out.ndim == 3 and out.shape[2] in (3, 4)
    assert out.shape[0] > 0 and out.shape[1] > 0
    assert keep_alpha or out.shape[2] == 3


@FUZZ
@given(data=st.data(), keep_alpha=st.booleans())
def test_fuzz_mutated_images_decode_or_are_refused(
    mutated: Callable[..., bytes], data: st.DataObject, keep_alpha: bool
) -> None:
    _decoded_or_refused(mutated(data, data.draw(st.sampled_from(SEEDS))), keep_alpha)


@FUZZ
@given(st.binary(min_size=0, max_size=4096), st.booleans())
def test_fuzz_random_bytes_are_refused_or_decoded(data: bytes, keep_alpha: bool) -> None:
    _decoded_or_refused(data, keep_alpha)


@settings(settings.get_profile("fuzz"), max_examples=60)
@given(
    st.sampled_from(["L", "LA", "RGB", "RGBA", "I;16", "P"]),
    st.integers(1, 40),
    st.integers(1, 40),
    st.integers(0, 2**32 - 1),
)
def test_fuzz_valid_pngs_of_every_mode_decode_to_their_size(
    mode: str, width: int, height: int, seed: int
) -> None:
    rng = np.random.default_rng(seed)
    if mode == "I;16":
        image = Image.fromarray(rng.integers(0, 65536, (height, width), dtype=np.uint16))
    else:
        rgba = Image.fromarray(rng.integers(0, 256, (height, width, 4), dtype=np.uint8), "RGBA")
        image = rgba.convert(mode) if mode != "P" else rgba.convert("RGB").quantize(8)
    out = decode_image(_encode(image, "PNG"), keep_alpha=True)
    assert out.shape[:2] == (height, width) and out.dtype == np.uint8
