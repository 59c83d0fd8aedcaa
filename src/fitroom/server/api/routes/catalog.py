"""The catalog: list with filters and search, product detail, comments, product images."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, HTTPException, Query, Response, status

from fitroom.server import crud
from fitroom.server.api.deps import IdPath, OptionalUser, ServicesDep, SessionDep
from fitroom.server.models import Garment
from fitroom.server.schemas import (
    CommentPublic,
    GarmentList,
    GarmentPublic,
    GarmentSummary,
    VariantPublic,
)

router = APIRouter(tags=["catalog"])


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


def visible_garment(session: SessionDep, garment_id: int, user: OptionalUser) -> Garment:
    """An active garment, or any garment of the merchant asking; 404 otherwise."""
    garment = crud.get_garment(session, garment_id=garment_id)
    if garment is None or (
        garment.status != "active" and (user is None or garment.merchant_id != user.id)
    ):
        raise HTTPException(status.HTTP_404_NOT_FOUND, "no such garment")
    return garment


#: Highest price filter in euros (prices are at most 100,000 euros; this keeps cents in range).
MAX_PRICE_EUROS = 10_000_000.0
#: Deepest page offset a listing accepts.
MAX_OFFSET = 10_000_000
Price = Annotated[
    float | None, Query(ge=0, le=MAX_PRICE_EUROS, allow_inf_nan=False, description="euros")
]


def euros_to_cents(value: float | None) -> int | None:
    return None if value is None else round(value * 100)


@router.get("/garments")
def list_garments(
    session: SessionDep,
    category: Annotated[str | None, Query(max_length=16)] = None,
    colour: Annotated[str | None, Query(max_length=40)] = None,
    size: Annotated[str | None, Query(max_length=8)] = None,
    min_price: Price = None,
    max_price: Price = None,
    q: Annotated[str | None, Query(max_length=100, description="search text")] = None,
    limit: Annotated[int, Query(ge=1, le=200)] = 60,
    offset: Annotated[int, Query(ge=0, le=MAX_OFFSET)] = 0,
) -> GarmentList:
    """One page of the active catalog; ``count`` is the number of matches over every page."""
    filters = crud.GarmentFilters(
        category=category or None,
        colour=colour or None,
        size=size or None,
        min_price_cents=euros_to_cents(min_price),
        max_price_cents=euros_to_cents(max_price),
        query=q or None,
    )
    garments = crud.list_garments(session, limit=limit, offset=offset, **filters)
    return GarmentList(
        items=[garment_summary(g) for g in garments],
        count=crud.count_garments(session, **filters),
        offset=offset,
        limit=limit,
    )


@router.get("/garments/facets")
def facets(session: SessionDep) -> dict[str, list[str]]:
    return crud.facet_values(session)


@router.get("/garments/{garment_id}")
def get_garment(garment_id: IdPath, session: SessionDep, user: OptionalUser) -> GarmentPublic:
    return garment_public(visible_garment(session, garment_id, user))


@router.get("/garments/{garment_id}/comments")
def comments(garment_id: IdPath, session: SessionDep, user: OptionalUser) -> list[CommentPublic]:
    visible_garment(session, garment_id, user)
    return [
        CommentPublic(
            author=name, comment=e.comment or "", rating=e.rating, created_at=e.created_at
        )
        for name, e in crud.list_comments(session, garment_id=garment_id)
    ]


@router.get("/images/{image_id}", response_class=Response)
def product_image(image_id: IdPath, services: ServicesDep, session: SessionDep) -> Response:
    image = crud.get_product_image(session, image_id=image_id)
    if image is None or not services.storage.exists(image.storage_key):
        raise HTTPException(status.HTTP_404_NOT_FOUND, "no such image")
    return Response(
        services.storage.get(image.storage_key),
        media_type=image.content_type,
        headers={"Cache-Control": "public, max-age=3600"},
    )
