"""Faults on a real local cluster: a worker killed mid-job and mid-import, a login across
processes, and a PostgreSQL restart (503 while it is down, full recovery after, nothing lost)."""

from __future__ import annotations

from pathlib import Path

import httpx
from local_cluster import (
    LocalCluster,
    login,
    product_photo,
    register,
    shop_client,
    upload_garment,
    wait_for,
    write_catalog,
)

from fitroom.server.catalog_archive import pack_catalog


def job_row(cluster: LocalCluster, job_id: int) -> tuple[str, str | None, int]:
    rows = cluster.sql("SELECT status, claimed_by, attempts FROM jobs WHERE id = :id", id=job_id)
    status, claimed_by, attempts = rows[0]
    return str(status), claimed_by, int(attempts)


def wait_job(
    cluster: LocalCluster, job_id: int, leaving: str, timeout_s: float
) -> tuple[str, str | None, int]:
    """The job's row once its status is no longer ``leaving`` (polled every 20 ms)."""

    def moved() -> tuple[str, str | None, int] | None:
        row = job_row(cluster, job_id)
        return row if row[0] != leaving else None

    return wait_for(moved, timeout_s, f"job {job_id} to leave {leaving}", interval_s=0.02)


def test_a_shopper_logged_in_through_one_process_is_logged_in_on_the_other(
    cluster: LocalCluster,
) -> None:
    with shop_client(cluster.url("web1")) as first:
        assert register(first, "shopper@cluster.example").status_code == 201
        assert login(first, "shopper@cluster.example").status_code == 200
        cookies = dict(first.cookies)
    with httpx.Client(base_url=cluster.url("web2"), cookies=cookies, timeout=60) as second:
        me = second.get("/api/v1/auth/me")
        assert me.status_code == 200, me.text
        assert me.json()["email"] == "shopper@cluster.example"
        # The CSRF token issued by one process is accepted by the other.
        second.headers["X-CSRF-Token"] = cookies["fitroom_csrf"]
        assert second.post("/api/v1/auth/logout").status_code == 200
    with httpx.Client(base_url=cluster.url("web1"), cookies=cookies, timeout=60) as first_again:
        assert first_again.get("/api/v1/auth/me").status_code == 401


def test_a_login_lockout_set_through_one_process_holds_on_the_other(
    cluster: LocalCluster,
) -> None:
    email = "lockout@cluster.example"
    with shop_client(cluster.url("web1")) as first:
        assert register(first, email).status_code == 201
        for _ in range(5):  # FITROOM_LOGIN_ATTEMPTS defaults to 5
            wrong = first.post(
                "/api/v1/auth/login", json={"email": email, "password": "not the password"}
            )
            assert wrong.status_code == 401, wrong.text
        assert login(first, email).status_code == 429
    with shop_client(cluster.url("web2")) as second:
        # The right password through the other process is refused too: one count for both.
        locked = login(second, email)
        assert locked.status_code == 429, locked.text


def test_a_worker_killed_mid_job_leaves_the_job_to_the_other_and_one_garment(
    cluster: LocalCluster, merchant_email: str
) -> None:
    with shop_client(cluster.url("web1")) as merchant:
        assert login(merchant, merchant_email).status_code == 200
        # The kill must land while the job runs; a job that ended first is tried again
        # (bounded), so the test waits for states, never for time.
        for attempt in range(4):
            name = f"Killed Worker Shirt {attempt}"
            answer = upload_garment(merchant, product_photo(seed=30 + attempt), name)
            assert answer.status_code == 202, answer.text
            job_id = answer.json()["job"]["id"]
            status, claimed_by, _ = wait_job(cluster, job_id, "queued", 120)
            victim = next(
                (n for n, p in cluster.processes.items() if claimed_by == f"{_host()}:{p.pid}"),
                None,
            )
            if status != "running" or victim is None:
                continue
            cluster.kill(victim)
            if job_row(cluster, job_id)[0] != "running":
                continue  # it ended just before the kill; the restarted worker takes the next
            survivor = next(n for n in cluster.processes if n.startswith("worker"))
            done = wait_job(cluster, job_id, "running", 180)
            assert done[0] == "done", merchant.get(f"/api/v1/merchant/jobs/{job_id}").text
            assert done[1] == f"{_host()}:{cluster.processes[survivor].pid}"
            assert done[2] == 2  # started twice: once by the killed worker, once by the other
            rows = cluster.sql("SELECT status FROM garments WHERE name = :name", name=name)
            assert [r[0] for r in rows] == ["active"]
            shown = merchant.get(f"/api/v1/merchant/jobs/{job_id}").json()
            assert shown["status"] == "done" and shown["attempts"] == 2
            cluster.start_worker(victim)
            return
        raise AssertionError("no job was caught running in 4 uploads")


def _host() -> str:
    import socket

    return socket.gethostname()


def test_a_database_restart_gives_clean_503s_then_full_recovery(
    cluster: LocalCluster, merchant_email: str
) -> None:
    with shop_client(cluster.url("web2")) as shopper:
        assert register(shopper, "restart@cluster.example").status_code == 201
        before = shopper.get("/api/v1/garments").json()["count"]
        cluster.stop_postgres()
        try:
            for path in ("/api/v1/garments", "/api/v1/auth/me", "/api/v1/health"):
                answer = shopper.get(path)
                assert answer.status_code == 503, (path, answer.status_code, answer.text)
                assert "database" in answer.json()["detail"]
            assert httpx.get(cluster.url("web1") + "/api/v1/garments").status_code == 503
        finally:
            cluster.start_postgres()
        # Back: the same session still holds, accounts and garments are all there.
        wait_for(
            lambda: shopper.get("/api/v1/garments").status_code == 200 or None,
            60,
            "web2 to serve again",
        )
        assert shopper.get("/api/v1/auth/me").json()["email"] == "restart@cluster.example"
        assert shopper.get("/api/v1/garments").json()["count"] == before
    with shop_client(cluster.url("web1")) as merchant:
        wait_for(lambda: login(merchant, merchant_email).status_code == 200 or None, 60, "login")
        # The job workers came back too: an upload after the restart is ingested.
        answer = upload_garment(merchant, product_photo(seed=50), "After Restart Shirt")
        assert answer.status_code == 202, answer.text
        job_id = answer.json()["job"]["id"]
        job = wait_for(
            lambda: (
                (
                    (j := merchant.get(f"/api/v1/merchant/jobs/{job_id}").json())["status"]
                    in ("done", "failed")
                    and j
                )
                or None
            ),
            180,
            "the job after the restart",
        )
        assert job["status"] == "done", job


def test_a_worker_killed_mid_import_leaves_it_to_the_other_and_each_sku_once(
    cluster: LocalCluster, merchant_email: str, tmp_path: Path
) -> None:
    count = 12
    archive = pack_catalog(write_catalog(tmp_path / "catalogue", count, refuse_every=count))
    good = count - 1  # the last item is a photo of no garment
    with shop_client(cluster.url("web2")) as merchant:
        assert login(merchant, merchant_email).status_code == 200
        answer = merchant.post(
            "/api/v1/merchant/imports",
            files={"archive": ("catalogue.zip", archive, "application/zip")},
        )
        assert answer.status_code == 202, answer.text
        job_id = answer.json()["job"]["id"]

        def importing() -> str | None:
            # Running, and some garment already stored: the kill lands mid-import.
            rows = cluster.sql(
                "SELECT j.status, j.claimed_by, count(g.id) FROM jobs j LEFT JOIN garments g "
                "ON g.import_key LIKE 'SKU-%' GROUP BY j.id HAVING j.id = :id",
                id=job_id,
            )
            status, claimed_by, stored = rows[0]
            assert status in ("queued", "running"), f"the import ended before the kill: {status}"
            return claimed_by if status == "running" and stored >= 1 else None

        claimed_by = wait_for(importing, 300, "the import to store its first garment", 0.05)
        victim = next(n for n, p in cluster.processes.items() if claimed_by == f"{_host()}:{p.pid}")
        cluster.kill(victim)
        survivor = next(n for n in cluster.processes if n.startswith("worker"))
        status, claimed_by, attempts = wait_job(cluster, job_id, "running", 600)
        job = merchant.get(f"/api/v1/merchant/jobs/{job_id}").json()
        assert status == "done", job
        assert claimed_by == f"{_host()}:{cluster.processes[survivor].pid}"
        assert attempts == 2
        progress = job["progress"]
        # The second run skipped what the first stored and added the rest: each SKU once.
        assert progress["skipped"] >= 1 and progress["added"] + progress["skipped"] == good
        assert [r["sku"] for r in progress["refused"]] == [f"SKU-{count - 1:06d}"]
        rows = cluster.sql(
            "SELECT import_key, count(*) FROM garments WHERE import_key LIKE 'SKU-%' "
            "GROUP BY import_key"
        )
        assert len(rows) == good and {int(n) for _, n in rows} == {1}
    cluster.start_worker(victim)
