"""Load Atelier's realtime endpoint and measure latency and server CPU per delivered message.

    .venv/bin/python bench/realtime.py --scenario drag --rooms 50 --clients 12 --seconds 10

Starts its own uvicorn (on a throw-away SQLite file), makes the rooms and members through the
JSON API, then runs the shared load generator (bench/load.py). See bench/README.md.
"""

from __future__ import annotations

import asyncio
import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

import httpx

sys.path.insert(0, str(Path(__file__).resolve().parent))
import load

API_CONCURRENCY = 8


class AtelierTarget:
    """Adapter: uvicorn + app.main, rooms and members made through POST /api/…."""

    name = "atelier"

    def __init__(self) -> None:
        self.process: subprocess.Popen[bytes] | None = None
        self.tmp = tempfile.mkdtemp(prefix="atelier-bench-")
        self.port = 0

    def start(self, port: int) -> None:
        self.port = port
        env = os.environ | {"ATELIER_DATABASE_URL": f"sqlite:///{self.tmp}/bench.db"}
        python = str(load.ROOT / ".venv" / "bin" / "python")
        argv = [python, "-m", "uvicorn", "app.main:app", "--port", str(port), "--log-level", "warning"]
        argv += ["--ws-per-message-deflate", "false"]  # as scripts/run.sh serves it
        self.process = load.spawn(argv, env)
        load.wait_for_port(port, self.process)

    async def prepare(self, rooms: int, clients: int) -> list[load.RoomPlan]:
        base = f"http://127.0.0.1:{self.port}"
        gate = asyncio.Semaphore(API_CONCURRENCY)
        async with httpx.AsyncClient(base_url=base, timeout=60) as http:

            async def post(path: str, body: dict[str, str], token: str | None = None) -> dict[str, str]:
                headers = {"Authorization": f"Bearer {token}"} if token else {}
                async with gate:
                    response = await http.post(path, json=body, headers=headers)
                response.raise_for_status()
                return response.json()  # type: ignore[no-any-return]

            async def room(r: int) -> load.RoomPlan:
                atelier = await post("/api/ateliers", {"title": f"Banc {r}", "administration": "Bench", "format": "1"})
                path = f"/api/ateliers/{atelier['id']}/members"
                # One animateur (the référent, another audience) and participants, like a real room.
                tokens = [atelier["animateur_token"]] + [atelier["participant_token"]] * (clients - 1)
                members = [
                    await post(path, {"first_name": f"P{i}", "last_name": f"R{r}"}, token)
                    for i, token in enumerate(tokens)
                ]
                hellos = [load.json.dumps({"type": "hello", "token": m["member_token"], "last_seq": 0, "html": False})
                          for m in members]  # fmt: skip
                return load.RoomPlan(url=f"ws://127.0.0.1:{self.port}/ws/ateliers/{atelier['id']}", hellos=hellos)

            return list(await asyncio.gather(*(room(r) for r in range(rooms))))

    def stop(self) -> None:
        load.stop_process(self.process)
        shutil.rmtree(self.tmp, ignore_errors=True)


if __name__ == "__main__":
    arguments = load.parse_args(__doc__.splitlines()[0])
    sys.exit(load.main(AtelierTarget(), arguments))
