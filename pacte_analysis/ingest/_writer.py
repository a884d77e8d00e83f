"""Write the canonical tables: parquet, CSV (UTF-8, comma) and one XLSX workbook.

Files are first written into a temporary folder next to the destination, then
moved into place with :func:`os.replace` (atomic on one file system): a failure
leaves no half-written file, and files of the destination folder that are not
ours are left alone. CSV and XLSX cells whose text starts with ``=``, ``+``,
``-``, ``@`` (or a tab / carriage return) are prefixed with an apostrophe so that
a spreadsheet does not run them as formulas; parquet keeps the raw values.
"""

from __future__ import annotations

import datetime as dt
import os
import shutil
import tempfile
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pandas as pd
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Font

from pacte_analysis._reproducible import build_date, normalise_zip

if TYPE_CHECKING:
    from pacte_analysis.ingest._engine import IngestResult

__all__ = ["TABLE_NAMES", "WORKBOOK_NAME", "neutralise", "write_tables"]

TABLE_NAMES = ("lists", "commitments", "rejects")
WORKBOOK_NAME = "pacte-resultats.xlsx"
_DANGEROUS = ("=", "+", "-", "@", "\t", "\r")
#: Rows of an Excel sheet (header included).
EXCEL_MAX_ROWS = 1_048_576


def neutralise(value: Any) -> Any:
    """Defuse a text cell that a spreadsheet would read as a formula.

    Examples
    --------
    >>> neutralise("=HYPERLINK(\\"http://x\\")"), neutralise("-"), neutralise("Rennes"), neutralise(-1)
    ('\\'=HYPERLINK("http://x")', "'-", 'Rennes', -1)
    """
    if isinstance(value, str) and value.startswith(_DANGEROUS):
        return "'" + value
    return value


def _neutralised_frame(frame: pd.DataFrame) -> pd.DataFrame:
    out = frame.copy()
    for column in out.columns:
        if pd.api.types.is_string_dtype(out[column].dtype) or out[column].dtype == object:
            out[column] = out[column].map(neutralise, na_action="ignore")
    return out


def _excel_column(series: pd.Series) -> list[Any]:
    """Plain Python values for openpyxl: ``None`` for missing, neutralised text."""
    values = series.astype(object).tolist()
    missing = series.isna().tolist()
    out: list[Any] = []
    for value, is_missing in zip(values, missing, strict=True):
        if is_missing:
            out.append(None)
        elif isinstance(value, str):
            out.append("'" + value if value.startswith(_DANGEROUS) else value)
        elif hasattr(value, "item") and not isinstance(value, dt.date):
            out.append(value.item())
        else:
            out.append(value)
    return out


def _write_workbook(tables: dict[str, pd.DataFrame], path: Path) -> None:
    """One sheet per table; a table longer than Excel's limit continues on ``name_2``…"""
    workbook = Workbook(write_only=True)
    bold = Font(bold=True)
    for name, frame in tables.items():
        columns = [_excel_column(frame[c]) for c in frame.columns]
        rows = list(zip(*columns, strict=True)) if columns else []
        for part, start in enumerate(range(0, max(len(rows), 1), EXCEL_MAX_ROWS - 1), start=1):
            sheet = workbook.create_sheet(name if part == 1 else f"{name}_{part}")
            sheet.freeze_panes = "A2"
            header = []
            for column in frame.columns:
                cell = WriteOnlyCell(sheet, value=column)
                cell.font = bold
                header.append(cell)
            sheet.append(header)
            for values in rows[start : start + EXCEL_MAX_ROWS - 1]:
                sheet.append(values)
    workbook.save(path)
    # Same tables, same bytes: no write time in the zip entries or the properties.
    normalise_zip(path, build_date())


def write_tables(
    result: IngestResult | dict[str, pd.DataFrame], out_dir: str | Path, *, xlsx: bool = True
) -> list[Path]:
    """Write ``lists``, ``commitments`` and ``rejects`` to ``out_dir``.

    Parameters
    ----------
    result : IngestResult or dict of DataFrame
        The import to write (or a mapping table name → DataFrame).
    out_dir : str or Path
        Destination folder, created if needed.
    xlsx : bool, default True
        Also write ``pacte-resultats.xlsx`` with one sheet per table.

    Returns
    -------
    list of Path
        The files written.

    Examples
    --------
    >>> write_tables(ingest("trackers/"), "data/processed/pacte")  # doctest: +SKIP
    """
    if isinstance(result, dict):
        tables = {name: result[name] for name in TABLE_NAMES}
    else:
        tables = {
            "lists": result.lists,
            "commitments": result.commitments,
            "rejects": result.rejects,
        }
    out = Path(out_dir)
    out.parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=f".{out.name}-", dir=out.parent))
    written: list[str] = []
    try:
        for name, frame in tables.items():
            frame.to_parquet(staging / f"{name}.parquet", index=False)
            _neutralised_frame(frame).to_csv(
                staging / f"{name}.csv", index=False, encoding="utf-8", lineterminator="\n"
            )
            written += [f"{name}.parquet", f"{name}.csv"]
        if xlsx:
            _write_workbook(tables, staging / WORKBOOK_NAME)
            written.append(WORKBOOK_NAME)
        if not out.exists():
            os.replace(staging, out)
            staging = None  # type: ignore[assignment]
        else:
            for name in written:
                os.replace(staging / name, out / name)
    finally:
        if staging is not None and staging.exists():
            shutil.rmtree(staging, ignore_errors=True)
    return [out / name for name in written]
