from __future__ import annotations

from fastapi.testclient import TestClient


def test_static_assets_served(anon: TestClient) -> None:
    css = anon.get("/static/style.css")
    assert css.status_code == 200
    assert "text/css" in css.headers["content-type"]
    assert "X-CSRF-Token" in anon.get("/static/app.js").text


def test_login_and_register_pages(anon: TestClient) -> None:
    for url in ("/login", "/register"):
        page = anon.get(url)
        assert page.status_code == 200
        assert 'name="csrf_token"' in page.text
        assert anon.cookies["fitroom_csrf"] in page.text


def test_logged_in_header_and_tryon_form(shopper: TestClient, garment_id: int) -> None:
    page = shopper.get(f"/products/{garment_id}")
    assert 'id="tryon-form"' in page.text
    assert "My looks" in page.text
    assert "Log out" in page.text


def test_security_headers(anon: TestClient) -> None:
    response = anon.get("/")
    assert response.headers["x-content-type-options"] == "nosniff"


def test_form_logout_needs_csrf(shopper: TestClient) -> None:
    assert shopper.post("/logout").status_code == 403
    response = shopper.post(
        "/logout", data={"csrf_token": shopper.cookies["fitroom_csrf"]}, follow_redirects=False
    )
    assert response.status_code == 303
    assert shopper.get("/api/v1/auth/me").status_code == 401


def test_form_register_explains_bad_input(anon: TestClient) -> None:
    response = anon.post(
        "/register",
        data={
            "email": "not-an-email",
            "password": "short",
            "display_name": "X",
            "csrf_token": anon.cookies["fitroom_csrf"],
        },
    )
    assert response.status_code == 422
    assert "at least 8 characters" in response.text
