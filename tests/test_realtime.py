"""The realtime protocol through the ASGI app: acks and broadcasts, roles on every message, bad input,
the handshake. All sockets of a test share one `with TestClient(app)` (see STACK.md)."""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import pytest
from fastapi import FastAPI
from helpers import Frame, bearer, connected, create_atelier, get_state, join, text_update, ws_connect
from starlette.testclient import TestClient
from starlette.websockets import WebSocketDisconnect


@dataclass
class Room:
    """An atelier with its référent-animateur and two participants, all joined (none connected)."""

    atelier: dict[str, Any]
    referent: dict[str, Any]
    camille: dict[str, Any]
    sam: dict[str, Any]


@pytest.fixture
def room(client: TestClient) -> Room:
    atelier = create_atelier(client)
    referent = join(client, atelier, "animateur", first_name="Alex", last_name="Durand")
    camille = join(client, atelier, first_name="Camille", last_name="Martin")
    sam = join(client, atelier, first_name="Sam", last_name="Bernard")
    return Room(atelier, referent, camille, sam)


def test_an_operation_is_acked_then_broadcast_to_everyone_with_the_same_seq(client: TestClient, room: Room) -> None:
    with (
        connected(client, room.atelier, room.referent) as alex,
        connected(client, room.atelier, room.camille) as camille,
        connected(client, room.atelier, room.sam) as sam,
    ):
        op_id = camille.send_op("card.create", card_id="c1", title="Un guichet unique", description="Pour tout.")
        before_ack: list[Frame] = []
        ack = camille.recv_until(lambda frame: frame["type"] in ("ack", "event"), skipped=before_ack)
        assert ack == {"type": "ack", "id": op_id, "seq": 4}  # three joins came first; the ack precedes the event
        for ws in (camille, alex, sam):
            event = ws.event(op_id)
            assert event["seq"] == ack["seq"]
            assert event["actor"] == room.camille["member_id"]
            assert isinstance(event["at"], float)
            assert event["event"]["type"] == "card.created"
            card = event["event"]["card"]
            assert (card["id"], card["title"], card["description"]) == ("c1", "Un guichet unique", "Pour tout.")
            assert card["author_id"] == room.camille["member_id"]
    assert get_state(client, room.atelier)["seq"] == 4


def test_a_resent_operation_is_acked_again_and_applied_once(client: TestClient, room: Room) -> None:
    with connected(client, room.atelier, room.camille) as camille, connected(client, room.atelier, room.sam) as sam:
        first = camille.send_op("card.create", card_id="c1", title="Une carte")
        seq = camille.ack(first)["seq"]
        assert sam.event(first)["seq"] == seq

        camille.send_op("card.create", op_id=first, card_id="c1", title="Une carte")
        assert camille.ack(first)["seq"] == seq
        # Sent twice in a row, before the server could answer either: still one application.
        second = camille.send_op("card.create", card_id="c2", title="Une autre")
        camille.send_op("card.create", op_id=second, card_id="c2", title="Une autre")
        acks = [camille.ack(second)["seq"], camille.ack(second)["seq"]]
        assert acks == [seq + 1, seq + 1]

        # Sam sees the next operation right after the first: no event for the re-sendings.
        third = camille.send_op("card.create", card_id="c3", title="Une troisième")
        camille.ack(third)
        events = [sam.recv_until(lambda frame: frame["type"] == "event") for _ in range(2)]
        assert [(event["id"], event["seq"]) for event in events] == [(second, seq + 1), (third, seq + 2)]

    state = get_state(client, room.atelier)
    assert state["seq"] == seq + 2
    assert sorted(card["id"] for card in state["state"]["cards"]) == ["c1", "c2", "c3"]


def test_operation_ids_are_scoped_to_their_sender(client: TestClient, room: Room) -> None:
    # Two browsers may well make the same id: each is its own operation, not a re-sending.
    with connected(client, room.atelier, room.camille) as camille, connected(client, room.atelier, room.sam) as sam:
        first = camille.ack(camille.send_op("card.create", op_id="op-1", card_id="from-camille", title="A"))["seq"]
        second = sam.ack(sam.send_op("card.create", op_id="op-1", card_id="from-sam", title="B"))["seq"]
        assert second == first + 1
    cards = get_state(client, room.atelier)["state"]["cards"]
    assert sorted(card["id"] for card in cards) == ["from-camille", "from-sam"]


# -- roles, checked on every message ---------------------------------------------------------------

FORBIDDEN_TO_PARTICIPANTS: dict[str, Callable[[Room], dict[str, Any]]] = {
    "step.next": lambda room: {"type": "step.next"},
    "step.prev": lambda room: {"type": "step.prev"},
    "step.goto": lambda room: {"type": "step.goto", "index": 2},
    "timer.start": lambda room: {"type": "timer.start"},
    "timer.pause": lambda room: {"type": "timer.pause"},
    "timer.add": lambda room: {"type": "timer.add", "seconds": 60},
    "timer.reset": lambda room: {"type": "timer.reset"},
    "card.update someone else's": lambda room: {"type": "card.update", "card_id": "sams", "title": "Pris"},
    "card.delete someone else's": lambda room: {"type": "card.delete", "card_id": "sams"},
    "card.priority": lambda room: {"type": "card.priority", "card_id": "sams", "priority": True},
    "member.set_role on someone": lambda room: {
        "type": "member.set_role",
        "member_id": room.sam["member_id"],
        "role": "observer",
    },
    "member.set_role on oneself": lambda room: {
        "type": "member.set_role",
        "member_id": room.camille["member_id"],
        "role": "challengeur",
    },
    "text.update": lambda room: {"type": "text.update", "field": "notes:0", "update": text_update("Intrus")},
}


@pytest.mark.parametrize("case", list(FORBIDDEN_TO_PARTICIPANTS))
def test_participants_are_refused_what_their_role_does_not_allow(client: TestClient, room: Room, case: str) -> None:
    with (
        connected(client, room.atelier, room.referent) as alex,
        connected(client, room.atelier, room.camille) as camille,
        connected(client, room.atelier, room.sam) as sam,
    ):
        sam.ack(sam.send_op("card.create", card_id="sams", title="La carte de Sam"))
        alex.ack(alex.send_op("step.goto", index=1))  # so that "step.prev" is possible for the référent
        before = get_state(client, room.atelier)

        frame = FORBIDDEN_TO_PARTICIPANTS[case](room)
        op_id = camille.send_op(**frame)
        error = camille.answer(op_id)
        assert error["type"] == "error" and error["code"] == "forbidden", error
        assert error["message"]
        assert get_state(client, room.atelier) == before  # nothing changed

        # Everybody carries on: the refused member, the others, and the animateur's own rights.
        mine = camille.send_op("card.create", card_id="camilles", title="La mienne")
        assert camille.ack(mine)["seq"] == before["seq"] + 1
        assert alex.event(mine)["seq"] == sam.event(mine)["seq"] == before["seq"] + 1
        allowed = alex.send_op(**frame)  # what was refused to Camille is the référent's to do
        assert alex.ack(allowed)["seq"] == before["seq"] + 2
        assert camille.event(allowed)["seq"] == before["seq"] + 2


def test_observers_only_watch(client: TestClient, room: Room) -> None:
    with connected(client, room.atelier, room.referent) as alex, connected(client, room.atelier, room.sam) as sam:
        alex.ack(alex.send_op("card.create", card_id="c1", title="Une carte"))
        alex.ack(alex.send_op("member.set_role", member_id=room.sam["member_id"], role="observer"))
        assert sam.recv_until(lambda frame: frame["type"] == "role.changed")["role"] == "observer"
        before = get_state(client, room.atelier)
        for frame in (
            {"type": "card.create", "title": "Interdit"},
            {"type": "card.place", "card_id": "c1", "desirability": 0.5, "feasibility": 0.5},
        ):
            error = sam.answer(sam.send_op(**frame))
            assert (error["type"], error["code"]) == ("error", "forbidden")
        sam.send({"type": "card.drag", "card_id": "c1", "desirability": 0.1, "feasibility": 0.1})
        assert sam.error()["code"] == "forbidden"
        assert get_state(client, room.atelier) == before


def test_a_promotion_takes_effect_on_the_next_message(client: TestClient, room: Room) -> None:
    update = text_update("Notes de Camille")
    with (
        connected(client, room.atelier, room.referent) as alex,
        connected(client, room.atelier, room.camille) as camille,
    ):
        refused = camille.send_op("text.update", field="notes:0", update=update)
        assert camille.answer(refused)["code"] == "forbidden"

        alex.ack(alex.send_op("member.set_role", member_id=room.camille["member_id"], role="complice"))
        assert camille.recv_until(lambda frame: frame["type"] == "role.changed")["role"] == "complice"
        snapshot = camille.recv_until(lambda frame: frame["type"] == "snapshot")
        assert "last_name" in snapshot["state"]["members"][0]  # the animation team sees full names now

        accepted = camille.send_op("text.update", field="notes:0", update=update)  # same socket, no reconnect
        seq = camille.ack(accepted)["seq"]
        assert alex.event(accepted)["seq"] == seq

        # And a demotion takes effect as fast.
        alex.ack(alex.send_op("member.set_role", member_id=room.camille["member_id"], role="participant"))
        again = camille.send_op("text.update", field="notes:1", update=update)
        assert camille.answer(again)["code"] == "forbidden"

    response = client.get(
        f"/api/ateliers/{room.atelier['id']}/deliverable.json", headers=bearer(room.atelier["animateur_token"])
    )
    notes = response.json()["notes"]
    assert (notes[0]["text"], notes[1]["text"]) == ("Notes de Camille", "")


# -- bad input: an error frame, nothing changes, the connection stays usable ------------------------

BIG = json.dumps({"type": "card.create", "id": "big", "title": "x" * (65 * 1024)})


@dataclass(frozen=True)
class Bad:
    frame: str | bytes
    code: str
    says: str  # a fragment the message must contain to be actionable
    op_id: str | None = None


BAD_INPUT = {
    "malformed JSON": Bad('{"type": "card.create", "id": ', "bad_json", "JSON"),
    "not JSON at all": Bad("bonjour", "bad_json", "JSON"),
    "a JSON array": Bad("[1, 2]", "bad_frame", "objet JSON"),
    "a JSON string": Bad('"card.create"', "bad_frame", "objet JSON"),
    "null": Bad("null", "bad_frame", "objet JSON"),
    "no type": Bad('{"id": "t1", "title": "x"}', "bad_frame", "type"),
    "a type that is not a string": Bad('{"type": 3, "id": "t2"}', "bad_frame", "type"),
    "unknown type": Bad('{"type": "card.explode", "id": "u1"}', "unknown_type", "card.explode", "u1"),
    "missing field": Bad('{"type": "card.create", "id": "m1"}', "invalid", "title", "m1"),
    "missing id": Bad('{"type": "card.create", "title": "x"}', "invalid", "id"),
    "id with spaces": Bad('{"type": "card.create", "id": "a b", "title": "x"}', "invalid", "id", "a b"),
    "extra field": Bad('{"type": "card.create", "id": "e1", "title": "x", "admin": true}', "invalid", "admin", "e1"),
    "title not a string": Bad('{"type": "card.create", "id": "w1", "title": 5}', "invalid", "title", "w1"),
    "position as a string": Bad(
        '{"type": "card.place", "id": "w2", "card_id": "c1", "desirability": "0.5", "feasibility": 0.5}',
        "invalid",
        "desirability",
        "w2",
    ),
    "position out of range": Bad(
        '{"type": "card.place", "id": "w3", "card_id": "c1", "desirability": 1.5, "feasibility": 0.5}',
        "invalid",
        "desirability",
        "w3",
    ),
    "position NaN": Bad(
        '{"type": "card.place", "id": "w4", "card_id": "c1", "desirability": NaN, "feasibility": 0.5}',
        "invalid",
        "desirability",
        "w4",
    ),
    "priority not a boolean": Bad(
        '{"type": "card.priority", "id": "w5", "card_id": "c1", "priority": "yes"}', "invalid", "priority", "w5"
    ),
    "step index as a string": Bad('{"type": "step.goto", "id": "w6", "index": "1"}', "invalid", "index", "w6"),
    "step out of the déroulé": Bad('{"type": "step.goto", "id": "w7", "index": 99}', "invalid", "étape", "w7"),
    "role that cannot be given": Bad(
        '{"type": "member.set_role", "id": "w8", "member_id": "x", "role": "referent"}', "invalid", "role", "w8"
    ),
    "unknown card": Bad('{"type": "card.delete", "id": "n1", "card_id": "ghost"}', "not_found", "Carte", "n1"),
    "text update not base64": Bad(
        '{"type": "text.update", "id": "b1", "field": "notes:0", "update": "%%%"}', "invalid", "base64", "b1"
    ),
    "text update not Yjs": Bad(
        '{"type": "text.update", "id": "b2", "field": "notes:0", "update": "aGVsbG8gd29ybGQ="}', "invalid", "Yjs", "b2"
    ),
    "unknown text field": Bad(
        json.dumps({"type": "text.update", "id": "b3", "field": "secret", "update": text_update("x")}),
        "not_found",
        "secret",
        "b3",
    ),
    "frame over 64 KiB": Bad(BIG, "too_large", "64"),
    "binary frame": Bad(json.dumps({"type": "card.create", "id": "bin", "title": "x"}).encode(), "bad_frame", "texte"),
    "title of 121 characters": Bad(
        json.dumps({"type": "card.create", "id": "l1", "title": "t" * 121}), "invalid", "120", "l1"
    ),
    "description of 281 characters": Bad(
        json.dumps({"type": "card.create", "id": "l2", "title": "t", "description": "d" * 281}), "invalid", "280", "l2"
    ),
    "blank title": Bad(json.dumps({"type": "card.create", "id": "l3", "title": " \n\t "}), "invalid", "titre", "l3"),
    "hello twice": Bad('{"type": "hello", "token": "x"}', "bad_frame", "hello"),
}


@pytest.mark.parametrize("case", list(BAD_INPUT))
def test_bad_input_gets_an_error_frame_and_the_connection_stays_usable(
    client: TestClient, room: Room, case: str
) -> None:
    bad = BAD_INPUT[case]
    with connected(client, room.atelier, room.referent) as alex, connected(client, room.atelier, room.sam) as sam:
        alex.ack(alex.send_op("card.create", card_id="c1", title="Une carte"))
        before = get_state(client, room.atelier)

        if isinstance(bad.frame, bytes):
            alex.session.send_bytes(bad.frame)
        else:
            alex.send_raw(bad.frame)
        error = alex.error()
        assert error["code"] == bad.code, error
        assert bad.says.lower() in error["message"].lower(), error
        assert error.get("id") == bad.op_id

        after = alex.send_op("card.create", card_id="c2", title="Après l'erreur")
        assert alex.ack(after)["seq"] == before["seq"] + 1
        assert sam.event(after)["seq"] == before["seq"] + 1  # nothing was broadcast for the bad frame
    state = get_state(client, room.atelier)
    assert state["seq"] == before["seq"] + 1
    assert [card["id"] for card in state["state"]["cards"]] == ["c1", "c2"]


def test_the_longest_allowed_card_text_is_accepted(client: TestClient, room: Room) -> None:
    with connected(client, room.atelier, room.camille) as camille:
        camille.ack(camille.send_op("card.create", card_id="c1", title="t" * 120, description="d" * 280))
    card = get_state(client, room.atelier)["state"]["cards"][0]
    assert (len(card["title"]), len(card["description"])) == (120, 280)


def test_deeply_nested_json_gets_an_error_frame(client: TestClient, room: Room) -> None:
    # Well under 64 KiB, yet deep enough to exhaust Python's JSON decoder recursion.
    with connected(client, room.atelier, room.referent) as alex:
        alex.send_raw("[" * 50_000)
        try:
            error = alex.error()
        except WebSocketDisconnect as closed:
            pytest.fail(f"the connection was closed ({closed.code}) instead of answering an error frame")
        assert error["code"] == "bad_json"
        alex.ack(alex.send_op("card.create", title="Toujours là"))


def test_ping_gets_a_pong_with_the_server_time(client: TestClient, room: Room) -> None:
    with connected(client, room.atelier, room.sam) as sam:
        sam.send({"type": "ping", "t": 123.5})
        pong = sam.recv_until(lambda frame: frame["type"] == "pong")
        assert pong["t"] == 123.5
        assert pong["server_time"] > 1e12  # milliseconds since the epoch


# -- card text is data, never markup ---------------------------------------------------------------

SCRIPT = "<script>alert(1)</script>"


def test_card_text_is_stored_verbatim_and_escaped_when_rendered(client: TestClient, room: Room) -> None:
    with (
        connected(client, room.atelier, room.referent) as alex,
        connected(client, room.atelier, room.camille, html=True) as camille,
    ):
        op_id = alex.send_op("card.create", card_id="x1", title=SCRIPT, description=f'"quoted" & {SCRIPT}')
        alex.ack(op_id)
        assert alex.event(op_id)["event"]["card"]["title"] == SCRIPT
        fragments = camille.event(op_id)["fragments"]
        assert fragments
        for fragment in fragments:
            assert "<script>alert" not in fragment["html"]
        assert any("&lt;script&gt;alert(1)&lt;/script&gt;" in fragment["html"] for fragment in fragments)

    card = get_state(client, room.atelier)["state"]["cards"][0]
    assert card["title"] == SCRIPT
    assert card["description"] == f'"quoted" & {SCRIPT}'

    cookie = {"Cookie": f"atelier_{room.atelier['id']}={room.camille['member_token']}"}
    page = client.get(f"/a/{room.atelier['id']}", headers=cookie)
    assert page.status_code == 200
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page.text
    assert "<script>alert" not in page.text
    assert "content-security-policy" in page.headers


# -- the handshake ---------------------------------------------------------------------------------


def test_a_first_frame_that_is_not_hello_closes_with_4400(client: TestClient, room: Room) -> None:
    with ws_connect(client, room.atelier["id"]) as ws:
        ws.send({"type": "card.create", "id": "c", "title": "Trop tôt"})
        assert ws.recv()["code"] == "bad_hello"
        assert ws.expect_close() == 4400
    with ws_connect(client, room.atelier["id"]) as ws:
        ws.send_raw("pas du JSON")
        assert ws.expect_close() == 4400
    assert get_state(client, room.atelier)["state"]["cards"] == []


@pytest.mark.parametrize("token", ["wrong-token-wrong-token-wrong", None, "other atelier's member"])
def test_a_bad_token_closes_with_4401(client: TestClient, room: Room, token: str | None) -> None:
    if token == "other atelier's member":
        other = create_atelier(client)
        token = join(client, other)["member_token"]
    with ws_connect(client, room.atelier["id"]) as ws:
        ws.send({"type": "hello", "token": token, "last_seq": 0})
        assert ws.recv()["code"] == "unauthorized"
        assert ws.expect_close() == 4401


def test_a_link_token_is_not_a_member_secret(client: TestClient, room: Room) -> None:
    with ws_connect(client, room.atelier["id"], room.atelier["animateur_token"]) as ws:
        ws.hello()
        assert ws.expect_close() == 4401


def test_an_unknown_atelier_closes_with_4404(client: TestClient, room: Room) -> None:
    with ws_connect(client, "no-such-atelier", room.camille["member_token"]) as ws:
        ws.hello()
        assert ws.recv()["code"] == "not_found"
        assert ws.expect_close() == 4404


def refused_origin(client: TestClient, atelier_id: str, origin: str) -> int:
    """Open a socket with `origin`; the close code after the server's error frame."""
    with ws_connect(client, atelier_id, headers={"Origin": origin}) as ws:
        error = ws.recv()
        assert error["type"] == "error" and error["code"] == "bad_origin", error
        return ws.expect_close()


def test_a_foreign_origin_is_refused(client: TestClient, room: Room) -> None:
    assert refused_origin(client, room.atelier["id"], "https://evil.example") == 4403
    assert refused_origin(client, room.atelier["id"], "http://testserver.evil.example") == 4403
    assert refused_origin(client, room.atelier["id"], "null") == 4403
    # The app's own origin is fine, and so is a machine client that sends none.
    with ws_connect(
        client, room.atelier["id"], room.camille["member_token"], headers={"Origin": "http://testserver"}
    ) as ws:
        ws.hello()
        assert ws.drain_to_synced()[0]["type"] == "welcome"


def test_allowed_origins_are_accepted(make_app: Callable[..., FastAPI]) -> None:
    with TestClient(make_app(allowed_origins="https://atelier.example.gouv.fr, https://other.example")) as client:
        atelier = create_atelier(client)
        member = join(client, atelier)
        headers = {"Origin": "https://atelier.example.gouv.fr"}
        with ws_connect(client, atelier["id"], member["member_token"], headers=headers) as ws:
            ws.hello()
            assert ws.drain_to_synced()[-1]["type"] == "synced"
        assert refused_origin(client, atelier["id"], "https://evil.example") == 4403


def test_the_welcome_names_the_member_and_the_seq(client: TestClient, room: Room) -> None:
    with ws_connect(client, room.atelier["id"], room.sam["member_token"]) as ws:
        ws.hello()
        frames = ws.drain_to_synced()
        assert [frame["type"] for frame in frames] == ["welcome", "snapshot", "synced"]
        welcome = frames[0]
        assert welcome["seq"] == frames[2]["seq"] == 3
        assert welcome["member"] == {"id": room.sam["member_id"], "display_name": "Sam B.", "role": "participant"}
        # A participant's snapshot shows display names, not the personal data the team sees.
        assert all("last_name" not in member for member in frames[1]["state"]["members"])
        presence = ws.recv_until(lambda frame: frame["type"] == "presence")
        assert room.sam["member_id"] in presence["online"]


def test_the_member_cookie_works_as_the_secret(client: TestClient, room: Room) -> None:
    cookie = {"Cookie": f"atelier_{room.atelier['id']}={room.sam['member_token']}"}
    with ws_connect(client, room.atelier["id"], headers=cookie) as ws:
        ws.send({"type": "hello", "last_seq": 0})
        assert ws.drain_to_synced()[0]["member"]["id"] == room.sam["member_id"]
