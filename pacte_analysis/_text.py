"""Text helpers (bottom floor): name normalisation, cell rendering, column letters."""

from __future__ import annotations

import datetime as dt
import math
import re
import unicodedata
from functools import lru_cache
from typing import Any

__all__ = [
    "CIVILITIES",
    "cell_text",
    "column_letter",
    "is_empty",
    "norm",
    "person_key",
]

_NON_ALNUM = re.compile(r"[^0-9a-z]+")
_SPACES = re.compile(r"\s+")
# Characters that survive NFKD but should read as their ASCII cousin.
_TRANSLATE = str.maketrans(
    {
        "œ": "oe",
        "Œ": "OE",
        "æ": "ae",
        "Æ": "AE",
        "ß": "ss",
        "’": "'",
        "‘": "'",
        "\u00a0": " ",
        "\u202f": " ",
    }
)


@lru_cache(maxsize=65536)
def norm(text: str) -> str:
    """Lower-case, accent-free, punctuation-free form of ``text`` for matching.

    Parameters
    ----------
    text : str

    Returns
    -------
    str
        Only ``[0-9a-z]`` words separated by single spaces.

    Examples
    --------
    >>> norm("  Élu·e ? ")
    'elu e'
    >>> norm("N°1 - Achats publics")
    'n 1 achats publics'
    """
    if text.isascii():  # nothing to translate, decompose or strip: the usual case
        return _NON_ALNUM.sub(" ", text.lower()).strip()
    text = text.translate(_TRANSLATE)
    text = unicodedata.normalize("NFKD", text).translate(_WITHOUT_MARKS).lower()
    return _NON_ALNUM.sub(" ", text).strip()


class _MarkRemover(dict[int, int | None]):
    """``str.translate`` table deleting combining marks, filled as characters are met."""

    def __missing__(self, code: int) -> int | None:
        kept = None if unicodedata.combining(chr(code)) else code
        self[code] = kept
        return kept


_WITHOUT_MARKS = _MarkRemover()


#: Civilities and titles left out when names are compared.
CIVILITIES = frozenset(
    {"m", "mr", "mme", "mlle", "madame", "monsieur", "mademoiselle", "dr", "me", "pr"}
)


@lru_cache(maxsize=65536)
def person_key(text: str) -> str:
    """Order-, case-, accent- and civility-insensitive key of a person's name.

    Examples
    --------
    >>> person_key("DUPONT Jean-Pierre") == person_key("jean pierre dupont")
    True
    >>> person_key("Mme Camille Exemple") == person_key("Camille EXEMPLE")
    True
    """
    words = [w for w in norm(text).split() if w not in CIVILITIES]
    return " ".join(sorted(words))


def is_empty(value: Any) -> bool:
    """Whether a cell holds nothing (``None``, NaN, blank or whitespace text)."""
    if value is None:
        return True
    if isinstance(value, str):
        return not value.strip()
    if isinstance(value, float):
        return math.isnan(value)
    return False


def cell_text(value: Any) -> str:
    """Render a cell value as the text a person would read in the sheet.

    Whole floats lose their ``.0`` (``1001.0`` → ``1001``); dates use ISO format.

    Examples
    --------
    >>> cell_text(1001.0), cell_text(" x "), cell_text(None), cell_text(True)
    ('1001', 'x', '', 'VRAI')
    """
    if value is None:
        return ""
    if isinstance(value, str):
        if "  " not in value and value.isprintable():  # only single ASCII spaces
            return value.strip()
        return _SPACES.sub(" ", value).strip()
    if isinstance(value, bool):
        return "VRAI" if value else "FAUX"
    if isinstance(value, float):
        if math.isnan(value):
            return ""
        if value.is_integer() and abs(value) < 1e15:
            return str(int(value))
        return repr(value)
    if isinstance(value, dt.datetime):
        if value.time() == dt.time(0, 0):
            return value.date().isoformat()
        return value.isoformat(sep=" ")
    if isinstance(value, dt.date | dt.time):
        return value.isoformat()
    if isinstance(value, dt.timedelta):
        return str(value)
    return str(value).strip()


@lru_cache(maxsize=4096)
def column_letter(index: int) -> str:
    """Spreadsheet column name of a 0-based index (0 → ``A``, 27 → ``AB``).

    Examples
    --------
    >>> column_letter(0), column_letter(25), column_letter(26), column_letter(16383)
    ('A', 'Z', 'AA', 'XFD')
    """
    index += 1
    letters = ""
    while index:
        index, rem = divmod(index - 1, 26)
        letters = chr(65 + rem) + letters
    return letters


def column_index(letters: str) -> int:
    """Inverse of :func:`column_letter` (``A`` → 0)."""
    index = 0
    for ch in letters.upper():
        index = index * 26 + (ord(ch) - 64)
    return index - 1
