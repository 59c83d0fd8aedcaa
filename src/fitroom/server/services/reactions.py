"""Reaction summaries of try-ons, stored only with the shopper's consent."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Literal

from sqlalchemy.orm import Session

from fitroom.reactions import ReactionSummary, summarize_reactions
from fitroom.server import crud
from fitroom.server.models import ReactionRecord, User
from fitroom.vision.core import Expression

ReactionSource = Literal["photo", "live"]


def summary_dict(summary: ReactionSummary) -> dict[str, float | int | str]:
    return {
        "frames": summary.frames,
        "smile_share": round(summary.smile_share, 4),
        "peak_surprise": round(summary.peak_surprise, 4),
        "dominant": summary.dominant,
    }


def record_reaction(
    session: Session,
    *,
    user: User,
    garment_id: int,
    frames: Sequence[Expression] | Sequence[Sequence[float]],
    source: ReactionSource,
    consent: bool,
) -> tuple[ReactionSummary, bool]:
    """Summarise ``frames``; store the summary (numbers only) when the shopper consented.

    Consent is the request's flag or the account setting. Returns (summary, stored).
    """
    summary = summarize_reactions(frames)
    if not (consent or user.reactions_consent):
        return summary, False
    event = crud.create_feedback(session, user_id=user.id, garment_id=garment_id, kind="reaction")
    session.add(
        ReactionRecord(
            event_id=event.id,
            user_id=user.id,
            garment_id=garment_id,
            source=source,
            frames=summary.frames,
            smile_share=summary.smile_share,
            peak_surprise=summary.peak_surprise,
            dominant=summary.dominant,
            mean={k: round(v, 5) for k, v in summary.mean_by_class().items()},
        )
    )
    session.flush()
    return summary, True
