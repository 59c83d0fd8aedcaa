"""Delivering background jobs: procrastinate on PostgreSQL, or this process's threads on SQLite.

The ``jobs`` table is each job's truth (status, error, attempts); a queue only says "run job N".
Every delivery goes through :func:`fitroom.server.services.jobs.run_job`, which does nothing
for a job already ended, so delivery may be at least once.

* :class:`ProcrastinateJobQueue` (PostgreSQL): jobs are rows of procrastinate's queue in the shop's
  own database, so any machine running ``fitroom worker`` (or a web process with ``run_jobs``)
  takes them; a worker that dies mid-job stops its heartbeat and the others put its job back in
  the queue after ``job_stall_seconds``.
* :class:`LocalJobQueue` (SQLite, one machine): threads of the web process take queued rows of
  the ``jobs`` table; at start, jobs whose process on this host died are queued again.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import socket
import threading
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Protocol

import procrastinate
from procrastinate.exceptions import AlreadyEnqueued
from procrastinate.worker import Worker
from sqlalchemy import select
from sqlalchemy.engine.url import make_url
from sqlalchemy.exc import OperationalError
from sqlalchemy.orm import Session, sessionmaker

from fitroom.errors import FitroomError
from fitroom.server.models import Job

log = logging.getLogger(__name__)

#: The procrastinate task every shop job goes through.
TASK_NAME = "fitroom.run_job"
#: The procrastinate queue of the shop's jobs.
QUEUE_NAME = "fitroom"
#: How a job runner is called: the job id and the statuses it may be claimed from.
JobRunner = Callable[[int, Sequence[str]], None]


@dataclass
class JobOutcome:
    """How a job's body ended: ``error`` is the message the job ends with (None: done)."""

    error: str | None = None


@contextlib.contextmanager
def job_outcome(what: str, job_id: int, advice: str) -> Iterator[JobOutcome]:
    """Turn what the job body inside raises into the job's error message.

    A fitroom error is the message; a lost database is raised again (the queue delivers the job
    once more); anything else is logged and ends the job with a short message and ``advice``, as
    a job must always end with a visible status.
    """
    outcome = JobOutcome()
    try:
        yield outcome
    except FitroomError as exc:
        outcome.error = str(exc)
    except OperationalError:
        raise
    except Exception as exc:
        log.exception("%s job %s failed", what, job_id)
        outcome.error = f"{what} failed unexpectedly ({type(exc).__name__}); {advice}"


def worker_name() -> str:
    """``host:pid`` of this process, recorded on the jobs it claims."""
    return f"{socket.gethostname()}:{os.getpid()}"


class JobQueue(Protocol):
    """Where the web layer hands a job over; ``start``/``stop`` run in the app's event loop."""

    async def start(self) -> None: ...

    async def enqueue(self, job_id: int) -> None: ...

    async def stop(self) -> None: ...


class LocalJobQueue:
    """``threads`` threads of this process running queued rows of the ``jobs`` table."""

    def __init__(
        self,
        sessions: sessionmaker[Session],
        run: JobRunner,
        *,
        threads: int = 1,
        poll_seconds: float = 1.0,
    ) -> None:
        self.sessions = sessions
        self.run = run
        self.threads = threads
        self.poll_seconds = poll_seconds
        self._wake = threading.Event()
        self._stopping = threading.Event()
        self._workers: list[threading.Thread] = []

    def requeue_orphans(self) -> int:
        """Queue again the running jobs whose process on this host is gone; returns how many."""
        host = socket.gethostname()
        orphans = []
        with self.sessions.begin() as session:
            for job in session.scalars(select(Job).where(Job.status == "running")):
                owner_host, _, pid = (job.claimed_by or "").rpartition(":")
                if job.claimed_by is None or (owner_host == host and not _alive(int(pid or 0))):
                    job.status = "queued"
                    orphans.append(job.id)
        if orphans:
            log.info("queued again %d interrupted job(s): %s", len(orphans), orphans)
        return len(orphans)

    async def start(self) -> None:
        await asyncio.to_thread(self.requeue_orphans)
        for index in range(self.threads):
            thread = threading.Thread(target=self._loop, name=f"fitroom-job-{index}", daemon=True)
            thread.start()
            self._workers.append(thread)

    async def enqueue(self, job_id: int) -> None:
        self._wake.set()

    def _next_queued(self) -> int | None:
        with self.sessions() as session:
            found: int | None = session.scalar(
                select(Job.id).where(Job.status == "queued").order_by(Job.id).limit(1)
            )
            return found

    def _loop(self) -> None:
        while not self._stopping.is_set():
            try:
                job_id = self._next_queued()
                if job_id is not None:
                    # Only a queued job may be taken: two threads or processes never share one.
                    self.run(job_id, ("queued",))
                    continue
            except OperationalError:
                log.warning("job thread: the database is unavailable; retrying")
            except Exception:  # the thread must survive a bad job
                log.exception("job thread: unexpected error")
            self._wake.wait(self.poll_seconds)
            self._wake.clear()

    def run_pending(self) -> None:
        """Run every queued job in the calling thread (tests and the import command)."""
        while (job_id := self._next_queued()) is not None:
            self.run(job_id, ("queued",))

    async def stop(self) -> None:
        self._stopping.set()
        self._wake.set()
        for thread in self._workers:
            await asyncio.to_thread(thread.join)
        self._workers.clear()


def _alive(pid: int) -> bool:
    if pid <= 0:
        return False
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def procrastinate_conninfo(sqlalchemy_url: str) -> str:
    """The libpq connection string of a ``postgresql+psycopg://`` URL."""
    url = make_url(sqlalchemy_url).set(drivername="postgresql")
    return url.render_as_string(hide_password=False)


class ProcrastinateJobQueue:
    """Jobs on procrastinate's queue in the shop's PostgreSQL database.

    With ``run_worker`` this process also runs jobs: a procrastinate worker in the event loop
    (sync job bodies run in a thread), heartbeating every ``stall_seconds / 3`` seconds, plus a
    sweeper that puts back the jobs of workers silent for ``stall_seconds``.
    """

    def __init__(
        self,
        database_url: str,
        run: JobRunner,
        *,
        run_worker: bool,
        stall_seconds: float = 30.0,
        concurrency: int = 1,
    ) -> None:
        self.app = procrastinate.App(
            connector=procrastinate.PsycopgConnector(conninfo=procrastinate_conninfo(database_url))
        )
        self.run_worker = run_worker
        self.stall_seconds = stall_seconds
        self.concurrency = concurrency
        self._tasks: list[asyncio.Task[None]] = []
        self._worker: Worker | None = None
        self._stopping = False

        def run_job(job_id: int) -> None:
            # Any delivery, first or retried, may find the job running (its worker died).
            run(job_id, ("queued", "running"))

        self.task = self.app.task(
            name=TASK_NAME,
            queue=QUEUE_NAME,
            retry=procrastinate.RetryStrategy(
                max_attempts=20, wait=2, retry_exceptions={OperationalError}
            ),
        )(run_job)

    async def start(self) -> None:
        await self.app.open_async()
        if self.run_worker:
            self._tasks = [
                asyncio.create_task(self._work(), name="fitroom-worker"),
                asyncio.create_task(self._sweep(), name="fitroom-stalled-jobs"),
            ]

    async def enqueue(self, job_id: int) -> None:
        with contextlib.suppress(AlreadyEnqueued):
            await self.task.configure(queueing_lock=f"job-{job_id}").defer_async(job_id=job_id)

    async def _work(self) -> None:
        # A lost database ends a procrastinate worker; start another once it is back.
        while not self._stopping:
            self._worker = Worker(
                app=self.app,
                queues=[QUEUE_NAME],
                name=worker_name(),
                concurrency=self.concurrency,
                install_signal_handlers=False,
                fetch_job_polling_interval=1.0,
                update_heartbeat_interval=max(0.5, self.stall_seconds / 3),
                stalled_worker_timeout=self.stall_seconds,
            )
            try:
                await self._worker.run()
            except asyncio.CancelledError:
                raise
            except Exception as exc:
                log.warning("job worker stopped (%s); starting again", type(exc).__name__)
                await asyncio.sleep(1.0)
            else:
                return

    async def _sweep(self) -> None:
        while not self._stopping:
            await asyncio.sleep(max(0.5, self.stall_seconds / 3))
            try:
                await self.requeue_stalled()
            except Exception as exc:  # the database may be restarting
                log.warning("stalled-job sweep failed (%s)", type(exc).__name__)

    async def requeue_stalled(self) -> int:
        """Put back the jobs of workers silent for ``stall_seconds``; returns how many."""
        manager = self.app.job_manager
        stalled = list(
            await manager.get_stalled_jobs(
                queue=QUEUE_NAME, seconds_since_heartbeat=self.stall_seconds
            )
        )
        for job in stalled:
            log.info("job %s stalled on a silent worker; queued again", job.id)
            await manager.retry_job(job, retry_at=datetime.now(UTC))
        return len(stalled)

    async def stop(self) -> None:
        self._stopping = True
        if self._worker is not None:
            self._worker.stop()
        for task in self._tasks:
            if task.get_name() == "fitroom-stalled-jobs":
                task.cancel()
        for task in self._tasks:
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await asyncio.wait_for(task, timeout=60)
        self._tasks = []
        await self.app.close_async()
