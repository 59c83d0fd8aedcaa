"""Catalogue imports as durable jobs: sent as a ZIP through the API, run by the app's real job
queue (SQLite: its job threads; PostgreSQL: procrastinate), keyed by SKU so a job run again adds
nothing twice, progress and refusals on the job and the merchant page."""

from __future__ import annotations

import csv
import io
import zipfile
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from fastapi.testclient import TestClient
from PIL import Image
from sqlalchemy import func, select

from fitroom.garments.synth import synth_garment
from fitroom.server import crud
from fitroom.server.db import session_scope
from fitroom.server.models import Garment, Job
from fitroom.server.services import Services
from fitroom.server.services.imports import IMPORT_CATALOG
from fitroom.server.services.jobs import run_job

Csrf = Callable[[TestClient], dict[str, str]]
FinishedJob = Callable[[TestClient, int], dict[str, Any]]


@pytest.fixture(scope="module", autouse=True)
def archive_imports_afterwards(services: Services) -> Iterator[None]:
    """The shop is shared by the whole session: the garments imported here leave it after."""
    yield
    with session_scope(services.sessions) as session:
        for garment in session.scalars(select(Garment).where(Garment.import_key.like("Q_-%"))):
            garment.status = "archived"


def jpeg(kind: str, seed: int) -> bytes:
    drawn = synth_garment(kind, seed=seed, pattern=None, size=(360, 480))  # type: ignore[arg-type]
    buffer = io.BytesIO()
    Image.fromarray(drawn.image).save(buffer, "JPEG", quality=90)
    return buffer.getvalue()


def grey_card() -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (360, 480), (128, 128, 128)).save(buffer, "JPEG")
    return buffer.getvalue()


def catalogue_zip(prefix: str) -> bytes:
    """Two garments, a photo of no garment, a missing photo and a row with a bad price."""
    rows = [
        (f"{prefix}-A", "Imported Shirt", "2500", "photos/a.jpg"),
        (f"{prefix}-B", "Imported Tee", "1900", "photos/b.jpg"),
        (f"{prefix}-C", "Grey Card", "100", "photos/c.jpg"),
        (f"{prefix}-D", "Lost Photo", "100", "photos/d.jpg"),
        (f"{prefix}-E", "Bad Price", "cheap", "photos/a.jpg"),
    ]
    listing = io.StringIO()
    writer = csv.writer(listing)
    writer.writerow(["sku", "name", "price_cents", "photo"])
    writer.writerows(rows)
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("catalog.csv", listing.getvalue())
        archive.writestr("photos/a.jpg", jpeg("shirt", 3))
        archive.writestr("photos/b.jpg", jpeg("t-shirt", 4))
        archive.writestr("photos/c.jpg", grey_card())
    return buffer.getvalue()


def send(client: TestClient, csrf: Csrf, archive: bytes) -> Any:
    return client.post(
        "/api/v1/merchant/imports",
        files={"archive": ("catalogue.zip", archive, "application/zip")},
        headers=csrf(client),
    )


def sku_counts(services: Services, prefix: str) -> dict[str, int]:
    with services.sessions() as session:
        rows = session.execute(
            select(Garment.import_key, func.count())
            .where(Garment.import_key.like(f"{prefix}-%"))
            .group_by(Garment.import_key)
        )
        return {str(key): int(count) for key, count in rows}


def job_row(services: Services, job_id: int) -> Job:
    with services.sessions() as session:
        found = session.get(Job, job_id)
        assert found is not None
        return found


def test_a_queued_import_adds_each_sku_once_and_reports_refusals(
    merchant: TestClient, csrf: Csrf, services: Services, finished_job: FinishedJob
) -> None:
    archive = catalogue_zip("Q1")
    answer = send(merchant, csrf, archive)
    assert answer.status_code == 202, answer.text
    queued = answer.json()["job"]
    assert queued["kind"] == IMPORT_CATALOG
    assert queued["progress"]["total"] == 3  # photos in the archive, before it is read
    job = finished_job(merchant, queued["id"])
    assert job["status"] == "done", job
    progress = job["progress"]
    assert (progress["total"], progress["done"]) == (5, 5)
    assert (progress["added"], progress["skipped"]) == (2, 0)
    refused = {r["sku"]: r for r in progress["refused"]}
    assert set(refused) == {"Q1-C", "Q1-D", "Q1-E"}
    assert refused["Q1-D"]["photo"] == "photos/d.jpg"  # the archive's name, not a temp path
    assert "cannot use the photo" in refused["Q1-D"]["reason"]
    assert "price" in refused["Q1-E"]["reason"]
    assert refused["Q1-C"]["reason"]
    assert sku_counts(services, "Q1") == {"Q1-A": 1, "Q1-B": 1}
    mine = {g["name"]: g for g in merchant.get("/api/v1/merchant/garments").json()}
    assert mine["Imported Shirt"]["status"] == "active"
    assert mine["Imported Shirt"]["price_cents"] == 2500
    assert not services.storage.exists(f"jobs/{queued['id']}/catalog.zip")  # gone once done

    # The merchant page shows the import's progress and each refusal with its reason.
    page = merchant.get("/merchant")
    assert page.status_code == 200
    assert "Catalogue: 5 of 5 items, 2 added, 0 already in the shop" in page.text
    assert "Q1-E" in page.text and "3 refused" in page.text
    assert 'id="import-catalogue"' in page.text  # the form that sends the next one

    # Delivered again (a lost acknowledgement): the finished job is left alone.
    before = job_row(services, queued["id"])
    run_job(services, queued["id"], ("queued", "running"))
    after = job_row(services, queued["id"])
    assert (after.status, after.attempts, after.finished_at) == (
        "done",
        before.attempts,
        before.finished_at,
    )

    # Sent again: nothing new, nothing twice.
    again = finished_job(merchant, send(merchant, csrf, archive).json()["job"]["id"])
    assert again["status"] == "done", again
    assert (again["progress"]["added"], again["progress"]["skipped"]) == (0, 2)
    assert sku_counts(services, "Q1") == {"Q1-A": 1, "Q1-B": 1}


def test_an_import_run_again_after_its_worker_died_adds_only_what_is_missing(
    merchant: TestClient, services: Services, settings: Any
) -> None:
    # As the dead worker left it: the job running, claimed elsewhere, one SKU already stored.
    with session_scope(services.sessions) as session:
        owner = crud.get_user_by_email(session, email=settings.demo_merchant_email)
        assert owner is not None
        crud.create_garment(
            session,
            name="Imported Shirt",
            merchant_id=owner.id,
            price_cents=2500,
            sizes=["M"],
            import_key="Q2-A",
        )
        job = crud.create_job(session, kind=IMPORT_CATALOG, garment_id=None, created_by=owner.id)
        job.payload_key = f"jobs/{job.id}/catalog.zip"
        job.status, job.claimed_by, job.attempts = "running", "elsewhere:1", 1
        services.storage.put(job.payload_key, catalogue_zip("Q2"))
        job_id = job.id
    run_job(services, job_id, ("queued", "running"))
    done = job_row(services, job_id)
    assert (done.status, done.attempts) == ("done", 2), done.error
    assert done.progress is not None
    assert (done.progress["added"], done.progress["skipped"]) == (1, 1)
    assert sku_counts(services, "Q2") == {"Q2-A": 1, "Q2-B": 1}


def test_unusable_archives_are_refused_at_once(
    merchant: TestClient, shopper: TestClient, csrf: Csrf, services: Services
) -> None:
    not_zip = send(merchant, csrf, b"sku,name\n")
    assert not_zip.status_code == 422
    assert "ZIP" in not_zip.json()["detail"]
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("../escape.jpg", b"x")
    escaping = send(merchant, csrf, buffer.getvalue())
    assert escaping.status_code == 422
    assert "outside" in escaping.json()["detail"]
    empty = io.BytesIO()
    with zipfile.ZipFile(empty, "w") as archive:
        archive.writestr("notes.txt", b"hello")
    assert send(merchant, csrf, empty.getvalue()).status_code == 422
    assert send(shopper, csrf, catalogue_zip("Q3")).status_code == 403


def test_an_archive_over_the_limit_is_413(
    merchant: TestClient, csrf: Csrf, services: Services, monkeypatch: pytest.MonkeyPatch
) -> None:
    archive = catalogue_zip("Q4")
    monkeypatch.setattr(services.settings, "max_import_bytes", len(archive) - 1)
    answer = send(merchant, csrf, archive)
    assert answer.status_code == 413
    assert "split it" in answer.json()["detail"]
