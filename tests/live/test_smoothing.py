"""Anchor smoothing: a still body stays put, a moving one is followed, missing rows are kept."""

from __future__ import annotations

from dataclasses import replace

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays

from fitroom.fitting import BodyAnchors
from fitroom.live import AnchorSmoother
from fitroom.live.smoothing import (
    FRAME_MS,
    MAX_FACING_STEP,
    MAX_WIDTH_STEP,
    LineSmoother,
    adaptive_step,
    limit_width_change,
)


def _anchors(shift: float = 0.0, edge: float = 40.0) -> BodyAnchors:
    pair = np.array([[260.0 + shift, 120.0], [180.0 + shift, 120.0]], np.float32)
    rows = np.array([[y, 220.0 + shift + edge * 0, 200.0 + shift] for y in range(100, 200, 4)])
    rows[:, 1] = 220.0 + shift + edge
    rows[:, 2] = 220.0 + shift - edge
    return BodyAnchors(
        shoulders=pair,
        shoulder_joints=pair.copy(),
        elbows=pair + np.array([0, 60], np.float32),
        wrists=pair + np.array([0, 120], np.float32),
        hips=pair + np.array([0, 150], np.float32),
        knees=pair + np.array([0, 230], np.float32),
        ankles=pair + np.array([0, 310], np.float32),
        torso_edges=rows.astype(np.float32),
        visibility=np.ones((2, 6), np.float32),
        image_size=(480, 480),
    )


finite = st.floats(-500, 500, allow_nan=False, width=32)


@settings(max_examples=60, deadline=None)
@given(
    prev=arrays(np.float32, (5, 2), elements=finite),
    cur=arrays(np.float32, (5, 2), elements=finite),
    dt=st.floats(0.001, 1.0),
)
def test_step_lies_between_previous_and_current(
    prev: np.ndarray, cur: np.ndarray, dt: float
) -> None:
    out = adaptive_step(prev, cur, dt, min_cutoff_hz=1.0, beta=1.0, scale=100.0)
    lo, hi = np.minimum(prev, cur), np.maximum(prev, cur)
    assert np.all(out >= lo - 1e-3) and np.all(out <= hi + 1e-3)


@settings(max_examples=30, deadline=None)
@given(values=arrays(np.float32, (4, 2), elements=finite))
def test_constant_input_is_a_fixed_point(values: np.ndarray) -> None:
    out = adaptive_step(values, values, 1 / 30, min_cutoff_hz=1.0, beta=1.0, scale=100.0)
    np.testing.assert_allclose(out, values, atol=1e-4)


def test_nan_previous_takes_the_measurement_even_with_a_dead_band() -> None:
    prev = np.array([[np.nan, np.nan]], np.float32)
    cur = np.array([[3.0, 4.0]], np.float32)
    out = adaptive_step(prev, cur, 1 / 30, min_cutoff_hz=1.0, beta=0.0, scale=1.0, deadband=2.0)
    np.testing.assert_array_equal(out, cur)


def test_nan_keeps_the_previous_value() -> None:
    prev = np.array([[1.0, 2.0]], np.float32)
    cur = np.array([[np.nan, 5.0]], np.float32)
    out = adaptive_step(prev, cur, 1 / 30, min_cutoff_hz=1.0, beta=0.0, scale=1.0)
    assert out[0, 0] == 1.0 and 2.0 < out[0, 1] < 5.0


class TestAnchorSmoother:
    def test_first_frame_passes_through(self) -> None:
        a = _anchors()
        assert AnchorSmoother()(a, 0) is a

    def test_jitter_is_damped_and_a_move_is_followed(self) -> None:
        smoother = AnchorSmoother()
        rng = np.random.default_rng(0)
        outs = [
            smoother(_anchors(float(rng.normal(0, 1.0)), 40.0 + float(rng.normal(0, 2))), 33 * i)
            for i in range(60)
        ]
        xs = np.array([o.shoulders[0, 0] for o in outs[10:]])
        assert xs.std() < 0.6  # the input jitters by 1 px
        widths = np.array([o.torso_edges[5, 1] - o.torso_edges[5, 2] for o in outs[10:]])
        assert widths.std() < 2.0 and abs(widths.mean() - 80.0) < 2.0
        # A real move (the person steps 60 px aside) is followed within a few frames, up to
        # the dead band (a share of the 80 px shoulder distance).
        moved = [smoother(_anchors(60.0), 33 * (60 + i)) for i in range(8)]
        band = smoother.deadband * 80.0
        assert abs(float(moved[-1].shoulders[0, 0]) - 320.0) < band + 1.0

    def test_facing_moves_by_a_bounded_step_per_frame(self) -> None:
        # The pose model's depth puts a person walking in side-on square to the camera on one
        # frame and turned aside on the next: the top's length (which follows facing) slides.
        smoother = AnchorSmoother()
        smoother(_anchors(), 0)
        turned = replace(_anchors(), facing=0.6)
        outs = [smoother(turned, round(FRAME_MS * i)) for i in range(1, 31)]
        steps = np.abs(np.diff([1.0] + [o.facing for o in outs]))
        assert steps.max() <= MAX_FACING_STEP * 1.05
        assert outs[0].facing < 1.0
        # Held for a second, it gets there.
        assert outs[-1].facing == pytest.approx(0.6, abs=0.05)
        back = smoother(_anchors(), round(FRAME_MS * 31))
        assert back.facing > outs[-1].facing

    def test_wander_inside_the_dead_band_does_not_move_the_anchors(self) -> None:
        smoother = AnchorSmoother()
        first = smoother(_anchors(), 0)
        for i in range(1, 30):
            out = smoother(_anchors(0.9 * smoother.deadband * 80.0 * (-1) ** i), 33 * i)
        np.testing.assert_array_equal(out.shoulders, first.shoulders)

    def test_unmeasured_edge_rows_keep_their_last_value(self) -> None:
        smoother = AnchorSmoother()
        first = _anchors()
        smoother(first, 0)
        edges = first.torso_edges.copy()
        edges[3, 1:] = np.nan
        out = smoother(replace(first, torso_edges=edges), 33)
        assert np.isfinite(out.torso_edges[3, 1:]).all()

    @pytest.mark.parametrize("later_ms", [0, -10])
    def test_non_increasing_timestamps_restart(self, later_ms: int) -> None:
        smoother = AnchorSmoother()
        smoother(_anchors(), 0)
        b = _anchors(30.0)
        assert smoother(b, later_ms) is b


class TestWidthChange:
    def test_a_body_widening_at_once_is_followed_a_step_a_frame(self) -> None:
        # The pose model finds the shoulders 50% wider from one frame to the next (a head-
        # cropped person): the smoothed body widens by at most MAX_WIDTH_STEP a frame, the
        # shoulders and the torso rows about their centres, and reaches the new width.
        smoother = AnchorSmoother()
        smoother(_anchors(), 0)
        wide = _anchors(edge=60.0)
        wide = replace(
            wide,
            shoulders=np.array([[280.0, 120.0], [160.0, 120.0]], np.float32),
            shoulder_joints=np.array([[280.0, 120.0], [160.0, 120.0]], np.float32),
        )
        widths = [80.0]
        for i in range(1, 30):
            out = smoother(wide, 33 * i)
            widths.append(out.shoulder_width)
            np.testing.assert_allclose(out.shoulders.mean(axis=0), (220.0, 120.0), atol=1e-3)
            rows = out.torso_edges
            np.testing.assert_allclose(0.5 * (rows[:, 1] + rows[:, 2]), 220.0, atol=1e-3)
        ratios = np.array(widths[1:]) / np.array(widths[:-1])
        assert np.all(ratios <= 1.0 + MAX_WIDTH_STEP + 1e-4)
        assert ratios.max() > 1.0 + MAX_WIDTH_STEP - 1e-3  # (the limit, not the low-pass)
        # (Within the smoother's deadband of the measurement: 4% of the width per shoulder.)
        assert 120.0 - 2 * 0.04 * 120.0 - 0.5 <= widths[-1] <= 120.0

    @settings(max_examples=40, deadline=None)
    @given(st.floats(10.0, 300.0), st.floats(0.5, 3.0))
    def test_never_past_the_measurement(self, last: float, frames: float) -> None:
        anchors = _anchors()
        out = limit_width_change(anchors, last, frames)
        step = (1.0 + MAX_WIDTH_STEP) ** max(frames, 1.0)
        now = anchors.shoulder_width
        assert min(now, last / step) - 1e-3 <= out.shoulder_width <= max(now, last * step) + 1e-3
        assert min(now, last) - 1e-3 <= out.shoulder_width <= max(now, last) + 1e-3
        np.testing.assert_array_equal(out.wrists, anchors.wrists)


class TestLineSmoother:
    def test_bridges_short_gaps_and_forgets_long_ones(self) -> None:
        smoother = LineSmoother(alpha=0.5, hold_ms=100)
        line = np.full(8, 40.0, np.float32)
        assert smoother(None, 0) is None
        first = smoother(line, 0)
        assert first is not None and np.array_equal(first, line)
        # Missing for 66 ms: the last line holds (no hem jumping down for one frame).
        held = smoother(None, 66)
        assert held is not None and np.array_equal(held, line)
        # A new measurement moves it half way.
        moved = smoother(line + 10, 99)
        assert moved is not None and np.allclose(moved, 45.0)
        # Missing for longer than hold_ms: gone, and the next one starts afresh.
        assert smoother(None, 300) is None
        fresh = smoother(line + 20, 333)
        assert fresh is not None and np.allclose(fresh, 60.0)

    def test_with_a_scale_the_hem_slides_instead_of_jumping(self) -> None:
        # Shoulder width 100 px: the line moves at most 4 px a frame, starts 60 px low when
        # found on a running stream, and sinks 60 px before it is forgotten.
        smoother = LineSmoother(alpha=1.0, hold_ms=100, max_step=0.04, release_depth=0.6)
        line = np.full(8, 200.0, np.float32)
        first = smoother(line, 0, 100.0)
        # The stream's first frame: as found (a photo's render).
        assert first is not None and np.array_equal(first, line)
        far = smoother(line - 40.0, 33, 100.0)
        assert far is not None and np.allclose(far, 196.0)
        # Lost: held for hold_ms, then sinking 4 px a frame, then gone.
        kept = smoother(None, 133, 100.0)
        assert kept is not None and np.allclose(kept, 196.0)
        rows = []
        ts = 133
        for _ in range(40):
            ts += 33
            out = smoother(None, ts, 100.0)
            if out is None:
                break
            rows.append(float(out[0]))
        assert np.allclose(np.diff([196.0, *rows]), 4.0)
        assert 196.0 + 56.0 <= rows[-1] <= 196.0 + 60.0
        # Found again on the running stream: rises from 60 px below, 4 px a frame.
        back = smoother(line, ts + 33, 100.0)
        assert back is not None and np.allclose(back, 256.0)
        again = smoother(line, ts + 66, 100.0)
        assert again is not None and np.allclose(again, 252.0)

    @settings(max_examples=30, deadline=None)
    @given(
        arrays(np.float32, 6, elements=st.floats(0, 500, width=32)),
        arrays(np.float32, 6, elements=st.floats(0, 500, width=32)),
        st.floats(0.0, 1.0),
    )
    def test_result_lies_between_old_and_new(
        self, old: np.ndarray, new: np.ndarray, alpha: float
    ) -> None:
        smoother = LineSmoother(alpha=alpha)
        smoother(old, 0)
        out = smoother(new, 33)
        assert out is not None
        low, high = np.minimum(old, new), np.maximum(old, new)
        assert np.all(out >= low - 1e-3) and np.all(out <= high + 1e-3)


class TestRescale:
    """A stream whose frames start being dressed at another size keeps its smoothing."""

    def _measurements(self, count: int, seed: int) -> list[BodyAnchors]:
        rng = np.random.default_rng(seed)
        return [_anchors(shift=float(rng.normal(0.0, 3.0))) for _ in range(count)]

    @pytest.mark.parametrize("ratio", [0.5, 0.8, 1.25])
    def test_history_carries_over_to_the_new_size(self, ratio: float) -> None:
        measured = self._measurements(12, seed=3)
        whole, switched = AnchorSmoother(), AnchorSmoother()
        size = (round(480 * ratio), round(480 * ratio))
        for i, anchors in enumerate(measured):
            expected = whole(anchors, 33 * i)
            if i < 6:
                switched(anchors, 33 * i)
                continue
            if i == 6:
                switched.rescale(size)
            scaled = _scaled(anchors, ratio, size)
            out = switched(scaled, 33 * i)
            # As if the whole stream had been at the new size: damped, not restarted.
            np.testing.assert_allclose(out.shoulders, expected.shoulders * ratio, atol=0.05)
            np.testing.assert_allclose(out.hips, expected.hips * ratio, atol=0.05)

    def test_edges_land_on_the_rows_measured_at_the_new_size(self) -> None:
        smoother = AnchorSmoother()
        smoother(_anchors(), 0)
        smoother.rescale((240, 240))
        # Only the rows 50..98 are measured again (the old rows 100..196, halved), wider.
        out = smoother(_scaled(_anchors(edge=60.0), 0.5, (240, 240)), 33)
        rows = out.torso_edges
        np.testing.assert_array_equal(rows[:, 0], np.arange(0, 240, 4, dtype=np.float32))
        measured = ~np.isnan(rows[:, 1])
        assert rows[measured, 0].min() >= 48 and rows[measured, 0].max() <= 100
        # Each edge moves part of the way from the carried-over 130 (260 × 0.5) to 140.
        assert np.all((rows[measured, 1] > 130.5) & (rows[measured, 1] < 135.0))

    def test_line_carries_over(self) -> None:
        line = LineSmoother(alpha=0.5)
        line(np.full(100, 80.0, np.float32), 0)
        line.rescale(50, 0.5)
        out = line(np.full(50, 50.0, np.float32), 33)
        assert out is not None and out.shape == (50,)
        # Mixed with the carried-over 40 (80 × 0.5), not restarted at 50.
        np.testing.assert_allclose(out, 45.0)


def _scaled(anchors: BodyAnchors, ratio: float, size: tuple[int, int]) -> BodyAnchors:
    """The same anchors measured on the image scaled by ``ratio`` (edge rows every 4 pixels)."""
    points = {
        name: (getattr(anchors, name) * np.float32(ratio)).astype(np.float32)
        for name in ("shoulders", "shoulder_joints", "elbows", "wrists", "hips", "knees", "ankles")
    }
    ys = np.arange(0, size[1], 4, dtype=np.float32)
    edges = np.full((ys.size, 3), np.nan, np.float32)
    edges[:, 0] = ys
    old = anchors.torso_edges
    for k, y in enumerate(ys):
        near = np.abs(old[:, 0] * ratio - y) <= 2.0 * ratio
        if near.any():
            edges[k, 1:] = old[near][0, 1:] * ratio
    return replace(anchors, image_size=size, torso_edges=edges, **points)
