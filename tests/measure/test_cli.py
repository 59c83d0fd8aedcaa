"""``fitroom measure`` / ``fitroom size`` through their own parser (the lead wires them in)."""

from __future__ import annotations

import argparse
import json
from pathlib import Path

import pytest

from fitroom.cli import measure
from fitroom.errors import GarmentNotFound, PersonNotUsable
from fitroom.garments import ingest_garment, save_garment
from fitroom.garments.synth import synth_garment


def parser() -> argparse.ArgumentParser:
    root = argparse.ArgumentParser(prog="fitroom")
    root.add_argument("--threads", type=int, default=2)
    sub = root.add_subparsers(dest="command", required=True)
    measure.register(sub)
    return root


def test_height_is_required(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit):
        parser().parse_args(["measure", "photo.jpg"])
    assert "--height" in capsys.readouterr().err


def test_size_without_chart_says_so(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    garment = ingest_garment(synth_garment("shirt", seed=3).image, name="plain shirt")
    path = save_garment(garment, tmp_path / "shirt")
    args = parser().parse_args(["size", "unused.jpg", str(path), "--height", "172", "--json"])
    assert args.run(args) == measure.NO_CHART_EXIT
    doc = json.loads(capsys.readouterr().out)
    assert doc["advice"]["recommended"] is None
    assert "no size chart" in doc["advice"]["message"]


def test_missing_garment(tmp_path: Path) -> None:
    args = parser().parse_args(["size", "x.jpg", str(tmp_path / "none.fitg"), "--height", "172"])
    with pytest.raises(GarmentNotFound):
        args.run(args)


@pytest.mark.shared
def test_measure_refuses_a_cropped_head(shared_data: Path) -> None:
    photo = shared_data / "persons" / "dresscode_049205_0.jpg"
    args = parser().parse_args(["measure", str(photo), "--height", "180", "--json"])
    with pytest.raises(PersonNotUsable, match="head"):
        args.run(args)


@pytest.mark.shared
def test_measure_with_head_optional_warns(
    shared_data: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    photo = shared_data / "persons" / "dresscode_049205_0.jpg"
    argv = ["measure", str(photo), "--height", "180", "--head-optional", "--json"]
    args = parser().parse_args(argv)
    assert args.run(args) == 0
    doc = json.loads(capsys.readouterr().out)
    assert doc["measurements_cm"]["height"] == 180.0
    assert doc["scale"]["source"] == "proportions"
    assert any("proportions" in w for w in doc["warnings"])
