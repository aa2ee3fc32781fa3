"""HTML pages: create an atelier, join it, the room."""

from __future__ import annotations

import json
import time
from datetime import date
from typing import Annotated, Any

from fastapi import APIRouter, Form, Request
from fastapi.responses import HTMLResponse, JSONResponse, RedirectResponse, Response
from pydantic import ValidationError

from ..domain import limits
from ..domain.errors import DomainError
from ..domain.formats import FORMATS
from ..domain.roles import Role
from ..domain.views import texts_view
from ..export.deliverable import KINDS, deliverable
from ..realtime.room import Room
from ..storage.ateliers import LinkKind, create_atelier, find_member, link_expired, link_kind
from ..storage.models import AtelierRow
from ..storage.privacy import retention_date
from . import joining
from .api import AtelierCreate
from .deps import AtelierDep, EngineDep, RoomsDep, SettingsDep, TemplatesDep, load_room, member_cookie
from .link_expiry import expiry_label
from .urls import base_url, join_url

router = APIRouter(include_in_schema=False)

COOKIE_MAX_AGE = 60 * 60 * 24 * 120  # a démarche spans weeks; the cookie outlives one atelier day


def render(templates: TemplatesDep, name: str, status_code: int = 200, **context: Any) -> HTMLResponse:
    return HTMLResponse(templates.get_template(name).render(**context), status_code=status_code)


@router.get("/", response_class=HTMLResponse)
def home(templates: TemplatesDep) -> HTMLResponse:
    return render(templates, "home.html", formats=FORMATS, values={}, errors={})


@router.post("/ateliers", response_class=HTMLResponse)
def create(
    request: Request,
    templates: TemplatesDep,
    engine: EngineDep,
    settings: SettingsDep,
    title: Annotated[str, Form()] = "",
    administration: Annotated[str, Form()] = "",
    format: Annotated[str, Form()] = "",
    date_: Annotated[str, Form(alias="date")] = "",
) -> HTMLResponse:
    values = {"title": title, "administration": administration, "format": format, "date": date_}
    try:
        body = AtelierCreate(title=title.strip(), administration=administration.strip(), format=format,  # type: ignore[arg-type]
                             date=date.fromisoformat(date_) if date_ else None)  # fmt: skip
    except (ValidationError, ValueError) as error:
        errors = _form_errors(error)
        return render(templates, "home.html", 422, formats=FORMATS, values=values, errors=errors)
    created = create_atelier(
        engine, title=body.title, administration=body.administration, format_key=body.format,
        date=body.date.isoformat() if body.date else None,
    )  # fmt: skip
    base = base_url(settings, request)
    return render(
        templates,
        "created.html",
        atelier=created.row,
        deroule=FORMATS[created.row.format_key],
        retention=retention_date(created.row),
        animateur_url=join_url(base, created.row.id, created.animateur_token),
        participant_url=join_url(base, created.row.id, created.participant_token),
    )


def _form_errors(error: Exception) -> dict[str, str]:
    if not isinstance(error, ValidationError):
        return {"date": "Date invalide (format AAAA-MM-JJ)."}
    messages = {
        "title": "Indiquez l'intitulé de l'atelier (200 caractères au plus).",
        "administration": "Indiquez l'administration (200 caractères au plus).",
        "format": "Choisissez un format.",
        "date": "Date invalide.",
    }
    return {str(item["loc"][0]): messages.get(str(item["loc"][0]), item["msg"]) for item in error.errors()}


async def current_member(request: Request, engine: EngineDep, room: Room) -> str | None:
    """The member this browser's cookie opens, if any (never a removed one)."""
    token = request.cookies.get(member_cookie(room.atelier_id))
    if not token:
        return None
    member_id = find_member(engine, atelier_id=room.atelier_id, token=token)
    if member_id not in room.state.members or room.state.members[member_id].removed:
        return None
    return member_id


async def removed_page(request: Request, engine: EngineDep, room: Room, templates: TemplatesDep) -> Response | None:
    """The page a removed person gets instead of the room (their cookie is revoked, not forgotten)."""
    token = request.cookies.get(member_cookie(room.atelier_id))
    member_id = token and find_member(engine, atelier_id=room.atelier_id, token=token, include_revoked=True)
    member = room.state.members.get(member_id) if member_id else None
    if member is None or not member.removed:
        return None
    return render(templates, "error.html", 403, title="Vous avez été retiré de l'atelier",
                  message="Le référent-animateur vous a retiré de cet atelier. Vos contributions y restent. "
                  "Pour revenir, adressez-vous à l'équipe d'animation.")  # fmt: skip


def _refused_link(templates: TemplatesDep, atelier: AtelierRow, token: str) -> Response | LinkKind:
    """The link's kind, or the page explaining why it no longer opens the atelier."""
    kind = link_kind(atelier, token=token)
    if kind is None:
        return render(templates, "error.html", 403, title="Lien invalide",
                      message="Ce lien n'ouvre pas (ou plus) cet atelier : il a peut-être été remplacé. "
                      "Demandez le lien à jour à l'animateur.")  # fmt: skip
    if link_expired(atelier, kind, now=time.time()):
        return render(templates, "error.html", 403, title="Lien expiré",
                      message="Ce lien d'invitation a expiré : on ne peut plus rejoindre l'atelier avec lui. "
                      "Demandez un nouveau lien à l'animateur.")  # fmt: skip
    return kind


@router.get("/a/{atelier_id}/join/{token}", response_class=HTMLResponse)
async def join_form(
    request: Request, token: str, atelier: AtelierDep, engine: EngineDep, rooms: RoomsDep, templates: TemplatesDep
) -> Response:
    kind = _refused_link(templates, atelier, token)
    if isinstance(kind, Response):
        return kind
    room = await load_room(rooms, atelier.id)
    if kind == LinkKind.PARTICIPANT and (removed := await removed_page(request, engine, room, templates)):
        return removed  # the same browser coming back through the shared link: say why it is out
    member_id = await current_member(request, engine, room)
    if member_id is not None and _link_satisfied(room, member_id, kind):
        # Same browser, same person: no second form, same identity.
        return RedirectResponse(f"/a/{atelier.id}", status_code=303)
    closed = _closed(templates, atelier, room)
    if closed is not None:
        return closed
    return render(templates, "join.html", **_join_context(atelier, room, kind), values={}, errors={},
                  action=request.url.path)  # fmt: skip


def _closed(templates: TemplatesDep, atelier: AtelierRow, room: Room) -> Response | None:
    """The page saying nobody can join any more (archived, or full), or None when one can."""
    if room.state.anonymised_at is not None:
        message = ("Cet atelier est archivé : les données personnelles de ses participants ont été effacées. "
                   "On ne le rejoint plus ; adressez-vous à l'équipe d'animation.")  # fmt: skip
        return render(templates, "error.html", 410, title="Atelier archivé", message=message)
    if len(room.state.members) >= limits.MEMBERS_MAX:
        message = (f"Cet atelier est complet : il réunit déjà {limits.MEMBERS_MAX} personnes, le maximum. "
                   "Demandez à l'équipe d'animation le lien d'un autre groupe.")  # fmt: skip
        return render(templates, "error.html", 409, title="Atelier complet", message=message)
    return None


def _join_context(atelier: AtelierRow, room: Room, kind: LinkKind) -> dict[str, Any]:
    participants = sum(1 for member in room.state.members.values() if member.role == Role.PARTICIPANT)
    return {"atelier": atelier, "kind": kind, "retention": retention_date(atelier), "participants": participants,
            "crowded": kind == LinkKind.PARTICIPANT and participants >= limits.MEMBERS_RECOMMENDED}  # fmt: skip


def _link_satisfied(room: Room, member_id: str, kind: LinkKind) -> bool:
    role = room.state.members[member_id].role
    return kind == LinkKind.PARTICIPANT or role == Role.REFERENT


@router.post("/a/{atelier_id}/join/{token}", response_class=HTMLResponse)
async def join(
    request: Request,
    token: str,
    atelier: AtelierDep,
    engine: EngineDep,
    rooms: RoomsDep,
    templates: TemplatesDep,
    settings: SettingsDep,
    first_name: Annotated[str, Form()] = "",
    last_name: Annotated[str, Form()] = "",
    structure: Annotated[str, Form()] = "",
    email: Annotated[str, Form()] = "",
) -> Response:
    kind = _refused_link(templates, atelier, token)
    if isinstance(kind, Response):
        return kind
    room = await load_room(rooms, atelier.id)
    closed = _closed(templates, atelier, room)
    if closed is not None:
        return closed
    if kind == LinkKind.PARTICIPANT and (removed := await removed_page(request, engine, room, templates)):
        return removed
    values = {"first_name": first_name, "last_name": last_name, "structure": structure, "email": email}
    try:
        _member_id, secret = await joining.join(
            engine, room, link=kind, first_name=first_name, last_name=last_name, structure=structure, email=email
        )
    except DomainError as error:
        closed = _closed(templates, atelier, room)  # full (or archived) since the form was shown
        if closed is not None:
            return closed
        return render(templates, "join.html", 422, **_join_context(atelier, room, kind), values=values,
                      errors={"form": error.message}, action=request.url.path)  # fmt: skip
    response = RedirectResponse(f"/a/{atelier.id}", status_code=303)
    response.set_cookie(
        member_cookie(atelier.id), secret, max_age=COOKIE_MAX_AGE, httponly=True, samesite="lax",
        secure=settings.secure_cookies, path="/",
    )  # fmt: skip
    return response


@router.get("/a/{atelier_id}", response_class=HTMLResponse)
async def room_page(
    request: Request, atelier: AtelierDep, engine: EngineDep, rooms: RoomsDep, templates: TemplatesDep
) -> Response:
    room = await load_room(rooms, atelier.id)
    member_id = await current_member(request, engine, room)
    if member_id is None:
        if removed := await removed_page(request, engine, room, templates):
            return removed
        message = "Pour entrer, ouvrez le lien d'invitation reçu (dans la visio ou par courriel)."
        return render(templates, "error.html", 403, title="Rejoindre l'atelier", message=message)
    async with room.consistent():
        member = room.state.members[member_id]
        team = member.is_animation_team
        return render(
            templates,
            "room.html",
            state=room.state,
            seq=room.seq,
            me=member,
            team=team,
            online=room.online | {member_id},
            signals=room.signals.board,
            retention=retention_date(atelier),
            anonymised_at=atelier.anonymised_at,
            link_expiry=expiry_label(atelier.participant_link_expires_at),
            # Escaped so the JSON can never close its <script> data block.
            texts_json=json.dumps(texts_view(room.state, team=team)).replace("<", "\\u003c"),
        )


@router.get("/a/{atelier_id}/livrable.json")
@router.get("/a/{atelier_id}/fiche-sujets.json")  # the Format 1 name, kept for links already shared
async def deliverable_download(request: Request, atelier: AtelierDep, engine: EngineDep, rooms: RoomsDep) -> Response:
    room = await load_room(rooms, atelier.id)
    member_id = await current_member(request, engine, room)
    if member_id is None or not room.state.members[member_id].is_animation_team:
        return JSONResponse({"detail": "Réservé à l'équipe d'animation."}, status_code=403)
    async with room.consistent():
        body = deliverable(room.state, seq=room.seq)
    filename = f"{KINDS[atelier.format_key]}-{atelier.id}.json"
    return JSONResponse(body, headers={"Content-Disposition": f'attachment; filename="{filename}"'})
