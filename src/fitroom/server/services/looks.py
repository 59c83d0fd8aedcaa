"""Saved looks as the API and pages show them."""

from __future__ import annotations

from fitroom.server.models import Look
from fitroom.server.schemas import LookPublic


def look_public(look: Look) -> LookPublic:
    return LookPublic(
        id=look.id,
        garment_id=look.garment_id,
        size=look.size,
        has_photo=look.photo_key is not None,
        image_url=f"/api/v1/looks/{look.id}/image",
        created_at=look.created_at,
    )
