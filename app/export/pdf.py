"""The deliverable as a PDF (A4), and the kit's supports as A3 sheets to print, via WeasyPrint.

Both render from the deliverable JSON (`app.export.deliverable`) through the one Jinja environment
(`app.rendering`) and the templates in `templates/export/`: what the JSON says is what the PDF
shows. The PDF is reproducible: no clock is read, the document's creation date is the atelier's
date, and WeasyPrint writes no random identifier, so the same state gives the same bytes.

Routes copy the JSON under the room's lock and call `render_*` in a worker thread.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from dataclasses import dataclass
from functools import cache
from typing import TYPE_CHECKING, Any

from jinja2 import Environment

from ..domain.roles import ROLE_LABELS, Role
from ..domain.state import AtelierState
from ..rendering import TEMPLATES_DIR, make_environment
from .deliverable import deliverable
from .typography import NARROW_NBSP, NBSP, french

if TYPE_CHECKING:
    from weasyprint import CSS

Body = Mapping[str, Any]

# WeasyPrint logs each rendering step at INFO: a line per page and pass in the server's log otherwise.
logging.getLogger("weasyprint.progress").setLevel(logging.WARNING)

PRINT_CSS = TEMPLATES_DIR / "export" / "print.css"

FORMAT_DOCUMENTS = {"1": "Fiche sujets", "2": "Canevas d'engagement", "3": "Feuille de route"}
TEAM_ROLES = (Role.REFERENT, Role.CHALLENGEUR, Role.COMPLICE)
QUADRANT_LABELS = {
    "prioritaire": "Désirable et faisable",
    "desirable-difficile": "Désirable, peu faisable",
    "faisable-peu-desirable": "Faisable, peu désirable",
    "a-ecarter": "Peu désirable, peu faisable",
}
MONTHS = (
    "janvier", "février", "mars", "avril", "mai", "juin",
    "juillet", "août", "septembre", "octobre", "novembre", "décembre",
)  # fmt: skip
DEFAULT_DURATION_MONTHS = 3  # an étape with no duration is drawn this long, dashed (as in the room)


@dataclass(frozen=True)
class Support:
    """One of the kit's supports, printable in A3 landscape."""

    title: str
    tool: str  # where the kit names it: « Format #1, outil 4 »
    consigne: str


# The kit's supports, in the order of the formats; the key is the URL's `{tool}`.
SUPPORTS: dict[str, Support] = {
    "cartes": Support(
        "Cartes sujet",
        "Format #1, outil 4 · Format #2, outil 1",
        "Une carte par sujet : son titre, et sa description en une phrase.",
    ),
    "matrice": Support(
        "Matrice sujet",
        "Format #1, outil 5",
        "Positionner chaque carte sujet selon sa désirabilité et sa faisabilité.",
    ),
    "reformulation": Support(
        "Je reformule et précise le sujet",
        "Format #2, outil 2",
        "Chaque personne propose sa reformulation du sujet, en une minute, en complétant les phrases.",
    ),
    "engagements": Support(
        "J'identifie des engagements",
        "Format #2, outil 3",
        "Quels sont les engagements à prendre pour répondre aux enjeux de ce sujet ?",
    ),
    "canevas": Support(
        "Canevas d'engagement",
        "Format #2, outil 4 · Format #3, outil 1",
        "Prendre des notes en direct sur le canevas d'engagement.",
    ),
    "feuille-de-route": Support(
        "Feuille de route",
        "Format #3, outil 4",
        "Classer les sous-actions chronologiquement en étapes ; pour chacune, sa durée, son pilote et son livrable.",
    ),
}


# -- environment -------------------------------------------------------------------------------


@cache
def environment() -> Environment:
    """The app's Jinja environment (same filters and kit globals), plus the print-only helpers."""
    env = make_environment()
    env.filters["fr"] = french
    env.filters["start_label"] = start_label
    env.filters["long_date"] = long_date
    env.globals.update(
        ROLE_LABELS={str(role): label for role, label in ROLE_LABELS.items()},
        QUADRANT_LABELS=QUADRANT_LABELS,
        SUPPORTS=SUPPORTS,
        NARROW_NBSP=NARROW_NBSP,
        NBSP=NBSP,
        label_text=label_text,
    )
    return env


@cache
def _stylesheet() -> CSS:
    from weasyprint import CSS

    return CSS(filename=str(PRINT_CSS))


def html_to_pdf(html: str) -> bytes:
    """WeasyPrint, with our print stylesheet. The templates load nothing: fetching any URL (file, http,
    data) is refused, so a text that ever got through as HTML still could not read a file or a network."""
    # Imported here: loading Pango costs start-up time, and a server restarting after a crash
    # should be back for its rooms before anyone asks for a PDF.
    from weasyprint import HTML
    from weasyprint.urls import URLFetcher

    document = HTML(string=html, base_url=str(TEMPLATES_DIR), url_fetcher=URLFetcher(allowed_protocols=()))
    return document.write_pdf(stylesheets=[_stylesheet()])  # type: ignore[no-any-return]


# -- the deliverable ---------------------------------------------------------------------------


def deliverable_pdf(state: AtelierState, *, seq: int) -> bytes:
    """The atelier's deliverable as an A4 PDF (fiche sujets, canevas or feuille de route)."""
    return render_deliverable_pdf(deliverable(state, seq=seq))


def render_deliverable_pdf(body: Body) -> bytes:
    return html_to_pdf(render_deliverable_html(body))


def render_deliverable_html(body: Body) -> str:
    template = environment().get_template("export/deliverable.html")
    return template.render(**deliverable_context(body))


def deliverable_context(body: Body) -> dict[str, Any]:
    """What the templates read, prepared from the JSON: numbering, the team, the pictures' geometry."""
    atelier = body["atelier"]
    format_key = atelier["format"]["key"]
    cards = list(body.get("cards") or [])
    sous_actions = list(body.get("sous_actions") or [])
    roadmap = body.get("roadmap")
    return {
        "d": body,
        "atelier": atelier,
        "format_key": format_key,
        "document_title": FORMAT_DOCUMENTS.get(format_key, "Livrable de l'atelier"),
        "team": team(body.get("animation_team") or body.get("participants") or []),
        "cards": cards,
        "matrix": matrix_layout(cards),
        "sous_action_numbers": {item["id"]: number for number, item in enumerate(sous_actions, start=1)},
        "timeline": timeline(roadmap) if roadmap else None,
        "idea_columns": idea_columns(body.get("ideas") or []),
        "notes": [note for note in body.get("notes") or [] if note.get("text", "").strip()],
    }


def team(participants: list[Mapping[str, Any]]) -> list[tuple[str, list[Mapping[str, Any]]]]:
    """The animation team by role, in the kit's order (référent, challengeur, complice)."""
    return [
        (role.label, [person for person in participants if person.get("role") == str(role)])
        for role in TEAM_ROLES
        if any(person.get("role") == str(role) for person in participants)
    ]


def idea_columns(ideas: list[Mapping[str, Any]]) -> list[dict[str, Any]]:
    """The questions that received ideas, grouped by the kit's column, in the kit's order."""
    columns: dict[str, dict[str, Any]] = {}
    for entry in ideas:
        column = columns.setdefault(entry["column"]["key"], {"title": entry["column"]["title"], "questions": []})
        column["questions"].append(entry)
    return list(columns.values())


def long_date(value: str | None) -> str:
    """« 2026-12-03 » → « 3 décembre 2026 » (« 1er » for the first of the month)."""
    if not value:
        return ""
    year, month, day = (int(part) for part in value.split("-"))
    return f"{'1er' if day == 1 else day} {MONTHS[month - 1]} {year}"


# -- the matrice -------------------------------------------------------------------------------


@dataclass(frozen=True)
class Box:
    x: float
    y: float
    width: float
    height: float

    def overlaps(self, other: Box) -> bool:
        return not (
            self.x + self.width <= other.x
            or other.x + other.width <= self.x
            or self.y + self.height <= other.y
            or other.y + other.height <= self.y
        )


@dataclass(frozen=True)
class PlacedCard:
    number: int
    card: Mapping[str, Any]
    x: float  # the dot, in the plot's units (0..width, 0..height from the top)
    y: float
    label: Box  # where its label goes, chosen so labels do not overlap
    anchor: str  # "start" (label right of the dot) or "end"


def matrix_layout(
    cards: list[Mapping[str, Any]], *, width: float = 1000, height: float = 640, font: float = 20, chars: int = 30
) -> dict[str, Any]:
    """Dots at each placed card's values (faisabilité →, désirabilité ↑) and non-overlapping labels."""
    placed: list[PlacedCard] = []
    taken: list[Box] = []
    unplaced: list[tuple[int, Mapping[str, Any]]] = []
    for number, card in enumerate(cards, start=1):
        matrix = card.get("matrix") or {}
        if matrix.get("desirability") is None or matrix.get("feasibility") is None:
            unplaced.append((number, card))
            continue
        x = matrix["feasibility"] * width
        y = (1 - matrix["desirability"]) * height
        text = label_text(number, card["title"], chars, card.get("priority", False))
        em = 0.66 if card.get("priority") else 0.6  # DejaVu Sans: average advance of a title's letters
        box = _free_label(x, y, len(text) * font * em, font * 1.25, taken, width, height)
        taken.append(box)
        taken.append(Box(x - 12, y - 12, 24, 24))  # the dot itself
        placed.append(PlacedCard(number, card, x, y, box, "start" if box.x >= x else "end"))
    return {"width": width, "height": height, "font": font, "chars": chars, "placed": placed, "unplaced": unplaced}


def label_text(number: int, title: str, chars: int, priority: bool = False) -> str:
    short = title if len(title) <= chars else title[: chars - 1].rstrip() + "…"
    return f"{'★ ' if priority else ''}{number}. {short}"


def _free_label(x: float, y: float, w: float, h: float, taken: list[Box], width: float, height: float) -> Box:
    """The first spot, right then left of the dot, moving down then up, where the label overlaps nothing."""
    candidates: list[Box] = []
    for shift in (0, 1, -1, 2, -2, 3, -3, 4, -4):
        top = min(max(y - h / 2 + shift * h, 0), height - h)
        right = Box(x + 16, top, w, h)
        left = Box(x - 16 - w, top, w, h)
        preferred = [right, left] if x + 16 + w <= width else [left, right]
        candidates.extend(box for box in preferred if box.x >= 0 and box.x + box.width <= width)
    for box in candidates:
        if not any(box.overlaps(other) for other in taken):
            return box
    return candidates[0] if candidates else Box(max(min(x + 16, width - w), 0), max(y - h / 2, 0), w, h)


# -- the feuille de route ----------------------------------------------------------------------


def parse_start(start: str) -> tuple[int, int] | None:
    """« 2026 », « 2026-T2 » or « 2026-05 » → (year, first month 0..11); None if not a date."""
    year, _, rest = (start or "").partition("-")
    if not year.isdigit():
        return None
    if not rest:
        return int(year), 0
    if rest[:1] == "T" and rest[1:].isdigit() and 1 <= int(rest[1:]) <= 4:
        return int(year), (int(rest[1:]) - 1) * 3
    if rest.isdigit() and 1 <= int(rest) <= 12:
        return int(year), int(rest) - 1
    return None


def start_label(start: str | None) -> str:
    """How the room shows a start: « 2026 », « T2 2026 », « mai 2026 »."""
    if not start:
        return ""
    year, _, rest = start.partition("-")
    if not rest:
        return year
    if rest.startswith("T"):
        return f"T{rest[1:]} {year}"
    parsed = parse_start(start)
    return f"{MONTHS[parsed[1]]} {year}" if parsed else start


def timeline(roadmap: Mapping[str, Any]) -> dict[str, Any]:
    """The frise: horizon years, and a bar per dated étape in months from the horizon's start."""
    horizon = roadmap.get("horizon") or {}
    first_year, last_year = horizon.get("start_year"), horizon.get("end_year")
    etapes = list(roadmap.get("etapes") or [])
    undated = [(number, etape) for number, etape in enumerate(etapes, start=1) if parse_start(etape["start"]) is None]
    if not first_year or not last_year:
        return {"years": [], "months": 0, "bars": [], "outside": [], "undated": undated, "etapes": etapes}
    months = (last_year - first_year + 1) * 12
    bars, outside = [], []
    for number, etape in enumerate(etapes, start=1):
        parsed = parse_start(etape["start"])
        if parsed is None:
            continue
        begin = (parsed[0] - first_year) * 12 + parsed[1]
        duration = etape.get("duration_months") or DEFAULT_DURATION_MONTHS
        if begin >= months or begin + duration <= 0:
            outside.append((number, etape))
            continue
        bars.append(
            {
                "number": number,
                "etape": etape,
                "begin": max(begin, 0),
                "end": min(begin + duration, months),
                "estimated": not etape.get("duration_months"),
                "cut_start": begin < 0,
                "cut_end": begin + duration > months,
            }
        )
    return {
        "years": list(range(first_year, last_year + 1)),
        "months": months,
        "bars": bars,
        "outside": outside,
        "undated": undated,
        "etapes": etapes,
    }


# -- the supports ------------------------------------------------------------------------------


def support_pdf(state: AtelierState | None, *, tool: str, filled: bool, format_key: str | None = None) -> bytes:
    """The kit's support `tool` as A3 landscape sheets, blank or filled from the atelier's state.

    `format_key` chooses the canevas's fields when there is no atelier (Format 2's four, or Format 3's).
    """
    body = deliverable(state, seq=0) if state is not None else None
    return render_support_pdf(body, tool=tool, filled=filled, format_key=format_key)


def render_support_pdf(body: Body | None, *, tool: str, filled: bool, format_key: str | None = None) -> bytes:
    return html_to_pdf(render_support_html(body, tool=tool, filled=filled, format_key=format_key))


def render_support_html(body: Body | None, *, tool: str, filled: bool, format_key: str | None = None) -> str:
    if tool not in SUPPORTS:
        raise KeyError(tool)
    if filled and body is None:
        raise ValueError("A filled support needs an atelier.")
    if body is not None:
        context = deliverable_context(body)
    else:
        context = {"d": None, "atelier": None, "format_key": None, "cards": [], "timeline": None}
    own_format = context.get("format_key")
    canevas_format = format_key or (own_format if own_format in ("2", "3") else "2")
    context |= {
        "tool": tool,
        "support": SUPPORTS[tool],
        "filled": filled,
        "canevas_format": canevas_format,
        "board": matrix_layout(context["cards"], width=1000, height=470, font=17, chars=34) if filled else None,
    }
    return environment().get_template(f"export/support-{tool}.html").render(**context)
