"""The XSS corpus typed live through the UI by an animateur and two participants: no script ever runs,
and every text shows literally, in every browser, live and after a reload.

The pages here ignore the Content-Security-Policy (`bypass_csp`): the CSP would stop an injected
inline script anyway, and this test is about the layer under it, the escaping. Every payload that ran
would set `window.__xss`, or open a dialog.
"""

from __future__ import annotations

from typing import Any

from e2e_helpers import CreateAtelier, NewPage, join, post_card, record_dialogs, wait_online
from playwright.sync_api import Page, expect
from xss_corpus import PAYLOADS, flat  # tests/xss_corpus.py, shared with test_xss.py

CARDS_STEP = 4  # Format 1, 0-based: the step where cards are written
SUBJECT_STEP, REFORMULATE_STEP = 2, 3  # Format 2


def watch(page: Page, dialogs: list[str], errors: list[str]) -> Page:
    record_dialogs(page, dialogs)
    page.on("pageerror", lambda error: errors.append(str(error)))
    return page


def assert_nothing_ran(pages: list[Page], dialogs: list[str], errors: list[str]) -> None:
    for page in pages:
        assert page.evaluate("window.__xss") is None, f"a payload ran in {page.url}"
        # No element was made from typed text: the corpus's tags never appear in the document.
        elements = "main img, main iframe, main math, main style, main base"
        injected = page.locator(f'{elements}, body script:not([src]):not([type="application/json"])')
        expect(injected).to_have_count(0)
    assert dialogs == [], dialogs
    assert errors == [], errors


def goto_step(animateur: Page, people: list[Page], index: int) -> None:
    animateur.locator(f'#deroule [data-op="step.goto"][data-index="{index}"]').click()
    for page in people:
        expect(page.locator("#step")).to_have_attribute("data-step-index", str(index))


def test_format1_payloads_typed_live_stay_text(new_page: NewPage, base_url: str) -> None:
    dialogs: list[str] = []
    errors: list[str] = []
    animateur = watch(new_page(bypass_csp=True), dialogs, errors)
    animateur.goto("/")
    animateur.fill("#title", PAYLOADS[0])
    animateur.fill("#administration", PAYLOADS[1])
    animateur.locator("form.form button[type=submit]").click()
    expect(animateur.locator(".lead")).to_contain_text(flat(PAYLOADS[0]))
    animateur_url = animateur.locator("#animateur-url").input_value()
    participant_url = animateur.locator("#participant-url").input_value()
    join(animateur, animateur_url, PAYLOADS[2], PAYLOADS[3], PAYLOADS[4])

    alice = watch(new_page(bypass_csp=True), dialogs, errors)
    join(alice, participant_url, PAYLOADS[5], PAYLOADS[6], PAYLOADS[7])
    bruno = watch(new_page(bypass_csp=True), dialogs, errors)
    join(bruno, participant_url, PAYLOADS[8], PAYLOADS[9], PAYLOADS[10])
    people = [animateur, alice, bruno]

    goto_step(animateur, people, CARDS_STEP)
    cards = [(PAYLOADS[index], PAYLOADS[(index + 7) % len(PAYLOADS)]) for index in range(11, 20)]
    for index, (title, description) in enumerate(cards):
        post_card(alice if index % 2 else bruno, title, description)
        for page in people:
            expect(page.locator("#cards-list .card")).to_have_count(index + 1)
    notes = "\n".join(PAYLOADS)
    animateur.locator("#notes-text").fill(notes)

    def assert_shown_literally() -> None:
        for page in people:
            expect(page.locator(".room-name")).to_have_text(flat(PAYLOADS[0]))
            titles = sorted(flat(text) for text in page.locator("#cards-list .card-title").all_inner_texts())
            assert titles == sorted(flat(title) for title, _ in cards)
            descriptions = page.locator("#cards-list .card-description").all_inner_texts()
            assert sorted(flat(text) for text in descriptions) == sorted(flat(text) for _, text in cards)
            expect(page.locator("#notes-text")).to_have_value(notes)
        for name in (PAYLOADS[2], PAYLOADS[5], PAYLOADS[8]):
            expect(animateur.locator("#presence")).to_contain_text(flat(name))

    assert_shown_literally()
    assert_nothing_ran(people, dialogs, errors)

    # Server-rendered this time (a fresh load, not live fragments): the same.
    for page in people:
        page.reload()
        wait_online(page)
    assert_shown_literally()
    assert_nothing_ran(people, dialogs, errors)


def test_format2_payloads_typed_live_stay_text(new_page: NewPage, create_atelier: CreateAtelier, base_url: str) -> None:
    dialogs: list[str] = []
    errors: list[str] = []
    atelier: dict[str, Any] = create_atelier(title=PAYLOADS[15], administration=PAYLOADS[16], format="2")
    animateur = watch(new_page(bypass_csp=True), dialogs, errors)
    alice = watch(new_page(bypass_csp=True), dialogs, errors)
    bruno = watch(new_page(bypass_csp=True), dialogs, errors)
    people = [animateur, alice, bruno]
    join(animateur, atelier["animateur_url"], PAYLOADS[17], PAYLOADS[18], PAYLOADS[19])
    join(alice, atelier["participant_url"], PAYLOADS[0], PAYLOADS[1], PAYLOADS[2])
    join(bruno, atelier["participant_url"], PAYLOADS[3], PAYLOADS[4], PAYLOADS[5])

    goto_step(animateur, people, SUBJECT_STEP)
    animateur.fill("#subject-form-title", PAYLOADS[6])
    animateur.fill("#subject-form-description", PAYLOADS[7])
    animateur.locator('#subject-form button[type="submit"]').click()
    for page in people:
        expect(page.locator("#subject-card-title")).to_have_text(flat(PAYLOADS[6]))
        expect(page.locator("#subject .subject-card-description")).to_have_text(flat(PAYLOADS[7]))

    goto_step(animateur, people, REFORMULATE_STEP)
    alice.fill("#reformulation-new-permet", PAYLOADS[9])
    alice.fill("#reformulation-new-table", PAYLOADS[10])
    alice.locator('#reformulation-create button[type="submit"]').click()
    bruno.fill("#reformulation-new-ambition", PAYLOADS[11])
    bruno.locator('#reformulation-create button[type="submit"]').click()
    for page in people:
        reformulations = page.locator("#reformulations")
        for payload in (PAYLOADS[9], PAYLOADS[10], PAYLOADS[11]):
            expect(reformulations).to_contain_text(flat(payload))
    assert_nothing_ran(people, dialogs, errors)
    for page in people:
        page.reload()
        wait_online(page)
        expect(page.locator("#subject-card-title")).to_have_text(flat(PAYLOADS[6]))
        expect(page.locator("#reformulations")).to_contain_text(flat(PAYLOADS[11]))
    assert_nothing_ran(people, dialogs, errors)
