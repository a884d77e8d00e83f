"""Writing ``pacte-resultats.xlsx``: what ships against what it replaces.

Run ``python -m benchmarks.workbook [N_LISTS] [--repeat R] [--before]`` (default 20,000 lists ×
32 measures, fictitious, 3 runs; wall and CPU seconds, median). It times, on the
same tables:

- ``build sheets``: :func:`build_sheets` (pandas), paid whatever the writer;
- ``ours``: :func:`write_workbook` with its default writer (rust_xlsxwriter through
  ``rvgsrust_xlsxwriter`` where its wheel exists — what ships there);
- ``xlsxwriter``: :func:`write_workbook` with ``writer="xlsxwriter"``: what ships
  where the Rust wheel does not exist, and the writer of the previous release;
- ``openpyxl``: the same sheets through openpyxl in write-only mode;
- ``before`` (with ``--before`` or no argument): the workbook of the first release
  (openpyxl write-only, the long ``commitments`` table as a sheet), re-implemented
  here for the comparison.

The tables come from ``tests/ingest/fake_tables.py`` (run from the repository root).
"""

from __future__ import annotations

import argparse
import functools
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pandas as pd

from pacte_analysis.ingest._workbook import (
    Sheet,
    available_writers,
    build_sheets,
    default_writer,
    write_workbook,
)
from tests.ingest.fake_tables import fake_tables

__all__ = ["main", "timed", "write_before", "write_with_openpyxl"]


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


def timed(fn: Callable[[], Any], repeat: int) -> tuple[float, float, list[float]]:
    """Run ``fn`` ``repeat`` times: median wall seconds, median CPU seconds, wall samples."""
    walls, cpus = [], []
    for _ in range(repeat):
        start, cpu = time.perf_counter(), time.process_time()
        fn()
        walls.append(time.perf_counter() - start)
        cpus.append(time.process_time() - cpu)
    return statistics.median(walls), statistics.median(cpus), walls


def main(argv: list[str] | None = None) -> int:
    """Print the timings for ``N_LISTS`` lists (default 20,000)."""
    parser = argparse.ArgumentParser(prog="python -m benchmarks.workbook")
    parser.add_argument("n_lists", nargs="?", type=int, help="default 20,000 (and --before)")
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--before", action="store_true", help="also the first release's workbook")
    args = parser.parse_args(sys.argv[1:] if argv is None else argv)
    n, repeat = args.n_lists or 20_000, args.repeat
    tables = fake_tables(n)
    print(f"{n} listes fictives × 32 mesures ; {len(tables['commitments'])} engagements")
    print(
        f"écrivains installés : {', '.join(available_writers())} ; par défaut : {default_writer()}"
    )
    print(f"médianes sur {repeat} passages (temps écoulé, CPU)")

    def show(label: str, fn: Callable[[], Any], times: int = repeat) -> float:
        wall, cpu, walls = timed(fn, times)
        runs = " ".join(f"{w:.2f}" for w in walls)
        print(f"  {label:<40} {wall:6.2f} s (CPU {cpu:5.2f} s)  [{runs}]")
        return wall

    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        sheets: list[Sheet] = build_sheets(tables)
        build = show("build sheets (pandas)", lambda: build_sheets(tables))
        files = {}
        for writer in available_writers():
            files[writer] = folder / f"{writer}.xlsx"
            write = functools.partial(write_workbook, sheets, files[writer], writer=writer)
            wrote = show(f"write, {writer}", write)
            print(f"  {'  = build + write':<40} {build + wrote:6.2f} s")
        files["openpyxl"] = folder / "openpyxl.xlsx"
        show("write, openpyxl write-only", lambda: write_with_openpyxl(sheets, files["openpyxl"]))
        if args.before or args.n_lists is None:
            files["before"] = folder / "before.xlsx"
            show("before: openpyxl, long table", lambda: write_before(tables, files["before"]), 1)
        for name, path in files.items():
            print(f"  {name}: {path.stat().st_size / 2**20:.1f} Mio")
    return 0


if __name__ == "__main__":
    sys.exit(main())
