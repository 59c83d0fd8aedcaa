"""Optional preprocessing: each step is a pure function that does what its name says."""

from __future__ import annotations

import numpy as np

from fitroom.imaging import Preprocess, auto_exposure, denoise, gray_world, preprocess


def test_default_preprocess_is_identity(astronaut: np.ndarray) -> None:
    assert preprocess(astronaut) is astronaut


def test_gray_world_removes_a_colour_cast(astronaut: np.ndarray) -> None:
    cast = np.clip(astronaut.astype(np.float32) * np.array([1.0, 0.8, 0.6]), 0, 255)
    balanced = gray_world(cast.astype(np.uint8))
    means = balanced.reshape(-1, 3).mean(axis=0)
    assert np.ptp(means) < 3.0
    assert balanced.shape == astronaut.shape and balanced.dtype == np.uint8


def test_auto_exposure_lifts_a_dark_photo(astronaut: np.ndarray) -> None:
    dark = (astronaut // 4).astype(np.uint8)
    lifted = auto_exposure(dark)
    assert lifted.mean() > dark.mean() + 5
    assert lifted.std() > dark.std()


def test_denoise_reduces_noise(astronaut: np.ndarray) -> None:
    rng = np.random.default_rng(0)
    noisy = np.clip(astronaut + rng.normal(0, 12, astronaut.shape), 0, 255).astype(np.uint8)
    cleaned = denoise(noisy, strength=8)
    err_before = np.abs(noisy.astype(float) - astronaut).mean()
    err_after = np.abs(cleaned.astype(float) - astronaut).mean()
    assert err_after < err_before
    assert denoise(noisy, strength=0) is noisy


def test_preprocess_runs_chosen_steps(astronaut: np.ndarray) -> None:
    out = preprocess(astronaut, Preprocess(denoise=True, white_balance=True, exposure=True))
    assert out.shape == astronaut.shape and out.dtype == np.uint8
    assert not np.array_equal(out, astronaut)
