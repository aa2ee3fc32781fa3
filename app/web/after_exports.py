"""Downloads for after the atelier: the compte rendu (Markdown, PDF) and the réseau social image.

The animation team gets them from the room (member cookie); the API gives them for the animateur token.
"""

from __future__ import annotations

import asyncio

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse, Response

from ..export.after import compte_rendu_html, compte_rendu_pdf, compte_rendu_text, social_card_svg
from ..export.markdown import inert
from ..realtime.room import Room
from .deps import AtelierDep, EngineDep, RequireAnimateur, RoomsDep, TemplatesDep, load_room
from .errors import error_responses
from .pages import current_member

router = APIRouter()

MARKDOWN = "text/markdown; charset=utf-8"
PDF = "application/pdf"


def _attachment(filename: str) -> dict[str, str]:
    return {"Content-Disposition": f'attachment; filename="{filename}"'}


async def _team_room(request: Request, atelier_id: str, engine: EngineDep, rooms: RoomsDep) -> Room | Response:
    room = await load_room(rooms, atelier_id)
    member_id = await current_member(request, engine, room)
    if member_id is None or not room.state.members[member_id].is_animation_team:
        return JSONResponse({"detail": "Réservé à l'équipe d'animation."}, status_code=403)
    return room


async def _markdown(room: Room, atelier_id: str) -> Response:
    async with room.consistent():
        text = inert(compte_rendu_text(room.state))  # names and cards must not become links or HTML elsewhere
    return Response(text, media_type=MARKDOWN, headers=_attachment(f"compte-rendu-{atelier_id}.md"))


async def _pdf(room: Room, atelier_id: str, templates: TemplatesDep) -> Response:
    async with room.consistent():
        html = compte_rendu_html(templates, room.state)
    pdf = await asyncio.to_thread(compte_rendu_pdf, html)  # rendering must not hold the room
    return Response(pdf, media_type=PDF, headers=_attachment(f"compte-rendu-{atelier_id}.pdf"))


@router.get("/a/{atelier_id}/compte-rendu.md", include_in_schema=False)
async def room_compte_rendu_markdown(
    request: Request, atelier: AtelierDep, engine: EngineDep, rooms: RoomsDep
) -> Response:
    room = await _team_room(request, atelier.id, engine, rooms)
    return room if isinstance(room, Response) else await _markdown(room, atelier.id)


@router.get("/a/{atelier_id}/compte-rendu.pdf", include_in_schema=False)
async def room_compte_rendu_pdf(
    request: Request, atelier: AtelierDep, engine: EngineDep, rooms: RoomsDep, templates: TemplatesDep
) -> Response:
    room = await _team_room(request, atelier.id, engine, rooms)
    return room if isinstance(room, Response) else await _pdf(room, atelier.id, templates)


@router.get("/a/{atelier_id}/carte-reseau-social.svg", include_in_schema=False)
async def room_social_card(
    request: Request, atelier: AtelierDep, engine: EngineDep, rooms: RoomsDep, templates: TemplatesDep
) -> Response:
    room = await _team_room(request, atelier.id, engine, rooms)
    if isinstance(room, Response):
        return room
    async with room.consistent():
        svg = social_card_svg(templates, room.state)
    return Response(svg, media_type="image/svg+xml", headers=_attachment(f"atelier-{atelier.id}.svg"))


@router.get(
    "/api/ateliers/{atelier_id}/compte-rendu.md",
    dependencies=[RequireAnimateur],
    tags=["ateliers"],
    summary="Compte rendu (Markdown)",
    response_class=Response,
    responses={200: {"content": {MARKDOWN: {}}}, **error_responses(401, 403, 404, 422)},
)
async def api_compte_rendu_markdown(atelier: AtelierDep, rooms: RoomsDep) -> Response:
    """The compte rendu as the animation team edited it (or a draft generated from the atelier), in Markdown."""
    return await _markdown(await load_room(rooms, atelier.id), atelier.id)


@router.get(
    "/api/ateliers/{atelier_id}/compte-rendu.pdf",
    dependencies=[RequireAnimateur],
    tags=["ateliers"],
    summary="Compte rendu (PDF)",
    response_class=Response,
    responses={200: {"content": {PDF: {}}}, **error_responses(401, 403, 404, 422)},
)
async def api_compte_rendu_pdf(atelier: AtelierDep, rooms: RoomsDep, templates: TemplatesDep) -> Response:
    """The compte rendu as an A4 PDF, with page numbers; marked as a working version until finalised."""
    return await _pdf(await load_room(rooms, atelier.id), atelier.id, templates)
