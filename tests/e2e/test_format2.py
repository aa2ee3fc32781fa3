"""Format 2 from the subject to the canevas: an animateur, a complice and two participants.

The animateur presents the carte sujet (step 3); two participants reformulate it side by side
(step 4) and attach engagement ideas to the kit's questions (step 5); at step 6 two people type in
the same canevas field at the same time and every browser ends with the same text, every character
of both. The animateur's API state is the deliverable: it holds all of it.
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

import httpx
from e2e_helpers import CreateAtelier, NewPage, join, record_dialogs, run_axe, wait_online
from playwright.sync_api import Page, expect

from app.domain.texts import TextFields

SUBJECT_STEP, REFORMULATE_STEP, IDEAS_STEP, CANEVAS_STEP = 2, 3, 4, 5  # 0-based: steps 3, 4, 5 and 6
BLOCKING = {"serious", "critical"}
# Screenshots of the tools for a person to look at, on demand: ATELIER_F2_SCREENSHOTS=<directory>.
SCREENSHOTS = os.environ.get("ATELIER_F2_SCREENSHOTS")

SUBJECT = "Ouvrir les données sur la qualité de l'eau"
SUBJECT_DESCRIPTION = "Publier les relevés de chaque commune, chaque mois, en open data."
SEED = "Mon engagement c'est "  # the complice starts the sentence
BRUNO_START = "Ouvrir les relevés de l'eau. "  # typed at the very start of the field
ALICE_END = "publier chaque mois la qualité de l'eau, avec les usagers."  # typed at its end


def goto_step(animateur: Page, people: list[Page], index: int) -> None:
    animateur.locator(f'#deroule [data-op="step.goto"][data-index="{index}"]').click()
    for page in people:
        expect(page.locator("#step")).to_have_attribute("data-step-index", str(index))


def blocking(violations: list[dict[str, Any]]) -> list[dict[str, Any]]:
    return [violation for violation in violations if violation["impact"] in BLOCKING]


def snapshot(page: Page, panel: str, name: str) -> None:
    if SCREENSHOTS:
        page.locator(panel).screenshot(path=str(Path(SCREENSHOTS) / f"format2-{name}.png"))


def chunks(text: str, size: int) -> list[str]:
    return [text[i : i + size] for i in range(0, len(text), size)]


def forge(page: Page, atelier_id: str, frame: dict[str, Any]) -> dict[str, Any]:
    """Send `frame` on a second socket of the page's person, as a crafted client would; its answer."""
    script = """async ([atelierId, frame]) => {
      const socket = new WebSocket(`ws://${location.host}/ws/ateliers/${atelierId}`);
      try {
        return await new Promise((resolve) => {
          socket.onopen = () => socket.send(JSON.stringify({type: "hello", last_seq: 0}));
          socket.onmessage = (message) => {
            const data = JSON.parse(message.data);
            if (data.type === "synced") socket.send(JSON.stringify(frame));
            if ((data.type === "error" || data.type === "ack") && data.id === frame.id) resolve(data);
          };
          socket.onclose = () => resolve({type: "closed"});
        });
      } finally {
        socket.close();
      }
    }"""
    return page.evaluate(script, [atelier_id, frame])  # type: ignore[no-any-return]


def test_format2_subject_reformulations_ideas_and_cowritten_canevas(
    new_page: NewPage, create_atelier: CreateAtelier, base_url: str
) -> None:
    atelier = create_atelier(title="Engagement eau", administration="Ministère de l'Eau", format="2")
    animateur = new_page(bypass_csp=True)
    complice = new_page()
    alice = new_page(bypass_csp=True)
    bruno = new_page()
    people = [animateur, complice, alice, bruno]
    participants = [alice, bruno]
    dialogs: list[str] = []
    errors: list[str] = []
    for page in people:
        page.on("pageerror", lambda error: errors.append(str(error)))
    for page in (animateur, complice, alice):
        record_dialogs(page, dialogs)

    join(animateur, atelier["animateur_url"], "Sophie", "Référente", "DITP")
    complice_id = join(complice, atelier["participant_url"], "Karim", "Complice", "DITP")
    alice_id = join(alice, atelier["participant_url"], "Alice", "Durand", "Association Eau Claire")
    bruno_id = join(bruno, atelier["participant_url"], "Bruno", "Lefèvre", "citoyen")

    # The référent makes Karim the complice from the presence list; his page reloads by itself.
    animateur.locator(f'select[data-op-select="member.set_role"][data-member-id="{complice_id}"]').select_option(
        "complice"
    )
    expect(complice.locator("body")).to_have_attribute("data-role", "complice")
    wait_online(complice)

    # -- step 3: the carte sujet ------------------------------------------------------------------------
    goto_step(animateur, people, SUBJECT_STEP)
    for page in people:
        expect(page.locator("#panel-subject")).to_be_visible()
        expect(page.locator("#panel-reformulations")).to_be_hidden()
    # No subject yet: the animateur's form is open; the complice has none (animateurs choose the subject),
    # participants have no control at all.
    expect(animateur.locator("#subject-form")).to_be_visible()
    expect(complice.locator("#subject-form")).to_be_hidden()
    for page in participants:
        expect(page.locator("#subject-form")).to_have_count(0)
        expect(page.locator("#subject [data-toggle-form]")).to_have_count(0)
    animateur.fill("#subject-form-title", SUBJECT)
    animateur.fill("#subject-form-description", SUBJECT_DESCRIPTION)
    animateur.locator('#subject-form button[type="submit"]').click()
    for page in people:
        expect(page.locator("#subject-card-title")).to_have_text(SUBJECT)
        expect(page.locator("#subject .subject-card-description")).to_have_text(SUBJECT_DESCRIPTION)
    # The form folds away behind « Modifier le sujet », which gets the focus.
    expect(animateur.locator("#subject-form")).to_be_hidden()
    expect(animateur.locator("#subject-form-toggle")).to_be_focused()

    # A participant forging the operation is refused by the server, and nothing changes.
    answer = forge(alice, atelier["id"], {"type": "subject.set", "id": "forged-subject", "title": "Sujet pirate"})
    assert answer["type"] == "error" and answer["code"] == "forbidden", answer
    for page in people:
        expect(page.locator("#subject-card-title")).to_have_text(SUBJECT)
    snapshot(animateur, "#panel-subject", "subject")

    # -- step 4: reformulations, side by side ----------------------------------------------------------------
    goto_step(animateur, people, REFORMULATE_STEP)
    for page in people:
        expect(page.locator("#panel-reformulations")).to_be_visible()
        expect(page.locator("#panel-subject")).to_be_visible()
    alice.fill("#reformulation-new-permet", "rendre visibles les résultats des analyses")
    alice.fill("#reformulation-new-table", "les syndicats des eaux et les associations")
    alice.fill("#reformulation-new-horizon", "2027")
    # Bruno is typing his own when Alice publishes: the re-rendered list must not wipe his draft.
    bruno.fill("#reformulation-new-ambition", "redonner confiance dans l'eau du robinet")
    alice.locator('#reformulation-create button[type="submit"]').click()
    for page in people:
        expect(page.locator("#reformulations .reformulation")).to_have_count(1)
    expect(bruno.locator("#reformulation-new-ambition")).to_have_value("redonner confiance dans l'eau du robinet")
    bruno.fill("#reformulation-new-partage", "les autres agences de l'eau")
    bruno.locator('#reformulation-create button[type="submit"]').click()
    expect(alice.locator("#reformulation-new-permet")).to_have_value("")  # her form was reset
    for page in people:
        expect(page.locator("#reformulations .reformulation")).to_have_count(2)
    alice_card = f'#reformulations .reformulation[data-author="{alice_id}"]'
    bruno_card = f'#reformulations .reformulation[data-author="{bruno_id}"]'
    for page in participants:
        expect(page.locator(alice_card).locator(".card-title")).to_contain_text("Alice D.")
        expect(page.locator(bruno_card).locator(".card-title")).to_contain_text("Bruno L.")
    for page in (animateur, complice):  # the team sees full names
        expect(page.locator(alice_card).locator(".card-title")).to_contain_text("Alice Durand")
    for page in people:
        expect(page.locator(alice_card)).to_contain_text("Il permet de…")
        expect(page.locator(alice_card)).to_contain_text("rendre visibles les résultats des analyses")
        expect(page.locator(bruno_card)).to_contain_text("redonner confiance dans l'eau du robinet")
    # Side by side: the two cards share a row on a wide screen.
    first, second = (animateur.locator(selector).bounding_box() for selector in (alice_card, bruno_card))
    assert first and second
    assert abs(first["y"] - second["y"]) < 2 and abs(first["x"] - second["x"]) > first["width"] / 2, (first, second)

    # Only the author (and the team) has the controls; Alice edits hers, everyone sees it.
    expect(bruno.locator(alice_card).locator("[data-owner-only]")).to_be_hidden()
    expect(complice.locator(alice_card).locator("[data-owner-only]")).to_be_visible()
    alice.locator(alice_card).locator("[data-toggle-form]").click()
    alice.locator(alice_card).locator('textarea[name="answers.horizon"]').fill("2026, dès les premiers relevés")
    alice.locator(alice_card).locator('button[type="submit"]').click()
    for page in people:
        expect(page.locator(alice_card)).to_contain_text("2026, dès les premiers relevés")
    expect(alice.locator(alice_card).locator("[data-toggle-form]")).to_have_attribute("aria-expanded", "false")

    snapshot(alice, "#panel-reformulations", "reformulations")
    violations = {"step 4, animateur": run_axe(animateur), "step 4, participant": run_axe(alice)}

    # -- step 5: engagement ideas attached to the kit's questions -----------------------------------------------
    goto_step(animateur, people, IDEAS_STEP)
    for page in people:
        expect(page.locator("#panel-ideas")).to_be_visible()
        expect(page.locator("#ideas .question-column")).to_have_count(3)
    # Without a question the idea is not sent, and nothing typed is lost.
    alice.fill("#idea-new-text", "Publier un tableau de bord mensuel des relevés")
    alice.locator('#idea-create button[type="submit"]').click()
    expect(alice.locator("#idea-new-question")).to_be_focused()
    expect(alice.locator("#idea-new-text")).to_have_value("Publier un tableau de bord mensuel des relevés")
    alice.locator("#idea-new-question").select_option("communes-2")
    bruno.locator("#idea-new-question").select_option("societe-civile-3")
    bruno.fill("#idea-new-text", "Être consulté avant chaque changement de tarif")
    alice.locator('#idea-create button[type="submit"]').click()
    for page in people:
        expect(page.locator("#question-communes-2 .idea")).to_have_count(1)
    expect(bruno.locator("#idea-new-text")).to_have_value("Être consulté avant chaque changement de tarif")
    bruno.locator('#idea-create button[type="submit"]').click()
    # The question stays chosen for a second idea; the text is cleared.
    expect(alice.locator("#idea-new-question")).to_have_value("communes-2")
    expect(alice.locator("#idea-new-text")).to_have_value("")
    alice.fill("#idea-new-text", "Ouvrir les données brutes des capteurs")
    alice.locator('#idea-create button[type="submit"]').click()
    bruno.locator("#idea-new-question").select_option("agent-public-3")
    bruno.fill("#idea-new-text", "Idée à retirer")
    bruno.locator('#idea-create button[type="submit"]').click()
    for page in people:
        expect(page.locator("#question-communes-2 .idea")).to_have_count(2)
        expect(page.locator("#question-societe-civile-3 .idea")).to_contain_text(
            "Être consulté avant chaque changement de tarif"
        )
        expect(page.locator("#question-agent-public-3 .idea")).to_have_count(1)
    # Bruno deletes his last idea (after confirming); it goes from every browser.
    bruno.once("dialog", lambda dialog: dialog.accept())
    bruno.locator("#question-agent-public-3 .idea [data-delete]").click()
    for page in people:
        expect(page.locator("#ideas .idea")).to_have_count(3)
        expect(page.locator("#question-agent-public-3 .idea")).to_have_count(0)
    expect(alice.locator("#question-societe-civile-3 .idea [data-owner-only]")).to_be_hidden()

    snapshot(animateur, "#panel-ideas", "ideas")
    violations |= {"step 5, animateur": run_axe(animateur), "step 5, participant": run_axe(alice)}

    # -- step 6: the canevas, co-written ------------------------------------------------------------------------
    goto_step(animateur, people, CANEVAS_STEP)
    field = "#canevas-c_est"
    for page in people:
        expect(page.locator("#panel-canevas")).to_be_visible()
        expect(page.locator(field)).to_be_editable()
    complice.locator(field).click()
    complice.keyboard.type(SEED)
    for page in people:
        expect(page.locator(field)).to_have_value(SEED)

    # Alice goes to the end of the field, Bruno to its start; everyone sees who is writing there.
    alice.locator(field).click()
    alice.keyboard.press("Control+End")
    bruno.locator(field).click()
    bruno.keyboard.press("Control+Home")
    writers = '[data-writers-for="canevas:c_est"]'
    expect(animateur.locator(writers)).to_contain_text("Alice D.")
    expect(animateur.locator(writers)).to_contain_text("Bruno L.")
    expect(animateur.locator(writers)).to_contain_text("en cours d'écriture par")
    expect(alice.locator(writers)).to_contain_text("Bruno L.")
    expect(alice.locator(writers)).not_to_contain_text("Alice D.")  # not oneself

    # Both type at once, in interleaved bursts, without waiting for each other.
    alice_chunks, bruno_chunks = chunks(ALICE_END, 7), chunks(BRUNO_START, 4)
    for index in range(max(len(alice_chunks), len(bruno_chunks))):
        if index < len(alice_chunks):
            alice.keyboard.type(alice_chunks[index])
        if index < len(bruno_chunks):
            bruno.keyboard.type(bruno_chunks[index])
    merged = BRUNO_START + SEED + ALICE_END
    for page in people:
        expect(page.locator(field)).to_have_value(merged)
    # Two sentences: within the kit's « deux phrases maximum ».
    for page in people:
        expect(page.locator('[data-sentence-hint-for="canevas-c_est"]')).to_be_hidden()

    # Alice moves to the title: her badge follows her.
    alice.locator("#canevas-titre").click()
    alice.keyboard.type("Des relevés de l'eau ouverts à toutes et tous")
    expect(animateur.locator('[data-writers-for="canevas:titre"]')).to_contain_text("Alice D.")
    expect(animateur.locator(writers)).not_to_contain_text("Alice D.")
    expect(animateur.locator(writers)).to_contain_text("Bruno L.")

    # The complice adds a third sentence: everyone gets the gentle hint.
    complice.locator(field).click()
    complice.keyboard.press("Control+End")
    complice.keyboard.type(" Un comité d'usagers suit les résultats.")
    final = merged + " Un comité d'usagers suit les résultats."
    for page in people:
        expect(page.locator(field)).to_have_value(final)
        expect(page.locator('[data-sentence-hint-for="canevas-c_est"]')).to_be_visible()
        expect(page.locator('[data-sentence-hint-for="canevas-c_est"]')).to_contain_text("deux phrases maximum")
        expect(page.locator("#canevas-titre")).to_have_value("Des relevés de l'eau ouverts à toutes et tous")

    violations |= {"step 6, animateur": run_axe(animateur), "step 6, participant": run_axe(alice)}
    snapshot(animateur, "#panel-canevas", "canevas")

    # -- the deliverable: the animateur's API state holds everything --------------------------------------------
    for page in people:
        wait_online(page)
        expect(page.locator("#connection")).to_have_attribute("data-pending", "0")
    response = httpx.get(
        f"{base_url}/api/ateliers/{atelier['id']}/state",
        headers={"Authorization": f"Bearer {atelier['animateur_token']}"},
        timeout=10.0,
    )
    assert response.status_code == 200, response.text
    state = response.json()["state"]
    assert state["subject"]["title"] == SUBJECT
    assert state["subject"]["description"] == SUBJECT_DESCRIPTION
    by_author = {item["author_id"]: item["answers"] for item in state["reformulations"]}
    assert by_author[alice_id]["permet"] == "rendre visibles les résultats des analyses"
    assert by_author[alice_id]["horizon"] == "2026, dès les premiers relevés"
    assert by_author[bruno_id]["ambition"] == "redonner confiance dans l'eau du robinet"
    assert by_author[bruno_id]["partage"] == "les autres agences de l'eau"
    ideas = sorted((idea["question"], idea["text"], idea["author_id"]) for idea in state["ideas"])
    assert ideas == [
        ("communes-2", "Ouvrir les données brutes des capteurs", alice_id),
        ("communes-2", "Publier un tableau de bord mensuel des relevés", alice_id),
        ("societe-civile-3", "Être consulté avant chaque changement de tarif", bruno_id),
    ]
    texts = TextFields.from_dict(state["texts"])
    assert texts.text("canevas:c_est") == final
    assert texts.text("canevas:titre") == "Des relevés de l'eau ouverts à toutes et tous"
    assert [f["key"] for f in state["canevas"]["fields"]] == ["titre", "porte_sur", "c_est", "va"]

    print("\naxe-core violations:\n" + json.dumps(violations, indent=2, ensure_ascii=False))
    serious = {name: blocking(found) for name, found in violations.items() if blocking(found)}
    assert not serious, json.dumps(serious, indent=2, ensure_ascii=False)
    assert dialogs == []
    assert errors == []


def test_an_observer_reads_the_format2_tools_without_writing(new_page: NewPage, create_atelier: CreateAtelier) -> None:
    atelier = create_atelier(title="Engagement lu", format="2")
    animateur, observer = new_page(), new_page()
    join(animateur, atelier["animateur_url"], "Sophie", "Référente")
    observer_id = join(observer, atelier["participant_url"], "Olga", "Observatrice", "DITP")
    animateur.locator(f'select[data-op-select="member.set_role"][data-member-id="{observer_id}"]').select_option(
        "observer"
    )
    expect(observer.locator("body")).to_have_attribute("data-role", "observer")
    wait_online(observer)

    goto_step(animateur, [animateur, observer], REFORMULATE_STEP)
    expect(observer.locator("#panel-reformulations")).to_be_visible()
    expect(observer.locator("#reformulation-create")).to_be_hidden()
    goto_step(animateur, [animateur, observer], CANEVAS_STEP)
    expect(observer.locator("#idea-create")).to_be_hidden()
    animateur.locator("#canevas-va").click()
    animateur.keyboard.type("Mon engagement va ouvrir les relevés.")
    expect(observer.locator("#canevas-va")).to_have_value("Mon engagement va ouvrir les relevés.")
    expect(observer.locator('[data-writers-for="canevas:va"]')).to_contain_text("Sophie R.")
    for key in ("titre", "porte_sur", "c_est", "va"):
        expect(observer.locator(f"#canevas-{key}")).not_to_be_editable()


def test_the_canevas_values_of_a_format3_toggle_in_every_browser(
    new_page: NewPage, create_atelier: CreateAtelier
) -> None:
    atelier = create_atelier(title="Feuille de route eau", format="3")
    animateur, alice = new_page(), new_page()
    join(animateur, atelier["animateur_url"], "Sophie", "Référente")
    join(alice, atelier["participant_url"], "Alice", "Durand")
    goto_step(animateur, [animateur, alice], 2)  # step 3: présenter l'engagement et le canevas pré-rempli
    for page in (animateur, alice):
        expect(page.locator("#canevas-repond_a")).to_be_visible()
        expect(page.locator("#canevas-values input[type=checkbox]")).to_have_count(3)
    alice.get_by_label("Participation").check()
    animateur.get_by_label("Transparence").check()
    for page in (animateur, alice):
        expect(page.get_by_label("Participation")).to_be_checked()
        expect(page.get_by_label("Transparence")).to_be_checked()
        expect(page.get_by_label("Collaboration")).not_to_be_checked()
    alice.get_by_label("Participation").uncheck()
    expect(animateur.get_by_label("Participation")).not_to_be_checked()
