"""One-line text as people type it: trimmed, runs of spaces collapsed, limits checked."""

import re

from .errors import InvalidOperation

# Collapse pasted line breaks and runs of spaces, but keep the non-breaking spaces French
# typography puts before « : ; ! ? » and inside « ».
ASCII_SPACES = re.compile(r"[ \t\r\n\f\v\u2028\u2029]+")


def clean_line(text: str, label: str, maximum: int, *, required: bool) -> str:
    text = ASCII_SPACES.sub(" ", text).strip(" ")
    if required and not text:
        raise InvalidOperation(f"{label} est obligatoire.")
    if len(text) > maximum:
        raise InvalidOperation(f"{label} dépasse {maximum} caractères ({len(text)}).")
    return text
