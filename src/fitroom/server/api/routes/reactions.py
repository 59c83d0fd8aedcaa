"""Reactions: expression summaries of try-ons, stored only with the shopper's consent.

``POST /api/v1/reactions`` takes a live session's per-frame expression probabilities (numbers
only: the page never sends a face) and stores their summary when the shopper consented. The live
page gets them from the live socket, which reads them only on frames whose header asks for them
(``"reactions": true``, sent only while the page's consent box is ticked; see
:mod:`fitroom.live.reactions`), and posts one garment's readings, with ``consent: true``, when the
shopper switches garment or stops the camera;
``GET /api/v1/reactions/mine`` lists the stored summaries and the favourite; ``PUT
/api/v1/reactions/consent`` switches the account setting. The photo try-on route records its
one-frame summary through :func:`record_reaction`.
"""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

import numpy as np
from fastapi import APIRouter, Response
from pydantic import BaseModel, Field
from sqlalchemy import delete, select

from fitroom.reactions import MAX_FRAMES, ReactionSummary, favourite
from fitroom.server.api.deps import Csrf, CurrentUser, SessionDep
from fitroom.server.models import FeedbackEvent, Garment, ReactionRecord
from fitroom.server.schemas import RowId
from fitroom.server.services.catalog import visible_garment
from fitroom.server.services.reactions import record_reaction, summary_dict
from fitroom.vision.core import EXPRESSIONS

router = APIRouter(prefix="/reactions", tags=["reactions"])


#: One expression probability: finite, in [0, 1].
Probability = Annotated[float, Field(ge=0.0, le=1.0, allow_inf_nan=False)]


class ReactionCreate(BaseModel):
    """A live try-on's expression probabilities, one row of 7 per analysed frame."""

    garment_id: RowId
    frames: Annotated[
        list[Annotated[list[Probability], Field(min_length=7, max_length=7)]],
        Field(min_length=1, max_length=MAX_FRAMES),
    ]
    consent: bool = Field(
        default=False, description="store this summary even if the account setting is off"
    )


class ReactionPublic(BaseModel):
    garment_id: int
    garment_name: str
    source: str
    frames: int
    smile_share: float
    peak_surprise: float
    dominant: str
    mean: dict[str, float]
    created_at: datetime


class ReactionStored(BaseModel):
    stored: bool
    summary: dict[str, float | int | str]


class ReactionList(BaseModel):
    consent: bool
    items: list[ReactionPublic]
    favourite_garment_id: int | None
    favourite_garment_name: str | None


class ConsentUpdate(BaseModel):
    consent: bool


def to_summary(row: ReactionRecord) -> ReactionSummary:
    return ReactionSummary(
        frames=row.frames,
        smile_share=row.smile_share,
        peak_surprise=row.peak_surprise,
        mean=np.array([float(row.mean.get(k, 0.0)) for k in EXPRESSIONS], np.float32),
        dominant=row.dominant,
    )


@router.post("", dependencies=[Csrf])
def post_reaction(
    body: ReactionCreate, response: Response, session: SessionDep, user: CurrentUser
) -> ReactionStored:
    """Summarise a live try-on; 201 when stored, 200 (``stored: false``) without consent."""
    visible_garment(session, body.garment_id, user)
    summary, stored = record_reaction(
        session,
        user=user,
        garment_id=body.garment_id,
        frames=body.frames,
        source="live",
        consent=body.consent,
    )
    response.status_code = 201 if stored else 200
    return ReactionStored(stored=stored, summary=summary_dict(summary))


@router.get("/mine")
def my_reactions(session: SessionDep, user: CurrentUser) -> ReactionList:
    rows = session.execute(
        select(ReactionRecord, Garment.name)
        .join(Garment, Garment.id == ReactionRecord.garment_id)
        .where(ReactionRecord.user_id == user.id)
        .order_by(ReactionRecord.id.desc())
        .limit(200)
    ).all()
    items = [
        ReactionPublic(
            garment_id=row.garment_id,
            garment_name=name,
            source=row.source,
            frames=row.frames,
            smile_share=row.smile_share,
            peak_surprise=row.peak_surprise,
            dominant=row.dominant,
            mean=dict(row.mean),
            created_at=row.created_at,
        )
        for row, name in rows
    ]
    best = favourite([(row.garment_id, to_summary(row)) for row, _ in rows])
    names = {row.garment_id: name for row, name in rows}
    return ReactionList(
        consent=user.reactions_consent,
        items=items,
        favourite_garment_id=best,
        favourite_garment_name=names.get(best) if best is not None else None,
    )


@router.put("/consent", dependencies=[Csrf])
def set_consent(body: ConsentUpdate, session: SessionDep, user: CurrentUser) -> ConsentUpdate:
    """Switch the account's reaction consent; switching it off deletes the stored summaries."""
    user.reactions_consent = body.consent
    if not body.consent:
        event_ids = select(ReactionRecord.event_id).where(ReactionRecord.user_id == user.id)
        ids = list(session.scalars(event_ids))
        session.execute(delete(ReactionRecord).where(ReactionRecord.user_id == user.id))
        session.execute(delete(FeedbackEvent).where(FeedbackEvent.id.in_(ids)))
    return ConsentUpdate(consent=user.reactions_consent)
