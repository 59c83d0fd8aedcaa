"""Reaction summaries: the maths on known matrices, and on real faces through the classifier."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st
from PIL import Image

from fitroom.errors import InputError
from fitroom.reactions import favourite, summarize_reactions
from fitroom.vision.core import EXPRESSIONS, Expression
from fitroom.vision.face import FaceAnalyzer

HAPPY, SURPRISE, NEUTRAL = (EXPRESSIONS.index(n) for n in ("happy", "surprise", "neutral"))


def one_hot_ish(top: int, p: float = 0.7) -> np.ndarray:
    row = np.full(len(EXPRESSIONS), (1 - p) / (len(EXPRESSIONS) - 1), np.float32)
    row[top] = p
    return row


def test_summary_of_known_frames() -> None:
    frames = np.stack(
        [
            one_hot_ish(HAPPY),
            one_hot_ish(HAPPY),
            one_hot_ish(NEUTRAL, 0.5),
            one_hot_ish(SURPRISE, 0.9),
        ]
    )
    summary = summarize_reactions(frames)
    assert summary.frames == 4
    assert summary.smile_share == pytest.approx(0.5)
    assert summary.peak_surprise == pytest.approx(0.9)
    assert summary.dominant == "happy"
    assert summary.mean.dtype == np.float32
    assert float(summary.mean.sum()) == pytest.approx(1.0, abs=1e-5)
    assert summary.mean_by_class()["happy"] == pytest.approx(
        float(frames[:, HAPPY].mean()), abs=1e-6
    )


def test_one_expression_is_a_photo_summary() -> None:
    expression = Expression(probabilities=one_hot_ish(SURPRISE, 0.6))
    summary = summarize_reactions([expression])
    assert (summary.frames, summary.smile_share, summary.dominant) == (1, 0.0, "surprise")
    assert summary.peak_surprise == pytest.approx(0.6)


@pytest.mark.parametrize(
    "frames",
    [
        np.zeros((0, 7), np.float32),  # nothing
        np.full((2, 6), 1 / 6, np.float32),  # wrong class count
        np.full((2, 7), 0.5, np.float32),  # rows do not sum to 1
        np.array([[2.0, -1.0, 0, 0, 0, 0, 0]], np.float32),  # negative
        np.array([[np.nan] * 7], np.float32),
    ],
)
def test_bad_probabilities_are_refused(frames: np.ndarray) -> None:
    with pytest.raises(InputError):
        summarize_reactions(frames)


@given(st.lists(st.lists(st.floats(0.01, 1.0), min_size=7, max_size=7), min_size=1, max_size=40))
def test_summary_invariants(raw: list[list[float]]) -> None:
    frames = np.array(raw, np.float32)
    frames /= frames.sum(axis=1, keepdims=True)
    summary = summarize_reactions(frames)
    assert summary.frames == len(frames)
    assert 0.0 <= summary.smile_share <= 1.0
    assert summary.peak_surprise == pytest.approx(float(frames[:, SURPRISE].max()), abs=1e-6)
    assert summary.mean[EXPRESSIONS.index(summary.dominant)] == pytest.approx(
        float(summary.mean.max())
    )
    # The frames' order does not matter.
    again = summarize_reactions(frames[::-1])
    assert again.smile_share == summary.smile_share
    np.testing.assert_allclose(again.mean, summary.mean, atol=1e-6)


def test_favourite_is_the_most_smiled_in() -> None:
    glum = summarize_reactions(np.stack([one_hot_ish(NEUTRAL)] * 3))
    grin = summarize_reactions(np.stack([one_hot_ish(HAPPY), one_hot_ish(NEUTRAL)]))
    assert favourite([(1, glum), (2, grin), (3, glum)]) == 2
    assert favourite([]) is None


def test_summaries_of_real_faces(shared_data: Path) -> None:
    # Each labelled group of real faces is summarised like a 4-frame live session.
    groups: dict[str, list[Expression]] = {}
    with FaceAnalyzer(num_threads=1, with_landmarks=False) as faces:
        for path in sorted((shared_data / "faces").glob("*.jpg")):
            pixels = np.asarray(Image.open(path).convert("RGB"))
            h, w = pixels.shape[:2]
            expression = faces.classify_expression(pixels, (0, 0, w, h), tight_crop=True)
            groups.setdefault(path.name.split("__")[0], []).append(expression)
    assert set(groups) == {
        "anger",
        "disgust",
        "fear",
        "happiness",
        "neutral",
        "sadness",
        "surprise",
    }
    summaries = {label: summarize_reactions(frames) for label, frames in groups.items()}
    for summary in summaries.values():
        assert summary.frames == 4
        assert float(summary.mean.sum()) == pytest.approx(1.0, abs=1e-4)
    # The smiling faces smile most; the surprised faces peak highest in surprise.
    happy = summaries.pop("happiness")
    assert happy.smile_share >= 0.5
    assert all(happy.smile_share > s.smile_share for s in summaries.values())
    assert happy.dominant == "happy"
    assert summaries["surprise"].peak_surprise > happy.peak_surprise
