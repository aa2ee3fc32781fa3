"""Rate limits by message type: a drag stream is never refused, a flood of creations is pushed back,
and whatever was refused and sent again ends up stored exactly once.

Time is simulated: the limiter's clock is replaced by one the test moves forward, so 30 seconds of
dragging take no real time.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from helpers import Frame, WsClient, connected, create_atelier, get_state, join, text_update
from starlette.testclient import TestClient

from app.realtime import ratelimit
from app.realtime.protocol import EPHEMERAL_TYPES, OP_TYPES
from app.realtime.ratelimit import CREATE, LIMITS, STREAM, TEXT, RateLimiter, limit_class


class FakeClock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += seconds


@pytest.fixture
def fake_clock(monkeypatch: pytest.MonkeyPatch) -> Iterator[FakeClock]:
    clock = FakeClock()
    monkeypatch.setattr(ratelimit, "clock", clock)
    yield clock


# -- the limiter alone -------------------------------------------------------------------------


def test_every_client_frame_type_has_a_class() -> None:
    assert {limit_class(name) for name in EPHEMERAL_TYPES} == {STREAM}
    creations = [name for name in OP_TYPES if name.endswith(".create")]
    assert creations and all(limit_class(name) == CREATE for name in creations)
    assert limit_class("text.update") == TEXT and limit_class("card.place") == TEXT
    assert set(ratelimit.CREATE_TYPES) <= set(OP_TYPES), "a creation type the protocol does not know"


def test_a_drag_stream_of_20_per_second_for_30_seconds_is_never_refused() -> None:
    limiter = RateLimiter()
    refused = 0
    for tick in range(30 * 20):
        now = tick * 0.05
        refused += not limiter.allow("card.drag", now)
        if tick % 10 == 0:  # someone also moves between fields twice a second
            refused += not limiter.allow("field.focus", now)
        if tick % 400 == 0:  # and the page pings every 20 s
            refused += not limiter.allow("ping", now)
    assert refused == 0


def test_200_creations_in_one_second_are_pushed_back_but_typing_goes_on() -> None:
    limiter = RateLimiter()
    burst, per_second = LIMITS[CREATE]
    allowed = sum(limiter.allow("card.create", index / 200) for index in range(200))
    assert burst <= allowed <= burst + per_second + 1, allowed
    # Another class has its own bucket: the flood does not stop the keystrokes of the same person.
    assert all(limiter.allow("text.update", 1.0) for _ in range(50))
    assert all(limiter.allow("card.drag", 1.0) for _ in range(50))


# -- through the socket ------------------------------------------------------------------------


def answers_to(ws: WsClient, op_ids: list[str]) -> dict[str, Frame]:
    """The ack or error frame of each operation, in whatever order they arrive (refusals come first)."""
    found: dict[str, Frame] = {}
    while len(found) < len(op_ids):
        frame = ws.recv_until(lambda frame: frame["type"] in ("ack", "error") and frame.get("id") in op_ids)
        found[frame["id"]] = frame
    return found


@pytest.fixture
def atelier(client: TestClient) -> dict[str, Any]:
    return create_atelier(client)


def test_a_drag_stream_through_the_socket_is_never_refused(
    client: TestClient, atelier: dict[str, Any], fake_clock: FakeClock
) -> None:
    """30 simulated seconds of dragging at 20 frames a second, with a ping each second: every ping is answered
    (pings share the drag's bucket: had it run dry, a pong would be missing), and no error comes back."""
    animateur = join(client, atelier, "animateur", first_name="Alex", last_name="Durand")
    with connected(client, atelier, animateur) as ws:
        ws.ack(ws.send_op("card.create", card_id="c1", title="Une carte"))
        for second in range(30):
            for tick in range(20):
                ws.send({"type": "card.drag", "card_id": "c1", "desirability": tick / 20, "feasibility": 0.5})
                fake_clock.advance(0.05)
            ws.send({"type": "ping", "t": second})
            frame = ws.recv_until(lambda frame: frame["type"] in ("pong", "error"))
            assert frame == {"type": "pong", "t": second, "server_time": frame["server_time"]}, frame
        assert not [frame for frame in ws.seen if frame["type"] == "error"]


def test_a_flood_of_creations_is_refused_with_rate_limited_and_nothing_resent_is_lost(
    client: TestClient, atelier: dict[str, Any], fake_clock: FakeClock
) -> None:
    animateur = join(client, atelier, "animateur", first_name="Alex", last_name="Durand")
    burst, per_second = LIMITS[CREATE]
    with connected(client, atelier, animateur) as ws:
        frames = {
            f"op-{index}": {"type": "card.create", "id": f"op-{index}", "title": f"Carte {index}"}
            for index in range(200)
        }
        for frame in frames.values():  # 200 creations within one (simulated, frozen) instant
            ws.send(frame)
        answers = list(answers_to(ws, list(frames)).values())
        acked = [answer["id"] for answer in answers if answer["type"] == "ack"]
        refused = [answer for answer in answers if answer["type"] == "error"]
        assert len(acked) == burst
        assert {answer["code"] for answer in refused} == {"rate_limited"}
        assert all(answer["message"] == "Trop d'opérations : ralentissez." for answer in refused)

        # The same person keeps typing in the notes meanwhile: another bucket.
        ws.ack(ws.send_op("text.update", field="notes:0", update=text_update("Pendant ce temps")))

        # A client resends what was refused, once a second (as connection.js does), until all is stored.
        waiting = [answer["id"] for answer in refused]
        rounds = 0
        while waiting:
            rounds += 1
            assert rounds <= 60, f"{len(waiting)} creations still refused"
            fake_clock.advance(1.0)
            for op_id in waiting:
                ws.send(frames[op_id])
            answers = list(answers_to(ws, waiting).values())
            assert {answer["code"] for answer in answers if answer["type"] == "error"} <= {"rate_limited"}
            waiting = [answer["id"] for answer in answers if answer["type"] == "error"]
        assert rounds >= (200 - burst) / per_second - 1  # the flood really was spread out

    cards = get_state(client, atelier)["state"]["cards"]
    titles = sorted(card["title"] for card in cards)
    assert titles == sorted(f"Carte {index}" for index in range(200))  # every one, exactly once
