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


def link_expired(atelier: AtelierRow, kind: LinkKind, *, now: float) -> bool:
    """Whether `kind`'s link no longer lets anyone new in. The animateur link never expires:
    it is the référent's own key, and without it nobody could manage the atelier."""
    expires_at = atelier.participant_link_expires_at
    return kind == LinkKind.PARTICIPANT and expires_at is not None and now >= expires_at


def regenerate_participant_link(engine: Engine, *, atelier_id: str) -> str:
    """A new participant token; the old link stops working at once (only the new hash is kept)."""
    token = new_token()
    with Session(engine) as session:
        row = session.get(AtelierRow, atelier_id)
        if row is None:
            raise LookupError(atelier_id)
        row.participant_token_hash = hash_token(token)
        session.add(row)
        session.commit()
    return token


def set_participant_link_expiry(engine: Engine, *, atelier_id: str, expires_at: float | None) -> None:
    with Session(engine) as session:
        row = session.get(AtelierRow, atelier_id)
        if row is None:
            raise LookupError(atelier_id)
        row.participant_link_expires_at = expires_at
        session.add(row)
        session.commit()


def create_member(engine: Engine, *, atelier_id: str) -> tuple[str, str]:
    """A new member id and its secret, stored hashed. Their profile is recorded in the log."""
    member_id, token = new_id(), new_token()
    with Session(engine) as session:
        session.add(
            MemberRow(id=member_id, atelier_id=atelier_id, token_hash=hash_token(token), created_at=time.time())
        )
        session.commit()
    return member_id, token


def find_member(engine: Engine, *, atelier_id: str, token: str, include_revoked: bool = False) -> str | None:
    """The member id whose secret is `token` in this atelier, or None (also once revoked, unless
    `include_revoked`: to tell a removed person why they are out rather than just "invalid")."""
    with Session(engine) as session:
        row = session.exec(select(MemberRow).where(MemberRow.token_hash == hash_token(token))).first()
    if row is None or row.atelier_id != atelier_id:
        return None
    if row.revoked_at is not None and not include_revoked:
        return None
    return row.id


def forget_member(engine: Engine, *, member_id: str) -> None:
    """Drop a member whose join was refused, so their secret opens nothing."""
    with Session(engine) as session:
        row = session.get(MemberRow, member_id)
        if row is not None:
            session.delete(row)
            session.commit()
