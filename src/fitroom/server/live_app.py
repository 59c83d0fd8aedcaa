"""A small standalone live app: the live WebSocket, its garment list and a test page at ``/``.

The shop (:mod:`fitroom.server.app`) serves the same socket behind its login
(:mod:`fitroom.server.api.routes.live`); this app is for trying live try-on alone
(``uvicorn --factory fitroom.server.live_app:create_live_app``) and for the benchmarks.
"""

from __future__ import annotations

import threading
from collections.abc import Sequence
from pathlib import Path

from fastapi import FastAPI
from fastapi.responses import HTMLResponse

from fitroom.garments import Garment
from fitroom.live.protocol import MAX_FRAME_PIXELS, MAX_MESSAGE_BYTES
from fitroom.live.session import LiveSession
from fitroom.server.live_socket import SessionFactory, live_router

STATIC_DIR = Path(__file__).resolve().parent / "live_static"


def demo_garments() -> list[Garment]:
    """A few garments of the drawn demo catalog (no research photo involved)."""
    from fitroom.garments import ingest_garment
    from fitroom.garments.synth import DEMO_CATALOG, synth_garment

    chosen = ("striped-tee", "gingham-shirt", "plain-tee", "summer-tank")
    out = []
    for name, kind, pattern, seed in DEMO_CATALOG:
        if name in chosen:
            drawn = synth_garment(kind, seed=seed, pattern=pattern)
            out.append(ingest_garment(drawn.image, name=name))
    return out


def create_live_app(
    garments: Sequence[Garment] | None = None,
    *,
    session_factory: SessionFactory | None = None,
    num_threads: int = 1,
    max_message_bytes: int = MAX_MESSAGE_BYTES,
    max_pixels: int = MAX_FRAME_PIXELS,
) -> FastAPI:
    """A small standalone app: the live WebSocket, its garment list and a test page at ``/``.

    Args:
        garments: garments to offer (default: a few drawn demo garments, made on first use).
        session_factory: overrides how sessions are made (then ``garments`` only feeds the list).
        num_threads: model threads per session (1: the connection's two stages use a core each).
    """
    chosen: list[Garment] = list(garments) if garments is not None else []
    lock = threading.Lock()

    def offered() -> list[Garment]:
        with lock:
            if not chosen:
                chosen.extend(demo_garments())
            return chosen

    def make_session() -> LiveSession:
        return LiveSession(offered(), num_threads=num_threads)

    app = FastAPI(title="fitroom live")
    app.include_router(
        live_router(
            session_factory or make_session,
            max_message_bytes=max_message_bytes,
            max_pixels=max_pixels,
        )
    )

    @app.get("/api/v1/live/garments")
    def garment_list() -> dict[str, list[dict[str, str]]]:
        return {
            "garments": [
                {"id": g.name, "category": g.category, "subcategory": g.subcategory}
                for g in offered()
            ]
        }

    @app.get("/", response_class=HTMLResponse)
    def test_page() -> str:
        return (STATIC_DIR / "live.html").read_text(encoding="utf-8")

    return app


__all__ = ["create_live_app", "demo_garments"]
