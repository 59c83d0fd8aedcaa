"""Catalogue imports as durable jobs: a merchant's archive queued, imported by any job worker.

The archive (see :mod:`fitroom.server.catalog_archive`) waits in media storage under the job;
the worker that takes the job unpacks it and runs the same import as ``fitroom garment import``
(:func:`fitroom.server.catalog_import.import_catalog`), on the Dask cluster the worker is
configured with (``FITROOM_DASK_SCHEDULER``) or in its own process. The import is keyed by SKU,
so a redelivered job (its worker died, or an acknowledgement was lost) adds only what is still
missing and never a second garment. Progress and refusals are written on the job row as they
happen, for the API and the merchant page.
"""

from __future__ import annotations

import asyncio
import contextlib
import tempfile
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from sqlalchemy.orm import Session

from fitroom.server import crud
from fitroom.server.catalog_archive import UNPACKED_RATIO, check_archive, unpack_catalog
from fitroom.server.catalog_import import ImportReport, Refusal, import_catalog, read_catalog
from fitroom.server.db import session_scope
from fitroom.server.models import Job
from fitroom.server.schemas import ImportProgress, RefusedItem
from fitroom.server.services import Services
from fitroom.server.services.jobqueue import job_outcome

#: The job kind of a catalogue import.
IMPORT_CATALOG = "import_catalog"
#: Seconds between two writes of an import's progress (each is a database transaction).
PROGRESS_EVERY_S = 1.0


def max_unpacked_bytes(services: Services) -> int:
    return services.settings.max_import_bytes * UNPACKED_RATIO


async def enqueue_catalog_import(
    services: Services, session: Session, *, merchant_id: int, archive: bytes
) -> Job:
    """Check the ZIP ``archive``, keep it in media storage and queue the job that imports it.

    The job is committed before the queue hears of it, so any worker on any machine finds it.

    Raises:
        InputError: the archive is not a usable catalogue (see :func:`check_archive`).
    """
    photos = await asyncio.to_thread(
        check_archive, archive, max_unpacked_bytes=max_unpacked_bytes(services)
    )
    job = crud.create_job(session, kind=IMPORT_CATALOG, garment_id=None, created_by=merchant_id)
    job.payload_key = f"jobs/{job.id}/catalog.zip"
    job.progress = ImportProgress(total=photos).model_dump()
    await asyncio.to_thread(services.storage.put, job.payload_key, archive)
    session.commit()
    await services.queue.enqueue(job.id)
    return job


class ProgressRecorder:
    """An import's progress, written on its job row at most every ``PROGRESS_EVERY_S``."""

    def __init__(self, services: Services, job_id: int, folder: Path) -> None:
        self.services, self.job_id, self.folder = services, job_id, folder
        self.progress = ImportProgress()
        self._written = 0.0
        self._lock = threading.Lock()

    def start(self, total: int, refused: list[Refusal]) -> None:
        with self._lock:
            self.progress = ImportProgress(total=total)
        for refusal in refused:
            self.refuse(refusal)
            self.advance(1)
        self.write()

    def refuse(self, refusal: Refusal) -> None:
        photo = refusal.photo
        with contextlib.suppress(ValueError):  # the merchant knows the archive's names only
            photo = Path(photo).relative_to(self.folder).as_posix()
        with self._lock:
            self.progress.refused.append(
                RefusedItem(sku=refusal.sku, photo=photo, reason=refusal.reason)
            )

    def advance(self, count: int) -> None:
        with self._lock:
            self.progress.done += count
        if time.monotonic() - self._written >= PROGRESS_EVERY_S:
            self.write()

    def finish(self, report: ImportReport) -> None:
        with self._lock:
            self.progress.added, self.progress.skipped = report.added, report.skipped

    def snapshot(self) -> dict[str, Any]:
        with self._lock:
            return self.progress.model_dump()

    def write(self) -> None:
        self._written = time.monotonic()
        with session_scope(self.services.sessions) as session:
            job = crud.get_job(session, job_id=self.job_id)
            if job is not None:
                job.progress = self.snapshot()


@contextlib.contextmanager
def dask_client(address: str | None) -> Iterator[Any]:
    """A client of the Dask scheduler at ``address``, or None (ingest in this process)."""
    if address is None:
        yield None
        return
    from distributed import Client

    with Client(address, timeout="30s") as client:
        yield client


def run_catalog_import(
    services: Services, job_id: int, merchant_id: int | None, payload_key: str | None
) -> None:
    """Import the job's archive into the merchant's shop; record done or why it failed."""
    if merchant_id is None:
        finish_import(services, job_id, None, "the merchant's account was deleted")
        return
    if payload_key is None or not services.storage.exists(payload_key):
        finish_import(services, job_id, None, "the catalogue archive is gone; send it again")
        return
    with tempfile.TemporaryDirectory(prefix="fitroom-import-") as tmp:
        folder = Path(tmp)
        recorder = ProgressRecorder(services, job_id, folder)
        with job_outcome("the import", job_id, "send it again") as outcome:
            catalog = unpack_catalog(
                services.storage.get(payload_key),
                folder,
                max_unpacked_bytes=max_unpacked_bytes(services),
            )
            items, refused_rows = read_catalog(catalog, confined=True)
            recorder.start(len(items) + len(refused_rows), refused_rows)
            with dask_client(services.settings.dask_scheduler) as client:
                report = import_catalog(
                    services,
                    client,
                    items,
                    merchant_id=merchant_id,
                    max_photo_bytes=services.settings.max_upload_bytes,
                    progress=recorder.advance,
                    refused_one=recorder.refuse,
                )
            recorder.finish(report)
        finish_import(services, job_id, recorder.snapshot(), outcome.error)
    services.storage.delete(payload_key)


def finish_import(
    services: Services, job_id: int, progress: dict[str, Any] | None, error: str | None
) -> None:
    with session_scope(services.sessions) as session:
        job = crud.get_job(session, job_id=job_id)
        if job is None:
            return
        if progress is not None:
            job.progress = progress
        crud.finish_job(session, job=job, error=error)
