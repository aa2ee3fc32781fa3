"""The Format 1 deliverable, the "fiche sujets", as documented JSON.

The same atelier state always gives the same JSON: no clock is read here.
"""

from __future__ import annotations

from typing import Any

from ..domain.state import AtelierState, Card

SCHEMA_VERSION = "0.1.0"

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


def fiche_sujets(state: AtelierState, *, seq: int) -> dict[str, Any]:
    deroule = state.deroule
    members = state.members

    def author(card: Card) -> dict[str, Any]:
        member = members.get(card.author_id)
        if member is None:
            return {"id": card.author_id, "name": None, "structure": None}
        return {"id": member.id, "name": member.full_name, "structure": member.structure}

    cards = [
        {
            "id": card.id,
            "title": card.title,
            "description": card.description,
            "author": author(card),
            "created_at": card.created_at,
            "matrix": {"desirability": card.desirability, "feasibility": card.feasibility, "quadrant": quadrant(card)},
            "priority": card.priority,
        }
        for card in state.cards.values()
    ]
    return {
        "schema_version": SCHEMA_VERSION,
        "kind": "fiche-sujets",
        "seq": seq,
        "atelier": {
            "id": state.atelier_id,
            "title": state.title,
            "administration": state.administration,
            "date": state.date,
            "format": {"key": deroule.key, "title": deroule.title},
        },
        "participants": [
            {
                "id": m.id,
                "first_name": m.first_name,
                "last_name": m.last_name,
                "structure": m.structure,
                "role": str(m.role),
            }
            for m in members.values()
        ],
        "cards": cards,
        "priorities": [card["id"] for card in cards if card["priority"]],
        "notes": [
            {"step": index + 1, "title": step.title, "text": state.texts.text(state.note_field(index))}
            for index, step in enumerate(deroule.steps)
        ],
    }
