"""Silent reflection through the ASGI app: a private draft reaches no other socket before the reveal
(events, fragments, snapshots, replays after a reconnection), no API or export either; it survives a
restart and comes back to its author; the reveal shows it to all at once, with or without its author.

All sockets of a test share one `with TestClient(app)` (see STACK.md).
"""

from __future__ import annotations

import json
import subprocess
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from fastapi import FastAPI
from helpers import Frame, WsClient, bearer, connected, create_atelier, get_state, join
from jsonschema import Draft202012Validator
from starlette.testclient import TestClient

from app.web.deps import member_cookie

SCHEMA = json.loads((Path(__file__).resolve().parents[1] / "docs" / "deliverable.schema.json").read_text("utf-8"))

ENGAGEMENTS = 4  # Format 2 step 5 « Ouvrir la réflexion sur les engagements à prendre »
IDENTIFIER = 3  # Format 1 step 4 « Identifier les sujets d'engagement », the kit's silent reflection
SECRET = "Cantine zéro plastique en 2027"
SECRET_ID = "draft-zeroplastique"
SECRET_OP = "op-zeroplastique"
REWORDED = "Cantine zéro déchet"


@dataclass
class Atelier:
    atelier: dict[str, Any]
    referent: dict[str, Any]
    camille: dict[str, Any]
    karim: dict[str, Any]

    @property
    def id(self) -> str:
        return str(self.atelier["id"])


def _atelier(client: TestClient) -> Atelier:
    atelier = create_atelier(client, title="Ouvrir les données de la cantine", administration="Mairie de Lyon")
    return Atelier(
        atelier,
        join(client, atelier, "animateur", "Claire", "Dupont", "DITP"),
        join(client, atelier, "participant", "Camille", "Martin", "Association Quartiers"),
        join(client, atelier, "participant", "Karim", "Benali"),
    )


@pytest.fixture
def room(client: TestClient) -> Atelier:
    return _atelier(client)


def done(ws: WsClient, type: str, op_id: str | None = None, **fields: Any) -> str:
    op_id = ws.send_op(type, op_id, **fields)
    ws.ack(op_id)
    return op_id


def barrier(sender: WsClient, *others: WsClient) -> None:
    """An event every socket receives after all that came before it (one room, one order)."""
    op_id = done(sender, "timer.reset")
    for other in others:
        other.event(op_id)


def leaks(frames: list[Frame]) -> list[str]:
    """Frames that hold anything of the secret draft: its words, its id, its author's op id."""
    return [
        text[:200]
        for text in (json.dumps(frame, ensure_ascii=False) for frame in frames)
        if SECRET in text or SECRET_ID in text or SECRET_OP in text or REWORDED in text
    ]


def pdf_text(pdf: bytes, tmp_path: Path) -> str:
    path = tmp_path / "livrable.pdf"
    path.write_bytes(pdf)
    text = subprocess.run(["pdftotext", str(path), "-"], capture_output=True, check=True, text=True).stdout
    return " ".join(text.split())


def exports(client: TestClient, room: Atelier, tmp_path: Path | None = None) -> dict[str, str]:
    """Everything the animateur can download or read about the atelier, as text (the PDF with `tmp_path`)."""
    auth = bearer(room.atelier["animateur_token"])
    api = f"/api/ateliers/{room.id}"
    deliverable = client.get(f"{api}/deliverable.json", headers=auth).json()
    Draft202012Validator(SCHEMA).validate(deliverable)
    texts = {
        "state": json.dumps(client.get(f"{api}/state", headers=auth).json(), ensure_ascii=False),
        "deliverable": json.dumps(deliverable, ensure_ascii=False),
        "compte rendu": client.get(f"{api}/compte-rendu.md", headers=auth).text,
    }
    if tmp_path is not None:
        texts["pdf"] = pdf_text(client.get(f"{api}/deliverable.pdf", headers=auth).content, tmp_path)
    return texts


def write_secret_draft(cam: WsClient) -> None:
    done(cam, "card.create", SECRET_OP, card_id=SECRET_ID, title=SECRET, description="Une phrase privée.")


def test_a_draft_reaches_no_other_socket_before_the_reveal(client: TestClient, room: Atelier, tmp_path: Path) -> None:
    with (
        connected(client, room.atelier, room.referent, html=True) as claire,
        connected(client, room.atelier, room.camille, html=True) as cam,
        connected(client, room.atelier, room.karim, html=True) as karim,
        connected(client, room.atelier, room.karim) as karim_machine,
    ):
        done(claire, "step.goto", index=IDENTIFIER)
        done(claire, "reflection.start")
        write_secret_draft(cam)
        done(cam, "card.update", card_id=SECRET_ID, title=REWORDED, description="")
        done(karim, "card.create", card_id="draft-karim", title="Menus en open data")
        drafted = cam.recv_until(lambda f: f["type"] == "event" and f["event"]["type"] == "reflection.draft_updated")
        assert drafted["event"]["draft"]["title"] == REWORDED and drafted["id"] is not None
        assert any(REWORDED in fragment.get("html", "") for fragment in drafted["fragments"])
        barrier(claire, cam, karim, karim_machine)
        for other in (claire, karim, karim_machine):
            assert not leaks(other.seen), leaks(other.seen)
        # The others know how many drafts, from how many people, and nothing else.
        counted = [f["event"] for f in claire.seen if f["type"] == "event" and f["event"]["type"].startswith("refl")]
        assert counted[-1] == {"type": "reflection.drafted", "drafts": 2, "authors": 2}
        assert any("2 brouillons de 2 personnes" in json.dumps(f, ensure_ascii=False) for f in claire.seen)
        # Someone else trying the draft's id learns nothing: the same answer as for no card at all.
        refused = claire.answer(claire.send_op("card.update", card_id=SECRET_ID, title="x"))
        unknown = claire.answer(claire.send_op("card.update", card_id="nulle-part", title="x"))
        assert refused["code"] == unknown["code"] == "not_found" and refused["message"] == unknown["message"]
        for name, text in exports(client, room, tmp_path).items():
            assert SECRET_ID not in text and REWORDED not in text, name
        seq = karim.last_seq

    # Reconnections: a snapshot and a replay of the log, for the others and for the author.
    with connected(client, room.atelier, room.karim, html=True) as again:
        assert not leaks(again.seen)
    with connected(client, room.atelier, room.referent, last_seq=seq - 3, html=True) as replayed:
        assert any(f["type"] == "event" for f in replayed.seen)  # a replay, not a snapshot
        assert not leaks(replayed.seen)
    with connected(client, room.atelier, room.camille, html=True) as author:
        snapshot = next(f for f in author.seen if f["type"] == "snapshot")
        assert [d["title"] for d in snapshot["state"]["reflection"]["mine"]] == [REWORDED]
        assert any(REWORDED in fragment.get("html", "") for fragment in snapshot["fragments"])
    with connected(client, room.atelier, room.camille, last_seq=seq - 3) as author_replay:
        assert REWORDED in json.dumps(author_replay.seen, ensure_ascii=False)


def test_the_reveal_shows_every_draft_to_everyone_at_once(client: TestClient, room: Atelier, tmp_path: Path) -> None:
    with (
        connected(client, room.atelier, room.referent, html=True) as claire,
        connected(client, room.atelier, room.camille, html=True) as cam,
        connected(client, room.atelier, room.karim) as karim,
    ):
        done(claire, "step.goto", index=IDENTIFIER)
        done(claire, "reflection.start")
        write_secret_draft(cam)
        reveal = done(claire, "reflection.reveal")
        for ws in (claire, cam, karim):
            event = ws.event(reveal)["event"]
            assert [card["title"] for card in event["cards"]] == [SECRET]
            assert event["cards"][0]["author_id"] == room.camille["member_id"] and not event["anonymous"]
        card = next(c for c in get_state(client, room.atelier)["state"]["cards"] if c["id"] == SECRET_ID)
        assert card["author_id"] == room.camille["member_id"]
        after = exports(client, room, tmp_path)
        assert SECRET in after["deliverable"] and SECRET in after["pdf"] and "Camille Martin" in after["pdf"]
        assert get_state(client, room.atelier)["state"]["reflection"]["reveals"][0]["anonymous"] is False


def test_an_anonymous_reveal_names_nobody_in_the_room_or_the_deliverable(client: TestClient, room: Atelier) -> None:
    with (
        connected(client, room.atelier, room.referent, html=True) as claire,
        connected(client, room.atelier, room.camille) as cam,
    ):
        done(claire, "step.goto", index=IDENTIFIER)
        done(claire, "reflection.start")
        write_secret_draft(cam)
        event = claire.event(done(claire, "reflection.reveal", anonymous=True))
        card_html = next(f["html"] for f in event["fragments"] if f["id"] == f"card-{SECRET_ID}")
        assert "anonyme" in card_html and "Camille" not in card_html
    auth = bearer(room.atelier["animateur_token"])
    deliverable = client.get(f"/api/ateliers/{room.id}/deliverable.json", headers=auth).json()
    card = next(c for c in deliverable["cards"] if c["id"] == SECRET_ID)
    assert card["anonymous"] is True and card["author"] is None
    assert deliverable["reveals"] == [{"step": IDENTIFIER + 1, "kind": "cards", "anonymous": True, "count": 1}]


def test_participants_cannot_start_or_reveal(client: TestClient, room: Atelier) -> None:
    with (
        connected(client, room.atelier, room.referent) as claire,
        connected(client, room.atelier, room.camille) as cam,
    ):
        done(claire, "step.goto", index=IDENTIFIER)
        assert cam.answer(cam.send_op("reflection.start"))["code"] == "forbidden"
        done(claire, "reflection.start")
        write_secret_draft(cam)
        assert cam.answer(cam.send_op("reflection.reveal"))["code"] == "forbidden"
        assert cam.answer(cam.send_op("reflection.reveal", anonymous="oui"))["code"] == "invalid"


def test_a_draft_survives_a_restart_and_returns_to_its_author_only(make_app: Callable[..., FastAPI]) -> None:
    with TestClient(make_app()) as client:
        room = _atelier(client)
        with (
            connected(client, room.atelier, room.referent) as claire,
            connected(client, room.atelier, room.camille) as cam,
        ):
            done(claire, "step.goto", index=IDENTIFIER)
            done(claire, "reflection.start")
            write_secret_draft(cam)
    with TestClient(make_app()) as client:
        with connected(client, room.atelier, room.karim, html=True) as karim:
            assert not leaks(karim.seen)
        with connected(client, room.atelier, room.camille) as cam:
            snapshot = next(f for f in cam.seen if f["type"] == "snapshot")
            assert [d["id"] for d in snapshot["state"]["reflection"]["mine"]] == [SECRET_ID]
            assert snapshot["state"]["reflection"]["drafts"] == 1


def test_format_2_ideas_are_drafts_until_the_reveal_in_pages_too(client: TestClient) -> None:
    atelier = create_atelier(client, format="2", title="Formuler l'engagement", administration="Mairie de Lyon")
    referent = join(client, atelier, "animateur", "Claire", "Dupont")
    camille = join(client, atelier, first_name="Camille")
    karim = join(client, atelier, first_name="Karim")
    idea = "Un comité de parents consulté chaque trimestre"

    def page_of(member: dict[str, Any]) -> str:
        cookie = {"Cookie": f"{member_cookie(atelier['id'])}={member['member_token']}"}
        response = client.get(f"/a/{atelier['id']}", headers=cookie)
        assert response.status_code == 200
        return response.text

    with (
        connected(client, atelier, referent, html=True) as claire,
        connected(client, atelier, camille) as cam,
        connected(client, atelier, karim, html=True) as kar,
    ):
        done(claire, "step.goto", index=ENGAGEMENTS)
        done(claire, "reflection.start")
        done(cam, "idea.create", idea_id="idee-secrete", question="societe-civile-2", text=idea)
        barrier(claire, kar)
        assert not [f for f in claire.seen + kar.seen if idea in json.dumps(f, ensure_ascii=False)]
        assert idea in page_of(camille) and idea not in page_of(karim) and idea not in page_of(referent)
        revealed = done(claire, "reflection.reveal")
        ideas_region = next(f["html"] for f in kar.event(revealed)["fragments"] if f["id"] == "ideas")
        assert idea in ideas_region and "Camille" in ideas_region
    assert idea in page_of(karim)
