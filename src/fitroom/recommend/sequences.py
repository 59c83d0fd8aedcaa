"""Interaction sequences: one time-ordered list of items per user, and the leave-one-out split.

The text format is the one of the S3-Rec / ICLRec research code (and of ``fitroom recs train``)::

    user_id item item item ...      # one user per line, items oldest first, space-separated

Items are kept under their external ids (strings) in a vocabulary; inside, item ``i`` of the
vocabulary has the dense index ``i + 1`` so that index 0 is free for padding. Score arrays over
items therefore have ``num_items + 1`` columns and column 0 never holds a real item.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import numpy.typing as npt

from fitroom._files import check_input_file
from fitroom.errors import InteractionDataError

Int64Array = npt.NDArray[np.int64]


def _vocabulary_order(ids: Iterable[str]) -> tuple[str, ...]:
    """Numeric ids in numeric order (so "1".."I" map to dense 1..I), anything else sorted."""
    unique = set(ids)
    if all(i.isdecimal() for i in unique):
        return tuple(sorted(unique, key=int))
    return tuple(sorted(unique))


@dataclass(frozen=True, eq=False)
class InteractionSequences:
    """Time-ordered item sequences of several users, stored flat.

    Attributes:
        user_ids: (U,) external user ids, one per sequence.
        item_ids: (I,) the item vocabulary; dense item index ``i + 1`` is ``item_ids[i]``.
        items: (N,) int64 dense item indices (1..I) of all sequences, concatenated.
        offsets: (U + 1,) int64; sequence ``u`` is ``items[offsets[u]:offsets[u + 1]]``.

    >>> seqs = InteractionSequences.from_mapping({"ann": ["a", "b"], "bob": ["b"]})
    >>> len(seqs), seqs.num_items, seqs.sequence(0).tolist()
    (2, 2, [1, 2])
    """

    user_ids: tuple[str, ...]
    item_ids: tuple[str, ...]
    items: Int64Array
    offsets: Int64Array

    def __post_init__(self) -> None:
        if self.items.dtype != np.int64 or self.items.ndim != 1:
            raise InteractionDataError(
                f"items must be a 1-D int64 array, got {self.items.dtype} {self.items.shape}"
            )
        if self.offsets.dtype != np.int64 or self.offsets.shape != (len(self.user_ids) + 1,):
            raise InteractionDataError(
                f"offsets must be int64 of shape ({len(self.user_ids) + 1},) for "
                f"{len(self.user_ids)} users, got {self.offsets.dtype} {self.offsets.shape}"
            )
        if self.offsets[0] != 0 or self.offsets[-1] != len(self.items):
            raise InteractionDataError("offsets must start at 0 and end at len(items)")
        if np.any(np.diff(self.offsets) < 0):
            raise InteractionDataError("offsets must not decrease")
        if len(self.items) and (self.items.min() < 1 or self.items.max() > len(self.item_ids)):
            raise InteractionDataError(
                f"item indices must lie in 1..{len(self.item_ids)} (the vocabulary size)"
            )

    @classmethod
    def from_mapping(
        cls,
        sequences: Mapping[str, Sequence[str]],
        item_ids: Sequence[str] | None = None,
    ) -> InteractionSequences:
        """Sequences from ``{user_id: [item_id, ...]}`` (items oldest first).

        ``item_ids`` fixes the vocabulary (items outside it raise); by default it is every item
        that occurs, numeric ids in numeric order.
        """
        vocabulary = (
            tuple(item_ids)
            if item_ids is not None
            else _vocabulary_order(i for seq in sequences.values() for i in seq)
        )
        index = {item: n + 1 for n, item in enumerate(vocabulary)}
        if len(index) != len(vocabulary):
            raise InteractionDataError("the item vocabulary holds an id twice")
        flat: list[int] = []
        offsets = [0]
        for user, seq in sequences.items():
            for item in seq:
                dense = index.get(item)
                if dense is None:
                    raise InteractionDataError(
                        f"user {user!r} has item {item!r} that is not in the vocabulary"
                    )
                flat.append(dense)
            offsets.append(len(flat))
        return cls(
            user_ids=tuple(sequences),
            item_ids=vocabulary,
            items=np.asarray(flat, dtype=np.int64),
            offsets=np.asarray(offsets, dtype=np.int64),
        )

    def __len__(self) -> int:
        return len(self.user_ids)

    @property
    def num_items(self) -> int:
        """Size of the item vocabulary (I); dense indices run 1..I."""
        return len(self.item_ids)

    @property
    def lengths(self) -> Int64Array:
        """(U,) int64 number of items of each user."""
        return np.diff(self.offsets)

    def sequence(self, user: int) -> Int64Array:
        """(n,) int64 dense item indices of the ``user``-th sequence, oldest first."""
        return self.items[self.offsets[user] : self.offsets[user + 1]]

    def rows(self, start: int, stop: int) -> InteractionSequences:
        """The sequences ``start:stop`` (same vocabulary), without copying the items."""
        stop = min(stop, len(self))
        lo, hi = int(self.offsets[start]), int(self.offsets[stop])
        return InteractionSequences(
            user_ids=self.user_ids[start:stop],
            item_ids=self.item_ids,
            items=self.items[lo:hi],
            offsets=self.offsets[start : stop + 1] - lo,
        )

    def select(self, users: npt.NDArray[np.int64]) -> InteractionSequences:
        """The sequences of the given user positions, in that order (same vocabulary)."""
        lengths = self.lengths[users]
        offsets = np.zeros(len(users) + 1, dtype=np.int64)
        np.cumsum(lengths, out=offsets[1:])
        position = np.arange(offsets[-1]) - np.repeat(offsets[:-1], lengths)
        items = self.items[np.repeat(self.offsets[:-1][users], lengths) + position]
        return InteractionSequences(
            tuple(self.user_ids[u] for u in users), self.item_ids, items, offsets
        )

    def drop_last(self, count: int) -> InteractionSequences:
        """Every sequence without its last ``count`` items (shorter ones become empty)."""
        lengths = np.maximum(self.lengths - count, 0)
        position = np.arange(len(self.items)) - np.repeat(self.offsets[:-1], self.lengths)
        keep = position < np.repeat(lengths, self.lengths)
        offsets = np.zeros(len(self) + 1, dtype=np.int64)
        np.cumsum(lengths, out=offsets[1:])
        return InteractionSequences(self.user_ids, self.item_ids, self.items[keep], offsets)

    def last(self, position: int) -> Int64Array:
        """(U,) int64 the item ``position`` places from the end (1 = last) of each sequence.

        Every sequence must hold at least ``position`` items.
        """
        if np.any(self.lengths < position):
            raise InteractionDataError(f"every user needs at least {position} items")
        return self.items[self.offsets[1:] - position]

    def padded(self, max_length: int) -> tuple[Int64Array, Int64Array]:
        """The last ``max_length`` items of each sequence, right-padded with 0.

        Returns:
            items: (U, L) int64 with ``L = min(max_length, longest sequence)`` (at least 1).
            lengths: (U,) int64 number of real items in each row.
        """
        lengths = np.minimum(self.lengths, max_length)
        width = max(int(lengths.max(initial=0)), 1)
        out = np.zeros((len(self), width), dtype=np.int64)
        columns = np.arange(width)
        mask = columns[None, :] < lengths[:, None]
        starts = self.offsets[1:] - lengths
        out[mask] = self.items[(starts[:, None] + columns[None, :])[mask]]
        return out, lengths


def parse_sequences(lines: Iterable[str]) -> InteractionSequences:
    """Sequences from text lines ``user item item ...``; blank lines and ``#`` comments skipped.

    Raises:
        InteractionDataError: a user listed twice, or no line with a user.
    """
    sequences: dict[str, list[str]] = {}
    for number, line in enumerate(lines, start=1):
        fields = line.split("#", 1)[0].split()
        if not fields:
            continue
        user, items = fields[0], fields[1:]
        if user in sequences:
            raise InteractionDataError(
                f"line {number}: user {user!r} appears twice; give each user one line "
                "'user item item ...' with the items oldest first"
            )
        sequences[user] = items
    if not sequences:
        raise InteractionDataError(
            "no sequences found; expected lines 'user item item ...' (items oldest first)"
        )
    return InteractionSequences.from_mapping(sequences)


def load_sequences(path: str | Path) -> InteractionSequences:
    """Read a ``user item item ...`` file (see :func:`parse_sequences`); the file is not copied.

    Raises:
        InteractionDataError: the file cannot be read or is not in that format.
    """
    # A folder, a named pipe (opening it would wait for a writer) or a device is refused first.
    check_input_file(path, what="an interaction file", error=InteractionDataError)
    try:
        with open(path, encoding="utf-8") as handle:
            return parse_sequences(handle)
    except (OSError, UnicodeDecodeError) as exc:
        raise InteractionDataError(
            f"cannot read interaction file {path}: {exc}; expected a UTF-8 text file"
        ) from exc


@dataclass(frozen=True, eq=False)
class RankingTask:
    """One held-out item per user to rank, given the user's earlier items.

    Attributes:
        histories: the items each user had before the target (model input; masked in ranking).
        targets: (U,) int64 dense index of the held-out item of each user.
    """

    histories: InteractionSequences
    targets: Int64Array

    def __post_init__(self) -> None:
        if self.targets.dtype != np.int64 or self.targets.shape != (len(self.histories),):
            raise InteractionDataError(
                f"targets must be int64 of shape ({len(self.histories)},), "
                f"got {self.targets.dtype} {self.targets.shape}"
            )

    def __len__(self) -> int:
        return len(self.targets)

    def sample(self, count: int, seed: int = 0) -> RankingTask:
        """At most ``count`` users drawn without replacement (in their original order).

        Early stopping needs a stable estimate, not every user; ranking all items for every
        user after each epoch would cost as much as the epoch itself on large catalogues.
        """
        if count >= len(self):
            return self
        users = np.sort(np.random.default_rng(seed).choice(len(self), count, replace=False))
        return RankingTask(self.histories.select(users), self.targets[users])


@dataclass(frozen=True, eq=False)
class LeaveOneOutSplit:
    """The standard sequential-recommendation split (S3-Rec, SASRec, DuoRec).

    Attributes:
        train: every sequence without its last two items.
        valid: the second-to-last item of each user, given ``train`` as history.
        test: the last item of each user, given everything before it as history.
    """

    train: InteractionSequences
    valid: RankingTask
    test: RankingTask


def hold_out_last(sequences: InteractionSequences) -> tuple[InteractionSequences, RankingTask]:
    """Training data without each user's last item, and those last items as a ranking task.

    Used to pick the training length (early stopping) when there is no separate test: every
    user with at least 2 items contributes a held-out last item.

    Raises:
        InteractionDataError: no user has 2 or more items.
    """
    train = sequences.drop_last(1)
    users = np.flatnonzero(sequences.lengths >= 2)
    if not len(users):
        raise InteractionDataError("no user has 2 or more items; nothing to hold out")
    held = sequences.select(users)
    return train, RankingTask(held.drop_last(1), held.last(1))


def leave_one_out(sequences: InteractionSequences) -> LeaveOneOutSplit:
    """Split each user's sequence: all but the last two to train, then validation, then test.

    Raises:
        InteractionDataError: a user with fewer than 3 items.

    >>> split = leave_one_out(InteractionSequences.from_mapping({"u": ["a", "b", "c", "d"]}))
    >>> split.train.sequence(0).tolist(), split.valid.targets.tolist(), split.test.targets.tolist()
    ([1, 2], [3], [4])
    """
    short = np.flatnonzero(sequences.lengths < 3)
    if len(short):
        raise InteractionDataError(
            f"{len(short)} users have fewer than 3 items (first: {sequences.user_ids[short[0]]!r})"
            "; leave-one-out needs train, validation and test items: filter them out first"
        )
    train = sequences.drop_last(2)
    return LeaveOneOutSplit(
        train=train,
        valid=RankingTask(train, sequences.last(2)),
        test=RankingTask(sequences.drop_last(1), sequences.last(1)),
    )


__all__ = [
    "InteractionSequences",
    "LeaveOneOutSplit",
    "RankingTask",
    "hold_out_last",
    "leave_one_out",
    "load_sequences",
    "parse_sequences",
]
