"""Dot voting: the animateur opens and closes; each person places their own dots, sees only those;
nobody sees a count before the close; then only totals, kept in the log."""

from __future__ import annotations

import json

import pytest
from atelier_builders import NOW, OTHER, apply_op, new_atelier
from engagement_builders import CHAL, COMP, OBS, PART, REF, goto
from hypothesis import given, settings
from hypothesis import strategies as st

from app.domain.errors import DomainError, Forbidden, InvalidOperation, NotFound
from app.domain.events import event_from_dict, event_to_dict
from app.domain.operations import CreateCard, DeleteCard, MarkPriority, UpdateCard
from app.domain.rules import decide, evolve
from app.domain.state import AtelierState
from app.domain.views import event_view, shows_actor, state_view
from app.domain.votes import VOTES_PER_PERSON_MAX, CloseVote, OpenVote, PlaceDot, RemoveDot


def _matrice(state: AtelierState) -> int:
    return next(i for i, step in enumerate(state.deroule.steps) if step.key == "matrice")


def _voting(per_person: int = 3, *, multiple: bool = False) -> AtelierState:
    state = new_atelier()
    goto(state, _matrice(state), NOW)
    apply_op(state, OpenVote(per_person, multiple), REF, NOW)
    return state


def _refused(state: AtelierState, op: object, actor: str, error: type[DomainError] = DomainError) -> str:
    before = json.dumps(state.to_dict(), sort_keys=True)
    with pytest.raises(error) as raised:
        decide(state, op, actor, NOW)  # type: ignore[arg-type]
    assert json.dumps(state.to_dict(), sort_keys=True) == before
    return raised.value.message


@pytest.mark.parametrize("actor", [COMP, PART, OBS, OTHER])
def test_only_animateurs_open_and_close(actor: str) -> None:
    state = new_atelier()
    goto(state, _matrice(state), NOW)
    _refused(state, OpenVote(3), actor, Forbidden)
    apply_op(state, OpenVote(3), CHAL, NOW)
    _refused(state, CloseVote(), actor, Forbidden)


def test_opening_needs_cards_a_cards_step_and_a_sane_number() -> None:
    state = new_atelier()
    assert "cartes sujet" in _refused(state, OpenVote(3), REF, InvalidOperation)  # the introduction
    goto(state, _matrice(state), NOW)
    for bad in (0, -1, VOTES_PER_PERSON_MAX + 1):
        _refused(state, OpenVote(bad), REF, InvalidOperation)
    empty = new_atelier(with_cards=False)
    goto(empty, _matrice(empty), NOW)
    assert "pas encore de carte" in _refused(empty, OpenVote(3), REF, InvalidOperation)
    apply_op(state, OpenVote(3), REF, NOW)
    assert "déjà ouvert" in _refused(state, OpenVote(3), REF, InvalidOperation)


def test_each_person_has_n_dots_one_per_card_unless_allowed() -> None:
    state = _voting(2)
    apply_op(state, PlaceDot("card-referent"), PART, NOW)
    assert "Un seul point" in _refused(state, PlaceDot("card-referent"), PART, InvalidOperation)
    apply_op(state, PlaceDot("card-autre"), PART, NOW)
    assert "tous vos points" in _refused(state, PlaceDot("card-complice"), PART, InvalidOperation)
    apply_op(state, RemoveDot("card-autre"), PART, NOW)
    assert "pas de point" in _refused(state, RemoveDot("card-autre"), PART, InvalidOperation)
    _refused(state, PlaceDot("nulle-part"), PART, NotFound)
    stacked = _voting(3, multiple=True)
    for _ in range(3):
        apply_op(stacked, PlaceDot("card-autre"), OTHER, NOW)
    assert stacked.vote is not None and stacked.vote.ballot(OTHER) == {"card-autre": 3}


def test_observers_do_not_vote_and_nobody_votes_after_the_close() -> None:
    state = _voting()
    assert "voter" in _refused(state, PlaceDot("card-autre"), OBS, Forbidden)
    apply_op(state, CloseVote(), REF, NOW)
    assert "clos" in _refused(state, PlaceDot("card-autre"), PART, InvalidOperation)
    assert "clos" in _refused(state, RemoveDot("card-autre"), PART, InvalidOperation)
    assert "clos" in _refused(state, CloseVote(), REF, InvalidOperation)


def test_a_dot_is_seen_by_its_voter_only_and_counts_by_nobody_before_the_close() -> None:
    state = _voting()
    event = event_to_dict(apply_op(state, PlaceDot("card-autre"), PART, NOW))
    assert event_view(event, team=False, viewer=PART) == event
    for team, viewer in [(True, REF), (True, None), (False, OTHER)]:
        assert event_view(event, team=team, viewer=viewer) == {"type": "vote.dot_placed", "voters": 1}
        assert not shows_actor(event, state, team=team, viewer=viewer)
    apply_op(state, PlaceDot("card-autre"), OTHER, NOW)
    for team, viewer in [(True, REF), (False, OTHER), (False, OBS), (True, None)]:
        vote = state_view(state, team=team, viewer=viewer)["vote"]
        assert vote["results"] is None and vote["voters"] == 2
        assert all(card["dots"] is None for card in state_view(state, team=team, viewer=viewer)["cards"])
        assert PART not in json.dumps(vote)
    assert state_view(state, team=False, viewer=PART)["vote"]["mine"] == {"card-autre": 1}
    assert state_view(state, team=False, viewer=PART)["vote"]["remaining"] == 2
    assert state_view(state, team=True, viewer=REF)["vote"]["mine"] == {}


def test_the_close_shows_totals_only_and_the_animateur_marks_priorities() -> None:
    state = _voting(2)
    for actor, card in [(PART, "card-autre"), (OTHER, "card-autre"), (OTHER, "card-participant"), (REF, "card-autre")]:
        apply_op(state, PlaceDot(card), actor, NOW)
    apply_op(state, RemoveDot("card-autre"), REF, NOW)  # changed their mind: counts no more
    event = event_to_dict(apply_op(state, CloseVote(), CHAL, NOW + 30))
    assert event["voters"] == 2
    assert event["results"]["card-autre"] == 2 and event["results"]["card-participant"] == 1
    assert event["results"]["card-referent"] == 0
    view = state_view(state, team=False, viewer=OBS)
    dots = {card["id"]: card["dots"] for card in view["cards"]}
    assert dots["card-autre"] == 2 and dots["card-referent"] == 0
    assert "ballots" not in json.dumps(view) and view["vote"]["mine"] == {}
    apply_op(state, MarkPriority("card-autre", True), REF, NOW + 40)
    assert state.cards["card-autre"].priority


def test_cards_do_not_come_or_go_during_a_vote_but_may_be_reworded() -> None:
    state = _voting()
    assert "vote est en cours" in _refused(state, CreateCard("new", "Nouveau", ""), PART, InvalidOperation)
    assert "vote est en cours" in _refused(state, DeleteCard("card-participant"), PART, InvalidOperation)
    apply_op(state, UpdateCard("card-participant", "Mieux dit", ""), PART, NOW)
    apply_op(state, CloseVote(), REF, NOW)
    apply_op(state, CreateCard("new", "Nouveau", ""), PART, NOW)


def test_a_new_vote_starts_from_blank_ballots() -> None:
    state = _voting(1)
    apply_op(state, PlaceDot("card-autre"), PART, NOW)
    apply_op(state, CloseVote(), REF, NOW)
    apply_op(state, OpenVote(2, True), REF, NOW)
    assert state.vote is not None and state.vote.ballots == {} and state.vote.results is None


def test_the_log_replays_to_the_same_votes() -> None:
    state = new_atelier()
    goto(state, _matrice(state), NOW)
    replica = AtelierState.from_dict(json.loads(json.dumps(state.to_dict())))
    log = []
    for op, actor in [
        (OpenVote(3, True), REF),
        (PlaceDot("card-autre"), PART),
        (PlaceDot("card-autre"), PART),
        (RemoveDot("card-autre"), PART),
        (PlaceDot("card-referent"), OTHER),
        (CloseVote(), REF),
    ]:
        log.append(json.loads(json.dumps(event_to_dict(apply_op(state, op, actor, NOW)))))
    for data in log:
        evolve(replica, event_from_dict(data))
    assert replica.to_dict() == state.to_dict()
    assert AtelierState.from_dict(json.loads(json.dumps(state.to_dict()))).to_dict() == state.to_dict()


VOTERS = [REF, CHAL, COMP, PART, OBS, OTHER]
CARD_IDS = ["card-autre", "card-participant", "card-referent"]


@settings(max_examples=60, deadline=None)
@given(
    per_person=st.integers(1, 4),
    multiple=st.booleans(),
    moves=st.lists(st.tuples(st.booleans(), st.sampled_from(VOTERS), st.sampled_from(CARD_IDS)), max_size=40),
)
def test_any_sequence_of_dots_keeps_the_rules_and_the_totals_add_up(
    per_person: int, multiple: bool, moves: list[tuple[bool, str, str]]
) -> None:
    state = _voting(per_person, multiple=multiple)
    for place, voter, card in moves:
        op = PlaceDot(card) if place else RemoveDot(card)
        try:
            event = event_to_dict(apply_op(state, op, voter, NOW))
        except DomainError:
            continue
        for team, viewer in [(True, REF), (False, OTHER), (False, None)]:
            if viewer != voter:  # nobody else learns the card or the voter
                assert set(event_view(event, team=team, viewer=viewer)) == {"type", "voters"}
        assert state.vote is not None
        assert event["voters"] == state.vote.voter_count()
    vote = state.vote
    assert vote is not None and OBS not in vote.ballots
    for ballot in vote.ballots.values():
        assert 0 < sum(ballot.values()) <= per_person
        assert multiple or all(dots == 1 for dots in ballot.values())
    expected = {card: sum(ballot.get(card, 0) for ballot in vote.ballots.values()) for card in state.cards}
    closed = event_to_dict(apply_op(state, CloseVote(), REF, NOW))
    assert closed["results"] == expected
    assert closed["voters"] == len(vote.ballots)
