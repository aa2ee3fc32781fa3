"""Per-connection token buckets: a drag stream is not a flood; a flood of creations is."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass
class TokenBucket:
    capacity: float
    per_second: float
    tokens: float = -1.0
    updated: float = 0.0

    def allow(self, now: float) -> bool:
        if self.tokens < 0:
            self.tokens, self.updated = self.capacity, now
        self.tokens = min(self.capacity, self.tokens + (now - self.updated) * self.per_second)
        self.updated = now
        if self.tokens >= 1:
            self.tokens -= 1
            return True
        return False


def durable_bucket() -> TokenBucket:
    # Typing in a note sends a few updates a second; a replay of a reconnect's outbox needs a burst.
    return TokenBucket(capacity=200, per_second=30)


def ephemeral_bucket() -> TokenBucket:
    # Clients send drags at ≤ 20/s; allow two cards at once plus pings.
    return TokenBucket(capacity=60, per_second=50)
