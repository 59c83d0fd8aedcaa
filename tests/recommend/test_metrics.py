"""HR@K / NDCG@K under all-item ranking with history masking, on hand-computed cases."""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from fitroom.errors import InputError
from fitroom.recommend.baselines import Popularity
from fitroom.recommend.metrics import evaluate_ranking, metrics_from_ranks, target_ranks
from fitroom.recommend.sequences import (
    InteractionSequences,
    RankingTask,
    leave_one_out,
    load_sequences,
)

ITEMS = ("a", "b", "c", "d", "e")


def histories(*seqs: list[str]) -> InteractionSequences:
    return InteractionSequences.from_mapping(
        {f"u{n}": s for n, s in enumerate(seqs)}, item_ids=ITEMS
    )


def test_history_and_padding_are_masked() -> None:
    # Columns: pad, a, b, c, d, e. User 0 had "a" (the best-scored item) and "d".
    scores = np.array([[9.0, 5.0, 1.0, 3.0, 4.0, 2.0]], dtype=np.float32)
    ranks = target_ranks(scores, np.array([2]), histories(["a", "d"]))
    assert ranks.tolist() == [2]  # c and e remain above b; pad, a and d are masked
    unmasked = target_ranks(scores, np.array([2]), histories([]))
    assert unmasked.tolist() == [4]  # a, d, c, e (padding never counts)


def test_ties_go_to_the_lower_item_index() -> None:
    scores = np.array([[0.0, 1.0, 1.0, 1.0, 0.0, 0.0]] * 2, dtype=np.float32)
    ranks = target_ranks(scores, np.array([1, 3]), histories([], []))
    assert ranks.tolist() == [0, 2]


def test_target_is_never_masked_even_when_repeated() -> None:
    scores = np.array([[0.0, 0.1, 0.9, 0.0, 0.0, 0.0]], dtype=np.float32)
    assert target_ranks(scores, np.array([2]), histories(["b"])).tolist() == [0]


def test_metrics_from_hand_ranks() -> None:
    metrics = metrics_from_ranks(np.array([0, 3, 9, 10, 50]), ks=(1, 10))
    assert metrics.hit_rate == {1: 0.2, 10: 0.6}
    expected_ndcg10 = (1.0 + 1 / math.log2(5) + 1 / math.log2(11)) / 5
    assert metrics.ndcg[10] == pytest.approx(expected_ndcg10)
    assert metrics.ndcg[1] == pytest.approx(0.2)
    assert metrics.num_users == 5


def test_evaluate_ranking_in_batches_equals_one_batch() -> None:
    seqs = histories(["a"], ["b", "c"], ["a", "b"], [], ["e"])
    task = RankingTask(seqs, np.array([2, 1, 3, 5, 2]))
    scorer = Popularity(np.array([0, 5, 4, 3, 2, 1], dtype=np.float32))
    one = evaluate_ranking(scorer, task, ks=(1, 2), batch_size=100)
    two = evaluate_ranking(scorer, task, ks=(1, 2), batch_size=2)
    assert one == two
    # Ranks by hand: [0, 0, 0, 4, 1] → HR@1 = 3/5, HR@2 = 4/5.
    assert one.hit_rate == {1: 0.6, 2: 0.8}


def test_bad_inputs_raise() -> None:
    scores = np.zeros((1, 6), dtype=np.float32)
    with pytest.raises(InputError, match="targets must be item indices"):
        target_ranks(scores, np.array([0]), histories([]))
    with pytest.raises(InputError, match="expected scores"):
        target_ranks(scores, np.array([1, 2]), histories([]))
    with pytest.raises(InputError, match="at least 1"):
        metrics_from_ranks(np.array([0]), ks=(0,))


@settings(max_examples=60, deadline=None)
@given(
    st.lists(st.integers(0, 4), min_size=6, max_size=6),
    st.sets(st.integers(1, 5), max_size=3),
    st.integers(1, 5),
)
def test_rank_equals_position_in_a_stable_sort(
    raw: list[int], history: set[int], target: int
) -> None:
    scores = np.asarray([raw], dtype=np.float32)
    seqs = histories([ITEMS[i - 1] for i in sorted(history)])
    rank = int(target_ranks(scores, np.array([target]), seqs)[0])
    candidates = [i for i in range(1, 6) if i == target or i not in history]
    order = sorted(candidates, key=lambda i: (-raw[i], i))
    assert rank == order.index(target)
    # Shifting every score by a constant changes nothing.
    assert target_ranks(scores + 7.0, np.array([target]), seqs)[0] == rank


@pytest.mark.shared
def test_popularity_reproduces_the_published_poprec_row(shared_data: Path) -> None:
    # S3-Rec's all-item PopRec row on Beauty (counts over all interactions, history masked).
    seqs = load_sequences(shared_data / "recsys" / "Beauty.txt")
    metrics = evaluate_ranking(Popularity.fit(seqs), leave_one_out(seqs).test)
    published = {5: (0.0080, 0.0044), 10: (0.0152, 0.0068), 20: (0.0217, 0.0084)}
    for k, (hr, ndcg) in published.items():
        assert round(metrics.hit_rate[k], 4) == hr
        assert round(metrics.ndcg[k], 4) == ndcg
