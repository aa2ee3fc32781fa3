"""The wire protocol (docs/protocol.md): parse client frames into domain operations.

Every durable frame has a client-made `id`; ephemeral frames (`card.drag`, `ping`) have none.
"""

from __future__ import annotations

import json
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, StringConstraints, TypeAdapter, ValidationError

from ..domain import operations as ops
from ..domain.roles import Role
from ..domain.texts import decode_update

PROTOCOL_VERSION = 1
MAX_FRAME_BYTES = 64 * 1024

OpId = Annotated[str, StringConstraints(pattern=r"^[A-Za-z0-9_.:-]{1,64}$")]
CardId = Annotated[str, StringConstraints(pattern=r"^[A-Za-z0-9_.:-]{1,64}$")]
# Generous bounds here; the domain applies the real text limits with a clear message.
ShortText = Annotated[str, StringConstraints(max_length=2000)]
Unit = Annotated[float, Field(ge=0, le=1, allow_inf_nan=False)]


class ProtocolError(Exception):
    """A frame the server cannot read; answered with an error frame, nothing changes."""

    def __init__(self, code: str, message: str, op_id: str | None = None) -> None:
        super().__init__(message)
        self.code, self.message, self.op_id = code, message, op_id


class _Frame(BaseModel):
    model_config = ConfigDict(extra="forbid", strict=True)


class Hello(_Frame):
    type: Literal["hello"]
    token: str | None = None
    last_seq: int = Field(default=0, ge=0)
    html: bool = False  # browsers ask for rendered fragments; machine clients need not
    protocol: int = PROTOCOL_VERSION


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


class _Op(_Frame):
    id: OpId


class MemberSetRole(_Op):
    type: Literal["member.set_role"]
    member_id: CardId
    role: Literal["challengeur", "complice", "participant", "observer"]


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


# -- Formats 2 and 3 -----------------------------------------------------------------------

Answer = Annotated[str, StringConstraints(max_length=2000)]
Answers = Annotated[dict[Annotated[str, StringConstraints(max_length=32)], Answer], Field(max_length=10)]


class SubjectSetFrame(_Op):
    type: Literal["subject.set"]
    title: ShortText
    description: ShortText = ""


class ReformulationCreate(_Op):
    type: Literal["reformulation.create"]
    reformulation_id: CardId | None = None
    answers: Answers


class ReformulationUpdate(_Op):
    type: Literal["reformulation.update"]
    reformulation_id: CardId
    answers: Answers


class ReformulationDelete(_Op):
    type: Literal["reformulation.delete"]
    reformulation_id: CardId


class IdeaCreate(_Op):
    type: Literal["idea.create"]
    idea_id: CardId | None = None
    question: Annotated[str, StringConstraints(max_length=64)]
    text: ShortText


class IdeaUpdate(_Op):
    type: Literal["idea.update"]
    idea_id: CardId
    question: Annotated[str, StringConstraints(max_length=64)]
    text: ShortText


class IdeaDelete(_Op):
    type: Literal["idea.delete"]
    idea_id: CardId


class CanevasValue(_Op):
    type: Literal["canevas.value"]
    value: Annotated[str, StringConstraints(max_length=32)]
    checked: bool


class SousActionCreate(_Op):
    type: Literal["sous_action.create"]
    sous_action_id: CardId | None = None
    text: ShortText


class SousActionMerge(_Op):
    type: Literal["sous_action.merge"]
    sous_action_id: CardId
    into_id: CardId


class SousActionDelete(_Op):
    type: Literal["sous_action.delete"]
    sous_action_id: CardId


class RoadmapHorizon(_Op):
    type: Literal["roadmap.horizon"]
    start_year: int
    end_year: int


class EtapeCreate(_Op):
    type: Literal["etape.create"]
    etape_id: CardId | None = None
    title: ShortText = ""
    sous_action_id: CardId | None = None
    index: int | None = None


class EtapeUpdate(_Op):
    type: Literal["etape.update"]
    etape_id: CardId
    title: ShortText
    start: Annotated[str, StringConstraints(max_length=16)] = ""
    duration_months: int | None = None
    owner: ShortText = ""
    livrable: ShortText = ""


class EtapeMove(_Op):
    type: Literal["etape.move"]
    etape_id: CardId
    index: int


class EtapeDelete(_Op):
    type: Literal["etape.delete"]
    etape_id: CardId


# -- After the atelier ----------------------------------------------------------------------


class QuestionnaireOpen(_Op):
    type: Literal["questionnaire.open"]
    anonymous: bool = True


class QuestionnaireClose(_Op):
    type: Literal["questionnaire.close"]


class QuestionnaireAnswer(_Op):
    type: Literal["questionnaire.answer"]
    answers: Annotated[
        dict[
            Annotated[str, StringConstraints(max_length=32)], int | Annotated[str, StringConstraints(max_length=2000)]
        ],
        Field(max_length=20),
    ]


class DraftGenerate(_Op):
    type: Literal["draft.generate"]
    field: Literal["compte_rendu", "post", "mail"]
    link: Annotated[str, StringConstraints(max_length=600)] = ""


class CompteRenduFinalize(_Op):
    type: Literal["compte_rendu.finalize"]
    final: bool


OpFrame = (
    MemberSetRole
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
    | SubjectSetFrame
    | ReformulationCreate
    | ReformulationUpdate
    | ReformulationDelete
    | IdeaCreate
    | IdeaUpdate
    | IdeaDelete
    | CanevasValue
    | SousActionCreate
    | SousActionMerge
    | SousActionDelete
    | RoadmapHorizon
    | EtapeCreate
    | EtapeUpdate
    | EtapeMove
    | EtapeDelete
    | QuestionnaireOpen
    | QuestionnaireClose
    | QuestionnaireAnswer
    | DraftGenerate
    | CompteRenduFinalize
)
ClientFrame = Annotated[Hello | Ping | CardDrag | FieldFocus | OpFrame, Field(discriminator="type")]
_client_frame: TypeAdapter[Any] = TypeAdapter(ClientFrame)

OP_TYPES = [frame.model_fields["type"].annotation.__args__[0] for frame in OpFrame.__args__]
EPHEMERAL_TYPES = ["card.drag", "field.focus", "ping"]


def parse_frame(text: str) -> Hello | Ping | CardDrag | FieldFocus | _Op:
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
        frame: Hello | Ping | CardDrag | FieldFocus | _Op = _client_frame.validate_python(data)
    except ValidationError as error:
        if error.errors()[0]["type"] == "union_tag_invalid":
            raise ProtocolError("unknown_type", f"Type de message inconnu : {data['type'][:40]}.", op_id) from error
        first = error.errors()[0]
        where = ".".join(str(part) for part in first["loc"][1:]) or data["type"]
        raise ProtocolError("invalid", f"Champ « {where} » : {first['msg']}.", op_id) from error
    return frame


def to_operation(frame: _Op) -> ops.Operation:
    """The domain operation a durable frame asks for."""
    match frame:
        case MemberSetRole():
            return ops.SetRole(member_id=frame.member_id, role=Role(frame.role))
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
        case SubjectSetFrame():
            return ops.SetSubject(title=frame.title, description=frame.description)
        case ReformulationCreate():
            return ops.CreateReformulation(frame.reformulation_id or frame.id, dict(frame.answers))
        case ReformulationUpdate():
            return ops.UpdateReformulation(frame.reformulation_id, dict(frame.answers))
        case ReformulationDelete():
            return ops.DeleteReformulation(frame.reformulation_id)
        case IdeaCreate():
            return ops.CreateIdea(frame.idea_id or frame.id, frame.question, frame.text)
        case IdeaUpdate():
            return ops.UpdateIdea(frame.idea_id, frame.question, frame.text)
        case IdeaDelete():
            return ops.DeleteIdea(frame.idea_id)
        case CanevasValue():
            return ops.SetCanevasValue(frame.value, frame.checked)
        case SousActionCreate():
            return ops.CreateSousAction(frame.sous_action_id or frame.id, frame.text)
        case SousActionMerge():
            return ops.MergeSousAction(frame.sous_action_id, frame.into_id)
        case SousActionDelete():
            return ops.DeleteSousAction(frame.sous_action_id)
        case RoadmapHorizon():
            return ops.SetHorizon(frame.start_year, frame.end_year)
        case EtapeCreate():
            return ops.CreateEtape(frame.etape_id or frame.id, frame.title, frame.sous_action_id, frame.index)
        case EtapeUpdate():
            return ops.UpdateEtape(
                frame.etape_id, frame.title, frame.start, frame.duration_months, frame.owner, frame.livrable
            )
        case EtapeMove():
            return ops.MoveEtape(frame.etape_id, frame.index)
        case EtapeDelete():
            return ops.DeleteEtape(frame.etape_id)
        case QuestionnaireOpen():
            return ops.OpenQuestionnaire(anonymous=frame.anonymous)
        case QuestionnaireClose():
            return ops.CloseQuestionnaire()
        case QuestionnaireAnswer():
            return ops.AnswerQuestionnaire(answers=dict(frame.answers))
        case DraftGenerate():
            return ops.GenerateDraft(field=frame.field, link=frame.link)
        case CompteRenduFinalize():
            return ops.FinalizeCompteRendu(final=frame.final)
    raise ProtocolError("unknown_type", "Type de message inconnu.")  # pragma: no cover


def encode(message: dict[str, Any]) -> str:
    return json.dumps(message, ensure_ascii=False, separators=(",", ":"))
