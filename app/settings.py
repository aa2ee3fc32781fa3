"""One settings object, read once at start-up from `ATELIER_*` environment variables."""

from __future__ import annotations

from pydantic import field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="ATELIER_", extra="ignore")

    # SQLite file by default; PostgreSQL with postgresql+psycopg://user@host/db
    database_url: str = "sqlite:///./data/atelier.db"
    # The address people reach the app at, used to build the links to share. Empty: from the request.
    public_url: str = ""
    # Origins allowed to open the realtime socket besides the app's own host (comma separated).
    allowed_origins: str = ""
    # Close a connection that sent nothing (not even a ping) for this long, in seconds.
    idle_timeout_s: float = 60.0
    # Messages a connection's outbox holds before ephemeral ones are dropped and a laggard is closed.
    outbox_size: int = 512
    # Take a snapshot every N operations so a room loads fast.
    snapshot_every: int = 200
    # Unload a room with nobody connected after this many seconds.
    room_idle_s: float = 300.0
    # Cookies only over HTTPS; off for local use.
    secure_cookies: bool = False
    # Anonymise the ateliers past their retention date at start-up, then every this many seconds;
    # 0 leaves it to `python -m app.purge` run from cron.
    purge_every_s: float = 24 * 60 * 60.0

    @field_validator("public_url")
    @classmethod
    def _strip_slash(cls, value: str) -> str:
        return value.rstrip("/")

    @property
    def origins(self) -> set[str]:
        return {origin.strip().rstrip("/") for origin in self.allowed_origins.split(",") if origin.strip()}
