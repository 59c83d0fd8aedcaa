"""The HTTP status of each error the shop raises on purpose: one table, one handler in ``app.py``.

The service layer raises :mod:`fitroom.server.errors` and the library :mod:`fitroom.errors`; routes
and pages never translate them one by one. Library input errors carry their own status (413, 415,
422, 404...); the shop's refusals get theirs here.
"""

from __future__ import annotations

from fitroom.errors import FitroomError, InputError
from fitroom.server.errors import (
    AlreadyExists,
    NotAllowed,
    NotFound,
    QuotaReached,
    RateLimited,
    ServiceError,
    WrongCredentials,
)

#: Status code of each service error class (a subclass takes its nearest listed ancestor's).
SERVICE_STATUS: dict[type, int] = {
    NotFound: 404,
    AlreadyExists: 409,
    WrongCredentials: 401,
    RateLimited: 429,
    QuotaReached: 403,
    NotAllowed: 409,
    ServiceError: 400,
}

#: The error classes the app answers with their status and message (anything else is a 500).
HANDLED_ERRORS: tuple[type[FitroomError], ...] = (InputError, ServiceError)


def http_status(error: FitroomError) -> int:
    """The status code that answers ``error``."""
    for cls in type(error).__mro__:
        status = SERVICE_STATUS.get(cls)
        if status is not None:
            return status
    return int(getattr(error, "http_status", 422))
