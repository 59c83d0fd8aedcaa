"""A small fitroom cluster on 127.0.0.1 for the fault tests and ``benchmarks/cluster_faults.py``.

A private PostgreSQL (started and stopped through ``scripts/ensure_postgres.sh``, so a restart
never touches the shared test database), web processes (``fitroom serve``) that run no jobs, and
job workers (``fitroom worker``), each a real process that can be killed with SIGKILL. Waits are
for states (a health answer, a log line, a job status), each with a bounded timeout.
"""

from __future__ import annotations

import contextlib
import csv
import io
import json
import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TypeVar

import httpx
import psutil
from PIL import Image
from sqlalchemy import create_engine, text

from fitroom.garments.synth import KINDS, synth_garment

REPO = Path(__file__).resolve().parents[2]
PASSWORD = "correct horse battery"
T = TypeVar("T")


def wait_for(
    check: Callable[[], T | None], timeout_s: float, what: str, interval_s: float = 0.1
) -> T:
    """Poll ``check`` until it returns something not None; AssertionError after ``timeout_s``."""
    deadline = time.monotonic() + timeout_s
    while True:
        value = check()
        if value is not None:
            return value
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out after {timeout_s:.0f} s waiting for {what}")
        time.sleep(interval_s)


def port_free(port: int) -> bool:
    """Whether nothing listens on 127.0.0.1:``port``."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        return probe.connect_ex(("127.0.0.1", port)) != 0


def product_photo(
    seed: int = 21, kind: str = "shirt", pattern: str | None = "checks", fmt: str = "PNG"
) -> bytes:
    """A product photo the project draws itself (``fitroom.garments.synth``), as image bytes."""
    drawn = synth_garment(kind, seed=seed, pattern=pattern, size=(480, 640))  # type: ignore[arg-type]
    buffer = io.BytesIO()
    Image.fromarray(drawn.image).save(buffer, fmt, **({"quality": 90} if fmt == "JPEG" else {}))
    return buffer.getvalue()


#: Every REFUSED_EVERY-th item of a synthetic catalogue is a photo of no garment (a flat grey
#: card), and the one after it names a photo that does not exist, so imports have refusals.
REFUSED_EVERY = 50


def write_catalog(folder: Path, count: int, refuse_every: int = REFUSED_EVERY) -> Path:
    """``count`` drawn product photos (JPEG) and their ``catalog.csv`` in ``folder``.

    Kinds, patterns and seeds cycle deterministically; prices and size charts vary. Files
    already written are kept, so a benchmark can reuse a catalogue.
    """
    folder.mkdir(parents=True, exist_ok=True)
    rows = []
    for index in range(count):
        kind = KINDS[index % len(KINDS)]
        sku = f"SKU-{index:06d}"
        photo = folder / f"{sku}.jpg"
        if index % refuse_every == refuse_every - 1:
            if not photo.exists():
                Image.new("RGB", (480, 640), (128, 128, 128)).save(photo, "JPEG")
        elif index % refuse_every == 0 and index > 0:
            photo = folder / f"{sku}-missing.jpg"
        elif not photo.exists():
            photo.write_bytes(product_photo(seed=1000 + index, kind=kind, pattern=None, fmt="JPEG"))
        chart = {"M": {"chest": [92.0, 100.0]}, "L": {"chest": [100.0, 108.0]}}
        rows.append(
            {
                "sku": sku,
                "name": f"{kind.replace('-', ' ').title()} {index}",
                "price_cents": str(1490 + (index * 37) % 6000),
                "photo": photo.name,
                "sizes": "S,M,L",
                "size_chart": json.dumps(chart) if index % 3 == 0 else "",
            }
        )
    catalog = folder / "catalog.csv"
    with catalog.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.DictWriter(handle, fieldnames=list(rows[0]))
        writer.writeheader()
        writer.writerows(rows)
    return catalog


@dataclass
class Process:
    name: str
    popen: subprocess.Popen[bytes]
    log_path: Path
    port: int | None = None

    @property
    def pid(self) -> int:
        return self.popen.pid

    def log(self) -> str:
        return self.log_path.read_text(encoding="utf-8", errors="replace")

    def rss_mb(self) -> float:
        """Resident memory of the process and its children, MB."""
        root = psutil.Process(self.pid)
        total = root.memory_info().rss
        for child in root.children(recursive=True):
            try:
                total += child.memory_info().rss
            except psutil.NoSuchProcess:
                continue
        return total / 2**20


@dataclass
class LocalCluster:
    """PostgreSQL, web processes and job workers under ``root``, ports from ``base_port``."""

    root: Path
    base_port: int
    stall_seconds: float = 2.0
    preload_models: bool = False
    extra_env: Mapping[str, str] = field(default_factory=dict)
    processes: dict[str, Process] = field(default_factory=dict)
    database_url: str = ""

    @property
    def pg_env(self) -> dict[str, str]:
        port = self.base_port + 32
        return {
            "FITROOM_PG_PORT": str(port),
            "FITROOM_PG_DIR": f"/tmp/fitroom-faults-pg-{port}",
            "FITROOM_PG_DB": "fitroom",
        }

    def start_postgres(self) -> str:
        """Start (or find running) the private PostgreSQL; its SQLAlchemy URL."""
        done = subprocess.run(
            [str(REPO / "scripts" / "ensure_postgres.sh")],
            env={**os.environ, **self.pg_env},
            capture_output=True,
            text=True,
            timeout=300,
            check=False,
        )
        if done.returncode != 0:
            raise RuntimeError(f"PostgreSQL did not start: {done.stderr.strip()[-500:]}")
        self.database_url = done.stdout.strip().splitlines()[-1]
        return self.database_url

    def stop_postgres(self) -> None:
        subprocess.run(
            [str(REPO / "scripts" / "ensure_postgres.sh"), "stop"],
            env={**os.environ, **self.pg_env},
            capture_output=True,
            timeout=120,
            check=True,
        )

    def web_ports(self) -> tuple[int, int]:
        """The ports of the two web processes, ``web1`` and ``web2``."""
        return self.base_port + 11, self.base_port + 12

    def stop_leftovers(self, timeout_s: float = 30) -> list[int]:
        """Kill the fitroom processes an earlier, killed run left on this cluster; their pids.

        A run stopped mid-way never reaches :meth:`stop_all`: its web processes keep the ports
        (and would answer this run's health checks), its workers keep taking jobs from the
        database this run empties, and their migrations race this run's. They are found by the
        database URL in their environment (the private PostgreSQL's is the same every run) or
        by ``serve`` on one of this cluster's ports.
        """
        ports = {str(port) for port in self.web_ports()}
        leftovers = []
        for process in psutil.process_iter(["cmdline"]):
            command = process.info["cmdline"] or []
            if "fitroom.cli" not in command or process.pid == os.getpid():
                continue
            try:
                environment = process.environ()
            except (psutil.AccessDenied, psutil.NoSuchProcess, psutil.ZombieProcess):
                environment = {}
            on_our_port = "serve" in command and bool(ports & set(command))
            if on_our_port or environment.get("FITROOM_DATABASE_URL") == self.database_url:
                leftovers.append(process)
        for process in leftovers:
            with contextlib.suppress(psutil.NoSuchProcess):
                process.kill()
        psutil.wait_procs(leftovers, timeout=timeout_s)
        return [process.pid for process in leftovers]

    def reset_database(self) -> None:
        """An empty database: the shop's tables, migrations and procrastinate's schema go.

        Leftover processes of an earlier, killed run go first (:meth:`stop_leftovers`).
        """
        self.stop_leftovers()
        engine = create_engine(self.database_url)
        with engine.begin() as connection:
            connection.execute(text("DROP SCHEMA public CASCADE"))
            connection.execute(text("CREATE SCHEMA public"))
        engine.dispose()

    def sql(self, statement: str, **params: Any) -> list[Any]:
        engine = create_engine(self.database_url)
        try:
            with engine.begin() as connection:
                result = connection.execute(text(statement), params)
                return list(result) if result.returns_rows else []
        finally:
            engine.dispose()

    def env(self) -> dict[str, str]:
        return {
            **os.environ,
            "PYTHONPATH": os.pathsep.join(
                p for p in (str(REPO / "src"), os.environ.get("PYTHONPATH", "")) if p
            ),
            "FITROOM_ENVIRONMENT": "test",
            "FITROOM_SECRET_KEY": "cluster-test-secret-" + "y" * 40,
            "FITROOM_DATABASE_URL": self.database_url,
            "FITROOM_VAR_DIR": str(self.root / "var"),
            "FITROOM_SEED_DEMO": "false",
            "FITROOM_RUN_JOBS": "false",
            "FITROOM_MODEL_THREADS": "1",
            "FITROOM_PRELOAD_MODELS": "true" if self.preload_models else "false",
            "FITROOM_JOB_STALL_SECONDS": str(self.stall_seconds),
            **self.extra_env,
        }

    def _spawn(self, name: str, args: list[str], env: dict[str, str]) -> Process:
        log_path = self.root / f"{name}.log"
        with log_path.open("wb") as log:
            popen = subprocess.Popen(
                [sys.executable, "-m", "fitroom.cli", *args],
                stdout=log,
                stderr=subprocess.STDOUT,
                stdin=subprocess.DEVNULL,
                env=env,
                start_new_session=True,
            )
        process = Process(name, popen, log_path)
        self.processes[name] = process
        return process

    def start_web(self, name: str, port: int, *, migrate: bool, timeout_s: float = 300) -> Process:
        if not port_free(port):
            raise AssertionError(f"port {port} is taken: {name} cannot serve on it")
        env = {**self.env(), "FITROOM_AUTO_MIGRATE": "true" if migrate else "false"}
        process = self._spawn(
            name, ["serve", "--host", "127.0.0.1", "--port", str(port), "--no-seed"], env
        )
        process.port = port
        wait_for(lambda: self._healthy(process), timeout_s, f"{name} to answer on :{port}")
        return process

    def _healthy(self, process: Process) -> bool | None:
        if process.popen.poll() is not None:
            raise AssertionError(f"{process.name} exited:\n{process.log()[-3000:]}")
        try:
            answer = httpx.get(f"http://127.0.0.1:{process.port}/api/v1/health", timeout=2)
        except httpx.HTTPError:
            return None
        return True if answer.status_code == 200 else None

    def start_worker(self, name: str, timeout_s: float = 120) -> Process:
        process = self._spawn(name, ["worker"], self.env())

        def running() -> bool | None:
            if process.popen.poll() is not None:
                raise AssertionError(f"{name} exited:\n{process.log()[-3000:]}")
            return True if "fitroom worker: running jobs" in process.log() else None

        wait_for(running, timeout_s, f"{name} to start")
        return process

    def kill(self, name: str) -> None:
        """SIGKILL: the process gets no chance to clean up."""
        process = self.processes.pop(name)
        os.killpg(process.pid, signal.SIGKILL)
        process.popen.wait(timeout=30)

    def stop_all(self, timeout_s: float = 30) -> None:
        for process in self.processes.values():
            if process.popen.poll() is None:
                os.killpg(process.pid, signal.SIGTERM)
        deadline = time.monotonic() + timeout_s
        for process in self.processes.values():
            try:
                process.popen.wait(timeout=max(0.1, deadline - time.monotonic()))
            except subprocess.TimeoutExpired:
                os.killpg(process.pid, signal.SIGKILL)
                process.popen.wait(timeout=30)
        self.processes.clear()

    def url(self, name: str) -> str:
        return f"http://127.0.0.1:{self.processes[name].port}"


@contextmanager
def shop_client(base_url: str, timeout_s: float = 120) -> Iterator[httpx.Client]:
    """A client with the shop's CSRF cookie and header set."""
    with httpx.Client(base_url=base_url, timeout=timeout_s) as client:
        token = client.get("/api/v1/auth/csrf").json()["csrf_token"]
        client.headers["X-CSRF-Token"] = token
        yield client


def _follow_csrf(client: httpx.Client, answer: httpx.Response) -> httpx.Response:
    # A login issues a fresh CSRF token; later requests must echo the new one.
    token = answer.cookies.get("fitroom_csrf")
    if token:
        client.headers["X-CSRF-Token"] = token
    return answer


def register(client: httpx.Client, email: str) -> httpx.Response:
    answer = client.post(
        "/api/v1/auth/register",
        json={"email": email, "password": PASSWORD, "display_name": email.split("@")[0]},
    )
    return _follow_csrf(client, answer)


def login(client: httpx.Client, email: str) -> httpx.Response:
    answer = client.post("/api/v1/auth/login", json={"email": email, "password": PASSWORD})
    return _follow_csrf(client, answer)


def upload_garment(client: httpx.Client, photo: bytes, name: str) -> httpx.Response:
    return client.post(
        "/api/v1/merchant/garments",
        files={"photo": ("product.png", photo, "image/png")},
        data={"name": name, "price_cents": "2500", "sizes": "S,M,L"},
    )
