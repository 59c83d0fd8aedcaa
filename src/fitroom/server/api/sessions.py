"""The cookies of a session: set at log-in, cleared at log-out (API routes and pages alike)."""

from __future__ import annotations

from fastapi import Request, Response
from sqlalchemy.orm import Session

from fitroom.server.core.security import CSRF_COOKIE, SESSION_COOKIE
from fitroom.server.models import User
from fitroom.server.services import Services
from fitroom.server.services.accounts import close_session, open_session


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
    """Log ``user`` in and set the session and CSRF cookies on ``response``."""
    token, csrf = open_session(services, session, user)
    response.set_cookie(
        SESSION_COOKIE,
        token,
        max_age=services.settings.session_hours * 3600,
        httponly=True,
        samesite="lax",
        secure=services.settings.secure_cookies,
        path="/",
    )
    set_csrf_cookie(response, services, csrf)


def end_session(request: Request, response: Response, session: Session) -> None:
    """End the request's session, if any, and clear its cookie."""
    close_session(session, request.cookies.get(SESSION_COOKIE))
    response.delete_cookie(SESSION_COOKIE, path="/")
