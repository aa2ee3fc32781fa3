"""Events of the Format 2 and 3 tools, and their JSON codec.

The codec reads each event's field types: `bytes` travel as base64 (CRDT updates), items as
their dicts, so a new event needs no hand-written serialisation.
"""

from __future__ import annotations

import dataclasses
import typing
from dataclasses import dataclass
from typing import Any, ClassVar

from .items import Etape, Idea, Reformulation, SousAction
from .texts import decode_update, encode_update


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
_ITEMS = (Etape, Idea, Reformulation, SousAction)


def _encode(value: Any) -> Any:
    if isinstance(value, bytes):
        return encode_update(value)
    if isinstance(value, _ITEMS):
        return value.to_dict()
    if isinstance(value, dict):
        return {key: _encode(item) for key, item in value.items()}
    if isinstance(value, (list, tuple)):
        return [_encode(item) for item in value]
    return value


def _decode(hint: Any, value: Any) -> Any:
    if hint is bytes:
        return decode_update(value)
    if hint in _ITEMS:
        return hint.from_dict(value)
    if typing.get_origin(hint) is dict and typing.get_args(hint)[1] is bytes:
        return {key: decode_update(item) for key, item in value.items()}
    return value


def engagement_event_to_dict(event: Any) -> dict[str, Any]:
    return {"type": event.type} | {f.name: _encode(getattr(event, f.name)) for f in dataclasses.fields(event)}


def engagement_event_from_dict(data: dict[str, Any]) -> Any:
    kind = ENGAGEMENT_EVENTS[data["type"]]
    hints = typing.get_type_hints(kind)
    return kind(**{f.name: _decode(hints[f.name], data[f.name]) for f in dataclasses.fields(kind)})
