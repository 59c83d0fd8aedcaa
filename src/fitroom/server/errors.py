"""The shop's own refusals, raised by the service layer and mapped to HTTP by the app.

The library's :mod:`fitroom.errors` covers what a caller handed in (an image, a garment, an
option). The shop refuses requests for reasons of its own as well: a rate limit, a quota, an
account that exists, a wrong password, a record that is not there. Those are :class:`ServiceError`
(a :class:`~fitroom.errors.FitroomError`, so the project keeps one error tree); the service layer
knows nothing of HTTP, and ``server/api/errors.py`` gives each class its status code.
"""

from __future__ import annotations

from fitroom.errors import FitroomError


class ServiceError(FitroomError):
    """A request the shop refuses; the message is a sentence for the person who asked."""


class NotFound(ServiceError):
    """The record asked for does not exist, or is not this user's to see."""


class AlreadyExists(ServiceError):
    """A record with this unique key exists already (an account's e-mail, a job's SKU)."""


class WrongCredentials(ServiceError):
    """An e-mail and password that match no account."""


class RateLimited(ServiceError):
    """Too many attempts of this kind lately; the same request later will be heard."""


class QuotaReached(ServiceError):
    """The account has all it may have of something (garments in a shop)."""


class NotAllowed(ServiceError):
    """The action is not possible in the record's current state or for this account."""


__all__ = [
    "AlreadyExists",
    "NotAllowed",
    "NotFound",
    "QuotaReached",
    "RateLimited",
    "ServiceError",
    "WrongCredentials",
]
