"""Reading and decoding uploaded photos under the configured limits."""

from __future__ import annotations

import numpy as np
import numpy.typing as npt
from fastapi import UploadFile

from fitroom.errors import ImageTooLarge
from fitroom.imaging import decode_image
from fitroom.server.core.config import Settings


async def read_upload(upload: UploadFile, settings: Settings) -> bytes:
    """The upload's bytes; :class:`ImageTooLarge` (413) beyond ``max_upload_bytes``."""
    data = await upload.read(settings.max_upload_bytes + 1)
    if len(data) > settings.max_upload_bytes:
        raise ImageTooLarge(
            f"the upload is larger than {settings.max_upload_bytes // (1024 * 1024)} MB; "
            "send a smaller photo"
        )
    return data


def decode_photo(data: bytes, settings: Settings) -> npt.NDArray[np.uint8]:
    """RGB uint8 (H, W, 3) pixels of an upload (415 when not an image, 413 when too large)."""
    return decode_image(
        data, max_pixels=settings.max_upload_pixels, max_bytes=settings.max_upload_bytes
    )
