"""Fixtures for domain tests (the builders themselves live in `atelier_builders`)."""

from __future__ import annotations

import pytest
from atelier_builders import new_atelier

from app.domain.state import AtelierState


@pytest.fixture
def atelier() -> AtelierState:
    """Format #1 with one person per role and one card per author (see `new_atelier`)."""
    return new_atelier()
