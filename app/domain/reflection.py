"""Silent individual reflection (issue 6): private drafts, then a reveal to everyone at once.

While the animateur keeps a reflection open, the cards (Format 1) or engagement ideas (Format 2)
people write in its step are *private drafts*: the log keeps every word, but only their author
ever sees them (app.domain.views filters them out of every other audience) until the animateur
reveals them all together, possibly without authors. Moving to another step reveals nothing and
loses nothing: the drafts wait, the room keeps offering the reveal.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any

CARDS = "cards"
IDEAS = "ideas"
KINDS = (CARDS, IDEAS)
# The steps where the kit asks for « 5 min de réflexion individuelle et silencieuse », by format.
KIT_SILENT_STEPS = {"1": "identifier", "2": "engagements"}


def kit_asks_reflection(format_key: str, step_key: str) -> bool:
    return KIT_SILENT_STEPS.get(format_key) == step_key


@dataclass
class PrivateDraft:
    """A card or an idea only its author sees, until the reveal."""

    id: str
    author_id: str
    created_at: float
    kind: str  # CARDS or IDEAS
    title: str = ""  # a card's title and description
    description: str = ""
    question: str = ""  # an idea's question key and text
    text: str = ""

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> PrivateDraft:
        return cls(**data)


@dataclass
class Reveal:
    """One reveal, for the deliverable: where, how many, and whether authors were dropped."""

    step_index: int
    kind: str
    anonymous: bool
    at: float
    count: int

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Reveal:
        return cls(**data)


@dataclass
class Reflection:
    open: bool = False
    step_index: int = 0
    kind: str = CARDS
    started_at: float = 0.0
    drafts: dict[str, PrivateDraft] = field(default_factory=dict)
    reveals: list[Reveal] = field(default_factory=list)

    def accepts(self, step_index: int, kind: str) -> bool:
        """Whether a new card/idea written now becomes a private draft."""
        return self.open and self.step_index == step_index and self.kind == kind

    def counts(self) -> tuple[int, int]:
        """(drafts, authors): all the others may know before the reveal."""
        return len(self.drafts), len({draft.author_id for draft in self.drafts.values()})

    def of(self, member_id: str | None) -> list[PrivateDraft]:
        return [draft for draft in self.drafts.values() if draft.author_id == member_id]

    def to_dict(self) -> dict[str, Any]:
        return {
            "open": self.open,
            "step_index": self.step_index,
            "kind": self.kind,
            "started_at": self.started_at,
            "drafts": [draft.to_dict() for draft in self.drafts.values()],
            "reveals": [reveal.to_dict() for reveal in self.reveals],
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Reflection:
        return cls(
            open=data["open"],
            step_index=data["step_index"],
            kind=data["kind"],
            started_at=data["started_at"],
            drafts={d["id"]: PrivateDraft.from_dict(d) for d in data["drafts"]},
            reveals=[Reveal.from_dict(r) for r in data["reveals"]],
        )


# -- operations ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class StartReflection:
    pass


@dataclass(frozen=True)
class RevealDrafts:
    anonymous: bool = False


ReflectionOperation = StartReflection | RevealDrafts
