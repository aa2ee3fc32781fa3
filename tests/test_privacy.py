"""Personal data: who sees names and emails, the retention date, and the purge that anonymises.

The purge is checked where a name could hide: every table (text updates decoded from their base64
Yjs bytes), snapshots, the log, the API, the deliverable (JSON and PDF) and the compte rendu.
"""

from __future__ import annotations

import base64
import binascii
import contextlib
import json
import sqlite3
import subprocess
from collections.abc import Callable
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

import pytest
from fastapi import FastAPI
from helpers import bearer, connected, db_tables, join, sqlite_path, text_update
from jsonschema import Draft202012Validator
from starlette.testclient import TestClient

from app import purge
from app.domain import limits
from app.domain.retention import add_months, default_retention
from app.rendering import french_date
from app.settings import Settings
from app.web.deps import member_cookie

EXPIRED_DAY = "2020-01-15"  # its retention ended on 2020-04-15
TODAY = datetime.now(UTC).date()
RECENT_DAY = TODAY.isoformat()  # kept three months more, whenever the tests run
KEPT_UNTIL = add_months(TODAY, 3)
# Everything that identifies the atelier's people; none of it may survive the purge.
PERSONAL = ["Claire", "Dubois", "Hélène", "Müller", "Karim", "Benali", "Eau Vive", "ditp.example", "eauvive.example"]
SCHEMA = json.loads((Path(__file__).resolve().parents[1] / "docs" / "deliverable.schema.json").read_text("utf-8"))


def new_atelier(client: TestClient, day: str | None) -> dict[str, Any]:
    body = {"title": "L'eau à Saint-Étienne", "administration": "Préfecture de la Loire", "format": "1", "date": day}
    response = client.post("/api/ateliers", json=body)
    assert response.status_code == 201, response.text
    return response.json()  # type: ignore[no-any-return]


def people_join(client: TestClient, atelier: dict[str, Any]) -> dict[str, dict[str, Any]]:
    def member(kind: str, first: str, last: str, structure: str, email: str) -> dict[str, Any]:
        body = {"first_name": first, "last_name": last, "structure": structure, "email": email}
        response = client.post(
            f"/api/ateliers/{atelier['id']}/members", json=body, headers=bearer(atelier[f"{kind}_token"])
        )
        assert response.status_code == 201, response.text
        return response.json()  # type: ignore[no-any-return]

    return {
        "ref": member("animateur", "Claire", "Dubois", "DITP", "claire@ditp.example"),
        "part": member("participant", "Hélène", "Müller", "Association Eau Vive", "helene@eauvive.example"),
        "other": member("participant", "Karim", "Benali", "", ""),
    }


NOTES = "Hélène Müller propose des analyses ; Karim B. approuve (écrire à helene@eauvive.example)."


def play(
    client: TestClient, day: str | None = EXPIRED_DAY, notes: str = NOTES
) -> tuple[dict[str, Any], dict[str, dict[str, Any]]]:
    """An atelier whose people's names are everywhere: joins, notes (shared with all), the team's drafts."""
    atelier = new_atelier(client, day)
    people = people_join(client, atelier)
    with connected(client, atelier, people["ref"]) as ref, connected(client, atelier, people["part"]) as part:
        part.ack(part.send_op("card.create", card_id="c1", title="Des analyses lisibles", description="Par commune"))
        ref.ack(ref.send_op("card.priority", card_id="c1", priority=True))
        ref.ack(ref.send_op("text.update", field="notes:0", update=text_update(notes)))
        ref.ack(ref.send_op("questionnaire.open", anonymous=True))
        part.ack(part.send_op("questionnaire.answer", answers={"global": 5, "apprecie": "Le tour de table"}))
        for field in ("compte_rendu", "mail"):
            ref.ack(ref.send_op("draft.generate", field=field, link="https://atelier.example/a/x"))
    return atelier, people


def stored_text(database: Path) -> str:
    """Every value of every table, with base64 strings (Yjs updates) decoded too."""
    parts: list[str] = []

    def walk(value: Any) -> None:
        if isinstance(value, dict):
            for item in value.values():
                walk(item)
        elif isinstance(value, list):
            for item in value:
                walk(item)
        elif isinstance(value, str):
            parts.append(value)
            with contextlib.suppress(binascii.Error, ValueError):
                parts.append(base64.b64decode(value, validate=True).decode("utf-8", "replace"))

    with sqlite3.connect(database) as connection:
        for table in db_tables(database):
            for row in connection.execute(f"SELECT * FROM {table}").fetchall():
                for cell in row:
                    parts.append(str(cell))
                    if isinstance(cell, str) and cell[:1] in "{[":
                        walk(json.loads(cell))
    return "\n".join(parts)


def personal_in(text: str) -> list[str]:
    return [word for word in PERSONAL if word in text]


def pdf_text(pdf: bytes, tmp_path: Path) -> str:
    path = tmp_path / "file.pdf"
    path.write_bytes(pdf)
    return subprocess.run(["pdftotext", str(path), "-"], check=True, capture_output=True, text=True).stdout


def animateur_get(client: TestClient, atelier: dict[str, Any], path: str) -> Any:
    response = client.get(f"/api/ateliers/{atelier['id']}/{path}", headers=bearer(atelier["animateur_token"]))
    assert response.status_code == 200, response.text
    return response


def everything_served(client: TestClient, atelier: dict[str, Any], tmp_path: Path) -> dict[str, str]:
    return {
        "state": animateur_get(client, atelier, "state").text,
        "deliverable.json": animateur_get(client, atelier, "deliverable.json").text,
        "deliverable.pdf": pdf_text(animateur_get(client, atelier, "deliverable.pdf").content, tmp_path),
        "compte-rendu.md": animateur_get(client, atelier, "compte-rendu.md").text,
        "compte-rendu.pdf": pdf_text(animateur_get(client, atelier, "compte-rendu.pdf").content, tmp_path),
    }


def labelled(before: Any, labels: dict[str, str], replacements: list[tuple[str, str]]) -> Any:
    """The deliverable `before` as the purge should leave it: each person under their label."""
    if isinstance(before, dict):
        data = {key: labelled(value, labels, replacements) for key, value in before.items()}
        if data.get("id") in labels and "first_name" in data:
            data |= {"first_name": labels[data["id"]], "last_name": "", "structure": ""}
        if data.get("id") in labels and "name" in data:
            data |= {"name": labels[data["id"]], "structure": ""}
        return data
    if isinstance(before, list):
        return [labelled(item, labels, replacements) for item in before]
    if isinstance(before, str):
        for form, label in replacements:
            before = before.replace(form, label)
    return before


@pytest.fixture
def cron_env(settings: Settings, monkeypatch: pytest.MonkeyPatch) -> Callable[..., str]:
    """Run `python -m app.purge` (its main) on the test's database; what it printed."""
    monkeypatch.setenv("ATELIER_DATABASE_URL", settings.database_url)

    def run(*args: str, capsys: pytest.CaptureFixture[str]) -> str:
        assert purge.main(list(args)) == 0
        return capsys.readouterr().out

    return run


# -- retention dates ---------------------------------------------------------------------------


def test_retention_is_three_months_after_the_atelier_or_its_creation() -> None:
    assert default_retention("2026-11-20", 0) == date(2027, 2, 20)
    assert default_retention("2026-11-30", 0) == date(2027, 2, 28)  # no 30 February
    assert add_months(date(2027, 12, 31), 2) == date(2028, 2, 29)
    created = datetime(2026, 5, 31, 12, tzinfo=UTC).timestamp()
    assert default_retention(None, created) == date(2026, 8, 31)


def test_the_organiser_sees_the_retention_date_and_the_referent_changes_it(client: TestClient) -> None:
    form = {"title": "Ouvrir les données", "administration": "Mairie", "format": "1", "date": RECENT_DAY}
    created = client.post("/ateliers", data=form)
    assert created.status_code == 200 and french_date(KEPT_UNTIL.isoformat()) in created.text
    atelier = new_atelier(client, RECENT_DAY)
    url = f"/api/ateliers/{atelier['id']}/retention"
    assert client.get(url, headers=bearer(atelier["animateur_token"])).json() == {
        "retention_until": KEPT_UNTIL.isoformat(),
        "anonymised_at": None,
    }
    undated = new_atelier(client, None)
    today = TODAY
    body = client.get(f"/api/ateliers/{undated['id']}/retention", headers=bearer(undated["animateur_token"])).json()
    assert body["retention_until"] == add_months(today, 3).isoformat()

    # Only the référent's token changes it, within bounds.
    later = add_months(today, 6).isoformat()
    assert client.put(url, json={"until": later}).status_code == 401
    assert client.put(url, json={"until": later}, headers=bearer(atelier["participant_token"])).status_code == 403
    past = client.put(url, json={"until": "2020-01-01"}, headers=bearer(atelier["animateur_token"]))
    assert past.status_code == 422 and "passée" in past.json()["detail"]
    too_far = add_months(today, limits.RETENTION_MAX_MONTHS + 1).isoformat()
    assert client.put(url, json={"until": too_far}, headers=bearer(atelier["animateur_token"])).status_code == 422
    changed = client.put(url, json={"until": later}, headers=bearer(atelier["animateur_token"]))
    assert changed.status_code == 200 and changed.json()["retention_until"] == later

    # The join page says the new date, the purpose, who sees what, and whom to ask.
    page = client.get(f"/a/{atelier['id']}/join/{atelier['participant_token']}").text
    assert french_date(later) in page
    for words in ("Pourquoi", "Qui voit quoi", "Effacement", "Préfecture de la Loire", 'href="/confidentialite"'):
        assert words in page
    assert "Courriel (facultatif)" in page
    assert client.get("/confidentialite").status_code == 200

    # An atelier of a démarche: its organiser reads the date on the démarche's page.
    demarche = client.post("/api/demarches", json={"title": "Plan", "administration": "DITP"}).json()
    first = {"title": "Premier", "format": "1", "date": RECENT_DAY}
    client.post(f"/api/demarches/{demarche['id']}/ateliers", json=first, headers=bearer(demarche["animateur_token"]))
    demarche_page = client.get(f"/d/{demarche['id']}/{demarche['animateur_token']}").text
    assert f"données personnelles conservées jusqu'au {french_date(KEPT_UNTIL.isoformat())}" in demarche_page


def test_the_referent_changes_the_date_from_the_room_and_no_one_else(client: TestClient) -> None:
    atelier = new_atelier(client, RECENT_DAY)
    cookie = member_cookie(atelier["id"])

    def browser_join(kind: str, first: str) -> str:
        form = {"first_name": first, "last_name": "Martin", "structure": ""}
        response = client.post(f"/a/{atelier['id']}/join/{atelier[kind + '_token']}", data=form, follow_redirects=False)
        assert response.status_code == 303, response.text
        secret = client.cookies[cookie]
        client.cookies.clear()
        return secret

    referent, participant = browser_join("animateur", "Alex"), browser_join("participant", "Sam")
    new_day = add_months(datetime.now(UTC).date(), 1).isoformat()
    client.cookies.set(cookie, participant)
    assert "privacy-panel" not in client.get(f"/a/{atelier['id']}").text
    refused = client.post(f"/a/{atelier['id']}/conservation", data={"until": new_day})
    assert refused.status_code == 403 and "Réservé au référent-animateur" in refused.text
    assert client.post(f"/a/{atelier['id']}/anonymiser", data={"confirm": "oui"}).status_code == 403
    client.cookies.set(cookie, referent)
    room = client.get(f"/a/{atelier['id']}").text
    assert 'id="privacy-panel"' in room and french_date(KEPT_UNTIL.isoformat()) in room
    moved = client.post(f"/a/{atelier['id']}/conservation", data={"until": new_day}, follow_redirects=False)
    assert moved.status_code == 303
    assert (
        client.get(f"/api/ateliers/{atelier['id']}/retention", headers=bearer(atelier["animateur_token"])).json()[
            "retention_until"
        ]
        == new_day
    )
    assert client.post(f"/a/{atelier['id']}/conservation", data={"until": "demain"}).status_code == 422
    unconfirmed = client.post(f"/a/{atelier['id']}/anonymiser", data={})
    assert unconfirmed.status_code == 422
    done = client.post(f"/a/{atelier['id']}/anonymiser", data={"confirm": "oui"}, follow_redirects=False)
    assert done.status_code == 303
    assert "Participant 1" in client.get(f"/a/{atelier['id']}").text


# -- who sees personal data --------------------------------------------------------------------


def test_names_structures_and_emails_reach_the_animation_team_only(client: TestClient) -> None:
    # Notes are everyone's: names the team types there are theirs to write (the purge replaces them).
    atelier, people = play(client, RECENT_DAY, notes="Tour de table fait.")
    # A participant's socket (with its HTML fragments), a later join, the page: « Prénom N. » only.
    with connected(client, atelier, people["other"], html=True) as other, connected(client, atelier, people["part"]):
        snapshot = json.dumps(other.seen, ensure_ascii=False)
        join(client, atelier, first_name="Zoé", last_name="Lambert", structure="CAF")
        joined = other.recv_until(lambda frame: frame["type"] == "event")
        client.cookies.set(member_cookie(atelier["id"]), people["other"]["member_token"])
        page = client.get(f"/a/{atelier['id']}").text
        client.cookies.clear()
    assert "Hélène M." in snapshot and "Hélène M." in page  # online beside them
    for secret in ("Müller", "Eau Vive", "eauvive.example", "Dubois", "DITP", "Lambert", "CAF"):
        assert secret not in snapshot and secret not in page and secret not in json.dumps(joined, ensure_ascii=False)
    assert joined["event"]["member"] == {"id": joined["event"]["member"]["id"], "display_name": "Zoé L.",
                                         "role": "participant"}  # fmt: skip
    # The team sees everything, email included (for the thank-you mail).
    with connected(client, atelier, people["ref"]) as ref:
        team_view = json.dumps(ref.seen, ensure_ascii=False)
    assert "helene@eauvive.example" in team_view and "Association Eau Vive" in team_view
    # The API's state and deliverable: the animateur token only; the deliverable never carries emails.
    for path in ("state", "deliverable.json", "compte-rendu.md"):
        url = f"/api/ateliers/{atelier['id']}/{path}"
        assert client.get(url, headers=bearer(atelier["participant_token"])).status_code == 403
    deliverable = animateur_get(client, atelier, "deliverable.json").json()
    people_listed = deliverable["animation_team"] + deliverable["participants"]
    assert "Müller" in json.dumps(people_listed, ensure_ascii=False) and "@" not in json.dumps(people_listed)


def test_an_invalid_email_is_refused_with_a_clear_message(client: TestClient) -> None:
    atelier = new_atelier(client, RECENT_DAY)
    body = {"first_name": "Sam", "last_name": "Martin", "email": "sam at example"}
    response = client.post(
        f"/api/ateliers/{atelier['id']}/members", json=body, headers=bearer(atelier["participant_token"])
    )
    assert response.status_code == 422 and "nom@domaine.fr" in response.json()["detail"]
    form = {"first_name": "Sam", "last_name": "Martin", "email": "sam@"}
    page = client.post(f"/a/{atelier['id']}/join/{atelier['participant_token']}", data=form)
    assert page.status_code == 422 and "nom@domaine.fr" in page.text and 'value="sam@"' in page.text


# -- the purge ---------------------------------------------------------------------------------


def test_the_purge_anonymises_an_expired_atelier_everywhere_and_keeps_its_work(
    app: FastAPI, settings: Settings, tmp_path: Path, cron_env: Callable[..., str], capsys: pytest.CaptureFixture[str]
) -> None:
    database = sqlite_path(settings)
    with TestClient(app) as client:
        atelier, people = play(client, EXPIRED_DAY)
        kept, _ = play(client, RECENT_DAY)
        before = json.loads(animateur_get(client, atelier, "deliverable.json").text)
        assert set(personal_in(stored_text(database))) == set(PERSONAL)  # the probe finds what is there
        assert "Müller" in everything_served(client, atelier, tmp_path)["compte-rendu.pdf"]

    # A dry run says what is due and changes nothing.
    stored = stored_text(database)
    printed = cron_env("--dry-run", capsys=capsys)
    assert f"À anonymiser : {atelier['id']}" in printed and "2020-04-15" in printed and kept["id"] not in printed
    assert "1 atelier(s) à anonymiser" in printed
    assert stored_text(database) == stored

    printed = cron_env(capsys=capsys)
    assert f"Anonymisé : {atelier['id']}" in printed and "3 personne(s)" in printed
    assert "0 atelier(s)" in cron_env(capsys=capsys)  # done once: nothing due any more

    # Nothing stored names them any more (but the other, recent atelier keeps its people).
    with sqlite3.connect(database) as connection:
        rows = connection.execute("SELECT id, anonymised_at FROM atelier").fetchall()
        snapshots = connection.execute("SELECT atelier_id FROM snapshot").fetchall()
    assert dict(rows)[atelier["id"]] is not None and dict(rows)[kept["id"]] is None
    assert (atelier["id"],) not in snapshots
    with TestClient(app) as client:
        served = everything_served(client, atelier, tmp_path)
        assert {name: personal_in(text) for name, text in served.items()} == {name: [] for name in served}
        assert "Participant 2" in served["deliverable.pdf"] and "Participant 1" in served["compte-rendu.pdf"]
        after = json.loads(served["deliverable.json"])
        assert personal_in(animateur_get(client, kept, "deliverable.json").text)
        purged_log = [json.loads(row) for (row,) in _log(database, atelier["id"])]
        page = client.get(f"/a/{atelier['id']}/join/{atelier['participant_token']}")
        assert page.status_code == 410 and "Atelier archivé" in page.text
        late = client.post(f"/api/ateliers/{atelier['id']}/members", json={"first_name": "Zoé", "last_name": "L"},
                           headers=bearer(atelier["participant_token"]))  # fmt: skip
        assert late.status_code == 403
    stored = stored_text(database)
    assert "Müller" in stored  # the recent atelier's
    assert not personal_in(_atelier_text(database, atelier["id"]))
    assert purged_log[-1]["type"] == "members.anonymised"

    # The deliverable is valid and the same, each person under their label (the seq counts the purge).
    assert not list(Draft202012Validator(SCHEMA).iter_errors(after))
    labels = {people[key]["member_id"]: f"Participant {n}" for n, key in enumerate(("ref", "part", "other"), 1)}
    replacements = [("Hélène Müller", "Participant 2"), ("Karim B.", "Participant 3"),
                    ("helene@eauvive.example", "Participant 2")]  # fmt: skip
    assert after == labelled(before, labels, replacements) | {"seq": before["seq"] + 1}
    assert after["questionnaire"] == before["questionnaire"]  # anonymous answers stay as they were


def _log(database: Path, atelier_id: str) -> list[tuple[str]]:
    with sqlite3.connect(database) as connection:
        return connection.execute(
            "SELECT event FROM operation WHERE atelier_id = ? ORDER BY seq", (atelier_id,)
        ).fetchall()


def _atelier_text(database: Path, atelier_id: str) -> str:
    """What the tables hold for one atelier: its row, log and snapshots (decoded like stored_text)."""
    copy = database.with_name("one.db")
    copy.unlink(missing_ok=True)
    with sqlite3.connect(database) as source, sqlite3.connect(copy) as target:
        source.backup(target)
        for table in ("operation", "snapshot", "member"):
            target.execute(f"DELETE FROM {table} WHERE atelier_id != ?", (atelier_id,))
        target.execute("DELETE FROM atelier WHERE id != ?", (atelier_id,))
    return stored_text(copy)


def test_anonymise_now_reaches_people_in_the_room_at_once(client: TestClient) -> None:
    atelier, people = play(client, RECENT_DAY)
    url = f"/api/ateliers/{atelier['id']}/anonymise"
    assert client.post(url).status_code == 401
    assert client.post(url, headers=bearer(atelier["participant_token"])).status_code == 403
    with connected(client, atelier, people["other"]) as other, connected(client, atelier, people["ref"]) as ref:
        response = client.post(url, headers=bearer(atelier["animateur_token"]))
        assert response.status_code == 200, response.text
        assert response.json()["members"] == 3 and response.json()["anonymised_at"] is not None
        seen = other.recv_until(lambda frame: frame["type"] == "event")["event"]
        team_seen = ref.recv_until(lambda frame: frame["type"] == "event")["event"]
    assert seen["type"] == "members.anonymised" and sorted(seen["labels"].values()) == [
        "Participant 1", "Participant 2", "Participant 3"]  # fmt: skip
    assert "compte_rendu" not in seen["texts"] and "compte_rendu" in team_seen["texts"]
    assert not personal_in(json.dumps(team_seen, ensure_ascii=False))
    # Again: the same answer, nothing more done; the date can no longer change.
    again = client.post(url, headers=bearer(atelier["animateur_token"]))
    assert again.status_code == 200 and again.json()["anonymised_at"] == response.json()["anonymised_at"]
    later = client.put(f"/api/ateliers/{atelier['id']}/retention", json={"until": "2027-01-01"},
                       headers=bearer(atelier["animateur_token"]))  # fmt: skip
    assert later.status_code == 409


def test_the_server_purges_expired_ateliers_when_it_starts(make_app: Callable[..., FastAPI]) -> None:
    with TestClient(make_app()) as client:  # the tests' settings turn the server's purge off…
        atelier, _people = play(client, EXPIRED_DAY)
    with TestClient(make_app(purge_every_s=purge.PURGE_EVERY_S)) as client:  # …the default turns it on
        # The start-up purge runs beside the first requests: wait for it on the atelier's own answer.
        deadline = datetime.now(UTC).timestamp() + 10
        url = f"/api/ateliers/{atelier['id']}/retention"
        while client.get(url, headers=bearer(atelier["animateur_token"])).json()["anonymised_at"] is None:
            assert datetime.now(UTC).timestamp() < deadline, "the start-up purge never came"
            client.get("/healthz")  # lets the server's loop run the purge task
        assert not personal_in(animateur_get(client, atelier, "state").text)


# -- participants per atelier ------------------------------------------------------------------


def test_beyond_ten_participants_a_warning_and_beyond_the_maximum_a_clear_refusal(
    client: TestClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    atelier = new_atelier(client, RECENT_DAY)
    referent = join(client, atelier, "animateur", "Alex", "Durand")
    join_page = f"/a/{atelier['id']}/join/{atelier['participant_token']}"
    for n in range(limits.MEMBERS_RECOMMENDED):
        assert "sous-groupes" not in client.get(join_page).text
        join(client, atelier, first_name=f"Personne{n}", last_name="Test")
    assert "Cet atelier réunit déjà 10 personnes participantes" in client.get(join_page).text
    join(client, atelier, first_name="Onzième", last_name="Test")
    cookie = member_cookie(atelier["id"])
    client.cookies.set(cookie, referent["member_token"])
    room = client.get(f"/a/{atelier['id']}").text
    assert 'id="crowded-warning"' in room and "11 personnes participantes" in room and "sous-groupes" in room
    client.cookies.clear()

    monkeypatch.setattr("app.domain.limits.MEMBERS_MAX", 12)  # 1 référent + 11 participants: full
    full = client.get(join_page)
    assert full.status_code == 409 and "Atelier complet" in full.text
    posted = client.post(join_page, data={"first_name": "Zoé", "last_name": "Lambert"})
    assert posted.status_code == 409 and "complet" in posted.text
    api = client.post(f"/api/ateliers/{atelier['id']}/members", json={"first_name": "Zoé", "last_name": "L"},
                      headers=bearer(atelier["participant_token"]))  # fmt: skip
    assert api.status_code == 409 and "complet" in api.json()["detail"]
