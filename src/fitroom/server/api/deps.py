"""Dependencies with short names: ``SessionDep``, ``CurrentUser``, ``MerchantUser``, ``Csrf``."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Annotated

from fastapi import Depends, Form, HTTPException, Path, Request, status
from sqlalchemy.orm import Session

from fitroom.server import crud
from fitroom.server.core.headers import client_address
from fitroom.server.core.security import (
    CSRF_COOKIE,
    CSRF_FIELD,
    CSRF_HEADER,
    SESSION_COOKIE,
    csrf_matches,
)
from fitroom.server.db import session_scope
from fitroom.server.models import User
from fitroom.server.schemas import MAX_ID
from fitroom.server.services import Services

#: A row id in a path or a form: 1 to MAX_ID (a larger number is a 422, not an overflow).
IdPath = Annotated[int, Path(ge=1, le=MAX_ID, description="a row id")]
IdForm = Annotated[int, Form(ge=1, le=MAX_ID)]


def get_services(request: Request) -> Services:
    services: Services = request.app.state.services
    return services


ServicesDep = Annotated[Services, Depends(get_services)]


def get_db(services: ServicesDep) -> Iterator[Session]:
    """One database session per request, committed when the route succeeds."""
    with session_scope(services.sessions) as session:
        yield session


# "function" scope: commit before the response is sent, so a client that got 201 sees the row.
SessionDep = Annotated[Session, Depends(get_db, scope="function")]


def get_optional_user(request: Request, session: SessionDep) -> User | None:
    token = request.cookies.get(SESSION_COOKIE)
    if not token:
        return None
    return crud.user_for_token(session, token=token)


OptionalUser = Annotated[User | None, Depends(get_optional_user)]


def get_current_user(user: OptionalUser) -> User:
    if user is None:
        raise HTTPException(status.HTTP_401_UNAUTHORIZED, "log in first")
    return user


CurrentUser = Annotated[User, Depends(get_current_user)]


def get_merchant(user: CurrentUser) -> User:
    if user.role != "merchant":
        raise HTTPException(status.HTTP_403_FORBIDDEN, "this needs a merchant account")
    return user


MerchantUser = Annotated[User, Depends(get_merchant)]


async def verify_csrf(request: Request, services: ServicesDep) -> None:
    """Refuse a state-changing request whose CSRF token does not match the cookie or was not
    made for this session cookie (403).

    The token comes in the ``X-CSRF-Token`` header (scripts) or the ``csrf_token`` form field.
    """
    sent = request.headers.get(CSRF_HEADER)
    if sent is None and request.headers.get("content-type", "").startswith(
        ("multipart/form-data", "application/x-www-form-urlencoded")
    ):
        form = await request.form()
        value = form.get(CSRF_FIELD)
        sent = value if isinstance(value, str) else None
    if not csrf_matches(request.cookies.get(CSRF_COOKIE), sent) or not services.csrf.valid(
        sent, request.cookies.get(SESSION_COOKIE)
    ):
        raise HTTPException(
            status.HTTP_403_FORBIDDEN, "missing or wrong CSRF token; reload the page and try again"
        )


Csrf = Depends(verify_csrf)


def client_ip(request: Request) -> str:
    """The client's address; forwarded headers count only from trusted proxies."""
    services: Services = request.app.state.services
    return client_address(request, services.settings.proxy_networks)
