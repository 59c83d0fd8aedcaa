from __future__ import annotations

import logging
from collections.abc import Callable
from contextlib import closing
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select

from fitroom.server import Settings, create_app
from fitroom.server.core.security import token_digest
from fitroom.server.models import AuthSession, User
from fitroom.server.services import Services

PASSWORD = "correct horse battery"
Csrf = Callable[[TestClient], dict[str, str]]


def test_register_sets_hardened_session_cookie(anon: TestClient, csrf: Csrf) -> None:
    response = anon.post(
        "/api/v1/auth/register",
        json={"email": "cookie@example.com", "password": PASSWORD, "display_name": "C"},
        headers=csrf(anon),
    )
    assert response.status_code == 201
    session_cookie = next(
        c for c in response.headers.get_list("set-cookie") if c.startswith("fitroom_session=")
    )
    assert "HttpOnly" in session_cookie
    assert "samesite=lax" in session_cookie.lower()
    assert anon.get("/api/v1/auth/me").json()["email"] == "cookie@example.com"


def test_password_never_stored_in_clear(anon: TestClient, csrf: Csrf, services: Services) -> None:
    anon.post(
        "/api/v1/auth/register",
        json={"email": "hash@example.com", "password": PASSWORD, "display_name": "H"},
        headers=csrf(anon),
    )
    with services.sessions() as session:
        user = session.scalar(select(User).where(User.email == "hash@example.com"))
        assert user is not None
        assert user.password_hash.startswith("$argon2id$")
        assert PASSWORD not in user.password_hash
        sessions = session.scalars(select(AuthSession).where(AuthSession.user_id == user.id))
        token = anon.cookies["fitroom_session"]
        # Only the token's digest is kept.
        assert [s.token_sha256 for s in sessions] == [token_digest(token)]


def test_duplicate_email_conflicts(
    anon: TestClient, csrf: Csrf, signup: Callable[..., str]
) -> None:
    email = signup(anon)
    response = anon.post(
        "/api/v1/auth/register",
        json={"email": email, "password": PASSWORD, "display_name": "again"},
        headers=csrf(anon),
    )
    assert response.status_code == 409


def test_login_issues_new_session_id(
    make_client: Callable[[], TestClient], csrf: Csrf, signup: Callable[..., str]
) -> None:
    client = make_client()
    email = signup(client)
    before = client.cookies["fitroom_session"]
    response = client.post(
        "/api/v1/auth/login", json={"email": email, "password": PASSWORD}, headers=csrf(client)
    )
    assert response.status_code == 200
    after = client.cookies["fitroom_session"]
    assert after != before
    # The pre-login session is gone: a fixed session id cannot be reused.
    stale = make_client()
    stale.cookies.set("fitroom_session", before)
    assert stale.get("/api/v1/auth/me").status_code == 401


def test_wrong_password_then_rate_limited(
    make_client: Callable[[], TestClient], csrf: Csrf, signup: Callable[..., str]
) -> None:
    client = make_client()
    email = signup(client)
    attacker = make_client()
    codes = [
        attacker.post(
            "/api/v1/auth/login", json={"email": email, "password": "wrong"}, headers=csrf(attacker)
        ).status_code
        for _ in range(4)
    ]
    assert codes == [401, 401, 401, 429]
    # Even the right password is refused while the account is blocked for this client.
    right = attacker.post(
        "/api/v1/auth/login", json={"email": email, "password": PASSWORD}, headers=csrf(attacker)
    )
    assert right.status_code == 429


def test_login_without_csrf_is_forbidden(anon: TestClient, signup: Callable[..., str]) -> None:
    response = anon.post(
        "/api/v1/auth/login", json={"email": "x@example.com", "password": PASSWORD}
    )
    assert response.status_code == 403
    assert "CSRF" in response.json()["detail"]


def test_csrf_with_wrong_token_is_forbidden(shopper: TestClient) -> None:
    response = shopper.post("/api/v1/auth/logout", headers={"X-CSRF-Token": "forged"})
    assert response.status_code == 403


def test_me_requires_login(anon: TestClient) -> None:
    assert anon.get("/api/v1/auth/me").status_code == 401


def test_logout_ends_session(shopper: TestClient, csrf: Csrf) -> None:
    assert shopper.post("/api/v1/auth/logout", headers=csrf(shopper)).status_code == 200
    assert shopper.get("/api/v1/auth/me").status_code == 401


def test_form_login_needs_csrf_field(
    make_client: Callable[[], TestClient], signup: Callable[..., str]
) -> None:
    owner = make_client()
    email = signup(owner)
    browser = make_client()
    page = browser.get("/login")
    assert 'name="csrf_token"' in page.text
    token = browser.cookies["fitroom_csrf"]
    missing = browser.post("/login", data={"email": email, "password": PASSWORD})
    assert missing.status_code == 403
    ok = browser.post(
        "/login",
        data={"email": email, "password": PASSWORD, "csrf_token": token, "next": "/looks"},
        follow_redirects=False,
    )
    assert ok.status_code == 303
    assert ok.headers["location"] == "/looks"
    assert browser.get("/api/v1/auth/me").json()["email"] == email


def test_form_login_refuses_open_redirect(
    make_client: Callable[[], TestClient], signup: Callable[..., str]
) -> None:
    owner = make_client()
    email = signup(owner)
    browser = make_client()
    response = browser.post(
        "/login",
        data={
            "email": email,
            "password": PASSWORD,
            "csrf_token": browser.cookies["fitroom_csrf"],
            "next": "//evil.example.com/",
        },
        follow_redirects=False,
    )
    assert response.headers["location"] == "/"


def test_form_register_and_wrong_login_message(anon: TestClient) -> None:
    token = anon.cookies["fitroom_csrf"]
    created = anon.post(
        "/register",
        data={
            "email": "form@example.com",
            "password": PASSWORD,
            "display_name": "Form",
            "csrf_token": token,
        },
        follow_redirects=False,
    )
    assert created.status_code == 303
    other = TestClient(anon.app)
    try:
        other.get("/login")
        wrong = other.post(
            "/login",
            data={
                "email": "form@example.com",
                "password": "nope",
                "csrf_token": other.cookies["fitroom_csrf"],
            },
        )
        assert wrong.status_code == 401
        assert "wrong e-mail or password" in wrong.text
    finally:
        other.close()


def test_passwords_never_logged(
    make_client: Callable[[], TestClient], csrf: Csrf, caplog: pytest.LogCaptureFixture
) -> None:
    secret = "hunter2-very-secret-password"
    client = make_client()
    with caplog.at_level(logging.DEBUG):
        client.post(
            "/api/v1/auth/register",
            json={"email": "logs@example.com", "password": secret, "display_name": "L"},
            headers=csrf(client),
        )
        client.post(
            "/api/v1/auth/login",
            json={"email": "logs@example.com", "password": secret + "x"},
            headers=csrf(client),
        )
    assert caplog.records, "the app should have logged something at DEBUG"
    assert all(secret not in record.getMessage() for record in caplog.records)


def test_secure_cookies_when_configured(tmp_path: Path) -> None:
    settings = Settings(
        environment="test",
        secret_key="s" * 40,
        var_dir=tmp_path,
        seed_demo=False,
        secure_cookies=True,
    )
    with TestClient(create_app(settings), base_url="https://testserver") as client:
        token = client.get("/api/v1/auth/csrf").json()["csrf_token"]
        response = client.post(
            "/api/v1/auth/register",
            json={"email": "secure@example.com", "password": PASSWORD, "display_name": "S"},
            headers={"X-CSRF-Token": token},
        )
        assert response.status_code == 201
        cookies = response.headers.get_list("set-cookie")
        assert cookies and all("Secure" in c for c in cookies)


def wrong_login(client: TestClient, csrf: Csrf, email: str, **headers: str) -> int:
    response = client.post(
        "/api/v1/auth/login",
        json={"email": email, "password": "wrong password"},
        headers={**csrf(client), **headers},
    )
    return response.status_code


def test_finding_02_password_spraying_from_one_address_is_limited(
    make_client: Callable[[], TestClient], csrf: Csrf, signup: Callable[..., str]
) -> None:
    # One wrong try on each of 8 accounts from one address: the address limit (5 in the tests'
    # settings) answers 429 from the sixth on, while the per-account lockout stays as it was.
    emails = [signup(make_client()) for _ in range(8)]
    sprayer = make_client()
    assert [wrong_login(sprayer, csrf, e) for e in emails] == [401] * 5 + [429] * 3
    # The accounts themselves are not locked: their owners (elsewhere) still log in.
    owner = make_client()
    right = owner.post(
        "/api/v1/auth/login", json={"email": emails[0], "password": PASSWORD}, headers=csrf(owner)
    )
    assert right.status_code == 200


def test_lockout_is_per_account_from_any_address(
    make_client: Callable[[], TestClient], csrf: Csrf, signup: Callable[..., str]
) -> None:
    email = signup(make_client())
    assert [wrong_login(make_client(), csrf, email) for _ in range(4)] == [401, 401, 401, 429]


def test_forwarded_for_counts_only_from_a_trusted_proxy(
    make_client: Callable[[], TestClient],
    csrf: Csrf,
    signup: Callable[..., str],
    services: Services,
    new_address: Callable[[], tuple[str, int]],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    app = make_client().app
    proxy_host = new_address()
    monkeypatch.setattr(services.settings, "trusted_proxies", f"{proxy_host[0]}/32")
    proxy = TestClient(app, client=proxy_host)
    direct = make_client()
    with closing(proxy):  # not `with proxy`: that would run the app's lifespan again
        proxy.get("/api/v1/auth/csrf")
        emails = [signup(make_client()) for _ in range(6)]
        # Behind the trusted proxy the client is the forwarded address: one spraying client...
        spray = [
            wrong_login(proxy, csrf, e, **{"X-Forwarded-For": "203.0.113.7, " + proxy_host[0]})
            for e in emails
        ]
        assert spray == [401] * 5 + [429]
        # ...does not block another client behind the same proxy.
        other = {"X-Forwarded-For": "203.0.113.8"}
        assert wrong_login(proxy, csrf, emails[5], **other) == 401
        # From an untrusted peer the header is ignored: the peer itself is counted.
        fake = {"X-Forwarded-For": "203.0.113.7"}
        assert wrong_login(direct, csrf, emails[5], **fake) == 401


def test_registrations_per_address_are_limited(
    make_client: Callable[[], TestClient],
    csrf: Csrf,
    services: Services,
    new_address: Callable[[], tuple[str, int]],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(services.settings, "register_attempts", 2)
    app, address = make_client().app, new_address()

    def register_from(client: TestClient, email: str) -> int:
        client.get("/api/v1/auth/csrf")
        body = {"email": email, "password": PASSWORD, "display_name": "M"}
        return client.post("/api/v1/auth/register", json=body, headers=csrf(client)).status_code

    codes = []
    for i in range(3):
        with closing(TestClient(app, client=address)) as browser:
            codes.append(register_from(browser, f"many{i}@example.com"))
    assert codes == [201, 201, 429]
    assert register_from(make_client(), "elsewhere@example.com") == 201


def test_finding_03_csrf_token_is_bound_to_the_session(
    shopper: TestClient, csrf: Csrf, services: Services
) -> None:
    body = {"measurements_cm": {"chest": 96}, "consent": True}
    session_cookie = shopper.cookies["fitroom_session"]
    # The review's request: a token the attacker chose, planted in the cookie and the header.
    planted = TestClient(
        shopper.app,
        client=("10.254.0.1", 50000),
        cookies={"fitroom_session": session_cookie, "fitroom_csrf": "attacker"},
    )
    with closing(planted):
        response = planted.put(
            "/api/v1/measurements", json=body, headers={"X-CSRF-Token": "attacker"}
        )
        assert response.status_code == 403
        # A well-formed token made for another session (or for nobody) does not pass either.
        for foreign in (services.csrf.issue("someone-else"), services.csrf.issue(None)):
            planted.cookies.set("fitroom_csrf", foreign)
            response = planted.put(
                "/api/v1/measurements", json=body, headers={"X-CSRF-Token": foreign}
            )
            assert response.status_code == 403
    # The shopper's own token, bound to their session, works.
    assert shopper.put("/api/v1/measurements", json=body, headers=csrf(shopper)).status_code == 200
