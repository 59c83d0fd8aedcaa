"""``scripts/cluster.sh up|status|down``: every process answers, then every process is gone."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from local_cluster import REPO, shop_client


def cluster_script(command: str, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [str(REPO / "scripts" / "cluster.sh"), command],
        env=env,
        capture_output=True,
        text=True,
        timeout=900,
        check=False,
    )


@pytest.mark.slow
def test_cluster_script_starts_and_stops_everything(tmp_path: Path) -> None:
    base = int(os.environ.get("FITROOM_TEST_CLUSTER_PORT", "8300")) + 10
    env = {
        **os.environ,
        "PYTHONPATH": os.pathsep.join(
            p for p in (str(REPO / "src"), os.environ.get("PYTHONPATH", "")) if p
        ),
        "FITROOM_PYTHON": sys.executable,
        "FITROOM_CLUSTER_PORT": str(base),
        "FITROOM_CLUSTER_DIR": str(tmp_path / "cluster"),
        "FITROOM_SEED_LIMIT": "1",
    }
    if os.geteuid() != 0 and os.environ.get("FITROOM_REQUIRE_POSTGRES") != "1":
        pytest.skip("the cluster's PostgreSQL needs root to start (scripts/ensure_postgres.sh)")
    up = cluster_script("up", env)
    try:
        assert up.returncode == 0, up.stderr[-3000:]
        status = cluster_script("status", env)
        assert status.returncode == 0, status.stdout
        assert status.stdout.count(" running (pid ") == 7
        # Both web processes serve the same shop: the seeded garment is on each.
        for port in (base + 1, base + 2):
            with shop_client(f"http://127.0.0.1:{port}") as client:
                assert client.get("/api/v1/garments").json()["count"] == 1
    finally:
        down = cluster_script("down", env)
    assert down.returncode == 0, down.stderr[-3000:]
    status = cluster_script("status", env)
    assert status.returncode == 3
    assert status.stdout.count(" stopped") == 7
    pids = [int(p.read_text()) for p in (tmp_path / "cluster").glob("*.pid")]
    assert pids == []  # every pid file removed once its process stopped
