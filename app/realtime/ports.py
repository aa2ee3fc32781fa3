"""What the room needs from storage, as a port the storage layer implements.

The methods are synchronous (SQL drivers are); the room calls them in a worker thread.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any, Protocol


@dataclass(frozen=True)
class LogEntry:
    """One durable operation in an atelier's log: the event it produced, at its sequence number."""

    seq: int
    op_id: str
    actor: str
    event: dict[str, Any]
    at: float


@dataclass
class StoredAtelier:
    """What storage holds for one atelier: its creation data, latest snapshot and the log after it."""

    seed: dict[str, Any]
    snapshot: dict[str, Any] | None
    snapshot_seq: int
    entries: list[LogEntry]
    op_ids: dict[tuple[str, str], int] = field(default_factory=dict)  # (actor, client op id) → seq


class DuplicateOperation(Exception):
    """Storage refused an operation id it already holds (a race the room's own dedup missed)."""


class OpStore(Protocol):
    def load(self, atelier_id: str) -> StoredAtelier | None: ...

    def append(self, atelier_id: str, entries: Sequence[LogEntry]) -> None:
        """Append entries in one transaction: all are durable on return, or none is."""

    def entries_since(self, atelier_id: str, seq: int, limit: int) -> list[LogEntry]: ...

    def save_snapshot(self, atelier_id: str, seq: int, state: dict[str, Any]) -> None: ...
