"""Operations: what an actor asks the atelier to do. Validated shapes come from the edge."""

from __future__ import annotations

from dataclasses import dataclass

from .roles import Role


@dataclass(frozen=True)
class JoinMember:
    member_id: str
    first_name: str
    last_name: str
    structure: str
    role: Role


@dataclass(frozen=True)
class SetRole:
    member_id: str
    role: Role


@dataclass(frozen=True)
class GotoStep:
    index: int


@dataclass(frozen=True)
class NextStep:
    pass


@dataclass(frozen=True)
class PreviousStep:
    pass


@dataclass(frozen=True)
class StartTimer:
    pass


@dataclass(frozen=True)
class PauseTimer:
    pass


@dataclass(frozen=True)
class AddTime:
    seconds: int


@dataclass(frozen=True)
class ResetTimer:
    pass


@dataclass(frozen=True)
class CreateCard:
    card_id: str
    title: str
    description: str


@dataclass(frozen=True)
class UpdateCard:
    card_id: str
    title: str
    description: str


@dataclass(frozen=True)
class DeleteCard:
    card_id: str


@dataclass(frozen=True)
class PlaceCard:
    """Drop a card on the matrice (None, None takes it off)."""

    card_id: str
    desirability: float | None
    feasibility: float | None


@dataclass(frozen=True)
class MarkPriority:
    card_id: str
    priority: bool


@dataclass(frozen=True)
class UpdateText:
    field: str
    update: bytes


Operation = (
    JoinMember
    | SetRole
    | GotoStep
    | NextStep
    | PreviousStep
    | StartTimer
    | PauseTimer
    | AddTime
    | ResetTimer
    | CreateCard
    | UpdateCard
    | DeleteCard
    | PlaceCard
    | MarkPriority
    | UpdateText
)
