"""``DELETE /api/v1/account``: remove the user's rows and files."""

from __future__ import annotations

from fastapi import APIRouter, Response

from fitroom.server import crud
from fitroom.server.api.deps import Csrf, CurrentUser, ServicesDep, SessionDep
from fitroom.server.core.security import CSRF_COOKIE, SESSION_COOKIE
from fitroom.server.services import Services

router = APIRouter(prefix="/account", tags=["account"])


def user_media_prefix(user_id: int) -> str:
    """Every file of a user (looks and kept photos) lives under this storage prefix."""
    return f"users/{user_id}"


def delete_account(services: Services, session: SessionDep, user: CurrentUser) -> None:
    for garment in crud.list_garments(
        session,
        merchant_id=user.id,
        statuses=("processing", "active", "failed", "archived"),
        limit=100_000,
    ):
        # A merchant's garments leave the shop with them (orders would keep them in a real shop).
        garment.status = "archived"
    user_id = user.id
    crud.delete_user(session, user=user)
    session.flush()
    services.storage.delete_prefix(user_media_prefix(user_id))


@router.delete("", dependencies=[Csrf])
def delete_my_account(
    response: Response, services: ServicesDep, session: SessionDep, user: CurrentUser
) -> dict[str, str]:
    delete_account(services, session, user)
    response.delete_cookie(SESSION_COOKIE, path="/")
    response.delete_cookie(CSRF_COOKIE, path="/")
    return {"message": "account deleted"}
