"""The rooms this process holds: got or loaded on demand, unloaded when idle."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from typing import Any

from .fragments import FragmentRenderer
from .ports import OpStore
from .room import Room

log = logging.getLogger(__name__)


class RoomRegistry:
    def __init__(self, store: OpStore, renderer: FragmentRenderer, *, idle_s: float = 300.0, **room_options: Any):
        self.store = store
        self.renderer = renderer
        self.idle_s = idle_s
        self.room_options = room_options
        self.rooms: dict[str, Room] = {}
        self._loading: dict[str, asyncio.Lock] = {}
        self._reaper: asyncio.Task[None] | None = None

    async def get(self, atelier_id: str) -> Room | None:
        room = self.rooms.get(atelier_id)
        if room is not None and not room.closed:
            return room
        lock = self._loading.setdefault(atelier_id, asyncio.Lock())
        async with lock:
            room = self.rooms.get(atelier_id)
            if room is None or room.closed:
                room = await Room.load(atelier_id, self.store, self.renderer, **self.room_options)
                if room is not None:
                    self.rooms[atelier_id] = room
        self._loading.pop(atelier_id, None)
        return room

    def start(self) -> None:
        self._reaper = asyncio.create_task(self._reap_forever(), name="room-reaper")

    async def _reap_forever(self) -> None:
        while True:
            await asyncio.sleep(max(1.0, self.idle_s / 5))
            await self.reap()

    async def reap(self) -> None:
        """Unload rooms nobody has used for `idle_s`: their state is all in storage."""
        now = time.monotonic()
        for atelier_id, room in list(self.rooms.items()):
            if not room.busy and now - room.idle_since > self.idle_s:
                del self.rooms[atelier_id]
                await room.stop()

    async def close(self) -> None:
        if self._reaper is not None:
            self._reaper.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._reaper
        for room in list(self.rooms.values()):
            await room.stop()
        self.rooms.clear()
