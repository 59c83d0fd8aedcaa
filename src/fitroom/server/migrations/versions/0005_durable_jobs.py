"""durable jobs and shared media: job delivery columns, garment import keys, media blobs,
and (PostgreSQL only) the procrastinate queue's own schema

Revision ID: 0005_durable_jobs
Revises: 0004_rate_limits
Create Date: 2026-12-07 06:40:00

"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision: str = "0005_durable_jobs"
down_revision: str | Sequence[str] | None = "0004_rate_limits"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    """Upgrade schema."""
    with op.batch_alter_table("jobs", schema=None) as batch_op:
        batch_op.add_column(sa.Column("payload_key", sa.String(length=300), nullable=True))
        batch_op.add_column(
            sa.Column("attempts", sa.Integer(), nullable=False, server_default=sa.text("0"))
        )
        batch_op.add_column(sa.Column("claimed_by", sa.String(length=120), nullable=True))
        batch_op.add_column(sa.Column("started_at", sa.DateTime(timezone=True), nullable=True))
    with op.batch_alter_table("garments", schema=None) as batch_op:
        batch_op.add_column(sa.Column("import_key", sa.String(length=200), nullable=True))
        batch_op.create_unique_constraint("uq_garment_import_key", ["merchant_id", "import_key"])
    op.create_table(
        "media_blobs",
        sa.Column("key", sa.String(length=400), nullable=False),
        sa.Column("data", sa.LargeBinary(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("key"),
    )
    bind = op.get_bind()
    if bind.dialect.name == "postgresql":
        from procrastinate.schema import SchemaManager

        present = bind.execute(sa.text("SELECT to_regclass('procrastinate_jobs')")).scalar()
        if present is None:
            # procrastinate's schema as it ships (its own SQL; % and : are not parameters).
            cursor = bind.connection.dbapi_connection.cursor()  # type: ignore[union-attr]
            cursor.execute(SchemaManager.get_schema())


def downgrade() -> None:
    """Downgrade schema (procrastinate's tables are left to ``procrastinate schema``)."""
    op.drop_table("media_blobs")
    with op.batch_alter_table("garments", schema=None) as batch_op:
        batch_op.drop_constraint("uq_garment_import_key", type_="unique")
        batch_op.drop_column("import_key")
    with op.batch_alter_table("jobs", schema=None) as batch_op:
        batch_op.drop_column("started_at")
        batch_op.drop_column("claimed_by")
        batch_op.drop_column("attempts")
        batch_op.drop_column("payload_key")
