"""Cross-site request forgery: unsafe requests from another site are refused before any route runs.

The HTML forms act with the browser's member cookie, so a page elsewhere must not be able to
submit them. Browsers say where a request comes from (`Sec-Fetch-Site`, and `Origin` on every
POST); a request from another site gets a 403 page and changes nothing. Requests that carry
neither header do not come from a current browser (curl, scripts): they are let through, and the
member cookie is `SameSite=Lax` besides, so an old browser does not send it on a cross-site POST.

The JSON API under `/api/` is left alone: it authenticates with a Bearer token sent explicitly,
never with a cookie, so a forged request would have no credential to ride on. The realtime fallback
under `/rt/` (SSE + POST) checks the `Origin` of every request itself and answers in its protocol's
words (`bad_origin`), as the WebSocket handshake does.
"""

from __future__ import annotations

from starlette.datastructures import Headers
from starlette.responses import HTMLResponse
from starlette.types import ASGIApp, Receive, Scope, Send

UNSAFE_METHODS = frozenset({"POST", "PUT", "PATCH", "DELETE"})
EXEMPT_PREFIXES = ("/api/", "/rt/")
TITLE = "Requête refusée"
MESSAGE = (
    "Ce formulaire a été envoyé depuis un autre site : par sécurité, rien n'a été modifié. "
    "Rouvrez la page de l'atelier et recommencez depuis celle-ci."
)


def is_cross_site(headers: Headers, allowed_origins: set[str]) -> bool:
    """Whether an unsafe request comes from a page of another site (same test as Go's CrossOriginProtection)."""
    fetch_site = headers.get("sec-fetch-site")
    if fetch_site in ("same-origin", "none"):  # "none": typed in the address bar, a bookmark
        return False
    origin = headers.get("origin")
    if origin is not None and origin.rstrip("/") in allowed_origins:
        return False
    if fetch_site is not None:  # same-site or cross-site: another origin
        return True
    if origin is None:
        return False  # not a browser, or one too old to say: SameSite=Lax keeps its cookie home
    return origin == "null" or origin.split("://", 1)[-1] != headers.get("host", "")


class CrossSiteGuard:
    """Pure ASGI middleware: refuses cross-site unsafe requests outside the Bearer-token API."""

    def __init__(self, app: ASGIApp, allowed_origins: set[str]) -> None:
        self.app = app
        self.allowed_origins = allowed_origins

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if (
            scope["type"] == "http"
            and scope["method"] in UNSAFE_METHODS
            and not scope["path"].startswith(EXEMPT_PREFIXES)
            and is_cross_site(Headers(scope=scope), self.allowed_origins)
        ):
            await _refusal(scope)(scope, receive, send)
            return
        await self.app(scope, receive, send)


def _refusal(scope: Scope) -> HTMLResponse:
    templates = scope.get("state", {}).get("templates")
    if templates is None:  # pragma: no cover - the lifespan always provides them
        page = f"<!doctype html><html lang='fr'><title>{TITLE}</title><h1>{TITLE}</h1><p>{MESSAGE}</p>"
        return HTMLResponse(page, 403)
    return HTMLResponse(templates.get_template("error.html").render(title=TITLE, message=MESSAGE), 403)
