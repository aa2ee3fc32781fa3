"""A participant behind a network that blocks WebSockets works with the others, over SSE + POST.

Dora's browser refuses every WebSocket (as an administration proxy would); nobody tells her page
to fall back: it finds out by itself, says so discreetly in the status, and the four people see
each other's cards and notes live. Her work survives a server crash; the others stay on WebSockets.
"""

from __future__ import annotations

import re

from e2e_helpers import CreateAtelier, NewPage, Server, card_titles, join, post_card, wait_online
from playwright.sync_api import Page, WebSocketRoute, expect

CARDS_STEP = 3  # Format 1's step 4: cards (and notes)


def transport_of(page: Page, transport: str) -> None:
    status = page.locator("#connection")
    expect(status).to_have_attribute("data-transport", transport)
    if transport == "sse":
        expect(status).to_have_text("Connecté (mode compatibilité)")
    else:
        expect(status).to_have_text("Connecté")


def test_a_participant_whose_websockets_are_blocked_falls_back_and_works_with_the_others(
    new_page: NewPage, create_atelier: CreateAtelier, server: Server
) -> None:
    atelier = create_atelier(title="Atelier derrière un proxy")
    animateur, alice, bruno, dora = new_page(), new_page(), new_page(), new_page()
    refused: list[str] = []

    def refuse(socket: WebSocketRoute) -> None:  # the proxy: the socket never gets through
        refused.append(socket.url)
        socket.close()

    dora.context.route_web_socket(re.compile(r"/ws/ateliers/"), refuse)
    join(animateur, atelier["animateur_url"], "Sophie", "Référente", "DITP")
    join(alice, atelier["participant_url"], "Alice", "Durand")
    join(bruno, atelier["participant_url"], "Bruno", "Lefèvre")
    dora_id = join(dora, atelier["participant_url"], "Dora", "Derrière-Proxy", "Préfecture")  # online, somehow

    transport_of(dora, "sse")
    assert len(refused) >= 2  # she tried the socket first, twice, before falling back
    websocket_people = [animateur, alice, bruno]
    everyone = [*websocket_people, dora]
    for page in websocket_people:
        transport_of(page, "websocket")
    expect(animateur.locator("#presence")).to_contain_text("Dora")

    # -- cards, both ways, live ---------------------------------------------------------------------
    animateur.locator(f'#deroule [data-op="step.goto"][data-index="{CARDS_STEP}"]').click()
    for page in everyone:
        expect(page.locator("#step")).to_have_attribute("data-step-index", str(CARDS_STEP))
    post_card(dora, "Depuis le proxy", "Écrite en mode compatibilité.")
    post_card(alice, "Depuis le WebSocket", "")
    for page in everyone:
        expect(page.locator("#cards-list .card")).to_have_count(2)
        assert card_titles(page) == ["Depuis le WebSocket", "Depuis le proxy"]

    # -- notes: Sophie makes Dora complice; her page reloads and goes straight to SSE + POST ---------
    animateur.locator(f'select[data-op-select="member.set_role"][data-member-id="{dora_id}"]').select_option("complice")
    expect(dora.locator("body")).to_have_attribute("data-role", "complice")
    wait_online(dora)
    transport_of(dora, "sse")  # remembered for the tab: no new attempt at the socket
    tried = len(refused)
    notes = dora.locator("#notes-text")
    notes.click()
    notes.press_sequentially("Notes de Dora.")
    for page in everyone:
        expect(page.locator("#notes-text")).to_have_value("Notes de Dora.")
    sophie_notes = animateur.locator("#notes-text")
    sophie_notes.click()
    sophie_notes.press("Control+End")
    sophie_notes.press_sequentially(" Ajout de Sophie.")
    for page in everyone:
        expect(page.locator("#notes-text")).to_have_value("Notes de Dora. Ajout de Sophie.")
    expect(dora.locator("#connection")).to_have_attribute("data-pending", "0")

    # -- the server crashes while Dora writes; it comes back; nothing of hers is lost ----------------
    server.kill()
    post_card(dora, "Pendant la panne", "")
    expect(dora.locator("#connection")).to_have_attribute("data-pending", "1")
    server.start()
    for page in everyone:
        wait_online(page)
        expect(page.locator("#cards-list .card")).to_have_count(3)
        assert card_titles(page) == ["Depuis le WebSocket", "Depuis le proxy", "Pendant la panne"]
        expect(page.locator("#notes-text")).to_have_value("Notes de Dora. Ajout de Sophie.")
    expect(dora.locator("#connection")).to_have_attribute("data-pending", "0")
    transport_of(dora, "sse")
    for page in websocket_people:  # a server that is down is no reason to leave WebSockets
        transport_of(page, "websocket")
    assert len(refused) == tried

    dora.reload()  # what the server stored, rendered anew, over SSE + POST again
    wait_online(dora)
    transport_of(dora, "sse")
    assert card_titles(dora) == ["Depuis le WebSocket", "Depuis le proxy", "Pendant la panne"]
    expect(dora.locator("#notes-text")).to_have_value("Notes de Dora. Ajout de Sophie.")
    post_card(dora, "Après la panne", "")
    for page in everyone:
        expect(page.locator("#cards-list .card")).to_have_count(4)


def test_a_socket_that_keeps_dropping_gives_way_to_sse(new_page: NewPage, create_atelier: CreateAtelier) -> None:
    """A proxy that lets sockets open but cuts each one soon after: three drops in a minute are enough."""
    atelier = create_atelier(title="Atelier sur un réseau instable")
    page = new_page()
    dropped: list[str] = []

    def cut_after_synced(socket: WebSocketRoute) -> None:
        server = socket.connect_to_server()

        def to_page(message: str | bytes) -> None:
            socket.send(message)
            if isinstance(message, str) and '"type":"synced"' in message:
                dropped.append(socket.url)
                socket.close()  # the page was online, and loses it

        server.on_message(to_page)

    page.context.route_web_socket(re.compile(r"/ws/ateliers/"), cut_after_synced)
    join(page, atelier["participant_url"], "Farid", "Instable")
    transport_of(page, "sse")
    assert len(dropped) == 3


def test_the_transport_can_be_forced_for_support(new_page: NewPage, create_atelier: CreateAtelier) -> None:
    atelier = create_atelier(title="Atelier en assistance")
    page = new_page()
    join(page, atelier["participant_url"], "Eva", "Support")
    transport_of(page, "websocket")
    page.goto(f"{page.url}?transport=sse")
    wait_online(page)
    transport_of(page, "sse")
