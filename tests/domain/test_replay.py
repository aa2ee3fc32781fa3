"""Replaying the log rebuilds the atelier: what a room does after a restart or when it loads from storage.

Random sessions (cards, matrice, priorities, steps, timer, roles and co-written notes by random people)
are decided and applied to one state while the events are logged as JSON; a second state rebuilt from
that log alone, and a snapshot of the first, must be the same atelier.
"""

from __future__ import annotations

import json
from typing import Any

from atelier_builders import NOW, OTHER
from hypothesis import given, settings
from hypothesis import strategies as st
from pycrdt import Doc, Text

from app.domain.errors import DomainError
from app.domain.events import event_from_dict, event_to_dict
from app.domain.operations import (
    AddTime,
    CreateCard,
    DeleteCard,
    GotoStep,
    JoinMember,
    MarkPriority,
    NextStep,
    Operation,
    PauseTimer,
    PlaceCard,
    PreviousStep,
    ResetTimer,
    SetRole,
    StartTimer,
    UpdateCard,
    UpdateText,
)
from app.domain.roles import ANIMATION_TEAM, ASSIGNABLE, Role
from app.domain.rules import SYSTEM, decide, evolve
from app.domain.state import AtelierState
from app.domain.texts import TEXT_NAME

PEOPLE = {role.value: role for role in Role} | {OTHER: Role.PARTICIPANT}
# Half the operations come from the animation team, who may do most things; half from anyone.
ACTORS = st.one_of(st.sampled_from(sorted(ANIMATION_TEAM)), st.sampled_from(sorted(PEOPLE)))
FIELDS = ["notes:0", "notes:1", "notes:2"]
# ASCII only: pycrdt's Python `Text` indexes by UTF-8 byte, so random offsets could split a character.
WORDS = st.text(alphabet="abcde \n", min_size=0, max_size=12)
TITLES = st.tuples(WORDS, st.sampled_from("abcde"), WORDS).map("".join)  # never blank
UNIT = st.floats(min_value=0, max_value=1, allow_nan=False)


def new_state() -> AtelierState:
    return AtelierState.new(atelier_id="a1", title="Atelier", administration="DITP", date="2024-05-02", format_key="1")


class Session:
    """One atelier, its JSON log, and each person's browser copy of each text field."""

    def __init__(self) -> None:
        self.state = new_state()
        self.log: list[dict[str, Any]] = []
        self.accepted: dict[str, list[bytes]] = {field: [] for field in FIELDS}  # broadcast text updates
        self.clients: dict[tuple[str, str], Doc[Text]] = {}

    def submit(self, op: Operation, actor: str, now: float) -> None:
        before = self.state.to_dict()
        try:
            event = decide(self.state, op, actor, now)
        except DomainError:
            assert self.state.to_dict() == before, "a refused operation changed the atelier"
            if isinstance(op, UpdateText):  # the browser drops its refused edit and starts over from the server
                self.clients.pop((actor, op.field), None)
            return
        evolve(self.state, event)
        self.log.append(json.loads(json.dumps(event_to_dict(event))))
        if isinstance(op, UpdateText):
            self.accepted[op.field].append(op.update)

    def client(self, actor: str, field: str, *, sync: bool) -> Doc[Text]:
        doc = self.clients.setdefault((actor, field), Doc[Text]())
        if sync:  # the browser received the updates broadcast so far; otherwise it edits concurrently
            for update in self.accepted[field]:
                doc.apply_update(update)
        return doc


def text_edit(data: st.DataObject, session: Session, actor: str) -> UpdateText:
    """A keystroke batch typed in `actor`'s browser: an insertion or a deletion at a random place."""
    field = data.draw(st.sampled_from(FIELDS))
    doc = session.client(actor, field, sync=data.draw(st.booleans()))
    text = doc.get(TEXT_NAME, type=Text)
    before = doc.get_state()
    start = data.draw(st.integers(0, len(text)))
    if data.draw(st.booleans()) or not len(text):
        text.insert(start, data.draw(WORDS))
    else:
        del text[start : data.draw(st.integers(start, len(text)))]
    return UpdateText(field, doc.get_update(before))


# Operations that do not depend on the atelier's cards, drawn from strategies built once.
FIXED: list[st.SearchStrategy[Operation]] = [
    st.builds(CreateCard, st.sampled_from(["c1", "c2", "c3", "c4"]), TITLES, WORDS),
    st.builds(GotoStep, st.integers(-1, 7)),
    st.just(NextStep()),
    st.just(PreviousStep()),
    st.just(StartTimer()),
    st.just(PauseTimer()),
    st.builds(AddTime, st.integers(1, 600)),
    st.just(ResetTimer()),
    st.builds(SetRole, st.sampled_from(sorted(PEOPLE)), st.sampled_from(sorted(ASSIGNABLE))),
]
ON_A_CARD = ["update", "delete", "place", "unplace", "priority"]
KIND = st.sampled_from(["text", *ON_A_CARD, *range(len(FIXED))])


def operation(data: st.DataObject, session: Session, actor: str) -> Operation:
    kind = data.draw(KIND)
    if isinstance(kind, int):
        return data.draw(FIXED[kind])
    if kind == "text":
        return text_edit(data, session, actor)
    card = data.draw(st.sampled_from([*sorted(session.state.cards), "ghost"]))
    if kind == "update":
        return UpdateCard(card, data.draw(TITLES), data.draw(WORDS))
    if kind == "delete":
        return DeleteCard(card)
    if kind == "place":
        return PlaceCard(card, data.draw(UNIT), data.draw(UNIT))
    if kind == "unplace":
        return PlaceCard(card, None, None)
    return MarkPriority(card, data.draw(st.booleans()))


def replay(state: AtelierState, log: list[dict[str, Any]]) -> AtelierState:
    for entry in log:
        evolve(state, event_from_dict(entry))
    return state


@settings(max_examples=100, deadline=None)
@given(data=st.data(), length=st.integers(0, 40))
def test_replaying_the_log_rebuilds_the_same_atelier(data: st.DataObject, length: int) -> None:
    session, now = Session(), NOW
    for member_id, role in PEOPLE.items():
        session.submit(JoinMember(member_id, "Camille", "Martin", "DITP", role), SYSTEM, now)
    for _ in range(length):
        now += data.draw(st.floats(min_value=0, max_value=300, allow_nan=False))
        actor = data.draw(ACTORS)
        session.submit(operation(data, session, actor), actor, now)
    state = session.state

    replayed = replay(new_state(), session.log)
    assert replayed.to_dict() == state.to_dict()

    restored = AtelierState.from_dict(json.loads(json.dumps(state.to_dict())))
    assert restored.to_dict() == state.to_dict()

    # Storage keeps a snapshot and the log after it: loading both gives the same atelier too.
    cut = data.draw(st.integers(0, len(session.log)))
    snapshot = json.loads(json.dumps(replay(new_state(), session.log[:cut]).to_dict()))
    assert replay(AtelierState.from_dict(snapshot), session.log[cut:]).to_dict() == state.to_dict()

    for field in state.text_fields():
        assert replayed.texts.text(field) == restored.texts.text(field) == state.texts.text(field)
    for (_, field), doc in session.clients.items():  # every browser, once it received every broadcast
        for update in session.accepted[field]:
            doc.apply_update(update)
        assert str(doc.get(TEXT_NAME, type=Text)) == state.texts.text(field)
