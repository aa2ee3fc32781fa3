"""The same atelier on PostgreSQL (the scale-out path): schema upgrade, log, dedup, reload."""

from __future__ import annotations

from collections.abc import Iterator

import postgres
import pytest
from helpers import connected, create_atelier, get_state, join
from starlette.testclient import TestClient

from app.main import create_app
from app.settings import Settings


@pytest.fixture(scope="module")
def postgres_url() -> Iterator[str]:
    if not postgres.available():
        pytest.fail("PostgreSQL 15 server binaries are missing: scripts/setup.sh dev installs postgresql-15")
    with postgres.cluster() as url:
        yield url


def test_atelier_survives_a_restart_on_postgresql(postgres_url: str) -> None:
    settings = Settings(database_url=postgres_url, snapshot_every=3)
    with TestClient(create_app(settings)) as client:
        atelier = create_atelier(client)
        member = join(client, atelier)
        with connected(client, atelier, member) as ws:
            ids = [ws.send_op("card.create", title=f"Sujet {n}") for n in range(5)]
            seqs = [ws.ack(op_id)["seq"] for op_id in ids]
            again = ws.send_op("card.create", op_id=ids[2], title="Sujet 2")
            assert ws.ack(again)["seq"] == seqs[2], "a re-sent operation is acknowledged with its first seq"
        before = get_state(client, atelier)
    assert [card["title"] for card in before["state"]["cards"]] == [f"Sujet {n}" for n in range(5)]

    with TestClient(create_app(settings)) as client:
        assert get_state(client, atelier) == before
