"""Slow consumers and bursts, against a live server (a uvicorn subprocess: real sockets, real TCP buffers).

- A client that stops reading never delays the others: while one peer is stalled, the others'
  latency (an operation sent → its event received) stays near what it was with everyone reading; the
  laggard's outbox fills and the server closes it with 1013 (app/realtime/peer.py); when it comes
  back it catches up from `last_seq` to the same state as everyone.
- A burst of 1,000 card creations in one room, sent all at once by ten people: the per-connection
  rate limit pushes back (`rate_limited`), the clients re-send after ~1 s as the protocol says, and in
  the end all 1,000 cards exist exactly once, in every client's state and in the log.

`--faults=full`: more operations while stalled, and 2,000 cards from twenty people.
"""

from __future__ import annotations

import asyncio
import base64
import json
import os
import socket
import statistics
import struct
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from fault_run import FaultRun
from live_server import Server, free_port
from protocol_model import Replica, check_exactly_once, comparable, dumps, read_log
from pycrdt import Doc, Text
from socket_clients import SocketClient, create_atelier, join, server_state, until
from websockets.asyncio.client import ClientConnection, connect

OUTBOX_SIZE = 16  # the server's per-connection outbox for this test (default 512): fills sooner, same code
UPDATE_CHARS = 30_000  # a long paste per update (≈ 40 KB frames): the laggard's TCP buffers fill in ~100


def live_server(tmp_path: Path, **env: str) -> Iterator[Server]:
    live = Server(port=free_port(), database=tmp_path / "load.db", log_path=tmp_path / "server.log", env=env)
    live.start()
    try:
        yield live
    finally:
        live.stop()
    assert "Traceback" not in live.log_text()


@pytest.fixture
def server(tmp_path: Path) -> Iterator[Server]:
    """A live server with a small outbox (16): a stalled reader overflows it sooner, through the same code."""
    yield from live_server(tmp_path, ATELIER_OUTBOX_SIZE=str(OUTBOX_SIZE))


@pytest.fixture
def default_server(tmp_path: Path) -> Iterator[Server]:
    yield from live_server(tmp_path)


async def open_synced(server: Server, atelier_id: str, token: str, **options: Any) -> ClientConnection:
    ws = await connect(server.ws_url(atelier_id), open_timeout=10, max_size=None, **options)
    await ws.send(dumps({"type": "hello", "token": token, "last_seq": 0}))
    while json.loads(await asyncio.wait_for(ws.recv(), 10))["type"] != "synced":
        pass
    return ws


async def event_with(ws: ClientConnection, op_id: str) -> float:
    """Read until the event of `op_id`; when it arrived."""
    while True:
        frame = json.loads(await asyncio.wait_for(ws.recv(), 10))
        if frame["type"] == "event" and frame["id"] == op_id:
            return time.monotonic()


class RawWebSocket:
    """A WebSocket client on a bare blocking socket: it reads only when told to (a browser tab frozen).

    Client libraries keep reading into their own buffers; this one leaves the bytes in the kernel, so
    the server's sends really pile up. Its receive buffer is made small before connecting.
    """

    def __init__(self, port: int, path: str) -> None:
        self.sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        self.sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)
        self.sock.settimeout(10)
        self.sock.connect(("127.0.0.1", port))
        key = base64.b64encode(os.urandom(16)).decode()
        request = (
            f"GET {path} HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
            f"Sec-WebSocket-Key: {key}\r\nSec-WebSocket-Version: 13\r\n\r\n"
        )
        self.sock.sendall(request.encode())
        self.buffer = b""
        while b"\r\n\r\n" not in self.buffer:
            self.buffer += self._read()
        head, self.buffer = self.buffer.split(b"\r\n\r\n", 1)
        assert head.startswith(b"HTTP/1.1 101"), head

    def _read(self) -> bytes:
        data = self.sock.recv(65536)
        if not data:
            raise EOFError("the server closed the TCP connection")
        return data

    def send_text(self, text: str) -> None:
        payload, mask = text.encode(), os.urandom(4)
        length = len(payload)
        header = bytes([0x81]) + (
            bytes([0x80 | length]) if length < 126 else bytes([0x80 | 126]) + struct.pack("!H", length)
        )
        self.sock.sendall(header + mask + bytes(b ^ mask[i % 4] for i, b in enumerate(payload)))

    def _take(self, count: int) -> bytes:
        while len(self.buffer) < count:
            self.buffer += self._read()
        taken, self.buffer = self.buffer[:count], self.buffer[count:]
        return taken

    def receive(self) -> tuple[int, bytes]:
        """The next frame from the server: (opcode, payload); 8 is a close, its payload starts with the code."""
        first, second = self._take(2)
        length = second & 0x7F
        if length == 126:
            length = struct.unpack("!H", self._take(2))[0]
        elif length == 127:
            length = struct.unpack("!Q", self._take(8))[0]
        return first & 0x0F, self._take(length)

    def close(self) -> None:
        self.sock.close()


def big_update(doc: Doc[Text], size: int) -> str:
    """A Yjs update replacing the note with `size` new characters (a long paste over the old text).

    Replacing rather than appending keeps the note one paste long, so every phase of the test
    measures the same work and only the stalled reader differs.
    """
    before, text = doc.get_state(), doc["text"]
    with doc.transaction():
        del text[0 : len(text)]
        text += "x" * size
    return base64.b64encode(doc.get_update(before)).decode("ascii")


async def measure(
    writers: list[ClientConnection], watchers: list[ClientConnection], doc: Doc[Text], count: int, tag: str
) -> list[float]:
    """Send `count` text updates one after the other; each latency (send → event at each watcher).

    The writers take turns, each within its connection's rate limit (200 at once, then 30 a second).
    """
    latencies: list[float] = []
    for index in range(count):
        op_id, writer = f"{tag}-{index}", writers[index % len(writers)]
        update = big_update(doc, UPDATE_CHARS)
        sent = time.monotonic()
        await writer.send(dumps({"type": "text.update", "id": op_id, "field": "notes:0", "update": update}))
        arrivals = await asyncio.gather(*(event_with(ws, op_id) for ws in [*writers, *watchers]))
        latencies.extend(arrival - sent for arrival in arrivals[len(writers) :])
    return latencies


async def test_a_stalled_reader_does_not_delay_the_others_and_is_closed_with_1013(
    server: Server, fault_run: FaultRun
) -> None:
    stalled_ops = fault_run.size(ci=240, full=540)
    atelier = create_atelier(server.base_url)
    writer_members = [join(server.base_url, atelier, "animateur", f"Anim{index}") for index in range(3)]
    watcher_members = [join(server.base_url, atelier, "participant", f"Témoin{index}") for index in range(3)]
    laggard_member = join(server.base_url, atelier, "participant", "Lent")
    writers = [await open_synced(server, atelier["id"], m["member_token"]) for m in writer_members]
    watchers = [await open_synced(server, atelier["id"], m["member_token"]) for m in watcher_members]
    doc: Doc[Text] = Doc()
    doc["text"] = Text()

    baseline = await measure(writers, watchers, doc, 30, "calme")

    laggard = RawWebSocket(server.port, f"/ws/ateliers/{atelier['id']}")
    laggard.send_text(dumps({"type": "hello", "token": laggard_member["member_token"], "last_seq": 0}))
    seen = 0
    while True:  # read up to `synced`, then not a byte more until the end
        opcode, payload = laggard.receive()
        frame = json.loads(payload)
        seen = max(seen, frame.get("seq", 0))
        if frame["type"] == "synced":
            break
    stalled = await measure(writers, watchers, doc, stalled_ops, "bloque")

    # The laggard reads again: what was buffered, then the server's close, 1013 "try again later".
    close_code = None
    while close_code is None:
        opcode, payload = await asyncio.to_thread(laggard.receive)
        if opcode == 0x8:
            close_code = struct.unpack("!H", payload[:2])[0]
        elif opcode == 0x1 and json.loads(payload)["type"] == "event":
            seen = json.loads(payload)["seq"]
    laggard.close()
    assert close_code == 1013
    after = await measure(writers, watchers, doc, 30, "apres")
    final = server_state(server.base_url, atelier)["seq"]
    assert seen < final, "the laggard was sent everything: it never lagged"

    # It comes back with last_seq and ends with the room's state.
    replica = Replica("lent", laggard_member["member_id"], laggard_member["member_token"], team=False)
    replica.last_seq = seen
    async with connect(server.ws_url(atelier["id"]), max_size=None, open_timeout=10) as again:
        await again.send(dumps(replica.hello()))
        while replica.last_seq < final:
            replica.receive(json.loads(await asyncio.wait_for(again.recv(), 10)))
    assert replica.snapshot_view is not None or len(replica.history) == final - seen
    for ws in [*writers, *watchers]:
        await ws.close()

    # Without the laggard: before it stalled and after it left (the machine's noise is in both).
    calm, busy = statistics.median(baseline + after), statistics.median(stalled)
    # Generous: a 2-core machine shared with other work; a laggard that held the room would cost seconds.
    assert busy <= max(4 * calm, calm + 0.1), f"median latency {calm * 1000:.1f} ms → {busy * 1000:.1f} ms"
    fault_run.report(
        "slow-consumer",
        {
            "watchers": len(watchers),
            "update_chars": UPDATE_CHARS,
            "ops_without_laggard": (len(baseline) + len(after)) // len(watchers),
            "ops_while_stalled": stalled_ops,
            "median_latency_ms_without_laggard": round(calm * 1000, 2),
            "median_latency_ms_one_stalled": round(busy * 1000, 2),
            "p95_latency_ms_one_stalled": round(statistics.quantiles(stalled, n=20)[-1] * 1000, 2),
            "laggard_close_code": 1013,
            "laggard_behind_by": final - seen,
        },
    )


async def test_a_burst_of_card_creations_loses_none_and_doubles_none(
    default_server: Server, fault_run: FaultRun
) -> None:
    server = default_server
    people = fault_run.size(ci=10, full=20)
    per_person = 100
    atelier = create_atelier(server.base_url)
    members = [join(server.base_url, atelier, "animateur" if i == 0 else "participant", f"P{i}") for i in range(people)]
    replicas = [Replica(f"p{i}", m["member_id"], m["member_token"], team=i == 0) for i, m in enumerate(members)]
    made = dict.fromkeys([r.name for r in replicas], 0)

    def script(replica: Replica) -> dict[str, Any] | None:
        if made[replica.name] == per_person:
            return None
        made[replica.name] += 1
        return replica.operation("card.create", title=f"Idée {made[replica.name]} de {replica.name}")

    changed = asyncio.Event()
    url = server.ws_url(atelier["id"])
    # window = everything: each person sends their 100 creations at once.
    clients = [SocketClient(url, replica, script, changed, window=per_person) for replica in replicas]
    started = time.monotonic()
    tasks = [asyncio.create_task(client.run()) for client in clients]
    try:
        await until(changed, lambda: all(c.idle for c in clients), "every creation acknowledged", deadline_s=240)
        took = time.monotonic() - started
        final = server_state(server.base_url, atelier)["seq"]
        await until(changed, lambda: replicas[0].last_seq == final, "the référent caught up")
    finally:
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)

    figures = check_exactly_once(read_log(server.database, atelier["id"]), replicas)
    state = server_state(server.base_url, atelier)["state"]
    titles = [card["title"] for card in state["cards"]]
    assert len(titles) == len(set(titles)) == people * per_person
    assert figures["acked"] == people * per_person and figures["refused_by_rules"] == 0
    assert replicas[0].view() == comparable(state)
    fault_run.report(
        "burst",
        {
            "people": people,
            "cards": len(titles),
            **figures,
            "rate_limited_then_resent": sum(r.retries for r in replicas),
            "seconds_to_all_acked": round(took, 2),
        },
    )
