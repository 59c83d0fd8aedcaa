"""Alembic environment: the URL comes from the caller (Settings), never from alembic.ini.

Alembic runs this file inside its migration context; imported anywhere else (doctest collection)
it does nothing.
"""

from __future__ import annotations

from alembic import context
from sqlalchemy import create_engine, pool

from fitroom.server.models import Base


def database_url() -> str:
    config = context.config
    url = config.attributes.get("database_url") or config.get_main_option("sqlalchemy.url")
    if not url:
        raise RuntimeError(
            "no database URL: run migrations through fitroom.server.db.upgrade_database"
        )
    return str(url)


def run_offline(url: str) -> None:
    context.configure(url=url, target_metadata=Base.metadata, literal_binds=True)
    with context.begin_transaction():
        context.run_migrations()


def run_online(url: str) -> None:
    engine = create_engine(url, poolclass=pool.NullPool)
    with engine.connect() as connection:
        context.configure(
            connection=connection,
            target_metadata=Base.metadata,
            # SQLite cannot ALTER most things; batch mode copies the table instead.
            render_as_batch=connection.dialect.name == "sqlite",
        )
        with context.begin_transaction():
            context.run_migrations()
    engine.dispose()


def main() -> None:
    url = database_url()
    if context.is_offline_mode():
        run_offline(url)
    else:
        run_online(url)


if getattr(context, "config", None) is not None:
    main()
