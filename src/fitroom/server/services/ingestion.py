"""Ingestion of merchant product photos into try-on-ready garments, as background jobs.

The garment row is made with the job, and the job only fills it in under fixed storage keys, so
a job run again (see :mod:`fitroom.server.services.jobs`) never makes a second garment.
"""

from __future__ import annotations

import asyncio
import tempfile
from pathlib import Path

import numpy as np
from PIL import Image
from sqlalchemy.orm import Session

from fitroom.garments import Garment as GarmentModel
from fitroom.garments import SizeChart, SizeRange, ingest_garment, save_garment
from fitroom.server import crud
from fitroom.server.core.crypto import encode_jpeg
from fitroom.server.db import session_scope
from fitroom.server.errors import QuotaReached, RateLimited
from fitroom.server.limits import upload_limit
from fitroom.server.models import Job, User
from fitroom.server.services import Services
from fitroom.server.services.jobqueue import job_outcome

#: The job kind of a merchant upload.
INGEST_GARMENT = "ingest_garment"


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


def run_ingestion(
    services: Services, job_id: int, garment_id: int | None, payload_key: str | None
) -> None:
    """Ingest the uploaded photo, store the garment, and record done or the refusal message."""
    with session_scope(services.sessions) as session:
        row = None if garment_id is None else crud.get_garment(session, garment_id=garment_id)
        name, chart = (row.name, row.size_chart) if row is not None else ("", None)
    if row is None or garment_id is None:
        end_job(services, job_id, None, "the garment was deleted before it was ingested")
        return
    if payload_key is None or not services.storage.exists(payload_key):
        end_job(services, job_id, garment_id, "the uploaded photo is gone; upload it again")
        return
    with job_outcome("ingestion", job_id, "try another photo") as outcome:
        garment = ingest_garment(
            services.storage.get(payload_key),
            name=name,
            size_chart=size_chart_model(chart),
            source_name=f"upload-{garment_id}",
        )
        store_ingested(services, garment_id, garment)
    end_job(services, job_id, garment_id, outcome.error)
    services.storage.delete(payload_key)


def end_job(services: Services, job_id: int, garment_id: int | None, error: str | None) -> None:
    """Record the job's end; a refused garment shows as failed."""
    with session_scope(services.sessions) as session:
        job = crud.get_job(session, job_id=job_id)
        if job is not None:
            crud.finish_job(session, job=job, error=error)
        row = None if garment_id is None else crud.get_garment(session, garment_id=garment_id)
        if error and row is not None and row.status == "processing":
            row.status = "failed"


#: Garment statuses that count towards a merchant's quota (archived ones do not).
QUOTA_STATUSES = ("processing", "active", "failed")


def count_upload(services: Services, session: Session, user: User, *, new_garment: bool) -> None:
    """Count one photo upload of this merchant: :class:`RateLimited` beyond the upload rate,
    :class:`QuotaReached` when a new garment would go past the garment quota. The count is
    shared by every process."""
    settings, limit = services.settings, upload_limit(services.settings)
    key = f"merchant:{user.id}"
    if services.limiter.exceeded(limit, key):
        raise RateLimited(
            f"at most {limit.attempts} photo uploads per {limit.window_seconds / 60:g} minutes; "
            "wait a little and try again",
        )
    quota = settings.merchant_garment_quota
    if new_garment and (
        crud.count_garments(session, merchant_id=user.id, statuses=QUOTA_STATUSES) >= quota
    ):
        raise QuotaReached(
            f"your shop has its quota of {quota} garments; archive some to add new ones",
        )
    services.limiter.hit(limit, key)


async def enqueue_ingestion(
    services: Services, session: Session, *, garment_id: int, created_by: int, photo: bytes
) -> Job:
    """Keep the uploaded photo in media storage and queue the job that ingests it.

    The garment row must be in ``session``; it and the job are committed before the queue
    hears of the job, so any worker on any machine finds both.
    """
    job = crud.create_job(
        session, kind=INGEST_GARMENT, garment_id=garment_id, created_by=created_by
    )
    job.payload_key = f"jobs/{job.id}/upload"
    await asyncio.to_thread(services.storage.put, job.payload_key, photo)
    session.commit()
    await services.queue.enqueue(job.id)
    return job
