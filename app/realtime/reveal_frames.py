"""Client frames of the silent reflection and the dot vote, and the operations they ask for.

Drafts themselves travel as `card.create`/`idea.create` (and their update/delete): the rules make
them private while a reflection is open, so the writing forms stay the same.
"""

from __future__ import annotations

from typing import Literal

from ..domain import reflection, votes
from ..domain.operations import Operation
from .frames import CardId, _Op


class ReflectionStart(_Op):
    type: Literal["reflection.start"]


class ReflectionReveal(_Op):
    type: Literal["reflection.reveal"]
    anonymous: bool = False


class VoteOpen(_Op):
    type: Literal["vote.open"]
    votes_per_person: int
    multiple: bool = False


class VoteClose(_Op):
    type: Literal["vote.close"]


class VotePlace(_Op):
    type: Literal["vote.place"]
    card_id: CardId


class VoteRemove(_Op):
    type: Literal["vote.remove"]
    card_id: CardId


RevealFrame = ReflectionStart | ReflectionReveal | VoteOpen | VoteClose | VotePlace | VoteRemove


def reveal_operation(frame: RevealFrame) -> Operation:
    match frame:
        case ReflectionStart():
            return reflection.StartReflection()
        case ReflectionReveal():
            return reflection.RevealDrafts(anonymous=frame.anonymous)
        case VoteOpen():
            return votes.OpenVote(votes_per_person=frame.votes_per_person, multiple=frame.multiple)
        case VoteClose():
            return votes.CloseVote()
        case VotePlace():
            return votes.PlaceDot(card_id=frame.card_id)
        case VoteRemove():
            return votes.RemoveDot(card_id=frame.card_id)
    raise TypeError(f"not a reveal frame: {frame!r}")  # pragma: no cover - the union is exhaustive
