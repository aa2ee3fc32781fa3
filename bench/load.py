"""The load generator shared by bench/realtime.py (Atelier) and bench/baseline_relay.py (bare relay).

Both servers speak the same few frames of docs/protocol.md:

    → {"type":"hello","token":…,"last_seq":0,"html":false}        ← … {"type":"synced"}
    → {"type":"card.drag","card_id","desirability","feasibility"}  ← others get "card.dragging"
    → {"type":"card.create","id","title"}                          ← sender gets "ack", everyone "event"

so everything here is shared; what differs (starting the server, making rooms and members)
lives in a small `Target` adapter in each entry script.

All clients live in this one asyncio process. Latency is measured without trusting any clock
but ours: a drag carries a unique value (`desirability` = k/1e6) and a creation a unique id; the
send time of each is kept in a dict and looked up when a client receives it.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import os
import platform
import resource
import signal
import socket
import subprocess
import sys
import time
import uuid
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Protocol

from websockets.asyncio.client import ClientConnection, connect
from websockets.client import ClientProtocol
from websockets.exceptions import ConnectionClosed
from websockets.extensions.permessage_deflate import ClientPerMessageDeflateFactory
from websockets.frames import Frame, Opcode
from websockets.uri import parse_uri

BENCH_DIR = Path(__file__).resolve().parent
ROOT = BENCH_DIR.parent
RESULTS_DIR = BENCH_DIR / "results"
CLK_TCK = os.sysconf("SC_CLK_TCK")
CONNECT_CONCURRENCY = 64
KEEPALIVE_S = 25.0  # Atelier closes a socket silent for 60 s: the receivers ping now and then
DRAIN_QUIET_S = 0.5  # after the last send, stop once nothing arrived for this long…
DRAIN_MAX_S = 5.0  # …or after this long at most
DEFAULT_RATE = {"drag": 20.0, "create": 5.0}
CREATORS_PER_ROOM = 2


# -- the adapters' interface ---------------------------------------------------------------------


@dataclass
class RoomPlan:
    """One room as the load generator needs it: where to connect and what each client says first."""

    url: str
    hellos: list[str]  # one hello frame per client, index 0 first
    card_id: str = field(default_factory=lambda: uuid.uuid4().hex)


class Target(Protocol):
    name: str
    process: subprocess.Popen[bytes] | None

    def start(self, port: int) -> None:
        """Start the server subprocess and return once it answers."""

    async def prepare(self, rooms: int, clients: int) -> list[RoomPlan]:
        """Make the rooms and their members; the frames to connect with."""

    def stop(self) -> None:
        """Stop the server, whatever state it is in."""


# -- subprocesses --------------------------------------------------------------------------------


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def spawn(argv: list[str], env: dict[str, str] | None = None) -> subprocess.Popen[bytes]:
    # A session of its own: stop_process() can end the server and anything it started.
    return subprocess.Popen(argv, cwd=ROOT, env=env, start_new_session=True)


def stop_process(process: subprocess.Popen[bytes] | None) -> None:
    if process is None or process.poll() is not None:
        return
    for sig, wait in ((signal.SIGTERM, 10.0), (signal.SIGKILL, 5.0)):
        with contextlib.suppress(ProcessLookupError):
            os.killpg(process.pid, sig)
        try:
            process.wait(wait)
            return
        except subprocess.TimeoutExpired:
            continue


def wait_for_port(port: int, process: subprocess.Popen[bytes], timeout: float = 30.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"server exited with code {process.returncode} before listening")
        with contextlib.suppress(OSError), socket.create_connection(("127.0.0.1", port), timeout=0.5):
            return
        time.sleep(0.1)
    raise RuntimeError(f"server not listening on port {port} after {timeout:.0f} s")


def cpu_seconds(pid: int) -> float:
    """utime + stime of a process (all its threads), from /proc/<pid>/stat."""
    with open(f"/proc/{pid}/stat") as stat:
        fields = stat.read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / CLK_TCK  # fields 14 and 15 of proc(5)


def machine_busy_seconds() -> float:
    """CPU time all processes of the machine spent busy (all cores), from /proc/stat."""
    with open("/proc/stat") as stat:
        fields = [int(value) for value in stat.readline().split()[1:]]
    idle = fields[3] + fields[4]  # idle + iowait
    return (sum(fields[:8]) - idle) / CLK_TCK  # user … steal; guest time is already in user


def self_cpu_seconds() -> float:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


# -- measurement ---------------------------------------------------------------------------------


def summary(values: list[float]) -> dict[str, float | int | None]:
    """Nearest-rank percentiles of latencies in seconds, reported in milliseconds."""
    if not values:
        return {"count": 0, "p50": None, "p90": None, "p99": None, "max": None}
    ordered = sorted(values)

    def rank(q: float) -> float:
        return round(ordered[min(len(ordered) - 1, max(0, int(q * len(ordered) + 0.999999) - 1))] * 1000, 3)

    return {"count": len(ordered), "p50": rank(0.5), "p90": rank(0.9), "p99": rank(0.99), "max": rank(1.0)}


@dataclass
class Recorder:
    window_start: float = float("inf")
    window_end: float = float("inf")  # last send of the window
    drag_sent: dict[int, tuple[float, int]] = field(default_factory=dict)  # k → (time, sender id)
    create_sent: dict[str, tuple[float, int]] = field(default_factory=dict)  # op id → (time, sender id)
    drag_latency: list[float] = field(default_factory=list)
    ack_latency: list[float] = field(default_factory=list)
    event_latency: list[float] = field(default_factory=list)
    relayed: set[int] = field(default_factory=set)
    frames: Counter[str] = field(default_factory=Counter)  # frames received in the window, by type
    errors: Counter[str] = field(default_factory=Counter)
    own_events: int = 0  # events echoed to the client that made the operation
    closed: int = 0
    last_receive: float = 0.0
    sent: int = 0


class LeanConnection(asyncio.Protocol):
    """A WebSocket client on websockets' sans-I/O protocol, straight on an asyncio transport.

    Frames are handled inside data_received: no per-message task, queue or future, so the load
    generator spends a fraction of what the asyncio client costs per received message (it has to
    read ≈ 40 000 messages a second at 200 rooms, on the same two cores as the server).
    """

    def __init__(self, on_message: Callable[[str, float], None], on_closed: Callable[[], None]) -> None:
        self.on_message, self.on_closed = on_message, on_closed
        self.transport: asyncio.Transport | None = None
        self.protocol: ClientProtocol | None = None
        self.opened: asyncio.Future[None] = asyncio.get_running_loop().create_future()

    async def open(self, url: str, deflate: bool) -> None:
        uri = parse_uri(url)
        extensions = [ClientPerMessageDeflateFactory()] if deflate else None
        self.protocol = ClientProtocol(uri, extensions=extensions, max_size=2**20)
        await asyncio.get_running_loop().create_connection(lambda: self, uri.host, uri.port)
        assert self.transport is not None
        self.protocol.send_request(self.protocol.connect())
        self.flush()
        await asyncio.wait_for(self.opened, 60)

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        self.transport = transport  # type: ignore[assignment]  # uvloop's are no asyncio.Transport

    def data_received(self, data: bytes) -> None:
        now = time.monotonic()
        assert self.protocol is not None
        self.protocol.receive_data(data)
        for event in self.protocol.events_received():
            if isinstance(event, Frame):
                if event.opcode is Opcode.TEXT:
                    self.on_message(event.data.decode(), now)
            elif not self.opened.done():  # the handshake's response
                if self.protocol.handshake_exc is not None:
                    self.opened.set_exception(self.protocol.handshake_exc)
                else:
                    self.opened.set_result(None)
        self.flush()  # pongs, close frames

    def flush(self) -> None:
        assert self.protocol is not None and self.transport is not None
        for chunk in self.protocol.data_to_send():
            if chunk:
                self.transport.write(chunk)
            elif self.transport.can_write_eof():  # b"" asks for the end of the stream
                self.transport.write_eof()

    def connection_lost(self, exc: Exception | None) -> None:
        if not self.opened.done():
            self.opened.set_exception(ConnectionError("closed during the handshake"))
        self.on_closed()

    async def send(self, text: str) -> None:
        assert self.protocol is not None
        if self.transport is None or self.transport.is_closing():
            return
        self.protocol.send_text(text.encode())
        self.flush()

    async def close(self) -> None:
        if self.transport is None or self.transport.is_closing():
            return
        assert self.protocol is not None
        with contextlib.suppress(Exception):
            self.protocol.send_close(1000)  # a polite goodbye: the server logs no error
            self.flush()
        await asyncio.sleep(0.2)
        self.transport.close()


class AsyncioConnection:
    """The websockets asyncio client (--client asyncio): heavier per message, for cross-checks."""

    def __init__(self, on_message: Callable[[str, float], None], on_closed: Callable[[], None]) -> None:
        self.on_message, self.on_closed = on_message, on_closed
        self.ws: ClientConnection | None = None
        self.reader: asyncio.Task[None] | None = None

    async def open(self, url: str, deflate: bool) -> None:
        compression = "deflate" if deflate else None
        self.ws = await connect(url, compression=compression, ping_interval=None, max_size=2**20, open_timeout=60)
        self.reader = asyncio.create_task(self.read())

    async def read(self) -> None:
        assert self.ws is not None
        with contextlib.suppress(ConnectionClosed):
            async for raw in self.ws:
                self.on_message(raw if isinstance(raw, str) else raw.decode(), time.monotonic())
        self.on_closed()

    async def send(self, text: str) -> None:
        assert self.ws is not None
        with contextlib.suppress(ConnectionClosed):
            await self.ws.send(text)

    async def close(self) -> None:
        if self.reader is not None:
            self.reader.cancel()
        if self.ws is not None:
            with contextlib.suppress(Exception):
                await asyncio.wait_for(self.ws.close(), 5)


class Client:
    def __init__(self, ident: int, room: int, index: int, recorder: Recorder) -> None:
        self.ident, self.room, self.index, self.recorder = ident, room, index, recorder
        self.conn: LeanConnection | AsyncioConnection | None = None
        self.pending: dict[str, asyncio.Future[None]] = {}  # setup waiting for "synced" or an ack
        self.finished = False

    async def join(self, url: str, hello: str, deflate: bool, kind: str) -> None:
        connection = LeanConnection if kind == "lean" else AsyncioConnection
        self.conn = connection(self.on_message, self.on_closed)
        await self.conn.open(url, deflate)
        synced: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        self.pending["synced"] = synced
        await self.conn.send(hello)
        await asyncio.wait_for(synced, 60)

    async def send(self, text: str) -> None:
        assert self.conn is not None
        await self.conn.send(text)

    def on_message(self, raw: str, now: float) -> None:
        rec = self.recorder
        message = json.loads(raw)
        kind = message.get("type")
        if kind == "card.dragging":
            k = round(message["desirability"] * 1e6) + round(message["feasibility"] * 1e6) * 1_000_000
            sent = rec.drag_sent.get(k)
            if sent is not None:
                rec.drag_latency.append(now - sent[0])
                rec.relayed.add(k)
        elif kind == "event":
            sent = rec.create_sent.get(message.get("id"))
            if sent is not None:
                if sent[1] != self.ident:
                    rec.event_latency.append(now - sent[0])
                else:
                    rec.own_events += 1
        elif kind == "ack":
            self.settle(message.get("id"))
            sent = rec.create_sent.get(message.get("id"))
            if sent is not None:
                rec.ack_latency.append(now - sent[0])
        elif kind == "synced":
            self.settle("synced")
        elif kind == "error":
            rec.errors[message.get("code", "?")] += 1
            self.settle(message.get("id", "synced"), RuntimeError(f"refused: {message}"))
        if now >= rec.window_start:
            rec.frames[kind] += 1
            rec.last_receive = now

    def settle(self, key: str | None, error: Exception | None = None) -> None:
        waiter = self.pending.pop(key, None) if key is not None else None
        if waiter is not None and not waiter.done():
            if error is None:
                waiter.set_result(None)
            else:
                waiter.set_exception(error)

    def on_closed(self) -> None:
        if not self.finished:
            self.recorder.closed += 1
        for key in list(self.pending):
            self.settle(key, ConnectionError("connection closed"))

    async def request(self, frame: dict[str, Any]) -> None:
        """Send a durable frame and wait for its ack (setup only)."""
        waiter: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        self.pending[frame["id"]] = waiter
        await self.send(json.dumps(frame))
        await asyncio.wait_for(waiter, 30)

    async def keepalive(self) -> None:
        while True:
            await asyncio.sleep(KEEPALIVE_S)
            await self.send('{"type":"ping"}')

    async def close(self) -> None:
        self.finished = True
        if self.conn is not None:
            await self.conn.close()


async def loop_lag(samples: list[float], stop: asyncio.Event) -> None:
    """How late this process's event loop wakes up: if it is late, so are the latencies we measure."""
    while not stop.is_set():
        before = time.monotonic()
        await asyncio.sleep(0.01)
        samples.append(time.monotonic() - before - 0.01)


# -- scenarios -----------------------------------------------------------------------------------


async def drag_sender(client: Client, card_id: str, rate: float, counter: list[int], start: float, end: float) -> None:
    rec, interval = client.recorder, 1.0 / rate
    next_at = start + (client.room % 97) / 97 * interval  # spread the rooms over one interval
    while next_at < end:
        await asyncio.sleep(max(0.0, next_at - time.monotonic()))
        k = counter[0]
        counter[0] += 1
        frame = {
            "type": "card.drag",
            "card_id": card_id,
            "desirability": (k % 1_000_000) / 1e6,
            "feasibility": (k // 1_000_000) / 1e6,
        }
        now = time.monotonic()
        if now >= rec.window_start:
            rec.drag_sent[k] = (now, client.ident)
            rec.sent += 1
        await client.send(json.dumps(frame))
        next_at = max(next_at + interval, time.monotonic())  # late: do not burst to catch up


async def create_sender(client: Client, rate: float, start: float, end: float, slot: int) -> None:
    rec, interval = client.recorder, 1.0 / rate
    next_at = start + ((client.room * CREATORS_PER_ROOM + slot) % 97) / 97 * interval
    n = 0
    while next_at < end:
        await asyncio.sleep(max(0.0, next_at - time.monotonic()))
        op_id = uuid.uuid4().hex
        n += 1
        frame = {"type": "card.create", "id": op_id, "title": f"Carte {client.ident}-{n}"}
        now = time.monotonic()
        if now >= rec.window_start:
            rec.create_sent[op_id] = (now, client.ident)
            rec.sent += 1
        await client.send(json.dumps(frame))
        next_at = max(next_at + interval, time.monotonic())


async def run_load(target: Target, args: argparse.Namespace) -> dict[str, Any]:
    rec = Recorder()
    rate = args.rate or DEFAULT_RATE[args.scenario]
    t0 = time.monotonic()
    plans = await target.prepare(args.rooms, args.clients)
    prepared_s = time.monotonic() - t0

    clients = [[Client(r * args.clients + i, r, i, rec) for i in range(args.clients)] for r in range(args.rooms)]
    gate = asyncio.Semaphore(CONNECT_CONCURRENCY)

    async def join(client: Client, plan: RoomPlan) -> None:
        async with gate:
            await client.join(plan.url, plan.hellos[client.index], args.offer_deflate, args.client)

    tasks: list[asyncio.Future[Any]] = []
    profiler: subprocess.Popen[bytes] | None = None
    try:
        await asyncio.gather(*(join(c, plans[c.room]) for room in clients for c in room))
        tasks += [asyncio.create_task(c.keepalive()) for room in clients for c in room]
        connected_s = time.monotonic() - t0 - prepared_s
        if args.scenario == "drag":  # the card to move must exist
            await asyncio.gather(
                *(room[0].request({"type": "card.create", "id": plans[r].card_id, "title": "Carte glissée"})
                  for r, room in enumerate(clients))
            )  # fmt: skip
        await asyncio.sleep(0.5)  # let the presence and setup frames settle

        lag: list[float] = []
        stop_lag = asyncio.Event()
        lag_task = asyncio.create_task(loop_lag(lag, stop_lag))
        start = time.monotonic() + 0.05
        window_start = start + args.warmup
        end = window_start + args.seconds
        if args.scenario == "drag":
            counter = [0]
            senders = [
                drag_sender(room[1], plans[r].card_id, rate, counter, start, end) for r, room in enumerate(clients)
            ]
        else:
            senders = [
                create_sender(room[1 + slot], rate, start, end, slot)
                for room in clients
                for slot in range(CREATORS_PER_ROOM)
            ]
        sender_task = asyncio.gather(*senders)
        tasks.append(sender_task)
        await asyncio.sleep(max(0.0, window_start - time.monotonic()))
        rec.window_start = time.monotonic()
        lag.clear()
        assert target.process is not None
        server_cpu0, self_cpu0, busy0 = cpu_seconds(target.process.pid), self_cpu_seconds(), machine_busy_seconds()
        if args.profile:
            profiler = start_profiler(target.process.pid, args.profile, args.seconds)
        await sender_task
        rec.window_end = time.monotonic()
        # Drain: wait until the deliveries stop.
        while time.monotonic() - rec.window_end < DRAIN_MAX_S:
            await asyncio.sleep(0.1)
            if time.monotonic() - max(rec.last_receive, rec.window_end) >= DRAIN_QUIET_S:
                break
        measured_end = time.monotonic()
        server_cpu = cpu_seconds(target.process.pid) - server_cpu0
        self_cpu = self_cpu_seconds() - self_cpu0
        other_cpu = machine_busy_seconds() - busy0 - server_cpu - self_cpu
        stop_lag.set()
        await lag_task
        if profiler is not None:
            with contextlib.suppress(subprocess.TimeoutExpired):
                profiler.wait(30)  # py-spy writes its file when its --duration is over
    finally:
        stop_process(profiler)
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)
        await asyncio.gather(*(c.close() for room in clients for c in room), return_exceptions=True)

    return report(
        target.name, args, rec, rate, server_cpu, self_cpu, other_cpu, measured_end, lag, prepared_s, connected_s
    )


PROFILE_FORMATS = {".json": "speedscope", ".txt": "raw", ".svg": "flamegraph"}


def start_profiler(pid: int, path: str, seconds: float) -> subprocess.Popen[bytes] | None:
    py_spy = ROOT / ".venv" / "bin" / "py-spy"
    if not py_spy.exists():
        print("--profile: py-spy not installed (.venv/bin/pip install py-spy); no profile", file=sys.stderr)
        return None
    argv = [str(py_spy), "record", "--pid", str(pid), "--duration", str(int(seconds)), "--output", path,
            "--format", PROFILE_FORMATS.get(Path(path).suffix, "flamegraph"), "--nonblocking"]  # fmt: skip
    return subprocess.Popen(argv, stdout=subprocess.DEVNULL, start_new_session=True)


def app_commit() -> str | None:
    """The commit the server ran, with "+dirty" when app/ had uncommitted changes."""
    try:
        head = subprocess.run(
            ["git", "rev-parse", "--short", "HEAD"], cwd=ROOT, capture_output=True, text=True, check=True
        )
        dirty = subprocess.run(["git", "status", "--porcelain", "--", "app"], cwd=ROOT, capture_output=True, text=True)
    except (OSError, subprocess.CalledProcessError):
        return None
    return head.stdout.strip() + ("+dirty" if dirty.stdout.strip() else "")


def report(
    name: str,
    args: argparse.Namespace,
    rec: Recorder,
    rate: float,
    server_cpu: float,
    self_cpu: float,
    other_cpu: float,
    measured_end: float,
    lag: list[float],
    prepared_s: float,
    connected_s: float,
) -> dict[str, Any]:
    wall = measured_end - rec.window_start
    others = args.clients - 1
    result: dict[str, Any] = {
        "target": name,
        "scenario": args.scenario,
        "rooms": args.rooms,
        "clients": args.clients,
        "seconds": args.seconds,
        "rate_per_sender": rate,
        "senders_per_room": 1 if args.scenario == "drag" else CREATORS_PER_ROOM,
        "client_offers_deflate": args.offer_deflate,
        "when": time.strftime("%Y-%m-%dT%H:%M:%S%z"),
        "app_commit": args.app_commit,
        "host": {
            "cpus": os.cpu_count(),
            "python": platform.python_version(),
            "loadgen_loop": type(asyncio.get_running_loop()).__module__.split(".")[0],
            "loadgen_client": args.client,
        },
        "setup_s": {"rooms_and_members": round(prepared_s, 2), "connect": round(connected_s, 2)},
        "sent": rec.sent,
        "frames_received": dict(rec.frames),
        "errors": dict(rec.errors),
        "connections_closed_early": rec.closed,
    }
    if args.scenario == "drag":
        delivered = len(rec.drag_latency)
        result |= {
            "relayed": len(rec.relayed),
            "coalesced_away": rec.sent - len(rec.relayed),
            "delivered": delivered,
            "expected_from_relayed": len(rec.relayed) * others,
            "latency_ms": {"delivery": summary(rec.drag_latency)},
        }
    else:
        delivered = len(rec.ack_latency) + len(rec.event_latency) + rec.own_events
        result |= {
            "delivered": delivered,
            "delivered_note": "acks + events at the other clients + the event echoed to the sender",
            "expected": rec.sent * (1 + args.clients),
            "latency_ms": {"ack": summary(rec.ack_latency), "broadcast": summary(rec.event_latency)},
        }
    result |= {
        "measured_wall_s": round(wall, 3),
        "delivered_per_s": round(delivered / wall, 1) if wall > 0 else None,
        "server_cpu_s": round(server_cpu, 3),
        "server_cpu_util": round(server_cpu / wall, 3) if wall > 0 else None,
        "server_cpu_us_per_delivered": round(server_cpu / delivered * 1e6, 2) if delivered else None,
        "loadgen_cpu_s": round(self_cpu, 3),
        "loadgen_cpu_util": round(self_cpu / wall, 3) if wall > 0 else None,
        "loadgen_loop_lag_ms": summary(lag),
        # Everything else the machine ran meanwhile (other jobs, the kernel's network work not
        # charged to either process): high values mean a noisy measurement.
        "other_cpu_util": round(max(0.0, other_cpu) / wall, 3) if wall > 0 else None,
    }
    result["warnings"] = noise_warnings(result)
    return result


# -- output --------------------------------------------------------------------------------------


def config_key(result: dict[str, Any]) -> str:
    deflate = " deflate" if result.get("client_offers_deflate") else ""
    shape = f"{result['rooms']}x{result['clients']} {result['seconds']:g}s {result['rate_per_sender']:g}/s"
    return f"{result['scenario']} {shape}{deflate}"


def fmt(value: Any) -> str:
    if value is None:
        return "-"
    if isinstance(value, float):
        return f"{value:.2f}" if value < 100 else f"{value:.0f}"
    return str(value)


def print_table(result: dict[str, Any], other: dict[str, Any] | None) -> None:
    print(f"\n{result['target']} · {config_key(result)} per sender")
    print(f"  sent {result['sent']}  delivered {result['delivered']}  ({fmt(result['delivered_per_s'])}/s)", end="")
    if result["scenario"] == "drag":
        print(f"  relayed {result['relayed']}  coalesced away {result['coalesced_away']}", end="")
    print(f"  errors {result['errors'] or 0}  closed {result['connections_closed_early']}")
    print(f"  {'latency (ms)':<22}{'p50':>9}{'p90':>9}{'p99':>9}{'max':>9}{'count':>9}")
    for name, stats in result["latency_ms"].items():
        row = "".join(f"{fmt(stats[q]):>9}" for q in ("p50", "p90", "p99", "max", "count"))
        print(f"  {name:<22}{row}")
    lag = result["loadgen_loop_lag_ms"]
    print(f"  {'loadgen loop lag':<22}{fmt(lag['p50']):>9}{fmt(lag['p90']):>9}{fmt(lag['p99']):>9}{fmt(lag['max']):>9}")
    print(
        f"  server CPU {result['server_cpu_s']:.2f} s ({result['server_cpu_util']:.0%} of a core)"
        f" = {fmt(result['server_cpu_us_per_delivered'])} µs per delivered message;"
        f" load generator {result['loadgen_cpu_util']:.0%};"
        f" rest of the machine {result['other_cpu_util']:.0%} of a core"
    )
    for warning in result["warnings"]:
        print(f"  ! {warning}")
    if other is not None:
        print(f"  vs {other['target']} (latest.json, {other['when']}):")
        for name, stats in result["latency_ms"].items():
            theirs = other["latency_ms"].get(name)
            if theirs:
                ratios = "  ".join(f"{q} ×{ratio(stats[q], theirs[q])}" for q in ("p50", "p99"))
                print(f"    {name}: {ratios}")
        print(
            f"    CPU per message ×{ratio(result['server_cpu_us_per_delivered'], other['server_cpu_us_per_delivered'])}"
        )


def noise_warnings(result: dict[str, Any]) -> list[str]:
    """Why the latencies of this run may say more about the machine than about the server."""
    warnings = []
    if (result["other_cpu_util"] or 0) > 0.3:
        warnings.append(f"other work used {result['other_cpu_util']:.0%} of a core meanwhile: latencies are noisy")
    if (result["loadgen_loop_lag_ms"]["p99"] or 0) > 10:
        warnings.append("the load generator's loop was late (lag p99 > 10 ms): its latencies include its own delay")
    asked = result["rate_per_sender"] * result["senders_per_room"] * result["rooms"] * result["seconds"]
    if result["sent"] < 0.95 * asked:
        warnings.append("fewer frames sent than asked: the load generator could not keep the rate")
    return warnings


def ratio(a: float | None, b: float | None) -> str:
    if a is None or not b:
        return "-"
    return f"{a / b:.1f}" if a / b >= 1 else f"{a / b:.2f}"


def save(result: dict[str, Any]) -> tuple[Path, dict[str, Any] | None]:
    """Write results/<target>-<scenario>-<time>.json and merge into results/latest.json."""
    RESULTS_DIR.mkdir(exist_ok=True)
    stamp = time.strftime("%Y%m%d-%H%M%S")
    prefix = "" if result["target"] == "atelier" else f"{result['target']}-"
    path = RESULTS_DIR / f"{prefix}{result['scenario']}-{stamp}.json"
    path.write_text(json.dumps(result, indent=2, ensure_ascii=False) + "\n")
    latest_path = RESULTS_DIR / "latest.json"
    latest: dict[str, Any] = json.loads(latest_path.read_text()) if latest_path.exists() else {}
    latest[f"{result['target']} {config_key(result)}"] = result
    latest_path.write_text(json.dumps(dict(sorted(latest.items())), indent=2, ensure_ascii=False) + "\n")
    other_name = "baseline" if result["target"] == "atelier" else "atelier"
    return path, latest.get(f"{other_name} {config_key(result)}")


# -- entry point ---------------------------------------------------------------------------------


def parse_args(description: str, argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=description)
    parser.add_argument("--scenario", choices=["drag", "create"], default="drag")
    parser.add_argument("--rooms", type=int, default=50)
    parser.add_argument("--clients", type=int, default=12, help="clients per room (≥ 3)")
    parser.add_argument("--seconds", type=float, default=10.0, help="measured duration")
    parser.add_argument("--warmup", type=float, default=1.0, help="load before the measurement starts")
    parser.add_argument("--rate", type=float, default=None, help="sends per second per sender (drag 20, create 5)")
    parser.add_argument("--port", type=int, default=0, help="server port (default: a free one)")
    parser.add_argument("--offer-deflate", action="store_true", help="clients offer permessage-deflate, as browsers do")
    parser.add_argument(
        "--profile",
        metavar="PATH",
        help="py-spy record the server over the window (.svg, speedscope .json, collapsed .txt)",
    )
    parser.add_argument(
        "--client",
        choices=["lean", "asyncio"],
        default="lean",
        help="client connections: websockets sans-I/O on asyncio (default) or its asyncio client",
    )
    parser.add_argument("--no-uvloop", action="store_true", help="plain asyncio loop for the load generator")
    parser.add_argument("--no-save", action="store_true", help="print only; write no results file")
    args = parser.parse_args(argv)
    if args.clients < 3:
        parser.error("--clients must be at least 3 (one sender, two creators, receivers)")
    if args.scenario == "create" and (args.rate or DEFAULT_RATE["create"]) * (args.seconds + args.warmup) > 400:
        parser.error("create: rate × seconds would pass Atelier's 500 cards per room")
    return args


def main(target: Target, args: argparse.Namespace) -> int:
    """Run one scenario against `target`; the server is stopped on every way out."""

    def on_signal(signum: int, _frame: object) -> None:
        raise SystemExit(128 + signum)

    for signum in (signal.SIGTERM, signal.SIGHUP, signal.SIGINT):
        signal.signal(signum, on_signal)  # SystemExit runs the finally blocks: the server is stopped
    run = asyncio.run
    if not args.no_uvloop:
        with contextlib.suppress(ImportError):
            import uvloop  # uvicorn runs on it here; the load generator may as well

            run = uvloop.run
    args.app_commit = app_commit()  # what the server is about to load
    try:
        target.start(args.port or free_port())
        result = run(run_load(target, args))
    finally:
        target.stop()
    other = None
    if not args.no_save:
        path, other = save(result)
    print_table(result, other)
    if not args.no_save:
        print(f"  → {path.relative_to(ROOT)} and bench/results/latest.json")
    return 0


def summary_table(latest: dict[str, Any]) -> str:
    """A Markdown table of results/latest.json, Atelier beside the baseline for each configuration."""
    lines = [
        "| configuration | server | latency p50 / p90 / p99 / max (ms) | delivered | server CPU µs/msg | "
        "server core | loadgen core | rest of machine |",
        "|---|---|---|---|---|---|---|---|",
    ]
    for result in sorted(latest.values(), key=lambda r: (r["scenario"], r["rooms"], config_key(r), r["target"])):
        for name, stats in result["latency_ms"].items():
            latency = " / ".join(fmt(stats[q]) for q in ("p50", "p90", "p99", "max"))
            lines.append(
                f"| {config_key(result)} | {result['target']} ({name}) | {latency} | {result['delivered']} | "
                f"{fmt(result['server_cpu_us_per_delivered'])} | {result['server_cpu_util']:.0%} | "
                f"{result['loadgen_cpu_util']:.0%} | {result['other_cpu_util']:.0%} |"
            )
    return "\n".join(lines)


if __name__ == "__main__":  # print results/latest.json as a table
    print(summary_table(json.loads((RESULTS_DIR / "latest.json").read_text())))
