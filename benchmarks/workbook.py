"""Writing ``pacte-resultats.xlsx``: today's workbook against the new one, two writers.

Run ``python -m benchmarks.workbook [N_LISTS]`` (default 20,000 lists × 32
measures, fictitious). It times, on the same tables:

- ``before``: the workbook of the first release (openpyxl write-only, the long
  ``commitments`` table as a sheet), re-implemented here for the comparison;
- ``openpyxl``: the new sheets (``listes`` wide, summaries) written by openpyxl
  in write-only mode;
- ``xlsxwriter``: the same sheets through :func:`write_workbook` (what ships).

:func:`fake_tables` is also used by the tests (small sizes).
"""

from __future__ import annotations

import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from pacte_analysis.ingest._schema import SCHEMAS, build_table
from pacte_analysis.ingest._workbook import Sheet, build_sheets, write_workbook

__all__ = ["fake_tables", "main", "write_with_openpyxl"]


def fake_tables(n_lists: int, n_measures: int = 32, *, seed: int = 2020) -> dict[str, pd.DataFrame]:
    """Fictitious ``lists`` / ``commitments`` / ``rejects`` of ``n_lists`` lists (deterministic)."""
    rng = np.random.default_rng(seed)
    ids = [f"L{i:06d}" for i in range(n_lists)]
    codes = [f"{rng.integers(1, 96):02d}{rng.integers(1, 700):03d}" for _ in range(n_lists)]
    chosen = rng.random((n_lists, n_measures)) < 0.45
    levels = rng.integers(0, 4, size=(n_lists, n_measures))  # 0 = no level given
    n_measures_list = chosen.sum(axis=1)
    columns: dict[str, Any] = {
        "list_id": ids,
        "edition": ["pacte-2020"] * n_lists,
        "commune_code": codes,
        "commune_name": [f"Commune fictive {c}" for c in codes],
        "departement_code": [c[:2] for c in codes],
        "list_name": [f"Liste exemple n° {i}" for i in range(n_lists)],
        "list_head": [
            f"Camille Exemple-Démo {i}" if i % 97 else f"=HYPERLINK({i})" for i in range(n_lists)
        ],
        "principles": ["ABC" if i % 5 else "AC" for i in range(n_lists)],
        "n_measures": n_measures_list.tolist(),
        "mean_level": [float(x) if x else None for x in np.round(rng.random(n_lists) * 3, 2)],
        "signatory": (n_measures_list >= 10).tolist(),
        "signatory_source": ["rule"] * n_lists,
        "n_measures_declared": [None] * n_lists,
        "elected": [None if i % 3 == 0 else bool(i % 2) for i in range(n_lists)],
        "elected_source": [None if i % 3 == 0 else "tracker" for i in range(n_lists)],
        "signed_on": [None] * n_lists,
        "source_file": ["suivi-fictif.xlsx"] * n_lists,
        "source_sheet": ["Listes"] * n_lists,
        "source_row": list(range(2, n_lists + 2)),
    }
    lists_schema = SCHEMAS["lists"]
    lists = build_table("lists", {c: columns.get(c, [None] * n_lists) for c in lists_schema})
    rows, cols = np.nonzero(np.ones_like(chosen))
    committed = chosen[rows, cols]
    level = levels[rows, cols]
    commitments = build_table(
        "commitments",
        {
            "list_id": [ids[r] for r in rows],
            "edition": ["pacte-2020"] * len(rows),
            "measure": (cols + 1).tolist(),
            "committed": committed.tolist(),
            "level": [int(v) if c and v else None for c, v in zip(committed, level, strict=True)],
            "raw_value": ["x" if c else "" for c in committed],
            "source_file": ["suivi-fictif.xlsx"] * len(rows),
            "source_sheet": ["Listes"] * len(rows),
            "source_row": (rows + 2).tolist(),
            "source_column": [f"M{c + 1}" for c in cols],
        },
    )
    n_rejects = max(1, n_lists // 100)
    rejects = build_table(
        "rejects",
        {
            "source_file": ["suivi-fictif.xlsx"] * n_rejects,
            "source_sheet": ["Listes"] * n_rejects,
            "source_row": list(range(n_lists + 2, n_lists + 2 + n_rejects)),
            "source_column": ["Commune"] * n_rejects,
            "code": ["UNKNOWN_COMMUNE"] * n_rejects,
            "message": ["Commune inconnue (exemple fictif)."] * n_rejects,
            "raw_value": ["@Nulle-Part"] * n_rejects,
        },
    )
    return {"lists": lists, "commitments": commitments, "rejects": rejects}


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
