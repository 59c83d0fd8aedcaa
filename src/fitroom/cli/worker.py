"""``fitroom worker``: run the shop's background jobs (garment ingestion) in this process.

Configured by the same ``FITROOM_*`` variables as ``fitroom serve``. On PostgreSQL the jobs come
from procrastinate's queue in the shop's database, so any number of workers on any machines that
reach the database share them; a worker killed mid-job has that job run again by another (after
``FITROOM_JOB_STALL_SECONDS``). On SQLite it runs the queued rows of the jobs table (one machine).
Stops cleanly on SIGTERM or Ctrl-C, finishing the job at hand.
"""

from __future__ import annotations

import argparse
import asyncio
import signal
from typing import Any


def register(sub: Any) -> None:
    """Register the ``worker`` subcommand."""
    parser: argparse.ArgumentParser = sub.add_parser(
        "worker",
        help="run the web shop's background jobs (configure with FITROOM_* variables)",
        description="Run the shop's background jobs until stopped (SIGTERM / Ctrl-C).",
    )
    parser.set_defaults(run=run)


async def work(services: Any) -> None:
    """Run the queue's jobs until SIGTERM or SIGINT."""
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(sig, stop.set)
    await services.queue.start()
    print("fitroom worker: running jobs", flush=True)
    try:
        await stop.wait()
    finally:
        await services.queue.stop()


def warm_up() -> None:
    """Ingest one drawn garment before taking jobs: the first job's buffers are allocated now,
    so the worker's memory is at its working size from the start, not after its first job."""
    from fitroom.garments import ingest_garment
    from fitroom.garments.synth import synth_garment

    ingest_garment(synth_garment("t-shirt", seed=0, size=(480, 640)).image, name="warm-up")


def run(_args: argparse.Namespace) -> int:
    from fitroom.server import Settings
    from fitroom.server.app import build_services
    from fitroom.server.memory import bound_allocator

    settings = Settings()
    if settings.bound_memory:
        # As the web processes do: few malloc arenas and photo-sized blocks mmapped, so what
        # a job frees goes back to the system (the job runner trims the heap after each job).
        bound_allocator()
    services = build_services(settings, load_models=False, run_jobs=True)
    warm_up()
    try:
        asyncio.run(work(services))
    finally:
        services.close()
    print("fitroom worker: stopped", flush=True)
    return 0
