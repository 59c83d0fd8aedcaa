"""Merchant analytics: the numbers behind the dashboard, its API and its CSV export.

Everything is computed from one query of a merchant's feedback events (and reaction summaries)
in a date range, in Python, so SQLite and PostgreSQL give the same numbers and the definitions
are readable here:

* funnel: event counts per stage — views, try-ons, likes, add-to-carts — with each stage's rate
  relative to the previous one;
* try-ons per garment (most first) and per day (every day of the range, zeros included);
* sizes: how often each size was advised and how often it was added to the cart, and of the
  add-to-carts that followed a size advice for the same shopper and garment, how many took the
  advised size;
* reactions: the share of stored reaction summaries by dominant expression and the mean share of
  frames smiling;
* most tried, never bought: garments with try-ons and no add-to-cart in the range.

Days are UTC calendar days; ``start`` and ``end`` are inclusive.
"""

from __future__ import annotations

import csv
import io
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta

from pydantic import BaseModel
from sqlalchemy import select
from sqlalchemy.orm import Session

from fitroom.server.crud import size_key
from fitroom.server.models import FeedbackEvent, Garment, ReactionRecord

FUNNEL_STAGES = ("view", "tryon", "like", "add_to_cart")
COUNTED_KINDS = ("view", "tryon", "like", "dislike", "rating", "add_to_cart", "size_advice")
#: Garments listed under "most tried, never bought".
NEVER_BOUGHT_LIMIT = 10
#: Longest range the per-day series covers (days); older days are cut off.
MAX_DAYS = 366
#: The days a filter may name (a day outside is a typo; the far ends would overflow dates).
FIRST_DAY = date(1970, 1, 1)
LAST_DAY = date(2999, 12, 31)


def checked_day(day: date) -> date:
    """``day`` when it lies within [FIRST_DAY, LAST_DAY]; ValueError saying the range otherwise."""
    if not FIRST_DAY <= day <= LAST_DAY:
        raise ValueError(f"give a day between {FIRST_DAY} and {LAST_DAY}, not {day}")
    return day


class FunnelStage(BaseModel):
    stage: str
    count: int
    rate: float | None  # count / previous stage's count (None for the first or a zero before)


class GarmentCount(BaseModel):
    garment_id: int
    name: str
    tryons: int


class DayCount(BaseModel):
    day: date
    tryons: int


class SizeCount(BaseModel):
    size: str
    advised: int
    carted: int


class AdviceFollowed(BaseModel):
    carts_after_advice: int
    followed: int
    share: float | None


class ReactionShares(BaseModel):
    count: int
    shares: dict[str, float]
    mean_smile_share: float | None


class Dashboard(BaseModel):
    start: date | None
    end: date | None
    totals: dict[str, int]
    funnel: list[FunnelStage]
    tryons_per_garment: list[GarmentCount]
    tryons_per_day: list[DayCount]
    sizes: list[SizeCount]
    advice_followed: AdviceFollowed
    reactions: ReactionShares
    never_bought: list[GarmentCount]


@dataclass(frozen=True)
class EventRow:
    """One feedback event as the dashboard needs it."""

    garment_id: int
    user_id: int | None
    kind: str
    size: str | None
    at: datetime


def as_utc(moment: datetime) -> datetime:
    """SQLite hands back naive datetimes (stored as UTC); PostgreSQL aware ones."""
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)


def day_bounds(start: date | None, end: date | None) -> tuple[datetime | None, datetime | None]:
    """[start 00:00, end+1 00:00) in UTC."""
    low = datetime.combine(start, time(), UTC) if start else None
    high = datetime.combine(end + timedelta(days=1), time(), UTC) if end else None
    return low, high


def merchant_garments(session: Session, *, merchant_id: int) -> dict[int, str]:
    rows = session.execute(
        select(Garment.id, Garment.name).where(Garment.merchant_id == merchant_id)
    )
    return {gid: name for gid, name in rows}


def load_events(
    session: Session, *, garment_ids: list[int], start: date | None, end: date | None
) -> list[EventRow]:
    """The events on ``garment_ids`` within [start, end] (inclusive days), oldest first."""
    if not garment_ids:
        return []
    rows = session.execute(
        select(
            FeedbackEvent.garment_id,
            FeedbackEvent.user_id,
            FeedbackEvent.kind,
            FeedbackEvent.size,
            FeedbackEvent.created_at,
        )
        .where(FeedbackEvent.garment_id.in_(garment_ids))
        .order_by(FeedbackEvent.created_at, FeedbackEvent.id)
    )
    low, high = day_bounds(start, end)
    events = []
    for garment_id, user_id, kind, size, created in rows:
        at = as_utc(created)
        if (low is None or at >= low) and (high is None or at < high):
            events.append(EventRow(garment_id, user_id, kind, size, at))
    return events


def load_reactions(
    session: Session, *, garment_ids: list[int], start: date | None, end: date | None
) -> list[tuple[str, float]]:
    """(dominant, smile_share) of each stored reaction summary in the range."""
    if not garment_ids:
        return []
    rows = session.execute(
        select(ReactionRecord.dominant, ReactionRecord.smile_share, ReactionRecord.created_at)
        .where(ReactionRecord.garment_id.in_(garment_ids))
        .order_by(ReactionRecord.id)
    )
    low, high = day_bounds(start, end)
    return [
        (dominant, float(smile))
        for dominant, smile, created in rows
        if (low is None or as_utc(created) >= low) and (high is None or as_utc(created) < high)
    ]


def funnel(totals: Counter[str]) -> list[FunnelStage]:
    stages = []
    previous: int | None = None
    for stage in FUNNEL_STAGES:
        count = totals.get(stage, 0)
        rate = round(count / previous, 4) if previous else None
        stages.append(FunnelStage(stage=stage, count=count, rate=rate))
        previous = count
    return stages


def days_between(first: date, last: date) -> Iterator[date]:
    first = max(first, last - timedelta(days=MAX_DAYS - 1))
    day = first
    while day <= last:
        yield day
        day += timedelta(days=1)


def tryons_per_day(events: list[EventRow], start: date | None, end: date | None) -> list[DayCount]:
    per_day = Counter(e.at.date() for e in events if e.kind == "tryon")
    if not per_day and (start is None or end is None):
        return []
    first = start or min(per_day)
    last = end or max(per_day)
    return [DayCount(day=d, tryons=per_day.get(d, 0)) for d in days_between(first, last)]


def size_numbers(events: list[EventRow]) -> tuple[list[SizeCount], AdviceFollowed]:
    advised = Counter(e.size for e in events if e.kind == "size_advice" and e.size)
    carted = Counter(e.size for e in events if e.kind == "add_to_cart" and e.size)
    sizes = sorted(set(advised) | set(carted), key=size_key)
    rows = [SizeCount(size=s, advised=advised.get(s, 0), carted=carted.get(s, 0)) for s in sizes]
    # Did the cart follow the latest advice this shopper got for this garment?
    latest_advice: dict[tuple[int, int], str] = {}
    after = followed = 0
    for e in events:  # oldest first
        if e.user_id is None or not e.size:
            continue
        key = (e.user_id, e.garment_id)
        if e.kind == "size_advice":
            latest_advice[key] = e.size
        elif e.kind == "add_to_cart" and key in latest_advice:
            after += 1
            followed += int(latest_advice[key] == e.size)
    share = round(followed / after, 4) if after else None
    return rows, AdviceFollowed(carts_after_advice=after, followed=followed, share=share)


def reaction_shares(reactions: list[tuple[str, float]]) -> ReactionShares:
    if not reactions:
        return ReactionShares(count=0, shares={}, mean_smile_share=None)
    dominant = Counter(d for d, _ in reactions)
    n = len(reactions)
    return ReactionShares(
        count=n,
        shares={k: round(v / n, 4) for k, v in dominant.most_common()},
        mean_smile_share=round(sum(s for _, s in reactions) / n, 4),
    )


def dashboard(
    session: Session, *, merchant_id: int, start: date | None = None, end: date | None = None
) -> Dashboard:
    """Every number of the merchant's dashboard for [start, end] (inclusive, UTC days)."""
    names = merchant_garments(session, merchant_id=merchant_id)
    ids = sorted(names)
    events = load_events(session, garment_ids=ids, start=start, end=end)
    totals: Counter[str] = Counter(e.kind for e in events)
    tryons = Counter(e.garment_id for e in events if e.kind == "tryon")
    carts = Counter(e.garment_id for e in events if e.kind == "add_to_cart")
    per_garment = [
        GarmentCount(garment_id=g, name=names[g], tryons=n)
        for g, n in sorted(tryons.items(), key=lambda kv: (-kv[1], kv[0]))
    ]
    never = [row for row in per_garment if carts.get(row.garment_id, 0) == 0]
    sizes, followed = size_numbers(events)
    return Dashboard(
        start=start,
        end=end,
        totals={k: totals.get(k, 0) for k in COUNTED_KINDS},
        funnel=funnel(totals),
        tryons_per_garment=per_garment,
        tryons_per_day=tryons_per_day(events, start, end),
        sizes=sizes,
        advice_followed=followed,
        reactions=reaction_shares(load_reactions(session, garment_ids=ids, start=start, end=end)),
        never_bought=never[:NEVER_BOUGHT_LIMIT],
    )


def flatten(board: Dashboard) -> list[tuple[str, str, str, float | int]]:
    """The dashboard as (section, key, label, value) rows: what the CSV export writes."""
    rows: list[tuple[str, str, str, float | int]] = []
    rows += [("totals", kind, "", n) for kind, n in board.totals.items()]
    rows += [("funnel", s.stage, "", s.count) for s in board.funnel]
    rows += [
        ("tryons_per_garment", str(g.garment_id), g.name, g.tryons)
        for g in board.tryons_per_garment
    ]
    rows += [("tryons_per_day", d.day.isoformat(), "", d.tryons) for d in board.tryons_per_day]
    rows += [("size_advised", s.size, "", s.advised) for s in board.sizes]
    rows += [("size_carted", s.size, "", s.carted) for s in board.sizes]
    rows.append(("advice", "carts_after_advice", "", board.advice_followed.carts_after_advice))
    rows.append(("advice", "followed", "", board.advice_followed.followed))
    rows.append(("reactions", "count", "", board.reactions.count))
    rows += [("reaction_share", k, "", v) for k, v in board.reactions.shares.items()]
    if board.reactions.mean_smile_share is not None:
        rows.append(("reactions", "mean_smile_share", "", board.reactions.mean_smile_share))
    rows += [("never_bought", str(g.garment_id), g.name, g.tryons) for g in board.never_bought]
    return rows


#: First characters that make a spreadsheet read a cell as a formula (or fold it into one).
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r", "\n")


def spreadsheet_text(text: str) -> str:
    """``text`` as a spreadsheet shows it, never as a formula: a leading apostrophe when it
    starts like one (OWASP's advice for CSV injection)."""
    return "'" + text if text.startswith(FORMULA_STARTS) else text


def to_csv(board: Dashboard) -> str:
    """The dashboard as CSV (header ``section,key,label,value``); every text cell neutralised
    (names, sizes and any other text a shopper or merchant typed)."""
    buf = io.StringIO()
    writer = csv.writer(buf, lineterminator="\n")
    writer.writerow(["section", "key", "label", "value"])
    for section, key, label, value in flatten(board):
        writer.writerow(
            [spreadsheet_text(section), spreadsheet_text(key), spreadsheet_text(label), value]
        )
    return buf.getvalue()
