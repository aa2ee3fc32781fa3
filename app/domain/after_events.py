"""Events of the « après l'atelier » tools (serialised by `codec`, from their field types)."""

from __future__ import annotations

import typing
from dataclasses import dataclass
from typing import Any, ClassVar


@dataclass(frozen=True)
class QuestionnaireOpened:
    type: ClassVar[str] = "questionnaire.opened"
    anonymous: bool
    at: float


@dataclass(frozen=True)
class QuestionnaireClosed:
    type: ClassVar[str] = "questionnaire.closed"
    at: float


@dataclass(frozen=True)
class QuestionnaireAnswered:
    """One person's answers (replacing their earlier ones). Only the animation team sees answers."""

    type: ClassVar[str] = "questionnaire.answered"
    member_id: str
    answers: dict[str, Any]


@dataclass(frozen=True)
class DraftGenerated:
    """A draft field rewritten from the atelier: one CRDT update that replaces its text."""

    type: ClassVar[str] = "draft.generated"
    field: str
    update: bytes


@dataclass(frozen=True)
class CompteRenduFinalized:
    type: ClassVar[str] = "compte_rendu.finalized"
    final: bool


AfterEvent = QuestionnaireOpened | QuestionnaireClosed | QuestionnaireAnswered | DraftGenerated | CompteRenduFinalized
AFTER_EVENTS: dict[str, type[Any]] = {kind.type: kind for kind in typing.get_args(AfterEvent)}
