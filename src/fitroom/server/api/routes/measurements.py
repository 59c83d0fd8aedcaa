"""The shopper's body measurements and size advice.

* ``POST /api/v1/measurements/estimate``: measure from a front photo (+ side photo) and the
  height; kept only when the shopper consents (``save``), the photos never.
* ``PUT /api/v1/measurements``: type them in (consent required: that is what storing means).
* ``GET`` / ``DELETE /api/v1/measurements``: read or forget them.
* ``GET /api/v1/garments/{id}/size-advice``: the recommended size and per-zone fit from the
  garment's size chart and the stored measurements (no chart, no login or no measurements:
  a ``status`` saying so, never a guessed size).

Stored measurements are sealed with the media cipher (AES-GCM), bound to the user id, and go
with the account (the row cascades on user deletion).
"""

from __future__ import annotations

from functools import partial
from typing import Annotated, Any

from fastapi import APIRouter, File, Form, HTTPException, UploadFile, status
from pydantic import BaseModel, Field
from starlette.concurrency import run_in_threadpool

from fitroom.measure import (
    BodyMeasurements,
)
from fitroom.measure.estimate import Sex
from fitroom.measure.size import Preference
from fitroom.server.api.deps import (
    Csrf,
    CurrentUser,
    IdPath,
    OptionalUser,
    ServicesDep,
    SessionDep,
)
from fitroom.server.schemas import Message
from fitroom.server.services.catalog import visible_garment
from fitroom.server.services.measuring import (
    TYPED_RANGES_CM,
    MeasurementsPublic,
    SizeAdvicePublic,
    get_profile,
    public,
    size_advice,
    store,
    unseal,
)
from fitroom.server.services.uploads import decode_photo, read_upload

router = APIRouter(tags=["measurements"])


def _cm(name: str) -> Any:
    low, high = TYPED_RANGES_CM[name]
    return Field(
        default=None,
        ge=low,
        le=high,
        allow_inf_nan=False,
        description=f"{name} in cm ({low:g}–{high:g})",
    )


class TypedMeasurements(BaseModel):
    """Measurements taken with a tape, in cm; every one optional, at least one needed."""

    height: float | None = _cm("height")
    shoulder_width: float | None = _cm("shoulder_width")
    chest: float | None = _cm("chest")
    waist: float | None = _cm("waist")
    hip: float | None = _cm("hip")
    inseam: float | None = _cm("inseam")
    arm_length: float | None = _cm("arm_length")
    torso_length: float | None = _cm("torso_length")


class MeasurementsIn(BaseModel):
    measurements_cm: TypedMeasurements
    preference: Preference = "regular"
    consent: bool = Field(description="the shopper agrees to have them stored (must be true)")


@router.get("/measurements")
def get_measurements(
    services: ServicesDep, session: SessionDep, user: CurrentUser
) -> MeasurementsPublic:
    """The stored measurements; 404 when none are stored."""
    profile = get_profile(session, user.id)
    if profile is None:
        raise HTTPException(
            status.HTTP_404_NOT_FOUND,
            "no measurements stored; estimate them from a photo or type them in",
        )
    measurements, preference = unseal(services, profile)
    return public(measurements, preference, profile)


@router.put("/measurements", dependencies=[Csrf])
def put_measurements(
    body: MeasurementsIn, services: ServicesDep, session: SessionDep, user: CurrentUser
) -> MeasurementsPublic:
    """Keep measurements the shopper typed in (replacing any stored ones)."""
    if not body.consent:
        raise HTTPException(
            status.HTTP_422_UNPROCESSABLE_CONTENT,
            "tick the consent box: measurements are only stored when you agree",
        )
    values = {k: v for k, v in body.measurements_cm.model_dump().items() if v is not None}
    if not values:
        raise HTTPException(
            status.HTTP_422_UNPROCESSABLE_CONTENT, "type in at least one measurement in cm"
        )
    measurements = BodyMeasurements.typed(values)
    profile = store(services, session, user, measurements, body.preference)
    return public(measurements, body.preference, profile)


@router.post("/measurements/estimate", dependencies=[Csrf])
async def estimate(
    services: ServicesDep,
    session: SessionDep,
    user: CurrentUser,
    photo: Annotated[UploadFile, File(description="front photo, whole body head to feet")],
    height_cm: Annotated[
        float, Form(ge=100.0, le=230.0, allow_inf_nan=False, description="your height in cm")
    ],
    side: Annotated[UploadFile | None, File(description="optional side photo")] = None,
    preference: Annotated[Preference, Form()] = "regular",
    sex: Annotated[
        Sex | None,
        Form(description="which body depth ratios to use without a side photo (else their mean)"),
    ] = None,
    save: Annotated[bool, Form(description="keep the measurements (never the photos)")] = False,
) -> MeasurementsPublic:
    """Estimate measurements from photos; the photos are discarded, the numbers kept if asked."""
    front_bytes = await read_upload(photo, services.settings)
    side_bytes = None
    if side is not None and side.filename:
        side_bytes = await read_upload(side, services.settings)
    front = await run_in_threadpool(decode_photo, front_bytes, services.settings)
    side_pixels = (
        None
        if side_bytes is None
        else await run_in_threadpool(decode_photo, side_bytes, services.settings)
    )
    tool = await run_in_threadpool(services.measurer)
    # A shop photo often crops the head; with the ankles in view the scale can still be set
    # from proportions, and the answer says so in a warning.
    measurements = await run_in_threadpool(
        partial(tool.measure, front, height_cm, side=side_pixels, sex=sex, head_optional=True)
    )
    profile = store(services, session, user, measurements, preference) if save else None
    return public(measurements, preference, profile)


@router.delete("/measurements", dependencies=[Csrf])
def delete_measurements(session: SessionDep, user: CurrentUser) -> Message:
    profile = get_profile(session, user.id)
    if profile is None:
        raise HTTPException(status.HTTP_404_NOT_FOUND, "no measurements stored")
    session.delete(profile)
    return Message(message="measurements deleted")


@router.get("/garments/{garment_id}/size-advice")
def garment_size_advice(
    garment_id: IdPath, services: ServicesDep, session: SessionDep, user: OptionalUser
) -> SizeAdvicePublic:
    """Which size of this garment to take, from its size chart and your stored measurements."""
    return size_advice(services, session, user, visible_garment(session, garment_id, user))
