"""Events of the tour de table (serialised by `codec`, from their field types)."""

from __future__ import annotations

import typing
from dataclasses import dataclass
from typing import Any, ClassVar

from .speech import SpeakingRound


@dataclass(frozen=True)
class RoundStarted:
    type: ClassVar[str] = "speech.round_started"
    round: SpeakingRound


@dataclass(frozen=True)
class SpeakingOrderSet:
    type: ClassVar[str] = "speech.order_set"
    order: list[str]


@dataclass(frozen=True)
class TurnGiven:
    """The floor passes to `member_id` (None: the last turn ends, nobody speaks).

    `update` appends « Parole à X. » to the step's notes (a CRDT update made once, then replayed),
    so what the complice types next reads under the speaker's name.
    """

    type: ClassVar[str] = "speech.turn_given"
    member_id: str | None
    at: float
    field: str
    update: bytes


@dataclass(frozen=True)
class TurnTimeSet:
    type: ClassVar[str] = "speech.turn_time_set"
    turn_seconds: int


@dataclass(frozen=True)
class RoundEnded:
    type: ClassVar[str] = "speech.round_ended"
    at: float


SpeechEvent = RoundStarted | SpeakingOrderSet | TurnGiven | TurnTimeSet | RoundEnded
SPEECH_EVENTS: dict[str, type[Any]] = {kind.type: kind for kind in typing.get_args(SpeechEvent)}
