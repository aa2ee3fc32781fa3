"""Joining an atelier: one capability link, one short form, one member secret."""

from __future__ import annotations

from sqlalchemy.engine import Engine

from ..domain.operations import JoinMember
from ..domain.roles import Role
from ..domain.rules import SYSTEM
from ..realtime.room import Room
from ..storage.ateliers import LinkKind, create_member, forget_member

ROLE_OF_LINK = {LinkKind.ANIMATEUR: Role.REFERENT, LinkKind.PARTICIPANT: Role.PARTICIPANT}


async def join(
    engine: Engine,
    room: Room,
    *,
    link: LinkKind,
    first_name: str,
    last_name: str,
    structure: str,
    email: str = "",
) -> tuple[str, str]:
    """Record a new person in the atelier; their member id and secret. Raises DomainError on bad input."""
    member_id, token = create_member(engine, atelier_id=room.atelier_id)
    op = JoinMember(member_id, first_name, last_name, structure, ROLE_OF_LINK[link], email=email)
    try:
        await room.submit_and_wait(f"join-{member_id}", op, SYSTEM)
    except Exception:
        forget_member(engine, member_id=member_id)
        raise
    return member_id, token
