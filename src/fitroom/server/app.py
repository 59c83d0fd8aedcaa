"""The app factory: settings in, a FastAPI app out; models load once in ``lifespan``."""

from __future__ import annotations

import asyncio
import logging
import math
from collections.abc import AsyncIterator, Awaitable, Callable, Sequence
from contextlib import asynccontextmanager
from functools import partial
from pathlib import Path
from typing import Any

from fastapi import FastAPI, Request, Response
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from fastapi.staticfiles import StaticFiles
from sqlalchemy.exc import InterfaceError, OperationalError
from starlette.concurrency import run_in_threadpool

from fitroom.errors import FitroomError
from fitroom.server.api.errors import HANDLED_ERRORS, http_status
from fitroom.server.api.main import api_router
from fitroom.server.core.config import Settings, server_secret
from fitroom.server.core.crypto import MediaCipher, derive_csrf_key, derive_media_key
from fitroom.server.core.headers import harden_response
from fitroom.server.core.security import CSRF_COOKIE, SESSION_COOKIE, CsrfTokens
from fitroom.server.db import make_engine, make_session_factory, upgrade_database
from fitroom.server.demo_events import seed_demo_events
from fitroom.server.limits import RateLimiter
from fitroom.server.memory import bound_allocator, trim_heap
from fitroom.server.pages import router as pages_router
from fitroom.server.seed import seed_demo
from fitroom.server.services import Services
from fitroom.server.services.jobqueue import JobQueue, LocalJobQueue, ProcrastinateJobQueue
from fitroom.server.services.jobs import run_job
from fitroom.server.storage import DatabaseStorage, FileSystemStorage, MediaStorage

log = logging.getLogger(__name__)
#: A request body at least this large is an upload: the heap is trimmed after it.
UPLOAD_BYTES = 256 * 1024
#: Bytes a request may exceed ``max_upload_bytes`` by (form fields, multipart boundaries).
REQUEST_SLACK_BYTES = 1024 * 1024
#: Where merchants send catalogue archives (larger than any photo: ``max_import_bytes``).
IMPORTS_PATH = "/api/v1/merchant/imports"
STATIC_DIR = Path(__file__).resolve().parent / "pages" / "static"


def json_safe(value: Any) -> Any:
    """``value`` with what JSON cannot hold made readable: non-finite numbers and other objects
    become short strings (a 422 must serialise whatever the client sent)."""
    if value is None or isinstance(value, bool | int | str):
        return value[:200] if isinstance(value, str) else value
    if isinstance(value, float):
        return value if math.isfinite(value) else str(value)
    if isinstance(value, dict):
        return {str(k): json_safe(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [json_safe(v) for v in value[:50]]
    return type(value).__name__


def json_safe_error(error: Any) -> dict[str, Any]:
    """One validation error as FastAPI reports it (type, loc, msg, input, ctx), JSON-safe."""
    return {k: json_safe(v) for k, v in dict(error).items() if k != "url"}


def build_services(
    settings: Settings, *, load_models: bool = True, run_jobs: bool | None = None
) -> Services:
    """Open the database (migrated), storage, job queue and (``load_models``) models; blocking.

    ``run_jobs`` (default ``settings.run_jobs``) makes this process run jobs once the queue is
    started (``await services.queue.start()``).
    """
    url = settings.sqlalchemy_url
    engine = make_engine(url)  # first: it creates the SQLite file's folder
    if settings.auto_migrate:
        upgrade_database(url)
    secret = server_secret(settings)
    sessions = make_session_factory(engine)
    storage: MediaStorage = (
        DatabaseStorage(sessions)
        if settings.media_in_database
        else FileSystemStorage(settings.media_root)
    )
    services = Services(
        settings=settings,
        engine=engine,
        sessions=sessions,
        storage=storage,
        cipher=MediaCipher(derive_media_key(secret)),
        csrf=CsrfTokens(derive_csrf_key(secret)),
        limiter=RateLimiter(sessions),
    )
    services.queue = job_queue(
        services, run_jobs=settings.run_jobs if run_jobs is None else run_jobs
    )
    if load_models:
        services.tryon  # noqa: B018 -- models load once, at start-up, not on the first request
    return services


def job_queue(services: Services, *, run_jobs: bool) -> JobQueue:
    """The queue the settings ask for, running jobs in this process when ``run_jobs``."""
    settings = services.settings

    def run(job_id: int, statuses: Sequence[str]) -> None:
        try:
            run_job(services, job_id, statuses)
        finally:
            if settings.bound_memory:
                # A job decodes photos and builds packages; give the freed memory back.
                trim_heap()

    if settings.uses_procrastinate:
        return ProcrastinateJobQueue(
            settings.sqlalchemy_url,
            run,
            run_worker=run_jobs,
            stall_seconds=settings.job_stall_seconds,
        )
    return LocalJobQueue(services.sessions, run, threads=settings.job_workers if run_jobs else 0)


def create_app(settings: Settings | None = None) -> FastAPI:
    """The shop app; ``settings`` defaults to ``Settings()`` (development defaults)."""
    settings = settings or Settings()

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        if settings.bound_memory:
            bound_allocator()
        services = await run_in_threadpool(
            partial(build_services, settings, load_models=settings.preload_models)
        )
        try:
            if settings.seed_demo:
                added = await run_in_threadpool(seed_demo, services)
                log.info("seeded %d demo garments", added)
                if settings.demo_events:
                    events = await run_in_threadpool(
                        partial(
                            seed_demo_events,
                            services.sessions,
                            merchant_email=settings.demo_merchant_email,
                            count=settings.demo_events,
                        )
                    )
                    log.info("seeded %d demo events", events)
            await services.queue.start()
            app.state.services = services
            try:
                yield
            finally:
                await services.queue.stop()
        finally:
            await run_in_threadpool(services.close)

    app = FastAPI(
        title="fitroom",
        summary="A web shop with a virtual fitting room",
        lifespan=lifespan,
        openapi_url="/api/v1/openapi.json",
        docs_url="/api/docs",
        redoc_url=None,
    )

    async def refusal(_request: Request, exc: Exception) -> JSONResponse:
        # The library's input errors and the shop's refusals, each with its status code.
        status = http_status(exc) if isinstance(exc, FitroomError) else 500
        return JSONResponse({"detail": str(exc)}, status_code=status)

    for handled in HANDLED_ERRORS:
        app.add_exception_handler(handled, refusal)

    @app.exception_handler(RequestValidationError)
    async def invalid_request(_request: Request, exc: Exception) -> JSONResponse:
        # FastAPI's own handler fails on NaN/inf inputs (JSON has no such numbers): a 500.
        errors = exc.errors() if isinstance(exc, RequestValidationError) else []
        return JSONResponse({"detail": [json_safe_error(e) for e in errors]}, status_code=422)

    @app.exception_handler(OperationalError)
    @app.exception_handler(InterfaceError)
    async def database_unavailable(_request: Request, exc: Exception) -> JSONResponse:
        # A database restarting or out of reach is a temporary refusal, not a server bug.
        log.warning("database unavailable: %s", type(exc).__name__)
        return JSONResponse(
            {"detail": "the shop's database is unavailable; try again in a few seconds"},
            status_code=503,
            headers={"Retry-After": "5"},
        )

    @app.middleware("http")
    async def guard(
        request: Request, call_next: Callable[[Request], Awaitable[Response]]
    ) -> Response:
        # Refuse an oversized body before it is read and spooled to disk (multipart overhead
        # gets a megabyte of slack; the exact limit is checked per file).
        declared = request.headers.get("content-length", "")
        limit, what = (
            (settings.max_import_bytes, "a smaller catalogue")
            if request.url.path == IMPORTS_PATH
            else (settings.max_upload_bytes, "a smaller photo")
        )
        if declared.isdigit() and int(declared) > limit + REQUEST_SLACK_BYTES:
            refusal = JSONResponse(
                {"detail": f"the request is larger than {limit // 2**20} MB; send {what}"},
                status_code=413,
            )
            harden_response(request, refusal, settings)
            return refusal
        # Every visitor gets a CSRF token cookie bound to their session; unsafe requests must
        # echo it. A token made for another session (or none) is replaced.
        csrf: CsrfTokens = request.app.state.services.csrf
        session_token = request.cookies.get(SESSION_COOKIE)
        existing = request.cookies.get(CSRF_COOKIE)
        fresh = not csrf.valid(existing, session_token)
        request.state.csrf_token = csrf.issue(session_token) if fresh else existing
        response = await call_next(request)
        if settings.bound_memory and declared.isdigit() and int(declared) > UPLOAD_BYTES:
            # The upload and its decoded pixels are freed by now; give the memory back.
            asyncio.get_running_loop().run_in_executor(None, trim_heap)
        already_set = any(
            value.startswith(f"{CSRF_COOKIE}=") for value in response.headers.getlist("set-cookie")
        )
        if fresh and not already_set:
            response.set_cookie(
                CSRF_COOKIE, request.state.csrf_token, httponly=False, samesite="lax", path="/"
            )
        harden_response(request, response, settings)
        return response

    app.include_router(api_router)
    app.include_router(pages_router)
    app.mount("/static", StaticFiles(directory=STATIC_DIR), name="static")
    return app
