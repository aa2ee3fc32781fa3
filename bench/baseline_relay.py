"""A bare Python WebSocket relay, loaded exactly like Atelier, for a side-by-side figure.

    .venv/bin/python bench/baseline_relay.py --scenario drag --rooms 50 --clients 12 --seconds 10

The "bare Python relay" of /work/shared/DESIGN.md ("Cost of a message"): the `websockets` library's
own asyncio server, one dict of rooms, a frame in → parsed once → encoded once → `broadcast()` to the
room's other sockets. It answers the same frames as Atelier so the same load generator drives it:
hello → synced; card.drag → card.dragging to the others (every frame: no coalescing, the senders
already keep to 20/s); card.create → ack to the sender and an event to everyone (sequence numbers,
nothing stored, no roles, no validation beyond JSON). Compression off, like Atelier's protocol says.

`--serve --port P` runs the relay itself (the benchmark starts it so, as a subprocess).
"""

from __future__ import annotations

import asyncio
import contextlib
import itertools
import json
import subprocess
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import load

# -- the relay -----------------------------------------------------------------------------------


async def serve(port: int) -> None:
    from websockets.asyncio.server import ServerConnection, broadcast
    from websockets.asyncio.server import serve as ws_serve
    from websockets.exceptions import ConnectionClosed

    rooms: dict[str, set[ServerConnection]] = {}
    seqs: dict[str, int] = {}
    names = itertools.count(1)

    def encode(message: dict[str, object]) -> str:
        return json.dumps(message, ensure_ascii=False, separators=(",", ":"))

    async def handler(ws: ServerConnection) -> None:
        room_id = ws.request.path.rsplit("/", 1)[-1] if ws.request else ""
        me = f"m{next(names)}"
        hello = json.loads(await ws.recv())
        if hello.get("type") != "hello":
            await ws.close(4400, "bad_hello")
            return
        peers = rooms.setdefault(room_id, set())
        seq = seqs.setdefault(room_id, 0)
        await ws.send(encode({"type": "welcome", "protocol": 1, "member": {"id": me}, "seq": seq}))
        await ws.send(encode({"type": "synced", "seq": seq}))
        peers.add(ws)
        try:
            async for text in ws:
                frame = json.loads(text)
                kind = frame.get("type")
                if kind == "card.drag":
                    dragging = {"type": "card.dragging", "card_id": frame["card_id"], "by": me}
                    dragging |= {"desirability": frame["desirability"], "feasibility": frame["feasibility"]}
                    broadcast([peer for peer in peers if peer is not ws], encode(dragging))
                elif kind == "card.create":
                    seqs[room_id] += 1
                    seq, now = seqs[room_id], time.time()
                    await ws.send(encode({"type": "ack", "id": frame["id"], "seq": seq}))
                    # Shaped like Atelier's event, so both send frames of about the same size.
                    card = {"id": frame["id"], "title": frame["title"], "description": "", "author_id": me}
                    card |= {"created_at": now, "desirability": None, "feasibility": None, "priority": False}
                    event = {"type": "card.created", "card": card}
                    broadcast(
                        peers,
                        encode(
                            {"type": "event", "seq": seq, "id": frame["id"], "actor": me, "at": now, "event": event}
                        ),
                    )
                elif kind == "ping":
                    await ws.send(encode({"type": "pong", "t": frame.get("t")}))
        except ConnectionClosed:
            pass
        finally:
            peers.discard(ws)

    async with ws_serve(handler, "127.0.0.1", port, compression=None, max_size=64 * 1024, ping_interval=None) as server:
        await server.serve_forever()


# -- the adapter ---------------------------------------------------------------------------------


class BaselineTarget:
    """Adapter: this file with --serve; rooms are just names, nobody needs to join first."""

    name = "baseline"

    def __init__(self) -> None:
        self.process: subprocess.Popen[bytes] | None = None
        self.port = 0

    def start(self, port: int) -> None:
        self.port = port
        python = str(load.ROOT / ".venv" / "bin" / "python")
        self.process = load.spawn([python, str(Path(__file__).resolve()), "--serve", "--port", str(port)])
        load.wait_for_port(port, self.process)

    async def prepare(self, rooms: int, clients: int) -> list[load.RoomPlan]:
        hello = json.dumps({"type": "hello", "token": None, "last_seq": 0, "html": False})
        return [
            load.RoomPlan(url=f"ws://127.0.0.1:{self.port}/ws/room{r}", hellos=[hello] * clients) for r in range(rooms)
        ]

    def stop(self) -> None:
        load.stop_process(self.process)


def run_server(argv: list[str]) -> None:
    port = int(argv[argv.index("--port") + 1])
    try:
        import uvloop  # what uvicorn runs Atelier on, when installed: same loop for both

        uvloop.run(serve(port))
    except ImportError:
        asyncio.run(serve(port))


if __name__ == "__main__":
    if "--serve" in sys.argv:
        with contextlib.suppress(KeyboardInterrupt):
            run_server(sys.argv)
        sys.exit(0)
    arguments = load.parse_args(__doc__.splitlines()[0])
    sys.exit(load.main(BaselineTarget(), arguments))
