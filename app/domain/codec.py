"""JSON codec for flat event dataclasses, driven by their field types.

`bytes` travel as base64 (CRDT updates); objects with `to_dict`/`from_dict` as their dicts;
`dict[str, bytes]` as a dict of base64;
`tuple[Item, ...]` as a list. A new event needs no hand-written serialisation.
"""

from __future__ import annotations

import dataclasses
import typing
from typing import Any

from .texts import decode_update, encode_update


def encode_value(value: Any) -> Any:
    if isinstance(value, bytes):
        return encode_update(value)
    if hasattr(value, "to_dict"):
        return value.to_dict()
    if isinstance(value, dict):
        return {key: encode_value(item) for key, item in value.items()}
    if isinstance(value, (list, tuple)):
        return [encode_value(item) for item in value]
    return value


def decode_value(hint: Any, value: Any) -> Any:
    if hint is bytes:
        return decode_update(value)
    if isinstance(hint, type) and hasattr(hint, "from_dict"):
        return hint.from_dict(value)
    if typing.get_origin(hint) is dict and typing.get_args(hint)[1] is bytes:
        return {key: decode_update(item) for key, item in value.items()}
    if typing.get_origin(hint) is tuple:  # tuple[Item, ...]
        return tuple(decode_value(typing.get_args(hint)[0], item) for item in value)
    return value


def event_to_dict(event: Any) -> dict[str, Any]:
    return {"type": event.type} | {f.name: encode_value(getattr(event, f.name)) for f in dataclasses.fields(event)}


def event_from_dict(kind: type[Any], data: dict[str, Any]) -> Any:
    hints = typing.get_type_hints(kind)
    fields = dataclasses.fields(kind)
    return kind(**{f.name: decode_value(hints[f.name], data[f.name]) for f in fields if f.name in data})
