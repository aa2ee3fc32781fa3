"""Client frames of the tour de table (durable) and of the visio signals (ephemeral).

The shuffle's seed is drawn here, at the edge, so the domain stays a pure function of the operation;
the people present are added by the endpoint, which knows who is connected.
"""

from __future__ import annotations

import secrets
from typing import Literal

from pydantic import Field

from ..domain import speech_operations as ops
from .frames import CardId, _Frame, _Op

# -- the tour de table (durable) -------------------------------------------------------------


class SpeechStart(_Op):
    type: Literal["speech.start"]
    turn_seconds: int | None = None
    shuffle: bool = False


class SpeechShuffle(_Op):
    type: Literal["speech.shuffle"]


class SpeechMove(_Op):
    type: Literal["speech.move"]
    member_id: CardId
    index: int


class SpeechRemove(_Op):
    type: Literal["speech.remove"]
    member_id: CardId


class SpeechNext(_Op):
    type: Literal["speech.next"]


class SpeechGive(_Op):
    type: Literal["speech.give"]
    member_id: CardId


class SpeechTimebox(_Op):
    type: Literal["speech.timebox"]
    turn_seconds: int


class SpeechEnd(_Op):
    type: Literal["speech.end"]


SpeechFrame = (
    SpeechStart | SpeechShuffle | SpeechMove | SpeechRemove | SpeechNext | SpeechGive | SpeechTimebox | SpeechEnd
)


def speech_operation(frame: SpeechFrame) -> ops.SpeechOperation:
    match frame:
        case SpeechStart():
            return ops.StartRound(frame.id, (), frame.turn_seconds, frame.shuffle, secrets.randbits(32))
        case SpeechShuffle():
            return ops.ShuffleRound(seed=secrets.randbits(32))
        case SpeechMove():
            return ops.MoveSpeaker(frame.member_id, frame.index)
        case SpeechRemove():
            return ops.RemoveSpeaker(frame.member_id)
        case SpeechNext():
            return ops.GiveTurn()
        case SpeechGive():
            return ops.GiveTurn(frame.member_id)
        case SpeechTimebox():
            return ops.SetTurnTime(frame.turn_seconds)
        case SpeechEnd():
            return ops.EndRound()
    raise TypeError(f"not a speech frame: {frame!r}")  # pragma: no cover - the union is exhaustive


# -- visio signals (ephemeral: no id, never stored) ------------------------------------------


class HandRaise(_Frame):
    type: Literal["hand.raise"]


class HandLower(_Frame):
    type: Literal["hand.lower"]
    member_id: CardId | None = None  # someone else's hand: animateurs only


class SignalSet(_Frame):
    type: Literal["signal.set"]
    signal: Literal["bad_connection", "done"]
    on: bool


class ReactionSend(_Frame):
    type: Literal["reaction.send"]
    emoji: str = Field(max_length=8)  # one of the domain's REACTIONS (checked there, in French)


SignalFrame = HandRaise | HandLower | SignalSet | ReactionSend
SIGNAL_TYPES = ["hand.raise", "hand.lower", "signal.set", "reaction.send"]
