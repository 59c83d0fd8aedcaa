"""Accounts: register, log in under the rate limit, sessions and their cookies, deletion."""

from __future__ import annotations

from fastapi import HTTPException, Request, Response, status
from sqlalchemy.orm import Session

from fitroom.server import crud
from fitroom.server.api.deps import client_ip
from fitroom.server.core.security import CSRF_COOKIE, SESSION_COOKIE, new_token
from fitroom.server.limits import (
    address_key,
    login_account_limit,
    login_address_limit,
    register_limit,
)
from fitroom.server.models import User
from fitroom.server.schemas import UserCreate, UserLogin
from fitroom.server.services import Services


def set_csrf_cookie(response: Response, services: Services, token: str) -> None:
    # Readable by the page's script (it echoes it in a header); SameSite keeps it first-party.
    # (Secure is added for HTTPS and production by the app's middleware.)
    response.set_cookie(
        CSRF_COOKIE,
        token,
        httponly=False,
        samesite="lax",
        secure=services.settings.secure_cookies,
        path="/",
    )


def start_session(response: Response, services: Services, session: Session, user: User) -> None:
    """Log ``user`` in: a fresh session token (never reuse one from before login) and CSRF token."""
    token = new_token()
    crud.create_auth_session(session, user=user, token=token, hours=services.settings.session_hours)
    response.set_cookie(
        SESSION_COOKIE,
        token,
        max_age=services.settings.session_hours * 3600,
        httponly=True,
        samesite="lax",
        secure=services.settings.secure_cookies,
        path="/",
    )
    set_csrf_cookie(response, services, services.csrf.issue(token))


def end_session(request: Request, response: Response, session: Session) -> None:
    token = request.cookies.get(SESSION_COOKIE)
    if token:
        crud.delete_auth_session(session, token=token)
    response.delete_cookie(SESSION_COOKIE, path="/")


def register_user(request: Request, services: Services, session: Session, body: UserCreate) -> User:
    """Create an account; 429 when this address created too many lately, 409 when taken."""
    limit, ip = register_limit(services.settings), address_key(client_ip(request))
    if services.limiter.exceeded(limit, ip):
        raise HTTPException(
            status.HTTP_429_TOO_MANY_REQUESTS,
            "too many new accounts from your address; try again later",
        )
    services.limiter.hit(limit, ip)
    if crud.get_user_by_email(session, email=body.email) is not None:
        raise HTTPException(status.HTTP_409_CONFLICT, "an account with this e-mail already exists")
    return crud.create_user(
        session, email=body.email, password=body.password, display_name=body.display_name
    )


def login_user(request: Request, services: Services, session: Session, body: UserLogin) -> User:
    """Check the password under the rate limits; 429 after too many failures, 401 when wrong.

    Failures count per account (from any address: the lockout) and per address (over all
    accounts: password spraying); a success clears only its account's count.
    """
    ip, limiter = address_key(client_ip(request)), services.limiter
    account, address = (
        login_account_limit(services.settings),
        login_address_limit(services.settings),
    )
    if limiter.exceeded(account, body.email):
        raise HTTPException(
            status.HTTP_429_TOO_MANY_REQUESTS,
            "too many failed log-ins for this account; wait a few minutes and try again",
        )
    if limiter.exceeded(address, ip):
        raise HTTPException(
            status.HTTP_429_TOO_MANY_REQUESTS,
            "too many failed log-ins from your address; wait a few minutes and try again",
        )
    user = crud.authenticate(session, email=body.email, password=body.password)
    if user is None:
        limiter.hit(account, body.email)
        limiter.hit(address, ip)
        raise HTTPException(status.HTTP_401_UNAUTHORIZED, "wrong e-mail or password")
    limiter.clear(account, body.email)
    return user


def user_media_prefix(user_id: int) -> str:
    """Every file of a user (looks and kept photos) lives under this storage prefix."""
    return f"users/{user_id}"


def delete_account(services: Services, session: Session, user: User) -> None:
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
