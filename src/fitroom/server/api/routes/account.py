"""``DELETE /api/v1/account``: remove the user's rows and files."""

from __future__ import annotations

from fastapi import APIRouter, Response

from fitroom.server.api.deps import Csrf, CurrentUser, ServicesDep, SessionDep
from fitroom.server.core.security import CSRF_COOKIE, SESSION_COOKIE
from fitroom.server.services.accounts import delete_account

router = APIRouter(prefix="/account", tags=["account"])


@router.delete("", dependencies=[Csrf])
def delete_my_account(
    response: Response, services: ServicesDep, session: SessionDep, user: CurrentUser
) -> dict[str, str]:
    delete_account(services, session, user)
    response.delete_cookie(SESSION_COOKIE, path="/")
    response.delete_cookie(CSRF_COOKIE, path="/")
    return {"message": "account deleted"}
