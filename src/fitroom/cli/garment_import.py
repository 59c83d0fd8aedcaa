"""``fitroom garment import CATALOG.csv|DIR [--cluster ADDRESS | --queue]``: a whole catalogue into
the shop.

The photos are ingested on a Dask cluster (``--cluster tcp://host:port``, e.g. the scheduler of
``scripts/cluster.sh``) or, without it, on a local one of ``--workers`` processes; this process
writes the garments into the shop's database (``FITROOM_*`` settings, as ``fitroom serve``).
Rerunning it adds only what is missing; refused photos go to ``--report`` with the reason.

With ``--queue`` the catalogue is packed into one archive and queued as a durable job, as a
merchant's ``POST /api/v1/merchant/imports`` does: a ``fitroom worker`` on any machine runs it
(on the Dask cluster of its ``FITROOM_DASK_SCHEDULER``, or in its own process), and its progress
and refusals show on the job (API and merchant page).
"""

from __future__ import annotations

import argparse
import sys
from dataclasses import replace
from pathlib import Path
from typing import Any

from fitroom.errors import InputError


def register(gsub: Any) -> None:
    """Register ``fitroom garment import``."""
    parser: argparse.ArgumentParser = gsub.add_parser(
        "import", help="import a catalogue (CSV or folder of photos) into the shop, on Dask"
    )
    parser.add_argument("catalog", type=Path, help="catalogue CSV or folder of product photos")
    parser.add_argument("--cluster", help="Dask scheduler address (default: a local cluster)")
    parser.add_argument("--workers", type=int, default=2, help="local Dask workers (default 2)")
    parser.add_argument("--merchant", help="the merchant's e-mail (default the demo merchant)")
    parser.add_argument(
        "--report", type=Path, default=Path("import-refused.csv"), help="refused items (CSV)"
    )
    parser.add_argument("-q", "--quiet", action="store_true", help="no progress bar")
    parser.add_argument(
        "--queue",
        action="store_true",
        help="queue the import as a job for `fitroom worker` instead of running it here",
    )
    parser.set_defaults(run=run)


def queue_import(args: argparse.Namespace) -> int:
    """Pack the catalogue into one archive and queue its import as a job; print the job id."""
    import asyncio

    from fitroom.server import Settings
    from fitroom.server.app import build_services
    from fitroom.server.catalog_archive import pack_catalog
    from fitroom.server.services.imports import enqueue_catalog_import

    archive = pack_catalog(args.catalog)
    settings = Settings()
    if len(archive) > settings.max_import_bytes:
        raise InputError(
            f"the packed catalogue is {len(archive) // 2**20} MB, more than "
            f"FITROOM_MAX_IMPORT_BYTES; split it"
        )
    services = build_services(settings, load_models=False, run_jobs=False)

    async def enqueue() -> int:
        await services.queue.start()
        try:
            with services.sessions() as session:
                merchant_id = merchant_of(session, args.merchant or settings.demo_merchant_email)
                job = await enqueue_catalog_import(
                    services, session, merchant_id=merchant_id, archive=archive
                )
                return job.id
        finally:
            await services.queue.stop()

    try:
        job_id = asyncio.run(enqueue())
    finally:
        services.close()
    print(f"QUEUED job={job_id} bytes={len(archive)} (see /api/v1/merchant/jobs/{job_id})")
    return 0


def merchant_of(session: Any, email: str) -> int:
    """The id of merchant ``email``; InputError when there is no such merchant."""
    from fitroom.server import crud

    merchant = crud.get_user_by_email(session, email=email)
    if merchant is None or merchant.role != "merchant":
        raise InputError(f"no merchant account {email}; pass --merchant EMAIL")
    return merchant.id


def run(args: argparse.Namespace) -> int:
    if args.queue:
        return queue_import(args)
    from distributed import Client, LocalCluster
    from tqdm import tqdm

    from fitroom.server import Settings
    from fitroom.server.app import build_services
    from fitroom.server.catalog_import import import_catalog, read_catalog, write_report
    from fitroom.server.db import session_scope

    if args.workers < 1:
        raise InputError("--workers must be at least 1")
    items, refused_rows = read_catalog(args.catalog)
    settings = Settings()
    email = args.merchant or settings.demo_merchant_email
    services = build_services(settings, load_models=False, run_jobs=False)
    try:
        with session_scope(services.sessions) as session:
            merchant_id = merchant_of(session, email)
        cluster = (
            None
            if args.cluster
            else LocalCluster(
                n_workers=args.workers,
                threads_per_worker=1,
                processes=True,
                host="127.0.0.1",
                dashboard_address=":0",
            )
        )
        try:
            with (
                Client(args.cluster or cluster) as client,
                tqdm(total=len(items), unit="item", disable=args.quiet, file=sys.stderr) as bar,
            ):
                report = import_catalog(
                    services,
                    client,
                    items,
                    merchant_id=merchant_id,
                    max_photo_bytes=settings.max_upload_bytes,
                    progress=bar.update,
                )
        finally:
            if cluster is not None:
                cluster.close()
    finally:
        services.close()
    refused = (*refused_rows, *report.refused)

    report = replace(report, refused=refused)
    write_report(args.report, report)
    print(
        f"IMPORT added={report.added} skipped={report.skipped} refused={len(refused)} "
        f"seconds={report.seconds:.1f} items_per_s={report.items_per_second:.2f}"
        + (f" report={args.report}" if refused else "")
    )
    return 0
