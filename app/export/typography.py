"""French typography for printed text: the spaces that go before « ; ! ? : » and inside « ».

The rule of the Imprimerie nationale's *Lexique des règles typographiques* as word processors apply
it: a narrow no-break space (U+202F) before « ; ! ? », a no-break space (U+00A0) before « : », inside
guillemets, and after « n° » before a number. We only change the *kind* of a space the person typed
(so a line never breaks before a question mark); we never add or remove a character, so a title prints
exactly as typed, and URLs (« https://… »), times (« 10:30 ») and « ?! » stay as they are.

The filter escapes first and then works on the escaped text, skipping character references
(« &amp; », « &#39; ») and tags, so its output is always safe Markup: user HTML stays text.
"""

from __future__ import annotations

import re

from markupsafe import Markup, escape

NARROW_NBSP = "\u202f"
NBSP = "\u00a0"

# Pieces of escaped HTML the rules must not touch: character references end with « ; ».
_PROTECTED = re.compile(r"(&(?:#[0-9]+|#[xX][0-9a-fA-F]+|[A-Za-z][A-Za-z0-9]*);|<[^>]*>)")
# Ordinary spaces or tabs typed before the punctuation (not a line break: it is the person's layout).
_BEFORE_NARROW = re.compile(r"[ \t]+(?=[;!?])")
_BEFORE_COLON = re.compile(r"[ \t]+(?=:)")
_AFTER_OPENING = re.compile(r"(«)[ \t]+")
_BEFORE_CLOSING = re.compile(r"[ \t]+(?=»)")
_AFTER_NUMERO = re.compile(r"\b([Nn]°)[ \t]+(?=\d)")  # « n° 3 » never ends a line on « n° »


def _spaces(text: str) -> str:
    text = _BEFORE_NARROW.sub(NARROW_NBSP, text)
    text = _BEFORE_COLON.sub(NBSP, text)
    text = _AFTER_OPENING.sub(r"\1" + NBSP, text)
    text = _AFTER_NUMERO.sub(r"\1" + NBSP, text)
    return _BEFORE_CLOSING.sub(NBSP, text)


def french(value: object) -> Markup:
    """`value` escaped (unless already Markup), with French no-break spaces; None gives ""."""
    if value is None:
        return Markup("")
    escaped = str(escape(value))
    pieces = _PROTECTED.split(escaped)
    # split() with one group alternates: text, protected, text, protected, …, text.
    return Markup("".join(piece if index % 2 else _spaces(piece) for index, piece in enumerate(pieces)))
