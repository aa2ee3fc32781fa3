"""Silent individual reflection in real browsers: three participants write private drafts; every
WebSocket frame the other browsers receive is recorded, and none holds a draft before the reveal;
after the reveal everyone sees every card at once. The animateur who changes step with drafts waiting
is asked first; a reload gives the author their drafts back; the pages pass axe.
"""

from __future__ import annotations

from e2e_helpers import CreateAtelier, NewPage, join, post_card, run_axe, wait_online
from playwright.sync_api import Page, WebSocket, expect

IDENTIFIER = 3  # Format 1 step 4 « Identifier les sujets d'engagement »: the kit's silent reflection
DRAFTS = {
    "Alice": "Horaires des piscines en open data",
    "Bruno": "Budget participatif des écoles",
    "Chloé": "Registre public des subventions",
}
BLOCKING = {"serious", "critical"}


def record_frames(page: Page, into: list[str]) -> None:
    """Every WebSocket frame `page` receives, as text, from now on (reconnections included)."""

    def on_socket(socket: WebSocket) -> None:
        socket.on("framereceived", lambda payload: into.append(payload if isinstance(payload, str) else ""))

    page.on("websocket", on_socket)


def test_drafts_stay_in_their_authors_browser_until_the_reveal(
    new_page: NewPage, create_atelier: CreateAtelier
) -> None:
    atelier = create_atelier("Ouvrir les données de la ville")
    animateur = new_page(bypass_csp=True)
    frames: dict[str, list[str]] = {"Sophie": []}
    record_frames(animateur, frames["Sophie"])
    join(animateur, atelier["animateur_url"], "Sophie", "Référente")
    people: dict[str, Page] = {}
    for name in DRAFTS:
        page = new_page(bypass_csp=True)
        frames[name] = []
        record_frames(page, frames[name])
        join(page, atelier["participant_url"], name, "Martin")
        people[name] = page

    animateur.locator(f'#deroule [data-op="step.goto"][data-index="{IDENTIFIER}"]').click()
    expect(animateur.locator("#step")).to_have_attribute("data-step-index", str(IDENTIFIER))
    animateur.locator('[data-op="reflection.start"]').click()
    for page in people.values():
        expect(page.locator("#reflection")).to_contain_text("reste un brouillon privé")
        expect(page.locator("#card-create button[type=submit]")).to_have_text("Enregistrer mon brouillon privé")

    for name, title in DRAFTS.items():
        post_card(people[name], title, f"Une phrase de {name}.")
        expect(people[name].locator("#my-drafts")).to_contain_text(title)
    # Bruno rewords his draft with the keyboard: only he sees either wording.
    bruno = people["Bruno"]
    bruno.locator("#my-drafts [data-toggle-form]").focus()
    bruno.keyboard.press("Enter")
    edit_title = bruno.locator("#my-drafts input[name=title]")
    expect(edit_title).to_be_focused()
    edit_title.fill("Budget participatif des collèges")
    edit_title.press("Enter")
    expect(bruno.locator("#my-drafts")).to_contain_text("Budget participatif des collèges")
    secrets = {**DRAFTS, "Bruno*": "Budget participatif des collèges"}

    # Everyone else sees a count, and nothing of the drafts.
    for page in [animateur, *people.values()]:
        expect(page.locator("#reflection-count")).to_have_text("3 brouillons de 3 personnes.")
        expect(page.locator("#cards-list .card")).to_have_count(0)
    for viewer, received in frames.items():
        assert received, viewer
        for author, text in secrets.items():
            if author.rstrip("*") != viewer:
                leaked = [frame[:160] for frame in received if text in frame]
                assert not leaked, f"{viewer} received {author}'s draft: {leaked}"

    # Chloé reloads: her draft comes back to her (and only to her).
    chloe = people["Chloé"]
    chloe.reload()
    wait_online(chloe)
    expect(chloe.locator("#my-drafts")).to_contain_text(DRAFTS["Chloé"])
    expect(chloe.locator("#my-drafts")).not_to_contain_text(DRAFTS["Alice"])

    violations = {
        "participant with drafts": run_axe(people["Alice"]),
        "animateur during the reflection": run_axe(animateur),
    }
    blocking = {where: [v for v in found if v["impact"] in BLOCKING] for where, found in violations.items()}
    assert not any(blocking.values()), blocking

    # Moving on with drafts waiting: the animateur is asked, and may stay.
    animateur.locator('#step [data-op="step.next"]').click()
    dialog = animateur.locator("#reveal-dialog")
    expect(dialog).to_have_attribute("open", "")
    expect(dialog).to_contain_text("3 brouillons non révélés — les révéler maintenant ?")
    animateur.locator('#reveal-dialog button[value="cancel"]').click()
    expect(dialog).not_to_have_attribute("open", "")
    expect(animateur.locator("#step")).to_have_attribute("data-step-index", str(IDENTIFIER))

    # The reveal: every browser shows every card at once, with its author.
    animateur.locator("#reveal-form button[type=submit]").click()
    for page in [animateur, *people.values()]:
        expect(page.locator("#cards-list .card")).to_have_count(3)
        for title in (DRAFTS["Alice"], "Budget participatif des collèges", DRAFTS["Chloé"]):
            expect(page.locator("#cards-list")).to_contain_text(title)
        expect(page.locator("#my-drafts")).to_be_hidden()
        expect(page.locator("#card-create button[type=submit]")).to_have_text("Publier la carte")
    expect(people["Alice"].locator("#cards-list")).to_contain_text("Chloé M.")
