"""Retention of personal data: each atelier's retention date, and when it was anonymised.

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-22

Existing ateliers keep NULL as their retention date, which means the default (three months after
the atelier's date, or its creation): app.domain.retention. Both columns are added in place
(see 0002 for why the atelier table is never copied on SQLite).
"""

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column("atelier", sa.Column("retention_until", sa.String(10), nullable=True))
    op.add_column("atelier", sa.Column("anonymised_at", sa.Float, nullable=True))


def downgrade() -> None:
    # Plain DROP COLUMN (SQLite ≥ 3.35, PostgreSQL): a batch would copy the table (see 0002).
    op.execute("ALTER TABLE atelier DROP COLUMN anonymised_at")
    op.execute("ALTER TABLE atelier DROP COLUMN retention_until")
