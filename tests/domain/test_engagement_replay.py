"""Replaying the log rebuilds a Format 2 or 3 atelier, and the feuille de route's order is the log's.

Random sessions (subject, reformulations, ideas, canevas values and co-written fields, sous-actions,
merges, étapes created, edited, moved and deleted, step changes with time passing over the grace,
roles) are decided and applied to one state while the events are logged as JSON; a state rebuilt
from that log alone, and a snapshot of the first, must be the same atelier.
"""

from __future__ import annotations

import json
from typing import Any

from atelier_builders import NOW, OTHER
from engagement_builders import PART, REF, new_state
from hypothesis import given, settings
from hypothesis import strategies as st
from pycrdt import Doc, Text

from app.domain.deroule import Tool
from app.domain.errors import DomainError
from app.domain.events import event_from_dict, event_to_dict
from app.domain.kit_tools import QUESTION_KEYS, REFORMULATION_PROMPTS, VALUE_KEYS, canevas_fields
from app.domain.operations import (
    CreateEtape,
    CreateIdea,
    CreateReformulation,
    CreateSousAction,
    DeleteEtape,
    DeleteIdea,
    DeleteReformulation,
    DeleteSousAction,
    GotoStep,
    ImportCanevas,
    JoinMember,
    MergeSousAction,
    MoveEtape,
    NextStep,
    Operation,
    SetCanevasValue,
    SetHorizon,
    SetRole,
    SetSubject,
    UpdateEtape,
    UpdateIdea,
    UpdateReformulation,
    UpdateText,
)
from app.domain.roles import ANIMATION_TEAM, ASSIGNABLE, Role
from app.domain.rules import SYSTEM, decide, evolve
from app.domain.state import AtelierState
from app.domain.texts import TEXT_NAME

PEOPLE = {role.value: role for role in Role} | {OTHER: Role.PARTICIPANT}
ACTORS = st.one_of(st.sampled_from(sorted(ANIMATION_TEAM)), st.sampled_from(sorted(PEOPLE)))
# ASCII only: pycrdt's Python `Text` indexes by UTF-8 byte, so random offsets could split a character.
WORDS = st.text(alphabet="abcde \n", min_size=0, max_size=12)
TITLES = st.tuples(WORDS, st.sampled_from("abcde"), WORDS).map("".join)  # never blank
IDS = st.sampled_from(["x1", "x2", "x3", "x4", "ghost"])
PROMPT_KEYS = [prompt.key for prompt in REFORMULATION_PROMPTS]
ANSWERS = st.dictionaries(st.sampled_from(PROMPT_KEYS), WORDS, max_size=3)
QUESTIONS = st.sampled_from([*sorted(QUESTION_KEYS), "nope"])
VALUES = st.sampled_from([*sorted(VALUE_KEYS), "nope"])
STARTS = st.sampled_from(["", "2026", "2026-T2", "2027-05", "2026-13"])
DURATIONS = st.one_of(st.none(), st.integers(0, 130))
YEARS = st.integers(1995, 2105)


class Session:
    """One atelier, its JSON log, and each person's browser copy of each text field."""

    def __init__(self, format_key: str) -> None:
        self.format_key = format_key
        self.state = new_state(format_key)
        self.log: list[dict[str, Any]] = []
        self.accepted: dict[str, list[bytes]] = {}  # broadcast text updates per field
        self.clients: dict[tuple[str, str], Doc[Text]] = {}

    def submit(self, op: Operation, actor: str, now: float) -> bool:
        before = self.state.to_dict()
        try:
            event = decide(self.state, op, actor, now)
        except DomainError:
            assert self.state.to_dict() == before, "a refused operation changed the atelier"
            if isinstance(op, UpdateText):  # the browser drops its refused edit and starts over from the server
                self.clients.pop((actor, op.field), None)
            return False
        evolve(self.state, event)
        entry = json.loads(json.dumps(event_to_dict(event)))
        self.log.append(entry)
        if entry["type"] == "text.updated":
            self.accepted.setdefault(op.field, []).append(op.update)  # type: ignore[union-attr]
        elif entry["type"] == "sous_action.created":  # the first wording, as every browser receives it
            self.accepted.setdefault(f"sous_action:{entry['sous_action']['id']}", []).append(event.update)  # type: ignore[union-attr]
        elif entry["type"] == "canevas.imported":
            for field, update in event.updates.items():  # type: ignore[union-attr]
                self.accepted.setdefault(field, []).append(update)
        return True

    def client(self, actor: str, field: str, *, sync: bool) -> Doc[Text]:
        doc = self.clients.setdefault((actor, field), Doc[Text]())
        if sync:  # the browser received the updates broadcast so far; otherwise it edits concurrently
            for update in self.accepted.get(field, []):
                doc.apply_update(update)
        return doc

    def fields(self) -> list[str]:
        """Fields a browser may write in: the canevas, the sous-actions (even deleted ones), the notes."""
        canevas = [f"canevas:{field.key}" for field in canevas_fields(self.format_key)]
        sous_actions = [f"sous_action:{name}" for name in ["x1", "x2", "x3"]]
        return [*canevas, *sous_actions, "notes:4", "notes:5"]


def text_edit(data: st.DataObject, session: Session, actor: str) -> UpdateText:
    field = data.draw(st.sampled_from(session.fields()))
    doc = session.client(actor, field, sync=data.draw(st.booleans()))
    text = doc.get(TEXT_NAME, type=Text)
    before = doc.get_state()
    start = data.draw(st.integers(0, len(text)))
    if data.draw(st.booleans()) or not len(text):
        text.insert(start, data.draw(WORDS))
    else:
        del text[start : data.draw(st.integers(start, len(text)))]
    return UpdateText(field, doc.get_update(before))


def pick(data: st.DataObject, existing: Any) -> str:
    """Mostly an id that exists (so updates, merges and moves happen), sometimes any id of the pool."""
    ids = sorted(existing)
    if ids and data.draw(st.integers(0, 3)):
        return data.draw(st.sampled_from(ids))
    return data.draw(IDS)


def etape_id(data: st.DataObject, state: AtelierState) -> str:
    return pick(data, [etape.id for etape in state.roadmap.etapes])


COMMON = ["text", "text", "goto", "next", "role", "value"]
FORMAT_2 = ["subject", "reformulation", "reformulation", "update_reformulation", "update_reformulation",
            "delete_reformulation", "idea", "idea", "update_idea", "update_idea", "delete_idea"]  # fmt: skip
FORMAT_3 = ["sous_action", "sous_action", "merge", "merge", "delete_sous_action", "horizon", "etape", "etape",
            "etape", "update_etape", "update_etape", "move", "move", "move", "delete_etape"]  # fmt: skip
# Each format mostly uses its own tools, and sometimes the other's (the animation team may).
KINDS = {"2": [*COMMON, *FORMAT_2, *FORMAT_2, *FORMAT_3], "3": [*COMMON, *FORMAT_3, *FORMAT_3, *FORMAT_2]}


def operation(data: st.DataObject, session: Session, actor: str) -> Operation:
    state = session.state
    kind = data.draw(st.sampled_from(KINDS[session.format_key]))
    match kind:
        case "text":
            return text_edit(data, session, actor)
        case "goto":
            return GotoStep(data.draw(st.integers(-1, 7)))
        case "next":
            return NextStep()
        case "role":
            return SetRole(data.draw(st.sampled_from(sorted(PEOPLE))), data.draw(st.sampled_from(sorted(ASSIGNABLE))))
        case "subject":
            return SetSubject(data.draw(TITLES), data.draw(WORDS))
        case "reformulation":
            return CreateReformulation(data.draw(IDS), data.draw(ANSWERS))
        case "update_reformulation":
            return UpdateReformulation(pick(data, state.reformulations), data.draw(ANSWERS))
        case "delete_reformulation":
            return DeleteReformulation(pick(data, state.reformulations))
        case "idea":
            return CreateIdea(data.draw(IDS), data.draw(QUESTIONS), data.draw(TITLES))
        case "update_idea":
            return UpdateIdea(pick(data, state.ideas), data.draw(QUESTIONS), data.draw(TITLES))
        case "delete_idea":
            return DeleteIdea(pick(data, state.ideas))
        case "value":
            return SetCanevasValue(data.draw(VALUES), data.draw(st.booleans()))
        case "sous_action":
            return CreateSousAction(data.draw(IDS), data.draw(TITLES))
        case "merge":
            return MergeSousAction(pick(data, state.sous_actions), pick(data, state.sous_actions))
        case "delete_sous_action":
            return DeleteSousAction(pick(data, state.sous_actions))
        case "horizon":
            return SetHorizon(data.draw(YEARS), data.draw(YEARS))
        case "etape":
            sous_action = data.draw(st.none()) if data.draw(st.booleans()) else pick(data, state.sous_actions)
            return CreateEtape(data.draw(IDS), data.draw(st.one_of(st.just(""), TITLES)), sous_action,
                               data.draw(st.one_of(st.none(), st.integers(-2, 8))))  # fmt: skip
        case "update_etape":
            return UpdateEtape(etape_id(data, state), data.draw(TITLES), data.draw(STARTS), data.draw(DURATIONS),
                               data.draw(WORDS), data.draw(WORDS))  # fmt: skip
        case "move":
            size = len(state.roadmap.etapes)
            within = data.draw(st.integers(0, 3)) > 0
            index = data.draw(st.integers(0, max(0, size - 1)) if within else st.integers(-1, size))
            return MoveEtape(etape_id(data, state), index)
        case _:
            return DeleteEtape(etape_id(data, state))


def replay(state: AtelierState, log: list[dict[str, Any]]) -> AtelierState:
    for entry in log:
        evolve(state, event_from_dict(entry))
    return state


def run_session(data: st.DataObject, format_key: str, length: int) -> Session:
    session, now = Session(format_key), NOW
    for member_id, role in PEOPLE.items():
        session.submit(JoinMember(member_id, "Camille", "Martin", "DITP", role), SYSTEM, now)
    if format_key == "3" and data.draw(st.booleans()):
        texts = {field.key: data.draw(WORDS) for field in canevas_fields("3")}
        session.submit(ImportCanevas(texts, ("participation",), {"atelier_id": "f2"}), SYSTEM, now)
    for _ in range(length):
        # Sometimes a few seconds (keystrokes within the grace), sometimes minutes (after it).
        now += data.draw(st.one_of(st.floats(0, 5, allow_nan=False), st.floats(0, 300, allow_nan=False)))
        actor = data.draw(ACTORS)
        session.submit(operation(data, session, actor), actor, now)
    return session


def check_rebuilt(data: st.DataObject, session: Session) -> None:
    state = session.state
    replayed = replay(new_state(session.format_key), session.log)
    assert replayed.to_dict() == state.to_dict()

    restored = AtelierState.from_dict(json.loads(json.dumps(state.to_dict())))
    assert restored.to_dict() == state.to_dict()

    # Storage keeps a snapshot and the log after it: loading both gives the same atelier too.
    cut = data.draw(st.integers(0, len(session.log)))
    snapshot = json.loads(json.dumps(replay(new_state(session.format_key), session.log[:cut]).to_dict()))
    assert replay(AtelierState.from_dict(snapshot), session.log[cut:]).to_dict() == state.to_dict()

    for field in {*state.text_fields(), *state.texts.fields()}:
        assert replayed.texts.text(field) == restored.texts.text(field) == state.texts.text(field)
    for (_, field), doc in session.clients.items():  # every browser, once it received every broadcast
        for update in session.accepted.get(field, []):
            doc.apply_update(update)
        assert str(doc.get(TEXT_NAME, type=Text)) == state.texts.text(field)

    ids = [etape.id for etape in state.roadmap.etapes]
    assert len(ids) == len(set(ids))


@settings(max_examples=60, deadline=None)
@given(data=st.data(), length=st.integers(0, 50))
def test_replaying_a_format_2_log_rebuilds_the_same_atelier(data: st.DataObject, length: int) -> None:
    check_rebuilt(data, run_session(data, "2", length))


@settings(max_examples=60, deadline=None)
@given(data=st.data(), length=st.integers(0, 50))
def test_replaying_a_format_3_log_rebuilds_the_same_atelier(data: st.DataObject, length: int) -> None:
    check_rebuilt(data, run_session(data, "3", length))


# -- the feuille de route's order ----------------------------------------------------------------


def roadmap_session(count: int) -> Session:
    """A Format 3 atelier at the feuille de route step, with `count` étapes e0… by the référent."""
    session = Session("3")
    for member_id, role in PEOPLE.items():
        session.submit(JoinMember(member_id, "Camille", "Martin", "DITP", role), SYSTEM, NOW)
    roadmap_step = next(i for i, step in enumerate(session.state.deroule.steps) if Tool.ROADMAP in step.tools)
    assert session.submit(GotoStep(roadmap_step), REF, NOW)
    for index in range(count):
        assert session.submit(CreateEtape(f"e{index}", f"Étape {index}"), REF, NOW)
    return session


def order(state: AtelierState) -> list[str]:
    return [etape.id for etape in state.roadmap.etapes]


@settings(max_examples=150, deadline=None)
@given(data=st.data(), count=st.integers(2, 7))
def test_concurrent_moves_converge_on_every_client(data: st.DataObject, count: int) -> None:
    """Two people move étapes at once: whatever order the server takes their moves in, every client
    replaying the log (at its own pace, from the start or from a snapshot) ends with the server's order."""
    session = roadmap_session(count)
    ids = order(session.state)
    move = st.tuples(st.sampled_from(ids), st.integers(0, count - 1))
    queues = {PART: data.draw(st.lists(move, max_size=8)), OTHER: data.draw(st.lists(move, max_size=8))}
    start = len(session.log)
    snapshot = json.loads(json.dumps(session.state.to_dict()))
    # Each client's browser (and a late joiner) holds a replica that applies the log as it arrives.
    replicas = {name: AtelierState.from_dict(json.loads(json.dumps(snapshot))) for name in (PART, OTHER, "late")}
    applied = dict.fromkeys(replicas, start)

    # The server takes the next operation of either connection, in an order it alone decides;
    # each connection's own operations keep their order.
    now = NOW + 1
    while queues[PART] or queues[OTHER]:
        sender = data.draw(st.sampled_from([name for name, queue in queues.items() if queue]))
        etape, index = queues[sender].pop(0)
        assert session.submit(MoveEtape(etape, index), sender, now)  # ids exist, indexes are in range
        now += 0.01
        for name in replicas:  # deliveries happen whenever they happen
            if name != "late" and data.draw(st.booleans()):
                for entry in session.log[applied[name] :]:
                    evolve(replicas[name], event_from_dict(entry))
                applied[name] = len(session.log)
        assert sorted(order(session.state)) == sorted(ids)  # always a permutation
    for name, replica in replicas.items():
        for entry in session.log[applied[name] :]:
            evolve(replica, event_from_dict(entry))
        assert order(replica) == order(session.state), name
    assert order(replay(new_state("3"), session.log)) == order(session.state)


@settings(max_examples=150, deadline=None)
@given(data=st.data(), length=st.integers(0, 60))
def test_the_roadmap_is_always_a_permutation_of_the_live_etapes(data: st.DataObject, length: int) -> None:
    """After any sequence of creations, moves and deletions by anyone, every étape created and not
    deleted is there exactly once, and replaying the log gives the same order."""
    session = roadmap_session(0)
    live: set[str] = set()
    pool = [f"e{index}" for index in range(8)]
    now = NOW + 1
    for _ in range(length):
        actor = data.draw(st.sampled_from([PART, OTHER, REF, Role.OBSERVER.value]))
        kind = data.draw(st.sampled_from(["create", "move", "move", "delete"]))
        etape = data.draw(st.sampled_from(pool))
        size = len(session.state.roadmap.etapes)
        if kind == "create":
            index = data.draw(st.one_of(st.none(), st.integers(-2, size + 2)))
            if session.submit(CreateEtape(etape, "Une étape", None, index), actor, now):
                live.add(etape)
        elif kind == "move":
            session.submit(MoveEtape(etape, data.draw(st.integers(-1, size + 1))), actor, now)
        elif session.submit(DeleteEtape(etape), actor, now):
            live.discard(etape)
        now += data.draw(st.floats(0, 1, allow_nan=False))
        ids = order(session.state)
        assert len(ids) == len(set(ids)) and set(ids) == live
    assert order(replay(new_state("3"), session.log)) == order(session.state)
