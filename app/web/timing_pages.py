"""The animation team's timing pages: the schedule panel (polled) and the projection view.

The projection opens with a team member's own session (the cookie their invitation link set):
no extra secret to hand out, and a participant's link never opens it. What it shows is what
participants see (its socket asks for `view: "projection"`), so it can go on a shared screen.
"""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response

from ..realtime.room import Room
from .deps import AtelierDep, EngineDep, RoomsDep, TemplatesDep, load_room
from .pages import current_member, render

router = APIRouter(include_in_schema=False)

TEAM_ONLY = "Réservé à l'équipe d'animation : ouvrez cette page depuis le navigateur où vous animez l'atelier."


async def _team_member(request: Request, engine: EngineDep, room: Room) -> str | None:
    member_id = await current_member(request, engine, room)
    if member_id is None or not room.state.members[member_id].is_animation_team:
        return None
    return member_id


@router.get("/a/{atelier_id}/schedule", response_class=HTMLResponse)
async def schedule_fragment(
    request: Request, atelier: AtelierDep, engine: EngineDep, rooms: RoomsDep, templates: TemplatesDep
) -> Response:
    room = await load_room(rooms, atelier.id)
    if await _team_member(request, engine, room) is None:
        return HTMLResponse(f"<p>{TEAM_ONLY}</p>", status_code=403)
    async with room.consistent():
        return render(templates, "room/_schedule.html", state=room.state, team=True)


@router.get("/a/{atelier_id}/projection", response_class=HTMLResponse)
async def projection_page(
    request: Request, atelier: AtelierDep, engine: EngineDep, rooms: RoomsDep, templates: TemplatesDep
) -> Response:
    room = await load_room(rooms, atelier.id)
    member_id = await _team_member(request, engine, room)
    if member_id is None:
        return render(templates, "error.html", 403, title="Vue de projection", message=TEAM_ONLY)
    async with room.consistent():
        return render(
            templates,
            "projection.html",
            state=room.state,
            seq=room.seq,
            member_id=member_id,
            team=False,
            online=room.online,
            signals=room.signals.board,
        )
