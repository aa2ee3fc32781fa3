"""The tour de table: who speaks, in which order, and for how long (the kit's « je passe la parole à… »).

A speaking round belongs to the step it started in: the order of the people, the turns given with
their start and end, and the per-person timebox. Rounds are durable (events in the log); ended rounds
stay in the state so the timings of every turn can be read after the atelier.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any

# Per-person timebox when the step says nothing (the kit's tour de table: 10 min for 6–10 people).
DEFAULT_TURN_SECONDS = 60
TURN_SECONDS_MIN = 5
TURN_SECONDS_MAX = 30 * 60
ROUNDS_MAX = 200  # a 1h30 atelier holds a handful; this only bounds a runaway client


@dataclass
class Turn:
    member_id: str
    started_at: float
    ended_at: float | None = None

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Turn:
        return cls(**data)


@dataclass
class SpeakingRound:
    id: str
    step_index: int
    started_at: float
    turn_seconds: int
    order: list[str]
    turns: list[Turn] = field(default_factory=list)
    ended_at: float | None = None

    @property
    def open(self) -> bool:
        return self.ended_at is None

    @property
    def current_turn(self) -> Turn | None:
        """The turn running now, if someone has the floor."""
        if self.turns and self.turns[-1].ended_at is None and self.open:
            return self.turns[-1]
        return None

    @property
    def speaker(self) -> str | None:
        turn = self.current_turn
        return turn.member_id if turn else None

    def has_spoken(self, member_id: str) -> bool:
        return any(turn.member_id == member_id for turn in self.turns)

    def waiting(self) -> list[str]:
        """People of the order who have not had the floor yet, in order."""
        return [member_id for member_id in self.order if not self.has_spoken(member_id)]

    def next_speaker(self) -> str | None:
        """Who « je passe la parole à… » names: the first one after the speaker who has not spoken,
        else the first one before who has not (someone given the floor out of order is not skipped)."""
        waiting = self.waiting()
        if not waiting:
            return None
        speaker = self.speaker or (self.turns[-1].member_id if self.turns else None)
        if speaker in self.order:
            after = self.order[self.order.index(speaker) + 1 :]
            for member_id in after:
                if member_id in waiting:
                    return member_id
        return waiting[0]

    def close_turn(self, at: float) -> None:
        turn = self.current_turn
        if turn is not None:
            turn.ended_at = at

    def to_dict(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "step_index": self.step_index,
            "started_at": self.started_at,
            "turn_seconds": self.turn_seconds,
            "order": list(self.order),
            "turns": [turn.to_dict() for turn in self.turns],
            "ended_at": self.ended_at,
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> SpeakingRound:
        return cls(
            id=data["id"],
            step_index=data["step_index"],
            started_at=data["started_at"],
            turn_seconds=data["turn_seconds"],
            order=list(data["order"]),
            turns=[Turn.from_dict(turn) for turn in data.get("turns", [])],
            ended_at=data.get("ended_at"),
        )


@dataclass
class Speech:
    """Every speaking round of the atelier, the last one possibly still open."""

    rounds: list[SpeakingRound] = field(default_factory=list)

    @property
    def current(self) -> SpeakingRound | None:
        if self.rounds and self.rounds[-1].open:
            return self.rounds[-1]
        return None

    @property
    def speaker(self) -> str | None:
        current = self.current
        return current.speaker if current else None

    def end(self, at: float) -> None:
        """Close the open round and its turn (the animateur ended it, or the step changed)."""
        current = self.current
        if current is not None:
            current.close_turn(at)
            current.ended_at = at

    def to_dict(self) -> dict[str, Any]:
        return {"rounds": [item.to_dict() for item in self.rounds]}

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Speech:
        return cls(rounds=[SpeakingRound.from_dict(item) for item in data.get("rounds", [])])
