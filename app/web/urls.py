"""The links people share, built from the public URL setting or the request."""

from __future__ import annotations

from starlette.requests import HTTPConnection

from ..settings import Settings


def base_url(settings: Settings, connection: HTTPConnection) -> str:
    return settings.public_url or str(connection.base_url).rstrip("/")


def join_url(base: str, atelier_id: str, token: str) -> str:
    return f"{base}/a/{atelier_id}/join/{token}"


def room_url(base: str, atelier_id: str) -> str:
    return f"{base}/a/{atelier_id}"
