"""A real uvicorn server in a subprocess, for the browser tests and the crash and fuzz tests.

It serves app.main:app on a fixed port and SQLite file, so it can be killed (SIGKILL, as in a
crash) and started again on the same address and data.
"""

from __future__ import annotations

import contextlib
import os
import signal
import socket
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx

ROOT = Path(__file__).resolve().parents[1]
SERVER_START_TIMEOUT_S = 60.0  # a deadline: on a loaded 2-core machine a start can take 20 s


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@dataclass
class Server:
    """uvicorn serving app.main:app on a fixed port and SQLite file; can be killed and restarted."""

    port: int
    database: Path
    log_path: Path
    process: subprocess.Popen[bytes] | None = None
    starts: int = 0
    env: dict[str, str] = field(default_factory=dict)  # extra ATELIER_* settings
    _log: Any = field(default=None, repr=False)

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def ws_url(self, atelier_id: str) -> str:
        return f"ws://127.0.0.1:{self.port}/ws/ateliers/{atelier_id}"

    def start(self) -> None:
        assert self.process is None, "server already running"
        # No start-up purge of personal data: restarts must not anonymise the tests' past-dated ateliers.
        base = {"ATELIER_DATABASE_URL": f"sqlite:///{self.database}", "ATELIER_PURGE_EVERY_S": "0"}
        env = {**os.environ, **base, **self.env}
        if self._log is None:
            self._log = self.log_path.open("ab")
        self.process = subprocess.Popen(
            [sys.executable, "-m", "uvicorn", "app.main:app", "--host", "127.0.0.1", "--port", str(self.port)],
            cwd=ROOT,
            env=env,
            stdout=self._log,
            stderr=subprocess.STDOUT,
        )
        self.starts += 1
        self._wait_healthy()

    def _wait_healthy(self) -> None:
        deadline = time.monotonic() + SERVER_START_TIMEOUT_S
        last_error: Exception | None = None
        while time.monotonic() < deadline:
            assert self.process is not None
            if self.process.poll() is not None:
                raise RuntimeError(f"uvicorn exited with {self.process.returncode}; see {self.log_path}")
            try:
                response = httpx.get(f"{self.base_url}/healthz", timeout=1.0)
                if response.status_code == 200:
                    return
            except httpx.HTTPError as error:
                last_error = error
            # Pace the bounded poll by waiting on the process itself (returns early if it dies).
            with contextlib.suppress(subprocess.TimeoutExpired):
                self.process.wait(timeout=0.05)
        raise RuntimeError(f"uvicorn not healthy after {SERVER_START_TIMEOUT_S} s: {last_error}; see {self.log_path}")

    def kill(self) -> None:
        """Kill hard (SIGKILL): no shutdown hook runs, as in a crash."""
        if self.process is None:
            return
        self.process.send_signal(signal.SIGKILL)
        self.process.wait(timeout=10)
        self.process = None

    def stop(self) -> None:
        if self.process is not None:
            self.process.terminate()
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(timeout=10)
            self.process = None
        if self._log is not None:
            self._log.close()
            self._log = None

    def restart_hard(self) -> None:
        self.kill()
        self.start()

    def log_text(self) -> str:
        return self.log_path.read_text(errors="replace") if self.log_path.exists() else ""
