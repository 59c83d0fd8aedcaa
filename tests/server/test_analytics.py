"""Merchant analytics API, CSV export and dashboard page on a tiny, hand-counted event set."""

from __future__ import annotations

import csv
import io
import itertools
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import create_engine, func, select
from sqlalchemy.orm import sessionmaker

from fitroom.server import crud
from fitroom.server.analytics import dashboard
from fitroom.server.db import session_scope
from fitroom.server.demo_events import demo_shopper_email, seed_demo_events
from fitroom.server.models import Base, FeedbackEvent, ReactionRecord, User
from fitroom.server.services import Services

PASSWORD = "correct horse battery"
XSS_NAME = '<script>alert("x")</script> Tee'
_merchants = itertools.count()


@dataclass(frozen=True)
class TinyShop:
    """A merchant of their own with two garments and a known set of events."""

    email: str
    tee: int
    jeans: int
    other_merchant_garment: int


def at(day: int, hour: int = 12) -> datetime:
    return datetime(2026, 3, day, hour, tzinfo=UTC)


@pytest.fixture
def tiny_shop(services: Services) -> Iterator[TinyShop]:
    n = next(_merchants)
    email = f"analytics-merchant-{n}@example.com"
    with session_scope(services.sessions) as session:
        merchant = crud.create_user(
            session, email=email, password=PASSWORD, display_name="Shop", role="merchant"
        )
        rival = crud.create_user(
            session,
            email=f"rival-{n}@example.com",
            password=PASSWORD,
            display_name="Rival",
            role="merchant",
        )
        a = crud.create_user(
            session, email=f"a-{n}@example.com", password=PASSWORD, display_name="A"
        )
        b = crud.create_user(
            session, email=f"b-{n}@example.com", password=PASSWORD, display_name="B"
        )
        tee = crud.create_garment(
            session,
            name=XSS_NAME,
            merchant_id=merchant.id,
            price_cents=1000,
            sizes=["S", "M"],
            status="archived",
        )
        jeans = crud.create_garment(
            session,
            name="Jeans",
            merchant_id=merchant.id,
            price_cents=3000,
            sizes=["M", "L"],
            status="archived",
        )
        theirs = crud.create_garment(
            session,
            name="Rival tee",
            merchant_id=rival.id,
            price_cents=1000,
            sizes=["M"],
            status="archived",
        )
        events = [
            # Shopper A: views the tee twice, tries it on, gets M advised, likes it, carts M.
            (a, tee, "view", None, at(1, 9)),
            (a, tee, "view", None, at(1, 10)),
            (a, tee, "tryon", None, at(1, 11)),
            (a, tee, "size_advice", "M", at(1, 11)),
            (a, tee, "like", None, at(1, 12)),
            (a, tee, "add_to_cart", "M", at(1, 13)),
            # Shopper B: the tee on day 2, advised S, carts M anyway; jeans tried twice, not bought.
            (b, tee, "view", None, at(2)),
            (b, tee, "tryon", None, at(2)),
            (b, tee, "size_advice", "S", at(2)),
            (b, tee, "add_to_cart", "M", at(2, 13)),
            (b, jeans, "view", None, at(3)),
            (b, jeans, "tryon", None, at(3)),
            (b, jeans, "tryon", None, at(3, 14)),
            (b, jeans, "dislike", None, at(3, 15)),
            # Someone else's garment: never counted.
            (a, theirs, "tryon", None, at(2)),
        ]
        for user, garment, kind, size, when in events:
            event = crud.create_feedback(
                session, user_id=user.id, garment_id=garment.id, kind=kind, size=size
            )
            event.created_at = when
        # Two reactions on the tee try-ons: one happy (smiling in 1 of 1 frame), one neutral.
        for user, dominant, smile in ((a, "happy", 1.0), (b, "neutral", 0.25)):
            event = crud.create_feedback(
                session, user_id=user.id, garment_id=tee.id, kind="reaction"
            )
            event.created_at = at(1 if user is a else 2)
            session.add(
                ReactionRecord(
                    event_id=event.id,
                    user_id=user.id,
                    garment_id=tee.id,
                    source="photo",
                    frames=4,
                    smile_share=smile,
                    peak_surprise=0.1,
                    dominant=dominant,
                    mean={"happy": smile},
                    created_at=event.created_at,
                )
            )
        shop = TinyShop(email=email, tee=tee.id, jeans=jeans.id, other_merchant_garment=theirs.id)
    yield shop


@pytest.fixture
def shop_client(
    tiny_shop: TinyShop, make_client: Callable[[], TestClient], csrf: Callable[..., dict[str, str]]
) -> TestClient:
    client = make_client()
    response = client.post(
        "/api/v1/auth/login",
        json={"email": tiny_shop.email, "password": PASSWORD},
        headers=csrf(client),
    )
    assert response.status_code == 200, response.text
    return client


def test_dashboard_numbers_are_the_hand_counted_ones(
    shop_client: TestClient, tiny_shop: TinyShop
) -> None:
    board = shop_client.get("/api/v1/analytics/dashboard").json()
    assert board["totals"] == {
        "view": 4,
        "tryon": 4,
        "like": 1,
        "dislike": 1,
        "rating": 0,
        "add_to_cart": 2,
        "size_advice": 2,
    }
    assert [(s["stage"], s["count"], s["rate"]) for s in board["funnel"]] == [
        ("view", 4, None),
        ("tryon", 4, 1.0),
        ("like", 1, 0.25),
        ("add_to_cart", 2, 2.0),
    ]
    assert [(g["garment_id"], g["tryons"]) for g in board["tryons_per_garment"]] == [
        (tiny_shop.tee, 2),
        (tiny_shop.jeans, 2),
    ]  # a tie keeps the lower id first
    assert board["tryons_per_day"] == [
        {"day": "2026-03-01", "tryons": 1},
        {"day": "2026-03-02", "tryons": 1},
        {"day": "2026-03-03", "tryons": 2},
    ]
    assert board["sizes"] == [
        {"size": "S", "advised": 1, "carted": 0},
        {"size": "M", "advised": 1, "carted": 2},
    ]
    # A carted the advised M; B was advised S and carted M.
    assert board["advice_followed"] == {"carts_after_advice": 2, "followed": 1, "share": 0.5}
    assert board["reactions"] == {
        "count": 2,
        "shares": {"happy": 0.5, "neutral": 0.5},
        "mean_smile_share": 0.625,
    }
    assert [(g["garment_id"], g["tryons"]) for g in board["never_bought"]] == [(tiny_shop.jeans, 2)]


def test_date_filter_is_inclusive_and_fills_days(
    shop_client: TestClient, tiny_shop: TinyShop
) -> None:
    board = shop_client.get(
        "/api/v1/analytics/dashboard", params={"from": "2026-03-02", "to": "2026-03-04"}
    ).json()
    assert board["totals"]["view"] == 2
    assert board["totals"]["tryon"] == 3
    assert [d["tryons"] for d in board["tryons_per_day"]] == [1, 2, 0]
    assert board["advice_followed"] == {"carts_after_advice": 1, "followed": 0, "share": 0.0}
    assert board["reactions"]["count"] == 1
    empty = shop_client.get(
        "/api/v1/analytics/dashboard", params={"from": "2025-01-01", "to": "2025-01-02"}
    ).json()
    assert empty["totals"]["tryon"] == 0
    assert [d["tryons"] for d in empty["tryons_per_day"]] == [0, 0]
    assert empty["never_bought"] == []
    bad = shop_client.get(
        "/api/v1/analytics/dashboard", params={"from": "2026-03-05", "to": "2026-03-01"}
    )
    assert bad.status_code == 422


def test_csv_export_equals_the_api(shop_client: TestClient) -> None:
    params = {"from": "2026-03-01", "to": "2026-03-03"}
    board = shop_client.get("/api/v1/analytics/dashboard", params=params).json()
    response = shop_client.get("/api/v1/analytics/export.csv", params=params)
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/csv")
    assert "attachment" in response.headers["content-disposition"]
    rows = list(csv.DictReader(io.StringIO(response.text)))
    table: dict[tuple[str, str], tuple[str, float]] = {
        (r["section"], r["key"]): (r["label"], float(r["value"])) for r in rows
    }
    for kind, n in board["totals"].items():
        assert table[("totals", kind)][1] == n
    for stage in board["funnel"]:
        assert table[("funnel", stage["stage"])][1] == stage["count"]
    for g in board["tryons_per_garment"]:
        label, value = table[("tryons_per_garment", str(g["garment_id"]))]
        # A name starting with "<" is not a formula; it is written as it is.
        assert (label, value) == (g["name"], g["tryons"])
    for d in board["tryons_per_day"]:
        assert table[("tryons_per_day", d["day"])][1] == d["tryons"]
    for s in board["sizes"]:
        assert table[("size_advised", s["size"])][1] == s["advised"]
        assert table[("size_carted", s["size"])][1] == s["carted"]
    for key, share in board["reactions"]["shares"].items():
        assert table[("reaction_share", key)][1] == share
    assert table[("advice", "followed")][1] == board["advice_followed"]["followed"]
    for g in board["never_bought"]:
        assert table[("never_bought", str(g["garment_id"]))][1] == g["tryons"]
    n_rows = (
        len(board["totals"])
        + len(board["funnel"])
        + len(board["tryons_per_garment"])
        + len(board["tryons_per_day"])
        + 2 * len(board["sizes"])
        + 2
        + 1
        + len(board["reactions"]["shares"])
        + 1
        + len(board["never_bought"])
    )
    assert len(rows) == n_rows


def test_analytics_is_for_merchants_only(
    anon: TestClient, shopper: TestClient, merchant: TestClient
) -> None:
    for url in ("/api/v1/analytics/dashboard", "/api/v1/analytics/export.csv"):
        assert anon.get(url).status_code == 401
        assert shopper.get(url).status_code == 403
        assert merchant.get(url).status_code == 200
    assert shopper.get("/merchant/analytics").status_code == 403
    page = anon.get("/merchant/analytics", follow_redirects=False)
    assert page.status_code == 303
    assert page.headers["location"].startswith("/login")


def test_dashboard_page_draws_every_chart_and_escapes_names(
    shop_client: TestClient, tiny_shop: TinyShop
) -> None:
    response = shop_client.get(
        "/merchant/analytics", params={"from": "2026-03-01", "to": "2026-03-03"}
    )
    assert response.status_code == 200
    html = response.text
    for chart in ("funnel", "reactions", "per-day", "per-garment", "sizes", "never-bought"):
        section = html.split(f'id="chart-{chart}"', 1)[1].split("</section>", 1)[0]
        assert "<svg" in section and "<rect" in section, chart
    assert XSS_NAME not in html
    assert "&lt;script&gt;" in html
    assert 'data-metric="funnel.view">4<' in html
    assert f'data-metric="tryons_per_garment.{tiny_shop.jeans}">2<' in html
    assert 'href="/api/v1/analytics/export.csv?from=2026-03-01&amp;to=2026-03-03"' in html


def test_demo_events_fill_every_section(tmp_path: object) -> None:
    # A database of its own, so the shared test database keeps its counts.
    engine = create_engine(f"sqlite:///{tmp_path}/demo.sqlite3")
    Base.metadata.create_all(engine)
    sessions = sessionmaker(engine, expire_on_commit=False)
    with session_scope(sessions) as session:
        merchant = crud.create_user(
            session, email="m@example.com", password=PASSWORD, display_name="M", role="merchant"
        )
        for i, name in enumerate(("Tee", "Shirt", "Jeans", "Skirt")):
            crud.create_garment(
                session,
                name=name,
                merchant_id=merchant.id,
                price_cents=1000 + i,
                sizes=["XS", "S", "M", "L", "XL"],
                status="active",
            )
        merchant_id = merchant.id
    added = seed_demo_events(sessions, merchant_email="m@example.com", count=2000, seed=3)
    assert added >= 2000
    assert seed_demo_events(sessions, merchant_email="m@example.com", count=2000) == 0
    with session_scope(sessions) as session:
        assert session.scalar(select(func.count()).select_from(FeedbackEvent)) == added
        assert (
            session.scalar(
                select(func.count()).select_from(User).where(User.email == demo_shopper_email(0))
            )
            == 1
        )
        board = dashboard(session, merchant_id=merchant_id)
    assert all(board.totals[k] > 0 for k in ("view", "tryon", "like", "add_to_cart", "size_advice"))
    views, tryons = board.funnel[0].count, board.funnel[1].count
    assert views > tryons
    assert len(board.tryons_per_garment) == 4
    assert len(board.tryons_per_day) >= 20
    assert board.sizes and all(s.advised > 0 for s in board.sizes)
    assert board.advice_followed.share is not None and 0.5 < board.advice_followed.share < 1.0
    assert board.reactions.count > 0 and "happy" in board.reactions.shares
    assert len(board.never_bought) >= 1
    engine.dispose()


def test_finding_08_every_exported_text_cell_is_neutralised(
    tiny_shop: TinyShop, shop_client: TestClient, services: Services
) -> None:
    # A size typed before sizes were checked (the review's add_to_cart with size "=1+2") and a
    # garment name starting like a formula: no exported cell may start like a formula.
    with session_scope(services.sessions) as session:
        shopper = session.scalar(select(User).where(User.email == tiny_shop.email))
        assert shopper is not None
        for size in ("=1+2", "+SUM(A1)", "@cmd", "-2+3", "\t=1"):
            event = crud.create_feedback(
                session,
                user_id=shopper.id,
                garment_id=tiny_shop.tee,
                kind="add_to_cart",
                size=size,
            )
            event.created_at = at(2)
        garment = crud.get_garment(session, garment_id=tiny_shop.jeans)
        assert garment is not None
        garment.name = '=HYPERLINK("http://x")'
    text = shop_client.get("/api/v1/analytics/export.csv").text
    cells = [cell for row in csv.reader(io.StringIO(text)) for cell in row]
    assert "'=1+2" in cells and '\'=HYPERLINK("http://x")' in cells
    for cell in cells:
        assert not cell.startswith(("=", "+", "-", "@", "\t", "\r")), cell
