"""Warps: thin-plate splines, limb warps and similarities, checked by their invariants."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays

from fitroom.fitting.warp import (
    apply_affine,
    fit_thin_plate_spline,
    limb_inverse_maps,
    limb_maps,
    remap_premultiplied,
    similarity_from_pairs,
    tps_inverse_maps,
)

coords = st.floats(min_value=0.0, max_value=200.0, allow_nan=False, width=32)


def _spread(points: np.ndarray) -> bool:
    """Points far enough apart and not all on one line (a TPS needs that)."""
    d = np.hypot(*(points[:, None, :] - points[None, :, :]).transpose(2, 0, 1))
    np.fill_diagonal(d, np.inf)
    centred = points - points.mean(axis=0)
    return bool(d.min() > 5.0 and np.linalg.svd(centred, compute_uv=False)[-1] > 5.0)


class TestThinPlateSpline:
    @settings(max_examples=40, deadline=None)
    @given(arrays(np.float64, (6, 2), elements=coords))
    def test_identical_landmarks_give_identity_warp(self, points: np.ndarray) -> None:
        if not _spread(points):
            return
        map_x, map_y = tps_inverse_maps(points, points, (0, 0, 210, 205))
        yy, xx = np.mgrid[:205, :210]
        assert np.abs(map_x - xx).max() < 1e-2
        assert np.abs(map_y - yy).max() < 1e-2

    @settings(max_examples=30, deadline=None)
    @given(arrays(np.float64, (5, 2), elements=coords), arrays(np.float64, (5, 2), elements=coords))
    def test_interpolates_control_points(self, src: np.ndarray, dst: np.ndarray) -> None:
        if not _spread(src):
            return
        tps = fit_thin_plate_spline(src, dst)
        assert np.allclose(tps(src), dst, atol=1e-4 * (1 + np.abs(dst).max()))

    def test_affine_targets_are_reproduced_exactly(self) -> None:
        src = np.array([[0, 0], [100, 0], [0, 100], [100, 100], [40, 60]], float)
        matrix = np.array([[1.2, 0.1, 5.0], [-0.2, 0.9, -3.0]])
        tps = fit_thin_plate_spline(src, apply_affine(matrix, src))
        probe = np.array([[10.0, 20.0], [150.0, -30.0]])
        assert np.allclose(tps(probe), apply_affine(matrix, probe), atol=1e-6)

    def test_exception_on_too_few_points(self) -> None:
        with pytest.raises(ValueError, match="N ≥ 3"):
            fit_thin_plate_spline([[0, 0], [1, 1]], [[0, 0], [1, 1]])


class TestLimbWarp:
    def test_straight_limb_at_scale_one_is_identity(self) -> None:
        map_x, map_y = limb_inverse_maps(
            [20, 0], [20, 50], [[20, 0], [20, 30], [20, 60]], 1.0, (0, 0, 40, 70)
        )
        yy, xx = np.mgrid[:70, :40]
        assert np.abs(map_x - xx).max() < 1e-3
        assert np.abs(map_y - yy).max() < 1e-3

    def test_bent_limb_maps_joints_to_the_garment_axis(self) -> None:
        # The garment sleeve runs straight down; the arm bends 90° at the elbow (30, 30).
        joints = np.array([[0.0, 0.0], [0.0, 30.0], [30.0, 30.0]])
        map_x, map_y = limb_inverse_maps([0, 0], [0, 60], joints, 1.0, (0, 0, 40, 40), step=1)
        # The wrist end of the forearm (30, 30) samples the sleeve at 60 px along its axis.
        assert map_x[30, 30] == pytest.approx(0.0, abs=1e-3)
        assert map_y[30, 30] == pytest.approx(60.0, abs=1e-3)
        # The elbow samples the sleeve at the upper arm's length.
        assert map_y[30, 0] == pytest.approx(30.0, abs=1e-3)

    def test_exception_on_bad_scale(self) -> None:
        with pytest.raises(ValueError, match="scale"):
            limb_inverse_maps([0, 0], [0, 1], [[0, 0], [0, 1], [0, 2]], 0.0, (0, 0, 4, 4))
        with pytest.raises(ValueError, match="across"):
            limb_maps([0, 0], [0, 1], [[0, 0], [0, 1], [0, 2]], 1.0, (0, 0, 4, 4), across=0.0)

    @settings(max_examples=30, deadline=None)
    @given(st.floats(0.4, 1.0), st.floats(0.5, 2.0))
    def test_across_narrows_only_across_the_bone(self, across: float, scale: float) -> None:
        # A straight vertical limb: rows map by 1/scale, columns off the axis by 1/(scale·across).
        joints = [[20.0, 0.0], [20.0, 30.0], [20.0, 60.0]]
        map_x, map_y, second = limb_maps(
            [50, 10], [50, 90], joints, scale, (0, 0, 40, 60), step=1, across=across
        )
        yy, xx = np.mgrid[:60, :40]
        assert np.allclose(map_y, 10 + yy / scale, atol=1e-2)
        assert np.allclose(map_x, 50 + (xx - 20) / (scale * across), atol=1e-2)
        assert second.min() >= 0.0 and second.max() <= 1.0

    def test_second_bone_share(self) -> None:
        joints = np.array([[0.0, 0.0], [0.0, 30.0], [30.0, 30.0]])
        _, _, second = limb_maps([0, 0], [0, 60], joints, 1.0, (0, 0, 40, 40), step=1)
        assert second[5, 0] == pytest.approx(0.0)  # on the upper arm
        assert second[30, 28] == pytest.approx(1.0)  # on the forearm, past the blend


class TestSimilarity:
    @settings(max_examples=50, deadline=None)
    @given(arrays(np.float64, (2, 2), elements=coords), arrays(np.float64, (2, 2), elements=coords))
    def test_maps_the_pair_exactly(self, src: np.ndarray, dst: np.ndarray) -> None:
        if np.hypot(*(src[0] - src[1])) < 1.0:
            return
        m = similarity_from_pairs(src, dst)
        assert np.allclose(apply_affine(m, src), dst, atol=1e-6)
        # A similarity: equal column norms, orthogonal columns.
        assert np.hypot(*m[:, 0]) == pytest.approx(np.hypot(*m[:, 1]))
        assert float(m[:, 0] @ m[:, 1]) == pytest.approx(0.0, abs=1e-9)


class TestRemap:
    def test_outside_is_transparent(self) -> None:
        rgba = np.ones((10, 10, 4), np.float32)
        map_x = np.full((5, 5), -50.0, np.float32)
        out = remap_premultiplied(rgba, map_x, map_x.copy())
        assert out.shape == (5, 5, 4)
        assert not out.any()
