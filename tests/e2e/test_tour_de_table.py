"""A tour de table across four participants, in five browsers: the animateur starts it with a short
timebox, reorders by keyboard and by drag, passes the floor from one to the next while everyone (and
the projection screen) sees the speaker and the countdown; hands are raised and lowered; « j'ai
terminé » is counted for the animateur and reset by the next step; a reaction reaches the others.

Every wait is on a condition (`expect`); the only clock-bound wait is one short turn running out.
"""

from __future__ import annotations

import re

from e2e_helpers import CreateAtelier, NewPage, join, run_axe
from playwright.sync_api import Locator, Page, expect

TURN_SECONDS = 5  # the shortest timebox the server accepts: one turn is watched running out
PEOPLE = [("Ana", "Roux"), ("Bruno", "Leroy"), ("Chen", "Wang"), ("Dina", "Haddad")]


def expect_order(pages: list[Page], names: list[str]) -> None:
    for page in pages:
        expect(page.locator("#speech-order .speaker-name")).to_have_text(names)


def test_a_tour_de_table_with_timed_turns_hands_and_done_count(
    new_page: NewPage, create_atelier: CreateAtelier
) -> None:
    atelier = create_atelier(title="Tour de table")
    animateur = new_page(bypass_csp=True)  # axe is injected on this page
    join(animateur, atelier["animateur_url"], "Sophie", "Référente", "DITP")
    people = [new_page() for _ in PEOPLE]
    for page, (first, last) in zip(people, PEOPLE, strict=True):
        join(page, atelier["participant_url"], first, last)
    everyone = [animateur, *people]
    animateur.locator("#step [data-op='step.next']").click()  # step 2: Tour de table
    for page in everyone:
        expect(page.locator("#step")).to_have_attribute("data-step-index", "1")

    # -- the animateur starts the round with a short timebox ---------------------------------------
    animateur.fill("#speech-start-seconds", str(TURN_SECONDS))
    animateur.locator("#speech-start button[type=submit]").click()
    # Shown to everyone, in the order people joined; the full names for the team, « Prénom N. » for others.
    expect_order(people, ["Ana R.", "Bruno L.", "Chen W.", "Dina H."])
    full_names = [f"{first} {last}" for first, last in PEOPLE]
    expect(animateur.locator("#speech-order .speaker-name")).to_have_text(full_names)
    for page in people:
        expect(page.locator("#speech-start")).to_have_count(0)  # participants cannot start or move it
        expect(page.locator("#speech-next")).to_have_count(0)
    not_spoken = animateur.locator("#prompts [data-prompt='not-spoken'] li")
    expect(not_spoken).to_have_count(4)

    # -- reorder by keyboard (Dina up one place), then by drag (Chen first) ------------------------
    animateur.locator("#speech-up-" + member_id(animateur, "Dina Haddad")).focus()
    animateur.keyboard.press("Enter")
    expect_order(people, ["Ana R.", "Bruno L.", "Dina H.", "Chen W."])
    expect(animateur.locator("#speech-up-" + member_id(animateur, "Dina Haddad"))).to_be_focused()  # focus kept
    speaker_item(animateur, "Chen Wang").drag_to(speaker_item(animateur, "Ana Roux"))
    expect_order(people, ["Chen W.", "Ana R.", "Bruno L.", "Dina H."])

    # -- the floor passes from one to the next, with a countdown shown to all ----------------------
    order = ["Chen W.", "Ana R.", "Bruno L.", "Dina H."]
    for turn, name in enumerate(order):
        next_button = animateur.locator("#speech-next")
        expect(next_button).to_have_text(f"Je passe la parole à {name}")
        next_button.click()
        position = [f"{first} {last[0]}." for first, last in PEOPLE].index(name)
        full_name = " ".join(PEOPLE[position])
        expect(animateur.locator("#speech .speech-speaker")).to_have_text(f"Parole à {full_name}")
        for page in people:
            expect(page.locator("#speech .speech-speaker")).to_have_text(f"Parole à {name}")
            expect(page.locator("#speech-order .speaker--speaking .speaker-name")).to_have_text([name])
        speaker_page = people[position]
        expect(speaker_page.locator("#announcer")).to_have_text("C'est à vous : vous avez la parole.")
        listener = people[1] if speaker_page is people[0] else people[0]
        expect(listener.locator("#announcer")).to_have_text(f"Parole à {name}.")
        if turn == 0:
            # The projection screen shared in the visio shows the speaker as participants see them.
            screen = animateur.context.new_page()
            screen.goto(f"/a/{atelier['id']}/projection")
            expect(screen.locator("#speech .speech-speaker")).to_have_text(f"Parole à {name}")
            # Everyone watches the same short turn run out.
            for page in [*everyone, screen]:
                expect(page.locator("#speech-timer [data-speech-status]")).to_have_text(
                    "Temps de parole écoulé", timeout=(TURN_SECONDS + 5) * 1000
                )
            expect(speaker_page.locator("#announcer")).to_have_text("Votre temps de parole est écoulé.")
        expect(not_spoken).to_have_count(3 - turn)
    # The complice's notes name each speaker, in order.
    notes = animateur.locator("#notes-text")
    for name in order:
        expect(notes).to_have_value(re.compile(f"Parole à {name} :"))
    expect(animateur.locator("#prompts [data-prompt='not-spoken']")).to_have_text("Tout le monde a eu la parole.")
    violations = run_axe(animateur)
    assert violations == [], violations

    # -- hands: raised in order, the animateur lowers one -----------------------------------------
    dina, bruno = people[3], people[1]
    dina.locator("#hand-toggle").click()
    expect(animateur.locator("#signals .hand .hand-name")).to_have_text(["Dina Haddad"])
    bruno.locator("#hand-toggle").click()
    expect(animateur.locator("#signals .hand .hand-name")).to_have_text(["Dina Haddad", "Bruno Leroy"])
    expect(screen.locator("#signals .hand .hand-name")).to_have_text(["Dina H.", "Bruno L."])
    expect(bruno.locator("#my-signals")).to_have_text("Votre main est levée (2e dans la file).")
    expect(bruno.locator("#hand-toggle")).to_have_attribute("aria-pressed", "true")
    expect(bruno.locator("[data-hand-lower]")).to_have_count(0)  # only the team gets those buttons
    animateur.locator(f"[data-hand-lower='{member_id(animateur, 'Dina Haddad')}']").click()
    expect(animateur.locator("#signals .hand .hand-name")).to_have_text(["Bruno Leroy"])
    expect(dina.locator("#hand-toggle")).to_have_attribute("aria-pressed", "false")

    # -- a reaction reaches the others ---------------------------------------------------------------
    people[0].locator("[data-reaction='👏']").click()
    expect(people[2].locator("#reactions .reaction")).to_contain_text("Ana R.")

    # -- « j'ai terminé » in the individual step, counted for the animateur -------------------------
    for _ in range(2):
        animateur.locator("#step [data-op='step.next']").click()
    for page in everyone:
        expect(page.locator("#step")).to_have_attribute("data-step-index", "3")  # step 4: réflexion individuelle
    expect(animateur.locator("#speech-start")).to_be_visible()  # the step change ended the round
    expect(animateur.locator("#done-count")).to_have_text("0/4 ont terminé")
    for page in people[:3]:
        page.locator("#done-toggle").click()
    expect(animateur.locator("#done-count")).to_have_text("3/4 ont terminé")
    expect(people[3].locator("#done-count")).to_have_count(0)  # the count is the team's
    animateur.locator("#step [data-op='step.next']").click()
    expect(animateur.locator("#done-count")).to_have_text("0/4 ont terminé")
    expect(people[0].locator("#done-toggle")).to_have_attribute("aria-pressed", "false")


def speaker_item(page: Page, name: str) -> Locator:
    return page.locator("#speech-order .speaker").filter(has=page.locator(".speaker-name", has_text=name))


def member_id(page: Page, name: str) -> str:
    value = speaker_item(page, name).get_attribute("data-member-id")
    assert value
    return value
