"""Every page and route answers with the security headers, whatever its status.

The routes are enumerated from the app itself, so a route added later is checked without
touching this file: its path parameters are filled with a real atelier, démarche and tokens.
"""

from __future__ import annotations

import re
from typing import Any

import pytest
from fastapi import FastAPI
from helpers import bearer, create_atelier
from starlette.testclient import TestClient

REQUIRED = {
    "x-content-type-options": "nosniff",
    "referrer-policy": "no-referrer",
    "x-frame-options": "DENY",
    "cross-origin-opener-policy": "same-origin",
}
FORBIDDEN_SOURCES = ("'unsafe-inline'", "'unsafe-eval'", "*", "http:", "https:", "data:")


def csp_directives(header: str) -> dict[str, list[str]]:
    directives: dict[str, list[str]] = {}
    for part in header.split(";"):
        words = part.split()
        if words:
            directives[words[0].lower()] = words[1:]
    return directives


def assert_secure_headers(response: Any, where: str) -> None:
    headers = response.headers
    for name, value in REQUIRED.items():
        assert headers.get(name) == value, f"{where}: {name} = {headers.get(name)!r}"
    csp = csp_directives(headers.get("content-security-policy", ""))
    script_sources = csp.get("script-src", csp.get("default-src"))
    assert script_sources is not None, f"{where}: no script-src nor default-src in the CSP"
    bad = [source for source in script_sources if source in FORBIDDEN_SOURCES]
    assert not bad, f"{where}: script-src allows {bad}"
    assert csp.get("default-src") == ["'self'"], f"{where}: default-src {csp.get('default-src')}"
    assert csp.get("object-src") == ["'none'"], f"{where}: object-src {csp.get('object-src')}"
    assert csp.get("base-uri") == ["'none'"], f"{where}: base-uri {csp.get('base-uri')}"
    assert csp.get("frame-ancestors") == ["'none'"], f"{where}: frame-ancestors {csp.get('frame-ancestors')}"
    permissions = headers.get("permissions-policy", "")
    for feature in ("camera=()", "microphone=()", "geolocation=()"):
        assert feature in permissions, f"{where}: Permissions-Policy lacks {feature}: {permissions!r}"


@pytest.fixture
def world(client: TestClient) -> dict[str, str]:
    """An atelier with an animateur in the browser (member cookie), and a démarche: real values for paths."""
    atelier = create_atelier(client)
    joined = client.post(
        f"/a/{atelier['id']}/join/{atelier['animateur_token']}",
        data={"first_name": "Sophie", "last_name": "Durand", "structure": ""},
        follow_redirects=False,
    )
    assert joined.status_code in (200, 303), joined.text
    demarche = client.post("/api/demarches", json={"title": "Ouvrir", "administration": "DITP"})
    assert demarche.status_code == 201, demarche.text
    return {
        "atelier_id": atelier["id"],
        "token": atelier["animateur_token"],
        "animateur_token": atelier["animateur_token"],
        "demarche_id": demarche.json()["id"],
        "demarche_token": demarche.json()["animateur_token"],
        "tool": "cartes",
        "version": "0.1.0",
    }


def _fill(path: str, world: dict[str, str]) -> str:
    def value(match: re.Match[str]) -> str:
        name = match.group(1).split(":")[0]
        if name == "token" and path.startswith("/d/"):
            return world["demarche_token"]
        return world.get(name, "x")

    return re.sub(r"\{([^}]+)\}", value, path)


def _flat_routes(routes: list[Any]) -> list[Any]:
    """Routes of included routers too (FastAPI keeps them behind an included-router wrapper)."""
    flat: list[Any] = []
    for route in routes:
        if hasattr(route, "effective_route_contexts"):
            flat.extend(route.effective_route_contexts())
        else:
            flat.append(route)
    return flat


def _http_routes(app: FastAPI) -> list[tuple[str, str]]:
    """(method, path) of every HTTP route (not the socket, not the static mount)."""
    routes: list[tuple[str, str]] = []
    for route in _flat_routes(app.routes):
        for method in sorted(getattr(route, "methods", None) or []):
            if method != "HEAD":
                routes.append((method, route.path))
    return sorted(set(routes))


def test_every_route_answers_with_the_security_headers(app: FastAPI, client: TestClient, world: dict[str, str]) -> None:
    routes = _http_routes(app)
    assert len(routes) >= 25, routes  # the enumeration itself works
    auth = world["animateur_token"]
    checked = []
    for method, path in routes:
        url = _fill(path, world)
        headers = bearer(world["demarche_token"] if "/demarches/" in path else auth)
        # With the right credentials, without any, and with a wrong one: every answer carries the headers.
        for extra in (headers, {}, bearer("faux")):
            response = client.request(method, url, headers=extra, json={} if method == "POST" else None)
            assert response.status_code < 500, f"{method} {url}: {response.status_code} {response.text[:200]}"
            assert_secure_headers(response, f"{method} {url} ({response.status_code})")
        checked.append(f"{method} {path}")
    assert "GET /a/{atelier_id}" in checked and "GET /api/ateliers/{atelier_id}/deliverable.pdf" in checked


@pytest.mark.parametrize(
    "url",
    [
        "/static/js/room.js",
        "/static/css/atelier.css",
        "/static/favicon.svg",
        "/static/absent.js",
        "/nulle-part",
        "/a/inconnu",
        "/openapi.json",
        "/api",
        "/healthz",
    ],
)
def test_static_files_and_errors_carry_the_headers_too(client: TestClient, url: str) -> None:
    assert_secure_headers(client.get(url), url)


def test_a_wrong_method_and_an_invalid_body_carry_the_headers(client: TestClient) -> None:
    assert_secure_headers(client.delete("/api/ateliers"), "DELETE /api/ateliers")
    invalid = client.post("/api/ateliers", content=b"{pas du json", headers={"content-type": "application/json"})
    assert invalid.status_code == 422
    assert_secure_headers(invalid, "POST /api/ateliers (bad JSON)")


def test_pages_carry_no_inline_script_the_policy_would_block(
    app: FastAPI, client: TestClient, world: dict[str, str]
) -> None:
    """With script-src 'self', an inline script or an on* attribute would silently not run: there is none."""
    pages = [
        _fill(path, world) for method, path in _http_routes(app) if method == "GET" and not path.startswith("/api/")
    ]
    html_pages = 0
    for url in pages:
        response = client.get(url)
        if not response.headers.get("content-type", "").startswith("text/html"):
            continue
        html_pages += 1
        body = response.text
        # Data blocks (type="application/json") are not run; their text must hold no "<" to close them.
        inline = re.findall(r"<script(?![^>]*\bsrc=)(?![^>]*application/json)[^>]*>", body, flags=re.I)
        assert not inline, f"{url}: inline script {inline}"
        for data in re.findall(r"<script[^>]*application/json[^>]*>(.*?)</script>", body, flags=re.I | re.S):
            assert "<" not in data, f"{url}: a data block holds a raw '<'"
        handlers = re.findall(r"<[^>]+\s(on[a-z]+)\s*=", body, flags=re.I)
        assert not handlers, f"{url}: event handler attributes {handlers}"
        assert "javascript:" not in body.lower(), f"{url}: a javascript: URL"
    assert html_pages >= 4, pages
