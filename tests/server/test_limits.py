"""Rate limits and logins shared between processes: two app instances on one database."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import closing
from pathlib import Path

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

from fitroom.server import Settings, create_app
from fitroom.server.services import Services

PASSWORD = "correct horse battery"
Csrf = Callable[[TestClient], dict[str, str]]


@pytest.fixture(scope="module")
def second_app(settings: Settings, app: FastAPI) -> Iterator[FastAPI]:
    """Another instance of the shop on the same database and folder, as a second worker
    process or host would be (its own memory, its own models)."""
    other = create_app(settings.model_copy(update={"seed_demo": False}))
    with TestClient(other):
        yield other


def test_two_instances_share_the_lockout_and_the_login(
    make_client: Callable[[], TestClient],
    second_app: FastAPI,
    csrf: Csrf,
    signup: Callable[..., str],
    new_address: Callable[[], tuple[str, int]],
) -> None:
    owner = make_client()  # on the first instance
    email = signup(owner)
    # closing(), not `with TestClient`: that would run the app's lifespan again.
    with closing(TestClient(second_app, client=new_address())) as elsewhere:
        elsewhere.get("/api/v1/auth/csrf")
        # The login made on the first instance is valid on the second, and so is its CSRF token.
        elsewhere.cookies.set("fitroom_session", owner.cookies["fitroom_session"])
        elsewhere.cookies.set("fitroom_csrf", owner.cookies["fitroom_csrf"])
        assert elsewhere.get("/api/v1/auth/me").json()["email"] == email
        body = {"measurements_cm": {"waist": 80}, "consent": True}
        assert elsewhere.put("/api/v1/measurements", json=body, headers=csrf(owner)).is_success
        # Failures alternate between the instances; the lockout counts them all.
        attacker_a, attacker_b = make_client(), TestClient(second_app, client=new_address())
        with closing(attacker_b):
            attacker_b.get("/api/v1/auth/csrf")
            codes = []
            for attacker in (attacker_a, attacker_b, attacker_a, attacker_b):
                response = attacker.post(
                    "/api/v1/auth/login",
                    json={"email": email, "password": "wrong"},
                    headers=csrf(attacker),
                )
                codes.append(response.status_code)
            assert codes == [401, 401, 401, 429]
            right = attacker_b.post(
                "/api/v1/auth/login",
                json={"email": email, "password": PASSWORD},
                headers=csrf(attacker_b),
            )
            assert right.status_code == 429


def test_instances_on_one_folder_share_the_generated_secret(
    tmp_path: Path, signup: Callable[..., str]
) -> None:
    settings = Settings(var_dir=tmp_path, seed_demo=False)
    with (
        TestClient(create_app(settings)) as first,
        TestClient(create_app(settings)) as second,
    ):
        first.get("/api/v1/auth/csrf")
        signup(first)
        for name in ("fitroom_session", "fitroom_csrf"):
            second.cookies.set(name, first.cookies[name])
        logout = second.post(
            "/api/v1/auth/logout", headers={"X-CSRF-Token": first.cookies["fitroom_csrf"]}
        )
        assert logout.status_code == 200
        assert first.get("/api/v1/auth/me").status_code == 401


def test_limiter_counts_within_the_window_and_clears(services: Services) -> None:
    from fitroom.server.limits import Limit, RateLimiter

    limiter = RateLimiter(services.sessions)
    limit = Limit("test_scope", attempts=2, window_seconds=3600)
    gone = Limit("test_scope", attempts=2, window_seconds=0)
    key = "someone@example.com"
    assert not limiter.exceeded(limit, key)
    limiter.hit(limit, key)
    limiter.hit(limit, key.upper())  # keys are case-insensitive (e-mails)
    assert limiter.exceeded(limit, key)
    assert not limiter.exceeded(gone, key)  # older than a zero window: not counted
    assert not limiter.exceeded(limit, "another@example.com")
    limiter.clear(limit, key)
    assert limiter.count(limit, key) == 0


def test_ipv6_addresses_count_by_their_64_network() -> None:
    from fitroom.server.limits import address_key

    assert address_key("2001:db8:1:2::5") == address_key("2001:db8:1:2:ffff::9")
    assert address_key("2001:db8:1:2::5") != address_key("2001:db8:1:3::5")
    assert address_key("192.0.2.7") == "192.0.2.7" != address_key("192.0.2.8")
    assert address_key("testclient") == "testclient"
