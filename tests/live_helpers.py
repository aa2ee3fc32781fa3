"""A real HTTP server in a thread, and protocol clients for it over SSE + POST and over WebSocket.

(tests/live_server.py runs one in a subprocess, to kill it; here the test's own settings and app are served.)

Event streams need a real server: in-process test transports buffer a response until it ends. uvicorn
runs the app (with the test's settings) in a thread of the test process; each client reads its
stream in its own thread into a queue, so every receive waits on a frame with a deadline, never a sleep.
"""

from __future__ import annotations

import contextlib
import json
import queue
import socket
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any, ClassVar

import httpx
import uvicorn
from fastapi import FastAPI
from helpers import RECEIVE_TIMEOUT_S, Frame, FrameClient, NoFrame, summary
from live_server import free_port
from websockets.exceptions import ConnectionClosed
from websockets.sync.client import ClientConnection, connect

SERVER_START_TIMEOUT_S = 20.0


@contextlib.contextmanager
def threaded_server(app: FastAPI) -> Iterator[str]:
    """Serve `app` on a free port until the block ends; its base URL."""
    config = uvicorn.Config(
        app,
        host="127.0.0.1",
        port=free_port(),
        log_level="warning",
        ws="websockets-sansio",
        timeout_graceful_shutdown=2,
    )
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, name="uvicorn", daemon=True)
    thread.start()
    deadline = time.monotonic() + SERVER_START_TIMEOUT_S
    while not server.started:
        assert thread.is_alive(), "uvicorn stopped while starting"
        assert time.monotonic() < deadline, f"uvicorn not started after {SERVER_START_TIMEOUT_S} s"
        thread.join(timeout=0.02)  # paces the wait, and returns at once if the server thread ends
    try:
        yield f"http://127.0.0.1:{config.port}"
    finally:
        server.should_exit = True
        thread.join(timeout=15)
        assert not thread.is_alive(), "uvicorn did not stop"


class StreamClosed(Exception):
    """The event stream ended: with the `close` event's code, or None when it was simply cut."""

    def __init__(self, code: int | None) -> None:
        super().__init__(f"event stream closed ({code})")
        self.code = code


@dataclass
class SseEvent:
    kind: str  # "message", "close", or "comment" (a heartbeat)
    data: str


class SseClient(FrameClient):
    """A protocol client over SSE + POST: `open` posts the hello and starts reading the event stream."""

    _open: ClassVar[list[SseClient]] = []

    @classmethod
    def drop_all(cls, http: httpx.Client) -> None:
        """Cut every stream still open through `http` (a server with open streams waits for them to stop)."""
        for client in [client for client in cls._open if client.http is http]:
            client.drop()

    def __init__(self, http: httpx.Client, atelier_id: str, token: str | None = None, **headers: str) -> None:
        super().__init__(token)
        self.http = http
        self.atelier_id = atelier_id
        self.headers = headers
        self.session: dict[str, str] = {}
        self.comments: list[str] = []
        self.stream_headers: httpx.Headers = httpx.Headers()
        self.close_code: int | None = None
        self._events: queue.Queue[SseEvent | None] = queue.Queue()
        self._stream: contextlib.ExitStack | None = None
        self._reader: threading.Thread | None = None
        self._socket: socket.socket | None = None

    # the session

    def open(self, last_seq: int = 0, html: bool = False, **hello: Any) -> httpx.Response:
        """POST the hello; on 201 the event stream is read from then on."""
        frame = {"type": "hello", "token": self.token, "last_seq": last_seq, "html": html, **hello}
        response = self.http.post(
            f"/rt/ateliers/{self.atelier_id}/sessions", content=json.dumps(frame), headers=self.headers
        )
        if response.status_code == 201:
            self.session = response.json()
            self.listen()
        return response

    def connect(self, last_seq: int = 0) -> list[Frame]:
        """A session up to `synced`; the frames of the catch-up."""
        response = self.open(last_seq)
        assert response.status_code == 201, response.text
        return self.drain_to_synced()

    def listen(self) -> None:
        stack = contextlib.ExitStack()
        response = stack.enter_context(
            self.http.stream("GET", self.session["events"], headers=self.headers, timeout=httpx.Timeout(10, read=None))
        )
        assert response.status_code == 200, response.read()
        assert response.headers["content-type"].startswith("text/event-stream")
        self.stream_headers = response.headers
        self._stream = stack
        self._socket = response.extensions["network_stream"].get_extra_info("socket")
        self._events = queue.Queue()
        self._reader = threading.Thread(target=self._read, args=(response, self._events), daemon=True)
        self._reader.start()
        SseClient._open.append(self)

    def drop(self) -> None:
        """Cut the event stream, as a lost network connection would."""
        if self._stream is None or self._socket is None or self._reader is None:
            return
        with contextlib.suppress(OSError):
            self._socket.shutdown(socket.SHUT_RDWR)  # unblocks the reader; the server sees the client gone
        self._reader.join(timeout=10)
        self._stream.close()
        self._stream = None
        SseClient._open.remove(self)

    @staticmethod
    def _read(response: httpx.Response, into: queue.Queue[SseEvent | None]) -> None:
        kind, data = "message", []
        try:
            for line in response.iter_lines():
                if line.startswith(":"):
                    into.put(SseEvent("comment", line[1:].strip()))
                elif line.startswith("event:"):
                    kind = line[6:].strip()
                elif line.startswith("data:"):
                    data.append(line[5:].lstrip())
                elif line == "" and data:
                    into.put(SseEvent(kind, "\n".join(data)))
                    kind, data = "message", []
        except httpx.HTTPError:
            pass  # cut: the queue's end says so
        finally:
            into.put(None)

    # sending

    def post(self, content: str | bytes, **headers: str) -> httpx.Response:
        return self.http.post(self.session["messages"], content=content, headers={**self.headers, **headers})

    def send_raw(self, text: str) -> None:
        response = self.post(text)
        assert response.status_code == 202, response.text

    def send_batch(self, frames: list[Frame]) -> None:
        response = self.post(json.dumps(frames))
        assert response.status_code == 202, response.text

    # receiving

    def next_event(self, timeout: float = RECEIVE_TIMEOUT_S) -> SseEvent:
        try:
            event = self._events.get(timeout=timeout)
        except queue.Empty:
            raise NoFrame(f"nothing from the server within {timeout} s; last frames: {summary(self.seen)}") from None
        if event is None:
            self._events.put(None)  # stays ended for the next reader
            raise StreamClosed(self.close_code)
        if event.kind == "close":
            self.close_code = json.loads(event.data)["code"]
        return event

    def recv(self, timeout: float = RECEIVE_TIMEOUT_S) -> Frame:
        """The next frame; StreamClosed once the stream ended, NoFrame after `timeout`."""
        deadline = time.monotonic() + timeout
        while True:
            event = self.next_event(max(0.0, deadline - time.monotonic()))
            if event.kind == "message":
                return self._seen(json.loads(event.data))
            if event.kind == "comment":
                self.comments.append(event.data)

    def expect_close(self, limit: int = 500, timeout: float = RECEIVE_TIMEOUT_S) -> int | None:
        """Read until the stream ends; the code of its `close` event."""
        try:
            self.recv_until(lambda _frame: False, limit=limit, timeout=timeout)
        except StreamClosed as closed:
            return closed.code
        raise AssertionError("the event stream did not end")


class LiveWsClient(FrameClient):
    """A protocol client over a real WebSocket to a live server."""

    def __init__(self, connection: ClientConnection, token: str | None = None) -> None:
        super().__init__(token)
        self.connection = connection
        self.close_code: int | None = None

    def send_raw(self, text: str) -> None:
        self.connection.send(text)

    def recv(self, timeout: float = RECEIVE_TIMEOUT_S) -> Frame:
        try:
            text = self.connection.recv(timeout=timeout)
        except TimeoutError:
            raise NoFrame(f"nothing from the server within {timeout} s; last frames: {summary(self.seen)}") from None
        except ConnectionClosed as closed:
            self.close_code = closed.rcvd.code if closed.rcvd else None
            raise
        return self._seen(json.loads(text))


@contextlib.contextmanager
def live_ws(base_url: str, atelier_id: str, token: str | None, **headers: str) -> Iterator[LiveWsClient]:
    url = base_url.replace("http://", "ws://", 1) + f"/ws/ateliers/{atelier_id}"
    with connect(url, additional_headers=headers, open_timeout=10, close_timeout=1) as connection:
        yield LiveWsClient(connection, token)
