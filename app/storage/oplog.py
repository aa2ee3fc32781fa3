"""The operation log and snapshots in SQL: the room's OpStore."""

from __future__ import annotations

import json
import time
from collections.abc import Sequence
from typing import Any

from sqlalchemy.engine import Engine
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, col, select

from ..realtime.ports import DuplicateOperation, LogEntry, StoredAtelier
from .models import AtelierRow, MemberRow, OperationRow, SnapshotRow


def _dumps(data: Any) -> str:
    return json.dumps(data, ensure_ascii=False, separators=(",", ":"))


def _entry(row: OperationRow) -> LogEntry:
    return LogEntry(seq=row.seq, op_id=row.op_id, actor=row.actor, event=json.loads(row.event), at=row.at)


class SqlOpStore:
    def __init__(self, engine: Engine) -> None:
        self.engine = engine

    def load(self, atelier_id: str) -> StoredAtelier | None:
        with Session(self.engine) as session:
            atelier = session.get(AtelierRow, atelier_id)
            if atelier is None:
                return None
            snapshot = session.exec(
                select(SnapshotRow).where(SnapshotRow.atelier_id == atelier_id).order_by(col(SnapshotRow.seq).desc())
            ).first()
            since = snapshot.seq if snapshot else 0
            rows = session.exec(
                select(OperationRow)
                .where(OperationRow.atelier_id == atelier_id, OperationRow.seq > since)
                .order_by(col(OperationRow.seq))
            ).all()
            op_ids = session.exec(
                select(OperationRow.actor, OperationRow.op_id, OperationRow.seq).where(
                    OperationRow.atelier_id == atelier_id
                )
            ).all()
        seed = {
            "atelier_id": atelier.id,
            "title": atelier.title,
            "administration": atelier.administration,
            "date": atelier.date,
            "format_key": atelier.format_key,
        }
        return StoredAtelier(
            seed=seed,
            snapshot=json.loads(snapshot.state) if snapshot else None,
            snapshot_seq=since,
            entries=[_entry(row) for row in rows],
            op_ids={(actor, op_id): seq for actor, op_id, seq in op_ids},
        )

    def append(self, atelier_id: str, entries: Sequence[LogEntry]) -> None:
        rows = [
            OperationRow(atelier_id=atelier_id, seq=e.seq, op_id=e.op_id, actor=e.actor, event=_dumps(e.event), at=e.at)
            for e in entries
        ]
        removed = [e.event["member_id"] for e in entries if e.event["type"] == "member.removed"]
        with Session(self.engine) as session:
            session.add_all(rows)
            # A removal revokes the secret in the same transaction as its log entry: the two never disagree.
            for member in session.exec(select(MemberRow).where(col(MemberRow.id).in_(removed))) if removed else ():
                member.revoked_at = time.time()
                session.add(member)
            try:
                session.commit()
            except IntegrityError as error:
                raise DuplicateOperation(str(error.orig)) from error

    def entries_since(self, atelier_id: str, seq: int, limit: int) -> list[LogEntry]:
        with Session(self.engine) as session:
            rows = session.exec(
                select(OperationRow)
                .where(OperationRow.atelier_id == atelier_id, OperationRow.seq > seq)
                .order_by(col(OperationRow.seq))
                .limit(limit)
            ).all()
        return [_entry(row) for row in rows]

    def save_snapshot(self, atelier_id: str, seq: int, state: dict[str, Any]) -> None:
        with Session(self.engine) as session:
            session.merge(SnapshotRow(atelier_id=atelier_id, seq=seq, state=_dumps(state), created_at=time.time()))
            # Keep the newest few: older snapshots are never read (the log is kept whole).
            old = session.exec(
                select(SnapshotRow)
                .where(SnapshotRow.atelier_id == atelier_id, SnapshotRow.seq < seq)
                .order_by(col(SnapshotRow.seq).desc())
                .offset(2)
            ).all()
            for row in old:
                session.delete(row)
            session.commit()
