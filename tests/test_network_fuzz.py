"""Network fuzz, in the style of tldraw's sync fuzz: seeded random operations of every type over a bad network.

Per seed, an atelier of a random format (1, 2 or 3) and four people — two référents, two participants
— connected through the app in-process (one `TestClient`, real WebSocket handlers, a real SQLite file).
Each step of a seed, drawn from the seed, is one of:

- a connected person makes a random durable operation of any type (tests/protocol_model.py), aimed at
  what their client holds (so often at something stale: concurrent edits, deleted cards…); one in ten
  is lost on the way (never reaches the server; the client re-sends it after its next reconnection);
- a person's client takes delivery of only part of what the server sent (partial delivery);
- a person drops off: what was delivered but not yet applied is lost, acks included; they stay away a
  short (1–5 steps) or long (20–60 steps) time, then reconnect with `last_seq` and re-send their outbox.

Every durable operation type is made (checked against the protocol's own list). At the end everyone
reconnects and catches up, then: every acknowledged operation is in the log exactly once, the
référents' own states equal the server's (`GET /state`), every history equals the log, and nothing
was logged at ERROR level. A seed that fails is printed; add it to REGRESSION_SEEDS.

CI: 50 seeds × 100 steps; `--faults=full`: 500 seeds × 200 steps; `--seed N` moves the first seed.
"""

from __future__ import annotations

import json
import logging
import math
import random
import time
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
from fault_run import FaultRun
from helpers import WsClient, create_atelier, get_state, join
from protocol_model import (
    MARKERS,
    OPERATION_TYPES,
    Frame,
    LogRow,
    Replica,
    check_exactly_once,
    check_history,
    check_private,
    comparable,
    dumps,
    random_operation,
    read_log,
)
from starlette.testclient import TestClient

from app.realtime.protocol import OP_TYPES

EPHEMERAL = ("presence", "pong", "card.dragging", "field.focused")
LOSS = 0.1  # share of operations lost before reaching the server
SHORT, LONG = (1, 5), (20, 60)  # outage lengths, in steps
RECEIVE_DEADLINE_S = 30.0  # a deadline, not a pause: a full run shares 2 cores with other work

# Seeds that once failed, kept as named regressions: seed → (steps, what it found).
REGRESSION_SEEDS: dict[int, tuple[int, str]] = {
    # The first full run (500 seeds × 200 steps) failed here on a 5 s read deadline while the machine
    # ran 18 processes on 2 cores: the fuzz's deadlines are now 30 s; the seed itself converges.
    20261314: (200, "catch-up under heavy load"),
}


@dataclass
class Person:
    """A member's client: its replica, its socket (when connected) and what arrived but is not applied yet."""

    replica: Replica
    client: TestClient
    atelier_id: str
    ws: WsClient | None = None
    session: Any = None
    inbox: list[Frame] = field(default_factory=list)
    synced: bool = False  # the current connection's `synced` was applied
    away_until: int = 0
    markers: list[tuple[int, str]] = field(default_factory=list)  # (seq of the frame, card/idea op id in it)

    def connect(self) -> None:
        self.session = self.client.websocket_connect(f"/ws/ateliers/{self.atelier_id}").__enter__()
        self.ws = WsClient(self.session, self.replica.token)
        self.ws.send(self.replica.hello())
        self.synced = False

    def drop(self) -> None:
        """The network goes: unapplied frames are lost with it."""
        assert self.session is not None
        self.session.__exit__(None, None, None)
        self.session = self.ws = None
        self.inbox.clear()
        self.synced = False

    def read(self, network: Network, until: Any) -> None:
        """Read frames into the inbox until `until()` holds (every read has a deadline)."""
        assert self.ws is not None
        while not until():
            frame = self.ws.recv(timeout=RECEIVE_DEADLINE_S)
            if frame["type"] in EPHEMERAL:
                continue  # not part of the state; and their timing would make seeds unrepeatable
            if frame["type"] == "ack":
                network.seq = max(network.seq, frame["seq"])
            check_private(self.replica, frame)  # every frame that arrives, applied or lost
            if frame["type"] in ("event", "snapshot"):
                self.markers += [(frame["seq"], marker) for marker in MARKERS.findall(dumps(frame))]
            self.inbox.append(frame)

    def received_through(self, seq: int) -> bool:
        levels = [f["seq"] for f in self.inbox if f["type"] in ("snapshot", "event", "synced")]
        got_synced = self.synced or any(f["type"] == "synced" for f in self.inbox)
        return got_synced and max([self.replica.last_seq, *levels]) >= seq

    def send(self, network: Network, frames: list[Frame]) -> None:
        """Send operations and read until each has its answer (so the room is quiet again)."""
        assert self.ws is not None
        first = len(self.inbox)  # answers are new frames: nothing is sent before `synced` is applied
        for frame in frames:
            self.ws.send(frame)
        wanted = Counter(frame["id"] for frame in frames)

        def answered() -> bool:
            got = Counter(f.get("id") for f in self.inbox[first:] if f["type"] in ("ack", "error"))
            return all(got[op_id] >= count for op_id, count in wanted.items())

        self.read(network, answered)

    def catch_up(self, network: Network) -> None:
        """Take delivery of everything and apply it, answers to re-sent operations included."""
        while True:
            self.read(network, lambda: self.received_through(network.seq))
            if not self.inbox:
                return
            self.apply(network, len(self.inbox))

    def apply(self, network: Network, count: int) -> None:
        """Apply the first `count` frames that arrived; a `synced` among them re-sends the outbox."""
        frames, self.inbox = self.inbox[:count], self.inbox[count:]
        for frame in frames:
            again = self.replica.receive(frame)
            if frame["type"] == "synced":
                self.synced = True
            if again:
                self.send(network, again)


@dataclass
class Network:
    seq: int  # the room's seq as far as answers tell (every sent operation is answered before the next step)
    made: Counter[str] = field(default_factory=Counter)
    drops: int = 0
    long_outages: int = 0
    lost: int = 0
    partial: int = 0


def run_seed(client: TestClient, database: Path, seed: int, steps: int) -> dict[str, Any]:
    rng = random.Random(seed)
    atelier = create_atelier(client, format=str(rng.randint(1, 3)), title=f"Graine {seed}")
    people_spec = [("ana", "animateur"), ("ben", "animateur"), ("cleo", "participant"), ("dan", "participant")]
    members = [join(client, atelier, kind, first_name=name.title()) for name, kind in people_spec]
    people = [
        Person(Replica(name, m["member_id"], m["member_token"], team=kind == "animateur"), client, atelier["id"])
        for (name, kind), m in zip(people_spec, members, strict=True)
    ]
    member_ids = [m["member_id"] for m in members]
    network = Network(seq=get_state(client, atelier)["seq"])
    try:
        for person in people:
            person.connect()
            person.catch_up(network)
        for step in range(steps):
            for person in people:
                if person.session is None and step >= person.away_until:
                    person.connect()
            person = rng.choice(people)
            roll = rng.random()
            if person.session is None:
                continue
            if roll < 0.6 and person.synced:
                target = person if person.replica.state is not None else people[0]
                frame = random_operation(rng, person.replica, target.replica.targets(), member_ids)
                network.made[frame["type"]] += 1
                if rng.random() < LOSS:
                    network.lost += 1  # lost on the way: only a reconnection's re-send will carry it
                else:
                    person.send(network, [frame])
            elif roll < 0.9:
                person.read(network, lambda person=person: person.received_through(network.seq))
                partial = rng.random() < 0.5
                network.partial += partial
                person.apply(network, rng.randint(0, len(person.inbox)) if partial else len(person.inbox))
            else:
                long = rng.random() < 0.3
                network.drops += 1
                network.long_outages += long
                person.drop()
                person.away_until = step + rng.randint(*(LONG if long else SHORT))
        settle(people, network)
        check_each_view(client, atelier["id"], people)  # drafts and ballots still private: per person
        reveal_everything(client, atelier, people, network)
        settle(people, network)
        rows = read_log(database, atelier["id"])
        figures = check_exactly_once(rows, [person.replica for person in people])
        views = check_each_view(client, atelier["id"], people)
        shared = [shared_part(view) for view in views]
        assert all(view == shared_part(comparable(get_state(client, atelier)["state"])) for view in shared)
        assert all(view["reflection"]["drafts"] == 0 and not view["reflection"]["mine"] for view in views)
        for person in people:
            assert person.replica.last_seq == rows[-1][0]
            check_history(person.replica, rows)
        check_no_draft_seen(rows, people)
    finally:
        for person in people:
            if person.session is not None:
                person.drop()
    outages = {"drops": network.drops, "long_outages": network.long_outages}
    private = {"private_events_seen_as_counts": sum(person.replica.private_seen for person in people)}
    return {**figures, **outages, **private, "log_seq": rows[-1][0], "made": network.made,
            "lost_in_flight": network.lost, "partial_deliveries": network.partial}  # fmt: skip


def reveal_everything(client: TestClient, atelier: dict[str, Any], people: list[Person], network: Network) -> None:
    """A fresh animateur (the others' roles may have changed) closes the vote, then reveals every draft.

    She holds no state of her own (a snapshot after questionnaire answers cannot be continued)."""
    member = join(client, atelier, "animateur", first_name="Zoé")
    zoe = Person(Replica("zoe", member["member_id"], member["member_token"], team=False), client, atelier["id"])
    people.append(zoe)  # so she is disconnected whatever happens
    network.seq = get_state(client, atelier)["seq"]  # her joining is an event no ack told of
    zoe.connect()
    zoe.catch_up(network)
    last_word = [zoe.replica.operation("vote.close"), zoe.replica.operation("reflection.reveal", anonymous=False)]
    zoe.send(network, last_word)


def fresh_view(client: TestClient, atelier_id: str, replica: Replica) -> dict[str, Any]:
    """What the server shows this member now: the snapshot a new connection of theirs is sent."""
    with client.websocket_connect(f"/ws/ateliers/{atelier_id}") as session:
        ws = WsClient(session, replica.token)
        ws.send({"type": "hello", "token": replica.token, "last_seq": 0})
        frames = ws.drain_to_synced()
    snapshot = next(frame for frame in frames if frame["type"] == "snapshot")
    return comparable(snapshot["state"])


def check_each_view(client: TestClient, atelier_id: str, people: list[Person]) -> list[dict[str, Any]]:
    """Each team member's own state is what the server shows THAT member (their drafts, their ballot)."""
    views = []
    for person in people:
        if person.replica.state is not None:
            view = person.replica.view()
            assert view == fresh_view(client, atelier_id, person.replica), f"{person.replica.name} diverged"
            views.append(view)
    return views


def shared_part(view: dict[str, Any]) -> dict[str, Any]:
    """A view without what is one person's own for ever (a ballot is never revealed)."""
    vote = view["vote"] and {k: v for k, v in view["vote"].items() if k not in ("mine", "remaining")}
    return view | {"vote": vote, "reflection": view["reflection"] | {"mine": []}}


def check_no_draft_seen(rows: list[LogRow], people: list[Person]) -> None:
    """No one received a frame holding another member's draft text before the reveal that made it public."""
    reveals = [seq for seq, _, _, event in rows if json.loads(event)["type"] == "reflection.revealed"]
    for seq, actor, _, text in rows:
        event = json.loads(text)
        if event["type"] not in ("reflection.drafted", "reflection.draft_updated"):
            continue
        public_from = min([r for r in reveals if r > seq], default=math.inf)
        for marker in MARKERS.findall(dumps(event["draft"])):
            for person in people:
                if person.replica.member_id != actor:
                    leaks = [at for at, seen in person.markers if seen == marker and at < public_from]
                    assert not leaks, f"{person.replica.name} received draft {marker} at {leaks}, before its reveal"


def settle(people: list[Person], network: Network, rounds: int = 20) -> None:
    """Everyone reconnects and catches up until nothing is owed and everyone is at the room's seq."""
    for _ in range(rounds):
        for person in people:
            if person.session is None:
                person.connect()
        for person in people:
            person.catch_up(network)
        for person in people:  # again: an outbox re-sent by one person moved the seq for the others
            person.catch_up(network)
        if all(not p.replica.outbox and p.replica.last_seq == network.seq and not p.inbox for p in people):
            return
        for person in people:  # something is still owed (rate limited): a fresh connection re-sends it
            if person.replica.outbox:
                person.drop()
    raise AssertionError(f"not settled: {[(p.replica.name, list(p.replica.outbox)) for p in people]}")


def campaign(
    client: TestClient, database: Path, seeds: range, steps: int, caplog: pytest.LogCaptureFixture
) -> dict[str, Any]:
    totals: Counter[str] = Counter()
    made: Counter[str] = Counter()
    with caplog.at_level(logging.ERROR):
        for seed in seeds:
            try:
                figures = run_seed(client, database, seed, steps)
            except Exception as error:
                raise AssertionError(f"seed {seed} failed (add it to REGRESSION_SEEDS): {error}") from error
            made.update(figures.pop("made"))
            totals.update(figures)
    errors = [record.getMessage() for record in caplog.records if record.levelno >= logging.ERROR]
    assert not errors, errors
    return {**totals, "made": dict(sorted(made.items()))}


def test_every_client_converges_with_the_server_over_a_bad_network(
    client: TestClient, database: Path, fault_run: FaultRun, caplog: pytest.LogCaptureFixture
) -> None:
    seeds = range(fault_run.seed, fault_run.seed + fault_run.size(ci=50, full=500))
    steps = fault_run.size(ci=100, full=200)
    started = time.monotonic()
    figures = campaign(client, database, seeds, steps, caplog)
    # Every durable type, the silent reflection's and the dot vote's included.
    assert set(figures["made"]) == set(OPERATION_TYPES) == set(OP_TYPES)
    assert figures["duplicated"] == 0
    fault_run.report(
        "network",
        {"seeds": len(seeds), "steps_per_seed": steps, **figures, "seconds": round(time.monotonic() - started, 1)},
    )


@pytest.mark.parametrize("seed", sorted(REGRESSION_SEEDS))
def test_regression_seed(client: TestClient, database: Path, seed: int, caplog: pytest.LogCaptureFixture) -> None:
    steps, _found = REGRESSION_SEEDS[seed]
    campaign(client, database, range(seed, seed + 1), steps, caplog)
