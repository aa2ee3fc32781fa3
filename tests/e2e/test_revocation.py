"""The référent takes access back in a live room: removes a participant, then replaces the shared link.

Three people in three browsers. The référent removes Camille with the keyboard (and a confirmation):
Camille's page says she was removed and offers no control any more, while Sam carries on and Camille's
card stays. Then the référent creates a new participant link: the old one is refused, the new one lets
a newcomer in. The access controls pass axe-core.
"""

from __future__ import annotations

from e2e_helpers import CreateAtelier, NewPage, card_by_title, join, post_card, run_axe, tab_to
from playwright.sync_api import Dialog, expect


def test_the_referent_removes_a_participant_and_replaces_the_link(
    new_page: NewPage, create_atelier: CreateAtelier
) -> None:
    atelier = create_atelier()
    referent, camille, sam = new_page(bypass_csp=True), new_page(), new_page()
    join(referent, atelier["animateur_url"], "Sophie", "Référente", "DITP")
    camille_id = join(camille, atelier["participant_url"], "Camille", "Martin")
    join(sam, atelier["participant_url"], "Sam", "Bernard")
    referent.locator("[data-op='step.goto'][data-index='3']").first.click()  # the step that opens the cards
    expect(sam.locator("#step")).to_have_attribute("data-step-index", "3")
    post_card(camille, "Un guichet unique")
    expect(card_by_title(sam, "Un guichet unique")).to_be_visible()

    confirmations: list[str] = []

    def confirm(dialog: Dialog) -> None:
        confirmations.append(dialog.message)
        dialog.accept()

    referent.on("dialog", confirm)
    remove = f"button.person-remove[data-member-id='{camille_id}']"
    expect(referent.locator(remove)).to_be_visible()
    assert run_axe(referent) == []
    tab_to(referent, remove, limit=150)  # the keyboard path: Tab to « Retirer Camille Martin », Enter
    referent.keyboard.press("Enter")

    expect(camille.locator("h1")).to_have_text("Vous avez été retiré de l'atelier")
    assert camille.locator("#card-create, [data-op]").count() == 0  # nothing left to act with
    assert confirmations and "Camille Martin" in confirmations[0]
    expect(referent.locator("#presence .person.is-removed:has-text('Camille Martin')")).to_be_visible()

    post_card(sam, "Un formulaire court")  # the others carry on
    expect(card_by_title(referent, "Un formulaire court")).to_be_visible()
    expect(card_by_title(sam, "Un guichet unique")).to_be_visible()  # Camille's contribution stays
    camille.goto(f"/a/{atelier['id']}")  # coming back changes nothing
    expect(camille.locator("h1")).to_have_text("Vous avez été retiré de l'atelier")

    referent.get_by_role("link", name="Gérer les liens d'invitation").click()
    referent.get_by_role("button", name="Créer un nouveau lien participant").click()
    new_link = referent.locator("#participant-url").input_value()
    assert new_link.startswith("http") and new_link != atelier["participant_url"]
    assert run_axe(referent) == []

    newcomer = new_page()
    newcomer.goto(atelier["participant_url"])
    expect(newcomer.locator("h1")).to_have_text("Lien invalide")
    join(newcomer, new_link, "Nour", "Haddad")
    expect(newcomer.locator("#presence")).to_be_visible()
    post_card(newcomer, "Une permanence en mairie")
    expect(card_by_title(sam, "Une permanence en mairie")).to_be_visible()
