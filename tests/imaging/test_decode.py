"""The image input boundary: formats, EXIF orientation, alpha, limits and typed errors."""

from __future__ import annotations

import io
import struct
import zlib
from pathlib import Path

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from PIL import Image

from fitroom.errors import ImageDecodeError, ImageTooLarge, InputError
from fitroom.imaging import decode_image, encode_jpeg, encode_png, ensure_rgb


def _encode(image: Image.Image, fmt: str, **kwargs: object) -> bytes:
    buf = io.BytesIO()
    image.save(buf, format=fmt, **kwargs)
    return buf.getvalue()


def _png_header_only(width: int, height: int) -> bytes:
    """A valid PNG signature and IHDR claiming width×height, with a tiny IDAT (a bomb header)."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        crc = zlib.crc32(kind + data) & 0xFFFFFFFF
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", crc)

    ihdr = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", ihdr)
        + chunk(b"IDAT", zlib.compress(b"\x00" * 16))
        + chunk(b"IEND", b"")
    )


class TestDecodeImage:
    def test_smoke_jpeg_png_webp(self, astronaut: np.ndarray) -> None:
        pil = Image.fromarray(astronaut)
        for fmt in ("JPEG", "PNG", "WEBP"):
            out = decode_image(_encode(pil, fmt))
            assert out.shape == astronaut.shape
            assert out.dtype == np.uint8
            # Lossy formats stay close to the original.
            assert np.abs(out.astype(int) - astronaut.astype(int)).mean() < 6

    def test_path_input(self, tmp_path: Path, astronaut: np.ndarray) -> None:
        path = tmp_path / "a.png"
        Image.fromarray(astronaut).save(path)
        np.testing.assert_array_equal(decode_image(path), astronaut)
        np.testing.assert_array_equal(decode_image(str(path)), astronaut)

    def test_exif_orientation_applied(self, astronaut: np.ndarray) -> None:
        tall = astronaut[:, :300]  # 512 high, 300 wide
        pil = Image.fromarray(tall)
        exif = Image.Exif()
        exif[0x0112] = 6  # rotate 90° clockwise to display
        out = decode_image(_encode(pil, "JPEG", exif=exif.tobytes(), quality=95))
        assert out.shape[:2] == (300, 512)
        expected = np.rot90(tall, k=-1)
        assert np.abs(out.astype(int) - expected.astype(int)).mean() < 6

    def test_alpha_composited_on_white_or_kept(self) -> None:
        rgba = np.zeros((8, 8, 4), np.uint8)
        rgba[..., 0] = 200
        rgba[:4, :, 3] = 255  # top half opaque red-ish, bottom transparent
        data = _encode(Image.fromarray(rgba, "RGBA"), "PNG")
        flat = decode_image(data)
        assert flat.shape == (8, 8, 3)
        assert flat[0, 0].tolist() == [200, 0, 0]
        assert flat[7, 7].tolist() == [255, 255, 255]
        kept = decode_image(data, keep_alpha=True)
        assert kept.shape == (8, 8, 4)
        assert kept[7, 7, 3] == 0

    def test_grey_and_palette_become_rgb(self) -> None:
        grey = Image.fromarray(np.arange(64, dtype=np.uint8).reshape(8, 8))
        out = decode_image(_encode(grey, "PNG"))
        assert out.shape == (8, 8, 3)
        assert (out[..., 0] == out[..., 2]).all()
        pal = grey.convert("P")
        assert decode_image(_encode(pal, "PNG")).shape == (8, 8, 3)

    def test_sixteen_bit_grey_scaled(self) -> None:
        grey16 = Image.fromarray((np.arange(64, dtype=np.uint16) * 1000).reshape(8, 8))
        out = decode_image(_encode(grey16, "PNG"))
        assert out.dtype == np.uint8
        assert out.max() > 200  # scaled, not clipped to 255 everywhere
        assert out.min() == 0

    def test_exception_empty(self) -> None:
        with pytest.raises(ImageDecodeError, match="empty"):
            decode_image(b"")

    def test_exception_zero_byte_file(self, tmp_path: Path) -> None:
        path = tmp_path / "empty.jpg"
        path.write_bytes(b"")
        with pytest.raises(ImageDecodeError, match="empty"):
            decode_image(path)

    def test_exception_text_renamed_jpg(self, tmp_path: Path) -> None:
        path = tmp_path / "notes.jpg"
        path.write_text("this is not a photo\n" * 20)
        with pytest.raises(ImageDecodeError, match="not a readable"):
            decode_image(path)

    def test_exception_corrupt_bytes(self, astronaut: np.ndarray) -> None:
        data = bytearray(_encode(Image.fromarray(astronaut), "JPEG"))
        truncated = bytes(data[: len(data) // 3])
        with pytest.raises(ImageDecodeError):
            decode_image(truncated)
        garbage = bytes(data[:20]) + bytes(
            np.random.default_rng(0).integers(0, 256, 5000, np.uint8)
        )
        with pytest.raises(ImageDecodeError):
            decode_image(garbage)

    def test_exception_bomb_header(self) -> None:
        with pytest.raises(ImageTooLarge, match="pixels"):
            decode_image(_png_header_only(20000, 20000))

    def test_exception_over_our_limit_names_the_size(self) -> None:
        # Under Pillow's own bomb limit but over fitroom's 40 MP default: refused from the header.
        with pytest.raises(ImageTooLarge, match="8000×8000"):
            decode_image(_png_header_only(8000, 8000))

    def test_exception_configurable_pixel_limit(self, astronaut: np.ndarray) -> None:
        data = _encode(Image.fromarray(astronaut), "PNG")
        with pytest.raises(ImageTooLarge):
            decode_image(data, max_pixels=512 * 511)
        assert decode_image(data, max_pixels=512 * 512).shape == (512, 512, 3)

    def test_exception_byte_limit(self, astronaut: np.ndarray) -> None:
        data = _encode(Image.fromarray(astronaut), "PNG")
        with pytest.raises(ImageTooLarge):
            decode_image(data, max_bytes=len(data) - 1)

    def test_exception_wrong_format(self, astronaut: np.ndarray) -> None:
        with pytest.raises(ImageDecodeError, match="not accepted"):
            decode_image(_encode(Image.fromarray(astronaut), "BMP"))

    def test_missing_file(self, tmp_path: Path) -> None:
        with pytest.raises(ImageDecodeError, match="no such file"):
            decode_image(tmp_path / "nope.png")

    def test_errors_are_input_errors(self) -> None:
        # The web layer maps the whole InputError family to 4xx.
        assert issubclass(ImageDecodeError, InputError)
        assert issubclass(ImageTooLarge, ValueError)
        assert ImageTooLarge.http_status == 413
        assert ImageDecodeError.http_status == 415

    @settings(max_examples=30, deadline=None)
    @given(st.binary(min_size=1, max_size=2048))
    def test_random_bytes_never_crash(self, data: bytes) -> None:
        try:
            out = decode_image(data)
        except (ImageDecodeError, ImageTooLarge):
            return
        assert out.ndim == 3 and out.dtype == np.uint8


class TestEncode:
    def test_png_roundtrip_is_lossless(self, astronaut: np.ndarray) -> None:
        np.testing.assert_array_equal(decode_image(encode_png(astronaut)), astronaut)

    def test_jpeg_has_no_exif(self, astronaut: np.ndarray) -> None:
        data = encode_jpeg(astronaut)
        assert not Image.open(io.BytesIO(data)).getexif()


class TestEnsureRgb:
    def test_accepts_rgb(self, astronaut: np.ndarray) -> None:
        assert ensure_rgb(astronaut) is astronaut

    def test_exception(self) -> None:
        with pytest.raises(ImageDecodeError, match=r"\(H, W, 3\)"):
            ensure_rgb(np.zeros((4, 4, 4), np.uint8))
        with pytest.raises(ImageDecodeError, match="float32"):
            ensure_rgb(np.zeros((4, 4, 3), np.float32))


class TestGreyAndSpecialFiles:
    """Issue 16, finding 16: grey photos in every PNG flavour, and paths that are not files."""

    @staticmethod
    def _grey_photo() -> Image.Image:
        from fitroom.garments.synth import synth_garment

        return Image.fromarray(synth_garment("t-shirt", seed=4).image).convert("L")

    def test_finding_16_grey_png_flavours_decode_to_the_same_pixels(self) -> None:
        grey = self._grey_photo()
        expected = np.asarray(grey)
        palette = grey.quantize(16)  # 16 greys: its own pixels are the truth
        flavours = {
            "L": (_encode(grey, "PNG"), expected),
            "LA": (_encode(grey.convert("LA"), "PNG"), expected),
            "I;16": (_encode(Image.fromarray(expected.astype(np.uint16) * 257), "PNG"), expected),
            "P 4-bit": (_encode(palette, "PNG", bits=4), np.asarray(palette.convert("L"))),
        }
        for flavour, (data, truth) in flavours.items():
            out = decode_image(data, keep_alpha=True)
            assert out.shape == (*truth.shape, 3), flavour
            assert (out[..., 0] == out[..., 2]).all(), flavour
            np.testing.assert_array_equal(out[..., 1], truth, err_msg=flavour)

    def test_finding_16_sixteen_bit_grey_keeps_its_tones(self) -> None:
        # A dim 16-bit photo stays dim: v / 257, not stretched to its own peak.
        values = (np.arange(64, dtype=np.uint16).reshape(8, 8) * 257 * 2).astype(np.uint16)
        out = decode_image(_encode(Image.fromarray(values), "PNG"))
        np.testing.assert_array_equal(out[..., 1], (values // 257).astype(np.uint8))

    def test_finding_16_folder_fifo_and_device_are_named_not_missing(self, tmp_path: Path) -> None:
        import os

        fifo = tmp_path / "photo.png"
        os.mkfifo(fifo)
        zero = tmp_path / "zero.jpg"
        zero.symlink_to("/dev/zero")
        cases = {tmp_path: "is a folder", fifo: "is a named pipe", zero: "is a character device"}
        for path, message in cases.items():
            with pytest.raises(ImageDecodeError, match=message) as caught:
                decode_image(path)
            assert "no such file" not in str(caught.value)
