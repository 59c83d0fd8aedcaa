"""Baselines every sequential model must beat: popularity and item-kNN.

Both score every item for a batch of users (the :class:`~fitroom.recommend.metrics.Scorer`
protocol), so they run through the same evaluation as the sequential model.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import numpy.typing as npt
import scipy.sparse as sp

from fitroom.errors import InputError
from fitroom.recommend.sequences import InteractionSequences


def item_counts(sequences: InteractionSequences) -> npt.NDArray[np.float32]:
    """(I + 1,) float32 number of interactions per dense item index (index 0 stays 0)."""
    return np.bincount(sequences.items, minlength=sequences.num_items + 1).astype(np.float32)


@dataclass(frozen=True, eq=False)
class Popularity:
    """Scores each item by how often it occurs, the same for every user (PopRec).

    Attributes:
        counts: (I + 1,) float32 interactions per dense item index; index 0 is padding.
    """

    counts: npt.NDArray[np.float32]

    def __post_init__(self) -> None:
        if self.counts.dtype != np.float32 or self.counts.ndim != 1:
            raise InputError(f"counts must be 1-D float32, got {self.counts.dtype}")

    @classmethod
    def fit(cls, sequences: InteractionSequences) -> Popularity:
        """Count every item occurrence in ``sequences``."""
        return cls(item_counts(sequences))

    def score(self, histories: InteractionSequences) -> npt.NDArray[np.float32]:
        """(U, I + 1) float32: the counts, repeated for each user."""
        return np.broadcast_to(self.counts, (len(histories), len(self.counts))).copy()


def cooccurrence_cosine(sequences: InteractionSequences, neighbours: int = 100) -> sp.csr_matrix:
    """(I + 1, I + 1) sparse cosine similarity of items by the users they share.

    ``sim[i, j] = users(i and j) / sqrt(users(i) * users(j))``, the diagonal zeroed, and only the
    ``neighbours`` most similar items kept per row (ties by lower index), so scoring stays sparse.
    """
    if neighbours < 1:
        raise InputError(f"neighbours must be at least 1, got {neighbours}")
    size = sequences.num_items + 1
    user_of = np.repeat(np.arange(len(sequences)), sequences.lengths)
    user_item = sp.csr_matrix(
        (np.ones(len(sequences.items), dtype=np.float32), (user_of, sequences.items)),
        shape=(len(sequences), size),
    )
    user_item.data[:] = 1.0  # a repeated item counts once per user
    shared = (user_item.T @ user_item).tocsr()
    shared.setdiag(0.0)
    shared.eliminate_zeros()
    norms = np.sqrt(np.asarray(user_item.sum(axis=0)).ravel()).astype(np.float32)
    norms[norms == 0] = 1.0
    rows = np.repeat(np.arange(size), np.diff(shared.indptr))
    values = shared.data / (norms[rows] * norms[shared.indices])
    keep_rows, keep_cols, keep_values = [], [], []
    for row in range(size):
        lo, hi = shared.indptr[row], shared.indptr[row + 1]
        if hi == lo:
            continue
        cols, vals = shared.indices[lo:hi], values[lo:hi]
        if len(vals) > neighbours:
            order = np.lexsort((cols, -vals))[:neighbours]
            cols, vals = cols[order], vals[order]
        keep_rows.append(np.full(len(cols), row))
        keep_cols.append(cols)
        keep_values.append(vals)
    if not keep_rows:
        return sp.csr_matrix((size, size), dtype=np.float32)
    return sp.csr_matrix(
        (
            np.concatenate(keep_values).astype(np.float32),
            (np.concatenate(keep_rows), np.concatenate(keep_cols)),
        ),
        shape=(size, size),
    )


@dataclass(frozen=True, eq=False)
class ItemKNN:
    """Item-based kNN: a user's score for an item is its similarity summed over their history.

    ``recency`` < 1 weighs older history items down geometrically (the last item weighs 1, the
    one before ``recency``, ...), which suits next-item prediction; 1 gives classic item-kNN.

    Attributes:
        similarity: (I + 1, I + 1) sparse item-item similarity.
        recency: weight factor per step back in the history, in (0, 1].
    """

    similarity: sp.csr_matrix
    recency: float = 1.0

    def __post_init__(self) -> None:
        if self.similarity.shape[0] != self.similarity.shape[1]:
            raise InputError(f"similarity must be square, got {self.similarity.shape}")
        if not 0.0 < self.recency <= 1.0:
            raise InputError(f"recency must lie in (0, 1], got {self.recency}")

    @classmethod
    def fit(
        cls, sequences: InteractionSequences, neighbours: int = 100, recency: float = 1.0
    ) -> ItemKNN:
        """Cosine co-occurrence similarity over the users of ``sequences``."""
        return cls(cooccurrence_cosine(sequences, neighbours), recency)

    def score(self, histories: InteractionSequences) -> npt.NDArray[np.float32]:
        """(U, I + 1) float32 summed similarity to the (recency-weighted) history items."""
        size = self.similarity.shape[0]
        user_of = np.repeat(np.arange(len(histories)), histories.lengths)
        steps_back = np.repeat(histories.offsets[1:], histories.lengths) - 1
        steps_back = steps_back - np.arange(len(histories.items))
        weights = np.power(self.recency, steps_back).astype(np.float32)
        history = sp.csr_matrix((weights, (user_of, histories.items)), shape=(len(histories), size))
        return np.asarray((history @ self.similarity).todense(), dtype=np.float32)

    def score_history(self, items: npt.NDArray[np.int64]) -> npt.NDArray[np.float32]:
        """(I + 1,) float32 scores for one user's dense item indices, oldest first.

        The same as :meth:`score` on a one-user batch, without building one (serving path).
        """
        size = self.similarity.shape[0]
        if items.ndim != 1 or (len(items) and (items.min() < 0 or items.max() >= size)):
            raise InputError(f"items must be 1-D dense indices in 0..{size - 1}")
        scores = np.zeros(size, dtype=np.float32)
        if not len(items):
            return scores
        weights = np.power(self.recency, np.arange(len(items))[::-1]).astype(np.float32)
        rows = self.similarity[items]
        return np.asarray(rows.T @ weights, dtype=np.float32).ravel()


__all__ = ["ItemKNN", "Popularity", "cooccurrence_cosine", "item_counts"]
