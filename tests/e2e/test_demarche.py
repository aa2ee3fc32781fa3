"""A démarche in a real browser: #1 → #2 → #3 chained from the démarche's page.

An organiser creates the démarche and each atelier from its page; an animateur runs a short #1
(a participant posts two cards, one is marked priority); the #2, created on that card, shows it as
its subject; the canevas title typed in the #2 is in the #3 created next, with its source.
"""

from __future__ import annotations

import base64
import re
from typing import Any

import httpx
from e2e_helpers import NewPage, card_by_title, join, post_card, run_axe
from playwright.sync_api import Page, expect
from pycrdt import Doc, Text

CARDS_STEP = 3  # 0-based index of Format 1's step 4 « Identifier les sujets »
CANEVAS_STEP = 5  # 0-based index of Format 2's step 6 « Formuler l'engagement »
PRIORITY_TITLE = "Publier les relevés de qualité de l'eau"
CANEVAS_TITLE = "Ouvrir les données de l'eau potable"
BLOCKING = {"serious", "critical"}


def go_to_step(page: Page, index: int) -> None:
    current = int(page.locator("#step").get_attribute("data-step-index") or "0")
    for next_index in range(current + 1, index + 1):
        page.locator('#step [data-op="step.next"]').click()
        expect(page.locator("#step")).to_have_attribute("data-step-index", str(next_index))


def add_atelier(organiser: Page, title: str, format: str, **choices: str) -> dict[str, str]:
    """Fill the démarche page's form; the new atelier's id and links, as the page shows them once."""
    form = organiser.locator("#add-atelier")
    form.locator("#title").fill(title)
    form.locator(f"#format-{format}").check()
    for select, label in choices.items():
        form.locator(f"#{select}").select_option(label=label)
    form.locator("button[type=submit]").click()
    expect(organiser.locator("#created-title")).to_contain_text(title)
    animateur_url = organiser.locator("#animateur-url").input_value()
    match = re.search(r"/a/([^/]+)/join/([^/]+)$", animateur_url)
    assert match, animateur_url
    return {
        "id": match.group(1),
        "animateur_token": match.group(2),
        "animateur_url": animateur_url,
        "participant_url": organiser.locator("#participant-url").input_value(),
    }


def api_state(base_url: str, atelier: dict[str, str]) -> dict[str, Any]:
    response = httpx.get(
        f"{base_url}/api/ateliers/{atelier['id']}/state",
        headers={"Authorization": f"Bearer {atelier['animateur_token']}"},
        timeout=10.0,
    )
    assert response.status_code == 200, response.text
    return response.json()["state"]  # type: ignore[no-any-return]


def field_text(state: dict[str, Any], field: str) -> str:
    doc: Doc[Text] = Doc()
    doc["text"] = text = Text()
    if field in state["texts"]:
        doc.apply_update(base64.b64decode(state["texts"][field]))
    return str(text)


def test_demarche_chains_format1_format2_format3(new_page: NewPage, base_url: str) -> None:
    organiser = new_page()
    animateur = new_page()
    participant = new_page()
    console: list[str] = []
    organiser.on("console", lambda message: console.append(message.text))

    # -- the organiser creates the démarche from the home page ---------------------------------------
    organiser.goto("/")
    organiser.get_by_role("link", name="Créer une démarche (plusieurs ateliers enchaînés)").click()
    organiser.fill("#title", "Plan d'action gouvernement ouvert")
    organiser.fill("#administration", "Ministère de l'Eau")
    organiser.locator("form.form button[type=submit]").click()
    demarche_url = organiser.locator("#demarche-url").input_value()
    assert re.search(r"/d/[^/]+/[A-Za-z0-9_-]{32}$", demarche_url), demarche_url
    organiser.get_by_role("link", name="Ouvrir la démarche et créer son premier atelier").click()
    expect(organiser.locator("h1")).to_have_text("Plan d'action gouvernement ouvert")
    expect(organiser.locator("#format-1")).to_be_checked()  # a démarche starts with a #1

    # -- #1: two cards, one marked priority ------------------------------------------------------------
    f1 = add_atelier(organiser, "Identifier nos sujets", "1")
    join(animateur, f1["animateur_url"], "Sophie", "Référente", "DITP")
    join(participant, f1["participant_url"], "Alice", "Durand", "Association Eau Claire")
    go_to_step(animateur, CARDS_STEP)
    expect(participant.locator("#step")).to_have_attribute("data-step-index", str(CARDS_STEP))
    post_card(participant, PRIORITY_TITLE, "Chaque mois, en open data.")
    post_card(participant, "Carte des fuites", "Signalements et réparations.")
    expect(animateur.locator("#cards-list .card")).to_have_count(2)
    card_by_title(animateur, PRIORITY_TITLE).locator(".priority-toggle").click()
    expect(card_by_title(animateur, PRIORITY_TITLE)).to_have_class(re.compile(r"\bcard--priority\b"))

    # -- #2 from the démarche page, on that card ------------------------------------------------------
    organiser.goto(demarche_url)
    expect(organiser.locator(f"#atelier-{f1['id']} .priority-cards")).to_have_text(PRIORITY_TITLE)
    expect(organiser.locator("#format-2")).to_be_checked()  # the next format is suggested
    expect(organiser.locator("#subject option")).to_have_count(2)  # « plus tard » and the one priority card
    f2 = add_atelier(organiser, "Formuler notre engagement", "2", subject=PRIORITY_TITLE)
    expect(organiser.locator("#carried-subject")).to_contain_text(PRIORITY_TITLE)

    join(animateur, f2["animateur_url"], "Sophie", "Référente", "DITP")
    join(participant, f2["participant_url"], "Alice", "Durand", "Association Eau Claire")
    for page in (animateur, participant):
        expect(page.locator("#subject")).to_contain_text(PRIORITY_TITLE)

    # -- in the #2, the canevas title, typed at step 6 -------------------------------------------------
    go_to_step(animateur, CANEVAS_STEP)
    titre = animateur.locator('[data-text-field="canevas:titre"]')
    expect(titre).to_be_visible()
    titre.fill(CANEVAS_TITLE)
    # The server broadcasts an operation only once it is stored: when the participant sees it, it is durable.
    expect(participant.locator('[data-text-field="canevas:titre"]')).to_have_value(CANEVAS_TITLE)
    assert field_text(api_state(base_url, f2), "canevas:titre") == CANEVAS_TITLE

    # -- #3 from the démarche page: the canevas and subject come along, with their source -------------
    organiser.goto(demarche_url)
    expect(organiser.locator("#format-3")).to_be_checked()
    f3 = add_atelier(organiser, "Décrire notre feuille de route", "3", from_atelier="#2 « Formuler notre engagement »")
    expect(organiser.locator("#carried-canevas")).to_contain_text("Formuler notre engagement")

    state = api_state(base_url, f3)
    assert field_text(state, "canevas:titre") == CANEVAS_TITLE
    assert state["canevas"]["source"]["atelier_id"] == f2["id"]
    assert state["subject"]["title"] == PRIORITY_TITLE
    assert state["subject"]["source"]["atelier_id"] == f2["id"]

    # The démarche's page lists the three, in order, with what each holds.
    organiser.goto(demarche_url)
    items = organiser.locator("#demarche-ateliers > li")
    expect(items).to_have_count(3)
    assert [items.nth(i).get_attribute("data-format") for i in range(3)] == ["1", "2", "3"]
    expect(organiser.locator(f"#atelier-{f3['id']}")).to_contain_text(CANEVAS_TITLE)
    assert not [text for text in console if "Content Security Policy" in text], console


def test_demarche_pages_are_accessible(new_page: NewPage) -> None:
    """axe-core on each démarche page, including the form's error state (axe needs bypass_csp)."""
    page = new_page(bypass_csp=True)
    results: dict[str, list[dict[str, Any]]] = {}
    page.goto("/demarches/new")
    results["new"] = run_axe(page)
    page.fill("#title", "Démarche accessible")
    page.fill("#administration", "Ministère des Tests")
    page.locator("form.form button[type=submit]").click()
    expect(page.locator("h1")).to_have_text("Démarche créée")
    results["created"] = run_axe(page)
    page.get_by_role("link", name="Ouvrir la démarche et créer son premier atelier").click()
    results["démarche, empty"] = run_axe(page)

    # The browser's own check stops an empty title: a blank one (spaces) reaches the server's.
    page.fill("#title", "   ")
    page.locator("#add-atelier button[type=submit]").click()
    expect(page.locator("#title")).to_have_attribute("aria-invalid", "true")
    expect(page.get_by_role("alert")).to_contain_text("Indiquez l'intitulé de l'atelier")
    results["démarche, form errors"] = run_axe(page)

    add_atelier(page, "Premier atelier", "1")
    results["démarche, atelier created"] = run_axe(page)
    blocking = {
        name: [v for v in violations if v["impact"] in BLOCKING]
        for name, violations in results.items()
        if any(v["impact"] in BLOCKING for v in violations)
    }
    assert not blocking, blocking
