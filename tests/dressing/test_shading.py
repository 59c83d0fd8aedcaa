"""Light on round limbs and the photo's folds for the new garment (fitroom.dressing.shading)."""

from __future__ import annotations

import numpy as np

from fitroom.dressing.limbs import Limb
from fitroom.dressing.shading import FOLD_RANGE, fold_shading, limb_relief


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
    image = np.full((200, 200, 3), 150, np.uint8)
    # A soft vertical fold: 6 px darker by a fifth.
    image[:, 96:102] = 120
    return image


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
