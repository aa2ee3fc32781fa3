"""Per-connection rate limits by message type: a drag stream is not a flood; a flood of creations is.

Each connection has one token bucket per class of message (documented in docs/protocol.md §11):

- `stream`: `card.drag`, `field.focus`, `ping`, and the visio signals (`hand.*`, `signal.set`,
  `reaction.send`; reactions have a stricter per-person limit of their own). A person dragging sends
  ≤ 20 frames a second for as long as the gesture lasts; the limit only stops a runaway script.
  Over it, frames are dropped silently (they only show something in flight).
- `text`: every other durable operation (keystrokes in co-written text, edits, moves, placing a card,
  the animateur's controls). A reconnecting client resends its whole outbox at once, hence the burst.
- `create`: operations that add an item (cards, ideas, reformulations, sous-actions, étapes, answers,
  drafts). Nobody writes more than a card a second; a script that posts hundreds is a flood.

A refused durable operation gets an `error` frame `rate_limited` with its id: nothing was done, and
the client resends it a moment later (connection.js), so nothing is lost.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field

clock: Callable[[], float] = time.monotonic  # the limiter's time; tests replace it to simulate seconds


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


STREAM, TEXT, CREATE = "stream", "text", "create"

# (burst, then per second) for each class.
LIMITS: dict[str, tuple[float, float]] = {
    STREAM: (60, 50),  # drags at ≤ 20/s, plus focus changes and pings
    TEXT: (200, 30),  # typing sends a few updates a second; a reconnect's outbox replay needs the burst
    CREATE: (60, 10),  # a person adds an item every few seconds; 60 at once covers an outbox replayed
}

CREATE_TYPES = frozenset(
    {
        "card.create",
        "reformulation.create",
        "idea.create",
        "sous_action.create",
        "etape.create",
        "questionnaire.answer",
        "draft.generate",
    }
)
# The animateur's guidance frames (a warning, a view while scrolling) and the visio signals (raise a
# hand, « j'ai terminé », reactions) are ephemeral too: dropped over the limit, never queued.
STREAM_TYPES = frozenset(
    {"card.drag", "field.focus", "ping", "timer.warn", "follow.lead", "follow.stop"}
    | {"hand.raise", "hand.lower", "signal.set", "reaction.send"}
)


def limit_class(frame_type: str) -> str:
    """The class whose bucket a client frame of this type draws from."""
    if frame_type in STREAM_TYPES:
        return STREAM
    if frame_type in CREATE_TYPES or frame_type.endswith(".create"):  # a new kind of item is a creation too
        return CREATE
    return TEXT


def bucket(kind: str) -> TokenBucket:
    capacity, per_second = LIMITS[kind]
    return TokenBucket(capacity=capacity, per_second=per_second)


@dataclass
class RateLimiter:
    """The buckets of one connection. `allow(type)`: may this frame go through now?"""

    buckets: dict[str, TokenBucket] = field(default_factory=lambda: {kind: bucket(kind) for kind in LIMITS})

    def allow(self, frame_type: str, now: float | None = None) -> bool:
        return self.buckets[limit_class(frame_type)].allow(clock() if now is None else now)

