"""The server's settings: one object, read from ``FITROOM_*`` environment variables by the CLI.

The library never reads the environment; :class:`Settings` is built once (by ``fitroom serve`` or
a test) and handed to :func:`fitroom.server.create_app`.
"""

from __future__ import annotations

import contextlib
import ipaddress
import os
import secrets
from pathlib import Path
from typing import Literal

from pydantic import field_validator, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

#: The development secret; refused outside development so a deployment cannot run with it.
DEVELOPMENT_SECRET = "development-only-secret-change-me"
#: Shortest secret accepted outside development (characters).
MIN_SECRET_LENGTH = 32
#: The file under ``var_dir`` holding the secret generated on first start.
SECRET_FILE = "secret_key"
ProxyNetwork = ipaddress.IPv4Network | ipaddress.IPv6Network


class Settings(BaseSettings):
    """Everything the server can be configured with (environment prefix ``FITROOM_``).

    Attributes:
        environment: development, test or production; only development accepts the built-in
            secret.
        secret_key: derives the media encryption key and signs CSRF tokens; at least 32
            characters outside development. None (the default): a random secret generated on
            first start and kept in ``var_dir/secret_key`` (mode 0600), shared by every process
            on that folder.
        database_url: SQLAlchemy URL; SQLite under ``var_dir`` when unset.
        var_dir: where the SQLite file and media live (``./var``).
        media_dir: media root (``var_dir/media`` when unset).
        secure_cookies: mark cookies Secure always (they are Secure anyway over HTTPS and in
            production).
        trusted_proxies: comma-separated addresses or networks of reverse proxies whose
            ``X-Forwarded-For`` / ``X-Forwarded-Proto`` are believed (default: none, so the
            client address is the TCP peer's).
        session_hours: how long a login lasts.
        max_upload_bytes / max_upload_pixels: upload limits (413 beyond them).
        login_attempts / login_window_seconds: failed logins per account (from any address)
            before 429, within the window.
        login_address_attempts: failed logins from one address, over all accounts, before 429
            (password spraying), within the same window.
        register_attempts / register_window_seconds: accounts one address may create per window.
        upload_attempts / upload_window_seconds: photos one merchant may upload per window.
        merchant_garment_quota: garments (not archived) one merchant may have.
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
        bound_memory: tune glibc malloc as the app starts and trim its heaps after each upload,
            so memory freed after large photos goes back to the system (:mod:`server.memory`).
        job_workers: threads running jobs in a web process on SQLite (the local queue).
        job_queue: ``auto`` (procrastinate on PostgreSQL, the local queue on SQLite),
            ``procrastinate`` or ``local``.
        run_jobs: whether a web process runs jobs itself (a cluster leaves them to
            ``fitroom worker`` processes).
        job_stall_seconds: a job worker silent this long is taken for dead and its job is
            queued again.
        preload_models: load the try-on models at start-up (else on the first try-on).
        max_import_bytes: largest catalogue archive (ZIP) a merchant may send (413 beyond it).
        dask_scheduler: the Dask scheduler (``tcp://host:port``) a job worker ingests a queued
            catalogue import's photos on; None = in the worker's own process.
        media_backend: ``auto`` (the database's ``media_blobs`` table on PostgreSQL, the
            media folder on SQLite), ``database`` or ``files``.
    """

    model_config = SettingsConfigDict(env_prefix="FITROOM_", extra="ignore")

    environment: Literal["development", "test", "production"] = "development"
    secret_key: str | None = None
    database_url: str | None = None
    var_dir: Path = Path("var")
    media_dir: Path | None = None
    secure_cookies: bool = False
    trusted_proxies: str = ""
    session_hours: int = 24 * 7
    max_upload_bytes: int = 10 * 1024 * 1024
    max_upload_pixels: int = 24_000_000
    login_attempts: int = 5
    login_window_seconds: int = 15 * 60
    login_address_attempts: int = 20
    register_attempts: int = 10
    register_window_seconds: int = 60 * 60
    upload_attempts: int = 60
    upload_window_seconds: int = 60 * 60
    merchant_garment_quota: int = 1000
    auto_migrate: bool = True
    seed_demo: bool = True
    seed_limit: int | None = None
    demo_events: int = 0
    demo_merchant_email: str = "merchant@example.com"
    demo_merchant_password: str = "demo-merchant-password"
    model_threads: int = 2
    recs_model_path: Path | None = None
    job_workers: int = 1
    bound_memory: bool = True
    job_queue: Literal["auto", "procrastinate", "local"] = "auto"
    run_jobs: bool = True
    job_stall_seconds: float = 30.0
    media_backend: Literal["auto", "database", "files"] = "auto"
    preload_models: bool = True
    max_import_bytes: int = 512 * 1024 * 1024
    dask_scheduler: str | None = None

    @field_validator("trusted_proxies")
    @classmethod
    def _valid_proxies(cls, value: str) -> str:
        parse_networks(value)  # raises ValueError naming the bad entry
        return value

    @model_validator(mode="after")
    def _refuse_unsafe_secret(self) -> Settings:
        if (
            self.environment != "development"
            and self.secret_key is not None
            and (self.secret_key == DEVELOPMENT_SECRET or len(self.secret_key) < MIN_SECRET_LENGTH)
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
    def proxy_networks(self) -> tuple[ProxyNetwork, ...]:
        """The trusted proxies as networks (empty: trust no forwarded header)."""
        return parse_networks(self.trusted_proxies)

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


def parse_networks(text: str) -> tuple[ProxyNetwork, ...]:
    """Networks from ``"10.0.0.1, 192.168.0.0/16"``; ValueError naming a bad entry."""
    networks = []
    for part in (p.strip() for p in text.split(",")):
        if not part:
            continue
        try:
            networks.append(ipaddress.ip_network(part, strict=False))
        except ValueError as exc:
            raise ValueError(
                f"FITROOM_TRUSTED_PROXIES: {part!r} is not an address or network "
                "(e.g. 127.0.0.1 or 10.0.0.0/8)"
            ) from exc
    return tuple(networks)


def server_secret(settings: Settings) -> str:
    """The configured secret, or the one generated on first start in ``var_dir/secret_key``.

    The file is created once, atomically and with mode 0600, so every process serving the same
    folder (workers, a second host on a shared volume) reads the same secret; an existing file
    readable by others is narrowed to 0600.
    """
    if settings.secret_key is not None:
        return settings.secret_key
    path = settings.var_dir / SECRET_FILE
    path.parent.mkdir(parents=True, exist_ok=True)
    if not path.exists():
        draft = path.with_name(f".{SECRET_FILE}.{os.getpid()}.{secrets.token_hex(4)}")
        fd = os.open(draft, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        try:
            with os.fdopen(fd, "w") as out:
                out.write(secrets.token_urlsafe(48) + "\n")
            # os.link fails if another process got there first: then theirs is the secret.
            with contextlib.suppress(FileExistsError):
                os.link(draft, path)
        finally:
            draft.unlink(missing_ok=True)
    if path.stat().st_mode & 0o077:
        path.chmod(0o600)
    secret = path.read_text().strip()
    if len(secret) < MIN_SECRET_LENGTH:
        raise ValueError(
            f"{path} holds a secret shorter than {MIN_SECRET_LENGTH} characters; delete the file "
            "to have a new one generated (saved looks and measurements will no longer open)"
        )
    return secret
