"""Formats 2 and 3 through the ASGI app: co-writing the canevas, durability of text updates across a
restart, ordering the feuille de route concurrently, role rules per step on every message, bad input.

The room's clock is replaced by a fake one (the room reads time only through `room.clock`), so the
grace period after a step change is tested without waiting. All sockets of a test share one
`with TestClient(app)` (see STACK.md).
"""

from __future__ import annotations

import base64
import itertools
import json
import random
import re
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from fastapi import FastAPI
from helpers import (
    Frame,
    WsClient,
    bearer,
    connected,
    create_atelier,
    db_rows,
    get_state,
    join,
    text_update,
    ws_connect,
)
from pycrdt import Doc, Text
from starlette.testclient import TestClient

from app.domain import limits
from app.realtime.room import Room

START = 1_800_000_000.0  # the fake server clock's epoch


class FakeClock:
    """The room's clock, moved by the test."""

    def __init__(self, now: float = START) -> None:
        self.now = now

    def __call__(self) -> float:
        return self.now


@dataclass
class Atelier:
    """An atelier with its référent-animateur and two participants, all joined (none connected)."""

    atelier: dict[str, Any]
    referent: dict[str, Any]
    camille: dict[str, Any]
    sam: dict[str, Any]
    room: Room
    clock: FakeClock

    def deliverable(self, client: TestClient) -> dict[str, Any]:
        url = f"/api/ateliers/{self.atelier['id']}/deliverable.json"
        response = client.get(url, headers=bearer(self.atelier["animateur_token"]))
        assert response.status_code == 200, response.text
        return response.json()  # type: ignore[no-any-return]


def live_room(client: TestClient, atelier_id: str) -> Room:
    """The room the app holds for `atelier_id` (loaded if need be)."""
    room = client.portal.call(client.app_state["rooms"].get, atelier_id)
    assert room is not None
    return room  # type: ignore[no-any-return]


def open_atelier(client: TestClient, format_key: str) -> Atelier:
    atelier = create_atelier(client, format=format_key, title="Ouvrir les données des cantines")
    referent = join(client, atelier, "animateur", first_name="Alex", last_name="Durand", structure="DITP")
    camille = join(client, atelier, first_name="Camille", last_name="Martin", structure="CAF")
    sam = join(client, atelier, first_name="Sam", last_name="Bernard", structure="Mairie")
    room = live_room(client, atelier["id"])
    clock = FakeClock()
    room.clock = clock
    return Atelier(atelier, referent, camille, sam, room, clock)


def goto(alex: WsClient, index: int) -> None:
    alex.ack(alex.send_op("step.goto", index=index))


def server_text(client: TestClient, setup: Atelier, field: str) -> str:
    encoded = get_state(client, setup.atelier)["state"]["texts"].get(field)
    doc = TextDoc()
    if encoded:
        doc.apply(encoded)
    return doc.value


class TextDoc:
    """A browser's copy of one co-written field (pycrdt, as yjs would)."""

    def __init__(self) -> None:
        self.doc: Doc[Text] = Doc()
        self.doc["text"] = self.text = Text()

    @property
    def value(self) -> str:
        return str(self.text)

    def _edit(self, change: Callable[[Text], None]) -> str:
        before = self.doc.get_state()
        change(self.text)
        return base64.b64encode(self.doc.get_update(before)).decode("ascii")

    def insert(self, index: int, words: str) -> str:
        """Insert (ASCII: pycrdt indexes UTF-8 bytes) and return the incremental update, base64."""
        return self._edit(lambda text: text.insert(index, words))

    def delete(self, start: int, end: int) -> str:
        def cut(text: Text) -> None:
            del text[start:end]

        return self._edit(cut)

    def apply(self, update_b64: str) -> None:
        self.doc.apply_update(base64.b64decode(update_b64))


def settle(
    sockets: dict[str, WsClient], sent: dict[str, set[str]], refusable: frozenset[str] = frozenset()
) -> dict[str, list[Frame]]:
    """Read every socket until each operation in `sent` (op ids per socket) is answered and every
    socket has the event of each accepted one; the events each socket received, in its order.

    An error is allowed only with a code in `refusable` (its operation then has no event).
    """
    every = set().union(*sent.values())
    events: dict[str, list[Frame]] = {name: [] for name in sockets}
    answers: dict[str, str] = {}

    def handle(name: str, frame: Frame) -> None:
        if frame["type"] == "ack" and frame["id"] in sent.get(name, set()):
            answers[frame["id"]] = "ack"
        elif frame["type"] == "error":
            assert frame["code"] in refusable and frame.get("id") in sent.get(name, set()), frame
            answers[frame["id"]] = frame["code"]
        elif frame["type"] == "event" and frame["id"] in every:
            events[name].append(frame)

    for name, ws in sockets.items():  # first every sender learns the fate of its operations…
        while not sent.get(name, set()) <= answers.keys():
            handle(name, ws.recv())
    accepted = {op_id for op_id, answer in answers.items() if answer == "ack"}
    for name, ws in sockets.items():  # …then everyone reads until it has every accepted event
        while not accepted <= {event["id"] for event in events[name]}:
            handle(name, ws.recv())
    return events


# -- co-writing the canevas ----------------------------------------------------------------------

TOKEN = re.compile(r"\[[A-Z]\d+\]")


def tokens(text: str) -> list[str]:
    """The text as the tokens typed into it; fails if a token was cut or stray characters appear."""
    found = TOKEN.findall(text)
    assert "".join(found) == text, f"characters outside whole tokens: {text!r}"
    return found


def boundaries(text: str) -> list[int]:
    offsets, position = [0], 0
    for token in tokens(text):
        position += len(token)
        offsets.append(position)
    return offsets


def test_two_people_cowriting_a_canevas_field_converge(client: TestClient) -> None:
    """Interleaved bursts of insertions and deletions by two participants in the same canevas field,
    including insertions at the same position and deletions of the same text, converge on every client
    to a text holding every inserted token that was not deleted, each once and whole."""
    setup = open_atelier(client, "2")
    field = "canevas:c_est"
    rng = random.Random(20261120)
    counter = itertools.count()
    with (
        connected(client, setup.atelier, setup.referent) as alex,
        connected(client, setup.atelier, setup.camille) as camille,
        connected(client, setup.atelier, setup.sam) as sam,
    ):
        goto(alex, 5)  # « Remplir le canevas d'engagement »
        writers = {"C": camille, "S": sam}
        docs = {"C": TextDoc(), "S": TextDoc(), "A": TextDoc()}  # Alex only reads
        inserted: set[str] = set()
        deleted: set[str] = set()
        for burst in range(8):
            updates: dict[str, list[str]] = {"C": [], "S": []}
            for name in writers:  # each edits its own copy, without seeing the other's burst
                doc = docs[name]
                for step in range(rng.randint(2, 5)):
                    present = tokens(doc.value)
                    if present and rng.random() < 0.35:
                        # Delete a token; in odd bursts both delete the first one (the same text, at once).
                        index = 0 if burst % 2 else rng.randrange(len(present))
                        start = boundaries(doc.value)[index]
                        updates[name].append(doc.delete(start, start + len(present[index])))
                        deleted.add(present[index])
                        continue
                    token = f"[{name}{next(counter)}]"
                    # The first insertion of every burst is at the very start, for both: the same position.
                    offset = 0 if step == 0 else rng.choice(boundaries(doc.value))
                    updates[name].append(doc.insert(offset, token))
                    inserted.add(token)
            sent: dict[str, set[str]] = {"C": set(), "S": set()}
            for update_c, update_s in itertools.zip_longest(updates["C"], updates["S"]):
                for name, update in (("C", update_c), ("S", update_s)):
                    if update is not None:
                        sent[name].add(writers[name].send_op("text.update", field=field, update=update))
            received = settle({"C": camille, "S": sam, "A": alex}, sent)
            for name, events in received.items():
                for event in events:
                    assert event["event"]["field"] == field
                    docs[name].apply(event["event"]["update"])
            texts = {name: doc.value for name, doc in docs.items()}
            assert texts["C"] == texts["S"] == texts["A"], texts
            assert sorted(tokens(texts["C"])) == sorted(inserted - deleted), burst
        final = docs["C"].value
        assert len(final) > 10 and deleted, "the bursts should leave some text and have deleted some"

    assert server_text(client, setup, field) == final
    fields = {item["key"]: item for item in setup.deliverable(client)["canevas"]["fields"]}
    assert fields["c_est"]["text"] == final


# -- durability ----------------------------------------------------------------------------------


def logged_op_ids(database: Path) -> set[str]:
    return {row[2] for row in db_rows(database, "operation")}  # (atelier_id, seq, op_id, actor, event, at)


def test_text_updates_are_durable_before_their_ack_and_survive_a_restart(
    make_app: Callable[..., FastAPI], database: Path
) -> None:
    field = "canevas:va"
    typed = "Mon engagement va publier les menus et les allergenes chaque semaine, en open data."
    camille_doc, sam_doc = TextDoc(), TextDoc()
    with TestClient(make_app()) as client:
        setup = open_atelier(client, "2")
        with (
            connected(client, setup.atelier, setup.referent) as alex,
            connected(client, setup.atelier, setup.camille) as camille,
            connected(client, setup.atelier, setup.sam) as sam,
        ):
            goto(alex, 5)
            # Keystroke by keystroke: when the ack arrives, the operation is already in the log.
            for character in typed[:20]:
                op_id = camille.send_op(
                    "text.update", field=field, update=camille_doc.insert(len(camille_doc.value), character)
                )
                camille.ack(op_id)
                assert op_id in logged_op_ids(database)
            # Sam co-writes at the start, concurrently (without having seen Camille's text).
            sam.ack(sam.send_op("text.update", field=field, update=sam_doc.insert(0, "Sam : ")))
            # Mid-typing: a burst sent at once; the server stops after some of it was acknowledged.
            burst = [
                camille.send_op("text.update", field=field, update=camille_doc.insert(len(camille_doc.value), c))
                for c in typed[20:]
            ]
            acked = 20
            for op_id in burst[:30]:
                camille.ack(op_id)
                assert op_id in logged_op_ids(database)
                acked += 1
        # Read while the rest of the burst may still be landing: what it shows is durable too.
        before = server_text(client, setup, field).replace("Sam : ", "", 1)

    with TestClient(make_app()) as client:  # a new app on the same database: the restart
        after = server_text(client, setup, field)
        assert "Sam : " in after
        camilles = after.replace("Sam : ", "", 1)
        assert camilles.startswith(typed[:acked])  # nothing acknowledged is lost…
        assert typed.startswith(camilles)  # …and what arrived is in order, whole
        assert camilles.startswith(before)
        deliverable = setup.deliverable(client)
        assert deliverable["kind"] == "canevas"
        fields = {item["key"]: item["text"] for item in deliverable["canevas"]["fields"]}
        assert fields["va"] == after  # the deliverable reads the merged text
        assert fields["titre"] == ""


# -- the feuille de route ------------------------------------------------------------------------


def snapshot_order(frames: list[Frame]) -> list[str]:
    snapshot = next(frame for frame in frames if frame["type"] == "snapshot")
    return [etape["id"] for etape in snapshot["state"]["roadmap"]["etapes"]]


def apply_roadmap_event(order: list[str], event: dict[str, Any]) -> None:
    """What a client does with the feuille de route's events (docs/protocol.md §6)."""
    kind = event["type"]
    if kind == "etape.created":
        order.insert(event["index"], event["etape"]["id"])
    elif kind == "etape.moved":
        order.remove(event["etape_id"])
        order.insert(event["index"], event["etape_id"])
    elif kind == "etape.deleted":
        order.remove(event["etape_id"])


def test_moving_etapes_concurrently_converges_on_every_client(client: TestClient) -> None:
    setup = open_atelier(client, "3")
    ids = [f"e{index}" for index in range(6)]
    with connected(client, setup.atelier, setup.referent) as alex:
        goto(alex, 5)  # « Dresser la feuille de route »
        for etape_id in ids:
            alex.ack(alex.send_op("etape.create", etape_id=etape_id, title=f"Étape {etape_id}"))

    rng = random.Random(42)
    sockets: dict[str, WsClient] = {}
    orders: dict[str, list[str]] = {}
    with (
        ws_connect(client, setup.atelier["id"], setup.referent["member_token"]) as sockets["alex"],
        ws_connect(client, setup.atelier["id"], setup.camille["member_token"]) as sockets["camille"],
        ws_connect(client, setup.atelier["id"], setup.sam["member_token"]) as sockets["sam"],
    ):
        for name, ws in sockets.items():
            ws.hello()
            orders[name] = snapshot_order(ws.drain_to_synced())
            assert orders[name] == ids
        camille, sam = sockets["camille"], sockets["sam"]
        for round_ in range(5):
            sent: dict[str, set[str]] = {"camille": set(), "sam": set(), "alex": set()}
            # Both drag étapes at once, from the same picture: interleaved moves, same étapes sometimes.
            for _ in range(6):
                for name, ws in (("camille", camille), ("sam", sam)):
                    etape_id = rng.choice(orders[name])
                    sent[name].add(ws.send_op("etape.move", etape_id=etape_id, index=rng.randrange(len(ids))))
            if round_ == 3:  # a deletion and a creation race the moves; a move of a deleted étape is refused
                victim = orders["alex"][0]
                sent["alex"].add(sockets["alex"].send_op("etape.delete", etape_id=victim))
                sent["camille"].add(camille.send_op("etape.move", etape_id=victim, index=0))
                sent["camille"].add(camille.send_op("etape.create", etape_id="e-new", title="Nouvelle", index=2))
            received = settle(sockets, sent, refusable=frozenset({"not_found", "invalid"}))
            for name, events in received.items():
                for event in events:
                    apply_roadmap_event(orders[name], event["event"])
            assert orders["alex"] == orders["camille"] == orders["sam"], round_
        final = orders["alex"]

    state = get_state(client, setup.atelier)["state"]
    assert [etape["id"] for etape in state["roadmap"]["etapes"]] == final
    assert sorted(final) == sorted({*ids, "e-new"} - {victim})  # a permutation: nothing lost, nothing twice
    assert len(final) == len(set(final))
    # A client joining now (snapshot) and one resuming from the start (replayed events) agree.
    with ws_connect(client, setup.atelier["id"], setup.sam["member_token"]) as late:
        late.hello()
        assert snapshot_order(late.drain_to_synced()) == final
    with ws_connect(client, setup.atelier["id"], setup.camille["member_token"]) as resumed:
        resumed.hello(last_seq=1)
        replayed: list[str] = []
        for frame in resumed.drain_to_synced():
            if frame["type"] == "event":
                apply_roadmap_event(replayed, frame["event"])
        assert replayed == final
    assert [etape["position"] for etape in setup.deliverable(client)["roadmap"]["etapes"]] == list(
        range(1, len(final) + 1)
    )


# -- role rules per step, on every message -------------------------------------------------------


@dataclass(frozen=True)
class StepCase:
    format_key: str
    open_step: int  # a step that opens the tool; the next one does not
    frame: Callable[[int], dict[str, Any]]  # the frame a participant sends (n: a fresh number)
    prepare: Callable[[WsClient], None] = lambda alex: None  # what the référent sets up first


def _sous_action(alex: WsClient) -> None:
    alex.ack(alex.send_op("sous_action.create", sous_action_id="s1", text="Former les agents"))


def _etape(alex: WsClient) -> None:
    alex.ack(alex.send_op("etape.create", etape_id="e1", title="Lancer"))
    alex.ack(alex.send_op("etape.create", etape_id="e2", title="Publier"))


STEP_CASES = {
    "canevas text (F2)": StepCase(
        "2", 5, lambda n: {"type": "text.update", "field": "canevas:titre", "update": text_update(f"Titre {n}. ")}
    ),
    "canevas value (F2)": StepCase("2", 5, lambda n: {"type": "canevas.value", "value": "participation",
                                                      "checked": n % 2 == 0}),
    "reformulation (F2)": StepCase("2", 3, lambda n: {"type": "reformulation.create", "answers": {"permet": f"{n}"}}),
    "idea (F2)": StepCase("2", 5, lambda n: {"type": "idea.create", "question": "communes-2", "text": f"Idée {n}"}),
    "canevas text (F3)": StepCase(
        "3", 2, lambda n: {"type": "text.update", "field": "canevas:repond_a", "update": text_update(f"{n} ")}
    ),
    "sous-action (F3)": StepCase("3", 5, lambda n: {"type": "sous_action.create", "text": f"Sous-action {n}"}),
    "sous-action text (F3)": StepCase(
        "3", 5, lambda n: {"type": "text.update", "field": "sous_action:s1", "update": text_update(f"{n} ")},
        _sous_action,
    ),
    "étape (F3)": StepCase("3", 5, lambda n: {"type": "etape.create", "title": f"Étape {n}"}),
    "move an étape (F3)": StepCase("3", 5, lambda n: {"type": "etape.move", "etape_id": "e1", "index": n % 2}, _etape),
}  # fmt: skip


@pytest.mark.parametrize("case", list(STEP_CASES))
def test_participants_use_a_tool_while_its_step_is_open_and_for_a_grace_after(client: TestClient, case: str) -> None:
    spec = STEP_CASES[case]
    setup = open_atelier(client, spec.format_key)
    clock, numbers = setup.clock, itertools.count()
    with (
        connected(client, setup.atelier, setup.referent) as alex,
        connected(client, setup.atelier, setup.camille) as camille,
    ):
        spec.prepare(alex)

        def refused() -> None:
            before = get_state(client, setup.atelier)
            error = camille.answer(camille.send_op(**spec.frame(next(numbers))))
            assert (error["type"], error["code"]) == ("error", "forbidden"), error
            assert "étape" in error["message"] or "ouvert" in error["message"]
            assert get_state(client, setup.atelier) == before

        def accepted() -> None:
            op_id = camille.send_op(**spec.frame(next(numbers)))
            seq = camille.ack(op_id)["seq"]
            assert alex.event(op_id)["seq"] == seq

        refused()  # the first step of the déroulé: the tool is not open yet
        goto(alex, spec.open_step)
        accepted()
        clock.now += 600
        accepted()  # however long the step lasts
        goto(alex, spec.open_step + 1)  # the animateur moves on at `left`
        left = clock.now
        clock.now = left + 30
        accepted()  # a keystroke in flight is not lost
        clock.now = left + limits.TOOL_GRACE_S
        accepted()
        clock.now = left + limits.TOOL_GRACE_S + 1
        refused()
        alex.ack(alex.send_op(**spec.frame(next(numbers))))  # the animation team is never late
        goto(alex, spec.open_step)  # back to the step: open again
        accepted()


def test_the_grace_of_a_step_does_not_outlive_the_next_change(client: TestClient) -> None:
    setup = open_atelier(client, "2")
    with (
        connected(client, setup.atelier, setup.referent) as alex,
        connected(client, setup.atelier, setup.camille) as camille,
    ):
        goto(alex, 5)
        goto(alex, 6)
        setup.clock.now += 1
        goto(alex, 0)  # a second step change within the grace
        error = camille.answer(camille.send_op("canevas.value", value="transparence", checked=True))
        assert error["code"] == "forbidden"


def test_observers_write_in_no_tool(client: TestClient) -> None:
    setup = open_atelier(client, "3")
    with (
        connected(client, setup.atelier, setup.referent) as alex,
        connected(client, setup.atelier, setup.sam) as sam,
    ):
        goto(alex, 5)
        _sous_action(alex)
        _etape(alex)
        alex.ack(alex.send_op("member.set_role", member_id=setup.sam["member_id"], role="observer"))
        sam.recv_until(lambda frame: frame["type"] == "role.changed")
        before = get_state(client, setup.atelier)
        for frame in (
            {"type": "text.update", "field": "sous_action:s1", "update": text_update("x")},
            {"type": "sous_action.create", "text": "Non"},
            {"type": "etape.create", "title": "Non"},
            {"type": "etape.move", "etape_id": "e1", "index": 1},
            {"type": "canevas.value", "value": "collaboration", "checked": True},
            {"type": "roadmap.horizon", "start_year": 2026, "end_year": 2030},
            {"type": "sous_action.merge", "sous_action_id": "s1", "into_id": "s1"},
        ):
            error = sam.answer(sam.send_op(**frame))
            assert (error["type"], error["code"]) == ("error", "forbidden"), (frame, error)
        assert get_state(client, setup.atelier) == before


# -- bad input -----------------------------------------------------------------------------------


def b64(data: bytes) -> str:
    return base64.b64encode(data).decode("ascii")


OVERSIZED = text_update("x" * (limits.TEXT_UPDATE_MAX_BYTES + 1024))


@dataclass(frozen=True)
class Bad:
    frame: dict[str, Any]
    code: str
    says: str  # a fragment the message must contain to be actionable


BAD_INPUT = {
    "oversized text update": Bad({"type": "text.update", "field": "canevas:titre", "update": OVERSIZED}, "limit",
                                 "trop grande"),
    "malformed CRDT update": Bad({"type": "text.update", "field": "canevas:titre", "update": b64(b"\x05garbage!")},
                                 "invalid", "Yjs"),
    "CRDT update not base64": Bad({"type": "text.update", "field": "canevas:titre", "update": "%%%="}, "invalid",
                                  "base64"),
    "update that is a list": Bad({"type": "text.update", "field": "canevas:titre", "update": [1, 2]}, "invalid",
                                 "update"),
    "extra key in text.update": Bad({"type": "text.update", "field": "canevas:titre", "update": text_update("x"),
                                     "author": "alex"}, "invalid", "author"),
    "extra key in etape.move": Bad({"type": "etape.move", "etape_id": "e1", "index": 0, "force": True}, "invalid",
                                   "force"),
    "extra key in sous_action.create": Bad({"type": "sous_action.create", "text": "x", "merged_into": "s1"},
                                           "invalid", "merged_into"),
    "unknown canevas field": Bad({"type": "text.update", "field": "canevas:signature", "update": text_update("x")},
                                 "not_found", "canevas:signature"),
    "unknown sous-action field": Bad({"type": "text.update", "field": "sous_action:ghost",
                                      "update": text_update("x")}, "not_found", "sous_action:ghost"),
    "unknown kind of field": Bad({"type": "text.update", "field": "secret:1", "update": text_update("x")},
                                 "not_found", "secret:1"),
    "field name over 64 characters": Bad({"type": "text.update", "field": "canevas:" + "t" * 60,
                                          "update": text_update("x")}, "invalid", "field"),
    "étape index as a string": Bad({"type": "etape.move", "etape_id": "e1", "index": "0"}, "invalid", "index"),
    "étape index out of the roadmap": Bad({"type": "etape.move", "etape_id": "e1", "index": 9}, "invalid", "Position"),
    "unknown étape": Bad({"type": "etape.delete", "etape_id": "ghost"}, "not_found", "Étape"),
    "étape start 2026-13": Bad({"type": "etape.update", "etape_id": "e1", "title": "x", "start": "2026-13"},
                               "invalid", "Début"),
    "horizon years as strings": Bad({"type": "roadmap.horizon", "start_year": "2026", "end_year": 2028}, "invalid",
                                    "start_year"),
    "horizon backwards": Bad({"type": "roadmap.horizon", "start_year": 2030, "end_year": 2026}, "invalid", "Horizon"),
    "canevas value unknown": Bad({"type": "canevas.value", "value": "loyauté", "checked": True}, "invalid", "Valeur"),
    "canevas checked as a string": Bad({"type": "canevas.value", "value": "participation", "checked": "oui"},
                                       "invalid", "checked"),
    "merge into itself": Bad({"type": "sous_action.merge", "sous_action_id": "s1", "into_id": "s1"}, "invalid",
                             "autre sous-action"),
}  # fmt: skip


@pytest.mark.parametrize("case", list(BAD_INPUT))
def test_bad_input_gets_an_error_and_corrupts_nothing(client: TestClient, case: str) -> None:
    bad = BAD_INPUT[case]
    setup = open_atelier(client, "3")
    with (
        connected(client, setup.atelier, setup.referent) as alex,
        connected(client, setup.atelier, setup.camille) as camille,
    ):
        goto(alex, 2)  # the canevas is open
        titre = TextDoc()
        alex.ack(alex.send_op("text.update", field="canevas:titre", update=titre.insert(0, "Titre initial")))
        _sous_action(alex)
        _etape(alex)
        before = get_state(client, setup.atelier)

        op_id = alex.send_op(**bad.frame)
        error = alex.error()
        assert error["code"] == bad.code, error
        assert bad.says.lower() in error["message"].lower(), error
        assert error.get("id") == op_id
        assert get_state(client, setup.atelier) == before  # nothing changed, the texts included

        # The connection and the document carry on.
        after = alex.send_op("text.update", field="canevas:titre", update=titre.insert(len(titre.value), " !"))
        assert alex.ack(after)["seq"] == before["seq"] + 1
        assert camille.event(after)["seq"] == before["seq"] + 1  # nothing was broadcast for the bad frame
    assert server_text(client, setup, "canevas:titre") == "Titre initial !"
    assert server_text(client, setup, "sous_action:s1") == "Former les agents"


def test_an_oversized_frame_is_refused_before_reading_it(client: TestClient) -> None:
    setup = open_atelier(client, "2")
    huge = text_update("y" * (60 * 1024))  # over 64 KiB once base64-encoded
    with connected(client, setup.atelier, setup.referent) as alex:
        before = get_state(client, setup.atelier)
        alex.send_raw(json.dumps({"type": "text.update", "id": "big", "field": "canevas:titre", "update": huge}))
        assert alex.error()["code"] == "too_large"
        assert get_state(client, setup.atelier) == before


def test_the_largest_accepted_text_update_goes_through(client: TestClient) -> None:
    setup = open_atelier(client, "2")
    with connected(client, setup.atelier, setup.referent) as alex:
        doc = TextDoc()
        update = doc.insert(0, "z" * (limits.TEXT_UPDATE_MAX_BYTES - 64))
        assert len(base64.b64decode(update)) <= limits.TEXT_UPDATE_MAX_BYTES
        alex.ack(alex.send_op("text.update", field="canevas:va", update=update))
    assert server_text(client, setup, "canevas:va") == doc.value
