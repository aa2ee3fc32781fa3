"""What each audience may see of the state and of events.

Names and structures are personal data: the animation team sees them whole,
everyone else sees a display name ("Prénom N.").
"""

from __future__ import annotations

from typing import Any

from .deroule import Step
from .kit_tools import canevas_fields
from .state import AtelierState, Member


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


def state_view(state: AtelierState, *, team: bool) -> dict[str, Any]:
    """The whole current state as an audience may see it (the `state` of the API and of snapshots)."""
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
        "cards": [card.to_dict() for card in state.cards.values()],
        "texts": state.texts.to_dict(),
        **engagement_view(state),
    }


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


def event_view(event: dict[str, Any], *, team: bool) -> dict[str, Any]:
    """An event as an audience may see it."""
    if team or event["type"] != "member.joined":
        return event
    return {"type": event["type"], "member": Member.from_dict(event["member"]).public_dict()}
