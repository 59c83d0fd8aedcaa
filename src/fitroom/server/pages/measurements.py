"""The "My measurements" page (``/measurements``), for logged-in shoppers.

It shows what is stored (the same numbers as ``GET /api/v1/measurements``) and the two ways to
give them — estimate from a photo, or type them in; its forms call the JSON API through
``static/measure.js``. (Imported by ``fitroom.server.pages`` after ``render`` is defined.)
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, Request
from fastapi.responses import HTMLResponse, RedirectResponse

from fitroom.measure import MEASUREMENT_NAMES, PREFERENCES
from fitroom.server.api.deps import OptionalUser, ServicesDep, SessionDep
from fitroom.server.pages.templating import login_redirect, render, safe_next
from fitroom.server.services.measuring import (
    TYPED_RANGES_CM,
    get_profile,
    public,
    unseal,
)

router: APIRouter = APIRouter(include_in_schema=False)

#: How each measurement reads on the page.
LABELS = {
    "height": "Height",
    "shoulder_width": "Shoulder width",
    "chest": "Chest / bust",
    "waist": "Waist",
    "hip": "Hips",
    "inseam": "Inside leg",
    "arm_length": "Arm length",
    "torso_length": "Torso length",
}


@router.get("/measurements", response_class=HTMLResponse, response_model=None)
def measurements_page(
    request: Request,
    services: ServicesDep,
    session: SessionDep,
    user: OptionalUser,
    next: Annotated[str | None, Query(max_length=200)] = None,
) -> HTMLResponse | RedirectResponse:
    if user is None:
        return login_redirect(request)
    profile = get_profile(session, user.id)
    stored = None
    if profile is not None:
        measurements, preference = unseal(services, profile)
        stored = public(measurements, preference, profile)
    return render(
        request,
        "measurements.html",
        user,
        stored=stored,
        names=MEASUREMENT_NAMES,
        labels=LABELS,
        ranges=TYPED_RANGES_CM,
        preferences=PREFERENCES,
        back=safe_next(next) if next else None,
    )
