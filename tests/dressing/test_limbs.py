"""The limbs as typed capsules (fitroom.dressing.limbs)."""

from __future__ import annotations

import numpy as np
import pytest

from fitroom.dressing.limbs import (
    ARM_RADIUS,
    LEG_RADIUS,
    SHIN_RADIUS,
    Limb,
    Limbs,
    bare_stretches,
    limb_mask,
)
from fitroom.fitting.anchors import BodyAnchors


def _anchors() -> BodyAnchors:
    """A front view: the person's left on the image's right, shoulders 100 px apart."""

    def pair(dy: float, spread: float = 0.0) -> np.ndarray:
        return np.array([[200.0 + spread, 100.0 + dy], [100.0 - spread, 100.0 + dy]], np.float32)

    return BodyAnchors(
        shoulders=pair(0.0),
        shoulder_joints=pair(0.0),
        elbows=pair(60.0, 10.0),
        wrists=pair(120.0, 15.0),
        hips=pair(160.0, -20.0),
        knees=pair(260.0, -20.0),
        ankles=pair(360.0, -20.0),
        torso_edges=np.zeros((0, 3), np.float32),
        visibility=np.ones((2, 6), np.float32),
        image_size=(300, 500),
    )


class TestLimbs:
    def test_from_anchors_names_each_limb(self) -> None:
        anchors = _anchors()
        limbs = Limbs.from_anchors(anchors)
        assert np.array_equal(
            limbs.left_arm.bones,
            np.stack([anchors.shoulder_joints[0], anchors.elbows[0], anchors.wrists[0]]),
        )
        assert np.array_equal(
            limbs.right_thigh.bones, np.stack([anchors.hips[1], anchors.knees[1]])
        )
        assert np.array_equal(
            limbs.left_shin.bones, np.stack([anchors.knees[0], anchors.ankles[0]])
        )
        width = anchors.shoulder_width
        assert limbs.right_arm.radius == pytest.approx(ARM_RADIUS * width)
        assert limbs.left_thigh.radius == pytest.approx(LEG_RADIUS * width)
        assert limbs.right_shin.radius == pytest.approx(SHIN_RADIUS * width)
        assert limbs.all == (
            limbs.left_arm,
            limbs.right_arm,
            limbs.left_thigh,
            limbs.right_thigh,
            limbs.left_shin,
            limbs.right_shin,
        )

    def test_shifted_moves_every_joint(self) -> None:
        limbs = Limbs.from_anchors(_anchors())
        moved = limbs.shifted(np.array([10.0, 20.0], np.float32))
        for before, after in zip(limbs.all, moved.all, strict=True):
            assert np.allclose(after.bones, before.bones - [10.0, 20.0])
            assert after.radius == before.radius

    def test_ankle_row_is_the_lowest_capsule_of_each_leg(self) -> None:
        limbs = Limbs.from_anchors(_anchors())
        assert limbs.ankle_row(0) == pytest.approx(460.0 + 0.5 * limbs.left_shin.radius)
        assert limbs.ankle_row(1) == pytest.approx(460.0 + 0.5 * limbs.right_shin.radius)

    def test_shoulder_and_torso_lines_join_the_first_joints(self) -> None:
        limbs = Limbs.from_anchors(_anchors())
        shoulders = limbs.shoulder_line()
        assert np.array_equal(shoulders.bones, [[200.0, 100.0], [100.0, 100.0]])
        torso = limbs.torso_line()
        assert np.allclose(torso.bones, [[150.0, 100.0], [150.0, 260.0]])
        assert torso.radius == pytest.approx(55.0)

    def test_a_limb_needs_points(self) -> None:
        with pytest.raises(ValueError, match=r"\(K, 2\)"):
            Limb(np.zeros((0, 2), np.float32), 3.0)


class TestBareStretches:
    def test_covered_middle_splits_a_limb_in_two(self) -> None:
        limb = Limb(np.array([[10.0, 50.0], [90.0, 50.0]], np.float32), 6.0)
        coverage = np.zeros((100, 100), np.float32)
        coverage[:, 40:60] = 1.0
        bare = bare_stretches([limb], coverage)
        assert len(bare) == 2
        assert all(b.radius == 6.0 for b in bare)
        assert float(bare[0].bones[:, 0].max()) < 40.0 < 60.0 <= float(bare[1].bones[:, 0].min())

    def test_a_narrow_gap_between_covered_stretches_is_not_bare(self) -> None:
        """An arm hanging against the body: its bone crosses the narrow gap between the new
        sleeve and the body panel. The limb is inside the garment on both sides of it, so the
        old fabric in the gap is no bare arm (it was painted as a wedge of skin)."""
        limb = Limb(np.array([[10.0, 50.0], [90.0, 50.0]], np.float32), 12.0)
        coverage = np.ones((100, 100), np.float32)
        coverage[:, 48:54] = 0.0  # a 6 px gap, narrower than the radius
        assert bare_stretches([limb], coverage) == []
        coverage[:, 30:70] = 0.0  # 40 px: a bare stretch of arm between two garments
        (bare,) = bare_stretches([limb], coverage)
        assert float(bare.bones[:, 0].min()) >= 28.0 and float(bare.bones[:, 0].max()) <= 71.0

    def test_a_bare_end_stays_bare_however_short(self) -> None:
        # Below a sleeve, the wrist's few bare pixels are the arm's own end: still bare.
        limb = Limb(np.array([[10.0, 50.0], [90.0, 50.0]], np.float32), 12.0)
        coverage = np.ones((100, 100), np.float32)
        coverage[:, 86:] = 0.0
        (bare,) = bare_stretches([limb], coverage)
        assert float(bare.bones[:, 0].max()) == pytest.approx(90.0)

    def test_mask_is_a_capsule_of_the_radius(self) -> None:
        mask = limb_mask(
            (100, 100), [Limb(np.array([[20.0, 50.0], [80.0, 50.0]], np.float32), 5.0)]
        )
        assert mask[50, 50] == 1.0 and mask[50, 5] == 0.0 and mask[60, 50] == 0.0
