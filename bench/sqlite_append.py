"""How SqlOpStore.append behaves from one thread and from several (as the rooms' to_thread calls do).

    .venv/bin/python bench/sqlite_append.py [--appends 1500] [--ateliers 50] [--threads 1 6]

One-operation transactions into a throw-away SQLite file, spread over several ateliers, like 50 rooms
that each commit their own batch of one. Prints appends/s, CPU per append and latency percentiles.
"""

from __future__ import annotations

import argparse
import itertools
import shutil
import sys
import tempfile
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from app.realtime.ports import LogEntry
from app.storage.ateliers import create_atelier
from app.storage.database import make_engine, upgrade_schema
from app.storage.oplog import SqlOpStore


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--appends", type=int, default=1500)
    parser.add_argument("--ateliers", type=int, default=50)
    parser.add_argument("--threads", type=int, nargs="+", default=[1, 6])
    args = parser.parse_args()
    tmp = tempfile.mkdtemp(prefix="atelier-sqlite-")
    try:
        engine = make_engine(f"sqlite:///{tmp}/probe.db")
        upgrade_schema(engine)
        store = SqlOpStore(engine)
        ids = [
            create_atelier(engine, title=f"Banc {i}", administration="Bench", format_key="1", date=None).row.id
            for i in range(args.ateliers)
        ]
        seqs = dict.fromkeys(ids, 0)
        lock = threading.Lock()

        def append(atelier_id: str) -> float:
            with lock:
                seqs[atelier_id] += 1
                seq = seqs[atelier_id]
            event = {"type": "card.created", "card": {"id": f"c{seq}", "title": "Carte"}}
            started = time.perf_counter()
            store.append(atelier_id, [LogEntry(seq, f"op{seq}", "bench", event, time.time())])
            return time.perf_counter() - started

        for threads in args.threads:
            work = list(itertools.islice(itertools.cycle(ids), args.appends))
            wall, cpu = time.perf_counter(), time.process_time()
            with ThreadPoolExecutor(threads) as pool:
                latencies = sorted(pool.map(append, work))
            wall, cpu = time.perf_counter() - wall, time.process_time() - cpu
            n = len(latencies)
            print(
                f"{threads} thread(s): {n / wall:.0f} appends/s, CPU {cpu / n * 1e6:.0f} µs per append, latency ms"
                f" p50 {latencies[n // 2] * 1e3:.2f}  p99 {latencies[int(n * 0.99)] * 1e3:.1f}"
                f"  max {latencies[-1] * 1e3:.1f}"
            )
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    main()
