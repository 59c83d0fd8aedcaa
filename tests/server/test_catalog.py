from __future__ import annotations

from collections.abc import Callable

from fastapi.testclient import TestClient

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
