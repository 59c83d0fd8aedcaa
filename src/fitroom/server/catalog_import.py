"""Importing a merchant's whole catalogue into the shop, the photos ingested on a Dask cluster.

A catalogue is a CSV (``sku,name,price_cents,photo[,sizes][,size_chart][,description]``; photo
paths relative to the CSV) or a folder of product photos (SKU and name from the file name; a
``catalog.csv`` inside it is read instead). Each item's photo is read here and ingested on a
Dask worker (:func:`ingest_item`: cut-out, landmarks, ``.fitg`` package, product image); this
process writes the results, so the database and media storage have one writer.

Idempotent and resumable: a garment remembers its SKU (``import_key``, unique per merchant), an
import skips the SKUs already in the shop, and each garment is written in one transaction, so a
run killed at any point and run again ends with each SKU once. Refused photos (not a garment, too
large, malformed row) are reported with the reason and not retried by the same run.
"""

from __future__ import annotations

import csv
import json
import time
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from fitroom.errors import FitroomError, InputError
from fitroom.garments import ingest_garment
from fitroom.server import crud
from fitroom.server.db import session_scope
from fitroom.server.models import Garment
from fitroom.server.services import Services
from fitroom.server.services.ingestion import package_bytes, product_jpeg, size_chart_model

#: File name suffixes a catalogue folder's photos may have.
PHOTO_SUFFIXES = (".jpg", ".jpeg", ".png", ".webp")
#: Price of a folder item without a CSV (cents).
DEFAULT_PRICE_CENTS = 2990
#: Photos in flight on the cluster at once, per worker thread (bounds the memory of this process).
IN_FLIGHT_PER_THREAD = 4


@dataclass(frozen=True)
class CatalogItem:
    """One row of a catalogue: what the shop shows and where its product photo is."""

    sku: str
    name: str
    price_cents: int
    photo: Path
    sizes: tuple[str, ...] = ("S", "M", "L")
    size_chart: dict[str, dict[str, list[float]]] | None = None
    description: str = ""


@dataclass(frozen=True)
class IngestedItem:
    """A photo made try-on-ready on a worker: the package and product image bytes."""

    sku: str
    package: bytes
    image_jpeg: bytes
    category: str
    subcategory: str
    colour: str


@dataclass(frozen=True)
class Refusal:
    """An item the import refused, and why (a sentence for the merchant)."""

    sku: str
    photo: str
    reason: str


@dataclass(frozen=True)
class ImportReport:
    """What an import run did."""

    added: int
    skipped: int
    refused: tuple[Refusal, ...]
    seconds: float

    @property
    def items_per_second(self) -> float:
        return self.added / self.seconds if self.seconds > 0 else 0.0


def read_catalog(path: Path, *, confined: bool = False) -> tuple[list[CatalogItem], list[Refusal]]:
    """The items of a catalogue CSV or folder, and the rows refused while reading it.

    ``confined`` refuses rows whose photo lies outside the CSV's folder (a catalogue sent by a
    merchant must not name files of the machine that imports it).

    Raises:
        InputError: the path is neither a CSV file nor a folder, or the CSV lacks a column.
    """
    if path.is_dir():
        listed = path / "catalog.csv"
        if listed.is_file():
            return read_catalog(listed, confined=confined)
        photos = sorted(p for p in path.iterdir() if p.suffix.lower() in PHOTO_SUFFIXES)
        found = [
            CatalogItem(
                sku=p.stem,
                name=p.stem.replace("-", " ").replace("_", " ").title(),
                price_cents=DEFAULT_PRICE_CENTS,
                photo=p,
            )
            for p in photos
        ]
        return found, []
    if not path.is_file() or path.suffix.lower() != ".csv":
        raise InputError(f"{path} is neither a catalogue CSV nor a folder of product photos")
    with path.open(newline="", encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))
    missing = {"sku", "name", "price_cents", "photo"} - set(rows[0] if rows else {})
    if rows and missing:
        raise InputError(f"{path} has no column {', '.join(sorted(missing))}")
    items: list[CatalogItem] = []
    refused: list[Refusal] = []
    seen: set[str] = set()
    for number, row in enumerate(rows, start=2):
        try:
            item = _item(row, path.parent, confined=confined)
        except (ValueError, KeyError) as exc:
            refused.append(
                Refusal(row.get("sku") or f"line {number}", row.get("photo", ""), str(exc))
            )
            continue
        if item.sku in seen:
            refused.append(Refusal(item.sku, str(item.photo), "the SKU is listed twice"))
            continue
        seen.add(item.sku)
        items.append(item)
    return items, refused


def _item(row: dict[str, str], folder: Path, *, confined: bool) -> CatalogItem:
    sku = (row.get("sku") or "").strip()
    if not sku or len(sku) > 200:
        raise ValueError("the SKU is empty or longer than 200 characters")
    name = (row.get("name") or "").strip()
    if not name or len(name) > 200:
        raise ValueError("the name is empty or longer than 200 characters")
    price_text = (row.get("price_cents") or "").strip()
    if not price_text.isdigit():
        raise ValueError(f"the price {price_text[:20]!r} is not a whole number of cents")
    price = int(price_text)
    if not 0 <= price <= 10_000_000:
        raise ValueError(f"the price {price} is outside 0–10,000,000 cents")
    chart_text = (row.get("size_chart") or "").strip()
    chart = json.loads(chart_text) if chart_text else None
    size_chart_model(chart)  # the library checks the chart's shape
    sizes = tuple(s.strip() for s in (row.get("sizes") or "S,M,L").split(",") if s.strip())
    photo = folder / (row.get("photo") or "").strip()
    if confined and not photo.resolve().is_relative_to(folder.resolve()):
        raise ValueError("the photo lies outside the catalogue's folder")
    return CatalogItem(
        sku=sku,
        name=name,
        price_cents=price,
        photo=photo,
        sizes=sizes or ("S", "M", "L"),
        size_chart=chart,
        description=(row.get("description") or "").strip(),
    )


def ingest_item(
    sku: str,
    name: str,
    photo: bytes,
    chart: dict[str, dict[str, list[float]]] | None,
    *,
    opencv_threads: int | None = None,
) -> IngestedItem | Refusal:
    """Ingest one product photo (runs on a Dask worker); a refusal instead of an exception.

    ``opencv_threads`` sets OpenCV's thread pool of the process first (a Dask worker runs one
    photo per worker thread: OpenCV's own pool of one thread per core on top of that puts
    twice as many busy threads as cores on a machine with two workers)."""
    if opencv_threads is not None:
        import cv2

        cv2.setNumThreads(opencv_threads)
    try:
        garment = ingest_garment(
            photo, name=name, size_chart=size_chart_model(chart), source_name=sku
        )
    except FitroomError as exc:
        return Refusal(sku, "", str(exc))
    palette = garment.features.palette
    return IngestedItem(
        sku=sku,
        package=package_bytes(garment),
        image_jpeg=product_jpeg(garment),
        category=garment.category,
        subcategory=garment.subcategory,
        colour=palette[0].name if palette else "unknown",
    )


def imported_skus(services: Services, merchant_id: int) -> set[str]:
    """The SKUs of this merchant already in the shop (what a rerun skips)."""
    with session_scope(services.sessions) as session:
        keys = session.scalars(
            select(Garment.import_key).where(
                Garment.merchant_id == merchant_id, Garment.import_key.is_not(None)
            )
        )
        return {key for key in keys if key}


def store_item(services: Services, merchant_id: int, item: CatalogItem, done: IngestedItem) -> bool:
    """Write one ingested item as an active garment; False when its SKU is already there.

    The unique (merchant, SKU) constraint settles a race with another importer.
    """
    try:
        return _store_item(services, merchant_id, item, done)
    except IntegrityError:
        return False


def _store_item(
    services: Services, merchant_id: int, item: CatalogItem, done: IngestedItem
) -> bool:
    with session_scope(services.sessions) as session:
        if crud.get_garment_by_import_key(session, merchant_id=merchant_id, import_key=item.sku):
            return False
        row = crud.create_garment(
            session,
            name=item.name,
            merchant_id=merchant_id,
            price_cents=item.price_cents,
            sizes=list(item.sizes),
            colours=[done.colour],
            description=item.description,
            size_chart=item.size_chart,
            import_key=item.sku,
        )
        package_key = f"garments/{row.id}/garment.fitg"
        image_key = f"garments/{row.id}/images/0.jpg"
        services.storage.put(package_key, done.package)
        services.storage.put(image_key, done.image_jpeg)
        crud.add_product_image(session, garment=row, storage_key=image_key)
        row.package_key = package_key
        row.category = done.category
        row.subcategory = done.subcategory
        row.status = "active"
    return True


def import_catalog(
    services: Services,
    client: Any | None,
    items: Iterable[CatalogItem],
    *,
    merchant_id: int,
    max_photo_bytes: int,
    progress: Callable[[int], None] | None = None,
    refused_one: Callable[[Refusal], None] | None = None,
) -> ImportReport:
    """Ingest ``items`` on the Dask ``client``'s cluster (in this thread when ``client`` is None)
    and add them to the shop.

    ``progress`` is called with the number of items finished (added, skipped or refused) as they
    finish; ``refused_one`` with each refusal as it happens.
    """
    started = time.perf_counter()
    done_before = imported_skus(services, merchant_id)
    listed = list(items)
    todo = [item for item in listed if item.sku not in done_before]
    skipped = len(listed) - len(todo)
    if progress is not None and skipped:
        progress(skipped)
    by_sku = {item.sku: item for item in todo}
    refused: list[Refusal] = []

    def refuse(refusal: Refusal) -> None:
        refused.append(refusal)
        if refused_one is not None:
            refused_one(refusal)
        if progress is not None:
            progress(1)

    added = 0
    photos = _photos(todo, max_photo_bytes, refuse)
    results = (
        _ingested_here(photos)
        if client is None
        else _ingested_on_cluster(client, photos, merchant_id)
    )
    for result in results:
        item = by_sku[result.sku]
        if isinstance(result, Refusal):
            refuse(Refusal(item.sku, str(item.photo), result.reason))
            continue
        if store_item(services, merchant_id, item, result):
            added += 1
        else:
            skipped += 1
        if progress is not None:
            progress(1)
    return ImportReport(
        added=added,
        skipped=skipped,
        refused=tuple(refused),
        seconds=time.perf_counter() - started,
    )


def _photos(
    items: list[CatalogItem], max_photo_bytes: int, refuse: Callable[[Refusal], None]
) -> Iterator[tuple[CatalogItem, bytes]]:
    """Each item with its photo's bytes, read as they are asked for; unreadable ones refused."""
    for item in items:
        try:
            size = item.photo.stat().st_size
            if size > max_photo_bytes:
                raise InputError(f"the photo is larger than {max_photo_bytes // 2**20} MB")
            photo = item.photo.read_bytes()
        except (OSError, InputError) as exc:
            reason = exc.strerror if isinstance(exc, OSError) and exc.strerror else str(exc)
            refuse(Refusal(item.sku, str(item.photo), f"cannot use the photo: {reason}"))
            continue
        yield item, photo


def _ingested_here(
    photos: Iterator[tuple[CatalogItem, bytes]],
) -> Iterator[IngestedItem | Refusal]:
    for item, photo in photos:
        yield ingest_item(item.sku, item.name, photo, item.size_chart)


def _ingested_on_cluster(
    client: Any, photos: Iterator[tuple[CatalogItem, bytes]], merchant_id: int
) -> Iterator[IngestedItem | Refusal]:
    """Results of :func:`ingest_item` on the cluster as they finish, with a bounded number of
    photos in flight (they are held by this process until a worker has them)."""
    from distributed import as_completed

    threads = max(1, sum(client.nthreads().values()))
    # The key names the merchant too: two shops' imports on one cluster may share SKUs.
    pending = (
        client.submit(
            ingest_item,
            item.sku,
            item.name,
            photo,
            item.size_chart,
            opencv_threads=1,
            key=f"ingest-{merchant_id}-{item.sku}",
        )
        for item, photo in photos
    )
    window = as_completed()
    for future in _first(pending, threads * IN_FLIGHT_PER_THREAD):
        window.add(future)
    for future in window:
        result = future.result()
        future.release()
        next_one = next(pending, None)
        if next_one is not None:
            window.add(next_one)
        yield result


def _first(futures: Iterator[Any], count: int) -> list[Any]:
    return [f for _, f in zip(range(count), futures, strict=False)]


def write_report(path: Path, report: ImportReport) -> None:
    """The refused items as CSV (``sku,photo,reason``)."""
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(["sku", "photo", "reason"])
        for refusal in report.refused:
            writer.writerow([refusal.sku, refusal.photo, refusal.reason])
