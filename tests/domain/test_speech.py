"""The tour de table: order, turns, timebox, attribution of cards and notes, roles, replay."""

from __future__ import annotations

import pytest
from atelier_builders import NOW, OTHER, apply_op, join, new_atelier

from app.domain.errors import Forbidden, InvalidOperation, NotFound
from app.domain.events import event_from_dict, event_to_dict
from app.domain.operations import CreateCard, GotoStep, NextStep
from app.domain.prompts import not_posted, not_spoken
from app.domain.roles import Role
from app.domain.rules import decide, evolve
from app.domain.speech import DEFAULT_TURN_SECONDS
from app.domain.speech_operations import (
    EndRound,
    GiveTurn,
    MoveSpeaker,
    RemoveSpeaker,
    SetTurnTime,
    ShuffleRound,
    StartRound,
)
from app.domain.state import AtelierState

REF, CHAL, COMP, PART, OBS = (role.value for role in Role)
PEOPLE = ["p1", "p2", "p3", "p4"]


def with_participants(format_key: str = "1") -> AtelierState:
    """Four participants p1..p4 who joined one second apart, plus the team of `new_atelier`."""
    state = new_atelier(with_cards=False)
    state.format_key = format_key
    for offset, member_id in enumerate(PEOPLE, start=1):
        join(state, member_id, Role.PARTICIPANT, now=NOW + offset)
    return state


def start(state: AtelierState, present: list[str] | None = None, **options: object) -> None:
    present = [*PEOPLE, REF, COMP, OBS] if present is None else present
    apply_op(state, StartRound("r1", tuple(present), **options), REF)  # type: ignore[arg-type]


def test_a_round_hears_the_participants_present_in_the_order_they_joined() -> None:
    state = with_participants()
    start(state, present=["p3", "p1", "p4", REF, COMP, OBS, "parti-depuis"])
    current = state.speech.current
    assert current is not None
    # Animateurs, the complice, the observer and people who are not members are not in the order.
    assert current.order == ["p1", "p3", "p4"]
    assert current.speaker is None and current.waiting() == ["p1", "p3", "p4"]


def test_the_shuffle_is_a_function_of_the_seed() -> None:
    orders = set()
    for seed in range(6):
        state = with_participants()
        start(state, shuffle=True, seed=seed)
        assert state.speech.current is not None
        orders.add(tuple(state.speech.current.order))
        again = with_participants()
        start(again, shuffle=True, seed=seed)
        assert again.speech.current is not None and again.speech.current.order == state.speech.current.order
    assert len(orders) > 1
    assert all(sorted(order) == PEOPLE for order in orders)


def test_passing_the_floor_follows_the_order_and_records_each_turn() -> None:
    state = with_participants()
    start(state)
    for index, member_id in enumerate(PEOPLE):
        event = apply_op(state, GiveTurn(), CHAL, now=NOW + 100 + index * 30)
        assert event.member_id == member_id  # type: ignore[union-attr]
    current = state.speech.current
    assert current is not None and current.speaker == "p4" and current.waiting() == []
    assert [(turn.member_id, turn.started_at, turn.ended_at) for turn in current.turns[:2]] == [
        ("p1", NOW + 100, NOW + 130),
        ("p2", NOW + 130, NOW + 160),
    ]
    # After the last one, « suivant » closes their turn; once more has nobody to give the floor to.
    apply_op(state, GiveTurn(), CHAL, now=NOW + 300)
    assert current.speaker is None and current.turns[-1].ended_at == NOW + 300
    with pytest.raises(InvalidOperation, match="Tout le monde a eu la parole"):
        decide(state, GiveTurn(), CHAL, NOW + 301)


def test_the_floor_can_go_to_anyone_and_next_resumes_after_them() -> None:
    state = with_participants()
    start(state)
    apply_op(state, GiveTurn("p3"), REF)
    apply_op(state, GiveTurn(), REF)
    assert state.speech.speaker == "p4"
    apply_op(state, GiveTurn(), REF)
    assert state.speech.speaker == "p1"  # back to those skipped
    # Someone outside the order (an animateur) joins it right after the last speaker.
    apply_op(state, GiveTurn(COMP), REF)
    current = state.speech.current
    assert current is not None and current.order == ["p1", COMP, "p2", "p3", "p4"]
    apply_op(state, GiveTurn(), REF)
    assert state.speech.speaker == "p2"


def test_reordering_shuffling_and_removing() -> None:
    state = with_participants()
    start(state)
    current = state.speech.current
    assert current is not None
    apply_op(state, MoveSpeaker("p4", 0), REF)
    assert current.order == ["p4", "p1", "p2", "p3"]
    apply_op(state, MoveSpeaker(OTHER, 2), REF)  # a participant who arrived late is added
    assert current.order == ["p4", "p1", OTHER, "p2", "p3"]
    with pytest.raises(InvalidOperation):
        decide(state, MoveSpeaker("p1", 9), REF, NOW)
    with pytest.raises(NotFound):
        decide(state, MoveSpeaker("inconnu", 0), REF, NOW)
    apply_op(state, GiveTurn(), REF)
    apply_op(state, GiveTurn(), REF)  # p4 spoke, p1 speaks
    apply_op(state, ShuffleRound(seed=3), REF)
    assert current.order[:2] == ["p4", "p1"] and sorted(current.order[2:]) == sorted([OTHER, "p2", "p3"])
    with pytest.raises(InvalidOperation, match="a la parole"):
        decide(state, RemoveSpeaker("p1"), REF, NOW)
    apply_op(state, RemoveSpeaker("p3"), REF)
    assert "p3" not in current.order
    with pytest.raises(NotFound):
        decide(state, RemoveSpeaker("p3"), REF, NOW)


def test_the_timebox_is_the_kits_per_step_and_configurable() -> None:
    state = with_participants("1")
    start(state)
    assert state.speech.current is not None and state.speech.current.turn_seconds == DEFAULT_TURN_SECONDS
    apply_op(state, GotoStep(4), REF)  # Format 1 step 5: « 2 min maximum » each
    start_again = StartRound("r2", tuple(PEOPLE))
    apply_op(state, start_again, REF)
    assert state.speech.current is not None and state.speech.current.turn_seconds == 120
    apply_op(state, SetTurnTime(90), REF)
    assert state.speech.current.turn_seconds == 90
    with pytest.raises(InvalidOperation, match="Temps de parole"):
        decide(state, SetTurnTime(2), REF, NOW)
    f2 = with_participants("2")
    apply_op(f2, GotoStep(3), REF)  # Format 2 step 4: « 1 min à chaque personne »
    apply_op(f2, StartRound("r", tuple(PEOPLE)), REF)
    assert f2.speech.current is not None and f2.speech.current.turn_seconds == 60
    apply_op(f2, StartRound("r-court", tuple(PEOPLE), turn_seconds=5), REF)
    assert f2.speech.current is not None and f2.speech.current.turn_seconds == 5


def test_a_new_round_or_step_ends_the_open_round() -> None:
    state = with_participants()
    start(state)
    apply_op(state, GiveTurn(), REF, now=NOW + 10)
    apply_op(state, StartRound("r2", tuple(PEOPLE)), REF, now=NOW + 20)
    first, second = state.speech.rounds
    assert first.ended_at == NOW + 20 and first.turns[0].ended_at == NOW + 20 and second.open
    apply_op(state, NextStep(), REF, now=NOW + 30)
    assert state.speech.current is None and second.ended_at == NOW + 30
    with pytest.raises(InvalidOperation, match="Aucun tour de table"):
        decide(state, GiveTurn(), REF, NOW + 31)
    apply_op(state, StartRound("r3", tuple(PEOPLE)), REF)
    apply_op(state, EndRound(), REF, now=NOW + 40)
    assert state.speech.current is None and state.speech.rounds[-1].ended_at == NOW + 40


@pytest.mark.parametrize("actor", [COMP, PART, OBS, "inconnu"])
def test_only_animateurs_distribute_the_floor(actor: str) -> None:
    state = with_participants()
    with pytest.raises(Forbidden):
        decide(state, StartRound("r", tuple(PEOPLE)), actor, NOW)
    start(state)
    for op in (GiveTurn(), GiveTurn("p2"), MoveSpeaker("p1", 1), ShuffleRound(), SetTurnTime(30), EndRound()):
        with pytest.raises(Forbidden):
            decide(state, op, actor, NOW)
    assert state.speech.current is not None and state.speech.current.turns == []


def test_cards_typed_for_the_speaker_are_theirs_and_the_notes_name_them() -> None:
    state = with_participants()
    apply_op(state, GotoStep(4), REF)
    start(state)
    apply_op(state, GiveTurn(), REF)
    apply_op(state, CreateCard("c-complice", "Open data cantine", ""), COMP)  # typed for p1
    apply_op(state, CreateCard("c-p1", "Budget participatif", ""), "p1")  # p1 types it themselves
    apply_op(state, CreateCard("c-p2", "Mon idée à moi", ""), "p2")  # p2 notes their own idea meanwhile
    assert state.cards["c-complice"].speaker_id == "p1"
    assert state.cards["c-p1"].speaker_id == "p1"
    assert state.cards["c-p2"].speaker_id is None
    apply_op(state, GiveTurn(), REF)
    assert state.texts.text(state.note_field(4)) == "Parole à Camille M. :\n\nParole à Camille M. :\n"
    apply_op(state, EndRound(), REF)
    apply_op(state, CreateCard("c-after", "Après le tour", ""), COMP)
    assert state.cards["c-after"].speaker_id is None


def test_the_notes_line_follows_what_the_complice_typed() -> None:
    from atelier_builders import client_update

    from app.domain.operations import UpdateText

    state = with_participants()
    start(state)
    field = state.note_field(0)
    apply_op(state, UpdateText(field, client_update("Accueil des participants")), COMP)
    apply_op(state, GiveTurn("p2"), REF)
    assert state.texts.text(field) == "Accueil des participants\n\nParole à Camille M. :\n"


def test_rounds_survive_a_replay_and_a_snapshot() -> None:
    state = with_participants()
    replayed = with_participants()
    ops = [
        StartRound("r1", tuple(PEOPLE), shuffle=True, seed=7),
        MoveSpeaker("p2", 0),
        GiveTurn(),
        SetTurnTime(45),
        GiveTurn("p4"),
    ]
    for index, op in enumerate(ops):
        event = decide(state, op, REF, NOW + index)
        evolve(state, event)
        evolve(replayed, event_from_dict(event_to_dict(event)))  # as read back from the log
    assert replayed.to_dict() == state.to_dict()
    restored = AtelierState.from_dict(state.to_dict())
    assert restored.to_dict() == state.to_dict()
    assert restored.speech.speaker == "p4" and restored.speech.current is not None
    assert restored.speech.current.turn_seconds == 45


def test_prompts_name_who_has_not_posted_or_spoken() -> None:
    state = with_participants()
    online = {*PEOPLE, REF, COMP}
    assert not_posted(state, online) is None  # step 1 asks for no posts
    assert not_spoken(state, online) is None  # no round open
    apply_op(state, GotoStep(3), REF, now=NOW + 50)  # Format 1 step 4: cards
    apply_op(state, CreateCard("c1", "Une idée", ""), "p2", now=NOW + 60)
    posted = not_posted(state, online)
    assert posted is not None and [member.id for member in posted] == ["p1", "p3", "p4"]
    apply_op(state, StartRound("r", ("p1", "p2")), REF)
    apply_op(state, GiveTurn(), REF)
    spoken = not_spoken(state, online)
    # p2 waits in the order; p3 and p4 are present but were not there when the round started.
    assert spoken is not None and [member.id for member in spoken] == ["p2", "p3", "p4"]
