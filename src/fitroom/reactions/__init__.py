"""Reactions: a try-on's facial-expression probabilities summarised as implicit feedback."""

from fitroom.reactions.core import (
    MAX_FRAMES,
    ReactionSummary,
    favourite,
    probability_matrix,
    summarize_reactions,
)

__all__ = [
    "MAX_FRAMES",
    "ReactionSummary",
    "favourite",
    "probability_matrix",
    "summarize_reactions",
]
