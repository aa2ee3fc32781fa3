"""The tour de table and the visio signals through the ASGI app: who may do what, what everyone
receives, what is durable (the round, across a restart) and what is not (hands, flags, reactions)."""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import httpx
import pytest
from fastapi import FastAPI
from helpers import Frame, WsClient, bearer, connected, create_atelier, db_rows, get_state, join, sqlite_path
from live_helpers import SseClient, live_ws, threaded_server
from starlette.testclient import TestClient

from app.export.pdf import render_deliverable_html
from app.settings import Settings


@dataclass
class Room:
    """An atelier (Format 1) with its référent-animateur, a complice and four participants."""

    atelier: dict[str, Any]
    referent: dict[str, Any]
    complice: dict[str, Any]
    people: list[dict[str, Any]]


def make_room(client: TestClient) -> Room:
    atelier = create_atelier(client)
    referent = join(client, atelier, "animateur", first_name="Alex", last_name="Durand")
    complice = join(client, atelier, first_name="Chloé", last_name="Petit")
    people = [
        join(client, atelier, first_name=first, last_name=last)
        for first, last in (("Ana", "Roux"), ("Bruno", "Leroy"), ("Chen", "Wang"), ("Dina", "Haddad"))
    ]
    with connected(client, atelier, referent) as alex:
        alex.ack(alex.send_op("member.set_role", member_id=complice["member_id"], role="complice"))
    return Room(atelier, referent, complice, people)


@pytest.fixture
def room(client: TestClient) -> Room:
    return make_room(client)


def ids(members: list[dict[str, Any]]) -> list[str]:
    return [member["member_id"] for member in members]


def speech_event(ws: WsClient, op_id: str) -> dict[str, Any]:
    return ws.event(op_id)["event"]  # type: ignore[no-any-return]


def signals(ws: WsClient, predicate: Callable[[Frame], bool] = lambda _frame: True) -> Frame:
    return ws.recv_until(lambda frame: frame["type"] == "signals" and predicate(frame))


def test_a_tour_de_table_hears_the_participants_present_in_turn(client: TestClient, room: Room) -> None:
    ana, bruno, chen, dina = room.people
    with (
        connected(client, room.atelier, room.referent) as alex,
        connected(client, room.atelier, ana) as ana_ws,
        connected(client, room.atelier, bruno),
        connected(client, room.atelier, chen),
    ):
        start = alex.send_op("speech.start", turn_seconds=30)
        started = speech_event(ana_ws, start)
        # Dina never connected: the round hears the three participants present, in the order they joined.
        assert started["type"] == "speech.round_started"
        assert started["round"]["order"] == ids([ana, bruno, chen])
        assert started["round"]["turn_seconds"] == 30

        turns = []
        for _ in range(3):
            given = speech_event(ana_ws, alex.send_op("speech.next"))
            turns.append(given["member_id"])
            assert given["type"] == "speech.turn_given" and isinstance(given["at"], float)
        assert turns == ids([ana, bruno, chen])
        # Dina arrives late: the animateur gives her the floor, she joins the order.
        speech_event(ana_ws, alex.send_op("speech.give", member_id=dina["member_id"]))
        alex.ack(alex.send_op("speech.next"))  # « merci » to Dina: nobody left, her turn closes
        refused = alex.answer(alex.send_op("speech.next"))
        assert refused["code"] == "invalid" and "Tout le monde" in refused["message"]
    state = get_state(client, room.atelier)["state"]
    (round_,) = state["speech"]["rounds"]
    assert round_["order"] == ids([ana, bruno, chen, dina])
    assert [turn["member_id"] for turn in round_["turns"]] == ids([ana, bruno, chen, dina])
    assert round_["turns"][-1]["ended_at"] is not None  # « suivant » after the last closed her turn
    notes = state["texts"]
    assert notes  # the notes of step 1 name each speaker (read through the deliverable below)
    deliverable = client.get(
        f"/api/ateliers/{room.atelier['id']}/deliverable.json", headers=bearer(room.atelier["animateur_token"])
    ).json()
    step_notes = next(step for step in deliverable["notes"] if step["text"])
    assert "Parole à Ana R. :" in step_notes["text"] and "Parole à Dina H. :" in step_notes["text"]


def test_cards_typed_during_a_turn_carry_the_speaker(client: TestClient, room: Room) -> None:
    ana, bruno = room.people[:2]
    with (
        connected(client, room.atelier, room.referent) as alex,
        connected(client, room.atelier, room.complice) as chloe,
        connected(client, room.atelier, ana),
        connected(client, room.atelier, bruno) as bruno_ws,
    ):
        alex.ack(alex.send_op("step.goto", index=4))  # Format 1 step 5: « 2 min maximum » each
        started = speech_event(chloe, alex.send_op("speech.start"))
        assert started["round"]["turn_seconds"] == 120
        alex.ack(alex.send_op("speech.give", member_id=ana["member_id"]))
        typed = chloe.send_op("card.create", card_id="c-ana", title="Open data de la cantine")
        card = speech_event(bruno_ws, typed)["card"]
        assert card["speaker_id"] == ana["member_id"] and card["author_id"] == room.complice["member_id"]
        own = bruno_ws.send_op("card.create", card_id="c-bruno", title="Mon idée")
        assert speech_event(bruno_ws, own)["card"]["speaker_id"] is None  # his own idea, not Ana's words
    deliverable = client.get(
        f"/api/ateliers/{room.atelier['id']}/deliverable.json", headers=bearer(room.atelier["animateur_token"])
    ).json()
    cards = {card["id"]: card for card in deliverable["cards"]}
    assert cards["c-ana"]["speaker"]["id"] == ana["member_id"]
    assert cards["c-bruno"]["speaker"] is None
    # The deliverable PDF says whose words the card holds, once: Bruno's card is his own.
    html = render_deliverable_html(deliverable)
    assert html.count("dit par") == 1 and re.search(r"dit par</span>\s*Ana Roux", html)


@pytest.mark.parametrize("who", ["complice", "participant"])
def test_only_animateurs_move_the_speaking_turn(client: TestClient, room: Room, who: str) -> None:
    ana = room.people[0]
    member = room.complice if who == "complice" else ana
    with connected(client, room.atelier, room.referent) as alex, connected(client, room.atelier, member) as ws:
        for op, fields in (("speech.start", {}), ("speech.next", {})):
            refused = ws.answer(ws.send_op(op, **fields))
            assert refused["type"] == "error" and refused["code"] == "forbidden", refused
        alex.ack(alex.send_op("speech.start"))
        for op, fields in (
            ("speech.next", {}),
            ("speech.give", {"member_id": ana["member_id"]}),
            ("speech.move", {"member_id": ana["member_id"], "index": 0}),
            ("speech.shuffle", {}),
            ("speech.timebox", {"turn_seconds": 60}),
            ("speech.remove", {"member_id": ana["member_id"]}),
            ("speech.end", {}),
        ):
            refused = ws.answer(ws.send_op(op, **fields))
            assert refused["type"] == "error" and refused["code"] == "forbidden", (op, refused)
    (round_,) = get_state(client, room.atelier)["state"]["speech"]["rounds"]
    assert round_["turns"] == [] and round_["ended_at"] is None


def test_bad_speech_frames_are_refused_with_a_clear_message(client: TestClient, room: Room) -> None:
    with connected(client, room.atelier, room.referent) as alex:
        assert alex.answer(alex.send_op("speech.next"))["code"] == "invalid"  # no round yet
        assert alex.answer(alex.send_op("speech.start", turn_seconds=1))["code"] == "invalid"
        assert alex.answer(alex.send_op("speech.start", turn_seconds="deux"))["code"] == "invalid"
        alex.ack(alex.send_op("speech.start"))
        assert alex.answer(alex.send_op("speech.give", member_id="personne"))["code"] == "not_found"
        assert alex.answer(alex.send_op("speech.move", member_id=room.people[0]["member_id"], index=40))["code"] == (
            "invalid"
        )


def test_a_round_survives_a_restart(make_app: Callable[..., FastAPI]) -> None:
    with TestClient(make_app()) as client:
        room = make_room(client)
        ana, bruno = room.people[:2]
        with (
            connected(client, room.atelier, room.referent) as alex,
            connected(client, room.atelier, ana),
            connected(client, room.atelier, bruno),
        ):
            alex.ack(alex.send_op("speech.start", turn_seconds=45, shuffle=True))
            alex.ack(alex.send_op("speech.next"))
        before = get_state(client, room.atelier)
    with TestClient(make_app()) as client:
        after = get_state(client, room.atelier)
        assert after == before
        (round_,) = after["state"]["speech"]["rounds"]
        assert sorted(round_["order"]) == sorted(ids([ana, bruno])) and round_["turn_seconds"] == 45
        assert round_["turns"][0]["member_id"] == round_["order"][0] and round_["ended_at"] is None
        with connected(client, room.atelier, room.referent) as alex:
            given = speech_event(alex, alex.send_op("speech.next"))
            assert given["member_id"] == round_["order"][1]  # the round goes on where it was


def test_hands_queue_for_everyone_and_animateurs_lower_them(client: TestClient, room: Room) -> None:
    ana, bruno = room.people[:2]
    with (
        connected(client, room.atelier, room.referent) as alex,
        connected(client, room.atelier, ana) as ana_ws,
        connected(client, room.atelier, bruno) as bruno_ws,
    ):
        bruno_ws.send({"type": "hand.raise"})
        signals(alex, lambda frame: len(frame["hands"]) == 1)
        ana_ws.send({"type": "hand.raise"})
        seen = signals(alex, lambda frame: len(frame["hands"]) == 2)
        assert [hand["member_id"] for hand in seen["hands"]] == ids([bruno, ana])  # order of raising
        mine = signals(ana_ws, lambda frame: len(frame["hands"]) == 2)
        assert mine["mine"] == {"hand": True, "bad_connection": False, "done": False}
        assert "done" not in mine  # the team's counts stay with the team

        ana_ws.send({"type": "hand.lower", "member_id": bruno["member_id"]})
        refused = ana_ws.error()
        assert refused["code"] == "forbidden" and "animateurs" in refused["message"]
        alex.send({"type": "hand.lower", "member_id": bruno["member_id"]})
        lowered = signals(bruno_ws, lambda frame: [hand["member_id"] for hand in frame["hands"]] == ids([ana]))
        assert lowered["mine"]["hand"] is False
        ana_ws.send({"type": "hand.lower"})
        signals(alex, lambda frame: frame["hands"] == [])


def test_a_raised_hand_comes_down_when_its_owner_is_given_the_floor(client: TestClient, room: Room) -> None:
    ana, bruno = room.people[:2]
    with (
        connected(client, room.atelier, room.referent) as alex,
        connected(client, room.atelier, ana) as ana_ws,
        connected(client, room.atelier, bruno) as bruno_ws,
    ):
        alex.ack(alex.send_op("speech.start"))
        for ws in (ana_ws, bruno_ws):
            ws.send({"type": "hand.raise"})
        signals(alex, lambda frame: len(frame["hands"]) == 2)
        alex.ack(alex.send_op("speech.give", member_id=bruno["member_id"]))
        seen = signals(alex, lambda frame: len(frame["hands"]) == 1)
        assert [hand["member_id"] for hand in seen["hands"]] == ids([ana])
        assert signals(bruno_ws, lambda frame: len(frame["hands"]) == 1)["mine"]["hand"] is False


def test_done_count_for_the_team_resets_with_the_step(client: TestClient, room: Room) -> None:
    ana, bruno, chen = room.people[:3]
    with (
        connected(client, room.atelier, room.referent) as alex,
        connected(client, room.atelier, room.complice) as chloe,
        connected(client, room.atelier, ana) as ana_ws,
        connected(client, room.atelier, bruno) as bruno_ws,
        connected(client, room.atelier, chen),
    ):
        ana_ws.send({"type": "signal.set", "signal": "done", "on": True})
        bruno_ws.send({"type": "signal.set", "signal": "done", "on": True})
        seen = signals(alex, lambda frame: frame["done_count"]["done"] == 2)
        assert seen["done_count"] == {"done": 2, "present": 3} and seen["done"] == ids([ana, bruno])
        bruno_ws.send({"type": "signal.set", "signal": "bad_connection", "on": True})
        seen = signals(chloe, lambda frame: frame["bad_connection"] != [])
        assert seen["bad_connection"] == ids([bruno])
        alex.ack(alex.send_op("step.next"))
        reset = signals(alex, lambda frame: frame["done_count"]["done"] == 0)
        assert reset["done_count"] == {"done": 0, "present": 3}
        assert reset["bad_connection"] == ids([bruno])  # a bad line is not about the step


def test_reactions_reach_everyone_and_are_rate_limited(client: TestClient, room: Room) -> None:
    ana, bruno = room.people[:2]
    with connected(client, room.atelier, ana) as ana_ws, connected(client, room.atelier, bruno) as bruno_ws:
        ana_ws.send({"type": "reaction.send", "emoji": "👏"})
        seen = bruno_ws.recv_until(lambda frame: frame["type"] == "reaction")
        assert seen == {"type": "reaction", "by": ana["member_id"], "name": "Ana R.", "emoji": "👏", "label": "bravo"}
        ana_ws.recv_until(lambda frame: frame["type"] == "reaction")  # the sender sees it too
        ana_ws.send({"type": "reaction.send", "emoji": "<b>"})
        assert ana_ws.error()["code"] == "invalid"
        for _ in range(6):
            ana_ws.send({"type": "reaction.send", "emoji": "👍"})
        limited = ana_ws.error(lambda frame: frame["code"] == "rate_limited")
        assert "réactions" in limited["message"]


def test_observers_cannot_signal(client: TestClient, room: Room) -> None:
    guest = room.people[3]
    with connected(client, room.atelier, room.referent) as alex:
        alex.ack(alex.send_op("member.set_role", member_id=guest["member_id"], role="observer"))
    with connected(client, room.atelier, guest) as observer:
        for frame in (
            {"type": "hand.raise"},
            {"type": "signal.set", "signal": "done", "on": True},
            {"type": "reaction.send", "emoji": "👍"},
        ):
            observer.send(frame)
            assert observer.error()["code"] == "forbidden"


def test_signals_are_never_written_to_the_database(client: TestClient, room: Room, settings: Settings) -> None:
    ana = room.people[0]
    database = sqlite_path(settings)
    tables = {"operations": len(db_rows(database, "operation"))}
    with connected(client, room.atelier, room.referent) as alex, connected(client, room.atelier, ana) as ana_ws:
        ana_ws.send({"type": "hand.raise"})
        ana_ws.send({"type": "signal.set", "signal": "done", "on": True})
        ana_ws.send({"type": "reaction.send", "emoji": "❤️"})
        alex.recv_until(lambda frame: frame["type"] == "reaction")
    assert len(db_rows(database, "operation")) == tables["operations"]


def test_browsers_get_the_signals_and_speech_regions_rendered(client: TestClient, room: Room) -> None:
    ana = room.people[0]
    with connected(client, room.atelier, room.referent, html=True) as alex, connected(client, room.atelier, ana):
        fragments = {fragment["id"]: fragment for fragment in signals(alex)["fragments"]}
        assert "ont terminé" in fragments["signals"]["html"]
        started = alex.event(alex.send_op("speech.start"))
        regions = {fragment["id"]: fragment["html"] for fragment in started["fragments"]}
        assert "Je passe la parole à Ana R." in regions["speech"]
        assert "Ana Roux" in regions["prompts"]  # not spoken yet


def test_the_round_and_the_signals_work_over_sse_too(make_app: Callable[..., FastAPI]) -> None:
    """A participant behind a proxy that blocks WebSockets (SSE + POST) is present, raises a hand."""
    with threaded_server(make_app()) as base_url, httpx.Client(base_url=base_url, timeout=10) as http:
        try:
            atelier = create_atelier(http)  # type: ignore[arg-type]  # an httpx.Client speaks like the TestClient
            referent = join(http, atelier, "animateur", first_name="Alex")  # type: ignore[arg-type]
            camille = join(http, atelier, first_name="Camille", last_name="Martin")  # type: ignore[arg-type]
            cam = SseClient(http, atelier["id"], camille["member_token"])
            cam.connect()
            with live_ws(base_url, atelier["id"], referent["member_token"]) as alex:
                alex.hello()
                alex.drain_to_synced()
                started = alex.event(alex.send_op("speech.start"))
                assert started["event"]["round"]["order"] == [camille["member_id"]]
                cam.send({"type": "hand.raise"})
                seen = alex.recv_until(lambda frame: frame["type"] == "signals" and frame["hands"] != [])
                assert [hand["member_id"] for hand in seen["hands"]] == [camille["member_id"]]
                alex.send_op("speech.give", op_id="give-1", member_id=camille["member_id"])
                given = cam.recv_until(lambda frame: frame["type"] == "event" and frame["id"] == "give-1")
                assert given["event"]["member_id"] == camille["member_id"]
        finally:
            SseClient.drop_all(http)
