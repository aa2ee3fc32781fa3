"""Accessibility in a real browser: axe-core on every page, keyboard-only use, no sideways scroll.

axe-core is injected with a script tag, which the app's strict CSP forbids: those contexts are
made with bypass_csp=True (the app's own scripts still come from 'self').
"""

from __future__ import annotations

import json
from typing import Any

import pytest
from e2e_helpers import CreateAtelier, NewPage, join, post_card, run_axe, tab_to, wait_online
from playwright.sync_api import Page, expect

MATRIX_STEP = 5  # step 6 of Format 1: cards and the matrix
BLOCKING = {"serious", "critical"}


def goto_step(animateur: Page, index: int) -> None:
    animateur.locator(f'#deroule [data-op="step.goto"][data-index="{index}"]').click()
    expect(animateur.locator("#step")).to_have_attribute("data-step-index", str(index))


def place_with_dialog(page: Page, card_id: str, desirability: int, feasibility: int) -> None:
    page.locator(f"#token-{card_id}").click()
    expect(page.locator("#place-dialog")).to_have_attribute("open", "")
    page.fill("#place-desirability", str(desirability))
    page.fill("#place-feasibility", str(feasibility))
    page.locator('#place-dialog button[value="place"]').click()
    expect(page.locator(f"#matrix-plane #token-{card_id}")).to_have_attribute(
        "data-desirability", str(desirability / 100)
    )


def test_axe_finds_no_serious_violation(new_page: NewPage, base_url: str) -> None:
    results: dict[str, list[dict[str, Any]]] = {}

    # Home, then the page the home form leads to.
    page = new_page(bypass_csp=True)
    page.goto("/")
    results["home /"] = run_axe(page)
    page.fill("#title", "Accessibilité du guichet")
    page.fill("#administration", "Ministère des Tests")
    page.locator("form.form button[type=submit]").click()
    expect(page.locator("h1")).to_have_text("Atelier créé")
    results["created"] = run_axe(page)
    animateur_url = page.locator("#animateur-url").input_value()
    participant_url = page.locator("#participant-url").input_value()

    # The join form, then the room as animateur at step 1.
    page.goto(animateur_url)
    results["join (animateur link)"] = run_axe(page)
    page.fill("#first_name", "Sophie")
    page.fill("#last_name", "Référente")
    page.locator("form.form button[type=submit]").click()
    wait_online(page)
    results["room, animateur, step 1"] = run_axe(page)

    # A participant joins (their join page and their room).
    participant = new_page(bypass_csp=True)
    participant.goto(participant_url)
    results["join (participant link)"] = run_axe(participant)
    participant.fill("#first_name", "Alice")
    participant.fill("#last_name", "Durand")
    participant.locator("form.form button[type=submit]").click()
    wait_online(participant)
    results["room, participant, step 1"] = run_axe(participant)

    # Step 6 with cards, one of them on the matrix.
    goto_step(page, MATRIX_STEP)
    post_card(participant, "Publier les horaires du guichet", "En open data.")
    post_card(page, "Prendre rendez-vous en ligne", "")
    expect(page.locator("#cards-list .card")).to_have_count(2)
    card_id = page.locator("#matrix-tray .token").first.get_attribute("data-card-id")
    assert card_id
    place_with_dialog(page, card_id, 80, 70)
    expect(participant.locator(f"#matrix-plane #token-{card_id}")).to_have_count(1)
    results["room, animateur, step 6 with a card on the matrix"] = run_axe(page)
    results["room, participant, step 6"] = run_axe(participant)

    # The dialog open (a modal: axe checks what it exposes).
    page.locator(f"#token-{card_id}").click()
    expect(page.locator("#place-dialog")).to_have_attribute("open", "")
    results["room, placement dialog open"] = run_axe(page)
    page.keyboard.press("Escape")
    expect(page.locator("#place-dialog")).not_to_have_attribute("open", "")

    api = new_page(bypass_csp=True)
    api.goto(f"{base_url}/api")
    results["/api"] = run_axe(api)

    print("\naxe-core violations by page:\n" + json.dumps(results, indent=2, ensure_ascii=False))
    blocking = {
        name: [v for v in violations if v["impact"] in BLOCKING]
        for name, violations in results.items()
        if any(v["impact"] in BLOCKING for v in violations)
    }
    assert not blocking, json.dumps(blocking, indent=2, ensure_ascii=False)


def test_keyboard_only_card_and_placement(new_page: NewPage, create_atelier: CreateAtelier) -> None:
    atelier = create_atelier(title="Au clavier")
    animateur, person = new_page(), new_page()
    join(animateur, atelier["animateur_url"], "Sophie", "Référente")
    join(person, atelier["participant_url"], "Clara", "Clavier")
    goto_step(animateur, MATRIX_STEP)
    expect(person.locator("#step")).to_have_attribute("data-step-index", str(MATRIX_STEP))

    # Create a card: Tab to the title, type, Tab to the description, type, Tab to the button, Enter.
    keyboard = person.keyboard
    tab_to(person, "#new-card-title")
    keyboard.type("Dématérialiser les demandes")
    keyboard.press("Tab")
    expect(person.locator("#new-card-description")).to_be_focused()
    keyboard.type("Un formulaire en ligne accessible.")
    keyboard.press("Tab")
    expect(person.locator('#card-create button[type="submit"]')).to_be_focused()
    keyboard.press("Enter")
    for page in (person, animateur):
        expect(page.locator("#cards-list .card")).to_have_count(1)
        expect(page.locator("#cards-list .card .card-title")).to_have_text("Dématérialiser les demandes")
    expect(person.locator("#new-card-title")).to_be_focused()  # ready for the next card
    expect(person.locator("#new-card-title")).to_have_value("")

    # Reach the token with Tab, move it with the arrows (Shift: fine step).
    tab_to(person, "#matrix-tray .token")
    token = person.locator("#matrix-tray .token, #matrix-plane .token").first
    card_id = token.get_attribute("data-card-id")
    assert card_id
    token = person.locator(f"#token-{card_id}")
    for key in ["ArrowUp", "ArrowUp", "ArrowLeft", "Shift+ArrowLeft"]:
        keyboard.press(key)
    expect(token).to_be_focused()
    for page in (person, animateur):
        expect(page.locator(f"#matrix-plane #token-{card_id}")).to_have_attribute("data-desirability", "0.6")
        expect(page.locator(f"#card-{card_id} .card-meta")).to_contain_text("désirabilité 60 %, faisabilité 44 %")
    expect(token).to_be_focused()  # still on the token after the server's re-render
    expect(person.locator("#announcer")).to_contain_text("Désirabilité 60 %")

    # Enter opens the precise placement dialog; type values; Tab to « Placer »; Enter.
    keyboard.press("Enter")
    dialog = person.locator("#place-dialog")
    expect(dialog).to_have_attribute("open", "")
    expect(person.locator("#place-desirability")).to_be_focused()
    expect(person.locator("#place-desirability")).to_have_value("60")
    keyboard.press("Control+A")
    keyboard.type("85")
    keyboard.press("Tab")
    expect(person.locator("#place-feasibility")).to_be_focused()
    keyboard.press("Control+A")
    keyboard.type("30")
    keyboard.press("Tab")
    expect(person.locator('#place-dialog button[value="place"]')).to_be_focused()
    keyboard.press("Enter")
    expect(dialog).not_to_have_attribute("open", "")
    for page in (person, animateur):
        expect(page.locator(f"#token-{card_id}")).to_have_attribute("data-desirability", "0.85")
        expect(page.locator(f"#token-{card_id}")).to_have_attribute("data-feasibility", "0.3")
    expect(token).to_be_focused()  # focus comes back to the token

    # Escape cancels the dialog and changes nothing.
    keyboard.press("Enter")
    expect(dialog).to_have_attribute("open", "")
    keyboard.press("Escape")
    expect(dialog).not_to_have_attribute("open", "")
    expect(token).to_be_focused()
    expect(animateur.locator(f"#token-{card_id}")).to_have_attribute("data-desirability", "0.85")


VIEWPORTS = {
    "200% zoom (640x480 at 2x)": {"viewport": {"width": 640, "height": 480}, "device_scale_factor": 2},
    "phone (375x812)": {
        "viewport": {"width": 375, "height": 812},
        "device_scale_factor": 3,
        "is_mobile": True,
        "has_touch": True,
    },
}


@pytest.mark.parametrize("size", list(VIEWPORTS), ids=["zoom200", "phone375"])
def test_no_horizontal_scroll_on_small_screens(new_page: NewPage, create_atelier: CreateAtelier, size: str) -> None:
    atelier = create_atelier(title="Un intitulé d'atelier assez long pour passer à la ligne sur un téléphone")
    animateur = new_page(bypass_csp=True, **VIEWPORTS[size])
    participant = new_page(bypass_csp=True, **VIEWPORTS[size])
    home = new_page(bypass_csp=True, **VIEWPORTS[size])
    home.goto("/")
    join(animateur, atelier["animateur_url"], "Sophie", "Référente-Animatrice", "Direction interministérielle")
    join(participant, atelier["participant_url"], "Alice", "Durand", "Association")
    goto_step(animateur, MATRIX_STEP)
    post_card(participant, "Publier les relevés de qualité de l'eau, commune par commune", "Chaque mois.")
    expect(animateur.locator("#matrix-tray .token")).to_have_count(1)
    card_id = animateur.locator("#matrix-tray .token").first.get_attribute("data-card-id")
    assert card_id
    pages = {"home": home, "room (animateur)": animateur, "room (participant)": participant}

    place_with_dialog(animateur, card_id, 50, 50)
    expect(participant.locator(f"#matrix-plane #token-{card_id}")).to_have_attribute("data-feasibility", "0.5")
    wide = too_wide(pages)
    assert not wide, f"horizontal scrollbar at {size}, card in the middle of the matrix: {wide}"

    # A card near the right edge of the matrix (a « faisable » subject) must not widen the page either.
    place_with_dialog(animateur, card_id, 90, 95)
    expect(participant.locator(f"#matrix-plane #token-{card_id}")).to_have_attribute("data-feasibility", "0.95")
    wide = too_wide(pages)
    assert not wide, f"horizontal scrollbar at {size}, card at feasibility 95 %: {wide}"


def too_wide(pages: dict[str, Page]) -> dict[str, dict[str, int]]:
    """The pages whose document is wider than their viewport (a horizontal scrollbar)."""
    widths = {
        name: page.evaluate(
            "() => ({scroll: document.documentElement.scrollWidth, client: document.documentElement.clientWidth})"
        )
        for name, page in pages.items()
    }
    return {name: width for name, width in widths.items() if width["scroll"] > width["client"] + 1}
