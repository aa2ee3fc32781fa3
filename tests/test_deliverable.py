"""The deliverable of each format, built from ateliers played with the domain (decide, then evolve).

Format 1 gives the fiche sujets, Format 2 the canevas d'engagement, Format 3 the feuille de route;
the last two carry their OGP commitment. The same atelier gives byte-identical JSON, whether live,
replayed from its log or restored from a snapshot, and no clock is read. Every document made here
validates against the published schema, docs/deliverable.schema.json.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any
from unittest import mock

import pytest
from jsonschema import Draft202012Validator
from pycrdt import Doc, Text

from app.domain.errors import DomainError
from app.domain.events import Event, event_from_dict, event_to_dict
from app.domain.kit_tools import REFORMULATION_PROMPTS
from app.domain.operations import (
    CreateCard,
    CreateEtape,
    CreateIdea,
    CreateReformulation,
    CreateSousAction,
    DeleteIdea,
    DeleteSousAction,
    GotoStep,
    ImportCanevas,
    JoinMember,
    MarkPriority,
    MergeSousAction,
    MoveEtape,
    Operation,
    PlaceCard,
    SetCanevasValue,
    SetHorizon,
    SetRole,
    SetSubject,
    UpdateEtape,
    UpdateReformulation,
    UpdateText,
)
from app.domain.roles import Role
from app.domain.rules import SYSTEM, decide, evolve
from app.domain.state import AtelierState
from app.domain.texts import TEXT_NAME
from app.export.deliverable import SCHEMA_VERSION, deliverable
from app.export.ogp import end_month, start_month

NOW = 1_790_000_000.0
SCHEMA = json.loads((Path(__file__).resolve().parents[1] / "docs" / "deliverable.schema.json").read_text("utf-8"))
VALIDATOR = Draft202012Validator(SCHEMA, format_checker=Draft202012Validator.FORMAT_CHECKER)
ALEX, NOA, CAMILLE, SAM = "alex", "noa", "camille", "sam"


class Played:
    """An atelier played through the domain, with its JSON log (as a room stores it)."""

    def __init__(self, format_key: str) -> None:
        self.seed = {"atelier_id": f"f{format_key}", "title": "Ouvrir les données des cantines",
                     "administration": "Mairie de Lyon", "date": "2026-11-20", "format_key": format_key}  # fmt: skip
        self.state = AtelierState.new(**self.seed)  # type: ignore[arg-type]
        self.log: list[dict[str, Any]] = []
        self.now = NOW
        self.docs: dict[tuple[str, str], Doc[Text]] = {}
        for member_id, first, last, structure, role in (
            (ALEX, "Alex", "Durand", "DITP", Role.REFERENT),
            (NOA, "Noa", "Petit", "SGAR", Role.PARTICIPANT),
            (CAMILLE, "Camille", "Martin", "CAF", Role.PARTICIPANT),
            (SAM, "Sam", "Bernard", "", Role.PARTICIPANT),
        ):
            self.play(JoinMember(member_id, first, last, structure, role), SYSTEM)
        self.play(SetRole(NOA, Role.COMPLICE), ALEX)

    def play(self, op: Operation, actor: str) -> Event:
        self.now += 1
        event = decide(self.state, op, actor, self.now)
        evolve(self.state, event)
        self.log.append(json.loads(json.dumps(event_to_dict(event))))
        return event

    def goto(self, index: int) -> None:
        self.play(GotoStep(index), ALEX)

    def write(self, actor: str, field: str, words: str, *, at_start: bool = False, sync: bool = True) -> None:
        """`actor` types `words` in their own copy of `field`, made from the server's when first used
        (or empty if not `sync`: an edit concurrent with everything so far)."""
        doc = self.docs.get((actor, field))
        if doc is None:
            doc = self.docs[(actor, field)] = Doc[Text]()
            if sync:
                doc.apply_update(self.state.texts.state_update(field))
        text = doc.get(TEXT_NAME, type=Text)
        before = doc.get_state()
        text.insert(0 if at_start else len(text), words)
        self.play(UpdateText(field, doc.get_update(before)), actor)

    def replayed(self) -> AtelierState:
        state = AtelierState.new(**self.seed)  # type: ignore[arg-type]
        for entry in self.log:
            evolve(state, event_from_dict(entry))
        return state


def dumps(body: dict[str, Any]) -> str:
    return json.dumps(body, sort_keys=False, ensure_ascii=False)


def assert_deterministic(played: Played) -> None:
    seq = len(played.log)
    first = dumps(export(played.state, seq=seq))
    assert dumps(export(played.state, seq=seq)) == first
    assert dumps(export(played.replayed(), seq=seq)) == first
    restored = AtelierState.from_dict(json.loads(json.dumps(played.state.to_dict())))
    assert dumps(export(restored, seq=seq)) == first
    assert dumps(deliverable(played.state, seq=seq)) == first


def export(state: AtelierState, *, seq: int) -> dict[str, Any]:
    """The deliverable, made with every clock of `time` unplugged: the export reads none."""

    def forbidden() -> float:
        raise AssertionError("the deliverable read the clock")

    with (
        mock.patch("time.time", forbidden),
        mock.patch("time.monotonic", forbidden),
        mock.patch("time.time_ns", forbidden),
    ):
        body = deliverable(state, seq=seq)
    assert_valid(body)
    return body


def assert_valid(body: dict[str, Any]) -> None:
    """`body`, as JSON, validates against the published schema."""
    errors = [
        f"{list(error.absolute_path)}: {error.message}" for error in VALIDATOR.iter_errors(json.loads(dumps(body)))
    ]
    assert not errors, errors


PEOPLE = {
    ALEX: {"id": ALEX, "name": "Alex Durand", "structure": "DITP"},
    NOA: {"id": NOA, "name": "Noa Petit", "structure": "SGAR"},
    CAMILLE: {"id": CAMILLE, "name": "Camille Martin", "structure": "CAF"},
    SAM: {"id": SAM, "name": "Sam Bernard", "structure": ""},
}


def check_head(body: dict[str, Any], played: Played, kind: str) -> None:
    assert body["schema_version"] == SCHEMA_VERSION == "0.5.0"
    assert body["kind"] == kind
    assert body["seq"] == len(played.log)
    assert body["atelier"] == {
        "id": played.seed["atelier_id"],
        "title": "Ouvrir les données des cantines",
        "administration": "Mairie de Lyon",
        "date": "2026-11-20",
        "format": {"key": played.state.format_key, "title": played.state.deroule.title},
    }
    assert body["animation_team"] == [
        {"id": ALEX, "first_name": "Alex", "last_name": "Durand", "structure": "DITP", "role": "referent",
         "role_label": "Référent-animateur"},
        {"id": NOA, "first_name": "Noa", "last_name": "Petit", "structure": "SGAR", "role": "complice",
         "role_label": "Complice"},
    ]  # fmt: skip
    assert [p["id"] for p in body["participants"]] == [ALEX, NOA, CAMILLE, SAM]
    assert body["participants"][1] == {
        "id": NOA, "first_name": "Noa", "last_name": "Petit", "structure": "SGAR", "role": "complice",
    }  # fmt: skip
    assert [note["step"] for note in body["notes"]] == list(range(1, len(played.state.deroule.steps) + 1))
    assert [note["title"] for note in body["notes"]] == [step.title for step in played.state.deroule.steps]


# -- Format 1 ------------------------------------------------------------------------------------


def test_format_1_gives_the_fiche_sujets_unchanged() -> None:
    played = Played("1")
    played.goto(3)
    played.play(CreateCard("c1", "Publier les menus", "Chaque semaine."), CAMILLE)
    played.play(CreateCard("c2", "Rendez-vous en ligne", ""), SAM)
    played.play(PlaceCard("c1", 0.9, 0.75), CAMILLE)
    played.play(MarkPriority("c1", True), ALEX)
    played.write(NOA, "notes:3", "Deux sujets.")
    body = export(played.state, seq=len(played.log))

    assert list(body) == [
        "schema_version", "kind", "seq", "atelier", "animation_team", "participants", "cards", "priorities",
        "ogp_commitment", "notes", "reveals", "vote", "questionnaire",
    ]  # fmt: skip
    check_head(body, played, "fiche-sujets")
    assert body["cards"] == [
        {
            "id": "c1", "title": "Publier les menus", "description": "Chaque semaine.", "author": PEOPLE[CAMILLE],
            "anonymous": False, "speaker": None, "created_at": played.state.cards["c1"].created_at,
            "matrix": {"desirability": 0.9, "feasibility": 0.75, "quadrant": "prioritaire"}, "priority": True,
            "dots": None,
        },
        {
            "id": "c2", "title": "Rendez-vous en ligne", "description": "", "author": PEOPLE[SAM],
            "anonymous": False, "speaker": None, "created_at": played.state.cards["c2"].created_at,
            "matrix": {"desirability": None, "feasibility": None, "quadrant": None}, "priority": False,
            "dots": None,
        },
    ]  # fmt: skip
    assert body["priorities"] == ["c1"]
    assert body["reveals"] == [] and body["vote"] is None  # no silent reflection, no dot vote
    assert body["ogp_commitment"] is None  # no canevas in Format 1
    assert body["notes"][3]["text"] == "Deux sujets."
    assert_deterministic(played)


# -- Format 2 ------------------------------------------------------------------------------------


def format_2() -> Played:
    played = Played("2")
    source = {"atelier_id": "f1", "card_id": "c1"}
    played.play(SetSubject("Publier les menus", "Menus et allergènes en open data.", source), SYSTEM)
    played.goto(3)
    played.play(CreateReformulation("r1", {"permet": "Il permet de mieux informer", "horizon": "2027"}), CAMILLE)
    played.play(CreateReformulation("r2", {"table": "Les parents"}), SAM)
    played.play(UpdateReformulation("r2", {"table": "Les parents et les cuisiniers", "partage": "La CAF"}), SAM)
    played.goto(4)
    played.play(CreateIdea("i1", "societe-civile-2", "Un comité d'usagers"), SAM)
    played.play(CreateIdea("i2", "communes-1", "Des menus ouverts"), CAMILLE)
    played.play(CreateIdea("i3", "societe-civile-2", "Un questionnaire en ligne"), NOA)
    played.play(CreateIdea("i4", "communes-1", "Retirée"), CAMILLE)
    played.play(DeleteIdea("i4"), CAMILLE)
    played.goto(5)
    played.write(CAMILLE, "canevas:titre", "Des menus ouverts")
    played.write(CAMILLE, "canevas:c_est", "publier chaque semaine")
    played.write(SAM, "canevas:c_est", "Mon engagement c'est ", at_start=True, sync=False)  # concurrent
    played.play(SetCanevasValue("transparence", True), SAM)
    played.play(SetCanevasValue("participation", True), CAMILLE)
    played.write(NOA, "notes:5", "Canevas rempli ensemble.")
    return played


def test_format_2_gives_the_canevas() -> None:
    played = format_2()
    body = export(played.state, seq=len(played.log))
    assert list(body) == [
        "schema_version", "kind", "seq", "atelier", "animation_team", "participants", "subject", "reformulations",
        "ideas", "canevas", "sous_actions", "roadmap", "ogp_commitment", "notes", "reveals", "vote", "questionnaire",
    ]  # fmt: skip
    check_head(body, played, "canevas")
    assert body["subject"] == {
        "title": "Publier les menus",
        "description": "Menus et allergènes en open data.",
        "source": {"atelier_id": "f1", "card_id": "c1"},
    }

    first, second = body["reformulations"]
    assert (first["id"], first["author"], second["author"]) == ("r1", PEOPLE[CAMILLE], PEOPLE[SAM])
    assert first["created_at"] == played.state.reformulations["r1"].created_at
    assert list(first["answers"]) == [prompt.key for prompt in REFORMULATION_PROMPTS]
    assert first["answers"]["permet"] == {"label": "Il permet de…", "text": "Il permet de mieux informer"}
    assert first["answers"]["horizon"] == {"label": "Il est réalisable à l'horizon…", "text": "2027"}
    assert first["answers"]["table"] == {"label": "Il met autour de la table…", "text": ""}
    assert second["answers"]["table"]["text"] == "Les parents et les cuisiniers"
    assert second["answers"]["partage"]["text"] == "La CAF"

    # The questions that received ideas, in the kit's order (not the order the ideas came in).
    assert [group["question"]["key"] for group in body["ideas"]] == ["communes-1", "societe-civile-2"]
    groups = {group["question"]["key"]: group for group in body["ideas"]}
    civile = groups["societe-civile-2"]
    assert civile["column"] == {"key": "societe-civile", "title": "Société civile / citoyens"}
    assert civile["question"]["text"] == "De quelle manière aimerais-je collaborer ? Être consulté ?"
    assert [(idea["id"], idea["text"], idea["author"]["name"]) for idea in civile["ideas"]] == [
        ("i1", "Un comité d'usagers", "Sam Bernard"),
        ("i3", "Un questionnaire en ligne", "Noa Petit"),
    ]
    assert [idea["id"] for idea in groups["communes-1"]["ideas"]] == ["i2"]  # the deleted idea is gone
    assert groups["communes-1"]["column"] == {"key": "communes", "title": "Questions communes"}

    canevas = body["canevas"]
    assert [f["key"] for f in canevas["fields"]] == ["titre", "porte_sur", "c_est", "va"]
    fields = {f["key"]: f for f in canevas["fields"]}
    assert fields["titre"] == {"key": "titre", "label": "Titre de l'engagement", "text": "Des menus ouverts"}
    merged = fields["c_est"]["text"]  # two concurrent writers: every character kept, each run whole
    assert sorted([merged.replace("Mon engagement c'est ", ""), merged.replace("publier chaque semaine", "")]) == [
        "Mon engagement c'est ",
        "publier chaque semaine",
    ]
    assert merged == played.state.texts.text("canevas:c_est")
    assert fields["porte_sur"]["text"] == fields["va"]["text"] == ""
    assert canevas["values"] == [
        {"key": "transparence", "label": "Transparence", "checked": True},
        {"key": "participation", "label": "Participation", "checked": True},
        {"key": "collaboration", "label": "Collaboration", "checked": False},
    ]
    assert canevas["source"] is None
    assert body["sous_actions"] == []
    assert body["roadmap"] == {"horizon": {"start_year": 2026, "end_year": 2028}, "etapes": []}
    assert body["notes"][5]["text"] == "Canevas rempli ensemble."
    assert_deterministic(played)


# -- Format 3 ------------------------------------------------------------------------------------


def format_3() -> Played:
    played = Played("3")
    texts = {"titre": "Des menus ouverts", "va": "Publier chaque semaine", "repond_a": "Au besoin d'information"}
    played.play(ImportCanevas(texts, ("participation",), {"atelier_id": "f2"}), SYSTEM)
    played.goto(2)
    played.write(CAMILLE, "canevas:utile_car", "Mon engagement est utile car les parents savent")
    played.play(SetCanevasValue("transparence", True), CAMILLE)
    played.goto(4)
    played.play(CreateSousAction("s1", "Former les cuisiniers"), CAMILLE)
    played.play(CreateSousAction("s2", "Publier un jeu de données"), SAM)
    played.play(CreateSousAction("s3", "Publier les données"), NOA)
    played.play(CreateSousAction("s4", "Abandonnée"), SAM)
    played.write(SAM, "sous_action:s2", " chaque semaine")
    played.play(MergeSousAction("s3", "s2"), NOA)
    played.play(DeleteSousAction("s4"), SAM)
    played.goto(5)
    played.play(SetHorizon(2026, 2029), ALEX)
    played.play(CreateEtape("e1", "", "s2"), CAMILLE)
    played.play(CreateEtape("e2", "Lancer le comité"), SAM)
    played.play(CreateEtape("e3", "", "s1", 0), NOA)
    played.play(UpdateEtape("e1", "Publier le jeu de données", "2026-T2", 6, "DSI", "Un jeu de données"), CAMILLE)
    played.play(UpdateEtape("e2", "Lancer le comité", "2027", None, "", ""), SAM)
    played.play(MoveEtape("e2", 0), SAM)
    return played


def test_format_3_gives_the_feuille_de_route() -> None:
    played = format_3()
    body = export(played.state, seq=len(played.log))
    check_head(body, played, "feuille-de-route")
    assert body["subject"] is None and body["reformulations"] == body["ideas"] == []

    canevas = body["canevas"]
    assert [f["key"] for f in canevas["fields"]] == ["titre", "porte_sur", "c_est", "va", "repond_a", "utile_car"]
    texts = {f["key"]: f["text"] for f in canevas["fields"]}
    assert texts == {
        "titre": "Des menus ouverts", "porte_sur": "", "c_est": "", "va": "Publier chaque semaine",
        "repond_a": "Au besoin d'information", "utile_car": "Mon engagement est utile car les parents savent",
    }  # fmt: skip
    labels = {f["key"]: f["label"] for f in canevas["fields"]}
    assert labels["utile_car"] == "En quoi votre engagement est-il utile ?"
    assert [v["key"] for v in canevas["values"] if v["checked"]] == ["transparence", "participation"]
    assert canevas["source"] == {"atelier_id": "f2"}

    assert body["sous_actions"] == [
        {"id": "s1", "text": "Former les cuisiniers", "author": PEOPLE[CAMILLE],
         "created_at": played.state.sous_actions["s1"].created_at, "merged_into": None},
        {"id": "s2", "text": "Publier un jeu de données chaque semaine", "author": PEOPLE[SAM],
         "created_at": played.state.sous_actions["s2"].created_at, "merged_into": None},
        {"id": "s3", "text": "Publier les données", "author": PEOPLE[NOA],
         "created_at": played.state.sous_actions["s3"].created_at, "merged_into": "s2"},
    ]  # fmt: skip

    roadmap = body["roadmap"]
    assert roadmap["horizon"] == {"start_year": 2026, "end_year": 2029}
    assert roadmap["etapes"] == [
        {"position": 1, "id": "e2", "title": "Lancer le comité", "start": "2027", "duration_months": None,
         "owner": "", "livrable": "", "sous_action_id": None, "author": PEOPLE[SAM]},
        {"position": 2, "id": "e3", "title": "Former les cuisiniers", "start": "", "duration_months": None,
         "owner": "", "livrable": "", "sous_action_id": "s1", "author": PEOPLE[NOA]},
        {"position": 3, "id": "e1", "title": "Publier le jeu de données", "start": "2026-T2", "duration_months": 6,
         "owner": "DSI", "livrable": "Un jeu de données", "sous_action_id": "s2", "author": PEOPLE[CAMILLE]},
    ]  # fmt: skip
    assert_deterministic(played)


def test_a_deleted_sous_action_leaves_its_etape_unlinked() -> None:
    played = format_3()
    played.goto(4)
    played.play(DeleteSousAction("s1"), CAMILLE)
    body = export(played.state, seq=len(played.log))
    assert [item["id"] for item in body["sous_actions"]] == ["s2", "s3"]
    etape = next(etape for etape in body["roadmap"]["etapes"] if etape["id"] == "e3")
    assert (etape["title"], etape["sous_action_id"]) == ("Former les cuisiniers", None)


def test_the_same_state_gives_byte_identical_json_for_every_format() -> None:
    for played in (Played("1"), format_2(), format_3()):
        assert_deterministic(played)
        seq = len(played.log)
        assert dumps(export(played.state, seq=seq)) != dumps(export(played.state, seq=seq + 1))


def test_an_empty_engagement_atelier_gives_a_complete_document() -> None:
    for format_key, fields in (("2", 4), ("3", 6)):
        played = Played(format_key)
        body = export(played.state, seq=len(played.log))
        assert body["subject"] is None
        assert body["reformulations"] == body["ideas"] == body["sous_actions"] == []
        assert [field["text"] for field in body["canevas"]["fields"]] == [""] * fields
        assert not any(value["checked"] for value in body["canevas"]["values"])
        assert body["roadmap"]["etapes"] == []
        json.dumps(body)  # plain JSON


def test_refused_operations_leave_no_trace_in_the_deliverable() -> None:
    played = format_2()
    before = dumps(export(played.state, seq=len(played.log)))
    with pytest.raises(DomainError):
        played.play(CreateIdea("i9", "nope", "Hors sujet"), SAM)
    assert dumps(export(played.state, seq=len(played.log))) == before


# -- The animation team --------------------------------------------------------------------------


def test_the_animation_team_is_listed_by_role() -> None:
    played = Played("1")
    played.play(SetRole(SAM, Role.OBSERVER), ALEX)
    played.play(SetRole(CAMILLE, Role.CHALLENGEUR), ALEX)  # joined after Noa (complice): listed before her
    body = export(played.state, seq=len(played.log))
    assert [(m["id"], m["role"], m["role_label"]) for m in body["animation_team"]] == [
        (ALEX, "referent", "Référent-animateur"),
        (CAMILLE, "challengeur", "Animateur-challengeur"),
        (NOA, "complice", "Complice"),
    ]
    assert [p["role"] for p in body["participants"]] == ["referent", "complice", "challengeur", "observer"]


# -- The OGP commitment --------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("start", "month"),
    [("2026", (2026, 1)), ("2026-T1", (2026, 1)), ("2026-T2", (2026, 4)), ("2026-T4", (2026, 10)),
     ("2026-05", (2026, 5)), ("2026-12", (2026, 12)), ("", None), ("2026-13", None), ("26", None)],
)  # fmt: skip
def test_an_etape_start_is_its_first_month(start: str, month: tuple[int, int] | None) -> None:
    assert start_month(start) == month


@pytest.mark.parametrize(
    ("first", "months", "last"),
    [((2026, 4), 6, (2026, 9)), ((2026, 5), 1, (2026, 5)), ((2026, 11), 3, (2027, 1)), ((2026, 1), 24, (2027, 12)),
     ((2026, 12), 120, (2036, 11))],
)  # fmt: skip
def test_an_etape_ends_in_its_last_month(first: tuple[int, int], months: int, last: tuple[int, int]) -> None:
    assert end_month(first, months) == last


def test_format_2_maps_its_canevas_onto_the_ogp_template() -> None:
    played = format_2()
    body = export(played.state, seq=len(played.log))
    ogp = body["ogp_commitment"]
    assert list(ogp) == [
        "commitment_title", "problem_addressed", "description", "contribution", "ogp_values", "lead_agency",
        "milestones", "source_ateliers",
    ]  # fmt: skip
    assert ogp["commitment_title"] == "Des menus ouverts"
    assert ogp["problem_addressed"] == ""  # porte_sur not written
    assert ogp["description"] == played.state.texts.text("canevas:c_est").strip()  # va not written: c_est alone
    assert ogp["contribution"] == ""  # no utile_car in Format 2
    assert ogp["ogp_values"] == [
        {"key": "transparence", "label": "Transparence", "ogp_value": "transparency"},
        {"key": "participation", "label": "Participation", "ogp_value": "participation"},
    ]
    assert ogp["lead_agency"] == "Mairie de Lyon"
    assert ogp["milestones"] == []
    assert ogp["source_ateliers"] == [
        {"atelier_id": "f1", "atelier_title": None, "card_id": "c1", "provides": ["subject"]},
        {"atelier_id": "f2", "atelier_title": "Ouvrir les données des cantines", "card_id": None,
         "provides": ["canevas"]},
    ]  # fmt: skip


def test_format_3_maps_its_canevas_and_feuille_de_route_onto_the_ogp_template() -> None:
    played = format_3()
    played.write(ALEX, "canevas:porte_sur", "  Mon engagement porte sur les cantines \n")
    played.write(ALEX, "canevas:c_est", "Mon engagement c'est ouvrir les menus")
    played.play(SetCanevasValue("transparence", False), ALEX)
    played.play(SetCanevasValue("collaboration", True), ALEX)
    body = export(played.state, seq=len(played.log))
    ogp = body["ogp_commitment"]
    assert ogp["commitment_title"] == "Des menus ouverts"
    # Two canevas fields make one OGP field, trimmed and joined by a blank line.
    assert ogp["problem_addressed"] == "Mon engagement porte sur les cantines\n\nAu besoin d'information"
    assert ogp["description"] == "Mon engagement c'est ouvrir les menus\n\nPublier chaque semaine"
    assert ogp["contribution"] == "Mon engagement est utile car les parents savent"
    assert [(v["key"], v["label"], v["ogp_value"]) for v in ogp["ogp_values"]] == [
        ("participation", "Participation", "participation"),
        ("collaboration", "Collaboration", "collaboration"),
    ]
    assert ogp["lead_agency"] == "Mairie de Lyon"
    # The étapes in the feuille de route's order; an end only with a start and a duration.
    assert ogp["milestones"] == [
        {"position": 1, "etape_id": "e2", "title": "Lancer le comité", "start": "2027-01", "end": None,
         "duration_months": None, "livrable": "", "pilote": ""},
        {"position": 2, "etape_id": "e3", "title": "Former les cuisiniers", "start": None, "end": None,
         "duration_months": None, "livrable": "", "pilote": ""},
        {"position": 3, "etape_id": "e1", "title": "Publier le jeu de données", "start": "2026-04", "end": "2026-09",
         "duration_months": 6, "livrable": "Un jeu de données", "pilote": "DSI"},
    ]  # fmt: skip
    assert ogp["source_ateliers"] == [
        {"atelier_id": "f2", "atelier_title": None, "card_id": None, "provides": ["canevas"]},
        {"atelier_id": "f3", "atelier_title": "Ouvrir les données des cantines", "card_id": None,
         "provides": ["canevas", "milestones"]},
    ]  # fmt: skip
    assert_deterministic(played)


def test_a_source_atelier_giving_subject_and_canevas_is_listed_once() -> None:
    played = Played("3")
    source = {"atelier_id": "f2", "atelier_title": "Formuler l'engagement"}
    played.play(SetSubject("Publier les menus", "", source), SYSTEM)
    played.play(ImportCanevas({"titre": "Des menus ouverts"}, (), source), SYSTEM)
    ogp = export(played.state, seq=len(played.log))["ogp_commitment"]
    assert ogp["source_ateliers"] == [
        {"atelier_id": "f2", "atelier_title": "Formuler l'engagement", "card_id": None,
         "provides": ["subject", "canevas"]},
        {"atelier_id": "f3", "atelier_title": "Ouvrir les données des cantines", "card_id": None,
         "provides": ["canevas", "milestones"]},
    ]  # fmt: skip
    assert ogp["ogp_values"] == [] and ogp["milestones"] == []
