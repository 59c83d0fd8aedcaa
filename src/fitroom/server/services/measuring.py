"""Body measurements kept sealed per shopper, size advice, and try-on options drawn from them."""

from __future__ import annotations

import json
from datetime import datetime
from typing import Any, Literal

from pydantic import BaseModel
from sqlalchemy import select
from sqlalchemy.orm import Session

from fitroom.fitting.garment_fit import SIZE_EASE
from fitroom.garments import SizeChart
from fitroom.measure import (
    MEASUREMENT_NAMES,
    BodyMeasurements,
    SizeAdvice,
    picture_fit,
    recommend_size,
)
from fitroom.measure.size import Preference, no_chart_advice
from fitroom.server import crud
from fitroom.server.models import Garment, MeasurementProfile, User, utcnow
from fitroom.server.services import Services
from fitroom.server.services.ingestion import size_chart_model
from fitroom.tryon import TryOnOptions

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
