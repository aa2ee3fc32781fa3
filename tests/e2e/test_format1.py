"""The main scenario: an animateur, a complice and two participants run Format 1 from first step to last.

Four browser contexts (four people, four cookies) share one atelier on a real server. At every
stage each browser must show the same thing: the current step, the timer, the cards, the notes,
the matrix, the priorities; the animateur's fiche sujets holds it all at the end.
"""

from __future__ import annotations

import json
import os
import re
from pathlib import Path

from e2e_helpers import (
    CreateAtelier,
    NewPage,
    card_by_title,
    card_titles,
    join,
    post_card,
    record_dialogs,
    token_positions,
    wait_online,
)
from playwright.sync_api import Page, expect

SCREENSHOT = Path(__file__).resolve().parents[2] / "docs" / "screenshot-room.png"
FORMAT1_STEPS = 7  # Introduction … Conclusion
CARDS_STEP, QUALIFY_STEP, MATRIX_STEP, LAST_STEP = 3, 4, 5, 6  # 0-based indexes of steps 4, 5, 6 and 7


def seconds(display: str) -> int:
    minutes, secs = display.strip().split(":")
    return int(minutes) * 60 + int(secs)


def assert_same_step(pages: list[Page], index: int) -> None:
    for page in pages:
        expect(page.locator("#step")).to_have_attribute("data-step-index", str(index))
    titles = {page.locator("#step-title").inner_text() for page in pages}
    assert len(titles) == 1, titles


def scroll_to_matrix(page: Page) -> None:
    # Tray and plane both on screen, so a mouse drag can go from one to the other.
    page.locator("#panel-matrix").evaluate("element => element.scrollIntoView({block: 'start'})")


def drag_token(
    page: Page, card_id: str, feasibility: float, desirability: float, *, watcher: Page | None = None
) -> None:
    """Drag a token by mouse to (feasibility, desirability); if `watcher`, check it sees the glide mid-drag."""
    scroll_to_matrix(page)
    token = page.locator(f"#token-{card_id}")
    box = token.bounding_box()
    plane = page.locator("#matrix-plane").bounding_box()
    assert box and plane
    start_x, start_y = box["x"] + box["width"] / 2, box["y"] + box["height"] / 2
    page.mouse.move(start_x, start_y)
    page.mouse.down()
    page.mouse.move(start_x + 12, start_y + 12, steps=3)
    page.mouse.move(plane["x"] + plane["width"] * 0.5, plane["y"] + plane["height"] * 0.5, steps=8)
    # The token has left the tray, which may have lost a row and moved the plane up: aim anew.
    plane = page.locator("#matrix-plane").bounding_box()
    assert plane
    end_x = plane["x"] + plane["width"] * feasibility
    end_y = plane["y"] + plane["height"] * (1 - desirability)
    if watcher is not None:
        remote = watcher.locator(f"#token-{card_id}")
        # Mid-drag, before the mouse is released: the other browser already shows the token on the plane.
        expect(watcher.locator(f"#matrix-plane #token-{card_id}")).to_have_count(1)
        expect(remote).to_have_class(re.compile(r"\bis-remote-dragging\b"))
        expect(remote).not_to_have_attribute("data-feasibility", "")
        seen_left = remote.get_attribute("style") or ""
        seen_feasibility = remote.get_attribute("data-feasibility")
        page.mouse.move(end_x, end_y, steps=8)
        # …and follows it as it glides (still before mouse.up). The sender sends at most one drag frame
        # per 50 ms and drops the others, so the last moves may all have been dropped: keep the pointer
        # alive with 1 px moves until the watcher's token has moved (bounded; each turn is two round trips).
        for turn in range(400):
            if remote.get_attribute("data-feasibility") != seen_feasibility:
                break
            page.mouse.move(end_x + turn % 2, end_y)
        expect(remote).not_to_have_attribute("data-feasibility", seen_feasibility or "")
        assert (remote.get_attribute("style") or "") != seen_left
    else:
        page.mouse.move(end_x, end_y, steps=8)
    page.mouse.up()


def test_format1_from_first_step_to_last(new_page: NewPage, create_atelier: CreateAtelier) -> None:
    atelier = create_atelier(title="Ouvrir les données du service des eaux", administration="Ministère de l'Eau")

    animateur = new_page()
    complice = new_page()
    alice = new_page()
    bruno = new_page()
    people = [animateur, complice, alice, bruno]
    dialogs: list[str] = []
    for page in people:
        record_dialogs(page, dialogs)

    join(animateur, atelier["animateur_url"], "Sophie", "Référente", "DITP")
    complice_id = join(complice, atelier["participant_url"], "Karim", "Complice", "DITP")
    join(alice, atelier["participant_url"], "Alice", "Durand", "Association Eau Claire")
    join(bruno, atelier["participant_url"], "Bruno", "Lefèvre", "citoyen")
    participants = [alice, bruno]

    # -- the référent makes Karim the complice from the presence list; his page reloads by itself ----
    expect(animateur.locator("body")).to_have_attribute("data-role", "referent")
    select = animateur.locator(f'select[data-op-select="member.set_role"][data-member-id="{complice_id}"]')
    expect(select).to_be_visible()
    select.select_option("complice")
    expect(complice.locator("body")).to_have_attribute("data-role", "complice")
    expect(complice.locator("body")).to_have_attribute("data-team", "true")
    wait_online(complice)
    for page in participants:
        expect(page.locator("body")).to_have_attribute("data-role", "participant")
        # Participants see no animateur controls.
        expect(page.locator('#step [data-op="step.next"]')).to_have_count(0)

    # -- step 1: everyone on the same step; the timer runs the same everywhere ------------------------
    assert_same_step(people, 0)
    expect(animateur.locator("#step .eyebrow")).to_contain_text(f"Étape 1 sur {FORMAT1_STEPS}")
    animateur.locator('#timer [data-op="timer.start"]').click()
    for page in people:
        expect(page.locator("#timer")).not_to_have_attribute("data-started-at", "")
        expect(page.locator("#timer [data-timer-status]")).to_contain_text("En cours")
    # Wait until every display has ticked below the full duration (the timer runs everywhere).
    duration = int(animateur.locator("#timer").get_attribute("data-duration") or "0")
    full = f"{duration // 60}:{duration % 60:02d}"
    for page in people:
        expect(page.locator("#timer [data-timer-display]")).not_to_have_text(full)
    shown = [seconds(page.locator("#timer [data-timer-display]").inner_text()) for page in people]
    assert max(shown) - min(shown) <= 1, shown
    assert 0 < duration - max(shown) <= 5, (duration, shown)

    # -- steps 2 … 4 ------------------------------------------------------------------------------------
    for index in range(1, CARDS_STEP + 1):
        animateur.locator('#step [data-op="step.next"]').click()
        assert_same_step(people, index)
        # A new step starts with a fresh timer, stopped, on every browser.
        for page in people:
            expect(page.locator("#timer")).to_have_attribute("data-started-at", "")

    # -- step 4: cards --------------------------------------------------------------------------------
    for page in people:
        expect(page.locator("#panel-cards")).to_be_visible()
        expect(page.locator("#panel-matrix")).to_be_hidden()
    post_card(alice, "Publier les relevés de qualité de l'eau", "Chaque mois, en open data.")
    post_card(alice, "Carte des fuites", "Signalements et réparations.")
    post_card(bruno, "Consulter les usagers sur les tarifs", "Un panel citoyen chaque année.")
    post_card(animateur, "Ouvrir le code du simulateur de facture", "")
    for page in people:
        expect(page.locator("#cards-list .card")).to_have_count(4)

    # Alice edits her own card; everyone sees the change.
    alices_card = card_by_title(alice, "Carte des fuites")
    card_id = alices_card.get_attribute("data-card-id")
    assert card_id
    expect(card_by_title(bruno, "Carte des fuites").locator("[data-owner-only]")).to_be_hidden()  # not Bruno's
    alices_card.locator("[data-edit-card]").click()
    alice.fill(f"#edit-title-{card_id}", "Carte interactive des fuites")
    alice.fill(f"#edit-description-{card_id}", "Signalements, réparations et délais.")
    alice.locator(f"#card-edit-{card_id} button[type=submit]").click()
    for page in people:
        card = page.locator(f"#card-{card_id}")
        expect(card.locator(".card-title")).to_have_text("Carte interactive des fuites")
        expect(card.locator(".card-description")).to_have_text("Signalements, réparations et délais.")

    # -- step 5: qualify; the complice takes notes that participants read --------------------------------
    animateur.locator('#step [data-op="step.next"]').click()
    assert_same_step(people, QUALIFY_STEP)
    post_card(bruno, "Tableau de bord des travaux", "")
    for page in people:
        expect(page.locator("#cards-list .card")).to_have_count(5)
    notes = "Sujets retenus : qualité de l'eau, fuites. Bruno propose un panel — à creuser."
    notes_box = complice.locator("#notes-text")
    expect(notes_box).to_be_editable()
    notes_box.click()
    notes_box.press_sequentially(notes)
    for page in participants:
        expect(page.locator("#notes-text")).to_have_attribute("readonly", "")
        expect(page.locator("#notes-text")).not_to_be_editable()
        expect(page.locator("#notes-text")).to_have_value(notes)
    expect(animateur.locator("#notes-text")).to_have_value(notes)

    # -- step 6: the matrix ------------------------------------------------------------------------------
    animateur.locator('#step [data-op="step.next"]').click()
    assert_same_step(people, MATRIX_STEP)
    for page in people:
        expect(page.locator("#panel-matrix")).to_be_visible()
        expect(page.locator("#matrix-tray .token")).to_have_count(5)

    ids = {title: card_by_title(animateur, title).get_attribute("data-card-id") for title in card_titles(animateur)}
    water = ids["Publier les relevés de qualité de l'eau"]
    panel = ids["Consulter les usagers sur les tarifs"]
    code = ids["Ouvrir le code du simulateur de facture"]
    assert water and panel and code

    # Alice drags a card by mouse; the animateur watches it glide before she lets go.
    drag_token(alice, water, feasibility=0.85, desirability=0.88, watcher=animateur)
    for page in people:
        expect(page.locator(f"#matrix-plane #token-{water}")).to_have_count(1)
        expect(page.locator(f"#matrix-plane #token-{water}")).not_to_have_class(re.compile(r"is-remote-dragging"))
        expect(card_by_title(page, "Publier les relevés")).to_contain_text("désirabilité")

    # Bruno moves his card with the keyboard only: four steps up, three to the right.
    token = bruno.locator(f"#token-{panel}")
    token.focus()
    for key in ["ArrowUp"] * 4 + ["ArrowRight"] * 3:
        token.press(key)
    # Durable once the keys rest (~0.4 s): the card's text, rendered by the server, shows the values.
    for page in people:
        expect(page.locator(f"#token-{panel}")).to_have_attribute("data-desirability", "0.7")
        expect(page.locator(f"#token-{panel}")).to_have_attribute("data-feasibility", "0.65")
        expect(page.locator(f"#card-{panel} .card-meta")).to_contain_text("désirabilité 70 %, faisabilité 65 %")

    # The animateur places a third card by mouse, low and left.
    drag_token(animateur, code, feasibility=0.25, desirability=0.3)
    for page in people:
        expect(page.locator(f"#matrix-plane #token-{code}")).not_to_have_attribute("data-desirability", "")
        expect(page.locator(f"#card-{code} .card-meta")).to_contain_text("désirabilité")

    # The animateur marks a priority; every browser shows it.
    card_by_title(animateur, "Publier les relevés").locator(".priority-toggle").click()
    for page in people:
        expect(page.locator(f"#card-{water}")).to_have_class(re.compile(r"\bcard--priority\b"))
        expect(page.locator(f"#token-{water}")).to_have_class(re.compile(r"\btoken--priority\b"))
    expect(alice.locator(".priority-toggle")).to_have_count(0)  # only the team has the button

    # The README's screenshot: the animateur's room at step 6, cards on the matrix.
    for page in people:
        expect(page.locator("#matrix-plane .token")).to_have_count(3)
    if os.environ.get("ATELIER_UPDATE_SCREENSHOT"):  # refreshed on demand, so test runs leave docs/ alone
        box = animateur.locator("#panel-matrix").bounding_box()
        assert box is not None
        scroll = animateur.evaluate("window.scrollY")
        clip = {"x": 0, "y": 0, "width": 1280, "height": box["y"] + scroll + box["height"] + 16}
        animateur.screenshot(path=str(SCREENSHOT), full_page=True, clip=clip)

    # -- step 7: conclusion ------------------------------------------------------------------------------
    animateur.locator('#step [data-op="step.next"]').click()
    assert_same_step(people, LAST_STEP)
    expect(animateur.locator('#step [data-op="step.next"]')).to_be_disabled()
    expect(animateur.locator("#step .next-step")).to_contain_text("Dernière étape")

    # The fiche sujets, downloaded by the animateur, holds everything.
    with animateur.expect_download() as download_info:
        animateur.locator('a[href$="/fiche-sujets.json"]').click()
    download = download_info.value
    assert download.suggested_filename == f"fiche-sujets-{atelier['id']}.json"
    fiche = json.loads(Path(download.path()).read_text(encoding="utf-8"))

    assert fiche["kind"] == "fiche-sujets"
    assert fiche["atelier"]["title"] == "Ouvrir les données du service des eaux"
    positions = token_positions(animateur)
    by_id = {card["id"]: card for card in fiche["cards"]}
    assert sorted(card["title"] for card in fiche["cards"]) == card_titles(animateur)
    assert set(by_id) == set(positions)
    for card_id_, (desirability, feasibility, placed) in positions.items():
        matrix = by_id[card_id_]["matrix"]
        if placed:
            assert matrix["desirability"] == float(desirability)
            assert matrix["feasibility"] == float(feasibility)
        else:
            assert matrix["desirability"] is None and matrix["feasibility"] is None
    assert by_id[panel]["matrix"] == {"desirability": 0.7, "feasibility": 0.65, "quadrant": "prioritaire"}
    assert by_id[water]["matrix"]["quadrant"] == "prioritaire"
    # Mouse placements land where the pointer was released (within a token's few pixels).
    assert abs(by_id[water]["matrix"]["desirability"] - 0.88) < 0.02, by_id[water]["matrix"]
    assert abs(by_id[water]["matrix"]["feasibility"] - 0.85) < 0.02, by_id[water]["matrix"]
    assert abs(by_id[code]["matrix"]["desirability"] - 0.3) < 0.02, by_id[code]["matrix"]
    assert abs(by_id[code]["matrix"]["feasibility"] - 0.25) < 0.02, by_id[code]["matrix"]
    assert by_id[code]["matrix"]["quadrant"] == "a-ecarter"
    assert by_id[card_id]["title"] == "Carte interactive des fuites"
    assert by_id[card_id]["author"]["name"] == "Alice Durand"
    assert fiche["priorities"] == [water]
    assert [card["id"] for card in fiche["cards"] if card["priority"]] == [water]
    roles = {(p["first_name"], p["last_name"]): (p["role"], p["structure"]) for p in fiche["participants"]}
    assert roles == {
        ("Sophie", "Référente"): ("referent", "DITP"),
        ("Karim", "Complice"): ("complice", "DITP"),
        ("Alice", "Durand"): ("participant", "Association Eau Claire"),
        ("Bruno", "Lefèvre"): ("participant", "citoyen"),
    }
    notes_by_step = {note["step"]: note["text"] for note in fiche["notes"]}
    assert notes_by_step[QUALIFY_STEP + 1] == notes
    assert len(fiche["notes"]) == FORMAT1_STEPS

    # -- the same state in every browser ------------------------------------------------------------------
    for page in people:
        assert card_titles(page) == card_titles(animateur)
        assert token_positions(page) == positions
        expect(page.locator(f"#card-{water}")).to_have_class(re.compile(r"\bcard--priority\b"))
        expect(page.locator(".card--priority")).to_have_count(1)
        wait_online(page)
        expect(page.locator("#connection")).to_have_attribute("data-pending", "0")
    assert dialogs == []
