"""Photo try-on of an upload, shared by the try-on and saved-look routes."""

from __future__ import annotations

import numpy as np
import numpy.typing as npt
from fastapi import UploadFile
from sqlalchemy.orm import Session
from starlette.concurrency import run_in_threadpool

from fitroom.server.api.uploads import decode_photo, read_upload
from fitroom.server.models import User
from fitroom.server.services import Services
from fitroom.server.services.catalog import visible_garment
from fitroom.server.services.measuring import fitted_options
from fitroom.tryon import TryOnResult


async def render_upload(
    services: Services,
    session: Session,
    user: User,
    photo: UploadFile,
    garment_id: int,
    size: str | None,
    tuck: bool,
) -> tuple[npt.NDArray[np.uint8], TryOnResult]:
    """Decode and dress an uploaded photo in memory; returns (photo pixels, result).

    The photo is re-encoded only by the caller that keeps it (in a thread: a 20-megapixel
    JPEG encode on the event loop would stall every other request)."""
    garment_row = visible_garment(session, garment_id, user)
    # With stored measurements and a size chart the size is drawn from the chart's numbers.
    options = fitted_options(services, session, user, garment_row, size, tuck)
    data = await read_upload(photo, services.settings)
    pixels = await run_in_threadpool(decode_photo, data, services.settings)
    garment = await run_in_threadpool(services.garment_model, garment_row.package_key)
    result = await run_in_threadpool(services.render, pixels, garment, options)
    return pixels, result
