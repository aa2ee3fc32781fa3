"""Personal data in a real browser: the join page's notice and email, the thank-you mail's Bcc, and
« Anonymiser maintenant » reaching a participant's open page at once (axe-clean throughout)."""

from __future__ import annotations

import re
from typing import Any
from urllib.parse import parse_qs, urlsplit

from e2e_helpers import CreateAtelier, NewPage, run_axe, wait_online
from playwright.sync_api import Page, expect

LAST_STEP = 6  # Format 1: « Conclusion », where the team's « Après l'atelier » tools open
BLOCKING = {"serious", "critical"}


def join_with_email(page: Page, url: str, first: str, last: str, email: str) -> None:
    page.goto(url)
    page.fill("#first_name", first)
    page.fill("#last_name", last)
    page.fill("#email", email)
    page.locator("form.form button[type=submit]").click()
    wait_online(page)


def test_privacy_notice_mail_bcc_and_anonymise_now(new_page: NewPage, create_atelier: CreateAtelier) -> None:
    atelier = create_atelier(administration="Préfecture de la Loire")
    results: dict[str, list[dict[str, Any]]] = {}

    participant = new_page(bypass_csp=True)
    participant.goto(f"/a/{atelier['id']}/join/{atelier['participant_token']}")
    notice = participant.locator("aside.privacy")
    expect(notice).to_contain_text("Qui voit quoi")
    expect(notice).to_contain_text("Préfecture de la Loire")
    results["join with the privacy notice"] = run_axe(participant)
    join_with_email(participant, participant.url, "Hélène", "Müller", "helene@eauvive.example")
    expect(participant.locator("#privacy-panel")).to_have_count(0)

    referent = new_page(bypass_csp=True)
    join_with_email(referent, f"/a/{atelier['id']}/join/{atelier['animateur_token']}", "Claire", "Dubois", "")
    expect(referent.locator("#retention-status")).to_contain_text("conservés jusqu'au")
    expect(referent.locator("#presence")).to_contain_text("Hélène Müller")
    results["room with the personal data panel"] = run_axe(referent)

    # The thank-you mail goes to the people who left an email, in blind copy.
    referent.locator(f'#deroule [data-op="step.goto"][data-index="{LAST_STEP}"]').click()
    referent.evaluate(
        "window.addEventListener('click', (event) => {"
        " if (event.target.closest('[data-mailto-field]')) event.preventDefault(); })"
    )
    mailto = referent.locator('#after a[data-mailto-field="mail"]')
    mailto.click()
    expect(mailto).to_have_attribute("href", re.compile(r"^mailto:\?bcc="))
    assert parse_qs(urlsplit(mailto.get_attribute("href") or "").query)["bcc"] == ["helene@eauvive.example"]

    # Anonymise now, with the keyboard: the participant's open page reloads under their label.
    referent.focus("#anonymise-confirm")
    referent.keyboard.press("Space")
    referent.keyboard.press("Tab")
    referent.keyboard.press("Enter")
    expect(referent.locator("#privacy-panel")).to_contain_text("Effacées")
    expect(participant.locator(".me")).to_contain_text("Participant 1")
    wait_online(participant)
    expect(referent.locator("#presence")).not_to_contain_text("Müller")
    assert "Müller" not in participant.content() and "Dubois" not in referent.content()
    results["room after anonymisation"] = run_axe(referent)

    blocking = {name: [v for v in found if v["impact"] in BLOCKING] for name, found in results.items()}
    assert all(not found for found in blocking.values()), blocking
