"""Déroulés as data: a workshop is a sequence of timed steps.

The kit's three formats are built-in instances of these classes (see
`app.domain.formats`); a custom déroulé (the EIG sessions) is just another
instance, so the room core never special-cases a format.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum


class Tool(StrEnum):
    """A board tool a step opens for everyone."""

    CARDS = "cards"  # cartes sujet: post, edit, list
    MATRIX = "matrix"  # matrice désirabilité / faisabilité
    NOTES = "notes"  # prise de note (every step of the kit has one)
    MEMO = "memo"  # a read-only memo sheet (fiche memo)
    SUBJECT = "subject"  # the atelier's carte sujet (Format 2, outil 1)
    REFORMULATIONS = "reformulations"  # « Je reformule et précise le sujet » (Format 2, outil 2)
    IDEAS = "ideas"  # « J'identifie des engagements » (Format 2, outil 3)
    CANEVAS = "canevas"  # the canevas d'engagement, co-written (Format 2 outil 4, Format 3 outil 1)
    SOUS_ACTIONS = "sous_actions"  # « Je liste des sous-actions » (Format 3, outil 3)
    ROADMAP = "roadmap"  # the feuille de route (Format 3, outil 4)


@dataclass(frozen=True)
class Step:
    """One timed step of a déroulé, as the kit writes it."""

    key: str
    title: str
    duration_minutes: int
    objective: str
    moyen: tuple[str, ...] = ()
    points_attention: tuple[str, ...] = ()
    # Phrases the kit suggests the animateur say, verbatim.
    phrases: tuple[str, ...] = ()
    tools: tuple[Tool, ...] = (Tool.NOTES,)
    # A short instruction shown to every person during the step.
    consigne: str = ""
    # Optional memo text (fiche memo) shown with Tool.MEMO.
    memo: tuple[str, ...] = ()
    # The kit's time per person when the step hears everyone in turn (a tour de table's timebox).
    turn_minutes: int | None = None

    @property
    def duration_seconds(self) -> int:
        return self.duration_minutes * 60


@dataclass(frozen=True)
class Deroule:
    """A whole déroulé: identity, objectives and its ordered steps."""

    key: str
    title: str
    point_de_depart: str
    objective: str
    sub_objectives: tuple[str, ...]
    deliverable: tuple[str, ...]
    steps: tuple[Step, ...]
    tools_provided: tuple[str, ...] = field(default=())

    @property
    def total_minutes(self) -> int:
        return sum(step.duration_minutes for step in self.steps)

    def step(self, index: int) -> Step:
        return self.steps[index]
