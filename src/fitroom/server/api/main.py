"""The ``/api/v1`` router assembling every resource."""

from __future__ import annotations

from fastapi import APIRouter

from fitroom.server.api.routes import (
    account,
    auth,
    catalog,
    feedback,
    health,
    looks,
    merchant,
    tryon,
)

api_router = APIRouter(prefix="/api/v1")
for module in (health, auth, account, catalog, tryon, looks, feedback, merchant):
    api_router.include_router(module.router)
