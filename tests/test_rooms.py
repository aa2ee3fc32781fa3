"""Rooms and connections: membership released on every disconnect path, slow consumers isolated,
ephemeral drags coalesced and never stored.

The first half runs sockets through the ASGI app; the second drives a Room directly with
in-memory transports (STYLE.md habits 5 and 6).
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator, Callable
from pathlib import Path
from typing import Any

import pytest
from fastapi import FastAPI
from helpers import (
    Frame,
    MemoryOpStore,
    MemoryTransport,
    WsClient,
    connected,
    create_atelier,
    db_rows,
    get_state,
    join,
    ws_connect,
)
from starlette.testclient import TestClient

from app.domain.operations import CreateCard, JoinMember, PlaceCard
from app.domain.roles import Role
from app.domain.rules import SYSTEM
from app.realtime import room as room_module
from app.realtime.fragments import NoFragments
from app.realtime.peer import CLOSE_TRY_AGAIN, Peer
from app.realtime.protocol import CardDrag
from app.realtime.relays import DRAG_INTERVAL_S
from app.realtime.room import Room

# -- through the app: the room is empty after every way a connection ends ---------------------------


def room_of(client: TestClient, atelier: dict[str, Any]) -> Room:
    room: Room = client.app_state["rooms"].rooms[atelier["id"]]
    return room


def peers_of(client: TestClient, atelier: dict[str, Any]) -> set[Peer]:
    """The room's peers, read on the event loop's thread."""
    room = room_of(client, atelier)
    assert client.portal is not None
    return client.portal.call(lambda: set(room.peers))  # type: ignore[arg-type, return-value]


def wait_until_gone(observer: WsClient, member: dict[str, Any]) -> None:
    """Block until the observer is told `member` left (the room's presence frame)."""
    observer.recv_until(lambda frame: frame["type"] == "presence" and member["member_id"] not in frame["online"])


@pytest.fixture
def people(client: TestClient) -> tuple[dict[str, Any], dict[str, Any], dict[str, Any]]:
    atelier = create_atelier(client)
    return atelier, join(client, atelier, "animateur", first_name="Alex"), join(client, atelier, first_name="Sam")


@pytest.mark.parametrize("code", [1000, 1001, 1006])
def test_the_room_is_empty_after_a_client_closes(client: TestClient, people: Any, code: int) -> None:
    atelier, alex, sam = people
    with connected(client, atelier, alex) as observer, connected(client, atelier, sam) as ws:
        assert {peer.member_id for peer in peers_of(client, atelier)} == {alex["member_id"], sam["member_id"]}
        ws.close(code)  # 1006: the network dropped, no closing handshake
        wait_until_gone(observer, sam)
        assert {peer.member_id for peer in peers_of(client, atelier)} == {alex["member_id"]}
    assert room_of(client, atelier).peers == set()


def test_the_room_is_empty_after_a_bad_hello(client: TestClient, people: Any) -> None:
    atelier, alex, _sam = people
    with connected(client, atelier, alex):
        with ws_connect(client, atelier["id"]) as ws:
            ws.send({"type": "ping"})
            assert ws.expect_close() == 4400
        assert {peer.member_id for peer in peers_of(client, atelier)} == {alex["member_id"]}
    assert room_of(client, atelier).peers == set()


def test_the_room_is_empty_after_an_auth_failure(client: TestClient, people: Any) -> None:
    atelier, alex, _sam = people
    with connected(client, atelier, alex):
        with ws_connect(client, atelier["id"], "not-a-member-secret-at-all") as ws:
            ws.hello()
            assert ws.expect_close() == 4401
        assert {peer.member_id for peer in peers_of(client, atelier)} == {alex["member_id"]}
    assert room_of(client, atelier).peers == set()


def test_the_room_is_empty_when_the_client_leaves_before_hello(client: TestClient, people: Any) -> None:
    atelier, alex, _sam = people
    with connected(client, atelier, alex), ws_connect(client, atelier["id"]) as ws:
        ws.close(1006)
    assert room_of(client, atelier).peers == set()


def test_an_idle_connection_is_closed_and_leaves_the_room(make_app: Callable[..., FastAPI]) -> None:
    with TestClient(make_app(idle_timeout_s=0.2)) as client:
        atelier = create_atelier(client)
        sam = join(client, atelier)
        with connected(client, atelier, sam) as ws:
            assert len(peers_of(client, atelier)) == 1
            # Sending nothing, not even a ping: the server closes the connection with a close frame
            # (a code the client can act on), not by dropping it. Waiting is receiving, not sleeping.
            code = ws.expect_close(timeout=2.0)  # ten times the idle timeout
            assert code in (1000, 1001, 1008, 4408), code
        assert room_of(client, atelier).peers == set()


def test_a_client_further_behind_than_its_outbox_holds_catches_up_from_a_snapshot(
    make_app: Callable[..., FastAPI],
) -> None:
    """Ten missed events would overflow an outbox of six before the client read one, closing it with 1013
    on every reconnection (found by tests/test_load_faults.py): it gets a snapshot instead, and stays.

    A real laggard (a reader that stalls) is closed with 1013: tests/test_load_faults.py, against a live
    server, and test_a_durable_overflow_closes_the_laggard_with_1013 below, on a room."""
    with TestClient(make_app(outbox_size=6)) as client:
        atelier = create_atelier(client)
        camille, sam = join(client, atelier, first_name="Camille"), join(client, atelier, first_name="Sam")
        with connected(client, atelier, camille) as ws:
            seen = ws.last_seq
        with connected(client, atelier, sam) as ws:
            for index in range(10):  # one at a time, read as it comes: Sam keeps up
                ws.event(ws.ack(ws.send_op("card.create", title=f"Carte {index}"))["id"])
        with (
            connected(client, atelier, sam) as observer,
            ws_connect(client, atelier["id"], camille["member_token"]) as ws,
        ):
            ws.hello(seen)
            frames = ws.drain_to_synced()
            assert [frame["type"] for frame in frames] == ["welcome", "snapshot", "synced"]
            assert len(frames[1]["state"]["cards"]) == 10
            assert {peer.member_id for peer in peers_of(client, atelier)} == {sam["member_id"], camille["member_id"]}
            # Camille stays connected and gets what comes next.
            op_id = observer.send_op("card.create", title="Encore une")
            assert ws.event(op_id)["seq"] == frames[-1]["seq"] + 1


# -- drags: ephemeral, coalesced, never stored; the drop is durable ---------------------------------


def test_drags_are_coalesced_never_stored_and_the_drop_is_durable(
    make_app: Callable[..., FastAPI], database: Path
) -> None:
    with TestClient(make_app()) as client:
        atelier = create_atelier(client)
        camille, sam = join(client, atelier, first_name="Camille"), join(client, atelier, first_name="Sam")
        with connected(client, atelier, camille) as dragger, connected(client, atelier, sam) as watcher:
            create = dragger.send_op("card.create", card_id="c1", title="Glissée")
            dragger.ack(create)
            watcher.event(create)
            rows_before = len(db_rows(database, "operation"))

            started = time.monotonic()
            for index in range(50):
                dragger.send({"type": "card.drag", "card_id": "c1", "desirability": index / 50, "feasibility": 0.3})
            drop = dragger.send_op("card.place", card_id="c1", desirability=0.98, feasibility=0.3)
            seen_by_watcher: list[Frame] = []
            placed = watcher.recv_until(lambda frame: frame["type"] == "event", skipped=seen_by_watcher)
            elapsed = time.monotonic() - started

            drags = [frame for frame in seen_by_watcher if frame["type"] == "card.dragging"]
            assert 1 <= len(drags) < 50
            assert len(drags) <= elapsed / DRAG_INTERVAL_S + 1  # at most ~20 per second per card
            assert drags[0] == {
                "type": "card.dragging",
                "card_id": "c1",
                "desirability": 0.0,
                "feasibility": 0.3,
                "by": camille["member_id"],
            }
            assert placed["id"] == drop and placed["event"]["type"] == "card.placed"
            dragger.ack(drop)
            assert not any(frame["type"] == "card.dragging" for frame in dragger.seen)  # not echoed to the dragger

            rows = db_rows(database, "operation")
            assert len(rows) == rows_before + 1  # fifty drags wrote nothing; the drop is one row
            assert '"card.placed"' in rows[-1][4]

    with TestClient(make_app()) as client:  # a restart: the drop survived
        card = get_state(client, atelier)["state"]["cards"][0]
        assert (card["id"], card["desirability"], card["feasibility"]) == ("c1", 0.98, 0.3)


# -- a room driven directly, with in-memory transports ----------------------------------------------

ATELIER = "room-test"


@pytest.fixture
async def memory_room() -> AsyncIterator[Room]:
    store = MemoryOpStore()
    store.add_atelier(ATELIER)
    room = await Room.load(ATELIER, store, NoFragments())
    assert room is not None
    for member_id in ("alex", "bea", "chris", "dom"):
        op = JoinMember(
            member_id, member_id.title(), "Test", "", Role.REFERENT if member_id == "alex" else Role.PARTICIPANT
        )
        await room.submit_and_wait(f"join-{member_id}", op, SYSTEM)
    try:
        yield room
    finally:
        await room.stop()


async def connect(
    room: Room, member_id: str, *, stalled: bool = False, outbox_size: int = 512
) -> tuple[Peer, MemoryTransport]:
    transport = MemoryTransport(stalled=stalled)
    peer = Peer(transport, member_id=member_id, html=False, outbox_size=outbox_size)
    peer.start()
    await room.join(peer, 0)
    return peer, transport


async def events(transport: MemoryTransport, count: int) -> list[Frame]:
    return [await transport.recv_until(lambda frame: frame["type"] == "event") for _ in range(count)]


async def test_a_stalled_consumer_does_not_delay_the_others(memory_room: Room) -> None:
    room = memory_room
    slow, slow_transport = await connect(room, "dom", stalled=True)
    _bea, bea_transport = await connect(room, "bea")
    _chris, chris_transport = await connect(room, "chris")

    seqs = [
        await room.submit_and_wait(f"op-{index}", CreateCard(f"c{index}", f"Carte {index}", ""), "bea")
        for index in range(40)
    ]
    for transport in (bea_transport, chris_transport):
        received = await events(transport, 40)
        assert [frame["seq"] for frame in received] == seqs
    assert slow_transport.sent == []  # its first send never completed...
    assert not slow.closed.is_set()  # ...yet its outbox has room: it stays, and will catch up
    assert slow in room.peers


async def test_a_durable_overflow_closes_the_laggard_with_1013(memory_room: Room) -> None:
    room = memory_room
    slow, slow_transport = await connect(room, "dom", stalled=True, outbox_size=8)
    _bea, bea_transport = await connect(room, "bea", outbox_size=8)

    for index in range(20):
        await room.submit_and_wait(f"op-{index}", CreateCard(f"c{index}", f"Carte {index}", ""), "bea")
        await bea_transport.recv_until(lambda frame: frame["type"] == "event")  # Bea keeps up
    await _within(slow_transport.closed.wait())
    assert slow_transport.close_code == slow.close_code == CLOSE_TRY_AGAIN
    assert slow.closed.is_set()
    # Offers to a closed peer are ignored, and the room goes on for the others.
    await room.submit_and_wait("after", CreateCard("after", "Après", ""), "bea")
    assert (await bea_transport.recv_until(lambda frame: frame["type"] == "event"))["id"] == "after"
    assert not bea_transport.closed.is_set()


async def test_ephemeral_overflow_is_dropped_without_closing(memory_room: Room) -> None:
    room = memory_room
    for index in range(30):
        await room.submit_and_wait(f"op-{index}", CreateCard(f"c{index}", f"Carte {index}", ""), "bea")
    bea, _bea_transport = await connect(room, "bea")
    _chris, chris_transport = await connect(room, "chris")
    slow, slow_transport = await connect(room, "dom", stalled=True, outbox_size=8)

    for index in range(30):  # thirty different cards: none coalesced, all relayed
        room.relay_drag(bea, CardDrag(type="card.drag", card_id=f"c{index}", desirability=0.5, feasibility=0.5))
    dragging = [await chris_transport.recv_until(lambda frame: frame["type"] == "card.dragging") for _ in range(30)]
    assert [frame["card_id"] for frame in dragging] == [f"c{index}" for index in range(30)]
    assert not slow.closed.is_set() and not slow_transport.closed.is_set()  # drags were dropped, not fatal

    # The outbox is full of drags (its drain may have taken one more before stalling): the
    # second durable message at the latest does not fit, and that is fatal.
    await room.submit_and_wait("drop-1", PlaceCard("c0", 0.9, 0.9), "bea")
    await room.submit_and_wait("drop-2", PlaceCard("c1", 0.9, 0.9), "bea")
    await _within(slow_transport.closed.wait())
    assert slow_transport.close_code == CLOSE_TRY_AGAIN


def drag(card_id: str, desirability: float) -> CardDrag:
    return CardDrag(type="card.drag", card_id=card_id, desirability=desirability, feasibility=0.5)


async def test_drags_of_one_card_are_coalesced_to_the_latest_position(memory_room: Room) -> None:
    room = memory_room
    await room.submit_and_wait("op-1", CreateCard("c1", "Carte", ""), "bea")
    bea, _ = await connect(room, "bea")
    _chris, chris_transport = await connect(room, "chris")

    started = time.monotonic()
    for index in range(50):  # a tight loop: far faster than 20 per second
        room.relay_drag(bea, drag("c1", index / 50))
    # The others end on the latest position, even though it came within the interval.
    await chris_transport.recv_until(
        lambda frame: frame["type"] == "card.dragging" and frame["desirability"] == 49 / 50
    )
    elapsed = time.monotonic() - started
    relayed = [frame for frame in chris_transport.sent if frame["type"] == "card.dragging"]
    assert 1 <= len(relayed) < 50
    assert len(relayed) <= elapsed / DRAG_INTERVAL_S + 1
    assert all(frame["by"] == "bea" for frame in relayed)
    # Nothing of it reached the log.
    assert [entry.event["type"] for entry in room.store.entries_since(ATELIER, 4, 100)] == ["card.created"]  # type: ignore[attr-defined]


async def test_no_drag_is_relayed_after_the_drop(memory_room: Room, monkeypatch: pytest.MonkeyPatch) -> None:
    room = memory_room
    await room.submit_and_wait("op-1", CreateCard("c1", "Carte", ""), "bea")
    bea, _ = await connect(room, "bea")
    _chris, chris_transport = await connect(room, "chris")

    # The room holds a drag that comes within the interval until the interval ends (a loop
    # timer). Capture that timer so the test decides when the interval ends: no waiting.
    loop = asyncio.get_running_loop()
    timers: list[tuple[Callable[..., object], tuple[Any, ...]]] = []
    with monkeypatch.context() as patch:
        patch.setattr(loop, "call_later", lambda _delay, callback, *args: timers.append((callback, args)))
        room.relay_drag(bea, drag("c1", 0.1))  # relayed at once
        room.relay_drag(bea, drag("c1", 0.2))  # within the interval: held for its end
    assert len(timers) == 1

    # The person lets go before the interval ends: the drop is durable and broadcast...
    await room.submit_and_wait("drop", PlaceCard("c1", 0.9, 0.9), "bea")
    for callback, args in timers:  # ...then the interval ends
        callback(*args)
    await room.submit_and_wait("marker", CreateCard("marker", "Marqueur", ""), "bea")

    frames: list[Frame] = []
    while (frame := await chris_transport.recv()).get("id") != "marker":
        frames.append(frame)
    drop_at = next(index for index, frame in enumerate(frames) if frame.get("id") == "drop")
    after_drop = [frame for frame in frames[drop_at + 1 :] if frame["type"] == "card.dragging"]
    # A drag frame after the drop moves the others' token back to a stale spot, marked as being
    # dragged, until something re-renders it.
    assert after_drop == [], f"stale drag relayed after the drop: {after_drop}"


async def test_nothing_is_acknowledged_when_the_log_append_fails(
    memory_room: Room, monkeypatch: pytest.MonkeyPatch
) -> None:
    room = memory_room
    store: MemoryOpStore = room.store  # type: ignore[assignment]
    bea, bea_transport = await connect(room, "bea")
    seq_before = room.seq

    def broken_append(*_args: Any) -> None:
        raise OSError("disk full")

    with monkeypatch.context() as patch:
        patch.setattr(store, "append", broken_append)
        room.submit("op-1", CreateCard("c1", "Carte", ""), "bea", bea)
        answer = await bea_transport.recv_until(lambda frame: frame.get("id") == "op-1")
    assert (answer["type"], answer["code"]) == ("error", "unavailable")
    assert room.seq == seq_before and "c1" not in room.state.cards  # the room reloaded what is durable

    room.submit("op-1", CreateCard("c1", "Carte", ""), "bea", bea)  # the client's automatic retry
    answer = await bea_transport.recv_until(lambda frame: frame.get("id") == "op-1")
    assert answer == {"type": "ack", "id": "op-1", "seq": seq_before + 1}
    assert [entry.op_id for entry in store.entries[ATELIER]][-1] == "op-1"


async def test_an_unexpected_rule_error_costs_only_its_own_operation(
    memory_room: Room, monkeypatch: pytest.MonkeyPatch
) -> None:
    room = memory_room
    bea, bea_transport = await connect(room, "bea")
    await room.submit_and_wait("durable", CreateCard("c0", "Déjà là", ""), "bea")
    real_decide = room_module.decide

    def buggy_decide(state: Any, op: Any, actor: str, now: float) -> Any:
        if isinstance(op, CreateCard) and op.card_id == "boom":
            raise KeyError("a bug in a rule")
        return real_decide(state, op, actor, now)

    monkeypatch.setattr(room_module, "decide", buggy_decide)
    # One batch: a re-sent durable op, a refused op, the poisoned op, a good op.
    room.submit("durable", CreateCard("c0", "Déjà là", ""), "bea", bea)
    room.submit("refused", PlaceCard("ghost", 0.5, 0.5), "bea", bea)
    room.submit("poison", CreateCard("boom", "Bug", ""), "bea", bea)
    room.submit("good", CreateCard("c1", "Bonne", ""), "bea", bea)
    await room.submit_and_wait("marker", CreateCard("marker", "Marqueur", ""), "bea")

    answers: list[Frame] = []
    while (frame := await bea_transport.recv()).get("id") != "marker":
        if frame["type"] in ("ack", "error"):
            answers.append(frame)
    by_id = {(frame["id"], frame["type"], frame.get("code")) for frame in answers}
    assert by_id == {
        ("durable", "ack", None),
        ("refused", "error", "not_found"),
        ("poison", "error", "internal"),
        ("good", "ack", None),
    }
    assert sorted(room.state.cards) == ["c0", "c1", "marker"]
    # Each operation is answered once: a client counting answers must not see ghosts.
    assert len(answers) == 4, [(frame["id"], frame["type"]) for frame in answers]


async def test_leave_is_idempotent_and_announced(memory_room: Room) -> None:
    room = memory_room
    bea, _ = await connect(room, "bea")
    _chris, chris_transport = await connect(room, "chris")
    room.leave(bea)
    room.leave(bea)
    presence = await chris_transport.recv_until(
        lambda frame: frame["type"] == "presence" and "bea" not in frame["online"]
    )
    assert presence["online"] == ["chris"]
    assert room.online == {"chris"}


async def _within(awaitable: Any, timeout: float = 5.0) -> Any:
    return await asyncio.wait_for(awaitable, timeout)
