"""Follow-up grids (issue 10): status per measure, two layouts, the score and its method."""

from __future__ import annotations

import csv
from pathlib import Path
from typing import Any

import pandas as pd
import pytest
from openpyxl import Workbook

from pacte_analysis.followup import (
    SCORE_METHOD,
    followup_scores,
    followup_summary,
    parse_status,
    read_followup,
)
from pacte_analysis.ingest._values import InvalidValue


@pytest.fixture(scope="module")
def resolver() -> Any:
    try:
        from pacte_analysis.reference import CommuneResolver

        return CommuneResolver()
    except Exception as exc:  # pragma: no cover - only without the reference cache
        pytest.skip(f"référentiel absent : {exc}")


@pytest.mark.parametrize(
    ("text", "key"),
    [
        ("Réalisée", "done"),
        ("fait", "done"),
        ("EN COURS", "in_progress"),
        ("partiellement réalisée", "in_progress"),
        ("amorcée", "started"),
        ("Engagée", "started"),
        ("non engagée", "not_started"),
        ("pas commencée", "not_started"),
        ("abandonnée", "abandoned"),
    ],
)
def test_status_spellings(text: str, key: str) -> None:
    from pacte_analysis.followup import STATUSES

    assessed, code = parse_status(text)
    assert assessed and code is not None and STATUSES[code - 1].key == key


def test_unknown_status_lists_the_accepted_ones() -> None:
    with pytest.raises(InvalidValue, match="réalisée"):
        parse_status("bof")
    assert parse_status("") == (False, None)


def _wide(path: Path) -> None:
    wb = Workbook()
    ws = wb.active
    ws.title = "Bilan 2023"
    ws.append(["Bilan de mi-mandat des collectifs (données fictives)"])
    ws.append(["Commune", "Mesure 1", "Mesure 2", "Mesure 3", "Mesure 4", "Commentaire"])
    ws.append(["Rennes", "réalisée", "en cours", "non engagée", "", "bon début"])
    ws.append(["Brest", "Abandonnée", "bof", "réalisée", "fait", ""])
    wb.save(path)


def _long(path: Path) -> None:
    with path.open("w", encoding="cp1252", newline="") as f:
        writer = csv.writer(f, delimiter=";")
        writer.writerow(["Commune", "Liste", "Mesure", "État d'avancement", "Commentaire", "Date"])
        writer.writerow(
            ["Quimper", "Quimper demain", "M5", "réalisée", "cantine bio", "01/06/2023"]
        )
        writer.writerow(["Quimper", "Quimper demain", "M7", "en cours", "", "01/06/2023"])
        writer.writerow(["Quimper", "Quimper demain", "M9", "amorcée", "", "01/06/2023"])


def test_two_layouts_and_the_score(tmp_path: Path, resolver: Any) -> None:
    _wide(tmp_path / "bilan-large.xlsx")
    _long(tmp_path / "bilan-long.csv")
    result = read_followup(tmp_path, resolver=resolver)
    st = result.statuses
    assert sorted(st["commune_code"].unique()) == ["29019", "29232", "35238"]
    rennes = st[st["commune_code"] == "35238"].set_index("measure")
    assert rennes["status"].to_dict() == {1: "done", 2: "in_progress", 3: "not_started"}
    assert rennes.loc[1, "comment"] == "bon début"
    quimper = st[st["commune_code"] == "29232"].set_index("measure")
    assert quimper["status"].to_dict() == {5: "done", 7: "in_progress", 9: "started"}
    assert quimper.loc[5, "comment"] == "cantine bio" and pd.isna(quimper.loc[7, "comment"])
    assert (quimper.loc[5, "source_row"], quimper.loc[5, "source_column"]) == (2, "D")
    # the unknown status is a reject on its cell, the rest of the row is read
    bad = result.rejects[result.rejects["code"] == "INVALID_VALUE"]
    assert bad[["source_row", "source_column"]].values.tolist() == [[4, "C"]]
    assert "réalisée" in bad["message"].iloc[0]
    assert "Rennes" not in result.report() or "rejet" in result.report()

    # the 2020 tables: Rennes' elected team committed to 1, 2, 3 and 5; Quimper's
    # named team to 5, 7, 9, 11
    lists = pd.DataFrame(
        {
            "list_id": ["r1", "r2", "q1", "b1"],
            "commune_code": ["35238", "35238", "29232", "29019"],
            "list_name": ["Rennes A", "Rennes B", "Quimper demain", "Brest"],
            "list_head": [None, None, None, None],
            "signatory": [True, False, True, True],
            "elected": [True, False, False, pd.NA],
        }
    )
    commitments = pd.DataFrame(
        {
            "list_id": ["r1"] * 4 + ["r2"] + ["q1"] * 4,
            "measure": [1, 2, 3, 5, 1, 5, 7, 9, 11],
            "committed": [True] * 9,
        }
    )
    scores = followup_scores(st, lists, commitments).set_index("commune_code")
    # Rennes: (1 + 0.5) / 4 committed (5 not assessed) → 3.75 → 3.8
    assert scores.loc["35238", "list_id"] == "r1"
    assert scores.loc["35238", "score"] == pytest.approx(3.8)
    assert scores.loc["35238", "n_not_assessed"] == 1
    # Quimper: the grid names the team; (1 + 0.5 + 0) / 4
    assert scores.loc["29232", "list_id"] == "q1"
    assert scores.loc["29232", "score"] == pytest.approx(3.8)
    # Brest: no known elected team → over the measures assessed: (0 + 1 + 1) / 3
    assert pd.isna(scores.loc["29019", "list_id"])
    assert scores.loc["29019", "score"] == pytest.approx(6.7)
    assert (scores["method"] == SCORE_METHOD).all() and "10 ×" in SCORE_METHOD

    by_measure = followup_summary(st).set_index("mesure")
    assert by_measure["n_assessed"].sum() == len(st)
    by_theme = followup_summary(st, by="theme")
    assert by_theme["n_assessed"].sum() == len(st)


def test_followup_command(tmp_path: Path, resolver: Any) -> None:
    from pacte_analysis.cli import main

    grids = tmp_path / "grilles"
    grids.mkdir()
    _wide(grids / "bilan.xlsx")
    data = tmp_path / "tables"
    data.mkdir()
    from pacte_analysis.tables import SCHEMAS, build_table, empty_table

    given = {
        "list_id": ["r1"],
        "edition": ["pacte-2020"],
        "commune_code": ["35238"],
        "commune_name": ["Rennes"],
        "departement_code": ["35"],
        "list_name": ["Rennes A"],
        "principles": ["ABC"],
        "n_measures": [2],
        "signatory": [True],
        "signatory_source": ["tracker"],
        "elected": [True],
        "source_row": [2],
    }
    lists = {c: given.get(c, [None]) for c in SCHEMAS["lists"]}
    build_table("lists", lists).to_parquet(data / "lists.parquet")
    pledged = {"list_id": ["r1", "r1"], "edition": ["pacte-2020"] * 2, "measure": [1, 2]}
    pledged |= {"committed": [True, True], "source_row": [2, 2]}
    commitments = {c: pledged.get(c, [None, None]) for c in SCHEMAS["commitments"]}
    build_table("commitments", commitments).to_parquet(data / "commitments.parquet")
    empty_table("rejects").to_parquet(data / "rejects.parquet")
    out = tmp_path / "bilan"
    # the grid has one unknown status: --strict writes nothing and exits 1
    assert main(["followup", str(grids), "--data", str(data), "--out", str(out), "--strict"]) == 1
    assert not out.exists()
    assert main(["followup", str(grids), "--data", str(data), "--out", str(out)]) == 0
    scores = pd.read_csv(out / "scores-communes.csv", dtype={"commune_code": str})
    assert scores.set_index("commune_code").loc["35238", "score"] == pytest.approx(7.5)
    assert "10 ×" in (out / "METHODE.txt").read_text(encoding="utf-8")
    # usage errors: exit 2
    assert main(["followup", str(grids), "--data", str(tmp_path / "x"), "--out", str(out)]) == 2
    assert main(["followup", str(grids), "--data", str(data), "--out", str(grids / "o")]) == 2
