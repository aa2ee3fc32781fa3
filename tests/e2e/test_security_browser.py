"""Security seen from browsers: hostile text stays text everywhere, and no page talks to another host."""

from __future__ import annotations

import json
from pathlib import Path

from e2e_helpers import NewPage, join, post_card, record_dialogs, wait_online
from playwright.sync_api import Page, expect

MATRIX_STEP = 5
IMG = "<img src=x onerror=alert(1)>"
SCRIPT = "<script>alert(2)</script>"
TITLE = 'Atelier "><script>alert(3)</script>'
NOTES = "</textarea><img src=x onerror=alert(4)>"
NAME = "<b onmouseover=alert(5)>Eve</b>"


def test_hostile_text_is_shown_as_text_and_every_request_stays_on_the_server(new_page: NewPage, base_url: str) -> None:
    requests: list[str] = []
    sockets: list[str] = []
    dialogs: list[str] = []
    errors: list[str] = []

    def watch(page: Page) -> Page:
        page.on("request", lambda request: requests.append(request.url))
        page.on("websocket", lambda socket: sockets.append(socket.url))
        record_dialogs(page, dialogs)
        page.on("pageerror", lambda error: errors.append(str(error)))
        return page

    # The whole flow through the UI: create, join three people, post, move, mark, take notes, download.
    animateur = watch(new_page())
    animateur.goto("/")
    animateur.fill("#title", TITLE)
    animateur.fill("#administration", "DITP <i>test</i>")
    animateur.locator("form.form button[type=submit]").click()
    expect(animateur.locator(".lead")).to_contain_text(TITLE)
    animateur_url = animateur.locator("#animateur-url").input_value()
    participant_url = animateur.locator("#participant-url").input_value()
    assert animateur_url.startswith(base_url) and participant_url.startswith(base_url)
    join(animateur, animateur_url, "Sophie", "Référente")

    eve = watch(new_page())
    join(eve, participant_url, NAME, "Attaquante", "<svg onload=alert(6)>")
    reader = watch(new_page())
    join(reader, participant_url, "Rémi", "Lecteur")
    people = [animateur, eve, reader]

    animateur.locator(f'#deroule [data-op="step.goto"][data-index="{MATRIX_STEP}"]').click()
    for page in people:
        expect(page.locator("#step")).to_have_attribute("data-step-index", str(MATRIX_STEP))
    post_card(eve, IMG, SCRIPT)
    post_card(eve, SCRIPT, IMG)
    for page in people:
        expect(page.locator("#cards-list .card")).to_have_count(2)

    card_id = eve.locator("#cards-list .card").first.get_attribute("data-card-id")
    assert card_id
    # The animateur opens the placement dialog (its card name is set from the token) and places it.
    animateur.locator(f"#token-{card_id}").click()
    expect(animateur.locator("#place-card-name")).to_have_text(IMG)
    animateur.locator('#place-dialog button[value="place"]').click()
    expect(reader.locator(f"#matrix-plane #token-{card_id}")).to_have_count(1)
    animateur.locator(f"#card-{card_id} .priority-toggle").click()
    expect(reader.locator(f"#card-{card_id}")).to_have_class("card card--priority")
    animateur.locator("#notes-text").fill(NOTES)

    for page in people:
        titles = page.locator("#cards-list .card-title")
        expect(titles).to_have_text([IMG, SCRIPT])
        expect(page.locator("#cards-list .card-description")).to_have_text([SCRIPT, IMG])
        expect(page.locator(f"#token-{card_id}")).to_contain_text(IMG)
        expect(page.locator("#notes-text")).to_have_value(NOTES)
        expect(page.locator(".room-name")).to_have_text(TITLE)
        # Nothing was parsed as markup: no element came from the hostile text.
        expect(page.locator("main img, main svg, main b, main i, #cards-list script")).to_have_count(0)
        expect(page.locator(".room-meta")).to_contain_text("DITP <i>test</i>")
    expect(animateur.locator("#presence")).to_contain_text(f"{NAME} Attaquante")
    expect(animateur.locator("#presence")).to_contain_text("<svg onload=alert(6)>")
    expect(reader.locator("#presence")).to_contain_text(NAME)
    expect(eve.locator(f"#edit-title-{card_id}")).to_have_value(IMG)
    # The title is shown literally in the tab too.
    assert TITLE in animateur.title()

    # A fresh page load (server-rendered, not fragments) shows the same text.
    reader.reload()
    wait_online(reader)
    expect(reader.locator("#cards-list .card-title")).to_have_text([IMG, SCRIPT])
    expect(reader.locator("main img, main svg, main b, main i")).to_have_count(0)
    expect(reader.locator("#notes-text")).to_have_value(NOTES)

    with animateur.expect_download() as download_info:
        animateur.locator('a[href$="/fiche-sujets.json"]').click()
    fiche = json.loads(Path(download_info.value.path()).read_text(encoding="utf-8"))
    assert {card["title"] for card in fiche["cards"]} == {IMG, SCRIPT}

    assert dialogs == [], dialogs  # no alert() ran, in any browser
    assert errors == [], errors
    assert not [url for url in requests if url.rstrip("/").endswith("/x")], "an <img src=x> was loaded"

    # Every request of every page went to the test server, and nowhere else.
    assert requests and sockets
    ws_base = base_url.replace("http://", "ws://", 1)
    foreign = [url for url in requests if not url.startswith(base_url + "/")]
    foreign += [url for url in sockets if not url.startswith(ws_base + "/")]
    assert foreign == [], foreign


ROLES = ["complice", "challengeur", "observer"]


def test_no_page_of_any_kind_talks_to_another_host(new_page: NewPage, base_url: str) -> None:
    """Every page type, seen by every role: home, the API page, the join page, the room (référent,
    complice, challengeur, observer, participant; with the questionnaire and the team's drafts of
    « après l'atelier »), the projection screen, the démarche pages, the deliverable schema."""
    requests: list[str] = []
    sockets: list[str] = []

    def watch(page: Page) -> Page:
        page.context.on("request", lambda request: requests.append(request.url))
        page.on("websocket", lambda socket: sockets.append(socket.url))
        return page

    visitor = watch(new_page())
    for path in ("/", "/api", "/demarches/new", "/schemas/deliverable.json"):
        visitor.goto(path)
    visitor.goto("/")
    visitor.fill("#title", "Sans tiers")
    visitor.fill("#administration", "DITP")
    visitor.locator("form.form button[type=submit]").click()
    animateur_url = visitor.locator("#animateur-url").input_value()
    participant_url = visitor.locator("#participant-url").input_value()

    referent = watch(new_page())
    join(referent, animateur_url, "Sophie", "Référente")
    others = {}
    for role in [*ROLES, "participant"]:
        page = watch(new_page())
        member_id = join(page, participant_url, role.capitalize(), "Test")
        others[role] = (page, member_id)
    for role in ROLES:
        page, member_id = others[role]
        select = referent.locator(f'select[data-op-select="member.set_role"][data-member-id="{member_id}"]')
        select.select_option(role)
        expect(page.locator("body")).to_have_attribute("data-role", role)
        wait_online(page)
    # The last step: the questionnaire opens, the team sees its drafts.
    referent.locator(f'#deroule [data-op="step.goto"][data-index="{MATRIX_STEP + 1}"]').click()
    referent.locator('[data-op="questionnaire.open"]').first.click()
    for page, _ in others.values():
        expect(page.locator("#step")).to_have_attribute("data-step-index", str(MATRIX_STEP + 1))
        page.reload()
        wait_online(page)

    atelier_id = referent.locator("body").get_attribute("data-atelier-id")
    referent.goto(f"/a/{atelier_id}/projection")  # the shared screen, opened with the référent's session
    wait_online(referent)

    visitor.goto("/demarches/new")
    visitor.fill("#title", "Démarche sans tiers")
    visitor.fill("#administration", "DITP")
    visitor.locator("form.form button[type=submit]").click()
    visitor.locator("a.button--primary").click()
    expect(visitor.locator("h1")).to_contain_text("Démarche sans tiers")

    assert len(requests) > 20 and len(sockets) >= 5
    ws_base = base_url.replace("http://", "ws://", 1)
    foreign = [url for url in requests if not url.startswith(base_url + "/")]
    foreign += [url for url in sockets if not url.startswith(ws_base + "/")]
    assert foreign == [], foreign
