"""docs/protocol.md names everything a client can send or receive, and every setting.

The lists come from the code, so a new operation, event, frame, error code, close code or setting
that is not documented fails here.
"""

from __future__ import annotations

import inspect
import re
from pathlib import Path

import pytest

from app.domain import errors, events
from app.realtime import protocol, room
from app.settings import Settings
from app.web import ws

ROOT = Path(__file__).resolve().parent.parent
PROTOCOL_DOC = ROOT / "docs" / "protocol.md"
SOURCES = [
    ROOT / "app" / "realtime" / "room.py",
    ROOT / "app" / "realtime" / "protocol.py",
    ROOT / "app" / "web" / "ws.py",
    ROOT / "app" / "web" / "realtime_session.py",
    ROOT / "app" / "web" / "sse.py",
    ROOT / "app" / "realtime" / "signals.py",
]

SERVER_FRAMES = [
    "welcome",
    "snapshot",
    "synced",
    "event",
    "ack",
    "error",
    "presence",
    "role.changed",
    "card.dragging",
    "pong",
]
ERROR_CODES = [
    "bad_json", "bad_frame", "unknown_type", "invalid", "too_large", "forbidden",
    "not_found", "limit", "rate_limited", "unavailable", "unauthorized", "bad_hello",
]  # fmt: skip


@pytest.fixture(scope="module")
def doc() -> str:
    return PROTOCOL_DOC.read_text(encoding="utf-8")


def _code(name: str) -> str:
    """How a name is written in the doc: as inline code."""
    return f"`{name}`"


def _source_text() -> str:
    return "\n".join(path.read_text(encoding="utf-8") for path in SOURCES)


def _event_types() -> set[str]:
    found = {
        cls.__dict__["type"]
        for _, cls in inspect.getmembers(events, inspect.isclass)
        if cls.__module__ == events.__name__ and isinstance(cls.__dict__.get("type"), str)
    }
    assert len(found) >= 10, found  # the collection itself works
    return found


def _error_codes() -> set[str]:
    """Codes of every DomainError subclass, plus those written in the edge's source."""
    classes, todo = set(), [errors.DomainError]
    while todo:
        cls = todo.pop()
        classes.add(cls)
        todo.extend(cls.__subclasses__())
    codes = {cls.code for cls in classes}
    text = _source_text()
    patterns = [
        r'ProtocolError\(\s*"([a-z_]+)"',
        r'error_frame\(\s*"([a-z_]+)"',
        r'_refuse\(\s*\w+,\s*\w+,\s*"([a-z_]+)"',
        r'Refusal\(\s*"([a-z_]+)"',
        r'_refused\(\s*\d+,\s*"([a-z_]+)"',
    ]
    for pattern in patterns:
        codes |= set(re.findall(pattern, text))
    assert room.StorageUnavailable.code in codes
    return codes


def _server_frame_types() -> set[str]:
    text = "\n".join(
        (ROOT / "app" / folder / name).read_text(encoding="utf-8")
        for folder, name in [
            ("realtime", "room.py"),
            ("web", "ws.py"),
            ("web", "realtime_session.py"),
            ("realtime", "signals.py"),
        ]
    )
    return set(re.findall(r'"type":\s*"([a-z.]+)"', text))


def test_every_client_frame_type_is_documented(doc: str) -> None:
    names = [*protocol.OP_TYPES, *protocol.EPHEMERAL_TYPES, "hello"]
    assert len(protocol.OP_TYPES) >= 14
    missing = [name for name in names if _code(name) not in doc]
    assert not missing, f"client frames missing from docs/protocol.md: {missing}"


def test_every_operation_has_its_own_subsection(doc: str) -> None:
    headings = [line for line in doc.splitlines() if line.startswith("### ")]
    missing = [name for name in protocol.OP_TYPES if not any(_code(name) in heading for heading in headings)]
    assert not missing, f"operations without a ### subsection: {missing}"


def test_every_event_type_is_documented(doc: str) -> None:
    missing = sorted(name for name in _event_types() if _code(name) not in doc)
    assert not missing, f"event types missing from docs/protocol.md: {missing}"


def test_every_server_frame_type_is_documented(doc: str) -> None:
    names = set(SERVER_FRAMES) | _server_frame_types()
    missing = sorted(name for name in names if _code(name) not in doc)
    assert not missing, f"server frames missing from docs/protocol.md: {missing}"


def test_every_error_code_is_documented(doc: str) -> None:
    codes = set(ERROR_CODES) | _error_codes()
    missing = sorted(code for code in codes if _code(code) not in doc)
    assert not missing, f"error codes missing from docs/protocol.md: {missing}"


def test_every_close_code_is_documented(doc: str) -> None:
    codes = {value for name, value in vars(ws).items() if name.startswith("CLOSE_") and isinstance(value, int)}
    assert {4400, 4401, 4403, 4404, 1011, 1013} <= codes
    missing = sorted(code for code in codes if not re.search(rf"\b{code}\b", doc))
    assert not missing, f"close codes missing from docs/protocol.md: {missing}"


def test_every_sse_route_and_status_is_documented(doc: str) -> None:
    from app.web import sse

    routes = [getattr(route, "path", "") for route in sse.router.routes]
    assert len(routes) == 3
    missing = [path for path in routes if path.replace("{sid}", "{session}") not in doc]
    assert not missing, f"SSE routes missing from docs/protocol.md: {missing}"
    statuses = set(map(int, re.findall(r"_refused\((\d+),", inspect.getsource(sse))))
    assert {404, 409, 413} <= statuses
    missing_statuses = [status for status in sorted(statuses) if f"| {status} |" not in doc]
    assert not missing_statuses, f"SSE HTTP statuses missing from docs/protocol.md: {missing_statuses}"
    assert f"at most {sse.MAX_POST_FRAMES} frames" in doc and f"{sse.MAX_POST_BYTES // 2**20} MiB" in doc


def test_every_setting_is_documented(doc: str) -> None:
    # The README is written separately: the protocol page keeps its own settings table.
    names = [f"ATELIER_{name.upper()}" for name in Settings.model_fields]
    missing = [name for name in names if _code(name) not in doc]
    assert not missing, f"settings missing from docs/protocol.md: {missing}"


def test_documented_limits_match_the_code(doc: str) -> None:
    from app.domain import limits
    from app.realtime import ratelimit

    assert protocol.MAX_FRAME_BYTES == 64 * 1024 and "64 KiB" in doc
    assert limits.TEXT_UPDATE_MAX_BYTES == 32 * 1024 and "32 KiB" in doc
    assert f"`REPLAY_MAX` = {room.REPLAY_MAX}" in doc
    assert f"{limits.CARD_TITLE_MAX} / {limits.CARD_DESCRIPTION_MAX} characters" in doc
    assert f"| cards per atelier | {limits.CARDS_MAX} |" in doc
    assert f"| members per atelier | {limits.MEMBERS_MAX} " in doc
    for kind, (burst, per_second) in ratelimit.LIMITS.items():
        assert f"bursts of {burst:g}, then {per_second:g} per second" in doc, kind
    creations = [name for name in protocol.OP_TYPES if ratelimit.limit_class(name) == ratelimit.CREATE]
    missing = [name for name in creations if f"`{name}`" not in doc.split("## 11. Limits", 1)[1]]
    assert not missing, f"creation types missing from the rate limits of §11: {missing}"
    assert f"`ATELIER_OUTBOX_SIZE` = {Settings.model_fields['outbox_size'].default}" in doc
    assert f"`ATELIER_IDLE_TIMEOUT_S` = {Settings.model_fields['idle_timeout_s'].default:g} s" in doc


def test_the_example_client_compiles(doc: str) -> None:
    section = doc.split("## 12.", 1)[1]
    match = re.search(r"```python\n(.*?)```", section, re.S)
    assert match, "no Python block in section 12"
    compile(match.group(1), "protocol.md#client", "exec")
