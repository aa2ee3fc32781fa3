"""Events of the silent reflection (serialised by `codec`, from their field types)."""

from __future__ import annotations

import typing
from dataclasses import dataclass
from typing import Any, ClassVar

from .items import Idea
from .reflection import PrivateDraft
from .state import Card


@dataclass(frozen=True)
class ReflectionStarted:
    type: ClassVar[str] = "reflection.started"
    step_index: int
    kind: str
    at: float


@dataclass(frozen=True)
class DraftWritten:
    """A private draft created (`reflection.drafted`) or rewritten: only its author sees it.

    `drafts` and `authors` are the counts after it, all that other people are told."""

    type: ClassVar[str] = "reflection.drafted"
    author_id: str
    draft: PrivateDraft
    drafts: int
    authors: int


@dataclass(frozen=True)
class DraftRewritten:
    type: ClassVar[str] = "reflection.draft_updated"
    author_id: str
    draft: PrivateDraft
    drafts: int
    authors: int


@dataclass(frozen=True)
class DraftDeleted:
    type: ClassVar[str] = "reflection.draft_deleted"
    author_id: str
    draft_id: str
    drafts: int
    authors: int


@dataclass(frozen=True)
class DraftsRevealed:
    """Every private draft becomes a card or an idea, for everyone, at once."""

    type: ClassVar[str] = "reflection.revealed"
    anonymous: bool
    at: float
    step_index: int
    kind: str
    cards: tuple[Card, ...]
    ideas: tuple[Idea, ...]


ReflectionEvent = ReflectionStarted | DraftWritten | DraftRewritten | DraftDeleted | DraftsRevealed
REFLECTION_EVENTS: dict[str, type[Any]] = {kind.type: kind for kind in typing.get_args(ReflectionEvent)}
# Events only their author may read whole; the key names the author.
PRIVATE_EVENTS = {DraftWritten.type: "author_id", DraftRewritten.type: "author_id", DraftDeleted.type: "author_id"}
