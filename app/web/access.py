"""The référent's access page: regenerate the participant link, set or remove its expiry.

Removing a person is a room operation (`member.remove`, sent from the presence panel); what
lives here changes only the atelier's row: the room need not know a link changed.
"""

from __future__ import annotations

import time
from typing import Annotated

from fastapi import APIRouter, Form, Request
from fastapi.responses import HTMLResponse, Response

from ..domain.roles import ACCESS_KEEPERS
from ..realtime.room import Room
from ..storage.ateliers import get_atelier, regenerate_participant_link, set_participant_link_expiry
from ..storage.models import AtelierRow
from .deps import AtelierDep, EngineDep, RoomsDep, SettingsDep, TemplatesDep, load_room
from .link_expiry import expiry_input_value, expiry_label, parse_expiry
from .pages import current_member, removed_page, render
from .urls import base_url, join_url

router = APIRouter(include_in_schema=False)


async def _keeper(request: Request, engine: EngineDep, room: Room, templates: TemplatesDep) -> Response | None:
    """None if the browser belongs to someone who keeps the atelier's door; else the page that says no."""
    member_id = await current_member(request, engine, room)
    if member_id is None:
        return await removed_page(request, engine, room, templates) or render(
            templates, "error.html", 403, title="Rejoindre l'atelier",
            message="Pour entrer, ouvrez le lien d'invitation reçu (dans la visio ou par courriel).",
        )  # fmt: skip
    if room.state.members[member_id].role not in ACCESS_KEEPERS:
        return render(templates, "error.html", 403, title="Accès réservé",
                      message="Seul le référent-animateur gère les liens d'invitation de l'atelier.")  # fmt: skip
    return None


def _page(
    templates: TemplatesDep, atelier: AtelierRow, *, status_code: int = 200, new_link: str = "", error: str = "",
    notice: str = "",
) -> HTMLResponse:  # fmt: skip
    return render(
        templates, "access.html", status_code, atelier=atelier, new_link=new_link, error=error, notice=notice,
        expiry=expiry_label(atelier.participant_link_expires_at),
        expiry_value=expiry_input_value(atelier.participant_link_expires_at),
    )  # fmt: skip


@router.get("/a/{atelier_id}/acces", response_class=HTMLResponse)
async def access_page(
    request: Request, atelier: AtelierDep, engine: EngineDep, rooms: RoomsDep, templates: TemplatesDep
) -> Response:
    room = await load_room(rooms, atelier.id)
    return await _keeper(request, engine, room, templates) or _page(templates, atelier)


@router.post("/a/{atelier_id}/acces/lien-participant", response_class=HTMLResponse)
async def regenerate_link(
    request: Request, atelier: AtelierDep, engine: EngineDep, rooms: RoomsDep, templates: TemplatesDep,
    settings: SettingsDep,
) -> Response:  # fmt: skip
    room = await load_room(rooms, atelier.id)
    refusal = await _keeper(request, engine, room, templates)
    if refusal is not None:
        return refusal
    token = regenerate_participant_link(engine, atelier_id=atelier.id)
    link = join_url(base_url(settings, request), atelier.id, token)
    return _page(templates, atelier, new_link=link, notice="Nouveau lien créé : l'ancien ne fonctionne plus.")


@router.post("/a/{atelier_id}/acces/echeance", response_class=HTMLResponse)
async def set_expiry(
    request: Request, atelier: AtelierDep, engine: EngineDep, rooms: RoomsDep, templates: TemplatesDep,
    expires_at: Annotated[str, Form()] = "",
) -> Response:  # fmt: skip
    room = await load_room(rooms, atelier.id)
    refusal = await _keeper(request, engine, room, templates)
    if refusal is not None:
        return refusal
    value: float | None = None
    if expires_at.strip():
        try:
            value = parse_expiry(expires_at, time.time())
        except ValueError as error:
            return _page(templates, atelier, status_code=422, error=str(error))
    set_participant_link_expiry(engine, atelier_id=atelier.id, expires_at=value)
    updated = get_atelier(engine, atelier_id=atelier.id) or atelier
    notice = "Échéance enregistrée." if value is not None else "Le lien participant n'a plus d'échéance."
    return _page(templates, updated, notice=notice)
