"""After the atelier: the questionnaire de retour d'expérience, the drafts (compte rendu, réseau social
post, thank-you mail) and the finalised compte rendu.

Who may do what (role × operation), what is refused (and then changes nothing), what the summary
says, what the drafts contain, and that the log of these events replays to the same atelier.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import pytest
from atelier_builders import NOW, OTHER, apply_op, client_update, new_atelier
from engagement_builders import ACTORS, ANIMATEURS, CHAL, COMP, OBS, PART, REF, TEAM, UNKNOWN
from hypothesis import given, settings
from hypothesis import strategies as st
from pycrdt import Doc, Text

from app.domain import drafts
from app.domain.after_events import (
    CompteRenduFinalized,
    DraftGenerated,
    QuestionnaireAnswered,
    QuestionnaireClosed,
    QuestionnaireOpened,
)
from app.domain.errors import DomainError, Forbidden, InvalidOperation
from app.domain.events import event_from_dict, event_to_dict
from app.domain.operations import (
    AnswerQuestionnaire,
    CloseQuestionnaire,
    CreateCard,
    CreateEtape,
    CreateSousAction,
    FinalizeCompteRendu,
    GenerateDraft,
    JoinMember,
    MarkPriority,
    MergeSousAction,
    OpenQuestionnaire,
    Operation,
    PlaceCard,
    SetCanevasValue,
    SetSubject,
    UpdateEtape,
    UpdateText,
)
from app.domain.questionnaire import QUESTION_BY_KEY, QUESTIONS, TEXT_ANSWER_MAX, summary
from app.domain.roles import Role
from app.domain.rules import SYSTEM, decide, evolve
from app.domain.state import DRAFT_FIELDS, AtelierState
from app.domain.texts import TEXT_NAME

FULL_ANSWER: dict[str, int | str] = {
    "global": 4,
    "objectifs": 5,
    "parole": 3,
    "outil": 4,
    "apprecie": "Le rythme",
    "ameliorer": "Plus de temps",
    "suite": "Oui",
}


def refused(state: AtelierState, op: Operation, actor: str, error: type[DomainError]) -> DomainError:
    """`op` by `actor` is refused with `error`, and the atelier is exactly as before."""
    before = state.to_dict()
    with pytest.raises(error) as raised:
        decide(state, op, actor, NOW + 1)
    assert type(raised.value) is error, raised.value
    assert state.to_dict() == before
    return raised.value


def opened(state: AtelierState, *, anonymous: bool = True) -> AtelierState:
    apply_op(state, OpenQuestionnaire(anonymous=anonymous), REF, NOW)
    return state


def text_of(update: bytes, doc: Doc[Text] | None = None) -> str:
    doc = doc or Doc[Text]()
    doc.apply_update(update)
    return str(doc.get(TEXT_NAME, type=Text))


# -- role × operation ------------------------------------------------------------------------


@dataclass(frozen=True)
class Case:
    name: str
    prepare: Callable[[AtelierState], object]
    op: Operation
    allowed: set[str]
    event: type
    check: Callable[[AtelierState, str], bool]


CASES = [
    Case(
        "questionnaire.open",
        lambda state: None,
        OpenQuestionnaire(anonymous=True),
        ANIMATEURS,
        QuestionnaireOpened,
        lambda state, me: state.questionnaire.open and state.questionnaire.opened_at == NOW + 1,
    ),
    Case(
        "questionnaire.close",
        opened,
        CloseQuestionnaire(),
        ANIMATEURS,
        QuestionnaireClosed,
        lambda state, me: not state.questionnaire.open and state.questionnaire.closed_at == NOW + 1,
    ),
    Case(
        "questionnaire.answer",
        opened,
        AnswerQuestionnaire({"global": 4}),
        TEAM | {PART},
        QuestionnaireAnswered,
        lambda state, me: state.questionnaire.responses == {me: {"global": 4}},
    ),
    *[
        Case(
            f"draft.generate {field}",
            lambda state: None,
            GenerateDraft(field, "https://example.org/livrable"),
            TEAM,
            DraftGenerated,
            lambda state, me, field=field: state.texts.text(field) != "",
        )
        for field in DRAFT_FIELDS
    ],
    Case(
        "compte_rendu.finalize",
        lambda state: None,
        FinalizeCompteRendu(final=True),
        ANIMATEURS,
        CompteRenduFinalized,
        lambda state, me: state.compte_rendu_final,
    ),
]


@pytest.mark.parametrize("actor", ACTORS)
@pytest.mark.parametrize("case", CASES, ids=[case.name for case in CASES])
def test_who_may_do_what_after_the_atelier(case: Case, actor: str) -> None:
    state = new_atelier()
    case.prepare(state)
    if actor not in case.allowed:
        refused(state, case.op, actor, Forbidden)
        return
    event = decide(state, case.op, actor, NOW + 1)
    assert isinstance(event, case.event)
    evolve(state, event)
    assert case.check(state, actor)


def test_the_role_is_checked_before_the_values() -> None:
    """A participant learns nothing about the questionnaire's state from a refusal."""
    state = new_atelier()
    refused(state, CloseQuestionnaire(), PART, Forbidden)  # not open either
    refused(state, GenerateDraft("notes:0"), PART, Forbidden)  # not a draft either
    refused(state, AnswerQuestionnaire({"global": 9}), OBS, Forbidden)  # closed, and a bad rating


def test_the_event_carries_the_chosen_anonymity() -> None:
    state = new_atelier()
    assert decide(state, OpenQuestionnaire(), REF, NOW) == QuestionnaireOpened(anonymous=True, at=NOW)
    assert decide(state, OpenQuestionnaire(anonymous=False), CHAL, NOW) == QuestionnaireOpened(False, NOW)


# -- questionnaire validation ----------------------------------------------------------------

BAD_ANSWERS: list[tuple[str, dict[str, Any]]] = [
    ("unknown question", {"nope": 3}),
    ("unknown next to a known one", {"global": 3, "nope": 3}),
    ("rating 0", {"global": 0}),
    ("rating 6", {"global": 6}),
    ("rating as text", {"global": "5"}),
    ("rating as a boolean", {"global": True}),
    ("rating as a float", {"global": 4.5}),
    ("choice not in the list", {"suite": "Peut-être pas"}),
    ("choice as a number", {"suite": 1}),
    ("text too long", {"apprecie": "x" * (TEXT_ANSWER_MAX + 1)}),
    ("text as a number", {"apprecie": 3}),
    ("no answers", {}),
    ("only blanks", {"global": None, "apprecie": ""}),
    ("only spaces", {"apprecie": "   ", "ameliorer": "\n\t"}),
]


@pytest.mark.parametrize(("why", "answers"), BAD_ANSWERS, ids=[why for why, _ in BAD_ANSWERS])
def test_bad_answers_are_refused(why: str, answers: dict[str, Any]) -> None:
    state = opened(new_atelier())
    refused(state, AnswerQuestionnaire(answers), PART, InvalidOperation)


def test_answers_are_cleaned() -> None:
    state = opened(new_atelier())
    event = decide(state, AnswerQuestionnaire({"global": 5, "apprecie": "  Le rythme \n", "ameliorer": ""}), PART, NOW)
    assert event == QuestionnaireAnswered(member_id=PART, answers={"global": 5, "apprecie": "Le rythme"})
    long_enough = "é" * TEXT_ANSWER_MAX
    assert decide(state, AnswerQuestionnaire({"apprecie": long_enough}), PART, NOW).answers == {  # type: ignore[union-attr]
        "apprecie": long_enough
    }
    every = decide(state, AnswerQuestionnaire(FULL_ANSWER), PART, NOW)
    assert every.answers == FULL_ANSWER  # type: ignore[union-attr]


def test_answering_needs_an_open_questionnaire() -> None:
    state = new_atelier()
    refused(state, AnswerQuestionnaire({"global": 3}), PART, InvalidOperation)  # never opened
    opened(state)
    apply_op(state, AnswerQuestionnaire({"global": 3}), PART)
    apply_op(state, CloseQuestionnaire(), CHAL)
    refused(state, AnswerQuestionnaire({"global": 1}), PART, InvalidOperation)  # closed
    assert state.questionnaire.responses == {PART: {"global": 3}}


def test_closing_needs_an_open_questionnaire() -> None:
    state = new_atelier()
    refused(state, CloseQuestionnaire(), REF, InvalidOperation)
    opened(state)
    apply_op(state, CloseQuestionnaire(), REF)
    refused(state, CloseQuestionnaire(), CHAL, InvalidOperation)


def test_reopening_keeps_the_answers() -> None:
    state = opened(new_atelier())
    apply_op(state, AnswerQuestionnaire({"global": 3}), PART)
    apply_op(state, CloseQuestionnaire(), REF, NOW + 10)
    assert state.questionnaire.closed_at == NOW + 10
    apply_op(state, OpenQuestionnaire(), REF, NOW + 20)
    q = state.questionnaire
    assert (q.open, q.opened_at, q.closed_at, q.responses) == (True, NOW + 20, None, {PART: {"global": 3}})


def test_anonymous_answers_never_become_named() -> None:
    """Answers given under the promise of anonymity stay anonymous: no reopening « nominatif »."""
    state = opened(new_atelier(), anonymous=True)
    apply_op(state, AnswerQuestionnaire({"global": 2}), PART)
    refused(state, OpenQuestionnaire(anonymous=False), REF, InvalidOperation)
    apply_op(state, CloseQuestionnaire(), REF)
    refused(state, OpenQuestionnaire(anonymous=False), REF, InvalidOperation)
    apply_op(state, OpenQuestionnaire(anonymous=True), REF)  # anonymous again: fine
    # Without any answer yet, the team may still choose a named questionnaire.
    fresh = opened(new_atelier(), anonymous=True)
    apply_op(fresh, OpenQuestionnaire(anonymous=False), REF)
    assert not fresh.questionnaire.anonymous
    # Named answers may become anonymous (that only hides more).
    apply_op(fresh, AnswerQuestionnaire({"global": 2}), PART)
    apply_op(fresh, OpenQuestionnaire(anonymous=True), REF)
    assert fresh.questionnaire.anonymous


def test_a_second_answer_replaces_the_first() -> None:
    state = opened(new_atelier())
    apply_op(state, AnswerQuestionnaire({"global": 1, "apprecie": "Rien"}), PART)
    apply_op(state, AnswerQuestionnaire({"global": 5, "suite": "Oui"}), PART)
    assert state.questionnaire.responses == {PART: {"global": 5, "suite": "Oui"}}
    result = summary(state.questionnaire)
    assert result["responses"] == 1
    by_key = {item["key"]: item for item in result["questions"]}
    assert by_key["global"]["distribution"] == {"1": 0, "2": 0, "3": 0, "4": 0, "5": 1}
    assert by_key["global"]["mean"] == 5
    assert by_key["apprecie"]["texts"] == [] and by_key["apprecie"]["answered"] == 0
    assert by_key["suite"]["counts"] == {"Oui": 1, "Peut-être": 0, "Non": 0}


def test_the_summary() -> None:
    state = opened(new_atelier())
    apply_op(state, AnswerQuestionnaire(FULL_ANSWER), REF)
    apply_op(state, AnswerQuestionnaire({"global": 2, "apprecie": "Zèle des animateurs", "suite": "Non"}), PART)
    apply_op(state, AnswerQuestionnaire({"global": 5, "objectifs": 4, "apprecie": "Accueil", "suite": "Oui"}), OTHER)
    apply_op(state, AnswerQuestionnaire({"ameliorer": "Des pauses"}), COMP)
    result = summary(state.questionnaire)
    assert (result["open"], result["anonymous"], result["responses"]) == (True, True, 4)
    assert [item["key"] for item in result["questions"]] == [question.key for question in QUESTIONS]
    by_key = {item["key"]: item for item in result["questions"]}
    for key, item in by_key.items():
        assert item["label"] == QUESTION_BY_KEY[key].label and item["kind"] == QUESTION_BY_KEY[key].kind
    assert by_key["global"] == by_key["global"] | {
        "distribution": {"1": 0, "2": 1, "3": 0, "4": 1, "5": 1},
        "mean": 3.67,  # (4 + 2 + 5) / 3, rounded to 2 decimals
        "answered": 3,
    }
    assert by_key["objectifs"]["mean"] == 4.5 and by_key["objectifs"]["answered"] == 2
    assert by_key["parole"]["mean"] == 3 and by_key["parole"]["distribution"]["3"] == 1
    assert by_key["suite"]["counts"] == {"Oui": 2, "Peut-être": 0, "Non": 1} and by_key["suite"]["answered"] == 3
    # Sorted: the order says nothing of who wrote what (nor when).
    assert by_key["apprecie"]["texts"] == ["Accueil", "Le rythme", "Zèle des animateurs"]
    assert by_key["ameliorer"]["texts"] == ["Des pauses", "Plus de temps"]
    assert "member" not in json.dumps(result) and REF not in json.dumps(result) and PART not in json.dumps(result)


def test_an_empty_summary() -> None:
    result = summary(new_atelier().questionnaire)
    assert result["responses"] == 0
    ratings = [item for item in result["questions"] if item["kind"] == "rating"]
    assert ratings and all(item["mean"] is None and item["answered"] == 0 for item in ratings)
    assert all(set(item["distribution"].values()) == {0} for item in ratings)


# -- drafts: rules -----------------------------------------------------------------------------


@pytest.mark.parametrize("field", ["notes:0", "canevas:titre", "brouillon", "", "Compte_rendu"])
def test_only_draft_fields_are_generated(field: str) -> None:
    refused(new_atelier(), GenerateDraft(field), REF, InvalidOperation)


@pytest.mark.parametrize(
    "link",
    [
        "javascript:alert(1)",
        "JAVASCRIPT:alert(1)",
        "ftp://example.org/f",
        "example.org/livrable",
        "https://exa mple.org",
        'https://example.org/"onmouseover="x',
        "https://example.org/<script>",
        "https://" + "a" * 501,
        " https://example.org",
    ],
)
def test_the_mail_link_must_be_http(link: str) -> None:
    refused(new_atelier(), GenerateDraft("mail", link), COMP, InvalidOperation)


@pytest.mark.parametrize("link", ["", "http://localhost:8765/a/x/livrable.json", "https://example.org/l?a=1&b=é"])
def test_good_links(link: str) -> None:
    state = new_atelier()
    apply_op(state, GenerateDraft("mail", link), COMP)
    assert (link or "joint à ce message") in state.texts.text("mail")


def test_a_final_compte_rendu_is_not_regenerated_nor_edited() -> None:
    state = new_atelier()
    apply_op(state, GenerateDraft("compte_rendu"), COMP)
    apply_op(state, FinalizeCompteRendu(final=True), CHAL)
    text = state.texts.text("compte_rendu")
    refused(state, GenerateDraft("compte_rendu"), REF, InvalidOperation)
    refused(state, UpdateText("compte_rendu", client_update("ajout ")), REF, InvalidOperation)
    # The other drafts stay editable.
    apply_op(state, GenerateDraft("post"), COMP)
    apply_op(state, UpdateText("mail", client_update("Bonjour ")), COMP)
    # Reopened: both are accepted again.
    apply_op(state, FinalizeCompteRendu(final=False), REF)
    apply_op(state, UpdateText("compte_rendu", client_update("ajout ")), COMP)
    assert state.texts.text("compte_rendu") != text
    apply_op(state, GenerateDraft("compte_rendu"), COMP)
    assert state.texts.text("compte_rendu") == drafts.compte_rendu(state)


@pytest.mark.parametrize("field", DRAFT_FIELDS)
@pytest.mark.parametrize("actor", [PART, OBS, UNKNOWN])
def test_drafts_are_written_by_the_team_only(field: str, actor: str) -> None:
    refused(new_atelier(), UpdateText(field, client_update("Texte")), actor, Forbidden)


@pytest.mark.parametrize("field", DRAFT_FIELDS)
@pytest.mark.parametrize("actor", sorted(TEAM))
def test_the_team_writes_the_drafts(field: str, actor: str) -> None:
    state = new_atelier()
    apply_op(state, UpdateText(field, client_update("Texte")), actor)
    assert state.texts.text(field) == "Texte"


@pytest.mark.parametrize("field", DRAFT_FIELDS)
def test_a_draft_replaces_the_text_entirely(field: str) -> None:
    """Generated over text someone typed (with accents: pycrdt counts UTF-8 bytes), twice over."""
    state = _f1_atelier()
    browser = Doc[Text]()
    typed = client_update("Brouillon tapé à la main — « é » ✓\n", browser)
    apply_op(state, UpdateText(field, typed), "lea")
    assert state.texts.text(field).startswith("Brouillon tapé")

    first = apply_op(state, GenerateDraft(field, "https://example.org/l"), "claire")
    expected = _expected_draft(state, field)
    assert state.texts.text(field) == expected
    # The browser that holds the old text converges to the draft when it receives the event.
    assert isinstance(first, DraftGenerated)
    assert text_of(first.update, browser) == expected
    # And a browser that starts from nothing, from the snapshot's update.
    assert text_of(state.texts.state_update(field)) == expected

    # Generated again after more changes (another note, another card): replaced again, not appended.
    apply_op(state, UpdateText(field, client_update("Encore ", browser)), "paul")
    apply_op(state, CreateCard("c-new", "Un sujet de plus", ""), "karim")
    second = apply_op(state, GenerateDraft(field, "https://example.org/l"), "paul")
    assert state.texts.text(field) == _expected_draft(state, field)
    assert text_of(second.update, browser) == state.texts.text(field)  # type: ignore[attr-defined]


def test_generating_reads_nothing_into_existence() -> None:
    """Deciding a draft does not create the field's document (a refused op must change nothing)."""
    state = new_atelier()
    apply_op(state, FinalizeCompteRendu(final=True), REF)
    refused(state, GenerateDraft("compte_rendu"), REF, InvalidOperation)
    assert "compte_rendu" not in state.texts.fields()
    decide(state, GenerateDraft("post"), REF, NOW)  # decided, not applied
    assert "post" not in state.texts.fields()


def _expected_draft(state: AtelierState, field: str) -> str:
    if field == "compte_rendu":
        return drafts.compte_rendu(state)
    if field == "post":
        return drafts.social_post(state)
    return drafts.thank_you_mail(state, "https://example.org/l")


# -- drafts: contents --------------------------------------------------------------------------

PEOPLE = [
    ("claire", "Claire", "Martin", "DITP", Role.REFERENT),
    ("paul", "Paul", "Durand", "", Role.CHALLENGEUR),
    ("lea", "Léa", "Petit", "Préfecture du Rhône", Role.COMPLICE),
    ("karim", "Karim", "Benali", "Association Quartiers", Role.PARTICIPANT),
    ("zoe", "Zoé", "Roux", "", Role.PARTICIPANT),
    ("olga", "Olga", "Vidal", "Cour des comptes", Role.OBSERVER),
]


def _people(format_key: str) -> AtelierState:
    state = AtelierState.new(
        atelier_id="cr1",
        title="Ouvrir les données de la cantine",
        administration="Mairie de Lyon",
        date="2026-12-03",
        format_key=format_key,
    )
    for member_id, first, last, structure, role in PEOPLE:
        apply_op(state, JoinMember(member_id, first, last, structure, role), SYSTEM)
    return state


def _f1_atelier() -> AtelierState:
    state = _people("1")
    apply_op(state, CreateCard("c1", "Publier les menus", "Menus et allergènes"), "karim")
    apply_op(state, CreateCard("c2", "Former les agents", ""), "zoe")
    apply_op(state, CreateCard("c3", "Ouvrir les horaires", ""), "zoe")
    apply_op(state, PlaceCard("c1", 0.8, 0.65), "karim")
    apply_op(state, PlaceCard("c3", 0.2, 0.3), "zoe")
    apply_op(state, MarkPriority("c1", True), "claire")
    apply_op(state, UpdateText("notes:0", client_update("Tour de table : 5 personnes.\nBonne ambiance.")), "lea")
    return state


def _lines(text: str) -> list[str]:
    return text.split("\n")


def test_the_compte_rendu_of_a_format_1() -> None:
    state = _f1_atelier()
    text = drafts.compte_rendu(state)
    lines = _lines(text)
    assert lines[0] == "# Compte rendu — Ouvrir les données de la cantine"
    assert "Mairie de Lyon · 3 décembre 2026 · Format #1 « J'identifie des sujets Gouvernement Ouvert »" in lines, (
        lines[:4]
    )
    assert (
        "Équipe d'animation : Claire Martin (Référent-animateur), Paul Durand (Animateur-challengeur), "
        "Léa Petit (Complice)" in lines
    )
    start = lines.index("Personnes participantes (2) :")
    assert lines[start + 1 : start + 3] == ["- Karim Benali — Association Quartiers", "- Zoé Roux"]
    assert "Olga" not in text and "Vidal" not in text  # an observer is neither team nor participant

    # One section per step: the notes, or "—".
    for index, step in enumerate(state.deroule.steps):
        heading = f"### {index + 1}. {step.title} ({step.duration_minutes} min)"
        at = lines.index(heading)
        body = lines[at + 2]
        assert body == ("Tour de table : 5 personnes." if index == 0 else "—"), (heading, body)
    assert "Bonne ambiance." in lines

    start = lines.index("Sujets identifiés (3) :")
    assert lines[start + 1 : start + 4] == [
        "- Publier les menus : Menus et allergènes (désirabilité 80 %, faisabilité 65 %) — sujet prioritaire",
        "- Former les agents",
        "- Ouvrir les horaires (désirabilité 20 %, faisabilité 30 %)",
    ]
    assert lines.index("## Présences") < lines.index("## Déroulé et prises de note") < lines.index("## Résultats")
    assert "## Suites à donner" in lines


def test_the_compte_rendu_without_date_nor_people() -> None:
    state = AtelierState.new(atelier_id="x", title="Vide", administration="DITP", date=None, format_key="1")
    lines = _lines(drafts.compte_rendu(state))
    assert lines[2].startswith("DITP · date à préciser · Format #1")
    assert "Équipe d'animation : —" in lines and "Personnes participantes (0) :" in lines
    assert "Sujets identifiés (0) :" in lines


def test_the_compte_rendu_of_a_format_2() -> None:
    state = _people("2")
    apply_op(state, SetSubject("Publier les menus en open data", "Chaque semaine."), "claire")
    apply_op(state, UpdateText("canevas:titre", client_update("Des menus ouverts")), "claire")
    apply_op(state, UpdateText("canevas:porte_sur", client_update("Mon engagement porte sur les menus")), "lea")
    apply_op(state, SetCanevasValue("transparence", True), "claire")
    lines = _lines(drafts.compte_rendu(state))
    start = lines.index("Canevas d'engagement :")
    assert lines[start + 1 : start + 6] == [
        "- Titre de l'engagement : Des menus ouverts",
        "- Mon engagement porte sur les menus",  # the kit's starter, typed by the person, is not said twice
        "- Mon engagement c'est (à compléter)",  # empty fields are named, to be completed
        "- Mon engagement va (à compléter)",
        "- Valeurs : Transparence",
    ]
    assert lines[lines.index("Sujet : Publier les menus en open data") + 1] == ""
    assert "Feuille de route :" not in lines and not any(line.startswith("Sous-actions") for line in lines)


def test_the_compte_rendu_of_a_format_3() -> None:
    state = _people("3")
    apply_op(state, UpdateText("canevas:titre", client_update("Des menus ouverts")), "claire")
    apply_op(state, UpdateText("canevas:utile_car", client_update("Les familles savent")), "paul")
    apply_op(state, CreateSousAction("sa1", "Former les cuisiniers"), "lea")
    apply_op(state, CreateSousAction("sa2", "Publier chaque semaine"), "lea")
    apply_op(state, CreateSousAction("sa3", "Mettre en ligne"), "lea")
    apply_op(state, MergeSousAction("sa3", "sa2"), "lea")
    apply_op(state, CreateEtape("e1", "Ouvrir le jeu de données"), "claire")
    apply_op(state, UpdateEtape("e1", "Ouvrir le jeu de données", "2027-T2", 3, "DSI", "Jeu « menus »"), "claire")
    apply_op(state, CreateEtape("e2", "", "sa1"), "claire")
    lines = _lines(drafts.compte_rendu(state))
    assert "Sujet : à préciser" in lines
    assert "- Titre de l'engagement : Des menus ouverts" in lines
    assert "- Mon engagement est utile car Les familles savent" in lines
    start = lines.index("Sous-actions (2) :")  # the merged one is left out
    assert lines[start + 1 : start + 3] == ["- Former les cuisiniers", "- Publier chaque semaine"]
    assert "- Mettre en ligne" not in lines
    start = lines.index("Feuille de route :")
    assert lines[start + 1 : start + 3] == [
        "1. Ouvrir le jeu de données (début 2027-T2, 3 mois, pilote : DSI, livrable : Jeu « menus »)",
        "2. Former les cuisiniers",
    ]


def test_the_social_post() -> None:
    state = _f1_atelier()
    post = drafts.social_post(state)
    assert "Mairie de Lyon" in post and "2 personnes" in post
    assert "« Publier les menus »" in post  # the priority subject
    assert "#GouvernementOuvert" in post
    assert len(post) < 400, len(post)
    apply_op(state, MarkPriority("c2", True), "claire")
    assert "« Publier les menus ; Former les agents »" in drafts.social_post(state)
    assert len(drafts.social_post(state)) < 400


def test_the_social_post_of_a_format_3_names_the_engagement() -> None:
    state = _people("3")
    apply_op(state, SetSubject("Les menus", ""), "claire")
    assert "« Les menus »" in drafts.social_post(state)
    apply_op(state, UpdateText("canevas:titre", client_update("Des menus ouverts")), "claire")
    post = drafts.social_post(state)
    assert "« Des menus ouverts »" in post and "feuille de route" in post and len(post) < 400


def test_the_thank_you_mail() -> None:
    state = _f1_atelier()
    mail = drafts.thank_you_mail(state, "https://example.org/livrable.json")
    lines = _lines(mail)
    assert lines[0] == "Objet : Merci pour votre participation à l'atelier « Ouvrir les données de la cantine »"
    assert "https://example.org/livrable.json" in mail
    assert "du 3 décembre 2026" in mail
    assert lines[-1] == "Claire Martin"  # signed by the référent-animateur
    assert "joint à ce message" in drafts.thank_you_mail(state, "")


# -- replay ------------------------------------------------------------------------------------

ANSWER_VALUES: dict[str, st.SearchStrategy[Any]] = {
    question.key: (
        st.integers(0, 6)
        if question.kind == "rating"
        else st.sampled_from([*question.choices, "Autre"])
        if question.kind == "choice"
        else st.text(alphabet="abé «»\n", max_size=8)
    )
    for question in QUESTIONS
}
ANSWERS = st.dictionaries(st.sampled_from(sorted(ANSWER_VALUES)), st.integers(0, 6) | st.text(max_size=3), max_size=4)
LINKS = st.sampled_from(["", "https://example.org/l", "javascript:alert(1)"])


def _operation(data: st.DataObject, state: AtelierState, browsers: dict[str, Doc[Text]]) -> Operation:
    kind = data.draw(st.sampled_from(["open", "close", "answer", "answer", "bad-answer", "draft", "final", "text"]))
    if kind == "open":
        return OpenQuestionnaire(anonymous=data.draw(st.booleans()))
    if kind == "close":
        return CloseQuestionnaire()
    if kind == "answer":
        keys = data.draw(st.lists(st.sampled_from(sorted(ANSWER_VALUES)), max_size=4, unique=True))
        return AnswerQuestionnaire({key: data.draw(ANSWER_VALUES[key]) for key in keys})
    if kind == "bad-answer":
        return AnswerQuestionnaire(data.draw(ANSWERS))
    if kind == "draft":
        return GenerateDraft(data.draw(st.sampled_from([*DRAFT_FIELDS, "notes:0"])), data.draw(LINKS))
    if kind == "final":
        return FinalizeCompteRendu(final=data.draw(st.booleans()))
    field = data.draw(st.sampled_from(DRAFT_FIELDS))
    if field not in browsers:  # a team browser opens the field: it starts from the server's text
        browsers[field] = Doc[Text]()
        browsers[field].apply_update(state.texts.state_update(field))
    browser = browsers[field]
    return UpdateText(field, client_update(data.draw(st.text(alphabet="xyz ", min_size=1, max_size=5)), browser))


@settings(max_examples=60, deadline=None)
@given(data=st.data(), length=st.integers(0, 30))
def test_replaying_the_after_log_rebuilds_the_same_atelier(data: st.DataObject, length: int) -> None:
    state, log, now = new_atelier(), [], NOW
    browsers: dict[str, Doc[Text]] = {}  # one team browser per draft field, kept in sync with the server
    for _ in range(length):
        now += 1
        actor = data.draw(st.sampled_from(ACTORS))
        op = _operation(data, state, browsers)
        before = state.to_dict()
        try:
            event = decide(state, op, actor, now)
        except DomainError:
            assert state.to_dict() == before
            if isinstance(op, UpdateText):
                del browsers[op.field]  # a refused edit: the browser rebuilds from the server next time
            continue
        evolve(state, event)
        stored = json.loads(json.dumps(event_to_dict(event)))
        assert event_from_dict(stored) == event
        log.append(stored)
        if isinstance(event, DraftGenerated) and event.field in browsers:
            browsers[event.field].apply_update(event.update)

    replayed = new_atelier()
    for entry in log:
        evolve(replayed, event_from_dict(entry))
    assert replayed.to_dict() == state.to_dict()
    assert replayed.questionnaire == state.questionnaire
    restored = AtelierState.from_dict(json.loads(json.dumps(state.to_dict())))
    assert restored.to_dict() == state.to_dict()
    assert summary(restored.questionnaire) == summary(state.questionnaire)
    for field, browser in browsers.items():
        assert str(browser.get(TEXT_NAME, type=Text)) == state.texts.text(field)
