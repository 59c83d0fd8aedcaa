"""Finding 5: every number is bounded where it enters (ids, offsets, prices, dates, measurements);
out of range is a 422 whose body serialises, never a 500."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from contextlib import closing
from typing import Any

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

from fitroom.server import Settings

Csrf = Callable[[TestClient], dict[str, str]]
HUGE = "99999999999999999999"

PHOTO = {"photo": ("p.jpg", b"x", "image/jpeg")}


def req(who: str, method: str, path: str, *ok: int, **kwargs: Any) -> Any:
    """One request of the table: who sends it, and the statuses accepted (422 by default)."""
    return pytest.param(who, method, path, kwargs, ok or (422,), id=f"{method} {path}")


def raw(text: str) -> dict[str, str]:
    """A JSON body sent as written (NaN and Infinity included, as Python's json accepts)."""
    return {"content": text}


REQUESTS = [
    req("shopper", "GET", f"/api/v1/looks/{HUGE}"),
    req("shopper", "GET", f"/api/v1/looks/{HUGE}/image"),
    req("shopper", "DELETE", f"/api/v1/looks/{HUGE}"),
    req("shopper", "GET", f"/api/v1/images/{HUGE}"),
    req("shopper", "GET", f"/api/v1/garments/{HUGE}"),
    req("shopper", "GET", f"/api/v1/garments/{HUGE}/comments"),
    req("shopper", "GET", f"/api/v1/garments/{HUGE}/size-advice"),
    req("shopper", "GET", f"/api/v1/garments/{HUGE}/similar"),
    req("shopper", "GET", f"/products/{HUGE}"),
    req("shopper", "GET", f"/live?garment={HUGE}"),
    req("shopper", "GET", f"/api/v1/recommendations/for-me?not={HUGE}"),
    req("merchant", "GET", f"/api/v1/merchant/jobs/{HUGE}"),
    req("merchant", "GET", f"/merchant/garments/{HUGE}"),
    req("merchant", "POST", f"/api/v1/merchant/garments/{HUGE}/archive"),
    req("shopper", "POST", "/api/v1/feedback", json={"garment_id": int(HUGE), "kind": "like"}),
    req(
        "shopper",
        "POST",
        "/api/v1/feedback",
        json={"garment_id": 1, "kind": "like", "look_id": int(HUGE)},
    ),
    req("shopper", "POST", "/api/v1/tryon", data={"garment_id": HUGE}, files=PHOTO),
    req("shopper", "POST", "/api/v1/looks", data={"garment_id": HUGE}, files=PHOTO),
    req(
        "shopper", "POST", "/api/v1/reactions", json={"garment_id": int(HUGE), "frames": [[0] * 7]}
    ),
    req("shopper", "GET", f"/api/v1/garments?offset={HUGE}"),
    req("shopper", "GET", "/api/v1/garments?min_price=1e400"),
    req("shopper", "GET", "/api/v1/garments?max_price=inf"),
    req("shopper", "GET", "/api/v1/garments?max_price=nan"),
    req("shopper", "GET", "/?min_price=1e400&max_price=inf", 200),
    req("shopper", "GET", "/?max_price=-1e400", 200),
    req("merchant", "GET", "/api/v1/analytics/dashboard?from=0001-01-01&to=9999-12-31"),
    req("merchant", "GET", "/api/v1/analytics/export.csv?to=9999-12-31"),
    req("merchant", "GET", "/merchant/analytics?from=0001-01-01&to=9999-12-31", 200),
    req(
        "shopper",
        "PUT",
        "/api/v1/measurements",
        **raw('{"measurements_cm": {"chest": NaN}, "consent": true}'),
    ),
    req(
        "shopper",
        "PUT",
        "/api/v1/measurements",
        **raw('{"measurements_cm": {"chest": 1e309}, "consent": true}'),
    ),
    req("shopper", "PUT", "/api/v1/measurements", **raw('{"measurements_cm": {"hip": -Infinity}}')),
    req("shopper", "POST", "/api/v1/reactions", **raw('{"garment_id": 1, "frames": [[NaN]]}')),
    req(
        "merchant",
        "PATCH",
        "/api/v1/merchant/garments/1",
        **raw('{"size_chart": {"M": {"chest": [NaN, 1e999]}}}'),
    ),
    req("merchant", "PATCH", "/api/v1/merchant/garments/1", json={"sizes": ["X" * 40]}),
]


@pytest.fixture(scope="module")
def clients(
    app: FastAPI,
    settings: Settings,
    signup: Callable[..., str],
    csrf: Csrf,
    new_address: Callable[[], tuple[str, int]],
) -> Iterator[dict[str, TestClient]]:
    """A shopper and the demo merchant, logged in once for the whole table of requests."""
    shopper, merchant = TestClient(app, client=new_address()), TestClient(app, client=new_address())
    with closing(shopper), closing(merchant):  # the app's lifespan already ran
        for client in (shopper, merchant):
            client.get("/api/v1/auth/csrf")
        signup(shopper)
        login = {"email": settings.demo_merchant_email, "password": settings.demo_merchant_password}
        response = merchant.post("/api/v1/auth/login", json=login, headers=csrf(merchant))
        assert response.status_code == 200
        yield {"shopper": shopper, "merchant": merchant}


@pytest.mark.parametrize(("who", "method", "path", "kwargs", "expected"), REQUESTS)
def test_finding_05_out_of_range_numbers_are_refused_not_500(
    who: str,
    method: str,
    path: str,
    kwargs: dict[str, Any],
    expected: tuple[int, ...],
    clients: dict[str, TestClient],
    csrf: Csrf,
) -> None:
    client = clients[who]
    headers = csrf(client)
    if "content" in kwargs:
        headers["Content-Type"] = "application/json"
    response = client.request(method, path, headers=headers, **kwargs)
    assert response.status_code in expected, (response.status_code, response.text[:300])
    if response.status_code == 422:
        # The answer itself is valid JSON (no NaN/Infinity), saying where the problem is.
        detail = json.loads(response.text, parse_constant=lambda c: pytest.fail(c))["detail"]
        assert detail
