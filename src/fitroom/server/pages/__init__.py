"""HTML pages (Jinja2 templates, small plain JavaScript) on the same data as the API."""

from __future__ import annotations

import math
from typing import Annotated
from urllib.parse import urlencode

from fastapi import APIRouter, Form, HTTPException, Query, Request, status
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from pydantic import ValidationError

from fitroom.server import crud
from fitroom.server.api.deps import Csrf, IdPath, OptionalUser, ServicesDep, SessionDep, client_ip
from fitroom.server.api.errors import http_status
from fitroom.server.api.sessions import end_session, start_session
from fitroom.server.errors import ServiceError
from fitroom.server.pages import analytics, live, measurements
from fitroom.server.pages.templating import login_redirect, render, safe_next
from fitroom.server.schemas import JobPublic, UserCreate, UserLogin
from fitroom.server.services.accounts import login_user, register_user
from fitroom.server.services.catalog import (
    MAX_OFFSET,
    MAX_PRICE_EUROS,
    euros_to_cents,
    garment_public,
    garment_summary,
)
from fitroom.server.services.looks import look_public

router = APIRouter(include_in_schema=False)


#: Garments per catalog page.
CATALOG_PAGE_SIZE = 60


def price_filter(text: str | None) -> float | None:
    """A typed price in euros, or None when empty, not a number, or out of range (ignored)."""
    try:
        value = float(text) if text else None
    except ValueError:
        return None
    if value is None or not math.isfinite(value) or not 0 <= value <= MAX_PRICE_EUROS:
        return None
    return value


@router.get("/", response_class=HTMLResponse)
def catalog_page(
    request: Request,
    session: SessionDep,
    user: OptionalUser,
    category: Annotated[str | None, Query(max_length=16)] = None,
    colour: Annotated[str | None, Query(max_length=40)] = None,
    size: Annotated[str | None, Query(max_length=8)] = None,
    min_price: Annotated[str | None, Query(max_length=12)] = None,
    max_price: Annotated[str | None, Query(max_length=12)] = None,
    q: Annotated[str | None, Query(max_length=100)] = None,
    page: Annotated[int, Query(ge=1, le=MAX_OFFSET // CATALOG_PAGE_SIZE)] = 1,
) -> HTMLResponse:
    filters = crud.GarmentFilters(
        category=category or None,
        colour=colour or None,
        size=size or None,
        min_price_cents=euros_to_cents(price_filter(min_price)),
        max_price_cents=euros_to_cents(price_filter(max_price)),
        query=q or None,
    )
    total = crud.count_garments(session, **filters)
    garments = crud.list_garments(
        session, limit=CATALOG_PAGE_SIZE, offset=(page - 1) * CATALOG_PAGE_SIZE, **filters
    )
    shown = {
        "category": category or "",
        "colour": colour or "",
        "size": size or "",
        "min_price": min_price or "",
        "max_price": max_price or "",
        "q": q or "",
    }
    kept = {k: v for k, v in shown.items() if v}

    def page_url(number: int) -> str:
        return "/?" + urlencode({**kept, "page": number})

    pages = max(1, math.ceil(total / CATALOG_PAGE_SIZE))
    return render(
        request,
        "catalog.html",
        user,
        garments=[garment_summary(g) for g in garments],
        total=total,
        page=page,
        pages=pages,
        previous_url=page_url(page - 1) if page > 1 else None,
        next_url=page_url(page + 1) if page < pages else None,
        facets=crud.facet_values(session),
        filters=shown,
    )


@router.get("/products/{garment_id}", response_class=HTMLResponse)
def product_page(
    garment_id: IdPath, request: Request, session: SessionDep, user: OptionalUser
) -> HTMLResponse:
    garment = crud.get_garment(session, garment_id=garment_id)
    if garment is None or (
        garment.status != "active" and (user is None or garment.merchant_id != user.id)
    ):
        raise HTTPException(status.HTTP_404_NOT_FOUND, "no such garment")
    crud.create_feedback(
        session, user_id=user.id if user else None, garment_id=garment.id, kind="view"
    )
    comments = crud.list_comments(session, garment_id=garment.id)
    public = garment_public(garment)
    chart_measures = sorted({m for rows in (public.size_chart or {}).values() for m in rows})
    return render(
        request,
        "product.html",
        user,
        garment=public,
        chart_measures=chart_measures,
        comments=comments,
        counts=crud.feedback_counts(session, garment_id=garment.id),
    )


@router.get("/looks", response_class=HTMLResponse, response_model=None)
def looks_page(
    request: Request, session: SessionDep, user: OptionalUser
) -> HTMLResponse | RedirectResponse:
    if user is None:
        return login_redirect(request)
    looks = crud.list_looks(session, user_id=user.id)
    names = {
        g.id: g.name
        for g in crud.list_garments(session, statuses=("active", "archived"), limit=100_000)
    }
    return render(
        request,
        "looks.html",
        user,
        looks=[(look_public(lk), names.get(lk.garment_id or -1, "")) for lk in looks],
    )


@router.get("/login", response_class=HTMLResponse)
def login_page(request: Request, user: OptionalUser, next: str | None = None) -> HTMLResponse:
    return render(request, "login.html", user, next=safe_next(next), error=None)


@router.post("/login", response_class=HTMLResponse, response_model=None, dependencies=[Csrf])
def login_form(
    request: Request,
    services: ServicesDep,
    session: SessionDep,
    email: Annotated[str, Form()],
    password: Annotated[str, Form()],
    next: Annotated[str, Form()] = "/",
) -> Response:
    try:
        body = UserLogin(email=email, password=password)
        user = login_user(services, session, body, address=client_ip(request))
    except (ValidationError, ServiceError) as exc:
        message = str(exc) if isinstance(exc, ServiceError) else "enter your e-mail and password"
        code = http_status(exc) if isinstance(exc, ServiceError) else 422
        return render(
            request, "login.html", None, code, next=safe_next(next), error=message, email=email
        )
    response = RedirectResponse(safe_next(next), status_code=303)
    end_session(request, response, session)
    start_session(response, services, session, user)
    return response


@router.get("/register", response_class=HTMLResponse)
def register_page(request: Request, user: OptionalUser) -> HTMLResponse:
    return render(request, "register.html", user, error=None)


@router.post("/register", response_class=HTMLResponse, response_model=None, dependencies=[Csrf])
def register_form(
    request: Request,
    services: ServicesDep,
    session: SessionDep,
    email: Annotated[str, Form()],
    password: Annotated[str, Form()],
    display_name: Annotated[str, Form()],
) -> Response:
    try:
        body = UserCreate(email=email, password=password, display_name=display_name)
        user = register_user(services, session, body, address=client_ip(request))
    except ValidationError:
        message = "use a valid e-mail, a name, and a password of at least 8 characters"
        return render(request, "register.html", None, 422, error=message, email=email)
    except ServiceError as exc:
        return render(request, "register.html", None, http_status(exc), error=str(exc))
    response = RedirectResponse("/", status_code=303)
    start_session(response, services, session, user)
    return response


@router.post("/logout", dependencies=[Csrf])
def logout_form(request: Request, session: SessionDep) -> RedirectResponse:
    response = RedirectResponse("/", status_code=303)
    end_session(request, response, session)
    return response


@router.get("/account", response_class=HTMLResponse, response_model=None)
def account_page(request: Request, user: OptionalUser) -> HTMLResponse | RedirectResponse:
    if user is None:
        return login_redirect(request)
    return render(request, "account.html", user)


@router.get("/merchant", response_class=HTMLResponse, response_model=None)
def merchant_page(
    request: Request, session: SessionDep, user: OptionalUser
) -> HTMLResponse | RedirectResponse:
    if user is None:
        return login_redirect(request)
    if user.role != "merchant":
        raise HTTPException(status.HTTP_403_FORBIDDEN, "this page is for merchant accounts")
    garments = crud.list_garments(
        session,
        merchant_id=user.id,
        statuses=("processing", "active", "failed", "archived"),
        limit=1000,
    )
    jobs = [JobPublic.model_validate(j) for j in crud.list_jobs(session, created_by=user.id)]
    return render(
        request,
        "merchant.html",
        user,
        garments=[garment_public(g) for g in garments],
        jobs=jobs,
        names={g.id: g.name for g in garments},
    )


@router.get("/merchant/garments/{garment_id}", response_class=HTMLResponse, response_model=None)
def merchant_edit_page(
    garment_id: IdPath, request: Request, session: SessionDep, user: OptionalUser
) -> HTMLResponse | RedirectResponse:
    if user is None:
        return login_redirect(request)
    garment = crud.get_garment(session, garment_id=garment_id)
    if garment is None or garment.merchant_id != user.id:
        raise HTTPException(status.HTTP_404_NOT_FOUND, "no such garment in your shop")
    return render(request, "merchant_edit.html", user, garment=garment_public(garment))


for _module in (analytics, live, measurements):
    router.include_router(_module.router)
