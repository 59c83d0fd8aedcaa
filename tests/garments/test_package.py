"""The .fitg package: round trip, and typed refusals of corrupt or foreign files."""

from __future__ import annotations

import dataclasses
import io
import json
import struct
import zipfile
import zlib
from pathlib import Path

import numpy as np
import pytest

from fitroom.errors import GarmentError, GarmentNotFound, GarmentPackageError
from fitroom.garments import (
    Garment,
    GarmentPart,
    ingest_garment,
    load_garment,
    load_garment_bytes,
    parse_size_chart,
    save_garment,
)
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


def test_round_trip_keeps_the_neck_opening(garment: Garment, tmp_path: Path) -> None:
    """The inside seen through the neck opening is a part like the others: saved and loaded
    with it (a package without it loads as before and gets the dressing's fixed opening)."""
    parts = garment.parts.copy()
    parts[: parts.shape[0] // 8][parts[: parts.shape[0] // 8] == int(GarmentPart.BODY)] = np.uint8(
        GarmentPart.NECK_INSIDE
    )
    assert (parts == int(GarmentPart.NECK_INSIDE)).any()
    opened = dataclasses.replace(garment, parts=parts)
    loaded = load_garment(save_garment(opened, tmp_path / "opened"))
    np.testing.assert_array_equal(loaded.parts, parts)
    with zipfile.ZipFile(tmp_path / "opened.fitg") as zf:
        doc = json.loads(zf.read("garment.json"))
    assert doc["parts_legend"][str(int(GarmentPart.NECK_INSIDE))] == "neck_inside"


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


# --- Findings 12 and 13 of issue 16: corrupt and hostile packages -------------------------


def _members(garment: Garment, tmp_path: Path) -> dict[str, bytes]:
    path = save_garment(garment, tmp_path / "source")
    with zipfile.ZipFile(path) as zf:
        return {n: zf.read(n) for n in zf.namelist()}


def _package(
    members: dict[str, bytes], path: Path, deflate: tuple[str, ...] = ("garment.json",)
) -> Path:
    with zipfile.ZipFile(path, "w") as zf:
        for name, data in members.items():
            method = zipfile.ZIP_DEFLATED if name in deflate else zipfile.ZIP_STORED
            zf.writestr(name, data, compress_type=method)
    return path


def _patch_headers(
    data: bytes, name: bytes, offset_local: int, offset_central: int, value: bytes
) -> bytes:
    """Overwrite a field of ``name``'s local and central directory headers."""
    out = bytearray(data)
    for magic, offset, name_at in (
        (b"PK\x03\x04", offset_local, 30),
        (b"PK\x01\x02", offset_central, 46),
    ):
        at = out.find(magic)
        while at >= 0:
            if bytes(out[at + name_at : at + name_at + len(name)]) == name:
                out[at + offset : at + offset + len(value)] = value
            at = out.find(magic, at + 4)
    return bytes(out)


def _data_span(data: bytes, name: str) -> tuple[int, int]:
    with zipfile.ZipFile(io.BytesIO(data)) as zf:
        info = zf.getinfo(name)
    at = info.header_offset
    name_len, extra_len = struct.unpack("<HH", data[at + 26 : at + 30])
    start = at + 30 + name_len + extra_len
    return start, start + info.compress_size


def _one_line_cli_refusal(path: Path, capsys: pytest.CaptureFixture[str]) -> str:
    from fitroom.cli import main

    assert main(["garment", "inspect", str(path), "--json"]) == 2
    err = capsys.readouterr().err.strip()
    assert err.startswith("fitroom: error: ") and "\n" not in err
    return err


def _corrupt(kind: str, members: dict[str, bytes], tmp_path: Path) -> Path:
    path = _package(members, tmp_path / f"{kind}.fitg")
    data = path.read_bytes()
    if kind == "unsupported_compression":
        data = _patch_headers(data, b"garment.json", 8, 10, struct.pack("<H", 99))
    elif kind == "broken_deflate":
        start, end = _data_span(data, "garment.json")
        data = data[:start] + b"\xff" * (end - start) + data[end:]
    elif kind == "encryption_flag":
        data = _patch_headers(data, b"garment.json", 6, 8, struct.pack("<H", 1))
    elif kind == "deep_json":
        deep = dict(members, **{"garment.json": b"[" * 100_000 + b"]" * 100_000})
        data = _package(deep, tmp_path / "deep.fitg").read_bytes()
    elif kind == "flipped_byte_in_member":
        start, end = _data_span(data, "cutout.png")
        middle = (start + end) // 2
        data = data[:middle] + bytes([data[middle] ^ 0xFF]) + data[middle + 1 :]
    path.write_bytes(data)
    return path


@pytest.mark.parametrize(
    ("kind", "message"),
    [
        ("unsupported_compression", "compression method 99"),
        ("broken_deflate", "garment.json inside the package is corrupt"),
        ("encryption_flag", "encrypted"),
        ("deep_json", "nests 100000 levels"),
        ("flipped_byte_in_member", "cutout.png inside the package is corrupt"),
    ],
)
def test_finding_12_corrupt_packages_are_one_line_errors(
    garment: Garment,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    kind: str,
    message: str,
) -> None:
    path = _corrupt(kind, _members(garment, tmp_path), tmp_path)
    with pytest.raises(GarmentPackageError, match=message) as caught:
        load_garment(path)
    assert "not a ZIP archive" not in str(caught.value)
    with pytest.raises(GarmentPackageError, match=message):
        load_garment_bytes(path.read_bytes())
    assert message in _one_line_cli_refusal(path, capsys)


def test_finding_12_unsupported_compression_is_a_one_line_error(
    garment: Garment, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = _corrupt("unsupported_compression", _members(garment, tmp_path), tmp_path)
    err = _one_line_cli_refusal(path, capsys)
    assert "ZIP compression method 99" in err and "Traceback" not in err


_MEASURE_LOAD = """
import resource, sys, time
from fitroom.errors import GarmentPackageError
from fitroom.garments import load_garment
start = time.perf_counter()
try:
    load_garment(sys.argv[1])
    outcome = "loaded"
except GarmentPackageError as exc:
    outcome = "refused: " + str(exc)
seconds = time.perf_counter() - start
print(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss // 1024, round(seconds, 2), outcome)
"""


def _load_in_child(path: Path) -> tuple[int, float, str]:
    """Peak RSS (MiB), seconds and outcome of loading ``path`` in a fresh interpreter."""
    import subprocess
    import sys

    proc = subprocess.run(
        [sys.executable, "-c", _MEASURE_LOAD, str(path)],
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert proc.returncode == 0, proc.stderr
    peak, seconds, outcome = proc.stdout.strip().split(" ", 2)
    return int(peak), float(seconds), outcome


@pytest.fixture(scope="module")
def baseline_rss(tmp_path_factory: pytest.TempPathFactory) -> int:
    """Peak RSS (MiB) of a child that imports fitroom and refuses a tiny non-package."""
    path = tmp_path_factory.mktemp("baseline") / "not-a-zip.fitg"
    path.write_bytes(b"not a zip")
    peak, _, outcome = _load_in_child(path)
    assert outcome.startswith("refused")
    return peak


def _blank_grey_png(width: int, height: int) -> bytes:
    """A real 8-bit grey PNG of width×height zeros: tiny on disk, width·height bytes decoded."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        crc = struct.pack(">I", zlib.crc32(kind + data))
        return struct.pack(">I", len(data)) + kind + data + crc

    ihdr = struct.pack(">IIBBBBB", width, height, 8, 0, 0, 0, 0)
    squeeze = zlib.compressobj(9)
    row = bytes(width + 1)  # filter byte 0, then the row
    rows = 256
    idat = b"".join(squeeze.compress(row * rows) for _ in range(height // rows))
    idat += squeeze.compress(row * (height % rows)) + squeeze.flush()
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", ihdr) + chunk(b"IDAT", idat) + chunk(b"IEND", b"")


def test_finding_13_zip_bomb_member_is_refused_before_inflating(
    garment: Garment, tmp_path: Path, baseline_rss: int
) -> None:
    members = _members(garment, tmp_path)
    bomb = tmp_path / "bomb.fitg"
    zero = bytes(1 << 20)
    # 1 GiB of zeros deflated into about a megabyte, written in 1 MiB pieces.
    with zipfile.ZipFile(bomb, "w", compression=zipfile.ZIP_DEFLATED) as zf:
        info = zipfile.ZipInfo("garment.json")
        info.compress_type = zipfile.ZIP_DEFLATED
        with zf.open(info, "w") as handle:
            for _ in range(1024):
                handle.write(zero)
        zf.writestr("cutout.png", members["cutout.png"], compress_type=zipfile.ZIP_STORED)
        zf.writestr("parts.png", members["parts.png"], compress_type=zipfile.ZIP_STORED)
    assert bomb.stat().st_size < 8 * 1024 * 1024
    baseline = baseline_rss
    peak, seconds, outcome = _load_in_child(bomb)
    assert peak - baseline < 64, f"peak RSS {peak} MiB, {baseline} MiB without the package"
    assert seconds < 5.0
    assert outcome.startswith("refused") and "over the limit" in outcome, outcome
    # The same bomb with a header that lies (declares 1,000 bytes): inflating stops at the cap.
    liar = tmp_path / "liar.fitg"
    liar.write_bytes(
        _patch_headers(bomb.read_bytes(), b"garment.json", 22, 24, struct.pack("<I", 1000))
    )
    with zipfile.ZipFile(liar) as zf:
        assert zf.getinfo("garment.json").file_size == 1000
    peak, seconds, outcome = _load_in_child(liar)
    assert outcome.startswith("refused"), outcome
    assert peak - baseline < 64


@pytest.mark.parametrize("declared", ["30000x30000", "photo size"])
def test_finding_13_huge_image_header_is_refused_before_decoding(
    garment: Garment, tmp_path: Path, declared: str, baseline_rss: int
) -> None:
    members = _members(garment, tmp_path)
    doc = json.loads(members["garment.json"])
    if declared == "30000x30000":
        doc.update(width=30000, height=30000)
    members["garment.json"] = json.dumps(doc).encode()
    members["parts.png"] = _blank_grey_png(30000, 30000)
    path = _package(members, tmp_path / "huge.fitg")
    baseline = baseline_rss
    peak, _, outcome = _load_in_child(path)
    assert peak - baseline < 200, f"peak RSS {peak} MiB, {baseline} MiB without the package"
    assert outcome.startswith("refused") and "30000" in outcome, outcome


def test_package_with_a_huge_directory_is_refused(garment: Garment, tmp_path: Path) -> None:
    members = _members(garment, tmp_path)
    members.update({f"junk{i}": b"" for i in range(200)})
    path = _package(members, tmp_path / "many.fitg")
    with pytest.raises(GarmentPackageError, match="lists 203 members"):
        load_garment(path)
