"""Each format keeps to its own tools, and a long sous-action still makes a readable étape."""

from __future__ import annotations

import pytest
from atelier_builders import apply_op, new_atelier
from engagement_builders import REF, T0, Moment, engagement_atelier, set_moment

from app.domain import limits
from app.domain.deroule import Tool
from app.domain.errors import InvalidOperation
from app.domain.operations import CreateEtape, CreateIdea, CreateSousAction, SetCanevasValue
from app.domain.rules import decide


@pytest.mark.parametrize(
    ("format_key", "op"),
    [
        ("1", CreateIdea("i-x", "communes-1", "Une idée")),
        ("1", CreateSousAction("sa-x", "Une sous-action")),
        ("2", CreateSousAction("sa-x", "Une sous-action")),
        ("2", CreateEtape("e-x", "Une étape")),
        ("3", CreateIdea("i-x", "communes-1", "Une idée")),
    ],
)
def test_a_tool_outside_the_format_is_refused_even_to_the_referent(format_key: str, op: object) -> None:
    state = engagement_atelier(format_key) if format_key != "1" else new_atelier()
    before = state.to_dict()
    with pytest.raises(InvalidOperation, match="déroulé"):
        decide(state, op, REF, T0)  # type: ignore[arg-type]
    assert state.to_dict() == before


def test_format_1_has_no_canevas_values() -> None:
    state = new_atelier()
    with pytest.raises(InvalidOperation):
        decide(state, SetCanevasValue("transparence", True), REF, T0)


def test_a_long_sous_action_becomes_an_etape_titled_by_its_first_words() -> None:
    state = engagement_atelier("3")
    now = set_moment(state, Tool.SOUS_ACTIONS, Moment.OPEN)
    wording = " ".join(["mot"] * 120)  # 479 characters, above the étape title limit
    apply_op(state, CreateSousAction("sa-long", wording), REF, now)
    now = set_moment(state, Tool.ROADMAP, Moment.OPEN)
    apply_op(state, CreateEtape("e-long", "", "sa-long"), REF, now)
    title = state.roadmap.etapes[state.roadmap.index_of("e-long")].title  # type: ignore[index]
    assert len(title) <= limits.ETAPE_TITLE_MAX
    assert title.endswith("mot…")
