"""The merchant's analytics dashboard page (``/merchant/analytics``): SVG charts and the numbers.

Same numbers as ``GET /api/v1/analytics/dashboard`` (one function computes both); the CSV link
passes the same date filter.
"""

from __future__ import annotations

from datetime import date
from typing import Annotated
from urllib.parse import urlencode

from fastapi import APIRouter, HTTPException, Query, Request, status
from fastapi.responses import HTMLResponse, RedirectResponse
from markupsafe import Markup

from fitroom.server import analytics, charts
from fitroom.server.api.deps import OptionalUser, SessionDep

router = APIRouter(include_in_schema=False)

STAGE_NAMES = {"view": "Views", "tryon": "Try-ons", "like": "Likes", "add_to_cart": "Add to cart"}


def parse_day(text: str | None) -> date | None:
    """A ``YYYY-MM-DD`` day, or None when empty, not a date or out of range (then ignored)."""
    try:
        return analytics.checked_day(date.fromisoformat(text)) if text else None
    except ValueError:
        return None


def dashboard_charts(board: analytics.Dashboard) -> dict[str, Markup]:
    """The dashboard's SVG pictures (escaped inside, so safe to embed)."""
    svgs = {
        "funnel": charts.horizontal_bars(
            [(STAGE_NAMES[s.stage], s.count) for s in board.funnel],
            title="Funnel: views, try-ons, likes, add to cart",
        ),
        "per_garment": charts.horizontal_bars(
            [(g.name, g.tryons) for g in board.tryons_per_garment], title="Try-ons per garment"
        ),
        "per_day": charts.columns(
            [(d.day.strftime("%d %b"), d.tryons) for d in board.tryons_per_day],
            title="Try-ons per day",
            width=1100,
        ),
        "sizes": charts.paired_bars(
            [(s.size, s.advised, s.carted) for s in board.sizes],
            title="Sizes advised and added to cart",
            series=("Advised", "Added to cart"),
        ),
        "reactions": charts.share_bar(
            board.reactions.shares, title="Reactions by dominant expression"
        ),
        "never_bought": charts.horizontal_bars(
            [(g.name, g.tryons) for g in board.never_bought],
            title="Most tried, never bought",
            colour=charts.SECOND,
        ),
    }
    return {name: Markup(svg) for name, svg in svgs.items()}  # escaped inside charts


@router.get("/merchant/analytics", response_class=HTMLResponse, response_model=None)
def analytics_page(
    request: Request,
    session: SessionDep,
    user: OptionalUser,
    start: Annotated[str | None, Query(alias="from", max_length=10)] = None,
    end: Annotated[str | None, Query(alias="to", max_length=10)] = None,
) -> HTMLResponse | RedirectResponse:
    from fitroom.server.pages.templating import login_redirect, render

    if user is None:
        return login_redirect(request)
    if user.role != "merchant":
        raise HTTPException(status.HTTP_403_FORBIDDEN, "this page is for merchant accounts")
    first, last = parse_day(start), parse_day(end)
    error = None
    if first and last and first > last:
        error = "The first day is after the last day; showing everything instead."
        first = last = None
    board = analytics.dashboard(session, merchant_id=user.id, start=first, end=last)
    query = urlencode({k: v.isoformat() for k, v in (("from", first), ("to", last)) if v})
    return render(
        request,
        "analytics.html",
        user,
        board=board,
        charts=dashboard_charts(board),
        stage_names=STAGE_NAMES,
        start=first.isoformat() if first else "",
        end=last.isoformat() if last else "",
        query=query,
        error=error,
    )
