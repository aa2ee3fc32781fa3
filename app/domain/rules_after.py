"""Rules of the « après l'atelier » tools: the questionnaire, and the drafts the team edits.

Same contract as `rules`: `decide` refuses or returns one event without touching the state;
`evolve` applies an event and never refuses.
"""

from __future__ import annotations

import re
from typing import Any

from pycrdt import Doc, Text

from . import drafts
from .after_events import (
    AfterEvent,
    CompteRenduFinalized,
    DraftGenerated,
    QuestionnaireAnswered,
    QuestionnaireClosed,
    QuestionnaireOpened,
)
from .errors import Forbidden, InvalidOperation
from .operations import (
    AfterOperation,
    AnswerQuestionnaire,
    CloseQuestionnaire,
    FinalizeCompteRendu,
    GenerateDraft,
    OpenQuestionnaire,
)
from .questionnaire import QUESTION_BY_KEY, RATING_SCALE, TEXT_ANSWER_MAX
from .roles import ANIMATEURS, ANIMATION_TEAM, Role
from .state import DRAFT_FIELDS, AtelierState, Member
from .texts import TEXT_NAME

LINK = re.compile(r"https?://[^\s<>\"']{1,500}")


def decide_after(state: AtelierState, op: AfterOperation, member: Member, now: float) -> AfterEvent:
    match op:
        case OpenQuestionnaire():
            _require(member.role in ANIMATEURS, "Seuls les animateurs ouvrent le questionnaire.")
            questionnaire = state.questionnaire
            if not op.anonymous and questionnaire.anonymous and questionnaire.responses:
                # Answers given under the promise of anonymity must never be shown with names.
                raise InvalidOperation("Des réponses anonymes ont déjà été données : le questionnaire reste anonyme.")
            return QuestionnaireOpened(anonymous=op.anonymous, at=now)
        case CloseQuestionnaire():
            _require(member.role in ANIMATEURS, "Seuls les animateurs ferment le questionnaire.")
            if not state.questionnaire.open:
                raise InvalidOperation("Le questionnaire n'est pas ouvert.")
            return QuestionnaireClosed(at=now)
        case AnswerQuestionnaire():
            _require(member.role != Role.OBSERVER, "Les observateurs ne répondent pas au questionnaire.")
            if not state.questionnaire.open:
                raise InvalidOperation("Le questionnaire n'est pas ouvert (ou déjà fermé).")
            return QuestionnaireAnswered(member_id=member.id, answers=_answers(op.answers))
        case GenerateDraft():
            _require(member.role in ANIMATION_TEAM, "Réservé à l'équipe d'animation.")
            if op.field not in DRAFT_FIELDS:
                raise InvalidOperation(f"Brouillon inconnu : {op.field}.")
            if op.field == "compte_rendu" and state.compte_rendu_final:
                raise InvalidOperation("Le compte rendu est finalisé : rouvrez-le pour le modifier.")
            if op.link and not LINK.fullmatch(op.link):
                raise InvalidOperation("Le lien doit être une adresse http(s).")
            return DraftGenerated(field=op.field, update=_replacing(state, op.field, _draft(state, op)))
        case FinalizeCompteRendu():
            _require(member.role in ANIMATEURS, "Seuls les animateurs finalisent le compte rendu.")
            return CompteRenduFinalized(final=op.final)
    raise InvalidOperation("Opération inconnue.")  # pragma: no cover - the union is exhaustive


def evolve_after(state: AtelierState, event: AfterEvent) -> None:
    questionnaire = state.questionnaire
    match event:
        case QuestionnaireOpened():
            questionnaire.open, questionnaire.anonymous = True, event.anonymous
            questionnaire.opened_at, questionnaire.closed_at = event.at, None
        case QuestionnaireClosed():
            questionnaire.open, questionnaire.closed_at = False, event.at
        case QuestionnaireAnswered():
            questionnaire.responses[event.member_id] = dict(event.answers)
        case DraftGenerated():
            state.texts.apply(event.field, event.update)
        case CompteRenduFinalized():
            state.compte_rendu_final = event.final


def _draft(state: AtelierState, op: GenerateDraft) -> str:
    if op.field == "compte_rendu":
        return drafts.compte_rendu(state)
    if op.field == "post":
        return drafts.social_post(state)
    return drafts.thank_you_mail(state, op.link)


def _replacing(state: AtelierState, field: str, text: str) -> bytes:
    """An update that turns the field's current text into `text` (made once, then replayed)."""
    doc: Doc[Text] = Doc()
    doc[TEXT_NAME] = shared = Text()
    doc.apply_update(state.texts.state_update(field))
    before = doc.get_state()
    with doc.transaction():
        del shared[0 : len(shared)]
        shared.insert(0, text)
    return doc.get_update(before)


def _answers(answers: dict[str, Any]) -> dict[str, Any]:
    unknown = set(answers) - set(QUESTION_BY_KEY)
    if unknown:
        raise InvalidOperation(f"Questions inconnues : {', '.join(sorted(unknown))}.")
    cleaned: dict[str, Any] = {}
    for key, question in QUESTION_BY_KEY.items():
        value = answers.get(key)
        if value in (None, ""):
            continue
        if question.kind == "rating":
            if not isinstance(value, int) or isinstance(value, bool) or value not in RATING_SCALE:
                raise InvalidOperation(f"« {question.label} » : une note de 1 à 5.")
        elif question.kind == "choice":
            if value not in question.choices:
                raise InvalidOperation(f"« {question.label} » : {', '.join(question.choices)}.")
        else:
            if not isinstance(value, str) or len(value) > TEXT_ANSWER_MAX:
                raise InvalidOperation(f"« {question.label} » : un texte de {TEXT_ANSWER_MAX} caractères au plus.")
            value = value.strip()
            if not value:  # only spaces: not an answer
                continue
        cleaned[key] = value
    if not cleaned:
        raise InvalidOperation("Répondez à au moins une question.")
    return cleaned


def _require(allowed: bool, message: str) -> None:
    if not allowed:
        raise Forbidden(message)
