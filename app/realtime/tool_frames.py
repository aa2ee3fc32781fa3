"""Client frames of the Format 2 and 3 tools and of the « après l'atelier » tools, and the operations they ask for."""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import Field, StringConstraints

from ..domain import operations as ops
from .frames import CardId, ShortText, _Op

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


ToolFrame = (
    SubjectSetFrame
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


def tool_operation(frame: ToolFrame) -> ops.Operation:
    """The domain operation a tool frame asks for."""
    match frame:
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
    raise TypeError(f"not a tool frame: {frame!r}")  # pragma: no cover - the union is exhaustive
