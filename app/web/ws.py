"""The realtime endpoint over WebSocket: `/ws/ateliers/{id}` (contract in docs/protocol.md).

The protocol itself lives in realtime_session.py, shared with the SSE + POST fallback (sse.py).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging

from fastapi import APIRouter, WebSocket
from starlette.websockets import WebSocketDisconnect, WebSocketState

from ..realtime.outcomes import RoomClosed
from ..realtime.peer import CLOSE_ERROR, CLOSE_GOING_AWAY, CLOSE_TRY_AGAIN
from ..realtime.protocol import ProtocolError
from .realtime_session import (
    CLOSE_BAD_HELLO,
    CLOSE_BAD_ORIGIN,
    CLOSE_UNAUTHORIZED,
    CLOSE_UNKNOWN_ATELIER,
    HELLO_TIMEOUT_S,
    RealtimeSession,
    Refusal,
    bad_hello,
    check_origin,
    open_session,
    read_hello,
)

router = APIRouter()
log = logging.getLogger(__name__)

# Every close code this endpoint may use (docs/protocol.md documents each).
CLOSE_CODES = (
    CLOSE_BAD_HELLO, CLOSE_UNAUTHORIZED, CLOSE_BAD_ORIGIN, CLOSE_UNKNOWN_ATELIER,
    CLOSE_TRY_AGAIN, CLOSE_GOING_AWAY, CLOSE_ERROR,
)  # fmt: skip


class WebSocketTransport:
    def __init__(self, websocket: WebSocket) -> None:
        self.websocket = websocket

    async def send_text(self, text: str) -> None:
        await self.websocket.send_text(text)

    async def close(self, code: int, reason: str = "") -> None:
        if self.websocket.application_state != WebSocketState.DISCONNECTED:
            await self.websocket.close(code, reason)


async def _receive_text(websocket: WebSocket, timeout: float) -> str:
    message = await asyncio.wait_for(websocket.receive(), timeout)
    if message["type"] == "websocket.disconnect":
        raise WebSocketDisconnect(message.get("code", 1000))
    if message.get("text") is None:
        raise ProtocolError("bad_frame", "Messages texte (JSON) uniquement.")
    return str(message["text"])


async def _refuse(websocket: WebSocket, refusal: Refusal) -> None:
    with contextlib.suppress(Exception):
        await websocket.send_text(refusal.frame())
        await websocket.close(refusal.close_code, refusal.code)


@router.websocket("/ws/ateliers/{atelier_id}")
async def atelier_socket(websocket: WebSocket, atelier_id: str) -> None:
    # Accepted before any refusal only to say why: a browser told 4403 stops retrying, a bare HTTP 403
    # looks like a network fault.
    await websocket.accept()
    try:
        check_origin(websocket)
        try:
            text = await _receive_text(websocket, HELLO_TIMEOUT_S)
        except (ProtocolError, TimeoutError, WebSocketDisconnect) as error:
            raise (bad_hello(error.message) if isinstance(error, ProtocolError) else bad_hello()) from error
        session = await open_session(websocket, atelier_id, read_hello(text), WebSocketTransport(websocket))
    except Refusal as refusal:
        await _refuse(websocket, refusal)
        return
    except RoomClosed:
        await _close(websocket, CLOSE_TRY_AGAIN)
        return
    except Exception:
        log.exception("socket for atelier %s failed before joining", atelier_id)
        await _close(websocket, CLOSE_ERROR)
        return
    try:
        await _serve(websocket, session, websocket.state.settings.idle_timeout_s)
    except TimeoutError:
        await _close(websocket, CLOSE_GOING_AWAY)  # silent too long: the client reconnects if it is still there
    except WebSocketDisconnect:
        pass
    except Exception:  # an unexpected error closes this connection only; the room lives on
        log.exception("socket for atelier %s failed", atelier_id)
        await _close(websocket, CLOSE_ERROR)
    finally:
        await session.end()


async def _close(websocket: WebSocket, code: int) -> None:
    with contextlib.suppress(Exception):
        if websocket.application_state != WebSocketState.DISCONNECTED:
            await websocket.close(code)


async def _serve(websocket: WebSocket, session: RealtimeSession, idle_timeout: float) -> None:
    while not session.closed:
        try:
            text = await _receive_text(websocket, idle_timeout)
        except ProtocolError as error:  # a binary frame: say so, carry on
            session.receive_refused(error)
            continue
        session.receive(text)
