"""The live fitting room page (``/live``), for logged-in shoppers.

It lists the catalog garments the live socket serves (the same list as
``GET /api/v1/live/garments``); the camera, the socket and the snapshot run in
``static/live.js``. (Imported by ``fitroom.server.pages`` after ``render`` is defined.)
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, Request
from fastapi.responses import HTMLResponse, RedirectResponse

from fitroom.server.api.deps import OptionalUser, ServicesDep
from fitroom.server.pages.templating import login_redirect, render
from fitroom.server.schemas import MAX_ID
from fitroom.server.services.live import live_catalog

router: APIRouter = APIRouter(include_in_schema=False)


@router.get("/live", response_class=HTMLResponse, response_model=None)
def live_page(
    request: Request,
    services: ServicesDep,
    user: OptionalUser,
    garment: Annotated[int | None, Query(ge=1, le=MAX_ID)] = None,
) -> HTMLResponse | RedirectResponse:
    if user is None:
        return login_redirect(request)
    garments = live_catalog(services)
    chosen = next((g.id for g in garments if g.garment_id == garment), None)
    if chosen is None and garments:
        chosen = garments[0].id
    return render(request, "live.html", user, garments=garments, chosen=chosen)
