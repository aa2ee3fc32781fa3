"""Silent individual reflection: cards and ideas written during it are private drafts until one reveal.

Who may start and reveal, what a draft is and who may change it, what every other audience sees of
it (counts only), what happens when the animateur moves on, and that the log replays to the same state.
"""

from __future__ import annotations

import json

import pytest
from atelier_builders import NOW, OTHER, apply_op, new_atelier
from engagement_builders import CHAL, COMP, OBS, PART, QUESTION, REF, T0, engagement_atelier, goto, step_with
from hypothesis import given, settings
from hypothesis import strategies as st

from app.domain import limits
from app.domain.deroule import Tool
from app.domain.errors import DomainError, Forbidden, InvalidOperation, LimitReached, NotFound
from app.domain.events import event_from_dict, event_to_dict
from app.domain.operations import CreateCard, CreateIdea, DeleteCard, DeleteIdea, UpdateCard, UpdateIdea
from app.domain.reflection import RevealDrafts, StartReflection, kit_asks_reflection
from app.domain.rules import decide, evolve
from app.domain.state import AtelierState
from app.domain.views import event_view, shows_actor, state_view
from app.domain.votes import OpenVote

SECRET = "Mon sujet secret"


def _identifier(state: AtelierState) -> int:
    return next(i for i, step in enumerate(state.deroule.steps) if step.key == "identifier")


def _reflecting() -> AtelierState:
    """Format 1 at step 4 « Identifier », the reflection started by the référent."""
    state = new_atelier()
    goto(state, _identifier(state), NOW)
    apply_op(state, StartReflection(), REF, NOW)
    return state


def _refused(state: AtelierState, op: object, actor: str, error: type[DomainError] = DomainError) -> str:
    before = json.dumps(state.to_dict(), sort_keys=True)
    with pytest.raises(error) as raised:
        decide(state, op, actor, NOW)  # type: ignore[arg-type]
    assert json.dumps(state.to_dict(), sort_keys=True) == before
    return raised.value.message


@pytest.mark.parametrize("actor", [COMP, PART, OBS, OTHER])
def test_only_animateurs_start_and_reveal(actor: str) -> None:
    state = new_atelier()
    goto(state, _identifier(state), NOW)
    assert "animateurs" in _refused(state, StartReflection(), actor, Forbidden)
    apply_op(state, StartReflection(), CHAL, NOW)
    assert "animateurs" in _refused(state, RevealDrafts(), actor, Forbidden)


def test_the_kit_asks_for_it_in_format_1_step_4_and_format_2_step_5() -> None:
    format_1, format_2 = new_atelier().deroule, engagement_atelier("2").deroule
    asked = [
        (d.key, i + 1) for d in (format_1, format_2) for i, s in enumerate(d.steps) if kit_asks_reflection(d.key, s.key)
    ]
    assert asked == [("1", 4), ("2", 5)]


def test_a_reflection_needs_a_step_with_cards_or_ideas() -> None:
    state = new_atelier()  # step 1, the introduction: notes only
    assert "cartes sujet ou les idées" in _refused(state, StartReflection(), REF, InvalidOperation)
    goto(state, _identifier(state), NOW)
    apply_op(state, StartReflection(), REF, NOW)
    assert "déjà lancée" in _refused(state, StartReflection(), REF, InvalidOperation)


def test_a_card_written_during_the_reflection_is_its_authors_private_draft() -> None:
    state = _reflecting()
    cards_before = set(state.cards)
    event = event_to_dict(apply_op(state, CreateCard("d1", SECRET, "Une phrase."), PART, NOW + 5))
    assert event["type"] == "reflection.drafted"
    assert set(state.cards) == cards_before  # not a card yet
    assert state.reflection.drafts["d1"].title == SECRET
    assert (event["drafts"], event["authors"]) == (1, 1)
    # Its author reads it whole; everyone else, the team included, only counts.
    assert event_view(event, team=False, viewer=PART)["draft"]["title"] == SECRET
    for team, viewer in [(True, REF), (True, None), (False, OTHER), (False, None)]:
        seen = event_view(event, team=team, viewer=viewer)
        assert seen == {"type": "reflection.drafted", "drafts": 1, "authors": 1}
        assert not shows_actor(event, state, team=team, viewer=viewer)
    assert shows_actor(event, state, team=False, viewer=PART)


def test_states_show_drafts_to_their_author_only_and_counts_to_all() -> None:
    state = _reflecting()
    apply_op(state, CreateCard("d1", SECRET, ""), PART, NOW)
    apply_op(state, CreateCard("d2", "Un autre", ""), PART, NOW)
    apply_op(state, CreateCard("d3", "Celui d'autre", ""), OTHER, NOW)
    mine = state_view(state, team=False, viewer=PART)["reflection"]
    assert [draft["id"] for draft in mine["mine"]] == ["d1", "d2"]
    assert (mine["drafts"], mine["authors"]) == (3, 2)
    for team, viewer in [(True, REF), (True, None), (False, OTHER), (False, OBS)]:
        text = json.dumps(state_view(state, team=team, viewer=viewer), ensure_ascii=False)
        assert SECRET not in text and '"d1"' not in text
    assert "Celui d'autre" in json.dumps(state_view(state, team=False, viewer=OTHER), ensure_ascii=False)


def test_only_the_author_edits_or_deletes_a_draft_and_others_cannot_tell_it_exists() -> None:
    state = _reflecting()
    apply_op(state, CreateCard("d1", SECRET, ""), PART, NOW)
    for actor in (REF, COMP, OTHER):
        message = _refused(state, UpdateCard("d1", "Piraté", ""), actor, NotFound)
        assert message == _refused(state, UpdateCard("nulle-part", "x", ""), actor, NotFound)
        _refused(state, DeleteCard("d1"), actor, NotFound)
    updated = event_to_dict(apply_op(state, UpdateCard("d1", "Mieux dit", "Précisé"), PART, NOW))
    assert updated["type"] == "reflection.draft_updated" and updated["draft"]["title"] == "Mieux dit"
    assert _refused(state, UpdateCard("d1", "  ", ""), PART, InvalidOperation) == "Le titre est obligatoire."
    deleted = event_to_dict(apply_op(state, DeleteCard("d1"), PART, NOW))
    assert deleted == {
        "type": "reflection.draft_deleted",
        "author_id": PART,
        "draft_id": "d1",
        "drafts": 0,
        "authors": 0,
    }
    assert not state.reflection.drafts


def test_a_draft_id_cannot_be_taken_again_and_the_refusal_tells_nothing_more() -> None:
    state = _reflecting()
    apply_op(state, CreateCard("d1", SECRET, ""), PART, NOW)
    taken = _refused(state, CreateCard("d1", "Doublon", ""), OTHER, InvalidOperation)
    assert taken == _refused(state, CreateCard("card-autre", "Doublon", ""), OTHER, InvalidOperation)


def test_drafts_count_with_the_cards_they_will_become(monkeypatch: pytest.MonkeyPatch) -> None:
    state = _reflecting()
    monkeypatch.setattr(limits, "CARDS_MAX", len(state.cards) + 1)
    apply_op(state, CreateCard("d1", SECRET, ""), PART, NOW)
    assert "brouillons compris" in _refused(state, CreateCard("d2", "Un de trop", ""), OTHER, LimitReached)


def test_the_reveal_turns_every_draft_into_a_card_with_its_author() -> None:
    state = _reflecting()
    apply_op(state, CreateCard("d1", SECRET, "Phrase"), PART, NOW + 1)
    apply_op(state, CreateCard("d2", "Autre sujet", ""), OTHER, NOW + 2)
    event = event_to_dict(apply_op(state, RevealDrafts(), REF, NOW + 60))
    assert [card["id"] for card in event["cards"]] == ["d1", "d2"]
    assert state.cards["d1"].author_id == PART and state.cards["d1"].created_at == NOW + 1
    assert not state.cards["d1"].anonymous
    assert not state.reflection.drafts and not state.reflection.open
    assert state.reflection.reveals[-1].to_dict() == {
        "step_index": _identifier(state),
        "kind": "cards",
        "anonymous": False,
        "at": NOW + 60,
        "count": 2,
    }
    # After the reveal, a new card is public at once.
    assert event_to_dict(apply_op(state, CreateCard("c9", "Publique", ""), PART, NOW + 70))["type"] == "card.created"


def test_an_anonymous_reveal_keeps_no_author_anywhere() -> None:
    state = _reflecting()
    apply_op(state, CreateCard("d1", SECRET, ""), PART, NOW)
    event = event_to_dict(apply_op(state, RevealDrafts(anonymous=True), REF, NOW))
    assert event["cards"][0]["author_id"] == "" and event["cards"][0]["anonymous"] is True
    card = state.cards["d1"]
    assert card.author_id == "" and card.anonymous
    # Nobody owns it any more: only the animation team can still edit it.
    _refused(state, UpdateCard("d1", "x", ""), PART, Forbidden)
    apply_op(state, UpdateCard("d1", "Reformulé par l'équipe", ""), COMP, NOW)


def test_nothing_to_reveal_is_refused() -> None:
    state = new_atelier()
    assert "pas de réflexion" in _refused(state, RevealDrafts(), REF, InvalidOperation)


def test_moving_on_keeps_the_drafts_private_and_the_reveal_offered() -> None:
    state = _reflecting()
    apply_op(state, CreateCard("d1", SECRET, ""), PART, NOW)
    goto(state, _identifier(state) + 1, NOW + 100)
    # A draft sent just as the step changed stays private (grace period) …
    assert event_to_dict(apply_op(state, CreateCard("d2", "En vol", ""), OTHER, NOW + 101))["type"] == (
        "reflection.drafted"
    )
    # … but the équipe d'animation, who moved on, writes in the new step: public at once …
    assert event_to_dict(apply_op(state, CreateCard("c1", "Note de l'animateur", ""), COMP, NOW + 101))["type"] == (
        "card.created"
    )
    # … later, cards of the new step are public; the waiting drafts are neither lost nor shown.
    later = NOW + 100 + limits.TOOL_GRACE_S + 1
    assert event_to_dict(apply_op(state, CreateCard("c2", "Publique", ""), OTHER, later))["type"] == "card.created"
    assert set(state.reflection.drafts) == {"d1", "d2"} and "d1" not in state.cards
    apply_op(state, UpdateCard("d1", "Toujours modifiable", ""), PART, later)
    apply_op(state, RevealDrafts(), REF, later)
    assert {"d1", "d2"} <= set(state.cards)


def test_ideas_are_drafts_in_format_2_step_5() -> None:
    state = engagement_atelier("2")
    step = step_with(state, Tool.IDEAS)
    assert state.deroule.steps[step].key == "engagements"
    goto(state, step, T0)
    apply_op(state, StartReflection(), REF, T0)
    assert state.reflection.kind == "ideas"
    event = event_to_dict(apply_op(state, CreateIdea("i1", QUESTION, "Idée secrète"), PART, T0))
    assert event["type"] == "reflection.drafted" and "i1" not in state.ideas
    apply_op(state, UpdateIdea("i1", "agent-public-1", "Idée mûrie"), PART, T0)
    _refused(state, DeleteIdea("i1"), OTHER, NotFound)
    apply_op(state, CreateIdea("i2", QUESTION, "À jeter"), OTHER, T0)
    apply_op(state, DeleteIdea("i2"), OTHER, T0)
    apply_op(state, RevealDrafts(anonymous=True), CHAL, T0)
    idea = state.ideas["i1"]
    assert (idea.text, idea.question, idea.author_id, idea.anonymous) == ("Idée mûrie", "agent-public-1", "", True)
    assert "i2" not in state.ideas


def test_a_card_reveal_waits_for_an_open_vote_to_close() -> None:
    state = _reflecting()
    apply_op(state, OpenVote(votes_per_person=2), REF, NOW)
    apply_op(state, CreateCard("d1", SECRET, ""), PART, NOW)  # a draft is not on the ballots: welcome
    assert "vote est en cours" in _refused(state, RevealDrafts(), REF, InvalidOperation)


def test_the_log_replays_to_the_same_state() -> None:
    state = _reflecting()
    replica = _reflecting()
    log = []
    for op, actor in [
        (CreateCard("d1", SECRET, ""), PART),
        (UpdateCard("d1", "Revu", "x"), PART),
        (CreateCard("d2", "B", ""), OTHER),
        (DeleteCard("d2"), OTHER),
        (CreateCard("d3", "C", ""), OTHER),
        (RevealDrafts(anonymous=True), REF),
    ]:
        log.append(json.loads(json.dumps(event_to_dict(apply_op(state, op, actor, NOW)))))
    for data in log:
        evolve(replica, event_from_dict(data))
    assert replica.to_dict() == state.to_dict()
    assert AtelierState.from_dict(json.loads(json.dumps(state.to_dict()))).to_dict() == state.to_dict()


WRITERS = [REF, COMP, PART, OTHER, OBS]


@settings(max_examples=60, deadline=None)
@given(
    moves=st.lists(
        st.tuples(st.sampled_from(["create", "update", "delete"]), st.sampled_from(WRITERS), st.integers(0, 4)),
        max_size=30,
    ),
    anonymous=st.booleans(),
)
def test_no_sequence_of_drafts_shows_a_word_to_anyone_else_and_the_reveal_keeps_them_all(
    moves: list[tuple[str, str, int]], anonymous: bool
) -> None:
    state = _reflecting()
    for move, actor, number in moves:
        draft_id = f"d{number}"
        words = f"mot-{actor}-{number}-{move}"
        op = {
            "create": CreateCard(draft_id, words, words),
            "update": UpdateCard(draft_id, words, ""),
            "delete": DeleteCard(draft_id),
        }[move]
        try:
            event = event_to_dict(apply_op(state, op, actor, NOW))
        except DomainError:
            continue
        author = state.reflection.drafts[draft_id].author_id if draft_id in state.reflection.drafts else actor
        for viewer in WRITERS:
            if viewer == author:
                continue
            for team in (True, False):
                assert "mot-" not in json.dumps(event_view(event, team=team, viewer=viewer))
                text = json.dumps(state_view(state, team=team, viewer=viewer))
                others = [d.title for d in state.reflection.drafts.values() if d.author_id != viewer]
                assert not any(title in text for title in others)
    waiting = {draft.id: (draft.author_id, draft.title) for draft in state.reflection.drafts.values()}
    assert OBS not in {author for author, _ in waiting.values()}  # an observer writes nothing
    if not waiting:
        return
    apply_op(state, RevealDrafts(anonymous=anonymous), REF, NOW)
    for draft_id, (author, title) in waiting.items():
        card = state.cards[draft_id]
        assert card.title == title and card.author_id == ("" if anonymous else author)
