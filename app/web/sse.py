"""The realtime protocol over Server-Sent Events + HTTP POST, for networks that block WebSockets.

Same frames, same rules as `/ws/ateliers/{id}` (realtime_session.py does the work for both):

- `POST /rt/ateliers/{id}/sessions` with the `hello` frame as body → 201 `{"session", "events", "messages"}`;
- `GET /rt/sessions/{sid}/events`: `text/event-stream`, one server frame per SSE `data:` event, comments as
  heartbeats, a final `close` event carrying the WebSocket close code the socket would have used;
- `POST /rt/sessions/{sid}/messages` with one frame or a JSON array of frames → 202; refusals of single
  frames come down the event stream as `error` frames, exactly as on the socket.

A session carries one event stream. When the stream ends the session ends with it; a client resumes
by opening a new session with its `last_seq` (the op-id dedup makes re-sending safe). Contract:
docs/protocol.md, "Transport de secours : SSE + POST".
"""

from __future__ import annotations

import asyncio
import contextlib
import functools
import json
import logging
import secrets
import signal
import threading
import time
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass, field
from types import FrameType
from typing import Any

import anyio
from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse, Response, StreamingResponse
from starlette.types import Receive, Scope, Send

from ..realtime.outcomes import RoomClosed
from ..realtime.peer import CLOSE_GOING_AWAY
from ..realtime.protocol import MAX_FRAME_BYTES, ProtocolError, encode
from .errors import error_responses
from .realtime_session import RealtimeSession, Refusal, check_origin, open_session, read_hello

router = APIRouter(tags=["realtime (SSE + POST)"])
log = logging.getLogger(__name__)

HEARTBEAT_S = 15.0  # a comment this often keeps proxies from closing a quiet stream
MAX_POST_BYTES = 1024 * 1024  # a batch of frames in one POST
MAX_POST_FRAMES = 200  # as many as the durable rate limit's burst
CLOSE_NORMAL = 1000
CLOSE_SERVER_RESTART = 1012  # what uvicorn tells WebSockets when it stops
EXIT_SIGNALS = (signal.SIGINT, signal.SIGTERM)
SESSION_GONE = "Session inconnue ou terminée : ouvrez-en une nouvelle."


class EventStreamTransport:
    """A peer's transport whose reader is an HTTP response: one frame handed over at a time.

    The single slot gives the peer's bounded outbox the same back-pressure a socket gives it, so the
    slow-consumer rules of peer.py apply unchanged.
    """

    def __init__(self) -> None:
        self.frames: asyncio.Queue[str] = asyncio.Queue(maxsize=1)

    async def send_text(self, text: str) -> None:
        await self.frames.put(text)

    async def close(self, code: int, reason: str = "") -> None:
        """Nothing to do here: the stream sees the peer closed and sends the `close` event itself."""


@dataclass
class SseSession:
    sid: str
    session: RealtimeSession
    transport: EventStreamTransport
    created: float = field(default_factory=time.monotonic)
    streaming: bool = False
    lock: asyncio.Lock = field(default_factory=asyncio.Lock)  # one POST at a time: frames stay in order


class SseSessions:
    """This process's SSE sessions by unguessable id; those silent or stream-less too long expire."""

    def __init__(self, idle_timeout_s: float) -> None:
        self.idle_timeout_s = idle_timeout_s
        self.sessions: dict[str, SseSession] = {}
        self._watchdog: asyncio.Task[None] | None = None
        self._ending: set[asyncio.Task[None]] = set()

    @property
    def heartbeat_s(self) -> float:
        return min(HEARTBEAT_S, self.idle_timeout_s / 4)

    def add(self, session: RealtimeSession, transport: EventStreamTransport) -> SseSession:
        entry = SseSession(secrets.token_urlsafe(32), session, transport)
        self.sessions[entry.sid] = entry
        if self._watchdog is None or self._watchdog.done():
            self._watchdog = asyncio.create_task(self._watch(), name="sse-sessions")
        return entry

    def get(self, sid: str) -> SseSession | None:
        entry = self.sessions.get(sid)
        return None if entry is None or entry.session.closed else entry

    async def end(self, entry: SseSession) -> None:
        self.sessions.pop(entry.sid, None)
        await entry.session.end()

    async def _watch(self) -> None:
        while self.sessions:
            await asyncio.sleep(self.heartbeat_s)
            self.expire(time.monotonic())

    def expire(self, now: float) -> None:
        """Close sessions idle as long as a socket may be; end those no stream will see off."""
        for entry in list(self.sessions.values()):
            if now - entry.session.last_heard > self.idle_timeout_s:
                entry.session.peer.close_soon(CLOSE_GOING_AWAY)  # a stream says 1001, then ends the session
            if entry.session.closed and not entry.streaming:  # never streamed, or its outbox overflowed first
                self.sessions.pop(entry.sid, None)
                task = asyncio.get_running_loop().create_task(entry.session.end())
                self._ending.add(task)
                task.add_done_callback(self._ending.discard)

    def end_streams_on_exit(self) -> None:
        """Make the server's exit signals end every stream first.

        uvicorn lets open responses finish before it shuts down, and an event stream never finishes by
        itself: without this, stopping the server would wait for the browsers to leave.
        """
        if threading.current_thread() is not threading.main_thread():
            return  # signals are handled in the main thread only (tests serve the app from another one)
        loop = asyncio.get_running_loop()
        for number in EXIT_SIGNALS:
            previous = signal.getsignal(number)
            if callable(previous):  # the server's own handler: ours runs, then it
                signal.signal(number, functools.partial(_ending_streams, loop, self.end_streams, previous))

    def end_streams(self) -> None:
        """Each stream says 1012 (restarting, reconnect later) and ends, as a socket would be closed."""
        for entry in list(self.sessions.values()):
            entry.session.peer.close_soon(CLOSE_SERVER_RESTART)

    async def close(self) -> None:
        if self._watchdog is not None:
            self._watchdog.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._watchdog
        for entry in list(self.sessions.values()):
            await self.end(entry)


def _ending_streams(
    loop: asyncio.AbstractEventLoop,
    end_streams: Callable[[], None],
    previous: Callable[[int, FrameType | None], Any],
    number: int,
    frame: FrameType | None,
) -> None:
    loop.call_soon_threadsafe(end_streams)
    previous(number, frame)


def _refused(status: int, code: str, message: str) -> JSONResponse:
    return JSONResponse({"detail": message, "code": code}, status_code=status)


def _sessions(request: Request) -> SseSessions:
    sessions: SseSessions = request.state.sse_sessions
    return sessions


_OPENED: dict[int | str, dict[str, Any]] = {
    201: {
        "description": "The session: where to read its event stream and where to post frames.",
        "content": {"application/json": {"schema": {
            "type": "object", "required": ["session", "events", "messages"],
            "properties": {"session": {"type": "string"}, "events": {"type": "string"}, "messages": {"type": "string"}},
        }}},
    },
}  # fmt: skip
_STREAM: dict[int | str, dict[str, Any]] = {
    200: {"description": "Server frames, one per `data:` event.", "content": {"text/event-stream": {}}},
}
_RECEIVED: dict[int | str, dict[str, Any]] = {
    202: {
        "description": "Frames taken in order; refusals come down the event stream as `error` frames.",
        "content": {"application/json": {"schema": {
            "type": "object", "required": ["received"], "properties": {"received": {"type": "integer"}},
        }}},
    },
}  # fmt: skip


@router.post(
    "/rt/ateliers/{atelier_id}/sessions", status_code=201,
    responses=_OPENED | error_responses(400, 401, 403, 404, 503),
)  # fmt: skip
async def open_stream_session(request: Request, atelier_id: str) -> Response:
    """Open a session: the body is the `hello` frame, authenticated like the socket's."""
    body = await request.body()
    try:
        check_origin(request)
        if len(body) > MAX_FRAME_BYTES:
            raise ProtocolError("too_large", f"Message de plus de {MAX_FRAME_BYTES // 1024} Kio refusé.")
        hello = read_hello(body.decode("utf-8", errors="replace"))
        transport = EventStreamTransport()
        session = await open_session(request, atelier_id, hello, transport)
    except Refusal as refusal:
        return _refused(refusal.status, refusal.code, refusal.message)
    except ProtocolError as error:
        return _refused(400, "bad_hello", error.message)
    except RoomClosed:
        return _refused(503, "unavailable", "Salle en cours de rechargement : réessayez.")
    entry = _sessions(request).add(session, transport)
    paths = {"events": f"/rt/sessions/{entry.sid}/events", "messages": f"/rt/sessions/{entry.sid}/messages"}
    return JSONResponse({"session": entry.sid, **paths}, status_code=201)


@router.get("/rt/sessions/{sid}/events", response_model=None, responses=_STREAM | error_responses(403, 404, 409))
async def session_events(request: Request, sid: str) -> Response:
    """The session's server frames as an event stream, from `welcome` on."""
    try:
        check_origin(request)
    except Refusal as refusal:
        return _refused(refusal.status, refusal.code, refusal.message)
    sessions = _sessions(request)
    entry = sessions.get(sid)
    if entry is None:
        return _refused(404, "not_found", SESSION_GONE)
    if entry.streaming:
        return _refused(409, "conflict", "Cette session a déjà son flux d'événements.")
    entry.streaming = True
    return EventStream(_events(entry, sessions.heartbeat_s), sessions, entry)


@router.post("/rt/sessions/{sid}/messages", status_code=202, responses=_RECEIVED | error_responses(403, 404, 413))
async def session_messages(request: Request, sid: str) -> Response:
    """Client frames: one JSON object, or a JSON array of them handled in order."""
    try:
        check_origin(request)
    except Refusal as refusal:
        return _refused(refusal.status, refusal.code, refusal.message)
    entry = _sessions(request).get(sid)
    if entry is None:
        return _refused(404, "not_found", SESSION_GONE)
    body = await request.body()
    if len(body) > MAX_POST_BYTES:
        return _refused(413, "too_large", f"Envoi de plus de {MAX_POST_BYTES // 1024 // 1024} Mio refusé.")
    try:
        frames = _split(body.decode("utf-8"))
    except UnicodeDecodeError:
        frames = None
    if frames is not None and len(frames) > MAX_POST_FRAMES:
        return _refused(413, "too_large", f"Au plus {MAX_POST_FRAMES} messages par envoi.")
    async with entry.lock:
        if frames is None:
            entry.session.receive_refused(ProtocolError("bad_frame", "Messages texte (JSON) uniquement."))
        else:
            for text in frames:
                entry.session.receive(text)
    return JSONResponse({"received": 1 if frames is None else len(frames)}, status_code=202)


def _split(text: str) -> list[str]:
    """A JSON array is a batch of frames; anything else is one frame, read as a socket message would be."""
    try:
        data: Any = json.loads(text)
    except (json.JSONDecodeError, RecursionError):
        return [text]  # parse_frame says what is wrong with it
    if isinstance(data, list):
        return [json.dumps(item, ensure_ascii=False) for item in data]
    return [text]


async def _events(entry: SseSession, heartbeat_s: float) -> AsyncIterator[str]:
    peer = entry.session.peer
    yield ": flux Atelier\n\n"
    closed = asyncio.ensure_future(peer.closed.wait())
    try:
        while True:
            frame = asyncio.ensure_future(entry.transport.frames.get())
            done, _ = await asyncio.wait({frame, closed}, timeout=heartbeat_s, return_when=asyncio.FIRST_COMPLETED)
            if frame in done:
                yield f"data: {frame.result()}\n\n"
                continue
            frame.cancel()
            if closed in done:
                yield f"event: close\ndata: {encode({'code': peer.close_code or CLOSE_NORMAL})}\n\n"
                return
            yield ": heartbeat\n\n"
    finally:
        closed.cancel()


class EventStream(StreamingResponse):
    """An event stream that ends its session when it ends, however it ends (client gone included)."""

    def __init__(self, content: AsyncIterator[str], sessions: SseSessions, entry: SseSession) -> None:
        headers = {"Cache-Control": "no-store", "X-Accel-Buffering": "no"}  # no proxy buffering (nginx)
        super().__init__(content, media_type="text/event-stream", headers=headers)
        self.sessions, self.entry = sessions, entry

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        try:
            await super().__call__(scope, receive, send)
        finally:
            with anyio.CancelScope(shield=True):  # runs even when the request was cancelled
                await self.sessions.end(self.entry)
