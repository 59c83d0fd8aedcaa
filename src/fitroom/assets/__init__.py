"""The model files fitroom ships, and their integrity check.

``models.json`` beside this file lists each model with its SHA-256; ``NOTICE`` at the top of the
repository lists the same files with source and licence (a test keeps the two in step). A model is
hashed the first time it is asked for, so a corrupted or swapped file is refused before it runs.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from fitroom.errors import ModelIntegrityError

_HERE = Path(__file__).resolve().parent
MODELS_DIR = _HERE / "models"


@dataclass(frozen=True)
class ModelAsset:
    """One shipped model file: where it is, its expected hash, where it came from, its licence."""

    name: str
    path: Path
    sha256: str
    source: str
    license: str


@cache
def model_catalog() -> dict[str, ModelAsset]:
    """All shipped models by name, as listed in ``models.json``."""
    raw = json.loads((_HERE / "models.json").read_text(encoding="utf-8"))
    return {
        name: ModelAsset(
            name=name,
            path=MODELS_DIR / entry["file"],
            sha256=entry["sha256"],
            source=entry["source"],
            license=entry["license"],
        )
        for name, entry in raw.items()
    }


def sha256_of(path: Path) -> str:
    """Hex SHA-256 of a file."""
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


@cache
def model_path(name: str) -> Path:
    """The path of a shipped model, after checking that its SHA-256 is the listed one.

    Raises:
        ModelIntegrityError: the name is unknown, the file is missing, or its hash differs.
    """
    catalog = model_catalog()
    if name not in catalog:
        raise ModelIntegrityError(f"unknown model {name!r}; known: {sorted(catalog)}")
    asset = catalog[name]
    if not asset.path.is_file():
        raise ModelIntegrityError(f"model file {asset.path} is missing; reinstall fitroom")
    actual = sha256_of(asset.path)
    if actual != asset.sha256:
        raise ModelIntegrityError(
            f"model file {asset.path} has SHA-256 {actual}, expected {asset.sha256} "
            "(as listed in NOTICE); the file is corrupt or was replaced, reinstall fitroom"
        )
    return asset.path


__all__ = ["MODELS_DIR", "ModelAsset", "model_catalog", "model_path", "sha256_of"]
