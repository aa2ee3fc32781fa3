"""The kit's three built-in déroulés (DITP « Ateliers Ouverture », mars 2021, Formats #1–#3).

Each format lives in its own module, transcribed from the kit's « Animer un atelier » section.
"""

from __future__ import annotations

from app.domain.deroule import Deroule
from app.domain.formats.format1 import FORMAT_1
from app.domain.formats.format2 import FORMAT_2
from app.domain.formats.format3 import FORMAT_3

FORMATS: dict[str, Deroule] = {fmt.key: fmt for fmt in (FORMAT_1, FORMAT_2, FORMAT_3)}


def get_format(key: str) -> Deroule:
    """Return the built-in format `key` ("1", "2" or "3"); raise KeyError for any other key."""
    try:
        return FORMATS[key]
    except KeyError:
        raise KeyError(f"unknown format: {key!r}") from None


__all__ = ["FORMATS", "FORMAT_1", "FORMAT_2", "FORMAT_3", "get_format"]
