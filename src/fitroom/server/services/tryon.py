"""Photo try-on of an upload, shared by the try-on and saved-look routes."""

from __future__ import annotations

import asyncio

import cv2
import numpy as np
import numpy.typing as npt
from sqlalchemy.orm import Session

from fitroom.server.models import User
from fitroom.server.services import Services
from fitroom.server.services.catalog import visible_garment
from fitroom.server.services.measuring import fitted_options
from fitroom.server.services.uploads import Upload, decode_photo, read_upload
from fitroom.tryon import TryOnResult

#: A try-on is dressed on (and answered as) a copy of the photo at most this long: every step
#: of the dressing is linear in the pixels, and a 23-megapixel upload took about a minute on
#: one core while holding the render lock that every other shopper's try-on waits for. A
#: screen shows no more than this anyway.
TRYON_MAX_SIDE = 2048


def working_photo(
    pixels: npt.NDArray[np.uint8], max_side: int = TRYON_MAX_SIDE
) -> npt.NDArray[np.uint8]:
    """``pixels`` (RGB uint8 (H, W, 3)) scaled down to at most ``max_side`` on its longer side
    (area averaging); returned as is when already that small."""
    h, w = pixels.shape[:2]
    if max(h, w) <= max_side:
        return pixels
    scale = max_side / max(h, w)
    size = (max(1, round(w * scale)), max(1, round(h * scale)))
    out: npt.NDArray[np.uint8] = cv2.resize(pixels, size, interpolation=cv2.INTER_AREA)
    return out


async def render_upload(
    services: Services,
    session: Session,
    user: User,
    photo: Upload,
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
    pixels = await asyncio.to_thread(decode_photo, data, services.settings)
    pixels = await asyncio.to_thread(working_photo, pixels)
    garment = await asyncio.to_thread(services.garment_model, garment_row.package_key)
    result = await asyncio.to_thread(services.render, pixels, garment, options)
    return pixels, result
