"""Operations: what an actor asks the atelier to do. Validated shapes come from the edge."""

from __future__ import annotations

from dataclasses import dataclass

from .reflection import ReflectionOperation
from .roles import Role
from .speech_operations import SpeechOperation
from .votes import VoteOperation


@dataclass(frozen=True)
class JoinMember:
    member_id: str
    first_name: str
    last_name: str
    structure: str
    role: Role
    email: str = ""


@dataclass(frozen=True)
class AnonymiseMembers:
    """Replace every person's name by « Participant N » and drop structures and emails (server only)."""


@dataclass(frozen=True)
class SetRole:
    member_id: str
    role: Role


@dataclass(frozen=True)
class RemoveMember:
    """Take a person out of the atelier: their secret stops working; their contributions stay."""

    member_id: str


@dataclass(frozen=True)
class GotoStep:
    index: int


@dataclass(frozen=True)
class NextStep:
    pass


@dataclass(frozen=True)
class PreviousStep:
    pass


@dataclass(frozen=True)
class StartTimer:
    pass


@dataclass(frozen=True)
class PauseTimer:
    pass


@dataclass(frozen=True)
class AddTime:
    seconds: int


@dataclass(frozen=True)
class ResetTimer:
    pass


@dataclass(frozen=True)
class CreateCard:
    card_id: str
    title: str
    description: str


@dataclass(frozen=True)
class UpdateCard:
    card_id: str
    title: str
    description: str


@dataclass(frozen=True)
class DeleteCard:
    card_id: str


@dataclass(frozen=True)
class PlaceCard:
    """Drop a card on the matrice (None, None takes it off)."""

    card_id: str
    desirability: float | None
    feasibility: float | None


@dataclass(frozen=True)
class MarkPriority:
    card_id: str
    priority: bool


@dataclass(frozen=True)
class UpdateText:
    field: str
    update: bytes


# -- Formats 2 and 3 -----------------------------------------------------------------------


@dataclass(frozen=True)
class SetSubject:
    title: str
    description: str
    source: dict[str, str] | None = None  # set by the server when carried over from a Format 1


@dataclass(frozen=True)
class CreateReformulation:
    reformulation_id: str
    answers: dict[str, str]


@dataclass(frozen=True)
class UpdateReformulation:
    reformulation_id: str
    answers: dict[str, str]


@dataclass(frozen=True)
class DeleteReformulation:
    reformulation_id: str


@dataclass(frozen=True)
class CreateIdea:
    idea_id: str
    question: str
    text: str


@dataclass(frozen=True)
class UpdateIdea:
    idea_id: str
    question: str
    text: str


@dataclass(frozen=True)
class DeleteIdea:
    idea_id: str


@dataclass(frozen=True)
class SetCanevasValue:
    value: str
    checked: bool


@dataclass(frozen=True)
class ImportCanevas:
    """Carry a Format 2 canevas over into a Format 3 (texts per field key, values). Server only."""

    texts: dict[str, str]
    values: tuple[str, ...]
    source: dict[str, str]


@dataclass(frozen=True)
class CreateSousAction:
    sous_action_id: str
    text: str


@dataclass(frozen=True)
class MergeSousAction:
    sous_action_id: str
    into_id: str


@dataclass(frozen=True)
class DeleteSousAction:
    sous_action_id: str


@dataclass(frozen=True)
class SetHorizon:
    start_year: int
    end_year: int


@dataclass(frozen=True)
class CreateEtape:
    etape_id: str
    title: str
    sous_action_id: str | None = None
    index: int | None = None  # where in the order; at the end when None


@dataclass(frozen=True)
class UpdateEtape:
    etape_id: str
    title: str
    start: str
    duration_months: int | None
    owner: str
    livrable: str


@dataclass(frozen=True)
class MoveEtape:
    etape_id: str
    index: int


@dataclass(frozen=True)
class DeleteEtape:
    etape_id: str


# -- After the atelier: questionnaire, compte rendu, réseau social, thank-you mail -----------------


@dataclass(frozen=True)
class OpenQuestionnaire:
    anonymous: bool = True


@dataclass(frozen=True)
class CloseQuestionnaire:
    pass


@dataclass(frozen=True)
class AnswerQuestionnaire:
    answers: dict[str, int | str]


@dataclass(frozen=True)
class GenerateDraft:
    """Replace a draft field (compte_rendu, post, mail) by a text generated from the atelier."""

    field: str
    link: str = ""  # the deliverable's address, for the thank-you mail


@dataclass(frozen=True)
class FinalizeCompteRendu:
    final: bool


AfterOperation = OpenQuestionnaire | CloseQuestionnaire | AnswerQuestionnaire | GenerateDraft | FinalizeCompteRendu

EngagementOperation = (
    SetSubject
    | CreateReformulation
    | UpdateReformulation
    | DeleteReformulation
    | CreateIdea
    | UpdateIdea
    | DeleteIdea
    | SetCanevasValue
    | ImportCanevas
    | CreateSousAction
    | MergeSousAction
    | DeleteSousAction
    | SetHorizon
    | CreateEtape
    | UpdateEtape
    | MoveEtape
    | DeleteEtape
)

Operation = (
    JoinMember
    | AnonymiseMembers
    | SetRole
    | RemoveMember
    | GotoStep
    | NextStep
    | PreviousStep
    | StartTimer
    | PauseTimer
    | AddTime
    | ResetTimer
    | CreateCard
    | UpdateCard
    | DeleteCard
    | PlaceCard
    | MarkPriority
    | UpdateText
    | EngagementOperation
    | AfterOperation
    | ReflectionOperation
    | VoteOperation
    | SpeechOperation
)
