"""Writing the tables: formats, formula neutralisation, atomicity."""

from __future__ import annotations

from pathlib import Path

import openpyxl
import pandas as pd
import pytest

from pacte_analysis.ingest import _writer, ingest, write_tables

from .conftest import NO_MAYORS, FakeResolver


@pytest.fixture
def result(tmp_path: Path):  # type: ignore[no-untyped-def]
    src = tmp_path / "in" / "suivi.csv"
    src.parent.mkdir()
    src.write_text(
        "Commune;Nom de la liste;Tête de liste;Principes;M1;M2\n"
        'Rennes;=HYPERLINK("http://x");+33 6 00;ABC;x;@SUM(1)\n'
        "Lille;-Liste moins;@tete;ABC;x;N2\n",
        encoding="utf-8",
    )
    return ingest(src, resolver=FakeResolver(), mayors=NO_MAYORS)


def test_formats_and_neutralisation(result, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    out = tmp_path / "out"
    written = write_tables(result, out)
    assert sorted(p.name for p in written) == sorted(
        [f"{t}.{e}" for t in ("lists", "commitments", "rejects") for e in ("parquet", "csv")]
        + ["pacte-resultats.xlsx"]
    )
    parquet = pd.read_parquet(out / "lists.parquet")
    assert parquet["list_name"].tolist() == ['=HYPERLINK("http://x")', "-Liste moins"]
    csv = pd.read_csv(out / "lists.csv", dtype=str, keep_default_na=False)
    assert csv["list_name"].tolist() == ['\'=HYPERLINK("http://x")', "'-Liste moins"]
    assert csv["list_head"].tolist() == ["'+33 6 00", "'@tete"]
    assert csv["commune_code"].tolist() == ["35238", "59350"]
    rejects = pd.read_csv(out / "rejects.csv", dtype=str, keep_default_na=False)
    assert rejects["raw_value"].tolist() == ["'@SUM(1)"]
    workbook = openpyxl.load_workbook(out / "pacte-resultats.xlsx")
    assert workbook.sheetnames == ["lists", "commitments", "rejects"]
    sheet = workbook["lists"]
    header = [c.value for c in sheet[1]]
    cell = sheet.cell(row=2, column=header.index("list_name") + 1)
    assert cell.data_type == "s" and cell.value.startswith("'=")
    assert all(c.data_type != "f" for row in sheet.iter_rows() for c in row)


def test_parquet_keeps_types(result, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    write_tables(result, tmp_path / "out")
    back = pd.read_parquet(tmp_path / "out" / "commitments.parquet")
    assert back["level"].dtype == "Int64"
    assert back["committed"].dtype == bool


def test_atomic_on_failure(result, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:  # type: ignore[no-untyped-def]
    out = tmp_path / "out"
    out.mkdir()
    (out / "lists.csv").write_text("ancienne version\n", encoding="utf-8")
    (out / "carte.png").write_bytes(b"png")

    def boom(*args: object, **kwargs: object) -> None:
        raise OSError("disque plein")

    monkeypatch.setattr(_writer, "_write_workbook", boom)
    with pytest.raises(OSError):
        write_tables(result, out)
    assert (out / "lists.csv").read_text(encoding="utf-8") == "ancienne version\n"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["in", "out"]  # no staging left


def test_replaces_only_its_files(result, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    out = tmp_path / "out"
    out.mkdir()
    (out / "carte.png").write_bytes(b"png")
    write_tables(result, out)
    assert (out / "carte.png").read_bytes() == b"png"
    assert (out / "lists.parquet").exists()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["in", "out"]
