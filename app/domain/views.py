"""What each audience may see of the state and of events.

Names and structures are personal data: the animation team sees them whole,
everyone else sees a display name ("Prénom N.").
"""

from __future__ import annotations

from typing import Any

from .deroule import Step
from .kit_tools import canevas_fields
from .questionnaire import summary
from .reflection_events import PRIVATE_EVENTS
from .state import DRAFT_FIELDS, AtelierState, Member
from .votes import PRIVATE_VOTE_EVENTS

# Events only their author may read whole (private drafts, a person's dots), and the key naming the author.
PRIVATE_AUTHOR_KEYS = PRIVATE_EVENTS | PRIVATE_VOTE_EVENTS


def step_view(step: Step, index: int, *, team: bool) -> dict[str, Any]:
    view: dict[str, Any] = {
        "index": index,
        "key": step.key,
        "title": step.title,
        "duration_minutes": step.duration_minutes,
        "objective": step.objective,
        "consigne": step.consigne,
        "tools": [str(tool) for tool in step.tools],
        "memo": list(step.memo),
    }
    if team:
        view |= {
            "moyen": list(step.moyen),
            "points_attention": list(step.points_attention),
            "phrases": list(step.phrases),
        }
    return view


def state_view(state: AtelierState, *, team: bool, viewer: str | None = None) -> dict[str, Any]:
    """The whole current state as an audience may see it (the `state` of the API and of snapshots).

    `viewer` is the person it is for: they alone get their private drafts and their own dots."""
    deroule = state.deroule
    return {
        "atelier": {
            "id": state.atelier_id,
            "title": state.title,
            "administration": state.administration,
            "date": state.date,
            "format": state.format_key,
            "format_title": deroule.title,
        },
        "steps": [step_view(step, index, team=team) for index, step in enumerate(deroule.steps)],
        "step_index": state.step_index,
        "timer": state.timer.to_dict(),
        "members": [m.to_dict() if team else m.public_dict() for m in state.members.values()],
        "cards": [card.to_dict() | {"dots": dots(state, card.id)} for card in state.cards.values()],
        "texts": texts_view(state, team=team),
        **engagement_view(state),
        "questionnaire": questionnaire_view(state, team=team),
        "compte_rendu_final": state.compte_rendu_final,
        "reflection": reflection_view(state, viewer),
        "vote": vote_view(state, viewer),
        "speech": state.speech.to_dict(),
    }


def dots(state: AtelierState, card_id: str) -> int | None:
    """A card's dots once the vote is closed; None before (hidden from everyone) or without a vote."""
    return state.vote.dots(card_id) if state.vote else None


def reflection_view(state: AtelierState, viewer: str | None) -> dict[str, Any]:
    """The silent reflection: counts for everyone, drafts only for their author."""
    reflection = state.reflection
    drafts, authors = reflection.counts()
    return {
        "open": reflection.open,
        "step_index": reflection.step_index,
        "kind": reflection.kind,
        "drafts": drafts,
        "authors": authors,
        "mine": [draft.to_dict() for draft in reflection.of(viewer)],
        "reveals": [reveal.to_dict() for reveal in reflection.reveals],
    }


def vote_view(state: AtelierState, viewer: str | None) -> dict[str, Any] | None:
    """The dot vote: the viewer's own dots; totals only once it is closed; nobody's ballot ever."""
    vote = state.vote
    if vote is None:
        return None
    return {
        "open": vote.open,
        "votes_per_person": vote.votes_per_person,
        "multiple": vote.multiple,
        "step_index": vote.step_index,
        "voters": vote.voter_count() if vote.open else vote.voters,
        "mine": vote.ballot(viewer),
        "remaining": vote.remaining(viewer),
        "results": dict(vote.results) if vote.results is not None else None,
    }


def private_author(event: dict[str, Any]) -> str | None:
    """The one person who may read this event whole, if it is private."""
    key = PRIVATE_AUTHOR_KEYS.get(event["type"])
    return None if key is None else str(event[key])


def personal(event: dict[str, Any], state: AtelierState) -> bool:
    """Whether each person's view of this shared event differs (their ballot names the cards)."""
    return event["type"] == "card.updated" and state.vote is not None and state.vote.open


def texts_view(state: AtelierState, *, team: bool) -> dict[str, str]:
    """The co-written fields an audience may read: drafts (compte rendu, post, mail) are the team's."""
    texts = state.texts.to_dict()
    return texts if team else {name: update for name, update in texts.items() if name not in DRAFT_FIELDS}


def questionnaire_view(state: AtelierState, *, team: bool) -> dict[str, Any]:
    questionnaire = state.questionnaire
    if not team:
        return {"open": questionnaire.open, "anonymous": questionnaire.anonymous}
    view = summary(questionnaire)
    if not questionnaire.anonymous:
        names = {member.id: member.full_name for member in state.members.values()}
        view["by_person"] = [
            {"name": names.get(member_id, ""), "answers": answers}
            for member_id, answers in questionnaire.responses.items()
        ]
    return view


def shows_actor(event: dict[str, Any], state: AtelierState, *, team: bool, viewer: str | None = None) -> bool:
    """Whether the wire may name who made this event (its actor and client op id).

    Never for an anonymous questionnaire answer; for a named one, only to the animation team.
    A private event (a draft, a dot) only to its author: its op id may be the draft's id.
    """
    author = private_author(event)
    if author is not None:
        return viewer == author
    if event["type"] != "questionnaire.answered":
        return True
    return team and not state.questionnaire.anonymous


def engagement_view(state: AtelierState) -> dict[str, Any]:
    """Formats 2 and 3: the subject, reformulations, ideas, canevas, sous-actions, feuille de route."""
    fields = canevas_fields(state.format_key)
    return {
        "subject": state.subject.to_dict() if state.subject else None,
        "reformulations": [item.to_dict() for item in state.reformulations.values()],
        "ideas": [item.to_dict() for item in state.ideas.values()],
        "canevas": {
            "fields": [
                {
                    "key": f.key,
                    "label": f.label,
                    "starter": f.starter,
                    "text_field": state.canevas_field(f.key),
                    "text": state.texts.text(state.canevas_field(f.key)),
                }
                for f in fields
            ],
            "values": list(state.canevas_values),
            "source": state.canevas_source,
        }
        if fields
        else None,
        "sous_actions": [
            item.to_dict() | {"text_field": item.field, "text": state.texts.text(item.field)}
            for item in state.sous_actions.values()
        ],
        "roadmap": state.roadmap.to_dict(),
    }


def event_view(
    event: dict[str, Any], *, team: bool, anonymous: bool = True, viewer: str | None = None
) -> dict[str, Any]:
    """An event as an audience may see it (`viewer`: the person it is for)."""
    kind = event["type"]
    author = private_author(event)
    if author is not None and viewer != author:
        # Someone else's draft or dot: only the counts, never its text, id, card or author.
        if kind in PRIVATE_VOTE_EVENTS:
            return {"type": kind, "voters": event["voters"]}
        return {"type": kind, "drafts": event["drafts"], "authors": event["authors"]}
    if kind == "questionnaire.answered":
        if not team:
            return {"type": kind}
        return {"type": kind, "answers": event["answers"]} if anonymous else event
    if team:
        return event
    if kind == "member.joined":
        return {"type": kind, "member": Member.from_dict(event["member"]).public_dict()}
    if kind == "members.anonymised":  # labels are no one's data; the drafts' texts stay the team's
        return event | {"texts": {name: text for name, text in event["texts"].items() if name not in DRAFT_FIELDS}}
    if kind in ("text.updated", "draft.generated") and event["field"] in DRAFT_FIELDS:
        return {"type": kind, "field": event["field"]}  # the team's drafts stay with the team
    return event
