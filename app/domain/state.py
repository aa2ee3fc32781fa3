"""The atelier's state: what a room holds in memory and a snapshot stores."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any

from . import limits
from .cleaning import clean_line
from .deroule import Deroule, Step
from .formats import get_format
from .items import Idea, Reformulation, Roadmap, SousAction, Subject, sous_action_field
from .kit_tools import canevas_fields
from .questionnaire import Questionnaire
from .reflection import Reflection
from .roles import ANIMATION_TEAM, Role
from .speech import Speech
from .texts import TextFields
from .timer import Timer
from .votes import DotVote


def card_text(title: str, description: str) -> tuple[str, str]:
    """A card's title and description as people typed them, cleaned, or InvalidOperation."""
    title = clean_line(title, "Le titre", limits.CARD_TITLE_MAX, required=True)
    description = clean_line(description, "La description", limits.CARD_DESCRIPTION_MAX, required=False)
    return title, description


# Texts the animation team writes after the atelier (compte rendu, réseau social post, thank-you mail).
DRAFT_FIELDS = ("compte_rendu", "post", "mail")


@dataclass
class Member:
    id: str
    first_name: str
    last_name: str
    structure: str
    role: Role
    joined_at: float
    email: str = ""  # optional, to receive the compte rendu; the animation team's to see
    # Removed by the référent: their secret opens nothing any more, their contributions stay.
    removed: bool = False

    @property
    def display_name(self) -> str:
        """What everyone sees: first name and initial (full names are for the animation team)."""
        initial = f" {self.last_name[:1].upper()}." if self.last_name else ""
        return f"{self.first_name}{initial}"

    @property
    def full_name(self) -> str:
        return f"{self.first_name} {self.last_name}".strip()

    @property
    def is_animation_team(self) -> bool:
        return self.role in ANIMATION_TEAM and not self.removed

    def to_dict(self) -> dict[str, Any]:
        return asdict(self) | {"role": str(self.role)}

    def public_dict(self) -> dict[str, Any]:
        """The member as people outside the animation team may see them."""
        return {"id": self.id, "display_name": self.display_name, "role": str(self.role)}

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Member:
        return cls(**(data | {"role": Role(data["role"])}))


@dataclass
class Card:
    id: str
    title: str
    description: str
    author_id: str
    created_at: float
    desirability: float | None = None  # 0..1, None while not on the matrice
    feasibility: float | None = None
    priority: bool = False
    anonymous: bool = False  # revealed without its author (author_id is then empty)
    # Who had the floor when the card was typed for them (tour de table), if not its author alone.
    speaker_id: str | None = None

    @property
    def placed(self) -> bool:
        return self.desirability is not None and self.feasibility is not None

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Card:
        return cls(**data)


@dataclass
class AtelierState:
    atelier_id: str
    title: str
    administration: str
    date: str | None
    format_key: str
    step_index: int = 0
    # The step before the current one and when the change happened: its tools stay open a grace period.
    previous_step_index: int | None = None
    step_changed_at: float = 0.0
    timer: Timer = field(default_factory=lambda: Timer.fresh(0))
    # (step index, when it became current) from the atelier's real start: the schedule's real times.
    step_history: list[tuple[int, float]] = field(default_factory=list)
    members: dict[str, Member] = field(default_factory=dict)
    cards: dict[str, Card] = field(default_factory=dict)
    texts: TextFields = field(default_factory=TextFields)
    # Formats 2 and 3
    subject: Subject | None = None
    reformulations: dict[str, Reformulation] = field(default_factory=dict)
    ideas: dict[str, Idea] = field(default_factory=dict)
    canevas_values: list[str] = field(default_factory=list)  # transparence / participation / collaboration
    canevas_source: dict[str, str] | None = None  # the Format 2 atelier the canevas was carried over from
    sous_actions: dict[str, SousAction] = field(default_factory=dict)
    roadmap: Roadmap = field(default_factory=Roadmap)
    # After the atelier
    questionnaire: Questionnaire = field(default_factory=Questionnaire)
    compte_rendu_final: bool = False
    # The facilitator's toolkit: private drafts until a reveal, and the dot vote
    reflection: Reflection = field(default_factory=Reflection)
    vote: DotVote | None = None
    # Tours de table: speaking order, turns and their timings (durable)
    speech: Speech = field(default_factory=Speech)
    # When its people were anonymised (retention over, or the référent asked): nobody joins after.
    anonymised_at: float | None = None

    @classmethod
    def new(
        cls, *, atelier_id: str, title: str, administration: str, date: str | None, format_key: str
    ) -> AtelierState:
        deroule = get_format(format_key)
        year = int(date[:4]) if date else None
        return cls(
            atelier_id=atelier_id,
            title=title,
            administration=administration,
            date=date,
            format_key=format_key,
            timer=Timer.fresh(deroule.steps[0].duration_seconds),
            # A three-year horizon from the atelier's year, as the kit's 2021–2023; the animateur changes it.
            roadmap=Roadmap(year, year + 2) if year else Roadmap(),
        )

    @property
    def deroule(self) -> Deroule:
        return get_format(self.format_key)

    @property
    def current_step(self) -> Step:
        return self.deroule.steps[self.step_index]

    @property
    def next_step(self) -> Step | None:
        steps = self.deroule.steps
        return steps[self.step_index + 1] if self.step_index + 1 < len(steps) else None

    def note_field(self, step_index: int) -> str:
        return f"notes:{step_index}"

    def canevas_field(self, key: str) -> str:
        return f"canevas:{key}"

    def text_fields(self) -> list[str]:
        """Every co-written field this atelier accepts."""
        notes = [self.note_field(index) for index in range(len(self.deroule.steps))]
        canevas = [self.canevas_field(field.key) for field in canevas_fields(self.format_key)]
        sous_actions = [sous_action_field(sous_action_id) for sous_action_id in self.sous_actions]
        return notes + canevas + sous_actions + list(DRAFT_FIELDS)

    def is_text_field(self, name: str) -> bool:
        """Whether `name` is one of `text_fields()`, without listing them (it runs on every keystroke)."""
        kind, _, key = name.partition(":")
        if kind == "sous_action":
            return key in self.sous_actions
        if kind == "notes":
            return key.isdigit() and key == str(int(key)) and int(key) < len(self.deroule.steps)
        if kind == "canevas":
            return any(field.key == key for field in canevas_fields(self.format_key))
        return name in DRAFT_FIELDS

    def to_dict(self) -> dict[str, Any]:
        return {
            "atelier_id": self.atelier_id,
            "title": self.title,
            "administration": self.administration,
            "date": self.date,
            "format_key": self.format_key,
            "step_index": self.step_index,
            "previous_step_index": self.previous_step_index,
            "step_changed_at": self.step_changed_at,
            "timer": self.timer.to_dict(),
            "step_history": [list(entry) for entry in self.step_history],
            "members": [member.to_dict() for member in self.members.values()],
            "cards": [card.to_dict() for card in self.cards.values()],
            "texts": self.texts.to_dict(),
            "text_updates": self.texts.updates_dict(),
            "subject": self.subject.to_dict() if self.subject else None,
            "reformulations": [item.to_dict() for item in self.reformulations.values()],
            "ideas": [item.to_dict() for item in self.ideas.values()],
            "canevas_values": list(self.canevas_values),
            "canevas_source": self.canevas_source,
            "sous_actions": [item.to_dict() for item in self.sous_actions.values()],
            "roadmap": self.roadmap.to_dict(),
            "questionnaire": self.questionnaire.to_dict(),
            "compte_rendu_final": self.compte_rendu_final,
            "reflection": self.reflection.to_dict(),
            "vote": self.vote.to_dict() if self.vote else None,
            "speech": self.speech.to_dict(),
            "anonymised_at": self.anonymised_at,
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> AtelierState:
        return cls(
            atelier_id=data["atelier_id"],
            title=data["title"],
            administration=data["administration"],
            date=data["date"],
            format_key=data["format_key"],
            step_index=data["step_index"],
            previous_step_index=data.get("previous_step_index"),
            step_changed_at=data.get("step_changed_at", 0.0),
            timer=Timer.from_dict(data["timer"]),
            step_history=[(int(index), float(at)) for index, at in data.get("step_history", [])],
            members={m["id"]: Member.from_dict(m) for m in data["members"]},
            cards={c["id"]: Card.from_dict(c) for c in data["cards"]},
            texts=TextFields.from_dict(data["texts"], data.get("text_updates")),
            subject=Subject.from_dict(data["subject"]) if data.get("subject") else None,
            reformulations={r["id"]: Reformulation.from_dict(r) for r in data.get("reformulations", [])},
            ideas={i["id"]: Idea.from_dict(i) for i in data.get("ideas", [])},
            canevas_values=list(data.get("canevas_values", [])),
            canevas_source=data.get("canevas_source"),
            sous_actions={a["id"]: SousAction.from_dict(a) for a in data.get("sous_actions", [])},
            roadmap=Roadmap.from_dict(data["roadmap"]) if data.get("roadmap") else Roadmap(),
            questionnaire=Questionnaire.from_dict(data["questionnaire"])
            if data.get("questionnaire")
            else Questionnaire(),
            compte_rendu_final=data.get("compte_rendu_final", False),
            reflection=Reflection.from_dict(data["reflection"]) if data.get("reflection") else Reflection(),
            vote=DotVote.from_dict(data["vote"]) if data.get("vote") else None,
            speech=Speech.from_dict(data["speech"]) if data.get("speech") else Speech(),
            anonymised_at=data.get("anonymised_at"),
        )
