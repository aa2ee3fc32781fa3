"""A private PostgreSQL 15 cluster for tests: initdb in a temp dir, a free port, stopped afterwards.

Never a cluster someone left running: each test session makes and removes its own.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import socket
import subprocess
import tempfile
from collections.abc import Iterator
from pathlib import Path

PG_BIN = Path(os.environ.get("ATELIER_PG_BIN", "/usr/lib/postgresql/15/bin"))


def available() -> bool:
    return (PG_BIN / "initdb").exists()


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _as_postgres(command: list[str]) -> list[str]:
    # initdb refuses to run as root: CI runs as root, so drop to the postgres system user.
    if os.geteuid() == 0:
        return ["runuser", "-u", "postgres", "--", *command]
    return command


@contextlib.contextmanager
def cluster() -> Iterator[str]:
    """A running cluster; yields an SQLAlchemy URL to an empty `atelier` database."""
    root = Path(tempfile.mkdtemp(prefix="atelier-pg-"))
    data = root / "data"
    port = _free_port()
    if os.geteuid() == 0:
        shutil.chown(root, "postgres")

    def run(command: list[str]) -> None:
        subprocess.run(_as_postgres(command), check=True, capture_output=True)

    try:
        run([str(PG_BIN / "initdb"), "-D", str(data), "-U", "atelier", "--auth=trust", "-E", "UTF8", "--no-locale"])
        options = f"-p {port} -k {root} -c listen_addresses=127.0.0.1 -c fsync=on"
        run([str(PG_BIN / "pg_ctl"), "-D", str(data), "-o", options, "-w", "-l", str(root / "log"), "start"])
        run([str(PG_BIN / "createdb"), "-h", "127.0.0.1", "-p", str(port), "-U", "atelier", "atelier"])
        yield f"postgresql+psycopg://atelier@127.0.0.1:{port}/atelier"
    finally:
        subprocess.run(_as_postgres([str(PG_BIN / "pg_ctl"), "-D", str(data), "-m", "immediate", "stop"]),
                       capture_output=True)  # fmt: skip
        shutil.rmtree(root, ignore_errors=True)
