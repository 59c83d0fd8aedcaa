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
    @settings(max_examples=20, deadline=None, derandomize=True)
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


def test_snap_to_edges_moves_a_staircase_rim_onto_the_photo_edge() -> None:
    """A part-map mask whose edge is a staircase of 8-pixel steps beside a straight edge in
    the photo: after snapping, the mask's rim follows the photo's edge."""
    from fitroom.dressing.masks import snap_to_edges

    h = w = 96
    guide = np.full((h, w, 3), 40, np.uint8)
    guide[:, 48:] = 220  # the real edge: column 48
    coarse = np.zeros((h, w), np.float32)
    for y in range(0, h, 8):
        coarse[y : y + 8, : 44 + 8 * ((y // 8) % 2)] = 1.0  # steps at columns 44 and 52
    # (The dark side is the mask's: 1 left of the edge.)
    coarse[:, :44] = 1.0
    snapped = snap_to_edges(coarse, guide, 6)
    rows = slice(16, 80)
    before = np.abs((coarse[rows] > 0.5).sum(axis=1) - 48).mean()
    after = np.abs((snapped[rows] > 0.5).sum(axis=1) - 48).mean()
    assert before >= 3.5
    assert after <= 1.0


@settings(max_examples=40, deadline=None, derandomize=True)
@given(st.integers(1, 80), st.integers(0, 80), st.integers(0, 80), st.integers(1, 8))
def test_span_to_multiple_grows_within_the_frame(size: int, a: int, b: int, m: int) -> None:
    """The span keeps what it held, stays in the frame, and is a multiple of ``m`` long
    wherever the frame is that long."""
    from fitroom.dressing.masks import span_to_multiple

    start, stop = sorted((min(a, size), min(b, size)))
    lo, hi = span_to_multiple(start, stop, size, m)
    assert 0 <= lo <= start and stop <= hi <= size
    assert hi - lo < stop - start + m
    # (Only a frame too short for it stops the span short of a multiple: then it is all.)
    assert (hi - lo) % m == 0 or (lo, hi) == (0, size)


class TestFastPaths:
    """The faster ways of computing the same masks give exactly what the plain NumPy ways do."""

    @settings(max_examples=15, deadline=None, derandomize=True)
    @given(st.integers(1, 60), st.integers(1, 60), st.integers(0, 2**31 - 1))
    def test_labels_mask_matches_isin(self, h: int, w: int, seed: int) -> None:
        from fitroom.dressing.masks import labels_mask
        from fitroom.vision.core import BodyPart

        rng = np.random.default_rng(seed)
        labels = rng.integers(0, max(BodyPart) + 1, (h, w)).astype(np.uint8)
        parts = {BodyPart.TORSO, BodyPart.LEFT_FOREARM, BodyPart.HAIR}
        wanted = np.isin(labels, [int(p) for p in parts])
        got = labels_mask(labels, parts)
        assert got.dtype == np.bool_ and got.shape == (h, w)
        assert np.array_equal(got, wanted)
        # A strided view (a crop or every other row) and a wider integer map give the same.
        assert np.array_equal(labels_mask(labels[::2, 1:], parts), wanted[::2, 1:])
        assert np.array_equal(labels_mask(labels.astype(np.int32), parts), wanted)

    @settings(max_examples=15, deadline=None, derandomize=True)
    @given(st.integers(1, 40), st.integers(1, 40), st.integers(0, 2**13 - 1))
    def test_labels_mask_of_any_parts_matches_isin(self, h: int, w: int, chosen: int) -> None:
        """Any set of parts (one run of consecutive labels, several, or many: the lookup
        table)."""
        from fitroom.dressing.masks import labels_mask
        from fitroom.vision.core import ARM_PARTS, LEG_PARTS, BodyPart

        labels = np.random.default_rng(chosen).integers(0, 14, (h, w)).astype(np.uint8)
        for parts in (
            {p for p in BodyPart if chosen >> int(p) & 1},
            ARM_PARTS,
            {*ARM_PARTS, *LEG_PARTS},
            {BodyPart.FACE, BodyPart.NECK, BodyPart.LEFT_UPPER_ARM, BodyPart.LEFT_HAND},
        ):
            got = labels_mask(labels, parts)
            assert got.dtype == np.bool_
            assert np.array_equal(got, np.isin(labels, [int(p) for p in parts]))

    @settings(max_examples=25, deadline=None, derandomize=True)
    @given(
        st.integers(8, 400),
        st.integers(8, 400),
        st.sampled_from([0.8, 1.0, 2.5, 6.144]),
        st.integers(0, 2**31 - 1),
    )
    def test_blur_in_box_equals_whole_frame_blur(
        self, h: int, w: int, sigma: float, seed: int
    ) -> None:
        """Bit for bit, wherever the mask's pixels lie (the box's columns are aligned)."""
        import cv2

        from fitroom.dressing.masks import blur_in_box

        rng = np.random.default_rng(seed)
        mask = np.zeros((h, w), np.float32)
        y0, x0 = int(rng.integers(0, h)), int(rng.integers(0, w))
        y1, x1 = int(rng.integers(y0, h)) + 1, int(rng.integers(x0, w)) + 1
        patch = rng.random((y1 - y0, x1 - x0)).astype(np.float32)
        mask[y0:y1, x0:x1] = np.where(patch > 0.5, patch, 0.0)
        assert np.array_equal(blur_in_box(mask, sigma), cv2.GaussianBlur(mask, (0, 0), sigma))
        assert not blur_in_box(np.zeros((h, w), np.float32), sigma).any()

    @settings(max_examples=10, deadline=None, derandomize=True)
    @given(st.integers(8, 80), st.integers(8, 80), st.integers(1, 9), st.integers(0, 2**31 - 1))
    def test_grow_mask_of_bool_equals_float(self, h: int, w: int, r: int, seed: int) -> None:
        from fitroom.dressing.masks import grow_mask

        hard = np.random.default_rng(seed).random((h, w)) > 0.8
        assert np.array_equal(grow_mask(hard, r), grow_mask(hard.astype(np.float32), r))

    def test_per_channel_equals_broadcast(self) -> None:
        from fitroom.dressing.masks import per_channel

        rng = np.random.default_rng(3)
        image = (rng.random((37, 53, 3)) * 255).astype(np.float32)
        weight = rng.random((37, 53)).astype(np.float32)
        tripled = per_channel(weight)
        assert tripled.shape == (37, 53, 3) and tripled.dtype == np.float32
        assert np.array_equal(image * tripled, image * weight[..., None])
        # A crop of a larger weight map (not contiguous) too.
        big = rng.random((60, 80)).astype(np.float32)
        assert np.array_equal(
            per_channel(big[5:42, 10:63]), np.repeat(big[5:42, 10:63, None], 3, 2)
        )

    def test_empty_maps(self) -> None:
        from fitroom.dressing.masks import labels_mask, per_channel
        from fitroom.vision.core import BodyPart

        assert labels_mask(np.zeros((0, 4), np.uint8), {BodyPart.TORSO}).shape == (0, 4)
        assert per_channel(np.zeros((3, 0), np.float32)).shape == (3, 0, 3)
