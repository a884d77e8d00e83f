"""Hostile and broken files are refused quickly, with bounded memory, one reject each."""

from __future__ import annotations

import time
import tracemalloc
import zipfile
from pathlib import Path

import pytest

from pacte_analysis.ingest import ingest
from pacte_analysis.ingest._readers import read_file
from pacte_analysis.ingest._safety import FileProblem, inspect_zip

from .conftest import NO_MAYORS, FakeResolver


def _refused(path: Path) -> FileProblem:
    tracemalloc.start()
    started = time.perf_counter()
    try:
        with pytest.raises(FileProblem) as info:
            read_file(path)
    finally:
        _, peak = tracemalloc.get_traced_memory()
        tracemalloc.stop()
    assert time.perf_counter() - started < 5, "refus trop lent"
    assert peak < 64 * 2**20, f"mémoire non bornée : {peak / 2**20:.0f} Mio"
    return info.value


def test_billion_laughs_refused(fixtures_dir: Path) -> None:
    problem = _refused(fixtures_dir / "billion_laughs.xlsx")
    assert problem.code == "UNREADABLE_FILE"
    assert "DTD" in problem.message


def test_zip_bomb_refused_from_directory(fixtures_dir: Path) -> None:
    path = fixtures_dir / "zip_bomb.xlsx"
    assert path.stat().st_size < 2 * 2**20
    with zipfile.ZipFile(path) as archive:
        assert archive.infolist()[0].file_size >= 2**30  # inflates to a gibibyte
    assert _refused(path).code == "TOO_LARGE"


def test_zip_bomb_with_lying_sizes_refused_while_streaming(fixtures_dir: Path) -> None:
    problem = _refused(fixtures_dir / "zip_bomb_lying.xlsx")
    assert problem.code in {"TOO_LARGE", "UNREADABLE_FILE"}
    assert "taille annoncée" in problem.message


def test_sparse_sheet_refused_before_calamine(fixtures_dir: Path) -> None:
    # calamine would try to allocate a 17-billion-cell grid and abort the process
    problem = _refused(fixtures_dir / "sparse_far_cell.xlsx")
    assert problem.code == "TOO_LARGE"


@pytest.mark.parametrize("name", ["not_a_workbook.xlsx", "password_protected.xlsx", "binary.csv"])
def test_unreadable_files(fixtures_dir: Path, name: str) -> None:
    assert _refused(fixtures_dir / name).code == "UNREADABLE_FILE"


def test_unsupported_extension(tmp_path: Path) -> None:
    path = tmp_path / "suivi.pdf"
    path.write_bytes(b"%PDF-1.4")
    assert _refused(path).code == "UNREADABLE_FILE"


def test_entity_in_utf16_part(tmp_path: Path) -> None:
    xml = '<?xml version="1.0" encoding="UTF-16"?><!DOCTYPE x [<!ENTITY a "b">]><x>&a;</x>'
    path = tmp_path / "utf16.xlsx"
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr(
            "xl/worksheets/sheet1.xml", "\ufeff".encode("utf-16-le") + xml.encode("utf-16-le")
        )
    with pytest.raises(FileProblem) as info:
        inspect_zip(path, "xlsx")
    assert info.value.code == "UNREADABLE_FILE"


def test_ods_with_huge_repeated_cells(tmp_path: Path) -> None:
    content = (
        '<?xml version="1.0" encoding="UTF-8"?><office:document-content '
        'xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0" '
        'xmlns:table="urn:oasis:names:tc:opendocument:xmlns:table:1.0" '
        'xmlns:text="urn:oasis:names:tc:opendocument:xmlns:text:1.0"><office:body>'
        '<office:spreadsheet><table:table table:name="S">'
        '<table:table-row table:number-rows-repeated="1000000">'
        '<table:table-cell table:number-columns-repeated="1000" office:value-type="string">'
        "<text:p>x</text:p></table:table-cell></table:table-row>"
        "</table:table></office:spreadsheet></office:body></office:document-content>"
    )
    path = tmp_path / "repeat.ods"
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("mimetype", "application/vnd.oasis.opendocument.spreadsheet")
        archive.writestr("content.xml", content)
    assert _refused(path).code == "TOO_LARGE"


def test_bad_files_do_not_stop_the_others(fixtures_dir: Path) -> None:
    good = fixtures_dir / "duplicates" / "collectif_a.csv"
    bad = [
        fixtures_dir / n
        for n in (
            "zip_bomb.xlsx",
            "billion_laughs.xlsx",
            "not_a_workbook.xlsx",
            "sparse_far_cell.xlsx",
            "no_header.xlsx",
        )
    ]
    result = ingest([good, *bad], resolver=FakeResolver(), mayors=NO_MAYORS)
    assert len(result.lists) == 2
    per_file = result.rejects.groupby("source_file")["code"].agg(list).to_dict()
    assert per_file[str(fixtures_dir / "zip_bomb.xlsx")] == ["TOO_LARGE"]
    assert per_file[str(fixtures_dir / "billion_laughs.xlsx")] == ["UNREADABLE_FILE"]
    assert per_file[str(fixtures_dir / "sparse_far_cell.xlsx")] == ["TOO_LARGE"]
    assert per_file[str(fixtures_dir / "no_header.xlsx")] == ["NO_HEADER"]
    assert result.rejects["source_row"].isna().all()
