"""The photo's light and folds on new lower garments (fitroom.dressing.lower_shading)."""

from __future__ import annotations

from collections.abc import Callable

import cv2
import numpy as np

from fitroom.dressing.lower_shading import LOWER_EDGE_SLOPE, at_median_one, lower_light
from fitroom.dressing.render import render_fitted
from fitroom.dressing.shading import EDGE_SLOPE, fold_shading
from fitroom.fitting.fitted import FittedGarment, FittedLayer
from fitroom.vision.core import BodyParts

Scene = tuple[np.ndarray, BodyParts, np.ndarray]


class TestAtMedianOne:
    def test_smoke(self) -> None:
        light = np.linspace(0.8, 1.4, 64, dtype=np.float32).reshape(8, 8)
        garment = np.ones((8, 8), np.float32)
        out = at_median_one(light, garment)
        assert out.dtype == np.float32 and out.shape == light.shape
        assert abs(float(np.median(out[garment > 0.5])) - 1.0) < 1e-5

    def test_keeps_how_the_light_varies(self) -> None:
        light = np.full((8, 8), 1.2, np.float32)
        light[:, :2] = 0.9
        out = at_median_one(light, np.ones((8, 8), np.float32))
        # (Darker by a quarter where the photo is, however bright the whole.)
        assert np.allclose(out[:, 0] / out[:, 5], 0.9 / 1.2)

    def test_median_over_the_garment_only(self) -> None:
        light = np.full((8, 8), 0.5, np.float32)
        light[:4] = 1.25
        garment = np.zeros((8, 8), np.float32)
        garment[:4] = 1.0
        out = at_median_one(light, garment)
        assert np.allclose(out[:4], 1.0) and np.allclose(out[4:], 0.4)

    def test_no_garment_leaves_the_light(self) -> None:
        light = np.full((8, 8), 1.2, np.float32)
        assert np.array_equal(at_median_one(light, np.zeros((8, 8), np.float32)), light)


class TestLowerLight:
    def test_brighter_than_its_median_everywhere_is_no_light(self) -> None:
        # The old garment's median taken over darker pixels the new garment does not cover.
        slow = np.full((16, 16), 1.25, np.float32)
        folds = np.ones((16, 16), np.float32)
        folds[5, :] = 0.8  # a fold across
        light = lower_light(slow, folds, np.ones((16, 16), np.float32))
        assert abs(float(np.median(light)) - 1.0) < 1e-5
        # The fold stays as deep.
        assert abs(float(light[5, 3]) - 0.8) < 1e-4


class TestFoldEdges:
    @staticmethod
    def _crease(depth: float, width: int, blur: float) -> np.ndarray:
        """Grey fabric (140) with a vertical crease ``depth`` darker, ``width`` columns wide."""
        profile = np.full(128, 140.0, np.float32)
        profile[60 : 60 + width] -= depth
        profile = cv2.GaussianBlur(profile.reshape(1, -1), (0, 0), blur).ravel()
        image = np.empty((128, 128, 3), np.uint8)
        image[:] = np.clip(profile, 0, 255).astype(np.uint8)[None, :, None]
        return image

    def test_a_crisp_crease_is_a_fold_on_lower_garments(self) -> None:
        image = self._crease(40.0, 3, 0.7)
        region = np.ones((128, 128), np.float32)
        top = fold_shading(image, region, 1024)
        lower = fold_shading(image, region, 1024, edge_slope=LOWER_EDGE_SLOPE)
        # A top takes it for a seam; trousers keep it as the crease it is.
        assert float(top[64, 61]) > 0.98
        assert float(lower[64, 61]) < 0.95

    def test_a_sharp_seam_stays_out(self) -> None:
        image = self._crease(60.0, 2, 0.3)
        region = np.ones((128, 128), np.float32)
        lower = fold_shading(image, region, 1024, edge_slope=LOWER_EDGE_SLOPE)
        assert float(lower[64, 61]) > 0.98

    def test_default_is_the_tops_slope(self) -> None:
        image = self._crease(40.0, 3, 0.7)
        region = np.ones((128, 128), np.float32)
        assert np.array_equal(
            fold_shading(image, region, 1024), fold_shading(image, region, 1024, None, EDGE_SLOPE)
        )


def _shorts(colour: float) -> FittedGarment:
    """Flat shorts of one grey over rows 100-149 of the drawn person (columns 30-89)."""
    rgba = np.zeros((50, 60, 4), np.float32)
    rgba[..., :3] = colour
    rgba[..., 3] = 1.0
    return FittedGarment((FittedLayer("lower", (30, 100, 90, 150), rgba),), {}, 1.0, "lower")


class TestRenderedExposure:
    def test_shorts_keep_their_colour_over_trousers_darker_below(
        self, drawn_person: Callable[[tuple[int, int, int]], Scene]
    ) -> None:
        # Old trousers light at the hips, in shadow from the knees down (most of them): their
        # median is the shadow's, and the new shorts drawn over the light part only were
        # drawn lighter than they are.
        image, parts, person = drawn_person((170, 170, 170))
        legs = parts.labels[140:] > 0
        image[140:][legs] = (70, 70, 70)
        out, visible = render_fitted(image, [_shorts(150.0)], parts, person)
        drawn = visible[0] > 0.99
        drawn[:105] = False  # (the waist's rim)
        assert int(drawn.sum()) > 500
        assert abs(float(np.median(out[..., 0][drawn])) - 150.0) <= 4.0
