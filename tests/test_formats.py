"""The kit's three formats, encoded as data, match the kit's déroulés."""

from __future__ import annotations

import pytest

from app.domain.deroule import Tool
from app.domain.formats import FORMATS, get_format

KIT_DURATIONS = {
    "1": [10, 10, 10, 10, 35, 10, 5],
    "2": [10, 10, 5, 10, 20, 30, 5],
    "3": [10, 10, 5, 10, 25, 25, 5],
}


def test_formats_are_keyed_1_2_3() -> None:
    assert sorted(FORMATS) == ["1", "2", "3"]
    for key, fmt in FORMATS.items():
        assert fmt.key == key
        assert get_format(key) is fmt


@pytest.mark.parametrize("key", ["1", "2", "3"])
def test_durations_follow_the_kit(key: str) -> None:
    fmt = get_format(key)
    assert [step.duration_minutes for step in fmt.steps] == KIT_DURATIONS[key]
    assert fmt.total_minutes == 90


@pytest.mark.parametrize("key", ["1", "2", "3"])
def test_every_step_is_complete(key: str) -> None:
    fmt = get_format(key)
    assert fmt.title and fmt.point_de_depart and fmt.objective
    assert fmt.sub_objectives and fmt.deliverable and fmt.tools_provided
    step_keys = [step.key for step in fmt.steps]
    assert len(set(step_keys)) == len(step_keys)
    assert step_keys[0] == "introduction" and step_keys[-1] == "conclusion"
    for step in fmt.steps:
        assert step.objective.strip(), step.key
        assert len(step.moyen) >= 1, step.key
        assert all(item.strip() for item in step.moyen), step.key
        assert step.consigne.strip(), step.key
        assert Tool.NOTES in step.tools, step.key
        assert (Tool.MEMO in step.tools) == bool(step.memo), step.key


def test_format1_steps_open_cards_and_matrix() -> None:
    steps = get_format("1").steps
    assert Tool.CARDS in steps[3].tools  # 4 : identifier
    assert Tool.CARDS in steps[4].tools  # 5 : lister et qualifier
    assert Tool.MATRIX in steps[5].tools  # 6 : classer sur la matrice
    assert Tool.MEMO in steps[2].tools  # 3 : qu'est-ce qu'un bon sujet
    assert all(Tool.MATRIX not in step.tools for i, step in enumerate(steps) if i != 5)


def test_formats_2_and_3_open_the_kit_tools_at_their_steps() -> None:
    """Each outil of the kit opens at the step whose moyen uses it, and nowhere else."""
    opened = {key: {step.key: set(step.tools) - {Tool.NOTES} for step in get_format(key).steps} for key in ("2", "3")}
    assert opened["2"] == {
        "introduction": set(),
        "tour-de-table": set(),
        "sujet": {Tool.SUBJECT},
        "reformuler": {Tool.SUBJECT, Tool.REFORMULATIONS},
        "engagements": {Tool.SUBJECT, Tool.IDEAS},
        "canevas": {Tool.CANEVAS, Tool.IDEAS},
        "conclusion": set(),
    }
    assert opened["3"] == {
        "introduction": set(),
        "tour-de-table": set(),
        "engagement": {Tool.CANEVAS},
        "sous-action": {Tool.MEMO},
        "lister": {Tool.SOUS_ACTIONS},
        "feuille-de-route": {Tool.ROADMAP, Tool.SOUS_ACTIONS},
        "conclusion": set(),
    }
    assert all(Tool.NOTES in step.tools for key in ("2", "3") for step in get_format(key).steps)
    sous_action = get_format("3").steps[3]
    assert Tool.MEMO in sous_action.tools
    assert any("Finlande" in line for line in sous_action.memo)
    assert any("Espagne" in line for line in sous_action.memo)


def test_kit_phrases_are_kept_verbatim() -> None:
    f1 = get_format("1")
    assert "Merci! Maintenant, je passe la parole à [prénom]" in f1.steps[1].phrases
    assert "Est-ce que c'est clair pour vous? Avez-vous des questions avant que l'on commence?" in (f1.steps[0].phrases)
    assert f1.steps[4].phrases[0].startswith("Les 5 min sont écoulées, tour à tour, ")


def test_unknown_format_raises_key_error() -> None:
    with pytest.raises(KeyError):
        get_format("9")
