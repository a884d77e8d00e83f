"""Two shapes a group's sheet takes that were read wrong: a commune header that names
what its cells add (« Ville (dépt) »), and bare « 1 » meaning level N1 in a sheet of
levels. Each cell is read as the group meant, and the report says what was assumed."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pandas as pd
from openpyxl import Workbook

from pacte_analysis.ingest import ingest

from .conftest import NO_MAYORS


def _tracker(path: Path, rows: list[list[Any]]) -> Path:
    book = Workbook()
    sheet = book.active
    sheet.title = "Suivi"
    sheet["A1"] = "Collectif — suivi des engagements (mars 2020)"
    sheet.append([])
    for row in rows:
        sheet.append(row)
    book.save(path)
    return path


def _committed(result: Any) -> dict[tuple[str, int], Any]:
    com = result.commitments.merge(result.lists[["list_id", "commune_name"]], on="list_id")
    com = com[com["committed"]]
    return {
        (name, measure): (None if pd.isna(level) else int(level))
        for name, measure, level in zip(
            com["commune_name"], com["measure"], com["level"], strict=True
        )
    }


def test_a_commune_header_with_its_departement_and_levels_written_two_ways(
    tmp_path: Path, commune_resolver: Any
) -> None:
    path = _tracker(
        tmp_path / "loire.xlsx",
        [
            ["Ville (dépt)", "Tête de liste", "Mesure 1", "Mesure 7", "Mesure 23", "Mesure 30"],
            ["Saint-Étienne (42)", "Camille Exemple", "niveau 2", "2", "", "1"],
            ["Roanne (42)", "Dominique Test", "N3", "3", "N1", "x"],
            ["Montbrison (42)", "Alix Essai", "2", "1", "1", ""],
            ["TOTAL", "", 3, 3, 2, 1],
        ],
    )
    result = ingest(path, resolver=commune_resolver, mayors=NO_MAYORS)
    assert result.lists["commune_code"].tolist() == ["42218", "42187", "42147"]
    assert _committed(result) == {
        ("Saint-Étienne", 1): 2,
        ("Saint-Étienne", 7): 2,
        # a column of marks (« x »), but a row of levels in digits (« 2 »): 1 is N1
        ("Saint-Étienne", 30): 1,
        ("Roanne", 1): 3,
        ("Roanne", 7): 3,
        ("Roanne", 23): 1,
        ("Roanne", 30): None,
        ("Montbrison", 1): 2,
        ("Montbrison", 7): 1,  # a column of levels: 1 is N1
        ("Montbrison", 23): 1,  # « N1 » in the same column: 1 is N1 too
    }
    assert result.rejects["code"].tolist() == ["SUMMARY_ROW"]
    report = result.report()
    assert (
        "colonne E « Mesure 23 » : les « 1 » y sont lus comme le niveau N1, comme les niveaux écrits"
        in report
    )
    assert "Mesure 30" not in report  # the column is read as marks…
    # …but the row of Saint-Étienne writes its levels in digits
    assert "ligne 4 : les « 1 » y sont lus comme le niveau N1, comme les autres niveaux" in report


def test_a_bare_one_beside_bare_levels_on_its_row_is_level_one(
    tmp_path: Path, commune_resolver: Any
) -> None:
    """A column of marks (« x », « 1 ») keeps its 1 as « engagée » on a row of marks, and
    reads it as N1 on a row whose other cells give levels in digits."""
    path = _tracker(
        tmp_path / "loire.xlsx",
        [
            ["Commune", "Tête de liste", "M1", "M4", "M12", "M18"],
            ["Roanne", "Dominique Test", "x", "1", "", ""],
            ["Saint-Chamond", "Léa Démo", 1, 1, 3, 2],
            ["Firminy", "Jean Test", 1, "x", "", ""],
            ["Montbrison", "Alix Essai", "N2", 1, "", "x"],
        ],
    )
    result = ingest(path, resolver=commune_resolver, mayors=NO_MAYORS)
    assert _committed(result) == {
        ("Roanne", 1): None,
        ("Roanne", 4): None,
        ("Saint-Chamond", 1): 1,
        ("Saint-Chamond", 4): 1,
        ("Saint-Chamond", 12): 3,
        ("Saint-Chamond", 18): 2,
        ("Firminy", 1): None,  # only marks on its row
        ("Firminy", 4): None,
        ("Montbrison", 1): 2,
        ("Montbrison", 4): None,  # « N2 » is a level, but not one written in digits
        ("Montbrison", 18): None,
    }
    report = result.report()
    assert "ligne 5 : les « 1 » y sont lus comme le niveau N1" in report
    assert result.rejects.empty


def test_a_column_of_ones_in_a_sheet_of_levels_is_level_one(
    tmp_path: Path, commune_resolver: Any
) -> None:
    path = _tracker(
        tmp_path / "niveaux.xlsx",
        [
            ["Commune (code postal)", "Tête de liste", "Mesure 4", "Mesure 5", "Mesure 6"],
            ["Rennes 35000", "Ana Exemple", 3, 1, True],
            ["Brest (29200)", "Bo Exemple", 2, "", False],
        ],
    )
    result = ingest(path, resolver=commune_resolver, mayors=NO_MAYORS)
    assert result.lists["commune_code"].tolist() == ["35238", "29019"]
    assert _committed(result) == {
        ("Rennes", 4): 3,
        ("Rennes", 5): 1,  # the other column holds bare levels
        ("Rennes", 6): None,  # a checkbox column: marks
        ("Brest", 4): 2,
    }
    assert (
        "colonne D « Mesure 5 » : les « 1 » y sont lus comme le niveau N1, comme dans les autres colonnes de mesures de la feuille"
        in result.report()
    )
    # alone, the same column of 1 is a column of marks (no level assumed)
    alone = _tracker(
        tmp_path / "marques.xlsx",
        [["Commune", "Tête de liste", "Mesure 5"], ["Rennes", "Ana Exemple", 1]],
    )
    result = ingest(alone, resolver=commune_resolver, mayors=NO_MAYORS)
    assert _committed(result) == {("Rennes", 5): None}
    assert "niveau N1" not in result.report()


def test_a_sheet_whose_only_commune_cell_is_a_departement_says_so(
    tmp_path: Path, commune_resolver: Any
) -> None:
    """« Dépt / ville » names the département first: the column stays the département's,
    and each row's reject says that only a département was found, and how to fix it."""
    path = _tracker(
        tmp_path / "dept.xlsx",
        [["Dépt / ville", "Tête de liste", "Mesure 1"], ["42 / Saint-Étienne", "Ana Exemple", "x"]],
    )
    result = ingest(path, resolver=commune_resolver, mayors=NO_MAYORS)
    (message,) = result.rejects.loc[result.rejects["code"] == "MISSING_COMMUNE", "message"]
    assert "Seul le département est indiqué (« 42/SAINT-ÉTIENNE »)" in message
    assert "nommez son en-tête « Commune »" in message
