"""Personal data: the retention date of an atelier, anonymising now, and the privacy page.

The référent decides: in the room (member cookie, référent role) or through the API (animateur
token, which is the référent's link).
"""

from __future__ import annotations

import datetime
from typing import Annotated

from fastapi import APIRouter, Form, HTTPException, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from pydantic import BaseModel, Field

from ..domain.errors import DomainError
from ..domain.retention import checked_retention
from ..domain.roles import Role
from ..purge import anonymise
from ..storage.ateliers import get_atelier
from ..storage.models import AtelierRow
from ..storage.privacy import retention_date, set_retention, today
from .deps import AtelierDep, EngineDep, RequireAnimateur, RoomsDep, TemplatesDep, load_room
from .errors import error_responses
from .pages import current_member, render

router = APIRouter()


class RetentionChange(BaseModel):
    until: datetime.date = Field(description="Dernier jour de conservation des données personnelles (AAAA-MM-JJ).")


class Retention(BaseModel):
    retention_until: datetime.date = Field(description="Données personnelles conservées jusqu'à ce jour inclus.")
    anonymised_at: float | None = Field(description="Quand les personnes ont été anonymisées (Unix), sinon null.")


class Anonymised(Retention):
    members: int = Field(description="Personnes anonymisées (« Participant 1 »…).")
    rewritten: int = Field(description="Entrées du journal dont les données personnelles ont été retirées.")


def _retention(atelier: AtelierRow) -> Retention:
    return Retention(retention_until=retention_date(atelier), anonymised_at=atelier.anonymised_at)


def _change(engine: EngineDep, atelier: AtelierRow, until: datetime.date) -> AtelierRow:
    if atelier.anonymised_at is not None:
        raise HTTPException(409, "Les données personnelles de cet atelier sont déjà effacées.")
    return set_retention(engine, atelier_id=atelier.id, until=checked_retention(until, today()))


# -- API (animateur token) ---------------------------------------------------------------------


@router.get("/api/ateliers/{atelier_id}/retention", dependencies=[RequireAnimateur], tags=["ateliers"],
            responses=error_responses(401, 403, 404, 422), summary="Retention of personal data")  # fmt: skip
def get_retention(atelier: AtelierDep) -> Retention:
    """Until when the atelier keeps names, structures and emails (default: three months after the atelier)."""
    return _retention(atelier)


@router.put("/api/ateliers/{atelier_id}/retention", dependencies=[RequireAnimateur], tags=["ateliers"],
            responses=error_responses(401, 403, 404, 409, 422), summary="Change the retention date")  # fmt: skip
def put_retention(body: RetentionChange, atelier: AtelierDep, engine: EngineDep) -> Retention:
    """Choose another last day (today at the earliest, 24 months ahead at the latest)."""
    return _retention(_change(engine, atelier, body.until))


@router.post("/api/ateliers/{atelier_id}/anonymise", dependencies=[RequireAnimateur], tags=["ateliers"],
             responses=error_responses(401, 403, 404, 409, 422, 503), summary="Anonymise now")  # fmt: skip
async def post_anonymise(atelier: AtelierDep, engine: EngineDep, rooms: RoomsDep) -> Anonymised:
    """Replace every person by « Participant N » now, keeping the work; nobody can join afterwards."""
    await load_room(rooms, atelier.id)
    purged = await anonymise(engine, rooms, atelier)
    row = get_atelier(engine, atelier_id=atelier.id)
    assert row is not None, atelier.id
    return Anonymised(**_retention(row).model_dump(), members=purged.members, rewritten=purged.rewritten)


# -- the room's forms (référent's cookie) ------------------------------------------------------


async def _not_referent(
    request: Request, atelier: AtelierRow, engine: EngineDep, rooms: RoomsDep, templates: TemplatesDep
) -> HTMLResponse | None:
    """The refusal page for anyone but the atelier's référent (by their member cookie), else None."""
    room = await load_room(rooms, atelier.id)
    member_id = await current_member(request, engine, room)
    if member_id is None or room.state.members[member_id].role != Role.REFERENT:
        return render(templates, "error.html", 403, title="Données personnelles",
                      message="Réservé au référent-animateur de l'atelier.", back=f"/a/{atelier.id}")  # fmt: skip
    return None


@router.post("/a/{atelier_id}/conservation", include_in_schema=False)
async def room_retention(
    request: Request,
    atelier: AtelierDep,
    engine: EngineDep,
    rooms: RoomsDep,
    templates: TemplatesDep,
    until: Annotated[str, Form()] = "",
) -> Response:
    refused = await _not_referent(request, atelier, engine, rooms, templates)
    if refused is not None:
        return refused
    try:
        _change(engine, atelier, datetime.date.fromisoformat(until))
    except ValueError:
        return _refused(templates, atelier, "Date invalide (format AAAA-MM-JJ).")
    except DomainError as error:
        return _refused(templates, atelier, error.message)
    return RedirectResponse(f"/a/{atelier.id}#privacy-panel", status_code=303)


@router.post("/a/{atelier_id}/anonymiser", include_in_schema=False)
async def room_anonymise(
    request: Request,
    atelier: AtelierDep,
    engine: EngineDep,
    rooms: RoomsDep,
    templates: TemplatesDep,
    confirm: Annotated[str, Form()] = "",
) -> Response:
    refused = await _not_referent(request, atelier, engine, rooms, templates)
    if refused is not None:
        return refused
    if confirm != "oui":
        return _refused(templates, atelier, "Cochez la case de confirmation pour anonymiser l'atelier.")
    if atelier.anonymised_at is None:
        await anonymise(engine, rooms, atelier)
    return RedirectResponse(f"/a/{atelier.id}#privacy-panel", status_code=303)


def _refused(templates: TemplatesDep, atelier: AtelierRow, message: str) -> HTMLResponse:
    return render(templates, "error.html", 422, title="Données personnelles", message=message,
                  back=f"/a/{atelier.id}")  # fmt: skip


@router.get("/confidentialite", response_class=HTMLResponse, include_in_schema=False)
def privacy_page(templates: TemplatesDep) -> HTMLResponse:
    return render(templates, "privacy.html")
