"""Ateliers and members: creation and capability checks."""

from __future__ import annotations

import time
from dataclasses import dataclass
from enum import StrEnum

from sqlalchemy.engine import Engine
from sqlmodel import Session, select

from ..domain.retention import default_retention
from .models import AtelierRow, MemberRow
from .tokens import hash_token, new_id, new_token, token_matches


class LinkKind(StrEnum):
    ANIMATEUR = "animateur"
    PARTICIPANT = "participant"


@dataclass(frozen=True)
class NewAtelier:
    row: AtelierRow
    animateur_token: str
    participant_token: str


def create_atelier(engine: Engine, *, title: str, administration: str, format_key: str, date: str | None) -> NewAtelier:
    animateur_token, participant_token = new_token(), new_token()
    created_at = time.time()
    row = AtelierRow(
        id=new_id(),
        title=title,
        administration=administration,
        format_key=format_key,
        date=date,
        created_at=created_at,
        retention_until=default_retention(date, created_at).isoformat(),
        animateur_token_hash=hash_token(animateur_token),
        participant_token_hash=hash_token(participant_token),
    )
    with Session(engine) as session:
        session.add(row)
        session.commit()
        session.refresh(row)
    return NewAtelier(row=row, animateur_token=animateur_token, participant_token=participant_token)


def get_atelier(engine: Engine, *, atelier_id: str) -> AtelierRow | None:
    with Session(engine) as session:
        return session.get(AtelierRow, atelier_id)


def link_kind(atelier: AtelierRow, *, token: str) -> LinkKind | None:
    """Which capability link `token` is for this atelier, if any."""
    if token_matches(token, atelier.animateur_token_hash):
        return LinkKind.ANIMATEUR
    if token_matches(token, atelier.participant_token_hash):
        return LinkKind.PARTICIPANT
    return None


def create_member(engine: Engine, *, atelier_id: str) -> tuple[str, str]:
    """A new member id and its secret, stored hashed. Their profile is recorded in the log."""
    member_id, token = new_id(), new_token()
    with Session(engine) as session:
        session.add(
            MemberRow(id=member_id, atelier_id=atelier_id, token_hash=hash_token(token), created_at=time.time())
        )
        session.commit()
    return member_id, token


def find_member(engine: Engine, *, atelier_id: str, token: str) -> str | None:
    """The member id whose secret is `token` in this atelier, or None."""
    with Session(engine) as session:
        row = session.exec(select(MemberRow).where(MemberRow.token_hash == hash_token(token))).first()
    if row is None or row.atelier_id != atelier_id:
        return None
    return row.id


def forget_member(engine: Engine, *, member_id: str) -> None:
    """Drop a member whose join was refused, so their secret opens nothing."""
    with Session(engine) as session:
        row = session.get(MemberRow, member_id)
        if row is not None:
            session.delete(row)
            session.commit()
