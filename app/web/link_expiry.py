"""The participant link's expiry as people type and read it: a Paris wall-clock time."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

# The kit's ateliers are French administrations' ateliers: an expiry typed as a wall-clock time is Paris time.
PARIS = ZoneInfo("Europe/Paris")


def expiry_label(expires_at: float | None) -> str:
    if expires_at is None:
        return ""
    moment = datetime.fromtimestamp(expires_at, PARIS)
    return moment.strftime("%d/%m/%Y à %H:%M") + " (heure de Paris)"


def expiry_input_value(expires_at: float | None) -> str:
    return "" if expires_at is None else datetime.fromtimestamp(expires_at, PARIS).strftime("%Y-%m-%dT%H:%M")


def parse_expiry(value: str, now: float) -> float:
    """A `datetime-local` value (Paris time) as epoch seconds; ValueError with a French message."""
    try:
        moment = datetime.fromisoformat(value.strip()).replace(tzinfo=PARIS)
    except ValueError:
        raise ValueError("Date et heure invalides (format attendu : AAAA-MM-JJTHH:MM).") from None
    if moment.timestamp() <= now:
        raise ValueError("L'échéance doit être dans le futur.")
    return moment.timestamp()
