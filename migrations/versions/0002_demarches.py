"""Démarches: an administration's ateliers, in order.

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-23

Existing ateliers stay outside any démarche (both new columns NULL).

SQLite: the atelier table must not be copied (a batch "recreate"): dropping the old copy is an
implicit DELETE that the enforced foreign keys of member, operation and snapshot refuse as soon
as an atelier has any, and PRAGMA foreign_keys cannot be turned off inside the upgrade's
transaction. So every change here is one SQLite does in place: ADD COLUMN (the foreign key
written inline, which Alembic does not render for SQLite) and CREATE INDEX.
"""

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None

FOREIGN_KEY = "fk_atelier_demarche_id"
POSITION_INDEX = "ix_atelier_demarche_position"


def upgrade() -> None:
    op.create_table(
        "demarche",
        sa.Column("id", sa.String(32), primary_key=True),
        sa.Column("title", sa.String(200), nullable=False),
        sa.Column("administration", sa.String(200), nullable=False),
        sa.Column("created_at", sa.Float, nullable=False),
        sa.Column("animateur_token_hash", sa.String(64), nullable=False),
    )
    sqlite = op.get_bind().dialect.name == "sqlite"
    if sqlite:
        op.execute(
            f"ALTER TABLE atelier ADD COLUMN demarche_id VARCHAR(32) CONSTRAINT {FOREIGN_KEY} REFERENCES demarche (id)"
        )
    with op.batch_alter_table("atelier") as batch:  # in place on SQLite: columns and an index only
        if not sqlite:
            batch.add_column(sa.Column("demarche_id", sa.String(32), nullable=True))
            batch.create_foreign_key(FOREIGN_KEY, "demarche", ["demarche_id"], ["id"])
        batch.add_column(sa.Column("position", sa.Integer, nullable=True))
        # One atelier per place in a démarche (NULLs, the ateliers outside any, never clash).
        batch.create_index(POSITION_INDEX, ["demarche_id", "position"], unique=True)


def downgrade() -> None:
    if op.get_bind().dialect.name == "sqlite":
        # Dropping a column that holds a foreign key means copying the table, which the enforced
        # foreign keys forbid inside this transaction (see the module docstring).
        raise NotImplementedError("0002 cannot be undone on SQLite: restore the copy of the database made before.")
    with op.batch_alter_table("atelier") as batch:
        batch.drop_index(POSITION_INDEX)
        batch.drop_constraint(FOREIGN_KEY, type_="foreignkey")
        batch.drop_column("position")
        batch.drop_column("demarche_id")
    op.drop_table("demarche")
