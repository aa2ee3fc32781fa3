"""Browser tests: a real uvicorn server in a subprocess and Debian's Chromium through Playwright (sync API).

Run them in their own pytest process (STACK.md: sync Playwright and pytest-asyncio clash):

    .venv/bin/python -m pytest tests/e2e -m e2e -q -p no:cacheprovider

Every test in this directory is marked `e2e`. Nothing here sleeps to synchronise: waits are on
HTTP answers, selectors and `expect` conditions, each with a deadline.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from e2e_helpers import CreateAtelier, NewPage, Server, free_port
from playwright.sync_api import Browser, BrowserContext, Page, Playwright, expect, sync_playwright

E2E_DIR = Path(__file__).resolve().parent
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
EXPECT_TIMEOUT_MS = 10_000  # a deadline, not a pause: a healthy room answers in milliseconds

expect.set_options(timeout=EXPECT_TIMEOUT_MS)


@pytest.hookimpl(tryfirst=True)  # before `-m e2e` deselects anything
def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    for item in items:
        if E2E_DIR in Path(str(item.path)).resolve().parents:
            item.add_marker(pytest.mark.e2e)


# -- the server --------------------------------------------------------------------------------


@pytest.fixture(scope="session")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    tmp = tmp_path_factory.mktemp("e2e-server")
    srv = Server(port=free_port(), database=tmp / "e2e.db", log_path=tmp / "uvicorn.log")
    srv.start()
    try:
        yield srv
    finally:
        srv.stop()


@pytest.fixture(scope="session")
def base_url(server: Server) -> str:
    return server.base_url


# -- the browser -------------------------------------------------------------------------------


@pytest.fixture(scope="session")
def playwright() -> Iterator[Playwright]:
    with sync_playwright() as pw:
        yield pw


@pytest.fixture(scope="session")
def browser(playwright: Playwright) -> Iterator[Browser]:
    browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)
    try:
        yield browser
    finally:
        browser.close()


@pytest.fixture
def new_page(browser: Browser, server: Server) -> Iterator[NewPage]:
    """`new_page(**context_options)`: a page in a fresh context (its own cookies: one person)."""
    if server.process is None or server.process.poll() is not None:
        server.process = None  # a failed restart test left it down: later tests get a server again
        server.start()
    base_url = server.base_url
    contexts: list[BrowserContext] = []

    def make(**options: Any) -> Page:
        options.setdefault("viewport", {"width": 1280, "height": 900})
        options.setdefault("locale", "fr-FR")
        context = browser.new_context(base_url=base_url, **options)
        contexts.append(context)
        return context.new_page()

    yield make
    for context in contexts:
        with contextlib.suppress(Exception):
            context.close()


# -- ateliers and people -----------------------------------------------------------------------


@pytest.fixture
def create_atelier(base_url: str) -> CreateAtelier:
    def create(
        title: str = "Ouvrir les données de l'eau", administration: str = "DITP", format: str = "1"
    ) -> dict[str, Any]:
        response = httpx.post(
            f"{base_url}/api/ateliers",
            json={"title": title, "administration": administration, "format": format, "date": "2026-11-20"},
            timeout=10.0,
        )
        assert response.status_code == 201, response.text
        return response.json()  # type: ignore[no-any-return]

    return create
