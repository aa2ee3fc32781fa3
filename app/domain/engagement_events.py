"""Events of the Format 2 and 3 tools (serialised by `codec`, from their field types)."""

from __future__ import annotations

import typing
from dataclasses import dataclass
from typing import Any, ClassVar

from .items import Etape, Idea, Reformulation, SousAction


@dataclass(frozen=True)
class SubjectSet:
    type: ClassVar[str] = "subject.set"
    title: str
    description: str
    source: dict[str, str] | None


@dataclass(frozen=True)
class ReformulationCreated:
    type: ClassVar[str] = "reformulation.created"
    reformulation: Reformulation


@dataclass(frozen=True)
class ReformulationUpdated:
    type: ClassVar[str] = "reformulation.updated"
    reformulation_id: str
    answers: dict[str, str]


@dataclass(frozen=True)
class ReformulationDeleted:
    type: ClassVar[str] = "reformulation.deleted"
    reformulation_id: str


@dataclass(frozen=True)
class IdeaCreated:
    type: ClassVar[str] = "idea.created"
    idea: Idea


@dataclass(frozen=True)
class IdeaUpdated:
    type: ClassVar[str] = "idea.updated"
    idea_id: str
    question: str
    text: str


@dataclass(frozen=True)
class IdeaDeleted:
    type: ClassVar[str] = "idea.deleted"
    idea_id: str


@dataclass(frozen=True)
class CanevasValueSet:
    type: ClassVar[str] = "canevas.value_set"
    value: str
    checked: bool


@dataclass(frozen=True)
class CanevasImported:
    """The canevas carried over: one CRDT update per field, made once when decided."""

    type: ClassVar[str] = "canevas.imported"
    updates: dict[str, bytes]  # text field name → update
    values: list[str]
    source: dict[str, str]


@dataclass(frozen=True)
class SousActionCreated:
    type: ClassVar[str] = "sous_action.created"
    sous_action: SousAction
    update: bytes  # the first wording, as a CRDT update of the sous-action's text field


@dataclass(frozen=True)
class SousActionMerged:
    type: ClassVar[str] = "sous_action.merged"
    sous_action_id: str
    into_id: str


@dataclass(frozen=True)
class SousActionDeleted:
    type: ClassVar[str] = "sous_action.deleted"
    sous_action_id: str


@dataclass(frozen=True)
class HorizonSet:
    type: ClassVar[str] = "roadmap.horizon_set"
    start_year: int
    end_year: int


@dataclass(frozen=True)
class EtapeCreated:
    type: ClassVar[str] = "etape.created"
    etape: Etape
    index: int


@dataclass(frozen=True)
class EtapeUpdated:
    type: ClassVar[str] = "etape.updated"
    etape_id: str
    title: str
    start: str
    duration_months: int | None
    owner: str
    livrable: str


@dataclass(frozen=True)
class EtapeMoved:
    type: ClassVar[str] = "etape.moved"
    etape_id: str
    index: int


@dataclass(frozen=True)
class EtapeDeleted:
    type: ClassVar[str] = "etape.deleted"
    etape_id: str


EngagementEvent = (
    SubjectSet
    | ReformulationCreated
    | ReformulationUpdated
    | ReformulationDeleted
    | IdeaCreated
    | IdeaUpdated
    | IdeaDeleted
    | CanevasValueSet
    | CanevasImported
    | SousActionCreated
    | SousActionMerged
    | SousActionDeleted
    | HorizonSet
    | EtapeCreated
    | EtapeUpdated
    | EtapeMoved
    | EtapeDeleted
)
ENGAGEMENT_EVENTS: dict[str, type[Any]] = {kind.type: kind for kind in typing.get_args(EngagementEvent)}
