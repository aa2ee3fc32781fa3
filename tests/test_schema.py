"""The published JSON Schema of the deliverable, through the ASGI app.

A full atelier of each format, and a démarche #1 → #2 → #3, are played over the WebSocket as people
would; the deliverables the API gives validate against docs/deliverable.schema.json, come back byte for
byte the same (asked twice, and after a restart of the app on the same database), and carry the OGP
commitment. The app serves the schema files as they are; older versions still read what they described.
"""

from __future__ import annotations

import contextlib
import json
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from fastapi import FastAPI
from helpers import WsClient, bearer, connected, create_atelier, join, text_update
from jsonschema import Draft202012Validator
from starlette.testclient import TestClient

from app.export.deliverable import SCHEMA_VERSION
from app.web.schema import SCHEMA_FILES

ROOT = Path(__file__).resolve().parents[1]
CURRENT = ROOT / "docs" / "deliverable.schema.json"
OLD_VERSIONS = {
    "0.1.0": ROOT / "docs" / "schemas" / "deliverable-0.1.0.schema.json",
    "0.2.0": ROOT / "docs" / "schemas" / "deliverable-0.2.0.schema.json",
    "0.3.0": ROOT / "docs" / "schemas" / "deliverable-0.3.0.schema.json",
    "0.4.0": ROOT / "docs" / "schemas" / "deliverable-0.4.0.schema.json",
}
ADMINISTRATION = "Mairie de Lyon"


def load(path: Path) -> dict[str, Any]:
    return json.loads(path.read_text(encoding="utf-8"))  # type: ignore[no-any-return]


def validator(path: Path = CURRENT) -> Draft202012Validator:
    return Draft202012Validator(load(path), format_checker=Draft202012Validator.FORMAT_CHECKER)


def errors(document: Any, path: Path = CURRENT) -> list[str]:
    return [f"{list(error.absolute_path)}: {error.message}" for error in validator(path).iter_errors(document)]


def assert_valid(document: Any, path: Path = CURRENT) -> None:
    found = errors(document, path)
    assert not found, found


def schema_for(document: dict[str, Any]) -> Path:
    """How a reader picks the schema of a deliverable: by its `schema_version` (docs/deliverable.md)."""
    return CURRENT if document["schema_version"] == SCHEMA_VERSION else OLD_VERSIONS[document["schema_version"]]


# -- playing ateliers through the app ----------------------------------------------------------------


class Team:
    """The people of one atelier: a référent-animateur, a challengeur, a complice and two participants,
    all joined with the atelier's links and given their roles by the référent."""

    def __init__(self, client: TestClient, atelier: dict[str, Any]) -> None:
        self.client, self.atelier = client, atelier
        self.referent = join(client, atelier, "animateur", "Alex", "Durand", "DITP")
        self.challengeur = join(client, atelier, "participant", "Lou", "Bernard", "DITP")
        self.complice = join(client, atelier, "participant", "Noa", "Petit", "SGAR")
        self.camille = join(client, atelier, "participant", "Camille", "Martin", "CAF")
        self.sam = join(client, atelier, "participant", "Sam", "Roux", "")

    @contextlib.contextmanager
    def sockets(self) -> Iterator[tuple[WsClient, WsClient, WsClient, WsClient, WsClient]]:
        """Everyone connected, roles given: (référent, challengeur, complice, Camille, Sam)."""
        with (
            connected(self.client, self.atelier, self.referent) as ref,
            connected(self.client, self.atelier, self.challengeur) as lou,
            connected(self.client, self.atelier, self.complice) as noa,
            connected(self.client, self.atelier, self.camille) as cam,
            connected(self.client, self.atelier, self.sam) as sam,
        ):
            ok(ref, "member.set_role", member_id=self.challengeur["member_id"], role="challengeur")
            ok(ref, "member.set_role", member_id=self.complice["member_id"], role="complice")
            yield ref, lou, noa, cam, sam


def ok(ws: WsClient, type: str, **fields: Any) -> None:
    """Send an operation and wait for its ack."""
    ws.ack(ws.send_op(type, **fields))


def write(ws: WsClient, field: str, text: str) -> None:
    ok(ws, "text.update", field=field, update=text_update(text))


def play_format_1(client: TestClient, atelier: dict[str, Any]) -> Team:
    """Cards posted at step 4, placed on the matrice at step 6, one priority, notes."""
    team = Team(client, atelier)
    with team.sockets() as (ref, lou, noa, cam, sam):
        write(noa, "notes:1", "Tour de table : cinq personnes.")
        ok(lou, "step.goto", index=3)  # « Identifier »: the cards open
        ok(cam, "card.create", card_id="menus", title="Publier les menus", description="Chaque semaine, en CSV.")
        ok(sam, "card.create", card_id="rdv", title="Rendez-vous en ligne")
        ok(cam, "card.create", card_id="eau", title="Qualité de l'eau", description="Les relevés.")
        ok(ref, "step.goto", index=5)  # the matrice
        ok(cam, "card.place", card_id="menus", desirability=0.9, feasibility=0.8)
        ok(sam, "card.place", card_id="rdv", desirability=0.2, feasibility=0.3)
        ok(ref, "card.priority", card_id="menus", priority=True)
        write(noa, "notes:5", "Les menus d'abord.")
        ok(ref, "step.goto", index=6)
    return team


def play_format_2(client: TestClient, atelier: dict[str, Any], *, set_subject: bool = True) -> Team:
    """Subject, reformulations, ideas by question, the co-written canevas and its values, notes."""
    team = Team(client, atelier)
    with team.sockets() as (ref, lou, noa, cam, sam):
        ok(ref, "step.goto", index=2)
        if set_subject:
            ok(ref, "subject.set", title="Publier les menus", description="Menus et allergènes en open data.")
        ok(lou, "step.goto", index=3)
        ok(cam, "reformulation.create", reformulation_id="r1",
           answers={"permet": "Il permet de mieux informer les familles", "horizon": "2027"})  # fmt: skip
        ok(sam, "reformulation.create", reformulation_id="r2", answers={"table": "Les parents"})
        ok(sam, "reformulation.update", reformulation_id="r2",
           answers={"table": "Les parents et les cuisiniers", "partage": "La CAF"})  # fmt: skip
        ok(lou, "step.goto", index=4)
        ok(cam, "idea.create", idea_id="i1", question="societe-civile-2", text="Un comité d'usagers")
        ok(sam, "idea.create", idea_id="i2", question="communes-2", text="Publier les appels d'offres")
        ok(cam, "idea.create", idea_id="i3", question="societe-civile-2", text="Un questionnaire en ligne")
        ok(lou, "step.goto", index=5)  # the canevas
        write(noa, "canevas:titre", "Des menus ouverts")
        write(noa, "canevas:porte_sur", "Mon engagement porte sur l'information des familles")
        write(cam, "canevas:c_est", "Mon engagement c'est publier les menus chaque semaine")
        write(sam, "canevas:va", "Mon engagement va associer les parents au choix des plats")
        ok(cam, "canevas.value", value="transparence", checked=True)
        ok(sam, "canevas.value", value="participation", checked=True)
        write(noa, "notes:5", "Canevas rempli ensemble.")
        ok(ref, "step.goto", index=6)
    return team


def play_format_3(client: TestClient, atelier: dict[str, Any], *, write_canevas: bool = True) -> Team:
    """The canevas completed (repond_a, utile_car, values), sous-actions written and merged, the feuille de
    route's étapes created, filled in and reordered, the horizon set, notes."""
    team = Team(client, atelier)
    with team.sockets() as (ref, lou, noa, cam, sam):
        ok(ref, "step.goto", index=2)  # « Je décris mon engagement »: the canevas
        if write_canevas:  # otherwise carried over from a #2
            write(noa, "canevas:titre", "Des menus ouverts")
            write(noa, "canevas:porte_sur", "Mon engagement porte sur l'information des familles")
            write(noa, "canevas:c_est", "Mon engagement c'est publier les menus")
            write(noa, "canevas:va", "Mon engagement va associer les parents")
        write(cam, "canevas:repond_a", "Mon engagement répond au besoin d'information des parents")
        write(sam, "canevas:utile_car", "Mon engagement est utile car les familles choisissent mieux")
        ok(cam, "canevas.value", value="participation", checked=True)
        ok(sam, "canevas.value", value="collaboration", checked=True)
        ok(lou, "step.goto", index=4)  # « Je liste des sous-actions »
        ok(cam, "sous_action.create", sous_action_id="s1", text="Former les cuisiniers")
        ok(sam, "sous_action.create", sous_action_id="s2", text="Publier un jeu de données")
        ok(cam, "sous_action.create", sous_action_id="s3", text="Publier les données")
        write(sam, "sous_action:s2", " chaque semaine")
        ok(noa, "sous_action.merge", sous_action_id="s3", into_id="s2")
        ok(lou, "step.goto", index=5)  # the feuille de route
        ok(ref, "roadmap.horizon", start_year=2026, end_year=2029)
        ok(cam, "etape.create", etape_id="e1", sous_action_id="s2")
        ok(sam, "etape.create", etape_id="e2", title="Lancer le comité")
        ok(cam, "etape.create", etape_id="e3", sous_action_id="s1", index=0)
        ok(cam, "etape.update", etape_id="e1", title="Publier le jeu de données", start="2026-T2",
           duration_months=6, owner="DSI", livrable="Un jeu de données")  # fmt: skip
        ok(sam, "etape.update", etape_id="e2", title="Lancer le comité", start="2027", owner="Mairie",
           livrable="Un comité d'usagers")  # fmt: skip
        ok(cam, "etape.update", etape_id="e3", title="Former les cuisiniers", start="2026-11", duration_months=3,
           owner="Cuisine centrale", livrable="Des cuisiniers formés")  # fmt: skip
        ok(sam, "etape.move", etape_id="e2", index=0)  # e2, e3, e1
        write(noa, "notes:5", "Trois étapes.")
        ok(ref, "step.goto", index=6)
    return team


PLAY = {"1": play_format_1, "2": play_format_2, "3": play_format_3}


def fetch(client: TestClient, url: str, token: str) -> bytes:
    response = client.get(url, headers=bearer(token))
    assert response.status_code == 200, response.text
    assert response.headers["content-type"] == "application/json"
    return response.content


def atelier_deliverable(client: TestClient, atelier: dict[str, Any]) -> bytes:
    return fetch(client, f"/api/ateliers/{atelier['id']}/deliverable.json", atelier["animateur_token"])


def demarche_deliverable(client: TestClient, demarche: dict[str, Any]) -> bytes:
    return fetch(client, f"/api/demarches/{demarche['id']}/deliverable.json", demarche["animateur_token"])


def create_demarche(client: TestClient) -> dict[str, Any]:
    response = client.post(
        "/api/demarches", json={"title": "Plan gouvernement ouvert", "administration": ADMINISTRATION}
    )
    assert response.status_code == 201, response.text
    return response.json()  # type: ignore[no-any-return]


def add_atelier(client: TestClient, demarche: dict[str, Any], format: str, title: str) -> dict[str, Any]:
    response = client.post(
        f"/api/demarches/{demarche['id']}/ateliers",
        json={"title": title, "format": format, "date": "2026-12-01"},
        headers=bearer(demarche["animateur_token"]),
    )
    assert response.status_code == 201, response.text
    return response.json()  # type: ignore[no-any-return]


def play_demarche(client: TestClient) -> tuple[dict[str, Any], list[dict[str, Any]]]:
    """A démarche #1 → #2 → #3: the #2 takes the #1's only priority card, the #3 takes the #2's canevas."""
    demarche = create_demarche(client)
    f1 = add_atelier(client, demarche, "1", "Choisir nos sujets")
    play_format_1(client, f1)
    f2 = add_atelier(client, demarche, "2", "Formuler l'engagement")
    assert f2["carried_over"]["subject"]["title"] == "Publier les menus"
    play_format_2(client, f2, set_subject=False)
    f3 = add_atelier(client, demarche, "3", "Décrire la feuille de route")
    assert f3["carried_over"]["canevas"]["texts"]["titre"] == "Des menus ouverts"
    play_format_3(client, f3, write_canevas=False)
    return demarche, [f1, f2, f3]


# -- every format validates ---------------------------------------------------------------------------


@pytest.mark.parametrize("format_key", ["1", "2", "3"])
def test_a_full_atelier_of_each_format_gives_a_valid_deliverable(client: TestClient, format_key: str) -> None:
    atelier = create_atelier(client, format=format_key, title="Ouvrir les données des cantines",
                             administration=ADMINISTRATION)  # fmt: skip
    team = PLAY[format_key](client, atelier)
    raw = atelier_deliverable(client, atelier)
    body = json.loads(raw)
    assert_valid(body)
    assert body["schema_version"] == SCHEMA_VERSION == "0.5.0"
    assert body["kind"] == {"1": "fiche-sujets", "2": "canevas", "3": "feuille-de-route"}[format_key]
    assert body["atelier"]["format"]["key"] == format_key
    assert body["atelier"]["date"] == "2026-11-20"
    # The animation team, by role, and every participant with their structure.
    assert [(m["first_name"], m["role"], m["role_label"]) for m in body["animation_team"]] == [
        ("Alex", "referent", "Référent-animateur"),
        ("Lou", "challengeur", "Animateur-challengeur"),
        ("Noa", "complice", "Complice"),
    ]
    assert [(p["first_name"], p["last_name"], p["structure"], p["role"]) for p in body["participants"]] == [
        ("Alex", "Durand", "DITP", "referent"),
        ("Lou", "Bernard", "DITP", "challengeur"),
        ("Noa", "Petit", "SGAR", "complice"),
        ("Camille", "Martin", "CAF", "participant"),
        ("Sam", "Roux", "", "participant"),
    ]
    assert body["notes"][5]["text"] and body["questionnaire"]["responses"] == 0
    if format_key == "1":
        assert [card["id"] for card in body["cards"]] == ["menus", "rdv", "eau"]
        assert body["cards"][0]["author"] == {"id": team.camille["member_id"], "name": "Camille Martin",
                                              "structure": "CAF"}  # fmt: skip
        assert body["cards"][0]["matrix"]["quadrant"] == "prioritaire" and body["priorities"] == ["menus"]
        assert body["ogp_commitment"] is None
    else:
        assert body["ogp_commitment"]["commitment_title"] == "Des menus ouverts"
        assert body["ogp_commitment"]["lead_agency"] == ADMINISTRATION
    if format_key == "2":
        assert [r["id"] for r in body["reformulations"]] == ["r1", "r2"]
        assert [group["question"]["key"] for group in body["ideas"]] == ["communes-2", "societe-civile-2"]
        assert [v["key"] for v in body["canevas"]["values"] if v["checked"]] == ["transparence", "participation"]
    if format_key == "3":
        assert [(s["id"], s["merged_into"]) for s in body["sous_actions"]] == [("s1", None), ("s2", None), ("s3", "s2")]
        assert [e["id"] for e in body["roadmap"]["etapes"]] == ["e2", "e3", "e1"]
        assert body["roadmap"]["horizon"] == {"start_year": 2026, "end_year": 2029}
    # Asked again: the same bytes.
    assert atelier_deliverable(client, atelier) == raw


def test_a_format_3_maps_onto_the_ogp_commitment_template(client: TestClient) -> None:
    atelier = create_atelier(client, format="3", title="Ouvrir les données des cantines", administration=ADMINISTRATION)
    play_format_3(client, atelier)
    ogp = json.loads(atelier_deliverable(client, atelier))["ogp_commitment"]
    assert ogp["commitment_title"] == "Des menus ouverts"
    assert ogp["problem_addressed"] == (
        "Mon engagement porte sur l'information des familles\n\n"
        "Mon engagement répond au besoin d'information des parents"
    )
    assert ogp["description"] == "Mon engagement c'est publier les menus\n\nMon engagement va associer les parents"
    assert ogp["contribution"] == "Mon engagement est utile car les familles choisissent mieux"
    assert ogp["ogp_values"] == [
        {"key": "participation", "label": "Participation", "ogp_value": "participation"},
        {"key": "collaboration", "label": "Collaboration", "ogp_value": "collaboration"},
    ]
    assert ogp["lead_agency"] == ADMINISTRATION
    milestones = [
        (m["etape_id"], m["title"], m["start"], m["end"], m["livrable"], m["pilote"]) for m in ogp["milestones"]
    ]
    assert milestones == [
        ("e2", "Lancer le comité", "2027-01", None, "Un comité d'usagers", "Mairie"),  # a year, no duration
        ("e3", "Former les cuisiniers", "2026-11", "2027-01", "Des cuisiniers formés", "Cuisine centrale"),
        ("e1", "Publier le jeu de données", "2026-04", "2026-09", "Un jeu de données", "DSI"),  # a quarter
    ]  # fmt: skip
    assert ogp["source_ateliers"] == [
        {"atelier_id": atelier["id"], "atelier_title": "Ouvrir les données des cantines", "card_id": None,
         "provides": ["canevas", "milestones"]},
    ]  # fmt: skip


# -- a démarche ---------------------------------------------------------------------------------------


def test_a_demarche_gives_the_deliverables_of_its_ateliers_in_order(client: TestClient) -> None:
    demarche, ateliers = play_demarche(client)
    raw = demarche_deliverable(client, demarche)
    body = json.loads(raw)
    assert_valid(body)
    assert list(body) == ["schema_version", "kind", "demarche", "ateliers"]
    assert (body["schema_version"], body["kind"]) == (SCHEMA_VERSION, "demarche")
    assert body["demarche"] == {
        "id": demarche["id"],
        "title": "Plan gouvernement ouvert",
        "administration": ADMINISTRATION,
    }
    assert [doc["kind"] for doc in body["ateliers"]] == ["fiche-sujets", "canevas", "feuille-de-route"]
    # Each one exactly as the atelier's own deliverable.
    assert body["ateliers"] == [json.loads(atelier_deliverable(client, atelier)) for atelier in ateliers]
    assert demarche_deliverable(client, demarche) == raw

    f1, f2, f3 = ateliers
    _, canevas, feuille = body["ateliers"]
    assert all(doc["atelier"]["administration"] == ADMINISTRATION for doc in body["ateliers"])
    # Provenance: the #2's subject is the #1's priority card, the #3's canevas is the #2's.
    assert canevas["subject"]["source"] == {
        "atelier_id": f1["id"],
        "card_id": "menus",
        "atelier_title": "Choisir nos sujets",
    }
    assert canevas["ogp_commitment"]["source_ateliers"] == [
        {"atelier_id": f1["id"], "atelier_title": "Choisir nos sujets", "card_id": "menus", "provides": ["subject"]},
        {"atelier_id": f2["id"], "atelier_title": "Formuler l'engagement", "card_id": None, "provides": ["canevas"]},
    ]  # fmt: skip
    assert feuille["canevas"]["source"] == {"atelier_id": f2["id"], "atelier_title": "Formuler l'engagement"}
    assert feuille["ogp_commitment"]["source_ateliers"] == [
        {"atelier_id": f2["id"], "atelier_title": "Formuler l'engagement", "card_id": None,
         "provides": ["subject", "canevas"]},
        {"atelier_id": f3["id"], "atelier_title": "Décrire la feuille de route", "card_id": None,
         "provides": ["canevas", "milestones"]},
    ]  # fmt: skip
    # The #3's commitment reads the canevas carried over from the #2 and completed in the #3.
    ogp = feuille["ogp_commitment"]
    assert ogp["commitment_title"] == "Des menus ouverts"
    assert ogp["description"] == (
        "Mon engagement c'est publier les menus chaque semaine\n\n"
        "Mon engagement va associer les parents au choix des plats"
    )
    assert [v["key"] for v in ogp["ogp_values"]] == ["transparence", "participation", "collaboration"]
    assert [m["end"] for m in ogp["milestones"]] == [None, "2027-01", "2026-09"]


def test_an_empty_demarche_gives_a_valid_deliverable(client: TestClient) -> None:
    demarche = create_demarche(client)
    body = json.loads(demarche_deliverable(client, demarche))
    assert body["ateliers"] == []
    assert_valid(body)


def test_the_demarche_deliverable_needs_the_demarche_token(client: TestClient) -> None:
    demarche, other = create_demarche(client), create_demarche(client)
    atelier = add_atelier(client, demarche, "1", "Choisir nos sujets")
    url = f"/api/demarches/{demarche['id']}/deliverable.json"
    missing = client.get(url)
    assert missing.status_code == 401 and missing.headers["www-authenticate"] == "Bearer"
    for wrong in ("nope", other["animateur_token"], atelier["animateur_token"]):
        refused = client.get(url, headers=bearer(wrong))
        assert refused.status_code == 403 and refused.json() == {"detail": "Jeton invalide pour cette démarche."}
    unknown = client.get("/api/demarches/inconnue/deliverable.json", headers=bearer(demarche["animateur_token"]))
    assert unknown.status_code == 404 and unknown.json() == {"detail": "Démarche introuvable."}


# -- reproducible across a restart --------------------------------------------------------------------


def test_the_same_state_gives_the_same_bytes_after_a_restart(make_app: Callable[..., FastAPI]) -> None:
    """Rebuilt from a snapshot and the log after it (snapshot_every=7), every deliverable is byte-identical."""
    with TestClient(make_app(snapshot_every=7)) as client:
        demarche, ateliers = play_demarche(client)
        before = [atelier_deliverable(client, atelier) for atelier in ateliers]
        whole = demarche_deliverable(client, demarche)
    with TestClient(make_app(snapshot_every=7)) as client:
        assert demarche_deliverable(client, demarche) == whole
        assert [atelier_deliverable(client, atelier) for atelier in ateliers] == before
    for raw in (*before, whole):
        assert_valid(json.loads(raw))


# -- the schema files and their service ---------------------------------------------------------------


@pytest.mark.parametrize("path", [CURRENT, *OLD_VERSIONS.values()], ids=lambda path: path.name)
def test_every_schema_file_is_a_draft_2020_12_schema(path: Path) -> None:
    schema = load(path)
    Draft202012Validator.check_schema(schema)
    assert schema["$schema"] == "https://json-schema.org/draft/2020-12/schema"
    version = schema["properties"]["schema_version"]["const"]
    assert schema["$id"] == f"/schemas/deliverable-{version}.json"
    assert schema["title"] and schema["description"]
    assert path == schema_for({"schema_version": version})
    assert SCHEMA_FILES[version] == path  # the app serves it under its version


def test_the_current_schema_is_the_version_the_app_writes() -> None:
    assert load(CURRENT)["properties"]["schema_version"]["const"] == SCHEMA_VERSION
    assert set(SCHEMA_FILES) == {*OLD_VERSIONS, SCHEMA_VERSION}


def _properties(node: Any, where: str = "") -> Iterator[tuple[str, dict[str, Any]]]:
    """Every (path, schema) under a `properties` keyword, anywhere in `node`."""
    if isinstance(node, dict):
        for key, value in node.items():
            if key == "properties" and isinstance(value, dict):
                for name, schema in value.items():
                    yield f"{where}.{name}", schema
            yield from _properties(value, f"{where}/{key}")
    elif isinstance(node, list):
        for index, item in enumerate(node):
            yield from _properties(item, f"{where}[{index}]")


def test_the_current_schema_describes_every_field_and_closes_fixed_shapes() -> None:
    schema = load(CURRENT)
    defs = schema["$defs"]
    for where, field in _properties(schema):
        if any(part in where for part in ("/if", "/prefixItems", "/allOf")):
            continue  # a condition on `kind`, or a refinement of a described definition (a key's const)
        by_ref = "$ref" in field and "description" in defs[field["$ref"].removeprefix("#/$defs/")]
        assert "description" in field or by_ref, f"{where} has no description"
    for name, definition in defs.items():
        if "allOf" in definition:  # a dispatch on `kind`: each branch is closed
            continue
        if "properties" in definition and definition.get("type") in ("object", ["object", "null"]):
            assert "required" in definition, name
            if name == "source":  # carry-over provenance: string values, open on purpose
                assert definition["additionalProperties"] == {"type": "string"}
            else:
                assert definition.get("additionalProperties") is False, name


def test_the_schema_is_strict_where_the_shape_is_fixed(client: TestClient) -> None:
    atelier = create_atelier(client, format="3")
    body = json.loads(atelier_deliverable(client, atelier))
    assert_valid(body)
    assert errors(body | {"questionnaire": {"answers": 3}})  # results have a fixed shape
    assert errors(body | {"surprise": 1})
    assert errors({key: value for key, value in body.items() if key != "ogp_commitment"})
    assert errors(body | {"kind": "canevas"})  # a Format 3 atelier is not a canevas
    assert errors(body | {"ogp_commitment": None})
    assert errors(body | {"schema_version": "0.2.0"})
    broken = json.loads(json.dumps(body))
    broken["atelier"]["date"] = "2026-13-45"  # the format checker reads dates
    assert errors(broken)
    assert errors({"schema_version": SCHEMA_VERSION, "kind": "demarche", "demarche": {}, "ateliers": [body]})


def test_the_app_serves_the_schema_files_as_they_are(client: TestClient) -> None:
    current = client.get("/schemas/deliverable.json")  # public: no token
    assert current.status_code == 200
    assert current.headers["content-type"] == "application/schema+json"
    assert current.content == CURRENT.read_bytes()
    assert client.get(f"/schemas/deliverable-{SCHEMA_VERSION}.json").content == CURRENT.read_bytes()
    for version, path in OLD_VERSIONS.items():
        response = client.get(f"/schemas/deliverable-{version}.json")
        assert response.status_code == 200 and response.content == path.read_bytes()
    for unknown in ("9.9.9", "latest", "0.2", "x" * 300):
        response = client.get(f"/schemas/deliverable-{unknown}.json")
        assert response.status_code == 404, unknown
        assert response.headers["content-type"] == "application/json"
        assert response.json()["detail"].startswith("Version de schéma inconnue")


def test_the_openapi_page_documents_the_schemas_and_the_demarche_deliverable(client: TestClient) -> None:
    paths = client.get("/openapi.json").json()["paths"]
    current = paths["/schemas/deliverable.json"]["get"]
    assert "application/schema+json" in current["responses"]["200"]["content"]
    assert "security" not in current
    versioned = paths["/schemas/deliverable-{version}.json"]["get"]
    assert "0.1.0, 0.2.0, 0.3.0, 0.4.0, 0.5.0" in versioned["description"] and "404" in versioned["responses"]
    demarche = paths["/api/demarches/{demarche_id}/deliverable.json"]["get"]
    assert demarche["security"] and "demarche" in demarche["description"]
    page = client.get("/api").text
    assert "/schemas/deliverable.json" in page and "/api/demarches/{demarche_id}/deliverable.json" in page


# -- older versions stay readable ---------------------------------------------------------------------

AUTHOR = {"id": "m-cam", "name": "Camille Martin", "structure": "CAF"}
PARTICIPANTS = [
    {"id": "m-alex", "first_name": "Alex", "last_name": "Durand", "structure": "DITP", "role": "referent"},
    {"id": "m-cam", "first_name": "Camille", "last_name": "Martin", "structure": "CAF", "role": "participant"},
]


def notes(titles: list[str]) -> list[dict[str, Any]]:
    return [{"step": index, "title": title, "text": ""} for index, title in enumerate(titles, start=1)]


def atelier(format_key: str, title: str) -> dict[str, Any]:
    return {"id": "T9j9C0ECK223", "title": "Accueil des usagers", "administration": "Préfecture",
            "date": "2026-10-01", "format": {"key": format_key, "title": title}}  # fmt: skip


def fiche_sujets(version: str, format_key: str = "1") -> dict[str, Any]:
    """A fiche sujets as versions 0.1.0 and 0.2.0 wrote it."""
    return {
        "schema_version": version, "kind": "fiche-sujets", "seq": 12,
        "atelier": atelier(format_key, "Je choisis mes sujets"),
        "participants": PARTICIPANTS,
        "cards": [
            {"id": "c1", "title": "Formulaire unique", "description": "Une seule saisie.", "author": AUTHOR,
             "created_at": 1790000001.25, "priority": True,
             "matrix": {"desirability": 0.9, "feasibility": 0.75, "quadrant": "prioritaire"}},
            {"id": "c2", "title": "Rendez-vous en ligne", "description": "", "created_at": 1790000002.5,
             "author": {"id": "gone", "name": None, "structure": None},  # no longer a member
             "matrix": {"desirability": None, "feasibility": None, "quadrant": None}, "priority": False},
        ],
        "priorities": ["c1"],
        "notes": notes(["Introduction", "Tour de table"]),
    }  # fmt: skip


def feuille_de_route_0_2_0() -> dict[str, Any]:
    """A Format 3 deliverable as version 0.2.0 wrote it (docs/protocol.md §2.1)."""
    fields = [("titre", "Des menus ouverts"), ("porte_sur", ""), ("c_est", ""), ("va", "Publier chaque semaine"),
              ("repond_a", ""), ("utile_car", "")]  # fmt: skip
    source = {"atelier_id": "vZVl_RSOMqs0", "atelier_title": "Formuler l'engagement"}
    return {
        "schema_version": "0.2.0", "kind": "feuille-de-route", "seq": 20,
        "atelier": atelier("3", "Je décris ma feuille de route"),
        "participants": PARTICIPANTS,
        "subject": {"title": "Publier les menus", "description": "Chaque semaine.", "source": source},
        "reformulations": [], "ideas": [],
        "canevas": {
            "fields": [{"key": key, "label": f"Question {key}", "text": text} for key, text in fields],
            "values": [{"key": "transparence", "label": "Transparence", "checked": True},
                       {"key": "participation", "label": "Participation", "checked": False},
                       {"key": "collaboration", "label": "Collaboration", "checked": False}],
            "source": source,
        },
        "sous_actions": [
            {"id": "sa-1", "text": "Former les cuisiniers", "author": AUTHOR, "created_at": 1795380120.88,
             "merged_into": None},
            {"id": "sa-2", "text": "Mettre en ligne", "author": AUTHOR, "created_at": 1795380121.5,
             "merged_into": "sa-1"},
        ],
        "roadmap": {"horizon": {"start_year": 2027, "end_year": 2029}, "etapes": [
            {"position": 1, "id": "e-1", "title": "Former les cuisiniers", "start": "2027-T2", "duration_months": 3,
             "owner": "DSI", "livrable": "Jeu de données", "sous_action_id": "sa-1", "author": AUTHOR},
        ]},
        "notes": notes(["Introduction"]),
    }  # fmt: skip


def canevas_0_2_0() -> dict[str, Any]:
    """A Format 2 deliverable as version 0.2.0 wrote it."""
    prompts = ["permet", "ambition", "table", "horizon", "partage"]
    return {
        "schema_version": "0.2.0", "kind": "canevas", "seq": 30,
        "atelier": atelier("2", "Je formule mon engagement"),
        "participants": PARTICIPANTS,
        "subject": None,
        "reformulations": [{"id": "r1", "author": AUTHOR, "created_at": 1795380120.6,
                            "answers": {key: {"label": f"{key}…", "text": ""} for key in prompts}}],
        "ideas": [{"column": {"key": "societe-civile", "title": "Société civile / citoyens"},
                   "question": {"key": "societe-civile-3", "text": "À quel moment aimerais-je collaborer ?"},
                   "ideas": [{"id": "i-1", "text": "Un comité", "author": AUTHOR, "created_at": 1795380120.61}]}],
        "canevas": {
            "fields": [{"key": key, "label": key, "text": ""} for key in ("titre", "porte_sur", "c_est", "va")],
            "values": [{"key": key, "label": key.title(), "checked": False}
                       for key in ("transparence", "participation", "collaboration")],
            "source": None,
        },
        "sous_actions": [],
        "roadmap": {"horizon": {"start_year": None, "end_year": None}, "etapes": []},
        "notes": notes(["Introduction"]),
    }  # fmt: skip


@pytest.mark.parametrize(
    ("version", "document"),
    [
        ("0.1.0", fiche_sujets("0.1.0")),
        ("0.1.0", fiche_sujets("0.1.0", format_key="2")),  # 0.1.0 gave a fiche sujets for every format
        ("0.2.0", fiche_sujets("0.2.0")),
        ("0.2.0", canevas_0_2_0()),
        ("0.2.0", feuille_de_route_0_2_0()),
    ],
    ids=["0.1.0-fiche", "0.1.0-format-2", "0.2.0-fiche", "0.2.0-canevas", "0.2.0-feuille"],
)
def test_old_deliverables_validate_against_their_own_version(version: str, document: dict[str, Any]) -> None:
    assert schema_for(document) == OLD_VERSIONS[version]
    assert_valid(document, OLD_VERSIONS[version])
    # Read with another version's schema, they do not pass: the reader picks by schema_version.
    assert errors(document, CURRENT)
    for other, path in OLD_VERSIONS.items():
        if other != version:
            assert errors(document, path)


NEW_IN_0_3_0 = ("animation_team", "ogp_commitment", "questionnaire")
NEW_IN_0_4_0 = ("reveals", "vote")


def test_old_schemas_refuse_what_their_version_did_not_write(client: TestClient) -> None:
    assert errors(fiche_sujets("0.1.0") | {"animation_team": []}, OLD_VERSIONS["0.1.0"])
    assert errors(fiche_sujets("0.2.0", format_key="2"), OLD_VERSIONS["0.2.0"])  # 0.2.0 wrote a canevas for it
    assert errors(feuille_de_route_0_2_0() | {"ogp_commitment": None}, OLD_VERSIONS["0.2.0"])
    # What the app writes now is not 0.3.0 nor 0.2.0: the new keys are refused by the old schemas.
    atelier_3 = create_atelier(client, format="3")
    current = json.loads(atelier_deliverable(client, atelier_3))
    assert errors(current | {"schema_version": "0.2.0"}, OLD_VERSIONS["0.2.0"])
    assert errors(current | {"schema_version": "0.3.0"}, OLD_VERSIONS["0.3.0"])
    assert not errors(
        {key: value for key, value in current.items() if key not in NEW_IN_0_4_0} | {"schema_version": "0.3.0"},
        OLD_VERSIONS["0.3.0"],
    )  # without them, a Format 3 document of 0.4.0 is a 0.3.0 one
    assert not errors(
        {key: value for key, value in current.items() if key not in (*NEW_IN_0_3_0, *NEW_IN_0_4_0)}
        | {"schema_version": "0.2.0"},
        OLD_VERSIONS["0.2.0"],
    )  # and without those of 0.3.0 too, a 0.2.0 one


def test_0_5_0_adds_the_speaker_of_each_card(client: TestClient) -> None:
    """0.5.0 only adds `speaker` to cards: without it, a fiche sujets of now is a 0.4.0 one."""
    atelier_1 = create_atelier(client)
    current = json.loads(atelier_deliverable(client, atelier_1))
    current["cards"] = [{"id": "c1", "title": "Formulaire unique", "description": "", "author": AUTHOR,
                         "speaker": AUTHOR, "anonymous": False, "created_at": 1790000001.25, "priority": False,
                         "matrix": {"desirability": None, "feasibility": None, "quadrant": None},
                         "dots": None}]  # fmt: skip
    assert_valid(current)
    as_0_4_0 = current | {"schema_version": "0.4.0"}
    assert errors(as_0_4_0, OLD_VERSIONS["0.4.0"])  # 0.4.0 never wrote a speaker
    as_0_4_0["cards"] = [{key: value for key, value in card.items() if key != "speaker"} for card in current["cards"]]
    assert not errors(as_0_4_0, OLD_VERSIONS["0.4.0"])
