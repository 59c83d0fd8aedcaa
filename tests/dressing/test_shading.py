"""Light on round limbs (fitroom.dressing.shading)."""

from __future__ import annotations

import numpy as np

from fitroom.dressing.limbs import Limb
from fitroom.dressing.shading import limb_relief


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
