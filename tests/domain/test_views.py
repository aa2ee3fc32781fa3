"""What each audience sees: personal data and the animateur's guide are for the animation team only."""

from __future__ import annotations

import json
from typing import Any

from atelier_builders import NOW, OTHER, apply_op, client_update

from app.domain.events import event_to_dict
from app.domain.operations import JoinMember, UpdateText
from app.domain.roles import Role
from app.domain.rules import SYSTEM
from app.domain.state import AtelierState
from app.domain.views import event_view, state_view

GUIDE = {"moyen", "points_attention", "phrases"}
PERSONAL = {"first_name", "last_name", "structure", "joined_at"}


def _join_lea(state: AtelierState) -> dict[str, Any]:
    event = apply_op(state, JoinMember("lea", "Léa", "durand", "Ministère de l'Intérieur", Role.PARTICIPANT), SYSTEM)
    return event_to_dict(event)


def test_the_public_sees_display_names_only(atelier: AtelierState) -> None:
    _join_lea(atelier)
    members = {member["id"]: member for member in state_view(atelier, team=False)["members"]}
    assert members["lea"] == {"id": "lea", "display_name": "Léa D.", "role": "participant"}
    assert all(not PERSONAL & member.keys() for member in members.values())
    assert "durand" not in json.dumps(state_view(atelier, team=False)).lower()
    assert "Intérieur" not in json.dumps(state_view(atelier, team=False), ensure_ascii=False)


def test_the_team_sees_full_names_and_structures(atelier: AtelierState) -> None:
    _join_lea(atelier)
    members = {member["id"]: member for member in state_view(atelier, team=True)["members"]}
    lea = members["lea"]
    assert (lea["first_name"], lea["last_name"], lea["structure"]) == ("Léa", "durand", "Ministère de l'Intérieur")
    assert lea["joined_at"] == NOW and lea["role"] == "participant"


def test_the_guide_is_for_the_team(atelier: AtelierState) -> None:
    public, team = state_view(atelier, team=False)["steps"], state_view(atelier, team=True)["steps"]
    assert len(public) == len(team) == len(atelier.deroule.steps) == 7
    for index, (seen, guide, step) in enumerate(zip(public, team, atelier.deroule.steps, strict=True)):
        assert not GUIDE & seen.keys()
        assert (guide["moyen"], guide["points_attention"], guide["phrases"]) == (
            list(step.moyen),
            list(step.points_attention),
            list(step.phrases),
        )
        shared = {"index": index, "title": step.title, "objective": step.objective, "consigne": step.consigne}
        assert shared.items() <= seen.items() and shared.items() <= guide.items()
    assert any(step["phrases"] for step in team), "Format #1 has sentences to say; the test must see them"


def test_everyone_sees_the_board(atelier: AtelierState) -> None:
    """Cards, timer, step and notes are the same for both audiences."""
    apply_op(atelier, UpdateText("notes:0", client_update("Notes partagées")), Role.COMPLICE.value)
    public, team = state_view(atelier, team=False), state_view(atelier, team=True)
    for key in ("atelier", "step_index", "timer", "cards", "texts"):
        assert public[key] == team[key], key
    assert {card["id"] for card in public["cards"]} == set(f"card-{m}" for m in [*(r.value for r in Role), OTHER])
    assert public["atelier"] == {
        "id": "a1",
        "title": "Atelier test",
        "administration": "DITP",
        "date": None,
        "format": "1",
        "format_title": atelier.deroule.title,
    }


def test_a_join_event_is_redacted_for_the_public(atelier: AtelierState) -> None:
    event = _join_lea(atelier)
    assert event_view(event, team=False) == {
        "type": "member.joined",
        "member": {"id": "lea", "display_name": "Léa D.", "role": "participant"},
    }
    assert event_view(event, team=True) == event
    assert event["member"]["last_name"] == "durand" and event["member"]["structure"]


def test_other_events_are_the_same_for_everyone(atelier: AtelierState) -> None:
    event = event_to_dict(apply_op(atelier, UpdateText("notes:0", client_update("x")), Role.COMPLICE.value))
    assert event_view(event, team=False) == event_view(event, team=True) == event
