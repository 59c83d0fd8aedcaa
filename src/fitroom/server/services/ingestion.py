"""Background ingestion of merchant product photos into try-on-ready garments."""

from __future__ import annotations

import logging
import tempfile
from pathlib import Path

import numpy as np
from PIL import Image

from fitroom.errors import FitroomError
from fitroom.garments import Garment as GarmentModel
from fitroom.garments import SizeChart, SizeRange, ingest_garment, save_garment
from fitroom.server import crud
from fitroom.server.core.crypto import encode_jpeg
from fitroom.server.db import session_scope
from fitroom.server.services import Services

log = logging.getLogger(__name__)


def size_chart_model(chart: dict[str, dict[str, list[float]]] | None) -> SizeChart | None:
    """The library's :class:`SizeChart` for a chart stored as JSON."""
    if not chart:
        return None
    return SizeChart(
        sizes=tuple(chart),
        measurements={
            size: {m: SizeRange(float(lo), float(hi)) for m, (lo, hi) in rows.items()}
            for size, rows in chart.items()
        },
    )


def package_bytes(garment: GarmentModel) -> bytes:
    """The ``.fitg`` package of ``garment`` as bytes."""
    with tempfile.TemporaryDirectory() as tmp:
        path = save_garment(garment, Path(tmp) / "garment.fitg")
        return path.read_bytes()


def product_jpeg(garment: GarmentModel, max_side: int = 900) -> bytes:
    """A product image on white, EXIF-free, at most ``max_side`` pixels."""
    alpha = garment.alpha[..., None]
    rgb = garment.rgb.astype(np.float32) * alpha + 255.0 * (1.0 - alpha)
    image = Image.fromarray(np.clip(rgb + 0.5, 0, 255).astype(np.uint8), "RGB")
    image.thumbnail((max_side, max_side))
    return encode_jpeg(np.asarray(image))


def store_ingested(services: Services, garment_id: int, garment: GarmentModel) -> None:
    """Save the package and the product image of an ingested garment and activate it."""
    package_key = f"garments/{garment_id}/garment.fitg"
    services.storage.put(package_key, package_bytes(garment))
    image_key = f"garments/{garment_id}/images/0.jpg"
    services.storage.put(image_key, product_jpeg(garment))
    with session_scope(services.sessions) as session:
        row = crud.get_garment(session, garment_id=garment_id)
        if row is None:  # deleted meanwhile
            return
        row.package_key = package_key
        row.category = garment.category
        row.subcategory = garment.subcategory
        if not row.images:
            crud.add_product_image(session, garment=row, storage_key=image_key)
        if [v.colour for v in row.variants] == ["unknown"] * len(row.variants):
            sizes = [v.size for v in row.variants]
            colour = garment.features.palette[0].name if garment.features.palette else "unknown"
            crud.set_variants(session, garment=row, colours=[colour], sizes=sizes)
        row.status = "active"
    services.forget_garment(package_key)


def run_ingestion(services: Services, job_id: int, garment_id: int, photo: bytes) -> None:
    """The job body: ingest, store, and record done or the refusal message."""
    with session_scope(services.sessions) as session:
        job = crud.get_job(session, job_id=job_id)
        row = crud.get_garment(session, garment_id=garment_id)
        if job is None or row is None:
            return
        job.status = "running"
        name, chart = row.name, row.size_chart
    error: str | None = None
    try:
        garment = ingest_garment(
            photo,
            name=name,
            size_chart=size_chart_model(chart),
            source_name=f"upload-{garment_id}",
        )
        store_ingested(services, garment_id, garment)
    except FitroomError as exc:
        error = str(exc)
    except Exception as exc:  # a job must always end with a visible status
        log.exception("garment ingestion job %s failed", job_id)
        error = f"ingestion failed unexpectedly ({type(exc).__name__}); try another photo"
    with session_scope(services.sessions) as session:
        job = crud.get_job(session, job_id=job_id)
        if job is not None:
            crud.finish_job(session, job=job, error=error)
        row = crud.get_garment(session, garment_id=garment_id)
        if error and row is not None:
            row.status = "failed"


def submit_ingestion(services: Services, *, job_id: int, garment_id: int, photo: bytes) -> None:
    """Queue :func:`run_ingestion` on the job pool."""
    future = services.jobs.submit(run_ingestion, services, job_id, garment_id, photo)
    services.pending.add(future)
    future.add_done_callback(services.pending.discard)
