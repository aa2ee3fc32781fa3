"""Protocol clients over real sockets (the `websockets` library) that reconnect by themselves.

Each `SocketClient` drives a `Replica` (tests/protocol_model.py) against a live server: hello with
`last_seq`, apply what comes, re-send every unacknowledged operation after `synced`, keep at
most `window` operations in flight, and on any loss of the connection reconnect with a little
backoff and jitter (docs/protocol.md §3, shortened so a test does not wait for seconds).
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import random
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import httpx
from protocol_model import RETRYABLE, Frame, Replica, dumps
from websockets.asyncio.client import ClientConnection, connect
from websockets.exceptions import InvalidHandshake, WebSocketException

RECONNECT_BACKOFF_S = (0.02, 0.1)  # the protocol says 0.5–1 s first; a test keeps the same shape, faster
RETRY_AFTER_S = 1.0  # `rate_limited`: "yes, after ~1 s" (docs/protocol.md §4.6)
DEADLINE_S = 40.0  # a deadline, not a pause; under the tests' 120 s timeout so a stuck run says what it waited for

NextOperation = Callable[[Replica], Frame | None]  # the script: None when it has nothing more to send


@dataclass
class SocketClient:
    url: str
    replica: Replica
    next_operation: NextOperation
    changed: asyncio.Event  # set on every frame: the campaign re-checks its conditions
    window: int = 4
    connections: int = 0
    script_done: bool = False
    latencies: list[float] = field(default_factory=list)  # op sent → ack, seconds
    _sent_at: dict[str, float] = field(default_factory=dict)

    @property
    def settled(self) -> int:
        return len(self.replica.acked) + len(self.replica.refused)

    def describe(self) -> str:
        """Where this client stands, for a campaign that waited in vain."""
        return (
            f"{self.replica.name}: seq {self.replica.last_seq}, {self.connections} connections, "
            f"outbox {sorted(self.replica.outbox)}, script {'done' if self.script_done else 'running'}"
        )

    @property
    def idle(self) -> bool:
        return self.script_done and not self.replica.outbox

    async def run(self) -> None:
        """Connect, serve, and reconnect forever (the campaign cancels it when it is done)."""
        rng = random.Random(self.replica.name)
        while True:
            try:
                async with connect(self.url, open_timeout=5, close_timeout=0.2, max_size=None) as ws:
                    self.connections += 1
                    await self._serve(ws)
            except (OSError, TimeoutError, InvalidHandshake, WebSocketException):
                pass
            await asyncio.sleep(rng.uniform(*RECONNECT_BACKOFF_S))  # backoff with jitter, as the protocol asks

    async def _serve(self, ws: ClientConnection) -> None:
        await ws.send(dumps(self.replica.hello()))
        synced = False
        async for message in ws:
            frame: Frame = json.loads(message)
            for again in self.replica.receive(frame):
                await self._send(ws, again)
            if frame["type"] == "synced":
                synced = True
            elif frame["type"] == "ack":
                sent = self._sent_at.pop(frame["id"], None)
                if sent is not None:
                    self.latencies.append(time.monotonic() - sent)
            elif frame["type"] == "error" and frame.get("code") in RETRYABLE and frame.get("id"):
                asyncio.get_running_loop().call_later(RETRY_AFTER_S, self._retry, ws, frame["id"])
            if synced:
                await self._top_up(ws)
            self.changed.set()

    async def _send(self, ws: ClientConnection, frame: Frame) -> None:
        self._sent_at.setdefault(frame["id"], time.monotonic())
        await ws.send(dumps(frame))

    def _retry(self, ws: ClientConnection, op_id: str) -> None:
        frame = self.replica.outbox.get(op_id)
        if frame is not None:
            asyncio.get_running_loop().create_task(_quietly(ws.send(dumps(frame))))

    async def _top_up(self, ws: ClientConnection) -> None:
        while not self.script_done and len(self.replica.outbox) < self.window:
            frame = self.next_operation(self.replica)
            if frame is None:
                self.script_done = True
                return
            await self._send(ws, frame)


async def _quietly(send: Any) -> None:
    with contextlib.suppress(Exception):
        await send


async def until(
    changed: asyncio.Event,
    condition: Callable[[], bool],
    what: str,
    deadline_s: float = DEADLINE_S,
    detail: Callable[[], str] = lambda: "",
) -> None:
    """Wait until `condition()` holds, re-checking whenever a client received something."""
    deadline = time.monotonic() + deadline_s
    while not condition():
        remaining = deadline - time.monotonic()
        if remaining <= 0:
            raise AssertionError(f"not reached within {deadline_s} s: {what} {detail()}")
        changed.clear()
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(changed.wait(), timeout=min(remaining, 1.0))


# -- HTTP set-up of a live server --------------------------------------------------------------


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


def create_atelier(base_url: str, format: str = "1", title: str = "Atelier sous tempête") -> dict[str, Any]:
    body = {"title": title, "administration": "DITP", "format": format, "date": "2026-12-03"}
    response = httpx.post(f"{base_url}/api/ateliers", json=body, timeout=10)
    assert response.status_code == 201, response.text
    return response.json()  # type: ignore[no-any-return]


def join(base_url: str, atelier: dict[str, Any], kind: str, first_name: str) -> dict[str, Any]:
    response = httpx.post(
        f"{base_url}/api/ateliers/{atelier['id']}/members",
        json={"first_name": first_name, "last_name": "Martin", "structure": "DITP"},
        headers=bearer(atelier[f"{kind}_token"]),
        timeout=10,
    )
    assert response.status_code == 201, response.text
    return response.json()  # type: ignore[no-any-return]


def server_state(base_url: str, atelier: dict[str, Any]) -> dict[str, Any]:
    response = httpx.get(
        f"{base_url}/api/ateliers/{atelier['id']}/state", headers=bearer(atelier["animateur_token"]), timeout=10
    )
    assert response.status_code == 200, response.text
    return response.json()  # type: ignore[no-any-return]
