"""Démarches: an administration's ateliers in order, and the secret that manages them."""

from __future__ import annotations

import time
from dataclasses import dataclass

from sqlalchemy.engine import Engine
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, col, func, select

from .ateliers import NewAtelier
from .models import AtelierRow, DemarcheRow
from .tokens import hash_token, new_id, new_token, token_matches

POSITION_ATTEMPTS = 5  # two ateliers added at the same instant: the loser takes the next place


@dataclass(frozen=True)
class NewDemarche:
    row: DemarcheRow
    animateur_token: str


def create_demarche(engine: Engine, *, title: str, administration: str) -> NewDemarche:
    """A new, empty démarche and its animateur secret (only its hash is stored)."""
    token = new_token()
    row = DemarcheRow(
        id=new_id(), title=title, administration=administration, created_at=time.time(),
        animateur_token_hash=hash_token(token),
    )  # fmt: skip
    with Session(engine) as session:
        session.add(row)
        session.commit()
        session.refresh(row)
    return NewDemarche(row=row, animateur_token=token)


def get_demarche(engine: Engine, *, demarche_id: str) -> DemarcheRow | None:
    with Session(engine) as session:
        return session.get(DemarcheRow, demarche_id)


def demarche_token_matches(demarche: DemarcheRow, *, token: str) -> bool:
    return token_matches(token, demarche.animateur_token_hash)


def demarche_ateliers(engine: Engine, *, demarche_id: str) -> list[AtelierRow]:
    """The démarche's ateliers, first to last."""
    with Session(engine) as session:
        rows = session.exec(
            select(AtelierRow).where(AtelierRow.demarche_id == demarche_id).order_by(col(AtelierRow.position))
        ).all()
    return list(rows)


def add_atelier(engine: Engine, *, demarche: DemarcheRow, title: str, format_key: str, date: str | None) -> NewAtelier:
    """A new atelier at the end of the démarche, organised by the démarche's administration."""
    animateur_token, participant_token = new_token(), new_token()
    for attempt in range(POSITION_ATTEMPTS):
        with Session(engine) as session:
            last = session.exec(
                select(func.max(AtelierRow.position)).where(AtelierRow.demarche_id == demarche.id)
            ).one()
            row = AtelierRow(
                id=new_id(),
                title=title,
                administration=demarche.administration,
                format_key=format_key,
                date=date,
                created_at=time.time(),
                animateur_token_hash=hash_token(animateur_token),
                participant_token_hash=hash_token(participant_token),
                demarche_id=demarche.id,
                position=(last or 0) + 1,
            )
            session.add(row)
            try:
                session.commit()
            except IntegrityError:  # the unique (demarche_id, position) index: someone took this place
                if attempt + 1 == POSITION_ATTEMPTS:
                    raise
                continue
            session.refresh(row)
        return NewAtelier(row=row, animateur_token=animateur_token, participant_token=participant_token)
    raise AssertionError("unreachable")  # pragma: no cover
