"""Blending the sequential model's scores with item-kNN."""

from __future__ import annotations

import numpy as np
import pytest

from fitroom.errors import InputError
from fitroom.recommend.baselines import ItemKNN, Popularity
from fitroom.recommend.hybrid import BlendedScorer, blend_scores
from fitroom.recommend.sequences import InteractionSequences


def test_zero_weight_keeps_the_model_order() -> None:
    rng = np.random.default_rng(0)
    model = rng.normal(size=(3, 9)).astype(np.float32)
    knn = rng.random(size=(3, 9)).astype(np.float32)
    blended = blend_scores(model, knn, 0.0)
    assert np.array_equal(np.argsort(blended[:, 1:]), np.argsort(model[:, 1:]))
    assert np.allclose(blended[:, 1:].mean(axis=1), 0, atol=1e-6)
    assert np.allclose(blended[:, 1:].std(axis=1), 1, atol=1e-5)
    assert np.all(blended[:, 0] == 0)


def test_large_weight_follows_knn_and_scale_does_not_matter() -> None:
    rng = np.random.default_rng(1)
    model = rng.normal(size=(2, 7)).astype(np.float32)
    knn = rng.random(size=(2, 7)).astype(np.float32)
    heavy = blend_scores(model, knn, 1000.0)
    assert np.array_equal(np.argmax(heavy[:, 1:], 1), np.argmax(knn[:, 1:], 1))
    # Multiplying either input by a positive constant changes nothing.
    assert np.allclose(blend_scores(model * 5, knn * 0.1, 2.0), blend_scores(model, knn, 2.0))


def test_rows_without_knn_evidence_stay_finite() -> None:
    model = np.array([[0, 1, 1, 1]], dtype=np.float32)
    knn = np.zeros((1, 4), dtype=np.float32)
    assert np.all(np.isfinite(blend_scores(model, knn, 1.0)))


def test_blended_scorer_combines_two_scorers(planted: InteractionSequences) -> None:
    popularity = Popularity.fit(planted)
    knn = ItemKNN.fit(planted)
    history = InteractionSequences.from_mapping({"x": ["9", "1"]}, item_ids=planted.item_ids)
    scores = BlendedScorer(popularity, knn, 1.0).score(history)
    expected = blend_scores(popularity.score(history), knn.score(history), 1.0)
    np.testing.assert_allclose(scores, expected)
    # The kNN partner of "1" outranks the other equally popular planted items.
    assert scores[0, 2] > max(scores[0, 3], scores[0, 4])


def test_bad_inputs_raise() -> None:
    with pytest.raises(InputError, match="one shape"):
        blend_scores(np.zeros((1, 3), np.float32), np.zeros((1, 4), np.float32), 1.0)
    with pytest.raises(InputError, match="knn_weight"):
        blend_scores(np.zeros((1, 3), np.float32), np.zeros((1, 3), np.float32), -1.0)


def test_choose_knn_weight_picks_the_best_validation_blend(planted: InteractionSequences) -> None:
    from fitroom.recommend.hybrid import choose_knn_weight
    from fitroom.recommend.metrics import evaluate_ranking
    from fitroom.recommend.sequences import hold_out_last

    train, valid = hold_out_last(planted)
    popularity, knn = Popularity.fit(train), ItemKNN.fit(train)
    weight, ndcg = choose_knn_weight(popularity, knn, valid, weights=(0.0, 1.0, 4.0))
    assert set(ndcg) == {0.0, 1.0, 4.0}
    assert ndcg[weight] == max(ndcg.values())
    # Popularity alone cannot tell "2" (after "1") from "4"; kNN can, so some kNN must win.
    assert weight > 0 and ndcg[weight] > ndcg[0.0]
    # Each weight's figure is what evaluating that blend on its own gives.
    alone = evaluate_ranking(BlendedScorer(popularity, knn, 4.0), valid, (10,)).ndcg[10]
    assert ndcg[4.0] == pytest.approx(alone)
    with pytest.raises(InputError, match="weights"):
        choose_knn_weight(popularity, knn, valid, weights=())
