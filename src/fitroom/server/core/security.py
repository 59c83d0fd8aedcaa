"""Passwords (argon2id), session tokens, CSRF tokens and login rate limiting.

Session tokens are random and only their SHA-256 is stored, so a leaked database does not hand out
logins. A new token is issued at every login (session fixation). CSRF uses a double-submit token:
a random cookie readable by the page's script, echoed in a form field or ``X-CSRF-Token`` header.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
import threading
import time
from collections import defaultdict, deque

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

SESSION_COOKIE = "fitroom_session"
CSRF_COOKIE = "fitroom_csrf"
CSRF_HEADER = "X-CSRF-Token"
CSRF_FIELD = "csrf_token"

# argon2-cffi's defaults are argon2id with RFC 9106's low-memory profile.
_hasher = PasswordHasher()


def hash_password(password: str) -> str:
    """An argon2id hash of ``password`` (the clear text is never stored)."""
    return _hasher.hash(password)


def verify_password(password: str, password_hash: str) -> bool:
    """Whether ``password`` matches ``password_hash``."""
    try:
        return _hasher.verify(password_hash, password)
    except (VerificationError, InvalidHashError):
        return False


def new_token() -> str:
    """A random URL-safe token (256 bits)."""
    return secrets.token_urlsafe(32)


def token_digest(token: str) -> str:
    """The SHA-256 hex digest under which a session token is stored."""
    return hashlib.sha256(token.encode()).hexdigest()


def csrf_matches(cookie_value: str | None, sent_value: str | None) -> bool:
    """Whether the CSRF token sent with a request equals the cookie (constant time)."""
    if not cookie_value or not sent_value:
        return False
    return hmac.compare_digest(cookie_value.encode(), sent_value.encode())


class LoginRateLimiter:
    """Counts failed logins per (client IP, account) in a sliding window.

    Thread-safe; kept in memory, so each worker process limits on its own.
    """

    def __init__(self, *, attempts: int, window_seconds: float) -> None:
        self.attempts = attempts
        self.window_seconds = window_seconds
        self._failures: defaultdict[tuple[str, str], deque[float]] = defaultdict(deque)
        self._lock = threading.Lock()

    def _prune(self, key: tuple[str, str], now: float) -> deque[float]:
        times = self._failures[key]
        while times and now - times[0] > self.window_seconds:
            times.popleft()
        return times

    def blocked(self, ip: str, account: str) -> bool:
        """Whether this IP may not try this account now."""
        key = (ip, account.lower())
        with self._lock:
            return len(self._prune(key, time.monotonic())) >= self.attempts

    def failed(self, ip: str, account: str) -> None:
        """Record one failed attempt."""
        key = (ip, account.lower())
        with self._lock:
            self._prune(key, time.monotonic()).append(time.monotonic())

    def succeeded(self, ip: str, account: str) -> None:
        """Forget the failures after a successful login."""
        with self._lock:
            self._failures.pop((ip, account.lower()), None)
