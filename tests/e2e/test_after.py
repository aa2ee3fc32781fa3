"""After the atelier, in real browsers: the questionnaire de retour d'expérience and the team's drafts.

A Format 1 atelier with a référent (animateur), a complice and two participants reaches its last
step (Conclusion). The animateur opens the anonymous questionnaire; the participants answer, and
the team's results update live without naming anyone; participants never see the results. Then the
team co-writes the compte rendu, finalises it, downloads it (Markdown, PDF) and drafts the réseau
social post and the thank-you mail. axe-core checks the pages in that state.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

from e2e_helpers import CreateAtelier, NewPage, join, run_axe, wait_online
from playwright.sync_api import Dialog, Page, expect

TITLE = "Ouvrir les données de l'eau"
LAST_STEP = 6  # Format 1: step 7 of 7, « Conclusion »
BLOCKING = {"serious", "critical"}
PARTICIPANT_NAMES = ("Alice", "Durand", "Bruno", "Lefèvre")
RESULTS = ".questionnaire-results"
CR = 'textarea[data-text-field="compte_rendu"]'
POST = 'textarea[data-text-field="post"]'
MAIL = 'textarea[data-text-field="mail"]'
FINALIZE = '#after [data-op="compte_rendu.finalize"]'


def generate(field: str) -> str:
    return f'#after [data-op="draft.generate"][data-field="{field}"]'


def go_to_conclusion(animateur: Page, people: list[Page]) -> None:
    """Step by step with the animateur's « next » control, everyone following."""
    for index in range(1, LAST_STEP + 1):
        animateur.locator('#step [data-op="step.next"]').click()
        for page in people:
            expect(page.locator("#step")).to_have_attribute("data-step-index", str(index))
    expect(animateur.locator("#step-title")).to_have_text("Conclusion")
    expect(animateur.locator('#step [data-op="step.next"]')).to_be_disabled()


def answer(page: Page, ratings: dict[str, int], apprecie: str, suite: str) -> None:
    """Fill the questionnaire form through its controls and send it."""
    form = page.locator("#questionnaire-form")
    for key, score in ratings.items():
        form.locator(f"#q-{key}-{score}").check()
    form.locator("#q-apprecie").fill(apprecie)
    form.get_by_label(suite, exact=True).check()
    form.locator("button[type=submit]").click()


def mark_stale(page: Page, selector: str) -> None:
    """Tag the element now on the page: a fragment that replaces it brings an untagged one."""
    page.locator(selector).evaluate("element => element.setAttribute('data-e2e-stale', '')")


def wait_replaced(page: Page, selector: str) -> None:
    expect(page.locator(f"{selector}[data-e2e-stale]")).to_have_count(0)
    expect(page.locator(selector)).to_have_count(1)


def assert_results_without_names(page: Page) -> None:
    text = page.locator("#questionnaire").inner_text()
    for name in PARTICIPANT_NAMES:
        assert name not in text, f"« {name} » shown in the questionnaire results: {text!r}"


def accept_dialogs(page: Page, into: list[str]) -> None:
    def on_dialog(dialog: Dialog) -> None:
        into.append(dialog.message)
        dialog.accept()

    page.on("dialog", on_dialog)


def rating_result(page: Page, index: int) -> Any:
    return page.locator(f"#questionnaire {RESULTS} dd").nth(index)


def set_up_room(new_page: NewPage, create_atelier: CreateAtelier) -> tuple[dict[str, Any], list[Page]]:
    """A Format 1 atelier: référent, complice (promoted from the presence list), Alice and Bruno."""
    atelier = create_atelier(title=TITLE, administration="DITP", format="1")
    # Only the animateur's context bypasses the CSP (the drafts test runs a click guard of its own there);
    # the others keep the app's strict CSP.
    animateur = new_page(bypass_csp=True)
    complice = new_page()
    alice = new_page()
    bruno = new_page()
    join(animateur, atelier["animateur_url"], "Sophie", "Référente", "DITP")
    complice_id = join(complice, atelier["participant_url"], "Karim", "Complice", "DITP")
    join(alice, atelier["participant_url"], "Alice", "Durand", "Association Eau Claire")
    join(bruno, atelier["participant_url"], "Bruno", "Lefèvre", "citoyen")

    expect(animateur.locator("body")).to_have_attribute("data-role", "referent")
    animateur.locator(f'select[data-op-select="member.set_role"][data-member-id="{complice_id}"]').select_option(
        "complice"
    )
    expect(complice.locator("body")).to_have_attribute("data-role", "complice")
    expect(complice.locator("body")).to_have_attribute("data-team", "true")
    wait_online(complice)
    for page in (alice, bruno):
        expect(page.locator("body")).to_have_attribute("data-role", "participant")
    return atelier, [animateur, complice, alice, bruno]


def test_questionnaire_results_are_live_anonymous_and_the_teams(
    new_page: NewPage, create_atelier: CreateAtelier
) -> None:
    _, people = set_up_room(new_page, create_atelier)
    animateur, complice, alice, bruno = people
    team, participants = [animateur, complice], [alice, bruno]
    go_to_conclusion(animateur, people)

    # Closed: the team sees the panel and the animateur's « open » button; participants see nothing.
    for page in team:
        expect(page.locator("#questionnaire")).to_be_visible()
        expect(page.locator("#questionnaire .questionnaire-status")).to_contain_text("Pas encore ouvert")
    expect(animateur.locator('#questionnaire [data-op="questionnaire.open"]')).to_be_visible()
    expect(complice.locator('#questionnaire [data-op="questionnaire.open"]')).to_be_hidden()  # animateurs only
    for page in participants:
        expect(page.locator("#questionnaire")).to_be_hidden()
        expect(page.locator("#questionnaire-form")).to_have_count(0)

    animateur.locator('#questionnaire [data-op="questionnaire.open"]').click()
    for page in participants:
        expect(page.locator("#questionnaire")).to_be_visible()
        expect(page.locator("#questionnaire-form")).to_be_visible()
        expect(page.locator("#questionnaire-form [data-questionnaire-thanks]")).to_be_hidden()
    for page in team:
        expect(page.locator("#questionnaire .questionnaire-status")).to_contain_text("Ouvert")
        expect(page.locator("#questionnaire .questionnaire-status")).to_contain_text("0 réponse(s)")
    expect(animateur.locator('#questionnaire [data-op="questionnaire.close"]')).to_be_visible()

    # (The thanks message has its own test below.)
    answer(alice, {"global": 5, "objectifs": 4, "parole": 5, "outil": 4}, "Les échanges en petits groupes", "Oui")
    for page in team:
        expect(page.locator("#questionnaire .questionnaire-status")).to_contain_text("1 réponse(s)")
    answer(bruno, {"global": 4, "objectifs": 3, "parole": 4, "outil": 5}, "La matrice en direct", "Peut-être")

    # The team's results, live: two responses, means, counts, the texts — and no one's name.
    for page in team:
        expect(page.locator("#questionnaire .questionnaire-status")).to_contain_text("2 réponse(s)")
        expect(page.locator(f"#questionnaire {RESULTS}")).to_be_visible()
        expect(rating_result(page, 0)).to_contain_text("moyenne 4.5 / 5")  # global: 5 and 4
        expect(rating_result(page, 1)).to_contain_text("moyenne 3.5 / 5")  # objectifs: 4 and 3
        expect(page.locator(f"#questionnaire {RESULTS}")).to_contain_text("Les échanges en petits groupes")
        expect(page.locator(f"#questionnaire {RESULTS}")).to_contain_text("La matrice en direct")
        expect(page.locator(f"#questionnaire {RESULTS}")).to_contain_text("Oui : 1 · Peut-être : 1 · Non : 0")
        assert_results_without_names(page)
    # Participants never see the results (not even hidden in their page).
    for page in participants:
        expect(page.locator(RESULTS)).to_have_count(0)
        expect(page.locator("#questionnaire .questionnaire-status")).to_have_count(0)
        assert "moyenne" not in page.locator("#questionnaire").inner_text()

    # Alice changes her mind: her answer is replaced, not added.
    answer(alice, {"global": 3}, "Les échanges en petits groupes", "Non")
    for page in team:
        expect(rating_result(page, 0)).to_contain_text("moyenne 3.5 / 5")  # global: 3 and 4
        expect(page.locator(f"#questionnaire {RESULTS}")).to_contain_text("Oui : 0 · Peut-être : 1 · Non : 1")
        expect(page.locator("#questionnaire .questionnaire-status")).to_contain_text("2 réponse(s)")
        assert_results_without_names(page)
    for page in participants:
        expect(page.locator(RESULTS)).to_have_count(0)

    # The animateur closes it: the participants' forms go away; the team keeps the results.
    animateur.locator('#questionnaire [data-op="questionnaire.close"]').click()
    for page in participants:
        expect(page.locator("#questionnaire-form")).to_have_count(0)
        expect(page.locator("#questionnaire")).to_be_hidden()
    for page in team:
        expect(page.locator("#questionnaire .questionnaire-status")).to_contain_text("Fermé")
        expect(page.locator("#questionnaire .questionnaire-status")).to_contain_text("2 réponse(s)")
        expect(page.locator("#questionnaire-form")).to_have_count(0)
    expect(animateur.locator('#questionnaire [data-op="questionnaire.open"]')).to_be_visible()


def test_questionnaire_thanks_stays_shown_after_the_answer_comes_back(
    new_page: NewPage, create_atelier: CreateAtelier
) -> None:
    """The thanks is shown on submit, and still shown once the answer's event has re-rendered the panel."""
    atelier = create_atelier(title=TITLE, administration="DITP", format="1")
    animateur = new_page()
    alice = new_page(bypass_csp=True)  # the test tags the panel with a script of its own
    bruno = new_page(bypass_csp=True)
    join(animateur, atelier["animateur_url"], "Sophie", "Référente", "DITP")
    join(alice, atelier["participant_url"], "Alice", "Durand", "Association Eau Claire")
    join(bruno, atelier["participant_url"], "Bruno", "Lefèvre", "citoyen")
    animateur.locator(f'#deroule [data-op="step.goto"][data-index="{LAST_STEP}"]').click()
    animateur.locator('#questionnaire [data-op="questionnaire.open"]').click()
    for page in (alice, bruno):
        expect(page.locator("#questionnaire-form")).to_be_visible()
        expect(page.locator("#questionnaire-form [data-questionnaire-thanks]")).to_be_hidden()

    # Alice's own answer comes back as an event whose fragment replaces #questionnaire.
    mark_stale(alice, "#questionnaire")
    answer(alice, {"global": 5, "objectifs": 4, "parole": 5, "outil": 4}, "Les échanges en petits groupes", "Oui")
    expect(animateur.locator("#questionnaire .questionnaire-status")).to_contain_text("1 réponse(s)")
    wait_replaced(alice, "#questionnaire")
    expect(alice.locator("#questionnaire-form #q-global-5")).to_be_checked()  # her answers are kept…
    expect(alice.locator("#questionnaire-form [data-questionnaire-thanks]")).to_be_visible()  # …and the thanks

    # Someone else's answer re-renders it again: Alice's thanks stays, Bruno gets his.
    mark_stale(alice, "#questionnaire")
    mark_stale(bruno, "#questionnaire")
    answer(bruno, {"global": 4}, "La matrice en direct", "Peut-être")
    expect(animateur.locator("#questionnaire .questionnaire-status")).to_contain_text("2 réponse(s)")
    for page in (alice, bruno):
        wait_replaced(page, "#questionnaire")
        expect(page.locator("#questionnaire-form [data-questionnaire-thanks]")).to_be_visible()


def test_drafts_after_the_atelier(new_page: NewPage, create_atelier: CreateAtelier, base_url: str) -> None:
    atelier, people = set_up_room(new_page, create_atelier)
    animateur, complice, alice, bruno = people
    team, participants = [animateur, complice], [alice, bruno]
    go_to_conclusion(animateur, people)

    for page in team:
        expect(page.locator("#after")).to_be_visible()
        expect(page.locator(CR)).to_be_editable()
    for page in participants:
        expect(page.locator("#after")).to_be_hidden()
        expect(page.locator("#after textarea")).to_have_count(0)
        expect(page.locator("#after")).to_be_empty()

    # The complice drafts the compte rendu: it appears in both team pages, with the participants.
    team_dialogs: list[str] = []
    for page in team:
        accept_dialogs(page, team_dialogs)
    complice.locator(generate("compte_rendu")).click()
    for page in team:
        expect(page.locator(CR)).to_have_value(re.compile(r"^# Compte rendu"))
        expect(page.locator(CR)).to_have_value(re.compile(r"Alice Durand"))
        expect(page.locator(CR)).to_have_value(re.compile(r"Bruno Lefèvre"))
    assert team_dialogs == [], team_dialogs  # the field was empty: no confirmation asked
    draft = animateur.locator(CR).input_value()
    expect(complice.locator(CR)).to_have_value(draft)
    for page in participants:  # the drafts stay with the team
        assert "# Compte rendu" not in page.content()

    # Both write at once: the animateur at the end, the complice after the title line, keystrokes interleaved.
    by_animateur = "\nRelu par Sophie : envoyer avant vendredi."
    by_complice = "\nRédaction : Karim, complice."
    animateur.locator(CR).click()
    animateur.keyboard.press("Control+End")
    complice.locator(CR).click()
    complice.keyboard.press("Control+Home")
    complice.keyboard.press("End")
    chunk = 4
    for start in range(0, max(len(by_animateur), len(by_complice)), chunk):
        if start < len(by_animateur):
            animateur.keyboard.type(by_animateur[start : start + chunk])
        if start < len(by_complice):
            complice.keyboard.type(by_complice[start : start + chunk])
    title_end = draft.index("\n")
    final = draft[:title_end] + by_complice + draft[title_end:] + by_animateur
    for page in team:
        expect(page.locator(CR)).to_have_value(final)

    # The animateur finalises it: read-only in both pages; the complice cannot regenerate it.
    animateur.locator(FINALIZE).click()
    for page in team:
        expect(page.locator(CR)).to_have_attribute("readonly", "")
        expect(page.locator(CR)).not_to_be_editable()
        expect(page.locator("#cr-title .badge")).to_have_text("finalisé")
        expect(page.locator(generate("compte_rendu"))).to_have_count(0)
        expect(page.locator(CR)).to_have_value(final)
    expect(complice.locator(FINALIZE)).to_be_hidden()  # animateurs only
    expect(animateur.locator(FINALIZE)).to_have_text("Rouvrir pour modifier")

    # Downloads from the animateur's page: the edited Markdown, then a PDF.
    with animateur.expect_download() as markdown_download:
        animateur.locator(f'#after a[href="/a/{atelier["id"]}/compte-rendu.md"]').click()
    markdown = Path(markdown_download.value.path()).read_text(encoding="utf-8")
    assert markdown == final.strip(), markdown
    with animateur.expect_download() as pdf_download:
        animateur.locator(f'#after a[href="/a/{atelier["id"]}/compte-rendu.pdf"]').click()
    assert Path(pdf_download.value.path()).read_bytes().startswith(b"%PDF")
    assert pdf_download.value.suggested_filename.endswith(".pdf")

    # « Rouvrir pour modifier »: editable again everywhere.
    animateur.locator(FINALIZE).click()
    for page in team:
        expect(page.locator(CR)).to_be_editable()
        expect(page.locator(CR)).not_to_have_attribute("readonly", "")
        expect(page.locator(generate("compte_rendu"))).to_be_visible()
    expect(animateur.locator(FINALIZE)).to_have_text("Finaliser")

    # The réseau social post (its length counter is checked at the end).
    complice.locator(generate("post")).click()
    for page in team:
        expect(page.locator(POST)).to_have_value(re.compile(r"^Atelier Ouverture à DITP : 2 personnes"))
    post = animateur.locator(POST).input_value()
    expect(complice.locator(POST)).to_have_value(post)
    assert team_dialogs == [], team_dialogs

    # The thank-you mail: the room's link and the référent's name; no confirmation on an empty field.
    room_link = f"{base_url}/a/{atelier['id']}"
    assert room_link.startswith("http://127.0.0.1:")
    animateur.locator(generate("mail")).click()
    for page in team:
        expect(page.locator(MAIL)).to_have_value(re.compile(re.escape(room_link)))
        expect(page.locator(MAIL)).to_have_value(re.compile(r"Sophie Référente$"))
    assert team_dialogs == [], team_dialogs
    # A second draft over existing text asks first; accepted, it replaces what was typed.
    complice.locator(MAIL).click()
    complice.keyboard.press("Control+End")
    complice.keyboard.type("\nPS : à relire.")
    for page in team:
        expect(page.locator(MAIL)).to_have_value(re.compile(r"PS : à relire\.$"))
    animateur.locator(generate("mail")).click()
    for page in team:
        expect(page.locator(MAIL)).to_have_value(re.compile(r"Sophie Référente$"))
    assert team_dialogs == ["Remplacer le texte actuel par un nouveau brouillon ?"], team_dialogs
    mail = animateur.locator(MAIL).input_value()
    assert "PS : à relire." not in mail
    expect(complice.locator(MAIL)).to_have_value(mail)

    # « Ouvrir dans ma messagerie »: a click turns the link into a mailto: of the draft. A listener
    # after the app's own cancels the navigation (the mail client), not the app's handling.
    animateur.evaluate(
        "window.addEventListener('click', (event) => {"
        " if (event.target.closest('[data-mailto-field]')) event.preventDefault(); })"
    )
    mailto_link = animateur.locator('#after a[data-mailto-field="mail"]')
    expect(mailto_link).to_have_attribute("href", "mailto:")
    mailto_link.click()
    expect(mailto_link).to_have_attribute("href", re.compile(r"^mailto:\?subject="))
    href = mailto_link.get_attribute("href") or ""
    query = parse_qs(urlsplit(href).query)
    assert query["subject"] == [f"Merci pour votre participation à l'atelier « {TITLE} »"], query
    assert room_link in query["body"][0] and query["body"][0].endswith("Sophie Référente"), query
    expect(animateur.locator("#connection")).to_have_attribute("data-state", "online")  # still in the room
    for page in participants:  # none of the drafts reached a participant's page
        content = page.content()
        assert "Objet : Merci" not in content and "Atelier Ouverture à DITP" not in content

    # The post's length counter: a number, the post's length, in both team pages — after the draft came
    # in from the server, and after the complice typed in it (the animateur receives that remotely too).
    for page in team:
        expect(page.locator('#after [data-length-of="post"]')).to_have_text(re.compile(rf"^{len(post)} caractères"))
    complice.locator(POST).click()
    complice.keyboard.press("Control+End")
    complice.keyboard.type(" #DonnéesOuvertes")
    post += " #DonnéesOuvertes"
    for page in team:
        expect(page.locator(POST)).to_have_value(post)
        expect(page.locator('#after [data-length-of="post"]')).to_have_text(re.compile(rf"^{len(post)} caractères"))


def test_axe_on_the_conclusion_with_questionnaire_and_drafts(new_page: NewPage, create_atelier: CreateAtelier) -> None:
    atelier = create_atelier(title=TITLE, administration="DITP", format="1")
    animateur = new_page(bypass_csp=True)  # axe-core comes in a script tag, which the CSP forbids
    alice = new_page(bypass_csp=True)
    join(animateur, atelier["animateur_url"], "Sophie", "Référente", "DITP")
    join(alice, atelier["participant_url"], "Alice", "Durand", "Association Eau Claire")
    animateur.locator(f'#deroule [data-op="step.goto"][data-index="{LAST_STEP}"]').click()
    for page in (animateur, alice):
        expect(page.locator("#step")).to_have_attribute("data-step-index", str(LAST_STEP))

    animateur.locator('#questionnaire [data-op="questionnaire.open"]').click()
    expect(alice.locator("#questionnaire-form")).to_be_visible()
    answer(alice, {"global": 5, "objectifs": 4, "parole": 5, "outil": 4}, "Tout", "Oui")
    expect(animateur.locator("#questionnaire .questionnaire-status")).to_contain_text("1 réponse(s)")
    dialogs: list[str] = []
    accept_dialogs(animateur, dialogs)
    for field, start in (("compte_rendu", "# Compte rendu"), ("post", "Atelier Ouverture"), ("mail", "Objet :")):
        animateur.locator(generate(field)).click()
        expect(animateur.locator(f'textarea[data-text-field="{field}"]')).to_have_value(
            re.compile(f"^{re.escape(start)}")
        )
    assert dialogs == [], dialogs

    results = {"animateur, conclusion": run_axe(animateur), "participant, questionnaire": run_axe(alice)}
    blocking = {
        where: [violation for violation in violations if violation["impact"] in BLOCKING]
        for where, violations in results.items()
    }
    assert blocking == {where: [] for where in results}, blocking
