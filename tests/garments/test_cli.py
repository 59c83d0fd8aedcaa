"""``fitroom garment`` subcommands end to end on drawn photos."""

from __future__ import annotations

import json
from pathlib import Path

import cv2
import numpy as np
import pytest

from fitroom.cli import main
from fitroom.garments import load_garment
from fitroom.garments.synth import synth_garment
from fitroom.imaging import encode_png


@pytest.fixture()
def photos(tmp_path: Path) -> Path:
    folder = tmp_path / "photos"
    folder.mkdir()
    for i, kind in enumerate(["t-shirt", "trousers"]):
        (folder / f"{kind}.png").write_bytes(encode_png(synth_garment(kind, seed=i).image))
    return folder


def test_add_inspect_cutout(
    photos: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "garments"
    assert main(["garment", "add", str(photos), "-o", str(out), "--workers", "2", "-q"]) == 0
    packages = sorted(out.glob("*.fitg"))
    assert [p.stem for p in packages] == ["t-shirt", "trousers"]
    capsys.readouterr()
    sheet = tmp_path / "sheet.png"
    assert main(["garment", "inspect", str(packages[1]), "-o", str(sheet), "--json"]) == 0
    doc = json.loads(capsys.readouterr().out)
    assert doc["category"] == "lower" and "crotch" in doc["landmarks"]
    assert len(doc["landmarks"]["crotch"]) == 3
    assert cv2.imread(str(sheet)) is not None
    mask_path = tmp_path / "mask.png"
    assert main(["garment", "cutout", str(photos / "t-shirt.png"), "-o", str(mask_path)]) == 0
    mask = cv2.imread(str(mask_path), cv2.IMREAD_UNCHANGED)
    assert mask.shape == (1024, 768) and mask.dtype == np.uint8


def test_add_reports_refusals(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    blank = tmp_path / "blank.png"
    blank.write_bytes(encode_png(np.full((300, 200, 3), 245, np.uint8)))
    assert main(["garment", "add", str(blank), "-o", str(tmp_path / "o"), "-q"]) == 1
    assert "refused: no garment found" in capsys.readouterr().out


def test_demo_catalog_is_generated(tmp_path: Path) -> None:
    assert main(["garment", "demo", "-o", str(tmp_path), "-q"]) == 0
    packages = sorted(tmp_path.glob("*.fitg"))
    assert len(packages) == 10
    kinds = {load_garment(p).category for p in packages}
    assert kinds == {"upper", "lower", "full"}
    assert all(load_garment(p).provenance.source_name.endswith(".synthetic") for p in packages)


def test_corrupt_package_gives_a_one_line_error(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    bad = tmp_path / "bad.fitg"
    bad.write_bytes(b"garbage")
    assert main(["garment", "inspect", str(bad), "--json"]) == 2
    assert "not a fitroom garment package" in capsys.readouterr().err


def test_finding_15_photos_sharing_a_name_get_distinct_packages(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    tee_jpg, tee_png = tmp_path / "tee.jpg", tmp_path / "tee.png"
    cv2.imwrite(
        str(tee_jpg), cv2.cvtColor(synth_garment("t-shirt", seed=1).image, cv2.COLOR_RGB2BGR)
    )
    tee_png.write_bytes(encode_png(synth_garment("trousers", seed=2).image))
    other = tmp_path / "other"
    other.mkdir()
    (other / "tee.png").write_bytes(encode_png(synth_garment("skirt", seed=3).image))
    out = tmp_path / "garments"
    argv = ["garment", "add", str(tee_jpg), str(tee_png), str(other / "tee.png"), str(tee_jpg)]
    assert main([*argv, "-o", str(out), "-q", "--workers", "1"]) == 0
    printed = capsys.readouterr().out
    assert "3 garments written" in printed
    packages = sorted(p.name for p in out.glob("*.fitg"))
    assert packages == ["tee-jpg.fitg", "tee-png-2.fitg", "tee-png.fitg"]
    kinds = sorted(load_garment(out / name).subcategory for name in packages)
    assert kinds == ["skirt", "t-shirt", "trousers"]
