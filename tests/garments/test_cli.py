"""``fitroom garment`` subcommands end to end on drawn photos."""

from __future__ import annotations

import json
import os
import subprocess
import sys
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


def _fitroom(*argv: str) -> subprocess.CompletedProcess[str]:
    """The CLI in a child process: a hang shows as a timeout instead of stalling the suite."""
    return subprocess.run(
        [sys.executable, "-m", "fitroom", *argv], capture_output=True, text=True, timeout=120
    )


def test_grey_photos_in_every_png_flavour_are_one_garment(tmp_path: Path) -> None:
    from PIL import Image

    grey = Image.fromarray(synth_garment("t-shirt", seed=4).image).convert("L")
    flavours = {
        "l.png": grey,
        "la.png": grey.convert("LA"),
        "sixteen.png": Image.fromarray(np.asarray(grey).astype(np.uint16) * 257),
        "palette4.png": grey.quantize(16),
    }
    for name, image in flavours.items():
        image.save(tmp_path / name, bits=4) if name == "palette4.png" else image.save(
            tmp_path / name
        )
    out = tmp_path / "garments"
    proc = _fitroom("garment", "add", *(str(tmp_path / n) for n in flavours), "-o", str(out), "-q")
    assert proc.returncode == 0, proc.stdout + proc.stderr
    reference = load_garment(out / "l.fitg")
    assert reference.category == "upper"
    for name in flavours:
        garment = load_garment(out / f"{Path(name).stem}.fitg")
        assert garment.subcategory == reference.subcategory, name
        agree = (garment.cutout[..., 3] >= 128) == (reference.cutout[..., 3] >= 128)
        assert agree.mean() > 0.99, name


def test_finding_16_a_folder_fifo_or_device_input_is_named_in_one_line(tmp_path: Path) -> None:
    fifo = tmp_path / "pipe.png"
    os.mkfifo(fifo)
    zero = tmp_path / "zero.jpg"
    zero.symlink_to("/dev/zero")
    package_fifo = tmp_path / "pipe.fitg"
    os.mkfifo(package_fifo)
    chart_fifo = tmp_path / "chart.csv"
    os.mkfifo(chart_fifo)
    tee = tmp_path / "tee.png"
    tee.write_bytes(encode_png(synth_garment("t-shirt", seed=2).image))
    folder = tmp_path / "folder.png"
    folder.mkdir()
    runs = [
        (["garment", "cutout", str(folder), "-o", str(tmp_path / "m.png")], "is a folder"),
        (["garment", "cutout", str(fifo), "-o", str(tmp_path / "m.png")], "is a named pipe"),
        (["garment", "cutout", str(zero), "-o", str(tmp_path / "m.png")], "character device"),
        (["garment", "inspect", str(package_fifo)], "is a named pipe"),
        (["garment", "inspect", str(tmp_path)], "is a folder"),
        (["tryon", str(zero), str(tee), "-o", str(tmp_path / "r.png")], "character device"),
        (["tryon", str(tee), str(package_fifo), "-o", str(tmp_path / "r.png")], "named pipe"),
        (
            [
                "garment",
                "add",
                str(tee),
                "--size-chart",
                str(chart_fifo),
                "-o",
                str(tmp_path),
                "-q",
            ],
            "named pipe",
        ),
    ]
    for argv, message in runs:
        proc = _fitroom(*argv)
        err = proc.stderr.strip() + proc.stdout.strip()
        assert proc.returncode in (1, 2), (argv, err)
        assert message in err and "no such file" not in err and "Traceback" not in err, (argv, err)
        assert len(proc.stderr.strip().splitlines()) <= 1, (argv, proc.stderr)


#: A red/white/navy tee on a light-grey backdrop: in grey, its white band is the backdrop's tone
#: and only its outline tells them apart (the cutout's edge-stopped backdrop flood). In 16 greys
#: parts of the band take the backdrop's very level, so the 4-bit flavour is tested on a drawn
#: garment (test_grey_photos_in_every_png_flavour_are_one_garment) and by exact decoding.
GREY_TEE = "garments/vitonhd_00126_00.jpg"


@pytest.mark.shared
def test_finding_16_grey_product_photo_is_one_garment(
    shared_data: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    from PIL import Image

    colour = Image.open(shared_data / GREY_TEE).convert("RGB")
    grey = colour.convert("L")
    flavours = {
        "colour.png": (colour, {}),
        "l.png": (grey, {}),
        "la.png": (grey.convert("LA"), {}),
        "sixteen.png": (Image.fromarray(np.asarray(grey).astype(np.uint16) * 257), {}),
    }
    for name, (image, options) in flavours.items():
        image.save(tmp_path / name, **options)
    out = tmp_path / "garments"
    argv = ["garment", "add", *(str(tmp_path / n) for n in flavours), "-o", str(out), "-q"]
    code = main([*argv, "--workers", "1"])
    printed = capsys.readouterr().out
    assert code == 0, printed
    assert "separate items" not in printed
    reference = load_garment(out / "colour.fitg")
    for name in flavours:
        garment = load_garment(out / f"{Path(name).stem}.fitg")
        assert (garment.category, garment.subcategory) == ("upper", reference.subcategory), name
