"""One-Euro filter and exponential smoother."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from fitroom.vision.filters import ExponentialSmoother, OneEuroFilter, smoothing_factor

FPS = 30.0


def run(filt: OneEuroFilter, samples: np.ndarray, *, value_scale: float = 1.0) -> np.ndarray:
    """Filter a (T, ...) sequence sampled at FPS; returns the (T, ...) outputs."""
    return np.stack(
        [filt(x, i / FPS, value_scale=value_scale) for i, x in enumerate(samples)], axis=0
    )


class TestSmoothingFactor:
    def test_matches_first_order_low_pass(self) -> None:
        # alpha = 1 / (1 + tau / dt), tau = 1 / (2π f): at f = 1 Hz, dt = 1/30 s.
        tau = 1 / (2 * np.pi)
        assert smoothing_factor(1.0, 1 / 30) == pytest.approx(1 / (1 + tau * 30))

    @given(
        st.floats(0.001, 1000.0),
        st.floats(0.001, 1000.0),
        st.floats(0.0001, 1.0),
    )
    def test_in_unit_interval_and_increasing_with_cutoff(
        self, low: float, high: float, dt: float
    ) -> None:
        low, high = min(low, high), max(low, high)
        a_low, a_high = smoothing_factor(low, dt), smoothing_factor(high, dt)
        assert 0.0 < a_low <= a_high <= 1.0


class TestOneEuroFilter:
    def test_first_sample_passes_through(self) -> None:
        filt = OneEuroFilter(min_cutoff=0.5, beta=1.0)
        np.testing.assert_array_equal(filt(np.array([3.0, -2.0]), 0.0), [3.0, -2.0])

    def test_constant_signal_stays_constant(self) -> None:
        filt = OneEuroFilter(min_cutoff=0.05, beta=80.0)
        out = run(filt, np.full((60, 33, 3), 123.25))
        np.testing.assert_allclose(out, 123.25, rtol=0, atol=1e-9)

    def test_reduces_jitter(self) -> None:
        rng = np.random.default_rng(0)
        noisy = 100.0 + rng.normal(0.0, 2.0, size=(300, 10))
        out = run(OneEuroFilter(min_cutoff=1.0, beta=0.0), noisy)
        # Skip the start-up (first sample passes through unfiltered).
        assert out[30:].std(axis=0).mean() < 0.5 * noisy[30:].std(axis=0).mean()
        assert abs(out[30:].mean() - 100.0) < 0.5

    def test_follows_a_step(self) -> None:
        signal = np.concatenate([np.zeros(30), np.full(60, 10.0)])
        slow = run(OneEuroFilter(min_cutoff=1.0, beta=0.0), signal[:, None])[:, 0]
        fast = run(OneEuroFilter(min_cutoff=1.0, beta=5.0), signal[:, None])[:, 0]
        # Both end at the new level; the speed term makes the filter follow sooner.
        assert slow[-1] == pytest.approx(10.0, abs=0.05)
        assert fast[-1] == pytest.approx(10.0, abs=0.05)
        assert np.all(np.diff(slow[30:]) >= 0) and slow[30] < 10.0
        assert fast[33] > slow[33]
        # Never overshoots: each output is a blend of the previous output and the new sample.
        assert fast.max() <= 10.0 + 1e-9

    def test_value_scale_divides_the_speed(self) -> None:
        # The same movement in pixels is "fast" for a small person, "slow" for a large one.
        signal = np.concatenate([np.zeros(10), np.full(10, 20.0)])[:, None]
        near = run(OneEuroFilter(min_cutoff=0.05, beta=80.0), signal, value_scale=1 / 1000)
        far = run(OneEuroFilter(min_cutoff=0.05, beta=80.0), signal, value_scale=1 / 100)
        assert far[10, 0] > near[10, 0]

    def test_uses_timestamps_not_sample_count(self) -> None:
        # The same step observed after a longer gap moves the output further.
        filt_a = OneEuroFilter(min_cutoff=1.0)
        filt_b = OneEuroFilter(min_cutoff=1.0)
        filt_a(np.array([0.0]), 0.0)
        filt_b(np.array([0.0]), 0.0)
        short_gap = filt_a(np.array([1.0]), 1 / 60)
        long_gap = filt_b(np.array([1.0]), 1 / 5)
        assert long_gap[0] > short_gap[0]

    def test_rejects_time_going_backwards(self) -> None:
        filt = OneEuroFilter()
        filt(np.zeros(2), 1.0)
        with pytest.raises(ValueError, match="timestamps must increase"):
            filt(np.zeros(2), 1.0)

    def test_reset_and_shape_change_restart(self) -> None:
        filt = OneEuroFilter(min_cutoff=0.01)
        filt(np.zeros(3), 0.0)
        filt.reset()
        np.testing.assert_array_equal(filt(np.full(3, 5.0), 0.0), 5.0)  # same time is fine now
        np.testing.assert_array_equal(filt(np.full(4, 7.0), 0.1), 7.0)  # new shape restarts

    def test_rejects_bad_parameters(self) -> None:
        with pytest.raises(ValueError, match="min_cutoff"):
            OneEuroFilter(min_cutoff=0.0)
        with pytest.raises(ValueError, match="beta"):
            OneEuroFilter(beta=-1.0)

    @settings(max_examples=50, deadline=None)
    @given(
        st.lists(st.floats(-1e3, 1e3), min_size=2, max_size=40),
        st.floats(0.01, 10.0),
        st.floats(0.0, 100.0),
    )
    def test_output_stays_within_the_inputs_range(
        self, values: list[float], min_cutoff: float, beta: float
    ) -> None:
        out = run(OneEuroFilter(min_cutoff=min_cutoff, beta=beta), np.array(values)[:, None])
        assert out.min() >= min(values) - 1e-6
        assert out.max() <= max(values) + 1e-6


class TestExponentialSmoother:
    def test_blends_with_alpha(self) -> None:
        smoother = ExponentialSmoother(alpha=0.25)
        assert smoother(np.array(8.0)) == 8.0
        assert smoother(np.array(0.0)) == pytest.approx(6.0)

    def test_alpha_one_is_identity_and_reset_restarts(self) -> None:
        smoother = ExponentialSmoother(alpha=1.0)
        smoother(np.array([1.0]))
        assert smoother(np.array([4.0]))[0] == 4.0
        smoother = ExponentialSmoother(alpha=0.1)
        smoother(np.array([1.0]))
        smoother.reset()
        assert smoother(np.array([9.0]))[0] == 9.0

    def test_rejects_alpha_outside_unit_interval(self) -> None:
        with pytest.raises(ValueError, match="alpha"):
            ExponentialSmoother(alpha=0.0)
