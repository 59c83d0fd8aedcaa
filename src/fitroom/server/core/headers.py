"""HTTP headers: which forwarded headers to believe, and what every response carries.

``X-Forwarded-For`` and ``X-Forwarded-Proto`` are read only when the TCP peer is one of the
configured trusted proxies (``Settings.trusted_proxies``, none by default): anyone can send them,
and believing them would let a client pick the address the log-in limits count. ``fitroom serve``
therefore tells uvicorn not to rewrite the client from them either.

Every response gets a Content-Security-Policy without inline script (the pages load their
JavaScript from ``/static``), ``frame-ancestors 'none'``, ``X-Content-Type-Options: nosniff`` and
a same-origin Referrer-Policy; every cookie is ``Secure`` over HTTPS and in production.
"""

from __future__ import annotations

import ipaddress

from starlette.requests import Request
from starlette.responses import Response

from fitroom.server.core.config import ProxyNetwork, Settings

#: The pages' policy: scripts, styles and fonts only from this site; camera snapshots and
#: try-on results are shown (and read back) from blob: URLs; nothing may frame the shop.
CONTENT_SECURITY_POLICY = "; ".join(
    (
        "default-src 'self'",
        "script-src 'self'",
        "style-src 'self'",
        "img-src 'self' data: blob:",
        "media-src 'self' blob:",
        "connect-src 'self' blob:",
        "object-src 'none'",
        "base-uri 'self'",
        "form-action 'self'",
        "frame-ancestors 'none'",
    )
)
#: FastAPI's Swagger page (``/api/docs``) loads its script from a CDN and starts it inline.
DOCS_CONTENT_SECURITY_POLICY = "; ".join(
    (
        "default-src 'self'",
        "script-src 'self' 'unsafe-inline' https://cdn.jsdelivr.net",
        "style-src 'self' https://cdn.jsdelivr.net",
        "img-src 'self' data: https://fastapi.tiangolo.com",
        "object-src 'none'",
        "frame-ancestors 'none'",
    )
)
DOCS_PATH = "/api/docs"


def _trusted(address: str, networks: tuple[ProxyNetwork, ...]) -> bool:
    try:
        ip = ipaddress.ip_address(address)
    except ValueError:
        return False
    return any(ip in network for network in networks)


def client_address(request: Request, networks: tuple[ProxyNetwork, ...]) -> str:
    """The client's address: the TCP peer, or behind trusted proxies the first untrusted hop of
    ``X-Forwarded-For`` counted from the right (the left part is whatever the client wrote)."""
    peer = request.client.host if request.client else "unknown"
    if not networks or not _trusted(peer, networks):
        return peer
    hops = [h.strip() for h in ",".join(request.headers.getlist("x-forwarded-for")).split(",")]
    address = peer
    for hop in reversed([h for h in hops if h]):
        try:
            ipaddress.ip_address(hop)
        except ValueError:
            break  # garbage from the client's side: the last trusted hop is what we know
        address = hop
        if not _trusted(hop, networks):
            break
    return address


def is_https(request: Request, networks: tuple[ProxyNetwork, ...]) -> bool:
    """Whether the browser talks HTTPS (directly, or to a trusted proxy that says so)."""
    if request.url.scheme in ("https", "wss"):
        return True
    peer = request.client.host if request.client else ""
    if networks and _trusted(peer, networks):
        proto = request.headers.get("x-forwarded-proto", "").split(",")[0].strip().lower()
        return proto == "https"
    return False


def secure_cookies(request: Request, settings: Settings) -> bool:
    """Whether cookies must be ``Secure`` for this request."""
    return (
        settings.secure_cookies
        or settings.environment == "production"
        or is_https(request, settings.proxy_networks)
    )


def harden_response(request: Request, response: Response, settings: Settings) -> None:
    """Add the security headers and make every cookie ``Secure`` when it should be."""
    if secure_cookies(request, settings):
        response.raw_headers = [
            (name, value + b"; Secure")
            if name.lower() == b"set-cookie" and b"; secure" not in value.lower()
            else (name, value)
            for name, value in response.raw_headers
        ]
    docs = request.url.path == DOCS_PATH
    headers = response.headers
    headers.setdefault(
        "Content-Security-Policy", DOCS_CONTENT_SECURITY_POLICY if docs else CONTENT_SECURITY_POLICY
    )
    headers.setdefault("X-Frame-Options", "DENY")
    headers.setdefault("X-Content-Type-Options", "nosniff")
    headers.setdefault("Referrer-Policy", "same-origin")
