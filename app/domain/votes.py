"""Dot voting on the cards (issue 6, « choisir les priorités »).

The animateur opens a vote with N dots per person; each person places and removes their dots and
only ever sees their own; nobody, the animateur included, sees a count before the animateur closes
the vote. Then only the totals per card are shown (and kept): a person's ballot is never revealed.
"""

from __future__ import annotations

import typing
from dataclasses import dataclass, field
from typing import Any, ClassVar

VOTES_PER_PERSON_MAX = 20


@dataclass
class DotVote:
    votes_per_person: int
    multiple: bool  # may a person put several of their dots on one card
    step_index: int
    opened_at: float
    open: bool = True
    closed_at: float | None = None
    ballots: dict[str, dict[str, int]] = field(default_factory=dict)  # member → card → dots
    results: dict[str, int] | None = None  # card → dots, set when the vote closes
    voters: int = 0  # people with at least one dot when it closed

    def ballot(self, member_id: str | None) -> dict[str, int]:
        return dict(self.ballots.get(member_id or "", {}))

    def remaining(self, member_id: str | None) -> int:
        return self.votes_per_person - sum(self.ballot(member_id).values())

    def voter_count(self) -> int:
        return sum(1 for ballot in self.ballots.values() if any(ballot.values()))

    def dots(self, card_id: str) -> int | None:
        """The card's total once the vote is closed; None while it is open (hidden from everyone)."""
        return None if self.results is None else self.results.get(card_id, 0)

    def to_dict(self) -> dict[str, Any]:
        return {
            "votes_per_person": self.votes_per_person,
            "multiple": self.multiple,
            "step_index": self.step_index,
            "opened_at": self.opened_at,
            "open": self.open,
            "closed_at": self.closed_at,
            "ballots": {member: dict(ballot) for member, ballot in self.ballots.items()},
            "results": dict(self.results) if self.results is not None else None,
            "voters": self.voters,
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> DotVote:
        return cls(**data)


# -- operations ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class OpenVote:
    votes_per_person: int
    multiple: bool = False


@dataclass(frozen=True)
class CloseVote:
    pass


@dataclass(frozen=True)
class PlaceDot:
    card_id: str


@dataclass(frozen=True)
class RemoveDot:
    card_id: str


VoteOperation = OpenVote | CloseVote | PlaceDot | RemoveDot


# -- events -------------------------------------------------------------------------------------


@dataclass(frozen=True)
class VoteOpened:
    type: ClassVar[str] = "vote.opened"
    votes_per_person: int
    multiple: bool
    step_index: int
    at: float


@dataclass(frozen=True)
class DotPlaced:
    """One dot of `member_id` on a card: only that person is told which; others learn `voters`."""

    type: ClassVar[str] = "vote.dot_placed"
    member_id: str
    card_id: str
    voters: int


@dataclass(frozen=True)
class DotRemoved:
    type: ClassVar[str] = "vote.dot_removed"
    member_id: str
    card_id: str
    voters: int


@dataclass(frozen=True)
class VoteClosed:
    """The totals per card (every card of the vote, 0 included) and how many people voted."""

    type: ClassVar[str] = "vote.closed"
    results: dict[str, int]
    voters: int
    at: float


VoteEvent = VoteOpened | DotPlaced | DotRemoved | VoteClosed
VOTE_EVENTS: dict[str, type[Any]] = {kind.type: kind for kind in typing.get_args(VoteEvent)}
PRIVATE_VOTE_EVENTS = {DotPlaced.type: "member_id", DotRemoved.type: "member_id"}
