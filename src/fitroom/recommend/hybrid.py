"""Blending the sequential model with item-kNN: two views of the same history.

The transformer is good at order ("after a jacket, trousers"), item-kNN at co-occurrence of rare
items the transformer saw too seldom to embed well. Their scores live on different scales, so
each is normalised per user before adding: the model's scores to zero mean and unit spread over
the items, the kNN scores to a maximum of 1.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from fitroom.errors import InputError
from fitroom.recommend.metrics import Scorer, metrics_from_ranks, target_ranks
from fitroom.recommend.sequences import InteractionSequences, RankingTask

#: Item-kNN settings of the served blend: neighbours kept per item, and the weight factor per
#: step back in the history (recent items say most about the next one).
KNN_NEIGHBOURS = 100
KNN_RECENCY = 0.5
#: kNN weights tried by :func:`choose_knn_weight` (0 = the model alone).
KNN_WEIGHTS = (0.0, 0.5, 1.0, 1.5, 2.0, 3.0, 4.0, 6.0, 8.0, 16.0)


def blend_scores(
    model_scores: npt.NDArray[np.float32],
    knn_scores: npt.NDArray[np.float32],
    knn_weight: float,
) -> npt.NDArray[np.float32]:
    """(U, I + 1) standardised model scores plus ``knn_weight`` × max-scaled kNN scores.

    Column 0 (padding) is left out of the statistics.

    >>> model = np.array([[0.0, 1.0, 2.0, 3.0]], dtype=np.float32)
    >>> knn = np.array([[0.0, 4.0, 0.0, 0.0]], dtype=np.float32)
    >>> [round(float(v), 3) for v in blend_scores(model, knn, 0.0)[0]]
    [0.0, -1.225, 0.0, 1.225]
    >>> int(np.argmax(blend_scores(model, knn, 3.0)[0, 1:])) + 1
    1
    """
    if model_scores.shape != knn_scores.shape or model_scores.ndim != 2:
        raise InputError(
            f"both score arrays must be (U, I+1) of one shape, got {model_scores.shape} "
            f"and {knn_scores.shape}"
        )
    if knn_weight < 0:
        raise InputError(f"knn_weight must be ≥ 0, got {knn_weight}")
    items = model_scores[:, 1:].astype(np.float32)
    spread = items.std(axis=1, keepdims=True)
    standard = (items - items.mean(axis=1, keepdims=True)) / np.where(spread > 0, spread, 1.0)
    top = knn_scores[:, 1:].max(axis=1, keepdims=True)
    scaled = knn_scores[:, 1:] / np.where(top > 0, top, 1.0)
    out = np.zeros_like(model_scores, dtype=np.float32)
    out[:, 1:] = standard + knn_weight * scaled
    return out


@dataclass(frozen=True, eq=False)
class BlendedScorer:
    """A :class:`~fitroom.recommend.metrics.Scorer` adding item-kNN to a model's scores.

    Attributes:
        model: the sequential model (or any scorer) over the same vocabulary.
        knn: item-kNN (or any scorer) over the same vocabulary.
        knn_weight: weight of the max-scaled kNN scores against the standardised model scores.
    """

    model: Scorer
    knn: Scorer
    knn_weight: float

    def __post_init__(self) -> None:
        if self.knn_weight < 0:
            raise InputError(f"knn_weight must be ≥ 0, got {self.knn_weight}")

    def score(self, histories: InteractionSequences) -> npt.NDArray[np.float32]:
        """(U, I + 1) float32 blended scores for a batch of users."""
        return blend_scores(self.model.score(histories), self.knn.score(histories), self.knn_weight)


def choose_knn_weight(
    model: Scorer,
    knn: Scorer,
    valid: RankingTask,
    weights: Sequence[float] = KNN_WEIGHTS,
    batch_size: int = 512,
) -> tuple[float, dict[float, float]]:
    """The kNN weight with the best NDCG@10 on held-out ``valid`` users, and every weight's NDCG@10.

    Each batch is scored once by each scorer and blended for every weight, so trying ten
    weights costs little more than one evaluation. Ties go to the smaller weight.
    """
    if not weights or min(weights) < 0:
        raise InputError(f"weights must be a non-empty list of values ≥ 0, got {weights}")
    ranks = {w: np.empty(len(valid), dtype=np.int64) for w in weights}
    for start in range(0, len(valid), batch_size):
        histories = valid.histories.rows(start, start + batch_size)
        targets = valid.targets[start : start + len(histories)]
        model_scores, knn_scores = model.score(histories), knn.score(histories)
        for weight in weights:
            blended = blend_scores(model_scores, knn_scores, weight)
            ranks[weight][start : start + len(histories)] = target_ranks(
                blended, targets, histories
            )
    ndcg = {w: metrics_from_ranks(r, (10,)).ndcg[10] for w, r in ranks.items()}
    best = max(sorted(weights), key=lambda w: ndcg[w])
    return best, ndcg


__all__ = [
    "KNN_NEIGHBOURS",
    "KNN_RECENCY",
    "KNN_WEIGHTS",
    "BlendedScorer",
    "blend_scores",
    "choose_knn_weight",
]
