from __future__ import annotations

import logging
from collections.abc import Callable
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
