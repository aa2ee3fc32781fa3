"""How an operation ends for its sender: an ack, or an error frame naming it; and the errors a room adds."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from typing import Any

from ..domain.errors import DomainError
from ..domain.operations import Operation
from .peer import Peer
from .protocol import encode


class StorageUnavailable(DomainError):
    code = "unavailable"


class InternalError(DomainError):
    code = "internal"


class _Poison(Exception):
    """An operation whose rule code raised something other than a DomainError."""

    def __init__(self, pending: _Pending) -> None:
        super().__init__(pending.op_id)
        self.pending = pending


class RoomClosed(Exception):
    """The room was unloaded while a client was joining: it should reconnect."""


@dataclass
class _Pending:
    op_id: str
    op: Operation
    actor: str
    peer: Peer | None
    future: asyncio.Future[int] | None = None

    def succeed(self, seq: int) -> None:
        if self.peer is not None:
            self.peer.offer(encode({"type": "ack", "id": self.op_id, "seq": seq}))
        if self.future is not None and not self.future.done():
            self.future.set_result(seq)

    def fail(self, error: DomainError) -> None:
        if self.peer is not None:
            self.peer.offer(encode(error_frame(error.code, error.message, self.op_id)))
        if self.future is not None and not self.future.done():
            self.future.set_exception(error)


def error_frame(code: str, message: str, op_id: str | None = None) -> dict[str, Any]:
    frame: dict[str, Any] = {"type": "error", "code": code, "message": message}
    if op_id is not None:
        frame["id"] = op_id
    return frame
