"""A small synthetic shop with planted patterns, shared by the recommender tests."""

from __future__ import annotations

import numpy as np
import pytest

from fitroom.recommend.sequences import InteractionSequences

NUM_ITEMS = 30


def planted_sequences(users: int = 400, seed: int = 0) -> InteractionSequences:
    """Random "filler" items 5..30, plus a planted pair per user: "1" then "2" for even
    users, "3" then "4" for odd users, so the item after "1" is always "2" and after "3" is "4".
    """
    rng = np.random.default_rng(seed)
    sequences: dict[str, list[str]] = {}
    for user in range(users):
        fillers = [
            str(i) for i in rng.choice(np.arange(5, NUM_ITEMS + 1), rng.integers(4, 9), False)
        ]
        first, second = ("1", "2") if user % 2 == 0 else ("3", "4")
        at = int(rng.integers(0, len(fillers) + 1))
        sequences[f"u{user}"] = [*fillers[:at], first, second, *fillers[at:]]
    return InteractionSequences.from_mapping(
        sequences, item_ids=[str(i) for i in range(1, NUM_ITEMS + 1)]
    )


@pytest.fixture(scope="session")
def planted() -> InteractionSequences:
    return planted_sequences()
