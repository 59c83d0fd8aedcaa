from __future__ import annotations

import html
import re
from collections.abc import Callable

import pytest
from fastapi.testclient import TestClient

from fitroom.server import crud, pages
from fitroom.server.db import session_scope
from fitroom.server.services import Services

Csrf = Callable[[TestClient], dict[str, str]]


def test_list_returns_seeded_garments(anon: TestClient) -> None:
    body = anon.get("/api/v1/garments").json()
    assert body["count"] == len(body["items"]) >= 3
    first = body["items"][0]
    assert first["price_cents"] > 0
    assert first["sizes"] == ["XS", "S", "M", "L", "XL"]
    assert first["image_url"].startswith("/api/v1/images/")


def test_filters_narrow_the_list(anon: TestClient) -> None:
    everything = anon.get("/api/v1/garments").json()["items"]
    colour = everything[0]["colours"][0]
    by_colour = anon.get("/api/v1/garments", params={"colour": colour}).json()["items"]
    assert by_colour and all(colour in g["colours"] for g in by_colour)
    assert anon.get("/api/v1/garments", params={"size": "XXL"}).json()["count"] == 0
    assert anon.get("/api/v1/garments", params={"size": "m"}).json()["count"] == len(everything)
    assert anon.get("/api/v1/garments", params={"category": "lower"}).json()["count"] == 0
    cheapest = min(g["price_cents"] for g in everything)
    cheap = anon.get("/api/v1/garments", params={"max_price": cheapest / 100}).json()["items"]
    assert cheap and all(g["price_cents"] <= cheapest for g in cheap)
    pricey = anon.get("/api/v1/garments", params={"min_price": cheapest / 100 + 0.01}).json()
    assert all(g["price_cents"] > cheapest for g in pricey["items"])


def test_search_matches_name(anon: TestClient) -> None:
    found = anon.get("/api/v1/garments", params={"q": "striped"}).json()["items"]
    assert [g["slug"] for g in found] == ["striped-tee"]
    assert anon.get("/api/v1/garments", params={"q": "no-such-thing"}).json()["count"] == 0


def test_facets(anon: TestClient) -> None:
    facets = anon.get("/api/v1/garments/facets").json()
    assert facets["categories"] == ["upper"]
    assert facets["sizes"] == ["XS", "S", "M", "L", "XL"]
    assert facets["colours"]


def test_detail_has_size_chart_and_variants(anon: TestClient, garment_id: int) -> None:
    body = anon.get(f"/api/v1/garments/{garment_id}").json()
    assert body["size_chart"]["M"]["chest"] == [92.0, 100.0]
    assert {v["size"] for v in body["variants"]} == set(body["sizes"])
    image = anon.get(body["image_urls"][0])
    assert image.status_code == 200
    assert image.headers["content-type"] == "image/jpeg"
    assert image.content[:2] == b"\xff\xd8"


def test_missing_garment_and_image_404(anon: TestClient) -> None:
    assert anon.get("/api/v1/garments/999999").status_code == 404
    assert anon.get("/api/v1/images/999999").status_code == 404
    assert anon.get("/products/999999").status_code == 404


def test_catalog_page_renders_grid_and_filters(anon: TestClient) -> None:
    page = anon.get("/", params={"size": "M"})
    assert page.status_code == 200
    assert "Striped Tee" in page.text
    assert 'name="colour"' in page.text
    assert anon.get("/", params={"q": "zzz"}).text.count('class="card"') == 0


def test_product_page_shows_sizes_and_chart(anon: TestClient, garment_id: int) -> None:
    page = anon.get(f"/products/{garment_id}")
    assert page.status_code == 200
    assert "Size chart" in page.text
    assert 'value="XL"' in page.text
    assert "Log in</a> to try this on" in page.text


def test_product_views_are_recorded(anon: TestClient, garment_id: int, services: Services) -> None:
    from fitroom.server import crud

    with services.sessions() as session:
        before = crud.feedback_counts(session, garment_id=garment_id).get("view", 0)
    anon.get(f"/products/{garment_id}")
    with services.sessions() as session:
        assert crud.feedback_counts(session, garment_id=garment_id)["view"] == before + 1


def test_finding_06_like_wildcards_in_search_are_literal(
    anon: TestClient, services: Services
) -> None:
    everything = anon.get("/api/v1/garments").json()["count"]
    assert everything > 0
    for wildcard in ("%", "_", "%%", "_%_", "\\"):
        found = anon.get("/api/v1/garments", params={"q": wildcard}).json()
        assert found["count"] == 0, wildcard
    assert anon.get("/", params={"q": "%"}).text.count('class="card"') == 0
    with session_scope(services.sessions) as session:
        garment = crud.create_garment(
            session,
            name="Tee 100% cotton_blend",
            merchant_id=None,
            price_cents=100,
            sizes=["M"],
            status="active",
        )
        garment_id = garment.id
    try:
        for query in ("100%", "n_b", "100% cotton_"):
            found = anon.get("/api/v1/garments", params={"q": query}).json()
            assert [g["id"] for g in found["items"]] == [garment_id], query
    finally:
        with session_scope(services.sessions) as session:
            row = crud.get_garment(session, garment_id=garment_id)
            assert row is not None
            row.status = "archived"


def test_finding_10_catalog_counts_all_matches_and_pages(
    anon: TestClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    total = anon.get("/api/v1/garments").json()["count"]
    assert total >= 3
    page = anon.get("/api/v1/garments", params={"limit": 2}).json()
    assert len(page["items"]) == 2
    assert page["count"] == total  # over every page, not the page's length
    rest = anon.get("/api/v1/garments", params={"limit": 2, "offset": 2}).json()
    assert len(rest["items"]) == total - 2 and rest["count"] == total
    # The home page pages too (2 per page here, as 60 with the review's 195 garments).
    monkeypatch.setattr(pages, "CATALOG_PAGE_SIZE", 2)
    first = anon.get("/").text
    assert first.count('class="card"') == 2
    assert f"{total} items" in first
    next_link = re.search(r'<a rel="next" href="([^"]+)"', first)
    assert next_link is not None
    second = anon.get(html.unescape(next_link.group(1))).text
    assert second.count('class="card"') == min(2, total - 2)
    assert 'rel="prev"' in second
    # Filters survive paging.
    filtered = anon.get("/", params={"size": "M", "q": "e"}).text
    link = re.search(r'<a rel="next" href="([^"]+)"', filtered)
    assert link is None or "size=M" in html.unescape(link.group(1))
