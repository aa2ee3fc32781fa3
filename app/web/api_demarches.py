"""The démarches JSON API: an administration's ateliers in order, and the carry-over between formats."""

from __future__ import annotations

import datetime
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Depends, HTTPException, Path, Request, Response
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from pydantic import BaseModel, Field
from starlette.concurrency import run_in_threadpool

from ..domain.state import AtelierState
from ..export.after import compte_rendu_pdf, compte_rendu_text
from ..export.deliverable import deliverable as build_deliverable
from ..export.deliverable import demarche_deliverable
from ..export.demarche_files import demarche_compte_rendu, demarche_pdf
from ..export.markdown import inert, to_html
from ..storage.demarches import create_demarche, demarche_ateliers, demarche_token_matches, get_demarche
from ..storage.models import DemarcheRow
from . import carry_over
from .api import AtelierCreated, created_fields
from .deps import EngineDep, RoomsDep, SettingsDep, bearer_token
from .errors import error_responses
from .urls import base_url, room_url

router = APIRouter(prefix="/api", tags=["démarches"])

ShortId = Annotated[str, Field(min_length=1, max_length=64)]


def demarche_url(base: str, demarche_id: str, token: str) -> str:
    """The démarche's secret page (its token is the capability)."""
    return f"{base}/d/{demarche_id}/{token}"


# -- capability checks -----------------------------------------------------------------------------

DemarcheId = Annotated[str, Path(max_length=32, description="The démarche's id, from its link.")]

_bearer = HTTPBearer(auto_error=False, description="The démarche's animateur token.")


def _demarche(engine: EngineDep, demarche_id: DemarcheId) -> DemarcheRow:
    demarche = get_demarche(engine, demarche_id=demarche_id)
    if demarche is None:
        raise HTTPException(404, "Démarche introuvable.")
    return demarche


DemarcheDep = Annotated[DemarcheRow, Depends(_demarche)]


def _demarche_token(
    demarche: DemarcheDep, credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(_bearer)]
) -> None:
    if not demarche_token_matches(demarche, token=bearer_token(credentials)):
        raise HTTPException(403, "Jeton invalide pour cette démarche.")


RequireDemarcheToken = Depends(_demarche_token)


# -- shapes ------------------------------------------------------------------------------------------


class DemarcheCreate(BaseModel):
    title: str = Field(min_length=1, max_length=200, description="L'intitulé de la démarche.")
    administration: str = Field(min_length=1, max_length=200, description="L'administration qui la porte.")


class DemarcheCreated(BaseModel):
    id: str
    title: str
    administration: str
    animateur_token: str = Field(description="Secret of the démarche: send it as `Authorization: Bearer`.")
    demarche_url: str = Field(description="Lien secret de la démarche : ne pas partager.")


class PriorityCardOut(BaseModel):
    id: str
    title: str
    description: str


class SubjectOut(BaseModel):
    title: str
    description: str
    source: dict[str, str] | None = Field(
        default=None,
        description="Where it came from: `{atelier_id, card_id, atelier_title}` (a #1's card) "
        "or `{atelier_id, atelier_title}` (a #2).",
    )


class CanevasOut(BaseModel):
    texts: dict[str, str] = Field(description="Merged text per canevas field key (`titre`, `porte_sur`…).")
    values: list[str] = Field(description="Transparence, participation, collaboration: those ticked.")
    source: dict[str, str] | None = Field(
        default=None, description="`{atelier_id, atelier_title}` of the #2 it came from."
    )


class DemarcheAtelier(BaseModel):
    id: str
    title: str
    format: str
    date: str | None
    position: int
    room_url: str
    priority_cards: list[PriorityCardOut] | None = Field(description="Format 1: the cards marked priority.")
    subject: SubjectOut | None = Field(description="Formats 2 and 3: the atelier's subject, if set.")
    canevas: CanevasOut | None = Field(description="Formats 2 and 3: the canevas d'engagement.")


class DemarcheView(BaseModel):
    id: str
    title: str
    administration: str
    ateliers: list[DemarcheAtelier]


class CardRef(BaseModel):
    atelier_id: ShortId
    card_id: ShortId


class DemarcheAtelierCreate(BaseModel):
    title: str = Field(min_length=1, max_length=200, description="L'intitulé de l'atelier.")
    format: Literal["1", "2", "3"] = Field(description="Format du kit : 1, 2 ou 3.")
    date: datetime.date | None = Field(default=None, description="Date de l'atelier (AAAA-MM-JJ).")
    subject_card: CardRef | None = Field(
        default=None,
        description="Format 2: the priority card of one of the démarche's #1 ateliers to take as subject. "
        "Omitted: the démarche's only priority card, if there is exactly one. `null`: no subject yet.",
    )
    from_atelier_id: ShortId | None = Field(
        default=None,
        description="Format 3: the #2 atelier whose canevas (and subject) to carry over. "
        "Omitted: the démarche's latest #2.",
    )


class CarriedOver(BaseModel):
    subject: SubjectOut | None = None
    canevas: CanevasOut | None = None
    errors: list[str] = Field(default_factory=list, description="What could not be carried over, and why.")


class DemarcheAtelierCreated(AtelierCreated):
    demarche_id: str
    position: int
    carried_over: CarriedOver


# -- routes ------------------------------------------------------------------------------------------


@router.post(
    "/demarches", status_code=201, response_model=DemarcheCreated, responses=error_responses(422),
    summary="Create a démarche",
)  # fmt: skip
def create(body: DemarcheCreate, request: Request, engine: EngineDep, settings: SettingsDep) -> DemarcheCreated:
    """Create a démarche (an administration's path through formats 1 → 2 → 3) and return its secret.

    The `animateur_token` manages the démarche: read it and add ateliers to it. It is shown once.
    """
    created = create_demarche(
        engine, title=" ".join(body.title.split()), administration=" ".join(body.administration.split())
    )
    row = created.row
    return DemarcheCreated(
        id=row.id,
        title=row.title,
        administration=row.administration,
        animateur_token=created.animateur_token,
        demarche_url=demarche_url(base_url(settings, request), row.id, created.animateur_token),
    )


@router.get(
    "/demarches/{demarche_id}", response_model=DemarcheView, dependencies=[RequireDemarcheToken],
    responses=error_responses(401, 403, 404, 422), summary="A démarche",
)  # fmt: skip
async def read(
    demarche: DemarcheDep, request: Request, engine: EngineDep, rooms: RoomsDep, settings: SettingsDep
) -> DemarcheView:
    """The démarche and its ateliers in order, with what chaining uses: each #1's priority cards,
    each #2's and #3's subject and canevas, with the `source` they were carried over from."""
    rows = await run_in_threadpool(demarche_ateliers, engine, demarche_id=demarche.id)
    items = await carry_over.overview(rooms, rows)
    base = base_url(settings, request)
    return DemarcheView(
        id=demarche.id,
        title=demarche.title,
        administration=demarche.administration,
        ateliers=[_atelier_out(item, base) for item in items],
    )


def _atelier_out(item: carry_over.AtelierOverview, base: str) -> DemarcheAtelier:
    row = item.row
    cards = item.priority_cards
    return DemarcheAtelier(
        id=row.id,
        title=row.title,
        format=row.format_key,
        date=row.date,
        position=row.position or 0,
        room_url=room_url(base, row.id),
        priority_cards=None
        if cards is None
        else [PriorityCardOut(id=card.card_id, title=card.title, description=card.description) for card in cards],
        subject=SubjectOut(**item.subject) if item.subject else None,
        canevas=CanevasOut(**item.canevas) if item.canevas else None,
    )


@router.post(
    "/demarches/{demarche_id}/ateliers",
    status_code=201,
    response_model=DemarcheAtelierCreated,
    dependencies=[RequireDemarcheToken],
    responses=error_responses(401, 403, 404, 409, 422, 503),
    summary="Create an atelier in a démarche",
)
async def create_atelier(
    body: DemarcheAtelierCreate,
    demarche: DemarcheDep,
    request: Request,
    engine: EngineDep,
    rooms: RoomsDep,
    settings: SettingsDep,
) -> DemarcheAtelierCreated:
    """Add an atelier at the end of the démarche (its administration is the démarche's) and carry over:
    a #2 takes a priority card of the démarche's #1 ateliers as its subject; a #3 takes a #2's canevas
    and subject. Carried-over items keep their `source`. 422 if a chosen card or atelier does not fit.
    Returns the atelier's two links, as `POST /api/ateliers` does, and what was `carried_over`."""
    subject_card = body.subject_card
    created = await carry_over.create_atelier(
        engine,
        rooms,
        demarche,
        title=" ".join(body.title.split()),
        format_key=body.format,
        date=body.date.isoformat() if body.date else None,
        subject_card=(subject_card.atelier_id, subject_card.card_id) if subject_card else None,
        default_subject="subject_card" not in body.model_fields_set,
        from_atelier_id=body.from_atelier_id,
    )
    return created_out(created, base_url(settings, request))


def created_out(created: carry_over.ChainedAtelier, base: str) -> DemarcheAtelierCreated:
    row = created.atelier.row
    demarche_id = row.demarche_id or ""
    return DemarcheAtelierCreated(
        **created_fields(created.atelier, base),
        demarche_id=demarche_id,
        position=row.position or 0,
        carried_over=CarriedOver(**created.carried_over),
    )


@router.get(
    "/demarches/{demarche_id}/deliverable.json",
    dependencies=[RequireDemarcheToken],
    summary="A démarche's deliverable",
    responses={
        200: {"description": "Validates against `GET /schemas/deliverable.json` (`kind` demarche)."},
        **error_responses(401, 403, 404, 409, 422),
    },
)
async def deliverable(demarche: DemarcheDep, engine: EngineDep, rooms: RoomsDep) -> dict[str, Any]:
    """The démarche (`id`, `title`, `administration`) and the deliverable of each of its ateliers, in its order
    (#1 → #2 → #3), each exactly as `GET /api/ateliers/{id}/deliverable.json` gives it: `{"schema_version",
    "kind": "demarche", "demarche", "ateliers"}`. The same states always give the same JSON."""
    documents = [build_deliverable(state, seq=seq) for state, seq in await _states(demarche, engine, rooms)]
    return demarche_deliverable(
        demarche_id=demarche.id, title=demarche.title, administration=demarche.administration, ateliers=documents
    )


async def _states(demarche: DemarcheRow, engine: EngineDep, rooms: RoomsDep) -> list[tuple[AtelierState, int]]:
    """Each atelier's state and seq, in the démarche's order, each read at a durable point and copied."""
    rows = await run_in_threadpool(demarche_ateliers, engine, demarche_id=demarche.id)
    states = []
    for row in rows:
        room = await rooms.get(row.id)
        if room is None:  # gone since the list was read
            continue
        async with room.consistent():
            states.append((AtelierState.from_dict(room.state.to_dict()), room.seq))
    return states


def _require_ateliers(states: list[tuple[AtelierState, int]]) -> None:
    if not states:
        raise HTTPException(409, "La démarche n'a pas encore d'atelier.")


@router.get(
    "/demarches/{demarche_id}/deliverable.pdf",
    dependencies=[RequireDemarcheToken],
    summary="A démarche's deliverable (PDF)",
    response_class=Response,
    responses={200: {"content": {"application/pdf": {}}}, **error_responses(401, 403, 404, 409, 422)},
)
async def deliverable_pdf(demarche: DemarcheDep, engine: EngineDep, rooms: RoomsDep) -> Response:
    """Each atelier's PDF deliverable, in the démarche's order, in one file."""
    states = await _states(demarche, engine, rooms)
    _require_ateliers(states)
    bodies = [build_deliverable(state, seq=seq) for state, seq in states]
    pdf = await run_in_threadpool(demarche_pdf, bodies)
    disposition = f'attachment; filename="demarche-{demarche.id}.pdf"'
    return Response(pdf, media_type="application/pdf", headers={"Content-Disposition": disposition})


async def _compte_rendu(demarche: DemarcheRow, engine: EngineDep, rooms: RoomsDep) -> str:
    states = await _states(demarche, engine, rooms)
    _require_ateliers(states)
    parts = [compte_rendu_text(state) for state, _ in states]
    return demarche_compte_rendu(title=demarche.title, administration=demarche.administration, parts=parts)


@router.get(
    "/demarches/{demarche_id}/compte-rendu.md",
    dependencies=[RequireDemarcheToken],
    summary="A démarche's compte rendu (Markdown)",
    response_class=Response,
    responses={200: {"content": {"text/markdown": {}}}, **error_responses(401, 403, 404, 409, 422)},
)
async def compte_rendu_markdown(demarche: DemarcheDep, engine: EngineDep, rooms: RoomsDep) -> Response:
    """The comptes rendus of the démarche's ateliers, in order, under the démarche's title."""
    text = inert(await _compte_rendu(demarche, engine, rooms))
    disposition = f'attachment; filename="compte-rendu-demarche-{demarche.id}.md"'
    return Response(text, media_type="text/markdown; charset=utf-8", headers={"Content-Disposition": disposition})


@router.get(
    "/demarches/{demarche_id}/compte-rendu.pdf",
    dependencies=[RequireDemarcheToken],
    summary="A démarche's compte rendu (PDF)",
    response_class=Response,
    responses={200: {"content": {"application/pdf": {}}}, **error_responses(401, 403, 404, 409, 422)},
)
async def compte_rendu_pdf_route(
    request: Request, demarche: DemarcheDep, engine: EngineDep, rooms: RoomsDep
) -> Response:
    """The démarche's compte rendu as an A4 PDF."""
    text = await _compte_rendu(demarche, engine, rooms)
    html = request.state.templates.get_template("after/compte_rendu.html").render(
        title=f"Compte rendu — {demarche.title}",
        header=f"{demarche.administration} — {demarche.title}",
        body=to_html(text),
        final=True,
    )
    pdf = await run_in_threadpool(compte_rendu_pdf, html)
    disposition = f'attachment; filename="compte-rendu-demarche-{demarche.id}.pdf"'
    return Response(pdf, media_type="application/pdf", headers={"Content-Disposition": disposition})
