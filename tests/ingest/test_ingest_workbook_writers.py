"""``pacte-resultats.xlsx`` through each writer: what a group member sees when opening it.

The workbook is written by rust_xlsxwriter (``rvgsrust_xlsxwriter``) where its wheel
exists and by xlsxwriter elsewhere: every test here runs on both writers, and one
checks that the two give the same cells and the same formats.
"""

from __future__ import annotations

import datetime as dt
import logging
import os
import pickle
import platform
import subprocess
import sys
import time
import zipfile
from pathlib import Path
from typing import Any

import openpyxl
import pandas as pd
import pytest
from python_calamine import CalamineWorkbook

from pacte_analysis.ingest import _workbook
from pacte_analysis.ingest._workbook import (
    CUT_NOTE,
    EXCEL_MAX_CHARS,
    WORKBOOK_SHEETS,
    WRITERS,
    Column,
    Sheet,
    available_writers,
    build_sheets,
    default_writer,
    write_workbook,
)

from .fake_tables import fake_tables

#: Where pyproject's environment marker installs rvgsrust-xlsxwriter (its wheels).
RUST_PLATFORMS = {("linux", "x86_64"), ("win32", "AMD64"), ("darwin", "arm64")}
ON_RUST_PLATFORM = (sys.platform, platform.machine()) in RUST_PLATFORMS
#: Text a spreadsheet would run, one per first character, then text that stays as it is.
RISKY = ["=cmd|' /C calc'!A0", "+33 6 00 00 00 00", "-Liste moins", "@SUM(1+1)", "＝1+1", "\t=1"]
SAFE = ["Rennes", "a=b", "https://exemple.org", "0123", "_x000D_", "ligne\nsuivante"]
CONTROL = "a\x01b\x1fc"  # control characters: no XML 1.0 text holds them as they are


@pytest.fixture(params=WRITERS)
def writer(request: pytest.FixtureRequest) -> str:
    name = str(request.param)
    if name not in available_writers():
        if name == "rvgsrust_xlsxwriter" and ON_RUST_PLATFORM:
            pytest.fail("rvgsrust-xlsxwriter doit être installé ici (pyproject.toml)")
        pytest.skip(f"{name} n'a pas de roue pour {sys.platform} {platform.machine()}")
    return name


@pytest.fixture(scope="module")
def sheets() -> list[Sheet]:
    tables = fake_tables(150, seed=7)
    lists = tables["lists"]
    signed = [dt.date(2020, 2, 1 + i % 28) if i % 4 == 0 else None for i in range(len(lists))]
    lists["signed_on"] = pd.array(signed, dtype=lists["signed_on"].dtype)
    names = (RISKY + SAFE + [CONTROL]) * (len(lists) // 13 + 1)
    lists["list_name"] = pd.array(names[: len(lists)], dtype="str")
    return build_sheets(tables)


def _write(sheets: list[Sheet], path: Path, writer: str) -> Path:
    return write_workbook(sheets, path, writer=writer)


def _expected(value: Any) -> Any:
    """What calamine gives back for a value of a sheet."""
    if value is None:
        return ""
    if isinstance(value, int):
        return float(value)
    return value


def _widths(sheet: Any) -> dict[int, float]:
    """Width of each column (1-based), ``<col>`` ranges unfolded."""
    widths = {}
    for dim in sheet.column_dimensions.values():
        for index in range(dim.min, dim.max + 1):
            widths[index] = dim.width
    return widths


def _calamine(path: Path) -> dict[str, list[list[Any]]]:
    book = CalamineWorkbook.from_path(path)
    return {name: book.get_sheet_by_name(name).to_python() for name in book.sheet_names}


def test_every_cell_reads_back_as_the_sheets_say(
    sheets: list[Sheet], writer: str, tmp_path: Path
) -> None:
    path = _write(sheets, tmp_path / "classeur.xlsx", writer)
    read = _calamine(path)
    assert tuple(read) == WORKBOOK_SHEETS
    for spec in sheets:
        rows = read[spec.name]
        if spec.notes:
            assert [r[0] for r in rows] == spec.notes
            continue
        assert rows[0] == [c.header for c in spec.columns]
        assert len(rows) == len(spec.columns[0].values) + 1, spec.name
        for j, column in enumerate(spec.columns):
            got = [row[j] for row in rows[1:]]
            assert got == [_expected(v) for v in column.values], (spec.name, column.header)
    # openpyxl too: no formula, no link, text stays text ("0123", codes).
    book = openpyxl.load_workbook(path)
    listes = book["listes"]
    header = [c.value for c in listes[1]]
    names = [row[header.index("Nom de la liste")] for row in listes.iter_rows(min_row=2)]
    assert {c.data_type for c in names} == {"s"}
    assert all(c.hyperlink is None for c in names)
    codes = [row[header.index("Code commune")].value for row in listes.iter_rows(min_row=2)]
    assert all(isinstance(c, str) and len(c) == 5 for c in codes)
    for sheet in book.worksheets:
        assert all(c.data_type != "f" for row in sheet.iter_rows() for c in row), sheet.title


def test_formula_like_text_has_the_quote_prefix_and_nothing_else(
    sheets: list[Sheet], writer: str, tmp_path: Path
) -> None:
    path = _write(sheets, tmp_path / "classeur.xlsx", writer)
    listes = openpyxl.load_workbook(path)["listes"]
    header = [c.value for c in listes[1]]
    cells = [row[header.index("Nom de la liste")] for row in listes.iter_rows(min_row=2)]
    values = [r[header.index("Nom de la liste")] for r in _calamine(path)["listes"][1:]]
    prefixed = {v for v, c in zip(values, cells, strict=True) if c.quotePrefix}
    assert prefixed == set(RISKY)
    heads = [row[header.index("Tête de liste")] for row in listes.iter_rows(min_row=2)]
    assert [c.value for c in heads if c.quotePrefix] == ["=HYPERLINK(0)", "=HYPERLINK(97)"]
    assert not any(c.quotePrefix for row in listes.iter_rows(max_row=1) for c in row)


def test_layout_header_panes_filters_widths_and_column_formats(
    sheets: list[Sheet], writer: str, tmp_path: Path
) -> None:
    path = _write(sheets, tmp_path / "classeur.xlsx", writer)
    book = openpyxl.load_workbook(path)
    for spec in sheets:
        sheet = book[spec.name]
        if spec.notes:
            assert _widths(sheet)[1] == pytest.approx(110, abs=1)
            assert sheet["A1"].alignment.wrap_text
            continue
        n_rows, n_cols = len(spec.columns[0].values), len(spec.columns)
        last = openpyxl.utils.get_column_letter(n_cols)
        assert sheet.auto_filter.ref == f"A1:{last}{max(n_rows, 1) + 1}", spec.name
        corner = openpyxl.utils.get_column_letter(spec.freeze_columns + 1)
        assert sheet.freeze_panes == f"{corner}2", spec.name
        for cell in sheet[1]:
            assert cell.font.b and cell.alignment.wrap_text, spec.name
            assert cell.alignment.vertical == "top"
            assert cell.fill.fill_type == "solid" and cell.fill.fgColor.rgb == "FFDDEBF7"
        widths = _widths(sheet)
        for j, column in enumerate(spec.columns):
            width = widths[j + 1]
            texts = [len(str(v)) for v in column.values if v is not None]
            if column.kind == "measure":
                assert width == pytest.approx(max(len(column.header) + 2, 8), abs=1)
            elif column.kind != "date":
                fitted = min(max([*texts, min(len(column.header), 30), 6]) + 2, 60)
                assert width == pytest.approx(fitted, abs=1), (spec.name, column.header)
    listes = book["listes"]
    assert listes.freeze_panes == "C2"  # commune and code stay in view
    header = [c.value for c in listes[1]]
    rows = list(listes.iter_rows(min_row=2))
    levels = [
        r[header.index("Niveau moyen")] for r in rows if r[header.index("Niveau moyen")].value
    ]
    assert levels and {c.number_format for c in levels} == {"0.0#"}
    measure = [r[header.index("Mesure 1")] for r in rows if r[header.index("Mesure 1")].value]
    assert measure and {c.alignment.horizontal for c in measure} == {"center"}
    dates = [r[header.index("Signée le")] for r in rows if r[header.index("Signée le")].value]
    assert len(dates) == 38 and {c.number_format for c in dates} == {"dd/mm/yyyy"}
    assert dates[0].value == dt.datetime(2020, 2, 1) and dates[0].is_date


def test_same_sheets_same_bytes_and_the_creation_date_is_fixed(
    sheets: list[Sheet], writer: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1593475200")  # 2020-06-30
    first = _write(sheets, tmp_path / "a.xlsx", writer)
    time.sleep(1.1)  # a clock second later: no write time may show in the bytes
    second = _write(sheets, tmp_path / "b.xlsx", writer)
    assert first.read_bytes() == second.read_bytes()
    # Another process too (a Rust hash map may iterate in another order in each one).
    (tmp_path / "sheets.pickle").write_bytes(pickle.dumps(sheets))
    script = (
        "import pickle, sys; from pacte_analysis.ingest._workbook import write_workbook; "
        "write_workbook(pickle.load(open(sys.argv[1], 'rb')), sys.argv[2], writer=sys.argv[3])"
    )
    third = tmp_path / "c.xlsx"
    args = [sys.executable, "-c", script, str(tmp_path / "sheets.pickle"), str(third), writer]
    subprocess.run(args, check=True, env=dict(os.environ, PYTHONPATH=os.pathsep.join(sys.path)))
    assert third.read_bytes() == first.read_bytes()
    core = zipfile.ZipFile(first).read("docProps/core.xml").decode()
    assert ">2020-06-30T00:00:00Z</dcterms:created>" in core
    assert ">2020-06-30T00:00:00Z</dcterms:modified>" in core
    properties = openpyxl.load_workbook(first).properties
    assert properties.title == "Résultats du Pacte pour la Transition"


def test_text_longer_than_excel_is_cut_and_says_so(
    writer: str, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    kept = "k" * EXCEL_MAX_CHARS  # exactly the limit: whole
    long = "é" * 40_000
    wide = "😀" * 16_384  # 16,384 characters but 32,768 UTF-16 units: over Excel's limit
    risky = "=" + "x" * 40_000
    texts = [kept, long, wide, risky, CONTROL, "_x000D_", "fin"]
    sheet = Sheet("rejets", [Column("Valeur lue", texts), Column("Ligne", list(range(7)), "int")])
    with caplog.at_level(logging.WARNING, logger=_workbook.__name__):
        path = _write([sheet], tmp_path / "long.xlsx", writer)
    assert "3 texte(s) de plus de 32767 caractères coupé(s)" in caplog.text
    got = [row[0] for row in _calamine(path)["rejets"][1:]]
    assert got[0] == kept
    for value, text in zip(got[1:4], texts[1:4], strict=True):
        assert value.endswith(CUT_NOTE)
        assert text.startswith(value.removesuffix(CUT_NOTE))
        assert len(value.encode("utf-16-le")) // 2 <= EXCEL_MAX_CHARS
        assert len(value.encode("utf-16-le")) // 2 >= EXCEL_MAX_CHARS - 1  # cut as late as fits
    assert got[4:] == [CONTROL, "_x000D_", "fin"]
    cells = [row[0] for row in openpyxl.load_workbook(path)["rejets"].iter_rows(min_row=2)]
    assert [c.quotePrefix for c in cells] == [False, False, False, True, False, False, False]


def test_other_cell_types_become_what_a_spreadsheet_holds(writer: str, tmp_path: Path) -> None:
    import numpy as np

    values = [
        True,
        np.int64(7),
        np.float64(2.5),
        float("nan"),
        float("-inf"),
        pd.Timestamp("2020-03-15 10:30", tz="Europe/Paris"),
        pd.NaT,
        dt.time(8, 0),
        np.str_("=1+1"),
    ]
    path = _write([Sheet("listes", [Column("Divers", values)])], tmp_path / "t.xlsx", writer)
    got = [row[0] for row in _calamine(path)["listes"][1:]]
    assert got[:5] == ["oui", 7.0, 2.5, "", "-inf"]
    assert got[5] == dt.datetime(2020, 3, 15, 9, 30)  # in UTC
    assert got[6:] == ["", "08:00:00", "=1+1"]
    sheet = openpyxl.load_workbook(path)["listes"]
    assert sheet["A6"].quotePrefix  # "-inf" is text that starts with "-"
    assert sheet["A10"].quotePrefix and sheet["A10"].data_type == "s"


def test_both_writers_give_the_same_cells_and_formats(sheets: list[Sheet], tmp_path: Path) -> None:
    if len(available_writers()) < 2:
        if ON_RUST_PLATFORM:
            pytest.fail("rvgsrust-xlsxwriter doit être installé ici (pyproject.toml)")
        pytest.skip("un seul écrivain sur cette plateforme")
    paths = [_write(sheets, tmp_path / f"{name}.xlsx", name) for name in WRITERS]
    assert paths[0].read_bytes() != paths[1].read_bytes()  # two writers, really
    assert _calamine(paths[0]) == _calamine(paths[1])
    books = [openpyxl.load_workbook(p) for p in paths]

    def look(book: Any) -> list[Any]:
        seen = []
        for sheet in book.worksheets:
            widths = _widths(sheet)
            seen.append((sheet.title, sheet.freeze_panes, sheet.auto_filter.ref, widths))
            for row in sheet.iter_rows():
                for c in row:
                    if c.value is None:
                        continue
                    fill = c.fill.fgColor.rgb if c.fill.fill_type else None
                    align = (c.alignment.horizontal, c.alignment.vertical, c.alignment.wrap_text)
                    seen.append(
                        (c.coordinate, c.number_format, c.quotePrefix, c.font.b, fill, align)
                    )
        return seen

    assert look(books[0]) == look(books[1])


def test_a_sheet_longer_than_excel_continues_on_the_next(
    writer: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(_workbook, "EXCEL_MAX_ROWS", 11)  # 10 rows and the header per sheet
    column = Column("Identifiant", [f"L{i}" for i in range(25)])
    path = _write([Sheet("listes", [column], freeze_columns=1)], tmp_path / "x.xlsx", writer)
    read = _calamine(path)
    assert list(read) == ["listes", "listes (2)", "listes (3)"]
    assert [r[0] for name in read for r in read[name][1:]] == column.values
    assert openpyxl.load_workbook(path)["listes (3)"].freeze_panes == "B2"


def test_the_default_writer_is_the_fastest_installed_and_an_unknown_one_is_refused(
    tmp_path: Path,
) -> None:
    assert default_writer() == available_writers()[0]
    if ON_RUST_PLATFORM:
        assert default_writer() == "rvgsrust_xlsxwriter"
    assert "xlsxwriter" in available_writers()  # always there: the fallback
    with pytest.raises(ValueError, match="module 'openpyxl' absent ou inconnu"):
        write_workbook([], tmp_path / "x.xlsx", writer="openpyxl")
