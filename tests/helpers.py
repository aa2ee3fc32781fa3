"""Helpers for the HTTP and WebSocket tests: create ateliers, join them, speak the wire protocol.

Every wait here blocks on a message (with a generous deadline so a bug fails fast instead of
hanging the run); nothing sleeps.
"""

from __future__ import annotations

import asyncio
import base64
import contextlib
import json
import sqlite3
import uuid
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path
from typing import Any

import anyio
from pycrdt import Doc, Text
from starlette.testclient import TestClient, WebSocketTestSession
from starlette.websockets import WebSocketDisconnect

from app.domain.state import AtelierState
from app.realtime.ports import LogEntry, StoredAtelier
from app.settings import Settings

RECEIVE_TIMEOUT_S = 5.0  # a deadline, not a pause: a healthy server answers in milliseconds

Frame = dict[str, Any]


# -- HTTP ------------------------------------------------------------------------------------


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


def create_atelier(
    client: TestClient, format: str = "1", title: str = "Simplifier la demande d'aide", administration: str = "DITP"
) -> dict[str, Any]:
    """POST /api/ateliers; the created atelier with its two tokens."""
    response = client.post(
        "/api/ateliers", json={"title": title, "administration": administration, "format": format, "date": "2026-11-20"}
    )
    assert response.status_code == 201, response.text
    return response.json()  # type: ignore[no-any-return]


def join(
    client: TestClient,
    atelier: dict[str, Any],
    token_kind: str = "participant",
    first_name: str = "Camille",
    last_name: str = "Martin",
    structure: str = "",
    email: str = "",
) -> dict[str, Any]:
    """POST /api/ateliers/{id}/members with the animateur or participant link; the new member."""
    response = client.post(
        f"/api/ateliers/{atelier['id']}/members",
        json={"first_name": first_name, "last_name": last_name, "structure": structure, "email": email},
        headers=bearer(atelier[f"{token_kind}_token"]),
    )
    assert response.status_code == 201, response.text
    return response.json()  # type: ignore[no-any-return]


def as_member(atelier: dict[str, Any], member: dict[str, Any]) -> dict[str, str]:
    """Headers carrying a member's secret in the cookie a browser that joined would send."""
    return {"Cookie": f"atelier_{atelier['id']}={member['member_token']}"}


def get_state(client: TestClient, atelier: dict[str, Any]) -> dict[str, Any]:
    """GET /state as the animateur, without the server clock (so two reads compare equal)."""
    response = client.get(f"/api/ateliers/{atelier['id']}/state", headers=bearer(atelier["animateur_token"]))
    assert response.status_code == 200, response.text
    body = response.json()
    return {"seq": body["seq"], "state": body["state"]}


def text_update(text: str) -> str:
    """A Yjs update (made with pycrdt, as a browser's Yjs would) inserting `text`, base64-encoded."""
    doc = Doc()
    doc["text"] = shared = Text()
    shared += text
    return base64.b64encode(doc.get_update()).decode("ascii")


def db_rows(database: Path, table: str) -> list[tuple[Any, ...]]:
    with contextlib.closing(sqlite3.connect(database)) as connection:
        return connection.execute(f"SELECT * FROM {table}").fetchall()


def db_tables(database: Path) -> list[str]:
    with contextlib.closing(sqlite3.connect(database)) as connection:
        rows = connection.execute("SELECT name FROM sqlite_master WHERE type = 'table'").fetchall()
    return [name for (name,) in rows]


def sqlite_path(settings: Settings) -> Path:
    return Path(settings.database_url.split("///", 1)[1])


def app_routes(app: Any) -> list[tuple[str, str]]:
    """Every (method, path) the app serves, WebSockets as ("WS", path), mounts as ("MOUNT", path).

    Walks included routers too (FastAPI keeps them wrapped until the first request), so a route
    added anywhere shows up here.
    """
    found: list[tuple[str, str]] = []

    def walk(routes: Sequence[Any], prefix: str) -> None:
        for route in routes:
            if hasattr(route, "original_router"):  # an included router, not flattened yet
                walk(route.original_router.routes, prefix + route.include_context.prefix)
            elif type(route).__name__ == "Mount":
                found.append(("MOUNT", prefix + route.path))
            elif getattr(route, "methods", None):
                found.extend((method, prefix + route.path) for method in sorted(route.methods) if method != "HEAD")
            else:
                found.append(("WS", prefix + route.path))

    walk(app.routes, "")
    return sorted(set(found))


# -- WebSocket -------------------------------------------------------------------------------


def summary(frames: Sequence[Frame], count: int = 5) -> list[str]:
    """The last frames, shortened, for failure messages."""
    return [json.dumps(frame, ensure_ascii=False)[:160] for frame in frames[-count:]]


async def _receive_within(session: WebSocketTestSession, timeout: float) -> Frame:
    with anyio.fail_after(timeout):
        return await session._send_rx.receive()  # type: ignore[no-any-return]


class NoFrame(AssertionError):
    """The server sent nothing before the deadline."""


class FrameClient:
    """What every protocol client offers, whatever carries its frames: sending ops, waiting for answers.

    A transport supplies `send_raw` and `recv` (bounded: NoFrame after its timeout).
    """

    def __init__(self, token: str | None = None) -> None:
        self.token = token
        self.last_seq = 0
        self.seen: list[Frame] = []

    # sending

    def send_raw(self, text: str) -> None:
        raise NotImplementedError

    def send(self, frame: Frame) -> None:
        self.send_raw(json.dumps(frame))

    def hello(self, last_seq: int = 0, token: str | None = None, html: bool = False) -> None:
        self.send({"type": "hello", "token": token or self.token, "last_seq": last_seq, "html": html})

    def send_op(self, type: str, op_id: str | None = None, **fields: Any) -> str:
        op_id = op_id or str(uuid.uuid4())
        self.send({"type": type, "id": op_id, **fields})
        return op_id

    # receiving

    def recv(self, timeout: float = RECEIVE_TIMEOUT_S) -> Frame:
        raise NotImplementedError

    def _seen(self, frame: Frame) -> Frame:
        self.seen.append(frame)
        if frame.get("type") in ("event", "snapshot", "synced"):
            self.last_seq = max(self.last_seq, frame["seq"])
        return frame

    def recv_until(
        self,
        predicate: Callable[[Frame], bool],
        limit: int = 200,
        skipped: list[Frame] | None = None,
        timeout: float = RECEIVE_TIMEOUT_S,
    ) -> Frame:
        """The first frame matching `predicate`; frames before it are appended to `skipped`."""
        for _ in range(limit):
            frame = self.recv(timeout)
            if predicate(frame):
                return frame
            if skipped is not None:
                skipped.append(frame)
        raise AssertionError(f"no matching frame among {limit}; last frames: {summary(self.seen)}")

    def drain_to_synced(self) -> list[Frame]:
        """Every frame up to and including `synced` (welcome, snapshot or replayed events)."""
        frames: list[Frame] = []
        synced = self.recv_until(lambda frame: frame["type"] == "synced", skipped=frames)
        return [*frames, synced]

    def answer(self, op_id: str) -> Frame:
        """The ack or error frame for the operation `op_id`."""
        return self.recv_until(lambda frame: frame["type"] in ("ack", "error") and frame.get("id") == op_id)

    def answers(self, op_ids: Sequence[str]) -> list[Frame]:
        """The ack or error frame of each operation, in the order of `op_ids` (they may arrive in another:
        a frame refused on reading is answered before the room has handled the ones sent before it).
        """
        wanted, found = set(op_ids), {}
        while len(found) < len(wanted):
            frame = self.recv_until(lambda frame: frame["type"] in ("ack", "error") and frame.get("id") in wanted)
            found[frame["id"]] = frame
        return [found[op_id] for op_id in op_ids]

    def ack(self, op_id: str) -> Frame:
        frame = self.answer(op_id)
        assert frame["type"] == "ack", frame
        return frame

    def event(self, op_id: str) -> Frame:
        """The broadcast event produced by the operation `op_id`."""
        return self.recv_until(lambda frame: frame["type"] == "event" and frame["id"] == op_id)

    def error(self, predicate: Callable[[Frame], bool] = lambda _frame: True) -> Frame:
        return self.recv_until(lambda frame: frame["type"] == "error" and predicate(frame))


class WsClient(FrameClient):
    """A protocol client over a TestClient WebSocket session (every receive is bounded)."""

    def __init__(self, session: WebSocketTestSession, token: str | None = None) -> None:
        super().__init__(token)
        self.session = session
        self.close_code: int | None = None

    def send_raw(self, text: str) -> None:
        self.session.send_text(text)

    def close(self, code: int = 1000) -> None:
        self.session.close(code)

    def recv(self, timeout: float = RECEIVE_TIMEOUT_S) -> Frame:
        """The next frame; WebSocketDisconnect when the server closed, NoFrame after `timeout`."""
        try:
            message = self.session.portal.call(_receive_within, self.session, timeout)
        except TimeoutError:
            raise NoFrame(f"nothing from the server within {timeout} s; last frames: {summary(self.seen)}") from None
        if message["type"] == "websocket.close":
            self.close_code = message.get("code", 1000)
            raise WebSocketDisconnect(self.close_code, message.get("reason") or "")
        return self._seen(json.loads(message["text"]))

    def expect_close(self, limit: int = 200, timeout: float = RECEIVE_TIMEOUT_S) -> int:
        """Read until the server closes the socket; its close code."""
        try:
            self.recv_until(lambda _frame: False, limit=limit, timeout=timeout)
        except WebSocketDisconnect as closed:
            return closed.code
        raise AssertionError("the server did not close the connection")


@contextlib.contextmanager
def ws_connect(
    client: TestClient, atelier_id: str, token: str | None = None, headers: dict[str, str] | None = None
) -> Iterator[WsClient]:
    """An open socket on /ws/ateliers/{id}, no hello sent yet."""
    with client.websocket_connect(f"/ws/ateliers/{atelier_id}", headers=dict(headers or {})) as session:
        yield WsClient(session, token)


@contextlib.contextmanager
def connected(
    client: TestClient, atelier: dict[str, Any], member: dict[str, Any], last_seq: int = 0, html: bool = False
) -> Iterator[WsClient]:
    """A member's socket, past hello and up to `synced`."""
    with ws_connect(client, atelier["id"], member["member_token"]) as ws:
        ws.hello(last_seq, html=html)
        ws.drain_to_synced()
        yield ws


def events_between(frames: Sequence[Frame]) -> list[Frame]:
    return [frame for frame in frames if frame["type"] == "event"]


# -- room-level doubles ----------------------------------------------------------------------


class MemoryOpStore:
    """The room's storage port, in memory: the log and snapshots of one process."""

    def __init__(self) -> None:
        self.seeds: dict[str, dict[str, Any]] = {}
        self.entries: dict[str, list[LogEntry]] = {}
        self.snapshots: dict[str, tuple[int, dict[str, Any]]] = {}

    def add_atelier(self, atelier_id: str, format_key: str = "1") -> None:
        seed = {"atelier_id": atelier_id, "title": "Atelier", "administration": "DITP", "date": None}
        self.seeds[atelier_id] = seed | {"format_key": format_key}
        AtelierState.new(**self.seeds[atelier_id])  # fails early on a bad seed
        self.entries[atelier_id] = []

    def load(self, atelier_id: str) -> StoredAtelier | None:
        if atelier_id not in self.seeds:
            return None
        snapshot_seq, snapshot = self.snapshots.get(atelier_id, (0, None))
        entries = self.entries[atelier_id]
        return StoredAtelier(
            seed=self.seeds[atelier_id],
            snapshot=snapshot,
            snapshot_seq=snapshot_seq,
            entries=[entry for entry in entries if entry.seq > snapshot_seq],
            op_ids={(entry.actor, entry.op_id): entry.seq for entry in entries},
        )

    def append(self, atelier_id: str, entries: Sequence[LogEntry]) -> None:
        self.entries[atelier_id].extend(entries)

    def entries_since(self, atelier_id: str, seq: int, limit: int) -> list[LogEntry]:
        return [entry for entry in self.entries[atelier_id] if entry.seq > seq][:limit]

    def save_snapshot(self, atelier_id: str, seq: int, state: dict[str, Any]) -> None:
        self.snapshots[atelier_id] = (seq, state)


class MemoryTransport:
    """A connection in memory: records what it is sent; `stalled` ones never finish a send."""

    def __init__(self, *, stalled: bool = False) -> None:
        self.stalled = stalled
        self.inbox: asyncio.Queue[Frame] = asyncio.Queue()
        self.sent: list[Frame] = []
        self.close_code: int | None = None
        self.closed = asyncio.Event()
        self._never = asyncio.Event()

    async def send_text(self, text: str) -> None:
        if self.stalled:
            await self._never.wait()  # a browser on a dead network: the send never completes
        frame = json.loads(text)
        self.sent.append(frame)
        self.inbox.put_nowait(frame)

    async def close(self, code: int, reason: str = "") -> None:
        self.close_code = code
        self.closed.set()

    async def recv(self, timeout: float = RECEIVE_TIMEOUT_S) -> Frame:
        try:
            return await asyncio.wait_for(self.inbox.get(), timeout)
        except TimeoutError:
            raise NoFrame(f"nothing sent within {timeout} s; last frames: {summary(self.sent)}") from None

    async def recv_until(self, predicate: Callable[[Frame], bool], limit: int = 500) -> Frame:
        for _ in range(limit):
            frame = await self.recv()
            if predicate(frame):
                return frame
        raise AssertionError(f"no matching frame among {limit}")
