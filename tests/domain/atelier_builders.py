"""Builders for domain tests: an atelier with one person per role, and a way to play operations.

Plain functions (not fixtures) so Hypothesis tests can build a fresh atelier for every example.
"""

from __future__ import annotations

from pycrdt import Doc, Text

from app.domain.events import Event
from app.domain.operations import CreateCard, JoinMember, Operation, SetRole
from app.domain.roles import Role
from app.domain.rules import SYSTEM, decide, evolve
from app.domain.state import AtelierState
from app.domain.texts import TEXT_NAME

NOW = 1_700_000_000.0  # any fixed server epoch; tests move time explicitly
OTHER = "autre"  # a second personne participante, author of someone else's card


def apply_op(state: AtelierState, op: Operation, actor: str = SYSTEM, now: float = NOW) -> Event:
    """Decide then apply `op`, as a room does; return the event."""
    event = decide(state, op, actor, now)
    evolve(state, event)
    return event


def join(state: AtelierState, member_id: str, role: Role, now: float = NOW) -> Event:
    return apply_op(state, JoinMember(member_id, "Camille", "Martin", "DITP", role), SYSTEM, now)


def new_atelier(*, with_cards: bool = True) -> AtelierState:
    """Format #1, one member per role (id = the role's value) plus `autre`, and one card per author.

    Card `card-<id>` belongs to member `<id>`. The observer's card was posted while they were a
    participant: the référent then made them observer.
    """
    state = AtelierState.new(atelier_id="a1", title="Atelier test", administration="DITP", date=None, format_key="1")
    for role in Role:
        join(state, role.value, Role.PARTICIPANT if role == Role.OBSERVER else role)
    join(state, OTHER, Role.PARTICIPANT)
    if with_cards:
        for author in [*(role.value for role in Role), OTHER]:
            apply_op(state, CreateCard(f"card-{author}", f"Sujet de {author}", ""), author)
    apply_op(state, SetRole(Role.OBSERVER.value, Role.OBSERVER), Role.REFERENT.value)
    return state


def client_update(text: str, doc: Doc[Text] | None = None) -> bytes:
    """The Yjs update a browser sends after typing `text` at the start of its copy of a field."""
    doc = doc or Doc[Text]()
    shared = doc.get(TEXT_NAME, type=Text)
    before = doc.get_state()
    shared.insert(0, text)
    return doc.get_update(before)
