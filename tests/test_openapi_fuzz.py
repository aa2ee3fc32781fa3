"""The HTTP API fuzzed from its own OpenAPI description (schemathesis), in-process through the ASGI app.

Each generated request is sent twice: as generated (random ids, random or no token), and aimed at a
real atelier or démarche with its valid token, so the handlers behind the checks are fuzzed too.
Nothing may answer 5xx; every answer must be one the description promises (status, content type,
body schema); every 4xx is JSON with a message in `detail`.

CI runs a few examples per route (about 20 s); `--faults=full` (tests/conftest.py) runs 300 per route and
mode, from `--seed`.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

import pytest
import schemathesis
from fastapi import FastAPI
from fault_run import FaultRun
from helpers import bearer, create_atelier, join
from hypothesis import HealthCheck, given, seed, settings
from hypothesis.errors import Unsatisfiable
from schemathesis.checks import not_a_server_error
from schemathesis.generation.modes import GenerationMode
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)
from starlette.testclient import TestClient

from app.main import create_app
from app.settings import Settings

EXAMPLES = {"ci": 6, "full": 300}  # per route and mode
PDF_EXAMPLES = {"ci": 2, "full": 300}  # a PDF costs ~0.5 s to render
# The framework's and pydantic's usual English wordings: none may reach a person.
ENGLISH = re.compile(r"Input should|Field required|Not Found|There was an error|String should|JSON decode error")
CHECKS = [not_a_server_error, status_code_conformance, content_type_conformance, response_schema_conformance]


@pytest.fixture(scope="module")
def fuzzed_app(tmp_path_factory: pytest.TempPathFactory) -> FastAPI:
    database = tmp_path_factory.mktemp("fuzz") / "atelier.db"
    return create_app(Settings(database_url=f"sqlite:///{database}", allowed_origins="", public_url=""))


@pytest.fixture(scope="module")
def fuzz_client(fuzzed_app: FastAPI) -> Iterator[TestClient]:
    with TestClient(fuzzed_app, raise_server_exceptions=False) as client:
        yield client


@pytest.fixture(scope="module")
def world(fuzz_client: TestClient) -> dict[str, str]:
    """A real atelier with a member, and a démarche with one atelier: what valid requests point at."""
    atelier = create_atelier(fuzz_client)
    join(fuzz_client, atelier)
    demarche = fuzz_client.post("/api/demarches", json={"title": "Ouvrir", "administration": "DITP"}).json()
    added = fuzz_client.post(
        f"/api/demarches/{demarche['id']}/ateliers",
        json={"title": "Premier atelier", "format": "1"},
        headers=bearer(demarche["animateur_token"]),
    )
    assert added.status_code == 201, added.text
    return {
        "atelier_id": atelier["id"],
        "atelier_token": atelier["animateur_token"],
        "demarche_id": demarche["id"],
        "demarche_token": demarche["animateur_token"],
    }


# The description as the app publishes it (building it needs no database).
SCHEMA = schemathesis.openapi.from_dict(create_app(Settings(database_url="sqlite://")).openapi())
OPERATIONS = {f"{op.method.upper()} {op.path}": op for op in (result.ok() for result in SCHEMA.get_all_operations())}


def _send(client: TestClient, case: Any) -> Any:
    kwargs = case.as_transport_kwargs(base_url="http://testserver")
    content = kwargs.get("data")
    response = client.request(
        kwargs["method"],
        kwargs["url"],
        headers=kwargs.get("headers"),
        params=kwargs.get("params") or None,
        json=kwargs.get("json"),
        content=content if isinstance(content, bytes | str) else None,
    )
    where = f"{kwargs['method']} {kwargs['url'][:120]}"
    assert response.status_code < 500, f"{where}: {response.status_code} {response.text[:300]}"
    if 400 <= response.status_code < 500:
        assert response.headers["content-type"].startswith("application/json"), f"{where}: {response.text[:200]}"
        detail = response.json().get("detail")
        assert isinstance(detail, str) and detail.strip(), f"{where}: no message in {response.text[:200]}"
        assert not ENGLISH.search(detail), f"{where}: not in French: {detail[:200]}"
    case.validate_response(response, checks=CHECKS)
    return response


def _aimed(case: Any, world: dict[str, str]) -> Any:
    """The same request, at the real atelier or démarche, with its valid token."""
    path = case.path_parameters or {}
    if "atelier_id" in path:
        path["atelier_id"] = world["atelier_id"]
    if "demarche_id" in path:
        path["demarche_id"] = world["demarche_id"]
    token = world["demarche_token"] if "/demarches/" in case.path else world["atelier_token"]
    case.headers = {**(case.headers or {}), **bearer(token)}
    return case


def test_every_operation_is_fuzzed() -> None:
    assert len(OPERATIONS) >= 15, sorted(OPERATIONS)


@pytest.mark.parametrize("mode", [GenerationMode.POSITIVE, GenerationMode.NEGATIVE])
@pytest.mark.parametrize("operation", sorted(OPERATIONS))
def test_the_api_answers_every_request_with_a_clear_documented_answer(
    operation: str,
    mode: GenerationMode,
    fuzz_client: TestClient,
    world: dict[str, str],
    fault_run: FaultRun,
) -> None:
    """Positive: requests the description allows; negative: requests it forbids (wrong types, missing
    fields, out-of-range values), which must all be refused with a 4xx."""

    size = "full" if fault_run.full else "ci"

    @settings(
        max_examples=(PDF_EXAMPLES if operation.endswith(".pdf") else EXAMPLES)[size],
        deadline=None,
        derandomize=not fault_run.full,  # CI sends the same requests every run; a full run draws from --seed
        suppress_health_check=list(HealthCheck),
        database=None,
    )
    @seed(fault_run.seed)
    @given(case=OPERATIONS[operation].as_strategy(generation_mode=mode))
    def fuzz(case: Any) -> None:
        _send(fuzz_client, case)
        _send(fuzz_client, _aimed(case, world))

    try:
        fuzz()
    except Unsatisfiable:
        # Negative mode on a route with nothing to get wrong (no body, unconstrained text parameters).
        assert mode == GenerationMode.NEGATIVE, operation
