"""A connected client: its transport, identity, and a bounded outbox drained by its own task.

The room never awaits a socket: it offers messages to the outbox. When the outbox is
full, ephemeral messages are dropped; a durable one closes the laggard with 1013 so it
reconnects and resyncs from its last sequence number.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from typing import Protocol

log = logging.getLogger(__name__)

CLOSE_TRY_AGAIN = 1013  # "try again later": the client reconnects and catches up
CLOSE_GOING_AWAY = 1001
CLOSE_POLICY = 1008
CLOSE_ERROR = 1011
CLOSE_REMOVED = 4410  # removed from the atelier by the référent: do not reconnect


class Transport(Protocol):
    """What a room needs of a connection: WebSocket, SSE+POST and in-memory test transports."""

    async def send_text(self, text: str) -> None: ...

    async def close(self, code: int, reason: str = "") -> None: ...


class Peer:
    def __init__(
        self, transport: Transport, *, member_id: str, html: bool, outbox_size: int, projection: bool = False
    ) -> None:
        self.transport = transport
        self.member_id = member_id
        self.html = html
        # A big-screen view opened with a team member's session: it sees what participants see, and sends nothing.
        self.projection = projection
        self._outbox: asyncio.Queue[str | None] = asyncio.Queue(maxsize=outbox_size)
        self._task: asyncio.Task[None] | None = None
        self.closed = asyncio.Event()
        self.close_code: int | None = None

    @property
    def room_left(self) -> int:
        """How many more messages the outbox takes before a durable one closes this peer as a laggard."""
        return self._outbox.maxsize - self._outbox.qsize()

    def start(self) -> None:
        self._task = asyncio.create_task(self._drain(), name=f"peer-{self.member_id}")

    def offer(self, text: str, *, durable: bool = True) -> None:
        """Queue a message without waiting. Never raises."""
        if self.closed.is_set():
            return
        try:
            self._outbox.put_nowait(text)
        except asyncio.QueueFull:
            if durable:
                log.info("closing laggard %s: outbox full", self.member_id)
                self.close_soon(CLOSE_TRY_AGAIN)

    def close_soon(self, code: int) -> None:
        if self.closed.is_set():
            return
        self.close_code = code
        self.closed.set()
        if self._task is not None:
            self._task.cancel()
        asyncio.get_running_loop().create_task(self._close(code))

    def close_after_outbox(self, code: int) -> None:
        """Send what is already queued (a last error frame saying why), then close with `code`.

        `closed` is set once the queue is through, so a transport that watches it (SSE) has delivered
        the last frames before it says goodbye."""
        if self.closed.is_set() or self.close_code is not None:
            return
        self.close_code = code
        try:
            self._outbox.put_nowait(None)  # anything offered after this is never sent
        except asyncio.QueueFull:
            self.close_code = None
            self.close_soon(code)

    async def _close(self, code: int) -> None:
        with contextlib.suppress(Exception):
            await self.transport.close(code)

    async def _drain(self) -> None:
        try:
            while True:
                text = await self._outbox.get()
                if text is None:
                    if self.close_code is not None:
                        self.closed.set()
                        await self._close(self.close_code)
                    return
                await self.transport.send_text(text)
        except asyncio.CancelledError:
            raise
        except Exception:  # the socket died under us: the receive loop will notice and leave
            self.closed.set()

    async def stop(self) -> None:
        self.closed.set()
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await self._task
