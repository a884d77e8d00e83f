"""Writing the tables: formats, formula neutralisation, whole sets, failures."""

from __future__ import annotations

import errno
import hashlib
import json
import os
import time
from collections.abc import Iterator
from pathlib import Path

import openpyxl
import pandas as pd
import pytest
from disks import tmpfs
from python_calamine import CalamineWorkbook

from pacte_analysis._files import OutputError
from pacte_analysis.config import DEMO_MARKER
from pacte_analysis.ingest import IngestResult, _workbook, ingest, write_tables
from pacte_analysis.ingest._writer import MANIFEST_NAME
from pacte_analysis.tables import TablesError, read_tables

from .conftest import NO_MAYORS, FakeResolver

TABLE_FILES = sorted(
    [f"{t}.{e}" for t in ("lists", "commitments", "rejects") for e in ("parquet", "csv")]
    + ["pacte-resultats.xlsx"]
)
#: Every first character a spreadsheet may run (issue 13), written out: the specification.
FIRST_CHARACTERS = ["=", "+", "-", "@", "\t", "\r", "\uff1d", "\uff0b", "\uff0d", "\uff20"]
#: One text per dangerous first character, then texts that must stay as they are.
DANGEROUS = [f"{c}x{i}" for i, c in enumerate(FIRST_CHARACTERS)]
SAFE = ["Rennes", "a=b", "x-y", "１２"]


@pytest.fixture
def result(tmp_path: Path) -> IngestResult:
    src = tmp_path / "in" / "suivi.csv"
    src.parent.mkdir()
    src.write_text(
        "Commune;Nom de la liste;Tête de liste;Principes;M1;M2\n"
        'Rennes;=HYPERLINK("http://x");+33 6 00;ABC;x;@SUM(1)\n'
        "Lille;-Liste moins;@tete;ABC;x;N2\n",
        encoding="utf-8",
    )
    return ingest(src, resolver=FakeResolver(), mayors=NO_MAYORS)


def _dangerous_tables(result: IngestResult) -> dict[str, pd.DataFrame]:
    """The import's tables with every dangerous first character in list names and raw values."""
    texts = DANGEROUS + SAFE
    lists = pd.concat([result.lists.iloc[[0]]] * len(texts), ignore_index=True)
    lists["list_id"] = [f"L{i}" for i in range(len(texts))]
    lists["list_name"] = pd.array(texts, dtype="str")
    rejects = pd.concat([result.rejects.iloc[[0]]] * len(texts), ignore_index=True)
    rejects["raw_value"] = pd.array(texts, dtype="str")
    return {"lists": lists, "commitments": result.commitments.iloc[:0], "rejects": rejects}


def test_formats_and_files(result: IngestResult, tmp_path: Path) -> None:
    out = tmp_path / "out"
    written = write_tables(result, out)
    assert sorted(p.name for p in written) == sorted([*TABLE_FILES, MANIFEST_NAME])
    assert written[-1].name == MANIFEST_NAME
    parquet = pd.read_parquet(out / "lists.parquet")
    assert parquet["list_name"].tolist() == ['=HYPERLINK("http://x")', "-Liste moins"]
    csv = pd.read_csv(out / "lists.csv", dtype=str, keep_default_na=False)
    assert csv["list_name"].tolist() == ['\'=HYPERLINK("http://x")', "'-Liste moins"]
    assert csv["list_head"].tolist() == ["'+33 6 00", "'@tete"]
    assert csv["commune_code"].tolist() == ["35238", "59350"]
    manifest = json.loads((out / MANIFEST_NAME).read_text(encoding="utf-8"))
    for name in TABLE_FILES:
        data = (out / name).read_bytes()
        assert manifest["files"][name] == {
            "bytes": len(data),
            "sha256": hashlib.sha256(data).hexdigest(),
        }
    back = pd.read_parquet(out / "commitments.parquet")
    assert back["level"].dtype == "Int64" and back["committed"].dtype == bool


def test_csv_neutralises_every_dangerous_first_character(
    result: IngestResult, tmp_path: Path
) -> None:
    write_tables(_dangerous_tables(result), tmp_path / "out", xlsx=False)
    for table, column in (("lists", "list_name"), ("rejects", "raw_value")):
        csv = pd.read_csv(tmp_path / "out" / f"{table}.csv", dtype=str, keep_default_na=False)
        assert csv[column].tolist() == ["'" + t for t in DANGEROUS] + SAFE, table
        raw = pd.read_parquet(tmp_path / "out" / f"{table}.parquet")
        assert raw[column].tolist() == DANGEROUS + SAFE  # parquet keeps the raw text


def test_xlsx_quote_prefix_on_every_dangerous_first_character(
    result: IngestResult, tmp_path: Path
) -> None:
    write_tables(_dangerous_tables(result), tmp_path / "out")
    workbook = openpyxl.load_workbook(tmp_path / "out" / "pacte-resultats.xlsx")
    for sheet_name, header in (("listes", "Nom de la liste"), ("rejets", "Valeur lue")):
        sheet = workbook[sheet_name]
        headers = [c.value for c in sheet[1]]
        cells = [row[headers.index(header)] for row in sheet.iter_rows(min_row=2)]
        # The text as typed (no apostrophe shown), stored as a string, quote-prefixed.
        # (Values read with calamine: openpyxl leaves the OOXML escape of "\r", _x000D_.)
        values = CalamineWorkbook.from_path(tmp_path / "out" / "pacte-resultats.xlsx")
        rows = values.get_sheet_by_name(sheet_name).to_python()
        assert [r[headers.index(header)] for r in rows[1:]] == DANGEROUS + SAFE, sheet_name
        assert [c.data_type for c in cells] == ["s"] * len(cells)
        assert [bool(c.quotePrefix) for c in cells] == [True] * len(DANGEROUS) + [False] * len(
            SAFE
        ), sheet_name
    for sheet in workbook.worksheets:
        assert all(c.data_type != "f" for row in sheet.iter_rows() for c in row)


def test_failure_keeps_the_previous_set(
    result: IngestResult, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    out = tmp_path / "out"
    write_tables(result, out)
    before = {p.name: p.read_bytes() for p in out.iterdir() if p.is_file()}
    (out / "carte.png").write_bytes(b"png")

    def full_disk(*args: object, **kwargs: object) -> None:
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(_workbook, "write_workbook", full_disk)
    smaller = {"lists": result.lists.iloc[:1], "commitments": result.commitments.iloc[:1],
               "rejects": result.rejects.iloc[:0]}  # fmt: skip
    with pytest.raises(OutputError, match="disque plein") as info:
        write_tables(smaller, out)
    assert not info.value.usage
    assert "précédentes sont intactes" in str(info.value)
    after = {p.name: p.read_bytes() for p in out.iterdir() if p.is_file() and p.name != "carte.png"}
    assert after == before
    assert (out / "carte.png").read_bytes() == b"png"
    assert sorted(p.name for p in out.iterdir() if p.is_dir()) == []  # no staging left


def test_other_files_stay_and_obsolete_ones_go(result: IngestResult, tmp_path: Path) -> None:
    out = tmp_path / "out"
    out.mkdir()
    (out / "carte.png").write_bytes(b"png")
    write_tables(result, out, demo=True)
    assert (out / DEMO_MARKER).is_file()
    assert (out / "pacte-resultats.xlsx").is_file()
    write_tables(result, out, xlsx=False)  # real data, no workbook: both files go
    assert not (out / DEMO_MARKER).exists()
    assert not (out / "pacte-resultats.xlsx").exists()
    assert (out / "carte.png").read_bytes() == b"png"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["in", "out"]  # nothing beside


def test_folders_and_files_follow_the_umask(result: IngestResult, tmp_path: Path) -> None:
    old = os.umask(0o027)
    try:
        write_tables(result, tmp_path / "a" / "b")
    finally:
        os.umask(old)
    assert (tmp_path / "a").stat().st_mode & 0o777 == 0o750
    assert (tmp_path / "a" / "b").stat().st_mode & 0o777 == 0o750
    for path in (tmp_path / "a" / "b").iterdir():
        assert path.stat().st_mode & 0o777 == 0o640, path.name


def test_stale_staging_of_a_killed_run_is_removed(result: IngestResult, tmp_path: Path) -> None:
    out = tmp_path / "out"
    stale = out / ".pacte-staging-abc123"
    stale.mkdir(parents=True)
    (stale / "lists.parquet").write_bytes(b"x" * 1000)
    write_tables(result, out)
    assert not stale.exists()
    assert [p.name for p in out.iterdir() if p.is_dir()] == []


def test_stale_staging_of_an_older_version_beside_the_folder_is_removed(
    result: IngestResult, tmp_path: Path
) -> None:
    out = tmp_path / "out"
    old = tmp_path / ".out-ab12cd34"  # what tempfile.mkdtemp(prefix=".out-") used to leave
    old.mkdir()
    (old / "lists.parquet").write_bytes(b"x")
    mine = tmp_path / ".out-notes123"  # same shape, but holds a file that is not ours
    mine.mkdir()
    (mine / "notes.txt").write_text("à garder", encoding="utf-8")
    write_tables(result, out)
    assert not old.exists()
    assert (mine / "notes.txt").read_text(encoding="utf-8") == "à garder"


def test_unwritable_parent_is_said_precisely(
    result: IngestResult, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    locked = tmp_path / "partage"
    locked.mkdir()
    real_access = os.access
    monkeypatch.setattr(os, "access", lambda p, m: Path(p) != locked and real_access(p, m))
    with pytest.raises(OutputError, match=r"pas le droit d'écrire dans « .*partage »") as info:
        write_tables(result, locked / "tables")
    assert info.value.usage
    with pytest.raises(OutputError, match=r"permission refusée"):
        write_tables(result, locked)


def test_out_under_a_file_is_a_french_usage_error(result: IngestResult, tmp_path: Path) -> None:
    (tmp_path / "notes.txt").write_text("x", encoding="utf-8")
    with pytest.raises(OutputError, match="est un fichier") as info:
        write_tables(result, tmp_path / "notes.txt" / "out")
    assert info.value.usage
    with pytest.raises(OutputError, match="est un fichier"):
        write_tables(result, tmp_path / "notes.txt")


def test_reader_refuses_a_table_that_is_not_of_the_set(
    result: IngestResult, tmp_path: Path
) -> None:
    out = tmp_path / "out"
    write_tables(result, out)
    assert len(read_tables(out)["lists"]) == 2
    other = tmp_path / "other"
    write_tables({"lists": result.lists.iloc[:1], "commitments": result.commitments,
                  "rejects": result.rejects}, other)  # fmt: skip
    (out / "lists.parquet").write_bytes((other / "lists.parquet").read_bytes())
    with pytest.raises(TablesError, match="ne correspondent pas à son manifeste"):
        read_tables(out)


def test_workbook_is_byte_identical(
    result: IngestResult, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1593475200")
    write_tables(result, tmp_path / "a")
    time.sleep(1.1)  # a clock second later: no write time may show in the bytes
    write_tables(result, tmp_path / "b")
    for name in [*TABLE_FILES, MANIFEST_NAME]:
        assert (tmp_path / "a" / name).read_bytes() == (tmp_path / "b" / name).read_bytes(), name


# --------------------------------------------------------------------------- real disks


@pytest.fixture
def tiny_disk(tmp_path: Path) -> Iterator[Path]:
    """A 512 KiB tmpfs (root only; skipped elsewhere)."""
    with tmpfs(tmp_path / "disque", "512k") as mount:
        yield mount


def test_full_disk_gives_a_french_message_and_keeps_the_set(
    result: IngestResult, tiny_disk: Path
) -> None:
    out = tiny_disk / "tables"
    write_tables(result, out)
    before = read_tables(out)
    (tiny_disk / "remplissage").write_bytes(b"\0" * (512 * 1024 - 120 * 1024))
    big = _dangerous_tables(result)
    big["rejects"] = pd.concat([big["rejects"]] * 3000, ignore_index=True)
    with pytest.raises(OutputError, match="disque plein"):
        write_tables(big, out)
    after = read_tables(out)
    for name in ("lists", "commitments", "rejects"):
        pd.testing.assert_frame_equal(after[name], before[name])
    assert [p.name for p in out.iterdir() if p.is_dir()] == []


def test_out_is_a_mount_point_or_a_link_to_another_disk(
    result: IngestResult, tiny_disk: Path, tmp_path: Path
) -> None:
    write_tables(result, tiny_disk)  # the mount point itself
    assert len(read_tables(tiny_disk)["lists"]) == 2
    link = tmp_path / "lien"
    (tiny_disk / "sous").mkdir()
    link.symlink_to(tiny_disk / "sous")
    write_tables(result, link)  # staging stays on the link's file system
    write_tables(result, link)
    assert link.is_symlink()
    assert len(read_tables(link)["commitments"]) == len(result.commitments)
