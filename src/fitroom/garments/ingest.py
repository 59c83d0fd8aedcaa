"""From a product photo to a :class:`Garment`: cutout → silhouette → category → landmarks →
parts → features.
"""

from __future__ import annotations

import csv
import hashlib
import io
import os
import re
from datetime import UTC, datetime
from pathlib import Path

import numpy as np
import numpy.typing as npt

from fitroom._files import read_input_file
from fitroom.errors import GarmentError, ImageDecodeError, ImageTooLarge, InputError
from fitroom.garments.category import classify, shape_features
from fitroom.garments.core import (
    Garment,
    GarmentPart,
    Provenance,
    SizeChart,
    SizeRange,
    SleeveLength,
    Subcategory,
)
from fitroom.garments.cutout import DEFAULT_WORK_SIDE, cut_out
from fitroom.garments.features import garment_features
from fitroom.garments.landmarks import find_landmarks
from fitroom.garments.neck_opening import neck_opening
from fitroom.garments.parts import split_parts
from fitroom.garments.silhouette import silhouette
from fitroom.imaging import DEFAULT_MAX_BYTES, decode_image

ByteArray = npt.NDArray[np.uint8]

#: Largest size chart file read (a real one is a few hundred bytes).
MAX_SIZE_CHART_BYTES = 1024 * 1024


def _version() -> str:
    try:
        from importlib.metadata import version

        return version("fitroom")
    except Exception:  # pragma: no cover - not installed
        return "0+unknown"


_RANGE = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*(?:[-–]\s*(\d+(?:\.\d+)?))?\s*$")


def parse_size_chart(text: str) -> SizeChart:
    """Parse a size chart CSV: a ``size`` column, then one column per body measurement in cm.

    Cells are a number (``96``) or a range (``96-101``); a ``_cm`` suffix on headers is dropped.

    >>> chart = parse_size_chart("size,chest_cm,waist\\nS,86-91,71-76\\nM,96-101,81\\n")
    >>> chart.sizes, chart.measurements["M"]["waist"]
    (('S', 'M'), SizeRange(low=81.0, high=81.0))

    Raises:
        GarmentError: no size column, a non-numeric cell, or a range whose low exceeds its high.
    """
    try:
        rows = list(csv.reader(io.StringIO(text.strip())))
    except csv.Error as exc:
        raise GarmentError(f"the size chart is not a readable CSV ({exc})") from exc
    if len(rows) < 2:
        raise GarmentError("the size chart needs a header row and at least one size row")
    header = [h.strip().lower() for h in rows[0]]
    if not header or header[0] != "size":
        raise GarmentError(f"the size chart's first column must be 'size', got {rows[0][:1]}")
    names = [h.removesuffix("_cm") for h in header[1:]]
    sizes: list[str] = []
    table: dict[str, dict[str, SizeRange]] = {}
    for line, row in enumerate(rows[1:], start=2):
        if not row or not row[0].strip():
            continue
        size = row[0].strip()
        if size in table:
            raise GarmentError(f"size chart line {line}: size {size!r} appears twice")
        entry: dict[str, SizeRange] = {}
        for name, cell in zip(names, row[1:], strict=False):
            if not cell.strip():
                continue
            m = _RANGE.match(cell)
            if m is None:
                raise GarmentError(
                    f"size chart line {line}, {name}: {cell!r} is not a number "
                    "or a range like 96-101"
                )
            low = float(m.group(1))
            high = float(m.group(2)) if m.group(2) else low
            if low > high:
                raise GarmentError(f"size chart line {line}, {name}: {cell!r} runs backwards")
            entry[name] = SizeRange(low, high)
        sizes.append(size)
        table[size] = entry
    return SizeChart(tuple(sizes), table)


def _sleeve_length(has_sleeves: bool, ratio: float) -> SleeveLength:
    if not has_sleeves:
        return "none"
    return "long" if ratio >= 0.75 else "short"


def ingest_garment(
    image_or_rgba: ByteArray | str | os.PathLike[str] | bytes,
    *,
    category_hint: str | None = None,
    name: str | None = None,
    size_chart: SizeChart | str | os.PathLike[str] | None = None,
    source_name: str | None = None,
    work_side: int = DEFAULT_WORK_SIDE,
) -> Garment:
    """Turn a product photo into a try-on-ready garment.

    Args:
        image_or_rgba: RGB uint8 (H, W, 3), RGBA uint8 (H, W, 4) with transparency, or a path /
            bytes of a JPEG, PNG or WebP (decoded with :func:`fitroom.imaging.decode_image`).
        category_hint: "auto"/None, a category (upper, lower, full) or a subcategory name.
        name: display name (defaults to the file name).
        size_chart: a parsed :class:`SizeChart` or the path of a size chart CSV.
        source_name: file name recorded in the provenance when an array is given.
        work_side: segmentation working resolution.

    Raises:
        GarmentPhotoRejected, GarmentNotFound: the photo cannot be used (see the message).
        GarmentError: a bad size chart.
        InputError: a bad hint or image.
    """
    if isinstance(image_or_rgba, np.ndarray):
        image = image_or_rgba
        raw = image.tobytes()
        src = source_name or "array"
    else:
        if isinstance(image_or_rgba, bytes):
            raw = image_or_rgba
            src = source_name or "bytes"
        else:
            path = Path(image_or_rgba)
            raw = read_input_file(
                path,
                max_bytes=DEFAULT_MAX_BYTES,
                what="a JPEG, PNG or WebP product photo",
                error=ImageDecodeError,
                too_large=ImageTooLarge,
            )
            src = source_name or path.name
        image = decode_image(raw, keep_alpha=True)
    if image.dtype != np.uint8 or image.ndim != 3 or image.shape[2] not in (3, 4):
        raise InputError(f"expected an RGB or RGBA uint8 image, got {image.dtype} {image.shape}")
    chart: SizeChart | None
    if size_chart is None or isinstance(size_chart, SizeChart):
        chart = size_chart
    else:
        text = read_input_file(
            size_chart, max_bytes=MAX_SIZE_CHART_BYTES, what="a size chart CSV", error=GarmentError
        )
        try:
            chart = parse_size_chart(text.decode("utf-8"))
        except UnicodeDecodeError as exc:
            raise GarmentError(f"{size_chart}: the size chart is not UTF-8 text") from exc

    cut = cut_out(image, work_side=work_side)
    mask = cut.mask
    sil = silhouette(mask)
    shape = shape_features(sil)
    guess = classify(shape, category_hint)
    result = find_landmarks(
        sil, guess.category, guess.subcategory, guess.has_sleeves, shape.body_width
    )
    sleeve = _sleeve_length(result.has_sleeves, result.sleeve_ratio)
    subcategory: Subcategory = guess.subcategory
    if guess.category == "upper" and category_hint in (None, "", "auto", "upper"):
        subcategory = {"none": "tank", "short": "t-shirt", "long": "sweater"}[sleeve]  # type: ignore[assignment]
    parts = split_parts(mask, result.landmarks, guess.category, result.has_sleeves)
    rgb = np.ascontiguousarray(image[..., :3])
    length = float(sil.height / max(1.0, shape.body_width))
    features = garment_features(rgb, mask, guess.category, sleeve, length)
    alpha8 = np.clip(cut.alpha * 255.0 + 0.5, 0, 255).astype(np.uint8)
    cutout = np.dstack([rgb, alpha8])
    if guess.category != "lower":
        opening = neck_opening(cutout, result.landmarks)
        if opening is not None:
            parts[opening & (parts == int(GarmentPart.BODY))] = np.uint8(GarmentPart.NECK_INSIDE)
    provenance = Provenance(
        source_name=src,
        source_sha256=hashlib.sha256(raw).hexdigest(),
        fitroom_version=_version(),
        created=datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
    )
    return Garment(
        name=name or Path(src).stem,
        cutout=cutout,
        parts=parts,
        category=guess.category,
        subcategory=subcategory,
        sleeve=sleeve if guess.category != "lower" else "none",
        length=length,
        landmarks=result.landmarks,
        features=features,
        provenance=provenance,
        size_chart=chart,
    )


__all__ = ["ingest_garment", "parse_size_chart"]
