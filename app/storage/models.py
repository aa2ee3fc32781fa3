"""Tables. JSON payloads are stored as text so SQLite and PostgreSQL behave alike."""

from __future__ import annotations

from sqlalchemy import Index
from sqlmodel import Field, SQLModel, UniqueConstraint


class DemarcheRow(SQLModel, table=True):
    """An administration's path through the formats: it holds ateliers, in order."""

    __tablename__ = "demarche"

    id: str = Field(primary_key=True, max_length=32)
    title: str = Field(max_length=200)
    administration: str = Field(max_length=200)
    created_at: float
    animateur_token_hash: str = Field(max_length=64)


class AtelierRow(SQLModel, table=True):
    __tablename__ = "atelier"
    # One atelier per place in a démarche; ateliers outside any démarche have neither (NULLs never clash).
    __table_args__ = (Index("ix_atelier_demarche_position", "demarche_id", "position", unique=True),)

    id: str = Field(primary_key=True, max_length=32)
    title: str = Field(max_length=200)
    administration: str = Field(max_length=200)
    format_key: str = Field(max_length=8)
    date: str | None = Field(default=None, max_length=10)
    created_at: float
    animateur_token_hash: str = Field(max_length=64)
    participant_token_hash: str = Field(max_length=64)
    demarche_id: str | None = Field(default=None, foreign_key="demarche.id", max_length=32)
    position: int | None = None  # 1, 2, 3… within its démarche
    # Personal data is kept through this day (ISO date), then anonymised; NULL means the default,
    # three months after the atelier (app.domain.retention).
    retention_until: str | None = Field(default=None, max_length=10)
    anonymised_at: float | None = None  # when its people were anonymised, once done
    # After this moment (epoch seconds) the participant link lets nobody new in; None: no expiry.
    participant_link_expires_at: float | None = None


class MemberRow(SQLModel, table=True):
    """A joined person's capability: their secret's hash. Their profile lives in the atelier's log."""

    __tablename__ = "member"

    id: str = Field(primary_key=True, max_length=32)
    atelier_id: str = Field(foreign_key="atelier.id", index=True, max_length=32)
    token_hash: str = Field(index=True, unique=True, max_length=64)
    created_at: float
    # Set when the référent removes the person: the secret then opens nothing.
    revoked_at: float | None = None


class OperationRow(SQLModel, table=True):
    """The append-only log: one row per acknowledged operation."""

    __tablename__ = "operation"
    # A client's operation ids are unique to that client: two people can never collide.
    __table_args__ = (UniqueConstraint("atelier_id", "actor", "op_id", name="uq_operation_op_id"),)

    atelier_id: str = Field(primary_key=True, foreign_key="atelier.id", max_length=32)
    seq: int = Field(primary_key=True)
    op_id: str = Field(max_length=64)
    actor: str = Field(max_length=32)
    event: str  # JSON
    at: float


class SnapshotRow(SQLModel, table=True):
    __tablename__ = "snapshot"

    atelier_id: str = Field(primary_key=True, foreign_key="atelier.id", max_length=32)
    seq: int = Field(primary_key=True)
    state: str  # JSON
    created_at: float
