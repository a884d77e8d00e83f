"""End-to-end import of every committed fixture against the real COG 2020 resolver."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import pandas as pd
import pytest

from pacte_analysis.ingest import IngestResult, check_table, ingest


def _run(fixtures_dir: Path, resolver: Any, mayors: pd.DataFrame, *names: str) -> IngestResult:
    result = ingest([fixtures_dir / n for n in names], resolver=resolver, mayors=mayors)
    for table in ("lists", "commitments", "rejects"):
        check_table(table, getattr(result, table))
    assert result.reconciliation.balanced
    assert result.report().splitlines()[-1] == result.reconciliation.line()
    return result


def _committed(result: IngestResult, row: int) -> dict[int, int | None]:
    list_id = result.lists["list_id"].iloc[row]
    com = result.commitments
    sel = com[(com["list_id"] == list_id) & com["committed"]]
    return {
        int(m): (None if pd.isna(lv) else int(lv))
        for m, lv in zip(sel["measure"], sel["level"], strict=True)
    }


@pytest.fixture
def run(fixtures_dir: Path, commune_resolver: Any, rne_mayors: pd.DataFrame):  # type: ignore[no-untyped-def]
    return lambda *names: _run(fixtures_dir, commune_resolver, rne_mayors, *names)


def test_wide_with_title_rows_and_every_value_form(run: Any) -> None:
    result = run("wide_title_rows.xlsx")
    lists = result.lists
    assert lists["commune_code"].tolist() == ["35238", "01001", "01001"]  # 1001 restored as 01001
    assert lists["source_row"].tolist() == [4, 6, 7]  # the blank line 5 is skipped
    first = lists.iloc[0]
    assert first["principles"] == "ABC" and first["n_measures"] == 12 and first["signatory"]
    assert _committed(result, 0)[11] == 2 and _committed(result, 0)[12] == 2
    assert first["elected"] and first["elected_source"] == "tracker"
    assert first["signed_on"] == dt.date(2020, 3, 4)
    assert first["list_head"] == "Hélène Durand"  # read from a hidden column
    second = _committed(result, 1)
    assert set(second) == {5, 6, 7, 8, 9, 10, 11, 12} and second[6] == 2 and second[7] == 3
    assert lists.iloc[1]["principles"] == "AB"
    assert lists.iloc[1]["signed_on"] == dt.date(2020, 2, 15)
    rejects = result.rejects
    assert rejects["code"].tolist() == ["INVALID_VALUE"] * 3
    assert rejects["raw_value"].tolist() == ["peut-être", "N7", "bientôt"]
    assert rejects["source_row"].tolist() == [7, 7, 7]
    assert rejects["source_column"].tolist() == ["I", "S", "U"]
    assert lists.iloc[2]["n_measures"] == 10  # the rest of the row still imports


def test_merged_two_row_header(run: Any) -> None:
    result = run("wide_merged_header.xlsx")
    assert result.rejects.empty
    lists = result.lists
    assert lists["commune_name"].tolist() == ["Lille", "Lille", "Grenoble"]  # merged commune
    assert lists["principles"].tolist() == ["ABC", "AB", "ABC"]
    assert lists["n_measures"].tolist() == [10, 5, 10]
    assert lists["elected"].tolist() == [False, True, True]
    assert lists["mean_level"].iloc[2] == 3.0


def test_header_spellings_on_several_sheets(run: Any) -> None:
    result = run("header_variants.xlsx")
    assert result.rejects.empty
    assert result.lists["source_sheet"].tolist() == ["M", "Diese", "Numero", "Titres"]
    assert result.lists["n_measures"].tolist() == [10, 10, 10, 10]
    assert result.lists["commune_code"].tolist() == ["35238", "76351", "93066", "59350"]
    assert any("Lisez-moi" in note for f in result.files for note in f.notes)


def test_long_layout(run: Any) -> None:
    result = run("long_layout.xlsx")
    lists = result.lists
    assert lists["commune_code"].tolist() == ["93066", "97411"]
    assert lists["principles"].tolist() == ["ABC", "A"]
    assert _committed(result, 0) == {n: (n % 3) + 1 for n in range(1, 13)}
    assert _committed(result, 1) == {7: 2}
    assert result.reconciliation.rows_read == 20  # a long list counts each of its rows
    assert result.reconciliation.lists == 2
    codes = result.rejects["code"].tolist()
    assert codes == ["UNKNOWN_MEASURE", "INVALID_VALUE"]


def test_compact_layout_bom_and_rne(run: Any) -> None:
    result = run("compact_bom.csv")
    lists = result.lists
    assert _committed(result, 0) == dict.fromkeys([1, 3, 5, 6, 7, 8, 12, 14, 15])
    assert lists["n_measures"].tolist() == [9, 32, 10, 2]
    assert lists["signatory"].tolist() == [False, True, True, False]
    # heads matched against the 2020 mayors, case- and accent-insensitive
    assert lists["elected"].tolist() == [True, False, True, False]
    assert set(lists["elected_source"]) == {"rne"}
    unknown = result.rejects[result.rejects["code"] == "UNKNOWN_MEASURE"]
    assert unknown["raw_value"].tolist() == ["33", "34"] and unknown["source_row"].isna().all()
    assert "INVALID_VALUE" in result.rejects["code"].tolist()


def test_cp1252_semicolon_export(run: Any) -> None:
    result = run("cp1252_semicolon.csv")
    assert result.rejects.empty
    lists = result.lists
    assert lists["commune_code"].tolist() == ["93066", "91114", "2A004"]
    assert lists["list_name"].iloc[0] == "Vivre à Saint-Denis"
    assert lists["elected"].tolist() == [True, False, True]
    assert lists["elected_source"].tolist() == ["rne", "tracker", "rne"]
    assert lists["mean_level"].iloc[2] == pytest.approx(1.9)


@pytest.mark.parametrize("name", ["tab_separated.txt", "utf8_comma.csv", "libreoffice.ods"])
def test_other_encodings_and_formats(run: Any, name: str) -> None:
    result = run(name)
    assert result.rejects.empty
    assert len(result.lists) >= 2


def test_libreoffice_ods_matches_its_xlsx_source(run: Any) -> None:
    ods = run("libreoffice.ods")
    xlsx = run("libreoffice_source.xlsx")
    for table in ("lists", "commitments"):
        a = getattr(ods, table).drop(columns=["source_file"])
        b = getattr(xlsx, table).drop(columns=["source_file"])
        pd.testing.assert_frame_equal(a, b)
    assert ods.lists["commune_code"].tolist() == ["35238", "76351", "2A004"]


def test_commune_spellings(run: Any) -> None:
    result = run("communes_spellings.csv")
    assert result.lists["commune_code"].tolist() == ["76351", "93066", "75056", "42218"]
    assert result.lists["commune_name"].iloc[0] == "Le Havre"
    # Liste G has an empty commune cell under Trucville-sur-Rien: it is read as the
    # same commune (visual grouping) and the reject says so
    assert result.rejects["code"].tolist() == [
        "AMBIGUOUS_COMMUNE",
        "UNKNOWN_COMMUNE",
        "UNKNOWN_COMMUNE",
    ]
    assert "93066" in result.rejects["message"].iloc[0]
    assert "reprise de la ligne 7" in result.rejects["message"].iloc[2]


def test_levels_numbers_and_serial_dates(run: Any) -> None:
    result = run("levels_and_numbers.xlsx")
    assert _committed(result, 0) == {1: 1, 2: 2, 3: 3, 4: 2}
    assert result.lists["commune_code"].tolist() == ["35238", "01001", "35238"]
    assert result.lists["signed_on"].tolist() == [
        dt.date(2020, 3, 4),
        dt.date(2020, 3, 10),
        dt.date(2020, 3, 11),
    ]
    assert result.rejects["code"].tolist() == ["INVALID_VALUE"]


def test_unknown_measures_once_per_column(run: Any) -> None:
    result = run("mel_34_measures.xlsx")
    assert result.rejects["code"].tolist() == ["UNKNOWN_MEASURE", "UNKNOWN_MEASURE"]
    assert result.rejects["source_column"].tolist() == ["AJ", "AK"]
    assert result.lists["n_measures"].tolist() == [32, 20]
    assert result.commitments["measure"].max() == 32


def test_duplicates_and_conflicts(run: Any) -> None:
    result = run("duplicates")
    assert result.lists["list_head"].tolist() == ["Sophie Bernard"]
    codes = result.rejects[["source_file", "source_row", "code"]].values.tolist()
    assert sorted(c for _, _, c in codes) == [
        "CONFLICTING_LIST",
        "CONFLICTING_LIST",
        "DUPLICATE_LIST",
    ]
    conflict = result.rejects[result.rejects["code"] == "CONFLICTING_LIST"]
    assert "collectif_b.csv" in conflict["message"].iloc[0]
    assert "collectif_a.csv" in conflict["message"].iloc[1]
    assert result.skipped_files == ["duplicates/notes.docx"] or result.skipped_files[0].endswith(
        "notes.docx"
    )


def test_whole_folder_reconciles_and_is_deterministic(
    fixtures_dir: Path, commune_resolver: Any, rne_mayors: pd.DataFrame
) -> None:
    paths = sorted(p for p in fixtures_dir.iterdir() if p.suffix != ".py")
    one = ingest(paths, resolver=commune_resolver, mayors=rne_mayors)
    two = ingest(list(reversed(paths)), resolver=commune_resolver, mayors=rne_mayors)
    for table in ("lists", "commitments", "rejects"):
        pd.testing.assert_frame_equal(getattr(one, table), getattr(two, table))
    assert one.lists["list_id"].is_unique
    rec = one.reconciliation
    assert rec.balanced and rec.rows_read == rec.imported + rec.rejected_rows
    # the figures are checked against what was imported, not only against each other
    assert rec.lists == len(one.lists)
    per_sheet = [s for f in one.files for s in f.sheets]
    assert sum(s.lists for s in per_sheet) == len(one.lists)
    rejected_rows = {
        (r.source_file, r.source_sheet, r.source_row)
        for r in one.rejects.itertuples()
        if not pd.isna(r.source_row)
        and r.code
        not in ("INVALID_VALUE", "AMBIGUOUS_VALUE", "PENDING_MEASURE", "SIGNATORY_MISMATCH")
    }
    listed = set(
        zip(
            one.lists["source_file"],
            one.lists["source_sheet"],
            one.lists["source_row"],
            strict=True,
        )
    )
    assert not rejected_rows & listed  # a row that became a list is not also a rejected row
    assert one.report().endswith(rec.line())
    # every list's commitments point back to it
    assert set(one.commitments["list_id"]) <= set(one.lists["list_id"])


def test_list_id_is_stable_across_sources(run: Any) -> None:
    a = run("libreoffice.ods").lists["list_id"].tolist()
    b = run("libreoffice_source.xlsx").lists["list_id"].tolist()
    assert a == b
