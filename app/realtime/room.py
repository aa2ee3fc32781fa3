"""A room: one atelier's live state, its connected peers, and the order of its operations.

Operations are serialised by one worker task: decide and apply in memory, append the
batch to the log in one transaction, and only then acknowledge and broadcast. If the
append fails, the room reloads from storage and nothing is acknowledged.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from ..domain.errors import DomainError, Forbidden, Removed
from ..domain.events import event_from_dict, event_to_dict
from ..domain.operations import Operation
from ..domain.rules import decide, evolve
from ..domain.state import AtelierState
from ..domain.views import event_view, personal, private_author, shows_actor, state_view
from .fragments import FragmentRenderer
from .outcomes import InternalError, RoomClosed, StorageUnavailable, _Pending, _Poison, error_frame
from .peer import CLOSE_REMOVED, Peer
from .ports import LogEntry, OpStore, StoredAtelier
from .protocol import PROTOCOL_VERSION, CardDrag, FieldFocus, encode
from .relays import DragRelay, relay_focus
from .signals import RoomSignals

log = logging.getLogger(__name__)

BATCH_MAX = 100  # operations committed in one transaction under load
REPLAY_MAX = 500  # beyond this gap a reconnecting client gets a snapshot instead of events


@dataclass
class Room:
    atelier_id: str
    store: OpStore
    renderer: FragmentRenderer
    state: AtelierState
    seq: int
    op_ids: dict[tuple[str, str], int]  # (actor, client op id) → seq: ids are unique per client
    snapshot_every: int = 200
    clock: Callable[[], float] = time.time
    peers: set[Peer] = field(default_factory=set)
    idle_since: float = field(default_factory=time.monotonic)
    _since_snapshot: int = 0
    _queue: asyncio.Queue[_Pending] = field(default_factory=asyncio.Queue)
    _lock: asyncio.Lock = field(default_factory=asyncio.Lock)
    _worker: asyncio.Task[None] | None = None
    drags: DragRelay = field(default_factory=DragRelay)
    closed: bool = False
    signals: RoomSignals = field(default_factory=RoomSignals)  # hands, flags, reactions: memory only

    # -- lifecycle -------------------------------------------------------------------------

    @classmethod
    async def load(cls, atelier_id: str, store: OpStore, renderer: FragmentRenderer, **options: Any) -> Room | None:
        stored = await asyncio.to_thread(store.load, atelier_id)
        if stored is None:
            return None
        state, seq = _rebuild(stored)
        room = cls(atelier_id, store, renderer, state, seq, stored.op_ids, **options)
        room._since_snapshot = len(stored.entries)
        room._worker = asyncio.create_task(room._run(), name=f"room-{atelier_id}")
        return room

    async def stop(self) -> None:
        self.closed = True
        if self._worker is not None:
            self._worker.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._worker
        for peer in list(self.peers):
            await peer.stop()
        self.peers.clear()

    def consistent(self) -> asyncio.Lock:
        """Hold it to read state and seq that are both durable (no batch half-way through)."""
        return self._lock

    @property
    def busy(self) -> bool:
        return bool(self.peers) or not self._queue.empty() or self._lock.locked()

    # -- membership ------------------------------------------------------------------------

    async def join(self, peer: Peer, last_seq: int) -> None:
        """Welcome `peer`, bring it up to date from `last_seq`, then let it receive broadcasts."""
        async with self._lock:
            if self.closed:
                raise RoomClosed("Salle rechargée : reconnexion.")
            member = self.state.members.get(peer.member_id)
            if member is None:
                raise Forbidden("Personne inconnue dans cet atelier.")
            if member.removed:
                raise Removed("Vous avez été retiré de l'atelier.")
            peer.offer(
                encode(
                    {
                        "type": "welcome",
                        "protocol": PROTOCOL_VERSION,
                        "member": member.to_dict() if member.is_animation_team else member.public_dict(),
                        "seq": self.seq,
                        "server_time": self.clock() * 1000,
                    }
                )
            )
            await self._catch_up(peer, last_seq)
            peer.offer(encode({"type": "synced", "seq": self.seq}))
            self.peers.add(peer)
        self._presence_changed()

    def leave(self, peer: Peer) -> None:
        if peer in self.peers:
            self.peers.discard(peer)
            self.idle_since = time.monotonic()
            self._presence_changed()

    @property
    def online(self) -> set[str]:
        return {peer.member_id for peer in self.peers}

    async def _catch_up(self, peer: Peer, last_seq: int) -> None:
        if last_seq == self.seq:
            return
        # A replay longer than the peer's outbox holds would close it as a laggard before it could read
        # a frame, and again on every reconnection: beyond that, one snapshot instead. Room is kept for
        # `synced` and the `presence` that follow.
        replayable = min(REPLAY_MAX, peer.room_left - 2)
        if 0 < last_seq < self.seq and self.seq - last_seq <= replayable:
            entries = await asyncio.to_thread(self.store.entries_since, self.atelier_id, last_seq, REPLAY_MAX)
            team = self.is_team(peer)
            for entry in entries:  # as the peer's own person: their drafts whole, others' reduced to counts
                peer.offer(self._event_message(entry, team=team, html=peer.html, viewer=_viewer(peer)))
            return
        peer.offer(self.snapshot_message(peer))

    def snapshot_message(self, peer: Peer) -> str:
        team = self.is_team(peer)
        message: dict[str, Any] = {
            "type": "snapshot",
            "seq": self.seq,
            "server_time": self.clock() * 1000,
            "state": state_view(self.state, team=team, viewer=_viewer(peer)),
        }
        if peer.html:
            online = self.online | {peer.member_id}
            message["fragments"] = self.renderer.full(self.state, online, team=team, viewer=_viewer(peer))
        return encode(message)

    def is_team(self, peer: Peer) -> bool:
        """Whether this connection sees what the équipe d'animation sees (never a projection screen)."""
        if peer.projection:
            return False
        member = self.state.members.get(peer.member_id)
        return member is not None and member.is_animation_team

    # -- durable operations ----------------------------------------------------------------

    def submit(self, op_id: str, op: Operation, actor: str, peer: Peer | None = None) -> None:
        """Queue an operation; the peer gets an ack or an error frame."""
        self._queue.put_nowait(_Pending(op_id, op, actor, peer))

    async def submit_and_wait(self, op_id: str, op: Operation, actor: str) -> int:
        """Queue an operation and wait until it is durable; its seq, or the DomainError."""
        future: asyncio.Future[int] = asyncio.get_running_loop().create_future()
        self._queue.put_nowait(_Pending(op_id, op, actor, None, future))
        return await future

    async def _run(self) -> None:
        while True:
            batch = [await self._queue.get()]
            while len(batch) < BATCH_MAX and not self._queue.empty():
                batch.append(self._queue.get_nowait())
            async with self._lock:
                await self._process(batch)

    async def _process(self, batch: list[_Pending]) -> None:
        try:
            accepted, twins, replies = self._apply(batch)
        except _Poison as poison:
            # A bug in a rule, not a refusal: drop this operation, forget the batch's changes
            # in memory (none is durable yet), and redo the others.
            log.exception("room %s: operation %s failed unexpectedly", self.atelier_id, poison.pending.op_id)
            await self._reload()
            poison.pending.fail(InternalError("Erreur interne : opération refusée."))
            await self._process([pending for pending in batch if pending is not poison.pending])
            return
        for pending, reply in replies:  # re-acks of stored ids and refusals: settled, answer now
            if isinstance(reply, DomainError):
                pending.fail(reply)
            else:
                pending.succeed(reply)
        if not accepted:
            return
        try:
            await asyncio.to_thread(self.store.append, self.atelier_id, [entry for _, entry in accepted])
        except Exception:
            log.exception("room %s: could not persist %d operations; reloading", self.atelier_id, len(accepted))
            await self._reload()
            for pending in [pending for pending, _ in accepted] + twins:
                pending.fail(StorageUnavailable("Enregistrement impossible pour l'instant : réessai automatique."))
            return
        # Durable now: record every id before telling anyone, so a retry can never apply twice.
        for pending, entry in accepted:
            self.op_ids[(pending.actor, pending.op_id)] = entry.seq
        for pending, entry in accepted:
            pending.succeed(entry.seq)
            try:
                self._broadcast(entry)
            except Exception:  # a rendering bug must not cost the others their events
                log.exception("room %s: broadcast of seq %d failed", self.atelier_id, entry.seq)
        for pending in twins:
            pending.succeed(self.op_ids[(pending.actor, pending.op_id)])
        self._since_snapshot += len(accepted)
        if self._since_snapshot >= self.snapshot_every:
            await self._snapshot()

    def _apply(
        self, batch: list[_Pending]
    ) -> tuple[list[tuple[_Pending, LogEntry]], list[_Pending], list[tuple[_Pending, int | DomainError]]]:
        """Decide and apply each operation in memory.

        Returns the entries to persist, same-id repeats within the batch, and the answers already
        settled (re-acks, refusals). Nothing is sent from here: if a later operation turns out
        poisoned, the batch is redone and nobody must have been answered twice.
        """
        accepted: list[tuple[_Pending, LogEntry]] = []
        twins: list[_Pending] = []
        replies: list[tuple[_Pending, int | DomainError]] = []
        seen: set[tuple[str, str]] = set()
        for pending in batch:
            key = (pending.actor, pending.op_id)
            if key in self.op_ids:
                replies.append((pending, self.op_ids[key]))  # already durable: re-acknowledge, never re-apply
                continue
            if key in seen:
                twins.append(pending)
                continue
            now = self.clock()
            try:
                event = decide(self.state, pending.op, pending.actor, now)
            except DomainError as error:
                replies.append((pending, error))
                continue
            except Exception as error:
                raise _Poison(pending) from error
            try:
                evolve(self.state, event)
            except Exception as error:
                raise _Poison(pending) from error
            self.seq += 1
            seen.add(key)
            accepted.append((pending, LogEntry(self.seq, pending.op_id, pending.actor, event_to_dict(event), now)))
        return accepted, twins, replies

    async def _reload(self) -> None:
        stored = await asyncio.to_thread(self.store.load, self.atelier_id)
        if stored is not None:
            self.state, self.seq = _rebuild(stored)
            self.op_ids = stored.op_ids

    async def _snapshot(self) -> None:
        try:
            await asyncio.to_thread(self.store.save_snapshot, self.atelier_id, self.seq, self.state.to_dict())
            self._since_snapshot = 0
        except Exception:  # the log is the source of truth: a missed snapshot only slows the next load
            log.exception("room %s: snapshot failed", self.atelier_id)

    # -- fan-out ---------------------------------------------------------------------------

    def _event_message(self, entry: LogEntry, *, team: bool, html: bool, viewer: str | None = None) -> str:
        """The event frame for an audience; `viewer` set: for that one person (their drafts, their dots)."""
        named = shows_actor(entry.event, self.state, team=team, viewer=viewer)
        message: dict[str, Any] = {
            "type": "event",
            "seq": entry.seq,
            "id": entry.op_id if named else None,  # a client's op ids could tell who answered
            "actor": entry.actor if named else None,
            "at": entry.at,
            "event": event_view(entry.event, team=team, anonymous=self.state.questionnaire.anonymous, viewer=viewer),
        }
        if html:
            message["fragments"] = self.renderer.for_event(
                self.state, entry.event, self.online, team=team, viewer=viewer
            )
        return encode(message)

    def _broadcast(self, entry: LogEntry) -> None:
        card_id = entry.event.get("card_id")
        if card_id is not None:
            self.drags.forget(card_id)
        # Encode once per audience, not once per connection. A private event (a draft, a dot) has one
        # more audience, its author; a personal one is encoded for each person.
        author = private_author(entry.event)
        each = author is None and personal(entry.event, self.state)
        encoded: dict[tuple[bool, bool, str | None], str] = {}
        for peer in list(self.peers):
            viewer = _viewer(peer) if each or peer.member_id == author else None
            key = (self.is_team(peer), peer.html, viewer)
            if key not in encoded:
                encoded[key] = self._event_message(entry, team=key[0], html=key[1], viewer=viewer)
            peer.offer(encoded[key])
        if entry.event["type"] == "member.role_set":
            self._refresh_member(entry.event["member_id"])
        self.signals.after_event(self, entry.event)  # a new step, a turn given: the signals follow
        if entry.event["type"] == "member.removed":
            self._show_out(entry.event["member_id"])

    def _refresh_member(self, member_id: str) -> None:
        """A person whose role changed sees a different room: send them a whole new picture."""
        for peer in list(self.peers):
            if peer.member_id == member_id:
                peer.offer(encode({"type": "role.changed", "role": self.state.members[member_id].role}))
                peer.offer(self.snapshot_message(peer))

    def _show_out(self, member_id: str) -> None:
        """Close every connection of a removed person, telling them why; the others carry on."""
        frame = encode(error_frame("removed", "Vous avez été retiré de l'atelier."))
        for peer in [peer for peer in self.peers if peer.member_id == member_id]:
            peer.offer(frame)
            peer.close_after_outbox(CLOSE_REMOVED)
            self.peers.discard(peer)
        self.signals.board.forget(member_id)  # a raised hand leaves with its owner
        self._presence_changed()

    def _presence_changed(self) -> None:
        online = self.online
        encoded: dict[tuple[bool, bool], str] = {}
        for peer in list(self.peers):
            key = (self.is_team(peer), peer.html)
            if key not in encoded:
                message: dict[str, Any] = {"type": "presence", "online": sorted(online)}
                if peer.html:
                    message["fragments"] = self.renderer.presence(self.state, online, team=key[0])
                encoded[key] = encode(message)
            peer.offer(encoded[key])
        self.signals.broadcast(self)  # the count of participants present changed; a newcomer needs the picture

    # -- ephemeral -------------------------------------------------------------------------

    def relay_drag(self, peer: Peer, frame: CardDrag) -> None:
        self.drags.relay(self, peer, frame)

    def relay_focus(self, peer: Peer, frame: FieldFocus) -> None:
        relay_focus(self, peer, frame)


def _viewer(peer: Peer) -> str | None:
    """Whose private drafts and ballot a connection may see: nobody's on a projection screen."""
    return None if peer.projection else peer.member_id


def _rebuild(stored: StoredAtelier) -> tuple[AtelierState, int]:
    state = AtelierState.from_dict(stored.snapshot) if stored.snapshot else AtelierState.new(**stored.seed)
    seq = stored.snapshot_seq
    for entry in stored.entries:
        evolve(state, event_from_dict(entry.event))
        seq = entry.seq
    return state, seq
