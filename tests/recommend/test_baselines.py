"""Popularity and item-kNN on the planted synthetic shop."""

from __future__ import annotations

import numpy as np
import pytest

from fitroom.errors import InputError
from fitroom.recommend.baselines import ItemKNN, Popularity, cooccurrence_cosine
from fitroom.recommend.sequences import InteractionSequences


def history(seqs: InteractionSequences, *items: str) -> InteractionSequences:
    return InteractionSequences.from_mapping({"x": list(items)}, item_ids=seqs.item_ids)


def test_popularity_counts_and_ranks_planted_items_first(planted: InteractionSequences) -> None:
    pop = Popularity.fit(planted)
    assert pop.counts[0] == 0
    assert pop.counts[1:5].tolist() == [200, 200, 200, 200]
    scores = pop.score(history(planted, "7"))
    assert scores.shape == (1, 31)
    assert set(np.argsort(-scores[0], kind="stable")[:4].tolist()) == {1, 2, 3, 4}


def test_cosine_is_symmetric_with_zero_diagonal(planted: InteractionSequences) -> None:
    sim = cooccurrence_cosine(planted, neighbours=100).toarray()
    assert np.allclose(sim, sim.T, atol=1e-6)
    assert np.all(np.diag(sim) == 0)
    # "1" and "2" always occur together (cosine 1); "1" and "3" never do.
    assert sim[1, 2] == pytest.approx(1.0)
    assert sim[1, 3] == 0


def test_neighbour_cap_keeps_the_most_similar(planted: InteractionSequences) -> None:
    sim = cooccurrence_cosine(planted, neighbours=3)
    assert np.diff(sim.indptr).max() <= 3
    assert sim[1, 2] == pytest.approx(1.0)


def test_item_knn_recommends_the_planted_partner(planted: InteractionSequences) -> None:
    knn = ItemKNN.fit(planted)
    for given, partner in (("1", 2), ("3", 4), ("2", 1)):
        scores = knn.score(history(planted, "9", given))[0]
        scores[planted.item_ids.index(given) + 1] = -np.inf
        assert int(np.argmax(scores)) == partner


def test_recency_weighs_the_last_item_most(planted: InteractionSequences) -> None:
    knn = ItemKNN.fit(planted, recency=0.1)
    scores = knn.score(history(planted, "1", "3"))[0]
    assert scores[4] > scores[2]  # "3" is the most recent: its partner "4" wins
    flat = ItemKNN(knn.similarity, recency=1.0).score(history(planted, "1", "3"))[0]
    assert flat[4] == pytest.approx(flat[2])


def test_bad_parameters_raise(planted: InteractionSequences) -> None:
    with pytest.raises(InputError, match="neighbours"):
        cooccurrence_cosine(planted, neighbours=0)
    with pytest.raises(InputError, match="recency"):
        ItemKNN.fit(planted, recency=0.0)


def test_score_history_equals_the_batch_score(planted: InteractionSequences) -> None:
    knn = ItemKNN.fit(planted, neighbours=10, recency=0.5)
    history = planted.rows(3, 4)
    single = knn.score_history(history.sequence(0))
    np.testing.assert_allclose(single, knn.score(history)[0], rtol=1e-6)
    assert not knn.score_history(np.zeros(0, dtype=np.int64)).any()
    with pytest.raises(InputError, match="dense indices"):
        knn.score_history(np.array([planted.num_items + 1]))
