"""Output paths of every command (issue 16, finding 14): missing folders are created; a path that
is a folder (or a folder option given a file) is one line on stderr and exit 2, before any work.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from fitroom.cli import main
from fitroom.errors import InputError
from fitroom.garments import ingest_garment, save_garment
from fitroom.imaging import decode_image


@pytest.fixture(scope="module")
def inputs(files: dict[str, Path]) -> dict[str, Path]:
    """The shared person and tee, plus a package, a stand-in video and an events file."""
    folder = files["folder"]
    package = save_garment(ingest_garment(files["tee"]), folder / "tee")
    clip = folder / "clip.mp4"
    clip.write_bytes(b"not decoded: the output is refused first")
    events = folder / "events.txt"
    events.write_text("u1 a b c\nu2 b c d\n")
    return {**files, "package": package, "clip": clip, "events": events}


def _one_line_exit_2(argv: list[str], capsys: pytest.CaptureFixture[str]) -> str:
    assert main(argv) == 2
    err = capsys.readouterr().err.strip()
    assert err.startswith("fitroom: error: ") and "\n" not in err, err
    return err


COMMANDS_WITH_AN_OUTPUT_FILE = {
    "analyze -o": lambda i, out: ["analyze", "--demo", "-o", out],
    "analyze --json": lambda i, out: ["analyze", "--demo", "--json", out],
    "tryon -o": lambda i, out: ["tryon", str(i["person"]), str(i["tee"]), "-o", out],
    "garment cutout -o": lambda i, out: ["garment", "cutout", str(i["tee"]), "-o", out],
    "garment inspect -o": lambda i, out: ["garment", "inspect", str(i["package"]), "-o", out],
    "live --output": lambda i, out: ["live", "--input", str(i["clip"]), "--output", out],
    "recs train --out": lambda i, out: ["recs", "train", str(i["events"]), "--out", out],
}


@pytest.mark.parametrize("command", sorted(COMMANDS_WITH_AN_OUTPUT_FILE))
def test_finding_14_output_path_that_is_a_folder_is_one_line_exit_2(
    inputs: dict[str, Path], tmp_path: Path, capsys: pytest.CaptureFixture[str], command: str
) -> None:
    argv = COMMANDS_WITH_AN_OUTPUT_FILE[command](inputs, str(tmp_path))
    err = _one_line_exit_2(argv, capsys)
    assert f"{tmp_path}: is a folder" in err


def test_finding_14_missing_output_folders_are_created(
    inputs: dict[str, Path], tmp_path: Path
) -> None:
    overlay, report = tmp_path / "a" / "b" / "overlay.png", tmp_path / "c" / "report.json"
    assert main(["analyze", "--demo", "-o", str(overlay), "--json", str(report)]) == 0
    assert decode_image(overlay).shape == (512, 512, 3) and report.stat().st_size > 0
    dressed = tmp_path / "d" / "dressed.png"
    assert main(["tryon", str(inputs["person"]), str(inputs["tee"]), "-o", str(dressed)]) == 0
    assert decode_image(dressed).shape == (512, 512, 3)
    mask = tmp_path / "e" / "mask.png"
    assert main(["garment", "cutout", str(inputs["tee"]), "-o", str(mask)]) == 0
    assert mask.is_file()


def test_finding_14_garment_add_onto_a_file_is_one_line_exit_2(
    inputs: dict[str, Path], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    existing = tmp_path / "garments"
    existing.write_text("a file where the output folder should go")
    err = _one_line_exit_2(
        ["garment", "add", str(inputs["tee"]), "-o", str(existing), "-q"], capsys
    )
    assert "is a file, not a folder" in err
    assert existing.read_text() == "a file where the output folder should go"
    err = _one_line_exit_2(["garment", "demo", "-o", str(existing), "-q"], capsys)
    assert "is a file, not a folder" in err


class TestOutputPaths:
    """The rule itself (imported here so that the finding tests above run on any version)."""

    def test_output_file_creates_its_folder(self, tmp_path: Path) -> None:
        from fitroom.cli.paths import output_file

        target = output_file(tmp_path / "x" / "y" / "out.png", "-o")
        assert target.parent.is_dir() and not target.exists()

    def test_output_file_under_a_file_is_refused(self, tmp_path: Path) -> None:
        from fitroom.cli.paths import output_file

        (tmp_path / "plain").write_text("x")
        with pytest.raises(InputError, match="plain is a file"):
            output_file(tmp_path / "plain" / "sub" / "out.png", "-o")

    def test_output_folder_is_created_or_refused(self, tmp_path: Path) -> None:
        from fitroom.cli.paths import output_folder

        assert output_folder(tmp_path / "new" / "deeper", "-o").is_dir()
        (tmp_path / "f").write_text("x")
        with pytest.raises(InputError, match="is a file, not a folder"):
            output_folder(tmp_path / "f", "-o")
