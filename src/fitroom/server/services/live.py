"""The catalogue garments the live fitting room serves."""

from __future__ import annotations

from pydantic import BaseModel

from fitroom.server import crud
from fitroom.server.db import session_scope
from fitroom.server.services import Services

#: Most garments one live session switches between (the newest of the catalog).
LIVE_GARMENT_LIMIT = 48


class LiveGarment(BaseModel):
    id: str
    garment_id: int
    name: str
    category: str
    subcategory: str


def live_catalog(services: Services) -> list[LiveGarment]:
    """The active garments that have a try-on package, as the socket names them."""
    with session_scope(services.sessions) as session:
        rows = crud.list_garments(session, statuses=("active",), limit=LIVE_GARMENT_LIMIT)
        return [
            LiveGarment(
                id=g.slug,
                garment_id=g.id,
                name=g.name,
                category=g.category,
                subcategory=g.subcategory,
            )
            for g in rows
            if g.package_key
        ]
