"""The animateur guiding the room, ephemerally: the « Plus que 2 minutes » warning and « tout le monde me suit ».

Nothing here is stored: a warning is about this very moment (replaying it to someone who reconnects
three minutes later would be wrong), and where the animateur is looking changes every second.
Only animateurs may send these frames; everyone connected receives them.
"""

from __future__ import annotations

from typing import Protocol

from ..domain.errors import Forbidden
from ..domain.roles import ANIMATEURS
from ..domain.state import AtelierState
from .guidance_frames import FollowLead, FollowStop, TimerWarn
from .peer import Peer
from .protocol import encode


class GuidedRoom(Protocol):
    """What these relays need of a room."""

    state: AtelierState
    peers: set[Peer]


def relay_guidance(room: GuidedRoom, peer: Peer, frame: TimerWarn | FollowLead | FollowStop) -> None:
    member = room.state.members.get(peer.member_id)
    if member is None or member.removed or member.role not in ANIMATEURS or peer.projection:
        raise Forbidden("Seuls les animateurs guident la salle.")
    by = {"by": member.id, "name": member.display_name}
    if isinstance(frame, TimerWarn):
        # The sender sees it too: the same cue everyone gets confirms it went out.
        text = encode({"type": "timer.warned", "minutes": frame.minutes, **by})
        for other in list(room.peers):
            other.offer(text, durable=False)
        return
    if isinstance(frame, FollowLead):
        message = {"type": "follow.view", "panel": frame.panel, "offset": frame.offset, "summon": frame.summon}
        text = encode(message | by)
    else:
        text = encode({"type": "follow.stopped", **by})
    for other in list(room.peers):
        if other is not peer:
            other.offer(text, durable=False)
