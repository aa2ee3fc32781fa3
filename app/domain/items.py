"""The things Formats 2 and 3 produce: the atelier's subject, reformulations, engagement ideas,
sous-actions and the feuille de route's étapes."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any


@dataclass
class Subject:
    """The atelier's carte sujet; `source` names the Format 1 card it came from, if any."""

    title: str
    description: str
    source: dict[str, str] | None = None  # {"atelier_id", "card_id"}

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Subject:
        return cls(**data)


@dataclass
class Reformulation:
    """One person's « Je reformule et précise le sujet »: an answer per prompt."""

    id: str
    author_id: str
    created_at: float
    answers: dict[str, str]

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Reformulation:
        return cls(**data)


@dataclass
class Idea:
    """An engagement idea attached to one of the kit's questions."""

    id: str
    author_id: str
    created_at: float
    question: str
    text: str
    anonymous: bool = False  # revealed without its author (author_id is then empty)

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Idea:
        return cls(**data)


@dataclass
class SousAction:
    """A sous-action; its wording is a co-written text field `sous_action:<id>`."""

    id: str
    author_id: str
    created_at: float
    merged_into: str | None = None

    @property
    def field(self) -> str:
        return sous_action_field(self.id)

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> SousAction:
        return cls(**data)


def sous_action_field(sous_action_id: str) -> str:
    return f"sous_action:{sous_action_id}"


@dataclass
class Etape:
    """A step of the feuille de route: when it starts, how long, who leads it, what it yields."""

    id: str
    author_id: str
    title: str
    sous_action_id: str | None = None
    start: str = ""  # "2026", "2026-T2" (quarter) or "2026-05" (month)
    duration_months: int | None = None
    owner: str = ""  # pilote
    livrable: str = ""

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Etape:
        return cls(**data)


@dataclass
class Roadmap:
    """The feuille de route: a horizon and étapes in chronological order."""

    horizon_start: int | None = None  # years; the kit's 2021–2023 is one example
    horizon_end: int | None = None
    etapes: list[Etape] = field(default_factory=list)

    def index_of(self, etape_id: str) -> int | None:
        for index, etape in enumerate(self.etapes):
            if etape.id == etape_id:
                return index
        return None

    def to_dict(self) -> dict[str, Any]:
        return {
            "horizon_start": self.horizon_start,
            "horizon_end": self.horizon_end,
            "etapes": [etape.to_dict() for etape in self.etapes],
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Roadmap:
        return cls(data["horizon_start"], data["horizon_end"], [Etape.from_dict(e) for e in data["etapes"]])
