"""The JSON API (documented in the OpenAPI page, /api)."""

from __future__ import annotations

import datetime
import time
from typing import Any, Literal

from fastapi import APIRouter, Request
from pydantic import BaseModel, Field

from ..domain.views import state_view
from ..export.deliverable import deliverable as build_deliverable
from ..storage.ateliers import NewAtelier, create_atelier
from . import joining
from .deps import AtelierDep, EngineDep, LinkDep, RequireAnimateur, RoomsDep, SettingsDep, load_room
from .errors import error_responses
from .urls import base_url, join_url, room_url

router = APIRouter(prefix="/api", tags=["ateliers"])


class AtelierCreate(BaseModel):
    title: str = Field(min_length=1, max_length=200, description="L'intitulé de l'atelier.")
    administration: str = Field(min_length=1, max_length=200, description="L'administration qui organise.")
    format: Literal["1", "2", "3"] = Field(description="Format du kit : 1, 2 ou 3.")
    date: datetime.date | None = Field(default=None, description="Date de l'atelier (AAAA-MM-JJ).")


class AtelierCreated(BaseModel):
    id: str
    title: str
    administration: str
    format: str
    date: str | None
    room_url: str
    animateur_url: str = Field(description="Lien secret de l'animateur : ne pas partager.")
    participant_url: str = Field(description="Lien à coller dans la visio.")
    animateur_token: str
    participant_token: str


class MemberCreate(BaseModel):
    first_name: str = Field(min_length=1, max_length=80)
    last_name: str = Field(min_length=1, max_length=80)
    structure: str = Field(default="", max_length=120)
    email: str = Field(default="", max_length=254, description="Optional, to receive the compte rendu.")


class StateView(BaseModel):
    seq: int = Field(description="The sequence number of the last operation the state includes.")
    server_time: float = Field(description="The server's clock, in milliseconds since 1970.")
    state: dict[str, Any] = Field(description="The atelier as the animation team sees it (docs/protocol.md §4.2).")


class MemberCreated(BaseModel):
    member_id: str
    member_token: str = Field(description="Secret of this person: send it in the WebSocket `hello`.")
    role: str
    websocket_path: str


@router.post(
    "/ateliers", status_code=201, response_model=AtelierCreated, responses=error_responses(422),
    summary="Create an atelier",
)  # fmt: skip
def create(body: AtelierCreate, request: Request, engine: EngineDep, settings: SettingsDep) -> AtelierCreated:
    """Create an atelier and return its two capability links (animateur secret, participant link)."""
    created = create_atelier(
        engine,
        title=" ".join(body.title.split()),
        administration=" ".join(body.administration.split()),
        format_key=body.format,
        date=body.date.isoformat() if body.date else None,
    )
    return AtelierCreated(**created_fields(created, base_url(settings, request)))


def created_fields(created: NewAtelier, base: str) -> dict[str, Any]:
    """What a new atelier's creator gets back: identity, the room, and the two capability links."""
    row = created.row
    return {
        "id": row.id,
        "title": row.title,
        "administration": row.administration,
        "format": row.format_key,
        "date": row.date,
        "room_url": room_url(base, row.id),
        "animateur_url": join_url(base, row.id, created.animateur_token),
        "participant_url": join_url(base, row.id, created.participant_token),
        "animateur_token": created.animateur_token,
        "participant_token": created.participant_token,
    }


@router.post(
    "/ateliers/{atelier_id}/members", status_code=201, response_model=MemberCreated,
    responses=error_responses(401, 403, 404, 409, 422, 503), summary="Join an atelier",
)  # fmt: skip
async def join(
    body: MemberCreate, atelier: AtelierDep, link: LinkDep, engine: EngineDep, rooms: RoomsDep
) -> MemberCreated:
    """Join with a link's token (participant or animateur); returns the person's own secret for the socket."""
    room = await load_room(rooms, atelier.id)
    member_id, token = await joining.join(
        engine,
        room,
        link=link,
        first_name=body.first_name,
        last_name=body.last_name,
        structure=body.structure,
        email=body.email,
    )
    role = room.state.members[member_id].role
    return MemberCreated(
        member_id=member_id, member_token=token, role=role, websocket_path=f"/ws/ateliers/{atelier.id}"
    )


@router.get(
    "/ateliers/{atelier_id}/state", dependencies=[RequireAnimateur], response_model=StateView,
    responses=error_responses(401, 403, 404, 422), summary="Current state",
)  # fmt: skip
async def state(atelier: AtelierDep, rooms: RoomsDep) -> dict[str, Any]:
    """The atelier's whole current state, as the animation team sees it, and its latest `seq`."""
    room = await load_room(rooms, atelier.id)
    async with room.consistent():
        return {"seq": room.seq, "server_time": time.time() * 1000, "state": state_view(room.state, team=True)}


@router.get(
    "/ateliers/{atelier_id}/deliverable.json", dependencies=[RequireAnimateur],
    responses={
        200: {"description": "Validates against `GET /schemas/deliverable.json`."},
        **error_responses(401, 403, 404, 422),
    },
    summary="Deliverable",
)  # fmt: skip
async def deliverable(atelier: AtelierDep, rooms: RoomsDep) -> dict[str, Any]:
    """The deliverable, by format: the fiche sujets (Format 1: cards with matrix values and priorities), the
    canevas (Format 2) or the feuille de route (Format 3); always the participants and the notes per step."""
    room = await load_room(rooms, atelier.id)
    async with room.consistent():
        return build_deliverable(room.state, seq=room.seq)
