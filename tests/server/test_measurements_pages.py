"""The "My measurements" page, the size badge's place on product pages and the live page."""

from __future__ import annotations

from collections.abc import Callable

from fastapi.testclient import TestClient

Csrf = Callable[[TestClient], dict[str, str]]


def test_pages_need_login(anon: TestClient) -> None:
    for path in ("/measurements", "/live"):
        response = anon.get(path, follow_redirects=False)
        assert response.status_code == 303
        assert response.headers["location"] == f"/login?next={path}"


def test_measurements_page_shows_stored_values(shopper: TestClient, csrf: Csrf) -> None:
    page = shopper.get("/measurements").text
    assert 'id="estimate-form"' in page and 'id="typed-form"' in page
    assert 'id="stored-measurements" hidden' in page  # nothing stored yet
    body = {
        "measurements_cm": {"chest": 97.5, "waist": 81.0},
        "preference": "slim",
        "consent": True,
    }
    assert shopper.put("/api/v1/measurements", json=body, headers=csrf(shopper)).status_code == 200
    page = shopper.get("/measurements?next=/products/1").text
    assert 'id="stored-measurements" hidden' not in page
    assert '<tr data-measurement="chest"><th>Chest / bust</th><td>97.5 cm</td>' in page
    assert "<strong>slim</strong>" in page
    assert 'href="/products/1"' in page
    # An off-site "next" is not offered as a link back.
    assert "evil" not in shopper.get("/measurements?next=//evil.example").text


def test_product_page_has_the_size_badge(anon: TestClient, garment_id: int) -> None:
    page = anon.get(f"/products/{garment_id}").text
    assert f'id="size-badge" data-garment-id="{garment_id}"' in page
    assert "/static/measure.js" in page


def test_live_page_lists_catalog_garments(shopper: TestClient) -> None:
    garments = shopper.get("/api/v1/live/garments").json()
    second = garments[1]
    page = shopper.get(f"/live?garment={second['garment_id']}").text
    assert f'data-chosen="{second["id"]}"' in page
    for garment in garments:
        assert f'data-garment="{garment["id"]}"' in page
    assert "/static/live.js" in page
