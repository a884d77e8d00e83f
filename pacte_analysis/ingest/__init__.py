"""Import groups' trackers (xlsx, ods, xls, csv) into the canonical tables.

Examples
--------
>>> from pacte_analysis.ingest import ingest, write_tables  # doctest: +SKIP
>>> res = ingest(["data/raw/trackers/"], edition="pacte-2020")  # doctest: +SKIP
>>> print(res.report())  # doctest: +SKIP
>>> write_tables(res, "data/processed/pacte")  # doctest: +SKIP
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from pacte_analysis._lazy import lazy_names

if TYPE_CHECKING:  # the lazy names below, for type checkers and IDEs
    from pacte_analysis.ingest._engine import (
        FileSummary,
        IngestResult,
        IngestSetupError,
        Reconciliation,
        SheetSummary,
        ingest,
    )
    from pacte_analysis.ingest._safety import (
        MAX_CELL_CHARS,
        MAX_CELLS,
        MAX_COLUMNS,
        MAX_COMPRESSION_RATIO,
        MAX_FILE_BYTES,
        MAX_ROWS,
        MAX_TEXT_BYTES,
        MAX_UNCOMPRESSED_BYTES,
    )
    from pacte_analysis.ingest._template import write_template
    from pacte_analysis.ingest._writer import neutralise, write_tables
    from pacte_analysis.tables import REASON_CODES, SCHEMAS, check_table

#: Public names and their modules, imported on first use (PEP 562), so that the
#: ``pacte`` command registers its sub-commands without loading pandas.
_LAZY: dict[str, str] = {
    "FileSummary": "pacte_analysis.ingest._engine",
    "IngestResult": "pacte_analysis.ingest._engine",
    "IngestSetupError": "pacte_analysis.ingest._engine",
    "Reconciliation": "pacte_analysis.ingest._engine",
    "SheetSummary": "pacte_analysis.ingest._engine",
    "ingest": "pacte_analysis.ingest._engine",
    "MAX_CELL_CHARS": "pacte_analysis.ingest._safety",
    "MAX_CELLS": "pacte_analysis.ingest._safety",
    "MAX_COLUMNS": "pacte_analysis.ingest._safety",
    "MAX_COMPRESSION_RATIO": "pacte_analysis.ingest._safety",
    "MAX_FILE_BYTES": "pacte_analysis.ingest._safety",
    "MAX_ROWS": "pacte_analysis.ingest._safety",
    "MAX_TEXT_BYTES": "pacte_analysis.ingest._safety",
    "MAX_UNCOMPRESSED_BYTES": "pacte_analysis.ingest._safety",
    "REASON_CODES": "pacte_analysis.tables",
    "SCHEMAS": "pacte_analysis.tables",
    "check_table": "pacte_analysis.tables",
    "write_template": "pacte_analysis.ingest._template",
    "neutralise": "pacte_analysis.ingest._writer",
    "write_tables": "pacte_analysis.ingest._writer",
}


__getattr__, __dir__ = lazy_names(globals(), _LAZY)

__all__ = [
    "MAX_CELLS",
    "MAX_CELL_CHARS",
    "MAX_COLUMNS",
    "MAX_COMPRESSION_RATIO",
    "MAX_FILE_BYTES",
    "MAX_ROWS",
    "MAX_TEXT_BYTES",
    "MAX_UNCOMPRESSED_BYTES",
    "REASON_CODES",
    "SCHEMAS",
    "FileSummary",
    "IngestResult",
    "IngestSetupError",
    "Reconciliation",
    "SheetSummary",
    "check_table",
    "ingest",
    "neutralise",
    "write_tables",
    "write_template",
]
