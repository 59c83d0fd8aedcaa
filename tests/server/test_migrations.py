from __future__ import annotations

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import inspect

from fitroom.server.db import upgrade_database
from fitroom.server.models import Base
from fitroom.server.services import Services


def test_migrations_match_models(services: Services) -> None:
    # The schema Alembic built must be the one the models describe (no missing migration).
    with services.engine.connect() as connection:
        context = MigrationContext.configure(connection, opts={"include_name": not_procrastinate})
        assert compare_metadata(context, Base.metadata) == []


def not_procrastinate(name: str | None, type_: str, _parents: object) -> bool:
    # procrastinate's queue tables live beside the shop's (PostgreSQL) and are its own.
    return not (type_ == "table" and (name or "").startswith("procrastinate_"))


def test_upgrade_is_idempotent(services: Services) -> None:
    upgrade_database(services.settings.sqlalchemy_url)
    tables = set(inspect(services.engine).get_table_names())
    assert set(Base.metadata.tables) <= tables
    assert "alembic_version" in tables
