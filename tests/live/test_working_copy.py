"""The working copy of a live frame (fitroom.live.working_copy): its size and the changes
scaled back into the full frame."""

from __future__ import annotations

import itertools

import cv2
import numpy as np
import numpy.typing as npt
from hypothesis import given, settings
from hypothesis import strategies as st

from fitroom.live.working_copy import (
    MIN_WORK_LONG_SIDE,
    WORK_SIDE_STEP,
    upsample_changes,
    upscaled_box,
    working_side,
)
from fitroom.vision.segmentation import shrink

ByteArray = npt.NDArray[np.uint8]


class TestWorkingSide:
    @settings(max_examples=200, deadline=None)
    @given(
        long_side=st.integers(200, 2000),
        area=st.floats(1.0, 4e6),
        budget=st.integers(4096, 100_000),
        cap=st.integers(64, 1000),
        now=st.none() | st.integers(64, 1000),
    )
    def test_working_side_stays_in_bounds_on_the_step_grid(
        self, long_side: int, area: float, budget: int, cap: int, now: int | None
    ) -> None:
        side = working_side(long_side, area, budget, cap=cap, now=now)
        assert min(MIN_WORK_LONG_SIDE, cap) <= side <= cap
        assert side in (cap, now) or side % WORK_SIDE_STEP == 0
        # The person's box fits the budget on the copy unless the floor forbids it.
        scale = side / long_side
        assert area * scale**2 <= budget * 1.0001 or side == min(MIN_WORK_LONG_SIDE, cap)

    @settings(max_examples=200, deadline=None)
    @given(
        area=st.floats(2_000.0, 300_000.0),
        breathing=st.floats(1.0, 1.1),
        cap=st.integers(256, 512),
    )
    def test_a_breathing_person_switches_size_at_most_once(
        self, area: float, breathing: float, cap: int
    ) -> None:
        sides = []
        now = None
        for i in range(20):
            now = working_side(640, area * (breathing if i % 2 else 1.0), 20_000, cap=cap, now=now)
            sides.append(now)
        assert sum(a != b for a, b in itertools.pairwise(sides)) <= 1


class TestUpsampleChanges:
    @settings(max_examples=25, deadline=None)
    @given(
        x=st.integers(0, 200),
        y=st.integers(0, 200),
        w=st.integers(1, 50),
        h=st.integers(1, 50),
        colour=st.tuples(st.integers(0, 255), st.integers(0, 255), st.integers(0, 255)),
    )
    def test_only_the_changed_box_changes(
        self, astronaut: ByteArray, x: int, y: int, w: int, h: int, colour: tuple[int, ...]
    ) -> None:
        work = shrink(astronaut, (256, 256))
        dressed = work.copy()
        dressed[y : y + h, x : x + w] = colour
        out = upsample_changes(astronaut, work, dressed)
        assert out.shape == astronaut.shape and out.dtype == np.uint8
        # Two working pixels (four full ones) beyond the change: the full-size frame, exactly.
        far = np.ones(astronaut.shape[:2], bool)
        far[max(0, 2 * (y - 2)) : 2 * (y + h + 2), max(0, 2 * (x - 2)) : 2 * (x + w + 2)] = False
        assert np.array_equal(out[far], astronaut[far])
        # Well inside a changed block the new colour shows (where it really differs).
        if w >= 4 and h >= 4:
            core = dressed[y + 1 : y + h - 1, x + 1 : x + w - 1]
            seen = out[2 * (y + 1) + 1 : 2 * (y + h - 1) - 1, 2 * (x + 1) + 1 : 2 * (x + w - 1) - 1]
            differs = (
                np.abs(core.astype(int) - work[y + 1 : y + h - 1, x + 1 : x + w - 1]).max() > 0
            )
            if differs:
                assert np.abs(seen.astype(int) - np.array(colour)).max() <= 2

    def test_nothing_changed_is_a_copy(self, astronaut: ByteArray) -> None:
        work = shrink(astronaut, (256, 256))
        out = upsample_changes(astronaut, work, work.copy())
        assert np.array_equal(out, astronaut) and out is not astronaut


class TestUpscaledBox:
    @settings(max_examples=60, deadline=None)
    @given(
        small=st.tuples(st.integers(4, 60), st.integers(4, 60)),
        factor=st.floats(1.0, 3.0),
        corners=st.tuples(st.floats(0, 1), st.floats(0, 1), st.floats(0, 1), st.floats(0, 1)),
        seed=st.integers(0, 2**16),
    )
    def test_a_box_of_the_whole_resize(
        self,
        small: tuple[int, int],
        factor: float,
        corners: tuple[float, float, float, float],
        seed: int,
    ) -> None:
        """Any box of the image scaled up is the same box of the whole image scaled up (to a
        level: warpAffine's weights are coarser than resize's)."""
        w, h = small
        size = (max(w, round(w * factor)), max(h, round(h * factor)))
        image = np.random.default_rng(seed).integers(0, 256, (h, w, 3), np.uint8)
        xs = sorted(round(c * size[0]) for c in corners[:2])
        ys = sorted(round(c * size[1]) for c in corners[2:])
        box = (xs[0], ys[0], max(xs[1], xs[0] + 1), max(ys[1], ys[0] + 1))
        if box[2] > size[0] or box[3] > size[1]:
            return
        whole = cv2.resize(image, size, interpolation=cv2.INTER_LINEAR)
        part = upscaled_box(image, size, box)
        expected = whole[box[1] : box[3], box[0] : box[2]]
        assert part.shape == expected.shape
        assert np.abs(part.astype(np.int16) - expected).max() <= 1
