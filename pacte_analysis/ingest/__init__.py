"""Import groups' trackers (xlsx, ods, xls, csv) into the canonical tables.

Examples
--------
>>> from pacte_analysis.ingest import ingest, write_tables  # doctest: +SKIP
>>> res = ingest(["data/raw/trackers/"], edition="pacte-2020")  # doctest: +SKIP
>>> print(res.report())  # doctest: +SKIP
>>> write_tables(res, "data/processed/pacte")  # doctest: +SKIP
"""

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
from pacte_analysis.ingest._schema import REASON_CODES, SCHEMAS, check_table
from pacte_analysis.ingest._template import write_template
from pacte_analysis.ingest._writer import neutralise, write_tables

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
