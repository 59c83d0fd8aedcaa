"""reactions: consent flag, reaction summaries, the size on feedback events

Revision ID: 0003_reactions
Revises: 0002_measurements
Create Date: 2026-11-22 13:30:00

"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision: str = "0003_reactions"
down_revision: str | Sequence[str] | None = "0002_measurements"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    """Upgrade schema."""
    with op.batch_alter_table("users", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("reactions_consent", sa.Boolean(), nullable=False, server_default=sa.false())
        )
    with op.batch_alter_table("feedback_events", schema=None) as batch_op:
        batch_op.add_column(sa.Column("size", sa.String(length=8), nullable=True))
    op.create_table(
        "reaction_records",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("event_id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("garment_id", sa.Integer(), nullable=False),
        sa.Column("source", sa.String(length=8), nullable=False),
        sa.Column("frames", sa.Integer(), nullable=False),
        sa.Column("smile_share", sa.Float(), nullable=False),
        sa.Column("peak_surprise", sa.Float(), nullable=False),
        sa.Column("dominant", sa.String(length=16), nullable=False),
        sa.Column("mean", sa.JSON(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["event_id"], ["feedback_events.id"], ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["garment_id"], ["garments.id"], ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["user_id"], ["users.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("event_id"),
    )
    with op.batch_alter_table("reaction_records", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_reaction_records_garment_id"), ["garment_id"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_reaction_records_user_id"), ["user_id"], unique=False)


def downgrade() -> None:
    """Downgrade schema."""
    with op.batch_alter_table("reaction_records", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_reaction_records_user_id"))
        batch_op.drop_index(batch_op.f("ix_reaction_records_garment_id"))
    op.drop_table("reaction_records")
    with op.batch_alter_table("feedback_events", schema=None) as batch_op:
        batch_op.drop_column("size")
    with op.batch_alter_table("users", schema=None) as batch_op:
        batch_op.drop_column("reactions_consent")
