"""Merchant analytics: ``GET /api/v1/analytics/dashboard`` and its CSV export (merchants only).

Both take an optional date filter ``from`` / ``to`` (inclusive UTC days, ``YYYY-MM-DD``) and
cover the asking merchant's garments only.
"""

from __future__ import annotations

from datetime import date
from typing import Annotated

from fastapi import APIRouter, HTTPException, Query, Response, status
from pydantic import AfterValidator

from fitroom.server import analytics
from fitroom.server.api.deps import MerchantUser, SessionDep

router = APIRouter(prefix="/analytics", tags=["analytics"])

Day = Annotated[date, AfterValidator(analytics.checked_day)]
FromDate = Annotated[Day | None, Query(alias="from", description="first day (inclusive)")]
ToDate = Annotated[Day | None, Query(alias="to", description="last day (inclusive)")]


def checked_range(start: date | None, end: date | None) -> tuple[date | None, date | None]:
    if start and end and start > end:
        raise HTTPException(
            status.HTTP_422_UNPROCESSABLE_CONTENT,
            f"'from' ({start}) is after 'to' ({end}); swap the dates",
        )
    return start, end


@router.get("/dashboard")
def dashboard(
    session: SessionDep, user: MerchantUser, start: FromDate = None, end: ToDate = None
) -> analytics.Dashboard:
    """Funnel, try-ons per garment and day, sizes, reactions and most-tried-never-bought."""
    start, end = checked_range(start, end)
    return analytics.dashboard(session, merchant_id=user.id, start=start, end=end)


@router.get("/export.csv", response_class=Response)
def export_csv(
    session: SessionDep, user: MerchantUser, start: FromDate = None, end: ToDate = None
) -> Response:
    """The dashboard's numbers as CSV rows ``section,key,label,value``."""
    start, end = checked_range(start, end)
    board = analytics.dashboard(session, merchant_id=user.id, start=start, end=end)
    name = f"fitroom-analytics-{start or 'all'}-{end or 'all'}.csv"
    return Response(
        analytics.to_csv(board),
        media_type="text/csv; charset=utf-8",
        headers={"Content-Disposition": f'attachment; filename="{name}"'},
    )
