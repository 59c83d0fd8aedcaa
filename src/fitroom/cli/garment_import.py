"""``fitroom garment import CATALOG.csv|DIR [--cluster ADDRESS]``: a whole catalogue into the shop.

The photos are ingested on a Dask cluster (``--cluster tcp://host:port``, e.g. the scheduler of
``scripts/cluster.sh``) or, without it, on a local one of ``--workers`` processes; this process
writes the garments into the shop's database (``FITROOM_*`` settings, as ``fitroom serve``).
Rerunning it adds only what is missing; refused photos go to ``--report`` with the reason.
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
    parser.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    from distributed import Client, LocalCluster
    from tqdm import tqdm

    from fitroom.server import Settings, crud
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
            merchant = crud.get_user_by_email(session, email=email)
            if merchant is None or merchant.role != "merchant":
                raise InputError(f"no merchant account {email}; pass --merchant EMAIL")
            merchant_id = merchant.id
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
