"""Temporal filters for landmark streams: the One-Euro filter and a plain exponential smoother.

The One-Euro filter (Casiez, Roussel and Vogel, CHI 2012) is a low-pass filter whose cut-off
frequency rises with the signal's speed: slow movements are smoothed hard (no jitter), fast ones
barely (little lag). The filters work element-wise on arrays of any shape, so one instance smooths
all landmarks of a pose at once. Time comes from the caller's timestamps, not from a clock, so a
dropped frame or a variable frame rate is handled correctly.

>>> f = OneEuroFilter(min_cutoff=1.0, beta=0.0)
>>> float(f(np.array([0.0]), 0.0)[0]), round(float(f(np.array([1.0]), 0.1)[0]), 4)
(0.0, 0.3859)
"""

from __future__ import annotations

import math

import numpy as np
import numpy.typing as npt

FloatArray = npt.NDArray[np.float64]


def smoothing_factor(cutoff_hz: float | FloatArray, dt_s: float) -> float | FloatArray:
    """Weight of the new sample in an exponential smoother with the given cut-off frequency.

    ``alpha = 1 / (1 + tau / dt)`` with ``tau = 1 / (2π · cutoff)``: the discrete form of a
    first-order low-pass filter sampled every ``dt_s`` seconds.

    >>> round(smoothing_factor(1.0, 1.0 / 30.0), 4)
    0.1732
    """
    tau = 1.0 / (2.0 * math.pi * np.asarray(cutoff_hz, dtype=np.float64))
    alpha = 1.0 / (1.0 + tau / dt_s)
    return float(alpha) if np.ndim(alpha) == 0 else alpha


class OneEuroFilter:
    """One-Euro filter over arrays of a fixed shape, driven by timestamps in seconds.

    Args:
        min_cutoff: cut-off frequency (Hz) when the signal is still; lower = smoother, more lag.
        beta: how fast the cut-off rises with speed; higher = less lag on fast movements.
        derivative_cutoff: cut-off frequency (Hz) of the speed estimate itself.

    Call the instance with each new sample and its timestamp; ``value_scale`` divides the signal's
    units out of the speed (e.g. 1 / person size in pixels, so the same movement relative to the
    body is filtered the same whether the person is near or far). The first sample, and the first
    after :meth:`reset` or a change of shape, is returned unchanged.
    """

    def __init__(
        self, *, min_cutoff: float = 1.0, beta: float = 0.0, derivative_cutoff: float = 1.0
    ) -> None:
        if min_cutoff <= 0 or derivative_cutoff <= 0 or beta < 0:
            raise ValueError(
                "OneEuroFilter: expected min_cutoff > 0, derivative_cutoff > 0 and beta >= 0, got "
                f"min_cutoff={min_cutoff}, derivative_cutoff={derivative_cutoff}, beta={beta}"
            )
        self.min_cutoff = min_cutoff
        self.beta = beta
        self.derivative_cutoff = derivative_cutoff
        self._last_time: float | None = None
        self._last_raw: FloatArray | None = None
        self._last_value: FloatArray | None = None
        self._last_speed: FloatArray | None = None

    def reset(self) -> None:
        """Forget the history; the next sample passes through unchanged."""
        self._last_time = None
        self._last_raw = None
        self._last_value = None
        self._last_speed = None

    def __call__(
        self, value: npt.ArrayLike, timestamp_s: float, *, value_scale: float = 1.0
    ) -> FloatArray:
        """Filter one sample taken at ``timestamp_s`` (seconds); returns a float64 array.

        Raises:
            ValueError: ``timestamp_s`` is not later than the previous sample's.
        """
        sample = np.array(value, dtype=np.float64)
        if (
            self._last_time is None
            or self._last_raw is None
            or self._last_value is None
            or self._last_speed is None
            or self._last_raw.shape != sample.shape
        ):
            self._last_time = timestamp_s
            self._last_raw = sample
            self._last_value = sample.copy()
            self._last_speed = np.zeros_like(sample)
            return sample.copy()
        dt = timestamp_s - self._last_time
        if dt <= 0:
            raise ValueError(
                f"OneEuroFilter: timestamps must increase, got {timestamp_s} s after "
                f"{self._last_time} s; call reset() when a new stream starts"
            )
        # Speed from the raw samples (not the filtered ones), in scaled units per second.
        speed = (sample - self._last_raw) * (value_scale / dt)
        speed = self._last_speed + smoothing_factor(self.derivative_cutoff, dt) * (
            speed - self._last_speed
        )
        cutoff = self.min_cutoff + self.beta * np.abs(speed)
        filtered = self._last_value + smoothing_factor(cutoff, dt) * (sample - self._last_value)
        self._last_time = timestamp_s
        self._last_raw = sample
        self._last_value = filtered
        self._last_speed = speed
        return filtered.copy()


class ExponentialSmoother:
    """Plain exponential smoothing per sample: ``y = alpha · x + (1 − alpha) · y_prev``.

    Used for slowly varying scores (landmark visibility) where a per-frame weight is enough.

    >>> s = ExponentialSmoother(alpha=0.5)
    >>> [float(s(np.array(v))) for v in (0.0, 1.0, 1.0)]
    [0.0, 0.5, 0.75]
    """

    def __init__(self, alpha: float) -> None:
        if not 0.0 < alpha <= 1.0:
            raise ValueError(f"ExponentialSmoother: expected 0 < alpha <= 1, got {alpha}")
        self.alpha = alpha
        self._last: FloatArray | None = None

    def reset(self) -> None:
        """Forget the history."""
        self._last = None

    def __call__(self, value: npt.ArrayLike) -> FloatArray:
        """Smooth one sample; the first one (or one of a new shape) passes through."""
        sample = np.array(value, dtype=np.float64)
        if self._last is None or self._last.shape != sample.shape:
            self._last = sample
        else:
            self._last = self._last + self.alpha * (sample - self._last)
        return self._last.copy()


__all__ = ["ExponentialSmoother", "OneEuroFilter", "smoothing_factor"]
