"""One realtime connection's protocol, whatever carries it: a WebSocket (ws.py) or SSE + POST (sse.py).

Opening: the `Origin` rule, then `hello` (member token or cookie, protocol version), then joining the
room with a catch-up from `last_seq`. Afterwards each client frame goes through `RealtimeSession.receive`:
parsing, rate limits, durable or ephemeral dispatch, error frames. A transport only moves text, enforces
the idle timeout its own way, and says "no" in its own words (close codes, HTTP statuses).
"""

from __future__ import annotations

import asyncio
import time
from dataclasses import replace

from starlette.requests import HTTPConnection

from ..domain.errors import DomainError, Removed
from ..domain.speech_operations import StartRound
from ..realtime.guidance import relay_guidance
from ..realtime.guidance_frames import FollowLead, FollowStop, TimerWarn
from ..realtime.outcomes import error_frame
from ..realtime.peer import CLOSE_REMOVED, Peer, Transport
from ..realtime.protocol import (
    PROTOCOL_VERSION,
    CardDrag,
    FieldFocus,
    Hello,
    Ping,
    ProtocolError,
    encode,
    parse_frame,
    to_operation,
)
from ..realtime.ratelimit import RateLimiter
from ..realtime.room import Room
from ..realtime.signals import RateLimited
from ..realtime.speech_frames import HandLower, HandRaise, ReactionSend, SignalSet
from ..storage.ateliers import find_member
from .deps import member_cookie

HELLO_TIMEOUT_S = 10.0
CLOSE_BAD_HELLO = 4400  # 44xx: the client should not retry with the same input
CLOSE_UNAUTHORIZED = 4401
CLOSE_BAD_ORIGIN = 4403
CLOSE_UNKNOWN_ATELIER = 4404
NO_HELLO = "Premier message attendu : hello."


class Refusal(Exception):
    """A connection refused before it joins a room: the error frame's code and French message."""

    def __init__(self, code: str, message: str, close_code: int, status: int) -> None:
        super().__init__(message)
        self.code, self.message, self.close_code, self.status = code, message, close_code, status

    def frame(self) -> str:
        return encode(error_frame(self.code, self.message))


def removed_refusal() -> Refusal:
    return Refusal("removed", "Vous avez été retiré de l'atelier.", CLOSE_REMOVED, 403)


def bad_hello(message: str = NO_HELLO) -> Refusal:
    return Refusal("bad_hello", message, CLOSE_BAD_HELLO, 400)


def check_origin(connection: HTTPConnection) -> None:
    """Browsers send `Origin`: the app's own host, or one listed in ATELIER_ALLOWED_ORIGINS.

    No `Origin` at all is a machine client, which authenticates with its member token.
    """
    origin = connection.headers.get("origin")
    if origin is None:
        return
    host = connection.headers.get("host", "")
    if origin.split("://", 1)[-1] == host or origin.rstrip("/") in connection.state.settings.origins:
        return
    raise Refusal("bad_origin", "Origine non autorisée pour cet atelier.", CLOSE_BAD_ORIGIN, 403)


def read_hello(text: str) -> Hello:
    try:
        hello = parse_frame(text)
    except ProtocolError as error:
        raise bad_hello(error.message) from error
    if not isinstance(hello, Hello):
        raise bad_hello()
    if hello.protocol != PROTOCOL_VERSION:
        raise bad_hello(f"Version de protocole {hello.protocol} non prise en charge (attendue : {PROTOCOL_VERSION}).")
    return hello


async def open_session(
    connection: HTTPConnection, atelier_id: str, hello: Hello, transport: Transport
) -> RealtimeSession:
    """Authenticate `hello` and join the room: welcome, catch-up and `synced` are queued to the peer.

    Raises Refusal (unknown atelier, bad token) or RoomClosed (the room was reloading: try again).
    """
    room: Room | None = await connection.state.rooms.get(atelier_id)
    if room is None:
        raise Refusal("not_found", "Atelier introuvable.", CLOSE_UNKNOWN_ATELIER, 404)
    token = hello.token or connection.cookies.get(member_cookie(atelier_id))
    member_id = None
    if token:
        member_id = await asyncio.to_thread(
            find_member, connection.state.engine, atelier_id=atelier_id, token=token, include_revoked=True
        )
    if member_id is None or member_id not in room.state.members:
        raise Refusal("unauthorized", "Secret de participation manquant ou invalide.", CLOSE_UNAUTHORIZED, 401)
    if room.state.members[member_id].removed:
        raise removed_refusal()
    settings = connection.state.settings
    peer = Peer(
        transport, member_id=member_id, html=hello.html, outbox_size=settings.outbox_size,
        projection=hello.view == "projection",
    )  # fmt: skip
    peer.start()
    try:
        await room.join(peer, hello.last_seq)
    except BaseException as error:
        await peer.stop()
        if isinstance(error, Removed):  # removed between the check above and the join
            raise removed_refusal() from error
        raise
    return RealtimeSession(room, peer)


class RealtimeSession:
    """A joined connection: handles each client frame exactly the same way on every transport."""

    def __init__(self, room: Room, peer: Peer) -> None:
        self.room = room
        self.peer = peer
        self._limiter = RateLimiter()
        self.last_heard = time.monotonic()  # for the idle timeout: any frame counts, pings included

    @property
    def closed(self) -> bool:
        return self.peer.closed.is_set()

    def receive(self, text: str) -> None:
        """Handle one client frame; refusals become error frames in the peer's outbox. Never raises."""
        self.last_heard = time.monotonic()
        peer, room = self.peer, self.room
        try:
            frame = parse_frame(text)
        except ProtocolError as error:
            peer.offer(encode(error_frame(error.code, error.message, error.op_id)))
            return
        if isinstance(frame, Hello):
            peer.offer(encode(error_frame("bad_frame", "hello déjà reçu sur cette connexion.")))
            return
        allowed = self._limiter.allow(frame.type)
        if isinstance(frame, Ping):
            if allowed:
                peer.offer(encode({"type": "pong", "t": frame.t, "server_time": room.clock() * 1000}))
        elif peer.projection:
            op_id = getattr(frame, "id", None)
            peer.offer(encode(error_frame("forbidden", "Vue de projection : lecture seule.", op_id)), durable=False)
        elif isinstance(frame, TimerWarn | FollowLead | FollowStop):
            if allowed:  # over the stream limit, a guidance frame is dropped like a drag
                try:
                    relay_guidance(room, peer, frame)
                except DomainError as error:
                    peer.offer(encode(error_frame(error.code, error.message)), durable=False)
        elif isinstance(frame, CardDrag | FieldFocus):
            if allowed:  # over the stream limit, a picture of something in flight is simply dropped
                try:
                    if isinstance(frame, CardDrag):
                        room.relay_drag(peer, frame)
                    else:
                        room.relay_focus(peer, frame)
                except DomainError as error:
                    peer.offer(encode(error_frame(error.code, error.message)), durable=False)
        elif isinstance(frame, HandRaise | HandLower | SignalSet | ReactionSend):
            if allowed:  # over the stream limit, a signal is dropped like any ephemeral frame
                try:
                    room.signals.handle(room, peer, frame)
                except DomainError as error:
                    peer.offer(encode(error_frame(error.code, error.message)), durable=False)
                except RateLimited as error:
                    peer.offer(encode(error_frame("rate_limited", str(error))), durable=False)
        else:
            if not allowed:
                peer.offer(encode(error_frame("rate_limited", "Trop d'opérations : ralentissez.", frame.id)))
                return
            try:
                operation = to_operation(frame)
            except DomainError as error:
                peer.offer(encode(error_frame(error.code, error.message, frame.id)))
                return
            if isinstance(operation, StartRound):  # the tour de table hears the people connected now
                operation = replace(operation, present=tuple(sorted(room.online)))
            room.submit(frame.id, operation, peer.member_id, peer)

    def receive_refused(self, error: ProtocolError) -> None:
        """A message the transport could not even read as text: answered like a bad frame."""
        self.last_heard = time.monotonic()
        self.peer.offer(encode(error_frame(error.code, error.message, error.op_id)))

    async def end(self) -> None:
        """Leave the room and stop sending: the others see the presence change."""
        self.room.leave(self.peer)
        await self.peer.stop()
