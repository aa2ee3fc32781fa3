"""Timing through the ASGI app: the « plus que 2 minutes » warning, « tout le monde me suit », the
projection view and the animateur's schedule. Warnings and follow frames are ephemeral and role-checked."""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import pytest
from fastapi import FastAPI
from helpers import WsClient, connected, create_atelier, join, ws_connect
from starlette.testclient import TestClient

from app.web.deps import member_cookie


@dataclass
class Room:
    atelier: dict[str, Any]
    alex: dict[str, Any]  # référent-animateur
    camille: dict[str, Any]
    sam: dict[str, Any]


@pytest.fixture
def room(client: TestClient) -> Room:
    atelier = create_atelier(client)
    alex = join(client, atelier, "animateur", first_name="Alex", last_name="Durand")
    camille = join(client, atelier, first_name="Camille", last_name="Martin")
    sam = join(client, atelier, first_name="Sam", last_name="Bernard")
    return Room(atelier, alex, camille, sam)


def cookie(room: Room, member: dict[str, Any]) -> dict[str, str]:
    return {"Cookie": f"{member_cookie(room.atelier['id'])}={member['member_token']}"}


def of_type(kind: str) -> Callable[[dict[str, Any]], bool]:
    return lambda frame: frame["type"] == kind


def nothing_more(ws: WsClient) -> None:
    """Nothing else arrives: a ping's pong comes first (the server answers in order)."""
    ws.send({"type": "ping", "t": 1})
    assert ws.recv_until(lambda frame: frame["type"] in ("pong", "timer.warned", "follow.view"))["type"] == "pong"


# -- « plus que 2 minutes » ---------------------------------------------------------------------


def test_the_animateur_warns_everyone_including_themselves(client: TestClient, room: Room) -> None:
    with (
        connected(client, room.atelier, room.alex) as alex,
        connected(client, room.atelier, room.camille) as camille,
        connected(client, room.atelier, room.sam) as sam,
    ):
        alex.send({"type": "timer.warn"})
        for ws in (alex, camille, sam):
            warned = ws.recv_until(of_type("timer.warned"))
            assert warned == {"type": "timer.warned", "minutes": 2, "by": room.alex["member_id"], "name": "Alex D."}
        alex.send({"type": "timer.warn", "minutes": 5})
        assert camille.recv_until(of_type("timer.warned"))["minutes"] == 5


def test_a_warning_is_not_stored(client: TestClient, room: Room) -> None:
    with connected(client, room.atelier, room.alex) as alex:
        seq = alex.last_seq
        alex.send({"type": "timer.warn"})
        alex.recv_until(of_type("timer.warned"))
    with connected(client, room.atelier, room.camille, last_seq=seq) as camille:
        assert camille.last_seq == seq  # no event was logged; a late joiner gets no stale warning
        nothing_more(camille)


def test_participants_and_complices_cannot_warn_or_lead(client: TestClient, room: Room) -> None:
    with connected(client, room.atelier, room.alex) as alex:
        alex.ack(alex.send_op("member.set_role", member_id=room.sam["member_id"], role="complice"))
        with (
            connected(client, room.atelier, room.camille) as camille,
            connected(client, room.atelier, room.sam) as sam,
        ):
            for ws in (camille, sam):
                for frame in (
                    {"type": "timer.warn"},
                    {"type": "follow.lead", "panel": "step"},
                    {"type": "follow.stop"},
                ):
                    ws.send(frame)
                    error = ws.error()
                    assert error["code"] == "forbidden"
                    assert "animateurs" in error["message"]
            nothing_more(alex)


def test_bad_guidance_frames_are_refused_with_a_reason(client: TestClient, room: Room) -> None:
    with connected(client, room.atelier, room.alex) as alex:
        alex.send({"type": "timer.warn", "minutes": 90})
        assert alex.error()["code"] == "invalid"
        alex.send({"type": "follow.lead", "panel": "<img src=x>"})
        assert alex.error()["code"] == "invalid"
        alex.send({"type": "follow.lead", "panel": "step", "offset": 2})
        assert alex.error()["code"] == "invalid"


# -- « tout le monde me suit » --------------------------------------------------------------------


def test_the_animateur_view_goes_to_everyone_else(client: TestClient, room: Room) -> None:
    with (
        connected(client, room.atelier, room.alex) as alex,
        connected(client, room.atelier, room.camille) as camille,
        connected(client, room.atelier, room.sam) as sam,
    ):
        alex.send({"type": "follow.lead", "panel": "panel-matrix", "offset": 0.25, "summon": True})
        for ws in (camille, sam):
            view = ws.recv_until(of_type("follow.view"))
            assert view == {
                "type": "follow.view", "panel": "panel-matrix", "offset": 0.25, "summon": True,
                "by": room.alex["member_id"], "name": "Alex D.",
            }  # fmt: skip
        alex.send({"type": "follow.stop"})
        for ws in (camille, sam):
            assert ws.recv_until(of_type("follow.stopped"))["by"] == room.alex["member_id"]
        nothing_more(alex)  # the leader is not sent their own view


# -- the projection view ----------------------------------------------------------------------------


def test_the_projection_sees_what_participants_see_and_sends_nothing(client: TestClient, room: Room) -> None:
    with (
        connected(client, room.atelier, room.alex) as alex,
        ws_connect(client, room.atelier["id"], room.alex["member_token"]) as screen,
    ):
        screen.send({"type": "hello", "token": room.alex["member_token"], "last_seq": 0, "view": "projection"})
        snapshot = screen.recv_until(of_type("snapshot"))
        members = snapshot["state"]["members"]
        assert all(set(member) == {"id", "display_name", "role"} for member in members)  # no full names
        screen.recv_until(of_type("synced"))

        screen.send({"type": "card.create", "id": "p1", "card_id": "p1", "title": "Depuis l'écran"})
        refused = screen.answer("p1")
        assert (refused["type"], refused["code"]) == ("error", "forbidden")
        screen.send({"type": "timer.warn"})
        assert screen.error()["code"] == "forbidden"

        op = alex.send_op("card.create", card_id="c1", title="Un guichet unique")
        event = screen.event(op)
        assert event["actor"] == room.alex["member_id"]
        alex.send({"type": "timer.warn"})
        assert screen.recv_until(of_type("timer.warned"))["minutes"] == 2


def test_the_projection_never_shows_the_animateur_own_private_drafts(client: TestClient, room: Room) -> None:
    with (
        connected(client, room.atelier, room.alex) as alex,
        ws_connect(client, room.atelier["id"], room.alex["member_token"]) as screen,
    ):
        screen.send({"type": "hello", "token": room.alex["member_token"], "last_seq": 0, "view": "projection"})
        screen.recv_until(of_type("synced"))
        alex.ack(alex.send_op("step.goto", index=3))
        alex.ack(alex.send_op("reflection.start"))
        op = alex.send_op("card.create", card_id="d1", title="Mon brouillon d'animateur")
        assert alex.event(op)["event"]["draft"]["title"] == "Mon brouillon d'animateur"
        seen = screen.recv_until(
            lambda frame: frame["type"] == "event" and frame["event"]["type"] == "reflection.drafted"
        )
        assert "draft" not in seen["event"] and seen["id"] is None
    # A projection joining later gets the counts only, too.
    with ws_connect(client, room.atelier["id"], room.alex["member_token"]) as screen:
        screen.send({"type": "hello", "token": room.alex["member_token"], "last_seq": 0, "view": "projection"})
        snapshot = screen.recv_until(of_type("snapshot"))
        assert snapshot["state"]["reflection"]["mine"] == [] and snapshot["state"]["reflection"]["drafts"] == 1
        assert "brouillon" not in json.dumps(snapshot)


def test_the_projection_page_opens_with_a_team_session_only(client: TestClient, room: Room) -> None:
    page = client.get(f"/a/{room.atelier['id']}/projection", headers=cookie(room, room.alex))
    assert page.status_code == 200
    assert "Vue de projection" in page.text and 'src="/static/js/projection.js"' in page.text
    assert "Durand" not in page.text  # what participants see: no family names
    for headers in (cookie(room, room.camille), {}):
        refused = client.get(f"/a/{room.atelier['id']}/projection", headers=headers)
        assert refused.status_code == 403
        assert "Réservé à l&#39;équipe d&#39;animation" in refused.text


@pytest.mark.parametrize("format_key", ["2", "3"])
def test_the_projection_page_renders_every_format(client: TestClient, format_key: str) -> None:
    atelier = create_atelier(client, format=format_key)
    alex = join(client, atelier, "animateur", first_name="Alex")
    headers = {"Cookie": f"{member_cookie(atelier['id'])}={alex['member_token']}"}
    assert client.get(f"/a/{atelier['id']}/projection", headers=headers).status_code == 200


# -- the schedule -----------------------------------------------------------------------------------


def test_the_schedule_follows_steps_for_the_team_only(client: TestClient, room: Room) -> None:
    url = f"/a/{room.atelier['id']}/schedule"
    assert "démarre au lancement du premier minuteur" in client.get(url, headers=cookie(room, room.alex)).text
    assert client.get(url, headers=cookie(room, room.camille)).status_code == 403
    with (
        connected(client, room.atelier, room.alex, html=True) as alex,
        connected(client, room.atelier, room.camille, html=True) as camille,
    ):
        alex.ack(alex.send_op("timer.start"))
        op = alex.send_op("step.next")
        fragments = {fragment["id"]: fragment for fragment in alex.event(op)["fragments"]}
        assert "Écart avec le déroulé" in fragments["schedule"]["html"]
        assert 'aria-current="step" data-step="1"' in fragments["schedule"]["html"]
        theirs = {fragment["id"]: fragment for fragment in camille.event(op)["fragments"]}
        assert theirs["schedule"]["html"].strip() == '<section id="schedule" hidden></section>'
    text = client.get(url, headers=cookie(room, room.alex)).text
    assert text.count("is-done") == 1 and "is-current" in text


def test_real_step_times_survive_a_restart(make_app: Callable[..., FastAPI]) -> None:
    with TestClient(make_app()) as client:
        atelier = create_atelier(client)
        alex = join(client, atelier, "animateur", first_name="Alex")
        with connected(client, atelier, alex) as ws:
            ws.ack(ws.send_op("timer.start"))
            ws.ack(ws.send_op("step.next"))
        url, headers = (
            f"/a/{atelier['id']}/schedule",
            {"Cookie": f"{member_cookie(atelier['id'])}={alex['member_token']}"},
        )
        before = client.get(url, headers=headers).text
    with TestClient(make_app()) as client:
        after = client.get(url, headers=headers).text
    real_starts = [line for line in before.splitlines() if "Début réel" in line]
    assert real_starts and real_starts == [line for line in after.splitlines() if "Début réel" in line]
    assert after.count("is-done") == 1
