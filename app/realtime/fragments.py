"""The port through which a room asks for rendered HTML fragments (implemented by app.rendering).

A fragment is `{"op": "upsert", "id": ..., "parent": ..., "html": ...}` or
`{"op": "remove", "id": ...}`; fragments are rendered from the *current* state, so
applying them in any order converges, and a replayed event renders what is true now.
`viewer` is the one person a rendering is for (their private drafts, their ballot); None renders
what every person of the audience may see.
"""

from __future__ import annotations

from collections.abc import Collection
from typing import Any, Protocol

from ..domain.signals import SignalBoard
from ..domain.state import AtelierState

Fragment = dict[str, Any]


class FragmentRenderer(Protocol):
    def for_event(
        self,
        state: AtelierState,
        event: dict[str, Any],
        online: Collection[str],
        *,
        team: bool,
        viewer: str | None = None,
    ) -> list[Fragment]: ...

    def full(
        self, state: AtelierState, online: Collection[str], *, team: bool, viewer: str | None = None
    ) -> list[Fragment]: ...

    def presence(self, state: AtelierState, online: Collection[str], *, team: bool) -> list[Fragment]: ...

    def signals(
        self, state: AtelierState, board: SignalBoard, online: Collection[str], *, team: bool
    ) -> list[Fragment]: ...


class NoFragments:
    """For rooms whose clients are all machines (tests, benchmarks)."""

    def for_event(
        self,
        state: AtelierState,
        event: dict[str, Any],
        online: Collection[str],
        *,
        team: bool,
        viewer: str | None = None,
    ) -> list[Fragment]:
        return []

    def full(
        self, state: AtelierState, online: Collection[str], *, team: bool, viewer: str | None = None
    ) -> list[Fragment]:
        return []

    def presence(self, state: AtelierState, online: Collection[str], *, team: bool) -> list[Fragment]:
        return []

    def signals(
        self, state: AtelierState, board: SignalBoard, online: Collection[str], *, team: bool
    ) -> list[Fragment]:
        return []
