"""The .fitg package: round trip, and typed refusals of corrupt or foreign files."""

from __future__ import annotations

import json
import zipfile
from pathlib import Path

import numpy as np
import pytest

from fitroom.errors import GarmentError, GarmentNotFound, GarmentPackageError
from fitroom.garments import Garment, ingest_garment, load_garment, parse_size_chart, save_garment
from fitroom.garments.synth import synth_garment


@pytest.fixture(scope="module")
def garment() -> Garment:
    chart = parse_size_chart("size,chest_cm,waist_cm\nS,86-91,71-76\nM,96-101,81-86\n")
    return ingest_garment(synth_garment("shirt", seed=8).image, name="shirt", size_chart=chart)


def test_round_trip(garment: Garment, tmp_path: Path) -> None:
    path = save_garment(garment, tmp_path / "shirt")
    assert path.suffix == ".fitg"
    loaded = load_garment(path)
    np.testing.assert_array_equal(loaded.cutout, garment.cutout)
    np.testing.assert_array_equal(loaded.parts, garment.parts)
    assert loaded.landmarks.names == garment.landmarks.names
    np.testing.assert_allclose(loaded.landmarks.points, garment.landmarks.points, atol=1e-4)
    assert loaded.size_chart is not None and loaded.size_chart.sizes == ("S", "M")
    assert loaded.features.pattern == garment.features.pattern
    np.testing.assert_allclose(loaded.features.vector, garment.features.vector, atol=1e-6)
    with zipfile.ZipFile(path) as zf:
        doc = json.loads(zf.read("garment.json"))
    assert doc["format"] == "fitroom-garment" and doc["version"] == 1


def test_corrupt_file_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "broken.fitg"
    path.write_bytes(b"PK\x03\x04 this is not really a zip archive")
    with pytest.raises(GarmentPackageError, match="not a fitroom garment package"):
        load_garment(path)


def test_truncated_package_is_refused(garment: Garment, tmp_path: Path) -> None:
    path = save_garment(garment, tmp_path / "g")
    data = path.read_bytes()
    path.write_bytes(data[: len(data) // 2])
    with pytest.raises(GarmentPackageError):
        load_garment(path)


def _rewrite(path: Path, edit: object) -> None:
    with zipfile.ZipFile(path) as zf:
        files = {n: zf.read(n) for n in zf.namelist()}
    doc = json.loads(files["garment.json"])
    edit(doc)  # type: ignore[operator]
    files["garment.json"] = json.dumps(doc).encode()
    with zipfile.ZipFile(path, "w") as zf:
        for n, d in files.items():
            zf.writestr(n, d)


@pytest.mark.parametrize(
    ("edit", "message"),
    [
        (lambda d: d.update(version=99), "version 99 is not supported"),
        (lambda d: d.update(format="something-else"), "format"),
        (lambda d: d.pop("category"), "category"),
        (lambda d: d.update(width=5), "garment.json says"),
        (lambda d: d.update(landmarks={"neck_center": [1, 2]}), "landmarks"),
        (lambda d: d.update(subcategory="trousers"), "does not belong"),
    ],
)
def test_invalid_documents_are_refused(
    garment: Garment, tmp_path: Path, edit: object, message: str
) -> None:
    path = save_garment(garment, tmp_path / "g")
    _rewrite(path, edit)
    with pytest.raises(GarmentPackageError, match=message):
        load_garment(path)


def test_missing_package(tmp_path: Path) -> None:
    with pytest.raises(GarmentNotFound):
        load_garment(tmp_path / "nope.fitg")


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("chest,waist\n90,70\n", "first column must be 'size'"),
        ("size,chest\nM,ninety\n", "not a number"),
        ("size,chest\nM,100-90\n", "backwards"),
        ("size,chest\n", "at least one size"),
    ],
)
def test_bad_size_charts_are_refused(text: str, message: str) -> None:
    with pytest.raises(GarmentError, match=message):
        parse_size_chart(text)
