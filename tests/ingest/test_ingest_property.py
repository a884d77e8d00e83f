"""Property: random cell values never crash the import and every row is accounted for."""

from __future__ import annotations

import datetime as dt
import math
from pathlib import Path
from typing import Any

import python_calamine
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from openpyxl import Workbook
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE

from pacte_analysis._text import is_empty
from pacte_analysis.editions import read_edition
from pacte_analysis.ingest import check_table, ingest
from pacte_analysis.ingest._readers import SheetData
from pacte_analysis.ingest._sheets import read_sheet

from .conftest import NO_MAYORS, FakeResolver

EDITION = read_edition("pacte-2020")
HEADER = [
    "Commune",
    "Tête de liste",
    "Principes",
    "Mesures",
    "M1",
    "M2",
    "M33",
    "Niveau M2",
    "Élue ?",
    "Date",
]

cells = st.one_of(
    st.none(),
    st.text(max_size=12),
    st.sampled_from(
        [
            "x",
            "X",
            "oui",
            "non",
            "N2",
            "niv. 3",
            "✓",
            "1-32",
            "A, B",
            "Rennes",
            "Lille",
            "=1+1",
            "-",
            "33",
            "Brunoy",
            "2, 40-41",
            "ABC",
            "",
            " ",
        ]
    ),
    st.integers(min_value=-5, max_value=100_000),
    st.floats(allow_nan=True, allow_infinity=True),
    st.booleans(),
    st.dates(min_value=dt.date(1900, 1, 1), max_value=dt.date(2100, 1, 1)),
)
grids = st.lists(st.lists(cells, min_size=0, max_size=len(HEADER) + 2), min_size=0, max_size=12)


def _storable(value: Any) -> Any:
    """What an xlsx cell can hold: no control characters, no infinities or NaN."""
    if isinstance(value, str):
        return ILLEGAL_CHARACTERS_RE.sub("", value)
    if isinstance(value, float) and not math.isfinite(value):
        return None
    return value


def _data_rows(grid: list[list[Any]]) -> int:
    return sum(1 for row in grid if any(not is_empty(v) for v in row))


@given(grid=grids)
@settings(
    max_examples=150,
    deadline=None,
    derandomize=True,  # the same examples in every CI run
    suppress_health_check=[HealthCheck.too_slow],
)
def test_random_cells_never_crash_and_rows_balance(grid: list[list[Any]]) -> None:
    sheet = SheetData("S", [list(HEADER), *grid])
    outcome = read_sheet(sheet, EDITION, "f.xlsx")
    assert outcome.has_header
    # a row equal to the header is the only kind of non-empty row allowed to vanish
    assert len(outcome.entries) <= _data_rows(grid)


@given(grid=grids, layout=st.sampled_from(["wide", "compact", "long"]))
@settings(
    max_examples=40,
    deadline=None,
    derandomize=True,  # the same examples in every CI run
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
)
def test_random_workbooks_reconcile(tmp_path: Path, grid: list[list[Any]], layout: str) -> None:
    header = {
        "wide": HEADER,
        "compact": ["Commune", "Tête de liste", "Principes", "Mesures signées", "Élue ?"],
        "long": ["Commune", "Liste", "Mesure", "Engagement", "Niveau"],
    }[layout]
    workbook = Workbook()
    sheet = workbook.active
    assert sheet is not None
    sheet.append(["Titre du suivi"])
    sheet.append(header)
    for row in grid:
        sheet.append([_storable(v) for v in row[: len(header)]])
    path = tmp_path / f"random-{layout}.xlsx"
    try:
        workbook.save(path)
    except Exception:
        return
    result = ingest(path, resolver=FakeResolver(), mayors=NO_MAYORS)
    for table in ("lists", "commitments", "rejects"):
        check_table(table, getattr(result, table))
    rec = result.reconciliation
    assert rec.balanced
    rejected_rows = set(result.rejects["source_row"].dropna().astype(int))
    listed_rows = set(result.lists["source_row"])
    if layout != "long":
        # every non-empty data row of the file (as read back: a formula such as "=1+1"
        # has no cached value) is a list or has at least one reject
        stored = python_calamine.CalamineWorkbook.from_path(str(path)).get_sheet_by_index(0)
        data_rows = {
            i + 1
            for i, row in enumerate(stored.to_python(skip_empty_area=False))
            if i >= 2 and any(not is_empty(v) for v in row)
        }
        assert data_rows <= listed_rows | rejected_rows
    result.report()
