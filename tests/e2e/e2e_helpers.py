"""Helpers for the browser tests: join through the UI, post cards, read what a page shows."""

from __future__ import annotations

import contextlib
import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
from playwright.sync_api import Dialog, Locator, Page, expect

ROOT = Path(__file__).resolve().parents[2]
AXE_JS = ROOT / "tests" / "vendor" / "axe.min.js"
SERVER_START_TIMEOUT_S = 20.0

NewPage = Callable[..., Page]  # the `new_page` fixture: new_page(**context_options) -> Page
CreateAtelier = Callable[..., dict[str, Any]]  # the `create_atelier` fixture


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@dataclass
class Server:
    """uvicorn serving app.main:app on a fixed port and SQLite file; can be killed and restarted."""

    port: int
    database: Path
    log_path: Path
    process: subprocess.Popen[bytes] | None = None
    starts: int = 0
    _log: Any = field(default=None, repr=False)

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self) -> None:
        assert self.process is None, "server already running"
        env = {**os.environ, "ATELIER_DATABASE_URL": f"sqlite:///{self.database}"}
        if self._log is None:
            self._log = self.log_path.open("ab")
        self.process = subprocess.Popen(
            [sys.executable, "-m", "uvicorn", "app.main:app", "--host", "127.0.0.1", "--port", str(self.port)],
            cwd=ROOT,
            env=env,
            stdout=self._log,
            stderr=subprocess.STDOUT,
        )
        self.starts += 1
        self._wait_healthy()

    def _wait_healthy(self) -> None:
        deadline = time.monotonic() + SERVER_START_TIMEOUT_S
        last_error: Exception | None = None
        while time.monotonic() < deadline:
            assert self.process is not None
            if self.process.poll() is not None:
                raise RuntimeError(f"uvicorn exited with {self.process.returncode}; see {self.log_path}")
            try:
                response = httpx.get(f"{self.base_url}/healthz", timeout=1.0)
                if response.status_code == 200:
                    return
            except httpx.HTTPError as error:
                last_error = error
            # Pace the bounded poll by waiting on the process itself (returns early if it dies).
            with contextlib.suppress(subprocess.TimeoutExpired):
                self.process.wait(timeout=0.05)
        raise RuntimeError(f"uvicorn not healthy after {SERVER_START_TIMEOUT_S} s: {last_error}; see {self.log_path}")

    def kill(self) -> None:
        """Kill hard (SIGKILL): no shutdown hook runs, as in a crash."""
        if self.process is None:
            return
        self.process.send_signal(signal.SIGKILL)
        self.process.wait(timeout=10)
        self.process = None

    def stop(self) -> None:
        if self.process is not None:
            self.process.terminate()
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(timeout=10)
            self.process = None
        if self._log is not None:
            self._log.close()
            self._log = None

    def restart_hard(self) -> None:
        self.kill()
        self.start()

    def log_text(self) -> str:
        return self.log_path.read_text(errors="replace") if self.log_path.exists() else ""


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
