"""The one Jinja environment: pages, live fragments, and (later) the PDF all render from it.

Web and export both import this module; it imports neither.
"""

from __future__ import annotations

import time
from collections.abc import Collection
from datetime import UTC, datetime
from datetime import date as Date
from pathlib import Path
from typing import Any

from jinja2 import Environment, FileSystemLoader, select_autoescape

from .domain import limits, prompts
from .domain.kit_tools import (
    ENGAGEMENT_QUESTIONS,
    OPEN_GOVERNMENT_VALUES,
    REFORMULATION_PROMPTS,
    SOUS_ACTION_PROMPTS,
    canevas_fields,
)
from .domain.questionnaire import QUESTIONS, RATING_SCALE, TEXT_ANSWER_MAX, summary
from .domain.retention import retention_of
from .domain.roles import ACCESS_KEEPERS, ASSIGNABLE, Role
from .domain.rules_speech import default_turn_seconds
from .domain.schedule import Schedule, build_schedule, drift_label
from .domain.signals import REACTIONS, SignalBoard, done_count
from .domain.speech import TURN_SECONDS_MAX, TURN_SECONDS_MIN
from .domain.state import AtelierState, Card
from .rendering_toolkit import PERSONAL_REGIONS, TOOLKIT_GLOBALS, TOOLKIT_STEP_REGIONS, toolkit_fragments

TEMPLATES_DIR = Path(__file__).parent / "templates"

MONTHS = (
    "janvier", "février", "mars", "avril", "mai", "juin",
    "juillet", "août", "septembre", "octobre", "novembre", "décembre",
)  # fmt: skip


def french_date(value: str | None) -> str:
    if not value:
        return ""
    day = Date.fromisoformat(value)
    return f"{day.day} {MONTHS[day.month - 1]} {day.year}"


def percent(value: float | None) -> str:
    return "" if value is None else f"{round(value * 100)}"


def utc_clock(epoch: float) -> str:
    """HH:MM in UTC; the page shows it in the reader's own time zone (`data-local-time`)."""
    return datetime.fromtimestamp(epoch, UTC).strftime("%H:%M")


def utc_iso(epoch: float) -> str:
    return datetime.fromtimestamp(epoch, UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def schedule_of(state: AtelierState) -> Schedule:
    """The schedule as of now (rendered at each step or timer change, and polled by the animateur's page)."""
    return build_schedule(state.deroule, state.step_history, state.step_index, state.timer, time.time())


def make_environment() -> Environment:
    env = Environment(
        loader=FileSystemLoader(TEMPLATES_DIR),
        autoescape=select_autoescape(["html", "xml", "svg"], default_for_string=True),
        extensions=["jinja2.ext.i18n"],
        trim_blocks=True,
        lstrip_blocks=True,
    )
    # French is written in the templates; an English catalogue can plug in here later.
    env.install_null_translations(newstyle=True)  # type: ignore[attr-defined]
    env.filters["french_date"] = french_date
    env.filters["percent"] = percent
    # An atelier row's retention date (ISO), its own or the default (three months after it).
    env.filters["retention"] = lambda row: retention_of(row.retention_until, row.date, row.created_at).isoformat()
    env.filters["utc_clock"] = utc_clock
    env.filters["utc_iso"] = utc_iso
    env.globals.update(
        Role=Role,
        ASSIGNABLE_ROLES=sorted(ASSIGNABLE, key=list(Role).index),
        ACCESS_KEEPERS=ACCESS_KEEPERS,
        CARD_TITLE_MAX=limits.CARD_TITLE_MAX,
        CARD_DESCRIPTION_MAX=limits.CARD_DESCRIPTION_MAX,
        MEMBERS_RECOMMENDED=limits.MEMBERS_RECOMMENDED,
        ANSWER_MAX=limits.ANSWER_MAX,
        ETAPE_TITLE_MAX=limits.ETAPE_TITLE_MAX,
        OWNER_MAX=limits.OWNER_MAX,
        LIVRABLE_MAX=limits.LIVRABLE_MAX,
        DURATION_MONTHS_MAX=limits.DURATION_MONTHS_MAX,
        HORIZON_YEARS=limits.HORIZON_YEARS,
        REFORMULATION_PROMPTS=REFORMULATION_PROMPTS,
        ENGAGEMENT_QUESTIONS=ENGAGEMENT_QUESTIONS,
        OPEN_GOVERNMENT_VALUES=OPEN_GOVERNMENT_VALUES,
        SOUS_ACTION_PROMPTS=SOUS_ACTION_PROMPTS,
        canevas_fields=canevas_fields,
        QUESTIONS=QUESTIONS,
        RATING_SCALE=RATING_SCALE,
        TEXT_ANSWER_MAX=TEXT_ANSWER_MAX,
        questionnaire_summary=summary,
        **TOOLKIT_GLOBALS,
        schedule_of=schedule_of,
        drift_label=drift_label,
        REACTIONS=REACTIONS,
        prompts=prompts,
        done_count=done_count,
        default_turn_seconds=default_turn_seconds,
        TURN_SECONDS_MIN=TURN_SECONDS_MIN,
        TURN_SECONDS_MAX=TURN_SECONDS_MAX,
    )
    return env


class JinjaFragments:
    """Renders the room's partials as live fragments (the FragmentRenderer port)."""

    def __init__(self, env: Environment) -> None:
        self.env = env

    def _render(self, template: str, **context: Any) -> str:
        return self.env.get_template(template).render(**context)

    def _context(
        self, state: AtelierState, online: Collection[str], team: bool, viewer: str | None = None
    ) -> dict[str, Any]:
        return {"state": state, "online": set(online), "team": team, "viewer": viewer}

    def _regions(
        self, state: AtelierState, online: Collection[str], team: bool, names: list[str], viewer: str | None = None
    ) -> list[dict[str, Any]]:
        context = self._context(state, online, team, viewer)
        return [{"op": "upsert", "id": name, "html": self._render(f"room/_{name}.html", **context)} for name in names]

    def _card(self, state: AtelierState, card_id: str, team: bool) -> list[dict[str, Any]]:
        card: Card | None = state.cards.get(card_id)
        if card is None:
            return [{"op": "remove", "id": f"card-{card_id}"}, {"op": "remove", "id": f"token-{card_id}"}]
        context = {"state": state, "card": card, "team": team}
        return [
            {"op": "upsert", "id": f"card-{card.id}", "parent": "cards-list",
             "html": self._render("room/_card.html", **context)},
            {"op": "upsert", "id": f"token-{card.id}", "parent": "matrix-plane" if card.placed else "matrix-tray",
             "html": self._render("room/_token.html", **context)},
        ]  # fmt: skip

    def for_event(
        self,
        state: AtelierState,
        event: dict[str, Any],
        online: Collection[str],
        *,
        team: bool,
        viewer: str | None = None,
    ) -> list[dict[str, Any]]:
        fragments = self._for_event(state, event, online, team=team, viewer=viewer)
        if event["type"] in PROMPT_EVENTS:  # who has not posted yet changes with every post
            fragments += self._regions(state, online, team, ["prompts"])
        return fragments

    def _for_event(
        self, state: AtelierState, event: dict[str, Any], online: Collection[str], *, team: bool, viewer: str | None
    ) -> list[dict[str, Any]]:
        kind = event["type"]
        if kind.startswith(("reflection.", "vote.")):
            return toolkit_fragments(self, state, event, team, viewer)
        if kind.startswith("card."):
            card_id = event["card"]["id"] if kind == "card.created" else event["card_id"]
            fragments = self._card(state, card_id, team)
            if viewer is not None and kind == "card.updated":  # during a vote: the ballot names the cards
                fragments += self._regions(state, (), team, ["ballot"], viewer)
            return fragments
        if kind == "step.changed":
            return self._regions(state, online, team, STEP_REGIONS)
        if kind == "timer.changed":
            return self._regions(state, online, team, ["timer", "schedule"])
        if kind.startswith("member."):
            return self._regions(state, online, team, ["presence"])
        if kind.startswith("sous_action."):
            return self._sous_action(state, event, team)
        regions = EVENT_REGIONS.get(kind)
        return self._regions(state, online, team, regions) if regions else []

    def _sous_action(self, state: AtelierState, event: dict[str, Any], team: bool) -> list[dict[str, Any]]:
        """One item per fragment: re-rendering the list would disturb people typing in another one."""
        ids = [event["sous_action"]["id"]] if event["type"] == "sous_action.created" else [event["sous_action_id"]]
        if event["type"] == "sous_action.merged":
            ids.append(event["into_id"])
        fragments: list[dict[str, Any]] = []
        for sous_action_id in ids:
            item = state.sous_actions.get(sous_action_id)
            if item is None:
                fragments.append({"op": "remove", "id": f"sous-action-{sous_action_id}"})
                continue
            html = self._render("room/_sous_action.html", state=state, item=item, team=team)
            fragment = {"op": "upsert", "id": f"sous-action-{item.id}", "parent": "sous-actions-list", "html": html}
            fragments.append(fragment)
        # The roadmap offers sous-actions to schedule: keep its picker current.
        return fragments + self._regions(state, (), team, ["roadmap"])

    def _all_cards(self, state: AtelierState, team: bool) -> list[dict[str, Any]]:
        return [fragment for card_id in state.cards for fragment in self._card(state, card_id, team)]

    def full(
        self, state: AtelierState, online: Collection[str], *, team: bool, viewer: str | None = None
    ) -> list[dict[str, Any]]:
        # "clear" removes the card elements a container holds, so deleted cards vanish too.
        clears = [{"op": "clear", "id": container} for container in CARD_CONTAINERS]
        regions = self._regions(state, online, team, [*STEP_REGIONS, *ENGAGEMENT_REGIONS, "presence"])
        personal = self._regions(state, online, team, PERSONAL_REGIONS, viewer)
        return [*regions, *personal, *clears, *self._all_cards(state, team)]

    def presence(self, state: AtelierState, online: Collection[str], *, team: bool) -> list[dict[str, Any]]:
        # The tour de table marks who is offline; the prompts name the participants present.
        return self._regions(state, online, team, ["presence", "speech", "prompts"])

    def signals(
        self, state: AtelierState, board: SignalBoard, online: Collection[str], *, team: bool
    ) -> list[dict[str, Any]]:
        context = self._context(state, online, team) | {"signals": board}
        return [{"op": "upsert", "id": "signals", "html": self._render("room/_signals.html", **context)}]


# The regions a step change re-renders: where we are, what to do, the guide, the clock, the notes.
STEP_REGIONS = [
    "deroule", "step", "guide", "timer", "schedule", "notes", "questionnaire", "after", *TOOLKIT_STEP_REGIONS,
    "speech", "prompts",
]  # fmt: skip
CARD_CONTAINERS = ["cards-list", "matrix-plane", "matrix-tray"]
# Formats 2 and 3: each event type re-renders its tool's region (a partial `room/_<region>.html`).
EVENT_REGIONS = {
    "subject.set": ["subject"],
    "reformulation.created": ["reformulations"],
    "reformulation.updated": ["reformulations"],
    "reformulation.deleted": ["reformulations"],
    "idea.created": ["ideas"],
    "idea.updated": ["ideas"],
    "idea.deleted": ["ideas"],
    "canevas.value_set": ["canevas-values"],
    "canevas.imported": ["canevas", "canevas-values"],
    "roadmap.horizon_set": ["roadmap"],
    "etape.created": ["roadmap"],
    "etape.updated": ["roadmap"],
    "etape.moved": ["roadmap"],
    "etape.deleted": ["roadmap"],
    "questionnaire.opened": ["questionnaire"],
    "questionnaire.closed": ["questionnaire"],
    "questionnaire.answered": ["questionnaire"],
    "compte_rendu.finalized": ["after"],
    "speech.round_started": ["speech", "prompts"],
    "speech.order_set": ["speech", "prompts"],
    "speech.turn_given": ["speech", "prompts"],
    "speech.turn_time_set": ["speech"],
    "speech.round_ended": ["speech", "prompts"],
    "members.anonymised": ["presence"],  # browsers reload the page: every text starts again
}
# Posts that change who has not posted yet in this step (the animateur's prompts).
PROMPT_EVENTS = {"card.created", "card.deleted", "reformulation.created", "idea.created", "sous_action.created"}
# Regions of a full render; "canevas" holds co-written textareas, so it is rendered whole only then.
ENGAGEMENT_REGIONS = ["subject", "reformulations", "ideas", "canevas", "canevas-values", "sous-actions", "roadmap"]
