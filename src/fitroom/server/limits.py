"""Rate limits counted in the database, so every process of the shop sees the same counts.

A request may land on any worker process (or host), so a limit kept in one process's memory is a
limit per process. Each limited event — a failed log-in, a registration, an upload — is one row
of ``rate_limit_hits`` (scope, SHA-256 of the key, time); a limit is exceeded when its key has
``attempts`` rows younger than the window. Rows are written in their own short transaction, so a
refusal the request then answers with (401, 429) does not roll its count back.

The limits (numbers from :class:`~fitroom.server.core.config.Settings`):

* ``login_account``: failed log-ins per account, from any address (the lockout);
* ``login_address``: failed log-ins per client address over all accounts (password spraying);
* ``register_address``: accounts created per client address;
* ``upload_merchant``: photos uploaded per merchant.
"""

from __future__ import annotations

import hashlib
import ipaddress
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from sqlalchemy import delete, func, select
from sqlalchemy.orm import Session, sessionmaker

from fitroom.server.core.config import Settings
from fitroom.server.db import session_scope
from fitroom.server.models import RateLimitHit


@dataclass(frozen=True)
class Limit:
    """At most ``attempts`` events per key of ``scope`` within ``window_seconds``."""

    scope: str
    attempts: int
    window_seconds: float


def login_account_limit(settings: Settings) -> Limit:
    return Limit("login_account", settings.login_attempts, settings.login_window_seconds)


def login_address_limit(settings: Settings) -> Limit:
    return Limit("login_address", settings.login_address_attempts, settings.login_window_seconds)


def register_limit(settings: Settings) -> Limit:
    return Limit("register_address", settings.register_attempts, settings.register_window_seconds)


def upload_limit(settings: Settings) -> Limit:
    return Limit("upload_merchant", settings.upload_attempts, settings.upload_window_seconds)


def address_key(address: str) -> str:
    """What the address limits count: the address, or for IPv6 its /64 network (one host
    usually holds a whole /64, so counting single addresses would let it rotate through them)."""
    try:
        ip = ipaddress.ip_address(address)
    except ValueError:
        return address
    if ip.version == 6:
        return str(ipaddress.ip_network(f"{ip}/64", strict=False))
    return str(ip)


def key_digest(key: str) -> str:
    """What is stored for a key: its SHA-256 (no e-mail or address in the clear)."""
    return hashlib.sha256(key.lower().encode()).hexdigest()


class RateLimiter:
    """Counts and records limited events in the shop's database (thread- and process-safe)."""

    def __init__(self, sessions: sessionmaker[Session]) -> None:
        self._sessions = sessions

    @staticmethod
    def _since(limit: Limit) -> datetime:
        return datetime.now(UTC) - timedelta(seconds=limit.window_seconds)

    def count(self, limit: Limit, key: str) -> int:
        """Events of ``key`` within the window."""
        with session_scope(self._sessions) as session:
            n = session.scalar(
                select(func.count()).where(
                    RateLimitHit.scope == limit.scope,
                    RateLimitHit.key == key_digest(key),
                    RateLimitHit.created_at > self._since(limit),
                )
            )
        return int(n or 0)

    def exceeded(self, limit: Limit, key: str) -> bool:
        """Whether ``key`` has used up its events for now."""
        return self.count(limit, key) >= limit.attempts

    def hit(self, limit: Limit, key: str) -> None:
        """Record one event of ``key`` (and forget this scope's events older than the window)."""
        with session_scope(self._sessions) as session:
            session.execute(
                delete(RateLimitHit).where(
                    RateLimitHit.scope == limit.scope, RateLimitHit.created_at <= self._since(limit)
                )
            )
            session.add(RateLimitHit(scope=limit.scope, key=key_digest(key)))

    def clear(self, limit: Limit, key: str) -> None:
        """Forget the events of ``key`` (a successful log-in clears its account's failures)."""
        with session_scope(self._sessions) as session:
            session.execute(
                delete(RateLimitHit).where(
                    RateLimitHit.scope == limit.scope, RateLimitHit.key == key_digest(key)
                )
            )
