"""Démarches through the ASGI app: the 0002 migration, the API and its capability checks, chaining
#1 → #2 → #3 (priority card → subject, canevas → canevas, each with its `source`), and the pages."""

from __future__ import annotations

import base64
import contextlib
import hashlib
import json
import re
import sqlite3
from pathlib import Path
from typing import Any

import pytest
from alembic import command
from alembic.config import Config
from alembic.script import ScriptDirectory
from helpers import bearer, connected, create_atelier, db_rows, get_state, join, text_update
from pycrdt import Doc, Text
from starlette.testclient import TestClient

from app.domain.events import CardCreated, MemberJoined, event_to_dict
from app.domain.roles import Role
from app.domain.state import Card, Member
from app.main import create_app
from app.settings import Settings
from app.storage.database import MIGRATIONS_DIR, make_engine
from app.storage.models import AtelierRow
from app.storage.tokens import hash_token
from app.web import carry_over
from app.web.carry_over import CanevasCopy, Plan, PriorityCard, SubjectCopy

URLSAFE = re.compile(r"^[A-Za-z0-9_-]+$")


# -- helpers ---------------------------------------------------------------------------------------


def create_demarche(client: TestClient, title: str = "Plan gouvernement ouvert", administration: str = "DITP") -> Any:
    response = client.post("/api/demarches", json={"title": title, "administration": administration})
    assert response.status_code == 201, response.text
    return response.json()


def add_atelier(client: TestClient, demarche: dict[str, Any], format: str, **extra: Any) -> Any:
    """POST /api/demarches/{id}/ateliers; the created atelier (asserts 201)."""
    response = post_atelier(client, demarche, format, **extra)
    assert response.status_code == 201, response.text
    return response.json()


def post_atelier(client: TestClient, demarche: dict[str, Any], format: str, **extra: Any) -> Any:
    body = {"title": f"Atelier #{format}", "format": format, "date": "2026-12-01", **extra}
    return client.post(
        f"/api/demarches/{demarche['id']}/ateliers", json=body, headers=bearer(demarche["animateur_token"])
    )


def get_demarche(client: TestClient, demarche: dict[str, Any]) -> Any:
    response = client.get(f"/api/demarches/{demarche['id']}", headers=bearer(demarche["animateur_token"]))
    assert response.status_code == 200, response.text
    return response.json()


def run_format1(client: TestClient, atelier: dict[str, Any], cards: dict[str, bool]) -> None:
    """A short #1: the référent posts the cards (id → priority?) and marks the priority ones."""
    referent = join(client, atelier, "animateur", first_name="Rémi", last_name="Ferrand")
    with connected(client, atelier, referent) as ws:
        for card_id in cards:
            ws.ack(
                ws.send_op(
                    "card.create", card_id=card_id, title=f"Sujet {card_id}", description=f"À propos de {card_id}"
                )
            )
        for card_id, priority in cards.items():
            if priority:
                ws.ack(ws.send_op("card.priority", card_id=card_id, priority=True))


def write_canevas(client: TestClient, atelier: dict[str, Any], texts: dict[str, str], values: list[str]) -> None:
    """The référent (animation team: the canevas is open to them at every step) writes a #2's canevas."""
    referent = join(client, atelier, "animateur", first_name="Rémi", last_name="Ferrand")
    with connected(client, atelier, referent) as ws:
        for key, text in texts.items():
            ws.ack(ws.send_op("text.update", field=f"canevas:{key}", update=text_update(text)))
        for value in values:
            ws.ack(ws.send_op("canevas.value", value=value, checked=True))


def field_text(state: dict[str, Any], field: str) -> str:
    """The merged text of a co-written field in a /state answer."""
    encoded = state["state"]["texts"].get(field)
    if encoded is None:
        return ""
    doc: Doc[Text] = Doc()
    doc["text"] = text = Text()
    doc.apply_update(base64.b64decode(encoded))
    return str(text)


def room_call(client: TestClient, function: Any, *args: Any) -> Any:
    """Run a coroutine function of the app on its event loop (the TestClient's portal)."""
    assert client.portal is not None
    return client.portal.call(function, *args)


# -- the migration ---------------------------------------------------------------------------------


def test_migration_upgrades_a_0001_database_with_its_ateliers(settings: Settings, database: Path) -> None:
    engine = make_engine(settings.database_url)
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS_DIR))
    with engine.begin() as connection:
        config.attributes["connection"] = connection
        command.upgrade(config, "0001")
    engine.dispose()
    # An atelier as the app of revision 0001 wrote it: a row, a member, two operations in the log.
    token = "animateur-token-of-revision-0001-xxxx"
    member = Member("m1", "Léa", "Durand", "DITP", Role.REFERENT, joined_at=1.0)
    card = Card("c1", "Ouvrir les données", "", author_id="m1", created_at=2.0)
    events = [event_to_dict(MemberJoined(member)), event_to_dict(CardCreated(card))]
    with contextlib.closing(sqlite3.connect(database)) as connection:
        connection.execute("PRAGMA foreign_keys=ON")
        connection.execute(
            "INSERT INTO atelier VALUES ('a0001', 'Ancien atelier', 'DITP', '1', '2026-10-01', 0.5, ?, ?)",
            (hash_token(token), hash_token("participant")),
        )
        connection.execute("INSERT INTO member VALUES ('m1', 'a0001', ?, 1.0)", (hash_token("member"),))
        for seq, event in enumerate(events, start=1):
            connection.execute(
                "INSERT INTO operation VALUES ('a0001', ?, ?, 'system', ?, 1.0)", (seq, f"op{seq}", json.dumps(event))
            )
        connection.commit()

    with TestClient(create_app(settings)) as client:  # the app upgrades the schema to head at start
        old = {"id": "a0001", "animateur_token": token}
        state = get_state(client, old)
        assert state["seq"] == 2
        assert [c["title"] for c in state["state"]["cards"]] == ["Ouvrir les données"]
        assert state["state"]["members"][0]["first_name"] == "Léa"
        # The old atelier lives on: people still join it, and démarches work beside it.
        join(client, {"id": "a0001", "participant_token": "participant"})
        demarche = create_demarche(client)
        add_atelier(client, demarche, "1")

    columns = {row[1] for row in _sqlite(database, "PRAGMA table_info(atelier)")}
    assert {"demarche_id", "position"} <= columns
    assert _sqlite(database, "SELECT demarche_id, position FROM atelier WHERE id = 'a0001'") == [(None, None)]
    head = ScriptDirectory.from_config(config).get_current_head()  # later revisions applied too
    assert _sqlite(database, "SELECT version_num FROM alembic_version") == [(head,)]
    assert _sqlite(database, "PRAGMA foreign_key_check") == []


def _sqlite(database: Path, sql: str) -> list[tuple[Any, ...]]:
    with contextlib.closing(sqlite3.connect(database)) as connection:
        return connection.execute(sql).fetchall()


# -- creating and reading a démarche ---------------------------------------------------------------


def test_create_demarche_returns_its_secret_link(client: TestClient, database: Path) -> None:
    response = client.post("/api/demarches", json={"title": "  Plan   d'action ", "administration": "Ministère"})
    assert response.status_code == 201, response.text
    body = response.json()
    assert set(body) == {"id", "title", "administration", "animateur_token", "demarche_url"}
    assert (body["title"], body["administration"]) == ("Plan d'action", "Ministère")
    token = body["animateur_token"]
    assert len(token) >= 32 and URLSAFE.match(token), token  # 192 random bits
    assert body["demarche_url"].endswith(f"/d/{body['id']}/{token}")
    # Only the hash is stored.
    rows = db_rows(database, "demarche")
    assert [row[0] for row in rows] == [body["id"]]
    assert not any(token in str(value) for value in rows[0])
    assert hashlib.sha256(token.encode()).hexdigest() in rows[0]

    assert get_demarche(client, body) == {
        "id": body["id"],
        "title": "Plan d'action",
        "administration": "Ministère",
        "ateliers": [],
    }


@pytest.mark.parametrize(
    "body",
    [{"title": "", "administration": "DITP"}, {"title": "T"}, {"title": "x" * 201, "administration": "DITP"}],
)
def test_create_demarche_refuses_invalid_input(client: TestClient, body: dict[str, Any]) -> None:
    response = client.post("/api/demarches", json=body)
    assert response.status_code == 422
    assert response.json()["detail"].startswith("Requête invalide")


def test_demarche_capability_checks(client: TestClient) -> None:
    demarche = create_demarche(client)
    other = create_demarche(client, title="Autre")
    atelier = add_atelier(client, demarche, "1")
    path = f"/api/demarches/{demarche['id']}"
    body = {"title": "T", "format": "1"}
    for method, url, json_body in (("GET", path, None), ("POST", f"{path}/ateliers", body)):
        missing = client.request(method, url, json=json_body)
        assert missing.status_code == 401 and "Jeton manquant" in missing.json()["detail"]
        assert missing.headers["www-authenticate"] == "Bearer"
        for wrong in ("nope", other["animateur_token"], atelier["animateur_token"]):
            refused = client.request(method, url, json=json_body, headers=bearer(wrong))
            assert refused.status_code == 403, refused.text
            assert refused.json() == {"detail": "Jeton invalide pour cette démarche."}
        unknown_url = url.replace(demarche["id"], "inconnue")
        unknown = client.request(method, unknown_url, json=json_body, headers=bearer(demarche["animateur_token"]))
        assert unknown.status_code == 404 and unknown.json() == {"detail": "Démarche introuvable."}
    assert [a["id"] for a in get_demarche(client, demarche)["ateliers"]] == [atelier["id"]]


@pytest.mark.parametrize(
    "body",
    [
        {"title": "", "format": "1"},
        {"title": "T", "format": "4"},
        {"title": "T", "format": "1", "date": "01/12/2026"},
        {"title": "T", "format": "2", "subject_card": {"atelier_id": "a"}},
    ],
)
def test_create_atelier_in_demarche_refuses_invalid_input(client: TestClient, body: dict[str, Any]) -> None:
    demarche = create_demarche(client)
    response = client.post(
        f"/api/demarches/{demarche['id']}/ateliers", json=body, headers=bearer(demarche["animateur_token"])
    )
    assert response.status_code == 422, response.text
    assert get_demarche(client, demarche)["ateliers"] == []


def test_ateliers_of_a_demarche_come_in_order_with_its_administration(client: TestClient) -> None:
    demarche = create_demarche(client, administration="Ministère de la Culture")
    first = add_atelier(client, demarche, "1")
    second = add_atelier(client, demarche, "1", title="Deuxième groupe")
    assert set(first) >= {"id", "animateur_url", "participant_url", "animateur_token", "participant_token",
                          "room_url", "carried_over"}  # fmt: skip
    assert first["administration"] == "Ministère de la Culture"
    assert (first["position"], second["position"]) == (1, 2)
    assert first["carried_over"] == {"subject": None, "canevas": None, "errors": []}
    # The atelier's own links work as those of POST /api/ateliers.
    assert join(client, first)["role"] == "participant"
    assert get_state(client, first)["state"]["atelier"]["administration"] == "Ministère de la Culture"

    listed = get_demarche(client, demarche)["ateliers"]
    assert [(a["id"], a["position"], a["format"], a["title"]) for a in listed] == [
        (first["id"], 1, "1", "Atelier #1"),
        (second["id"], 2, "1", "Deuxième groupe"),
    ]
    assert listed[0]["room_url"].endswith(f"/a/{first['id']}")
    assert listed[0]["date"] == "2026-12-01"
    assert (listed[0]["priority_cards"], listed[0]["subject"], listed[0]["canevas"]) == ([], None, None)


# -- #1 → #2: a priority card becomes the subject --------------------------------------------------


def test_format2_takes_the_chosen_priority_card_as_subject(client: TestClient) -> None:
    demarche = create_demarche(client)
    f1 = add_atelier(client, demarche, "1")
    run_format1(client, f1, {"eau": True, "air": True, "sol": False})
    cards = get_demarche(client, demarche)["ateliers"][0]["priority_cards"]
    assert cards == [
        {"id": "eau", "title": "Sujet eau", "description": "À propos de eau"},
        {"id": "air", "title": "Sujet air", "description": "À propos de air"},
    ]

    f2 = add_atelier(client, demarche, "2", subject_card={"atelier_id": f1["id"], "card_id": "air"})
    source = {"atelier_id": f1["id"], "card_id": "air", "atelier_title": "Atelier #1"}
    assert f2["carried_over"]["subject"] == {"title": "Sujet air", "description": "À propos de air", "source": source}
    subject = get_state(client, f2)["state"]["subject"]
    assert subject == {"title": "Sujet air", "description": "À propos de air", "source": source}
    listed = get_demarche(client, demarche)["ateliers"]
    assert listed[1]["subject"] == subject
    assert listed[1]["priority_cards"] is None
    assert listed[1]["canevas"]["texts"] == {"titre": "", "porte_sur": "", "c_est": "", "va": ""}


def test_format2_takes_the_only_priority_card_by_default(client: TestClient) -> None:
    demarche = create_demarche(client)
    f1 = add_atelier(client, demarche, "1")
    run_format1(client, f1, {"eau": True, "air": False})
    add_atelier(client, demarche, "1")  # a second #1, nothing marked priority yet

    f2 = add_atelier(client, demarche, "2")
    assert get_state(client, f2)["state"]["subject"]["source"] == {
        "atelier_id": f1["id"],
        "card_id": "eau",
        "atelier_title": "Atelier #1",
    }
    # `null` says "no subject yet": the animateur will type it in the room.
    later = add_atelier(client, demarche, "2", subject_card=None)
    assert later["carried_over"]["subject"] is None
    assert get_state(client, later)["state"]["subject"] is None


def test_format2_takes_no_default_among_several_priority_cards(client: TestClient) -> None:
    demarche = create_demarche(client)
    run_format1(client, add_atelier(client, demarche, "1"), {"eau": True})
    run_format1(client, add_atelier(client, demarche, "1"), {"air": True})
    f2 = add_atelier(client, demarche, "2")
    assert f2["carried_over"]["subject"] is None


def test_format2_refuses_a_card_that_is_not_a_priority_of_this_demarche(client: TestClient) -> None:
    demarche = create_demarche(client)
    f1 = add_atelier(client, demarche, "1")
    run_format1(client, f1, {"eau": True, "sol": False})
    other = create_demarche(client, title="Autre démarche")
    other_f1 = add_atelier(client, other, "1")
    run_format1(client, other_f1, {"air": True})
    alone = create_atelier(client, format="1")
    run_format1(client, alone, {"feu": True})

    for card in (
        {"atelier_id": f1["id"], "card_id": "sol"},  # not marked priority
        {"atelier_id": f1["id"], "card_id": "inconnue"},
        {"atelier_id": other_f1["id"], "card_id": "air"},  # another démarche's
        {"atelier_id": alone["id"], "card_id": "feu"},  # an atelier outside any démarche
    ):
        response = post_atelier(client, demarche, "2", subject_card=card)
        assert response.status_code == 422, response.text
        assert "n'est pas une carte prioritaire d'un atelier #1 de cette démarche" in response.json()["detail"]
    refused = post_atelier(client, demarche, "3", subject_card={"atelier_id": f1["id"], "card_id": "eau"})
    assert refused.status_code == 422 and "atelier #2" in refused.json()["detail"]
    assert len(get_demarche(client, demarche)["ateliers"]) == 1, "a refused creation creates nothing"


# -- #2 → #3: the canevas and the subject are carried over -----------------------------------------


def test_format3_carries_the_canevas_and_subject_of_the_latest_format2(client: TestClient) -> None:
    demarche = create_demarche(client)
    f1 = add_atelier(client, demarche, "1")
    run_format1(client, f1, {"eau": True})
    older = add_atelier(client, demarche, "2")
    write_canevas(client, older, {"titre": "Ancien titre"}, [])
    f2 = add_atelier(client, demarche, "2")
    texts = {"titre": "Ouvrir les données de l'eau", "porte_sur": "la qualité de l'eau", "va": "publier"}
    write_canevas(client, f2, texts, ["transparence", "participation"])

    f3 = add_atelier(client, demarche, "3")
    source = {"atelier_id": f2["id"], "atelier_title": "Atelier #2"}
    assert f3["carried_over"]["canevas"] == {
        "texts": texts,
        "values": ["participation", "transparence"],
        "source": source,
    }
    assert f3["carried_over"]["subject"]["source"] == source
    state = get_state(client, f3)
    for key, text in texts.items():
        assert field_text(state, f"canevas:{key}") == text
    assert field_text(state, "canevas:c_est") == ""
    assert state["state"]["canevas"]["values"] == ["participation", "transparence"]
    assert state["state"]["canevas"]["source"] == source
    assert state["state"]["subject"] == {"title": "Sujet eau", "description": "À propos de eau", "source": source}

    listed = get_demarche(client, demarche)["ateliers"]
    assert [a["format"] for a in listed] == ["1", "2", "2", "3"]
    assert listed[3]["canevas"]["texts"]["titre"] == "Ouvrir les données de l'eau"
    assert listed[3]["canevas"]["source"] == source
    assert listed[3]["canevas"]["texts"]["repond_a"] == ""  # Format 3's own fields, still empty


def test_format3_carries_the_chosen_format2(client: TestClient) -> None:
    demarche = create_demarche(client)
    f1 = add_atelier(client, demarche, "1")
    chosen = add_atelier(client, demarche, "2", subject_card=None)
    write_canevas(client, chosen, {"titre": "Celui-ci"}, [])
    add_atelier(client, demarche, "2", subject_card=None)

    f3 = add_atelier(client, demarche, "3", from_atelier_id=chosen["id"])
    assert field_text(get_state(client, f3), "canevas:titre") == "Celui-ci"
    assert f3["carried_over"]["subject"] is None  # the #2 had none

    for wrong in (f1["id"], "inconnu", create_atelier(client, format="2")["id"]):
        response = post_atelier(client, demarche, "3", from_atelier_id=wrong)
        assert response.status_code == 422, response.text
        assert "n'est pas un atelier #2 de cette démarche" in response.json()["detail"]


def test_format3_without_format2_starts_empty(client: TestClient) -> None:
    demarche = create_demarche(client)
    f3 = add_atelier(client, demarche, "3")
    assert f3["carried_over"] == {"subject": None, "canevas": None, "errors": []}
    assert get_state(client, f3)["state"]["canevas"]["source"] is None


def test_carry_over_applies_once_however_often_it_is_retried(client: TestClient) -> None:
    demarche = create_demarche(client)
    f1 = add_atelier(client, demarche, "1")
    run_format1(client, f1, {"eau": True})
    f2 = add_atelier(client, demarche, "2")
    write_canevas(client, f2, {"titre": "Premier titre"}, [])
    f3 = add_atelier(client, demarche, "3")
    before = get_state(client, f3)

    rooms = client.app_state["rooms"]
    retry = Plan(
        subject=SubjectCopy("Autre sujet", "", {"atelier_id": f2["id"]}),
        canevas=CanevasCopy({"titre": "Autre titre"}, (), {"atelier_id": f2["id"]}),
    )
    carried = room_call(client, carry_over.apply, rooms, f3["id"], retry)
    assert carried["errors"] == []
    after = get_state(client, f3)
    assert after == before, "a retried carry-over is acknowledged, never applied twice"
    assert field_text(after, "canevas:titre") == "Premier titre"


# -- the rules, alone ------------------------------------------------------------------------------


def _card(atelier_id: str, card_id: str) -> PriorityCard:
    return PriorityCard(atelier_id, "Atelier", card_id, f"Sujet {card_id}", "")


def test_pick_subject_card() -> None:
    cards = [_card("a", "1"), _card("b", "2")]
    assert carry_over.pick_subject_card(cards, chosen=("b", "2"), default=True) == cards[1]
    assert carry_over.pick_subject_card(cards, chosen=None, default=True) is None
    assert carry_over.pick_subject_card(cards[:1], chosen=None, default=True) == cards[0]
    assert carry_over.pick_subject_card(cards[:1], chosen=None, default=False) is None
    assert carry_over.pick_subject_card([], chosen=None, default=True) is None
    with pytest.raises(carry_over.InvalidOperation):
        carry_over.pick_subject_card(cards, chosen=("a", "2"), default=True)


def _row(atelier_id: str, format_key: str, position: int) -> AtelierRow:
    return AtelierRow(
        id=atelier_id, title="T", administration="A", format_key=format_key, created_at=0.0,
        animateur_token_hash="", participant_token_hash="", demarche_id="d", position=position,
    )  # fmt: skip


def test_pick_canevas_atelier() -> None:
    rows = [_row("one", "1", 1), _row("two", "2", 2), _row("later", "2", 4), _row("three", "3", 3)]
    assert carry_over.pick_canevas_atelier(rows, chosen=None) == rows[2]
    assert carry_over.pick_canevas_atelier(rows, chosen="two") == rows[1]
    assert carry_over.pick_canevas_atelier(rows[:1], chosen=None) is None
    for wrong in ("one", "three", "elsewhere"):
        with pytest.raises(carry_over.InvalidOperation):
            carry_over.pick_canevas_atelier(rows, chosen=wrong)


# -- the pages -------------------------------------------------------------------------------------


def test_home_links_to_the_demarche_form(client: TestClient) -> None:
    assert 'href="/demarches/new"' in client.get("/").text
    page = client.get("/demarches/new")
    assert page.status_code == 200
    assert 'action="/demarches"' in page.text and 'for="administration"' in page.text


def test_demarche_form_shows_errors_then_the_secret_link(client: TestClient) -> None:
    refused = client.post("/demarches", data={"title": " ", "administration": "DITP"})
    assert refused.status_code == 422
    assert 'role="alert"' in refused.text and 'aria-invalid="true" aria-describedby="title-error"' in refused.text

    created = client.post("/demarches", data={"title": "Plan", "administration": "DITP"})
    assert created.status_code == 200
    link = re.search(r'id="demarche-url" readonly value="([^"]+)"', created.text)
    assert link, created.text
    page = client.get(link.group(1))
    assert page.status_code == 200
    assert "Plan" in page.text and "Aucun atelier pour l'instant" in page.text


def test_demarche_page_refuses_a_wrong_link(client: TestClient) -> None:
    demarche = create_demarche(client)
    assert client.get(f"/d/{demarche['id']}/faux").status_code == 403
    assert client.get(f"/d/inconnue/{demarche['animateur_token']}").status_code == 404
    assert client.post(f"/d/{demarche['id']}/faux/ateliers", data={"title": "T", "format": "1"}).status_code == 403


def test_demarche_page_chains_a_format2_on_the_chosen_card(client: TestClient) -> None:
    demarche = create_demarche(client)
    f1 = add_atelier(client, demarche, "1")
    run_format1(client, f1, {"eau": True, "air": True})
    page_url = f"/d/{demarche['id']}/{demarche['animateur_token']}"
    page = client.get(page_url)
    assert f'<option value="{f1["id"]}/air"' in page.text
    assert re.search(r'id="format-2"[^>]*checked', page.text), "the form suggests the next format"

    refused = client.post(f"{page_url}/ateliers", data={"title": "Suite", "format": "2", "subject": f"{f1['id']}/x"})
    assert refused.status_code == 422
    assert 'role="alert"' in refused.text and 'aria-invalid="true"' in refused.text

    created = client.post(f"{page_url}/ateliers", data={"title": "Suite", "format": "2", "subject": f"{f1['id']}/air"})
    assert created.status_code == 200, created.text
    assert "Sujet repris : « Sujet air »" in created.text
    animateur_url = re.search(r'id="animateur-url" readonly value="([^"]+)"', created.text)
    assert animateur_url and "/join/" in animateur_url.group(1)
    f2_id = animateur_url.group(1).split("/a/")[1].split("/")[0]
    f2 = {"id": f2_id, "animateur_token": animateur_url.group(1).rsplit("/", 1)[1]}
    assert get_state(client, f2)["state"]["subject"]["source"] == {
        "atelier_id": f1["id"],
        "card_id": "air",
        "atelier_title": "Atelier #1",
    }

    later = client.post(f"{page_url}/ateliers", data={"title": "Sans sujet", "format": "2", "subject": "later"})
    assert later.status_code == 200 and "Sujet repris" not in later.text
    listing = client.get(page_url).text
    assert listing.count('class="link-box" id="atelier-') == 3
    assert f'<option value="{f2_id}"' in listing  # the #2s offered to a #3


def test_openapi_documents_the_demarche_routes(client: TestClient) -> None:
    spec = client.get("/openapi.json").json()
    operations = {
        ("post", "/api/demarches"): "Create a démarche",
        ("get", "/api/demarches/{demarche_id}"): "A démarche",
        ("post", "/api/demarches/{demarche_id}/ateliers"): "Create an atelier in a démarche",
    }
    for (method, path), summary in operations.items():
        operation = spec["paths"][path][method]
        assert operation["summary"] == summary
        assert operation["description"]
    assert "Create an atelier in a démarche" in client.get("/api").text
