"""Retention dates in SQL, and the rewrite of an atelier's history once its people are anonymised.

The anonymisation itself is an event in the log (`members.anonymised`, decided by the room); what
it cannot reach is what was stored before it: the `member.joined` payloads, the text updates (the
names people typed live in them) and the snapshots. `rewrite_history` purges those.
"""

from __future__ import annotations

import json
import time
from datetime import UTC, date, datetime

from sqlalchemy.engine import Engine
from sqlmodel import Session, col, select

from ..domain.anonymise import purged_event
from ..domain.retention import is_expired, retention_of
from .models import AtelierRow, OperationRow, SnapshotRow


def today() -> date:
    """Retention dates are days in UTC: the server, the purge command and the pages agree on them."""
    return datetime.now(UTC).date()


def retention_date(atelier: AtelierRow) -> date:
    return retention_of(atelier.retention_until, atelier.date, atelier.created_at)


def set_retention(engine: Engine, *, atelier_id: str, until: date) -> AtelierRow:
    with Session(engine) as session:
        row = session.get(AtelierRow, atelier_id)
        assert row is not None, atelier_id
        row.retention_until = until.isoformat()
        session.add(row)
        session.commit()
        session.refresh(row)
        return row


def expired_ateliers(engine: Engine, *, today: date) -> list[AtelierRow]:
    """Ateliers past their retention date whose people are not anonymised yet, oldest first."""
    with Session(engine) as session:
        rows = session.exec(
            select(AtelierRow).where(col(AtelierRow.anonymised_at).is_(None)).order_by(col(AtelierRow.created_at))
        ).all()
    return [row for row in rows if is_expired(retention_date(row), today)]


def rewrite_history(engine: Engine, *, atelier_id: str, anonymised_seq: int) -> int:
    """Purge names from everything stored before the `members.anonymised` event at `anonymised_seq`.

    One transaction: joins carry labels, text updates are emptied (the event holds the texts),
    older snapshots are dropped (the next load replays the rewritten log). Marks the atelier
    anonymised. Returns how many log entries changed. Running it again changes nothing more.
    """
    with Session(engine) as session:
        marker = session.get(OperationRow, (atelier_id, anonymised_seq))
        if marker is None or json.loads(marker.event)["type"] != "members.anonymised":
            raise ValueError(f"no members.anonymised event at seq {anonymised_seq} of atelier {atelier_id}")
        labels: dict[str, str] = json.loads(marker.event)["labels"]
        changed = 0
        rows = session.exec(
            select(OperationRow).where(OperationRow.atelier_id == atelier_id, OperationRow.seq < anonymised_seq)
        ).all()
        for row in rows:
            event = json.loads(row.event)
            purged = purged_event(event, labels)
            if purged != event:
                row.event = json.dumps(purged, ensure_ascii=False, separators=(",", ":"))
                session.add(row)
                changed += 1
        for snapshot in session.exec(
            select(SnapshotRow).where(SnapshotRow.atelier_id == atelier_id, SnapshotRow.seq < anonymised_seq)
        ).all():
            session.delete(snapshot)
        atelier = session.get(AtelierRow, atelier_id)
        assert atelier is not None, atelier_id
        if atelier.anonymised_at is None:
            atelier.anonymised_at = json.loads(marker.event)["at"] or time.time()
            session.add(atelier)
        session.commit()
    return changed
