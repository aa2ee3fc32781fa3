"""Ephemeral relays of a room: cards gliding while dragged, and who is writing in which field.

Never stored, never acknowledged, droppable under load (docs/protocol.md §1).
"""

from __future__ import annotations

import asyncio
import time
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from ..domain.errors import Forbidden, NotFound
from ..domain.roles import CONTRIBUTORS
from ..domain.state import DRAFT_FIELDS
from .peer import Peer
from .protocol import CardDrag, FieldFocus, encode

if TYPE_CHECKING:
    from .room import Room

DRAG_INTERVAL_S = 0.05  # ≤ 20 relayed drag updates per second per card
DRAG_MEMORY = 1000  # cards whose last relay time is remembered before the memory is reset


@dataclass
class DragRelay:
    """At most one relay per card every DRAG_INTERVAL_S; within an interval only the latest
    position is kept and sent when the interval ends, so the others never stop on a stale spot."""

    _last: dict[str, float] = field(default_factory=dict)
    _latest: dict[str, tuple[Peer, CardDrag]] = field(default_factory=dict)

    def relay(self, room: Room, peer: Peer, frame: CardDrag) -> None:
        member = room.state.members.get(peer.member_id)
        if member is None or member.removed or member.role not in CONTRIBUTORS:
            raise Forbidden("Votre rôle ne permet pas de déplacer les cartes.")
        if frame.card_id not in room.state.cards:
            raise NotFound("Carte introuvable (peut-être supprimée).")
        waiting = frame.card_id in self._latest
        self._latest[frame.card_id] = (peer, frame)
        if waiting:
            return
        now = time.monotonic()
        due = self._last.get(frame.card_id, 0.0) + DRAG_INTERVAL_S
        if now >= due:
            self._flush(room, frame.card_id)
        else:
            asyncio.get_running_loop().call_later(due - now, self._flush, room, frame.card_id)

    def forget(self, card_id: str) -> None:
        """A drag still held for coalescing must not arrive after the drop (or the deletion)."""
        self._latest.pop(card_id, None)

    def _flush(self, room: Room, card_id: str) -> None:
        latest = self._latest.pop(card_id, None)
        if latest is None:
            return
        peer, frame = latest
        self._last[card_id] = time.monotonic()
        if len(self._last) > DRAG_MEMORY:
            self._last = {card_id: self._last[card_id]}
        text = encode(
            {
                "type": "card.dragging",
                "card_id": frame.card_id,
                "desirability": frame.desirability,
                "feasibility": frame.feasibility,
                "by": peer.member_id,
            }
        )
        for other in list(room.peers):
            if other is not peer:
                other.offer(text, durable=False)


def relay_focus(room: Room, peer: Peer, frame: FieldFocus) -> None:
    """Tell the others who is writing in which field (co-writing awareness)."""
    member = room.state.members.get(peer.member_id)
    if member is None or member.removed:
        raise Forbidden("Personne inconnue dans cet atelier.")
    if frame.field is not None and not room.state.is_text_field(frame.field):
        raise NotFound(f"Champ de texte inconnu : {frame.field}.")
    text = encode({"type": "field.focused", "field": frame.field, "by": member.id, "name": member.display_name})
    team_only = frame.field in DRAFT_FIELDS  # the team's drafts: participants need not know
    for other in list(room.peers):
        if other is not peer and (not team_only or room.is_team(other)):
            other.offer(text, durable=False)
