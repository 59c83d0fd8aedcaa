"""Interaction sequences: parsing, the leave-one-out split, padding and selection."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from fitroom.errors import InteractionDataError
from fitroom.recommend.sequences import (
    InteractionSequences,
    hold_out_last,
    leave_one_out,
    load_sequences,
    parse_sequences,
)

TEXT = """\
# user item item ...
1 10 11 12 13
2 11 12 10

3 12 13 14 10 11
"""


def test_parse_keeps_order_and_numeric_vocabulary() -> None:
    seqs = parse_sequences(TEXT.splitlines())
    assert seqs.user_ids == ("1", "2", "3")
    assert seqs.item_ids == ("10", "11", "12", "13", "14")
    assert [seqs.item_ids[i - 1] for i in seqs.sequence(2)] == ["12", "13", "14", "10", "11"]
    assert seqs.lengths.tolist() == [4, 3, 5]


def test_numeric_ids_sort_as_numbers_not_strings() -> None:
    seqs = parse_sequences(["u 9 10 2"])
    assert seqs.item_ids == ("2", "9", "10")


def test_leave_one_out_split() -> None:
    split = leave_one_out(parse_sequences(TEXT.splitlines()))
    ids = split.train.item_ids

    def names(seq: np.ndarray) -> list[str]:
        return [ids[i - 1] for i in seq]

    assert [names(split.train.sequence(u)) for u in range(3)] == [
        ["10", "11"],
        ["11"],
        ["12", "13", "14"],
    ]
    assert names(split.valid.targets) == ["12", "12", "10"]
    assert names(split.test.targets) == ["13", "10", "11"]
    # The test history is everything before the last item, validation target included.
    assert names(split.test.histories.sequence(2)) == ["12", "13", "14", "10"]
    assert split.valid.histories is split.train


def test_leave_one_out_refuses_short_users() -> None:
    with pytest.raises(InteractionDataError, match="fewer than 3 items"):
        leave_one_out(parse_sequences(["a 1 2 3", "b 1 2"]))


def test_hold_out_last_skips_single_item_users() -> None:
    train, task = hold_out_last(parse_sequences(["a 1 2 3", "b 1", "c 3 1"]))
    assert train.lengths.tolist() == [2, 0, 1]
    assert task.histories.user_ids == ("a", "c")
    assert [task.histories.item_ids[t - 1] for t in task.targets] == ["3", "1"]


def test_padded_keeps_most_recent_items() -> None:
    seqs = parse_sequences(["a 1 2 3 4 5", "b 6", "c"])
    items, lengths = seqs.padded(3)
    assert lengths.tolist() == [3, 1, 0]
    assert items.tolist() == [[3, 4, 5], [6, 0, 0], [0, 0, 0]]


def test_rows_and_select_slice_without_mixing_users() -> None:
    seqs = parse_sequences(TEXT.splitlines())
    assert seqs.rows(1, 3).sequence(0).tolist() == seqs.sequence(1).tolist()
    picked = seqs.select(np.array([2, 0]))
    assert picked.user_ids == ("3", "1")
    assert picked.sequence(1).tolist() == seqs.sequence(0).tolist()


def test_user_twice_is_an_error_with_line_number() -> None:
    with pytest.raises(InteractionDataError, match="line 2: user 'a' appears twice"):
        parse_sequences(["a 1 2", "a 3"])


def test_empty_input_is_an_error() -> None:
    with pytest.raises(InteractionDataError, match="no sequences"):
        parse_sequences(["# nothing", ""])


def test_missing_file_is_a_typed_error(tmp_path: Path) -> None:
    with pytest.raises(InteractionDataError, match="no such file"):
        load_sequences(tmp_path / "absent.txt")


def test_inconsistent_arrays_are_rejected() -> None:
    with pytest.raises(InteractionDataError, match="item indices"):
        InteractionSequences(("u",), ("a",), np.array([2]), np.array([0, 1]))
    with pytest.raises(InteractionDataError, match="offsets"):
        InteractionSequences(("u",), ("a",), np.array([1]), np.array([0, 2]))


@pytest.mark.shared
def test_real_files_match_the_manifest_counts(shared_data: Path) -> None:
    for name, users, items, interactions in (
        ("Beauty", 22363, 12101, 198502),
        ("Clothing", 39387, 23033, 278677),
    ):
        seqs = load_sequences(shared_data / "recsys" / f"{name}.txt")
        assert (len(seqs), seqs.num_items, len(seqs.items)) == (users, items, interactions)
        # Ids are 1..I, so the dense index equals the file's item id.
        assert seqs.item_ids == tuple(str(i) for i in range(1, items + 1))
        assert seqs.lengths.min() >= 5


def test_sample_keeps_pairs_together() -> None:
    seqs = parse_sequences([f"u{n} {n} {n + 100} {n + 200}" for n in range(1, 41)])
    task = leave_one_out(seqs).test
    sample = task.sample(10, seed=1)
    assert len(sample) == 10 and task.sample(100) is task
    for row in range(len(sample)):
        history = [sample.histories.item_ids[i - 1] for i in sample.histories.sequence(row)]
        target = sample.histories.item_ids[sample.targets[row] - 1]
        assert int(target) == int(history[0]) + 200  # the user's own last item
    assert list(sample.histories.user_ids) == sorted(
        sample.histories.user_ids, key=lambda u: int(u[1:])
    )
