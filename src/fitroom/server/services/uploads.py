"""Reading and decoding uploaded photos under the configured limits."""

from __future__ import annotations

from typing import Protocol

import numpy as np
import numpy.typing as npt

from fitroom.errors import ImageTooLarge
from fitroom.imaging import decode_image
from fitroom.server.core.config import Settings


class Upload(Protocol):
    """An uploaded file being received (a web framework's upload object)."""

    async def read(self, size: int = -1) -> bytes: ...


async def read_upload(upload: Upload, settings: Settings) -> bytes:
    """The upload's bytes; :class:`ImageTooLarge` (413) beyond ``max_upload_bytes``."""
    data = await upload.read(settings.max_upload_bytes + 1)
    if len(data) > settings.max_upload_bytes:
        raise ImageTooLarge(
            f"the upload is larger than {settings.max_upload_bytes // (1024 * 1024)} MB; "
            "send a smaller photo"
        )
    return data


#: Longest side a photo may have (a 200000 x 8 strip is under the pixel limit, but no photo,
#: and JPEG cannot even store it: re-encoding it for the gallery failed with a 500).
MAX_SIDE_PIXELS = 16384


def decode_photo(data: bytes, settings: Settings) -> npt.NDArray[np.uint8]:
    """RGB uint8 (H, W, 3) pixels of an upload (415 when not an image, 413 when too large)."""
    pixels = decode_image(
        data, max_pixels=settings.max_upload_pixels, max_bytes=settings.max_upload_bytes
    )
    height, width = pixels.shape[:2]
    if max(height, width) > MAX_SIDE_PIXELS:
        raise ImageTooLarge(
            f"the photo is {width} x {height} pixels; its longest side may be at most "
            f"{MAX_SIDE_PIXELS} pixels"
        )
    return pixels
