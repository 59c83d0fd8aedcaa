"""Catalogue import on Dask (an in-process cluster): refusals reported, reruns and resumed runs
add each SKU once, through the command line too."""

from __future__ import annotations

import csv
from collections.abc import Iterator
from pathlib import Path

import pytest
from distributed import Client, get_task_stream
from local_cluster import product_photo, write_catalog
from sqlalchemy import func, select

from fitroom.cli import main
from fitroom.server import Settings
from fitroom.server.app import build_services
from fitroom.server.catalog_import import import_catalog, read_catalog
from fitroom.server.models import Garment, Job
from fitroom.server.seed import seed_demo
from fitroom.server.services import Services
from fitroom.server.services.jobqueue import LocalJobQueue
from fitroom.server.services.jobs import run_job

COUNT = 8
REFUSE_EVERY = 4  # items 3 and 7: a grey card; item 4: a missing photo


@pytest.fixture(scope="module")
def settings(tmp_path_factory: pytest.TempPathFactory) -> Settings:
    return Settings(
        environment="test",
        secret_key="import-test-secret-" + "z" * 40,
        var_dir=tmp_path_factory.mktemp("import-var"),
        seed_limit=1,
    )


@pytest.fixture(scope="module")
def services(settings: Settings) -> Iterator[Services]:
    built = build_services(settings, load_models=False, run_jobs=False)
    seed_demo(built)  # the demo merchant the import adds to
    yield built
    built.close()


@pytest.fixture(scope="module")
def catalog(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return write_catalog(tmp_path_factory.mktemp("catalog"), COUNT, refuse_every=REFUSE_EVERY)


@pytest.fixture(scope="module")
def client() -> Iterator[Client]:
    with Client(
        processes=False, n_workers=1, threads_per_worker=2, dashboard_address=":0"
    ) as dask_client:
        yield dask_client


def merchant_id(services: Services) -> int:
    with services.sessions() as session:
        found = session.scalar(select(Garment.merchant_id).where(Garment.merchant_id.is_not(None)))
    assert found is not None
    return found


def imported_counts(services: Services) -> dict[str, int]:
    with services.sessions() as session:
        rows = session.execute(
            select(Garment.import_key, func.count())
            .where(Garment.import_key.is_not(None))
            .group_by(Garment.import_key)
        )
        return {str(key): int(count) for key, count in rows}


def test_read_catalog_refuses_bad_rows(tmp_path: Path) -> None:
    listing = tmp_path / "bad.csv"
    listing.write_text(
        "sku,name,price_cents,photo\nA,Shirt,abc,a.jpg\nB,,100,b.jpg\nC,Tee,100,c.jpg\nC,Tee,1,c.jpg\n",
        encoding="utf-8",
    )
    items, refused = read_catalog(listing)
    assert [i.sku for i in items] == ["C"]
    assert [r.sku for r in refused] == ["A", "B", "C"]
    assert "twice" in refused[2].reason


def test_import_reports_refusals_and_a_rerun_adds_nothing(
    services: Services, client: Client, catalog: Path
) -> None:
    items, refused_rows = read_catalog(catalog)
    assert refused_rows == []
    # A run stopped halfway: only the first half made it into the shop.
    half = import_catalog(
        services,
        client,
        items[: COUNT // 2],
        merchant_id=merchant_id(services),
        max_photo_bytes=10 * 2**20,
    )
    assert half.added == 3  # SKU 0-2; SKU 3 is a grey card
    report = import_catalog(
        services, client, items, merchant_id=merchant_id(services), max_photo_bytes=10 * 2**20
    )
    assert report.added == 2 and report.skipped == 3  # resumed: SKU 5, 6 new, 0-2 kept
    refused = {r.sku: r.reason for r in report.refused}
    assert set(refused) == {"SKU-000003", "SKU-000004", "SKU-000007"}
    assert "cannot use the photo" in refused["SKU-000004"]
    counts = imported_counts(services)
    assert set(counts) == {f"SKU-{i:06d}" for i in (0, 1, 2, 5, 6)}
    assert set(counts.values()) == {1}
    again = import_catalog(
        services, client, items, merchant_id=merchant_id(services), max_photo_bytes=10 * 2**20
    )
    assert again.added == 0 and again.skipped == 5
    assert imported_counts(services) == counts


def test_the_command_imports_locally_and_writes_the_report(
    settings: Settings,
    services: Services,
    catalog: Path,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    monkeypatch.setenv("FITROOM_VAR_DIR", str(settings.var_dir))
    monkeypatch.setenv("FITROOM_SEED_LIMIT", "1")
    report = tmp_path / "refused.csv"
    code = main(
        ["garment", "import", str(catalog), "--workers", "1", "-q", "--report", str(report)]
    )
    assert code == 0
    summary = capsys.readouterr().out.strip().splitlines()[-1]
    assert summary.startswith("IMPORT added=0 skipped=5 refused=3")
    with report.open(encoding="utf-8") as handle:
        assert {row["sku"] for row in csv.DictReader(handle)} == {
            "SKU-000003",
            "SKU-000004",
            "SKU-000007",
        }
    assert main(["garment", "import", str(tmp_path / "nothing.txt")]) == 2


def queue_one_photo(
    folder: Path,
    sku: str,
    kind: str,
    settings: Settings,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> int:
    """``fitroom garment import FOLDER --queue`` of one drawn photo named ``sku``; the job id."""
    folder.mkdir()
    (folder / f"{sku}.jpg").write_bytes(product_photo(seed=len(sku), kind=kind, fmt="JPEG"))
    monkeypatch.setenv("FITROOM_VAR_DIR", str(settings.var_dir))
    monkeypatch.setenv("FITROOM_SEED_LIMIT", "1")
    assert main(["garment", "import", str(folder), "--queue"]) == 0
    line = capsys.readouterr().out.strip().splitlines()[-1]
    assert line.startswith("QUEUED job=")
    return int(line.split()[1].removeprefix("job="))


def test_the_command_queues_an_import_that_a_job_worker_runs_once(
    settings: Settings,
    services: Services,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    job_id = queue_one_photo(
        tmp_path / "drop", "queued-tee", "t-shirt", settings, monkeypatch, capsys
    )
    with services.sessions() as session:
        queued = session.get(Job, job_id)
        assert queued is not None and queued.status == "queued"
    # What `fitroom worker` on SQLite does: take the queued rows of the jobs table.
    worker = LocalJobQueue(services.sessions, lambda i, s: run_job(services, i, s), threads=0)
    worker.run_pending()
    run_job(services, job_id, ("queued", "running"))  # delivered again: nothing happens
    with services.sessions() as session:
        done = session.get(Job, job_id)
        assert done is not None and done.status == "done", done and done.error
        assert done.attempts == 1
        assert done.progress is not None
        assert (done.progress["total"], done.progress["added"]) == (1, 1)
    assert imported_counts(services)["queued-tee"] == 1


def test_a_queued_import_runs_on_the_dask_cluster_the_worker_is_given(
    settings: Settings,
    services: Services,
    client: Client,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    job_id = queue_one_photo(
        tmp_path / "drop", "dask-shirt", "shirt", settings, monkeypatch, capsys
    )
    # A job worker configured with FITROOM_DASK_SCHEDULER: the photos go to that cluster.
    monkeypatch.setattr(services.settings, "dask_scheduler", client.scheduler.address)
    with get_task_stream(client) as stream:
        run_job(services, job_id, ("queued",))
    with services.sessions() as session:
        done = session.get(Job, job_id)
        assert done is not None and done.status == "done", done and done.error
    assert imported_counts(services)["dask-shirt"] == 1
    keys = [str(task["key"]) for task in stream.data]
    assert any(key.endswith("-dask-shirt") for key in keys), keys
