"""The skin's texture measured on the visible skin (fitroom.dressing.skin_texture)."""

from __future__ import annotations

import numpy as np

from fitroom.dressing.skin_texture import GRAIN_MAX, skin_texture, texture_noise
from fitroom.vision.core import BodyPart, BodyParts


def _bare_torso(noise: float) -> tuple[np.ndarray, BodyParts]:
    """A 200×160 photo whose torso (rows 40-199) is bare skin with fine grain of ``noise``
    levels (standard deviation), on a flat backdrop."""
    h, w = 200, 160
    rng = np.random.default_rng(3)
    image = np.full((h, w, 3), 240.0, np.float32)
    labels = np.zeros((h, w), np.uint8)
    labels[40:, 20:140] = BodyPart.TORSO
    grain = rng.standard_normal((h, w)).astype(np.float32) * np.float32(noise)
    image[40:, 20:140] = np.array([200.0, 150.0, 120.0], np.float32) + grain[40:, 20:140, None]
    skin = (labels > 0).astype(np.float32)
    return np.clip(image, 0, 255).astype(np.uint8), BodyParts(labels, skin)


class TestSkinTexture:
    def test_smooth_skin_gets_no_noise(self) -> None:
        image, parts = _bare_torso(0.0)
        grain, mottle = skin_texture(image, parts)
        assert grain < 0.3 and mottle < 0.3

    def test_grainy_skin_gets_more_grain_within_bounds(self) -> None:
        fine = skin_texture(*_bare_torso(1.5))
        coarse = skin_texture(*_bare_torso(4.0))
        assert 0.3 < fine[0] < coarse[0] <= GRAIN_MAX

    def test_no_skin_no_texture(self) -> None:
        image, parts = _bare_torso(2.0)
        none = BodyParts(parts.labels, np.zeros_like(parts.skin))
        assert skin_texture(image, none) == (0.0, 0.0)

    def test_noise_repeats_without_seams(self) -> None:
        noise = texture_noise(2.0, 1.0, 300, 260)
        assert noise.shape == (300, 260) and noise.dtype == np.float32
        assert np.array_equal(noise[:128, :128], noise[128:256, 128:256])
        assert 1.5 < float(noise.std()) < 3.0
