from __future__ import annotations

import argparse
import json
import os
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

from fitroom.cli import serve

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


def parse(*argv: str) -> argparse.Namespace:
    parser = argparse.ArgumentParser()
    sub = parser.add_subparsers(dest="command", required=True)
    serve.register(sub)
    return parser.parse_args(["serve", *argv])


def test_serve_defaults() -> None:
    args = parse()
    assert (args.host, args.port, args.workers, args.no_seed) == ("127.0.0.1", 8000, 1, False)
    assert parse("--port", "9001", "--workers", "2").workers == 2


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port: int = s.getsockname()[1]
        return port


@pytest.mark.slow
def test_serve_answers_health(tmp_path: Path) -> None:
    port = free_port()
    env = {
        "PATH": "/usr/bin:/bin",
        "FITROOM_VAR_DIR": str(tmp_path / "var"),
        "FITROOM_SEED_LIMIT": "1",
    }
    proc = subprocess.Popen(
        [sys.executable, "-c", LAUNCH, "serve", "--port", str(port), "--log-level", "warning"],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
    )
    try:
        deadline = time.monotonic() + 180  # start-up on a busy 2-core machine
        body = None
        while time.monotonic() < deadline and proc.poll() is None:
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/api/v1/health") as r:
                    body = json.load(r)
                break
            except OSError:
                time.sleep(0.3)
        assert body is not None, proc.stdout.read().decode() if proc.poll() is not None else ""
        assert body["status"] == "ok"
        assert (tmp_path / "var" / "fitroom.sqlite3").is_file()
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/api/v1/garments") as r:
            assert json.load(r)["count"] == 1
    finally:
        stop(proc)


def start_serve(tmp_path: Path, port: int, *extra: str) -> subprocess.Popen[bytes]:
    """``fitroom serve --no-seed`` on 127.0.0.1:port with its var folder under ``tmp_path``."""
    env = {"PATH": "/usr/bin:/bin", "FITROOM_VAR_DIR": str(tmp_path / "var")}
    if "PYTHONPATH" in os.environ:  # the checkout under test, not an installed copy
        env["PYTHONPATH"] = os.environ["PYTHONPATH"]
    return subprocess.Popen(
        [sys.executable, "-c", LAUNCH, "serve", "--port", str(port), "--no-seed", *extra],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
    )


def wait_healthy(proc: subprocess.Popen[bytes], port: int, seconds: float = 120.0) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline and proc.poll() is None:
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/api/v1/health") as r:
                if json.load(r)["status"] == "ok":
                    return
        except OSError:
            time.sleep(0.3)
    output = proc.stdout.read().decode() if proc.poll() is not None and proc.stdout else ""
    raise AssertionError(f"fitroom serve did not become healthy: {output}")


def stop(proc: subprocess.Popen[bytes]) -> None:
    proc.terminate()
    try:
        proc.wait(timeout=20)
    finally:
        if proc.stdout is not None:
            proc.stdout.close()


@pytest.mark.slow
def test_finding_01_forwarded_for_does_not_reset_login_lockout(tmp_path: Path) -> None:
    # The review's requests against a default `fitroom serve` (uvicorn in front, 127.0.0.1):
    # X-Forwarded-For from an untrusted peer must not give a locked account fresh tries.
    import httpx

    port = free_port()
    proc = start_serve(tmp_path, port, "--log-level", "warning")
    try:
        wait_healthy(proc, port)
        with httpx.Client(base_url=f"http://127.0.0.1:{port}") as client:
            token = client.get("/api/v1/auth/csrf").json()["csrf_token"]
            email, password = "victim@example.com", "correct horse battery"
            registered = client.post(
                "/api/v1/auth/register",
                json={"email": email, "password": password, "display_name": "V"},
                headers={"X-CSRF-Token": token},
            )
            assert registered.status_code == 201, registered.text
            token = client.cookies["fitroom_csrf"]
            assert client.post("/api/v1/auth/logout", headers={"X-CSRF-Token": token}).is_success

            def login(secret: str, forwarded: str | None = None) -> int:
                # A token for the cookies the client holds now (a log-in replaces them).
                token = client.get("/api/v1/auth/csrf").json()["csrf_token"]
                headers = {"X-CSRF-Token": token}
                if forwarded:
                    headers["X-Forwarded-For"] = forwarded
                body = {"email": email, "password": secret}
                return client.post("/api/v1/auth/login", json=body, headers=headers).status_code

            first = [login("wrong") for _ in range(6)]
            assert first == [401] * 5 + [429]
            spoofed = [login("wrong", f"10.0.0.{i}") for i in range(10)]
            assert spoofed == [429] * 10
            assert login(password, "10.0.0.99") == 429
            assert login(password) == 429
    finally:
        stop(proc)
