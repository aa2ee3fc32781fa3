"""Ateliers, members, the operation log and snapshots.

Revision ID: 0001
Revises:
Create Date: 2026-11-22
"""

import sqlalchemy as sa
from alembic import op

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "atelier",
        sa.Column("id", sa.String(32), primary_key=True),
        sa.Column("title", sa.String(200), nullable=False),
        sa.Column("administration", sa.String(200), nullable=False),
        sa.Column("format_key", sa.String(8), nullable=False),
        sa.Column("date", sa.String(10), nullable=True),
        sa.Column("created_at", sa.Float, nullable=False),
        sa.Column("animateur_token_hash", sa.String(64), nullable=False),
        sa.Column("participant_token_hash", sa.String(64), nullable=False),
    )
    op.create_table(
        "member",
        sa.Column("id", sa.String(32), primary_key=True),
        sa.Column("atelier_id", sa.String(32), sa.ForeignKey("atelier.id"), nullable=False, index=True),
        sa.Column("token_hash", sa.String(64), nullable=False, unique=True, index=True),
        sa.Column("created_at", sa.Float, nullable=False),
    )
    op.create_table(
        "operation",
        sa.Column("atelier_id", sa.String(32), sa.ForeignKey("atelier.id"), primary_key=True),
        sa.Column("seq", sa.Integer, primary_key=True, autoincrement=False),
        sa.Column("op_id", sa.String(64), nullable=False),
        sa.Column("actor", sa.String(32), nullable=False),
        sa.Column("event", sa.Text, nullable=False),
        sa.Column("at", sa.Float, nullable=False),
        sa.UniqueConstraint("atelier_id", "actor", "op_id", name="uq_operation_op_id"),
    )
    op.create_table(
        "snapshot",
        sa.Column("atelier_id", sa.String(32), sa.ForeignKey("atelier.id"), primary_key=True),
        sa.Column("seq", sa.Integer, primary_key=True, autoincrement=False),
        sa.Column("state", sa.Text, nullable=False),
        sa.Column("created_at", sa.Float, nullable=False),
    )


def downgrade() -> None:
    op.drop_table("snapshot")
    op.drop_table("operation")
    op.drop_table("member")
    op.drop_table("atelier")
