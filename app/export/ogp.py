"""The canevas and the feuille de route as an Open Government Partnership commitment (docs/deliverable.md).

The DITP pastes it into the national action plan: each key is a field of the OGP commitment template,
filled from the canevas d'engagement (Formats 2 and 3) and the feuille de route (Format 3):

| OGP template field | from |
| --- | --- |
| commitment title | canevas `titre` |
| problem addressed | canevas `porte_sur`, then `repond_a` (Format 3) |
| description | canevas `c_est`, then `va` |
| how it contributes | canevas `utile_car` (Format 3; empty in Format 2) |
| relevance to the OGP values | the ticked canevas values (transparence, participation, collaboration) |
| lead agency | the atelier's administration |
| milestones | the feuille de route's étapes, in order: title, start, end, livrable, pilote |

A pure function of the state: no clock, every list in the state's order.
"""

from __future__ import annotations

import re
from typing import Any

from ..domain.kit_tools import OPEN_GOVERNMENT_VALUES, canevas_fields
from ..domain.state import AtelierState

# The kit's three values and the OGP (open government) value each one is.
OGP_VALUES = {"transparence": "transparency", "participation": "participation", "collaboration": "collaboration"}

# What each OGP text field is made of: canevas field keys, joined by a blank line when both are written.
PROBLEM_FIELDS = ("porte_sur", "repond_a")
DESCRIPTION_FIELDS = ("c_est", "va")
CONTRIBUTION_FIELDS = ("utile_car",)

_START = re.compile(r"(?P<year>[0-9]{4})(?:-T(?P<quarter>[1-4])|-(?P<month>0[1-9]|1[0-2]))?")


def start_month(start: str) -> tuple[int, int] | None:
    """The first month of an étape's start: "2026" → (2026, 1), "2026-T2" → (2026, 4), "2026-05" → (2026, 5);
    None when there is no start (or one the domain would not accept)."""
    match = _START.fullmatch(start.strip())
    if match is None:
        return None
    year = int(match["year"])
    if match["quarter"]:
        return year, 3 * (int(match["quarter"]) - 1) + 1
    if match["month"]:
        return year, int(match["month"])
    return year, 1


def end_month(start: tuple[int, int], duration_months: int) -> tuple[int, int]:
    """The last month an étape runs: `duration_months` months from the first one, that one included
    (2026-04 for 6 months ends in 2026-09)."""
    index = start[0] * 12 + start[1] - 1 + duration_months - 1
    return index // 12, index % 12 + 1


def month(value: tuple[int, int] | None) -> str | None:
    return None if value is None else f"{value[0]:04d}-{value[1]:02d}"


def ogp_commitment(state: AtelierState) -> dict[str, Any] | None:
    """The OGP commitment of a Format 2 or 3 atelier; None for a format without a canevas (Format 1)."""
    fields = canevas_fields(state.format_key)
    if not fields:
        return None
    keys = {field.key for field in fields}

    def text(*names: str) -> str:
        parts = (state.texts.text(state.canevas_field(name)).strip() for name in names if name in keys)
        return "\n\n".join(part for part in parts if part)

    checked = set(state.canevas_values)
    return {
        "commitment_title": text("titre"),
        "problem_addressed": text(*PROBLEM_FIELDS),
        "description": text(*DESCRIPTION_FIELDS),
        "contribution": text(*CONTRIBUTION_FIELDS),
        "ogp_values": [
            {"key": value.key, "label": value.label, "ogp_value": OGP_VALUES[value.key]}
            for value in OPEN_GOVERNMENT_VALUES
            if value.key in checked
        ],
        "lead_agency": state.administration,
        "milestones": _milestones(state),
        "source_ateliers": _sources(state),
    }


def _milestones(state: AtelierState) -> list[dict[str, Any]]:
    result = []
    for position, etape in enumerate(state.roadmap.etapes, start=1):
        first = start_month(etape.start)
        last = end_month(first, etape.duration_months) if first and etape.duration_months else None
        result.append(
            {
                "position": position,
                "etape_id": etape.id,
                "title": etape.title,
                "start": month(first),
                "end": month(last),
                "duration_months": etape.duration_months,
                "livrable": etape.livrable,
                "pilote": etape.owner,
            }
        )
    return result


PROVIDES_ORDER = ("subject", "canevas", "milestones")


def _sources(state: AtelierState) -> list[dict[str, Any]]:
    """The ateliers the commitment comes from, the oldest first: the one the subject was carried over from
    (a #1's card, or a #2), the #2 the canevas was carried over from, then this atelier."""
    found: dict[str, dict[str, Any]] = {}

    def add(source: dict[str, str], provides: tuple[str, ...]) -> None:
        entry = found.setdefault(
            source["atelier_id"],
            {
                "atelier_id": source["atelier_id"],
                "atelier_title": source.get("atelier_title"),
                "card_id": source.get("card_id"),
                "provides": [],
            },
        )
        merged = set(entry["provides"]) | set(provides)
        entry["provides"] = [name for name in PROVIDES_ORDER if name in merged]

    if state.subject is not None and state.subject.source and "atelier_id" in state.subject.source:
        add(state.subject.source, ("subject",))
    if state.canevas_source and "atelier_id" in state.canevas_source:
        add(state.canevas_source, ("canevas",))
    own = ("canevas", "milestones") if state.format_key == "3" else ("canevas",)
    add({"atelier_id": state.atelier_id, "atelier_title": state.title}, own)
    return list(found.values())
