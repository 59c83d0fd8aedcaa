from __future__ import annotations

from collections.abc import Callable

from fastapi.testclient import TestClient

Csrf = Callable[[TestClient], dict[str, str]]

XSS = '<script>alert("x")</script><img src=x onerror=alert(1)>'


def test_feedback_kinds(shopper: TestClient, csrf: Csrf, garment_id: int) -> None:
    for body in (
        {"kind": "like"},
        {"kind": "dislike"},
        {"kind": "rating", "rating": 4},
        {"kind": "add_to_cart"},
        {"kind": "comment", "comment": "fits well", "rating": 5},
    ):
        response = shopper.post(
            "/api/v1/feedback", json={"garment_id": garment_id, **body}, headers=csrf(shopper)
        )
        assert response.status_code == 201, response.text
        assert response.json()["kind"] == body["kind"]
    comments = shopper.get(f"/api/v1/garments/{garment_id}/comments").json()
    assert any(c["comment"] == "fits well" and c["rating"] == 5 for c in comments)


def test_feedback_validation(shopper: TestClient, csrf: Csrf, garment_id: int) -> None:
    def post(body: dict[str, object]) -> int:
        return shopper.post("/api/v1/feedback", json=body, headers=csrf(shopper)).status_code

    assert post({"garment_id": garment_id, "kind": "rating"}) == 422
    assert post({"garment_id": garment_id, "kind": "rating", "rating": 9}) == 422
    assert post({"garment_id": garment_id, "kind": "comment", "comment": "  "}) == 422
    assert post({"garment_id": garment_id, "kind": "teleport"}) == 422
    assert post({"garment_id": 999999, "kind": "like"}) == 404
    assert post({"garment_id": garment_id, "kind": "like", "look_id": 999999}) == 404


def test_feedback_requires_login_and_csrf(
    anon: TestClient, shopper: TestClient, csrf: Csrf, garment_id: int
) -> None:
    body = {"garment_id": garment_id, "kind": "like"}
    assert anon.post("/api/v1/feedback", json=body, headers=csrf(anon)).status_code == 401
    assert shopper.post("/api/v1/feedback", json=body).status_code == 403


def test_comment_with_script_renders_as_text(
    shopper: TestClient, csrf: Csrf, garment_id: int
) -> None:
    response = shopper.post(
        "/api/v1/feedback",
        json={"garment_id": garment_id, "kind": "comment", "comment": XSS},
        headers=csrf(shopper),
    )
    assert response.status_code == 201
    page = shopper.get(f"/products/{garment_id}").text
    assert XSS not in page
    assert "&lt;script&gt;alert(&#34;x&#34;)&lt;/script&gt;" in page
    assert "<img src=x onerror" not in page


def test_finding_07_feedback_takes_only_the_garments_sizes_and_no_tryons(
    shopper: TestClient, csrf: Csrf, garment_id: int
) -> None:
    def post(body: dict[str, object]) -> int:
        response = shopper.post(
            "/api/v1/feedback", json={"garment_id": garment_id, **body}, headers=csrf(shopper)
        )
        return response.status_code

    sizes = shopper.get(f"/api/v1/garments/{garment_id}").json()["sizes"]
    assert "ZZZ" not in sizes
    assert post({"kind": "add_to_cart", "size": "ZZZ"}) == 422
    assert post({"kind": "add_to_cart", "size": "=1+2"}) == 422
    assert post({"kind": "add_to_cart", "size": sizes[0].lower()}) == 201
    # Try-ons are counted by the try-on endpoints only: a posted one never happened.
    assert post({"kind": "tryon"}) == 422
