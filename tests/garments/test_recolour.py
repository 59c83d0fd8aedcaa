"""Recolour variants: the new colour reached, texture and shading kept, and the CLI option."""

from __future__ import annotations

import argparse
from pathlib import Path

import cv2
import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from fitroom.errors import InputError
from fitroom.garments import Garment, ingest_garment
from fitroom.garments.recolour import parse_rgb, recolour_garment, recolour_rgb
from fitroom.garments.synth import synth_garment
from fitroom.imaging import decode_image, encode_png


def _lab(rgb: np.ndarray) -> np.ndarray:
    return cv2.cvtColor(rgb.astype(np.float32) / 255.0, cv2.COLOR_RGB2LAB).reshape(-1, 3)


@pytest.fixture(scope="module")
def striped() -> Garment:
    return ingest_garment(synth_garment("t-shirt", seed=5, pattern="stripes").image)


@pytest.fixture(scope="module")
def chelsea() -> np.ndarray:
    """A public-domain photo with fur texture and shading (skimage's cat)."""
    from skimage import data

    return np.ascontiguousarray(data.chelsea())


class TestParseRgb:
    def test_forms(self) -> None:
        assert parse_rgb("#aa3344") == (170, 51, 68)
        assert parse_rgb("a34") == (170, 51, 68)
        assert parse_rgb(" 10, 20,255 ") == (10, 20, 255)

    @pytest.mark.parametrize("text", ["red", "#12345", "300,0,0", "1,2", ""])
    def test_refused(self, text: str) -> None:
        with pytest.raises(InputError, match="#rrggbb"):
            parse_rgb(text)


class TestRecolourRgb:
    @settings(max_examples=25, deadline=None)
    @given(st.tuples(st.integers(30, 225), st.integers(30, 225), st.integers(30, 225)))
    def test_median_reaches_target_and_detail_kept(
        self, chelsea: np.ndarray, target: tuple[int, int, int]
    ) -> None:
        mask = np.zeros(chelsea.shape[:2], bool)
        mask[60:250, 80:400] = True
        out = recolour_rgb(chelsea, mask, target)
        lab_out = _lab(out[mask].reshape(-1, 1, 3))
        lab_in = _lab(chelsea[mask].reshape(-1, 1, 3))
        target_lab = _lab(np.array([[target]], np.uint8))[0]
        assert float(np.linalg.norm(np.median(lab_out, axis=0) - target_lab)) < 4.0
        # The fur's lightness pattern survives: strongly correlated with the original's.
        corr = float(np.corrcoef(lab_in[:, 0], lab_out[:, 0])[0, 1])
        assert corr > 0.9, corr
        # Outside the mask nothing changes.
        assert np.array_equal(out[~mask], chelsea[~mask])

    def test_empty_mask_is_identity(self, chelsea: np.ndarray) -> None:
        mask = np.zeros(chelsea.shape[:2], bool)
        assert np.array_equal(recolour_rgb(chelsea, mask, (200, 10, 10)), chelsea)


class TestRecolourGarment:
    def test_variant_keeps_shape_and_texture(self, striped: Garment) -> None:
        red = recolour_garment(striped, (170, 51, 68))
        assert red.cutout.shape == striped.cutout.shape
        assert np.array_equal(red.cutout[..., 3], striped.cutout[..., 3])
        assert np.array_equal(red.parts, striped.parts)
        assert red.landmarks is striped.landmarks
        inside = striped.alpha > 0.95
        before = _lab(striped.rgb[inside].reshape(-1, 1, 3))
        after = _lab(red.rgb[inside].reshape(-1, 1, 3))
        assert float(np.corrcoef(before[:, 0], after[:, 0])[0, 1]) > 0.9
        # The stripes stay stripes: the lightness spread is mostly kept.
        assert np.std(after[:, 0]) > 0.5 * np.std(before[:, 0])
        assert red.features.palette[0].rgb != striped.features.palette[0].rgb
        assert "#aa3344" in red.name

    def test_plain_garment_reaches_the_colour(self) -> None:
        plain = ingest_garment(synth_garment("t-shirt", seed=6, pattern="solid").image)
        red = recolour_garment(plain, (170, 51, 68))
        inside = plain.alpha > 0.95
        after = _lab(red.rgb[inside].reshape(-1, 1, 3))
        target = _lab(np.array([[[170, 51, 68]]], np.uint8))[0]
        assert float(np.linalg.norm(np.median(after, axis=0) - target)) < 3.0

    def test_bad_colour(self, striped: Garment) -> None:
        with pytest.raises(InputError):
            recolour_garment(striped, (300, 0, 0))


def _parse(argv: list[str]) -> argparse.Namespace:
    from fitroom.cli import tryon as tryon_cli

    parser = argparse.ArgumentParser(prog="fitroom")
    tryon_cli.register(parser.add_subparsers(dest="command", required=True))
    return parser.parse_args(argv)


class TestRecolourCommand:
    def test_recolour_option_changes_the_garment_colour(
        self, tmp_path: Path, astronaut: np.ndarray
    ) -> None:
        person = tmp_path / "person.png"
        person.write_bytes(encode_png(astronaut))
        tee = tmp_path / "tee.png"
        tee.write_bytes(encode_png(synth_garment("t-shirt", seed=2, pattern="solid").image))
        plain, green = tmp_path / "plain.png", tmp_path / "green.png"
        debug = tmp_path / "debug"
        for out, extra in (
            (plain, []),
            (green, ["--recolour", "#20a040", "--debug-dir", str(debug)]),
        ):
            args = _parse(["tryon", str(person), str(tee), "-o", str(out), *extra])
            assert args.run(args) == 0
        mask = decode_image(debug / "garment_mask.png")[..., 0] > 250
        assert mask.sum() > 1000
        shown = _lab(decode_image(green)[mask].reshape(-1, 1, 3))
        target = _lab(np.array([[[32, 160, 64]]], np.uint8))[0]
        before = _lab(decode_image(plain)[mask].reshape(-1, 1, 3))
        # The shown garment moved to the new colour (shading from the photo shifts it a little).
        assert np.linalg.norm(np.median(shown, axis=0) - target) < 12.0
        assert np.linalg.norm(np.median(before, axis=0) - target) > 20.0

    def test_recolour_count_must_match(self, tmp_path: Path) -> None:
        from fitroom.cli.tryon import _recoloured

        tee = ingest_garment(synth_garment("t-shirt", seed=2, pattern="solid").image)
        with pytest.raises(InputError, match="once per garment"):
            _recoloured([tee, tee, tee], ["#ff0000", "-"])
        kept, red = _recoloured([tee, tee], ["-", "#ff0000"])
        assert kept is tee and red is not tee
