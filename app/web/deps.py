"""Shared objects (from the lifespan state) and capability checks, as dependency aliases."""

from __future__ import annotations

import time
from typing import Annotated

from fastapi import Depends, HTTPException, Path, Request
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from jinja2 import Environment
from sqlalchemy.engine import Engine

from ..realtime.registry import RoomRegistry
from ..realtime.room import Room
from ..settings import Settings
from ..storage.ateliers import LinkKind, get_atelier, link_expired, link_kind
from ..storage.models import AtelierRow


def _settings(request: Request) -> Settings:
    return request.state.settings  # type: ignore[no-any-return]


def _engine(request: Request) -> Engine:
    return request.state.engine  # type: ignore[no-any-return]


def _rooms(request: Request) -> RoomRegistry:
    return request.state.rooms  # type: ignore[no-any-return]


def _templates(request: Request) -> Environment:
    return request.state.templates  # type: ignore[no-any-return]


SettingsDep = Annotated[Settings, Depends(_settings)]
EngineDep = Annotated[Engine, Depends(_engine)]
RoomsDep = Annotated[RoomRegistry, Depends(_rooms)]
TemplatesDep = Annotated[Environment, Depends(_templates)]
AtelierId = Annotated[str, Path(max_length=32, description="The atelier's id, from its links.")]

_bearer = HTTPBearer(auto_error=False, description="The animateur or participant token of the atelier.")


def _atelier(engine: EngineDep, atelier_id: AtelierId) -> AtelierRow:
    atelier = get_atelier(engine, atelier_id=atelier_id)
    if atelier is None:
        raise HTTPException(404, "Atelier introuvable.")
    return atelier


AtelierDep = Annotated[AtelierRow, Depends(_atelier)]


def bearer_token(credentials: HTTPAuthorizationCredentials | None) -> str:
    """The token of an `Authorization: Bearer` header, or 401 saying how to send one."""
    if credentials is None:
        raise HTTPException(
            401, "Jeton manquant : en-tête « Authorization: Bearer <jeton> ».", {"WWW-Authenticate": "Bearer"}
        )
    return credentials.credentials


def _link(
    atelier: AtelierDep, credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(_bearer)]
) -> LinkKind:
    kind = link_kind(atelier, token=bearer_token(credentials))
    if kind is None:
        raise HTTPException(403, "Jeton invalide pour cet atelier.")
    if link_expired(atelier, kind, now=time.time()):
        raise HTTPException(403, "Lien d'invitation expiré : demandez un nouveau lien à l'animateur.")
    return kind


LinkDep = Annotated[LinkKind, Depends(_link)]


def _animateur(kind: LinkDep) -> None:
    if kind != LinkKind.ANIMATEUR:
        raise HTTPException(403, "Réservé au jeton animateur.")


RequireAnimateur = Depends(_animateur)


async def load_room(rooms: RoomRegistry, atelier_id: str) -> Room:
    room = await rooms.get(atelier_id)
    if room is None:
        raise HTTPException(404, "Atelier introuvable.")
    return room


def member_cookie(atelier_id: str) -> str:
    """The cookie that holds a browser's member secret for one atelier."""
    return f"atelier_{atelier_id}"
