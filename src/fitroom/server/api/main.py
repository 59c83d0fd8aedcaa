"""The ``/api/v1`` router assembling every resource."""

from __future__ import annotations

from fastapi import APIRouter

from fitroom.server.api.routes import (
    account,
    analytics,
    auth,
    catalog,
    feedback,
    health,
    live,
    looks,
    measurements,
    merchant,
    reactions,
    recommendations,
    tryon,
)

api_router = APIRouter(prefix="/api/v1")
for module in (health, auth, account, catalog, tryon, looks, feedback, merchant):
    api_router.include_router(module.router)
api_router.include_router(measurements.router)
for extra in (reactions, recommendations, analytics):
    api_router.include_router(extra.router)
api_router.include_router(live.router)
