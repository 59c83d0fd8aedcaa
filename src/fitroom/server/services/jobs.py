"""Running one delivered job: claim it, then run the body of its kind.

Every delivery of every queue comes here (:mod:`fitroom.server.services.jobqueue`). A job already
done or failed (a second delivery) is left alone, so delivering at least once never makes a
second garment; a job found running (its worker died) is run again by bodies that are idempotent.
"""

from __future__ import annotations

from collections.abc import Sequence

from fitroom.server import crud
from fitroom.server.db import session_scope
from fitroom.server.services import Services
from fitroom.server.services.imports import IMPORT_CATALOG, finish_import, run_catalog_import
from fitroom.server.services.ingestion import INGEST_GARMENT, run_ingestion
from fitroom.server.services.jobqueue import worker_name


def run_job(services: Services, job_id: int, statuses: Sequence[str]) -> None:
    """Run job ``job_id`` if its status is one of ``statuses``; the body of every delivery."""
    with session_scope(services.sessions) as session:
        job = crud.claim_job(session, job_id=job_id, worker=worker_name(), statuses=statuses)
        if job is None:
            return
        kind, garment_id, payload_key = job.kind, job.garment_id, job.payload_key
        created_by = job.created_by
    if kind == INGEST_GARMENT:
        run_ingestion(services, job_id, garment_id, payload_key)
    elif kind == IMPORT_CATALOG:
        run_catalog_import(services, job_id, created_by, payload_key)
    else:
        finish_import(services, job_id, None, f"unknown job kind {kind!r}")
