"""Operations of the tour de table (only the animateurs may ask for them)."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class StartRound:
    """Start a tour de table with the people present (filled in by the server, not the client).

    `seed` makes the shuffle a pure function of the operation: the server draws it once.
    """

    round_id: str
    present: tuple[str, ...] = ()
    turn_seconds: int | None = None  # None: the step's per-person time, else the default
    shuffle: bool = False
    seed: int = 0


@dataclass(frozen=True)
class ShuffleRound:
    """Shuffle the people who have not spoken yet."""

    seed: int = 0


@dataclass(frozen=True)
class MoveSpeaker:
    """Put a person at `index` of the order (added if not in it yet)."""

    member_id: str
    index: int


@dataclass(frozen=True)
class RemoveSpeaker:
    member_id: str


@dataclass(frozen=True)
class GiveTurn:
    """« Je passe la parole à… »: to `member_id`, or to the next one in order when None."""

    member_id: str | None = None


@dataclass(frozen=True)
class SetTurnTime:
    turn_seconds: int


@dataclass(frozen=True)
class EndRound:
    pass


SpeechOperation = StartRound | ShuffleRound | MoveSpeaker | RemoveSpeaker | GiveTurn | SetTurnTime | EndRound
