"""Chaining formats inside a démarche: #1's priority cards feed #2's subject, #2's canevas feeds #3.

Reading goes through the room registry (a room's state, held consistent), never through the log.
Writing is an operation the server submits as SYSTEM into the new atelier's room, with an op id
made from the new atelier's id: a retry re-acknowledges the stored operation instead of applying
it twice. Which card or atelier to take is a plain function of what was read (`pick_*`).
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from functools import partial
from typing import Any, TypeVar

from sqlalchemy.engine import Engine
from starlette.concurrency import run_in_threadpool

from ..domain.errors import DomainError, InvalidOperation
from ..domain.kit_tools import canevas_fields
from ..domain.operations import ImportCanevas, SetSubject
from ..domain.rules import SYSTEM
from ..domain.state import AtelierState
from ..realtime.registry import RoomRegistry
from ..storage.ateliers import NewAtelier
from ..storage.demarches import add_atelier, demarche_ateliers
from ..storage.models import AtelierRow, DemarcheRow

T = TypeVar("T")

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class PriorityCard:
    """A card marked priority in a Format 1 atelier of the démarche."""

    atelier_id: str
    atelier_title: str
    card_id: str
    title: str
    description: str

    @property
    def source(self) -> dict[str, str]:
        # The title too, so the room and the deliverable name the origin without a lookup.
        return {"atelier_id": self.atelier_id, "card_id": self.card_id, "atelier_title": self.atelier_title}


@dataclass(frozen=True)
class SubjectCopy:
    title: str
    description: str
    source: dict[str, str]


@dataclass(frozen=True)
class CanevasCopy:
    texts: dict[str, str]  # canevas field key → merged text
    values: tuple[str, ...]
    source: dict[str, str]


@dataclass(frozen=True)
class Plan:
    """What a new atelier receives from the démarche (decided before it is created)."""

    subject: SubjectCopy | None = None
    canevas: CanevasCopy | None = None


@dataclass
class AtelierOverview:
    """One atelier of a démarche as its page and its API show it."""

    row: AtelierRow
    priority_cards: list[PriorityCard] | None = None  # Format 1
    subject: dict[str, Any] | None = None  # Formats 2 and 3
    canevas: dict[str, Any] | None = None  # formats with a canevas: texts per field key, values, source


# -- the rules: which card, which atelier --------------------------------------------------------


def pick_subject_card(
    cards: list[PriorityCard], *, chosen: tuple[str, str] | None, default: bool
) -> PriorityCard | None:
    """The card a new #2 takes as its subject.

    `chosen` (atelier id, card id) must be one of `cards`, the priority cards of the démarche's #1
    ateliers. Without a choice, `default` takes the only priority card when there is exactly one.
    """
    if chosen is not None:
        for card in cards:
            if (card.atelier_id, card.card_id) == chosen:
                return card
        raise InvalidOperation(
            "La carte choisie n'est pas une carte prioritaire d'un atelier #1 de cette démarche : "
            "choisissez l'une des cartes marquées prioritaires."
        )
    if default and len(cards) == 1:
        return cards[0]
    return None


def pick_canevas_atelier(ateliers: list[AtelierRow], *, chosen: str | None) -> AtelierRow | None:
    """The #2 whose canevas a new #3 takes over: `chosen`, or else the démarche's latest #2."""
    formats2 = [row for row in ateliers if row.format_key == "2"]
    if chosen is not None:
        for row in formats2:
            if row.id == chosen:
                return row
        raise InvalidOperation(
            "L'atelier choisi n'est pas un atelier #2 de cette démarche : choisissez l'un de ses ateliers #2."
        )
    return max(formats2, key=lambda row: row.position or 0, default=None)


# -- reading the ateliers' states ----------------------------------------------------------------


async def _read(rooms: RoomRegistry, atelier_id: str, reader: Callable[[AtelierState], T]) -> T | None:
    """What `reader` takes from an atelier's state while no batch is half-applied (None: atelier gone)."""
    room = await rooms.get(atelier_id)
    if room is None:
        return None
    async with room.consistent():
        return reader(room.state)


def _priority_cards(row: AtelierRow, state: AtelierState) -> list[PriorityCard]:
    return [
        PriorityCard(row.id, row.title, card.id, card.title, card.description)
        for card in state.cards.values()
        if card.priority
    ]


def _canevas(state: AtelierState) -> dict[str, Any] | None:
    fields = canevas_fields(state.format_key)
    if not fields:
        return None
    return {
        "texts": {f.key: state.texts.text(state.canevas_field(f.key)) for f in fields},
        "values": list(state.canevas_values),
        "source": state.canevas_source,
    }


async def overview(rooms: RoomRegistry, ateliers: list[AtelierRow]) -> list[AtelierOverview]:
    """What each atelier of a démarche holds that chaining uses, in the démarche's order."""
    result = []
    for row in ateliers:
        item = await _read(rooms, row.id, partial(_overview, row))
        result.append(item or AtelierOverview(row))
    return result


def _overview(row: AtelierRow, state: AtelierState) -> AtelierOverview:
    if row.format_key == "1":
        return AtelierOverview(row, priority_cards=_priority_cards(row, state))
    subject = state.subject.to_dict() if state.subject else None
    return AtelierOverview(row, subject=subject, canevas=_canevas(state))


def all_priority_cards(items: list[AtelierOverview]) -> list[PriorityCard]:
    return [card for item in items for card in item.priority_cards or []]


def formats2(items: list[AtelierOverview]) -> list[AtelierRow]:
    return [item.row for item in items if item.row.format_key == "2"]


# -- planning and applying -----------------------------------------------------------------------


async def plan(
    rooms: RoomRegistry,
    ateliers: list[AtelierRow],
    *,
    format_key: str,
    subject_card: tuple[str, str] | None = None,
    default_subject: bool = True,
    from_atelier_id: str | None = None,
) -> Plan:
    """What a new atelier of `format_key` takes over from the démarche's `ateliers`; InvalidOperation if a
    choice does not fit. Nothing is created or written here."""
    if subject_card is not None and format_key != "2":
        raise InvalidOperation("Une carte sujet ne se reprend que dans un atelier #2.")
    if from_atelier_id is not None and format_key != "3":
        raise InvalidOperation("Un canevas ne se reprend que dans un atelier #3.")
    if format_key == "2":
        ones = [row for row in ateliers if row.format_key == "1"]
        card = pick_subject_card(
            all_priority_cards(await overview(rooms, ones)), chosen=subject_card, default=default_subject
        )
        return Plan(subject=SubjectCopy(card.title, card.description, card.source) if card else None)
    if format_key == "3":
        source_row = pick_canevas_atelier(ateliers, chosen=from_atelier_id)
        if source_row is None:
            return Plan()
        return await _read(rooms, source_row.id, _canevas_plan) or Plan()
    return Plan()


def _canevas_plan(state: AtelierState) -> Plan:
    """A #2's canevas and subject, to carry into a #3 (with the #2 as their source)."""
    source = {"atelier_id": state.atelier_id, "atelier_title": state.title}
    texts = {f.key: state.texts.text(state.canevas_field(f.key)) for f in canevas_fields(state.format_key)}
    subject = state.subject
    return Plan(
        subject=SubjectCopy(subject.title, subject.description, source) if subject else None,
        canevas=CanevasCopy(texts, tuple(state.canevas_values), source),
    )


def op_id(kind: str, atelier_id: str) -> str:
    """The id of the carry-over operation of `kind` into `atelier_id`: the same on every retry."""
    return f"carry-{kind}-{atelier_id}"


async def apply(rooms: RoomRegistry, atelier_id: str, carried: Plan) -> dict[str, Any]:
    """Submit the plan into the new atelier's room, as SYSTEM; what was carried over.

    The atelier exists by now and its links must reach the person who created it, so a refused
    carry-over is reported (under "errors") instead of raised; running this again is harmless.
    """
    result: dict[str, Any] = {"subject": None, "canevas": None, "errors": []}
    room = await rooms.get(atelier_id)
    if room is None:
        raise InvalidOperation("Atelier introuvable pour la reprise.")
    if carried.subject is not None:
        subject = carried.subject
        op = SetSubject(subject.title, subject.description, dict(subject.source))
        try:
            await room.submit_and_wait(op_id("subject", atelier_id), op, SYSTEM)
        except DomainError as error:
            log.warning("atelier %s: subject not carried over: %s", atelier_id, error.message)
            result["errors"].append(f"Sujet non repris : {error.message}")
        else:
            result["subject"] = {"title": subject.title, "description": subject.description, "source": subject.source}
    if carried.canevas is not None:
        canevas = carried.canevas
        imported = ImportCanevas(dict(canevas.texts), canevas.values, dict(canevas.source))
        try:
            await room.submit_and_wait(op_id("canevas", atelier_id), imported, SYSTEM)
        except DomainError as error:
            log.warning("atelier %s: canevas not carried over: %s", atelier_id, error.message)
            result["errors"].append(f"Canevas non repris : {error.message}")
        else:
            result["canevas"] = {
                "texts": {key: text for key, text in canevas.texts.items() if text},
                "values": list(canevas.values),
                "source": canevas.source,
            }
    return result


@dataclass(frozen=True)
class ChainedAtelier:
    """An atelier just made in a démarche (with its two secrets) and what it took over."""

    atelier: NewAtelier
    carried_over: dict[str, Any]


async def create_atelier(
    engine: Engine,
    rooms: RoomRegistry,
    demarche: DemarcheRow,
    *,
    title: str,
    format_key: str,
    date: str | None,
    subject_card: tuple[str, str] | None = None,
    default_subject: bool = True,
    from_atelier_id: str | None = None,
) -> ChainedAtelier:
    """Check the choices (InvalidOperation before anything is made), add the atelier at the end of
    the démarche, then carry over into its room."""
    rows = await run_in_threadpool(demarche_ateliers, engine, demarche_id=demarche.id)
    carried = await plan(
        rooms,
        rows,
        format_key=format_key,
        subject_card=subject_card,
        default_subject=default_subject,
        from_atelier_id=from_atelier_id,
    )
    created = await run_in_threadpool(
        add_atelier, engine, demarche=demarche, title=title, format_key=format_key, date=date
    )
    return ChainedAtelier(created, await apply(rooms, created.row.id, carried))
