"""Shipped models: NOTICE and models.json agree, files match their hashes, tampering is refused."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest

from fitroom.assets import model_catalog, model_path, sha256_of
from fitroom.errors import ModelIntegrityError
from fitroom.vision._tflite import TFLiteModel

REPO = Path(__file__).resolve().parents[2]


def test_notice_lists_every_model_with_its_hash_and_licence() -> None:
    notice = (REPO / "NOTICE").read_text(encoding="utf-8")
    rows = {
        m.group(1): (m.group(2).strip(), m.group(3))
        for m in re.finditer(
            r"^\| (\S+\.tflite) \|[^|]+\| ([^|]+) \| ([0-9a-f]{64}) \|$", notice, re.M
        )
    }
    catalog = model_catalog()
    assert set(rows) == {asset.path.name for asset in catalog.values()}
    for asset in catalog.values():
        licence, digest = rows[asset.path.name]
        assert digest == asset.sha256
        assert licence == asset.license
        assert licence in {"Apache-2.0", "MIT", "BSD-3-Clause", "BSD-2-Clause"}


def test_every_shipped_file_is_listed() -> None:
    listed = {asset.path.name for asset in model_catalog().values()}
    shipped = {p.name for p in (REPO / "src/fitroom/assets/models").iterdir()}
    assert shipped == listed


@pytest.mark.parametrize("name", sorted(model_catalog()))
def test_model_hash_verified_and_loadable(name: str) -> None:
    path = model_path(name)
    assert sha256_of(path) == model_catalog()[name].sha256
    with TFLiteModel(name, num_threads=1) as model:
        assert model.input_shape[0] == 1


def test_tampered_model_is_refused(tmp_path: Path) -> None:
    good = model_catalog()["emotion"]
    bad = tmp_path / good.path.name
    shutil.copy(good.path, bad)
    with bad.open("r+b") as handle:
        handle.seek(100)
        handle.write(b"\x00\x01\x02\x03")
    assert sha256_of(bad) != good.sha256
    # model_path checks the catalogue's file; point a fresh check at the tampered copy.
    from fitroom import assets

    original = assets.MODELS_DIR
    try:
        assets.model_path.cache_clear()
        assets.model_catalog.cache_clear()
        assets.MODELS_DIR = tmp_path
        with pytest.raises(ModelIntegrityError, match="SHA-256"):
            assets.model_path("emotion")
    finally:
        assets.MODELS_DIR = original
        assets.model_path.cache_clear()
        assets.model_catalog.cache_clear()


def test_unknown_model_is_refused() -> None:
    with pytest.raises(ModelIntegrityError, match="unknown model"):
        model_path("does_not_exist")


def test_pose_landmark_models_share_one_interface() -> None:
    """lite, full and heavy take the same input and give the same outputs, so one pre- and
    post-processing (fitroom.vision.pose) serves all three; they differ in size and accuracy."""
    shapes = {}
    for name in ("pose_landmark_lite", "pose_landmark_full", "pose_landmark_heavy"):
        with TFLiteModel(name, num_threads=1) as model:
            shapes[name] = (model.input_shape, tuple(model.output_shapes))
    assert len(set(shapes.values())) == 1
    input_shape, outputs = shapes["pose_landmark_full"]
    assert input_shape == (1, 256, 256, 3)
    assert outputs == ((1, 195), (1, 1), (1, 256, 256, 1), (1, 64, 64, 39), (1, 117))
    sizes = [model_catalog()[name].path.stat().st_size for name in shapes]
    assert sizes == sorted(sizes) and len(set(sizes)) == 3
