"""Light on round limbs and the photo's folds for the new garment (fitroom.dressing.shading)."""

from __future__ import annotations

import numpy as np

from fitroom.dressing.limbs import Limb
from fitroom.dressing.shading import (
    FOLD_FLOOR,
    FOLD_RANGE,
    fold_shading,
    limb_relief,
    low_frequency_shading,
    plain_fabric,
    without_own_folds,
)


class TestLimbRelief:
    def test_bright_on_the_bone_darker_to_the_side_and_one_beyond(self) -> None:
        chain = np.array([[10.0, 50.0], [90.0, 50.0]], np.float32)
        relief = limb_relief((100, 100), [Limb(chain, 10.0)], depth=0.2)
        assert relief.shape == (100, 100) and relief.dtype == np.float32
        assert relief[50, 50] == 1.0
        assert 0.8 <= relief[57, 50] < relief[54, 50] < 1.0
        assert relief[70, 50] == 1.0 and relief[5, 5] == 1.0
        assert relief.min() >= 0.8 - 1e-6
        # No seam at the radius: the light comes back up towards it.
        assert relief[58, 50] < relief[59, 50] < relief[60, 50] and relief[60, 50] > 0.98

    def test_limb_outside_the_frame_changes_nothing(self) -> None:
        chain = np.array([[500.0, 500.0], [600.0, 600.0]], np.float32)
        assert np.all(limb_relief((40, 40), [Limb(chain, 8.0)]) == 1.0)


def _fabric() -> np.ndarray:
    # A soft vertical fold: darker by a fifth at its valley (x = 98), fading out over ~6 px
    # either side, as a fold's flank does.
    x = np.arange(200, dtype=np.float32)
    row = 150.0 - 30.0 * np.exp(-0.5 * ((x - 98.0) / 4.0) ** 2)
    return np.repeat(np.round(row).astype(np.uint8)[None, :, None], 200, axis=0).repeat(3, axis=2)


class TestFoldShading:
    def test_fold_darkens_and_flat_fabric_is_untouched(self) -> None:
        region = np.ones((200, 200), np.float32)
        folds = fold_shading(_fabric(), region, side=1000)
        assert folds[100, 98] < 0.9
        assert abs(float(folds[100, 40]) - 1.0) < 0.02

    def test_print_of_another_hue_is_not_a_fold(self) -> None:
        image = _fabric()
        image[60:80, 30:60] = (200, 30, 40)  # a red logo bar on grey fabric
        folds = fold_shading(image, np.ones((200, 200), np.float32), side=1000)
        assert abs(float(folds[70, 45]) - 1.0) < 0.05

    def test_hard_luminance_step_is_not_a_fold(self) -> None:
        image = _fabric()
        image[60:66, 30:90] = 20  # black lettering on grey: far beyond a fold's depth
        folds = fold_shading(image, np.ones((200, 200), np.float32), side=1000)
        assert float(folds[63, 60]) > 0.9

    def test_outside_region_is_one_and_range_holds(self) -> None:
        region = np.zeros((200, 200), np.float32)
        region[:, :120] = 1.0
        folds = fold_shading(_fabric(), region, side=1000)
        assert np.allclose(folds[:, 140:], 1.0)
        assert folds.min() >= FOLD_RANGE[0] - 1e-6
        assert folds.max() <= FOLD_RANGE[1] + 1e-6

    def test_seam_and_pocket_outline_are_held_back(self) -> None:
        # The old garment's stitched seam (a thin line as dark as a fold) would show on the new
        # garment as a ghost of the old one's cut: a sharp edge is not a fold. (This seam is
        # 15 % darker, within a fold's depth; of it at most about half is left. A deeper one is
        # a print's edge, see the test above.)
        image = np.full((200, 200, 3), 150, np.uint8)
        image[:, 60:62] = 125
        image[120:122, 110:180] = 125  # a pocket's edge
        region = np.ones((200, 200), np.float32)
        folds = fold_shading(image, region, side=1000)
        depth = 1.0 - (125.0 + FOLD_FLOOR) / (150.0 + FOLD_FLOOR)
        assert float(folds[100, 60]) > 1.0 - 0.6 * depth
        assert float(folds[121, 140]) > 1.0 - 0.6 * depth
        # ...while the same depth spread as a fold is taken.
        assert float(fold_shading(_fabric(), region, side=1000)[100, 98]) < 0.9

    def test_weave_of_dark_old_fabric_only_on_a_dark_new_one(self) -> None:
        # Dark denim's speckled weave: carried onto a new fabric as dark it is the photo's own
        # grain; onto a white tee it was dirt, so there it is smoothed away.
        rng = np.random.default_rng(0)
        denim = np.full((200, 200), 50.0) + rng.normal(0.0, 8.0, (200, 200))
        image = np.repeat(np.clip(denim, 0, 255).astype(np.uint8)[..., None], 3, axis=2)
        region = np.ones((200, 200), np.float32)
        on_white = fold_shading(image, region, side=1000, over=240.0)[40:160, 40:160]
        on_dark = fold_shading(image, region, side=1000, over=50.0)[40:160, 40:160]
        assert float(on_white.std()) < 0.02
        assert float(on_dark.std()) > 2.0 * float(on_white.std())

    def test_mean_light_is_kept(self) -> None:
        # The folds shade the garment; they do not make it lighter or darker overall.
        rng = np.random.default_rng(1)
        image = np.full((200, 200, 3), 150, np.float32)
        x = np.arange(200, dtype=np.float32)
        for centre in rng.uniform(20, 180, 6):
            image -= (25.0 * np.exp(-0.5 * ((x - centre) / 5.0) ** 2))[None, :, None]
        folds = fold_shading(image.astype(np.uint8), np.ones((200, 200), np.float32), side=1000)
        assert abs(float(folds[30:170, 30:170].mean()) - 1.0) < 0.05


def _folded(level: float, depth: float) -> np.ndarray:
    """uint8 (400, 400, 3) fabric of ``level`` with a soft vertical fold at x = 200, ``depth``
    darker at its valley and a few pixels wide, as a fold is on a garment 380 pixels tall."""
    x = np.arange(400, dtype=np.float32)
    row = level * (1.0 - depth * np.exp(-0.5 * ((x - 200.0) / 3.0) ** 2))
    return np.repeat(np.round(row).astype(np.uint8)[None, :, None], 400, axis=0).repeat(3, axis=2)


def _product_part(colour: np.ndarray) -> dict[str, np.ndarray]:
    """A garment's torso part: ``colour`` (uint8 (400, 400, 3)) inside a 10-pixel margin,
    premultiplied float32 (400, 400, 4)."""
    rgba = np.zeros((400, 400, 4), np.float32)
    rgba[10:390, 10:390, 3] = 1.0
    rgba[..., :3] = colour.astype(np.float32) * rgba[..., 3:]
    return {"torso": rgba}


class TestWithoutOwnFolds:
    def test_the_product_photos_fold_goes_its_print_and_colour_stay(self) -> None:
        colour = _folded(150.0, 0.2)
        colour[240:300, 80:140] = (200, 30, 40)  # a red print
        part = _product_part(colour)
        flat = without_own_folds(part)["torso"]
        assert flat.shape == part["torso"].shape and flat.dtype == np.float32
        # Of the fold's valley (120 in the product photo; the fabric is 150) most is gone.
        assert float(part["torso"][120, 200, 0]) < 125.0
        assert 135.0 < float(flat[120, 200, 0]) < 155.0
        # The print keeps its colour, the plain fabric and the alpha are unchanged.
        assert np.allclose(flat[270, 110, :3], (200, 30, 40), atol=3.0)
        assert np.allclose(flat[120, 80, :3], part["torso"][120, 80, :3], atol=2.0)
        assert np.array_equal(flat[..., 3], part["torso"][..., 3])

    def test_white_stays_within_white(self) -> None:
        part = _product_part(_folded(250.0, 0.12))
        flat = without_own_folds(part)["torso"]
        assert float(flat[..., :3].max()) <= 255.0
        assert float(part["torso"][120, 200, 0]) < 225.0
        assert float(flat[120, 200, 0]) > 240.0

    def test_no_parts_and_no_opaque_parts_are_left_as_they_are(self) -> None:
        assert without_own_folds({}) == {}
        clear = {"torso": np.zeros((20, 20, 4), np.float32)}
        assert without_own_folds(clear)["torso"] is clear["torso"]


class TestPlainFabric:
    def test_a_logo_is_left_out_and_plain_fabric_kept(self) -> None:
        image = np.full((240, 240, 3), 230, np.uint8)
        image[80:150, 60:180] = 20  # a black logo on a white top
        region = np.ones((240, 240), np.float32)
        plain = plain_fabric(image, region)
        assert plain.shape == region.shape and plain.dtype == np.float32
        assert float(plain[115, 120]) == 0.0
        assert float(plain[20, 20]) == 1.0 and float(plain[200, 120]) == 1.0

    def test_the_old_logo_casts_no_slow_light_but_the_photos_light_stays(self) -> None:
        # A white top lit from the left (its right side a fifth darker), with a black logo.
        x = np.linspace(1.0, 0.8, 240, dtype=np.float32)
        image = np.repeat((230.0 * x)[None, :, None], 240, axis=0).repeat(3, axis=2)
        image = np.round(image).astype(np.uint8)
        image[80:150, 90:150] = 20
        region = np.ones((240, 240), np.float32)
        light = low_frequency_shading(image, plain_fabric(image, region))
        # Round the logo the light is the fabric's; over the whole photo, left to right, it
        # falls as the lamp's does.
        assert abs(float(light[115, 120]) - float(light[30, 120])) < 0.03
        assert float(light[120, 20]) > float(light[120, 220]) + 0.1
        # (Read over the logo, the light there was far darker.)
        assert float(low_frequency_shading(image, region)[115, 120]) < 0.8
