"""A try-on's reaction: the expression classifier's probabilities summarised to a few numbers.

A photo try-on gives one probability vector, a live session many (one per analysed frame). The
summary keeps only numbers — the share of frames whose top class is *happy* (smiling), the peak
*surprise* probability, the mean probability of each class and the dominant class — so what a
shop stores can never be turned back into a face.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from fitroom.errors import InputError
from fitroom.vision.core import EXPRESSIONS, Expression

FloatArray = npt.NDArray[np.float32]

#: How far a probability vector's sum may be from 1.
SUM_TOLERANCE = 1e-2
#: Most frames a summary accepts (a 10-minute live session at 10 analyses per second).
MAX_FRAMES = 6000
_HAPPY = EXPRESSIONS.index("happy")
_SURPRISE = EXPRESSIONS.index("surprise")


@dataclass(frozen=True)
class ReactionSummary:
    """The reaction to one try-on.

    Attributes:
        frames: how many probability vectors were summarised (≥ 1).
        smile_share: share of frames whose most likely class is happy, in [0, 1].
        peak_surprise: the largest surprise probability seen, in [0, 1].
        mean: float32 (7,) mean probability per class of :data:`EXPRESSIONS` (sums to 1).
        dominant: the class with the largest mean probability.
    """

    frames: int
    smile_share: float
    peak_surprise: float
    mean: FloatArray
    dominant: str

    def __post_init__(self) -> None:
        if self.frames < 1:
            raise InputError(f"a reaction summary needs at least one frame, got {self.frames}")
        if self.mean.dtype != np.float32 or self.mean.shape != (len(EXPRESSIONS),):
            raise InputError(
                f"ReactionSummary.mean: expected float32 ({len(EXPRESSIONS)},), "
                f"got {self.mean.dtype} {self.mean.shape}"
            )
        bounded = (("smile_share", self.smile_share), ("peak_surprise", self.peak_surprise))
        for name, value in bounded:
            if not 0.0 <= value <= 1.0:
                raise InputError(f"ReactionSummary.{name} must be in [0, 1], got {value}")
        if self.dominant not in EXPRESSIONS:
            raise InputError(f"ReactionSummary.dominant must be one of {EXPRESSIONS}")

    def mean_by_class(self) -> dict[str, float]:
        """Expression name → mean probability."""
        return {name: float(p) for name, p in zip(EXPRESSIONS, self.mean, strict=True)}


def probability_matrix(
    frames: Sequence[Expression] | Sequence[Sequence[float]] | npt.NDArray[np.floating],
) -> FloatArray:
    """The frames' probabilities as float32 (N, 7), checked: finite, ≥ 0, rows summing to 1."""
    if isinstance(frames, np.ndarray):
        matrix = np.asarray(frames, np.float32)
    else:
        rows = [f.probabilities if isinstance(f, Expression) else f for f in frames]
        empty = np.zeros((0, len(EXPRESSIONS)), np.float32)
        matrix = np.asarray(rows, np.float32) if rows else empty
    if matrix.ndim != 2 or matrix.shape[1] != len(EXPRESSIONS):
        raise InputError(
            f"expected (N, {len(EXPRESSIONS)}) expression probabilities in the order "
            f"{', '.join(EXPRESSIONS)}; got shape {matrix.shape}"
        )
    if len(matrix) == 0:
        raise InputError("no expression probabilities to summarise: send at least one frame")
    if len(matrix) > MAX_FRAMES:
        raise InputError(f"at most {MAX_FRAMES} frames per summary, got {len(matrix)}")
    if not np.isfinite(matrix).all() or (matrix < 0).any():
        raise InputError("expression probabilities must be finite and non-negative")
    sums = matrix.sum(axis=1)
    if np.abs(sums - 1.0).max() > SUM_TOLERANCE:
        raise InputError(
            "each frame's expression probabilities must sum to 1 (they are a softmax); "
            f"got sums from {float(sums.min()):.3f} to {float(sums.max()):.3f}"
        )
    return matrix


def summarize_reactions(
    frames: Sequence[Expression] | Sequence[Sequence[float]] | npt.NDArray[np.floating],
) -> ReactionSummary:
    """Summarise one try-on's expression probabilities (one frame for a photo, many for live).

    >>> p = np.full((2, 7), 0.05, np.float32); p[0, 3] = 0.7; p[1, 5] = 0.7
    >>> s = summarize_reactions(p)
    >>> s.frames, s.smile_share, round(s.peak_surprise, 2), s.dominant
    (2, 0.5, 0.7, 'happy')
    """
    matrix = probability_matrix(frames)
    top = matrix.argmax(axis=1)
    mean = matrix.mean(axis=0).astype(np.float32)
    mean = (mean / mean.sum()).astype(np.float32)
    return ReactionSummary(
        frames=len(matrix),
        smile_share=float(np.mean(top == _HAPPY)),
        peak_surprise=float(min(1.0, matrix[:, _SURPRISE].max())),
        mean=mean,
        dominant=EXPRESSIONS[int(np.argmax(mean))],
    )


def favourite(summaries: Sequence[tuple[int, ReactionSummary]]) -> int | None:
    """The garment id (first of each pair) whose try-on drew the most smiles, or None.

    Ties go to the higher mean happy probability, then to the earlier pair.
    """
    best: tuple[float, float] | None = None
    chosen: int | None = None
    for garment_id, summary in summaries:
        key = (summary.smile_share, float(summary.mean[_HAPPY]))
        if best is None or key > best:
            best, chosen = key, garment_id
    return chosen if best is not None and best[1] > 0 else None
