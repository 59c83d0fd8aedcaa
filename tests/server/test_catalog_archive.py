"""A catalogue as one ZIP: packed from a folder or CSV, checked, unpacked without trusting it."""

from __future__ import annotations

import io
import zipfile
from pathlib import Path

import pytest
from PIL import Image

from fitroom.errors import InputError
from fitroom.server.catalog_archive import check_archive, pack_catalog, unpack_catalog
from fitroom.server.catalog_import import read_catalog

LIMIT = 50 * 2**20


def write_photo(path: Path) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    Image.new("RGB", (40, 60), (200, 30, 30)).save(path, "JPEG")


def test_a_csv_catalogue_packs_and_unpacks_to_the_same_items(tmp_path: Path) -> None:
    source = tmp_path / "shop"
    write_photo(source / "img" / "a.jpg")
    write_photo(source / "b.jpg")
    write_photo(tmp_path / "outside.jpg")
    listing = source / "list.csv"
    listing.write_text(
        "sku,name,price_cents,photo\nA,Shirt,100,img/a.jpg\nB,Tee,200,b.jpg\n"
        "C,Elsewhere,300,../outside.jpg\n",
        encoding="utf-8",
    )
    archive = pack_catalog(listing)
    with zipfile.ZipFile(io.BytesIO(archive)) as packed:
        # A photo outside the catalogue's folder is not packed (the import reports it missing).
        assert sorted(packed.namelist()) == ["b.jpg", "catalog.csv", "img/a.jpg"]
    assert check_archive(archive, max_unpacked_bytes=LIMIT) == 2
    unpacked = unpack_catalog(archive, tmp_path / "out", max_unpacked_bytes=LIMIT)
    assert unpacked == tmp_path / "out" / "catalog.csv"
    items, refused = read_catalog(unpacked, confined=True)
    assert [(i.sku, i.photo.is_file()) for i in items] == [("A", True), ("B", True)]
    # The listing names a file beside the unpacked folder: never read on the importing machine.
    assert [(r.sku, r.reason) for r in refused] == [
        ("C", "the photo lies outside the catalogue's folder")
    ]


def test_a_folder_of_photos_packs_without_a_listing(tmp_path: Path) -> None:
    write_photo(tmp_path / "shop" / "red-shirt.jpg")
    archive = pack_catalog(tmp_path / "shop")
    unpacked = unpack_catalog(archive, tmp_path / "out", max_unpacked_bytes=LIMIT)
    assert unpacked == tmp_path / "out"
    items, _ = read_catalog(unpacked)
    assert [(i.sku, i.name) for i in items] == [("red-shirt", "Red Shirt")]


@pytest.mark.parametrize("name", ["../up.jpg", "/etc/x.jpg", "a/../../up.jpg", "C:/x.jpg"])
def test_a_member_leaving_the_folder_is_refused(tmp_path: Path, name: str) -> None:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("ok.jpg", b"x")
        archive.writestr(name, b"x")
    with pytest.raises(InputError, match="outside"):
        unpack_catalog(buffer.getvalue(), tmp_path, max_unpacked_bytes=LIMIT)
    assert list(tmp_path.iterdir()) == []  # refused before anything was written


def test_an_archive_unpacking_past_the_limit_is_refused(tmp_path: Path) -> None:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("bomb.jpg", b"\0" * (4 * 2**20))
    assert len(buffer.getvalue()) < 64 * 1024  # a few KB that unpack to 4 MB
    with pytest.raises(InputError, match="unpacks to more than 1 MB"):
        unpack_catalog(buffer.getvalue(), tmp_path, max_unpacked_bytes=2**20)


def test_what_is_not_a_catalogue_is_refused() -> None:
    with pytest.raises(InputError, match="ZIP"):
        check_archive(b"not a zip", max_unpacked_bytes=LIMIT)
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("readme.txt", b"hello")
    with pytest.raises(InputError, match=r"neither a catalog\.csv nor any"):
        check_archive(buffer.getvalue(), max_unpacked_bytes=LIMIT)
