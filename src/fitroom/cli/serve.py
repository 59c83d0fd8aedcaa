"""``fitroom serve``: run the web shop (database, migrations, demo catalog, models, HTTP).

``fitroom serve [--host 127.0.0.1] [--port 8000] [--workers N] [--no-seed]``

Settings come from ``FITROOM_*`` environment variables (see
:class:`fitroom.server.core.config.Settings`); this command is the one place that reads them.
Migrations and the demo seed run once here, before the worker processes start, so workers never
race on them.
"""

from __future__ import annotations

import argparse
import os
from typing import Any

#: Set for the worker processes: the parent already migrated and seeded.
_PREPARED_ENV = {"FITROOM_AUTO_MIGRATE": "false", "FITROOM_SEED_DEMO": "false"}


def register(sub: Any) -> None:
    """Register the ``serve`` subcommand."""
    parser: argparse.ArgumentParser = sub.add_parser(
        "serve",
        help="run the web shop with its fitting room",
        description="Create the database, apply migrations, seed the demo catalog and a demo "
        "merchant, then serve the shop and its /api/v1 API. Configure with FITROOM_* variables.",
    )
    parser.add_argument("--host", default="127.0.0.1", help="address to bind (default 127.0.0.1)")
    parser.add_argument("--port", type=int, default=8000, help="port (default 8000)")
    parser.add_argument(
        "--workers", type=int, default=1, help="worker processes (each loads the models)"
    )
    parser.add_argument("--no-seed", action="store_true", help="do not create the demo catalog")
    parser.add_argument(
        "--demo-events",
        type=int,
        default=None,
        metavar="N",
        help="also simulate N shopper events for the merchant dashboard (demo only)",
    )
    parser.add_argument("--log-level", default="info", help="uvicorn log level (default info)")
    parser.set_defaults(run=run)


def app_from_environment() -> Any:
    """The app for one worker process, configured from the environment (uvicorn factory)."""
    from fitroom.server import Settings, create_app

    return create_app(Settings())


def prepare(seed: bool, threads: int) -> None:
    """Migrate and (optionally) seed once, in this process."""
    from fitroom.server import Settings
    from fitroom.server.app import build_services
    from fitroom.server.seed import seed_demo

    # An explicit FITROOM_MODEL_THREADS wins over the global --threads option.
    settings = Settings()
    if "FITROOM_MODEL_THREADS" not in os.environ:
        settings = settings.model_copy(update={"model_threads": threads})
    services = build_services(settings, load_models=False, run_jobs=False)
    try:
        if seed and settings.seed_demo:
            added = seed_demo(services)
            print(f"fitroom: demo catalog ready ({added} garments added)")
            if settings.demo_events:
                from fitroom.server.demo_events import seed_demo_events

                events = seed_demo_events(
                    services.sessions,
                    merchant_email=settings.demo_merchant_email,
                    count=settings.demo_events,
                )
                print(f"fitroom: demo events ready ({events} events added)")
    finally:
        services.close()


def run(args: argparse.Namespace) -> int:
    """Serve until interrupted; returns the exit code."""
    import uvicorn

    if args.workers < 1:
        raise SystemExit("fitroom serve: --workers must be at least 1")
    threads = int(getattr(args, "threads", 2))
    if getattr(args, "demo_events", None):
        os.environ["FITROOM_DEMO_EVENTS"] = str(args.demo_events)
    prepare(seed=not args.no_seed, threads=threads)
    os.environ.update(_PREPARED_ENV)
    os.environ.setdefault("FITROOM_MODEL_THREADS", str(max(1, threads // args.workers)))
    print(f"fitroom: serving on http://{args.host}:{args.port} ({args.workers} worker(s))")
    uvicorn.run(
        "fitroom.cli.serve:app_from_environment",
        factory=True,
        host=args.host,
        port=args.port,
        workers=args.workers,
        log_level=args.log_level,
        # uvicorn would otherwise believe X-Forwarded-For/-Proto from 127.0.0.1 and let any
        # local client pick its address; the app reads them from FITROOM_TRUSTED_PROXIES only.
        proxy_headers=False,
    )
    return 0
