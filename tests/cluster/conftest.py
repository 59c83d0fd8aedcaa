"""A real cluster on 127.0.0.1 for the fault tests: private PostgreSQL, two web processes, two
job workers. Ports from FITROOM_TEST_CLUSTER_PORT (default 8300): web +11/+12, PostgreSQL +32.

Starting PostgreSQL needs root (as ``scripts/ensure_postgres.sh`` does); without it the tests
skip, or fail when FITROOM_REQUIRE_POSTGRES=1 (as CI sets it).
"""

from __future__ import annotations

import os
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parent))

from local_cluster import LocalCluster, register, shop_client


@pytest.fixture(scope="module")
def cluster(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LocalCluster]:
    base = int(os.environ.get("FITROOM_TEST_CLUSTER_PORT", "8300"))
    local = LocalCluster(root=tmp_path_factory.mktemp("cluster"), base_port=base)
    try:
        local.start_postgres()
    except (RuntimeError, OSError) as exc:
        if os.environ.get("FITROOM_REQUIRE_POSTGRES") == "1":
            pytest.fail(f"{exc} and FITROOM_REQUIRE_POSTGRES=1")
        pytest.skip(str(exc))
    local.reset_database()
    try:
        web1_port, web2_port = local.web_ports()
        local.start_web("web1", web1_port, migrate=True)
        local.start_web("web2", web2_port, migrate=False)
        local.start_worker("worker1")
        local.start_worker("worker2")
        yield local
    finally:
        local.stop_all()
        local.stop_postgres()


@pytest.fixture(scope="module")
def merchant_email(cluster: LocalCluster) -> str:
    email = "merchant@cluster.example"
    with shop_client(cluster.url("web1")) as client:
        assert register(client, email).status_code == 201
    cluster.sql("UPDATE users SET role = 'merchant' WHERE email = :email", email=email)
    return email
