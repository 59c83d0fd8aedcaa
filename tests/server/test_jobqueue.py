"""The embedded job queue (SQLite, threads of the web process) and the idempotent job body."""

from __future__ import annotations

import asyncio
import io
import socket
import threading
import time
from collections.abc import Iterator

import pytest
from PIL import Image
from sqlalchemy import func, select

from fitroom.garments.synth import synth_garment
from fitroom.server import Settings, crud
from fitroom.server.app import build_services
from fitroom.server.db import session_scope
from fitroom.server.models import Garment, Job
from fitroom.server.services import Services
from fitroom.server.services.ingestion import INGEST_GARMENT
from fitroom.server.services.jobqueue import LocalJobQueue
from fitroom.server.services.jobs import run_job


@pytest.fixture(scope="module")
def services(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Services]:
    settings = Settings(
        environment="test",
        secret_key="jobs-test-secret-" + "q" * 40,
        var_dir=tmp_path_factory.mktemp("jobs-var"),
    )
    built = build_services(settings, load_models=False, run_jobs=True)
    yield built
    built.close()


def photo_png(seed: int) -> bytes:
    drawn = synth_garment("t-shirt", seed=seed, pattern="stripes", size=(360, 480))
    buffer = io.BytesIO()
    Image.fromarray(drawn.image).save(buffer, "PNG")
    return buffer.getvalue()


def queued_upload(services: Services, *, status: str, claimed_by: str | None) -> int:
    """A garment and its ingestion job as the upload route leaves them, in ``status``."""
    with session_scope(services.sessions) as session:
        garment = crud.create_garment(
            session, name="Queued Tee", merchant_id=None, price_cents=1, sizes=["M"]
        )
        job = crud.create_job(session, kind=INGEST_GARMENT, garment_id=garment.id, created_by=None)
        job.payload_key = f"jobs/{job.id}/upload"
        job.status, job.claimed_by = status, claimed_by
        services.storage.put(job.payload_key, photo_png(seed=job.id))
        return job.id


def job(services: Services, job_id: int) -> Job:
    with services.sessions() as session:
        found = session.get(Job, job_id)
        assert found is not None
        return found


def dead_pid() -> int:
    # A pid that exited: a child we waited for (the kernel may reuse it, but not this fast).
    import subprocess

    child = subprocess.Popen(["true"])
    child.wait()
    return child.pid


def test_a_job_interrupted_by_a_dead_process_runs_again_at_start(services: Services) -> None:
    job_id = queued_upload(
        services, status="running", claimed_by=f"{socket.gethostname()}:{dead_pid()}"
    )
    queue = LocalJobQueue(services.sessions, lambda i, s: run_job(services, i, s), threads=1)

    async def run_until_done() -> None:
        await queue.start()
        try:
            deadline = time.monotonic() + 120
            while job(services, job_id).status not in ("done", "failed"):
                assert time.monotonic() < deadline, "the interrupted job did not run again"
                await asyncio.sleep(0.1)
        finally:
            await queue.stop()

    # In a thread of its own: the browser tests' Playwright (sync API, session-wide) keeps an
    # event loop marked running in the main thread, where asyncio.run refuses to start.
    failures: list[BaseException] = []

    def run() -> None:
        try:
            asyncio.run(run_until_done())
        except BaseException as exc:
            failures.append(exc)

    runner = threading.Thread(target=run)
    runner.start()
    runner.join(timeout=300)
    assert not runner.is_alive(), "the job queue did not stop"
    if failures:
        raise failures[0]
    finished = job(services, job_id)
    assert finished.status == "done", finished.error
    assert finished.attempts == 1  # the dead process's attempt never reached the counter
    assert finished.payload_key is not None
    assert not services.storage.exists(finished.payload_key)  # the upload is gone once done


def test_a_job_of_a_living_process_is_left_alone(services: Services) -> None:
    job_id = queued_upload(services, status="running", claimed_by=f"{socket.gethostname()}:{1}")
    queue = LocalJobQueue(services.sessions, lambda i, s: run_job(services, i, s), threads=0)
    queue.requeue_orphans()
    # (Only this job is asked about: another test's orphans may be requeued by the same call.)
    assert job(services, job_id).status == "running"


def test_a_second_delivery_makes_no_second_garment(services: Services) -> None:
    job_id = queued_upload(services, status="queued", claimed_by=None)
    run_job(services, job_id, ("queued",))
    first = job(services, job_id)
    assert first.status == "done" and first.attempts == 1
    with services.sessions() as session:
        garments = session.scalar(select(func.count()).select_from(Garment))
    # Redelivered (as procrastinate may after a lost acknowledgement): nothing happens.
    run_job(services, job_id, ("queued", "running"))
    run_job(services, job_id, ("queued",))
    again = job(services, job_id)
    assert (again.status, again.attempts, again.finished_at) == ("done", 1, first.finished_at)
    with services.sessions() as session:
        assert session.scalar(select(func.count()).select_from(Garment)) == garments


def test_an_interrupted_job_run_again_fills_the_same_garment(services: Services) -> None:
    job_id = queued_upload(services, status="queued", claimed_by=None)
    garment_id = job(services, job_id).garment_id
    # The first delivery's worker died mid-job: the job is still "running" when redelivered.
    with session_scope(services.sessions) as session:
        crud.claim_job(session, job_id=job_id, worker="elsewhere:1", statuses=("queued",))
    run_job(services, job_id, ("queued", "running"))
    done = job(services, job_id)
    assert (done.status, done.attempts) == ("done", 2)
    with services.sessions() as session:
        rows = session.scalars(select(Garment).where(Garment.name == "Queued Tee")).all()
        mine = [g for g in rows if g.id == garment_id]
        assert len(mine) == 1 and mine[0].status == "active"
        assert len(mine[0].images) == 1
