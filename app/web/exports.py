"""Deliverable files: the PDF and the printable A3 supports (issue: the deliverable).

The JSON API serves them with the animateur token; browsers in the room get the same files behind the
member cookie of the animation team; blank supports are public. The deliverable is read under the
room's lock (a copy of its JSON), and WeasyPrint runs in a worker thread so the room never waits.
"""

from __future__ import annotations

import asyncio
import copy
from functools import lru_cache
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Depends, HTTPException, Path, Query, Request
from fastapi.responses import Response

from ..export.deliverable import KINDS, deliverable
from ..export.pdf import SUPPORTS, render_deliverable_pdf, render_support_pdf
from ..realtime.room import Room
from ..storage.ateliers import find_member
from .deps import AtelierDep, EngineDep, RequireAnimateur, RoomsDep, load_room, member_cookie
from .errors import error_responses

router = APIRouter(tags=["livrables"])


class PDFResponse(Response):
    media_type = "application/pdf"


def _pdf_responses(description: str, *, private: bool = True) -> dict[int | str, dict[str, Any]]:
    responses: dict[int | str, dict[str, Any]] = {
        200: {
            "description": description,
            "content": {"application/pdf": {"schema": {"type": "string", "format": "binary"}}},
        },
    }
    return responses | error_responses(*((401, 403, 404, 422) if private else (404, 422)))


TOOL_LIST = ", ".join(f"`{tool}`" for tool in SUPPORTS)
Tool = Annotated[str, Path(description=f"The support: {TOOL_LIST}.")]
Filled = Annotated[
    bool, Query(description="`true`: filled with what the atelier produced; `false` (default): blank, to write on.")
]
CanevasFormat = Annotated[
    Literal["2", "3"] | None,
    Query(alias="format", description="For `canevas`: the Format 2 fields (default) or the Format 3 ones."),
]


def _check_tool(tool: str) -> None:
    if tool not in SUPPORTS:
        raise HTTPException(404, f"Support inconnu : « {tool} ». Supports : {', '.join(SUPPORTS)}.")


def _pdf(content: bytes, filename: str, *, private: bool = True) -> PDFResponse:
    headers = {
        "Content-Disposition": f'attachment; filename="{filename}"',
        # Atelier files hold names: never kept by a shared cache. Blank supports never change.
        "Cache-Control": "private, no-store" if private else "public, max-age=86400",
    }
    return PDFResponse(content, headers=headers)


async def _deliverable_copy(room: Room) -> dict[str, Any]:
    """The deliverable JSON, read at one durable seq and copied: the PDF renders outside the lock."""
    async with room.consistent():
        return copy.deepcopy(deliverable(room.state, seq=room.seq))


async def _deliverable_file(room: Room, format_key: str, atelier_id: str) -> PDFResponse:
    body = await _deliverable_copy(room)
    content = await asyncio.to_thread(render_deliverable_pdf, body)
    return _pdf(content, f"{KINDS.get(format_key, 'livrable')}-{atelier_id}.pdf")


async def _support_file(room: Room, tool: str, filled: bool, atelier_id: str) -> PDFResponse:
    body = await _deliverable_copy(room)
    content = await asyncio.to_thread(render_support_pdf, body, tool=tool, filled=filled)
    state = "rempli" if filled else "vierge"
    return _pdf(content, f"support-{tool}-{state}-{atelier_id}.pdf")


@lru_cache(maxsize=len(SUPPORTS) * 3)
def _blank_support(tool: str, format_key: str | None) -> bytes:
    return render_support_pdf(None, tool=tool, filled=False, format_key=format_key)


# -- the JSON API (animateur token) ------------------------------------------------------------


@router.get(
    "/api/ateliers/{atelier_id}/deliverable.pdf",
    dependencies=[RequireAnimateur],
    response_class=PDFResponse,
    responses=_pdf_responses("The deliverable as an A4 PDF."),
    summary="Deliverable (PDF)",
)
async def deliverable_pdf(atelier: AtelierDep, rooms: RoomsDep) -> PDFResponse:
    """The deliverable as a PDF to send (A4, French): a cover (title, administration, date, format, équipe
    d'animation), the participants, then by format the matrice drawn with its cards and the fiche sujets
    (Format 1), the carte sujet, reformulations, ideas and canevas (Format 2), or the canevas, sous-actions
    and the feuille de route as a frise and a table (Format 3); the notes of each step. Rendered from the
    same state as `deliverable.json`; the same state gives the same bytes."""
    room = await load_room(rooms, atelier.id)
    return await _deliverable_file(room, atelier.format_key, atelier.id)


@router.get(
    "/api/ateliers/{atelier_id}/supports/{tool}.pdf",
    dependencies=[RequireAnimateur],
    response_class=PDFResponse,
    responses=_pdf_responses("The support as A3 landscape sheets."),
    summary="Support to print (A3)",
)
async def support_pdf(atelier: AtelierDep, rooms: RoomsDep, tool: Tool, filled: Filled = False) -> PDFResponse:
    """One of the kit's supports for an atelier held in a room, in A3 landscape: `cartes` (cartes sujet),
    `matrice`, `reformulation` (Format 2 outil 2), `engagements` (outil 3), `canevas`, `feuille-de-route`.
    Blank with the atelier's heading, or filled with what the atelier produced."""
    _check_tool(tool)
    room = await load_room(rooms, atelier.id)
    return await _support_file(room, tool, filled, atelier.id)


@router.get(
    "/supports/{tool}.pdf",
    response_class=PDFResponse,
    responses=_pdf_responses("The blank support as A3 landscape sheets.", private=False),
    summary="Blank support to print (A3)",
)
async def blank_support_pdf(tool: Tool, canevas_format: CanevasFormat = None) -> PDFResponse:
    """A blank support of the kit, for anyone preparing an atelier in a room (no atelier, no token)."""
    _check_tool(tool)
    content = await asyncio.to_thread(_blank_support, tool, canevas_format if tool == "canevas" else None)
    return _pdf(content, f"support-{tool}.pdf", private=False)


# -- the room (member cookie of the animation team) --------------------------------------------


async def _team_room(request: Request, atelier: AtelierDep, engine: EngineDep, rooms: RoomsDep) -> Room:
    """The atelier's room, if this browser's member cookie is one of its animation team."""
    room = await load_room(rooms, atelier.id)
    token = request.cookies.get(member_cookie(atelier.id))
    member_id = find_member(engine, atelier_id=atelier.id, token=token) if token else None
    member = room.state.members.get(member_id) if member_id else None
    if member is None or not member.is_animation_team:
        raise HTTPException(403, "Réservé à l'équipe d'animation.")
    return room


TeamRoom = Annotated[Room, Depends(_team_room)]


@router.get("/a/{atelier_id}/livrable.pdf", include_in_schema=False)
async def room_deliverable_pdf(atelier: AtelierDep, room: TeamRoom) -> PDFResponse:
    return await _deliverable_file(room, atelier.format_key, atelier.id)


@router.get("/a/{atelier_id}/supports/{tool}.pdf", include_in_schema=False)
async def room_support_pdf(atelier: AtelierDep, room: TeamRoom, tool: str, filled: bool = False) -> PDFResponse:
    _check_tool(tool)
    return await _support_file(room, tool, filled, atelier.id)
