"""The shared step timer, as a value the server owns.

A running timer is stored as (remaining at `started_at`, `started_at`); clients
compute the seconds left from the server's clock, corrected for their offset.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Any


@dataclass(frozen=True)
class Timer:
    duration_s: int
    remaining_s: float
    started_at: float | None = None  # server epoch seconds; None when paused or stopped

    @classmethod
    def fresh(cls, duration_s: int) -> Timer:
        return cls(duration_s=duration_s, remaining_s=float(duration_s))

    @property
    def running(self) -> bool:
        return self.started_at is not None

    def remaining_at(self, now: float) -> float:
        """Seconds left at `now`; negative once time is up (overtime keeps counting)."""
        if self.started_at is None:
            return self.remaining_s
        return self.remaining_s - (now - self.started_at)

    def start(self, now: float) -> Timer:
        return self if self.running else replace(self, started_at=now)

    def pause(self, now: float) -> Timer:
        if not self.running:
            return self
        return replace(self, remaining_s=self.remaining_at(now), started_at=None)

    def add(self, seconds: int, now: float) -> Timer:
        # In overtime, "+1 min" means one more minute from now, not a minute less overtime.
        # Re-anchored at `now` so the stored remainder is exact.
        remaining = max(0.0, max(0.0, self.remaining_at(now)) + seconds)
        return replace(self, remaining_s=remaining, started_at=now if self.running else None)

    def reset(self) -> Timer:
        return Timer.fresh(self.duration_s)

    def to_dict(self) -> dict[str, Any]:
        return {"duration_s": self.duration_s, "remaining_s": self.remaining_s, "started_at": self.started_at}

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Timer:
        return cls(
            duration_s=int(data["duration_s"]),
            remaining_s=float(data["remaining_s"]),
            started_at=None if data["started_at"] is None else float(data["started_at"]),
        )
