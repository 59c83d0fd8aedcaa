"""Fuzzing the ``.fitg`` loader: any bytes, any archive, any garment.json give a garment or a
one-line :class:`GarmentPackageError` — never another exception.

Three sources of hostile packages: byte mutations of a real package (flips, overwrites,
insertions, cuts — in the ZIP structure and inside members), archives whose members are
replaced, and a real package whose garment.json fields are replaced by arbitrary JSON.
Deterministic (derandomize) and bounded.
"""

from __future__ import annotations

import io
import json
import zipfile
from collections.abc import Callable
from typing import Any

import cv2
import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from fitroom.errors import GarmentPackageError
from fitroom.garments import Garment, ingest_garment, load_garment_bytes, save_garment
from fitroom.garments.synth import synth_garment

pytestmark = pytest.mark.fuzz

FUZZ = settings(settings.get_profile("fuzz"), max_examples=80)

JSON = st.recursive(
    st.none()
    | st.booleans()
    | st.integers(min_value=-(2**70), max_value=2**70)
    | st.floats(allow_nan=False)
    | st.text(max_size=12),
    lambda inner: (
        st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=8), inner, max_size=4)
    ),
    max_leaves=12,
)


def _small_package() -> tuple[bytes, dict[str, bytes]]:
    """A real package of a small drawn tee (small, so each example loads in milliseconds)."""
    import tempfile
    from pathlib import Path

    photo = synth_garment("t-shirt", seed=3, size=(192, 256)).image
    garment = ingest_garment(photo, name="tee")
    with tempfile.TemporaryDirectory() as folder:
        data = save_garment(garment, Path(folder) / "tee").read_bytes()
    with zipfile.ZipFile(io.BytesIO(data)) as zf:
        members = {n: zf.read(n) for n in zf.namelist()}
    return data, members


PACKAGE, MEMBERS = _small_package()


def _zip(members: dict[str, bytes], method: int = zipfile.ZIP_STORED) -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", compression=method) as zf:
        for name, data in members.items():
            zf.writestr(name, data)
    return buf.getvalue()


def _loaded_or_refused(data: bytes) -> None:
    try:
        garment = load_garment_bytes(data)
    except GarmentPackageError as exc:
        assert "\n" not in str(exc), str(exc)
        return
    assert isinstance(garment, Garment)


def test_the_seed_package_loads() -> None:
    garment = load_garment_bytes(PACKAGE)
    assert garment.cutout.shape[:2] == (256, 192)
    assert load_garment_bytes(_zip(MEMBERS, zipfile.ZIP_DEFLATED)).name == "tee"


@FUZZ
@given(data=st.data())
def test_fuzz_mutated_packages_load_or_are_refused(
    mutated: Callable[..., bytes], data: st.DataObject
) -> None:
    seed = data.draw(st.sampled_from([PACKAGE, _zip(MEMBERS, zipfile.ZIP_DEFLATED)]))
    _loaded_or_refused(mutated(data, seed, edits=3, chunk=8, cut=512))


@FUZZ
@given(
    st.dictionaries(
        st.sampled_from(["garment.json", "cutout.png", "parts.png", "other"]),
        st.binary(max_size=256)
        | st.sampled_from(list(MEMBERS.values()))
        | JSON.map(lambda v: json.dumps(v).encode()),
        max_size=4,
    ),
    st.sampled_from(
        [zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED, zipfile.ZIP_BZIP2, zipfile.ZIP_LZMA]
    ),
)
def test_fuzz_archives_with_replaced_members(members: dict[str, bytes], method: int) -> None:
    _loaded_or_refused(_zip({**MEMBERS, **members}, method))


DOC: dict[str, Any] = json.loads(MEMBERS["garment.json"])


@FUZZ
@given(
    st.lists(
        st.tuples(st.sampled_from(sorted(DOC)), JSON | st.just("__delete__")),
        min_size=1,
        max_size=3,
    ),
)
def test_fuzz_garment_json_fields_replaced(edits: list[tuple[str, Any]]) -> None:
    doc = dict(DOC)
    for key, value in edits:
        if value == "__delete__":
            doc.pop(key, None)
        else:
            doc[key] = value
    text = json.dumps(doc).encode()
    _loaded_or_refused(_zip({**MEMBERS, "garment.json": text}))


@settings(settings.get_profile("fuzz"), max_examples=40)
@given(st.integers(1, 300), st.integers(1, 300), st.sampled_from([1, 3, 4]))
def test_fuzz_images_of_another_size_or_kind(width: int, height: int, channels: int) -> None:
    image = np.zeros((height, width, channels), np.uint8).squeeze()
    ok, png = cv2.imencode(".png", image)
    assert ok
    for member in ("cutout.png", "parts.png"):
        _loaded_or_refused(_zip({**MEMBERS, member: png.tobytes()}))
