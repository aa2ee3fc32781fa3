"""A room's visio signals: raised hands, « mauvaise réception », « j'ai terminé », reactions.

Memory only, by design: they say what is happening now, so nothing of them is written to the
database and a server restart forgets them (people raise their hand again). Every change sends the
whole picture (`signals`), small and encoded once per audience; reactions are relayed (`reaction`)
and rate-limited per person.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from ..domain.errors import Forbidden
from ..domain.signals import Flag, SignalBoard, check_reaction, done_count
from .peer import Peer
from .protocol import encode
from .ratelimit import TokenBucket
from .speech_frames import HandLower, HandRaise, ReactionSend, SignalFrame, SignalSet

if TYPE_CHECKING:
    from .room import Room

# A burst of a few reactions, then one every two seconds: applause, not a flood.
REACTION_BURST = 4
REACTIONS_PER_SECOND = 0.5
BUCKETS_MAX = 1000  # people whose reaction allowance is remembered before the memory is reset


class RateLimited(Exception):
    """A reaction over the person's allowance: dropped, and the sender told."""


class RoomSignals:
    def __init__(self, clock: Callable[[], float] = time.monotonic) -> None:
        self.board = SignalBoard()
        self._clock = clock
        self._buckets: dict[str, TokenBucket] = {}

    def handle(self, room: Room, peer: Peer, frame: SignalFrame) -> None:
        """Apply a signal frame from `peer` (DomainError or RateLimited if refused)."""
        member = room.state.members.get(peer.member_id)
        if member is None or member.removed:
            raise Forbidden("Personne inconnue dans cet atelier.")
        now = room.clock()
        match frame:
            case ReactionSend():
                label = check_reaction(member, frame.emoji)
                if not self._bucket(member.id).allow(self._clock()):
                    raise RateLimited("Trop de réactions : une toutes les deux secondes.")
                message = {"type": "reaction", "by": member.id, "name": member.display_name, "emoji": frame.emoji}
                text = encode(message | {"label": label})
                for other in list(room.peers):
                    other.offer(text, durable=False)
                return
            case HandRaise():
                changed = self.board.raise_hand(member, now)
            case HandLower():
                changed = self.board.lower_hand(member, frame.member_id)
            case SignalSet():
                changed = self.board.set_flag(member, Flag(frame.signal), frame.on, now)
        if changed:
            self.broadcast(room)

    def after_event(self, room: Room, event: dict[str, Any]) -> None:
        """A new step clears « j'ai terminé » (it answered the step that ended); someone given the
        floor has been heard, so their raised hand comes down."""
        if event["type"] == "step.changed":
            self.board.step_changed()
            self.broadcast(room)
        elif event["type"] == "speech.turn_given" and self.board.floor_given(event["member_id"]):
            self.broadcast(room)

    def broadcast(self, room: Room) -> None:
        """Send everyone the current signals (on each change, on presence changes, on a step change).

        The picture is made once per audience; each person's own signals are added per connection
        (a dozen people, a few changes a minute: cheap) so their buttons show what the server holds.
        """
        messages: dict[tuple[bool, bool], dict[str, Any]] = {}
        for peer in list(room.peers):
            key = (room.is_team(peer), peer.html)  # a projection screen is not the team's
            if key not in messages:
                messages[key] = self.message(room, team=key[0], html=key[1])
            peer.offer(encode(messages[key] | {"mine": self.mine(peer.member_id)}), durable=False)

    def mine(self, member_id: str) -> dict[str, bool]:
        board = self.board
        return {"hand": member_id in board.hands} | {str(flag): member_id in board.flags[flag] for flag in Flag}

    def message(self, room: Room, *, team: bool, html: bool) -> dict[str, Any]:
        board = self.board
        message: dict[str, Any] = {
            "type": "signals",
            "hands": [{"member_id": member_id, "at": board.hands[member_id]} for member_id in board.queue()],
        }
        if team:
            done, present = done_count(board, room.state, room.online)
            message |= {
                "bad_connection": board.holders(Flag.BAD_CONNECTION),
                "done": board.holders(Flag.DONE),
                "done_count": {"done": done, "present": present},
            }
        if html:
            message["fragments"] = room.renderer.signals(room.state, board, room.online, team=team)
        return message

    def _bucket(self, member_id: str) -> TokenBucket:
        bucket = self._buckets.get(member_id)
        if bucket is None:
            if len(self._buckets) >= BUCKETS_MAX:
                self._buckets.clear()
            bucket = self._buckets[member_id] = TokenBucket(REACTION_BURST, REACTIONS_PER_SECOND)
        return bucket
