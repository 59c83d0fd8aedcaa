"""The shop's live fitting room socket: login and origin checks, catalog garments, switching."""

from __future__ import annotations

import io
import json
import re
from collections.abc import Callable

import numpy as np
import numpy.typing as npt
import pytest
from fastapi.testclient import TestClient
from PIL import Image
from starlette.websockets import WebSocketDisconnect

from fitroom.live.protocol import decode_message, encode_message
from fitroom.server.api.routes.live import CLOSE_FORBIDDEN_ORIGIN, CLOSE_LOGIN_REQUIRED

WS = "/api/v1/live/ws"


def frame_message(jpeg: bytes, ts: int, **header: object) -> bytes:
    return encode_message({"ts": ts, **header}, jpeg)


def receive_frame(ws: object) -> tuple[dict[str, object], npt.NDArray[np.uint8]]:
    """The next dressed frame (text error messages fail the test)."""
    message = ws.receive()  # type: ignore[attr-defined]
    assert message.get("bytes") is not None, message
    header, body = decode_message(message["bytes"])
    return header, np.asarray(Image.open(io.BytesIO(body)).convert("RGB"))


def test_garment_list_names_catalog_garments(anon: TestClient) -> None:
    garments = anon.get("/api/v1/live/garments").json()
    catalog = {g["id"]: g for g in anon.get("/api/v1/garments").json()["items"]}
    assert garments, "the seeded shop has garments to try on live"
    for garment in garments:
        assert catalog[garment["garment_id"]]["slug"] == garment["id"]


def test_socket_refuses_without_login(anon: TestClient, astronaut_jpeg: bytes) -> None:
    with anon.websocket_connect(WS) as ws, pytest.raises(WebSocketDisconnect) as refused:
        ws.send_bytes(frame_message(astronaut_jpeg, 0))
        ws.receive_bytes()
    assert refused.value.code == CLOSE_LOGIN_REQUIRED
    assert "log in" in refused.value.reason


def test_socket_refuses_other_sites(shopper: TestClient) -> None:
    foreign = {"Origin": "https://evil.example"}
    with (
        shopper.websocket_connect(WS, headers=foreign) as ws,
        pytest.raises(WebSocketDisconnect) as refused,
    ):
        ws.receive_bytes()
    assert refused.value.code == CLOSE_FORBIDDEN_ORIGIN


def test_socket_dresses_frames_and_switches_garments(
    shopper: TestClient,
    astronaut: npt.NDArray[np.uint8],
    astronaut_jpeg: bytes,
) -> None:
    slugs = [g["id"] for g in shopper.get("/api/v1/live/garments").json()]
    uppers = [
        g["id"] for g in shopper.get("/api/v1/live/garments").json() if g["category"] == "upper"
    ]
    assert len(uppers) >= 2, slugs
    first, second = uppers[:2]
    with shopper.websocket_connect(WS, headers={"Origin": "http://testserver"}) as ws:
        ws.send_bytes(frame_message(astronaut_jpeg, 0, garment=first))
        header, image = receive_frame(ws)
        assert header["type"] == "frame" and header["garment"] == first
        assert header["person_found"] is True
        assert image.shape == astronaut.shape
        changed = np.abs(image.astype(np.int16) - astronaut.astype(np.int16)).max(axis=2) > 40
        assert changed.mean() > 0.02  # the garment is drawn, not the camera frame echoed
        ws.send_bytes(frame_message(astronaut_jpeg, 40, garment=second))
        header, _ = receive_frame(ws)
        assert header["garment"] == second
        ws.send_bytes(frame_message(astronaut_jpeg, 80, garment="no-such-garment"))
        error = json.loads(ws.receive_text())
        assert error["code"] == "unknown_garment" and first in error["message"]


def test_live_reactions_are_read_on_request_and_stored_only_with_consent(
    shopper: TestClient, astronaut_jpeg: bytes, csrf: Callable[[TestClient], dict[str, str]]
) -> None:
    """The page's flow: frames ask for readings, their probabilities go to POST /reactions."""
    from fitroom.live.reactions import EXPRESSION_EVERY
    from fitroom.vision.core import EXPRESSIONS

    garment = next(
        g for g in shopper.get("/api/v1/live/garments").json() if g["category"] == "upper"
    )
    readings: list[list[float]] = []
    with shopper.websocket_connect(WS, headers={"Origin": "http://testserver"}) as ws:
        ws.send_bytes(frame_message(astronaut_jpeg, 0, garment=garment["id"]))
        header, _ = receive_frame(ws)
        assert "expression" not in header  # not asked: nothing read
        for i in range(EXPRESSION_EVERY + 1):
            ws.send_bytes(frame_message(astronaut_jpeg, 40 * (i + 1), reactions=True))
            header, _ = receive_frame(ws)
            if "expression" in header:
                readings.append(header["expression"])  # type: ignore[arg-type]
    assert len(readings) == 2

    body = {"garment_id": garment["garment_id"], "frames": readings}
    refused = shopper.post("/api/v1/reactions", json=body, headers=csrf(shopper))
    assert refused.status_code == 200 and refused.json()["stored"] is False
    mine = shopper.get("/api/v1/reactions/mine").json()
    assert mine["items"] == []
    stored = shopper.post(
        "/api/v1/reactions", json={**body, "consent": True}, headers=csrf(shopper)
    )
    assert stored.status_code == 201, stored.text
    assert stored.json()["summary"] == {
        "frames": 2,
        "smile_share": 1.0,
        "peak_surprise": pytest.approx(
            max(r[EXPRESSIONS.index("surprise")] for r in readings), abs=1e-4
        ),
        "dominant": "happy",
    }
    (item,) = shopper.get("/api/v1/reactions/mine").json()["items"]
    assert (item["garment_id"], item["source"], item["frames"]) == (
        garment["garment_id"],
        "live",
        2,
    )


def test_live_page_asks_consent_before_reading_reactions(shopper: TestClient) -> None:
    page = shopper.get("/live").text
    box = re.search(r'<input type="checkbox" id="live-reactions"[^>]*>', page)
    assert box is not None and "checked" not in box.group(0)  # unticked until the shopper ticks
    assert "never a picture" in page
    garments = shopper.get("/api/v1/live/garments").json()
    for garment in garments:
        assert f'data-garment="{garment["id"]}" data-garment-id="{garment["garment_id"]}"' in page
