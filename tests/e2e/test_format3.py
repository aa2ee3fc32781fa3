"""Format 3 « Je décris ma feuille de route » in four browsers: sous-actions, then the feuille de route.

An animateur, a complice (promoted from the presence list) and two participants share one atelier.
Step 5: everyone adds sous-actions live, the animateur rephrases one in place while its author types
in it too, the complice merges two. Step 6: sous-actions become étapes with a start, a duration, a
pilote and a livrable, on a horizon the animateur sets; two people reorder étapes at the same time,
one by mouse, one by keyboard, and every browser ends with the same order, list and frise alike.
The API's state holds the same texts and order.
"""

from __future__ import annotations

import os
import re
from typing import Any

import httpx
from e2e_helpers import CreateAtelier, NewPage, join, record_dialogs, run_axe, wait_online
from playwright.sync_api import ConsoleMessage, Page, expect

SOUS_ACTIONS_STEP, ROADMAP_STEP = 4, 5  # 0-based indexes of steps 5 and 6
BLOCKING = {"serious", "critical"}


# -- helpers -------------------------------------------------------------------------------------


def goto_step(animateur: Page, people: list[Page], index: int) -> None:
    animateur.locator(f'#deroule [data-op="step.goto"][data-index="{index}"]').click()
    for page in people:
        expect(page.locator("#step")).to_have_attribute("data-step-index", str(index))


def add_sous_action(page: Page, text: str) -> None:
    page.fill("#sous-action-new-text", text)
    page.locator("#sous-action-create button[type=submit]").click()


def sous_action_id(page: Page, text: str) -> str:
    """The id of the sous-action whose wording is `text` (read from the textareas' values)."""
    for item in page.locator("#sous-actions-list > .sous-action").all():
        if item.locator("textarea").input_value() == text:
            return item.get_attribute("data-sous-action-id") or ""
    raise AssertionError(f"no sous-action reads {text!r}")


def expect_sous_actions(page: Page, texts: list[str]) -> None:
    items = page.locator("#sous-actions-list > .sous-action")
    expect(items).to_have_count(len(texts))
    for index, text in enumerate(texts):
        expect(items.nth(index).locator("textarea")).to_have_value(text)


def etape_id(page: Page, title: str) -> str:
    item = page.locator("#etapes-list > .etape").filter(has=page.locator(".etape-title", has_text=title))
    expect(item).to_have_count(1)
    return item.get_attribute("data-etape-id") or ""


def expect_order(page: Page, ids: list[str]) -> None:
    """The page lists these étapes in this order (a wait, not a snapshot)."""
    items = page.locator("#etapes-list > .etape")
    expect(items).to_have_count(len(ids))
    for index, id_ in enumerate(ids):
        expect(items.nth(index)).to_have_attribute("data-etape-id", id_)


def shown_order(page: Page) -> list[str]:
    return [li.get_attribute("data-etape-id") or "" for li in page.locator("#etapes-list > .etape").all()]


def moved(order: list[str], id_: str, index: int) -> list[str]:
    """The server's etape.move: take the étape out, put it back at `index`."""
    rest = [other for other in order if other != id_]
    return [*rest[:index], id_, *rest[index:]]


def edit_etape(page: Page, id_: str, *, start: str, duration: str, owner: str, livrable: str) -> None:
    page.locator(f"#etape-edit-toggle-{id_}").click()
    form = page.locator(f"#etape-edit-{id_}")
    expect(form).to_be_visible()
    expect(page.locator(f"#etape-edit-title-{id_}")).to_be_focused()
    page.fill(f"#etape-edit-start-{id_}", start)
    page.fill(f"#etape-edit-duration-{id_}", duration)
    page.fill(f"#etape-edit-owner-{id_}", owner)
    page.fill(f"#etape-edit-livrable-{id_}", livrable)
    form.locator("button[type=submit]").click()
    expect(form).to_be_hidden()


def center_list(page: Page) -> None:
    # The whole list on screen, away from the edges where a drag scrolls the window.
    page.locator("#etapes-list").evaluate("element => element.scrollIntoView({block: 'center'})")


def grab(page: Page, id_: str) -> tuple[float, float]:
    """Press the mouse on an étape's handle and start moving it; returns the pointer position."""
    center_list(page)
    box = page.locator(f"#etape-handle-{id_}").bounding_box()
    assert box
    x, y = box["x"] + box["width"] / 2, box["y"] + box["height"] / 2
    page.mouse.move(x, y)
    page.mouse.down()
    page.mouse.move(x, y + 8, steps=2)
    expect(page.locator(f"#etape-{id_}")).to_have_class(re.compile(r"\bis-dragging\b"))
    return x, y


def drag_above(page: Page, x: float, target_id: str) -> None:
    """Move the grabbed étape over the top quarter of another one (the mouse stays down)."""
    box = page.locator(f"#etape-{target_id}").bounding_box()
    assert box
    page.mouse.move(x, box["y"] + box["height"] * 0.25, steps=12)


def bar_percentages(page: Page, id_: str) -> tuple[float, float]:
    """(left, width) in % of the horizon, as format3.js placed the étape's bar."""
    style = page.locator(f'.timeline-bar[data-etape-id="{id_}"]').get_attribute("style") or ""
    left = re.search(r"left:\s*([\d.]+)%", style)
    width = re.search(r"width:\s*([\d.]+)%", style)
    assert left and width, style
    return float(left.group(1)), float(width.group(1))


def blocking(violations: list[dict[str, Any]]) -> list[dict[str, Any]]:
    return [violation for violation in violations if violation["impact"] in BLOCKING]


# -- the scenario --------------------------------------------------------------------------------


def test_format3_sous_actions_and_feuille_de_route(
    new_page: NewPage, create_atelier: CreateAtelier, base_url: str
) -> None:
    atelier = create_atelier(
        title="Ouvrir les données de l'eau : feuille de route", administration="Ministère de l'Eau", format="3"
    )
    # The animateur's context may run axe (bypass_csp); the three others keep the strict CSP, so the
    # frise's bars and everything else are shown to be placed without any inline style.
    animateur = new_page(bypass_csp=True)
    complice = new_page()
    alice = new_page()
    bruno = new_page()
    people = [animateur, complice, alice, bruno]
    dialogs: list[str] = []
    problems: list[str] = []

    def watch(page: Page) -> None:
        def on_console(message: ConsoleMessage) -> None:
            if message.type == "error":
                problems.append(message.text)

        page.on("console", on_console)
        page.on("pageerror", lambda error: problems.append(str(error)))
        record_dialogs(page, dialogs)

    for page in people:
        watch(page)

    join(animateur, atelier["animateur_url"], "Sophie", "Référente", "DITP")
    complice_id = join(complice, atelier["participant_url"], "Karim", "Complice", "DITP")
    join(alice, atelier["participant_url"], "Alice", "Durand", "Association Eau Claire")
    join(bruno, atelier["participant_url"], "Bruno", "Lefèvre", "citoyen")
    participants = [alice, bruno]

    # The référent makes Karim the complice; his page reloads with the team's view.
    animateur.locator(f'select[data-op-select="member.set_role"][data-member-id="{complice_id}"]').select_option(
        "complice"
    )
    expect(complice.locator("body")).to_have_attribute("data-team", "true")
    wait_online(complice)

    # -- step 5: listing sous-actions ---------------------------------------------------------------
    goto_step(animateur, people, SOUS_ACTIONS_STEP)
    for page in people:
        expect(page.locator("#panel-sous-actions")).to_be_visible()
        expect(page.locator("#panel-roadmap")).to_be_hidden()
        expect(page.locator("#sous-actions .ideation-prompt")).to_have_count(4)

    publier = "Publier les données de consommation d'eau"
    panel = "Organiser un panel citoyen sur les tarifs"
    former = "Former les agents à l'ouverture des données"
    doublon = "Publier la consommation d'eau chaque mois"
    add_sous_action(alice, publier)
    add_sous_action(bruno, panel)
    add_sous_action(animateur, former)
    add_sous_action(complice, doublon)
    texts = [publier, panel, former, doublon]
    for page in people:
        expect_sous_actions(page, texts)
    # An ideation prompt starts a sentence the person completes; Ctrl + Entrée publishes it.
    bruno.locator("[data-sous-action-prompt]").first.click()
    expect(bruno.locator("#sous-action-new-text")).to_be_focused()
    bruno.keyboard.type("recenser les jeux de données existants")
    bruno.keyboard.press("Control+Enter")
    recenser = "Pour mettre en œuvre cet engagement, il faudrait d'abord recenser les jeux de données existants"
    texts.append(recenser)
    for page in people:
        expect_sous_actions(page, texts)
        expect(page.locator("#sous-actions-list > .sous-action").nth(4)).to_contain_text("n°5")
    expect(bruno.locator("#sous-action-new-text")).to_have_value("")

    ids = {text: sous_action_id(animateur, text) for text in texts}
    publier_id = ids[publier]

    # The animateur rephrases Alice's sous-action in place while Alice keeps typing in it: their
    # keystrokes interleave, nothing is lost, every browser reads the same wording.
    prefix, suffix = "Dès 2027, ", " par commune, chaque trimestre"
    mine = f"#sous-action-text-{publier_id}"
    alice.locator(mine).click()
    alice.keyboard.press("Control+Home")
    animateur.locator(mine).click()
    animateur.keyboard.press("Control+End")
    for index in range(max(len(prefix), len(suffix))):
        if index < len(prefix):
            alice.keyboard.type(prefix[index])
        if index < len(suffix):
            animateur.keyboard.type(suffix[index])
    rephrased = f"{prefix}{publier}{suffix}"
    texts[0] = rephrased
    for page in people:
        expect(page.locator(mine)).to_have_value(rephrased)
    expect(alice.locator(mine)).to_be_focused()
    expect(animateur.locator(mine)).to_be_focused()
    # Each sees who else writes in it.
    expect(alice.locator(f"#sous-action-writers-{publier_id}")).to_contain_text("Sophie R.")
    expect(animateur.locator(f"#sous-action-writers-{publier_id}")).to_contain_text("Alice D.")

    # The review pass: the complice merges the duplicate into Alice's sous-action.
    for page in participants:
        expect(page.locator("#sous-actions .merge-form")).to_have_count(0)
    doublon_id = ids[doublon]
    complice.locator(f"#merge-into-{doublon_id}").select_option(publier_id)
    complice.locator(f"#sous-action-merge-{doublon_id} button[type=submit]").click()
    for page in people:
        merged = page.locator(f"#sous-action-{doublon_id}")
        expect(merged).to_have_class(re.compile(r"\bsous-action--merged\b"))
        expect(merged.locator("summary")).to_contain_text("fusionnée dans la sous-action n°1")
        expect(merged.locator("textarea")).to_have_value(doublon)
    # A merged sous-action is no longer a merge target.
    expect(complice.locator(f'#merge-into-{ids[panel]} option[value="{doublon_id}"]')).to_have_count(0)

    violations = blocking(run_axe(animateur))
    assert violations == [], violations

    # -- step 6: the feuille de route ---------------------------------------------------------------
    goto_step(animateur, people, ROADMAP_STEP)
    for page in people:
        expect(page.locator("#panel-roadmap")).to_be_visible()
        expect(page.locator("#panel-sous-actions")).to_be_visible()
    # The animateur sets the horizon (the kit's 2021–2023 was only an example); a complice may not.
    expect(complice.locator("#roadmap-horizon")).to_be_hidden()
    expect(alice.locator("#roadmap-horizon")).to_have_count(0)
    animateur.fill("#horizon-start", "2027")
    animateur.fill("#horizon-end", "2029")
    animateur.locator("#roadmap-horizon button[type=submit]").click()
    for page in people:
        expect(page.locator("#roadmap .roadmap-horizon-text")).to_contain_text("2027 – 2029")
        expect(page.locator("#roadmap .timeline-year-label")).to_have_text(["2027", "2028", "2029"])

    # Sous-actions go on the feuille de route: from their own button, or from the roadmap's picker.
    alice.locator(f"#sous-action-{publier_id} [data-sous-action-schedule]").click()
    for page in people:
        expect(page.locator("#etapes-list > .etape")).to_have_count(1)
        expect(page.locator(f"#sous-action-{publier_id} [data-sous-action-scheduled]")).to_be_visible()
        expect(page.locator(f"#sous-action-{publier_id} [data-sous-action-schedule]")).to_be_hidden()
    bruno.locator(f"#sous-action-{ids[panel]} [data-sous-action-schedule]").click()
    for page in people:
        expect(page.locator("#etapes-list > .etape")).to_have_count(2)
    # The picker offers what is neither scheduled nor merged.
    expect(animateur.locator(f'#etape-sous-action option[value="{doublon_id}"]')).to_have_count(0)
    expect(animateur.locator(f'#etape-sous-action option[value="{publier_id}"]')).to_have_count(0)
    animateur.locator("#etape-sous-action").select_option(ids[former])
    animateur.locator("#etape-from-sous-action button[type=submit]").click()
    for page in people:
        expect(page.locator("#etapes-list > .etape")).to_have_count(3)
    bilan = "Bilan public de la feuille de route"
    complice.fill("#etape-new-title", bilan)
    complice.locator("#etape-create button[type=submit]").click()
    for page in people:
        expect(page.locator("#etapes-list > .etape")).to_have_count(4)

    e_publier = etape_id(animateur, rephrased)
    e_panel = etape_id(animateur, panel)
    e_former = etape_id(animateur, former)
    e_bilan = etape_id(animateur, bilan)
    order = [e_publier, e_panel, e_former, e_bilan]
    for page in people:
        expect_order(page, order)

    # Each author (or the team) gives their étape a start, a duration, a pilote and a livrable.
    expect(bruno.locator(f"#etape-{e_publier} [data-owner-only]")).to_be_hidden()  # not Bruno's
    details = [
        (alice, e_publier, "2027-01", "6", "Direction de l'eau", "Jeu de données ouvert"),
        (bruno, e_panel, "2027-T3", "3", "Mission participation", "Compte rendu du panel"),
        (animateur, e_former, "2027-T2", "12", "Secrétariat général", "Parcours de formation"),
    ]
    for page, id_, start, duration, owner, livrable in details:
        edit_etape(page, id_, start=start, duration=duration, owner=owner, livrable=livrable)
    edit_etape(complice, e_bilan, start="", duration="", owner="DITP", livrable="Bilan publié")
    for page in people:
        facts = page.locator(f"#etape-{e_publier} .etape-facts")
        expect(facts).to_contain_text("janvier 2027")
        expect(facts).to_contain_text("6 mois")
        expect(facts).to_contain_text("Direction de l'eau")
        expect(facts).to_contain_text("Jeu de données ouvert")
        expect(page.locator(f"#etape-{e_panel} .etape-facts")).to_contain_text("T3 2027")
        expect(page.locator(f"#etape-{e_bilan} .etape-facts")).to_contain_text("à dater")
        # The frise: one bar per dated étape, the undated one listed apart.
        expect(page.locator(".timeline-bar")).to_have_count(3)
        expect(page.locator("#roadmap .timeline-note")).to_contain_text(bilan)
    for page in people:
        left, width = bar_percentages(page, e_publier)  # January 2027, 6 months of 36
        assert abs(left - 0) < 0.01 and abs(width - 100 * 6 / 36) < 0.01, (left, width)
        left, width = bar_percentages(page, e_former)  # April 2027, 12 months
        assert abs(left - 100 * 3 / 36) < 0.01 and abs(width - 100 * 12 / 36) < 0.01, (left, width)
        assert page.locator(".timeline-bar").first.bounding_box()["width"] > 50  # type: ignore[index]

    # -- two people reorder at once: Alice drags, Bruno uses the keyboard ---------------------------
    # Alice grabs "former" and holds it above "panel" (the chronological place: T2 before T3)…
    x, _ = grab(alice, e_former)
    drag_above(alice, x, e_panel)
    expect_order(alice, [e_publier, e_former, e_panel, e_bilan])  # her picture, not sent yet
    # …while Bruno moves the bilan up with the arrow key on its handle.
    bruno.locator(f"#etape-handle-{e_bilan}").focus()
    bruno.keyboard.press("ArrowUp")
    expect(bruno.locator("#announcer")).to_contain_text("position 3 sur 4")
    after_bruno = moved(order, e_bilan, 2)
    for page in [animateur, complice]:
        expect_order(page, after_bruno)
    # Alice, still dragging, keeps her picture (others' changes wait until she drops).
    assert shown_order(alice) == [e_publier, e_former, e_panel, e_bilan]
    alice.mouse.up()
    after_alice = moved(after_bruno, e_former, 1)
    assert after_alice == [e_publier, e_former, e_panel, e_bilan]
    for page in people:
        expect_order(page, after_alice)
    expect(bruno.locator(f"#etape-handle-{e_bilan}")).to_be_focused()  # across both re-renders
    order = after_alice

    # A true race: Bruno's arrow presses and Alice's drop reach the server in either order.
    bruno.locator(f"#etape-handle-{e_publier}").focus()
    bruno.keyboard.press("ArrowDown")
    x, _ = grab(alice, e_bilan)
    drag_above(alice, x, e_publier)
    alice.mouse.up()
    bruno_first = moved(moved(order, e_publier, 1), e_bilan, 0)
    alice_first = moved(moved(order, e_bilan, 0), e_publier, 1)
    expect(animateur.locator("#etapes-list > .etape").first).to_have_attribute("data-etape-id", e_bilan)
    settled = bruno_first if shown_order(animateur) == bruno_first else alice_first
    for page in people:
        expect_order(page, settled)
        expect(page.locator("#connection")).to_have_attribute("data-pending", "0")
    for page in people:
        assert shown_order(page) == settled

    # The complice puts the chronology back with the Monter / Descendre buttons.
    chronological = [e_publier, e_former, e_panel, e_bilan]
    current = list(settled)
    for index, id_ in enumerate(chronological):
        while current.index(id_) > index:
            complice.locator(f"#etape-up-{id_}").click()
            current = moved(current, id_, current.index(id_) - 1)
    for page in people:
        expect_order(page, chronological)
    expect(complice.locator(f"#etape-up-{e_publier}")).to_have_attribute("aria-disabled", "true")

    # The frise follows the list: one bar per dated étape, in the list's order, in every browser.
    for page in people:
        bars = page.locator(".timeline-bar")
        expect(bars).to_have_count(3)
        assert [bar.get_attribute("data-etape-id") for bar in bars.all()] == [e_publier, e_former, e_panel]
        expect(page.locator(".timeline-bar .timeline-label").first).to_have_text(f"1. {rephrased}")

    if os.environ.get("ATELIER_F3_SCREENSHOT"):  # for a person to look at; never committed
        animateur.locator("#panel-roadmap").screenshot(path=os.environ["ATELIER_F3_SCREENSHOT"])

    violations = blocking(run_axe(animateur))
    assert violations == [], violations

    # -- the API's state: the merged texts and the order everyone sees ------------------------------
    response = httpx.get(
        f"{base_url}/api/ateliers/{atelier['id']}/state",
        headers={"Authorization": f"Bearer {atelier['animateur_token']}"},
        timeout=10.0,
    )
    assert response.status_code == 200, response.text
    state = response.json()["state"]
    by_id = {item["id"]: item for item in state["sous_actions"]}
    assert [item["text"] for item in state["sous_actions"]] == texts
    assert by_id[publier_id]["text"] == rephrased
    assert by_id[doublon_id]["merged_into"] == publier_id
    assert [item["id"] for item in state["sous_actions"] if item["merged_into"] is None] == [
        ids[text] for text in (publier, panel, former, recenser)
    ]
    roadmap = state["roadmap"]
    assert (roadmap["horizon_start"], roadmap["horizon_end"]) == (2027, 2029)
    assert [etape["id"] for etape in roadmap["etapes"]] == chronological == shown_order(alice)
    etapes = {etape["id"]: etape for etape in roadmap["etapes"]}
    assert etapes[e_publier] | {"id": "", "author_id": ""} == {
        "id": "",
        "author_id": "",
        "title": rephrased,
        "sous_action_id": publier_id,
        "start": "2027-01",
        "duration_months": 6,
        "owner": "Direction de l'eau",
        "livrable": "Jeu de données ouvert",
    }
    assert (etapes[e_former]["start"], etapes[e_former]["duration_months"]) == ("2027-T2", 12)
    assert (etapes[e_bilan]["start"], etapes[e_bilan]["sous_action_id"]) == ("", None)
    assert etapes[e_bilan]["livrable"] == "Bilan publié"

    for page in people:
        wait_online(page)
        expect(page.locator("#connection")).to_have_attribute("data-pending", "0")
    assert dialogs == []
    assert problems == []
