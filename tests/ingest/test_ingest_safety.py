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


# ------------------------------------------------------------------ paths
def _tracker(path: Path, commune: str = "Rennes") -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(
        "Commune;Nom de la liste;Principes;M1;M2;M3;M4;M5;M6;M7;M8;M9;M10\n"
        f"{commune};Liste de {path.stem};ABC;x;x;x;x;x;x;x;x;x;x\n",
        encoding="utf-8",
    )
    return path


def test_every_skipped_path_is_listed_with_its_reason(tmp_path: Path) -> None:
    import os

    from pacte_analysis.ingest._readers import scan_paths

    root = tmp_path / "suivis"
    _tracker(root / "a.csv")
    _tracker(root / "sub" / "b.csv", "Lille")
    _tracker(root / ".cache" / "c.csv")
    _tracker(root / ".cache.csv")
    (root / "~$a.xlsx").write_bytes(b"lock")
    (root / ".~lock.a.ods#").write_text("lock")
    (root / "notes.docx").write_bytes(b"PK")
    os.mkfifo(root / "tube.csv")
    (root / "casse.csv").symlink_to(root / "absent.csv")
    (root / "sub" / "boucle").symlink_to(root)
    (root / "alias.csv").symlink_to(root / "a.csv")
    outside = _tracker(tmp_path / "ailleurs" / "x.csv")
    (root / "dehors.csv").symlink_to(outside)
    files, skipped, missing = scan_paths([root])
    shown = root.as_posix()
    assert [d for _, d in files] == [f"{shown}/a.csv", f"{shown}/sub/b.csv"]
    reasons = dict(skipped)
    assert len(reasons) == len(skipped) == 10
    expected = {
        ".cache": "caché",
        ".cache.csv": "caché",
        "~$a.xlsx": "verrouillage",
        ".~lock.a.ods#": "verrouillage",
        "notes.docx": "non pris en charge (.docx)",
        "tube.csv": "tube nommé",
        "casse.csv": "lien symbolique cassé",
        "sub/boucle": "en boucle",
        "alias.csv": f"même fichier que {shown}/a.csv",
        "dehors.csv": "hors du dossier donné",
    }
    for name, words in expected.items():
        assert words in reasons[f"{shown}/{name}"], (name, reasons.get(f"{shown}/{name}"))
    assert missing == []


def test_fifo_given_as_argument_is_skipped_not_read(tmp_path: Path) -> None:
    import os

    from pacte_analysis.ingest._readers import scan_paths

    os.mkfifo(tmp_path / "tube.csv")
    files, skipped, missing = scan_paths([tmp_path / "tube.csv", tmp_path / "absent.csv"])
    assert files == []
    assert [r for _, r in skipped] == [
        "tube nommé (FIFO) : ce n'est pas un fichier ordinaire, non lu"
    ]
    assert missing == [str(tmp_path / "absent.csv")]


def test_our_own_outputs_are_not_read_as_trackers(tmp_path: Path) -> None:
    import shutil

    from pacte_analysis.ingest import write_tables
    from pacte_analysis.ingest._readers import OUTPUT_MANIFEST, scan_paths
    from pacte_analysis.ingest._writer import MANIFEST_NAME

    assert OUTPUT_MANIFEST == MANIFEST_NAME  # the name the writer gives its manifest
    root = tmp_path / "suivis"
    _tracker(root / "a.csv")
    result = ingest([root], resolver=FakeResolver(), mayors=NO_MAYORS)
    assert len(result.lists) == 1
    written = write_tables(result, root / "resultats")
    assert {p.name for p in written} >= {"lists.csv", "lists.parquet", "pacte-resultats.xlsx"}
    # tables written without a manifest (by hand, or an older version) beside a tracker
    older = root / "ancien"
    older.mkdir()
    for name in ("lists.csv", "lists.parquet", "commitments.csv", "rejects.csv"):
        shutil.copy(root / "resultats" / name, older / name)
    _tracker(older / "mon-suivi.csv", "Lille")
    files, skipped, _ = scan_paths([root])
    shown = root.as_posix()
    assert [d for _, d in files] == [f"{shown}/a.csv", f"{shown}/ancien/mon-suivi.csv"]
    reasons = dict(skipped)
    assert OUTPUT_MANIFEST in reasons[f"{shown}/resultats"]  # the whole folder, listed once
    assert not any(p.startswith(f"{shown}/resultats/") for p in reasons)
    for name in ("lists.csv", "commitments.csv", "rejects.csv"):
        assert "pacte ingest" in reasons[f"{shown}/ancien/{name}"]
    rerun = ingest([root], resolver=FakeResolver(), mayors=NO_MAYORS)
    assert sorted(rerun.lists["commune_code"]) == ["35238", "59350"]
    assert rerun.rejects.empty


def test_expand_paths_keeps_its_former_shape(tmp_path: Path) -> None:
    from pacte_analysis.ingest._readers import expand_paths

    _tracker(tmp_path / "a.csv")
    (tmp_path / "notes.docx").write_bytes(b"PK")
    files, skipped, _ = expand_paths([tmp_path])
    assert [d for _, d in files] == [f"{tmp_path.as_posix()}/a.csv"]
    assert skipped == [f"{tmp_path.as_posix()}/notes.docx"]


# ------------------------------------------------------------------ content vs extension
FRAMAFORMS = """\ufeff<html>
<head><meta http-equiv="Content-Type" content="text/html; charset=utf-8" />
<script>document.write("<table><tr><td>piège</td></tr></table>")</script>
<style>td { color: red }</style></head>
<body>
<table>
 <tr><th>Commune</th><th>Nom de la liste</th><th>Principes</th>
  <th colspan="2">Mesures</th></tr>
 <tr><td>Rennes<script>alert("piège")</script></td><td>Rennes &amp; vous<br/>(liste citoyenne)</td><td>A, B, C</td>
  <td>1 - Politique ambitieuse d&#39;achats publics responsables</td><td>Oui</td></tr>
 <tr><td rowspan="2">Lille</td><td>Lille   en
   commun</td><td>ABC</td><td>x</td><td>&nbsp;</td></tr>
 <tr><td>Lille verte</td><td>AB</td><td></td><td>x</td></tr>
</table>
</body></html>
"""


def test_framaforms_html_saved_as_xls_is_read(tmp_path: Path) -> None:
    path = tmp_path / "export.xls"
    path.write_text(FRAMAFORMS, encoding="utf-8")
    data = read_file(path)
    assert data.kind == "html"
    assert "page HTML" in data.notes[0]
    [sheet] = data.sheets
    assert sheet.rows == [
        ["Commune", "Nom de la liste", "Principes", "Mesures", "Mesures"],
        [
            "Rennes",
            "Rennes & vous\n(liste citoyenne)",
            "A, B, C",
            "1 - Politique ambitieuse d'achats publics responsables",
            "Oui",
        ],
        ["Lille", "Lille en commun", "ABC", "x", ""],
        ["Lille", "Lille verte", "AB", "", "x"],
    ]
    assert "piège" not in str(sheet.rows)  # script text is never taken as cells


def test_html_without_a_table_is_refused_with_advice(tmp_path: Path) -> None:
    path = tmp_path / "page.xls"
    path.write_text("<!DOCTYPE html><html><body><p>Merci !</p></body></html>")
    problem = _refused(path)
    assert problem.code == "UNREADABLE_FILE"
    assert "page HTML sans tableau" in problem.message and "CSV" in problem.message


def test_workbooks_with_the_wrong_extension_are_read_as_what_they_are(
    fixtures_dir: Path, tmp_path: Path
) -> None:
    import shutil

    expected = read_file(fixtures_dir / "header_variants.xlsx")
    for name in ("renamed.xls", "renamed.csv", "renamed.ods"):
        shutil.copy(fixtures_dir / "header_variants.xlsx", tmp_path / name)
        data = read_file(tmp_path / name)
        assert data.kind == "xlsx"
        assert [s.rows for s in data.sheets] == [s.rows for s in expected.sheets]
        assert any("contenu .xlsx sous l'extension" in n for n in data.notes)
    shutil.copy(fixtures_dir / "libreoffice.ods", tmp_path / "lo.xlsx")
    assert read_file(tmp_path / "lo.xlsx").kind == "ods"


@pytest.mark.parametrize(
    ("name", "content", "words"),
    [
        ("texte.xlsx", b"Commune;Liste\nRennes;A\n", "renommez-le en .csv"),
        ("doc.xlsx", b"%PDF-1.4 ...", "document PDF"),
        ("image.csv", b"\x89PNG\r\n\x1a\n....", "image PNG"),
        ("vieux.xls", bytes.fromhex("d0cf11e0a1b11ae1") + b"\x00" * 1000, "Excel 97-2003"),
        (
            "xml.xls",
            b'<?xml version="1.0"?><Workbook xmlns="urn:schemas-microsoft-com:office:'
            b'spreadsheet"></Workbook>',
            "XML Excel 2003",
        ),
    ],
)
def test_content_that_does_not_match_is_explained_in_french(
    tmp_path: Path, name: str, content: bytes, words: str
) -> None:
    path = tmp_path / name
    path.write_bytes(content)
    problem = _refused(path)
    assert problem.code == "UNREADABLE_FILE"
    assert words in problem.message


def test_file_messages_are_french_and_have_no_doubled_prefix(
    fixtures_dir: Path, tmp_path: Path
) -> None:
    (tmp_path / "vieux.xls").write_bytes(bytes.fromhex("d0cf11e0a1b11ae1") + b"\xff" * 600)
    (tmp_path / "tronque.xlsx").write_bytes(
        (fixtures_dir / "header_variants.xlsx").read_bytes()[:3000]
    )
    (tmp_path / "zip.csv").write_bytes(b"PK\x03\x04" + b"\x00" * 100)
    bad = [
        *(tmp_path / n for n in ("vieux.xls", "tronque.xlsx", "zip.csv")),
        *(
            fixtures_dir / n
            for n in ("not_a_workbook.xlsx", "password_protected.xlsx", "binary.csv")
        ),
    ]
    result = ingest(bad, resolver=FakeResolver(), mayors=NO_MAYORS)
    messages = result.rejects["message"].tolist()
    assert len(messages) == len(bad)
    for message in messages:
        assert message.count("illisible") <= 1, message
        for english in ("error", "Cfb", "zip file", "invalid", "not found", "\\x"):
            assert english not in message, message


def test_html_page_over_its_size_limit_is_refused(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import importlib

    readers = importlib.import_module("pacte_analysis.ingest._readers")
    monkeypatch.setattr(readers, "MAX_HTML_BYTES", 1000)
    path = tmp_path / "grand.xls"
    path.write_text("<table>" + "<tr><td>Rennes</td><td>x</td></tr>" * 100 + "</table>")
    problem = _refused(path)
    assert problem.code == "TOO_LARGE" and "exportez les réponses en CSV" in problem.message


def test_read_file_refuses_a_fifo_without_waiting(tmp_path: Path) -> None:
    import os
    import signal

    os.mkfifo(tmp_path / "tube.csv")

    def _timeout(*_: object) -> None:
        raise TimeoutError("read_file attend un écrivain sur le tube")

    previous = signal.signal(signal.SIGALRM, _timeout)
    signal.alarm(10)
    try:
        problem = _refused(tmp_path / "tube.csv")
    finally:
        signal.alarm(0)
        signal.signal(signal.SIGALRM, previous)
    assert problem.code == "UNREADABLE_FILE" and "fichier ordinaire" in problem.message


def test_tab_separated_text_saved_as_xls_is_read_as_csv(tmp_path: Path) -> None:
    # form tools' « Excel (délimité) » exports are tab-separated text named .xls
    path = tmp_path / "export.xls"
    path.write_text("Commune\tNom de la liste\tPrincipes\nRennes\tListe é\tABC\n", encoding="utf-8")
    data = read_file(path)
    assert data.kind == "csv"
    assert data.sheets[0].rows == [
        ["Commune", "Nom de la liste", "Principes"],
        ["Rennes", "Liste é", "ABC"],
    ]
    assert any("contenu texte (CSV) sous l'extension .xls" in n for n in data.notes)
