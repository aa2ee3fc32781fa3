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
        # Every update applied, per field. One that came before an update it builds on (a re-sent or
        # rate-limited keystroke overtaken by the next, or typed after someone else's that is late) waits
        # inside Yjs for it, and `Doc.get_update()` leaves such waiting updates out; which ones wait is
        # not observable from Python. So the atelier's snapshot carries the updates themselves
        # (`updates_dict`) and a restart applies them again (Yjs ignores what it already has).
        self._updates: dict[str, list[bytes]] = {}

    def _doc(self, field: str) -> Doc[Text]:
        doc = self._docs.get(field)
        if doc is None:
            doc = Doc[Text]()
            doc[TEXT_NAME] = Text()
            self._docs[field] = doc
        return doc

    def apply(self, field: str, update: bytes) -> None:
        self._doc(field).apply_update(update)
        self._updates.setdefault(field, []).append(update)

    def replace(self, field: str, update: bytes) -> None:
        """Start `field` again from a new document holding `update` (its history is dropped)."""
        self._docs.pop(field, None)
        self._updates.pop(field, None)  # the old updates go too: anonymisation must leave no name behind
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

    def updates_dict(self) -> dict[str, list[str]]:
        """Every update applied, per field, in order (for the atelier's snapshots)."""
        return {field: [encode_update(update) for update in updates] for field, updates in self._updates.items()}

    @classmethod
    def from_dict(cls, data: dict[str, str], updates: dict[str, list[str]] | None = None) -> TextFields:
        """From merged documents (a view), or, for the atelier's own snapshots, every update again."""
        fields, history = cls(), updates or {}
        for field, update in data.items():
            if field not in history:
                fields.apply(field, decode_update(update))
        for field, field_updates in history.items():
            # The same updates in the same order as when they came: the same document, waiting ones too.
            for update in field_updates:
                fields.apply(field, decode_update(update))
        return fields


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
