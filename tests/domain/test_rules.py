"""Who may do what: the full role × operation matrix of `decide`.

An allowed operation yields an event; a forbidden one raises `Forbidden` and changes nothing.
"""

from __future__ import annotations

from collections.abc import Callable

import pytest
from atelier_builders import NOW, OTHER, apply_op, client_update, new_atelier

from app.domain import events
from app.domain.errors import Forbidden, InvalidOperation, NotFound
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
from app.domain.roles import Role
from app.domain.rules import SYSTEM, decide, evolve
from app.domain.state import AtelierState

REF, CHAL, COMP, PART, OBS = (role.value for role in Role)
UNKNOWN = "inconnu"  # an id that never joined
ANIMATEURS = {REF, CHAL}
TEAM = {REF, CHAL, COMP}
CONTRIBUTORS = {REF, CHAL, COMP, PART}
ACTORS = [REF, CHAL, COMP, PART, OBS, UNKNOWN]

Row = tuple[Callable[[str], Operation], set[str], type]
EDIT, TITLE = "Nouveau titre", "Ouvrir les données"

# name: (the operation actor `me` sends, who may send it, the event it yields).
# JoinMember is for the server alone (actor `rules.SYSTEM`): no member may send it.
MATRIX: dict[str, Row] = {
    "SetRole": (lambda me: SetRole(OTHER, Role.COMPLICE), {REF}, events.RoleSet),
    "GotoStep": (lambda me: GotoStep(3), ANIMATEURS, events.StepChanged),
    "NextStep": (lambda me: NextStep(), ANIMATEURS, events.StepChanged),
    "PreviousStep": (lambda me: PreviousStep(), ANIMATEURS, events.StepChanged),
    "StartTimer": (lambda me: StartTimer(), ANIMATEURS, events.TimerChanged),
    "PauseTimer": (lambda me: PauseTimer(), ANIMATEURS, events.TimerChanged),
    "AddTime": (lambda me: AddTime(60), ANIMATEURS, events.TimerChanged),
    "ResetTimer": (lambda me: ResetTimer(), ANIMATEURS, events.TimerChanged),
    "CreateCard": (lambda me: CreateCard("card-new", TITLE, ""), CONTRIBUTORS, events.CardCreated),
    "UpdateCard own": (lambda me: UpdateCard(f"card-{me}", EDIT, ""), CONTRIBUTORS, events.CardUpdated),
    "UpdateCard other": (lambda me: UpdateCard(f"card-{OTHER}", EDIT, ""), TEAM, events.CardUpdated),
    "DeleteCard own": (lambda me: DeleteCard(f"card-{me}"), CONTRIBUTORS, events.CardDeleted),
    "DeleteCard other": (lambda me: DeleteCard(f"card-{OTHER}"), TEAM, events.CardDeleted),
    "PlaceCard": (lambda me: PlaceCard(f"card-{OTHER}", 0.25, 0.75), CONTRIBUTORS, events.CardPlaced),
    "MarkPriority": (lambda me: MarkPriority(f"card-{OTHER}", True), ANIMATEURS, events.PriorityMarked),
    "UpdateText notes:0": (lambda me: UpdateText("notes:0", client_update("Idée")), TEAM, events.TextUpdated),
    "JoinMember": (lambda me: JoinMember("nouveau", "Léa", "Durand", "", Role.PARTICIPANT), set(), events.MemberJoined),
}

CASES = [
    pytest.param(name, actor, actor in allowed, id=f"{name}-{actor}-{'allowed' if actor in allowed else 'forbidden'}")
    for name, (_, allowed, _) in MATRIX.items()
    for actor in ACTORS
]


@pytest.fixture
def mid_atelier(atelier: AtelierState) -> AtelierState:
    """The atelier at step 2 of 7, timer running, so every step and timer operation makes sense."""
    apply_op(atelier, GotoStep(1), REF)
    apply_op(atelier, StartTimer(), REF)
    return atelier


@pytest.mark.parametrize(("name", "actor", "allowed"), CASES)
def test_role_matrix(mid_atelier: AtelierState, name: str, actor: str, allowed: bool) -> None:
    make_op, _, event_type = MATRIX[name]
    op = make_op(actor)
    before = mid_atelier.to_dict()
    if allowed:
        assert type(decide(mid_atelier, op, actor, NOW + 30)) is event_type
    else:
        with pytest.raises(Forbidden) as refused:
            decide(mid_atelier, op, actor, NOW + 30)
        assert refused.value.code == "forbidden" and refused.value.message
    assert mid_atelier.to_dict() == before


def test_only_the_system_makes_people_join(atelier: AtelierState) -> None:
    event = decide(atelier, JoinMember("nouveau", "Léa", "Durand", "", Role.PARTICIPANT), SYSTEM, NOW)
    assert isinstance(event, events.MemberJoined)


@pytest.mark.parametrize("role", [Role.CHALLENGEUR, Role.COMPLICE, Role.PARTICIPANT, Role.OBSERVER])
def test_the_referent_gives_every_assignable_role(atelier: AtelierState, role: Role) -> None:
    apply_op(atelier, SetRole(OTHER, role), REF)
    assert atelier.members[OTHER].role == role


def test_nobody_changes_the_referents_role(atelier: AtelierState) -> None:
    with pytest.raises(Forbidden, match="référent-animateur ne change pas"):
        decide(atelier, SetRole(REF, Role.PARTICIPANT), REF, NOW)


def test_the_referent_role_cannot_be_given(atelier: AtelierState) -> None:
    with pytest.raises(InvalidOperation, match="ne peut pas être attribué"):
        decide(atelier, SetRole(OTHER, Role.REFERENT), REF, NOW)


def test_set_role_on_an_unknown_person(atelier: AtelierState) -> None:
    with pytest.raises(NotFound, match="Personne introuvable"):
        decide(atelier, SetRole(UNKNOWN, Role.COMPLICE), REF, NOW)


def test_a_promoted_participant_gains_the_team_rights(atelier: AtelierState) -> None:
    with pytest.raises(Forbidden):
        decide(atelier, DeleteCard(f"card-{PART}"), OTHER, NOW)
    apply_op(atelier, SetRole(OTHER, Role.COMPLICE), REF)
    apply_op(atelier, DeleteCard(f"card-{PART}"), OTHER)
    assert f"card-{PART}" not in atelier.cards


def test_a_participant_made_observer_can_no_longer_edit_their_card(atelier: AtelierState) -> None:
    with pytest.raises(Forbidden, match="vos propres cartes"):
        decide(atelier, UpdateCard(f"card-{OBS}", "Titre", ""), OBS, NOW)


def test_allowed_operations_take_effect(mid_atelier: AtelierState) -> None:
    """The events the matrix allows do what the person asked once applied."""
    state = mid_atelier
    apply_op(state, UpdateCard(f"card-{PART}", "  Budget   ouvert ", "Une phrase"), PART)
    apply_op(state, PlaceCard(f"card-{OTHER}", 0.123456, 1), PART)
    apply_op(state, MarkPriority(f"card-{OTHER}", True), CHAL)
    apply_op(state, DeleteCard(f"card-{COMP}"), CHAL)
    apply_op(state, UpdateText("notes:1", client_update("Relevé")), COMP)
    apply_op(state, NextStep(), CHAL, NOW + 60)
    mine = state.cards[f"card-{PART}"]
    assert (mine.title, mine.description) == ("Budget ouvert", "Une phrase")
    other = state.cards[f"card-{OTHER}"]
    assert (other.desirability, other.feasibility, other.placed, other.priority) == (0.1235, 1.0, True, True)
    assert f"card-{COMP}" not in state.cards
    assert state.texts.text("notes:1") == "Relevé"
    assert state.step_index == 2
    assert not state.timer.running
    assert state.timer.remaining_s == state.deroule.steps[2].duration_seconds


def test_a_new_card_records_its_author_and_time(atelier: AtelierState) -> None:
    event = apply_op(atelier, CreateCard("card-x", "Titre", ""), PART, NOW + 5)
    assert isinstance(event, events.CardCreated)
    card = atelier.cards["card-x"]
    assert (card.author_id, card.created_at, card.placed, card.priority) == (PART, NOW + 5, False, False)


def test_evolve_does_not_share_the_card_with_its_event(atelier: AtelierState) -> None:
    """Editing a card later must not rewrite the `card.created` fact already recorded."""
    event = apply_op(atelier, CreateCard("card-x", "Titre", ""), PART)
    apply_op(atelier, UpdateCard("card-x", "Autre titre", ""), PART)
    assert isinstance(event, events.CardCreated) and event.card.title == "Titre"


def test_evolve_does_not_share_the_member_with_its_event() -> None:
    """A later role change must not rewrite the `member.joined` fact, nor leak into another state.

    Fails today: rules.evolve stores `event.member` itself (CardCreated is copied with `replace`).
    """
    first, second = new_atelier(), new_atelier()
    event = decide(first, JoinMember("nouveau", "Léa", "Durand", "", Role.PARTICIPANT), SYSTEM, NOW)
    evolve(first, event)
    evolve(second, event)
    apply_op(first, SetRole("nouveau", Role.COMPLICE), REF)
    assert isinstance(event, events.MemberJoined) and event.member.role == Role.PARTICIPANT
    assert second.members["nouveau"].role == Role.PARTICIPANT


def test_evolve_applies_a_recorded_event_to_another_state() -> None:
    first, second = new_atelier(), new_atelier()
    event = decide(first, PlaceCard(f"card-{OTHER}", None, None), PART, NOW)
    evolve(second, event)
    assert second.cards[f"card-{OTHER}"].placed is False
