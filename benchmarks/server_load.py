"""Photo try-on through HTTP on loopback: throughput and latency with 1 and 2 worker processes.

Starts ``fitroom serve`` (through :mod:`fitroom.cli.serve`) on a free port with a temporary
database, registers a shopper, then N client threads post the public-domain astronaut photo to
``POST /api/v1/tryon`` for ``--duration`` seconds. Prints throughput, p50/p95 latency, errors and
the server processes' memory (resident set of the server and its workers) at the start, the
peak and the end of the run, then a summary line. One warm-up try-on per worker count runs
before the clock starts (it loads the garment).

    python benchmarks/server_load.py [--workers 1 2] [--clients 4] [--duration 300]
"""

from __future__ import annotations

import argparse
import io
import os
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

import httpx
import numpy as np
from PIL import Image
from skimage import data

LAUNCH = """
import argparse, sys
from fitroom.cli import serve
parser = argparse.ArgumentParser()
parser.add_argument("--threads", type=int, default=2)
sub = parser.add_subparsers(dest="command", required=True)
serve.register(sub)
args = parser.parse_args(sys.argv[1:])
sys.exit(args.run(args))
"""


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def rss_mb(root_pid: int) -> float:
    """Resident memory (MB) of a process and its children, from /proc."""
    total = 0
    pids = [root_pid]
    try:
        children = Path(f"/proc/{root_pid}/task/{root_pid}/children").read_text().split()
        pids += [int(p) for p in children]
    except OSError:
        pass
    for pid in pids:
        try:
            for line in Path(f"/proc/{pid}/status").read_text().splitlines():
                if line.startswith("VmRSS:"):
                    total += int(line.split()[1])
        except OSError:
            continue
    return total / 1024.0


def start_server(
    workers: int, var: Path, settings: dict[str, str] | None = None
) -> tuple[subprocess.Popen[bytes], str]:
    """``fitroom serve`` on a free loopback port over ``var``; ``settings``: more FITROOM_*."""
    port = free_port()
    # Only our FITROOM_* settings: a developer's FITROOM_DATABASE_URL must not leak in.
    env = {k: v for k, v in os.environ.items() if not k.startswith("FITROOM_")}
    env.update(FITROOM_VAR_DIR=str(var), FITROOM_SEED_LIMIT="1", **(settings or {}))
    log = (var / "serve.log").open("wb")
    proc = subprocess.Popen(
        [
            sys.executable,
            "-c",
            LAUNCH,
            "--threads",
            "2",
            "serve",
            "--port",
            str(port),
            "--workers",
            str(workers),
            "--log-level",
            "warning",
        ],
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    log.close()
    base = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        try:
            if httpx.get(f"{base}/api/v1/health", timeout=2).json()["status"] == "ok":
                return proc, base
        except (httpx.HTTPError, ValueError):
            time.sleep(0.3)
    proc.kill()
    tail = (var / "serve.log").read_text(errors="replace")[-3000:]
    raise SystemExit(f"the server did not answer /api/v1/health within 120 s:\n{tail}")


def run_load(
    base: str, clients: int, duration: float, photo: bytes
) -> tuple[list[float], dict[str, int], float]:
    """Post try-ons from ``clients`` threads for ``duration`` s.

    Returns (latencies in s of the successful ones, error kind → count, wall time in s).
    """
    setup = httpx.Client(base_url=base)
    token = setup.get("/api/v1/auth/csrf").json()["csrf_token"]
    setup.post(
        "/api/v1/auth/register",
        json={"email": "load@example.com", "password": "load-test-password", "display_name": "L"},
        headers={"X-CSRF-Token": token},
    ).raise_for_status()
    garment_id = setup.get("/api/v1/garments").json()["items"][0]["id"]
    cookies = setup.cookies
    headers = {"X-CSRF-Token": setup.cookies["fitroom_csrf"]}
    warm = setup.post(
        "/api/v1/tryon",
        files={"photo": ("a.jpg", photo, "image/jpeg")},
        data={"garment_id": str(garment_id), "size": "M"},
        headers=headers,
        timeout=120,
    )
    warm.raise_for_status()
    latencies: list[float] = []
    errors: dict[str, int] = {}
    lock = threading.Lock()
    start = time.monotonic()
    stop = start + duration

    def client() -> None:
        with httpx.Client(base_url=base, cookies=cookies, headers=headers, timeout=30) as http:
            while time.monotonic() < stop:
                t0 = time.perf_counter()
                try:
                    r = http.post(
                        "/api/v1/tryon",
                        files={"photo": ("a.jpg", photo, "image/jpeg")},
                        data={"garment_id": str(garment_id), "size": "M"},
                    )
                    ok = r.status_code == 200 and r.content[:2] == b"\xff\xd8"
                    kind = f"http {r.status_code}"
                except httpx.HTTPError as exc:
                    ok, kind = False, type(exc).__name__
                elapsed = time.perf_counter() - t0
                with lock:
                    if ok:
                        latencies.append(elapsed)
                    else:
                        errors[kind] = errors.get(kind, 0) + 1

    threads = [threading.Thread(target=client) for _ in range(clients)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    wall = time.monotonic() - start
    setup.close()
    return latencies, errors, wall


class MemorySampler:
    """Samples the server's resident memory every ``every`` seconds in a thread."""

    def __init__(self, pid: int, every: float = 5.0) -> None:
        self.pid = pid
        self.every = every
        self.samples: list[float] = []
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def _run(self) -> None:
        while not self._stop.wait(self.every):
            self.samples.append(rss_mb(self.pid))

    def __enter__(self) -> MemorySampler:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join()


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--workers", type=int, nargs="+", default=[1, 2])
    parser.add_argument("--clients", type=int, default=4)
    parser.add_argument("--duration", type=float, default=300.0, help="seconds per worker count")
    args = parser.parse_args()
    buf = io.BytesIO()
    Image.fromarray(np.ascontiguousarray(data.astronaut())).save(buf, "JPEG", quality=90)
    photo = buf.getvalue()
    summary = []
    for workers in args.workers:
        with tempfile.TemporaryDirectory() as tmp:
            proc, base = start_server(workers, Path(tmp))
            try:
                time.sleep(1.0)
                mem_start = rss_mb(proc.pid)
                with MemorySampler(proc.pid) as memory:
                    latencies, errors, wall = run_load(base, args.clients, args.duration, photo)
                mem_end = rss_mb(proc.pid)
                mem_peak = max([mem_start, mem_end, *memory.samples])
            finally:
                proc.send_signal(signal.SIGINT)
                try:
                    proc.wait(timeout=30)
                except subprocess.TimeoutExpired:
                    proc.kill()
        n = len(latencies)
        rate = n / wall
        failed = sum(errors.values())
        kinds = ", ".join(f"{k}: {v}" for k, v in sorted(errors.items())) or "none"
        p50 = statistics.median(latencies) * 1000 if n else float("nan")
        p95 = float(np.percentile(latencies, 95)) * 1000 if n else float("nan")
        print(
            f"workers={workers} clients={args.clients} duration={args.duration:.0f}s "
            f"try-ons={n} errors={failed} ({kinds}) throughput={rate:.2f}/s p50={p50:.0f} ms "
            f"p95={p95:.0f} ms rss start={mem_start:.0f} peak={mem_peak:.0f} end={mem_end:.0f} MB"
        )
        summary.append(
            f"{workers}w×{args.clients}c {rate:.2f}/s p50 {p50:.0f} ms p95 {p95:.0f} ms "
            f"err {failed} rss {mem_start:.0f}->{mem_end:.0f} MB"
        )
    print("summary: " + "; ".join(summary))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
