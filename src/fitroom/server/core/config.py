"""The server's settings: one object, read from ``FITROOM_*`` environment variables by the CLI.

The library never reads the environment; :class:`Settings` is built once (by ``fitroom serve`` or
a test) and handed to :func:`fitroom.server.create_app`.
"""

from __future__ import annotations

from pathlib import Path
from typing import Literal

from pydantic import model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

#: The development secret; refused outside development so a deployment cannot run with it.
DEVELOPMENT_SECRET = "development-only-secret-change-me"
#: Shortest secret accepted outside development (characters).
MIN_SECRET_LENGTH = 32


class Settings(BaseSettings):
    """Everything the server can be configured with (environment prefix ``FITROOM_``).

    Attributes:
        environment: development, test or production; only development accepts the built-in
            secret.
        secret_key: signs nothing by itself but derives the media encryption key; at least 32
            characters outside development.
        database_url: SQLAlchemy URL; SQLite under ``var_dir`` when unset.
        var_dir: where the SQLite file and media live (``./var``).
        media_dir: media root (``var_dir/media`` when unset).
        secure_cookies: mark cookies Secure (serve behind HTTPS).
        session_hours: how long a login lasts.
        max_upload_bytes / max_upload_pixels: upload limits (413 beyond them).
        login_attempts / login_window_seconds: failed logins per IP and account before 429.
        auto_migrate: apply Alembic migrations at start-up.
        seed_demo: create the demo catalog and demo merchant at start-up.
        seed_limit: only the first N demo garments (None = all).
        demo_events: simulated shopper events to add with the demo seed (0 = none), so the
            merchant dashboard has data (``fitroom serve --demo-events N``).
        demo_merchant_email / demo_merchant_password: the demo merchant account.
        model_threads: CPU threads for the try-on models.
        recs_model_path: a trained sequential recommender (``SequentialRecommender.save``, item
            ids = the shop's garment ids) for "Recommended for you"; None = content and
            popularity only.
        job_workers: threads running jobs in a web process on SQLite (the local queue).
        job_queue: ``auto`` (procrastinate on PostgreSQL, the local queue on SQLite),
            ``procrastinate`` or ``local``.
        run_jobs: whether a web process runs jobs itself (a cluster leaves them to
            ``fitroom worker`` processes).
        job_stall_seconds: a job worker silent this long is taken for dead and its job is
            queued again.
        preload_models: load the try-on models at start-up (else on the first try-on).
        media_backend: ``auto`` (the database's ``media_blobs`` table on PostgreSQL, the
            media folder on SQLite), ``database`` or ``files``.
    """

    model_config = SettingsConfigDict(env_prefix="FITROOM_", extra="ignore")

    environment: Literal["development", "test", "production"] = "development"
    secret_key: str = DEVELOPMENT_SECRET
    database_url: str | None = None
    var_dir: Path = Path("var")
    media_dir: Path | None = None
    secure_cookies: bool = False
    session_hours: int = 24 * 7
    max_upload_bytes: int = 10 * 1024 * 1024
    max_upload_pixels: int = 24_000_000
    login_attempts: int = 5
    login_window_seconds: int = 15 * 60
    auto_migrate: bool = True
    seed_demo: bool = True
    seed_limit: int | None = None
    demo_events: int = 0
    demo_merchant_email: str = "merchant@example.com"
    demo_merchant_password: str = "demo-merchant-password"
    model_threads: int = 2
    recs_model_path: Path | None = None
    job_workers: int = 1
    job_queue: Literal["auto", "procrastinate", "local"] = "auto"
    run_jobs: bool = True
    job_stall_seconds: float = 30.0
    media_backend: Literal["auto", "database", "files"] = "auto"
    preload_models: bool = True

    @model_validator(mode="after")
    def _refuse_unsafe_secret(self) -> Settings:
        if self.environment != "development" and (
            self.secret_key == DEVELOPMENT_SECRET or len(self.secret_key) < MIN_SECRET_LENGTH
        ):
            raise ValueError(
                f"FITROOM_SECRET_KEY must be set to a random string of at least "
                f"{MIN_SECRET_LENGTH} characters when FITROOM_ENVIRONMENT={self.environment}; "
                "generate one with: python -c 'import secrets; print(secrets.token_urlsafe(48))'"
            )
        return self

    @property
    def sqlalchemy_url(self) -> str:
        """The database URL (SQLite file ``var_dir/fitroom.sqlite3`` when none is configured)."""
        if self.database_url:
            # A bare postgres URL would pick psycopg2, which is not installed; use psycopg 3.
            for bare in ("postgresql://", "postgres://"):
                if self.database_url.startswith(bare):
                    return "postgresql+psycopg://" + self.database_url[len(bare) :]
            return self.database_url
        return f"sqlite:///{(self.var_dir / 'fitroom.sqlite3').resolve()}"

    @property
    def is_postgresql(self) -> bool:
        return self.sqlalchemy_url.startswith("postgresql")

    @property
    def uses_procrastinate(self) -> bool:
        """Jobs go through procrastinate (needs PostgreSQL)."""
        return self.job_queue == "procrastinate" or (
            self.job_queue == "auto" and self.is_postgresql
        )

    @property
    def media_in_database(self) -> bool:
        return self.media_backend == "database" or (
            self.media_backend == "auto" and self.is_postgresql
        )

    @property
    def media_root(self) -> Path:
        """The folder media files are stored under."""
        return self.media_dir if self.media_dir is not None else self.var_dir / "media"
