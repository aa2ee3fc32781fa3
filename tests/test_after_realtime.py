"""After the atelier, through the ASGI app: the questionnaire's anonymity on the wire, drafts that never
reach participants (frames, snapshots, the room page), the compte rendu and réseau social downloads,
and the finalised compte rendu.

All sockets of a test share one `with TestClient(app)` (see STACK.md).
"""

from __future__ import annotations

import base64
import json
import re
import shutil
import subprocess
import xml.etree.ElementTree as ET
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from helpers import (
    Frame,
    WsClient,
    bearer,
    connected,
    create_atelier,
    events_between,
    get_state,
    join,
    text_update,
)
from pycrdt import Doc, Text
from starlette.testclient import TestClient

from app.web.deps import member_cookie

ANSWERS = {"global": 4, "objectifs": 5, "apprecie": "Le rythme, et « l'écoute »", "suite": "Oui"}
SECRET_POST = "Brouillon interne du post : ne pas diffuser"
DRAFT_FIELDS = ("compte_rendu", "post", "mail")


@dataclass
class Atelier:
    """An atelier with its référent-animateur and two participants, joined over the API (not connected)."""

    atelier: dict[str, Any]
    referent: dict[str, Any]
    camille: dict[str, Any]
    karim: dict[str, Any]

    @property
    def id(self) -> str:
        return str(self.atelier["id"])


@pytest.fixture
def room(client: TestClient) -> Atelier:
    atelier = create_atelier(client, title="Ouvrir les données de la cantine", administration="Mairie de Lyon")
    return Atelier(
        atelier,
        join(client, atelier, "animateur", "Claire", "Dupont", "DITP"),
        join(client, atelier, "participant", "Camille", "Martin", "Association Quartiers"),
        join(client, atelier, "participant", "Karim", "Benali"),
    )


def done(ws: WsClient, type: str, **fields: Any) -> str:
    """Send an operation and wait for its ack; its id."""
    op_id = ws.send_op(type, **fields)
    ws.ack(op_id)
    return op_id


def text_of(encoded: str | None) -> str:
    doc: Doc[Text] = Doc()
    doc["text"] = text = Text()
    if encoded:
        doc.apply_update(base64.b64decode(encoded))
    return str(text)


def texts(client: TestClient, room: Atelier) -> dict[str, str]:
    return {field: text_of(update) for field, update in get_state(client, room.atelier)["state"]["texts"].items()}


def browser_join(client: TestClient, room: Atelier, token_kind: str, first_name: str) -> str:
    """Join through the HTML form, as a browser does; the member token its cookie holds.

    The client's cookie jar is emptied after, so each request names its person with `as_member`.
    """
    response = client.post(
        f"/a/{room.id}/join/{room.atelier[f'{token_kind}_token']}",
        data={"first_name": first_name, "last_name": "Navigateur", "structure": ""},
        follow_redirects=False,
    )
    assert response.status_code == 303, response.text
    token = response.cookies.get(member_cookie(room.id))
    assert token
    client.cookies.clear()
    return str(token)


def as_member(room: Atelier, token: str) -> dict[str, str]:
    return {"Cookie": f"{member_cookie(room.id)}={token}"}


# -- the questionnaire's anonymity -------------------------------------------------------------


def is_answer(frame: dict[str, Any]) -> bool:
    return frame.get("type") == "event" and frame["event"]["type"] == "questionnaire.answered"


def test_an_anonymous_answer_names_nobody(client: TestClient, room: Atelier) -> None:
    with (
        connected(client, room.atelier, room.referent) as referent,
        connected(client, room.atelier, room.camille) as camille,
        connected(client, room.atelier, room.karim) as karim,
    ):
        opened = done(referent, "questionnaire.open")
        frame = karim.event(opened)
        assert frame["event"] == {"type": "questionnaire.opened", "anonymous": True, "at": frame["at"]}
        assert frame["actor"] == room.referent["member_id"]  # opening it is no secret

        answered = camille.send_op("questionnaire.answer", answers=ANSWERS)
        assert camille.answer(answered)["type"] == "ack"

        team = referent.recv_until(is_answer)
        assert team["actor"] is None and team["id"] is None  # a client's op ids could tell who answered
        assert team["event"] == {"type": "questionnaire.answered", "answers": ANSWERS}
        other = karim.recv_until(is_answer)
        assert other["actor"] is None and other["event"] == {"type": "questionnaire.answered"}
        own = camille.recv_until(is_answer)
        assert own["actor"] is None and own["event"] == {"type": "questionnaire.answered"}
        for frame in (team, other, own):
            assert room.camille["member_id"] not in json.dumps(frame)
            assert answered not in json.dumps(frame)

    # A later reconnection replays the same redacted events.
    with connected(client, room.atelier, room.referent, last_seq=1) as referent:
        replayed = [frame for frame in events_between(referent.seen) if is_answer(frame)]
        assert [(frame["actor"], frame["event"]) for frame in replayed] == [(None, team["event"])]

    questionnaire = get_state(client, room.atelier)["state"]["questionnaire"]
    assert questionnaire["responses"] == 1 and questionnaire["anonymous"] and questionnaire["open"]
    assert "by_person" not in questionnaire
    by_key = {item["key"]: item for item in questionnaire["questions"]}
    assert by_key["global"]["mean"] == 4 and by_key["suite"]["counts"]["Oui"] == 1
    assert by_key["apprecie"]["texts"] == [ANSWERS["apprecie"]]
    written = json.dumps(questionnaire, ensure_ascii=False)
    assert "Camille" not in written and "Martin" not in written and room.camille["member_id"] not in written


def test_participants_see_only_whether_it_is_open(client: TestClient, room: Atelier) -> None:
    with (
        connected(client, room.atelier, room.referent) as referent,
        connected(client, room.atelier, room.camille) as camille,
    ):
        done(referent, "questionnaire.open")
        done(camille, "questionnaire.answer", answers=ANSWERS)
    with connected(client, room.atelier, room.karim) as karim:
        snapshot = next(frame for frame in karim.seen if frame["type"] == "snapshot")
    assert snapshot["state"]["questionnaire"] == {"open": True, "anonymous": True}


def test_a_named_questionnaire_shows_names_to_the_team(client: TestClient, room: Atelier) -> None:
    with (
        connected(client, room.atelier, room.referent) as referent,
        connected(client, room.atelier, room.camille) as camille,
        connected(client, room.atelier, room.karim) as karim,
    ):
        done(referent, "questionnaire.open", anonymous=False)
        answered = done(camille, "questionnaire.answer", answers={"global": 2})
        team = referent.event(answered)
        assert team["actor"] == room.camille["member_id"]
        assert team["event"] == {
            "type": "questionnaire.answered",
            "member_id": room.camille["member_id"],
            "answers": {"global": 2},
        }
        other = karim.recv_until(is_answer)
        assert other["event"] == {"type": "questionnaire.answered"}  # still no answers for them
        assert other["actor"] is None and other["id"] is None  # nor who answered
    questionnaire = get_state(client, room.atelier)["state"]["questionnaire"]
    assert questionnaire["by_person"] == [{"name": "Camille Martin", "answers": {"global": 2}}]


def test_anonymous_answers_stay_anonymous(client: TestClient, room: Atelier) -> None:
    with (
        connected(client, room.atelier, room.referent) as referent,
        connected(client, room.atelier, room.camille) as camille,
    ):
        done(referent, "questionnaire.open")
        done(camille, "questionnaire.answer", answers={"global": 2})
        refused = referent.send_op("questionnaire.open", anonymous=False)
        error = referent.answer(refused)
        assert (error["type"], error["code"]) == ("error", "invalid"), error
    assert "by_person" not in get_state(client, room.atelier)["state"]["questionnaire"]


@pytest.mark.parametrize(
    ("frame", "code"),
    [
        ({"type": "questionnaire.answer", "answers": {"global": True}}, "invalid"),  # strict: not an int
        ({"type": "questionnaire.answer", "answers": {"global": 4.0}}, "invalid"),
        ({"type": "questionnaire.answer", "answers": {"global": 9}}, "invalid"),
        ({"type": "questionnaire.answer", "answers": {"nope": 1}}, "invalid"),
        ({"type": "questionnaire.answer", "answers": {"suite": "Bof"}}, "invalid"),
        ({"type": "questionnaire.answer", "answers": {"apprecie": "x" * 1001}}, "invalid"),
        ({"type": "questionnaire.answer", "answers": {}}, "invalid"),
        ({"type": "questionnaire.answer"}, "invalid"),
        ({"type": "questionnaire.close"}, "forbidden"),
        ({"type": "questionnaire.open", "anonymous": "yes"}, "invalid"),
        ({"type": "draft.generate", "field": "post"}, "forbidden"),
        ({"type": "draft.generate", "field": "notes:0"}, "invalid"),
        ({"type": "compte_rendu.finalize", "final": True}, "forbidden"),
        ({"type": "compte_rendu.finalize"}, "invalid"),
        ({"type": "text.update", "field": "post", "update": text_update("x")}, "forbidden"),
    ],
)
def test_what_a_participant_is_refused(client: TestClient, room: Atelier, frame: Frame, code: str) -> None:
    with (
        connected(client, room.atelier, room.referent) as referent,
        connected(client, room.atelier, room.camille) as camille,
    ):
        done(referent, "questionnaire.open")
        op_id = camille.send_op(frame["type"], **{k: v for k, v in frame.items() if k != "type"})
        error = camille.answer(op_id)
        assert (error["type"], error["code"]) == ("error", code), error
    assert get_state(client, room.atelier)["state"]["questionnaire"]["responses"] == 0


def test_bad_draft_frames_from_the_team(client: TestClient, room: Atelier) -> None:
    with connected(client, room.atelier, room.referent) as referent:
        for fields, code in [
            ({"field": "mail", "link": "javascript:alert(1)"}, "invalid"),
            ({"field": "mail", "link": "x" * 601}, "invalid"),
            ({"field": "brouillon"}, "invalid"),
            ({"field": "post", "extra": 1}, "invalid"),
        ]:
            error = referent.answer(referent.send_op("draft.generate", **fields))
            assert (error["type"], error["code"]) == ("error", code), (fields, error)
        error = referent.answer(referent.send_op("questionnaire.close"))
        assert (error["code"], error["message"]) == ("invalid", "Le questionnaire n'est pas ouvert.")
    assert not set(DRAFT_FIELDS) & set(texts(client, room))


# -- drafts stay with the team -----------------------------------------------------------------


def _write_drafts(referent: WsClient) -> list[str]:
    return [
        done(referent, "draft.generate", field="compte_rendu"),
        done(referent, "draft.generate", field="mail", link="https://example.org/livrable"),
        done(referent, "draft.generate", field="post"),
        done(referent, "text.update", field="post", update=text_update(SECRET_POST + "\n")),
    ]


def test_drafts_never_reach_participants(client: TestClient, room: Atelier) -> None:
    with (
        connected(client, room.atelier, room.referent) as referent,
        connected(client, room.atelier, room.camille) as camille,
        connected(client, room.atelier, room.karim, html=True) as karim,
    ):
        ops = _write_drafts(referent)
        referent.event(ops[-1])
        team = [next(f for f in events_between(referent.seen) if f["id"] == op_id) for op_id in ops]
        assert [frame["event"]["type"] for frame in team] == [*["draft.generated"] * 3, "text.updated"]
        assert all(frame["event"]["update"] for frame in team)
        for participant in (camille, karim):
            seen = [participant.event(op_id) for op_id in ops]
            assert [frame["event"] for frame in seen] == [
                {"type": "draft.generated", "field": "compte_rendu"},
                {"type": "draft.generated", "field": "mail"},
                {"type": "draft.generated", "field": "post"},
                {"type": "text.updated", "field": "post"},
            ]
        html_frames = json.dumps(karim.seen, ensure_ascii=False)
        assert "draft-post" not in html_frames and 'data-text-field="compte_rendu"' not in html_frames
        received = [*camille.seen, *karim.seen]

    drafted = texts(client, room)
    # The secret was typed by a client that had not seen the generated post: CRDT order between the two
    # concurrent insertions depends on client ids, so only its presence is certain.
    assert SECRET_POST in drafted["post"] and drafted["compte_rendu"].startswith("# Compte rendu")
    assert "https://example.org/livrable" in drafted["mail"]

    # A new connection: the snapshot has no drafts; a catch-up replays them redacted.
    with connected(client, room.atelier, room.camille, html=True) as camille:
        snapshot = next(frame for frame in camille.seen if frame["type"] == "snapshot")
        assert not set(DRAFT_FIELDS) & set(snapshot["state"]["texts"])
        assert "draft-" not in json.dumps(snapshot["fragments"])
        received += camille.seen
    with connected(client, room.atelier, room.camille, last_seq=4) as camille:
        replayed = events_between(camille.seen)
        assert [frame["event"] for frame in replayed] == [
            {"type": "draft.generated", "field": "mail"},
            {"type": "draft.generated", "field": "post"},
            {"type": "text.updated", "field": "post"},
        ]
        received += camille.seen

    everything = json.dumps(received, ensure_ascii=False)
    assert SECRET_POST not in everything and "Compte rendu" not in everything
    assert "example.org/livrable" not in everything
    for update in (frame["event"]["update"] for frame in team):
        assert update not in everything


def test_the_room_page_keeps_drafts_from_participants(client: TestClient, room: Atelier) -> None:
    participant = browser_join(client, room, "participant", "Inès")
    animateur = browser_join(client, room, "animateur", "Hugo")
    with connected(client, room.atelier, room.referent) as referent:
        _write_drafts(referent)
    drafted = texts(client, room)

    page = client.get(f"/a/{room.id}", headers=as_member(room, participant))
    assert page.status_code == 200, page.text
    html = page.text
    assert SECRET_POST not in html and "Compte rendu —" not in html
    assert 'data-text-field="compte_rendu"' not in html and 'id="draft-post"' not in html
    assert 'id="draft-mail"' not in html and "compte-rendu.pdf" not in html
    data = re.search(r'<script type="application/json" id="texts-state">(.*?)</script>', html, re.S)
    assert data is not None
    assert not set(DRAFT_FIELDS) & set(json.loads(data.group(1)))

    # The team's page has them: the check above is not vacuous.
    team_page = client.get(f"/a/{room.id}", headers=as_member(room, animateur)).text
    assert 'data-text-field="compte_rendu"' in team_page and 'id="draft-post"' in team_page
    assert SECRET_POST in team_page
    team_data = re.search(r'<script type="application/json" id="texts-state">(.*?)</script>', team_page, re.S)
    assert team_data is not None
    team_texts = json.loads(team_data.group(1))
    assert set(DRAFT_FIELDS) <= set(team_texts)
    assert text_of(team_texts["post"]) == drafted["post"]


# -- downloads ---------------------------------------------------------------------------------

CARD_TITLE = "Crèches & écoles : données « ouvertes »"


def _with_a_card(client: TestClient, room: Atelier, title: str = CARD_TITLE) -> None:
    with connected(client, room.atelier, room.camille) as camille:
        card = done(camille, "card.create", title=title)
    with connected(client, room.atelier, room.referent) as referent:
        done(referent, "card.priority", card_id=card, priority=True)


def test_the_compte_rendu_in_markdown(client: TestClient, room: Atelier) -> None:
    _with_a_card(client, room)
    url = f"/api/ateliers/{room.id}/compte-rendu.md"
    response = client.get(url, headers=bearer(room.atelier["animateur_token"]))
    assert response.status_code == 200, response.text
    assert response.headers["content-type"] == "text/markdown; charset=utf-8"
    assert f'filename="compte-rendu-{room.id}.md"' in response.headers["content-disposition"]
    body = response.text
    assert body.startswith("# Compte rendu — Ouvrir les données de la cantine")
    assert f"- {CARD_TITLE} — sujet prioritaire" in body
    assert "Camille Martin — Association Quartiers" in body  # a fresh draft, since nobody wrote one

    # Once the team wrote its own, that is what is downloaded.
    with connected(client, room.atelier, room.referent) as referent:
        done(referent, "text.update", field="compte_rendu", update=text_update("# Notre compte rendu\n\nFini."))
    assert client.get(url, headers=bearer(room.atelier["animateur_token"])).text == "# Notre compte rendu\n\nFini."


@pytest.mark.parametrize("suffix", ["md", "pdf"])
def test_the_compte_rendu_api_needs_the_animateur_token(client: TestClient, room: Atelier, suffix: str) -> None:
    url = f"/api/ateliers/{room.id}/compte-rendu.{suffix}"
    assert client.get(url, headers=bearer(room.atelier["participant_token"])).status_code == 403
    assert client.get(url, headers=bearer(room.referent["member_token"])).status_code == 403
    assert client.get(url).status_code == 401
    unknown = f"/api/ateliers/inconnu0000/compte-rendu.{suffix}"
    assert client.get(unknown, headers=bearer(room.atelier["animateur_token"])).status_code == 404


@pytest.mark.skipif(shutil.which("pdftotext") is None, reason="pdftotext (poppler-utils) is not installed")
def test_the_compte_rendu_in_pdf(client: TestClient, room: Atelier, tmp_path: Path) -> None:
    _with_a_card(client, room)
    response = client.get(f"/api/ateliers/{room.id}/compte-rendu.pdf", headers=bearer(room.atelier["animateur_token"]))
    assert response.status_code == 200, response.text
    assert response.headers["content-type"] == "application/pdf"
    assert response.content.startswith(b"%PDF")
    path = tmp_path / "cr.pdf"
    path.write_bytes(response.content)
    text = subprocess.run(["pdftotext", "-enc", "UTF-8", str(path), "-"], capture_output=True, check=True).stdout
    words = " ".join(text.decode("utf-8").split())
    assert CARD_TITLE in words, words[:2000]
    assert "Compte rendu — Ouvrir les données de la cantine" in words
    assert "Version de travail" in words
    assert "&amp;" not in words and "<li>" not in words

    with connected(client, room.atelier, room.referent) as referent:
        done(referent, "compte_rendu.finalize", final=True)
    final = client.get(f"/api/ateliers/{room.id}/compte-rendu.pdf", headers=bearer(room.atelier["animateur_token"]))
    path.write_bytes(final.content)
    text = subprocess.run(["pdftotext", "-enc", "UTF-8", str(path), "-"], capture_output=True, check=True).stdout
    assert "Version de travail" not in text.decode("utf-8")


@pytest.mark.parametrize("path", ["compte-rendu.md", "compte-rendu.pdf", "carte-reseau-social.svg"])
def test_room_downloads_are_for_the_team(client: TestClient, room: Atelier, path: str) -> None:
    participant = browser_join(client, room, "participant", "Inès")
    animateur = browser_join(client, room, "animateur", "Hugo")
    url = f"/a/{room.id}/{path}"
    refused = client.get(url, headers=as_member(room, participant))
    assert refused.status_code == 403 and refused.json() == {"detail": "Réservé à l'équipe d'animation."}
    assert client.get(url).status_code == 403
    assert client.get(url, headers=as_member(room, "pas-un-jeton")).status_code == 403
    allowed = client.get(url, headers=as_member(room, animateur))
    assert allowed.status_code == 200, allowed.text
    assert "attachment" in allowed.headers["content-disposition"]
    assert client.get(f"/a/inconnu0000/{path}", headers=as_member(room, animateur)).status_code == 404


def test_the_social_card_is_well_formed_and_escaped(client: TestClient) -> None:
    atelier = create_atelier(client, title="Carte", administration="Mairie d'Épinal & <b>co</b>")
    room = Atelier(
        atelier,
        join(client, atelier, "animateur", "Claire", "Dupont"),
        join(client, atelier, "participant", "Camille", "Martin"),
        join(client, atelier, "participant", "Karim", "Benali"),
    )
    title = '<script>alert("x")</script> & co'
    _with_a_card(client, room, title)
    animateur = browser_join(client, room, "animateur", "Hugo")
    response = client.get(f"/a/{room.id}/carte-reseau-social.svg", headers=as_member(room, animateur))
    assert response.status_code == 200, response.text
    assert response.headers["content-type"].startswith("image/svg+xml")
    assert "<script" not in response.text

    root = ET.fromstring(response.text)
    svg = "{http://www.w3.org/2000/svg}"
    assert root.tag == f"{svg}svg"
    assert not root.findall(f".//{svg}script") and not root.findall(".//script")
    lines = ["".join(element.itertext()) for element in root.iter(f"{svg}text")]
    assert title in lines
    assert "Mairie d'Épinal & <b>co</b>" in lines
    assert root.get("aria-label") == title
    assert "2" in lines and "personnes participantes" in lines  # Camille and Karim


# -- the finalised compte rendu ----------------------------------------------------------------


def test_a_final_compte_rendu_refuses_edits_until_reopened(client: TestClient, room: Atelier) -> None:
    with (
        connected(client, room.atelier, room.referent) as referent,
        connected(client, room.atelier, room.camille) as camille,
    ):
        done(referent, "draft.generate", field="compte_rendu")
        draft = texts(client, room)["compte_rendu"]
        final = done(referent, "compte_rendu.finalize", final=True)
        assert camille.event(final)["event"] == {"type": "compte_rendu.finalized", "final": True}

        refused = referent.send_op("text.update", field="compte_rendu", update=text_update("Ajout tardif. "))
        error = referent.answer(refused)
        assert (error["type"], error["code"]) == ("error", "invalid"), error
        assert "finalisé" in error["message"]
        again = referent.answer(referent.send_op("draft.generate", field="compte_rendu"))
        assert (again["type"], again["code"]) == ("error", "invalid")
        assert texts(client, room)["compte_rendu"] == draft
        assert get_state(client, room.atelier)["state"]["compte_rendu_final"] is True
        done(referent, "text.update", field="post", update=text_update("Le post reste modifiable."))

        done(referent, "compte_rendu.finalize", final=False)
        done(referent, "text.update", field="compte_rendu", update=text_update("Ajout tardif. "))
    after = texts(client, room)["compte_rendu"]
    assert after != draft and "Ajout tardif. " in after and draft.strip() in after
    assert get_state(client, room.atelier)["state"]["compte_rendu_final"] is False
