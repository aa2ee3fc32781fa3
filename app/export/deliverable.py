"""The deliverables as documented JSON (docs/protocol.md §2.1), described by the JSON Schema
docs/deliverable.schema.json; docs/deliverable.md keeps its changelog and the older versions.

Format 1 gives the "fiche sujets" (cards, matrice, priorities); Format 2 the "canevas d'engagement"
(subject, reformulations, ideas, canevas); Format 3 the "feuille de route" (canevas, sous-actions,
étapes). Every kind carries the atelier, its animation team, its participants and the notes of each
step; Formats 2 and 3 also carry their canevas as an OGP commitment (`ogp_commitment`, see ogp.py).
A démarche's deliverable holds the deliverables of its ateliers, in the démarche's order.

The same atelier state always gives the same JSON: no clock is read here, and every list is in the
state's order (creation order, the kit's order, or the feuille de route's order).
"""

from __future__ import annotations

from typing import Any

from ..domain.items import Idea, Reformulation, SousAction
from ..domain.kit_tools import (
    ENGAGEMENT_QUESTIONS,
    OPEN_GOVERNMENT_VALUES,
    REFORMULATION_PROMPTS,
    canevas_fields,
)
from ..domain.questionnaire import summary
from ..domain.roles import Role
from ..domain.state import AtelierState, Card
from ..domain.views import dots
from .ogp import ogp_commitment

# The version of docs/deliverable.schema.json the documents follow (docs/deliverable.md: the changelog).
SCHEMA_VERSION = "0.5.0"
KINDS = {"1": "fiche-sujets", "2": "canevas", "3": "feuille-de-route"}
DEMARCHE_KIND = "demarche"
# The kit's « équipe d'animation », in this order in `animation_team`.
TEAM_ROLES = (Role.REFERENT, Role.CHALLENGEUR, Role.COMPLICE)

QUADRANTS = {
    (True, True): "prioritaire",  # désirable et faisable
    (True, False): "desirable-difficile",
    (False, True): "faisable-peu-desirable",
    (False, False): "a-ecarter",
}


def quadrant(card: Card) -> str | None:
    if card.desirability is None or card.feasibility is None:
        return None
    return QUADRANTS[(card.desirability >= 0.5, card.feasibility >= 0.5)]


def deliverable(state: AtelierState, *, seq: int) -> dict[str, Any]:
    """The atelier's deliverable, of the kind its format produces."""
    body = _fiche_sujets(state) if state.format_key == "1" else _engagement(state)
    return (
        _head(state, seq)
        | body
        | {
            "ogp_commitment": ogp_commitment(state),
            "notes": _notes(state),
            "reveals": _reveals(state),
            "vote": _vote(state),
            "questionnaire": _questionnaire(state),
        }
    )


def _reveals(state: AtelierState) -> list[dict[str, Any]]:
    """The reveals of silent reflections; drafts never revealed stay their authors' own and are not here."""
    return [
        {"step": reveal.step_index + 1, "kind": reveal.kind, "anonymous": reveal.anonymous, "count": reveal.count}
        for reveal in state.reflection.reveals
    ]


def _vote(state: AtelierState) -> dict[str, Any] | None:
    """The last dot vote: its rules and how many voted; the totals are on the cards (`dots`)."""
    vote = state.vote
    if vote is None:
        return None
    return {
        "step": vote.step_index + 1,
        "votes_per_person": vote.votes_per_person,
        "multiple": vote.multiple,
        "closed": not vote.open,
        "voters": None if vote.open else vote.voters,
    }


def _questionnaire(state: AtelierState) -> dict[str, Any]:
    """The questionnaire's results without names, whatever the setting: the deliverable travels."""
    results = summary(state.questionnaire)
    return {"anonymous": results["anonymous"], "responses": results["responses"], "questions": results["questions"]}


def demarche_deliverable(
    *, demarche_id: str, title: str, administration: str, ateliers: list[dict[str, Any]]
) -> dict[str, Any]:
    """A démarche's deliverable: its identity and the deliverable of each of its ateliers, in its order."""
    return {
        "schema_version": SCHEMA_VERSION,
        "kind": DEMARCHE_KIND,
        "demarche": {"id": demarche_id, "title": title, "administration": administration},
        "ateliers": ateliers,
    }


def _head(state: AtelierState, seq: int) -> dict[str, Any]:
    deroule = state.deroule
    return {
        "schema_version": SCHEMA_VERSION,
        "kind": KINDS[state.format_key],
        "seq": seq,
        "atelier": {
            "id": state.atelier_id,
            "title": state.title,
            "administration": state.administration,
            "date": state.date,
            "format": {"key": deroule.key, "title": deroule.title},
        },
        # The équipe d'animation by role (référent, challengeurs, complices), each in the order they joined.
        "animation_team": [
            {
                "id": m.id,
                "first_name": m.first_name,
                "last_name": m.last_name,
                "structure": m.structure,
                "role": str(m.role),
                "role_label": m.role.label,
            }
            for role in TEAM_ROLES
            for m in state.members.values()
            if m.role == role
        ],
        "participants": [
            {
                "id": m.id,
                "first_name": m.first_name,
                "last_name": m.last_name,
                "structure": m.structure,
                "role": str(m.role),
            }
            for m in state.members.values()
        ],
    }


def _author(state: AtelierState, author_id: str, *, anonymous: bool = False) -> dict[str, Any] | None:
    if anonymous:  # revealed without its author: nobody's name, not even a guess
        return None
    member = state.members.get(author_id)
    if member is None:
        return {"id": author_id, "name": None, "structure": None}
    return {"id": member.id, "name": member.full_name, "structure": member.structure}


def _notes(state: AtelierState) -> list[dict[str, Any]]:
    return [
        {"step": index + 1, "title": step.title, "text": state.texts.text(state.note_field(index))}
        for index, step in enumerate(state.deroule.steps)
    ]


# -- Format 1 ----------------------------------------------------------------------------------


def _fiche_sujets(state: AtelierState) -> dict[str, Any]:
    cards = [
        {
            "id": card.id,
            "title": card.title,
            "description": card.description,
            "author": _author(state, card.author_id, anonymous=card.anonymous),
            "anonymous": card.anonymous,
            "speaker": _author(state, card.speaker_id) if card.speaker_id and not card.anonymous else None,
            "created_at": card.created_at,
            "matrix": {"desirability": card.desirability, "feasibility": card.feasibility, "quadrant": quadrant(card)},
            "priority": card.priority,
            "dots": dots(state, card.id),
        }
        for card in state.cards.values()
    ]
    return {"cards": cards, "priorities": [card["id"] for card in cards if card["priority"]]}


# -- Formats 2 and 3 ---------------------------------------------------------------------------


def _engagement(state: AtelierState) -> dict[str, Any]:
    subject = state.subject
    return {
        "subject": None
        if subject is None
        else {
            "title": subject.title,
            "description": subject.description,
            "source": dict(subject.source) if subject.source else None,
        },
        "reformulations": [_reformulation(state, item) for item in state.reformulations.values()],
        "ideas": _ideas(state),
        "canevas": _canevas(state),
        "sous_actions": [_sous_action(state, item) for item in state.sous_actions.values()],
        "roadmap": _roadmap(state),
    }


def _reformulation(state: AtelierState, item: Reformulation) -> dict[str, Any]:
    return {
        "id": item.id,
        "author": _author(state, item.author_id),
        "created_at": item.created_at,
        # Every prompt of the kit, in its order, with its sentence starter.
        "answers": {
            prompt.key: {"label": prompt.label, "text": item.answers.get(prompt.key, "")}
            for prompt in REFORMULATION_PROMPTS
        },
    }


def _ideas(state: AtelierState) -> list[dict[str, Any]]:
    """The questions of the kit that received ideas, in the kit's order, each with its ideas (in creation order)."""
    by_question: dict[str, list[Idea]] = {}
    for idea in state.ideas.values():
        by_question.setdefault(idea.question, []).append(idea)
    return [
        {
            "column": {"key": column.key, "title": column.title},
            "question": {"key": question.key, "text": question.label},
            "ideas": [
                {
                    "id": idea.id,
                    "text": idea.text,
                    "author": _author(state, idea.author_id, anonymous=idea.anonymous),
                    "anonymous": idea.anonymous,
                    "created_at": idea.created_at,
                }
                for idea in by_question.get(question.key, [])
            ],
        }
        for column in ENGAGEMENT_QUESTIONS
        for question in column.questions
        if question.key in by_question
    ]


def _canevas(state: AtelierState) -> dict[str, Any] | None:
    fields = canevas_fields(state.format_key)
    if not fields:
        return None
    checked = set(state.canevas_values)
    return {
        "fields": [
            {"key": field.key, "label": field.label, "text": state.texts.text(state.canevas_field(field.key))}
            for field in fields
        ],
        "values": [
            {"key": value.key, "label": value.label, "checked": value.key in checked}
            for value in OPEN_GOVERNMENT_VALUES
        ],
        "source": dict(state.canevas_source) if state.canevas_source else None,
    }


def _sous_action(state: AtelierState, item: SousAction) -> dict[str, Any]:
    return {
        "id": item.id,
        "text": state.texts.text(item.field),
        "author": _author(state, item.author_id),
        "created_at": item.created_at,
        "merged_into": item.merged_into,
    }


def _roadmap(state: AtelierState) -> dict[str, Any]:
    roadmap = state.roadmap
    return {
        "horizon": {"start_year": roadmap.horizon_start, "end_year": roadmap.horizon_end},
        "etapes": [
            {
                "position": position,
                "id": etape.id,
                "title": etape.title,
                "start": etape.start,
                "duration_months": etape.duration_months,
                "owner": etape.owner,
                "livrable": etape.livrable,
                "sous_action_id": etape.sous_action_id,
                "author": _author(state, etape.author_id),
            }
            for position, etape in enumerate(roadmap.etapes, start=1)
        ],
    }
