"""The live try-on WebSocket: JPEG frames in, dressed JPEG frames out, one session per connection.

Messages are framed by :mod:`fitroom.live.protocol`.

Protocol (``/api/v1/live/ws``), every message binary unless noted:

* client → server: ``[4-byte big-endian header length][UTF-8 JSON header][JPEG bytes]``; the
  header is ``{"garment": id, "options": {"size": "M", "background": "office", "tuck": null},
  "ts": ms}``
  (every key optional; ``garment`` and ``options`` stay in force until changed).
  ``"reactions": true`` (sent only when the shopper consented) asks for expression readings.
* server → client: ``[4-byte length][JSON header][JPEG bytes]`` with the header
  ``{"type": "frame", "ts", "garment", "garment_visible", "person_found", "dropped",
  "timings_ms"}`` — ``dropped`` counts the frames skipped so far on this connection. A frame
  whose header asked for reactions that is read (one in five, with a face seen; see
  :mod:`fitroom.live.reactions`) also has ``"expression"``: the seven probabilities of
  :data:`~fitroom.vision.core.EXPRESSIONS` (numbers only, never a face).
* server → client, text: ``{"type": "error", "code", "message", "ts"}`` for a frame that could
  not be used (``corrupt_frame``, ``unknown_garment``, ``bad_options``); the session goes on.

Back-pressure: two frames are worked on at once (one perceived while the previous one is
dressed, one per core); of the frames that arrive meanwhile only the newest waits (older ones are
dropped and counted), so a slow link or CPU never grows a queue.

Close codes: 1009 (message too big) for a message over ``max_message_bytes``; 1008 (policy
violation) for a frame over ``max_pixels`` pixels; 1011 if the session itself fails.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy as np
import numpy.typing as npt
from fastapi import APIRouter, WebSocket, WebSocketDisconnect
from starlette.concurrency import run_in_threadpool
from starlette.websockets import WebSocketDisconnected

from fitroom.errors import ImageTooLarge, InputError
from fitroom.imaging.decode import decode_image, encode_jpeg
from fitroom.live.protocol import (
    MAX_FRAME_PIXELS,
    MAX_MESSAGE_BYTES,
    decode_message,
    encode_message,
)
from fitroom.live.reactions import LiveExpressions
from fitroom.live.session import LiveOptions, LiveSession
from fitroom.vision.perception import Perception

#: Close code for a message over the byte limit (RFC 6455 "message too big").
CLOSE_TOO_BIG = 1009
#: Close code for a frame over the pixel limit (RFC 6455 "policy violation").
CLOSE_POLICY = 1008
#: Close code when the session itself fails (RFC 6455 "internal error").
CLOSE_INTERNAL = 1011

SessionFactory = Callable[[], LiveSession]
ByteArray = npt.NDArray[np.uint8]


@dataclass
class _Perceived:
    """A frame between the two stages: decoded and perceived, waiting to be dressed."""

    frame: ByteArray
    perception: Perception
    header: dict[str, Any]
    timestamp_ms: int
    timings_ms: dict[str, float]
    started: float


class _Connection:
    """One connection's state: its session, the newest waiting frame, counters.

    Frames go through two stages on worker threads — decode and perceive, then dress and
    encode — so that two frames are worked on at once (one per core); each stage holds a lock,
    as the session's perception and rendering each keep their own state.
    """

    def __init__(self, session: LiveSession) -> None:
        self.session = session
        self.ids = {g.name: i for i, g in enumerate(session.garments)}
        self.waiting: bytes | None = None
        self.ready = asyncio.Event()
        self.dropped = 0
        self.last_ts = -1
        self.last_shape: tuple[int, ...] | None = None
        self.options = session.options
        self.perceive_lock = threading.Lock()
        self.render_lock = threading.Lock()
        self.send_lock = asyncio.Lock()
        # Loads its model only when a frame first asks for reactions.
        self.expressions = LiveExpressions()

    def perceive(self, jpeg: bytes, header: dict[str, Any], max_pixels: int) -> _Perceived:
        with self.perceive_lock:
            t0 = time.perf_counter()
            frame = decode_image(jpeg, max_pixels=max_pixels, max_bytes=MAX_MESSAGE_BYTES)
            t1 = time.perf_counter()
            if frame.shape != self.last_shape:
                self.session.reset()  # a new camera or resolution: a new stream
                self.last_shape = frame.shape
            ts = header.get("ts")
            ts = int(ts) if isinstance(ts, int | float) else self.last_ts + 33
            ts = max(ts, self.last_ts + 1)  # the tracker needs increasing timestamps
            self.last_ts = ts
            perception = self.session.perceive(frame, ts)
            t2 = time.perf_counter()
            timings = {"decode": (t1 - t0) * 1e3, "perception": (t2 - t1) * 1e3}
            return _Perceived(frame, perception, header, ts, timings, t0)

    def render(self, item: _Perceived) -> tuple[bytes, dict[str, Any]]:
        with self.render_lock:
            result = self.session.render(item.frame, item.perception, item.timestamp_ms)
            t0 = time.perf_counter()
            body = encode_jpeg(result.image, quality=80)
            timings = {**item.timings_ms, **result.timings_ms}
            timings["encode"] = (time.perf_counter() - t0) * 1e3
            # Decode to encoded reply, including any wait between the two stages.
            timings["total"] = (time.perf_counter() - item.started) * 1e3
            reply = {
                "type": "frame",
                "ts": item.header.get("ts", item.timestamp_ms),
                "garment": self.session.garments[self.session.garment_index].name,
                "garment_visible": result.garment_visible,
                "person_found": result.person_found,
                "dropped": self.dropped,
                "timings_ms": {k: round(v, 2) for k, v in timings.items()},
            }
            if item.header.get("reactions") is True:
                expression = self.expressions.read(item.frame, item.perception)
                if expression is not None:
                    reply["expression"] = [round(float(p), 5) for p in expression.probabilities]
                spent = self.expressions.last_ms
                reply["timings_ms"]["expression"] = round(spent, 2)
                reply["timings_ms"]["total"] = round(timings["total"] + spent, 2)
            return body, reply

    async def send(self, ws: WebSocket, message: str | bytes) -> None:
        async with self.send_lock:
            if isinstance(message, str):
                await ws.send_text(message)
            else:
                await ws.send_bytes(message)

    def close(self) -> None:
        with self.perceive_lock, self.render_lock:
            self.session.close()
            self.expressions.close()


def _apply_header(conn: _Connection, header: dict[str, Any]) -> None:
    """Switch garment and options as the header asks (raises InputError with a code)."""
    garment = header.get("garment")
    if garment is not None:
        index = conn.ids.get(str(garment))
        if index is None:
            known = ", ".join(sorted(conn.ids))
            raise _CodedError("unknown_garment", f"unknown garment {garment!r}; use one of {known}")
        conn.session.select(index)
    options = header.get("options")
    if options is not None:
        if not isinstance(options, dict):
            raise _CodedError("bad_options", "options must be a JSON object")
        try:
            tuck = options.get("tuck")
            if tuck is not None and not isinstance(tuck, bool):
                raise InputError(f"tuck must be true, false or null, got {tuck!r}")
            new = LiveOptions(
                size=options.get("size"), background=options.get("background"), tuck=tuck
            )
            if isinstance(new.background, str):
                from fitroom.live.scenes import SCENES

                if new.background not in SCENES:
                    raise InputError(
                        f"unknown scene {new.background!r}; use one of {', '.join(SCENES)}"
                    )
        except InputError as exc:
            raise _CodedError("bad_options", str(exc)) from None
        if new != conn.options or new.background != conn.options.background:
            conn.session.set_options(new)
            conn.options = new


class _CodedError(Exception):
    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code


async def _perceive_loop(
    ws: WebSocket, conn: _Connection, handoff: asyncio.Queue[_Perceived], max_pixels: int
) -> None:
    """Stage one: take the newest waiting frame, decode and perceive it, hand it on."""
    while True:
        await conn.ready.wait()
        conn.ready.clear()
        data, conn.waiting = conn.waiting, None
        if data is None:
            continue
        ts: object = None
        try:
            header, jpeg = decode_message(data)
            ts = header.get("ts")
            _apply_header(conn, header)
            item = await run_in_threadpool(conn.perceive, jpeg, header, max_pixels)
        except _CodedError as exc:
            await conn.send(ws, _error(exc.code, str(exc), ts))
            continue
        except ImageTooLarge as exc:
            async with conn.send_lock:
                await ws.close(code=CLOSE_POLICY, reason=_reason(str(exc)))
            return
        except InputError as exc:  # corrupt or undecodable frame: tell, and go on
            await conn.send(ws, _error("corrupt_frame", str(exc), ts))
            continue
        # Waits while the dressing stage is busy with one frame and another is queued; newer
        # frames meanwhile replace the waiting one (and are counted as dropped).
        await handoff.put(item)


async def _render_loop(
    ws: WebSocket, conn: _Connection, handoff: asyncio.Queue[_Perceived]
) -> None:
    """Stage two: dress, encode and send each perceived frame in order."""
    while True:
        item = await handoff.get()
        body, reply = await run_in_threadpool(conn.render, item)
        await conn.send(ws, encode_message(reply, body))


def _error(code: str, message: str, ts: object) -> str:
    return json.dumps({"type": "error", "code": code, "message": message, "ts": ts})


def _reason(text: str) -> str:
    # A close reason must fit in a control frame (123 bytes of UTF-8).
    return text.encode("utf-8")[:120].decode("utf-8", "ignore")


async def _stop(tasks: set[asyncio.Task[None]]) -> None:
    for task in tasks:
        task.cancel()
    for task in tasks:
        # A stage's own failure is read from the task by the caller, not raised here.
        with contextlib.suppress(asyncio.CancelledError, Exception):
            await task


async def serve_live_socket(
    ws: WebSocket,
    session_factory: SessionFactory,
    *,
    max_message_bytes: int = MAX_MESSAGE_BYTES,
    max_pixels: int = MAX_FRAME_PIXELS,
) -> None:
    """Speak the live protocol on one WebSocket until it closes (see the module docstring).

    Hosts that check something first (a login, the page's origin) call this after their checks;
    :func:`live_router` is the unguarded route around it.

    Args:
        ws: a connection not accepted yet.
        session_factory: makes the connection's :class:`LiveSession` (called in a worker
            thread; closed when the connection ends).
        max_message_bytes: larger messages close the connection with 1009.
        max_pixels: larger frames close the connection with 1008.
    """
    await ws.accept()
    session = await run_in_threadpool(session_factory)
    conn = _Connection(session)
    handoff: asyncio.Queue[_Perceived] = asyncio.Queue(maxsize=1)
    worker = asyncio.create_task(_perceive_loop(ws, conn, handoff, max_pixels))
    renderer = asyncio.create_task(_render_loop(ws, conn, handoff))
    stages = {worker, renderer}
    try:
        while True:
            receive = asyncio.ensure_future(ws.receive())
            done, _ = await asyncio.wait({receive, *stages}, return_when=asyncio.FIRST_COMPLETED)
            if receive not in done:
                receive.cancel()
                break  # a stage ended: it closed the connection, or it failed (below)
            message = receive.result()
            if message["type"] == "websocket.disconnect":
                break
            data = message.get("bytes")
            if data is None:
                await conn.send(ws, _error("corrupt_frame", "send frames as binary messages", None))
                continue
            if len(data) > max_message_bytes:
                await _stop(stages)
                await ws.close(
                    code=CLOSE_TOO_BIG,
                    reason=f"message of {len(data)} bytes over {max_message_bytes}",
                )
                break
            if conn.waiting is not None:
                conn.dropped += 1  # only the newest frame waits
            conn.waiting = data
            conn.ready.set()
        # A stage that ended because the client had gone (its send found the socket closed)
        # did not fail: the connection simply ended.
        failed = [
            t
            for t in stages
            if t.done()
            and not t.cancelled()
            and t.exception() is not None
            and not isinstance(t.exception(), (WebSocketDisconnect, WebSocketDisconnected))
        ]
        if failed:
            await _stop(stages)
            # (The socket may already be closed, by the client or by the stage.)
            with contextlib.suppress(WebSocketDisconnected, RuntimeError):
                await ws.close(code=CLOSE_INTERNAL, reason="the live session failed")
            raise failed[0].exception()  # type: ignore[misc]
    except WebSocketDisconnect:
        pass
    finally:
        await _stop(stages)
        await run_in_threadpool(conn.close)


def live_router(
    session_factory: SessionFactory,
    *,
    max_message_bytes: int = MAX_MESSAGE_BYTES,
    max_pixels: int = MAX_FRAME_PIXELS,
) -> APIRouter:
    """The live try-on routes: the WebSocket ``/api/v1/live/ws`` (:func:`serve_live_socket`).

    Args:
        session_factory: makes one :class:`LiveSession` per connection (called in a worker
            thread; the connection closes the session when it ends).
        max_message_bytes: larger messages close the connection with 1009.
        max_pixels: larger frames close the connection with 1008.
    """
    router = APIRouter(prefix="/api/v1/live", tags=["live"])

    @router.websocket("/ws")
    async def live_socket(ws: WebSocket) -> None:
        await serve_live_socket(
            ws, session_factory, max_message_bytes=max_message_bytes, max_pixels=max_pixels
        )

    return router


__all__ = [
    "CLOSE_INTERNAL",
    "CLOSE_POLICY",
    "CLOSE_TOO_BIG",
    "SessionFactory",
    "live_router",
    "serve_live_socket",
]
