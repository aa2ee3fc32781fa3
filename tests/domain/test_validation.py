"""Operations with bad values are refused with the right error and a French message, changing nothing."""

from __future__ import annotations

import pytest
from atelier_builders import NOW, OTHER, apply_op, client_update
from pycrdt import Doc, Text

from app.domain import limits
from app.domain.errors import DomainError, InvalidOperation, LimitReached, NotFound
from app.domain.operations import (
    AddTime,
    CreateCard,
    DeleteCard,
    GotoStep,
    JoinMember,
    MarkPriority,
    NextStep,
    Operation,
    PlaceCard,
    PreviousStep,
    UpdateCard,
    UpdateText,
)
from app.domain.roles import Role
from app.domain.rules import SYSTEM, decide
from app.domain.state import AtelierState

REF, PART = Role.REFERENT.value, Role.PARTICIPANT.value
CARD = f"card-{PART}"
LAST_STEP = 6  # Format #1 has 7 steps


def assert_refused(state: AtelierState, op: Operation, actor: str, error: type[DomainError], message: str) -> None:
    before = state.to_dict()
    with pytest.raises(error, match=message) as refused:
        decide(state, op, actor, NOW)
    assert refused.value.code == error.code and refused.value.message == str(refused.value)
    assert state.to_dict() == before


REFUSED = {
    "title too long": (CreateCard("c", "t" * 121, ""), PART, InvalidOperation, "Le titre dépasse 120 caractères"),
    "title empty": (CreateCard("c", " \n\t ", "Une phrase"), PART, InvalidOperation, "Le titre est obligatoire"),
    "description too long": (
        CreateCard("c", "Titre", "d" * 281),
        PART,
        InvalidOperation,
        "La description dépasse 280 caractères",
    ),
    "update title too long": (UpdateCard(CARD, "t" * 121, ""), PART, InvalidOperation, "dépasse 120"),
    "update title empty": (UpdateCard(CARD, "", ""), PART, InvalidOperation, "Le titre est obligatoire"),
    "duplicate card id": (CreateCard(CARD, "Titre", ""), REF, InvalidOperation, "existe déjà"),
    "update unknown card": (UpdateCard("nope", "Titre", ""), REF, NotFound, "Carte introuvable"),
    "delete unknown card": (DeleteCard("nope"), REF, NotFound, "Carte introuvable"),
    "place unknown card": (PlaceCard("nope", 0.5, 0.5), REF, NotFound, "Carte introuvable"),
    "priority unknown card": (MarkPriority("nope", True), REF, NotFound, "Carte introuvable"),
    "desirability below 0": (PlaceCard(CARD, -0.01, 0.5), PART, InvalidOperation, "entre 0 et 1"),
    "feasibility above 1": (PlaceCard(CARD, 0.5, 1.01), PART, InvalidOperation, "entre 0 et 1"),
    "NaN": (PlaceCard(CARD, float("nan"), 0.5), PART, InvalidOperation, "entre 0 et 1"),
    "infinity": (PlaceCard(CARD, 0.5, float("inf")), PART, InvalidOperation, "entre 0 et 1"),
    "desirability alone": (PlaceCard(CARD, 0.5, None), PART, InvalidOperation, "vont ensemble"),
    "feasibility alone": (PlaceCard(CARD, None, 0.5), PART, InvalidOperation, "vont ensemble"),
    "step before the first": (GotoStep(-1), REF, InvalidOperation, "pas d'étape"),
    "step after the last": (GotoStep(LAST_STEP + 1), REF, InvalidOperation, "pas d'étape"),
    "previous at the first step": (PreviousStep(), REF, InvalidOperation, "pas d'étape"),
    "add zero seconds": (AddTime(0), REF, InvalidOperation, "entre 1 et 3600 secondes"),
    "add more than an hour": (AddTime(3601), REF, InvalidOperation, "entre 1 et 3600 secondes"),
    "unknown text field": (UpdateText("notes:99", client_update("x")), REF, NotFound, "Champ de texte inconnu"),
    "not a notes field": (UpdateText("title", client_update("x")), REF, NotFound, "Champ de texte inconnu"),
    "malformed CRDT update": (UpdateText("notes:0", b"garbage"), REF, InvalidOperation, "illisible"),
    "empty CRDT update": (UpdateText("notes:0", b""), REF, InvalidOperation, "illisible"),
    "oversized text update": (
        UpdateText("notes:0", client_update("x" * limits.TEXT_UPDATE_MAX_BYTES)),
        REF,
        LimitReached,
        "trop grande",
    ),
    "join twice": (JoinMember(PART, "Léa", "Durand", "", Role.PARTICIPANT), SYSTEM, InvalidOperation, "déjà rejoint"),
    "join without first name": (
        JoinMember("n", "  ", "Durand", "", Role.PARTICIPANT),
        SYSTEM,
        InvalidOperation,
        "prénom",
    ),
    "join without last name": (JoinMember("n", "Léa", "", "", Role.PARTICIPANT), SYSTEM, InvalidOperation, "Le nom"),
    "join with a long name": (
        JoinMember("n", "L" * 81, "Durand", "", Role.PARTICIPANT),
        SYSTEM,
        InvalidOperation,
        "Le prénom dépasse 80 caractères",
    ),
    "join with a long structure": (
        JoinMember("n", "Léa", "Durand", "s" * 121, Role.PARTICIPANT),
        SYSTEM,
        InvalidOperation,
        "La structure dépasse 120 caractères",
    ),
}


@pytest.mark.parametrize(("op", "actor", "error", "message"), REFUSED.values(), ids=REFUSED.keys())
def test_refused(atelier: AtelierState, op: Operation, actor: str, error: type[DomainError], message: str) -> None:
    assert_refused(atelier, op, actor, error, message)


def test_next_at_the_last_step_is_refused(atelier: AtelierState) -> None:
    apply_op(atelier, GotoStep(LAST_STEP), REF)
    assert_refused(atelier, NextStep(), REF, InvalidOperation, "pas d'étape")


def test_limits_are_accepted_up_to_the_edge(atelier: AtelierState) -> None:
    apply_op(atelier, CreateCard("c", "t" * 120, "d" * 280), PART)
    apply_op(atelier, AddTime(limits.ADD_TIME_MAX_S), REF)
    apply_op(atelier, PlaceCard("c", 0, 1), PART)
    apply_op(atelier, JoinMember("n", "L" * 80, "Durand", "s" * 120, Role.PARTICIPANT))
    assert atelier.cards["c"].placed


def test_pasted_whitespace_collapses_to_one_line(atelier: AtelierState) -> None:
    apply_op(atelier, CreateCard("c", "  a \n b ", "\tune\n\nphrase  "), PART)
    assert (atelier.cards["c"].title, atelier.cards["c"].description) == ("a b", "une phrase")
    apply_op(atelier, UpdateCard("c", "Ouvrir\r\nles   données", ""), PART)
    assert atelier.cards["c"].title == "Ouvrir les données"
    apply_op(atelier, JoinMember("n", " Léa\n", "  Du  rand ", "  ", Role.PARTICIPANT))
    member = atelier.members["n"]
    assert (member.first_name, member.last_name, member.structure) == ("Léa", "Du rand", "")


def test_a_card_taken_off_the_matrix_is_no_longer_placed(atelier: AtelierState) -> None:
    apply_op(atelier, PlaceCard(CARD, 0.3, 0.6), PART)
    apply_op(atelier, PlaceCard(CARD, None, None), PART)
    card = atelier.cards[CARD]
    assert (card.desirability, card.feasibility, card.placed) == (None, None, False)


def test_the_card_limit(atelier: AtelierState, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("app.domain.limits.CARDS_MAX", len(atelier.cards) + 1)
    apply_op(atelier, CreateCard("last", "Titre", ""), PART)
    assert_refused(atelier, CreateCard("one-more", "Titre", ""), PART, LimitReached, f"{len(atelier.cards)} cartes")


def test_the_member_limit(atelier: AtelierState, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("app.domain.limits.MEMBERS_MAX", len(atelier.members))
    join = JoinMember("n", "Léa", "Durand", "", Role.PARTICIPANT)
    assert_refused(atelier, join, SYSTEM, LimitReached, f"{len(atelier.members)} personnes")


def test_a_large_paste_under_the_limit_is_accepted(atelier: AtelierState) -> None:
    doc = Doc[Text]()
    update = client_update("Compte rendu. " * 1_000, doc)
    assert len(update) <= limits.TEXT_UPDATE_MAX_BYTES
    apply_op(atelier, UpdateText("notes:0", update), REF)
    assert atelier.texts.text("notes:0") == str(doc.get("text", type=Text))


def test_a_refused_operation_leaves_a_busy_atelier_untouched(atelier: AtelierState) -> None:
    """Refusals are checked on an atelier with notes, placed cards and a running timer too."""
    apply_op(atelier, UpdateText("notes:0", client_update("Notes")), REF)
    apply_op(atelier, PlaceCard(f"card-{OTHER}", 0.1, 0.9), PART)
    apply_op(atelier, AddTime(30), REF)
    assert_refused(atelier, UpdateText("notes:0", b"\xff" * 8), REF, InvalidOperation, "illisible")
    assert_refused(atelier, PlaceCard(f"card-{OTHER}", 2, 2), PART, InvalidOperation, "entre 0 et 1")
