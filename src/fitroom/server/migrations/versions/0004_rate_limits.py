"""rate limits: counted log-in failures, registrations and uploads, shared by every process

Revision ID: 0004_rate_limits
Revises: 0003_reactions
Create Date: 2026-12-07 06:40:00

"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision: str = "0004_rate_limits"
down_revision: str | Sequence[str] | None = "0003_reactions"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    """Upgrade schema."""
    op.create_table(
        "rate_limit_hits",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("scope", sa.String(length=24), nullable=False),
        sa.Column("key", sa.String(length=64), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index(
        "ix_rate_limit_hits_scope_key_at",
        "rate_limit_hits",
        ["scope", "key", "created_at"],
        unique=False,
    )


def downgrade() -> None:
    """Downgrade schema."""
    op.drop_index("ix_rate_limit_hits_scope_key_at", table_name="rate_limit_hits")
    op.drop_table("rate_limit_hits")
