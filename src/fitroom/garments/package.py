"""The garment package: one ``.fitg`` file (a ZIP archive) holding

* ``garment.json`` — ``{"format": "fitroom-garment", "version": 1, ...}``: name, category,
  subcategory, sleeve, length, width/height, landmarks ``{name: [x, y, confidence]}`` in photo
  pixels, palette, pattern, texture, vector, size chart, provenance, parts legend;
* ``cutout.png`` — RGBA cutout (the photo's size, alpha soft at the edges);
* ``parts.png`` — 8-bit part map, values of :class:`GarmentPart`.

:func:`load_garment` validates the format tag, the version, every field's type and the images'
sizes; anything wrong raises :class:`GarmentPackageError` saying what.
"""

from __future__ import annotations

import io
import json
import os
import zipfile
from pathlib import Path
from typing import Any

import cv2
import numpy as np

from fitroom.errors import GarmentError, GarmentPackageError, ImageDecodeError
from fitroom.garments.core import (
    CATEGORIES,
    PATTERNS,
    SLEEVE_LENGTHS,
    SUBCATEGORIES,
    Garment,
    GarmentFeatures,
    GarmentLandmarks,
    GarmentPart,
    PaletteColour,
    Provenance,
    SizeChart,
    SizeRange,
)
from fitroom.imaging import decode_image, encode_png

FORMAT = "fitroom-garment"
VERSION = 1
SUFFIX = ".fitg"


def garment_to_json(garment: Garment) -> dict[str, Any]:
    """The ``garment.json`` document of a garment."""
    f = garment.features
    p = garment.provenance
    return {
        "format": FORMAT,
        "version": VERSION,
        "name": garment.name,
        "category": garment.category,
        "subcategory": garment.subcategory,
        "sleeve": garment.sleeve,
        "length": garment.length,
        "width": garment.size[0],
        "height": garment.size[1],
        "landmarks": {k: list(v) for k, v in garment.landmarks.as_dict().items()},
        "parts_legend": {str(int(part)): part.name.lower() for part in GarmentPart},
        "palette": [
            {"name": c.name, "rgb": list(c.rgb), "lab": list(c.lab), "share": c.share}
            for c in f.palette
        ],
        "pattern": f.pattern,
        "texture": [float(v) for v in f.texture],
        "vector": [float(v) for v in f.vector],
        "size_chart": garment.size_chart.as_dict() if garment.size_chart else None,
        "provenance": {
            "source_name": p.source_name,
            "source_sha256": p.source_sha256,
            "fitroom_version": p.fitroom_version,
            "created": p.created,
        },
    }


def save_garment(garment: Garment, path: str | os.PathLike[str]) -> Path:
    """Write a ``.fitg`` package (the suffix is added when missing); returns the path."""
    out = Path(path)
    if out.suffix != SUFFIX:
        out = out.with_name(out.name + SUFFIX)
    out.parent.mkdir(parents=True, exist_ok=True)
    doc = json.dumps(garment_to_json(garment), indent=1)
    tmp = out.with_name(out.name + ".part")
    with zipfile.ZipFile(tmp, "w", compression=zipfile.ZIP_STORED) as zf:
        zf.writestr("garment.json", doc)
        zf.writestr("cutout.png", encode_png(garment.cutout))
        zf.writestr("parts.png", encode_png(garment.parts))
    os.replace(tmp, out)
    return out


def _need(doc: dict[str, Any], key: str, kind: type | tuple[type, ...], where: str = "") -> Any:
    if key not in doc:
        raise GarmentPackageError(f"garment.json{where}: missing field {key!r}")
    value = doc[key]
    if not isinstance(value, kind) or (kind in (int, float) and isinstance(value, bool)):
        raise GarmentPackageError(
            f"garment.json{where}: field {key!r} should be {getattr(kind, '__name__', kind)}, "
            f"got {type(value).__name__}"
        )
    return value


def _read_png(zf: zipfile.ZipFile, name: str, channels: int) -> np.ndarray:
    try:
        data = zf.read(name)
    except KeyError:
        raise GarmentPackageError(
            f"the package has no {name}; re-create it with fitroom garment add"
        ) from None
    if channels == 1:
        arr = cv2.imdecode(np.frombuffer(data, np.uint8), cv2.IMREAD_UNCHANGED)
        if arr is None or arr.ndim != 2 or arr.dtype != np.uint8:
            raise GarmentPackageError(f"{name} is not an 8-bit single-channel PNG")
        return arr
    try:
        arr = decode_image(data, keep_alpha=True)
    except ImageDecodeError as exc:
        raise GarmentPackageError(f"{name} is corrupt: {exc}") from exc
    if arr.shape[2] == 3:  # fully opaque RGBA is decoded as RGB
        arr = np.dstack([arr, np.full(arr.shape[:2], 255, np.uint8)])
    return arr


def load_garment(path: str | os.PathLike[str]) -> Garment:
    """Read and validate a ``.fitg`` package.

    Raises:
        GarmentPackageError: not a ZIP, wrong format tag or version, a missing or mistyped
            field, images of the wrong size or kind.
        GarmentNotFound: no such file.
    """
    from fitroom.errors import GarmentNotFound

    src = Path(path)
    if not src.is_file():
        raise GarmentNotFound(f"{src}: no such garment package")
    try:
        with zipfile.ZipFile(src) as zf:
            try:
                doc = json.loads(zf.read("garment.json").decode("utf-8"))
            except KeyError:
                raise GarmentPackageError(
                    f"{src}: no garment.json inside; not a fitroom garment"
                ) from None
            cutout = _read_png(zf, "cutout.png", 4)
            parts = _read_png(zf, "parts.png", 1)
    except zipfile.BadZipFile as exc:
        raise GarmentPackageError(
            f"{src}: not a fitroom garment package (not a ZIP archive: {exc})"
        ) from exc
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise GarmentPackageError(f"{src}: garment.json is not valid JSON ({exc})") from exc
    except (OSError, zipfile.LargeZipFile) as exc:
        raise GarmentPackageError(f"{src}: the package cannot be read ({exc})") from exc
    return garment_from_json(doc, cutout, parts, str(src))


def garment_from_json(
    doc: Any, cutout: np.ndarray, parts: np.ndarray, where: str = "package"
) -> Garment:
    """Build a :class:`Garment` from a parsed ``garment.json`` and its two images."""
    if not isinstance(doc, dict):
        raise GarmentPackageError(f"{where}: garment.json must be a JSON object")
    if doc.get("format") != FORMAT:
        raise GarmentPackageError(f"{where}: format is {doc.get('format')!r}, expected {FORMAT!r}")
    version = doc.get("version")
    if version != VERSION:
        raise GarmentPackageError(
            f"{where}: package version {version!r} is not supported (this fitroom reads version "
            f"{VERSION}); re-create the package with this fitroom"
        )
    category = _need(doc, "category", str)
    if category not in CATEGORIES:
        raise GarmentPackageError(f"{where}: unknown category {category!r}")
    sub = _need(doc, "subcategory", str)
    if sub not in SUBCATEGORIES[category]:
        raise GarmentPackageError(f"{where}: subcategory {sub!r} does not belong to {category}")
    sleeve = _need(doc, "sleeve", str)
    if sleeve not in SLEEVE_LENGTHS:
        raise GarmentPackageError(f"{where}: unknown sleeve length {sleeve!r}")
    width, height = _need(doc, "width", int), _need(doc, "height", int)
    if cutout.shape[:2] != (height, width) or parts.shape != (height, width):
        raise GarmentPackageError(
            f"{where}: images are {cutout.shape[1]}×{cutout.shape[0]} and "
            f"{parts.shape[1] if parts.ndim == 2 else '?'}×{parts.shape[0]}, "
            f"garment.json says {width}×{height}"
        )
    lms = _need(doc, "landmarks", dict)
    try:
        names = tuple(lms)
        points = np.array([[float(v) for v in lms[n]] for n in names], np.float32).reshape(
            len(names), 3
        )
    except (TypeError, ValueError) as exc:
        raise GarmentPackageError(
            f"{where}: landmarks must map names to [x, y, confidence]"
        ) from exc
    pattern = _need(doc, "pattern", str)
    if pattern not in PATTERNS:
        raise GarmentPackageError(f"{where}: unknown pattern {pattern!r}")
    try:
        palette = tuple(
            PaletteColour(
                lab=tuple(float(v) for v in c["lab"]),  # type: ignore[arg-type]
                rgb=tuple(int(v) for v in c["rgb"]),  # type: ignore[arg-type]
                name=str(c["name"]),
                share=float(c["share"]),
            )
            for c in _need(doc, "palette", list)
        )
        texture = np.array(_need(doc, "texture", list), np.float32)
        vector = np.array(_need(doc, "vector", list), np.float32)
        prov = _need(doc, "provenance", dict)
        provenance = Provenance(
            source_name=str(prov["source_name"]),
            source_sha256=str(prov["source_sha256"]),
            fitroom_version=str(prov["fitroom_version"]),
            created=str(prov["created"]),
        )
        chart_doc = doc.get("size_chart")
        chart = None
        if chart_doc is not None:
            chart = SizeChart(
                tuple(chart_doc),
                {
                    s: {m: SizeRange(float(r[0]), float(r[1])) for m, r in v.items()}
                    for s, v in chart_doc.items()
                },
            )
        return Garment(
            name=str(_need(doc, "name", str)),
            cutout=np.ascontiguousarray(cutout),
            parts=np.ascontiguousarray(parts),
            category=category,
            subcategory=sub,
            sleeve=sleeve,
            length=float(_need(doc, "length", (int, float))),
            landmarks=GarmentLandmarks(names, points),
            features=GarmentFeatures(
                palette=palette, pattern=pattern, texture=texture, vector=vector
            ),
            provenance=provenance,
            size_chart=chart,
        )
    except GarmentPackageError:
        raise
    except (KeyError, TypeError, ValueError, AttributeError, GarmentError) as exc:
        raise GarmentPackageError(f"{where}: garment.json fails validation ({exc})") from exc


def load_garment_bytes(data: bytes) -> Garment:
    """:func:`load_garment` for a package held in memory (an upload)."""
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as zf:
            doc = json.loads(zf.read("garment.json").decode("utf-8"))
            cutout = _read_png(zf, "cutout.png", 4)
            parts = _read_png(zf, "parts.png", 1)
    except (zipfile.BadZipFile, KeyError, UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise GarmentPackageError(
            f"not a valid fitroom garment package ({type(exc).__name__})"
        ) from exc
    return garment_from_json(doc, cutout, parts)


__all__ = [
    "FORMAT",
    "SUFFIX",
    "VERSION",
    "garment_from_json",
    "garment_to_json",
    "load_garment",
    "load_garment_bytes",
    "save_garment",
]
