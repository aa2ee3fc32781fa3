"""Access control: revoked member secrets and an optional expiry of the participant link.

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-22

Both are nullable columns added in place (SQLite's ADD COLUMN, see 0002 for why nothing is
recreated): existing members keep working, existing links never expire.
"""

import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column("member", sa.Column("revoked_at", sa.Float(), nullable=True))
    op.add_column("atelier", sa.Column("participant_link_expires_at", sa.Float(), nullable=True))


def downgrade() -> None:
    # A plain DROP COLUMN (SQLite ≥ 3.35 does it in place): no table copy for the foreign keys to refuse.
    op.drop_column("atelier", "participant_link_expires_at")
    op.drop_column("member", "revoked_at")
