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

import json
import threading
from datetime import datetime
from functools import partial
from typing import Annotated, Any, Literal

from fastapi import APIRouter, File, Form, HTTPException, Request, UploadFile, status
from pydantic import BaseModel, Field
from sqlalchemy import select
from sqlalchemy.orm import Session
from starlette.concurrency import run_in_threadpool

from fitroom.fitting.garment_fit import SIZE_EASE
from fitroom.garments import SizeChart
from fitroom.measure import (
    MEASUREMENT_NAMES,
    BodyMeasurements,
    SizeAdvice,
    picture_fit,
    recommend_size,
)
from fitroom.measure.estimate import Sex
from fitroom.measure.measurer import Measurer
from fitroom.measure.size import Preference, no_chart_advice
from fitroom.server import crud
from fitroom.server.api.deps import (
    Csrf,
    CurrentUser,
    IdPath,
    OptionalUser,
    ServicesDep,
    SessionDep,
)
from fitroom.server.api.routes.catalog import visible_garment
from fitroom.server.api.uploads import decode_photo, read_upload
from fitroom.server.jobs import size_chart_model
from fitroom.server.models import Garment, MeasurementProfile, User, utcnow
from fitroom.server.schemas import Message
from fitroom.server.services import Services
from fitroom.tryon import TryOnOptions

router = APIRouter(tags=["measurements"])

#: What a typed-in measurement may be (cm); outside is a typo, not a body.
TYPED_RANGES_CM: dict[str, tuple[float, float]] = {
    "height": (100.0, 230.0),
    "shoulder_width": (25.0, 65.0),
    "chest": (60.0, 170.0),
    "waist": (45.0, 170.0),
    "hip": (60.0, 180.0),
    "inseam": (50.0, 110.0),
    "arm_length": (40.0, 90.0),
    "torso_length": (30.0, 80.0),
}
_measurer_lock = threading.Lock()


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


class MeasurementsPublic(BaseModel):
    measurements_cm: dict[str, float]
    uncertainty_cm: dict[str, float]
    warnings: list[str]
    views: str
    preference: Preference
    saved: bool
    updated_at: datetime | None = None


class SizeAdvicePublic(BaseModel):
    status: Literal["ok", "no_chart", "no_measurements", "login"]
    message: str
    advice: dict[str, Any] | None = None


def get_profile(session: Session, user_id: int) -> MeasurementProfile | None:
    row: MeasurementProfile | None = session.scalars(
        select(MeasurementProfile).where(MeasurementProfile.user_id == user_id)
    ).first()
    return row


def _associated(user_id: int) -> bytes:
    # Binds the sealed blob to its owner: copied to another user's row it will not open.
    return f"measurements:{user_id}".encode()


def unseal(services: Services, profile: MeasurementProfile) -> tuple[BodyMeasurements, Preference]:
    """The stored measurements and fit preference of a profile row."""
    data = json.loads(services.cipher.decrypt(profile.sealed, _associated(profile.user_id)))
    measurements = BodyMeasurements(
        measurements_cm={k: float(v) for k, v in data["measurements_cm"].items()},
        uncertainty_cm={k: float(v) for k, v in data["uncertainty_cm"].items()},
        warnings=tuple(data["warnings"]),
        views=data["views"],
    )
    return measurements, data["preference"]


def store(
    services: Services,
    session: Session,
    user: User,
    measurements: BodyMeasurements,
    preference: Preference,
) -> MeasurementProfile:
    """Seal and keep (or replace) the user's measurements."""
    payload = {**measurements.as_dict(), "preference": preference}
    payload.pop("scale", None)
    sealed = services.cipher.encrypt(json.dumps(payload).encode(), _associated(user.id))
    profile = get_profile(session, user.id)
    if profile is None:
        profile = MeasurementProfile(user_id=user.id, source=measurements.views, sealed=sealed)
        session.add(profile)
    else:
        profile.source = measurements.views
        profile.sealed = sealed
        profile.updated_at = utcnow()
    session.flush()
    return profile


def stored_measurements(
    services: Services, session: Session, user: User | None
) -> tuple[BodyMeasurements, Preference] | None:
    """The user's stored measurements and preference, or None."""
    if user is None:
        return None
    profile = get_profile(session, user.id)
    return None if profile is None else unseal(services, profile)


def public(
    measurements: BodyMeasurements,
    preference: Preference,
    profile: MeasurementProfile | None,
) -> MeasurementsPublic:
    order = [n for n in MEASUREMENT_NAMES if n in measurements.measurements_cm]
    return MeasurementsPublic(
        measurements_cm={n: round(float(measurements[n]), 1) for n in order},
        uncertainty_cm={n: round(float(measurements.uncertainty_cm[n]), 1) for n in order},
        warnings=list(measurements.warnings),
        views=measurements.views,
        preference=preference,
        saved=profile is not None,
        updated_at=None if profile is None else profile.updated_at,
    )


def measurer(request: Request, services: Services) -> Measurer:
    """The app's measurer, made on first use (most shoppers never measure from a photo)."""
    with _measurer_lock:
        existing: Measurer | None = getattr(request.app.state, "measurer", None)
        if existing is None:
            existing = Measurer(num_threads=services.settings.model_threads)
            request.app.state.measurer = existing
        return existing


def close_measurer(state: Any) -> None:
    """Release the measurer an app made (called when the app stops)."""
    with _measurer_lock:
        existing: Measurer | None = getattr(state, "measurer", None)
        if existing is not None:
            existing.close()
            state.measurer = None


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
    request: Request,
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
    tool = await run_in_threadpool(measurer, request, services)
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


def size_advice(
    services: Services, session: Session, user: User | None, garment: Garment
) -> SizeAdvicePublic:
    """The size badge's content for a garment and (maybe) a shopper."""
    chart: SizeChart | None = size_chart_model(garment.size_chart)
    if chart is None:
        advice: SizeAdvice = no_chart_advice()
        return SizeAdvicePublic(status="no_chart", message=advice.message)
    if user is None:
        return SizeAdvicePublic(
            status="login", message="log in and add your measurements to see which size fits"
        )
    stored = stored_measurements(services, session, user)
    if stored is None:
        return SizeAdvicePublic(
            status="no_measurements",
            message="add your measurements to see which size fits",
        )
    measurements, preference = stored
    advice = recommend_size(measurements, chart, preference=preference)
    if advice.recommended is None:
        return SizeAdvicePublic(status="no_chart", message=advice.message)
    # Advice given is an analytics event: the dashboard compares it with the sizes carted.
    crud.create_feedback(
        session,
        user_id=user.id,
        garment_id=garment.id,
        kind="size_advice",
        size=advice.recommended,
    )
    return SizeAdvicePublic(status="ok", message=advice.message, advice=advice.as_dict())


@router.get("/garments/{garment_id}/size-advice")
def garment_size_advice(
    garment_id: IdPath, services: ServicesDep, session: SessionDep, user: OptionalUser
) -> SizeAdvicePublic:
    """Which size of this garment to take, from its size chart and your stored measurements."""
    return size_advice(services, session, user, visible_garment(session, garment_id, user))


def fitted_options(
    services: Services,
    session: Session,
    user: User,
    garment: Garment,
    size: str | None,
    tuck: bool,
) -> TryOnOptions:
    """Try-on options for a size: drawn from the size chart and the shopper's stored measurements
    when both exist (the same numbers as the size advice), else from the size label alone."""
    stored = stored_measurements(services, session, user) if size else None
    chart = size_chart_model(garment.size_chart)
    if stored is None or chart is None or size not in chart.measurements:
        return TryOnOptions(size=size or None, tuck=tuck)
    fit = picture_fit(chart, size, stored[0])
    if fit is None:
        return TryOnOptions(size=size, tuck=tuck)
    # A chart may name sizes the picture has no label ease for (e.g. 38); the override decides.
    label = size if size.upper() in SIZE_EASE else None
    return TryOnOptions(
        size=label, tuck=tuck, width_ease=fit.width_ease, length_scale=fit.length_scale
    )
