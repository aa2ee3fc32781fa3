"""Dot voting through the ASGI app: each person's dots reach that person only, nobody (the animateur
included) receives a count before the close, then the totals reach everyone and stay in the log and
the deliverable; roles are checked on every message.

All sockets of a test share one `with TestClient(app)` (see STACK.md).
"""

from __future__ import annotations

import json
import re
import subprocess
from pathlib import Path
from typing import Any

import pytest
from helpers import Frame, WsClient, bearer, connected, create_atelier, get_state, join
from starlette.testclient import TestClient

MATRICE = 5  # Format 1 step 6 « Classer les sujets … désirabilité/faisabilité »
CARDS = {"menus": "Publier les menus", "rdv": "Rendez-vous en ligne", "bio": "Cantine bio"}


def done(ws: WsClient, type: str, **fields: Any) -> str:
    op_id = ws.send_op(type, **fields)
    ws.ack(op_id)
    return op_id


def refused(ws: WsClient, type: str, **fields: Any) -> Frame:
    frame = ws.answer(ws.send_op(type, **fields))
    assert frame["type"] == "error", frame
    return frame


def counts_leaked(frames: list[Frame]) -> list[str]:
    """Frames before the close that tell anything about where dots are: a card id in a vote event,
    a dot badge in a fragment, someone's ballot."""
    found = []
    for frame in frames:
        if frame["type"] != "event":
            continue
        event = frame["event"]
        if event["type"].startswith("vote.dot") and set(event) != {"type", "voters"}:
            found.append(json.dumps(event))
        html = " ".join(fragment.get("html", "") for fragment in frame.get("fragments", []))
        if "data-dots" in html or re.search(r"mes points : [1-9]", html):
            found.append(html[:200])
    return found


@pytest.fixture
def atelier(client: TestClient) -> dict[str, Any]:
    return create_atelier(client, title="Choisir nos sujets", administration="Mairie de Lyon")


def pdf_text(pdf: bytes, tmp_path: Path) -> str:
    path = tmp_path / "livrable.pdf"
    path.write_bytes(pdf)
    text = subprocess.run(["pdftotext", str(path), "-"], capture_output=True, check=True, text=True).stdout
    return " ".join(text.split())


def test_counts_stay_hidden_from_everyone_until_the_close(
    client: TestClient, atelier: dict[str, Any], tmp_path: Path
) -> None:
    referent = join(client, atelier, "animateur", "Claire", "Dupont")
    camille = join(client, atelier, first_name="Camille")
    karim = join(client, atelier, first_name="Karim")
    with (
        connected(client, atelier, referent, html=True) as claire,
        connected(client, atelier, camille, html=True) as cam,
        connected(client, atelier, karim, html=True) as kar,
    ):
        done(claire, "step.goto", index=MATRICE)
        for card_id, title in CARDS.items():
            done(claire, "card.create", card_id=card_id, title=title)
        done(claire, "vote.open", votes_per_person=2, multiple=True)
        opened_at = len(claire.seen)
        done(cam, "vote.place", card_id="menus")
        done(cam, "vote.place", card_id="menus")
        done(kar, "vote.place", card_id="rdv")
        done(kar, "vote.remove", card_id="rdv")
        done(kar, "vote.place", card_id="menus")
        # Camille sees her own dots, and what she has left.
        own = cam.recv_until(lambda f: f["type"] == "event" and f["event"]["type"] == "vote.dot_placed")
        assert own["event"]["card_id"] == "menus"
        fragments = [f for frame in cam.seen if frame["type"] == "event" for f in frame["fragments"]]
        ballots = [fragment["html"] for fragment in fragments if fragment["id"] == "ballot"]
        assert "Vous avez placé tous vos points" in ballots[-1]
        barrier = done(claire, "timer.reset")
        for ws in (cam, kar):
            ws.event(barrier)
        assert not counts_leaked(claire.seen[opened_at:]), counts_leaked(claire.seen)
        assert not counts_leaked([f for f in kar.seen if f.get("actor") != karim["member_id"]])
        others = [f["event"] for f in claire.seen if f["type"] == "event" and f["event"]["type"].startswith("vote.dot")]
        assert others[-1] == {"type": "vote.dot_placed", "voters": 2}
        # Not in the state either, nor in the deliverable, for the animateur.
        state = get_state(client, atelier)["state"]
        assert state["vote"]["results"] is None and all(card["dots"] is None for card in state["cards"])
        auth = bearer(atelier["animateur_token"])
        before = client.get(f"/api/ateliers/{atelier['id']}/deliverable.json", headers=auth).json()
        assert before["vote"]["closed"] is False and all(card["dots"] is None for card in before["cards"])
        pdf = client.get(f"/api/ateliers/{atelier['id']}/deliverable.pdf", headers=auth).content
        assert "au vote" not in pdf_text(pdf, tmp_path)
        # A reconnection gets its own ballot back, and nobody else's.
        with connected(client, atelier, karim, html=True) as again:
            snapshot = next(f for f in again.seen if f["type"] == "snapshot")
            assert snapshot["state"]["vote"]["mine"] == {"menus": 1}
            assert snapshot["state"]["vote"]["remaining"] == 1

        closed = done(claire, "vote.close")
        for ws in (claire, cam, kar):
            event = ws.event(closed)
            assert event["event"]["results"] == {"menus": 3, "rdv": 0, "bio": 0}
            assert event["event"]["voters"] == 2
            token = next(f["html"] for f in event["fragments"] if f["id"] == "token-menus")
            assert 'data-dots="3"' in token  # the dot count on the matrice
        after = client.get(f"/api/ateliers/{atelier['id']}/deliverable.json", headers=auth).json()
        assert {card["id"]: card["dots"] for card in after["cards"]} == {"menus": 3, "rdv": 0, "bio": 0}
        assert after["vote"] == {
            "step": MATRICE + 1,
            "votes_per_person": 2,
            "multiple": True,
            "closed": True,
            "voters": 2,
        }
        assert camille["member_id"] not in json.dumps(get_state(client, atelier)["state"]["vote"])
        pdf = client.get(f"/api/ateliers/{atelier['id']}/deliverable.pdf", headers=auth).content
        assert "Publier les menus ● 3 points au vote" in pdf_text(pdf, tmp_path)
        done(claire, "card.priority", card_id="menus", priority=True)


def test_roles_and_the_close_are_checked_on_every_message(client: TestClient, atelier: dict[str, Any]) -> None:
    referent = join(client, atelier, "animateur", "Claire", "Dupont")
    camille = join(client, atelier, first_name="Camille")
    observer = join(client, atelier, first_name="Olivia")
    with (
        connected(client, atelier, referent) as claire,
        connected(client, atelier, camille) as cam,
        connected(client, atelier, observer) as olivia,
    ):
        done(claire, "member.set_role", member_id=observer["member_id"], role="observer")
        done(claire, "step.goto", index=MATRICE)
        done(claire, "card.create", card_id="menus", title=CARDS["menus"])
        assert refused(cam, "vote.open", votes_per_person=3)["code"] == "forbidden"
        assert refused(claire, "vote.open", votes_per_person=0)["code"] == "invalid"
        assert refused(claire, "vote.open", votes_per_person="3")["code"] == "invalid"
        done(claire, "vote.open", votes_per_person=1)
        assert refused(olivia, "vote.place", card_id="menus")["code"] == "forbidden"
        assert refused(cam, "vote.close")["code"] == "forbidden"
        assert refused(cam, "card.create", card_id="late", title="Trop tard")["message"].startswith(
            "Un vote est en cours"
        )
        done(cam, "vote.place", card_id="menus")
        assert refused(cam, "vote.place", card_id="menus")["code"] == "invalid"
        done(claire, "vote.close")
        assert "clos" in refused(cam, "vote.place", card_id="menus")["message"]
