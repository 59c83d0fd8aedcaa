"""A catalogue packed as one ZIP archive, so it can wait in media storage for any job worker.

A merchant sends a catalogue over the web as a ZIP (``catalog.csv`` and the photos it names, or
just product photos); ``fitroom garment import --queue`` packs a CSV or folder the same way. The
worker that takes the job unpacks it into a temporary folder and imports it from there with
:func:`fitroom.server.catalog_import.read_catalog`.

Unpacking trusts nothing in the archive: member names that leave the folder (absolute, ``..``,
drive letters) are refused, and so are archives of more members or more unpacked bytes than the
limits allow (a ZIP bomb expands a few kilobytes to gigabytes).
"""

from __future__ import annotations

import io
import shutil
import zipfile
from pathlib import Path, PurePosixPath

from fitroom.errors import InputError
from fitroom.server.catalog_import import PHOTO_SUFFIXES, read_catalog

#: Members an archive may hold (a catalogue of 100,000 items and its CSV).
MAX_MEMBERS = 100_001
#: What every member may add up to, unpacked, as a multiple of the archive's own size limit.
UNPACKED_RATIO = 4


def pack_catalog(path: Path) -> bytes:
    """``path`` (a catalogue CSV, or a folder of photos with or without ``catalog.csv``) as ZIP
    bytes: the CSV as ``catalog.csv`` beside the photos it names, under the names it uses.

    Raises:
        InputError: ``path`` is neither, or the CSV lacks a column.
    """
    items, _ = read_catalog(path)
    listing = path / "catalog.csv" if path.is_dir() else path
    buffer = io.BytesIO()
    # Photos are compressed already: stored as they are, the archive is made at disk speed.
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_STORED) as archive:
        if listing.is_file():
            archive.write(listing, "catalog.csv")
        root = listing.parent
        for item in items:
            try:
                name = item.photo.resolve().relative_to(root.resolve()).as_posix()
            except ValueError:
                continue  # a photo outside the catalogue's folder: refused as missing later
            if item.photo.is_file():
                archive.write(item.photo, name)
    return buffer.getvalue()


def safe_member(name: str) -> PurePosixPath:
    """The relative path of archive member ``name``; InputError when it would leave the folder."""
    path = PurePosixPath(name.replace("\\", "/"))
    if path.is_absolute() or ".." in path.parts or (path.parts and ":" in path.parts[0]):
        raise InputError(f"the archive member {name[:200]!r} points outside the catalogue")
    return path


def check_archive(data: bytes, *, max_unpacked_bytes: int) -> int:
    """How many product photos the ZIP ``data`` holds, after checking it can be unpacked safely.

    Raises:
        InputError: not a ZIP, a member name leaving the folder, too many members or unpacked
            bytes, or neither a ``catalog.csv`` nor any photo.
    """
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
    except (zipfile.BadZipFile, ValueError) as exc:
        raise InputError("the catalogue must be a ZIP archive of catalog.csv and photos") from exc
    with archive:
        members = [m for m in archive.infolist() if not m.is_dir()]
        if len(members) > MAX_MEMBERS:
            raise InputError(f"the archive holds {len(members)} files; at most {MAX_MEMBERS}")
        if sum(m.file_size for m in members) > max_unpacked_bytes:
            raise InputError(
                f"the archive unpacks to more than {max_unpacked_bytes // 2**20} MB; split it"
            )
        names = [safe_member(m.filename) for m in members]
    photos = sum(1 for n in names if n.suffix.lower() in PHOTO_SUFFIXES)
    if not photos and PurePosixPath("catalog.csv") not in names:
        raise InputError("the archive holds neither a catalog.csv nor any JPEG, PNG or WebP photo")
    return photos


def unpack_catalog(data: bytes, folder: Path, *, max_unpacked_bytes: int) -> Path:
    """Unpack the ZIP ``data`` into ``folder`` (checked as :func:`check_archive` does); returns
    what :func:`read_catalog` reads: ``folder/catalog.csv`` when there is one, else ``folder``.

    (``zipfile`` reads no more of a member than the size it declares, which was checked, and
    fails on a CRC mismatch, so a member lying about its size cannot unpack to more.)
    """
    check_archive(data, max_unpacked_bytes=max_unpacked_bytes)
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        for member in archive.infolist():
            if member.is_dir():
                continue
            target = folder / safe_member(member.filename)
            target.parent.mkdir(parents=True, exist_ok=True)
            with archive.open(member) as source, target.open("wb") as sink:
                shutil.copyfileobj(source, sink)
    listing = folder / "catalog.csv"
    return listing if listing.is_file() else folder
