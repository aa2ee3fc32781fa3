"""How long an atelier keeps personal data: a date, after which its people are anonymised.

Dates are calendar days (ISO strings at the edges): the data is kept through the retention day
and purged from the next one.
"""

from __future__ import annotations

import calendar
from datetime import UTC, date, datetime

from . import limits
from .errors import InvalidOperation


def add_months(day: date, months: int) -> date:
    """The same day `months` later, or the month's last day when it has fewer (31 Nov → 30 Nov)."""
    index = day.month - 1 + months
    year, month = day.year + index // 12, index % 12 + 1
    return day.replace(year=year, month=month, day=min(day.day, calendar.monthrange(year, month)[1]))


def default_retention(atelier_date: str | None, created_at: float) -> date:
    """RETENTION_MONTHS after the atelier's date, or after its creation when it has no date."""
    start = date.fromisoformat(atelier_date) if atelier_date else datetime.fromtimestamp(created_at, UTC).date()
    return add_months(start, limits.RETENTION_MONTHS)


def retention_of(retention_until: str | None, atelier_date: str | None, created_at: float) -> date:
    """The atelier's retention date: the one chosen, else the default."""
    return date.fromisoformat(retention_until) if retention_until else default_retention(atelier_date, created_at)


def is_expired(retention: date, today: date) -> bool:
    return today > retention


def checked_retention(value: date, today: date) -> date:
    """A retention date the référent may choose: not past, and at most RETENTION_MAX_MONTHS ahead."""
    if value < today:
        raise InvalidOperation("La date de conservation ne peut pas être passée : utilisez « Anonymiser maintenant ».")
    latest = add_months(today, limits.RETENTION_MAX_MONTHS)
    if value > latest:
        raise InvalidOperation(
            f"La date de conservation ne peut pas dépasser {limits.RETENTION_MAX_MONTHS} mois ({latest.isoformat()})."
        )
    return value
