"""Recommendations: sequences of shopper interactions, baselines, a sequential model, metrics.

- :mod:`~fitroom.recommend.content` — similar garments and "complete the look" from garment
  features.
- :mod:`~fitroom.recommend.sequences` — ``user item item ...`` sequences and the leave-one-out
  split.
- :mod:`~fitroom.recommend.metrics` — HR@K / NDCG@K under all-item ranking, history masked.
- :mod:`~fitroom.recommend.baselines` — popularity and item-kNN.
- :mod:`~fitroom.recommend.sequential` — a SASRec-style transformer (PyTorch CPU, the ``recs``
  extra) trained with softmax cross-entropy over all (or sampled) items, served top-k with
  filters.
- :mod:`~fitroom.recommend.hybrid` — the model's scores blended with item-kNN, the blend weight
  chosen on held-out users (the served model carries both parts, one file).

The sequential model needs torch; it is imported lazily so that the rest works without it.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from fitroom.recommend.baselines import ItemKNN, Popularity, cooccurrence_cosine, item_counts
from fitroom.recommend.content import (
    COMPLEMENTS,
    TEXT_DIM,
    GarmentProfile,
    Recommendation,
    centroid_scores,
    colour_relation,
    complete_the_look,
    hue_distance,
    lab_chroma_hue,
    outfit_score,
    palette_harmony,
    profile_from_features,
    similar_garments,
    similarity,
    text_vector,
)
from fitroom.recommend.hybrid import BlendedScorer, blend_scores, choose_knn_weight
from fitroom.recommend.metrics import (
    DEFAULT_KS,
    RankingMetrics,
    Scorer,
    evaluate_ranking,
    metrics_from_ranks,
    rank_task,
    target_ranks,
)
from fitroom.recommend.sequences import (
    InteractionSequences,
    LeaveOneOutSplit,
    RankingTask,
    hold_out_last,
    leave_one_out,
    load_sequences,
    parse_sequences,
)

if TYPE_CHECKING:
    from fitroom.recommend.sequential import (
        EpochLog,
        Recommendations,
        SASRecConfig,
        SequentialRecommender,
        TrainingOptions,
        TrainingReport,
        train_sequential,
    )

_SEQUENTIAL = frozenset(
    {
        "EpochLog",
        "Recommendations",
        "SASRecConfig",
        "SequentialRecommender",
        "TrainingOptions",
        "TrainingReport",
        "train_sequential",
    }
)


def __getattr__(name: str) -> Any:
    # torch takes about a second to import; only pay for it when the model is used.
    if name in _SEQUENTIAL:
        from fitroom.recommend import sequential

        return getattr(sequential, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


__all__ = [
    "COMPLEMENTS",
    "DEFAULT_KS",
    "TEXT_DIM",
    "BlendedScorer",
    "EpochLog",
    "GarmentProfile",
    "InteractionSequences",
    "ItemKNN",
    "LeaveOneOutSplit",
    "Popularity",
    "RankingMetrics",
    "RankingTask",
    "Recommendation",
    "Recommendations",
    "SASRecConfig",
    "Scorer",
    "SequentialRecommender",
    "TrainingOptions",
    "TrainingReport",
    "blend_scores",
    "centroid_scores",
    "choose_knn_weight",
    "colour_relation",
    "complete_the_look",
    "cooccurrence_cosine",
    "evaluate_ranking",
    "hold_out_last",
    "hue_distance",
    "item_counts",
    "lab_chroma_hue",
    "leave_one_out",
    "load_sequences",
    "metrics_from_ranks",
    "outfit_score",
    "palette_harmony",
    "parse_sequences",
    "profile_from_features",
    "rank_task",
    "similar_garments",
    "similarity",
    "target_ranks",
    "text_vector",
    "train_sequential",
]
