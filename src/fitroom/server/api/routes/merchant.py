"""Merchant: add a garment from a product photo (background ingestion), import a catalogue,
edit, archive, jobs."""

from __future__ import annotations

import json
import uuid
from typing import Annotated, Any

from fastapi import APIRouter, File, Form, HTTPException, UploadFile, status
from pydantic import TypeAdapter, ValidationError
from starlette.concurrency import run_in_threadpool

from fitroom.server import crud
from fitroom.server.api.deps import Csrf, IdPath, MerchantUser, ServicesDep, SessionDep
from fitroom.server.core.crypto import encode_jpeg
from fitroom.server.models import Garment
from fitroom.server.schemas import GarmentPublic, GarmentUpdate, JobPublic, SizeChartBody
from fitroom.server.services.catalog import garment_public
from fitroom.server.services.imports import enqueue_catalog_import
from fitroom.server.services.ingestion import count_upload, enqueue_ingestion, size_chart_model
from fitroom.server.services.uploads import decode_photo, read_upload

router = APIRouter(prefix="/merchant", tags=["merchant"])

_chart_adapter: TypeAdapter[SizeChartBody] = TypeAdapter(SizeChartBody)


def parse_chart(text: str | None) -> dict[str, dict[str, list[float]]] | None:
    """A size chart from JSON ``{"M": {"chest": [96, 101]}}``; 422 when malformed."""
    if not text or not text.strip():
        return None
    try:
        chart = _chart_adapter.validate_python(json.loads(text))
    except (ValueError, ValidationError, RecursionError) as exc:
        raise HTTPException(
            status.HTTP_422_UNPROCESSABLE_CONTENT,
            'the size chart must be JSON like {"M": {"chest": [96, 101]}}',
        ) from exc
    return chart_as_lists(chart)


def chart_as_lists(chart: SizeChartBody) -> dict[str, dict[str, list[float]]]:
    out = {size: {m: [lo, hi] for m, (lo, hi) in rows.items()} for size, rows in chart.items()}
    for rows in out.values():
        for m, (lo, hi) in rows.items():
            if lo > hi:
                raise HTTPException(
                    status.HTTP_422_UNPROCESSABLE_CONTENT,
                    f"size chart range for {m} goes from {lo} down to {hi}; give low, high",
                )
    size_chart_model(out)  # the library's own validation
    return out


def split_list(text: str, *, what: str, max_length: int, max_items: int = 12) -> list[str]:
    """The comma-separated entries of ``text``; 422 when one is too long or there are too many."""
    parts = [part.strip() for part in text.split(",") if part.strip()]
    if len(parts) > max_items or any(len(p) > max_length for p in parts):
        raise HTTPException(
            status.HTTP_422_UNPROCESSABLE_CONTENT,
            f"give at most {max_items} {what}, each at most {max_length} characters",
        )
    return parts


def own_garment(session: SessionDep, garment_id: int, user: MerchantUser) -> Garment:
    garment = crud.get_garment(session, garment_id=garment_id)
    if garment is None or garment.merchant_id != user.id:
        raise HTTPException(status.HTTP_404_NOT_FOUND, "no such garment in your shop")
    return garment


@router.get("/garments")
def my_garments(session: SessionDep, user: MerchantUser) -> list[GarmentPublic]:
    rows = crud.list_garments(
        session,
        merchant_id=user.id,
        statuses=("processing", "active", "failed", "archived"),
        limit=1000,
    )
    return [garment_public(g) for g in rows]


@router.post("/garments", status_code=202, dependencies=[Csrf])
async def add_garment(
    services: ServicesDep,
    session: SessionDep,
    user: MerchantUser,
    photo: Annotated[UploadFile, File(description="product photo on a plain background")],
    name: Annotated[str, Form(min_length=1, max_length=200)],
    price_cents: Annotated[int, Form(ge=0, le=10_000_000)],
    sizes: Annotated[str, Form(description="comma-separated, e.g. S,M,L")] = "S,M,L",
    colours: Annotated[str, Form(description="comma-separated; detected when empty")] = "",
    description: Annotated[str, Form(max_length=5000)] = "",
    size_chart: Annotated[
        str | None, Form(max_length=20_000, description="JSON size chart")
    ] = None,
) -> dict[str, Any]:
    """Accept the photo (413/415 at once when unusable) and queue its ingestion; poll the job.

    Uploads count towards the merchant's upload rate (429) and garment quota (403)."""
    size_list = split_list(sizes, what="sizes", max_length=8)
    if not size_list:
        raise HTTPException(status.HTTP_422_UNPROCESSABLE_CONTENT, "give at least one size")
    colour_list = split_list(colours, what="colours", max_length=40)
    count_upload(services, session, user, new_garment=True)
    data = await read_upload(photo, services.settings)
    await run_in_threadpool(decode_photo, data, services.settings)
    garment = crud.create_garment(
        session,
        name=name.strip(),
        merchant_id=user.id,
        price_cents=price_cents,
        sizes=size_list,
        colours=colour_list,
        description=description,
        size_chart=parse_chart(size_chart),
    )
    job = await enqueue_ingestion(
        services, session, garment_id=garment.id, created_by=user.id, photo=data
    )
    return {"garment_id": garment.id, "job": JobPublic.model_validate(job).model_dump(mode="json")}


@router.post("/imports", status_code=202, dependencies=[Csrf])
async def import_catalogue(
    services: ServicesDep,
    session: SessionDep,
    user: MerchantUser,
    archive: Annotated[
        UploadFile,
        File(description="ZIP of catalog.csv (sku,name,price_cents,photo,...) and its photos"),
    ],
) -> dict[str, Any]:
    """Queue the import of a whole catalogue; poll the job for its progress and refusals.

    SKUs already in the shop are skipped, so sending the same catalogue again adds only what is
    missing. 413 beyond ``max_import_bytes``, 422 when the archive is not a usable catalogue."""
    limit = services.settings.max_import_bytes
    data = await archive.read(limit + 1)
    if len(data) > limit:
        raise HTTPException(
            status.HTTP_413_CONTENT_TOO_LARGE,
            f"the catalogue is larger than {limit // 2**20} MB; split it into several archives",
        )
    job = await enqueue_catalog_import(services, session, merchant_id=user.id, archive=data)
    return {"job": JobPublic.model_validate(job).model_dump(mode="json")}


@router.get("/jobs")
def my_jobs(session: SessionDep, user: MerchantUser) -> list[JobPublic]:
    """Your newest jobs with their status and, when refused, why."""
    return [JobPublic.model_validate(job) for job in crud.list_jobs(session, created_by=user.id)]


@router.get("/jobs/{job_id}")
def job_status(job_id: IdPath, session: SessionDep, user: MerchantUser) -> JobPublic:
    job = crud.get_job(session, job_id=job_id)
    if job is None or job.created_by != user.id:
        raise HTTPException(status.HTTP_404_NOT_FOUND, "no such job")
    return JobPublic.model_validate(job)


@router.patch("/garments/{garment_id}", dependencies=[Csrf])
def edit_garment(
    garment_id: IdPath, body: GarmentUpdate, session: SessionDep, user: MerchantUser
) -> GarmentPublic:
    garment = own_garment(session, garment_id, user)
    if body.name is not None:
        garment.name = body.name.strip()
    if body.description is not None:
        garment.description = body.description
    if body.price_cents is not None:
        garment.price_cents = body.price_cents
    if body.size_chart is not None:
        garment.size_chart = chart_as_lists(body.size_chart)
    if body.sizes is not None or body.colours is not None:
        colours = body.colours or sorted({v.colour for v in garment.variants})
        sizes = body.sizes or sorted({v.size for v in garment.variants}, key=crud.size_key)
        crud.set_variants(session, garment=garment, colours=colours, sizes=sizes)
    session.flush()
    session.refresh(garment)
    return garment_public(garment)


@router.post("/garments/{garment_id}/images", status_code=201, dependencies=[Csrf])
async def add_image(
    garment_id: IdPath,
    services: ServicesDep,
    session: SessionDep,
    user: MerchantUser,
    photo: Annotated[UploadFile, File(description="another product photo for the gallery")],
) -> GarmentPublic:
    """Add a gallery photo (re-encoded: EXIF and anything hidden in the file are dropped)."""
    garment = own_garment(session, garment_id, user)
    count_upload(services, session, user, new_garment=False)
    data = await read_upload(photo, services.settings)
    pixels = await run_in_threadpool(decode_photo, data, services.settings)
    jpeg = await run_in_threadpool(encode_jpeg, pixels)
    key = f"garments/{garment.id}/images/{uuid.uuid4().hex}.jpg"
    services.storage.put(key, jpeg)
    crud.add_product_image(session, garment=garment, storage_key=key)
    return garment_public(garment)


@router.post("/garments/{garment_id}/archive", dependencies=[Csrf])
def archive_garment(garment_id: IdPath, session: SessionDep, user: MerchantUser) -> GarmentPublic:
    garment = own_garment(session, garment_id, user)
    garment.status = "archived"
    return garment_public(garment)


@router.post("/garments/{garment_id}/restore", dependencies=[Csrf])
def restore_garment(garment_id: IdPath, session: SessionDep, user: MerchantUser) -> GarmentPublic:
    garment = own_garment(session, garment_id, user)
    if garment.status != "archived":
        raise HTTPException(status.HTTP_409_CONFLICT, "only an archived garment can be restored")
    garment.status = "active" if garment.package_key else "failed"
    return garment_public(garment)
