"""The questionnaire de retour d'expérience (the kit used a Google Form: it is built in).

Anonymous by default: answers are kept per person so each can change theirs, but results
are shown without names, and the log's actor is not broadcast.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True)
class Question:
    key: str
    label: str
    kind: str  # "rating" (1 to 5), "choice", "text"
    choices: tuple[str, ...] = ()


RATING_SCALE = (1, 2, 3, 4, 5)
QUESTIONS = (
    Question("global", "Dans l'ensemble, comment évaluez-vous cet atelier ?", "rating"),
    Question("objectifs", "L'objectif et le déroulé de l'atelier étaient-ils clairs ?", "rating"),
    Question("parole", "Avez-vous pu vous exprimer autant que vous le souhaitiez ?", "rating"),
    Question("outil", "L'outil en ligne était-il simple à utiliser ?", "rating"),
    Question("apprecie", "Ce que vous avez apprécié", "text"),
    Question("ameliorer", "Ce qui pourrait être amélioré", "text"),
    Question("suite", "Souhaitez-vous participer à la suite de la démarche ?", "choice", ("Oui", "Peut-être", "Non")),
)
QUESTION_BY_KEY = {question.key: question for question in QUESTIONS}
TEXT_ANSWER_MAX = 1000


@dataclass
class Questionnaire:
    open: bool = False
    anonymous: bool = True
    opened_at: float | None = None
    closed_at: float | None = None
    responses: dict[str, dict[str, Any]] = field(default_factory=dict)  # member id → answers

    def to_dict(self) -> dict[str, Any]:
        return {
            "open": self.open,
            "anonymous": self.anonymous,
            "opened_at": self.opened_at,
            "closed_at": self.closed_at,
            "responses": {member: dict(answers) for member, answers in self.responses.items()},
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Questionnaire:
        return cls(data["open"], data["anonymous"], data["opened_at"], data["closed_at"], dict(data["responses"]))


def summary(questionnaire: Questionnaire) -> dict[str, Any]:
    """Results per question: counts and mean for ratings, counts for choices, the texts (no names)."""
    answers = list(questionnaire.responses.values())
    results: list[dict[str, Any]] = []
    for question in QUESTIONS:
        given = [a[question.key] for a in answers if a.get(question.key) not in (None, "")]
        result: dict[str, Any] = {"key": question.key, "label": question.label, "kind": question.kind}
        if question.kind == "rating":
            result["distribution"] = {str(score): given.count(score) for score in RATING_SCALE}
            result["mean"] = round(sum(given) / len(given), 2) if given else None
        elif question.kind == "choice":
            result["counts"] = {choice: given.count(choice) for choice in question.choices}
        else:
            result["texts"] = sorted(given)  # sorted, so the order says nothing of who wrote what
        result["answered"] = len(given)
        results.append(result)
    return {
        "open": questionnaire.open,
        "anonymous": questionnaire.anonymous,
        "responses": len(answers),
        "questions": results,
    }
