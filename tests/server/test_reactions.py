"""Reactions in the shop: consent, live summaries, photo try-ons, nothing image-like kept."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

import numpy as np
import pytest
from fastapi.testclient import TestClient
from PIL import Image
from sqlalchemy import LargeBinary, func, inspect, select

from fitroom.reactions import summarize_reactions
from fitroom.server.db import session_scope
from fitroom.server.models import FeedbackEvent, ReactionRecord, User
from fitroom.server.services import Services
from fitroom.vision.face import FaceAnalyzer

Csrf = Callable[[TestClient], dict[str, str]]
#: Every column a reaction row has: ids, where it came from, and the summary numbers.
REACTION_COLUMNS = {
    "id",
    "event_id",
    "user_id",
    "garment_id",
    "source",
    "frames",
    "smile_share",
    "peak_surprise",
    "dominant",
    "mean",
    "created_at",
}


def face_probabilities(shared_data: Path, label: str) -> list[list[float]]:
    """Expression probabilities of the real faces labelled ``label`` (one row per face)."""
    rows = []
    with FaceAnalyzer(num_threads=1, with_landmarks=False) as faces:
        for path in sorted((shared_data / "faces").glob(f"{label}__*.jpg")):
            pixels = np.asarray(Image.open(path).convert("RGB"))
            h, w = pixels.shape[:2]
            expression = faces.classify_expression(pixels, (0, 0, w, h), tight_crop=True)
            rows.append([float(p) for p in expression.probabilities])
    assert rows, f"no {label} faces in {shared_data / 'faces'}"
    return rows


def user_id(services: Services, client: TestClient) -> int:
    me = client.get("/api/v1/auth/me")
    assert me.status_code == 200, me.text
    return int(me.json()["id"])


def reaction_rows(services: Services, uid: int) -> list[ReactionRecord]:
    with session_scope(services.sessions) as session:
        return list(session.scalars(select(ReactionRecord).where(ReactionRecord.user_id == uid)))


def test_live_summary_is_stored_only_with_consent(
    shared_data: Path, shopper: TestClient, csrf: Csrf, garment_id: int, services: Services
) -> None:
    frames = face_probabilities(shared_data, "happiness")
    uid = user_id(services, shopper)
    body = {"garment_id": garment_id, "frames": frames}
    refused = shopper.post("/api/v1/reactions", json=body, headers=csrf(shopper))
    assert refused.status_code == 200, refused.text
    assert refused.json()["stored"] is False
    assert reaction_rows(services, uid) == []
    with session_scope(services.sessions) as session:
        kinds = session.scalars(select(FeedbackEvent.kind).where(FeedbackEvent.user_id == uid))
        assert "reaction" not in set(kinds)

    stored = shopper.post(
        "/api/v1/reactions", json={**body, "consent": True}, headers=csrf(shopper)
    )
    assert stored.status_code == 201, stored.text
    expected = summarize_reactions(frames)
    assert stored.json()["summary"]["frames"] == len(frames)
    (row,) = reaction_rows(services, uid)
    assert row.source == "live"
    assert row.frames == len(frames)
    assert row.smile_share == pytest.approx(expected.smile_share)
    assert row.peak_surprise == pytest.approx(expected.peak_surprise, abs=1e-6)
    assert row.dominant == expected.dominant
    assert set(row.mean) == {"angry", "disgust", "fear", "happy", "sad", "surprise", "neutral"}

    mine = shopper.get("/api/v1/reactions/mine").json()
    assert mine["consent"] is False
    assert [r["garment_id"] for r in mine["items"]] == [garment_id]
    assert mine["favourite_garment_id"] == garment_id


def test_account_consent_switch(
    shared_data: Path, shopper: TestClient, csrf: Csrf, garment_id: int, services: Services
) -> None:
    uid = user_id(services, shopper)
    frames = face_probabilities(shared_data, "surprise")
    on = shopper.put("/api/v1/reactions/consent", json={"consent": True}, headers=csrf(shopper))
    assert on.json() == {"consent": True}
    body = {"garment_id": garment_id, "frames": frames}
    assert shopper.post("/api/v1/reactions", json=body, headers=csrf(shopper)).status_code == 201
    assert len(reaction_rows(services, uid)) == 1
    assert "Your reactions" in shopper.get("/account").text
    # Switching consent off deletes the summaries and their events.
    off = shopper.put("/api/v1/reactions/consent", json={"consent": False}, headers=csrf(shopper))
    assert off.json() == {"consent": False}
    assert reaction_rows(services, uid) == []
    with session_scope(services.sessions) as session:
        n = session.scalar(
            select(func.count())
            .select_from(FeedbackEvent)
            .where(FeedbackEvent.user_id == uid, FeedbackEvent.kind == "reaction")
        )
        assert n == 0
        user = session.get(User, uid)
        assert user is not None and user.reactions_consent is False
    assert (
        shopper.post("/api/v1/reactions", json=body, headers=csrf(shopper)).json()["stored"]
        is False
    )


def test_reactions_need_login_csrf_and_valid_frames(
    anon: TestClient, shopper: TestClient, csrf: Csrf, garment_id: int
) -> None:
    good = {"garment_id": garment_id, "frames": [[0.1, 0.1, 0.1, 0.4, 0.1, 0.1, 0.1]]}
    assert anon.post("/api/v1/reactions", json=good, headers=csrf(anon)).status_code == 401
    assert anon.get("/api/v1/reactions/mine").status_code == 401
    assert shopper.post("/api/v1/reactions", json=good).status_code == 403
    for frames in ([], [[0.5] * 7], [[0.2] * 6], [[1.0, 0, 0, 0, 0, 0, -0.0001]]):
        body = {"garment_id": garment_id, "frames": frames, "consent": True}
        response = shopper.post("/api/v1/reactions", json=body, headers=csrf(shopper))
        assert response.status_code == 422, (frames, response.text)
    missing = {**good, "garment_id": 999999}
    assert shopper.post("/api/v1/reactions", json=missing, headers=csrf(shopper)).status_code == 404


def test_photo_tryon_keeps_only_numbers_with_consent(
    shopper: TestClient,
    csrf: Csrf,
    garment_id: int,
    services: Services,
    astronaut_jpeg: bytes,
    stored_media: Callable[[], dict[str, bytes]],
) -> None:
    uid = user_id(services, shopper)
    before = set(stored_media())

    def try_on(share: bool) -> dict[str, object]:
        response = shopper.post(
            "/api/v1/tryon",
            files={"photo": ("me.jpg", astronaut_jpeg, "image/jpeg")},
            data={"garment_id": str(garment_id), "share_reaction": "true" if share else "false"},
            headers=csrf(shopper),
        )
        assert response.status_code == 200, response.text
        header: dict[str, object] = json.loads(response.headers["X-Fitroom-Reaction"])
        return header

    without = try_on(share=False)
    assert without["stored"] is False and without["frames"] == 1
    assert reaction_rows(services, uid) == []
    with_consent = try_on(share=True)
    assert with_consent["stored"] is True
    (row,) = reaction_rows(services, uid)
    assert (row.source, row.frames) == ("photo", 1)
    assert row.dominant == with_consent["dominant"]
    # Nothing image-like: no file was written, and the table holds only small scalar columns.
    assert set(stored_media()) == before
    columns = inspect(services.engine).get_columns("reaction_records")
    assert {c["name"] for c in columns} == REACTION_COLUMNS
    assert not any(isinstance(c["type"], LargeBinary) for c in columns)
    assert len(json.dumps(row.mean)) < 300
    assert all(isinstance(v, float) for v in row.mean.values())


def test_deleting_the_account_removes_its_reactions(
    shopper: TestClient, csrf: Csrf, garment_id: int, services: Services
) -> None:
    uid = user_id(services, shopper)
    body = {"garment_id": garment_id, "frames": [[0.1, 0.1, 0.1, 0.4, 0.1, 0.1, 0.1]]}
    stored = shopper.post(
        "/api/v1/reactions", json={**body, "consent": True}, headers=csrf(shopper)
    )
    assert stored.status_code == 201
    assert len(reaction_rows(services, uid)) == 1
    assert shopper.delete("/api/v1/account", headers=csrf(shopper)).status_code == 200
    assert reaction_rows(services, uid) == []
