"""Feedback events: views, try-ons, likes, ratings, comments, add-to-cart."""

from __future__ import annotations

from fastapi import APIRouter, HTTPException, status

from fitroom.server import crud
from fitroom.server.api.deps import Csrf, CurrentUser, SessionDep
from fitroom.server.schemas import FeedbackCreate, FeedbackPublic
from fitroom.server.services.catalog import visible_garment

router = APIRouter(prefix="/feedback", tags=["feedback"])


@router.post("", status_code=201, dependencies=[Csrf])
def create_feedback(body: FeedbackCreate, session: SessionDep, user: CurrentUser) -> FeedbackPublic:
    """Record a shopper's event; a size must be one the garment comes in (it lands in the
    merchant's size numbers), and try-ons are counted by the try-on endpoints, not here."""
    garment = visible_garment(session, body.garment_id, user)
    size = body.size.strip().upper() if body.size and body.size.strip() else None
    sizes = sorted({v.size for v in garment.variants}, key=crud.size_key)
    if size is not None and size not in sizes:
        raise HTTPException(
            status.HTTP_422_UNPROCESSABLE_CONTENT,
            f"this garment comes in {', '.join(sizes) or 'no sizes'}, not {size}",
        )
    if body.kind == "rating" and body.rating is None:
        raise HTTPException(status.HTTP_422_UNPROCESSABLE_CONTENT, "a rating needs 1–5 stars")
    if body.kind == "comment" and not (body.comment or "").strip():
        raise HTTPException(status.HTTP_422_UNPROCESSABLE_CONTENT, "a comment needs some text")
    if (
        body.look_id is not None
        and crud.get_own_look(session, look_id=body.look_id, user_id=user.id) is None
    ):
        raise HTTPException(status.HTTP_404_NOT_FOUND, "no such look")
    event = crud.create_feedback(
        session,
        user_id=user.id,
        garment_id=body.garment_id,
        kind=body.kind,
        look_id=body.look_id,
        rating=body.rating,
        comment=body.comment.strip() if body.comment else None,
        size=size,
    )
    return FeedbackPublic.model_validate(event)
