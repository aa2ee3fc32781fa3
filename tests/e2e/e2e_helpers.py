"""Helpers for the browser tests: join through the UI, post cards, read what a page shows."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from live_server import ROOT, Server, free_port
from playwright.sync_api import Dialog, Locator, Page, expect

__all__ = ["ROOT", "Server", "free_port"]  # the live server lives in tests/live_server.py, shared with test_crash

AXE_JS = ROOT / "tests" / "vendor" / "axe.min.js"

NewPage = Callable[..., Page]  # the `new_page` fixture: new_page(**context_options) -> Page
CreateAtelier = Callable[..., dict[str, Any]]  # the `create_atelier` fixture


def join(page: Page, url: str, first_name: str, last_name: str, structure: str = "") -> str:
    """Fill the join form of `url` (an animateur or participant link); wait until the room is online.

    Returns the person's member id.
    """
    page.goto(url)
    page.fill("#first_name", first_name)
    page.fill("#last_name", last_name)
    page.fill("#structure", structure)
    page.locator("form.form button[type=submit]").click()
    wait_online(page)
    member_id = page.locator("body").get_attribute("data-member-id")
    assert member_id
    return member_id


def wait_online(page: Page) -> None:
    expect(page.locator("#connection")).to_have_attribute("data-state", "online")


def card_by_title(page: Page, title: str) -> Locator:
    return page.locator("#cards-list .card").filter(has=page.locator(".card-title", has_text=title))


def post_card(page: Page, title: str, description: str = "") -> None:
    page.fill("#new-card-title", title)
    page.fill("#new-card-description", description)
    page.locator("#card-create button[type=submit]").click()


def card_titles(page: Page) -> list[str]:
    return sorted(title.strip() for title in page.locator("#cards-list .card .card-title").all_inner_texts())


def token_positions(page: Page) -> dict[str, tuple[str, str, bool]]:
    """card id → (data-desirability, data-feasibility, on the plane?) for every token of the page."""
    positions: dict[str, tuple[str, str, bool]] = {}
    for container, placed in (("#matrix-plane", True), ("#matrix-tray", False)):
        for token in page.locator(f"{container} .token").all():
            card_id = token.get_attribute("data-card-id") or ""
            positions[card_id] = (
                token.get_attribute("data-desirability") or "",
                token.get_attribute("data-feasibility") or "",
                placed,
            )
    return positions


def run_axe(page: Page) -> list[dict[str, Any]]:
    """Run axe-core on the page (needs a bypass_csp context); its violations, summarised."""
    page.add_script_tag(path=str(AXE_JS))
    return page.evaluate(  # type: ignore[no-any-return]
        "axe.run().then(r => r.violations.map(v => ({id: v.id, impact: v.impact, nodes: v.nodes.length,"
        " help: v.help, targets: v.nodes.slice(0, 3).map(n => n.target.join(' '))})))"
    )


def focused_id(page: Page) -> str:
    """The id of the focused element ('' if none or no id); read with a selector, no script."""
    focused = page.locator(":focus")
    return (focused.first.get_attribute("id") or "") if focused.count() else ""


def tab_to(page: Page, selector: str, limit: int = 60) -> None:
    """Press Tab until the focused element matches `selector` (the keyboard path a person takes)."""
    for _ in range(limit):
        page.keyboard.press("Tab")
        if page.locator(f"{selector}:focus").count():
            return
    raise AssertionError(f"{selector} not reached with {limit} Tab presses (now on #{focused_id(page)})")


def record_dialogs(page: Page, into: list[str]) -> None:
    """Record (and dismiss) every alert/confirm/prompt the page opens."""

    def on_dialog(dialog: Dialog) -> None:
        into.append(dialog.message)
        dialog.dismiss()

    page.on("dialog", on_dialog)
