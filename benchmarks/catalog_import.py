"""Catalogue import on Dask: items/s with 1 and 2 workers, and a kill -9 halfway then a rerun.

Writes ``--items`` product photos fitroom draws itself (``fitroom.garments.synth``; one in 50 is a
grey card and one in 50 names a missing file, so there are refusals) into ``--catalog`` once, then
runs the real command ``fitroom garment import CATALOG --workers N`` into a fresh SQLite shop for
each worker count and prints its items/s (ingestion only, after the local Dask cluster is up) and
the wall time. Then it starts a 2-worker import, SIGKILLs its whole process group once half of the
garments are in, reruns it, and checks that every SKU is in the shop exactly once.

    python benchmarks/catalog_import.py [--items 500] [--workers 1 2] [--catalog out/catalog]
"""

from __future__ import annotations

import argparse
import os
import re
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from sqlalchemy import create_engine, text

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO / "tests" / "cluster"))

from local_cluster import REFUSED_EVERY, write_catalog  # noqa: E402

from fitroom.server import Settings  # noqa: E402
from fitroom.server.app import build_services  # noqa: E402
from fitroom.server.crud import create_user  # noqa: E402
from fitroom.server.db import session_scope  # noqa: E402

MERCHANT = "importer@example.com"
SUMMARY = re.compile(r"IMPORT added=(\d+) skipped=(\d+) refused=(\d+) seconds=([\d.]+)")


def fresh_shop(root: Path) -> dict[str, str]:
    """A new SQLite shop with a merchant; the environment the import command needs."""
    env = {
        **os.environ,
        "PYTHONPATH": os.pathsep.join(
            p for p in (str(REPO / "src"), os.environ.get("PYTHONPATH")) if p
        ),
        "FITROOM_VAR_DIR": str(root),
        "FITROOM_SEED_DEMO": "false",
    }
    services = build_services(Settings(var_dir=root), load_models=False, run_jobs=False)
    with session_scope(services.sessions) as session:
        create_user(
            session,
            email=MERCHANT,
            password="benchmark-password",
            display_name="Importer",
            role="merchant",
        )
    services.close()
    return env


def import_command(catalog: Path, workers: int, env: dict[str, str]) -> list[str]:
    """``fitroom garment import`` of ``catalog`` on a local Dask cluster of ``workers``."""
    report = Path(env["FITROOM_VAR_DIR"]) / "refused.csv"
    return [sys.executable, "-m", "fitroom.cli", "garment", "import", str(catalog), "--workers",
            str(workers), "--merchant", MERCHANT, "-q", "--report", str(report)]  # fmt: skip


def run_import(catalog: Path, workers: int, env: dict[str, str]) -> tuple[str, float]:
    started = time.perf_counter()
    done = subprocess.run(
        import_command(catalog, workers, env),
        env=env,
        capture_output=True,
        text=True,
        timeout=7200,
        check=True,
    )
    return done.stdout.strip().splitlines()[-1], time.perf_counter() - started


def garment_counts(root: Path) -> tuple[int, int]:
    """(garments with a SKU, SKUs present more than once) in the shop under ``root``."""
    engine = create_engine(f"sqlite:///{root / 'fitroom.sqlite3'}")
    with engine.connect() as connection:
        total = connection.execute(
            text("SELECT count(*) FROM garments WHERE import_key IS NOT NULL")
        ).scalar_one()
        twice = connection.execute(
            text(
                "SELECT count(*) FROM (SELECT import_key FROM garments WHERE import_key IS NOT "
                "NULL GROUP BY import_key HAVING count(*) > 1)"
            )
        ).scalar_one()
    engine.dispose()
    return int(total), int(twice)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--items", type=int, default=500)
    parser.add_argument("--workers", type=int, nargs="+", default=[1, 2])
    parser.add_argument("--catalog", type=Path, default=REPO / "out" / "catalog")
    parser.add_argument("--no-kill", action="store_true", help="skip the kill -9 and rerun")
    args = parser.parse_args()

    catalog = write_catalog(args.catalog, args.items)
    # Grey cards at items 49, 99, ...; missing photos at 50, 100, ... (below --items).
    refusals = args.items // REFUSED_EVERY + (args.items - 1) // REFUSED_EVERY
    expected = args.items - refusals
    print(f"catalogue: {args.items} items in {args.catalog} ({refusals} to refuse)")
    rates = {}
    with tempfile.TemporaryDirectory(prefix="fitroom-import-") as tmp:
        for workers in args.workers:
            root = Path(tmp) / f"w{workers}"
            env = fresh_shop(root)
            line, wall = run_import(catalog, workers, env)
            match = SUMMARY.search(line)
            assert match, line
            added, seconds = int(match[1]), float(match[4])
            rates[workers] = added / seconds
            print(f"workers={workers} {line} wall_s={wall:.1f}")
            assert garment_counts(root) == (added, 0)

        if not args.no_kill:
            root = Path(tmp) / "killed"
            env = fresh_shop(root)
            importer = subprocess.Popen(
                import_command(catalog, 2, env),
                env=env,
                stdout=subprocess.DEVNULL,
                stderr=subprocess.DEVNULL,
                start_new_session=True,
            )
            deadline = time.monotonic() + 3600
            while (root / "fitroom.sqlite3").exists() is False or garment_counts(root)[
                0
            ] < expected // 2:
                assert importer.poll() is None, "the import ended before halfway"
                assert time.monotonic() < deadline, "no progress to halfway in an hour"
                time.sleep(0.2)
            os.killpg(importer.pid, signal.SIGKILL)  # the importer and its Dask workers
            importer.wait()
            before, _ = garment_counts(root)
            line, wall = run_import(catalog, 2, env)
            total, twice = garment_counts(root)
            print(f"killed at {before}/{expected}; rerun: {line} wall_s={wall:.1f}")
            print(f"after the rerun: {total} garments, {twice} SKUs twice (expected {expected}, 0)")
            assert (total, twice) == (expected, 0)
    ratio = rates[max(rates)] / rates[min(rates)] if len(rates) > 1 else 1.0
    print(
        "SUMMARY "
        + " ".join(f"items_per_s_{w}w={r:.2f}" for w, r in sorted(rates.items()))
        + f" speedup={ratio:.2f}"
    )


if __name__ == "__main__":
    main()
