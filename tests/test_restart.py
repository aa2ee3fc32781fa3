"""Durability: what was acknowledged survives a restart of the app, and a `kill -9` of a real server."""

from __future__ import annotations

import contextlib
import json
import os
import signal
import socket
import subprocess
import sys
import time
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import pytest
from fastapi import FastAPI
from helpers import bearer, connected, create_atelier, db_rows, get_state, join, text_update, ws_connect
from starlette.testclient import TestClient
from websockets.sync.client import ClientConnection, connect

ROOT = Path(__file__).resolve().parents[1]


def run_a_workshop(client: TestClient, atelier: dict[str, Any], first: int = 0) -> None:
    """A bit of everything the log records: roles, steps, timer, cards, matrix, priority, notes."""
    referent = join(client, atelier, "animateur", first_name=f"Alex{first}")
    camille = join(client, atelier, first_name=f"Camille{first}")
    with connected(client, atelier, referent) as alex, connected(client, atelier, camille) as cam:
        alex.ack(alex.send_op("member.set_role", member_id=camille["member_id"], role="complice"))
        alex.ack(alex.send_op("step.goto", index=3))
        alex.ack(alex.send_op("timer.start"))
        alex.ack(alex.send_op("timer.add", seconds=120))
        for index in range(3):
            cam.ack(
                cam.send_op(
                    "card.create", card_id=f"c{first}-{index}", title=f"Sujet {index}", description="Une phrase."
                )
            )
        cam.ack(cam.send_op("card.place", card_id=f"c{first}-0", desirability=0.8, feasibility=0.7))
        cam.ack(cam.send_op("card.update", card_id=f"c{first}-1", title="Sujet reformulé"))
        cam.ack(cam.send_op("card.delete", card_id=f"c{first}-2"))
        alex.ack(alex.send_op("card.priority", card_id=f"c{first}-0", priority=True))
        alex.ack(alex.send_op("text.update", field="notes:3", update=text_update(f"Notes {first} d'Alex. ")))
        cam.ack(cam.send_op("text.update", field="notes:3", update=text_update(f"Notes {first} de Camille.")))


def test_state_survives_a_restart(make_app: Callable[..., FastAPI]) -> None:
    with TestClient(make_app()) as client:
        atelier = create_atelier(client)
        run_a_workshop(client, atelier)
        before = get_state(client, atelier)
        fiche = client.get(
            f"/api/ateliers/{atelier['id']}/deliverable.json", headers=bearer(atelier["animateur_token"])
        )

    with TestClient(make_app()) as client:
        assert get_state(client, atelier) == before
        again = client.get(
            f"/api/ateliers/{atelier['id']}/deliverable.json", headers=bearer(atelier["animateur_token"])
        )
        assert again.json() == fiche.json()
        notes = again.json()["notes"][3]["text"]
        assert "Notes 0 d'Alex." in notes and "Notes 0 de Camille." in notes


def test_state_survives_a_restart_from_a_snapshot_and_the_log_after_it(
    make_app: Callable[..., FastAPI], database: Path
) -> None:
    with TestClient(make_app(snapshot_every=5)) as client:
        atelier = create_atelier(client)
        run_a_workshop(client, atelier, first=0)
        run_a_workshop(client, atelier, first=1)
        member = join(client, atelier, first_name="Dernier")  # one operation after the last snapshot
        before = get_state(client, atelier)
    snapshots = db_rows(database, "snapshot")
    assert snapshots, "snapshot_every=5 should have taken snapshots"
    newest = max(row[1] for row in snapshots)
    assert 0 < newest < before["seq"]  # the restart reads a snapshot, then the log after it

    with TestClient(make_app(snapshot_every=5)) as client:
        after = get_state(client, atelier)
        assert after["seq"] == before["seq"]
        assert after["state"] == before["state"]
        # The rebuilt room goes on from there, with its dedup memory intact.
        with connected(client, atelier, member) as ws:
            op_id = ws.send_op("card.create", card_id="new", title="Après le redémarrage")
            assert ws.ack(op_id)["seq"] == before["seq"] + 1


def test_acknowledged_operation_ids_are_remembered_across_a_restart(make_app: Callable[..., FastAPI]) -> None:
    with TestClient(make_app()) as client:
        atelier = create_atelier(client)
        member = join(client, atelier)
        with connected(client, atelier, member) as ws:
            op_id = ws.send_op("card.create", card_id="c1", title="Une fois")
            seq = ws.ack(op_id)["seq"]
    with TestClient(make_app()) as client, ws_connect(client, atelier["id"], member["member_token"]) as ws:
        ws.hello(seq)
        ws.drain_to_synced()
        ws.send_op("card.create", op_id=op_id, card_id="c1", title="Une fois")
        assert ws.ack(op_id)["seq"] == seq
        assert len(get_state(client, atelier)["state"]["cards"]) == 1


# -- a real server process, killed with SIGKILL ---------------------------------------------------


@dataclass
class Server:
    process: subprocess.Popen[bytes]
    port: int

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def ws_url(self, atelier: dict[str, Any]) -> str:
        return f"ws://127.0.0.1:{self.port}/ws/ateliers/{atelier['id']}"

    def kill(self) -> None:
        self.process.send_signal(signal.SIGKILL)
        self.process.wait(timeout=10)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def wait_until_healthy(server: Server, log: Path, deadline_s: float = 30.0) -> None:
    """Poll /healthz (a bounded loop, short timeouts); fail fast if the process dies."""
    deadline = time.monotonic() + deadline_s
    while time.monotonic() < deadline:
        with contextlib.suppress(httpx.TransportError):
            if httpx.get(f"{server.url}/healthz", timeout=0.5).status_code == 200:
                return
        try:  # paces the polling, and returns at once if the server exited
            server.process.wait(timeout=0.05)
        except subprocess.TimeoutExpired:
            continue
        pytest.fail(f"the server exited with {server.process.returncode}:\n{log.read_text()[-3000:]}")
    pytest.fail(f"the server did not answer /healthz within {deadline_s} s:\n{log.read_text()[-3000:]}")


@contextlib.contextmanager
def uvicorn(database: Path, log: Path) -> Iterator[Server]:
    env = os.environ | {"ATELIER_DATABASE_URL": f"sqlite:///{database}", "PYTHONPATH": str(ROOT)}
    port = free_port()
    with log.open("ab") as output:
        process = subprocess.Popen(
            [sys.executable, "-m", "uvicorn", "app.main:app", "--host", "127.0.0.1", "--port", str(port)],
            cwd=ROOT,
            env=env,
            stdout=output,
            stderr=subprocess.STDOUT,
        )
    server = Server(process, port)
    try:
        wait_until_healthy(server, log)
        yield server
    finally:
        if process.poll() is None:
            process.kill()
        process.wait(timeout=10)


def receive(ws: ClientConnection, predicate: Callable[[dict[str, Any]], bool], limit: int = 1000) -> dict[str, Any]:
    for _ in range(limit):
        frame: dict[str, Any] = json.loads(ws.recv(timeout=10))
        if predicate(frame):
            return frame
    raise AssertionError(f"no matching frame among {limit}")


def state_of(server: Server, atelier: dict[str, Any]) -> dict[str, Any]:
    response = httpx.get(
        f"{server.url}/api/ateliers/{atelier['id']}/state", headers=bearer(atelier["animateur_token"]), timeout=10
    )
    assert response.status_code == 200, response.text
    return response.json()  # type: ignore[no-any-return]


def test_a_server_killed_with_sigkill_loses_no_acknowledged_operation(tmp_path: Path) -> None:
    database, log = tmp_path / "killed.db", tmp_path / "server.log"
    op_ids = [str(uuid.uuid4()) for _ in range(50)]
    with uvicorn(database, log) as server:
        response = httpx.post(
            f"{server.url}/api/ateliers", json={"title": "Kill -9", "administration": "DITP", "format": "1"}, timeout=10
        )
        atelier = response.json()
        member = httpx.post(
            f"{server.url}/api/ateliers/{atelier['id']}/members",
            json={"first_name": "Camille", "last_name": "Martin"},
            headers=bearer(atelier["participant_token"]),
            timeout=10,
        ).json()
        with connect(server.ws_url(atelier), open_timeout=10, close_timeout=1) as ws:
            ws.send(json.dumps({"type": "hello", "token": member["member_token"], "last_seq": 0}))
            receive(ws, lambda frame: frame["type"] == "synced")
            for index, op_id in enumerate(op_ids):
                ws.send(
                    json.dumps(
                        {"type": "card.create", "id": op_id, "card_id": f"k{index:02}", "title": f"Carte {index}"}
                    )
                )
            acked: dict[str, int] = {}
            while len(acked) < len(op_ids):
                ack = receive(ws, lambda frame: frame["type"] in ("ack", "error"))
                assert ack["type"] == "ack", ack
                acked[ack["id"]] = ack["seq"]
            server.kill()  # no shutdown, no flush: the process is gone mid-connection
        assert server.process.returncode == -signal.SIGKILL

    with uvicorn(database, log) as server:
        body = state_of(server, atelier)
        cards = [card["id"] for card in body["state"]["cards"]]
        assert sorted(cards) == [f"k{index:02}" for index in range(50)]  # every acked card, each once
        assert body["seq"] == max(acked.values())

        # The restarted server remembers the op ids: re-sent operations are not applied twice.
        with connect(server.ws_url(atelier), open_timeout=10, close_timeout=1) as ws:
            ws.send(json.dumps({"type": "hello", "token": member["member_token"], "last_seq": body["seq"]}))
            receive(ws, lambda frame: frame["type"] == "synced")
            for index, op_id in enumerate(op_ids[:10]):
                ws.send(
                    json.dumps(
                        {"type": "card.create", "id": op_id, "card_id": f"k{index:02}", "title": f"Carte {index}"}
                    )
                )
            for op_id in op_ids[:10]:
                ack = receive(ws, lambda frame, op_id=op_id: frame.get("id") == op_id)
                assert ack == {"type": "ack", "id": op_id, "seq": acked[op_id]}
        assert len(state_of(server, atelier)["state"]["cards"]) == 50
