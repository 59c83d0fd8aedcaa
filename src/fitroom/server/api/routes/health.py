"""``GET /api/v1/health``: ok once the models are loaded."""

from __future__ import annotations

from fastapi import APIRouter
from sqlalchemy import text

from fitroom import __version__
from fitroom.server.api.deps import ServicesDep

router = APIRouter(prefix="/health", tags=["health"])


@router.get("")
def health(services: ServicesDep) -> dict[str, object]:
    with services.engine.connect() as connection:
        connection.execute(text("SELECT 1"))
    return {
        "status": "ok",
        "version": __version__,
        "models_loaded": True,
        "database": services.engine.dialect.name,
    }
