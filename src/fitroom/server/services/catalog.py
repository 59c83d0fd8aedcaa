"""The catalogue as the API and pages show it: summaries, detail, visibility."""

from __future__ import annotations

from sqlalchemy.orm import Session

from fitroom.errors import GarmentNotFound
from fitroom.server import crud
from fitroom.server.models import Garment, User
from fitroom.server.schemas import GarmentPublic, GarmentSummary, VariantPublic


def image_url(image_id: int) -> str:
    return f"/api/v1/images/{image_id}"


def garment_summary(garment: Garment) -> GarmentSummary:
    return GarmentSummary(
        id=garment.id,
        slug=garment.slug,
        name=garment.name,
        category=garment.category,
        subcategory=garment.subcategory,
        price_cents=garment.price_cents,
        currency=garment.currency,
        colours=sorted({v.colour for v in garment.variants}),
        sizes=sorted({v.size for v in garment.variants}, key=crud.size_key),
        image_url=image_url(garment.images[0].id) if garment.images else None,
    )


def garment_public(garment: Garment) -> GarmentPublic:
    return GarmentPublic(
        **garment_summary(garment).model_dump(),
        description=garment.description,
        status=garment.status,
        size_chart=garment.size_chart,
        image_urls=[image_url(i.id) for i in garment.images],
        variants=[VariantPublic.model_validate(v) for v in garment.variants],
    )


def visible_garment(session: Session, garment_id: int, user: User | None) -> Garment:
    """An active garment, or any garment of the merchant asking; :class:`GarmentNotFound`
    otherwise."""
    garment = crud.get_garment(session, garment_id=garment_id)
    if garment is None or (
        garment.status != "active" and (user is None or garment.merchant_id != user.id)
    ):
        raise GarmentNotFound("no such garment")
    return garment


#: Highest price filter in euros (prices are at most 100,000 euros; this keeps cents in range).
MAX_PRICE_EUROS = 10_000_000.0
#: Deepest page offset a listing accepts.
MAX_OFFSET = 10_000_000


def euros_to_cents(value: float | None) -> int | None:
    return None if value is None else round(value * 100)
