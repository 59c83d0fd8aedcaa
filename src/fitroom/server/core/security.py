"""Passwords (argon2id), session tokens and CSRF tokens.

Session tokens are random and only their SHA-256 is stored, so a leaked database does not hand out
logins. A new token is issued at every login (session fixation). CSRF uses a double-submit token
bound to the session (:class:`CsrfTokens`): a cookie readable by the page's script, echoed in a
form field or ``X-CSRF-Token`` header, and valid only with the session cookie it was made for.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import secrets

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


class CsrfTokens:
    """CSRF tokens bound to the visitor's session, signed with a key derived from the secret.

    A logged-in visitor's token is an HMAC of their session token, so a token planted in the
    cookie and the header by someone else does not pass; before login it is a random nonce with
    its HMAC (it only guards logging in and registering). Nothing is kept in memory: any process
    holding the same secret checks any token.
    """

    def __init__(self, key: bytes) -> None:
        if len(key) < 32:
            raise ValueError(f"the CSRF key must be at least 32 bytes, got {len(key)}")
        self._key = key

    def _mac(self, message: str) -> str:
        digest = hmac.new(self._key, message.encode(), hashlib.sha256).digest()
        return base64.urlsafe_b64encode(digest).decode().rstrip("=")

    def issue(self, session_token: str | None) -> str:
        """A token for a visitor with this session cookie (None: not logged in)."""
        if session_token:
            return "s." + self._mac("session:" + session_token)
        nonce = secrets.token_urlsafe(16)
        return f"a.{nonce}.{self._mac('anonymous:' + nonce)}"

    def valid(self, token: str | None, session_token: str | None) -> bool:
        """Whether ``token`` was issued for this session cookie (constant-time comparison)."""
        if not token or len(token) > 200:
            return False
        if session_token:
            expected = self.issue(session_token)
        else:
            parts = token.split(".")
            if len(parts) != 3 or parts[0] != "a":
                return False
            expected = f"a.{parts[1]}.{self._mac('anonymous:' + parts[1])}"
        return hmac.compare_digest(token.encode(), expected.encode())


def csrf_matches(cookie_value: str | None, sent_value: str | None) -> bool:
    """Whether the CSRF token sent with a request equals the cookie (constant time)."""
    if not cookie_value or not sent_value:
        return False
    return hmac.compare_digest(cookie_value.encode(), sent_value.encode())
