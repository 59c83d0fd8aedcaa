from __future__ import annotations

import argparse
import json
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
        proc.terminate()
        try:
            proc.wait(timeout=20)
        finally:
            if proc.stdout is not None:
                proc.stdout.close()
