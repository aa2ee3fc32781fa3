"""Ephemeral signals of the kit's visio etiquette: raise a hand, cross the arms for a bad connection,
react with an emoji; and « j'ai terminé » during individual work.

They live in the room's memory only (never in the log): a server restart forgets them, as a visio
forgets raised hands when the call drops. The rules of who may signal what are here, pure.
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass, field
from enum import StrEnum

from .errors import Forbidden, InvalidOperation, NotFound
from .roles import ANIMATEURS, Role
from .state import AtelierState, Member

# The reactions on offer, with what a screen reader says of them.
REACTIONS: dict[str, str] = {
    "👍": "d'accord",
    "👏": "bravo",
    "❤️": "j'adore",
    "😮": "surprise",
    "🤔": "je m'interroge",
}


class Flag(StrEnum):
    BAD_CONNECTION = "bad_connection"  # the kit's crossed arms: « mauvaise réception »
    DONE = "done"  # « j'ai terminé » during individual work


@dataclass
class SignalBoard:
    """Raised hands (in the order they were raised) and flags, per member id, with when they were set."""

    hands: dict[str, float] = field(default_factory=dict)
    flags: dict[Flag, dict[str, float]] = field(default_factory=lambda: {flag: {} for flag in Flag})

    def raise_hand(self, member: Member, now: float) -> bool:
        """True if it changed something (a hand raised twice keeps its place in the queue)."""
        _may_signal(member)
        if member.id in self.hands:
            return False
        self.hands[member.id] = now
        return True

    def lower_hand(self, actor: Member, target_id: str | None = None) -> bool:
        target = target_id or actor.id
        if target != actor.id and actor.role not in ANIMATEURS:
            raise Forbidden("Seuls les animateurs baissent la main d'une autre personne.")
        if target != actor.id and target not in self.hands:
            raise NotFound("Cette personne n'a pas la main levée.")
        return self.hands.pop(target, None) is not None

    def floor_given(self, member_id: str | None) -> bool:
        """Someone given the floor has been heard: their raised hand comes down (True if it was up)."""
        return member_id is not None and self.hands.pop(member_id, None) is not None

    def set_flag(self, member: Member, flag: Flag, on: bool, now: float) -> bool:
        _may_signal(member)
        holders = self.flags[flag]
        if on == (member.id in holders):
            return False
        if on:
            holders[member.id] = now
        else:
            del holders[member.id]
        return True

    def queue(self) -> list[str]:
        """Raised hands, first raised first."""
        return sorted(self.hands, key=lambda member_id: self.hands[member_id])

    def holders(self, flag: Flag) -> list[str]:
        return sorted(self.flags[flag], key=lambda member_id: self.flags[flag][member_id])

    def step_changed(self) -> None:
        """« J'ai terminé » answers one step's consigne: a new step starts with nobody done."""
        self.flags[Flag.DONE].clear()

    def forget(self, member_id: str) -> None:
        self.hands.pop(member_id, None)
        for holders in self.flags.values():
            holders.pop(member_id, None)


def done_count(board: SignalBoard, state: AtelierState, online: Collection[str]) -> tuple[int, int]:
    """(done, present) among the participants present: the animateur's « 6/8 ont terminé »."""
    present = {
        member_id
        for member_id in online
        if member_id in state.members and state.members[member_id].role == Role.PARTICIPANT
    }
    done = present & set(board.flags[Flag.DONE])
    return len(done), len(present)


def check_reaction(member: Member, emoji: str) -> str:
    """The reaction's spoken label, or a refusal."""
    _may_signal(member)
    if emoji not in REACTIONS:
        raise InvalidOperation("Réaction inconnue.")
    return REACTIONS[emoji]


def _may_signal(member: Member) -> None:
    if member.role == Role.OBSERVER:
        raise Forbidden("Les observateurs suivent l'atelier sans signaler.")
