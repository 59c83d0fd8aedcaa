"""Ranking metrics under all-item ranking: HR@K and NDCG@K with the user's earlier items masked.

This is the protocol behind the published all-item numbers (S3-Rec, DuoRec): the held-out item is
ranked against every item, items the user already had are taken out of the ranking, and with one
target per user HR@K (= Recall@K) is 1 when the target is in the top K, NDCG@K is
``1 / log2(rank + 2)`` then (rank counted from 0).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Protocol

import numpy as np
import numpy.typing as npt

from fitroom.errors import InputError
from fitroom.recommend.sequences import InteractionSequences, RankingTask

DEFAULT_KS = (5, 10, 20)


class Scorer(Protocol):
    """Anything that scores every item for a batch of users (the baselines and the model)."""

    def score(self, histories: InteractionSequences) -> npt.NDArray[np.float32]:
        """(U, I + 1) float32 scores, higher is better; column 0 (padding) is ignored."""
        ...


def target_ranks(
    scores: npt.NDArray[np.float32],
    targets: npt.NDArray[np.int64],
    histories: InteractionSequences,
) -> npt.NDArray[np.int64]:
    """0-based rank of each target among all items, the user's history and padding masked.

    Ties are broken by item index (a lower index ranks first), as a stable sort would, so the
    result is deterministic. The target itself is never masked, even if it is in the history.

    Args:
        scores: (U, I + 1) float32 scores of every item per user; column 0 is padding.
        targets: (U,) int64 dense index (1..I) of each user's held-out item.
        histories: U sequences whose items are masked out of the ranking.

    Returns:
        (U,) int64 number of items ranked before the target.

    >>> scores = np.array([[0, 0.9, 0.5, 0.7, 0.1]], dtype=np.float32)
    >>> history = InteractionSequences.from_mapping({"u": ["1"]}, item_ids=["1", "2", "3", "4"])
    >>> target_ranks(scores, np.array([2]), history).tolist()  # item 1 masked, 3 before 2
    [1]
    """
    if scores.ndim != 2 or scores.shape[0] != len(targets) or len(targets) != len(histories):
        raise InputError(
            f"expected scores (U, I+1), targets (U,) and U histories, got {scores.shape}, "
            f"{targets.shape} and {len(histories)}"
        )
    if len(targets) and (targets.min() < 1 or targets.max() >= scores.shape[1]):
        raise InputError(f"targets must be item indices in 1..{scores.shape[1] - 1}")
    rows = np.arange(len(targets))
    target_scores = scores[rows, targets][:, None]
    items = scores[:, 1:]  # column 0 is padding and never ranks
    columns = np.arange(1, scores.shape[1])
    before = (items > target_scores).sum(axis=1)
    before += ((items == target_scores) & (columns < targets[:, None])).sum(axis=1)
    # Take out the history items that were counted above, without copying the score matrix:
    # each distinct history item other than the target, once.
    user_of = np.repeat(rows, histories.lengths)
    pairs = np.unique(np.stack([user_of, histories.items]), axis=1)
    user_of, item = pairs[0], pairs[1]
    counted = scores[user_of, item] > target_scores[user_of, 0]
    counted |= (scores[user_of, item] == target_scores[user_of, 0]) & (item < targets[user_of])
    counted &= item != targets[user_of]
    before -= np.bincount(user_of[counted], minlength=len(targets))
    return before.astype(np.int64)


@dataclass(frozen=True)
class RankingMetrics:
    """HR@K and NDCG@K averaged over users.

    Attributes:
        hit_rate: K → share of users whose target is in the top K.
        ndcg: K → mean ``1 / log2(rank + 2)`` over users with the target in the top K (0 otherwise).
        num_users: how many users were averaged.
    """

    hit_rate: Mapping[int, float]
    ndcg: Mapping[int, float]
    num_users: int

    def __post_init__(self) -> None:
        if set(self.hit_rate) != set(self.ndcg):
            raise InputError("hit_rate and ndcg must be given for the same cut-offs K")
        for value in (*self.hit_rate.values(), *self.ndcg.values()):
            if not 0.0 <= value <= 1.0:
                raise InputError(f"metric values lie in [0, 1], got {value}")


def metrics_from_ranks(
    ranks: npt.NDArray[np.int64], ks: Sequence[int] = DEFAULT_KS
) -> RankingMetrics:
    """HR@K and NDCG@K from 0-based target ranks (one per user).

    >>> m = metrics_from_ranks(np.array([0, 1, 7]), ks=(1, 5))
    >>> m.hit_rate[1], m.hit_rate[5], round(m.ndcg[5], 4)
    (0.3333333333333333, 0.6666666666666666, 0.5436)
    """
    if any(k < 1 for k in ks):
        raise InputError(f"cut-offs K must be at least 1, got {tuple(ks)}")
    if len(ranks) == 0:
        raise InputError("no users to average over")
    gains = 1.0 / np.log2(ranks.astype(np.float64) + 2.0)
    hit_rate = {k: float(np.mean(ranks < k)) for k in ks}
    ndcg = {k: float(np.mean(np.where(ranks < k, gains, 0.0))) for k in ks}
    return RankingMetrics(hit_rate=hit_rate, ndcg=ndcg, num_users=len(ranks))


def rank_task(scorer: Scorer, task: RankingTask, batch_size: int = 512) -> npt.NDArray[np.int64]:
    """(U,) int64 0-based rank of each user's target under ``scorer``, in batches of users."""
    ranks = np.empty(len(task.targets), dtype=np.int64)
    for start in range(0, len(task.targets), batch_size):
        histories = task.histories.rows(start, start + batch_size)
        targets = task.targets[start : start + len(histories)]
        ranks[start : start + len(histories)] = target_ranks(
            scorer.score(histories), targets, histories
        )
    return ranks


def evaluate_ranking(
    scorer: Scorer, task: RankingTask, ks: Sequence[int] = DEFAULT_KS, batch_size: int = 512
) -> RankingMetrics:
    """HR@K and NDCG@K of ``scorer`` on ``task`` (all-item ranking, history masked)."""
    return metrics_from_ranks(rank_task(scorer, task, batch_size), ks)


__all__ = [
    "DEFAULT_KS",
    "RankingMetrics",
    "Scorer",
    "evaluate_ranking",
    "metrics_from_ranks",
    "rank_task",
    "target_ranks",
]
