"""Browser end-to-end fixtures: a real ``fitroom serve`` process and a headless Chromium.

The server runs as a subprocess on 127.0.0.1 (a free port) in a temporary working directory, so
its SQLite file and media land there and the tests can check the disk. The browser is Debian's
Chromium driven by Playwright; Playwright cannot download browsers here, so the tests launch
``/usr/bin/chromium`` (or FITROOM_CHROMIUM). When it is missing the tests skip, or fail under
FITROOM_REQUIRE_BROWSER=1 (CI sets it after scripts/ensure_chromium.sh).

Screenshots of every page go to ``artifacts/e2e/`` (git-ignored: they show research-licence
photos).
"""

from __future__ import annotations

import json
import os
import re
import secrets
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager, contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

import pytest

if TYPE_CHECKING:
    from playwright.sync_api import Browser, Page

REPO = Path(__file__).resolve().parents[2]
ARTIFACTS = REPO / "artifacts" / "e2e"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
#: Applied only while a screenshot is taken.
UNSTICK_CSS = ".site-header, .filters { position: static !important; }"
#: Start-up loads the models and seeds the demo catalog; a loaded 2-core machine needs a while.
SERVER_START_SECONDS = 180.0


@dataclass(frozen=True)
class ShopServer:
    """A running ``fitroom serve``: its base URL and where it keeps its files."""

    base_url: str
    workdir: Path
    log_path: Path

    @property
    def media_root(self) -> Path:
        """The media folder (``./var/media`` under the server's working directory)."""
        return self.workdir / "var" / "media"

    def log_text(self) -> str:
        """Everything the server printed so far (warnings and errors only)."""
        return self.log_path.read_text(errors="replace")


def _unavailable(reason: str) -> None:
    if os.environ.get("FITROOM_REQUIRE_BROWSER") == "1":
        pytest.fail(f"{reason} and FITROOM_REQUIRE_BROWSER=1 (run scripts/ensure_chromium.sh)")
    pytest.skip(reason)


def chromium_path() -> Path:
    """Debian's Chromium (FITROOM_CHROMIUM overrides the path)."""
    return Path(os.environ.get("FITROOM_CHROMIUM", "/usr/bin/chromium"))


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


def _fitroom_command() -> list[str]:
    script = Path(sys.executable).with_name("fitroom")
    return [str(script)] if script.is_file() else [sys.executable, "-m", "fitroom"]


def _wait_for_health(proc: subprocess.Popen[bytes], url: str, log_path: Path) -> None:
    deadline = time.monotonic() + SERVER_START_SECONDS
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(
                f"fitroom serve exited with code {proc.returncode}:\n"
                + log_path.read_text(errors="replace")[-4000:]
            )
        try:
            with urllib.request.urlopen(url, timeout=5) as response:
                if json.load(response).get("status") == "ok":
                    return
        except OSError:
            pass
        time.sleep(0.3)
    raise RuntimeError(
        f"fitroom serve did not answer {url} within {SERVER_START_SECONDS:.0f} s:\n"
        + log_path.read_text(errors="replace")[-4000:]
    )


@pytest.fixture(scope="session")
def shop_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[ShopServer]:
    """``fitroom serve`` on a free loopback port, working in a temporary directory."""
    workdir = tmp_path_factory.mktemp("shop")
    port = _free_port()
    # Only our FITROOM_* settings: a developer's FITROOM_DATABASE_URL must not leak in.
    env = {k: v for k, v in os.environ.items() if not k.startswith("FITROOM_")}
    env.update(
        FITROOM_ENVIRONMENT="test",
        FITROOM_SECRET_KEY=secrets.token_urlsafe(48),
        # One model thread: the suite shares a 2-core machine with other jobs.
        FITROOM_MODEL_THREADS="1",
        # Simulated shopper events, so the merchant dashboard has every chart to draw.
        FITROOM_DEMO_EVENTS="3000",
        # Every browser here is 127.0.0.1: the per-address limits would count the whole suite
        # as one visitor.
        FITROOM_REGISTER_ATTEMPTS="1000",
        FITROOM_LOGIN_ADDRESS_ATTEMPTS="1000",
    )
    log_path = workdir / "serve.log"
    with log_path.open("wb") as log:
        proc = subprocess.Popen(
            [
                *_fitroom_command(),
                "serve",
                "--host",
                "127.0.0.1",
                "--port",
                str(port),
                "--log-level",
                "warning",
            ],
            cwd=workdir,
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
        )
    base_url = f"http://127.0.0.1:{port}"
    try:
        _wait_for_health(proc, f"{base_url}/api/v1/health", log_path)
        yield ShopServer(base_url=base_url, workdir=workdir, log_path=log_path)
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=30)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait(timeout=30)


@pytest.fixture(scope="session")
def browser() -> Iterator[Browser]:
    """Headless Debian Chromium under Playwright (skips, or fails under FITROOM_REQUIRE_BROWSER=1,
    when Playwright or Chromium is missing)."""
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        _unavailable("the playwright package is not installed (pip install -e '.[dev]')")
    executable = chromium_path()
    if not executable.is_file() and shutil.which(str(executable)) is None:
        _unavailable(f"Chromium not found at {executable}")
    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(
            executable_path=str(executable), headless=True, args=CHROMIUM_ARGS
        )
        try:
            yield chromium
        finally:
            chromium.close()


@contextmanager
def checked_page(browser: Browser, shop_server: ShopServer) -> Iterator[Page]:
    """A fresh browser context (no cookies) and page on the shop.

    Fails the test when the page raised a JavaScript error or the server logged a traceback.
    """
    log_start = len(shop_server.log_text())
    context = browser.new_context(
        base_url=shop_server.base_url, viewport={"width": 1280, "height": 900}
    )
    context.set_default_timeout(60_000)
    errors: list[str] = []
    pg = context.new_page()
    pg.on("pageerror", lambda exc: errors.append(str(exc)))
    try:
        yield pg
    finally:
        context.close()
    assert not errors, f"JavaScript errors on the page: {errors}"
    server_log = shop_server.log_text()[log_start:]
    assert "Traceback" not in server_log, f"the server logged an error:\n{server_log[-4000:]}"


@pytest.fixture
def page_on(shop_server: ShopServer) -> Callable[[Browser], AbstractContextManager[Page]]:
    """:func:`checked_page` for another browser (e.g. one launched with a fake camera)."""
    return lambda browser: checked_page(browser, shop_server)


@pytest.fixture
def page(browser: Browser, shop_server: ShopServer) -> Iterator[Page]:
    """A fresh page on the shop, checked as :func:`checked_page` does."""
    with checked_page(browser, shop_server) as pg:
        yield pg


@pytest.fixture(scope="session")
def artifacts_dir() -> Path:
    """Where page screenshots go (git-ignored ``artifacts/e2e``)."""
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    return ARTIFACTS


@pytest.fixture
def snap(artifacts_dir: Path) -> Callable[[Page, str], Path]:
    """``snap(page, name)`` saves a full-page screenshot ``artifacts/e2e/<name>.png``."""

    def save(pg: Page, name: str) -> Path:
        path = artifacts_dir / f"{re.sub(r'[^a-z0-9_-]+', '-', name.lower())}.png"
        # A sticky header would be painted mid-page in a full-page capture; pin it to the top.
        pg.screenshot(path=str(path), full_page=True, style=UNSTICK_CSS)
        return path

    return save


@pytest.fixture(scope="session")
def launch_chromium(browser: Browser) -> Iterator[Callable[[list[str]], Browser]]:
    """``launch_chromium(extra_args)``: another headless Chromium with extra command-line flags
    (e.g. a fake camera), on the same Playwright as ``browser``; closed at the session's end."""
    launched: list[Browser] = []

    def launch(extra_args: list[str]) -> Browser:
        other = browser.browser_type.launch(
            executable_path=str(chromium_path()), headless=True, args=CHROMIUM_ARGS + extra_args
        )
        launched.append(other)
        return other

    yield launch
    for other in launched:
        other.close()
