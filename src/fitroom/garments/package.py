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
import re
import struct
import warnings
import zipfile
import zlib
from pathlib import Path
from typing import Any

import numpy as np
from PIL import Image

from fitroom._files import read_input_file
from fitroom.errors import GarmentError, GarmentNotFound, GarmentPackageError, InputError
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
from fitroom.imaging import DEFAULT_MAX_PIXELS, decode_image, encode_png

FORMAT = "fitroom-garment"
VERSION = 1
SUFFIX = ".fitg"

# Limits of what a package may cost to read. A real package is a few MB (the cutout PNG of the
# product photo dominates); these leave room for a 40-megapixel photo and no more.
#: Largest package file read.
MAX_PACKAGE_BYTES = 160 * 1024 * 1024
#: Largest cutout.png or parts.png, inflated.
MAX_IMAGE_BYTES = 160 * 1024 * 1024
#: Largest garment.json, inflated (a real one is about 20 kB).
MAX_JSON_BYTES = 4 * 1024 * 1024
#: Deepest nesting of garment.json (a real one nests 4 levels).
MAX_JSON_DEPTH = 16
#: Most pixels, and most pixels on a side, of the package's images.
MAX_PIXELS = DEFAULT_MAX_PIXELS
MAX_SIDE = 20_000
#: Most directory entries, and largest central directory (a real package lists 3 members).
MAX_MEMBERS = 16
MAX_DIRECTORY_BYTES = 64 * 1024

_EOCD_MAGIC = b"PK\x05\x06"
_EOCD_SIZE = 22
_ENCRYPTED = 0x1
_COMPRESSIONS = (zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED)
_CHUNK = 1 << 16
_PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
_JSON_STRING = re.compile(r'"[^"\\]*(?:\\.[^"\\]*)*"')
_OPENERS = np.frombuffer(b"[{", np.uint8)
_CLOSERS = np.frombuffer(b"]}", np.uint8)


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


def _brief(exc: BaseException) -> str:
    """An exception's message on one line (zipfile and zlib messages can carry newlines)."""
    return " ".join(str(exc).split()) or type(exc).__name__


def _check_directory(data: bytes, where: str) -> None:
    """Refuse an archive whose central directory is too large before ``zipfile`` parses it.

    ``zipfile`` builds one object per directory entry, so a package of a few MB listing
    hundreds of thousands of entries would cost GBs before any member is read.
    """
    tail = data[-(_EOCD_SIZE + 0xFFFF) :]
    at = tail.rfind(_EOCD_MAGIC)
    if at < 0 or len(tail) - at < _EOCD_SIZE:
        return  # zipfile's own error names what is wrong
    entries, directory_size = struct.unpack("<HL", tail[at + 10 : at + 16])
    if entries > MAX_MEMBERS or directory_size > MAX_DIRECTORY_BYTES:
        raise GarmentPackageError(
            f"{where}: the package lists {entries} members in a {directory_size}-byte directory "
            f"(a garment package has 3); not a fitroom garment package"
        )


def _read_member(zf: zipfile.ZipFile, name: str, limit: int, where: str) -> bytes:
    """One member's bytes, checked before inflating and read with a cap (a zip bomb costs at
    most ``limit`` bytes, whatever its header declares).
    """
    try:
        info = zf.getinfo(name)
    except KeyError:
        raise GarmentPackageError(
            f"{where}: the package has no {name}; not a fitroom garment package (re-create it "
            "with fitroom garment add)"
        ) from None
    if info.flag_bits & _ENCRYPTED:
        raise GarmentPackageError(
            f"{where}: {name} is encrypted; fitroom garment packages are never encrypted"
        )
    if info.compress_type not in _COMPRESSIONS:
        raise GarmentPackageError(
            f"{where}: {name} uses ZIP compression method {info.compress_type}; a garment "
            "package stores its members plain or deflated (re-create it with fitroom)"
        )
    if info.file_size > limit:
        raise GarmentPackageError(
            f"{where}: {name} declares {info.file_size} bytes, over the limit of {limit} bytes "
            "for that member; not a fitroom garment package"
        )
    chunks: list[bytes] = []
    total = 0
    try:
        with zf.open(info) as member:
            while True:
                chunk = member.read(_CHUNK)
                if not chunk:
                    break
                total += len(chunk)
                if total > limit:
                    raise GarmentPackageError(
                        f"{where}: {name} inflates to more than {limit} bytes, the limit for "
                        "that member; not a fitroom garment package"
                    )
                chunks.append(chunk)
    except GarmentPackageError:
        raise
    except (zipfile.BadZipFile, zlib.error, EOFError, OSError, ValueError) as exc:
        raise GarmentPackageError(
            f"{where}: {name} inside the package is corrupt ({_brief(exc)}); re-create the "
            "package with fitroom garment add"
        ) from exc
    except (NotImplementedError, RuntimeError) as exc:  # zip features fitroom never writes
        raise GarmentPackageError(
            f"{where}: {name} uses a ZIP feature fitroom does not read ({_brief(exc)})"
        ) from exc
    return b"".join(chunks)


def _nesting_depth(text: str) -> int:
    """Deepest nesting of ``[`` and ``{`` in a JSON text, counted without parsing it."""
    bare = _JSON_STRING.sub('""', text).encode("utf-8", "replace")
    codes = np.frombuffer(bare, np.uint8)
    step = np.isin(codes, _OPENERS).astype(np.int32) - np.isin(codes, _CLOSERS).astype(np.int32)
    return int(np.cumsum(step).max()) if step.size else 0


def _refuse_constant(name: str) -> None:
    raise ValueError(f"{name} is not a number JSON allows")


def _parse_document(raw: bytes, where: str) -> Any:
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise GarmentPackageError(
            f"{where}: garment.json is not UTF-8 text ({exc.reason})"
        ) from exc
    depth = _nesting_depth(text)
    if depth > MAX_JSON_DEPTH:
        raise GarmentPackageError(
            f"{where}: garment.json nests {depth} levels deep (a garment document has 4, the "
            f"limit is {MAX_JSON_DEPTH}); not a fitroom garment package"
        )
    try:
        return json.loads(text, parse_constant=_refuse_constant)
    except (ValueError, RecursionError) as exc:
        raise GarmentPackageError(
            f"{where}: garment.json is not valid JSON ({_brief(exc)})"
        ) from exc


def _declared_size(doc: Any, where: str) -> tuple[int, int]:
    """(width, height) from garment.json, checked before any image is decoded."""
    if not isinstance(doc, dict):
        raise GarmentPackageError(f"{where}: garment.json must be a JSON object")
    width, height = _need(doc, "width", int), _need(doc, "height", int)
    if not (0 < width <= MAX_SIDE and 0 < height <= MAX_SIDE) or width * height > MAX_PIXELS:
        raise GarmentPackageError(
            f"{where}: garment.json says the images are {width}×{height}; a garment image is "
            f"1 to {MAX_SIDE} pixels on a side and at most {MAX_PIXELS} pixels"
        )
    return width, height


def _check_png_header(
    data: bytes, name: str, size: tuple[int, int], colour_types: tuple[int, ...], where: str
) -> None:
    """Size, bit depth and colour type from the PNG header, before a pixel is inflated."""
    if len(data) < 33 or data[:8] != _PNG_SIGNATURE or data[12:16] != b"IHDR":
        raise GarmentPackageError(f"{where}: {name} is not a PNG image")
    width, height, depth, colour = struct.unpack(">IIBB", data[16:26])
    if (width, height) != size:
        raise GarmentPackageError(
            f"{where}: {name} is {width}×{height}, garment.json says {size[0]}×{size[1]}"
        )
    if depth != 8 or colour not in colour_types:
        raise GarmentPackageError(
            f"{where}: {name} is a {depth}-bit PNG of colour type {colour}; expected 8 bits of "
            f"colour type {' or '.join(map(str, colour_types))}"
        )


def _decode_cutout(data: bytes, where: str) -> np.ndarray:
    try:
        arr = decode_image(data, keep_alpha=True, max_pixels=MAX_PIXELS, max_bytes=MAX_IMAGE_BYTES)
    except InputError as exc:
        raise GarmentPackageError(f"{where}: cutout.png is corrupt ({_brief(exc)})") from exc
    if arr.shape[2] == 3:  # fully opaque RGBA is decoded as RGB
        arr = np.dstack([arr, np.full(arr.shape[:2], 255, np.uint8)])
    return arr


def _decode_parts(data: bytes, where: str) -> np.ndarray:
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # damaged metadata: our typed error says it
            with Image.open(io.BytesIO(data)) as image:
                image.load()
                if image.mode != "L":
                    raise GarmentPackageError(
                        f"{where}: parts.png is a {image.mode} image; expected 8-bit grey"
                    )
                return np.array(image, dtype=np.uint8)
    except GarmentPackageError:
        raise
    except (OSError, ValueError, SyntaxError, Image.DecompressionBombError) as exc:
        raise GarmentPackageError(f"{where}: parts.png is corrupt ({_brief(exc)})") from exc


def _load(data: bytes, where: str) -> Garment:
    """A garment from a package's bytes: directory, members, document, image headers, images,
    each checked before the next step spends memory on it.
    """
    if len(data) > MAX_PACKAGE_BYTES:
        raise GarmentPackageError(
            f"{where}: {len(data)} bytes is over the limit of {MAX_PACKAGE_BYTES} bytes for a "
            "garment package"
        )
    _check_directory(data, where)
    try:
        zf = zipfile.ZipFile(io.BytesIO(data))
    except (
        zipfile.BadZipFile,
        zipfile.LargeZipFile,
        EOFError,
        OSError,
        ValueError,
        struct.error,
    ) as exc:
        raise GarmentPackageError(
            f"{where}: not a fitroom garment package (not a ZIP archive: {_brief(exc)})"
        ) from exc
    with zf:
        doc = _parse_document(_read_member(zf, "garment.json", MAX_JSON_BYTES, where), where)
        size = _declared_size(doc, where)
        cutout_png = _read_member(zf, "cutout.png", MAX_IMAGE_BYTES, where)
        _check_png_header(cutout_png, "cutout.png", size, (2, 6), where)
        parts_png = _read_member(zf, "parts.png", MAX_IMAGE_BYTES, where)
        _check_png_header(parts_png, "parts.png", size, (0,), where)
    return garment_from_json(
        doc, _decode_cutout(cutout_png, where), _decode_parts(parts_png, where), where
    )


def load_garment(path: str | os.PathLike[str]) -> Garment:
    """Read and validate a ``.fitg`` package.

    Sizes, compression and encryption of the members, the document's nesting and the images'
    headers are checked before anything is inflated or decoded, so a hostile package costs at
    most the limits below (``MAX_*``) in memory.

    Raises:
        GarmentPackageError: not a regular file, not a ZIP, a corrupt or oversized member, wrong
            format tag or version, a missing or mistyped field, images of the wrong size or kind.
        GarmentNotFound: no such file.
    """
    src = Path(path)
    if not os.path.lexists(src):
        raise GarmentNotFound(f"{src}: no such garment package")
    data = read_input_file(
        src,
        max_bytes=MAX_PACKAGE_BYTES,
        what="a .fitg garment package",
        error=GarmentPackageError,
    )
    return _load(data, str(src))


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
    except (KeyError, TypeError, ValueError, OverflowError, AttributeError, GarmentError) as exc:
        raise GarmentPackageError(f"{where}: garment.json fails validation ({exc})") from exc


def load_garment_bytes(data: bytes) -> Garment:
    """:func:`load_garment` for a package held in memory (an upload)."""
    return _load(bytes(data), "package")


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
