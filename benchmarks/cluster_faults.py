"""Load and faults on a local cluster (loopback only): 2 web processes, 2 job workers, PostgreSQL.

Scenarios, in order (each bounded in time):

* throughput: photo try-ons/s and p95 with 1 web process, then with 2 (``--throughput-s``);
* load (a): ``--minutes`` of shoppers (try-ons, catalogue, saved looks) and merchant uploads
  across both web processes: errors must be 0, and every process's RSS at the end within 10% of
  its RSS at minute 1;
* kill-web (b): SIGKILL one web process under load; the other keeps serving, every look saved
  before is still there;
* restart-db (d): PostgreSQL stopped and started under load: only clean 503s while it is down,
  everything answers again after, no account or saved look lost.

A worker killed mid-job (c) and a login across processes (f) are the pytest tests in
``tests/cluster/test_faults.py``. The try-on photo is the public-domain astronaut.

    python benchmarks/cluster_faults.py [--minutes 5] [--clients 4] [--base-port 8300]
"""

from __future__ import annotations

import argparse
import io
import statistics
import sys
import tempfile
import threading
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import httpx
from PIL import Image
from skimage import data

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO / "tests" / "cluster"))

from local_cluster import (  # noqa: E402
    LocalCluster,
    login,
    product_photo,
    register,
    shop_client,
    upload_garment,
    wait_for,
)


def astronaut_jpeg() -> bytes:
    buffer = io.BytesIO()
    Image.fromarray(data.astronaut()).save(buffer, "JPEG", quality=90)
    return buffer.getvalue()


@dataclass
class Tally:
    """Answers of one phase, by status code, with try-on latencies."""

    codes: Counter[int] = field(default_factory=Counter)
    failures: Counter[str] = field(default_factory=Counter)
    tryon_ms: list[float] = field(default_factory=list)
    looks: list[tuple[str, int]] = field(default_factory=list)  # (email, look id)
    seconds: float = 0.0
    lock: threading.Lock = field(default_factory=threading.Lock)

    def add(self, code: int, what: str) -> None:
        with self.lock:
            self.codes[code] += 1
            if code >= 400:
                self.failures[f"{what} {code}"] += 1

    def errors(self, allowed: tuple[int, ...] = ()) -> int:
        return sum(n for code, n in self.codes.items() if code >= 400 and code not in allowed)

    def p95_ms(self) -> float:
        ordered = sorted(self.tryon_ms)
        return ordered[int(0.95 * (len(ordered) - 1))] if ordered else 0.0


class Shopper(threading.Thread):
    """A logged-in shopper looping: catalogue, try-on, now and then a saved look."""

    def __init__(
        self, email: str, urls: list[str], garment_id: int, photo: bytes, tally: Tally
    ) -> None:
        super().__init__(daemon=True)
        self.email, self.urls, self.garment_id, self.photo = email, urls, garment_id, photo
        self.tally = tally
        self.stop = threading.Event()
        self.only_tryons = False

    def run(self) -> None:
        cookies: dict[str, str] = {}
        turn = 0
        while not self.stop.is_set():
            url = self.urls[turn % len(self.urls)]
            turn += 1
            try:
                with httpx.Client(base_url=url, cookies=cookies, timeout=120) as client:
                    if not cookies:
                        client.headers["X-CSRF-Token"] = client.get("/api/v1/auth/csrf").json()[
                            "csrf_token"
                        ]
                        answer = login(client, self.email)
                        self.tally.add(answer.status_code, "login")
                        if answer.status_code != 200:
                            time.sleep(0.5)
                            continue
                        cookies = dict(client.cookies)
                    client.headers["X-CSRF-Token"] = cookies["fitroom_csrf"]
                    self.cycle(client, turn)
            except httpx.TransportError:
                # A dead web process: a load balancer would drop it; so does this shopper.
                if len(self.urls) > 1:
                    self.urls = [u for u in self.urls if u != url]
                self.tally.add(599, f"connect {url}")

    def cycle(self, client: httpx.Client, turn: int) -> None:
        form = {"garment_id": str(self.garment_id), "size": "M"}
        files = {"photo": ("me.jpg", self.photo, "image/jpeg")}
        if not self.only_tryons:
            self.tally.add(client.get("/api/v1/garments").status_code, "catalogue")
        started = time.perf_counter()
        answer = client.post("/api/v1/tryon", data=form, files=files)
        self.tally.add(answer.status_code, "tryon")
        if answer.status_code == 200:
            with self.tally.lock:
                self.tally.tryon_ms.append((time.perf_counter() - started) * 1000)
        if not self.only_tryons and turn % 5 == 0:
            saved = client.post("/api/v1/looks", data=form, files=files)
            self.tally.add(saved.status_code, "look")
            if saved.status_code == 201:
                with self.tally.lock:
                    self.tally.looks.append((self.email, int(saved.json()["id"])))


def run_shoppers(
    emails: list[str],
    urls: list[str],
    garment_id: int,
    photo: bytes,
    seconds: float,
    *,
    only_tryons: bool = False,
    during: list[tuple[float, Callable[[], None]]] | None = None,
) -> Tally:
    """Shoppers for ``seconds``; ``during`` holds (at second, callable) actions."""
    tally = Tally()
    shoppers = [
        Shopper(email, urls[i % len(urls) :] + urls[: i % len(urls)], garment_id, photo, tally)
        for i, email in enumerate(emails)
    ]
    for shopper in shoppers:
        shopper.only_tryons = only_tryons
        shopper.start()
    started = time.monotonic()
    for at, action in sorted(during or [], key=lambda pair: pair[0]):
        time.sleep(max(0.0, at - (time.monotonic() - started)))
        action()
    time.sleep(max(0.0, seconds - (time.monotonic() - started)))
    for shopper in shoppers:
        shopper.stop.set()
    for shopper in shoppers:
        shopper.join(timeout=180)
    tally.seconds = time.monotonic() - started
    return tally


def looks_kept(cluster: LocalCluster, url: str, looks: list[tuple[str, int]]) -> int:
    """How many of ``looks`` their owners still see."""
    kept = 0
    for email in sorted({e for e, _ in looks}):
        with shop_client(url) as client:
            assert login(client, email).status_code == 200
            ids = {look["id"] for look in client.get("/api/v1/looks").json()}
        kept += sum(1 for e, look_id in looks if e == email and look_id in ids)
    return kept


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--minutes", type=float, default=5.0, help="length of the load (a)")
    parser.add_argument("--clients", type=int, default=4, help="concurrent shoppers")
    parser.add_argument("--throughput-s", type=float, default=60.0)
    parser.add_argument("--base-port", type=int, default=8300)
    args = parser.parse_args()

    photo = astronaut_jpeg()
    results: dict[str, str] = {}
    with tempfile.TemporaryDirectory(prefix="fitroom-faults-") as tmp:
        cluster = LocalCluster(
            root=Path(tmp),
            base_port=args.base_port,
            stall_seconds=5.0,
            preload_models=True,
            # Every shopper here is 127.0.0.1: the per-address limits would count the whole load
            # as one visitor, and the merchant's uploads must not meet the upload rate.
            extra_env={
                "FITROOM_REGISTER_ATTEMPTS": "1000",
                "FITROOM_LOGIN_ADDRESS_ATTEMPTS": "1000",
                "FITROOM_UPLOAD_ATTEMPTS": "100000",
            },
        )
        cluster.start_postgres()
        cluster.reset_database()
        try:
            web1_port, web2_port = cluster.web_ports()
            web1 = cluster.start_web("web1", web1_port, migrate=True).port
            web2 = cluster.start_web("web2", web2_port, migrate=False).port
            cluster.start_worker("worker1")
            cluster.start_worker("worker2")
            urls = [f"http://127.0.0.1:{web1}", f"http://127.0.0.1:{web2}"]
            with shop_client(urls[0]) as merchant:
                assert register(merchant, "merchant@faults.example").status_code == 201
                cluster.sql("UPDATE users SET role = 'merchant'")
                login(merchant, "merchant@faults.example")
                job = upload_garment(merchant, product_photo(seed=7), "Load Test Shirt").json()
                garment_id = int(job["garment_id"])
                wait_for(
                    lambda: (
                        merchant.get(f"/api/v1/merchant/jobs/{job['job']['id']}").json()["status"]
                        == "done"
                        or None
                    ),
                    300,
                    "the garment",
                )
            emails = [f"shopper{i}@faults.example" for i in range(args.clients)]
            for i, email in enumerate(emails):
                with shop_client(urls[i % 2]) as client:
                    assert register(client, email).status_code == 201
            for url in urls:  # warm-up: each process loads the garment once
                run_shoppers(emails[:1], [url], garment_id, photo, 1, only_tryons=True)

            # Throughput with 1 and with 2 web processes.
            for count in (1, 2):
                tally = run_shoppers(
                    emails, urls[:count], garment_id, photo, args.throughput_s, only_tryons=True
                )
                rate = len(tally.tryon_ms) / tally.seconds
                print(
                    f"throughput web_processes={count} tryons_per_s={rate:.2f} "
                    f"p50_ms={statistics.median(tally.tryon_ms or [0]):.0f} "
                    f"p95_ms={tally.p95_ms():.0f} errors={tally.errors()}",
                    flush=True,
                )
                results[f"tryons_per_s_{count}web"] = f"{rate:.2f}"

            # (a) the long load, with merchant uploads, memory at minute 1 and at the end.
            rss_at_1: dict[str, float] = {}
            uploads: list[int] = []

            def sample() -> None:
                rss_at_1.update({n: p.rss_mb() for n, p in cluster.processes.items()})

            def upload() -> None:
                with shop_client(urls[len(uploads) % 2]) as merchant:
                    login(merchant, "merchant@faults.example")
                    answer = upload_garment(merchant, product_photo(seed=100 + len(uploads)), "u")
                    uploads.append(answer.status_code)

            seconds = args.minutes * 60
            # Memory is compared from minute 1 (start-up allocations settled) to the end.
            actions: list[tuple[float, Callable[[], None]]] = [(min(60.0, seconds / 2), sample)]
            actions += [(float(t), upload) for t in range(20, max(21, int(seconds) - 20), 60)]
            tally = run_shoppers(emails, urls, garment_id, photo, seconds, during=actions)
            rss_end = {n: p.rss_mb() for n, p in cluster.processes.items()}
            growth = {n: rss_end[n] / rss_at_1[n] - 1 for n in rss_end}
            print(
                f"load minutes={args.minutes} requests={sum(tally.codes.values())} "
                f"tryons={len(tally.tryon_ms)} looks={len(tally.looks)} uploads={uploads} "
                f"errors={tally.errors()} {dict(tally.failures)}",
                flush=True,
            )
            for name in rss_end:
                print(
                    f"  rss {name}: minute1={rss_at_1[name]:.0f} MB end={rss_end[name]:.0f} MB "
                    f"({growth[name] * 100:+.1f}%)"
                )
            results["load_errors"] = str(tally.errors())
            results["max_rss_growth_pct"] = f"{max(growth.values()) * 100:.1f}"
            looks = list(tally.looks)

            # (b) kill -9 one web process under load.
            tally = run_shoppers(
                emails, urls, garment_id, photo, 60, during=[(20.0, lambda: cluster.kill("web2"))]
            )
            kept = looks_kept(cluster, urls[0], looks + tally.looks)
            lost_requests = tally.codes[599]
            print(
                f"kill-web: answered={sum(tally.codes.values()) - lost_requests} "
                f"refused_connections={lost_requests} http_errors={tally.errors((599,))} "
                f"looks_kept={kept}/{len(looks) + len(tally.looks)}",
                flush=True,
            )
            results["killweb_http_errors"] = str(tally.errors((599,)))
            results["looks_lost"] = str(len(looks) + len(tally.looks) - kept)
            looks += tally.looks

            # (d) restart PostgreSQL under load (on the surviving web process).
            def restart() -> None:
                cluster.stop_postgres()
                time.sleep(10)
                cluster.start_postgres()

            tally = run_shoppers(emails, urls[:1], garment_id, photo, 60, during=[(15.0, restart)])
            other = tally.errors((503,))
            after = run_shoppers(emails, urls[:1], garment_id, photo, 20)
            kept = looks_kept(cluster, urls[0], looks)
            print(
                f"restart-db: 503s={tally.codes[503]} other_errors={other} "
                f"{dict(tally.failures)}; after: requests={sum(after.codes.values())} "
                f"errors={after.errors()}; looks_kept={kept}/{len(looks)}",
                flush=True,
            )
            results["restart_other_errors"] = str(other)
            results["after_restart_errors"] = str(after.errors())
            results["looks_lost_after_restart"] = str(len(looks) - kept)
        finally:
            cluster.stop_all()
            cluster.stop_postgres()
    print("SUMMARY " + " ".join(f"{k}={v}" for k, v in results.items()))


if __name__ == "__main__":
    main()
