"""Measure `ping` → `pong` round trips from a process of its own (so a busy test process does not skew them).

    python tests/pinger.py WS_URL MEMBER_TOKEN COUNT   → prints a JSON list of seconds

Used by tests/test_frame_fuzz.py to time a neighbour room while another room is fuzzed. Pings go on
connections of 50 (within the stream rate limit's burst of 60), one after the other.
"""

from __future__ import annotations

import json
import sys
import time

from websockets.sync.client import connect

PINGS_PER_CONNECTION = 50


def round_trips(url: str, token: str, count: int) -> list[float]:
    times: list[float] = []
    while len(times) < count:
        with connect(url, open_timeout=30, max_size=None) as ws:
            ws.send(json.dumps({"type": "hello", "token": token, "last_seq": 0}))
            while json.loads(ws.recv(timeout=30))["type"] != "synced":
                pass
            for _ in range(min(PINGS_PER_CONNECTION, count - len(times))):
                sent = time.monotonic()
                ws.send(json.dumps({"type": "ping", "t": sent}))
                while json.loads(ws.recv(timeout=30))["type"] != "pong":
                    pass
                times.append(time.monotonic() - sent)
    return times


if __name__ == "__main__":
    print(json.dumps(round_trips(sys.argv[1], sys.argv[2], int(sys.argv[3]))))
