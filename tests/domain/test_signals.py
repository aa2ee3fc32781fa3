"""Ephemeral signals: the hand queue, the « mauvaise réception » and « j'ai terminé » flags, reactions."""

from __future__ import annotations

import pytest
from atelier_builders import NOW, OTHER, new_atelier

from app.domain.errors import Forbidden, InvalidOperation, NotFound
from app.domain.roles import Role
from app.domain.signals import Flag, SignalBoard, check_reaction, done_count

REF, CHAL, COMP, PART, OBS = (role.value for role in Role)


def test_hands_queue_in_the_order_they_were_raised() -> None:
    state, board = new_atelier(), SignalBoard()
    assert board.raise_hand(state.members[OTHER], NOW + 2)
    assert board.raise_hand(state.members[PART], NOW + 5)
    assert board.raise_hand(state.members[COMP], NOW + 7)
    assert not board.raise_hand(state.members[OTHER], NOW + 9)  # raised twice: keeps its place
    assert board.queue() == [OTHER, PART, COMP]
    assert board.lower_hand(state.members[OTHER])
    assert not board.lower_hand(state.members[OTHER])
    assert board.queue() == [PART, COMP]


def test_only_animateurs_lower_someone_elses_hand() -> None:
    state, board = new_atelier(), SignalBoard()
    board.raise_hand(state.members[PART], NOW)
    for actor in (OTHER, COMP):
        with pytest.raises(Forbidden):
            board.lower_hand(state.members[actor], PART)
    assert board.queue() == [PART]
    assert board.lower_hand(state.members[CHAL], PART)
    with pytest.raises(NotFound):
        board.lower_hand(state.members[REF], PART)


def test_observers_cannot_signal() -> None:
    state, board = new_atelier(), SignalBoard()
    observer = state.members[OBS]
    with pytest.raises(Forbidden):
        board.raise_hand(observer, NOW)
    with pytest.raises(Forbidden):
        board.set_flag(observer, Flag.DONE, True, NOW)
    with pytest.raises(Forbidden):
        check_reaction(observer, "👍")
    assert board.queue() == [] and board.holders(Flag.DONE) == []


def test_done_counts_the_participants_present_and_resets_with_the_step() -> None:
    state, board = new_atelier(), SignalBoard()
    for member_id in (PART, COMP):
        assert board.set_flag(state.members[member_id], Flag.DONE, True, NOW)
    assert not board.set_flag(state.members[PART], Flag.DONE, True, NOW)
    # The complice's « terminé » is not a participant's; OTHER is present and not done yet.
    assert done_count(board, state, {PART, OTHER, COMP, REF}) == (1, 2)
    assert done_count(board, state, {PART}) == (1, 1)
    board.set_flag(state.members[OTHER], Flag.BAD_CONNECTION, True, NOW)
    board.step_changed()
    assert done_count(board, state, {PART, OTHER}) == (0, 2)
    assert board.holders(Flag.BAD_CONNECTION) == [OTHER]  # a bad line is not about the step
    board.set_flag(state.members[OTHER], Flag.BAD_CONNECTION, False, NOW)
    assert board.holders(Flag.BAD_CONNECTION) == []


def test_reactions_are_a_small_fixed_set() -> None:
    state = new_atelier()
    assert check_reaction(state.members[PART], "👏") == "bravo"
    with pytest.raises(InvalidOperation):
        check_reaction(state.members[PART], "<script>")


def test_the_floor_brings_a_raised_hand_down() -> None:
    state, board = new_atelier(), SignalBoard()
    board.raise_hand(state.members[PART], NOW)
    assert board.floor_given(PART) and board.queue() == []
    assert not board.floor_given(OTHER) and not board.floor_given(None)
