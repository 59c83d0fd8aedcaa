"""Finding 4: the server's secret, Secure cookies and the security headers of every response."""

from __future__ import annotations

import re
import stat
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from pydantic import ValidationError

from fitroom.server import Settings, create_app
from fitroom.server.core.config import DEVELOPMENT_SECRET
from fitroom.server.core.crypto import derive_media_key
from fitroom.server.pages.templating import TEMPLATES_DIR
from fitroom.server.services import Services

PASSWORD = "correct horse battery"
STATIC_DIR = TEMPLATES_DIR.parent / "static"
#: Where a default install keeps its generated secret (``core.config.SECRET_FILE``).
SECRET_FILE = "secret_key"


def register_over(client: TestClient, email: str) -> list[str]:
    """Register through ``client``; the Set-Cookie headers of the answer."""
    token = client.get("/api/v1/auth/csrf").json()["csrf_token"]
    response = client.post(
        "/api/v1/auth/register",
        json={"email": email, "password": PASSWORD, "display_name": "S"},
        headers={"X-CSRF-Token": token},
    )
    assert response.status_code == 201, response.text
    return response.headers.get_list("set-cookie")


def test_finding_04_default_serve_generates_its_own_secret(tmp_path: Path) -> None:
    # A default install (no FITROOM_SECRET_KEY) makes a random secret on first start, keeps it
    # in the data folder readable by the owner only, and reuses it on the next start.
    first, second = tmp_path / "one", tmp_path / "two"
    with TestClient(create_app(Settings(var_dir=first, seed_demo=False))) as client:
        services: Services = client.app.state.services  # type: ignore[attr-defined]
        secret_file = first / SECRET_FILE
        assert secret_file.is_file()
        assert stat.S_IMODE(secret_file.stat().st_mode) == 0o600
        secret = secret_file.read_text().strip()
        assert len(secret) >= 32 and secret != DEVELOPMENT_SECRET
        sealed = services.cipher.encrypt(b"a saved look", b"k")
    from fitroom.server.core.config import server_secret

    assert server_secret(Settings(var_dir=first)) == secret
    with TestClient(create_app(Settings(var_dir=first, seed_demo=False))) as client:
        assert client.app.state.services.cipher.decrypt(sealed, b"k") == b"a saved look"  # type: ignore[attr-defined]
    # Another install gets another secret, so another media key.
    other = server_secret(Settings(var_dir=second))
    assert derive_media_key(other) != derive_media_key(secret)
    assert derive_media_key(secret) != derive_media_key(DEVELOPMENT_SECRET)


def test_development_secret_still_refused_outside_development() -> None:
    for environment in ("test", "production"):
        with pytest.raises(ValidationError, match="FITROOM_SECRET_KEY"):
            Settings(environment=environment, secret_key=DEVELOPMENT_SECRET)  # type: ignore[arg-type]


def test_finding_04_secret_file_readable_by_others_is_narrowed(tmp_path: Path) -> None:
    from fitroom.server.core.config import server_secret

    path = tmp_path / SECRET_FILE
    path.write_text("k" * 48)
    path.chmod(0o644)
    assert server_secret(Settings(var_dir=tmp_path)) == "k" * 48
    assert stat.S_IMODE(path.stat().st_mode) == 0o600


def test_finding_04_cookies_secure_over_https_and_in_production(tmp_path: Path) -> None:
    # Not configured: plain HTTP keeps them plain (a development machine), HTTPS makes them Secure.
    settings = Settings(var_dir=tmp_path / "dev", seed_demo=False)
    with TestClient(create_app(settings), base_url="https://testserver") as client:
        cookies = register_over(client, "https@example.com")
        assert cookies and all("Secure" in c for c in cookies)
    with TestClient(create_app(settings)) as client:
        assert not any("Secure" in c for c in register_over(client, "plain@example.com"))
    production = Settings(
        environment="production",
        secret_key="p" * 40,
        var_dir=tmp_path / "prod",
        seed_demo=False,
    )
    with TestClient(create_app(production)) as client:
        # Even over plain HTTP (TLS ends before the shop): so the test client keeps them back.
        cookies = client.get("/api/v1/auth/csrf").headers.get_list("set-cookie")
        assert cookies and all("Secure" in c for c in cookies)


def test_https_from_a_trusted_proxy_makes_cookies_secure(tmp_path: Path) -> None:
    settings = Settings(var_dir=tmp_path, seed_demo=False, trusted_proxies="10.9.0.0/16")
    app = create_app(settings)
    with TestClient(app, client=("10.9.0.2", 50000)) as behind_proxy:
        response = behind_proxy.get("/api/v1/auth/csrf", headers={"X-Forwarded-Proto": "https"})
        assert "Secure" in response.headers["set-cookie"]
    with TestClient(app, client=("10.8.0.2", 50000)) as spoofing:
        response = spoofing.get("/api/v1/auth/csrf", headers={"X-Forwarded-Proto": "https"})
        assert "Secure" not in response.headers["set-cookie"]


@pytest.mark.parametrize(
    "path",
    ["/", "/login", "/products/1", "/api/v1/garments", "/static/app.js", "/no-such-page"],
)
def test_finding_04_security_headers_on_every_response(anon: TestClient, path: str) -> None:
    response = anon.get(path)
    csp = response.headers["content-security-policy"]
    directives = dict(d.strip().split(" ", 1) for d in csp.split(";"))
    assert directives["script-src"] == "'self'"  # no inline script, no eval
    assert directives["frame-ancestors"] == "'none'"
    assert directives["object-src"] == "'none'"
    assert response.headers["x-content-type-options"] == "nosniff"
    assert response.headers["referrer-policy"] == "same-origin"
    assert response.headers["x-frame-options"] == "DENY"


INLINE_SCRIPT = re.compile(r"<script(?![^>]*\bsrc=)[^>]*>", re.IGNORECASE)
EVENT_HANDLER = re.compile(r"<[^>]+\son[a-z]+\s*=", re.IGNORECASE)
STYLE_ATTRIBUTE = re.compile(r"<[^>]+\sstyle\s*=", re.IGNORECASE)


def test_pages_have_no_inline_script_for_the_policy_to_block(
    shopper: TestClient, merchant: TestClient, garment_id: int
) -> None:
    # The policy forbids inline script and styles: the templates must not need any.
    templates = {p.name: p.read_text() for p in TEMPLATES_DIR.rglob("*.html")}
    pages = {
        path: client.get(path).text
        for client, paths in (
            (shopper, ["/", f"/products/{garment_id}", "/looks", "/account", "/measurements"]),
            (merchant, ["/merchant", "/merchant/analytics", "/live"]),
        )
        for path in paths
    }
    for name, html in {**templates, **pages}.items():
        assert not INLINE_SCRIPT.search(html), name
        assert not EVENT_HANDLER.search(html), name
        assert not STYLE_ATTRIBUTE.search(html), name
    for script in STATIC_DIR.glob("*.js"):
        text = script.read_text()
        assert "eval(" not in text and "new Function" not in text, script.name


def test_api_docs_still_load_their_scripts(anon: TestClient) -> None:
    csp = anon.get("/api/docs").headers["content-security-policy"]
    assert "https://cdn.jsdelivr.net" in csp
    assert "frame-ancestors 'none'" in csp
