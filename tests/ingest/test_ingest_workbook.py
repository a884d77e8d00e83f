"""``pacte-resultats.xlsx``: the sheets a group member reads, checked against the tables."""

from __future__ import annotations

from collections import defaultdict
from pathlib import Path
from typing import Any

import openpyxl
import pandas as pd
import pytest
from python_calamine import CalamineWorkbook

from pacte_analysis.editions import read_edition
from pacte_analysis.ingest import _workbook, write_tables
from pacte_analysis.ingest._workbook import WORKBOOK_SHEETS

from .fake_tables import fake_tables

FIRST_HEADERS = [
    "Commune",
    "Code commune",
    "Département",
    "Nom de la liste",
    "Tête de liste",
    "Principes signés",
    "Signataire",
    "Élue",
]


@pytest.fixture(scope="module")
def tables() -> dict[str, pd.DataFrame]:
    tables = fake_tables(120, seed=5)
    # Columns the contract may gain: named in French when known, kept as they are otherwise.
    tables["lists"] = tables["lists"].assign(
        n_measures_declared=pd.array([24] + [None] * 119, dtype="Int64"),
        colonne_future=pd.array(["x"] * 120, dtype="str"),
    )
    return tables


@pytest.fixture(scope="module")
def workbook(tables: dict[str, pd.DataFrame], tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("classeur")
    write_tables(tables, out)
    return out / "pacte-resultats.xlsx"


def _rows(path: Path, sheet: str) -> list[dict[str, Any]]:
    rows = CalamineWorkbook.from_path(path).get_sheet_by_name(sheet).to_python()
    header = [str(h) for h in rows[0]]
    return [dict(zip(header, row, strict=True)) for row in rows[1:]]


def test_sheets_and_their_layout(workbook: Path) -> None:
    book = openpyxl.load_workbook(workbook)
    assert tuple(book.sheetnames) == WORKBOOK_SHEETS
    assert "commitments" not in book.sheetnames
    for name in WORKBOOK_SHEETS[1:]:
        sheet = book[name]
        assert sheet.freeze_panes in ("A2", "C2"), name
        last = openpyxl.utils.get_column_letter(sheet.max_column)
        assert sheet.auto_filter.ref == f"A1:{last}{max(sheet.max_row, 2)}", name
        assert all(c.font.b for c in sheet[1]), name
        widths = [sheet.column_dimensions[c.column_letter].width for c in sheet[1]]
        assert all(w and w >= 8 for w in widths), name
    assert book["listes"].freeze_panes == "C2"  # commune and code stay in view


def test_lists_sheet_one_row_per_list_then_one_column_per_measure(
    workbook: Path, tables: dict[str, pd.DataFrame]
) -> None:
    rows = _rows(workbook, "listes")
    header = list(rows[0])
    edition = read_edition("pacte-2020")
    measures = [f"Mesure {n}" for n in edition.measure_numbers]
    assert header[:8] == FIRST_HEADERS
    assert header[-len(measures) :] == measures
    assert "Mesures annoncées par le suivi" in header and "colonne_future" in header
    lists = tables["lists"]
    assert len(rows) == len(lists)
    expected: dict[tuple[str, int], Any] = {}
    for c in tables["commitments"].to_dict("records"):
        if c["committed"]:
            level = c["level"]
            expected[(c["list_id"], c["measure"])] = "✓" if pd.isna(level) else int(level)
    for row, lst in zip(rows, lists.to_dict("records"), strict=True):
        assert row["Code commune"] == lst["commune_code"]
        assert row["Signataire"] == ("oui" if lst["signatory"] else "non")
        elected = lst["elected"]
        assert row["Élue"] == ("inconnu" if pd.isna(elected) else "oui" if elected else "non")
        for n in edition.measure_numbers:
            got = row[f"Mesure {n}"]
            want = expected.get((lst["list_id"], n), "")
            assert (int(got) if isinstance(got, float) else got) == want, (lst["list_id"], n)


def test_summary_sheets_count_what_the_tables_say(
    workbook: Path, tables: dict[str, pd.DataFrame]
) -> None:
    lists, commitments = tables["lists"], tables["commitments"]
    signatory = dict(zip(lists["list_id"], lists["signatory"], strict=True))
    per_measure: dict[int, list[Any]] = defaultdict(list)
    for c in commitments.to_dict("records"):
        if c["committed"]:
            per_measure[c["measure"]].append((signatory[c["list_id"]], c["level"]))
    for row in _rows(workbook, "mesures"):
        done = per_measure[int(row["Mesure"])]
        assert row["Listes engagées"] == len(done)
        assert row["dont listes signataires"] == sum(s for s, _ in done)
        levels = [lv for _, lv in done if not pd.isna(lv)]
        assert row["Niveau moyen"] == pytest.approx(sum(levels) / len(levels), abs=0.005)
        assert row["Intitulé"]
    communes = _rows(workbook, "communes")
    assert len(communes) == lists["commune_code"].nunique()
    for row in communes:
        mine = lists[lists["commune_code"] == row["Code commune"]]
        assert row["Listes connues"] == len(mine)
        assert row["Listes signataires"] == int(mine["signatory"].sum())
    departements = _rows(workbook, "départements")
    assert sum(r["Listes connues"] for r in departements) == len(lists)
    for row in departements:
        mine = lists[lists["departement_code"] == row["Département"]]
        assert row["Communes avec une liste connue"] == mine["commune_code"].nunique()
        signed = mine[mine["signatory"]]["commune_code"].nunique()
        assert row["Communes avec une liste signataire"] == signed
    rejects = _rows(workbook, "rejets")
    assert len(rejects) == len(tables["rejects"])
    assert rejects[0]["Motif"] == "commune inconnue" and rejects[0]["Code"] == "UNKNOWN_COMMUNE"


def test_read_me_sheet_says_where_things_are_and_if_fictitious(
    tables: dict[str, pd.DataFrame], tmp_path: Path
) -> None:
    write_tables(tables, tmp_path / "vrai")
    write_tables(tables, tmp_path / "demo", demo=True, source="jeu de démonstration")
    for name, fictitious in (("vrai", False), ("demo", True)):
        rows = CalamineWorkbook.from_path(tmp_path / name / "pacte-resultats.xlsx")
        text = "\n".join(str(r[0]) for r in rows.get_sheet_by_name("À lire").to_python())
        assert "commitments.csv" in text and "commitments.parquet" in text
        assert "« listes »" in text and "« rejets »" in text and "« mesures »" in text
        assert "suivi-fictif.xlsx" in text  # the files imported
        assert ("DONNÉES FICTIVES" in text) is fictitious
        assert ("ne sont pas marquées comme fictives" in text) is not fictitious
    assert "Source des données : jeu de démonstration" in text


def test_a_sheet_longer_than_excel_continues_on_the_next(
    tables: dict[str, pd.DataFrame], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(_workbook, "EXCEL_MAX_ROWS", 51)  # 50 rows and the header per sheet
    write_tables(tables, tmp_path)
    book = CalamineWorkbook.from_path(tmp_path / "pacte-resultats.xlsx")
    assert book.sheet_names[1:4] == ["listes", "listes (2)", "listes (3)"]
    rows = [book.get_sheet_by_name(n).to_python() for n in ("listes", "listes (2)", "listes (3)")]
    assert [len(r) for r in rows] == [51, 51, 21]
    ids = [row[r[0].index("Identifiant")] for r in rows for row in r[1:]]
    assert ids == tables["lists"]["list_id"].tolist()  # every list, in order, once
