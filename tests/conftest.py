"""Fixtures for the tests that run the app in-process (not the browser tests).

Every test gets its own SQLite file. All WebSocket sessions of a test go through one
`with TestClient(app) as client:` so they share one event loop (see STACK.md).
"""

from __future__ import annotations

import warnings
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from fastapi import FastAPI
from fault_run import FaultRun

from app.main import create_app
from app.settings import Settings

# starlette warns at import that it prefers httpx2. The warning is a UserWarning subclass, so the
# DeprecationWarning filters in pyproject.toml miss it and `filterwarnings = error` would turn the
# import into a failure; silence it here, once, before any test module imports the TestClient.
with warnings.catch_warnings():
    warnings.filterwarnings("ignore", message="Using `httpx` with `starlette.testclient`")
    from starlette.testclient import TestClient


@pytest.fixture
def database(tmp_path: Path) -> Path:
    return tmp_path / "atelier.db"


@pytest.fixture
def settings(database: Path) -> Settings:
    # No purge at start-up: ateliers the tests date in the past must not lose their people on the
    # day their retention ends (tests/test_privacy.py turns it on where it checks it).
    return Settings(database_url=f"sqlite:///{database}", allowed_origins="", public_url="", purge_every_s=0)


@pytest.fixture
def make_app(settings: Settings) -> Callable[..., FastAPI]:
    """An app on the test's database, with some settings changed (`make_app(outbox_size=4)`)."""

    def make(**overrides: Any) -> FastAPI:
        return create_app(settings.model_copy(update=overrides))

    return make


@pytest.fixture
def app(settings: Settings) -> FastAPI:
    return create_app(settings)


@pytest.fixture
def client(app: FastAPI) -> Iterator[TestClient]:
    with TestClient(app) as client:
        yield client


# -- fault campaigns: a fast CI size, and a full size behind an option -----------------------------

FULL_RUN_TIMEOUT_S = 3600


def pytest_addoption(parser: pytest.Parser) -> None:
    group = parser.getgroup("faults", "fault campaigns (docs/reliability.md)")
    group.addoption(
        "--faults",
        choices=("ci", "full"),
        default="ci",
        help="size of the crash, network, load and frame-fuzz campaigns: ci (fast, default) or full",
    )
    group.addoption("--seed", type=int, default=None, help="first seed of the fault campaigns (default: fixed)")


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    if config.getoption("--faults") == "full":  # full campaigns run for minutes
        for item in items:
            if "fault_run" in getattr(item, "fixturenames", ()):
                item.add_marker(pytest.mark.timeout(FULL_RUN_TIMEOUT_S))


@pytest.fixture
def fault_run(request: pytest.FixtureRequest) -> FaultRun:
    seed = request.config.getoption("--seed")
    return FaultRun(full=request.config.getoption("--faults") == "full", seed=20261122 if seed is None else seed)
