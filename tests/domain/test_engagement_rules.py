"""Who may do what in Formats 2 and 3, and when: role × operation × moment of the déroulé.

Participants act on a tool while the current step opens it, or within `limits.TOOL_GRACE_S` after
the animateur moved on from a step that opened it; the animation team always may. An allowed
operation yields its event; a refused one raises `Forbidden` and changes nothing.
"""

from __future__ import annotations

import typing
from collections.abc import Callable
from dataclasses import dataclass

import pytest
from atelier_builders import OTHER, apply_op, client_update
from engagement_builders import (
    ACTORS,
    ANIMATEURS,
    CHAL,
    COMP,
    CONTRIBUTORS,
    NOBODY,
    OBS,
    PART,
    QUESTION,
    REF,
    SECOND_QUESTION,
    T0,
    TEAM,
    TOOL_OPEN,
    UNKNOWN,
    Moment,
    engagement_atelier,
    goto,
    set_moment,
    step_closing,
    step_with,
)

from app.domain import engagement_events as ev
from app.domain import events, limits
from app.domain.deroule import Tool
from app.domain.errors import Forbidden, InvalidOperation, NotFound
from app.domain.operations import (
    CreateEtape,
    CreateIdea,
    CreateReformulation,
    CreateSousAction,
    DeleteEtape,
    DeleteIdea,
    DeleteReformulation,
    DeleteSousAction,
    EngagementOperation,
    ImportCanevas,
    MergeSousAction,
    MoveEtape,
    Operation,
    SetCanevasValue,
    SetHorizon,
    SetRole,
    SetSubject,
    UpdateEtape,
    UpdateIdea,
    UpdateReformulation,
    UpdateText,
)
from app.domain.roles import Role
from app.domain.rules import SYSTEM, decide, evolve
from app.domain.state import AtelierState


@dataclass(frozen=True)
class Row:
    format_key: str
    tool: Tool  # the tool whose moment each case sets (for rules the step does not change, one of the format's)
    make: Callable[[str], Operation]  # the operation actor `me` sends
    when_open: set[str]  # who may send it while the tool is open (or within the grace)
    when_closed: set[str]  # who may send it otherwise
    event: type


def gated(format_key: str, tool: Tool, make: Callable[[str], Operation], event: type) -> Row:
    """Contributors while the tool is open, the animation team always."""
    return Row(format_key, tool, make, CONTRIBUTORS, TEAM, event)


def anytime(format_key: str, tool: Tool, make: Callable[[str], Operation], who: set[str], event: type) -> Row:
    return Row(format_key, tool, make, who, who, event)


IMPORT = ImportCanevas({"titre": "Un titre repris"}, ("transparence",), {"atelier_id": "f2", "format": "2"})
ETAPE_EDIT = ("Publier le guide", "2026-T2", 6, "DITP", "Un guide")

MATRIX: dict[str, Row] = {
    # Format 2
    "SetSubject": anytime("2", Tool.SUBJECT, lambda me: SetSubject("Nouveau sujet", ""), ANIMATEURS, ev.SubjectSet),
    "CreateReformulation": gated(
        "2", Tool.REFORMULATIONS, lambda me: CreateReformulation("ref-new", {"permet": "Il permet…"}),
        ev.ReformulationCreated,
    ),
    "UpdateReformulation own": gated(
        "2", Tool.REFORMULATIONS, lambda me: UpdateReformulation(f"ref-{me}", {"ambition": "Plus"}),
        ev.ReformulationUpdated,
    ),
    "UpdateReformulation other": anytime(
        "2", Tool.REFORMULATIONS, lambda me: UpdateReformulation(f"ref-{OTHER}", {"table": "Tous"}), TEAM,
        ev.ReformulationUpdated,
    ),
    # Taking back what one wrote is not tied to the step (as with cards); observers read only.
    "DeleteReformulation own": anytime(
        "2", Tool.REFORMULATIONS, lambda me: DeleteReformulation(f"ref-{me}"), CONTRIBUTORS, ev.ReformulationDeleted
    ),
    "DeleteReformulation other": anytime(
        "2", Tool.REFORMULATIONS, lambda me: DeleteReformulation(f"ref-{OTHER}"), TEAM, ev.ReformulationDeleted
    ),
    "CreateIdea": gated("2", Tool.IDEAS, lambda me: CreateIdea("idea-new", QUESTION, "Une idée"), ev.IdeaCreated),
    "UpdateIdea own": gated(
        "2", Tool.IDEAS, lambda me: UpdateIdea(f"idea-{me}", SECOND_QUESTION, "Reprise"), ev.IdeaUpdated
    ),
    "UpdateIdea other": anytime(
        "2", Tool.IDEAS, lambda me: UpdateIdea(f"idea-{OTHER}", QUESTION, "Reprise"), TEAM, ev.IdeaUpdated
    ),
    "DeleteIdea own": anytime("2", Tool.IDEAS, lambda me: DeleteIdea(f"idea-{me}"), CONTRIBUTORS, ev.IdeaDeleted),
    "DeleteIdea other": anytime("2", Tool.IDEAS, lambda me: DeleteIdea(f"idea-{OTHER}"), TEAM, ev.IdeaDeleted),
    "SetCanevasValue F2": gated(
        "2", Tool.CANEVAS, lambda me: SetCanevasValue("participation", True), ev.CanevasValueSet
    ),
    "UpdateText canevas F2": gated(
        "2", Tool.CANEVAS, lambda me: UpdateText("canevas:titre", client_update("Titre")), events.TextUpdated
    ),
    "UpdateText notes F2": anytime(
        "2", Tool.CANEVAS, lambda me: UpdateText("notes:5", client_update("Relevé")), TEAM, events.TextUpdated
    ),
    # Format 3
    "SetCanevasValue F3": gated(
        "3", Tool.CANEVAS, lambda me: SetCanevasValue("transparence", False), ev.CanevasValueSet
    ),
    "UpdateText canevas F3": gated(
        "3", Tool.CANEVAS, lambda me: UpdateText("canevas:utile_car", client_update("Utile")), events.TextUpdated
    ),
    "ImportCanevas": anytime("3", Tool.CANEVAS, lambda me: IMPORT, NOBODY, ev.CanevasImported),
    "CreateSousAction": gated(
        "3", Tool.SOUS_ACTIONS, lambda me: CreateSousAction("sa-new", "Former les agents"), ev.SousActionCreated
    ),
    "UpdateText sous_action": gated(
        "3", Tool.SOUS_ACTIONS, lambda me: UpdateText(f"sous_action:sa-{OTHER}", client_update("Plus ")),
        events.TextUpdated,
    ),
    "MergeSousAction": anytime(
        "3", Tool.SOUS_ACTIONS, lambda me: MergeSousAction(f"sa-{OTHER}", f"sa-{PART}"), TEAM, ev.SousActionMerged
    ),
    "DeleteSousAction own": anytime(
        "3", Tool.SOUS_ACTIONS, lambda me: DeleteSousAction(f"sa-{me}"), CONTRIBUTORS, ev.SousActionDeleted
    ),
    "DeleteSousAction other": anytime(
        "3", Tool.SOUS_ACTIONS, lambda me: DeleteSousAction(f"sa-{OTHER}"), TEAM, ev.SousActionDeleted
    ),
    "SetHorizon": anytime("3", Tool.ROADMAP, lambda me: SetHorizon(2026, 2028), ANIMATEURS, ev.HorizonSet),
    "CreateEtape": gated("3", Tool.ROADMAP, lambda me: CreateEtape("et-new", "Lancer"), ev.EtapeCreated),
    "CreateEtape from a sous-action": gated(
        "3", Tool.ROADMAP, lambda me: CreateEtape("et-new", "", f"sa-{OTHER}", 0), ev.EtapeCreated
    ),
    "UpdateEtape own": gated("3", Tool.ROADMAP, lambda me: UpdateEtape(f"et-{me}", *ETAPE_EDIT), ev.EtapeUpdated),
    "UpdateEtape other": anytime(
        "3", Tool.ROADMAP, lambda me: UpdateEtape(f"et-{OTHER}", *ETAPE_EDIT), TEAM, ev.EtapeUpdated
    ),
    "MoveEtape": gated("3", Tool.ROADMAP, lambda me: MoveEtape(f"et-{OTHER}", 0), ev.EtapeMoved),
    "DeleteEtape own": anytime("3", Tool.ROADMAP, lambda me: DeleteEtape(f"et-{me}"), CONTRIBUTORS, ev.EtapeDeleted),
    "DeleteEtape other": anytime("3", Tool.ROADMAP, lambda me: DeleteEtape(f"et-{OTHER}"), TEAM, ev.EtapeDeleted),
}  # fmt: skip


def allowed(row: Row, actor: str, moment: Moment) -> bool:
    return actor in (row.when_open if TOOL_OPEN[moment] else row.when_closed)


CASES = [
    pytest.param(
        name,
        actor,
        moment,
        allowed(row, actor, moment),
        id=f"{name}-{actor}-{moment}-{'allowed' if allowed(row, actor, moment) else 'forbidden'}",
    )
    for name, row in MATRIX.items()
    for moment in Moment
    for actor in ACTORS
]


@pytest.mark.parametrize(("name", "actor", "moment", "allowed"), CASES)
def test_role_and_step_matrix(name: str, actor: str, moment: Moment, allowed: bool) -> None:
    row = MATRIX[name]
    state = engagement_atelier(row.format_key)
    now = set_moment(state, row.tool, moment)
    op = row.make(actor)
    before = state.to_dict()
    if allowed:
        assert type(decide(state, op, actor, now)) is row.event
    else:
        with pytest.raises(Forbidden) as refused:
            decide(state, op, actor, now)
        assert refused.value.code == "forbidden" and refused.value.message
    assert state.to_dict() == before


def test_every_new_operation_is_in_the_matrix() -> None:
    covered = {type(row.make(PART)) for row in MATRIX.values()}
    assert set(typing.get_args(EngagementOperation)) <= covered


@pytest.mark.parametrize("moment", list(Moment))
def test_the_server_alone_carries_a_canevas_over(moment: Moment) -> None:
    state = engagement_atelier("3")
    now = set_moment(state, Tool.CANEVAS, moment)
    assert isinstance(decide(state, IMPORT, SYSTEM, now), ev.CanevasImported)


def test_a_carried_over_subject_keeps_its_source_and_a_persons_never_has_one() -> None:
    state = engagement_atelier("2")
    source = {"atelier_id": "f1", "card_id": "c1", "atelier_title": "Identifier"}
    apply_op(state, SetSubject("Repris", "D'une carte prioritaire.", source), SYSTEM, T0)
    assert state.subject is not None and state.subject.source == source
    apply_op(state, SetSubject("Repris et précisé", "", {"atelier_id": "forged"}), REF, T0)
    assert state.subject is not None and (state.subject.title, state.subject.source) == ("Repris et précisé", None)


@pytest.mark.parametrize("actor", ACTORS)
def test_a_format_without_canevas_refuses_its_values(actor: str) -> None:
    """Format 1 has no canevas: a value is invalid for members (and forbidden to strangers)."""
    state = engagement_atelier("1")
    before = state.to_dict()
    error = Forbidden if actor == UNKNOWN else InvalidOperation
    with pytest.raises(error):
        decide(state, SetCanevasValue("participation", True), actor, T0)
    with pytest.raises(Forbidden if actor == UNKNOWN else NotFound):  # no canevas field either
        decide(state, UpdateText("canevas:titre", client_update("x")), actor, T0)
    assert state.to_dict() == before


# -- the grace period ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("format_key", "tool"),
    [("2", Tool.REFORMULATIONS), ("2", Tool.IDEAS), ("2", Tool.CANEVAS), ("3", Tool.CANEVAS),
     ("3", Tool.SOUS_ACTIONS), ("3", Tool.ROADMAP)],
)  # fmt: skip
def test_the_grace_ends_exactly_tool_grace_s_after_the_step_change(format_key: str, tool: Tool) -> None:
    state = engagement_atelier(format_key)
    before = step_closing(state, tool)
    goto(state, before, T0 - 5)
    goto(state, before + 1, T0)
    op = {
        Tool.REFORMULATIONS: CreateReformulation("r", {"permet": "x"}),
        Tool.IDEAS: CreateIdea("i", QUESTION, "x"),
        Tool.CANEVAS: SetCanevasValue("collaboration", True),
        Tool.SOUS_ACTIONS: CreateSousAction("s", "x"),
        Tool.ROADMAP: CreateEtape("e", "x"),
    }[tool]
    decide(state, op, PART, T0)
    decide(state, op, PART, T0 + limits.TOOL_GRACE_S)
    with pytest.raises(Forbidden, match="pas ouvert à cette étape"):
        decide(state, op, PART, T0 + limits.TOOL_GRACE_S + 0.001)
    decide(state, op, COMP, T0 + 3600)  # the animation team is never late


def test_the_grace_covers_the_step_just_left_only() -> None:
    """Moving on twice closes the tool at once: the grace is for keystrokes in flight, not a second step."""
    state = engagement_atelier("2")
    canevas = step_with(state, Tool.CANEVAS)
    goto(state, canevas, T0 - 2)
    goto(state, canevas + 1, T0 - 1)  # conclusion
    goto(state, 0, T0)  # introduction, a second later
    with pytest.raises(Forbidden):
        decide(state, UpdateText("canevas:titre", client_update("x")), PART, T0 + 1)


def test_coming_back_to_the_step_reopens_the_tool() -> None:
    state = engagement_atelier("3")
    now = set_moment(state, Tool.ROADMAP, Moment.AFTER_GRACE)
    with pytest.raises(Forbidden):
        decide(state, MoveEtape(f"et-{OTHER}", 0), PART, now)
    goto(state, step_with(state, Tool.ROADMAP), now)
    assert isinstance(decide(state, MoveEtape(f"et-{OTHER}", 0), PART, now + 1000), ev.EtapeMoved)


def test_a_grace_started_before_a_restart_is_kept_by_the_snapshot() -> None:
    """The step change's time is state: a room rebuilt from a snapshot keeps the same grace."""
    state = engagement_atelier("2")
    now = set_moment(state, Tool.CANEVAS, Moment.GRACE)
    restored = AtelierState.from_dict(state.to_dict())
    assert (restored.previous_step_index, restored.step_changed_at) == (state.previous_step_index, T0)
    decide(restored, SetCanevasValue("participation", True), PART, now)


# -- what allowed operations do ------------------------------------------------------------------


def test_format_2_operations_take_effect() -> None:
    state = engagement_atelier("2")
    apply_op(state, SetSubject("  Ouvrir   les données ", "Des cantines."), CHAL, T0)
    assert (state.subject.title, state.subject.description, state.subject.source) == (  # type: ignore[union-attr]
        "Ouvrir les données",
        "Des cantines.",
        None,
    )
    goto(state, step_with(state, Tool.REFORMULATIONS), T0)
    apply_op(state, CreateReformulation("r1", {"horizon": " 2027 ", "permet": "Mieux\nservir"}), PART, T0 + 1)
    reformulation = state.reformulations["r1"]
    assert reformulation.answers == {"permet": "Mieux servir", "ambition": "", "table": "", "horizon": "2027",
                                     "partage": ""}  # fmt: skip
    assert (reformulation.author_id, reformulation.created_at) == (PART, T0 + 1)
    apply_op(state, UpdateReformulation("r1", {"partage": "Les usagers"}), PART, T0 + 2)
    assert state.reformulations["r1"].answers["partage"] == "Les usagers"
    assert state.reformulations["r1"].answers["permet"] == ""  # an update replaces every answer
    apply_op(state, DeleteReformulation(f"ref-{OTHER}"), COMP, T0 + 3)
    assert f"ref-{OTHER}" not in state.reformulations

    goto(state, step_with(state, Tool.IDEAS), T0 + 4)
    apply_op(state, CreateIdea("i1", QUESTION, "Un comité d'usagers"), PART, T0 + 5)
    apply_op(state, UpdateIdea("i1", SECOND_QUESTION, "Un comité d'usagers élargi"), PART, T0 + 6)
    assert (state.ideas["i1"].question, state.ideas["i1"].text) == (SECOND_QUESTION, "Un comité d'usagers élargi")
    apply_op(state, DeleteIdea("i1"), PART, T0 + 7)
    assert "i1" not in state.ideas

    goto(state, step_with(state, Tool.CANEVAS), T0 + 8)
    apply_op(state, SetCanevasValue("transparence", True), PART, T0 + 9)
    apply_op(state, SetCanevasValue("collaboration", True), PART, T0 + 9)
    apply_op(state, SetCanevasValue("transparence", False), PART, T0 + 9)
    apply_op(state, SetCanevasValue("participation", False), PART, T0 + 9)  # unchecking an unchecked value
    assert state.canevas_values == ["collaboration"]
    apply_op(state, UpdateText("canevas:porte_sur", client_update("Mon engagement porte sur…")), PART, T0 + 10)
    assert state.texts.text("canevas:porte_sur") == "Mon engagement porte sur…"


def test_format_3_operations_take_effect() -> None:
    state = engagement_atelier("3")
    assert (state.roadmap.horizon_start, state.roadmap.horizon_end) == (2026, 2028)  # from the atelier's date
    apply_op(state, IMPORT, SYSTEM, T0)
    assert state.texts.text("canevas:titre") == "Un titre repris"
    assert (state.canevas_values, state.canevas_source) == (["transparence"], {"atelier_id": "f2", "format": "2"})

    goto(state, step_with(state, Tool.SOUS_ACTIONS), T0)
    apply_op(state, CreateSousAction("s1", "  Former \n les agents "), PART, T0 + 1)
    assert state.texts.text("sous_action:s1") == "Former les agents"
    assert state.is_text_field("sous_action:s1") and "sous_action:s1" in state.text_fields()
    apply_op(state, MergeSousAction(f"sa-{OTHER}", "s1"), COMP, T0 + 2)
    assert state.sous_actions[f"sa-{OTHER}"].merged_into == "s1"

    goto(state, step_with(state, Tool.ROADMAP), T0 + 3)
    apply_op(state, CreateEtape("e1", "", "s1", 1), PART, T0 + 4)
    etape = state.roadmap.etapes[1]
    assert (etape.id, etape.title, etape.sous_action_id, etape.author_id) == ("e1", "Former les agents", "s1", PART)
    apply_op(state, UpdateEtape("e1", "Former", " 2027-T1 ", 3, "  DRH ", "Un plan"), PART, T0 + 5)
    etape = state.roadmap.etapes[1]
    assert (etape.title, etape.start, etape.duration_months, etape.owner, etape.livrable) == (
        "Former", "2027-T1", 3, "DRH", "Un plan",
    )  # fmt: skip
    apply_op(state, MoveEtape("e1", len(state.roadmap.etapes) - 1), PART, T0 + 6)
    assert state.roadmap.etapes[-1].id == "e1"
    apply_op(state, DeleteSousAction("s1"), PART, T0 + 7)  # its étape stays, unlinked
    assert "s1" not in state.sous_actions and not state.is_text_field("sous_action:s1")
    assert state.roadmap.etapes[-1].sous_action_id is None
    apply_op(state, DeleteEtape("e1"), PART, T0 + 8)
    assert "e1" not in [etape.id for etape in state.roadmap.etapes]
    apply_op(state, SetHorizon(2027, 2030), REF, T0 + 9)
    assert (state.roadmap.horizon_start, state.roadmap.horizon_end) == (2027, 2030)


def test_creating_at_an_index_is_clamped_to_the_roadmap() -> None:
    state = engagement_atelier("3")
    now = set_moment(state, Tool.ROADMAP, Moment.OPEN)
    apply_op(state, CreateEtape("first", "Premier", index=-5), PART, now)
    apply_op(state, CreateEtape("last", "Dernier", index=999), PART, now)
    apply_op(state, CreateEtape("second", "Deuxième", index=1), PART, now)
    ids = [etape.id for etape in state.roadmap.etapes]
    assert ids[:2] == ["first", "second"] and ids[-1] == "last"


def test_evolve_does_not_share_items_with_their_events() -> None:
    """Editing an item later must not rewrite the fact already recorded (nor leak into another state)."""
    state, other = engagement_atelier("3"), engagement_atelier("3")
    now = set_moment(state, Tool.ROADMAP, Moment.OPEN)
    created = decide(state, CreateEtape("e1", "Avant"), PART, now)
    evolve(state, created)
    evolve(other, created)
    apply_op(state, UpdateEtape("e1", "Après", "", None, "", ""), PART, now)
    assert isinstance(created, ev.EtapeCreated) and created.etape.title == "Avant"
    assert other.roadmap.etapes[-1].title == "Avant"

    state = engagement_atelier("2")
    now = set_moment(state, Tool.IDEAS, Moment.OPEN)
    idea = decide(state, CreateIdea("i1", QUESTION, "Avant"), PART, now)
    evolve(state, idea)
    apply_op(state, UpdateIdea("i1", QUESTION, "Après"), PART, now)
    assert isinstance(idea, ev.IdeaCreated) and idea.idea.text == "Avant"


def test_a_participant_made_observer_can_no_longer_touch_what_they_wrote() -> None:
    state = engagement_atelier("3")
    now = set_moment(state, Tool.ROADMAP, Moment.OPEN)
    for op in (
        UpdateEtape(f"et-{OBS}", "Titre", "", None, "", ""),
        DeleteEtape(f"et-{OBS}"),
        DeleteSousAction(f"sa-{OBS}"),
        UpdateText(f"sous_action:sa-{OBS}", client_update("x")),
    ):
        with pytest.raises(Forbidden):
            decide(state, op, OBS, now)


def test_a_promoted_participant_uses_closed_tools() -> None:
    state = engagement_atelier("2")
    now = set_moment(state, Tool.IDEAS, Moment.CLOSED)
    with pytest.raises(Forbidden):
        decide(state, CreateIdea("i1", QUESTION, "Idée"), OTHER, now)
    apply_op(state, SetRole(OTHER, Role.COMPLICE), REF, now)
    apply_op(state, CreateIdea("i1", QUESTION, "Idée"), OTHER, now)
    assert state.ideas["i1"].author_id == OTHER


def test_no_sous_action_stays_merged_into_a_deleted_one() -> None:
    """Deleting the sous-action others were merged into brings them back, active."""
    state = engagement_atelier("3")
    apply_op(state, MergeSousAction(f"sa-{OTHER}", f"sa-{PART}"), REF, T0)
    apply_op(state, DeleteSousAction(f"sa-{PART}"), PART, T0)
    targets = {item.merged_into for item in state.sous_actions.values()} - {None}
    assert targets <= set(state.sous_actions)
    assert state.sous_actions[f"sa-{OTHER}"].merged_into is None
