"""Format 2 and 3 operations with bad values are refused with the right error and a French message,
changing nothing; values at the edge of a limit are accepted."""

from __future__ import annotations

import pytest
from atelier_builders import OTHER, apply_op, client_update
from engagement_builders import (
    PART,
    QUESTION,
    REF,
    T0,
    Moment,
    engagement_atelier,
    set_moment,
    step_with,
)
from pycrdt import Doc, Text

from app.domain import limits
from app.domain.deroule import Tool
from app.domain.errors import DomainError, InvalidOperation, LimitReached, NotFound
from app.domain.kit_tools import REFORMULATION_PROMPTS
from app.domain.operations import (
    CreateEtape,
    CreateIdea,
    CreateReformulation,
    CreateSousAction,
    DeleteEtape,
    DeleteIdea,
    DeleteReformulation,
    DeleteSousAction,
    ImportCanevas,
    MergeSousAction,
    MoveEtape,
    Operation,
    SetCanevasValue,
    SetHorizon,
    SetSubject,
    UpdateEtape,
    UpdateIdea,
    UpdateReformulation,
    UpdateText,
)
from app.domain.rules import SYSTEM, decide
from app.domain.state import AtelierState

TOOL_OF_FORMAT = {"2": Tool.CANEVAS, "3": Tool.ROADMAP}


def open_atelier(format_key: str, tool: Tool) -> tuple[AtelierState, float]:
    state = engagement_atelier(format_key)
    return state, set_moment(state, tool, Moment.OPEN)


def assert_refused(
    state: AtelierState, op: Operation, actor: str, now: float, error: type[DomainError], message: str
) -> None:
    before = state.to_dict()
    with pytest.raises(error, match=message) as refused:
        decide(state, op, actor, now)
    assert refused.value.code == error.code and refused.value.message == str(refused.value)
    assert state.to_dict() == before


def etape_update(**changes: object) -> UpdateEtape:
    values: dict[str, object] = {
        "etape_id": f"et-{PART}", "title": "Titre", "start": "", "duration_months": None, "owner": "", "livrable": "",
    }  # fmt: skip
    return UpdateEtape(**(values | changes))  # type: ignore[arg-type]


# (format, tool open during the case, operation, actor, error, message)
Case = tuple[str, Tool, Operation, str, type[DomainError], str]
REFUSED: dict[str, Case] = {
    # subject
    "subject title empty": ("2", Tool.SUBJECT, SetSubject("  ", ""), REF, InvalidOperation, "Le titre du sujet est"),
    "subject title too long": ("2", Tool.SUBJECT, SetSubject("t" * 121, ""), REF, InvalidOperation, "dépasse 120"),
    "subject description too long": (
        "2", Tool.SUBJECT, SetSubject("Titre", "d" * 281), REF, InvalidOperation, "La description dépasse 280",
    ),
    # reformulations
    "unknown prompt key": (
        "2", Tool.REFORMULATIONS, CreateReformulation("r", {"permet": "x", "pourquoi": "y"}), PART,
        InvalidOperation, "Amorces inconnues : pourquoi",
    ),
    "no answer at all": (
        "2", Tool.REFORMULATIONS, CreateReformulation("r", {"permet": " \n "}), PART, InvalidOperation,
        "au moins une amorce",
    ),
    "empty answers": (
        "2", Tool.REFORMULATIONS, CreateReformulation("r", {}), PART, InvalidOperation, "au moins une amorce",
    ),
    "answer too long": (
        "2", Tool.REFORMULATIONS, CreateReformulation("r", {"ambition": "a" * 501}), PART, InvalidOperation,
        "dépasse 500",
    ),
    "reformulation id taken": (
        "2", Tool.REFORMULATIONS, CreateReformulation(f"ref-{OTHER}", {"permet": "x"}), PART, InvalidOperation,
        "existe déjà",
    ),
    "update with an unknown prompt": (
        "2", Tool.REFORMULATIONS, UpdateReformulation(f"ref-{PART}", {"Il permet de…": "x"}), PART,
        InvalidOperation, "Amorces inconnues",
    ),
    "update an unknown reformulation": (
        "2", Tool.REFORMULATIONS, UpdateReformulation("ghost", {"permet": "x"}), REF, NotFound, "introuvable",
    ),
    "delete an unknown reformulation": (
        "2", Tool.REFORMULATIONS, DeleteReformulation("ghost"), REF, NotFound, "Reformulation introuvable",
    ),
    # ideas
    "unknown question key": (
        "2", Tool.IDEAS, CreateIdea("i", "communes-9", "Une idée"), PART, InvalidOperation, "Question inconnue",
    ),
    "a question's text as its key": (
        "2", Tool.IDEAS, CreateIdea("i", "Qu'est-ce que je peux faire ?", "x"), PART, InvalidOperation,
        "Question inconnue",
    ),
    "idea empty": ("2", Tool.IDEAS, CreateIdea("i", QUESTION, "\t"), PART, InvalidOperation, "L'idée est obligatoire"),
    "idea too long": ("2", Tool.IDEAS, CreateIdea("i", QUESTION, "i" * 501), PART, InvalidOperation, "dépasse 500"),
    "idea id taken": ("2", Tool.IDEAS, CreateIdea(f"idea-{OTHER}", QUESTION, "x"), PART, InvalidOperation, "existe"),
    "update an idea to an unknown question": (
        "2", Tool.IDEAS, UpdateIdea(f"idea-{PART}", "nope", "x"), PART, InvalidOperation, "Question inconnue",
    ),
    "update an unknown idea": ("2", Tool.IDEAS, UpdateIdea("ghost", QUESTION, "x"), REF, NotFound, "Idée introuvable"),
    "delete an unknown idea": ("2", Tool.IDEAS, DeleteIdea("ghost"), REF, NotFound, "Idée introuvable"),
    # canevas
    "unknown value key": (
        "2", Tool.CANEVAS, SetCanevasValue("Transparence", True), PART, InvalidOperation, "Valeur inconnue",
    ),
    "unknown canevas field": (
        "2", Tool.CANEVAS, UpdateText("canevas:nope", client_update("x")), PART, NotFound, "Champ de texte inconnu",
    ),
    "a Format 3 canevas field in Format 2": (
        "2", Tool.CANEVAS, UpdateText("canevas:repond_a", client_update("x")), PART, NotFound, "canevas:repond_a",
    ),
    "canevas without key": (
        "2", Tool.CANEVAS, UpdateText("canevas:", client_update("x")), REF, NotFound, "Champ de texte inconnu",
    ),
    "malformed canevas update": (
        "2", Tool.CANEVAS, UpdateText("canevas:titre", b"\x00garbage"), PART, InvalidOperation, "illisible",
    ),
    "oversized canevas update": (
        "3", Tool.CANEVAS, UpdateText("canevas:va", client_update("x" * limits.TEXT_UPDATE_MAX_BYTES)), PART,
        LimitReached, "trop grande",
    ),
    # sous-actions
    "sous-action empty": (
        "3", Tool.SOUS_ACTIONS, CreateSousAction("s", " "), PART, InvalidOperation, "La sous-action est obligatoire",
    ),
    "sous-action too long": (
        "3", Tool.SOUS_ACTIONS, CreateSousAction("s", "s" * 501), PART, InvalidOperation, "dépasse 500",
    ),
    "sous-action id taken": (
        "3", Tool.SOUS_ACTIONS, CreateSousAction(f"sa-{OTHER}", "x"), PART, InvalidOperation, "existe déjà",
    ),
    "text of an unknown sous-action": (
        "3", Tool.SOUS_ACTIONS, UpdateText("sous_action:ghost", client_update("x")), PART, NotFound, "ghost",
    ),
    "merge into itself": (
        "3", Tool.SOUS_ACTIONS, MergeSousAction(f"sa-{PART}", f"sa-{PART}"), REF, InvalidOperation,
        "une autre sous-action",
    ),
    "merge an unknown sous-action": (
        "3", Tool.SOUS_ACTIONS, MergeSousAction("ghost", f"sa-{PART}"), REF, NotFound, "Sous-action introuvable",
    ),
    "merge into an unknown sous-action": (
        "3", Tool.SOUS_ACTIONS, MergeSousAction(f"sa-{PART}", "ghost"), REF, NotFound, "Sous-action introuvable",
    ),
    "delete an unknown sous-action": (
        "3", Tool.SOUS_ACTIONS, DeleteSousAction("ghost"), REF, NotFound, "Sous-action introuvable",
    ),
    # horizon
    "horizon backwards": ("3", Tool.ROADMAP, SetHorizon(2028, 2026), REF, InvalidOperation, "Horizon"),
    "horizon before 2000": ("3", Tool.ROADMAP, SetHorizon(1999, 2001), REF, InvalidOperation, "entre 2000 et 2100"),
    "horizon after 2100": ("3", Tool.ROADMAP, SetHorizon(2099, 2101), REF, InvalidOperation, "entre 2000 et 2100"),
    "horizon over 20 years": ("3", Tool.ROADMAP, SetHorizon(2026, 2047), REF, InvalidOperation, "Horizon"),
    # étapes
    "étape id taken": ("3", Tool.ROADMAP, CreateEtape(f"et-{OTHER}", "x"), PART, InvalidOperation, "existe déjà"),
    "étape without title": ("3", Tool.ROADMAP, CreateEtape("e", "  "), PART, InvalidOperation, "titre de l'étape"),
    "étape title too long": ("3", Tool.ROADMAP, CreateEtape("e", "t" * 201), PART, InvalidOperation, "dépasse 200"),
    "étape from an unknown sous-action": (
        "3", Tool.ROADMAP, CreateEtape("e", "", "ghost"), PART, NotFound, "Sous-action introuvable",
    ),
    "update: title empty": ("3", Tool.ROADMAP, etape_update(title=""), PART, InvalidOperation, "titre de l'étape"),
    "update: title too long": ("3", Tool.ROADMAP, etape_update(title="t" * 201), PART, InvalidOperation, "200"),
    "update: owner too long": ("3", Tool.ROADMAP, etape_update(owner="o" * 121), PART, InvalidOperation, "pilote"),
    "update: livrable too long": (
        "3", Tool.ROADMAP, etape_update(livrable="l" * 281), PART, InvalidOperation, "Le livrable dépasse 280",
    ),
    "update: duration 0": ("3", Tool.ROADMAP, etape_update(duration_months=0), PART, InvalidOperation, "Durée"),
    "update: duration negative": (
        "3", Tool.ROADMAP, etape_update(duration_months=-3), PART, InvalidOperation, "entre 1 et 120 mois",
    ),
    "update: duration 121": (
        "3", Tool.ROADMAP, etape_update(duration_months=121), PART, InvalidOperation, "entre 1 et 120 mois",
    ),
    "update an unknown étape": ("3", Tool.ROADMAP, etape_update(etape_id="ghost"), PART, NotFound, "Étape introuvable"),
    "move an unknown étape": ("3", Tool.ROADMAP, MoveEtape("ghost", 0), PART, NotFound, "Étape introuvable"),
    "move before the first": ("3", Tool.ROADMAP, MoveEtape(f"et-{PART}", -1), PART, InvalidOperation, "Position"),
    "move after the last": ("3", Tool.ROADMAP, MoveEtape(f"et-{PART}", 6), PART, InvalidOperation, "Position"),
    "delete an unknown étape": ("3", Tool.ROADMAP, DeleteEtape("ghost"), REF, NotFound, "Étape introuvable"),
}  # fmt: skip


@pytest.mark.parametrize(("format_key", "tool", "op", "actor", "error", "message"), REFUSED.values(), ids=REFUSED)
def test_refused(
    format_key: str, tool: Tool, op: Operation, actor: str, error: type[DomainError], message: str
) -> None:
    state, now = open_atelier(format_key, tool)
    assert_refused(state, op, actor, now, error, message)


START_ACCEPTED = ["2026", "2026-T1", "2026-T2", "2026-T4", "2026-01", "2026-05", "2026-12", " 2027-T3 ", "2026\n", ""]
START_REFUSED = [
    "2026-13", "26-T1", "2026-T5", "2026-T0", "2026-00", "2026-5", "2026-t2", "T2-2026", "2026/05", "2026-05-01",
    "20260", "mai 2026", "2026-\n05", "２０２６", "٢٠٢٦-05",
]  # fmt: skip


@pytest.mark.parametrize("start", START_ACCEPTED)
def test_accepted_starts(start: str) -> None:
    state, now = open_atelier("3", Tool.ROADMAP)
    apply_op(state, etape_update(start=start), PART, now)
    assert state.roadmap.etapes[state.roadmap.index_of(f"et-{PART}")].start == start.strip()  # type: ignore[index]


@pytest.mark.parametrize("start", START_REFUSED)
def test_refused_starts(start: str) -> None:
    state, now = open_atelier("3", Tool.ROADMAP)
    assert_refused(state, etape_update(start=start), PART, now, InvalidOperation, "Début")


def test_limits_are_accepted_up_to_the_edge() -> None:
    state, now = open_atelier("3", Tool.ROADMAP)
    apply_op(state, etape_update(title="t" * 200, duration_months=1, owner="o" * 120, livrable="l" * 280), PART, now)
    apply_op(state, etape_update(title="Titre", duration_months=limits.DURATION_MONTHS_MAX), PART, now)
    apply_op(state, SetHorizon(2000, 2020), REF, now)
    apply_op(state, SetHorizon(2080, 2100), REF, now)
    apply_op(state, SetHorizon(2031, 2031), REF, now)
    apply_op(state, MoveEtape(f"et-{PART}", 0), PART, now)
    apply_op(state, MoveEtape(f"et-{PART}", len(state.roadmap.etapes) - 1), PART, now)
    apply_op(state, CreateEtape("long", "t" * 200), PART, now)
    apply_op(state, CreateSousAction("s", "s" * 500), REF, now)
    apply_op(state, SetSubject("t" * 120, "d" * 280), REF, now)

    state, now = open_atelier("2", Tool.REFORMULATIONS)
    answers = {prompt.key: "a" * 500 for prompt in REFORMULATION_PROMPTS}
    apply_op(state, CreateReformulation("r", answers), PART, now)
    assert state.reformulations["r"].answers == answers
    state, now = open_atelier("2", Tool.IDEAS)
    apply_op(state, CreateIdea("i", "agent-public-4", "i" * 500), PART, now)


def test_reformulation_answers_come_back_in_the_kits_order() -> None:
    state, now = open_atelier("2", Tool.REFORMULATIONS)
    apply_op(state, CreateReformulation("r", {"partage": "Tous", "permet": "  Mieux \n servir  "}), PART, now)
    answers = state.reformulations["r"].answers
    assert list(answers) == [prompt.key for prompt in REFORMULATION_PROMPTS]
    assert answers == {"permet": "Mieux servir", "ambition": "", "table": "", "horizon": "", "partage": "Tous"}


def test_every_question_of_the_kit_takes_ideas() -> None:
    from app.domain.kit_tools import ENGAGEMENT_QUESTIONS

    state, now = open_atelier("2", Tool.IDEAS)
    for column in ENGAGEMENT_QUESTIONS:
        for question in column.questions:
            apply_op(state, CreateIdea(f"i-{question.key}", question.key, question.label[:40]), PART, now)
    assert len(state.ideas) == 6 + 12


def test_merging_into_a_merged_sous_action_is_refused() -> None:
    state, now = open_atelier("3", Tool.SOUS_ACTIONS)
    apply_op(state, MergeSousAction(f"sa-{OTHER}", f"sa-{PART}"), REF, now)
    assert_refused(state, MergeSousAction(f"sa-{REF}", f"sa-{OTHER}"), REF, now, InvalidOperation, "encore active")
    # The merged one may be merged again elsewhere, and the target may itself be merged on.
    apply_op(state, MergeSousAction(f"sa-{OTHER}", f"sa-{REF}"), REF, now)
    apply_op(state, MergeSousAction(f"sa-{PART}", f"sa-{REF}"), REF, now)
    assert_refused(state, MergeSousAction(f"sa-{REF}", f"sa-{PART}"), REF, now, InvalidOperation, "encore active")


def test_an_etape_from_a_sous_action_takes_its_current_wording() -> None:
    state, now = open_atelier("3", Tool.ROADMAP)
    field = f"sous_action:sa-{OTHER}"
    doc = Doc[Text]()
    doc.apply_update(state.texts.state_update(field))  # the browser's copy, up to date
    apply_op(state, UpdateText(field, client_update("Vite : ", doc)), PART, now)
    apply_op(state, CreateEtape("e", "", f"sa-{OTHER}"), PART, now)
    assert state.roadmap.etapes[-1].title == f"Vite : Sous-action de {OTHER}"
    apply_op(state, CreateEtape("e2", "Mon titre", f"sa-{OTHER}"), PART, now)  # a title of one's own wins
    assert state.roadmap.etapes[-1].title == "Mon titre"


def test_a_deleted_sous_action_has_no_text_field() -> None:
    state, now = open_atelier("3", Tool.SOUS_ACTIONS)
    apply_op(state, DeleteSousAction(f"sa-{PART}"), PART, now)
    field = f"sous_action:sa-{PART}"
    assert field not in state.text_fields()
    assert_refused(state, UpdateText(field, client_update("x")), PART, now, NotFound, "Champ de texte inconnu")


@pytest.mark.parametrize("format_key", ["2", "3"])
def test_every_canevas_field_of_the_format_takes_text(format_key: str) -> None:
    from app.domain.kit_tools import canevas_fields

    state, now = open_atelier(format_key, Tool.CANEVAS)
    keys = [field.key for field in canevas_fields(format_key)]
    assert len(keys) == {"2": 4, "3": 6}[format_key]
    for key in keys:
        apply_op(state, UpdateText(f"canevas:{key}", client_update(f"Texte {key}")), PART, now)
        assert state.texts.text(f"canevas:{key}") == f"Texte {key}"
        assert f"canevas:{key}" in state.text_fields()


def test_a_canevas_import_keeps_known_fields_and_values_only() -> None:
    state = engagement_atelier("3")
    op = ImportCanevas(
        {"titre": "Repris", "va": "", "inconnu": "perdu", "utile_car": "Utile"},
        ("participation", "inconnue", "participation"),
        {"atelier_id": "f2"},
    )
    apply_op(state, op, SYSTEM, T0)
    assert state.texts.text("canevas:titre") == "Repris"
    assert state.texts.text("canevas:utile_car") == "Utile"
    assert "canevas:va" not in state.texts.fields() and "canevas:inconnu" not in state.texts.fields()
    assert state.canevas_values == ["participation"]


# -- item limits ---------------------------------------------------------------------------------

ANSWER = {"table": "Les usagers"}

LIMITS = {
    "reformulations": ("REFORMULATIONS_MAX", "2", Tool.REFORMULATIONS, lambda n: CreateReformulation(n, ANSWER)),
    "idées": ("IDEAS_MAX", "2", Tool.IDEAS, lambda n: CreateIdea(n, QUESTION, "Une idée")),
    "sous-actions": ("SOUS_ACTIONS_MAX", "3", Tool.SOUS_ACTIONS, lambda n: CreateSousAction(n, "Une sous-action")),
    "étapes": ("ETAPES_MAX", "3", Tool.ROADMAP, lambda n: CreateEtape(n, "Une étape")),
}  # fmt: skip


@pytest.mark.parametrize("label", list(LIMITS))
def test_item_limits(label: str, monkeypatch: pytest.MonkeyPatch) -> None:
    name, format_key, tool, make = LIMITS[label]
    state, now = open_atelier(format_key, tool)
    count = {
        "reformulations": lambda: len(state.reformulations),
        "idées": lambda: len(state.ideas),
        "sous-actions": lambda: len(state.sous_actions),
        "étapes": lambda: len(state.roadmap.etapes),
    }[label]
    monkeypatch.setattr(f"app.domain.limits.{name}", count() + 1)
    apply_op(state, make("last"), PART, now)
    assert_refused(state, make("one-more"), PART, now, LimitReached, f"{count()} {label}")
    assert_refused(state, make("one-more"), REF, now, LimitReached, f"{count()} {label}")  # the team too


def test_a_refused_operation_leaves_a_busy_atelier_untouched() -> None:
    state = engagement_atelier("3")
    apply_op(state, ImportCanevas({"titre": "Repris"}, ("transparence",), {"atelier_id": "f2"}), SYSTEM, T0)
    now = set_moment(state, Tool.ROADMAP, Moment.OPEN)
    apply_op(state, UpdateText(f"sous_action:sa-{PART}", client_update("Avant ")), PART, now)
    apply_op(state, MergeSousAction(f"sa-{OTHER}", f"sa-{PART}"), REF, now)
    apply_op(state, etape_update(start="2026-T2", duration_months=4), PART, now)
    assert_refused(state, UpdateText("canevas:titre", b"\xff" * 8), REF, now, InvalidOperation, "illisible")
    assert_refused(state, etape_update(start="2026-13"), PART, now, InvalidOperation, "Début")
    assert_refused(state, MoveEtape(f"et-{PART}", 99), PART, now, InvalidOperation, "Position")


def test_step_of_tools_in_the_kit() -> None:
    """The steps the domain tests rely on, as the kit orders them."""
    f2, f3 = engagement_atelier("2"), engagement_atelier("3")
    assert [step_with(f2, tool) for tool in (Tool.SUBJECT, Tool.REFORMULATIONS, Tool.IDEAS, Tool.CANEVAS)] == [
        2, 3, 4, 5,
    ]  # fmt: skip
    assert [step_with(f3, tool) for tool in (Tool.CANEVAS, Tool.SOUS_ACTIONS, Tool.ROADMAP)] == [2, 4, 5]
