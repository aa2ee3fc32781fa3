"""Anonymise the ateliers whose retention date has passed: `python -m app.purge [--dry-run]`.

The server does it by itself at start-up and then once a day; the command is for cron (or to see
what is due, with --dry-run). Either way the anonymisation goes through the atelier's room, like
any operation, so people in the room see it at once; then the history stored before it is rewritten.
"""

from __future__ import annotations

import argparse
import asyncio
import logging
import sys
from dataclasses import dataclass
from datetime import date

from sqlalchemy.engine import Engine

from .domain.operations import AnonymiseMembers
from .domain.rules import SYSTEM
from .realtime.fragments import NoFragments
from .realtime.registry import RoomRegistry
from .settings import Settings
from .storage.database import make_engine, upgrade_schema
from .storage.models import AtelierRow
from .storage.oplog import SqlOpStore
from .storage.privacy import expired_ateliers, retention_date, rewrite_history, today

log = logging.getLogger(__name__)

ANONYMISE_OP_ID = "anonymise"  # one per atelier: asking again re-acknowledges, never re-applies
PURGE_EVERY_S = 24 * 60 * 60.0  # the server's own purge (ATELIER_PURGE_EVERY_S): retention dates are days


@dataclass(frozen=True)
class Purged:
    atelier_id: str
    title: str
    retention: date
    members: int
    rewritten: int  # log entries whose personal data was removed (0 in a dry run)

    def line(self, *, dry_run: bool) -> str:
        what = "À anonymiser" if dry_run else "Anonymisé"
        done = "" if dry_run else f", {self.rewritten} entrée(s) du journal réécrite(s)"
        return (
            f"{what} : {self.atelier_id} « {self.title} » (conservation jusqu'au {self.retention.isoformat()}) — "
            f"{self.members} personne(s){done}"
        )


async def anonymise(engine: Engine, rooms: RoomRegistry, atelier: AtelierRow) -> Purged:
    """Anonymise one atelier's people now, in its room and in everything stored before."""
    room = await rooms.get(atelier.id)
    assert room is not None, atelier.id
    seq = await room.submit_and_wait(ANONYMISE_OP_ID, AnonymiseMembers(), SYSTEM)
    rewritten = await asyncio.to_thread(rewrite_history, engine, atelier_id=atelier.id, anonymised_seq=seq)
    return Purged(atelier.id, atelier.title, retention_date(atelier), len(room.state.members), rewritten)


async def purge_expired(engine: Engine, rooms: RoomRegistry, *, today: date, dry_run: bool = False) -> list[Purged]:
    """Anonymise every atelier past its retention date (or only list them, in a dry run)."""
    done: list[Purged] = []
    for atelier in await asyncio.to_thread(expired_ateliers, engine, today=today):
        if dry_run:
            room = await rooms.get(atelier.id)
            members = len(room.state.members) if room is not None else 0
            done.append(Purged(atelier.id, atelier.title, retention_date(atelier), members, 0))
            continue
        try:
            done.append(await anonymise(engine, rooms, atelier))
        except Exception:  # one atelier's failure must not keep the others' data
            log.exception("purge: atelier %s could not be anonymised", atelier.id)
    return done


async def purge_daily(engine: Engine, rooms: RoomRegistry, *, every_s: float = PURGE_EVERY_S) -> None:
    """The server's own purge: now, then every `every_s` (a single query when nothing is due)."""
    while True:
        try:
            for purged in await purge_expired(engine, rooms, today=today()):
                log.info("%s", purged.line(dry_run=False))
        except Exception:
            log.exception("purge: the daily run failed; next try in a day")
        await asyncio.sleep(every_s)


async def _run(settings: Settings, *, today: date, dry_run: bool) -> list[Purged]:
    engine = make_engine(settings.database_url)
    upgrade_schema(engine)
    rooms = RoomRegistry(SqlOpStore(engine), NoFragments(), snapshot_every=settings.snapshot_every)
    try:
        return await purge_expired(engine, rooms, today=today, dry_run=dry_run)
    finally:
        await rooms.close()
        engine.dispose()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m app.purge", description=__doc__.splitlines()[0])
    parser.add_argument("--dry-run", action="store_true", help="list the ateliers due, change nothing")
    parser.add_argument("--today", type=date.fromisoformat, default=None, help="as if today were AAAA-MM-JJ")
    args = parser.parse_args(argv)
    today_ = args.today or today()
    purged = asyncio.run(_run(Settings(), today=today_, dry_run=args.dry_run))
    for item in purged:
        print(item.line(dry_run=args.dry_run))
    verb = "à anonymiser" if args.dry_run else "anonymisé(s)"
    print(f"{len(purged)} atelier(s) {verb} au {today_.isoformat()}.")
    return 0


if __name__ == "__main__":
    sys.exit(main())
