"""Co-written text fields, one CRDT document per field (pycrdt, Yjs wire format).

Each field is its own small document so a browser binds one textarea to one
document, and the deliverable reads plain merged text.
"""

from __future__ import annotations

import base64
import binascii

from pycrdt import Doc, Text

from .errors import InvalidOperation

TEXT_NAME = "text"  # the name of the shared Text inside each field's document


class TextFields:
    """The atelier's co-written fields (notes per step for now)."""

    def __init__(self) -> None:
        self._docs: dict[str, Doc[Text]] = {}
        # Updates that came before one they build on (a re-sent or rate-limited keystroke overtaken
        # by the next): Yjs keeps them aside until the gap fills, and `Doc.get_update()` leaves them
        # out. They are kept here, with every later update of the field, until the gap is filled, so
        # a snapshot of the atelier carries them (`pending_dict`) and a restart loses none.
        self._pending: dict[str, list[bytes]] = {}

    def _doc(self, field: str) -> Doc[Text]:
        doc = self._docs.get(field)
        if doc is None:
            doc = Doc[Text]()
            doc[TEXT_NAME] = Text()
            self._docs[field] = doc
        return doc

    def apply(self, field: str, update: bytes) -> None:
        doc = self._doc(field)
        waiting = self._pending.get(field)
        start = _first_clock(update)
        if start is not None and _state_vector(doc).get(start[0], 0) < start[1]:
            waiting = self._pending.setdefault(field, [])  # its predecessor has not come yet
        doc.apply_update(update)
        if waiting is not None:
            waiting.append(update)
            if self._gap_filled(field):
                del self._pending[field]

    def _gap_filled(self, field: str) -> bool:
        known = _state_vector(self._docs[field])
        starts = [_first_clock(update) for update in self._pending[field]]
        return all(known.get(client, 0) >= clock for client, clock in filter(None, starts))

    def replace(self, field: str, update: bytes) -> None:
        """Start `field` again from a new document holding `update` (its history is dropped)."""
        self._docs.pop(field, None)
        self.apply(field, update)

    def text(self, field: str) -> str:
        doc = self._docs.get(field)
        return "" if doc is None else str(doc[TEXT_NAME])

    def fields(self) -> list[str]:
        return sorted(self._docs)

    def state_update(self, field: str) -> bytes:
        """The whole document as one update: what a new client applies to catch up.

        Reading never creates a field, so a snapshot stays equal to a replay of the log.
        """
        doc = self._docs.get(field)
        return (doc if doc is not None else Doc()).get_update()

    def to_dict(self) -> dict[str, str]:
        return {field: encode_update(doc.get_update()) for field, doc in sorted(self._docs.items())}

    def pending_dict(self) -> dict[str, list[str]]:
        """The updates still waiting for a predecessor, per field (for snapshots of the atelier)."""
        return {field: [encode_update(update) for update in updates] for field, updates in self._pending.items()}

    @classmethod
    def from_dict(cls, data: dict[str, str], pending: dict[str, list[str]] | None = None) -> TextFields:
        fields = cls()
        for field, update in data.items():
            fields.apply(field, decode_update(update))
        for field, updates in (pending or {}).items():
            for update in updates:
                fields.apply(field, decode_update(update))
        return fields


def _varuint(data: bytes, position: int) -> tuple[int, int]:
    value = shift = 0
    while True:
        byte = data[position]
        position += 1
        value |= (byte & 0x7F) << shift
        shift += 7
        if byte < 0x80:
            return value, position


def _first_clock(update: bytes) -> tuple[int, int] | None:
    """(client, first clock) of an update from one client (a person's edit, Yjs v1 encoding); else None."""
    try:
        groups, position = _varuint(update, 0)
        if groups != 1:
            return None
        _structs, position = _varuint(update, position)
        client, position = _varuint(update, position)
        clock, _ = _varuint(update, position)
    except IndexError:
        return None
    return client, clock


def _state_vector(doc: Doc[Text]) -> dict[int, int]:
    """client → next clock expected: what the document has integrated."""
    data, known = doc.get_state(), {}
    count, position = _varuint(data, 0)
    for _ in range(count):
        client, position = _varuint(data, position)
        known[client], position = _varuint(data, position)
    return known


def encode_update(update: bytes) -> str:
    return base64.b64encode(update).decode("ascii")


def decode_update(encoded: str) -> bytes:
    try:
        return base64.b64decode(encoded, validate=True)
    except (binascii.Error, ValueError) as error:
        raise InvalidOperation("La mise à jour de texte n'est pas en base64 valide.") from error


def check_update(update: bytes) -> None:
    """Refuse an update that does not decode, before it touches a real document."""
    scratch: Doc[Text] = Doc()
    try:
        scratch.apply_update(update)
    except ValueError as error:
        raise InvalidOperation("La mise à jour de texte est illisible (format Yjs attendu).") from error
