"""Crash campaign: a real server killed with SIGKILL at random moments while an atelier runs.

Several protocol clients (tests/socket_clients.py) run a seeded atelier — cards, matrice moves,
priorities, notes typed through pycrdt, steps, timer — against a uvicorn subprocess. At ≥ 20
moments drawn from the seed (after the n-th settled operation, so the kill lands while others
are in flight) the server gets SIGKILL and is started again on the same file; the clients
reconnect by themselves and re-send what was not acknowledged. Then:

- every acknowledged operation is in the SQLite op log exactly once, at the seq of its ack;
- a refused one is not there at all; at each kill, every operation acknowledged so far is stored;
- every client holds the server's state (its own fold of the events = `GET /state` = a fresh
  snapshot), and the participant's event history is the log's, seq for seq.

`--faults=full` runs 60 kills and many more operations; `--seed N` changes the draw.
"""

from __future__ import annotations

import asyncio
import json
import random
import time
from pathlib import Path
from typing import Any

from fault_run import FaultRun
from live_server import Server, free_port
from protocol_model import Replica, check_exactly_once, check_history, comparable, dumps, random_operation, read_log
from socket_clients import SocketClient, create_atelier, join, server_state, until
from websockets.asyncio.client import connect

# What a Format 1 atelier does, weighted towards what people do most.
CRASH_TYPES = [
    *["card.create"] * 4,
    "card.update",
    *["card.place"] * 3,
    "card.priority",
    "card.delete",
    *["text.update"] * 4,
    "step.goto",
    "step.next",
    "timer.start",
    "timer.pause",
    "timer.add",
    "timer.reset",
]


async def fresh_snapshot(server: Server, atelier_id: str, token: str) -> dict[str, Any]:
    async with connect(server.ws_url(atelier_id), open_timeout=10) as ws:
        await ws.send(dumps({"type": "hello", "token": token, "last_seq": 0}))
        while True:
            frame = json.loads(await asyncio.wait_for(ws.recv(), 10))
            if frame["type"] == "snapshot":
                return frame  # type: ignore[no-any-return]


async def test_sigkill_at_random_moments_loses_no_acknowledged_operation(tmp_path: Path, fault_run: FaultRun) -> None:
    kills = fault_run.size(ci=20, full=60)
    per_client = fault_run.size(ci=30, full=400)
    rng = random.Random(fault_run.seed)  # the kill points; each client draws its script from its own
    server = Server(port=free_port(), database=tmp_path / "crash.db", log_path=tmp_path / "server.log")
    started = time.monotonic()
    await asyncio.to_thread(server.start)
    try:
        atelier = create_atelier(server.base_url)
        people = [("Alex", "animateur"), ("Camille", "animateur"), ("Sam", "animateur"), ("Lou", "participant")]
        members = [join(server.base_url, atelier, kind, name) for name, kind in people]
        replicas = [
            Replica(name.lower(), m["member_id"], m["member_token"], team=m["role"] != "participant")
            for (name, _), m in zip(people, members, strict=True)
        ]
        referent = replicas[0]
        member_ids = [m["member_id"] for m in members]
        counts = dict.fromkeys([r.name for r in replicas], 0)
        scripts = {r.name: random.Random(f"{fault_run.seed}-{r.name}") for r in replicas}

        def script(replica: Replica) -> dict[str, Any] | None:
            if counts[replica.name] >= per_client:
                return None
            counts[replica.name] += 1
            # A participant aims at what the room shows (its own events carry redacted members).
            target = referent if not replica.team and referent.state is not None else replica
            return random_operation(scripts[replica.name], replica, target.targets(), member_ids, CRASH_TYPES)

        changed = asyncio.Event()
        clients = [SocketClient(server.ws_url(atelier["id"]), r, script, changed) for r in replicas]
        tasks = [asyncio.create_task(client.run()) for client in clients]
        total = per_client * len(clients)
        kill_points = sorted(rng.sample(range(2, total - 2), kills))
        in_flight_at_kills = stored_in_flight = 0
        try:
            for point in kill_points:
                await until(changed, lambda point=point: sum(c.settled for c in clients) >= point, f"{point} settled",
                            detail=lambda: "; ".join(c.describe() for c in clients))  # fmt: skip
                in_flight = {(r.member_id, op_id) for r in replicas for op_id in r.outbox}
                await asyncio.to_thread(server.kill)
                stored = {(actor, op_id): seq for seq, actor, op_id, _ in read_log(server.database, atelier["id"])}
                for replica in replicas:  # durability: what was acknowledged is on disk
                    for op_id, seq in replica.acked.items():
                        assert stored.get((replica.member_id, op_id)) == seq, f"{op_id} acked at {seq}, not stored"
                in_flight_at_kills += len(in_flight)
                stored_in_flight += len(in_flight & stored.keys())
                await asyncio.to_thread(server.start)
            await until(changed, lambda: all(c.idle for c in clients), "every script sent and settled")
            final = read_log(server.database, atelier["id"])[-1][0]
            await until(changed, lambda: all(r.last_seq == final for r in replicas), f"every client at seq {final}")
        finally:
            for task in tasks:
                task.cancel()
            await asyncio.gather(*tasks, return_exceptions=True)

        rows = read_log(server.database, atelier["id"])
        figures = check_exactly_once(rows, replicas)

        # Convergence: each client's fold of the events is the server's state, and a fresh snapshot too.
        state = server_state(server.base_url, atelier)
        assert state["seq"] == final
        expected = comparable(state["state"])
        for replica in replicas:
            if replica.team:
                assert replica.view() == expected, f"{replica.name} diverged"
        snapshot = await fresh_snapshot(server, atelier["id"], referent.token)
        assert comparable(snapshot["state"]) == expected
        lou = replicas[3]
        assert lou.history, "the participant received no event"
        check_history(lou, rows)
        assert "Traceback" not in server.log_text()
    finally:
        await asyncio.to_thread(server.stop)

    assert server.starts == kills + 1
    fault_run.report(
        "crash",
        {
            "kills": kills,
            "clients": len(clients),
            "operations_sent": sum(len(r.sent) for r in replicas),
            **figures,
            "in_flight_at_kills": in_flight_at_kills,
            "in_flight_already_stored": stored_in_flight,
            "reconnections": sum(c.connections for c in clients) - len(clients),
            "log_seq": final,
            "seconds": round(time.monotonic() - started, 1),
        },
    )
