"""Prompts for the animateur: who has not posted yet in this step, who has not spoken yet in this round.

The kit asks the animateur to « faciliter la participation de tous » and to make sure everyone can
speak; these lists name the people present the animateur may want to invite.
"""

from __future__ import annotations

from collections.abc import Collection

from .deroule import Tool
from .roles import Role
from .state import AtelierState, Member

# The tools in which each person is expected to post something of their own.
POSTING_TOOLS = (Tool.CARDS, Tool.REFORMULATIONS, Tool.IDEAS, Tool.SOUS_ACTIONS)


def present_participants(state: AtelierState, online: Collection[str]) -> list[Member]:
    members = [state.members[member_id] for member_id in online if member_id in state.members]
    participants = [member for member in members if member.role == Role.PARTICIPANT]
    return sorted(participants, key=lambda member: (member.joined_at, member.id))


def posting_tools(state: AtelierState) -> list[Tool]:
    return [tool for tool in state.current_step.tools if tool in POSTING_TOOLS]


def authors_this_step(state: AtelierState) -> set[str]:
    """Who posted a card, reformulation, idea or sous-action since the current step began."""
    since = state.step_changed_at
    posts: list[tuple[str, float]] = [
        *((item.author_id, item.created_at) for item in state.cards.values()),
        *((item.author_id, item.created_at) for item in state.reformulations.values()),
        *((item.author_id, item.created_at) for item in state.ideas.values()),
        *((item.author_id, item.created_at) for item in state.sous_actions.values()),
    ]
    return {author for author, created_at in posts if created_at >= since}


def not_posted(state: AtelierState, online: Collection[str]) -> list[Member] | None:
    """Present participants with nothing posted in this step; None when the step asks for no posts,
    or while a silent reflection runs in it: who wrote a private draft is theirs to tell (the
    reflection shows only counts until the reveal)."""
    if not posting_tools(state):
        return None
    reflection = state.reflection
    if reflection.open and reflection.step_index == state.step_index:
        return None
    authors = authors_this_step(state)
    return [member for member in present_participants(state, online) if member.id not in authors]


def not_spoken(state: AtelierState, online: Collection[str]) -> list[Member] | None:
    """Who has not had the floor yet in the open round: those waiting in the order, then present
    participants not in the order at all (they arrived late). None when no round is open."""
    current = state.speech.current
    if current is None:
        return None
    waiting = [state.members[member_id] for member_id in current.waiting() if member_id in state.members]
    late = [member for member in present_participants(state, online) if member.id not in current.order]
    return waiting + late
