"""Reconnection: catch-up from the last seq seen, snapshots, re-sent operations, a burst cut mid-way."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from typing import Any

import pytest
from helpers import Frame, WsClient, connected, create_atelier, get_state, join, ws_connect
from starlette.testclient import TestClient


@dataclass
class Room:
    atelier: dict[str, Any]
    referent: dict[str, Any]
    camille: dict[str, Any]
    sam: dict[str, Any]


@pytest.fixture
def room(client: TestClient) -> Room:
    atelier = create_atelier(client)
    return Room(
        atelier,
        join(client, atelier, "animateur", first_name="Alex"),
        join(client, atelier, first_name="Camille"),
        join(client, atelier, first_name="Sam"),
    )


def catch_up(ws: WsClient, last_seq: int) -> list[Frame]:
    ws.hello(last_seq)
    return ws.drain_to_synced()


def create_cards(ws: WsClient, count: int, prefix: str = "card") -> list[str]:
    """Send `count` card.create without waiting, then read their acks and the last event; the op ids."""
    op_ids = [ws.send_op("card.create", card_id=f"{prefix}-{index}", title=f"Carte {index}") for index in range(count)]
    for op_id in op_ids:
        ws.ack(op_id)
    ws.event(op_ids[-1])
    return op_ids


def test_a_reconnecting_client_gets_exactly_the_events_it_missed(client: TestClient, room: Room) -> None:
    with connected(client, room.atelier, room.camille) as camille:
        create_cards(camille, 2, "early")
        seen = camille.last_seq
    assert seen == 3 + 2

    with connected(client, room.atelier, room.sam) as sam:
        missed = create_cards(sam, 5)

    with ws_connect(client, room.atelier["id"], room.camille["member_token"]) as camille:
        frames = catch_up(camille, seen)
    assert [frame["type"] for frame in frames] == ["welcome", *["event"] * 5, "synced"]
    assert frames[0]["seq"] == seen + 5
    events = frames[1:-1]
    assert [event["seq"] for event in events] == list(range(seen + 1, seen + 6))
    assert [event["id"] for event in events] == missed
    assert [event["event"]["card"]["id"] for event in events] == [f"card-{index}" for index in range(5)]
    assert frames[-1] == {"type": "synced", "seq": seen + 5}


def test_live_events_follow_the_replay_without_a_gap(client: TestClient, room: Room) -> None:
    with connected(client, room.atelier, room.camille) as camille:
        seen = camille.last_seq
    with connected(client, room.atelier, room.sam) as sam:
        create_cards(sam, 3, "before")
        with ws_connect(client, room.atelier["id"], room.camille["member_token"]) as camille:
            camille.hello(seen)
            after = create_cards(sam, 3, "after")  # while Camille is catching up
            frames = camille.drain_to_synced()  # some of `after` may already be in the replay
            if not any(frame.get("id") == after[-1] for frame in camille.seen):
                camille.event(after[-1])  # the rest arrives live, after `synced`
    seqs = [frame["seq"] for frame in camille.seen if frame["type"] == "event"]
    assert seqs == list(range(seen + 1, seen + 7))  # no gap, no duplicate between replay and live
    assert frames[-1]["type"] == "synced"


def test_last_seq_zero_gets_a_snapshot(client: TestClient, room: Room) -> None:
    with connected(client, room.atelier, room.sam) as sam:
        create_cards(sam, 3)
    with ws_connect(client, room.atelier["id"], room.referent["member_token"]) as alex:
        frames = catch_up(alex, 0)
    assert [frame["type"] for frame in frames] == ["welcome", "snapshot", "synced"]
    api = get_state(client, room.atelier)
    assert frames[1]["seq"] == frames[2]["seq"] == api["seq"] == 6
    assert frames[1]["state"] == api["state"]


def test_an_up_to_date_client_gets_nothing_to_replay(client: TestClient, room: Room) -> None:
    with ws_connect(client, room.atelier["id"], room.sam["member_token"]) as sam:
        frames = catch_up(sam, 3)
    assert [frame["type"] for frame in frames] == ["welcome", "synced"]


def test_a_client_ahead_of_the_server_gets_a_snapshot(client: TestClient, room: Room) -> None:
    # e.g. the server was restored from a backup: the client's seq means nothing here.
    with ws_connect(client, room.atelier["id"], room.sam["member_token"]) as sam:
        frames = catch_up(sam, 1000)
    assert [frame["type"] for frame in frames] == ["welcome", "snapshot", "synced"]
    assert frames[-1]["seq"] == 3


def test_a_client_too_far_behind_gets_a_snapshot(client: TestClient, room: Room) -> None:
    # Past 500 missed events a snapshot is cheaper than the replay. Each socket has its own
    # rate budget (a burst of 200), so the 510 operations go over three connections.
    with connected(client, room.atelier, room.sam) as sam:
        create_cards(sam, 1)
    for _ in range(3):
        with connected(client, room.atelier, room.sam) as sam:
            moves = [
                sam.send_op("card.place", card_id="card-0", desirability=index / 170, feasibility=0.5)
                for index in range(170)
            ]
            for op_id in moves:
                sam.ack(op_id)
    with ws_connect(client, room.atelier["id"], room.camille["member_token"]) as camille:
        frames = catch_up(camille, 3)
    assert [frame["type"] for frame in frames] == ["welcome", "snapshot", "synced"]
    assert frames[-1]["seq"] == 3 + 1 + 510
    assert frames[1]["state"]["cards"][0]["desirability"] == round(169 / 170, 4)


def test_an_operation_resent_after_a_lost_ack_gets_the_same_seq(client: TestClient, room: Room) -> None:
    with connected(client, room.atelier, room.camille) as camille:
        seen = camille.last_seq
        op_id = camille.send_op("card.create", card_id="c1", title="Perdue ?")
        seq = camille.ack(op_id)["seq"]
        # The ack arrived but the client did not record it (a crash, a tab reload): it re-sends.
        camille.send_op("card.create", op_id=op_id, card_id="c1", title="Perdue ?")
        assert camille.ack(op_id)["seq"] == seq

    # The ack is lost with the connection: the client reconnects, catches up, then re-sends.
    with connected(client, room.atelier, room.camille) as camille:
        lost = camille.send_op("card.create", card_id="c2", title="Envoyée, jamais confirmée")
        camille.close(1006)
    with ws_connect(client, room.atelier["id"], room.camille["member_token"]) as camille:
        frames = catch_up(camille, seen)
        replayed = {frame["id"]: frame["seq"] for frame in frames if frame["type"] == "event"}
        camille.send_op("card.create", op_id=lost, card_id="c2", title="Envoyée, jamais confirmée")
        camille.send_op("card.create", op_id=op_id, card_id="c1", title="Perdue ?")
        resent = camille.ack(lost)["seq"]
        assert camille.ack(op_id)["seq"] == seq
    if lost in replayed:  # the first sending was durable before the cut
        assert resent == replayed[lost]
    state = get_state(client, room.atelier)
    assert sorted(card["id"] for card in state["state"]["cards"]) == ["c1", "c2"]
    assert state["seq"] == seq + 1


def test_a_burst_cut_mid_way_and_resent_lands_exactly_once(client: TestClient, room: Room) -> None:
    op_ids = [str(uuid.uuid4()) for _ in range(30)]

    def send(ws: WsClient, index: int) -> None:
        ws.send_op("card.create", op_id=op_ids[index], card_id=f"card-{index:02}", title=f"Carte {index}")

    with connected(client, room.atelier, room.sam) as sam:
        with connected(client, room.atelier, room.camille) as camille:
            seen = camille.last_seq
            for index in range(15):  # sent without reading a single answer...
                send(camille, index)
            camille.close(1006)  # ...then the network drops: no closing handshake

        with ws_connect(client, room.atelier["id"], room.camille["member_token"]) as camille:
            frames = catch_up(camille, seen)
            replayed = [frame for frame in frames if frame["type"] == "event"]
            # What landed before the cut is a prefix of what was sent, in order.
            assert [frame["id"] for frame in replayed] == op_ids[: len(replayed)]
            for index in range(30):  # the client re-sends everything it has no ack for
                send(camille, index)
            acks = {op_id: camille.ack(op_id)["seq"] for op_id in op_ids}
            for frame in replayed:
                assert acks[frame["id"]] == frame["seq"]  # already durable: same seq, not applied again
            assert sorted(acks.values()) == list(range(seen + 1, seen + 31))
            final = seen + 30
            camille.recv_until(lambda frame: frame.get("type") == "event" and frame["seq"] == final)

        # Sam, connected all along, saw each card created exactly once, in seq order.
        created: list[Frame] = []
        while len(created) < 30:
            created.append(sam.recv_until(lambda frame: frame["type"] == "event"))
        assert [frame["seq"] for frame in created] == list(range(seen + 1, final + 1))
        assert sorted(frame["event"]["card"]["id"] for frame in created) == [f"card-{i:02}" for i in range(30)]

    api = get_state(client, room.atelier)
    assert api["seq"] == final
    cards = api["state"]["cards"]
    assert sorted(card["id"] for card in cards) == [f"card-{i:02}" for i in range(30)]

    # Every client's view agrees: a fresh snapshot for the team and for a participant.
    with ws_connect(client, room.atelier["id"], room.referent["member_token"]) as alex:
        team_snapshot = catch_up(alex, 0)[1]
    with ws_connect(client, room.atelier["id"], room.sam["member_token"]) as sam:
        public_snapshot = catch_up(sam, 0)[1]
    assert team_snapshot["seq"] == public_snapshot["seq"] == final
    assert team_snapshot["state"] == api["state"]
    assert public_snapshot["state"]["cards"] == cards
