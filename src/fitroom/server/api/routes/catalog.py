"""The catalog: list with filters and search, product detail, comments, product images."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, HTTPException, Query, Response, status

from fitroom.server import crud
from fitroom.server.api.deps import IdPath, OptionalUser, ServicesDep, SessionDep
from fitroom.server.schemas import (
    CommentPublic,
    GarmentList,
    GarmentPublic,
)
from fitroom.server.services.catalog import (
    MAX_OFFSET,
    MAX_PRICE_EUROS,
    euros_to_cents,
    garment_public,
    garment_summary,
    visible_garment,
)

router = APIRouter(tags=["catalog"])

Price = Annotated[
    float | None, Query(ge=0, le=MAX_PRICE_EUROS, allow_inf_nan=False, description="euros")
]


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
