"""Builders for the Format 2 and 3 domain tests: ateliers with something from everyone in each tool,
and ways to put the déroulé where a tool is open, closed, or just closed (within or after the grace).

Plain functions (not fixtures) so Hypothesis tests can build a fresh atelier for every example.
"""

from __future__ import annotations

import functools
import json
from enum import StrEnum

from atelier_builders import NOW, OTHER, apply_op, join

from app.domain import limits
from app.domain.deroule import Tool
from app.domain.operations import (
    CreateEtape,
    CreateIdea,
    CreateReformulation,
    CreateSousAction,
    GotoStep,
    SetRole,
    SetSubject,
)
from app.domain.roles import Role
from app.domain.state import AtelierState

REF, CHAL, COMP, PART, OBS = (role.value for role in Role)
UNKNOWN = "inconnu"  # an id that never joined
ACTORS = [REF, CHAL, COMP, PART, OBS, UNKNOWN]
AUTHORS = [REF, CHAL, COMP, PART, OBS, OTHER]  # everyone who wrote something (the observer before demotion)
ANIMATEURS = {REF, CHAL}
TEAM = {REF, CHAL, COMP}
CONTRIBUTORS = {REF, CHAL, COMP, PART}
NOBODY: set[str] = set()

# When the seeded atelier is handed over: far enough after the seeding's step changes.
T0 = NOW + 10_000.0
QUESTION = "communes-1"
SECOND_QUESTION = "agent-public-4"


class Moment(StrEnum):
    """Where the déroulé stands for a tool when an operation arrives."""

    OPEN = "open"  # the current step opens the tool
    CLOSED = "closed"  # neither the current step nor the one before opens it
    GRACE = "grace"  # the step before opened it; the animateur moved on TOOL_GRACE_S / 2 ago
    AFTER_GRACE = "after-grace"  # same, TOOL_GRACE_S + 1 s ago


# Whether participants may use a tool at each moment.
TOOL_OPEN = {Moment.OPEN: True, Moment.CLOSED: False, Moment.GRACE: True, Moment.AFTER_GRACE: False}


def step_with(state: AtelierState, tool: Tool) -> int:
    """The first step of the déroulé that opens `tool`."""
    return next(index for index, step in enumerate(state.deroule.steps) if tool in step.tools)


def step_closing(state: AtelierState, tool: Tool) -> int:
    """A step that opens `tool` and is followed by one that does not (moving on closes the tool)."""
    steps = state.deroule.steps
    return next(i for i in range(len(steps) - 1) if tool in steps[i].tools and tool not in steps[i + 1].tools)


def goto(state: AtelierState, index: int, now: float) -> None:
    apply_op(state, GotoStep(index), REF, now)


def set_moment(state: AtelierState, tool: Tool, moment: Moment, at: float = T0) -> float:
    """Move the déroulé so that, at the returned time, `tool` is at `moment` for participants."""
    if moment == Moment.OPEN:
        goto(state, step_with(state, tool), at)
        return at + 1
    if moment == Moment.CLOSED:
        # Two steps in a row without the tool (the introduction and the tour de table).
        assert tool not in state.deroule.steps[0].tools and tool not in state.deroule.steps[1].tools
        goto(state, 0, at - 1)
        goto(state, 1, at)
        return at + limits.TOOL_GRACE_S / 2
    before = step_closing(state, tool)
    goto(state, before, at - 1)
    goto(state, before + 1, at)
    return at + (limits.TOOL_GRACE_S / 2 if moment == Moment.GRACE else limits.TOOL_GRACE_S + 1)


def new_state(format_key: str) -> AtelierState:
    return AtelierState.new(
        atelier_id="e1", title="Atelier engagement", administration="DITP", date="2026-05-12", format_key=format_key
    )


def _seed(format_key: str) -> AtelierState:
    """One member per role (id = the role's value) plus `autre`, and something from each in each tool.

    Format 2: a subject, reformulation `ref-<id>` and idea `idea-<id>` per author.
    Format 3: sous-action `sa-<id>` and étape `et-<id>` per author.
    The observer wrote theirs as a participant: the référent then made them observer.
    """
    state = new_state(format_key)
    for role in Role:
        join(state, role.value, Role.PARTICIPANT if role == Role.OBSERVER else role)
    join(state, OTHER, Role.PARTICIPANT)
    now = NOW
    if format_key == "2":
        apply_op(state, SetSubject("Ouvrir les données des cantines", "Menus et allergènes."), REF, now)
        goto(state, step_with(state, Tool.REFORMULATIONS), now)
        for author in AUTHORS:
            apply_op(state, CreateReformulation(f"ref-{author}", {"permet": f"Il permet à {author}…"}), author, now)
        goto(state, step_with(state, Tool.IDEAS), now)
        for author in AUTHORS:
            apply_op(state, CreateIdea(f"idea-{author}", QUESTION, f"Idée de {author}"), author, now)
    if format_key == "3":
        goto(state, step_with(state, Tool.SOUS_ACTIONS), now)
        for author in AUTHORS:
            apply_op(state, CreateSousAction(f"sa-{author}", f"Sous-action de {author}"), author, now)
        goto(state, step_with(state, Tool.ROADMAP), now)
        for author in AUTHORS:
            apply_op(state, CreateEtape(f"et-{author}", f"Étape de {author}"), author, now)
    apply_op(state, SetRole(OBS, Role.OBSERVER), REF, now)
    goto(state, 0, now)
    return state


@functools.cache
def _seeded(format_key: str) -> str:
    return json.dumps(_seed(format_key).to_dict())


def engagement_atelier(format_key: str) -> AtelierState:
    """A fresh copy of the seeded atelier of `format_key` ("1", "2" or "3"), at its first step."""
    return AtelierState.from_dict(json.loads(_seeded(format_key)))
