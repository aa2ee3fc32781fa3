"""Timing in real browsers: timer alerts, the « plus que 2 minutes » warning, muting, the projection view
and « tout le monde me suit ». Short timers are set through the timer operations (a protocol client
speaking as the animateur); every wait is on a condition, never a pause."""

from __future__ import annotations

import contextlib
import json
import re
import uuid
from collections.abc import Iterator
from typing import Any

from e2e_helpers import CreateAtelier, NewPage, join, post_card, run_axe, wait_online
from playwright.sync_api import Page, expect
from websockets.sync.client import ClientConnection, connect

FIVE_MINUTES = "Plus que 5 minutes pour cette étape."
ONE_MINUTE = "Plus qu'une minute pour cette étape."
TIME_UP = "Temps écoulé pour cette étape."
CARDS_STEP, MATRIX_STEP, LAST_STEP = 3, 5, 6
# Record every text the alerts live region takes (emptied before each alert: only texts count).
RECORD_ALERTS = """() => {
  const region = document.getElementById("timer-alert");
  window.alertTexts = [];
  new MutationObserver(() => region.textContent && window.alertTexts.push(region.textContent))
    .observe(region, {childList: true, characterData: true, subtree: true});
}"""


@contextlib.contextmanager
def socket_of(page: Page, base_url: str, atelier_id: str) -> Iterator[ClientConnection]:
    """A protocol client with the person's own member token (their cookie), past `synced`."""
    token = next(c["value"] for c in page.context.cookies() if c["name"] == f"atelier_{atelier_id}")
    with connect(f"{base_url.replace('http', 'ws', 1)}/ws/ateliers/{atelier_id}") as ws:
        ws.send(json.dumps({"type": "hello", "token": token, "last_seq": 0}))
        while json.loads(ws.recv(timeout=10))["type"] != "synced":
            pass
        yield ws


def operate(ws: ClientConnection, kind: str, **fields: Any) -> None:
    """Send a durable operation and wait for its ack."""
    op_id = str(uuid.uuid4())
    ws.send(json.dumps({"type": kind, "id": op_id, **fields}))
    while True:
        frame = json.loads(ws.recv(timeout=10))
        if frame.get("id") == op_id and frame["type"] in ("ack", "error"):
            assert frame["type"] == "ack", frame
            return


def goto_step(animateur: Page, index: int) -> None:
    animateur.locator(f'[data-op="step.goto"][data-index="{index}"]').click()
    expect(animateur.locator("#step")).to_have_attribute("data-step-index", str(index))


def top_of(page: Page, selector: str) -> float:
    return float(page.locator(selector).evaluate("element => element.getBoundingClientRect().top"))


def test_alerts_come_at_one_minute_and_at_zero_and_only_then(
    new_page: NewPage, create_atelier: CreateAtelier, base_url: str
) -> None:
    atelier = create_atelier(title="Minuteur")
    animateur, camille = new_page(), new_page()
    join(animateur, atelier["animateur_url"], "Alex", "Durand")
    join(camille, atelier["participant_url"], "Camille", "Martin")
    for page in (animateur, camille):
        page.evaluate(RECORD_ALERTS)
    camille.locator("#step-title").click()  # a first gesture arms the sound

    with socket_of(animateur, base_url, atelier["id"]) as ws:
        operate(ws, "timer.add", seconds=-(600 - 63))  # paused at 1:03: crossing 5:00 while paused says nothing
        expect(camille.locator("[data-timer-display]")).to_have_text("1:03")
        animateur.locator('[data-op="timer.start"]').click()
        for page in (animateur, camille):
            expect(page.locator("#timer-alert")).to_have_text(ONE_MINUTE, timeout=15_000)
            expect(page.locator("#timer-alert")).to_be_visible()
        assert camille.locator("#timer-alert").get_attribute("data-chime") == "played"
        operate(ws, "timer.add", seconds=-120)  # the animateur cuts the step short: time is up now
        for page in (animateur, camille):
            expect(page.locator("#timer-alert")).to_have_text(TIME_UP)
            expect(page.locator("#timer")).to_have_class("panel timer timer--over")

        # A pause, a resume and a reconnection bring no alert again.
        operate(ws, "timer.pause")
        operate(ws, "timer.start")
        camille.context.set_offline(True)
        expect(camille.locator("#connection")).not_to_have_attribute("data-state", "online")
        camille.context.set_offline(False)
        wait_online(camille)
        operate(ws, "timer.add", seconds=30)  # a fragment after the reconnection: the page ticks on it
        expect(camille.locator("[data-timer-display]")).not_to_have_text("0:00")
    for page in (animateur, camille):
        # The seconds ticked all along; the live region changed twice.
        assert page.evaluate("window.alertTexts") == [ONE_MINUTE, TIME_UP]


def test_five_minutes_is_announced_only_in_a_step_longer_than_that(
    new_page: NewPage, create_atelier: CreateAtelier, base_url: str
) -> None:
    atelier = create_atelier(title="Cinq minutes")
    animateur = new_page()
    join(animateur, atelier["animateur_url"], "Alex", "Durand")
    animateur.evaluate(RECORD_ALERTS)
    display, region = animateur.locator("[data-timer-display]"), animateur.locator("#timer-alert")
    with socket_of(animateur, base_url, atelier["id"]) as ws:
        operate(ws, "timer.add", seconds=-(600 - 302))  # step 1 lasts 10 min
        operate(ws, "timer.start")
        expect(region).to_have_text(FIVE_MINUTES, timeout=15_000)

        goto_step(animateur, LAST_STEP)  # the conclusion lasts 5 min: its timer starts at the threshold
        operate(ws, "timer.add", seconds=2)
        operate(ws, "timer.start")
        expect(display).to_have_text("4:59", timeout=15_000)  # 5:00 crossed while running
        operate(ws, "timer.add", seconds=-238)
        expect(region).to_have_text(ONE_MINUTE, timeout=15_000)
    assert animateur.evaluate("window.alertTexts") == [FIVE_MINUTES, ONE_MINUTE]


def test_the_two_minute_warning_reaches_everyone_and_muting_is_remembered(
    new_page: NewPage, create_atelier: CreateAtelier
) -> None:
    atelier = create_atelier(title="Prévenir")
    animateur = new_page()
    join(animateur, atelier["animateur_url"], "Alex", "Durand")
    people = [new_page() for _ in range(3)]
    for index, page in enumerate(people):
        join(page, atelier["participant_url"], f"Personne{index}", "Test")
    muted = people[0]
    expect(muted.locator("#alert-sound")).to_have_attribute("aria-pressed", "false")
    muted.locator("#alert-sound").click()
    expect(muted.locator("#alert-sound")).to_have_attribute("aria-pressed", "true")
    muted.reload()
    wait_online(muted)
    expect(muted.locator("#alert-sound")).to_have_attribute("aria-pressed", "true")  # remembered
    for page in people:
        page.locator("#step-title").click()

    expect(people[0].locator("[data-warn-minutes]")).to_have_count(0)  # participants have no such button
    animateur.get_by_role("button", name="Plus que 2 min").click()
    for page in [animateur, *people]:
        expect(page.locator("#timer-alert")).to_have_text("Alex D. prévient : plus que 2 minutes.")
        expect(page.locator("#timer-alert")).to_be_visible()
    assert muted.locator("#timer-alert").get_attribute("data-chime") == "muted"
    assert people[1].locator("#timer-alert").get_attribute("data-chime") == "played"


def test_the_projection_view_follows_the_room_live_and_passes_axe(
    new_page: NewPage, create_atelier: CreateAtelier
) -> None:
    atelier = create_atelier(title="Grand écran")
    animateur, camille = new_page(bypass_csp=True), new_page()
    join(animateur, atelier["animateur_url"], "Alex", "Durand")
    join(camille, atelier["participant_url"], "Camille", "Martin")
    screen = animateur.context.new_page()  # the animateur's second window, shared in the visio
    screen.goto(f"/a/{atelier['id']}/projection")
    wait_online(screen)
    expect(screen.locator("#step-title")).to_have_text(animateur.locator("#step-title").inner_text())

    goto_step(animateur, CARDS_STEP)
    expect(screen.locator("#step")).to_have_attribute("data-step-index", str(CARDS_STEP))
    post_card(camille, "Un guichet unique", "Pour toutes les démarches.")
    card = screen.locator("#cards-list .card")
    expect(card).to_have_count(1)
    expect(card).to_contain_text("Un guichet unique")
    expect(card).to_contain_text("Camille M.")  # the name participants see, not the full one
    expect(card.get_by_role("button")).to_have_count(0)  # read-only
    expect(screen.locator("#card-create")).to_have_count(0)
    animateur.locator('[data-op="timer.start"]').click()
    expect(screen.locator("[data-timer-status]")).to_have_text("En cours")
    animateur.get_by_role("button", name="Plus que 2 min").click()
    expect(screen.locator("#timer-alert")).to_have_text("Alex D. prévient : plus que 2 minutes.")
    # The tour de table, with the turn's countdown, as everyone sees it.
    animateur.get_by_role("button", name="Lancer le tour de table").click()
    animateur.locator("#speech-next").click()
    expect(screen.locator("#speech")).to_contain_text("Parole à")
    expect(screen.locator("#speech-order .speaker")).not_to_have_count(0)
    countdown = screen.locator("[data-speech-display]")
    expect(countdown).to_have_text(re.compile(r"^\d+:\d\d$"))
    expect(countdown).not_to_have_text(countdown.inner_text())  # it ticks on the big screen too
    expect(screen.locator("#speech-next")).to_have_count(0)
    assert "Durand" not in screen.content()

    violations = [v for v in run_axe(screen) if v["impact"] in ("serious", "critical")]
    assert not violations, violations


def test_everyone_follows_the_animateur_and_may_browse_away(new_page: NewPage, create_atelier: CreateAtelier) -> None:
    atelier = create_atelier(title="Suivez-moi")
    small = {"viewport": {"width": 1100, "height": 600}}
    animateur, camille, sam = new_page(**small), new_page(**small), new_page(**small)
    join(animateur, atelier["animateur_url"], "Alex", "Durand")
    join(camille, atelier["participant_url"], "Camille", "Martin")
    join(sam, atelier["participant_url"], "Sam", "Bernard")
    goto_step(animateur, MATRIX_STEP)
    for page in (camille, sam):
        expect(page.locator("#step")).to_have_attribute("data-step-index", str(MATRIX_STEP))
        expect(page.locator("#follow-lead")).to_be_hidden()  # animateurs only

    animateur.locator("#panel-cards").evaluate("element => element.scrollIntoView({block: 'start'})")
    animateur.locator("#follow-lead").click()
    expect(animateur.locator("#follow-lead")).to_have_attribute("aria-pressed", "true")
    for page in (camille, sam):
        expect(page.locator("#follow-status")).to_have_text("Vous suivez Alex D.")
        expect(page.locator("#panel-cards")).to_be_in_viewport()
        expect(page.locator("#step")).not_to_be_in_viewport()
        assert abs(top_of(page, "#panel-cards")) < 2

    # Camille browses away; Sam keeps following the animateur to the matrix.
    camille.mouse.move(500, 300)
    camille.mouse.wheel(0, -3000)
    expect(camille.locator("#follow-again")).to_be_visible()
    expect(camille.locator("#follow-status")).to_have_text("Alex D. guide la vue.")
    expect(camille.locator("#step")).to_be_in_viewport()
    animateur.locator("#panel-matrix").evaluate("element => element.scrollIntoView({block: 'start'})")
    expect(sam.locator("#panel-matrix")).to_be_in_viewport()
    expect(sam.locator("#step")).not_to_be_in_viewport()
    expect(camille.locator("#step")).to_be_in_viewport()  # she is left where she chose to be

    camille.locator("#follow-again").click()  # follow again
    expect(camille.locator("#panel-matrix")).to_be_in_viewport()
    expect(camille.locator("#follow-again")).to_be_hidden()

    animateur.locator("#follow-lead").click()  # stop guiding
    for page in (camille, sam):
        expect(page.locator("#follow-status")).to_be_hidden()
