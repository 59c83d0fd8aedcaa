"""The live WebSocket (fitroom.server.live_socket, in the standalone fitroom.server.live_app)
through TestClient: frames, a corrupt frame, an oversized one, switching."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import numpy as np
import pytest
from fastapi.testclient import TestClient

from fitroom.garments import Garment
from fitroom.imaging import decode_image
from fitroom.imaging.decode import encode_jpeg
from fitroom.live.protocol import decode_message, encode_message
from fitroom.server.live_app import create_live_app
from fitroom.server.live_socket import CLOSE_POLICY, CLOSE_TOO_BIG


@pytest.fixture(scope="module")
def client(tee: Garment, shirt: Garment) -> Iterator[TestClient]:
    app = create_live_app(
        [tee, shirt], num_threads=1, max_message_bytes=400_000, max_pixels=800 * 600
    )
    with TestClient(app) as test_client:
        yield test_client


@pytest.fixture(scope="module")
def astronaut_jpeg(astronaut: np.ndarray) -> bytes:
    return encode_jpeg(astronaut, quality=85)


def _frame(ws: Any, header: dict[str, Any], jpeg: bytes) -> dict[str, Any]:
    ws.send_bytes(encode_message(header, jpeg))
    message = ws.receive()
    assert "bytes" in message and message["bytes"] is not None, message
    reply, body = decode_message(message["bytes"])
    reply["image"] = decode_image(body)
    return reply


def test_garment_list_and_test_page(client: TestClient) -> None:
    listed = client.get("/api/v1/live/garments").json()["garments"]
    assert [g["id"] for g in listed] == ["tee", "shirt"]
    page = client.get("/")
    assert page.status_code == 200 and "/api/v1/live/ws" in page.text


def test_normal_frames_come_back_dressed_with_timings(
    client: TestClient, astronaut: np.ndarray, astronaut_jpeg: bytes
) -> None:
    with client.websocket_connect("/api/v1/live/ws") as ws:
        replies = [_frame(ws, {"garment": "tee", "ts": 33 * i}, astronaut_jpeg) for i in range(3)]
    for i, reply in enumerate(replies):
        assert reply["type"] == "frame" and reply["ts"] == 33 * i
        assert reply["garment"] == "tee" and reply["garment_visible"]
        assert reply["image"].shape == astronaut.shape
        assert {"perception", "render", "total"} <= set(reply["timings_ms"])
        assert reply["dropped"] == 0
    # The garment is drawn: the dressed torso differs from the photo.
    assert np.abs(replies[-1]["image"].astype(int) - astronaut.astype(int)).mean() > 3


def test_corrupt_frame_gets_an_error_and_the_session_continues(
    client: TestClient, astronaut_jpeg: bytes
) -> None:
    with client.websocket_connect("/api/v1/live/ws") as ws:
        assert _frame(ws, {"ts": 0}, astronaut_jpeg)["type"] == "frame"
        ws.send_bytes(encode_message({"ts": 33}, b"\xff\xd8 not a jpeg at all"))
        error = json.loads(ws.receive_text())
        assert error["type"] == "error" and error["code"] == "corrupt_frame"
        assert error["ts"] == 33
        ws.send_bytes(b"\x00\x00")  # broken framing
        assert json.loads(ws.receive_text())["code"] == "corrupt_frame"
        ws.send_text("hello")
        assert json.loads(ws.receive_text())["code"] == "corrupt_frame"
        assert _frame(ws, {"ts": 66}, astronaut_jpeg)["garment_visible"]


def test_unknown_garment_and_bad_options_are_errors_not_closes(
    client: TestClient, astronaut_jpeg: bytes
) -> None:
    with client.websocket_connect("/api/v1/live/ws") as ws:
        ws.send_bytes(encode_message({"garment": "ball-gown", "ts": 0}, astronaut_jpeg))
        error = json.loads(ws.receive_text())
        assert error["code"] == "unknown_garment" and "tee" in error["message"]
        ws.send_bytes(encode_message({"options": {"background": "moon"}, "ts": 1}, astronaut_jpeg))
        assert json.loads(ws.receive_text())["code"] == "bad_options"
        ws.send_bytes(encode_message({"options": {"tuck": "maybe"}, "ts": 2}, astronaut_jpeg))
        error = json.loads(ws.receive_text())
        assert error["code"] == "bad_options" and "tuck" in error["message"]
        reply = _frame(
            ws, {"options": {"background": "office", "tuck": False}, "ts": 3}, astronaut_jpeg
        )
        assert reply["type"] == "frame"


def test_oversized_message_closes_with_message_too_big(client: TestClient) -> None:
    with client.websocket_connect("/api/v1/live/ws") as ws:
        ws.send_bytes(encode_message({"ts": 0}, b"\xff" * 500_000))
        message = ws.receive()
    assert message["type"] == "websocket.close" and message["code"] == CLOSE_TOO_BIG


def test_frame_over_the_pixel_limit_closes_with_policy_violation(client: TestClient) -> None:
    big = encode_jpeg(np.zeros((700, 1000, 3), np.uint8), quality=50)
    with client.websocket_connect("/api/v1/live/ws") as ws:
        ws.send_bytes(encode_message({"ts": 0}, big))
        message = ws.receive()
    assert message["type"] == "websocket.close" and message["code"] == CLOSE_POLICY


def test_switching_garment_mid_stream(client: TestClient, astronaut_jpeg: bytes) -> None:
    with client.websocket_connect("/api/v1/live/ws") as ws:
        first = _frame(ws, {"garment": "tee", "ts": 0}, astronaut_jpeg)
        same = _frame(ws, {"ts": 33}, astronaut_jpeg)  # the garment stays in force
        switched = _frame(ws, {"garment": "shirt", "ts": 66}, astronaut_jpeg)
    assert first["garment"] == same["garment"] == "tee" and switched["garment"] == "shirt"
    a, b, c = (r["image"].astype(int) for r in (first, same, switched))
    assert np.abs(b - c).mean() > 3 * max(0.5, float(np.abs(a - b).mean()))


def test_frames_sent_faster_than_served_are_dropped_not_queued(
    client: TestClient, astronaut_jpeg: bytes
) -> None:
    sent = 8
    with client.websocket_connect("/api/v1/live/ws") as ws:
        for i in range(sent):
            ws.send_bytes(encode_message({"ts": 33 * i}, astronaut_jpeg))
        replies: list[dict[str, Any]] = []
        while True:
            reply, _ = decode_message(ws.receive_bytes())
            replies.append(reply)
            if reply["ts"] == 33 * (sent - 1):
                break
    # Every frame is either answered or counted as dropped; the newest is always answered.
    assert len(replies) + replies[-1]["dropped"] == sent
    assert replies[-1]["dropped"] >= 1
    assert [r["ts"] for r in replies] == sorted(r["ts"] for r in replies)


def test_expression_readings_only_when_the_frame_asks(
    client: TestClient, astronaut_jpeg: bytes
) -> None:
    from fitroom.live.reactions import EXPRESSION_EVERY
    from fitroom.vision.core import EXPRESSIONS

    asked = EXPRESSION_EVERY + 1
    with client.websocket_connect("/api/v1/live/ws") as ws:
        plain = [_frame(ws, {"ts": 33 * i}, astronaut_jpeg) for i in range(2)]
        consented = [
            _frame(ws, {"ts": 33 * (i + 2), "reactions": True}, astronaut_jpeg)
            for i in range(asked)
        ]
        after = _frame(ws, {"ts": 33 * (asked + 2), "reactions": False}, astronaut_jpeg)
    for reply in [*plain, after]:
        assert "expression" not in reply and "expression" not in reply["timings_ms"]
    # The first frame asking is read, then one in EXPRESSION_EVERY.
    read = [i for i, reply in enumerate(consented) if "expression" in reply]
    assert read == [0, EXPRESSION_EVERY]
    for i in read:
        probabilities = consented[i]["expression"]
        assert len(probabilities) == len(EXPRESSIONS)
        assert sum(probabilities) == pytest.approx(1.0, abs=1e-3)
        # Eileen Collins smiles in the astronaut photo.
        assert EXPRESSIONS[int(np.argmax(probabilities))] == "happy"
        assert consented[i]["timings_ms"]["expression"] > 0
