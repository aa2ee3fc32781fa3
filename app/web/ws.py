"""The realtime endpoint: `/ws/ateliers/{id}` (contract in docs/protocol.md)."""

from __future__ import annotations

import asyncio
import contextlib
import logging

from fastapi import APIRouter, WebSocket
from starlette.websockets import WebSocketDisconnect, WebSocketState

from ..domain.errors import DomainError
from ..realtime.outcomes import RoomClosed, error_frame
from ..realtime.peer import CLOSE_ERROR, CLOSE_GOING_AWAY, CLOSE_TRY_AGAIN, Peer
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
from ..storage.ateliers import find_member
from .deps import member_cookie

router = APIRouter()
log = logging.getLogger(__name__)

HELLO_TIMEOUT_S = 10.0
CLOSE_BAD_HELLO = 4400  # 44xx: the client should not retry with the same input
CLOSE_UNAUTHORIZED = 4401
CLOSE_UNKNOWN_ATELIER = 4404
CLOSE_BAD_ORIGIN = 4403


class WebSocketTransport:
    def __init__(self, websocket: WebSocket) -> None:
        self.websocket = websocket

    async def send_text(self, text: str) -> None:
        await self.websocket.send_text(text)

    async def close(self, code: int, reason: str = "") -> None:
        if self.websocket.application_state != WebSocketState.DISCONNECTED:
            await self.websocket.close(code, reason)


def _origin_allowed(websocket: WebSocket) -> bool:
    origin = websocket.headers.get("origin")
    if origin is None:  # not a browser: machine clients authenticate with their secret
        return True
    host = websocket.headers.get("host", "")
    allowed = websocket.state.settings.origins
    return origin.split("://", 1)[-1] == host or origin.rstrip("/") in allowed


async def _receive_text(websocket: WebSocket, timeout: float) -> str:
    message = await asyncio.wait_for(websocket.receive(), timeout)
    if message["type"] == "websocket.disconnect":
        raise WebSocketDisconnect(message.get("code", 1000))
    if message.get("text") is None:
        raise ProtocolError("bad_frame", "Messages texte (JSON) uniquement.")
    return str(message["text"])


async def _refuse(websocket: WebSocket, code: int, error: str, message: str) -> None:
    with contextlib.suppress(Exception):
        await websocket.send_text(encode(error_frame(error, message)))
        await websocket.close(code, error)


@router.websocket("/ws/ateliers/{atelier_id}")
async def atelier_socket(websocket: WebSocket, atelier_id: str) -> None:
    await websocket.accept()
    if not _origin_allowed(websocket):
        # Accepted only to say why: a browser told 4403 stops retrying, a bare HTTP 403 looks like a network fault.
        await _refuse(websocket, CLOSE_BAD_ORIGIN, "bad_origin", "Origine non autorisée pour cet atelier.")
        return
    try:
        hello = parse_frame(await _receive_text(websocket, HELLO_TIMEOUT_S))
    except (ProtocolError, TimeoutError, WebSocketDisconnect) as error:
        detail = error.message if isinstance(error, ProtocolError) else "Premier message attendu : hello."
        await _refuse(websocket, CLOSE_BAD_HELLO, "bad_hello", detail)
        return
    if not isinstance(hello, Hello):
        await _refuse(websocket, CLOSE_BAD_HELLO, "bad_hello", "Premier message attendu : hello.")
        return
    if hello.protocol != PROTOCOL_VERSION:
        message = f"Version de protocole {hello.protocol} non prise en charge (attendue : {PROTOCOL_VERSION})."
        await _refuse(websocket, CLOSE_BAD_HELLO, "bad_hello", message)
        return
    rooms = websocket.state.rooms
    room: Room | None = await rooms.get(atelier_id)
    if room is None:
        await _refuse(websocket, CLOSE_UNKNOWN_ATELIER, "not_found", "Atelier introuvable.")
        return
    token = hello.token or websocket.cookies.get(member_cookie(atelier_id))
    member_id = None
    if token:
        member_id = await asyncio.to_thread(find_member, websocket.state.engine, atelier_id=atelier_id, token=token)
    if member_id is None or member_id not in room.state.members:
        await _refuse(websocket, CLOSE_UNAUTHORIZED, "unauthorized", "Secret de participation manquant ou invalide.")
        return
    settings = websocket.state.settings
    peer = Peer(WebSocketTransport(websocket), member_id=member_id, html=hello.html, outbox_size=settings.outbox_size)
    peer.start()
    try:
        await room.join(peer, hello.last_seq)
        await _serve(websocket, room, peer, settings.idle_timeout_s)
    except RoomClosed:
        await _close(websocket, CLOSE_TRY_AGAIN)
    except TimeoutError:
        await _close(websocket, CLOSE_GOING_AWAY)  # silent too long: the client reconnects if it is still there
    except WebSocketDisconnect:
        pass
    except Exception:  # an unexpected error closes this connection only; the room lives on
        log.exception("socket for atelier %s failed", atelier_id)
        await _close(websocket, CLOSE_ERROR)
    finally:
        room.leave(peer)
        await peer.stop()


async def _close(websocket: WebSocket, code: int) -> None:
    with contextlib.suppress(Exception):
        if websocket.application_state != WebSocketState.DISCONNECTED:
            await websocket.close(code)


async def _serve(websocket: WebSocket, room: Room, peer: Peer, idle_timeout: float) -> None:
    limiter = RateLimiter()
    while not peer.closed.is_set():
        try:
            text = await _receive_text(websocket, idle_timeout)
            frame = parse_frame(text)
        except ProtocolError as error:
            peer.offer(encode(error_frame(error.code, error.message, error.op_id)))
            continue
        if isinstance(frame, Hello):
            peer.offer(encode(error_frame("bad_frame", "hello déjà reçu sur cette connexion.")))
            continue
        allowed = limiter.allow(frame.type)
        if isinstance(frame, Ping):
            if allowed:
                peer.offer(encode({"type": "pong", "t": frame.t, "server_time": room.clock() * 1000}))
        elif isinstance(frame, CardDrag | FieldFocus):
            if allowed:  # over the stream limit, a picture of something in flight is simply dropped
                try:
                    if isinstance(frame, CardDrag):
                        room.relay_drag(peer, frame)
                    else:
                        room.relay_focus(peer, frame)
                except DomainError as error:
                    peer.offer(encode(error_frame(error.code, error.message)), durable=False)
        else:
            if not allowed:
                peer.offer(encode(error_frame("rate_limited", "Trop d'opérations : ralentissez.", frame.id)))
                continue
            try:
                operation = to_operation(frame)
            except DomainError as error:
                peer.offer(encode(error_frame(error.code, error.message, frame.id)))
                continue
            room.submit(frame.id, operation, peer.member_id, peer)
