from __future__ import annotations

from collections.abc import Callable

from fastapi.testclient import TestClient
from sqlalchemy import func, select

from fitroom.server.models import AuthSession, FeedbackEvent, Look, User
from fitroom.server.services import Services

Csrf = Callable[[TestClient], dict[str, str]]


def test_delete_account_removes_rows_and_files(
    make_client: Callable[[], TestClient],
    signup: Callable[..., str],
    csrf: Csrf,
    garment_id: int,
    astronaut_jpeg: bytes,
    services: Services,
    stored_media: Callable[[], dict[str, bytes]],
) -> None:
    client = make_client()
    email = signup(client)
    before = set(stored_media())
    for keep in ("true", "false"):
        response = client.post(
            "/api/v1/looks",
            files={"photo": ("me.jpg", astronaut_jpeg, "image/jpeg")},
            data={"garment_id": str(garment_id), "keep_photo": keep},
            headers=csrf(client),
        )
        assert response.status_code == 201
    client.post(
        "/api/v1/feedback",
        json={"garment_id": garment_id, "kind": "comment", "comment": "mine"},
        headers=csrf(client),
    )
    mine = set(stored_media()) - before
    assert len(mine) == 3  # two looks, one kept photo
    with services.sessions() as session:
        user_id = session.scalar(select(User.id).where(User.email == email))

    assert client.delete("/api/v1/account").status_code == 403  # CSRF missing
    response = client.delete("/api/v1/account", headers=csrf(client))
    assert response.status_code == 200

    left = set(stored_media())
    assert not mine & left
    assert not [key for key in left if key.startswith(f"users/{user_id}/")]
    with services.sessions() as session:
        assert session.scalar(select(User).where(User.email == email)) is None
        for model in (Look, FeedbackEvent, AuthSession):
            count = session.scalar(
                select(func.count()).select_from(model).where(model.user_id == user_id)
            )
            assert count == 0, model.__name__
    assert client.get("/api/v1/auth/me").status_code == 401


def test_delete_account_requires_login(anon: TestClient, csrf: Csrf) -> None:
    assert anon.delete("/api/v1/account", headers=csrf(anon)).status_code == 401


def test_account_page(shopper: TestClient, anon: TestClient) -> None:
    assert "Delete my account" in shopper.get("/account").text
    assert anon.get("/account", follow_redirects=False).status_code == 303


def test_deleting_a_merchant_archives_their_garments(
    make_client: Callable[[], TestClient],
    signup: Callable[..., str],
    csrf: Csrf,
    services: Services,
) -> None:
    from fitroom.server import crud
    from fitroom.server.models import Garment

    client = make_client()
    email = signup(client)
    with services.sessions() as session:
        user = crud.get_user_by_email(session, email=email)
        assert user is not None
        user.role = "merchant"
        garment = crud.create_garment(
            session, name="Leaving Soon", merchant_id=user.id, price_cents=100, sizes=["M"]
        )
        garment.status = "active"
        garment_id = garment.id
        session.commit()
    assert client.delete("/api/v1/account", headers=csrf(client)).status_code == 200
    with services.sessions() as session:
        row = session.get(Garment, garment_id)
        assert row is not None
        assert row.status == "archived"
        assert row.merchant_id is None
