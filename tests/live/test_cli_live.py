"""``fitroom live --input ... --output ...`` headless: the dressed video and the LIVE line."""

from __future__ import annotations

import argparse
import re
from pathlib import Path

import cv2
import pytest

from fitroom.cli import live
from fitroom.errors import InputError


def _run(*argv: str) -> int:
    parser = argparse.ArgumentParser(prog="fitroom")
    parser.add_argument("--threads", type=int, default=2)
    sub = parser.add_subparsers(dest="command", required=True)
    live.register(sub)
    args = parser.parse_args(["live", *argv])
    code: int = args.run(args)
    return code


@pytest.mark.shared
def test_headless_run_writes_every_frame_and_prints_the_live_line(
    clip_path: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "dressed.mp4"
    code = _run(
        "--input",
        str(clip_path),
        "--output",
        str(out),
        "--garment",
        "demo:striped-tee",
        "--background",
        "studio",
        "--no-progress",
    )
    assert code == 0
    line = capsys.readouterr().out.strip().splitlines()[-1]
    match = re.fullmatch(
        r"LIVE frames=(\d+) dropped=(\d+) fps=([\d.]+) p50_ms=([\d.]+) p95_ms=([\d.]+) lost=(\d+)",
        line,
    )
    assert match, line
    source = cv2.VideoCapture(str(clip_path))
    expected = int(source.get(cv2.CAP_PROP_FRAME_COUNT))
    source.release()
    assert int(match.group(1)) == expected and int(match.group(2)) == 0
    video = cv2.VideoCapture(str(out))
    count = 0
    while True:
        ok, frame = video.read()
        if not ok:
            break
        assert frame.shape == (480, 640, 3)
        count += 1
    video.release()
    assert count == expected


def test_bad_arguments_are_input_errors(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="--output"):
        _run("--input", "x.mp4")
    with pytest.raises(InputError, match="unknown demo garment"):
        _run("--input", "x.mp4", "--output", str(tmp_path / "o.mp4"), "--garment", "demo:cape")
    with pytest.raises(InputError, match="scene"):
        _run(
            "--input",
            "x.mp4",
            "--output",
            str(tmp_path / "o.mp4"),
            "--background",
            "moon",
        )
