"""Dot voting in real browsers: counts stay hidden in every browser (and every frame it receives) until
the animateur closes the vote; then the totals show on the cards and on the matrice, and the animateur
marks the priority. Voting works with the keyboard alone and is announced.
"""

from __future__ import annotations

from e2e_helpers import CreateAtelier, NewPage, join, post_card, run_axe
from playwright.sync_api import Page, WebSocket, expect

MATRIX_STEP = 5  # Format 1 step 6: the matrice
BLOCKING = {"serious", "critical"}


def record_frames(page: Page, into: list[str]) -> None:
    def on_socket(socket: WebSocket) -> None:
        socket.on("framereceived", lambda payload: into.append(payload if isinstance(payload, str) else ""))

    page.on("websocket", on_socket)


def card_id(page: Page, title: str) -> str:
    found = page.locator("#cards-list .card").filter(has_text=title).first.get_attribute("data-card-id")
    assert found
    return found


def test_counts_are_hidden_until_the_close_then_shown_on_the_matrice(
    new_page: NewPage, create_atelier: CreateAtelier
) -> None:
    atelier = create_atelier("Choisir nos priorités")
    animateur = new_page()
    animateur.on("dialog", lambda dialog: dialog.accept())  # « Clore le vote … ? »
    join(animateur, atelier["animateur_url"], "Sophie", "Référente")
    frames: dict[str, list[str]] = {}
    voters: dict[str, Page] = {}
    for name in ("Alice", "Bruno"):
        page = new_page(bypass_csp=True)
        frames[name] = []
        record_frames(page, frames[name])
        join(page, atelier["participant_url"], name, "Durand")
        voters[name] = page
    animateur.locator(f'#deroule [data-op="step.goto"][data-index="{MATRIX_STEP}"]').click()
    post_card(animateur, "Publier les menus")
    post_card(animateur, "Rendez-vous en ligne")
    expect(voters["Alice"].locator("#cards-list .card")).to_have_count(2)
    menus, rdv = card_id(animateur, "Publier les menus"), card_id(animateur, "Rendez-vous en ligne")

    animateur.fill("#vote-per-person", "2")
    animateur.locator("#vote-open-form button[type=submit]").click()
    alice, bruno = voters["Alice"], voters["Bruno"]
    for page in voters.values():
        expect(page.locator("#ballot-remaining")).to_have_text("Il vous reste 2 points sur 2.")

    # Alice votes with the keyboard only; what is left is announced.
    alice.locator(f"#vote-place-{menus}").focus()
    alice.keyboard.press("Enter")
    expect(alice.locator("#ballot-remaining")).to_have_text("Il vous reste 1 point sur 2.")
    expect(alice.locator("#announcer")).to_contain_text("Point placé")
    expect(alice.locator(f"#vote-remove-{menus}")).to_be_focused()  # one dot per card: « + » is now disabled
    alice.keyboard.press("Shift+Tab")
    alice.keyboard.press("Tab")
    alice.keyboard.press("Tab")
    expect(alice.locator(f"#vote-place-{rdv}")).to_be_focused()
    alice.keyboard.press("Enter")
    expect(alice.locator("#ballot-remaining")).to_have_text("Vous avez placé tous vos points sur 2.")
    bruno.locator(f"#vote-place-{menus}").click()
    expect(bruno.locator("#ballot-remaining")).to_have_text("Il vous reste 1 point sur 2.")
    expect(animateur.locator("#vote-voters")).to_have_text("2 personnes ont voté.")

    blocking = [v for v in run_axe(alice) if v["impact"] in BLOCKING]
    assert not blocking, blocking

    # No count anywhere before the close: not on the page, not in any frame received.
    for page in [animateur, alice, bruno]:
        expect(page.locator("[data-dots]")).to_have_count(0)
        expect(page.locator("#vote-results")).to_have_count(0)
    for name, received in frames.items():
        assert not [frame for frame in received if "data-dots" in frame], name
    assert not [frame for frame in frames["Bruno"] if f'"card_id":"{rdv}"' in frame and "vote.dot" in frame]

    animateur.locator('#vote [data-op="vote.close"]').click()
    for page in [animateur, alice, bruno]:
        expect(page.locator(f"#matrix-tray #token-{menus} .token-dots")).to_have_text("● 2")
        expect(page.locator(f"#token-{rdv} .token-dots")).to_have_text("● 1")
        expect(page.locator(f"#card-{menus} .badge--dots")).to_contain_text("2 points")
        expect(page.locator("#vote-results li").first).to_contain_text("Publier les menus : 2 points")
        expect(page.locator("#ballot")).to_be_hidden()

    animateur.locator(f'#card-{menus} [data-op="card.priority"]').click()
    expect(alice.locator(f"#card-{menus}")).to_contain_text("Sujet prioritaire")
