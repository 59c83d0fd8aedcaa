"""Accounts: register, log in under the rate limit, sessions, deletion.

No HTTP here: refusals are :mod:`fitroom.server.errors`, and the cookies that carry a session are
set by ``api/sessions.py`` from the tokens :func:`open_session` returns.
"""

from __future__ import annotations

from sqlalchemy.orm import Session

from fitroom.server import crud
from fitroom.server.core.security import new_token
from fitroom.server.errors import AlreadyExists, RateLimited, WrongCredentials
from fitroom.server.limits import (
    address_key,
    login_account_limit,
    login_address_limit,
    register_limit,
)
from fitroom.server.models import User
from fitroom.server.schemas import UserCreate, UserLogin
from fitroom.server.services import Services


def open_session(services: Services, session: Session, user: User) -> tuple[str, str]:
    """Log ``user`` in: a fresh session token (never reuse one from before login) and the CSRF
    token bound to it; returns (session token, CSRF token)."""
    token = new_token()
    crud.create_auth_session(session, user=user, token=token, hours=services.settings.session_hours)
    return token, services.csrf.issue(token)


def close_session(session: Session, token: str | None) -> None:
    """End the session of ``token`` (nothing when there is none)."""
    if token:
        crud.delete_auth_session(session, token=token)


def register_user(services: Services, session: Session, body: UserCreate, *, address: str) -> User:
    """Create an account; :class:`RateLimited` when ``address`` (the client's) created too many
    lately, :class:`AlreadyExists` when the e-mail is taken."""
    limit, ip = register_limit(services.settings), address_key(address)
    if services.limiter.exceeded(limit, ip):
        raise RateLimited("too many new accounts from your address; try again later")
    services.limiter.hit(limit, ip)
    if crud.get_user_by_email(session, email=body.email) is not None:
        raise AlreadyExists("an account with this e-mail already exists")
    return crud.create_user(
        session, email=body.email, password=body.password, display_name=body.display_name
    )


def login_user(services: Services, session: Session, body: UserLogin, *, address: str) -> User:
    """Check the password under the rate limits: :class:`RateLimited` after too many failures,
    :class:`WrongCredentials` when wrong.

    Failures count per account (from any address: the lockout) and per address (over all
    accounts: password spraying); a success clears only its account's count.
    """
    ip, limiter = address_key(address), services.limiter
    account, by_address = (
        login_account_limit(services.settings),
        login_address_limit(services.settings),
    )
    if limiter.exceeded(account, body.email):
        raise RateLimited(
            "too many failed log-ins for this account; wait a few minutes and try again"
        )
    if limiter.exceeded(by_address, ip):
        raise RateLimited(
            "too many failed log-ins from your address; wait a few minutes and try again"
        )
    user = crud.authenticate(session, email=body.email, password=body.password)
    if user is None:
        limiter.hit(account, body.email)
        limiter.hit(by_address, ip)
        raise WrongCredentials("wrong e-mail or password")
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
