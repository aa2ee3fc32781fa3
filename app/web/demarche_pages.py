"""HTML pages of a démarche: create one, then its secret page lists its ateliers and adds the next."""

from __future__ import annotations

from datetime import date
from typing import Annotated, Any

from fastapi import APIRouter, Form, Request
from fastapi.responses import HTMLResponse
from pydantic import ValidationError
from starlette.concurrency import run_in_threadpool

from ..domain.errors import DomainError
from ..domain.formats import FORMATS
from ..storage.demarches import create_demarche, demarche_ateliers, demarche_token_matches, get_demarche
from ..storage.models import AtelierRow, DemarcheRow
from . import carry_over
from .api_demarches import DemarcheAtelierCreate, DemarcheCreate, demarche_url
from .deps import EngineDep, RoomsDep, SettingsDep, TemplatesDep
from .pages import render
from .urls import base_url, join_url

router = APIRouter(include_in_schema=False)

LATER = "later"  # the subject select's "saisir le sujet plus tard"

DEMARCHE_MESSAGES = {
    "title": "Indiquez l'intitulé de la démarche (200 caractères au plus).",
    "administration": "Indiquez l'administration (200 caractères au plus).",
}
ATELIER_MESSAGES = {
    "title": "Indiquez l'intitulé de l'atelier (200 caractères au plus).",
    "format": "Choisissez un format.",
    "date": "Date invalide.",
}


def _errors(error: ValidationError, messages: dict[str, str]) -> dict[str, str]:
    return {str(item["loc"][0]): messages.get(str(item["loc"][0]), item["msg"]) for item in error.errors()}


# -- creating a démarche -------------------------------------------------------------------------------


@router.get("/demarches/new", response_class=HTMLResponse)
def new_demarche(templates: TemplatesDep) -> HTMLResponse:
    return render(templates, "demarche_new.html", values={}, errors={})


@router.post("/demarches", response_class=HTMLResponse)
def create(
    request: Request,
    templates: TemplatesDep,
    engine: EngineDep,
    settings: SettingsDep,
    title: Annotated[str, Form()] = "",
    administration: Annotated[str, Form()] = "",
) -> HTMLResponse:
    values = {"title": title, "administration": administration}
    try:
        body = DemarcheCreate(title=" ".join(title.split()), administration=" ".join(administration.split()))
    except ValidationError as error:
        errors = _errors(error, DEMARCHE_MESSAGES)
        return render(templates, "demarche_new.html", 422, values=values, errors=errors)
    created = create_demarche(engine, title=body.title, administration=body.administration)
    url = demarche_url(base_url(settings, request), created.row.id, created.animateur_token)
    return render(templates, "demarche_created.html", demarche=created.row, demarche_url=url)


# -- the démarche's page -------------------------------------------------------------------------------


def _find(engine: EngineDep, templates: TemplatesDep, demarche_id: str, token: str) -> DemarcheRow | HTMLResponse:
    demarche = get_demarche(engine, demarche_id=demarche_id) if len(demarche_id) <= 32 else None
    if demarche is None:
        message = "Cette démarche n'existe pas (ou plus). Vérifiez le lien."
        return render(templates, "error.html", 404, title="Démarche introuvable", message=message)
    if not demarche_token_matches(demarche, token=token):
        message = "Ce lien n'ouvre pas cette démarche. Demandez le lien à jour à la personne qui l'a créée."
        return render(templates, "error.html", 403, title="Lien invalide", message=message)
    return demarche


async def _page(
    templates: TemplatesDep,
    engine: EngineDep,
    rooms: RoomsDep,
    demarche: DemarcheRow,
    token: str,
    status_code: int = 200,
    **context: Any,
) -> HTMLResponse:
    rows = await run_in_threadpool(demarche_ateliers, engine, demarche_id=demarche.id)
    items = await carry_over.overview(rooms, rows)
    cards = carry_over.all_priority_cards(items)
    formats2 = carry_over.formats2(items)
    context.setdefault("values", {})
    context.setdefault("errors", {})
    # What the form offers by default: the only priority card; the latest #2.
    context["values"].setdefault("subject", _card_value(cards[0]) if len(cards) == 1 else LATER)
    context["values"].setdefault("from_atelier", formats2[-1].id if formats2 else "")
    return render(
        templates,
        "demarche.html",
        status_code,
        demarche=demarche,
        action=f"/d/{demarche.id}/{token}/ateliers",
        items=items,
        titles={item.row.id: item.row.title for item in items},
        priority_cards=cards,
        formats2=formats2,
        formats=FORMATS,
        next_format=_next_format(rows),
        card_value=_card_value,
        LATER=LATER,
        **context,
    )


def _next_format(rows: list[AtelierRow]) -> str:
    """The format the form suggests: the one after the démarche's last atelier (#1 to start)."""
    if not rows:
        return "1"
    return str(min(int(rows[-1].format_key) + 1, 3))


def _card_value(card: carry_over.PriorityCard) -> str:
    return f"{card.atelier_id}/{card.card_id}"  # neither id may hold a "/"


@router.get("/d/{demarche_id}/{token}", response_class=HTMLResponse)
async def demarche_page(
    demarche_id: str, token: str, templates: TemplatesDep, engine: EngineDep, rooms: RoomsDep
) -> HTMLResponse:
    found = await run_in_threadpool(_find, engine, templates, demarche_id, token)
    if isinstance(found, HTMLResponse):
        return found
    return await _page(templates, engine, rooms, found, token)


@router.post("/d/{demarche_id}/{token}/ateliers", response_class=HTMLResponse)
async def add_atelier(
    request: Request,
    demarche_id: str,
    token: str,
    templates: TemplatesDep,
    engine: EngineDep,
    rooms: RoomsDep,
    settings: SettingsDep,
    title: Annotated[str, Form()] = "",
    format: Annotated[str, Form()] = "",
    date_: Annotated[str, Form(alias="date")] = "",
    subject: Annotated[str, Form()] = "",
    from_atelier: Annotated[str, Form()] = "",
) -> HTMLResponse:
    found = await run_in_threadpool(_find, engine, templates, demarche_id, token)
    if isinstance(found, HTMLResponse):
        return found
    demarche = found
    values = {"title": title, "format": format, "date": date_, "subject": subject, "from_atelier": from_atelier}
    try:
        body = DemarcheAtelierCreate(
            title=" ".join(title.split()),
            format=format,  # type: ignore[arg-type]
            date=date.fromisoformat(date_) if date_ else None,
        )
    except ValidationError as error:
        return await _page(templates, engine, rooms, demarche, token, 422, values=values,
                           errors=_errors(error, ATELIER_MESSAGES))  # fmt: skip
    except ValueError:
        return await _page(templates, engine, rooms, demarche, token, 422, values=values,
                           errors={"date": "Date invalide (format AAAA-MM-JJ)."})  # fmt: skip
    # Only the choice that fits the format counts: the other select keeps its default value.
    chosen_card = None
    if body.format == "2" and subject and subject != LATER:
        atelier_id, _, card_id = subject.partition("/")
        chosen_card = (atelier_id, card_id)
    try:
        created = await carry_over.create_atelier(
            engine,
            rooms,
            demarche,
            title=body.title,
            format_key=body.format,
            date=body.date.isoformat() if body.date else None,
            subject_card=chosen_card,
            default_subject=False,
            from_atelier_id=(from_atelier or None) if body.format == "3" else None,
        )
    except DomainError as error:
        field = "subject" if body.format == "2" else "from_atelier"
        return await _page(templates, engine, rooms, demarche, token, 422, values=values,
                           errors={field: error.message})  # fmt: skip
    base = base_url(settings, request)
    row = created.atelier.row
    return await _page(
        templates,
        engine,
        rooms,
        demarche,
        token,
        created={
            "row": row,
            "deroule": FORMATS[row.format_key],
            "animateur_url": join_url(base, row.id, created.atelier.animateur_token),
            "participant_url": join_url(base, row.id, created.atelier.participant_token),
            "carried_over": created.carried_over,
        },
    )
