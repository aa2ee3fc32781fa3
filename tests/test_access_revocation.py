"""Revocation from the animateur view: removing a person, regenerating the participant link, link expiry."""

from __future__ import annotations

import contextlib
import sqlite3
import time
from html import unescape
from pathlib import Path
from typing import Any

import pytest
from alembic import command
from alembic.config import Config
from helpers import as_member, bearer, connected, create_atelier, get_state, join, ws_connect
from starlette.testclient import TestClient

from app.main import create_app
from app.realtime.peer import CLOSE_REMOVED
from app.settings import Settings
from app.storage.ateliers import set_participant_link_expiry
from app.storage.database import MIGRATIONS_DIR, make_engine


@pytest.fixture
def people(client: TestClient) -> dict[str, Any]:
    atelier = create_atelier(client)
    referent = join(client, atelier, "animateur", first_name="Alex", last_name="Durand")
    camille = join(client, atelier, first_name="Camille", last_name="Martin")
    sam = join(client, atelier, first_name="Sam", last_name="Bernard")
    return {"atelier": atelier, "referent": referent, "camille": camille, "sam": sam}


def test_a_removed_person_is_disconnected_told_why_and_kept_out_while_their_work_stays(
    client: TestClient, people: dict[str, Any]
) -> None:
    atelier, camille = people["atelier"], people["camille"]
    with (
        connected(client, atelier, people["referent"]) as alex,
        connected(client, atelier, camille) as camille_ws,
        connected(client, atelier, people["sam"]) as sam_ws,
    ):
        camille_ws.ack(camille_ws.send_op("card.create", card_id="c1", title="Un guichet unique"))
        op_id = alex.send_op("member.remove", member_id=camille["member_id"])
        alex.ack(op_id)
        error = camille_ws.error()
        assert (error["code"], error["message"]) == ("removed", "Vous avez été retiré de l'atelier.")
        assert camille_ws.expect_close() == CLOSE_REMOVED
        removed = sam_ws.event(op_id)["event"]
        assert removed["type"] == "member.removed" and removed["member_id"] == camille["member_id"]
        # The others carry on.
        sam_ws.ack(sam_ws.send_op("card.create", card_id="c2", title="Un formulaire court"))
    state = get_state(client, atelier)["state"]
    assert {card["id"] for card in state["cards"]} == {"c1", "c2"}  # Camille's card stays
    assert next(m for m in state["members"] if m["id"] == camille["member_id"])["removed"] is True
    # Her secret no longer opens the room: a clear close, not a silent retry loop.
    with ws_connect(client, atelier["id"], camille["member_token"]) as ws:
        ws.hello()
        assert ws.error()["code"] == "removed"
        assert ws.expect_close() == CLOSE_REMOVED


def test_only_the_referent_removes_and_never_themselves(client: TestClient, people: dict[str, Any]) -> None:
    atelier = people["atelier"]
    with connected(client, atelier, people["sam"]) as sam, connected(client, atelier, people["referent"]) as alex:
        refused = sam.answer(sam.send_op("member.remove", member_id=people["camille"]["member_id"]))
        assert refused["code"] == "forbidden"
        itself = alex.answer(alex.send_op("member.remove", member_id=people["referent"]["member_id"]))
        assert itself["code"] == "forbidden"
        unknown = alex.answer(alex.send_op("member.remove", member_id="nobody"))
        assert unknown["code"] == "not_found"
    assert all(not m["removed"] for m in get_state(client, atelier)["state"]["members"])


def test_the_referent_regenerates_the_participant_link_and_the_old_one_stops_at_once(
    client: TestClient, people: dict[str, Any]
) -> None:
    atelier = people["atelier"]
    old_link = f"/a/{atelier['id']}/join/{atelier['participant_token']}"
    participant, referent = as_member(atelier, people["camille"]), as_member(atelier, people["referent"])
    refused = client.post(f"/a/{atelier['id']}/acces/lien-participant", headers=participant)
    assert refused.status_code == 403 and "Seul le référent-animateur" in refused.text
    assert client.get(old_link).status_code == 200  # a refused request changed nothing

    page = client.post(f"/a/{atelier['id']}/acces/lien-participant", headers=referent)
    assert page.status_code == 200
    assert "l'ancien ne fonctionne plus" in unescape(page.text)
    new_link = page.text.split('id="participant-url" readonly value="', 1)[1].split('"', 1)[0]
    assert new_link.startswith("http") and atelier["participant_token"] not in new_link

    old = client.get(old_link)
    assert old.status_code == 403 and "Lien invalide" in old.text and "remplacé" in old.text
    assert client.post(old_link, data={"first_name": "Eve", "last_name": "X"}).status_code == 403
    assert client.get(new_link.split("testserver", 1)[1]).status_code == 200
    # People already in keep their own secret.
    assert client.get(f"/a/{atelier['id']}", headers=participant).status_code == 200
    with connected(client, atelier, people["camille"]):
        pass


def test_an_expired_participant_link_refuses_joining_and_the_referent_can_change_or_remove_it(
    client: TestClient, people: dict[str, Any], settings: Settings
) -> None:
    atelier = people["atelier"]
    link = f"/a/{atelier['id']}/join/{atelier['participant_token']}"
    referent = as_member(atelier, people["referent"])
    past = client.post(f"/a/{atelier['id']}/acces/echeance", data={"expires_at": "2020-01-01T10:00"}, headers=referent)
    assert past.status_code == 422 and "dans le futur" in past.text

    page = client.post(f"/a/{atelier['id']}/acces/echeance", data={"expires_at": "2099-03-01T18:30"}, headers=referent)
    assert page.status_code == 200 and "01/03/2099 à 18:30 (heure de Paris)" in page.text
    assert "01/03/2099 à 18:30" in client.get(f"/a/{atelier['id']}", headers=referent).text  # shown in the room too
    assert client.get(link).status_code == 200  # not yet expired

    engine = make_engine(settings.database_url)
    set_participant_link_expiry(engine, atelier_id=atelier["id"], expires_at=time.time() - 1)
    expired = client.get(link)
    assert expired.status_code == 403 and "Lien expiré" in expired.text
    assert client.post(link, data={"first_name": "Eve", "last_name": "X"}).status_code == 403
    api = client.post(
        f"/api/ateliers/{atelier['id']}/members", json={"first_name": "Eve", "last_name": "X"},
        headers=bearer(atelier["participant_token"]),
    )  # fmt: skip
    assert api.status_code == 403 and "expiré" in api.json()["detail"]
    # The animateur link never expires, and people already in carry on.
    assert client.get(f"/a/{atelier['id']}/join/{atelier['animateur_token']}").status_code == 200
    with connected(client, atelier, people["sam"]):
        pass

    removed = client.post(f"/a/{atelier['id']}/acces/echeance", data={"expires_at": ""}, headers=referent)
    assert removed.status_code == 200 and "n'a plus d'échéance" in unescape(removed.text)
    assert client.get(link).status_code == 200


def test_a_removed_person_gets_a_page_saying_so_and_cannot_come_back_through_the_shared_link(
    client: TestClient, people: dict[str, Any]
) -> None:
    atelier, camille = people["atelier"], as_member(people["atelier"], people["camille"])
    with connected(client, atelier, people["referent"]) as alex:
        alex.ack(alex.send_op("member.remove", member_id=people["camille"]["member_id"]))
    page = client.get(f"/a/{atelier['id']}", headers=camille)
    assert page.status_code == 403 and "Vous avez été retiré de l'atelier" in unescape(page.text)
    again = client.get(f"/a/{atelier['id']}/join/{atelier['participant_token']}", headers=camille)
    assert again.status_code == 403 and "Vous avez été retiré de l'atelier" in unescape(again.text)
    roster = client.get(f"/a/{atelier['id']}", headers=as_member(atelier, people["referent"])).text
    assert "retiré·e de l'atelier" in unescape(roster)


def test_migration_0004_keeps_existing_members_and_links_working(settings: Settings, database: Path) -> None:
    engine = make_engine(settings.database_url)
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS_DIR))
    with engine.begin() as connection:
        config.attributes["connection"] = connection
        command.upgrade(config, "0003")
    engine.dispose()
    with TestClient(create_app(settings)) as client:  # 0003 → head at start
        atelier = create_atelier(client)
        member = join(client, atelier)
        with connected(client, atelier, member):
            pass
    with contextlib.closing(sqlite3.connect(database)) as connection:
        assert connection.execute("SELECT revoked_at FROM member").fetchall() == [(None,)]
        assert connection.execute("SELECT participant_link_expires_at FROM atelier").fetchall() == [(None,)]
    with engine.begin() as connection:  # and back: the two columns go, the rows stay
        config.attributes["connection"] = connection
        command.downgrade(config, "0003")
    with contextlib.closing(sqlite3.connect(database)) as connection:
        assert "revoked_at" not in {row[1] for row in connection.execute("PRAGMA table_info(member)")}
        assert connection.execute("SELECT count(*) FROM member").fetchone() == (1,)
