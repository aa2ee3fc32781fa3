"""The JSON API through the ASGI app: creation, capability checks, validation, the deliverable."""

from __future__ import annotations

import hashlib
import re
from pathlib import Path
from typing import Any

import pytest
from helpers import bearer, connected, create_atelier, db_rows, db_tables, join, text_update
from starlette.testclient import TestClient

URLSAFE = re.compile(r"^[A-Za-z0-9_-]+$")


def test_create_atelier_returns_its_links_and_tokens(client: TestClient) -> None:
    response = client.post(
        "/api/ateliers",
        json={"title": "  Simplifier   la demande ", "administration": "DITP", "format": "1", "date": "2026-11-20"},
    )
    assert response.status_code == 201, response.text
    body = response.json()
    assert set(body) == {
        "id",
        "title",
        "administration",
        "format",
        "date",
        "room_url",
        "animateur_url",
        "participant_url",
        "animateur_token",
        "participant_token",
    }
    assert body["title"] == "Simplifier la demande"  # runs of spaces collapsed
    assert (body["administration"], body["format"], body["date"]) == ("DITP", "1", "2026-11-20")
    for kind in ("animateur", "participant"):
        token = body[f"{kind}_token"]
        assert len(token) >= 22 and URLSAFE.match(token), token  # ≥ 128 random bits, urlsafe
        assert body[f"{kind}_url"].endswith(f"/a/{body['id']}/join/{token}")
    assert body["animateur_token"] != body["participant_token"]
    assert body["room_url"].endswith(f"/a/{body['id']}")


def test_date_is_optional(client: TestClient) -> None:
    response = client.post("/api/ateliers", json={"title": "T", "administration": "A", "format": "3"})
    assert response.status_code == 201, response.text
    assert response.json()["date"] is None


def test_database_holds_only_token_hashes(client: TestClient, database: Path) -> None:
    atelier = create_atelier(client)
    referent = join(client, atelier, "animateur")
    participant = join(client, atelier)
    with connected(client, atelier, participant) as ws:
        ws.ack(ws.send_op("card.create", title="Une carte"))
    secrets = [atelier["animateur_token"], atelier["participant_token"]]
    secrets += [referent["member_token"], participant["member_token"]]

    dump = [str(value) for table in db_tables(database) for row in db_rows(database, table) for value in row]
    assert dump, "the database should not be empty"
    for secret in secrets:
        assert not any(secret in value for value in dump), "a secret is stored in clear"
    # What is stored instead: its hash.
    for secret in secrets:
        assert hashlib.sha256(secret.encode()).hexdigest() in dump


@pytest.mark.parametrize(
    "body",
    [
        {"administration": "DITP", "format": "1"},  # no title
        {"title": "", "administration": "DITP", "format": "1"},
        {"title": "x" * 201, "administration": "DITP", "format": "1"},
        {"title": "T", "administration": "", "format": "1"},
        {"title": "T", "administration": "DITP", "format": "4"},
        {"title": "T", "administration": "DITP", "format": 1},
        {"title": "T", "administration": "DITP", "format": "1", "date": "20/11/2026"},
        {"title": ["T"], "administration": "DITP", "format": "1"},
    ],
)
def test_create_atelier_refuses_invalid_input(client: TestClient, body: dict[str, Any]) -> None:
    response = client.post("/api/ateliers", json=body)
    assert response.status_code == 422
    detail = response.json()["detail"]
    assert isinstance(detail, str) and detail


def test_create_atelier_refuses_a_body_that_is_not_json(client: TestClient) -> None:
    response = client.post("/api/ateliers", content=b"title=T", headers={"Content-Type": "application/json"})
    assert response.status_code == 422
    assert isinstance(response.json()["detail"], str)


@pytest.mark.parametrize("path", ["state", "deliverable.json"])
def test_reads_need_the_animateur_token(client: TestClient, path: str) -> None:
    atelier = create_atelier(client)
    other = create_atelier(client)
    member = join(client, atelier)
    url = f"/api/ateliers/{atelier['id']}/{path}"

    assert client.get(url, headers=bearer(atelier["animateur_token"])).status_code == 200
    cases = {
        "participant link": (bearer(atelier["participant_token"]), 403),
        "no token": ({}, 401),
        "wrong token": (bearer("x" * 32), 403),
        "another atelier's animateur token": (bearer(other["animateur_token"]), 403),
        "a member secret": (bearer(member["member_token"]), 403),
        "not a bearer scheme": ({"Authorization": f"Basic {atelier['animateur_token']}"}, 401),
    }
    for case, (headers, status) in cases.items():
        response = client.get(url, headers=headers)
        assert response.status_code == status, case
        assert isinstance(response.json()["detail"], str), case

    unknown = client.get(f"/api/ateliers/nope/{path}", headers=bearer(atelier["animateur_token"]))
    assert unknown.status_code == 404
    assert isinstance(unknown.json()["detail"], str)


def test_join_with_either_link_gives_a_member_secret(client: TestClient) -> None:
    atelier = create_atelier(client)
    referent = join(client, atelier, "animateur", first_name="Alex")
    participant = join(client, atelier, first_name="Sam")
    assert (referent["role"], participant["role"]) == ("referent", "participant")
    assert referent["websocket_path"] == f"/ws/ateliers/{atelier['id']}"
    assert referent["member_token"] != participant["member_token"]
    assert len(participant["member_token"]) >= 22 and URLSAFE.match(participant["member_token"])


@pytest.mark.parametrize(
    "body",
    [
        {"first_name": "", "last_name": "Martin"},
        {"first_name": "   ", "last_name": "Martin"},  # blank once trimmed: the domain refuses it
        {"first_name": "Camille", "last_name": " \n "},
        {"first_name": "C" * 81, "last_name": "Martin"},
        {"first_name": "Camille", "last_name": "M" * 81},
        {"first_name": "Camille", "last_name": "Martin", "structure": "S" * 121},
        {"last_name": "Martin"},
        {"first_name": 3, "last_name": "Martin"},
    ],
)
def test_join_refuses_bad_names(client: TestClient, body: dict[str, Any], database: Path) -> None:
    atelier = create_atelier(client)
    members_before = len(db_rows(database, "member"))
    response = client.post(
        f"/api/ateliers/{atelier['id']}/members", json=body, headers=bearer(atelier["participant_token"])
    )
    assert response.status_code == 422, response.text
    assert isinstance(response.json()["detail"], str) and response.json()["detail"]
    assert len(db_rows(database, "member")) == members_before  # a refused join leaves no secret behind
    state = client.get(f"/api/ateliers/{atelier['id']}/state", headers=bearer(atelier["animateur_token"])).json()
    assert state["state"]["members"] == []


def test_join_refuses_wrong_tokens(client: TestClient) -> None:
    atelier = create_atelier(client)
    other = create_atelier(client)
    url = f"/api/ateliers/{atelier['id']}/members"
    body = {"first_name": "Camille", "last_name": "Martin"}
    assert client.post(url, json=body, headers=bearer("nope" * 8)).status_code == 403
    assert client.post(url, json=body, headers=bearer(other["participant_token"])).status_code == 403
    assert client.post(url, json=body).status_code == 401
    assert (
        client.post("/api/ateliers/nope/members", json=body, headers=bearer(atelier["participant_token"])).status_code
        == 404
    )


def test_deliverable_reflects_the_workshop(client: TestClient) -> None:
    atelier = create_atelier(client, title="Accueil des usagers", administration="Préfecture")
    referent = join(client, atelier, "animateur", first_name="Alex", last_name="Durand", structure="DITP")
    complice = join(client, atelier, first_name="Noa", last_name="Petit", structure="SGAR")
    camille = join(client, atelier, first_name="Camille", last_name="Martin", structure="CAF")

    with connected(client, atelier, referent) as ref, connected(client, atelier, camille) as cam:
        ref.ack(ref.send_op("member.set_role", member_id=complice["member_id"], role="complice"))
        cam.ack(cam.send_op("card.create", card_id="c1", title="Formulaire unique", description="Une seule saisie."))
        cam.ack(cam.send_op("card.create", card_id="c2", title="Rendez-vous en ligne"))
        cam.ack(cam.send_op("card.place", card_id="c1", desirability=0.9, feasibility=0.75))
        cam.ack(cam.send_op("card.place", card_id="c2", desirability=0.2, feasibility=0.6))
        ref.ack(ref.send_op("card.priority", card_id="c1", priority=True))
        ref.ack(ref.send_op("text.update", field="notes:0", update=text_update("Tour de table fait.")))
        with connected(client, atelier, complice) as noa:  # the complice co-writes the same note
            noa.ack(noa.send_op("text.update", field="notes:0", update=text_update("Noa a noté.")))
        ref.ack(ref.send_op("text.update", field="notes:4", update=text_update("Deux sujets retenus.")))

    response = client.get(f"/api/ateliers/{atelier['id']}/deliverable.json", headers=bearer(atelier["animateur_token"]))
    assert response.status_code == 200
    fiche = response.json()
    assert fiche["kind"] == "fiche-sujets" and fiche["schema_version"]
    assert fiche["seq"] == 3 + 9  # three joins, nine operations
    assert fiche["atelier"]["title"] == "Accueil des usagers"
    assert fiche["atelier"]["administration"] == "Préfecture"
    assert fiche["atelier"]["format"]["key"] == "1"

    cards = {card["id"]: card for card in fiche["cards"]}
    assert set(cards) == {"c1", "c2"}
    assert cards["c1"]["title"] == "Formulaire unique"
    assert cards["c1"]["description"] == "Une seule saisie."
    assert cards["c1"]["matrix"] == {"desirability": 0.9, "feasibility": 0.75, "quadrant": "prioritaire"}
    assert cards["c2"]["matrix"] == {"desirability": 0.2, "feasibility": 0.6, "quadrant": "faisable-peu-desirable"}
    assert (cards["c1"]["priority"], cards["c2"]["priority"]) == (True, False)
    assert cards["c1"]["author"] == {"id": camille["member_id"], "name": "Camille Martin", "structure": "CAF"}
    assert fiche["priorities"] == ["c1"]

    participants = {p["id"]: p for p in fiche["participants"]}
    assert participants[referent["member_id"]] == {
        "id": referent["member_id"],
        "first_name": "Alex",
        "last_name": "Durand",
        "structure": "DITP",
        "role": "referent",
    }
    assert participants[complice["member_id"]]["role"] == "complice"
    assert participants[camille["member_id"]]["role"] == "participant"

    notes = fiche["notes"]
    assert [note["step"] for note in notes] == list(range(1, 8))  # Format 1 has seven steps
    first = notes[0]["text"]
    assert "Tour de table fait." in first and "Noa a noté." in first  # both writers keep every character
    assert len(first) == len("Tour de table fait.") + len("Noa a noté.")
    assert notes[4]["text"] == "Deux sujets retenus."
    assert all(note["text"] == "" for index, note in enumerate(notes) if index not in (0, 4))


def test_deliverable_is_stable(client: TestClient) -> None:
    atelier = create_atelier(client)
    url = f"/api/ateliers/{atelier['id']}/deliverable.json"
    first = client.get(url, headers=bearer(atelier["animateur_token"])).json()
    second = client.get(url, headers=bearer(atelier["animateur_token"])).json()
    assert first == second
