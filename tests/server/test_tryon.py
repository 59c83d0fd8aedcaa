from __future__ import annotations

import io
import json
from collections.abc import Callable

import numpy as np
import numpy.typing as npt
import pytest
from fastapi.testclient import TestClient
from PIL import Image

from fitroom.server import Settings

Csrf = Callable[[TestClient], dict[str, str]]


def post_tryon(client: TestClient, csrf: Csrf, photo: bytes, garment_id: int, **extra: str):  # type: ignore[no-untyped-def]
    return client.post(
        "/api/v1/tryon",
        files={"photo": ("photo.jpg", photo, "image/jpeg")},
        data={"garment_id": str(garment_id), **extra},
        headers=csrf(client),
    )


def test_tryon_returns_composited_jpeg(
    shopper: TestClient,
    csrf: Csrf,
    garment_id: int,
    astronaut: npt.NDArray[np.uint8],
    astronaut_jpeg: bytes,
) -> None:
    response = post_tryon(shopper, csrf, astronaut_jpeg, garment_id, size="M")
    assert response.status_code == 200, response.text
    assert response.headers["content-type"] == "image/jpeg"
    assert isinstance(json.loads(response.headers["x-fitroom-warnings"]), list)
    result = np.asarray(Image.open(io.BytesIO(response.content)).convert("RGB"))
    assert result.shape == astronaut.shape
    changed = np.abs(result.astype(np.int16) - astronaut.astype(np.int16)).max(axis=2) > 40
    # The garment covers a real part of the torso, not a few JPEG-noise pixels.
    assert changed.mean() > 0.02


def test_tryon_keeps_no_photo(
    shopper: TestClient,
    csrf: Csrf,
    garment_id: int,
    astronaut_jpeg: bytes,
    stored_media: Callable[[], dict[str, bytes]],
) -> None:
    before = set(stored_media())
    assert post_tryon(shopper, csrf, astronaut_jpeg, garment_id).status_code == 200
    assert set(stored_media()) == before


def test_tryon_requires_login(
    anon: TestClient, csrf: Csrf, garment_id: int, astronaut_jpeg: bytes
) -> None:
    assert post_tryon(anon, csrf, astronaut_jpeg, garment_id).status_code == 401


def test_tryon_requires_csrf(shopper: TestClient, garment_id: int, astronaut_jpeg: bytes) -> None:
    response = shopper.post(
        "/api/v1/tryon",
        files={"photo": ("photo.jpg", astronaut_jpeg, "image/jpeg")},
        data={"garment_id": str(garment_id)},
    )
    assert response.status_code == 403


def test_upload_over_limit_is_413(
    shopper: TestClient, csrf: Csrf, garment_id: int, settings: Settings
) -> None:
    noise = np.random.default_rng(0).integers(0, 256, (1400, 1400, 3), dtype=np.uint8)
    buf = io.BytesIO()
    Image.fromarray(noise).save(buf, "PNG")
    assert len(buf.getvalue()) > settings.max_upload_bytes
    response = post_tryon(shopper, csrf, buf.getvalue(), garment_id)
    assert response.status_code == 413
    assert "MB" in response.json()["detail"]


def test_wrong_type_is_415(shopper: TestClient, csrf: Csrf, garment_id: int) -> None:
    response = post_tryon(shopper, csrf, b"%PDF-1.7 not a photo at all", garment_id)
    assert response.status_code == 415
    assert "JPEG" in response.json()["detail"]


def test_no_person_is_422_with_message(
    shopper: TestClient, csrf: Csrf, garment_id: int, coffee_jpeg: bytes
) -> None:
    response = post_tryon(shopper, csrf, coffee_jpeg, garment_id)
    assert response.status_code == 422
    assert "no person" in response.json()["detail"]


def test_unknown_size_is_422(
    shopper: TestClient, csrf: Csrf, garment_id: int, astronaut_jpeg: bytes
) -> None:
    response = post_tryon(shopper, csrf, astronaut_jpeg, garment_id, size="HUGE")
    assert response.status_code == 422
    assert "unknown size" in response.json()["detail"]


def test_unknown_garment_is_404(shopper: TestClient, csrf: Csrf, astronaut_jpeg: bytes) -> None:
    assert post_tryon(shopper, csrf, astronaut_jpeg, 999999).status_code == 404


def test_oversized_request_refused_before_reading(
    shopper: TestClient, csrf: Csrf, garment_id: int, settings: Settings
) -> None:
    body = b"\0" * (settings.max_upload_bytes + 2 * 1024 * 1024)
    response = post_tryon(shopper, csrf, body, garment_id)
    assert response.status_code == 413
    assert "larger than" in response.json()["detail"]


def test_a_huge_photo_is_dressed_on_a_screen_sized_copy() -> None:
    """A 23-megapixel upload is worked on at most TRYON_MAX_SIDE long (it took about a minute on
    one core, holding the render lock every other try-on waits for); small photos are untouched."""
    from fitroom.server.services.tryon import TRYON_MAX_SIDE, working_photo

    huge = np.zeros((4800, 3600, 3), np.uint8)
    huge[:, 1800:] = 200
    small = working_photo(huge)
    assert max(small.shape[:2]) == TRYON_MAX_SIDE
    assert small.shape[0] / small.shape[1] == pytest.approx(4800 / 3600, rel=0.01)
    assert small[:, -10:].min() == 200 and small[:, :10].max() == 0
    photo = np.zeros((1024, 768, 3), np.uint8)
    assert working_photo(photo) is photo
