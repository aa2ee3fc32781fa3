"""Fragments of the facilitator's toolkit: the silent reflection (drafts, reveal) and the dot vote.

Two regions are personal, rendered for one `viewer`: `my-drafts` (their private drafts) and
`ballot` (their own dots). They are only ever rendered for that person, or for nobody (None):
someone else's draft event re-renders the shared `reflection` region (counts), never theirs.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from .domain.kit_tools import ENGAGEMENT_QUESTIONS
from .domain.reflection import kit_asks_reflection
from .domain.state import AtelierState
from .domain.views import private_author
from .domain.votes import VOTES_PER_PERSON_MAX

if TYPE_CHECKING:
    from .rendering import JinjaFragments

PERSONAL_REGIONS = ["my-drafts", "ballot"]
TOOLKIT_STEP_REGIONS = ["reflection", "vote"]  # what they offer the animateur depends on the step
QUESTION_LABELS = {question.key: question.label for column in ENGAGEMENT_QUESTIONS for question in column.questions}


def draft_count(drafts: int, authors: int) -> str:
    """« 5 brouillons de 3 personnes »: what everyone but the authors knows of the drafts."""
    if drafts == 0:
        return "Aucun brouillon pour l'instant."
    written = "1 brouillon" if drafts == 1 else f"{drafts} brouillons"
    by = "d'une personne" if authors == 1 else f"de {authors} personnes"
    return f"{written} {by}."


def dots_label(dots: int) -> str:
    return "1 point" if dots == 1 else f"{dots} points"


def vote_ranking(state: AtelierState) -> list[dict[str, Any]]:
    """The closed vote's cards, most dots first (ties in the cards' order)."""
    vote = state.vote
    if vote is None or vote.results is None:
        return []
    ranked = [{"card": card, "dots": vote.dots(card.id) or 0} for card in state.cards.values()]
    return sorted(ranked, key=lambda item: -item["dots"])


TOOLKIT_GLOBALS: dict[str, Any] = {
    "vote_ranking": vote_ranking,
    "kit_asks_reflection": kit_asks_reflection,
    "VOTES_PER_PERSON_MAX": VOTES_PER_PERSON_MAX,
    "QUESTION_LABELS": QUESTION_LABELS,
    "draft_count": draft_count,
    "dots_label": dots_label,
}


def toolkit_fragments(
    renderer: JinjaFragments, state: AtelierState, event: dict[str, Any], team: bool, viewer: str | None
) -> list[dict[str, Any]]:
    kind = event["type"]
    author = private_author(event)
    if kind.startswith("reflection."):
        names = ["reflection"]
        if author is not None and viewer == author:
            names.append("my-drafts")
        if kind == "reflection.revealed":
            names.append("my-drafts")
            if event["ideas"]:
                names.append("ideas")
        fragments = renderer._regions(state, (), team, names, viewer)
        if kind == "reflection.revealed" and event["cards"]:
            fragments += renderer._all_cards(state, team)
        return fragments
    # vote.*: the shared status; the voter's own ballot; the cards' dot badges when it opens or closes
    names = ["vote"]
    if author is None or viewer == author:
        names.append("ballot")
    fragments = renderer._regions(state, (), team, names, viewer)
    if kind in ("vote.opened", "vote.closed"):
        fragments += renderer._all_cards(state, team)
    return fragments
