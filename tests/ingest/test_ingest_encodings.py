"""Encodings, NUL bytes and over-long cells: nothing garbled, nothing lost in silence.

What the reader could not take as it is becomes a ``cell_rejects`` entry on its
row (and column), which the engine turns into a row of ``rejects``.
"""

from __future__ import annotations

import csv
from pathlib import Path

import pytest

from pacte_analysis.ingest import ingest
from pacte_analysis.ingest._readers import CellReject, decode_lines, read_file
from pacte_analysis.ingest._safety import MAX_CELL_CHARS

from .conftest import NO_MAYORS, FakeResolver
from .test_ingest_hostile import _ods_cell, write_ods, write_xlsx

HEADER = "Commune;Nom de la liste;Tête de liste;Principes;" + ";".join(
    f"N°{i}" for i in range(1, 33)
)


def _line(commune: str, name: str, head: str) -> str:
    return f"{commune};{name};{head};ABC;" + ";".join(["x"] * 32)


def _only_sheet_rejects(path: Path) -> tuple[list[list[object]], list[CellReject]]:
    data = read_file(path)
    assert len(data.sheets) == 1
    return data.sheets[0].rows, data.sheets[0].cell_rejects


# ----------------------------------------------------------------- mixed encodings
def test_utf8_file_with_one_cp1252_line(tmp_path: Path) -> None:
    path = tmp_path / "mixte.csv"
    path.write_bytes(
        (HEADER + "\n" + _line("Rennes", "Rennes en transition", "Nathalie Appéré") + "\n").encode()
        + (_line("Brunoy", "Brunoy écologie", "Hélène Dupré") + "\n").encode("cp1252")
    )
    rows, rejects = _only_sheet_rejects(path)
    assert rows[0][2] == "Tête de liste" and rows[0][4] == "N°1"  # the header is not garbled
    assert rows[1][2] == "Nathalie Appéré"
    assert rows[2][1:3] == ["Brunoy écologie", "Hélène Dupré"]  # the odd line read right too
    assert [(r.row, r.column, r.code) for r in rejects] == [(3, None, "MIXED_ENCODING")]
    assert "Windows-1252" in rejects[0].message and "Hélène" in rejects[0].raw
    # and the import sees every measure column: 2 lists, 32 measures each
    result = ingest([path], resolver=FakeResolver(), mayors=NO_MAYORS)
    assert sorted(result.lists["n_measures"]) == [32, 32]
    assert result.lists["signatory"].all()


def test_cp1252_export_is_decoded_whole_without_warnings(tmp_path: Path) -> None:
    path = tmp_path / "excel.csv"
    text = HEADER + "\n" + _line("Rennes", "Liste é", "Hélène") + "\n"
    path.write_bytes(text.encode("cp1252"))
    rows, rejects = _only_sheet_rejects(path)
    assert rows[0][2] == "Tête de liste" and rows[1][2] == "Hélène"
    assert rejects == []
    assert "cp1252" in read_file(path).notes[0]


def test_cp1252_line_inside_a_quoted_multiline_cell_is_reported_on_its_row(
    tmp_path: Path,
) -> None:
    path = tmp_path / "multi.csv"
    path.write_bytes(
        "Commune;Remarque\nRennes;«\u00a0ok\u00a0»\n".encode()
        + b'Brunoy;"premi\xe8re ligne\nseconde ligne"\n'
        + "Lille;fin é\n".encode()
    )
    rows, rejects = _only_sheet_rejects(path)
    assert rows[2] == ["Brunoy", "première ligne\nseconde ligne"]
    assert rows[3] == ["Lille", "fin é"]
    assert [(r.row, r.code) for r in rejects] == [(3, "MIXED_ENCODING")]


def test_decode_lines_examples() -> None:
    decoded = decode_lines("Tête\n".encode() + "Hélène\n".encode("cp1252"))
    assert decoded.lines == ["Tête\n", "Hélène\n"]
    assert decoded.other_encoding == {1}
    # mostly cp1252 with one line that happens to be valid UTF-8: the file is cp1252
    decoded = decode_lines("é;1\nè;2\nà;3\n".encode("cp1252") + b"ok;4\n")
    assert decoded.encoding == "cp1252" and decoded.other_encoding == set()


def test_utf16_without_bom_is_read(tmp_path: Path) -> None:
    path = tmp_path / "utf16.csv"
    path.write_bytes(
        (HEADER + "\n" + _line("Rennes", "Liste", "Hélène") + "\n").encode("utf-16-le")
    )
    rows, rejects = _only_sheet_rejects(path)
    assert rows[0][2] == "Tête de liste" and rows[1][2] == "Hélène"
    assert rejects == []


# ----------------------------------------------------------------- NUL bytes
@pytest.mark.parametrize("where", ["start", "far"])
def test_nul_bytes_are_removed_and_reported_wherever_they_are(tmp_path: Path, where: str) -> None:
    filler = [_line("Rennes", f"Liste {i}", "Tête") for i in range(300)]  # > 4 KB
    lines = [HEADER, *filler]
    target = 1 if where == "start" else len(lines) - 1
    lines[target] = lines[target].replace("Liste", "Li\x00\x00ste", 1)
    path = tmp_path / "nul.csv"
    path.write_bytes(("\n".join(lines) + "\n").encode())
    rows, rejects = _only_sheet_rejects(path)
    assert len(rows) == len(lines)
    assert str(rows[target][1]).startswith("Liste ")
    assert [(r.row, r.column, r.code) for r in rejects] == [(target + 1, None, "NUL_BYTES")]
    assert "2 caractère(s) nul(s)" in rejects[0].message


def test_nul_padding_at_the_end_of_a_file_cut_short_is_removed_and_said(tmp_path: Path) -> None:
    path = tmp_path / "coupe.csv"
    text = HEADER + "\n" + _line("Rennes", "Liste", "Hélène") + "\n"
    path.write_bytes(text.encode() + b"\x00" * 4096)
    data = read_file(path)
    assert data.sheets[0].rows[1][2] == "Hélène"
    assert len(data.sheets[0].rows) == 2
    assert "4096 octets nuls en fin de fichier supprimés" in data.notes[0]


def test_binary_content_is_still_refused(tmp_path: Path) -> None:
    from pacte_analysis.ingest._safety import FileProblem

    path = tmp_path / "bin.csv"
    path.write_bytes(bytes(range(32)) * 100)
    with pytest.raises(FileProblem) as info:
        read_file(path)
    assert info.value.code == "UNREADABLE_FILE" and "binaire" in info.value.message


# ----------------------------------------------------------------- long cells
def test_csv_field_over_the_csv_module_limit(tmp_path: Path) -> None:
    limit = csv.field_size_limit()
    path = tmp_path / "long.csv"
    huge = "y" * 200_000  # over the csv module's 128 KB limit
    path.write_text(f"Commune;Note\nRennes;{huge}\nBrunoy;court\n", encoding="utf-8")
    rows, rejects = _only_sheet_rejects(path)
    assert rows == [["Commune", "Note"], ["Rennes", ""], ["Brunoy", "court"]]
    assert [(r.row, r.column, r.code) for r in rejects] == [(2, "B", "TOO_LARGE")]
    assert "200\u202f000 caractères" in rejects[0].message
    assert "field larger" not in rejects[0].message
    assert len(rejects[0].raw) <= 201
    assert csv.field_size_limit() == limit  # the module's setting is restored


def _long_cell_file(tmp_path: Path, kind: str, text: str) -> Path:
    if kind == "csv":
        path = tmp_path / "long.csv"
        path.write_text(f"Commune;Note\nRennes;{text}\n", encoding="utf-8")
    elif kind == "xlsx":
        path = write_xlsx(
            tmp_path / "long.xlsx", [[0, 1], [2, 3]], ["Commune", "Note", "Rennes", text]
        )
    elif kind == "ods":
        row1 = "<table:table-row>" + _ods_cell("Commune") + _ods_cell("Note") + "</table:table-row>"
        row2 = "<table:table-row>" + _ods_cell("Rennes") + _ods_cell(text) + "</table:table-row>"
        path = write_ods(tmp_path / "long.ods", row1 + row2)
    else:
        path = tmp_path / "long.xls"
        path.write_text(
            "<html><body><table><tr><th>Commune</th><th>Note</th></tr>"
            f"<tr><td>Rennes</td><td>{text}</td></tr></table></body></html>",
            encoding="utf-8",
        )
    return path


@pytest.mark.parametrize("kind", ["csv", "xlsx", "ods", "html"])
def test_cells_over_the_excel_limit_are_rejected_the_same_way_in_every_format(
    tmp_path: Path, kind: str
) -> None:
    rows, rejects = _only_sheet_rejects(_long_cell_file(tmp_path, kind, "z" * (MAX_CELL_CHARS + 1)))
    assert rows[1][:2] == ["Rennes", ""]
    assert [(r.row, r.column, r.code) for r in rejects] == [(2, "B", "TOO_LARGE")]
    assert "32\u202f768 caractères" in rejects[0].message


@pytest.mark.parametrize("kind", ["csv", "xlsx", "ods", "html"])
def test_cells_at_the_excel_limit_are_kept(tmp_path: Path, kind: str) -> None:
    text = "z" * MAX_CELL_CHARS
    rows, rejects = _only_sheet_rejects(_long_cell_file(tmp_path, kind, text))
    assert rows[1][:2] == ["Rennes", text]
    assert rejects == []
