"""The package's exception family (bottom floor: imports nothing of the package).

Every error raised on bad input derives from :class:`PacteError`; its message is in
French and says what is wrong, where, and what is allowed, and its ``code`` is a
stable upper-case reason code (like the ``rejects`` table's). Each class also derives
from the builtin a pandas user would expect (``ValueError`` for a wrong argument,
``KeyError`` — and ``ValueError`` — for an unknown code or missing columns,
``TypeError`` for an argument of the wrong kind), so existing ``except`` clauses keep
working.

Examples
--------
>>> import pacte_analysis as pa
>>> try:
...     pa.territory_summary(None, None, None, level="canton")
... except pa.PacteError as exc:
...     print(exc.code)
INVALID_ARGUMENT
"""

from __future__ import annotations

__all__ = [
    "InvalidArgumentError",
    "MissingColumnsError",
    "PacteError",
    "PacteTypeError",
    "TablesError",
    "UnknownCodeError",
]


class PacteError(Exception):
    """Base class of the errors of :mod:`pacte_analysis` (French message, reason code).

    Parameters
    ----------
    message : str
        French message: what is wrong, where, and what is allowed.
    code : str, optional
        Stable upper-case reason code; defaults to the class's ``code``.
    """

    code: str = "PACTE_ERROR"

    def __init__(self, message: str, *, code: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        if code is not None:
            self.code = code

    def __str__(self) -> str:  # KeyError would quote the message
        return self.message


class InvalidArgumentError(PacteError, ValueError):
    """An argument whose value is not allowed (a wrong ``level=``, ``scheme=``…)."""

    code = "INVALID_ARGUMENT"


class PacteTypeError(PacteError, TypeError):
    """An argument of the wrong kind (an ``int`` département code, a table given in
    the place of another, a DataFrame where a GeoDataFrame is needed)."""

    code = "INVALID_TYPE"


class UnknownCodeError(PacteError, KeyError, ValueError):
    """A code or name (commune, département, région, metric…) that is not known."""

    code = "UNKNOWN_CODE"


class MissingColumnsError(PacteError, KeyError, ValueError):
    """A table that lacks columns the function needs."""

    code = "MISSING_COLUMNS"


class TablesError(PacteError, FileNotFoundError):
    """A folder that does not hold one whole set of the canonical tables: folder or
    table missing, unreadable, or files that do not match the set's manifest."""

    code = "MISSING_TABLES"
