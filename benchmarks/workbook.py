"""Writing ``pacte-resultats.xlsx``: today's workbook against the new one, two writers.

Run ``python -m benchmarks.workbook [N_LISTS]`` (default 20,000 lists × 32
measures, fictitious). It times, on the same tables:

- ``before``: the workbook of the first release (openpyxl write-only, the long
  ``commitments`` table as a sheet), re-implemented here for the comparison;
- ``openpyxl``: the new sheets (``listes`` wide, summaries) written by openpyxl
  in write-only mode;
- ``xlsxwriter``: the same sheets through :func:`write_workbook` (what ships).

The tables come from ``tests/ingest/fake_tables.py`` (run from the repository root).
"""

from __future__ import annotations

import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import pandas as pd

from pacte_analysis.ingest._workbook import Sheet, build_sheets, write_workbook
from tests.ingest.fake_tables import fake_tables

__all__ = ["main", "write_with_openpyxl"]


def write_with_openpyxl(sheets: list[Sheet], path: Path) -> None:
    """The new sheets through openpyxl write-only (for the comparison only)."""
    from openpyxl import Workbook
    from openpyxl.cell import WriteOnlyCell
    from openpyxl.styles import Font

    workbook = Workbook(write_only=True)
    bold = Font(bold=True)
    for spec in sheets:
        sheet = workbook.create_sheet(spec.name)
        sheet.freeze_panes = "A2"
        header = []
        for column in spec.columns:
            cell = WriteOnlyCell(sheet, value=column.header)
            cell.font = bold
            header.append(cell)
        sheet.append(header)
        for values in zip(*(c.values for c in spec.columns), strict=True):
            sheet.append(values)
    workbook.save(path)


def write_before(tables: dict[str, pd.DataFrame], path: Path) -> None:
    """The first release's workbook: one sheet per table, long commitments included."""
    from openpyxl import Workbook

    workbook = Workbook(write_only=True)
    for name, frame in tables.items():
        sheet = workbook.create_sheet(name)
        sheet.append(list(frame.columns))
        values = [frame[c].astype(object).where(frame[c].notna(), None).tolist() for c in frame]
        for row in zip(*values, strict=True):
            sheet.append(row)
    workbook.save(path)


def _timed(label: str, func: Any, *args: Any) -> float:
    start, cpu = time.perf_counter(), time.process_time()
    func(*args)
    seconds, cpu = time.perf_counter() - start, time.process_time() - cpu
    print(f"  {label:<34} {seconds:6.2f} s (CPU {cpu:5.2f} s)")
    return seconds


def main(argv: list[str] | None = None) -> int:
    """Print the timings for ``N_LISTS`` lists (default 20,000)."""
    argv = sys.argv[1:] if argv is None else argv
    n = int(argv[0]) if argv else 20_000
    tables = fake_tables(n)
    print(f"{n} listes fictives × 32 mesures ; {len(tables['commitments'])} engagements")
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        sheets: list[Sheet] = []

        def build() -> None:
            sheets.extend(build_sheets(tables))

        _timed("build sheets (pandas)", build)
        _timed("xlsxwriter, new sheets", write_workbook, sheets, folder / "x.xlsx")
        _timed("openpyxl write-only, new sheets", write_with_openpyxl, sheets, folder / "o.xlsx")
        if "--before" in argv or not argv:
            _timed("before: openpyxl, long table", write_before, tables, folder / "b.xlsx")
        for name in ("x.xlsx", "o.xlsx", "b.xlsx"):
            if (folder / name).exists():
                print(f"  {name}: {(folder / name).stat().st_size / 2**20:.1f} Mio")
    return 0


if __name__ == "__main__":
    sys.exit(main())
