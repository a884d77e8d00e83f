"""The blank tracker template: structure, dropdowns, and the round trip."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import openpyxl
import pandas as pd

from pacte_analysis.editions import read_edition
from pacte_analysis.ingest import ingest, write_template
from pacte_analysis.ingest._template import template_columns

from .conftest import NO_MAYORS, FakeResolver


def test_template_structure(tmp_path: Path) -> None:
    path = write_template(tmp_path / "modele.xlsx")
    workbook = openpyxl.load_workbook(path)
    assert workbook.sheetnames == ["Instructions", "Suivi"]
    assert "Comment remplir" in "\n".join(str(c.value) for c in workbook["Instructions"]["A"])
    sheet = workbook["Suivi"]
    header = [c.value for c in sheet[3]]
    edition = read_edition("pacte-2020")
    assert header == template_columns(edition)
    assert "Mesure 13" in header  # unconfirmed titles are never invented
    assert any(str(h).startswith("1 - Politique ambitieuse") for h in header)
    formulas = {dv.formula1 for dv in sheet.data_validations.dataValidation}
    assert '"oui,non"' in formulas and '"X,N1,N2,N3,non"' in formulas


def _fill(path: Path, rows: list[list[Any]]) -> None:
    workbook = openpyxl.load_workbook(path)
    sheet = workbook["Suivi"]
    for i, row in enumerate(rows, start=4):
        for j, value in enumerate(row, start=1):
            sheet.cell(row=i, column=j, value=value)
    workbook.save(path)


def _rows(n_measures: int = 32) -> list[list[Any]]:
    marks = ["X", "N1", "N2", "N3", "non", None]
    return [
        [
            "35238",
            "Rennes",
            None,
            "35",
            "Rennes en commun",
            "Camille Martin",
            "oui",
            "oui",
            "oui",
            *(["X"] * n_measures),
            "oui",
            dt.datetime(2020, 3, 4),
        ],
        [
            None,
            "Le Havre",
            "76600",
            None,
            "Havre demain",
            "Jean Durand",
            "oui",
            "non",
            None,
            *(marks[i % 6] for i in range(n_measures)),
            "non",
            None,
        ],
    ]


def test_template_round_trip_fake(tmp_path: Path) -> None:
    path = write_template(tmp_path / "modele.xlsx")
    _fill(path, _rows())
    result = ingest(path, resolver=FakeResolver(), mayors=NO_MAYORS)
    assert result.rejects.empty, result.report()
    assert result.lists["n_measures"].tolist() == [32, 22]
    assert result.lists["principles"].tolist() == ["ABC", "A"]


def test_template_round_trip_real(
    tmp_path: Path, commune_resolver: Any, rne_mayors: pd.DataFrame
) -> None:
    path = write_template(tmp_path / "modele.xlsx")
    _fill(path, _rows())
    result = ingest(path, resolver=commune_resolver, mayors=rne_mayors)
    assert result.rejects.empty, result.report()
    assert result.lists["commune_code"].tolist() == ["35238", "76351"]
    assert result.lists["signatory"].tolist() == [True, False]
    assert result.lists["signed_on"].iloc[0] == dt.date(2020, 3, 4)


def test_blank_template_imports_nothing(tmp_path: Path) -> None:
    result = ingest(
        write_template(tmp_path / "modele.xlsx"), resolver=FakeResolver(), mayors=NO_MAYORS
    )
    assert result.rejects.empty and result.lists.empty
    assert result.reconciliation.rows_read == 0
