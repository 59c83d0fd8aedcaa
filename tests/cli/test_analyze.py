"""``fitroom analyze`` end to end: real photos in, overlay and JSON out, typed errors as exit 2."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import cv2
import numpy as np
import pytest
from PIL import Image

from fitroom.cli import main
from fitroom.imaging import decode_image


def _analyze(*args: str) -> tuple[int, str]:
    proc = subprocess.run(
        [sys.executable, "-m", "fitroom", "analyze", *args],
        capture_output=True,
        text=True,
        timeout=300,
    )
    return proc.returncode, proc.stderr


def test_demo_writes_overlay_and_json_of_the_documented_shape(tmp_path: Path) -> None:
    out, js = tmp_path / "o.png", tmp_path / "o.json"
    code, err = _analyze("--demo", "-o", str(out), "--json", str(js))
    assert code == 0, err
    overlay = decode_image(out)
    assert overlay.shape == (512, 512, 3)
    payload = json.loads(js.read_text())
    assert payload["image"] == {"width": 512, "height": 512}
    assert len(payload["people"]) == 1
    person = payload["people"][0]
    assert len(person["landmarks"]) == 33 and all(len(r) == 5 for r in person["landmarks"])
    x0, y0, x1, y1 = person["bbox"]
    assert 0 <= x0 < x1 <= 512 and 0 <= y0 < y1 <= 512
    face = person["face"]
    assert face is not None
    fx0, fy0, fx1, fy1 = face["box"]
    # The astronaut's face is in the upper middle of the photo.
    assert 150 < (fx0 + fx1) / 2 < 260 and 60 < (fy0 + fy1) / 2 < 160
    probs = face["expression"]
    assert set(probs) == {"angry", "disgust", "fear", "happy", "sad", "surprise", "neutral"}
    assert sum(probs.values()) == pytest.approx(1.0, abs=1e-3)
    assert set(payload["timings_ms"]) >= {"pose", "mask", "total"}


def test_no_person_is_an_empty_analysis(tmp_path: Path, coffee: np.ndarray) -> None:
    photo = tmp_path / "coffee.png"
    Image.fromarray(coffee).save(photo)
    js = tmp_path / "c.json"
    assert main(["analyze", str(photo), "--json", str(js)]) == 0
    assert json.loads(js.read_text())["people"] == []


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"", "empty"),
        (b"hello, not an image\n" * 10, "not a readable"),
        (b"\xff\xd8\xff" + b"\x00" * 64, ""),
    ],
)
def test_bad_input_is_exit_2_with_a_message(tmp_path: Path, content: bytes, message: str) -> None:
    photo = tmp_path / "bad.jpg"
    photo.write_bytes(content)
    code, err = _analyze(str(photo))
    assert code == 2
    assert "fitroom: error:" in err and message in err
    assert "Traceback" not in err


def test_video_runs_tracking_mode_frame_by_frame(tmp_path: Path, shared_data: Path) -> None:
    clip = shared_data / "video" / "vivid_upper1.mp4"
    out, js = tmp_path / "o.mp4", tmp_path / "o.json"
    code, err = _analyze(str(clip), "-o", str(out), "--json", str(js), "--no-progress")
    assert code == 0, err
    frames = json.loads(js.read_text())["frames"]
    capture = cv2.VideoCapture(str(out))
    written = int(capture.get(cv2.CAP_PROP_FRAME_COUNT))
    capture.release()
    assert len(frames) == written == 48
    assert all(len(f["people"]) == 1 for f in frames)


def test_unreadable_video_is_exit_2(tmp_path: Path) -> None:
    clip = tmp_path / "broken.mp4"
    clip.write_bytes(b"\x00\x00\x00\x18ftypmp42" + b"\x00" * 100)
    code, err = _analyze(str(clip))
    assert code == 2 and "video" in err
