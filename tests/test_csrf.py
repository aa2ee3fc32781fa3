"""Every HTML form that changes something refuses a cross-site POST with a clear 403 and changes nothing.

(`Referrer-Policy: no-referrer` on every route is checked by tests/test_security_headers.py.)"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, timedelta
from html import unescape
from pathlib import Path
from typing import Any

import pytest
from fastapi import FastAPI
from helpers import app_routes, as_member, bearer, create_atelier, db_rows, db_tables, join
from starlette.testclient import TestClient

from app.web.csrf import EXEMPT_PREFIXES

CROSS_SITE = {"Origin": "https://evil.example", "Sec-Fetch-Site": "cross-site"}
SAME_ORIGIN = {"Origin": "http://testserver", "Sec-Fetch-Site": "same-origin"}

Context = dict[str, Any]
# How to make a valid, state-changing request on each HTML form route: (path, form data, headers).
FormRequest = Callable[[Context], tuple[str, dict[str, str], dict[str, str]]]

FORM_REQUESTS: dict[str, FormRequest] = {
    "/ateliers": lambda c: ("/ateliers", {"title": "Un atelier", "administration": "DITP", "format": "1"}, {}),
    "/a/{atelier_id}/join/{token}": lambda c: (
        f"/a/{c['atelier']['id']}/join/{c['atelier']['participant_token']}",
        {"first_name": "Eve", "last_name": "Martin"},
        {},
    ),
    "/a/{atelier_id}/acces/lien-participant": lambda c: (
        f"/a/{c['atelier']['id']}/acces/lien-participant", {}, as_member(c["atelier"], c["referent"])
    ),
    "/a/{atelier_id}/acces/echeance": lambda c: (
        f"/a/{c['atelier']['id']}/acces/echeance", {"expires_at": "2099-01-01T12:00"},
        as_member(c["atelier"], c["referent"]),
    ),
    "/a/{atelier_id}/conservation": lambda c: (
        f"/a/{c['atelier']['id']}/conservation", {"until": (date.today() + timedelta(days=30)).isoformat()},
        as_member(c["atelier"], c["referent"]),
    ),
    "/a/{atelier_id}/anonymiser": lambda c: (
        f"/a/{c['atelier']['id']}/anonymiser", {"confirm": "oui"}, as_member(c["atelier"], c["referent"])
    ),
    "/demarches": lambda c: ("/demarches", {"title": "Plan", "administration": "DITP"}, {}),
    "/d/{demarche_id}/{token}/ateliers": lambda c: (
        f"/d/{c['demarche']['id']}/{c['demarche']['animateur_token']}/ateliers",
        {"title": "Atelier 1", "format": "1"},
        {},
    ),
}  # fmt: skip


def _unsafe_form_routes(app: FastAPI) -> list[str]:
    """Every unsafe route outside the Bearer-token JSON API and the realtime fallback (its own Origin check)."""
    return [path for method, path in app_routes(app) if method in {"POST", "PUT", "PATCH", "DELETE"}
            and not path.startswith(EXEMPT_PREFIXES)]  # fmt: skip


def _database(database: Path) -> dict[str, list[tuple[Any, ...]]]:
    return {table: sorted(db_rows(database, table), key=repr) for table in db_tables(database)}


@pytest.fixture
def context(client: TestClient) -> Context:
    atelier = create_atelier(client)
    referent = join(client, atelier, "animateur", first_name="Alex", last_name="Durand")
    demarche = client.post("/api/demarches", json={"title": "Plan", "administration": "DITP"}).json()
    return {"atelier": atelier, "referent": referent, "demarche": demarche}


def test_every_form_route_has_a_csrf_case(app: FastAPI) -> None:
    missing = sorted(set(_unsafe_form_routes(app)) - set(FORM_REQUESTS))
    assert not missing, f"add a valid request for these form routes to FORM_REQUESTS in tests/test_csrf.py: {missing}"


@pytest.mark.parametrize("route", sorted(FORM_REQUESTS))
def test_a_cross_site_form_post_is_refused_and_changes_nothing(
    client: TestClient, context: Context, database: Path, route: str
) -> None:
    path, data, headers = FORM_REQUESTS[route](context)
    before = _database(database)
    for forged in (CROSS_SITE, {"Origin": "https://evil.example"}, {"Origin": "null"}, {"Sec-Fetch-Site": "same-site"}):
        response = client.post(path, data=data, headers=headers | forged, follow_redirects=False)
        assert response.status_code == 403, (route, forged, response.status_code)
        assert "Requête refusée" in response.text and "rien n'a été modifié" in unescape(response.text)
        assert response.headers["referrer-policy"] == "no-referrer"
    assert _database(database) == before
    # The same request from the app's own page goes through: the refusal was about the origin only.
    allowed = client.post(path, data=data, headers=headers | SAME_ORIGIN, follow_redirects=False)
    assert allowed.status_code in (200, 303), (route, allowed.status_code, allowed.text[:300])
    assert _database(database) != before


def test_an_allowlisted_origin_and_non_browser_clients_may_post(make_app: Callable[..., FastAPI]) -> None:
    with TestClient(make_app(allowed_origins="https://atelier.example.fr")) as client:
        form = {"title": "Un atelier", "administration": "DITP", "format": "1"}
        partner = {"Origin": "https://atelier.example.fr", "Sec-Fetch-Site": "cross-site"}
        assert client.post("/ateliers", data=form, headers=partner).status_code == 200
        assert client.post("/ateliers", data=form).status_code == 200  # curl: no Origin, no Sec-Fetch-Site
        typed = {"Sec-Fetch-Site": "none"}  # a bookmark or the address bar
        assert client.post("/ateliers", data=form, headers=typed).status_code == 200


def test_the_bearer_token_api_is_not_cookie_authenticated_so_not_guarded(client: TestClient) -> None:
    atelier = create_atelier(client)
    response = client.post(
        f"/api/ateliers/{atelier['id']}/members", json={"first_name": "Ana", "last_name": "Lopez"},
        headers=bearer(atelier["participant_token"]) | CROSS_SITE,
    )  # fmt: skip
    assert response.status_code == 201
    cookie_only = client.post(
        f"/api/ateliers/{atelier['id']}/members", json={"first_name": "Ana", "last_name": "Lopez"},
        headers={"Cookie": f"atelier_{atelier['id']}={response.json()['member_token']}"},
    )  # fmt: skip
    assert cookie_only.status_code == 401  # a cookie opens nothing in the API
