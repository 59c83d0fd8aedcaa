"""Mask helpers (fitroom.dressing.masks)."""

from __future__ import annotations

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st


def _eroded(mask: np.ndarray, px: int) -> np.ndarray:
    import cv2

    k = np.ones((2 * px + 1, 2 * px + 1), np.uint8)
    return cv2.erode(mask.astype(np.uint8), k, borderType=cv2.BORDER_REPLICATE).astype(bool)


def _dilated(mask: np.ndarray, px: int) -> np.ndarray:
    import cv2

    k = np.ones((2 * px + 1, 2 * px + 1), np.uint8)
    return cv2.dilate(mask.astype(np.uint8), k).astype(bool)


class TestSmoothEdges:
    @settings(max_examples=20, deadline=None)
    @given(st.integers(20, 80), st.integers(20, 80), st.integers(0, 2**31 - 1))
    def test_staircase_becomes_smooth_and_area_kept(self, h: int, w: int, seed: int) -> None:
        from fitroom.dressing.masks import smooth_edges

        rng = np.random.default_rng(seed)
        # A blob upsampled with nearest neighbours: a staircase outline of 4-pixel steps.
        small = rng.random((h // 4 + 1, w // 4 + 1)) > 0.5
        hard = np.kron(small, np.ones((4, 4), bool))[:h, :w]
        soft = smooth_edges(hard, sigma=2.0)
        assert soft.shape == hard.shape and soft.dtype == np.float32
        assert soft.min() >= 0.0 and soft.max() <= 1.0
        # Deep inside stays in, far outside stays out.
        assert np.all(soft[_eroded(hard, 6)] == 1.0)
        assert np.all(soft[~hard & ~_dilated(hard, 6)] == 0.0)
        if hard.sum() > 200:
            assert abs(float(soft.sum()) - float(hard.sum())) < 0.15 * float(hard.sum())

    def test_empty_mask(self) -> None:
        from fitroom.dressing.masks import smooth_edges

        assert not smooth_edges(np.zeros((10, 12), bool)).any()
