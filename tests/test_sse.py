"""The realtime protocol over SSE + POST (the fallback for networks that block WebSockets).

Same frames and rules as the socket: a real server (uvicorn in a thread) streams the events; clients
on both transports share a room. Every wait is on a frame or an HTTP answer, with a deadline.
"""

from __future__ import annotations

import contextlib
import json
import subprocess
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from fastapi import FastAPI
from helpers import Frame, FrameClient, bearer, create_atelier, events_between, join
from live_helpers import SseClient, live_ws, threaded_server
from live_server import Server, free_port

Atelier = dict[str, Any]
Member = dict[str, Any]
CARDS_STEP = 3  # Format 1's step 4: cards and matrice


@pytest.fixture
def serve(make_app: Callable[..., FastAPI]) -> Iterator[Callable[..., httpx.Client]]:
    """`serve(**settings)`: start a live server with those settings; an HTTP client for it.

    Event streams still open at the end are cut first, so the server stops at once.
    """
    with contextlib.ExitStack() as stack:

        def start(**overrides: Any) -> httpx.Client:
            base_url = stack.enter_context(threaded_server(make_app(**overrides)))
            http = stack.enter_context(httpx.Client(base_url=base_url, timeout=10))
            stack.callback(SseClient.drop_all, http)
            return http

        yield start


def room(http: httpx.Client) -> tuple[Atelier, Member, Member]:
    """An atelier with its référent and one participant."""
    atelier = create_atelier(http)  # type: ignore[arg-type]  # an httpx.Client speaks like the TestClient
    referent = join(http, atelier, "animateur", first_name="Alex")  # type: ignore[arg-type]
    camille = join(http, atelier, first_name="Camille")  # type: ignore[arg-type]
    return atelier, referent, camille


def sse(http: httpx.Client, atelier: Atelier, member: Member | None, **headers: str) -> SseClient:
    return SseClient(http, atelier["id"], member["member_token"] if member else None, **headers)


def card_titles(http: httpx.Client, atelier: Atelier) -> list[str]:
    response = http.get(f"/api/ateliers/{atelier['id']}/state", headers=bearer(atelier["animateur_token"]))
    assert response.status_code == 200, response.text
    return sorted(card["title"] for card in response.json()["state"]["cards"])


def test_operations_round_trip_over_sse_and_post(serve: Callable[..., httpx.Client]) -> None:
    http = serve()
    atelier, _referent, camille = room(http)
    client = sse(http, atelier, camille)
    frames = client.connect()
    assert [frame["type"] for frame in frames] == ["welcome", "snapshot", "synced"]
    assert frames[0]["member"]["id"] == camille["member_id"]
    # The security headers are on the stream as on every response.
    assert "default-src 'self'" in client.stream_headers["content-security-policy"]
    assert client.stream_headers["cache-control"] == "no-store"

    op_id = client.send_op("card.create", card_id="c1", title="Publier les menus")
    ack = client.ack(op_id)
    event = client.event(op_id)
    assert event["seq"] == ack["seq"] and event["event"]["card"]["title"] == "Publier les menus"
    client.send({"type": "ping", "t": 12.5})
    assert client.recv_until(lambda frame: frame["type"] == "pong")["t"] == 12.5
    assert card_titles(http, atelier) == ["Publier les menus"]


def test_a_batch_of_frames_is_handled_in_order_with_errors_down_the_stream(
    serve: Callable[..., httpx.Client],
) -> None:
    http = serve()
    atelier, _referent, camille = room(http)
    client = sse(http, atelier, camille)
    client.connect()
    client.send_batch(
        [
            {"type": "card.create", "id": "b1", "card_id": "c1", "title": "Premier"},
            {"type": "card.create", "id": "b2", "card_id": "c2", "title": ""},
            {"type": "card.create", "id": "b3", "card_id": "c3", "title": "Troisième"},
        ]
    )
    answers = client.answers(["b1", "b2", "b3"])
    assert [answer["type"] for answer in answers] == ["ack", "error", "ack"]
    assert answers[1]["code"] == "invalid" and answers[1]["id"] == "b2"
    assert answers[0]["seq"] < answers[2]["seq"]
    assert card_titles(http, atelier) == ["Premier", "Troisième"]


def test_sse_and_websocket_clients_share_a_room(serve: Callable[..., httpx.Client]) -> None:
    http = serve()
    atelier, referent, camille = room(http)
    with live_ws(str(http.base_url), atelier["id"], referent["member_token"]) as alex:
        alex.hello()
        alex.drain_to_synced()
        alex.ack(alex.send_op("step.goto", index=CARDS_STEP))
        cam = sse(http, atelier, camille)
        cam.connect()
        online = alex.recv_until(lambda frame: frame["type"] == "presence" and len(frame["online"]) == 2)
        assert sorted(online["online"]) == sorted([referent["member_id"], camille["member_id"]])

        from_sse = cam.send_op("card.create", card_id="c1", title="Écrite en SSE")
        seq = cam.ack(from_sse)["seq"]
        assert alex.event(from_sse)["seq"] == seq
        from_ws = alex.send_op("card.create", card_id="c2", title="Écrite en WebSocket")
        assert cam.event(from_ws)["event"]["card"]["title"] == "Écrite en WebSocket"

        # Ephemeral frames cross transports too: a drag over POST is relayed on the socket.
        cam.send({"type": "card.drag", "card_id": "c1", "desirability": 0.3, "feasibility": 0.7})
        dragging = alex.recv_until(lambda frame: frame["type"] == "card.dragging")
        assert dragging == {
            "type": "card.dragging", "card_id": "c1", "desirability": 0.3, "feasibility": 0.7,
            "by": camille["member_id"],
        }  # fmt: skip

        cam.drop()  # the stream ends: the session too; the others see Camille leave
        alone = alex.recv_until(lambda frame: frame["type"] == "presence" and len(frame["online"]) == 1)
        assert alone["online"] == [referent["member_id"]]
    assert card_titles(http, atelier) == ["Écrite en SSE", "Écrite en WebSocket"]


def test_a_dropped_stream_resumes_from_last_seq_without_loss_or_duplicate(serve: Callable[..., httpx.Client]) -> None:
    http = serve()
    atelier, referent, camille = room(http)
    with live_ws(str(http.base_url), atelier["id"], referent["member_token"]) as alex:
        alex.hello()
        alex.drain_to_synced()
        cam = sse(http, atelier, camille)
        cam.connect()
        sent = cam.send_op("card.create", card_id="c1", title="Avant la coupure")
        acked_seq = alex.event(sent)["seq"]  # stored; Camille's stream drops before she reads the ack
        cam.drop()
        alex.recv_until(lambda frame: frame["type"] == "presence" and len(frame["online"]) == 1)
        assert cam.post(json.dumps({"type": "ping"})).status_code == 404  # her session ended with its stream
        last_seq = cam.last_seq  # what she applied before the drop (not the card: she never read it)
        assert last_seq < acked_seq
        missed = [alex.send_op("card.create", card_id=f"w{index}", title=f"Pendant {index}") for index in range(3)]
        for op_id in missed:
            alex.ack(op_id)

        again = sse(http, atelier, camille)
        frames = again.connect(last_seq)
        replayed = events_between(frames)
        assert [frame["type"] for frame in frames if frame["type"] != "event"] == ["welcome", "synced"]
        assert [frame["seq"] for frame in replayed] == list(range(last_seq + 1, last_seq + 5))
        assert [frame["id"] for frame in replayed] == [sent, *missed]
        # Her outbox re-sends the unacknowledged card with the same id: acknowledged again, not applied twice.
        again.send_op("card.create", op_id=sent, card_id="c1", title="Avant la coupure")
        assert again.ack(sent)["seq"] == acked_seq
        after = alex.send_op("card.create", card_id="w9", title="Après")
        assert again.recv_until(lambda frame: frame["type"] == "event")["id"] == after  # nothing in between
    assert card_titles(http, atelier) == ["Après", "Avant la coupure", "Pendant 0", "Pendant 1", "Pendant 2"]


def test_unknown_or_ended_sessions_get_a_french_4xx(serve: Callable[..., httpx.Client]) -> None:
    http = serve()
    atelier, _referent, camille = room(http)
    for response in (
        http.get("/rt/sessions/nope/events"),
        http.post("/rt/sessions/nope/messages", content='{"type": "ping"}'),
    ):
        assert response.status_code == 404
        assert response.json() == {
            "detail": "Session inconnue ou terminée : ouvrez-en une nouvelle.",
            "code": "not_found",
        }

    client = sse(http, atelier, camille)
    client.connect()
    second = http.get(client.session["events"])
    assert second.status_code == 409 and "déjà" in second.json()["detail"]
    client.drop()
    deadline = time.monotonic() + 10
    while (status := http.get(client.session["events"]).status_code) == 409:  # until the server sees it gone
        assert time.monotonic() < deadline, "the session outlived its stream"
    assert status == 404
    too_many = [{"type": "ping"}] * 201
    assert sse_post_status(http, atelier, camille, json.dumps(too_many)) == (413, "Au plus 200 messages par envoi.")


def sse_post_status(http: httpx.Client, atelier: Atelier, member: Member, body: str) -> tuple[int, str]:
    client = sse(http, atelier, member)
    client.connect()
    response = client.post(body)
    return response.status_code, response.json()["detail"]


@pytest.mark.parametrize(
    ("hello", "token", "status", "code"),
    [
        ({"type": "ping"}, "member", 400, "bad_hello"),
        ({"type": "hello", "protocol": 2}, "member", 400, "bad_hello"),
        ({"type": "hello", "last_seq": "5"}, "member", 400, "bad_hello"),
        ({"type": "hello"}, None, 401, "unauthorized"),
        ({"type": "hello"}, "wrong", 401, "unauthorized"),
    ],
)
def test_a_bad_hello_is_refused_as_on_the_socket(
    serve: Callable[..., httpx.Client], hello: Frame, token: str | None, status: int, code: str
) -> None:
    http = serve()
    atelier, _referent, camille = room(http)
    frame = hello | {"token": camille["member_token"] if token == "member" else token}
    response = http.post(f"/rt/ateliers/{atelier['id']}/sessions", content=json.dumps(frame))
    assert response.status_code == status, response.text
    assert response.json()["code"] == code
    with live_ws(str(http.base_url), atelier["id"], None) as ws:
        ws.send(frame)
        refusal = ws.recv()
        assert refusal["code"] == code and refusal["message"] == response.json()["detail"]
    unknown = http.post("/rt/ateliers/nope/sessions", content=json.dumps({"type": "hello", "token": "x"}))
    assert unknown.status_code == 404 and unknown.json()["detail"] == "Atelier introuvable."


def test_a_foreign_origin_is_refused_on_every_request(serve: Callable[..., httpx.Client]) -> None:
    http = serve(allowed_origins="https://atelier.example.gouv.fr")
    atelier, _referent, camille = room(http)
    foreign = {"Origin": "https://evil.example"}
    hello = json.dumps({"type": "hello", "token": camille["member_token"]})
    refused = http.post(f"/rt/ateliers/{atelier['id']}/sessions", content=hello, headers=foreign)
    assert refused.status_code == 403
    assert refused.json() == {"detail": "Origine non autorisée pour cet atelier.", "code": "bad_origin"}

    own = sse(http, atelier, camille, Origin=str(http.base_url).rstrip("/"))  # the page's own origin
    own.connect()
    listed = sse(http, atelier, camille, Origin="https://atelier.example.gouv.fr")
    listed.connect()
    # A session id leaked to another site is still no use from there.
    assert own.post(json.dumps({"type": "ping"}), **foreign).status_code == 403
    assert http.get(own.session["events"], headers=foreign).status_code == 403


def run_bad_frames(client: FrameClient) -> list[Frame]:
    """The same refusals, whatever the transport: the error frames they give, in order."""
    client.send_raw("{pas du json")
    client.send({"type": "card.explode", "id": "x1"})
    client.send({"type": "card.create", "id": "x2", "card_id": "c1"})
    client.send({"type": "card.create", "id": "x3", "card_id": "c1", "title": "x" * (70 * 1024)})
    client.send({"type": "hello", "last_seq": 0})
    client.send({"type": "step.next", "id": "x4"})
    client.send_raw(json.dumps("juste une chaîne"))
    errors = [client.error() for _ in range(7)]
    # A flood of durable operations: 200 at once are allowed, then 30 per second.
    flood = [{"type": "step.next", "id": f"f{index}"} for index in range(230)]
    if isinstance(client, SseClient):
        client.send_batch(flood[:200])
        client.send_batch(flood[200:])
    else:
        for frame in flood:
            client.send(frame)
    answers = client.answers([frame["id"] for frame in flood])
    assert {answer["code"] for answer in answers[:150]} == {"forbidden"}
    limited = [answer for answer in answers if answer["code"] == "rate_limited"]
    assert limited, "the flood was not rate limited"
    return [*errors, limited[0] | {"id": "f…"}]


def test_error_frames_and_rate_limits_are_the_same_on_both_transports(serve: Callable[..., httpx.Client]) -> None:
    http = serve()
    atelier, _referent, camille = room(http)
    over_sse = sse(http, atelier, camille)
    over_sse.connect()
    from_sse = run_bad_frames(over_sse)
    with live_ws(str(http.base_url), atelier["id"], camille["member_token"]) as ws:
        ws.hello()
        ws.drain_to_synced()
        from_ws = run_bad_frames(ws)
    assert from_sse == from_ws
    assert [frame["code"] for frame in from_sse] == [
        "bad_json", "unknown_type", "invalid", "too_large", "bad_frame", "forbidden", "bad_frame", "rate_limited",
    ]  # fmt: skip


def test_a_silent_session_expires_and_its_stream_says_so(serve: Callable[..., httpx.Client]) -> None:
    http = serve(idle_timeout_s=2.0)  # heartbeats every 0.5 s
    atelier, referent, camille = room(http)
    client = sse(http, atelier, camille)
    client.connect()
    assert client.expect_close(timeout=10) == 1001  # nothing posted for 2 s: as a socket, closed "going away"
    assert client.comments, "no heartbeat comment while the stream was quiet"
    assert client.post(json.dumps({"type": "ping"})).status_code == 404

    # A session whose stream never opens (here the référent's) expires too: the others see them leave.
    watcher = sse(http, atelier, camille)
    watcher.connect()
    hello = {"type": "hello", "token": referent["member_token"]}
    assert http.post(f"/rt/ateliers/{atelier['id']}/sessions", content=json.dumps(hello)).status_code == 201
    online: list[bool] = []  # is the référent online, presence after presence
    deadline = time.monotonic() + 20
    while not (True in online and online[-1] is False):
        assert time.monotonic() < deadline, f"the session with no stream did not expire: {online}"
        watcher.send({"type": "ping"})  # the watcher is not silent: it stays
        while (event := watcher.next_event()).kind != "comment":  # until the next heartbeat
            assert event.kind == "message", f"the watcher's own session ended: {event}"
            frame = json.loads(event.data)
            if frame["type"] == "presence":
                online.append(referent["member_id"] in frame["online"])
    assert watcher.close_code is None


def test_a_session_that_does_not_read_is_closed_without_slowing_the_others(
    serve: Callable[..., httpx.Client],
) -> None:
    http = serve(outbox_size=8)
    atelier, referent, camille = room(http)
    stalled = http.post(
        f"/rt/ateliers/{atelier['id']}/sessions",
        content=json.dumps({"type": "hello", "token": camille["member_token"]}),
    ).json()  # its events are never read: its outbox fills
    with live_ws(str(http.base_url), atelier["id"], referent["member_token"]) as alex:
        alex.hello()
        alex.drain_to_synced()
        alex.ack(alex.send_op("step.goto", index=CARDS_STEP))
        for index in range(20):
            alex.ack(alex.send_op("card.create", card_id=f"c{index}", title=f"Carte {index}"))
    # Closed as a laggard (1013 on a socket): the client opens a new session from its last seq.
    assert http.post(stalled["messages"], content='{"type": "ping"}').status_code == 404
    assert http.get(stalled["events"]).status_code == 404
    assert len(card_titles(http, atelier)) == 20


def test_a_stopping_server_ends_its_streams_instead_of_waiting_for_them(tmp_path: Path) -> None:
    """uvicorn lets open responses finish before it stops; an event stream would never finish."""
    server = Server(port=free_port(), database=tmp_path / "stop.db", log_path=tmp_path / "uvicorn.log")
    server.start()
    try:
        with httpx.Client(base_url=server.base_url, timeout=10) as http:
            atelier, _referent, camille = room(http)
            client = sse(http, atelier, camille)
            client.connect()
            assert server.process is not None
            server.process.terminate()  # SIGTERM, as `docker stop` or Ctrl-C
            assert client.expect_close() == 1012  # "restarting": the browser reconnects, with backoff
            try:
                server.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                raise AssertionError(f"the server kept waiting for its streams:\n{server.log_text()[-2000:]}") from None
            assert "Application shutdown complete" in server.log_text()
            assert "Traceback" not in server.log_text()
    finally:
        server.stop()
