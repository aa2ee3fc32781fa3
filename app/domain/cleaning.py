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


# Enough to catch a typo (a missing @, a space); the mail server is the real judge.
EMAIL = re.compile(r"[^@\s]+@[^@\s]+\.[^@\s]+")


def clean_email(text: str, maximum: int) -> str:
    """An optional email address, trimmed; empty when none was given."""
    text = text.strip()
    if len(text) > maximum:
        raise InvalidOperation(f"Le courriel dépasse {maximum} caractères ({len(text)}).")
    if text and not EMAIL.fullmatch(text):
        raise InvalidOperation("Le courriel n'a pas la forme nom@domaine.fr.")
    return text
