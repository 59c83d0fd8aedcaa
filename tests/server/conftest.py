"""Fixtures for the web shop: one app per database (SQLite, and PostgreSQL when configured).

Set FITROOM_TEST_DATABASE_URL (e.g. from scripts/ensure_postgres.sh) to run every server test a
second time against that database. Tests may read the environment; the server never does.
"""

from __future__ import annotations

import io
import itertools
import os
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt
import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from PIL import Image
from sqlalchemy import create_engine, select, text

from fitroom.server import Settings, create_app
from fitroom.server.models import Base, MediaBlob
from fitroom.server.services import Services
from fitroom.server.storage import FileSystemStorage

PASSWORD = "correct horse battery"
#: Uploads above this are refused in the tests' settings (small, so a 413 is cheap to provoke).
TEST_MAX_UPLOAD = 3 * 1024 * 1024


def database_params() -> list[str]:
    params = ["sqlite"]
    if os.environ.get("FITROOM_TEST_DATABASE_URL"):
        params.append("postgresql")
    return params


def reset_database(url: str) -> None:
    """Drop every table (and Alembic's bookkeeping) so a session starts from an empty database."""
    engine = create_engine(url)
    with engine.begin() as connection:
        Base.metadata.drop_all(connection)
        connection.execute(text("DROP TABLE IF EXISTS alembic_version"))
        if connection.dialect.name == "postgresql":
            # procrastinate's queue outlives the shop's tables; no job of an old run may remain.
            present = connection.execute(text("SELECT to_regclass('procrastinate_jobs')"))
            if present.scalar() is not None:
                connection.execute(
                    text(
                        "TRUNCATE procrastinate_jobs, procrastinate_events, "
                        "procrastinate_workers CASCADE"
                    )
                )
    engine.dispose()


@pytest.fixture(scope="session", params=database_params())
def settings(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Settings:
    var = tmp_path_factory.mktemp(f"var-{request.param}")
    url = None
    if request.param == "postgresql":
        url = os.environ["FITROOM_TEST_DATABASE_URL"]
        reset_database(url)
    return Settings(
        environment="test",
        secret_key="test-secret-" + "x" * 40,
        database_url=url,
        var_dir=var,
        seed_limit=3,
        max_upload_bytes=TEST_MAX_UPLOAD,
        login_attempts=3,
        login_address_attempts=5,
    )


@pytest.fixture(scope="session")
def app(settings: Settings) -> Iterator[FastAPI]:
    application = create_app(settings)
    # Entering the client runs the lifespan once: migrations, seed, models.
    with TestClient(application):
        yield application


@pytest.fixture(scope="session")
def services(app: FastAPI) -> Services:
    result: Services = app.state.services
    return result


_emails = itertools.count()
_addresses = itertools.count(1)


def client_address() -> tuple[str, int]:
    """A client address of its own (10.x.y.z), so one test's failed log-ins or registrations
    do not count against another's in the address limits."""
    n = next(_addresses)
    return (f"10.{n // 62500 % 250}.{n // 250 % 250}.{n % 250 + 1}", 50000)


def csrf_headers(client: TestClient) -> dict[str, str]:
    """The header a page's script sends: the CSRF cookie echoed back."""
    return {"X-CSRF-Token": client.cookies["fitroom_csrf"]}


def register(client: TestClient, *, email: str | None = None, name: str = "Shopper") -> str:
    email = email or f"user{next(_emails)}@example.com"
    response = client.post(
        "/api/v1/auth/register",
        json={"email": email, "password": PASSWORD, "display_name": name},
        headers=csrf_headers(client),
    )
    assert response.status_code == 201, response.text
    return email


@pytest.fixture
def make_client(app: FastAPI) -> Iterator[Callable[[], TestClient]]:
    """Fresh browsers on the running app (the lifespan already ran), each with a CSRF cookie."""
    clients: list[TestClient] = []

    def make() -> TestClient:
        client = TestClient(app, client=client_address())
        clients.append(client)
        assert client.get("/api/v1/auth/csrf").status_code == 200
        return client

    yield make
    for client in clients:
        client.close()


@pytest.fixture
def anon(make_client: Callable[[], TestClient]) -> TestClient:
    return make_client()


@pytest.fixture
def shopper(make_client: Callable[[], TestClient]) -> TestClient:
    """A logged-in shopper."""
    client = make_client()
    register(client)
    return client


@pytest.fixture
def merchant(make_client: Callable[[], TestClient], settings: Settings) -> TestClient:
    """The demo merchant, logged in."""
    client = make_client()
    response = client.post(
        "/api/v1/auth/login",
        json={"email": settings.demo_merchant_email, "password": settings.demo_merchant_password},
        headers=csrf_headers(client),
    )
    assert response.status_code == 200, response.text
    return client


def jpeg_bytes(rgb: npt.NDArray[np.uint8], exif: bytes | None = None) -> bytes:
    buf = io.BytesIO()
    image = Image.fromarray(rgb)
    if exif is None:
        image.save(buf, "JPEG", quality=92)
    else:
        image.save(buf, "JPEG", quality=92, exif=exif)
    return buf.getvalue()


@pytest.fixture(scope="session")
def astronaut_jpeg(astronaut: npt.NDArray[np.uint8]) -> bytes:
    return jpeg_bytes(astronaut)


@pytest.fixture(scope="session")
def coffee_jpeg(coffee: npt.NDArray[np.uint8]) -> bytes:
    return jpeg_bytes(coffee)


@pytest.fixture
def garment_id(anon: TestClient) -> int:
    """An upper garment of the seeded catalog."""
    items = anon.get("/api/v1/garments", params={"category": "upper"}).json()["items"]
    assert items, "the seed should have created upper garments"
    return int(items[0]["id"])


def files_under(root: Path) -> list[Path]:
    return [p for p in root.rglob("*") if p.is_file()]


@pytest.fixture(scope="session")
def new_address() -> Callable[[], tuple[str, int]]:
    """``new_address()``: a client address no other test client uses."""
    return client_address


@pytest.fixture(scope="session")
def csrf() -> Callable[[TestClient], dict[str, str]]:
    """``csrf(client)``: the headers carrying that client's CSRF token."""
    return csrf_headers


def wait_for_job(client: TestClient, job_id: int, timeout_s: float = 300.0) -> dict[str, Any]:
    """The job as ``GET /merchant/jobs/{id}`` shows it once it is done or failed."""
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        job: dict[str, Any] = client.get(f"/api/v1/merchant/jobs/{job_id}").json()
        if job["status"] in ("done", "failed"):
            return job
        time.sleep(0.1)
    raise AssertionError(f"job {job_id} did not finish in {timeout_s}s")


@pytest.fixture(scope="session")
def finished_job() -> Callable[..., dict[str, Any]]:
    """``finished_job(client, job_id)``: the merchant's job once it has ended (polled)."""
    return wait_for_job


@pytest.fixture(scope="session")
def signup() -> Callable[..., str]:
    """``signup(client, email=None, name=...)``: register and log in; returns the e-mail."""
    return register


@pytest.fixture(scope="session")
def to_jpeg() -> Callable[..., bytes]:
    """``to_jpeg(rgb, exif=None)``: JPEG bytes of an RGB array."""
    return jpeg_bytes


@pytest.fixture(scope="session")
def stored_media(services: Services) -> Callable[[], dict[str, bytes]]:
    """``stored_media()``: every stored media key and its raw bytes, whichever the backend
    (files under the media folder on SQLite, rows of ``media_blobs`` on PostgreSQL)."""

    def read() -> dict[str, bytes]:
        if isinstance(services.storage, FileSystemStorage):
            root = services.storage.root
            return {p.relative_to(root).as_posix(): p.read_bytes() for p in files_under(root)}
        with services.sessions() as session:
            return {
                key: bytes(data)
                for key, data in session.execute(select(MediaBlob.key, MediaBlob.data))
            }

    return read
