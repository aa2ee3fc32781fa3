"""The ASGI app: `app.main:app`."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import HTMLResponse
from fastapi.staticfiles import StaticFiles
from starlette.exceptions import HTTPException as StarletteHTTPException

from .domain.errors import DomainError
from .purge import purge_daily
from .realtime.registry import RoomRegistry
from .rendering import JinjaFragments, make_environment
from .settings import Settings
from .storage.database import make_engine, upgrade_schema
from .storage.oplog import SqlOpStore
from .web import (
    access,
    after_exports,
    api,
    api_demarches,
    demarche_pages,
    exports,
    pages,
    privacy,
    schema,
    sse,
    timing_pages,
    ws,
)
from .web.csrf import CrossSiteGuard
from .web.errors import domain_error_handler, http_error_handler, validation_error_handler
from .web.security import SecurityHeaders

STATIC_DIR = Path(__file__).parent / "static"

DESCRIPTION = """
Atelier: a live facilitation board for the DITP's *Ateliers Ouverture*.

Create an atelier, join it with a link's token to get a member secret, then speak the
realtime protocol on `/ws/ateliers/{id}`, or over SSE + POST from `/rt/ateliers/{id}/sessions` where
WebSockets are blocked (see `docs/protocol.md`).
Errors are JSON: `{"detail": "…"}` with 401 (no token), 403 (wrong token), 404 (unknown atelier),
409 (a limit reached), 422 (invalid input).
"""


def create_app(settings: Settings | None = None) -> FastAPI:
    settings = settings or Settings()

    @asynccontextmanager
    async def lifespan(_app: FastAPI) -> AsyncIterator[dict[str, Any]]:
        engine = make_engine(settings.database_url)
        upgrade_schema(engine)
        templates = make_environment()
        rooms = RoomRegistry(
            SqlOpStore(engine), JinjaFragments(templates), idle_s=settings.room_idle_s,
            snapshot_every=settings.snapshot_every,
        )  # fmt: skip
        rooms.start()
        sse_sessions = sse.SseSessions(settings.idle_timeout_s)
        sse_sessions.end_streams_on_exit()
        purge = None
        if settings.purge_every_s > 0:  # personal data past its retention date
            purge = asyncio.create_task(purge_daily(engine, rooms, every_s=settings.purge_every_s), name="purge")
        try:
            yield {
                "settings": settings, "engine": engine, "rooms": rooms, "templates": templates,
                "sse_sessions": sse_sessions,
            }  # fmt: skip
        finally:
            await sse_sessions.close()
            if purge is not None:
                purge.cancel()
                with contextlib.suppress(asyncio.CancelledError):
                    await purge
            await rooms.close()
            engine.dispose()

    app = FastAPI(
        title="Atelier",
        version="0.1.0",
        description=DESCRIPTION,
        lifespan=lifespan,
        docs_url=None,  # the stock pages load scripts from a CDN: ours is served at /api
        redoc_url=None,
    )
    app.add_middleware(CrossSiteGuard, allowed_origins=settings.origins)
    app.add_middleware(SecurityHeaders)  # added last, so outermost: the CSRF refusal gets the headers too
    app.add_exception_handler(DomainError, domain_error_handler)
    app.add_exception_handler(RequestValidationError, validation_error_handler)
    app.add_exception_handler(StarletteHTTPException, http_error_handler)
    app.include_router(api.router)
    app.include_router(api_demarches.router)
    app.include_router(demarche_pages.router)
    app.include_router(exports.router)
    app.include_router(after_exports.router)
    app.include_router(privacy.router)
    app.include_router(schema.router)
    app.include_router(ws.router)
    app.include_router(sse.router)
    app.include_router(pages.router)
    app.include_router(timing_pages.router)
    app.include_router(access.router)
    app.mount("/static", StaticFiles(directory=STATIC_DIR), name="static")

    @app.get("/api", response_class=HTMLResponse, include_in_schema=False)
    def api_page(request: Request) -> HTMLResponse:
        template = request.state.templates.get_template("api.html")
        return HTMLResponse(template.render(spec=app.openapi()))

    @app.get("/healthz", include_in_schema=False)
    def health() -> dict[str, str]:
        return {"status": "ok"}

    return app


logging.basicConfig(level=logging.INFO, format="%(levelname)s %(name)s: %(message)s")
app = create_app()
