"""Malformed-frame fuzz against a live server: bad input never crashes a room, nor slows another one.

A seeded generator sends frames to one atelier of a uvicorn subprocess over several connections that
reconnect whenever the server closes them: malformed and truncated JSON, oversized frames (> 64 KiB),
wrongly typed and missing fields, unknown types, non-objects, deep nesting, lone surrogates, binary
frames, frames before `hello` and a second `hello`, Yjs updates whose predecessors never came (out of
order), and valid operations between them so the state keeps moving. Meanwhile a client in another
atelier measures `ping` → `pong` round trips. Then:

- the server process is alive, its log has no traceback and no ERROR line;
- the other atelier's median round trip stayed within a generous bound of its median without fuzzing;
- the fuzzed atelier still works (a fresh client's operation is acknowledged), its deliverable JSON
  validates against docs/deliverable.schema.json, and after a restart it loads to the same state.

CI: 20,000 frames; `--faults=full`: 100,000 or more. `--seed N` changes every draw.
"""

from __future__ import annotations

import asyncio
import base64
import contextlib
import json
import random
import statistics
import string
import sys
import time
from collections import Counter
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any, ClassVar

import httpx
import jsonschema
import pytest
from fault_run import FaultRun
from live_server import ROOT, Server, free_port
from protocol_model import OPERATION_TYPES, Replica, random_operation
from pycrdt import Doc, Text
from socket_clients import bearer, create_atelier, join, server_state
from websockets.asyncio.client import connect
from websockets.exceptions import WebSocketException
from websockets.sync.client import connect as sync_connect

from app.realtime.protocol import MAX_FRAME_BYTES

CONNECTIONS = 4
FRAMES_PER_CONNECTION = 150  # then a new connection: fresh rate-limit buckets, so rules are reached too

Payload = str | bytes
ALL_TYPES = OPERATION_TYPES  # every durable operation type of the protocol


@pytest.fixture
def server(tmp_path: Path) -> Iterator[Server]:
    live = Server(port=free_port(), database=tmp_path / "fuzz.db", log_path=tmp_path / "server.log")
    live.start()
    try:
        yield live
    finally:
        live.stop()


# -- the frames ------------------------------------------------------------------------------


def yjs_updates(count: int, rng: random.Random) -> list[str]:
    """`count` successive updates of one document: sent out of order, the later ones miss their past."""
    doc: Doc[Text] = Doc()
    doc["text"] = text = Text()
    updates = []
    for _ in range(count):
        before = doc.get_state()
        text.insert(rng.randint(0, len(str(text))), rng.choice(["abc ", "é ", "🙂"]))
        updates.append(base64.b64encode(doc.get_update(before)).decode("ascii"))
    return updates


ODD_VALUES: list[Any] = [None, 0, -1, 2**70, 1.5, -0.0, "", "x" * 3000, [], {}, [[[]]], True, {"$ne": 1}, "\x00"]


class FrameMaker:
    """Seeded bad (and some good) frames for one atelier."""

    def __init__(self, rng: random.Random, replica: Replica, view: dict[str, Any], members: list[str]) -> None:
        self.rng, self.replica, self.view, self.members = rng, replica, view, members
        self.kinds: Counter[str] = Counter()

    def valid(self) -> dict[str, Any]:
        frame = random_operation(self.rng, self.replica, self.view, self.members, ALL_TYPES)
        self.replica.outbox.clear()  # the fuzzer keeps no outbox: it never re-sends
        return frame

    def make(self) -> Payload:
        kind, build, _ = self.rng.choices(self.BUILDERS, weights=[weight for *_, weight in self.BUILDERS])[0]
        self.kinds[kind] += 1
        return build(self)

    # each builder: one kind of bad frame

    def _truncated(self) -> Payload:
        text = json.dumps(self.valid(), ensure_ascii=False)
        return text[: self.rng.randint(0, len(text) - 1)]

    def _garbage(self) -> Payload:
        alphabet = string.printable + '{}[]":,é€\u2028'
        return "".join(self.rng.choices(alphabet, k=self.rng.randint(0, 200)))

    def _oversized(self) -> Payload:
        frame = self.valid()
        frame["title"] = "o" * (MAX_FRAME_BYTES + self.rng.randint(1, 4096))
        return json.dumps(frame)

    def _wrong_type(self) -> Payload:
        frame = self.valid()
        field = self.rng.choice(list(frame))
        frame[field] = self.rng.choice(ODD_VALUES)
        return json.dumps(frame, ensure_ascii=self.rng.random() < 0.5)

    def _missing_or_extra(self) -> Payload:
        frame = self.valid()
        if self.rng.random() < 0.5 and len(frame) > 1:
            del frame[self.rng.choice([key for key in frame if key != "type"] or ["type"])]
        else:
            frame[self.rng.choice(["extra", "__proto__", "seq", "actor"])] = self.rng.choice(ODD_VALUES)
        return json.dumps(frame)

    def _not_a_frame(self) -> Payload:
        return self.rng.choice(
            [
                "[]",
                "null",
                "42",
                '"hello"',
                '{"type": 7}',
                '{"type": null, "id": "x"}',
                '{"type": "card.explode", "id": "x"}',
                '{"type": "' + "t" * 5000 + '"}',
                '{"type":"ping","t":NaN}',
                '{"type":"card.place","id":"n1","card_id":"c","desirability":Infinity,"feasibility":0.5}',
                '{"type":"ping"}{"type":"ping"}',
                "\ufeff{}",
            ]
        )

    def _deep(self) -> Payload:
        depth = self.rng.choice([100, 1000, 50_000])
        inner = "[" * depth + "]" * depth
        return self.rng.choice([inner, '{"type":"card.create","id":"d1","title":' + inner + "}"])

    def _surrogates(self) -> Payload:
        frame = self.valid()
        text_fields = [key for key, value in frame.items() if isinstance(value, str) and key not in ("type", "id")]
        field = self.rng.choice(text_fields or ["title"])
        return json.dumps(frame)[:-1] + f', "{field}": "bad \\ud800 \\udfff end"' + "}"

    def _binary(self) -> Payload:
        if self.rng.random() < 0.5:
            return json.dumps(self.valid()).encode()
        return bytes(self.rng.getrandbits(8) for _ in range(self.rng.randint(0, 300)))

    def _out_of_order(self) -> Payload:
        choice = self.rng.random()
        if choice < 0.3:  # a second hello on a live connection
            return json.dumps({"type": "hello", "token": self.replica.token, "last_seq": self.rng.choice([0, 10**12])})
        if choice < 0.6:  # a Yjs update whose predecessors never came
            field = self.rng.choice(["notes:0", "notes:1", "compte_rendu"])
            update = self.rng.choice(yjs_updates(4, self.rng)[1:])
            return json.dumps({"type": "text.update", "id": self._id(), "field": field, "update": update})
        if choice < 0.8:  # the same id again, with other content
            return json.dumps({"type": "card.create", "id": "same-id", "title": self._word()})
        return json.dumps({"type": "card.update", "id": self._id(), "card_id": "pas-encore", "title": "Avant"})

    def _valid(self) -> Payload:
        return json.dumps(self.valid(), ensure_ascii=False)

    def _id(self) -> str:
        return f"z{self.rng.getrandbits(40):x}"

    def _word(self) -> str:
        return "".join(self.rng.choices(string.ascii_letters, k=8))

    BUILDERS: ClassVar[list[tuple[str, Callable[[FrameMaker], Payload], int]]] = [
        ("truncated", _truncated, 12),
        ("garbage", _garbage, 10),
        ("oversized", _oversized, 1),
        ("wrong_type", _wrong_type, 16),
        ("missing_or_extra", _missing_or_extra, 10),
        ("not_a_frame", _not_a_frame, 8),
        ("deep", _deep, 2),
        ("surrogates", _surrogates, 6),
        ("binary", _binary, 5),
        ("out_of_order", _out_of_order, 10),
        ("valid", _valid, 20),
    ]


# -- the campaign -----------------------------------------------------------------------------


class Fuzzer:
    def __init__(self, url: str, maker: FrameMaker, total: int) -> None:
        self.url, self.maker, self.total = url, maker, total
        self.sent = 0
        self.connections = 0
        self.closes: Counter[int] = Counter()
        self.errors: Counter[str] = Counter()

    async def run(self) -> None:
        while self.sent < self.total:
            try:
                async with connect(self.url, open_timeout=10, close_timeout=1, max_size=None) as ws:
                    self.connections += 1
                    reader = asyncio.create_task(self._read(ws))
                    try:
                        await self._send(ws)
                    finally:
                        reader.cancel()
                        with contextlib.suppress(asyncio.CancelledError, WebSocketException):
                            await reader
            except WebSocketException as closed:
                code = getattr(getattr(closed, "rcvd", None), "code", None)
                self.closes[code or 0] += 1
            except OSError as error:  # the server is gone: the test fails on that below
                raise AssertionError(f"the server stopped answering: {error}") from error

    async def _send(self, ws: Any) -> None:
        rng = self.maker.rng
        if rng.random() < 0.05:  # something else than hello first: refused with 4400
            await ws.send(self.maker.make())
            self.sent += 1
        await ws.send(json.dumps({"type": "hello", "token": self.maker.replica.token, "last_seq": 0}))
        for _ in range(FRAMES_PER_CONNECTION):
            if self.sent >= self.total:
                return
            await ws.send(self.maker.make())
            self.sent += 1
            await asyncio.sleep(0)  # a turn for the other connections (no pause: a yield)
        await ws.close()

    async def _read(self, ws: Any) -> None:
        async for message in ws:
            frame = json.loads(message)
            if frame["type"] == "error":
                self.errors[frame["code"]] += 1


async def ping_round_trips(url: str, token: str, count: int) -> list[float]:
    """`count` ping → pong round trips timed by tests/pinger.py, in a process of its own: the fuzzers
    keep this one busy, and their turn in its event loop must not count as the server's latency."""
    pinger = await asyncio.create_subprocess_exec(
        sys.executable, str(ROOT / "tests" / "pinger.py"), url, token, str(count), stdout=asyncio.subprocess.PIPE
    )
    output, _ = await asyncio.wait_for(pinger.communicate(), 300)
    assert pinger.returncode == 0, "the pinger failed"
    return json.loads(output)  # type: ignore[no-any-return]


async def test_a_hundred_thousand_bad_frames_crash_nothing_and_slow_no_other_room(
    server: Server, fault_run: FaultRun
) -> None:
    total = fault_run.size(ci=20_000, full=100_000)
    rng = random.Random(fault_run.seed)
    fuzzed = create_atelier(server.base_url, format=str(rng.randint(1, 3)), title="Atelier fuzzé")
    quiet = create_atelier(server.base_url, title="Atelier voisin")
    members = [
        join(server.base_url, fuzzed, kind, name) for name, kind in [("Ana", "animateur"), ("Zoé", "participant")]
    ]
    neighbour = join(server.base_url, quiet, "participant", "Voisin")
    view = server_state(server.base_url, fuzzed)["state"]
    member_ids = [m["member_id"] for m in members]
    fuzzers = [
        Fuzzer(
            server.ws_url(fuzzed["id"]),
            FrameMaker(
                random.Random(f"{fault_run.seed}-{index}"),
                Replica(f"f{index}", members[index % 2]["member_id"], members[index % 2]["member_token"], True),
                view,
                member_ids,
            ),
            total // CONNECTIONS,
        )
        for index in range(CONNECTIONS)
    ]
    quiet_url = server.ws_url(quiet["id"])
    before = await ping_round_trips(quiet_url, neighbour["member_token"], 100)

    started = time.monotonic()
    fuzzing = asyncio.gather(*(fuzzer.run() for fuzzer in fuzzers))
    during: list[float] = []
    while not fuzzing.done():  # measure the neighbour for as long as the fuzz lasts
        during += await ping_round_trips(quiet_url, neighbour["member_token"], 100)
    await fuzzing
    took = time.monotonic() - started

    assert server.process is not None and server.process.poll() is None, "the server died"
    log = server.log_text()
    assert "Traceback" not in log and "ERROR" not in log, log[-3000:]
    calm, busy = statistics.median(before), statistics.median(during)
    # Generous: the fuzzers and the server share 2 cores with the test; a blocked loop costs seconds.
    assert busy <= max(5 * calm, calm + 0.05), f"neighbour's median ping {calm * 1000:.2f} → {busy * 1000:.2f} ms"

    # The fuzzed room still works, its deliverable is valid, and it loads again after a restart.
    state_before = check_room_works(server, fuzzed, members[0])
    await asyncio.to_thread(server.restart_hard)
    assert server_state(server.base_url, fuzzed) | {"server_time": None} == state_before | {"server_time": None}

    frames = sum(fuzzer.sent for fuzzer in fuzzers)
    assert frames >= total - CONNECTIONS
    kinds: Counter[str] = sum((f.maker.kinds for f in fuzzers), Counter())
    fault_run.report(
        "frames",
        {
            "frames": frames,
            "by_kind": dict(sorted(kinds.items())),
            "connections": sum(f.connections for f in fuzzers),
            "error_frames": dict(sorted(sum((f.errors for f in fuzzers), Counter()).items())),
            "closes": {str(code): n for code, n in sorted(sum((f.closes for f in fuzzers), Counter()).items())},
            "log_seq": state_before["seq"],
            "neighbour_median_ping_ms_calm": round(calm * 1000, 2),
            "neighbour_median_ping_ms_fuzzed": round(busy * 1000, 2),
            "neighbour_pings_during_fuzz": len(during),
            "seconds": round(took, 1),
        },
    )


def check_room_works(server: Server, atelier: dict[str, Any], member: dict[str, Any]) -> dict[str, Any]:
    """A fresh client's operation is acknowledged; the deliverable validates; the state as it is now."""
    schema = json.loads((ROOT / "docs" / "deliverable.schema.json").read_text(encoding="utf-8"))
    with httpx.Client(base_url=server.base_url, timeout=30) as http:
        deliverable = http.get(
            f"/api/ateliers/{atelier['id']}/deliverable.json", headers=bearer(atelier["animateur_token"])
        )
        assert deliverable.status_code == 200, deliverable.text
    jsonschema.validate(deliverable.json(), schema)
    with sync_connect(server.ws_url(atelier["id"]), open_timeout=10, max_size=None) as ws:
        ws.send(json.dumps({"type": "hello", "token": member["member_token"], "last_seq": 0}))
        ws.send(json.dumps({"type": "card.create", "id": "apres-le-fuzz", "title": "Toujours là"}))
        while (frame := json.loads(ws.recv(timeout=30)))["type"] not in ("ack", "error") or frame.get(
            "id"
        ) != "apres-le-fuzz":
            pass
    assert frame["type"] == "ack", frame
    return server_state(server.base_url, atelier)
