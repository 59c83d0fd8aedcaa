from __future__ import annotations

import io
from collections.abc import Callable

import numpy as np
import numpy.typing as npt
from fastapi.testclient import TestClient
from PIL import Image

Csrf = Callable[[TestClient], dict[str, str]]


def exif_with_gps() -> bytes:
    exif = Image.Exif()
    exif[0x010F] = "SpyCam"  # Make
    exif[0x8825] = {1: "N", 2: (48.0, 51.0, 24.0)}  # GPSInfo
    return exif.tobytes()


def save_look(client: TestClient, csrf: Csrf, photo: bytes, garment_id: int, keep: bool) -> dict:  # type: ignore[type-arg]
    response = client.post(
        "/api/v1/looks",
        files={"photo": ("me.jpg", photo, "image/jpeg")},
        data={"garment_id": str(garment_id), "size": "L", "keep_photo": str(keep).lower()},
        headers=csrf(client),
    )
    assert response.status_code == 201, response.text
    body: dict = response.json()  # type: ignore[type-arg]
    return body


def test_save_list_get_look(
    shopper: TestClient, csrf: Csrf, garment_id: int, astronaut_jpeg: bytes
) -> None:
    look = save_look(shopper, csrf, astronaut_jpeg, garment_id, keep=False)
    assert look["has_photo"] is False
    assert [lk["id"] for lk in shopper.get("/api/v1/looks").json()] == [look["id"]]
    assert shopper.get(f"/api/v1/looks/{look['id']}").json()["size"] == "L"
    image = shopper.get(look["image_url"])
    assert image.status_code == 200
    assert image.content[:2] == b"\xff\xd8"
    assert shopper.get(f"/api/v1/looks/{look['id']}/photo").status_code == 404
    assert "My looks" in shopper.get("/looks").text


def test_saved_files_are_encrypted_and_exif_free(
    shopper: TestClient,
    csrf: Csrf,
    garment_id: int,
    astronaut: npt.NDArray[np.uint8],
    to_jpeg: Callable[..., bytes],
    stored_media: Callable[[], dict[str, bytes]],
) -> None:
    before = set(stored_media())
    photo = to_jpeg(astronaut, exif=exif_with_gps())
    assert b"SpyCam" in photo
    look = save_look(shopper, csrf, photo, garment_id, keep=True)
    after = stored_media()
    new_keys = set(after) - before
    assert len(new_keys) == 2
    for key in new_keys:
        raw = after[key]
        assert not raw.startswith(b"\xff\xd8"), "stored media must not be a readable JPEG"
        assert b"SpyCam" not in raw and b"JFIF" not in raw
    kept = shopper.get(f"/api/v1/looks/{look['id']}/photo")
    assert kept.status_code == 200
    with Image.open(io.BytesIO(kept.content)) as image:
        assert len(image.getexif()) == 0
        assert image.size == (astronaut.shape[1], astronaut.shape[0])


def test_another_users_look_is_404(
    make_client: Callable[[], TestClient],
    signup: Callable[..., str],
    csrf: Csrf,
    garment_id: int,
    astronaut_jpeg: bytes,
) -> None:
    owner, other = make_client(), make_client()
    signup(owner)
    signup(other)
    look = save_look(owner, csrf, astronaut_jpeg, garment_id, keep=True)
    for url in (
        f"/api/v1/looks/{look['id']}",
        look["image_url"],
        f"/api/v1/looks/{look['id']}/photo",
    ):
        assert other.get(url).status_code == 404
    assert other.delete(f"/api/v1/looks/{look['id']}", headers=csrf(other)).status_code == 404
    assert other.get("/api/v1/looks").json() == []
    assert owner.get(look["image_url"]).status_code == 200


def test_delete_look_removes_files(
    shopper: TestClient,
    csrf: Csrf,
    garment_id: int,
    astronaut_jpeg: bytes,
    stored_media: Callable[[], dict[str, bytes]],
) -> None:
    before = set(stored_media())
    look = save_look(shopper, csrf, astronaut_jpeg, garment_id, keep=True)
    assert len(set(stored_media()) - before) == 2
    assert shopper.delete(f"/api/v1/looks/{look['id']}").status_code == 403  # no CSRF
    assert shopper.delete(f"/api/v1/looks/{look['id']}", headers=csrf(shopper)).status_code == 200
    assert set(stored_media()) == before
    assert shopper.get(f"/api/v1/looks/{look['id']}").status_code == 404


def test_looks_require_login(
    anon: TestClient, csrf: Csrf, garment_id: int, astronaut_jpeg: bytes
) -> None:
    assert anon.get("/api/v1/looks").status_code == 401
    assert anon.get("/api/v1/looks/1").status_code == 401
    response = anon.post(
        "/api/v1/looks",
        files={"photo": ("me.jpg", astronaut_jpeg, "image/jpeg")},
        data={"garment_id": str(garment_id)},
        headers=csrf(anon),
    )
    assert response.status_code == 401
    page = anon.get("/looks", follow_redirects=False)
    assert page.status_code == 303
    assert page.headers["location"].startswith("/login")
