"""Inputs shared by the command tests: a person's photo and a product photo."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from fitroom.garments.synth import synth_garment
from fitroom.imaging import encode_png


@pytest.fixture(scope="module")
def files(tmp_path_factory: pytest.TempPathFactory, astronaut: np.ndarray) -> dict[str, Path]:
    folder = tmp_path_factory.mktemp("tryon")
    person = folder / "person.png"
    person.write_bytes(encode_png(astronaut))
    tee = folder / "tee.png"
    tee.write_bytes(encode_png(synth_garment("t-shirt", seed=2, pattern="solid").image))
    return {"person": person, "tee": tee, "folder": folder}
