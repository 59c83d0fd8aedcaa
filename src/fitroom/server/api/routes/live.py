"""The shop's live fitting room: the live try-on WebSocket over the catalog's garments.

``/api/v1/live/ws`` speaks the protocol of :mod:`fitroom.server.live_socket` (JPEG frames in,
dressed frames out, ``{"garment": ...}`` headers switch garments). Here it is behind the login: the
session cookie is checked before a session (and its models) is made. Refusals close the socket
with an application close code and a reason the page shows:

* :data:`CLOSE_LOGIN_REQUIRED` (4401): no valid session cookie;
* :data:`CLOSE_FORBIDDEN_ORIGIN` (4403): the page that opened it is on another site;
* :data:`CLOSE_NO_GARMENTS` (4404): the shop has no try-on-ready garment yet.

Garments are named by their catalog slug on the socket (unique, unlike display names), and
``GET /api/v1/live/garments`` lists them. A frame header with ``"reactions": true`` (the page
sends it only while the shopper's consent box is ticked) gets expression probabilities on some
replies, which the page posts to ``/api/v1/reactions``; nothing of the face is kept here.
"""

from __future__ import annotations

import dataclasses
from urllib.parse import urlsplit

from fastapi import APIRouter, WebSocket
from starlette.concurrency import run_in_threadpool

from fitroom.errors import GarmentError
from fitroom.garments import Garment as GarmentModel
from fitroom.live.session import LiveSession
from fitroom.server import crud
from fitroom.server.api.deps import ServicesDep
from fitroom.server.core.security import SESSION_COOKIE
from fitroom.server.db import session_scope
from fitroom.server.live_socket import serve_live_socket
from fitroom.server.services import Services
from fitroom.server.services.live import LIVE_GARMENT_LIMIT, LiveGarment, live_catalog

router = APIRouter(prefix="/live", tags=["live"])

#: Close code for a socket opened without a valid login (4000–4999: for applications).
CLOSE_LOGIN_REQUIRED = 4401
#: Close code for a socket opened from another site's page.
CLOSE_FORBIDDEN_ORIGIN = 4403
#: Close code when no garment can be tried on live.
CLOSE_NO_GARMENTS = 4404


def live_garments(services: Services) -> list[GarmentModel]:
    """The try-on-ready garments of :func:`live_catalog`, renamed to their slugs."""
    with session_scope(services.sessions) as session:
        rows = crud.list_garments(session, statuses=("active",), limit=LIVE_GARMENT_LIMIT)
        keys = [(g.slug, g.package_key) for g in rows if g.package_key]
    garments = []
    for slug, key in keys:
        try:
            garment = services.garment_model(key)
        except GarmentError:
            continue  # a package removed meanwhile: the others still work
        garments.append(dataclasses.replace(garment, name=slug))
    return garments


def logged_in(services: Services, token: str | None) -> bool:
    if not token:
        return False
    with session_scope(services.sessions) as session:
        return crud.user_for_token(session, token=token) is not None


def same_origin(ws: WebSocket) -> bool:
    """Whether the page that opened the socket is this site (no Origin: not a browser page)."""
    origin = ws.headers.get("origin")
    if origin is None:
        return True
    return urlsplit(origin).netloc == ws.headers.get("host", "")


async def _refuse(ws: WebSocket, code: int, reason: str) -> None:
    # Accept first: a close before the handshake reaches a browser only as code 1006.
    await ws.accept()
    await ws.close(code=code, reason=reason)


@router.get("/garments")
def garment_list(services: ServicesDep) -> list[LiveGarment]:
    """The garments the live fitting room can switch between (``id`` is the socket's name)."""
    return live_catalog(services)


@router.websocket("/ws")
async def live_socket(ws: WebSocket) -> None:
    """The live try-on socket, for logged-in shoppers (see the module docstring)."""
    services: Services = ws.app.state.services
    if not same_origin(ws):
        await _refuse(ws, CLOSE_FORBIDDEN_ORIGIN, "open the live fitting room from this shop")
        return
    if not await run_in_threadpool(logged_in, services, ws.cookies.get(SESSION_COOKIE)):
        await _refuse(ws, CLOSE_LOGIN_REQUIRED, "log in to use the live fitting room")
        return
    garments = await run_in_threadpool(live_garments, services)
    if not garments:
        await _refuse(ws, CLOSE_NO_GARMENTS, "no garment can be tried on live yet")
        return

    def make_session() -> LiveSession:
        return LiveSession(garments, num_threads=1)

    await serve_live_socket(ws, make_session)
