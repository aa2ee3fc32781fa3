"""The wire protocol (docs/protocol.md): parse client frames into domain operations.

Every durable frame has a client-made `id`; ephemeral frames (`card.drag`, `ping`) have none.
"""

from __future__ import annotations

import json
import typing
from typing import Annotated, Any, Literal

from pydantic import Field, StringConstraints, TypeAdapter, ValidationError

from ..domain import operations as ops
from ..domain.roles import Role
from ..domain.texts import decode_update
from .frames import CardId, ShortText, Unit, _Frame, _Op
from .guidance_frames import GUIDANCE_TYPES, GuidanceFrame
from .reveal_frames import RevealFrame, reveal_operation
from .speech_frames import SIGNAL_TYPES, SignalFrame, SpeechFrame, speech_operation
from .tool_frames import ToolFrame, tool_operation

PROTOCOL_VERSION = 1
MAX_FRAME_BYTES = 64 * 1024


class ProtocolError(Exception):
    """A frame the server cannot read; answered with an error frame, nothing changes."""

    def __init__(self, code: str, message: str, op_id: str | None = None) -> None:
        super().__init__(message)
        self.code, self.message, self.op_id = code, message, op_id


class Hello(_Frame):
    type: Literal["hello"]
    token: str | None = None
    last_seq: int = Field(default=0, ge=0)
    html: bool = False  # browsers ask for rendered fragments; machine clients need not
    protocol: int = PROTOCOL_VERSION
    # "projection": a read-only big-screen view that sees what participants see (docs/protocol.md).
    view: Literal["room", "projection"] = "room"


class Ping(_Frame):
    type: Literal["ping"]
    t: float | None = None


class CardDrag(_Frame):
    type: Literal["card.drag"]
    card_id: CardId
    desirability: Unit
    feasibility: Unit


class FieldFocus(_Frame):
    """Who is writing in which co-written field (None: left it). Ephemeral."""

    type: Literal["field.focus"]
    field: Annotated[str, StringConstraints(max_length=64)] | None


class MemberSetRole(_Op):
    type: Literal["member.set_role"]
    member_id: CardId
    role: Literal["challengeur", "complice", "participant", "observer"]


class MemberRemove(_Op):
    type: Literal["member.remove"]
    member_id: CardId


class StepGoto(_Op):
    type: Literal["step.goto"]
    index: int


class StepNext(_Op):
    type: Literal["step.next"]


class StepPrev(_Op):
    type: Literal["step.prev"]


class TimerStart(_Op):
    type: Literal["timer.start"]


class TimerPause(_Op):
    type: Literal["timer.pause"]


class TimerAdd(_Op):
    type: Literal["timer.add"]
    seconds: int = 60


class TimerReset(_Op):
    type: Literal["timer.reset"]


class CardCreate(_Op):
    type: Literal["card.create"]
    card_id: CardId | None = None
    title: ShortText
    description: ShortText = ""


class CardUpdate(_Op):
    type: Literal["card.update"]
    card_id: CardId
    title: ShortText
    description: ShortText = ""


class CardDelete(_Op):
    type: Literal["card.delete"]
    card_id: CardId


class CardPlace(_Op):
    type: Literal["card.place"]
    card_id: CardId
    desirability: Unit | None
    feasibility: Unit | None


class CardPriority(_Op):
    type: Literal["card.priority"]
    card_id: CardId
    priority: bool


class TextUpdate(_Op):
    type: Literal["text.update"]
    field: Annotated[str, StringConstraints(max_length=64)]
    update: Annotated[str, StringConstraints(max_length=MAX_FRAME_BYTES)]


OpFrame = (
    MemberSetRole
    | MemberRemove
    | StepGoto
    | StepNext
    | StepPrev
    | TimerStart
    | TimerPause
    | TimerAdd
    | TimerReset
    | CardCreate
    | CardUpdate
    | CardDelete
    | CardPlace
    | CardPriority
    | TextUpdate
    | ToolFrame
    | RevealFrame
    | SpeechFrame
)
ClientFrame = Annotated[
    Hello | Ping | CardDrag | FieldFocus | GuidanceFrame | SignalFrame | OpFrame, Field(discriminator="type")
]
_client_frame: TypeAdapter[Any] = TypeAdapter(ClientFrame)

_OP_FRAMES = [frame for member in typing.get_args(OpFrame) for frame in (typing.get_args(member) or (member,))]
OP_TYPES = [typing.get_args(frame.model_fields["type"].annotation)[0] for frame in _OP_FRAMES]
TOOL_FRAMES = typing.get_args(ToolFrame)
REVEAL_FRAMES = typing.get_args(RevealFrame)
SPEECH_FRAMES = typing.get_args(SpeechFrame)
EPHEMERAL_TYPES = ["card.drag", "field.focus", "ping", *GUIDANCE_TYPES, *SIGNAL_TYPES]


def parse_frame(text: str) -> Hello | Ping | CardDrag | FieldFocus | GuidanceFrame | SignalFrame | _Op:
    """A validated frame, or ProtocolError with a message a person can act on."""
    if len(text.encode("utf-8")) > MAX_FRAME_BYTES:
        raise ProtocolError("too_large", f"Message de plus de {MAX_FRAME_BYTES // 1024} Kio refusé.")
    try:
        data = json.loads(text)
    except json.JSONDecodeError as error:
        raise ProtocolError("bad_json", f"JSON illisible : {error.msg}.") from error
    except RecursionError as error:
        raise ProtocolError("bad_json", "JSON trop profondément imbriqué.") from error
    if not isinstance(data, dict) or not isinstance(data.get("type"), str):
        raise ProtocolError("bad_frame", "Un message est un objet JSON avec un champ `type`.")
    op_id = data.get("id") if isinstance(data.get("id"), str) else None
    try:
        frame: Hello | Ping | CardDrag | FieldFocus | GuidanceFrame | SignalFrame | _Op = _client_frame.validate_python(
            data
        )
    except ValidationError as error:
        if error.errors()[0]["type"] == "union_tag_invalid":
            raise ProtocolError("unknown_type", f"Type de message inconnu : {data['type'][:40]}.", op_id) from error
        first = error.errors()[0]
        where = ".".join(str(part) for part in first["loc"][1:]) or data["type"]
        raise ProtocolError("invalid", f"Champ « {where} » : {first['msg']}.", op_id) from error
    return frame


def to_operation(frame: _Op) -> ops.Operation:
    """The domain operation a durable frame asks for."""
    if isinstance(frame, TOOL_FRAMES):
        return tool_operation(frame)
    if isinstance(frame, REVEAL_FRAMES):
        return reveal_operation(frame)
    if isinstance(frame, SPEECH_FRAMES):
        return speech_operation(frame)
    match frame:
        case MemberSetRole():
            return ops.SetRole(member_id=frame.member_id, role=Role(frame.role))
        case MemberRemove():
            return ops.RemoveMember(member_id=frame.member_id)
        case StepGoto():
            return ops.GotoStep(index=frame.index)
        case StepNext():
            return ops.NextStep()
        case StepPrev():
            return ops.PreviousStep()
        case TimerStart():
            return ops.StartTimer()
        case TimerPause():
            return ops.PauseTimer()
        case TimerAdd():
            return ops.AddTime(seconds=frame.seconds)
        case TimerReset():
            return ops.ResetTimer()
        case CardCreate():
            return ops.CreateCard(card_id=frame.card_id or frame.id, title=frame.title, description=frame.description)
        case CardUpdate():
            return ops.UpdateCard(card_id=frame.card_id, title=frame.title, description=frame.description)
        case CardDelete():
            return ops.DeleteCard(card_id=frame.card_id)
        case CardPlace():
            return ops.PlaceCard(frame.card_id, desirability=frame.desirability, feasibility=frame.feasibility)
        case CardPriority():
            return ops.MarkPriority(card_id=frame.card_id, priority=frame.priority)
        case TextUpdate():
            return ops.UpdateText(field=frame.field, update=decode_update(frame.update))
    raise ProtocolError("unknown_type", "Type de message inconnu.")  # pragma: no cover


def encode(message: dict[str, Any]) -> str:
    return json.dumps(message, ensure_ascii=False, separators=(",", ":"))
