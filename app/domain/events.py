"""Events: facts the atelier's log records, named in the past tense.

An event carries everything needed to apply it (no clock, no lookup), so
replaying the log rebuilds the same state on any machine.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Any, ClassVar

from . import codec
from .after_events import AFTER_EVENTS, AfterEvent
from .engagement_events import ENGAGEMENT_EVENTS, EngagementEvent
from .reflection_events import REFLECTION_EVENTS, ReflectionEvent
from .speech_events import SPEECH_EVENTS, SpeechEvent
from .state import Card, Member
from .texts import decode_update, encode_update
from .timer import Timer
from .votes import VOTE_EVENTS, VoteEvent


@dataclass(frozen=True)
class MemberJoined:
    type: ClassVar[str] = "member.joined"
    member: Member


@dataclass(frozen=True)
class MembersAnonymised:
    """Personal data purged: each person now goes by a label (« Participant 1 »…), without structure
    or email, and every co-written text starts again from its content with their names replaced."""

    type: ClassVar[str] = "members.anonymised"
    labels: dict[str, str]  # member id → label, in the order people joined
    texts: dict[str, bytes]  # field → one update holding its whole new document
    at: float


@dataclass(frozen=True)
class RoleSet:
    type: ClassVar[str] = "member.role_set"
    member_id: str
    role: str


@dataclass(frozen=True)
class MemberRemoved:
    type: ClassVar[str] = "member.removed"
    member_id: str
    at: float


@dataclass(frozen=True)
class StepChanged:
    type: ClassVar[str] = "step.changed"
    index: int
    timer: Timer
    at: float = 0.0  # when the step changed (server clock): tools stay open a grace period after


@dataclass(frozen=True)
class TimerChanged:
    type: ClassVar[str] = "timer.changed"
    action: str  # start | pause | add | reset
    timer: Timer


@dataclass(frozen=True)
class CardCreated:
    type: ClassVar[str] = "card.created"
    card: Card


@dataclass(frozen=True)
class CardUpdated:
    type: ClassVar[str] = "card.updated"
    card_id: str
    title: str
    description: str


@dataclass(frozen=True)
class CardDeleted:
    type: ClassVar[str] = "card.deleted"
    card_id: str


@dataclass(frozen=True)
class CardPlaced:
    type: ClassVar[str] = "card.placed"
    card_id: str
    desirability: float | None
    feasibility: float | None


@dataclass(frozen=True)
class PriorityMarked:
    type: ClassVar[str] = "card.priority_marked"
    card_id: str
    priority: bool


@dataclass(frozen=True)
class TextUpdated:
    type: ClassVar[str] = "text.updated"
    field: str
    update: bytes


Event = (
    MemberJoined
    | MembersAnonymised
    | RoleSet
    | MemberRemoved
    | StepChanged
    | TimerChanged
    | CardCreated
    | CardUpdated
    | CardDeleted
    | CardPlaced
    | PriorityMarked
    | TextUpdated
    | EngagementEvent
    | AfterEvent
    | ReflectionEvent
    | VoteEvent
    | SpeechEvent
)


# Flat events serialised from their field types (Formats 2 and 3, after the atelier, reflection, votes,
# tours de table).
CODEC_EVENTS: dict[str, type[Any]] = ENGAGEMENT_EVENTS | AFTER_EVENTS | REFLECTION_EVENTS | VOTE_EVENTS | SPEECH_EVENTS


def event_to_dict(event: Event) -> dict[str, Any]:
    """The event as JSON-ready data, with its `type`, as stored in the log and sent on the wire."""
    if event.type in CODEC_EVENTS:
        return codec.event_to_dict(event)
    if isinstance(event, MemberJoined):
        body: dict[str, Any] = {"member": event.member.to_dict()}
    elif isinstance(event, CardCreated):
        body = {"card": event.card.to_dict()}
    elif isinstance(event, (StepChanged, TimerChanged)):
        body = asdict(event) | {"timer": event.timer.to_dict()}
    elif isinstance(event, TextUpdated):
        body = {"field": event.field, "update": encode_update(event.update)}
    elif isinstance(event, MembersAnonymised):
        texts = {field: encode_update(update) for field, update in event.texts.items()}
        body = {"labels": dict(event.labels), "texts": texts, "at": event.at}
    else:
        body = asdict(event)
    return {"type": event.type} | body


def event_from_dict(data: dict[str, Any]) -> Event:
    kind = data["type"]
    if kind in CODEC_EVENTS:
        return codec.event_from_dict(CODEC_EVENTS[kind], data)  # type: ignore[no-any-return]
    body = {key: value for key, value in data.items() if key != "type"}
    if kind == MemberJoined.type:
        return MemberJoined(member=Member.from_dict(body["member"]))
    if kind == CardCreated.type:
        return CardCreated(card=Card.from_dict(body["card"]))
    if kind == StepChanged.type:
        return StepChanged(index=body["index"], timer=Timer.from_dict(body["timer"]), at=body.get("at", 0.0))
    if kind == TimerChanged.type:
        return TimerChanged(action=body["action"], timer=Timer.from_dict(body["timer"]))
    if kind == TextUpdated.type:
        return TextUpdated(field=body["field"], update=decode_update(body["update"]))
    if kind == MembersAnonymised.type:
        texts = {field: decode_update(update) for field, update in body["texts"].items()}
        return MembersAnonymised(labels=dict(body["labels"]), texts=texts, at=body["at"])
    simple: dict[str, type[Any]] = {
        RoleSet.type: RoleSet,
        MemberRemoved.type: MemberRemoved,
        CardUpdated.type: CardUpdated,
        CardDeleted.type: CardDeleted,
        CardPlaced.type: CardPlaced,
        PriorityMarked.type: PriorityMarked,
    }
    return simple[kind](**body)  # type: ignore[no-any-return]
