"""Read tracker files (xlsx, ods, xls, csv/txt) into plain rows of cell values.

Spreadsheets are read with python-calamine after :mod:`._safety` has checked the
archive. CSV and text files are decoded as UTF-8 (with or without BOM), UTF-16
(with BOM) or Windows-1252, and their separator (``,`` ``;`` tab ``|``) is
inferred from the most consistent field count.
"""

from __future__ import annotations

import csv
import io
import logging
import zipfile
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import python_calamine as calamine
from defusedxml import ElementTree as DefusedET

from pacte_analysis.ingest._safety import (
    MAX_CELLS,
    MAX_COLUMNS,
    MAX_ROWS,
    TOO_LARGE,
    UNREADABLE_FILE,
    FileProblem,
    check_file_size,
    inspect_zip,
)

__all__ = ["SUPPORTED_SUFFIXES", "FileData", "SheetData", "expand_paths", "read_file"]

logger = logging.getLogger(__name__)

#: File suffixes read, and the reader used for each.
SUPPORTED_SUFFIXES = {
    ".xlsx": "xlsx",
    ".xlsm": "xlsx",
    ".ods": "ods",
    ".xls": "xls",
    ".csv": "csv",
    ".txt": "csv",
    ".tsv": "csv",
}
_DELIMITERS = (";", ",", "\t", "|")
_HEADER_ZONE = 40


@dataclass
class SheetData:
    """One sheet: its name, rows of raw cell values, and how it was found."""

    name: str
    rows: list[list[Any]]
    hidden: bool = False


@dataclass
class FileData:
    """What was read from one file."""

    sheets: list[SheetData]
    kind: str
    notes: list[str] = field(default_factory=list)


def expand_paths(
    paths: Iterable[str | Path],
) -> tuple[list[tuple[Path, str]], list[str], list[str]]:
    """Turn files and folders into a sorted list of files to read.

    Parameters
    ----------
    paths : iterable of str or Path
        Files and folders (read recursively).

    Returns
    -------
    files : list of (Path, str)
        Each file and the name it is reported under (the path as given, joined
        with the path inside a folder), sorted by that name so the order of the
        arguments does not change the result.
    skipped : list of str
        Files found in folders and ignored (unsupported type, lock or hidden files).
    missing : list of str
        Arguments that do not exist.
    """
    found: dict[str, Path] = {}
    skipped: list[str] = []
    missing: list[str] = []
    for given in paths:
        path = Path(given)
        if path.is_dir():
            for child in sorted(path.rglob("*")):
                if not child.is_file():
                    continue
                rel = child.relative_to(path)
                display = (Path(str(given)) / rel).as_posix()
                if any(part.startswith((".", "~$")) for part in rel.parts):
                    continue
                if child.suffix.lower() in SUPPORTED_SUFFIXES:
                    found.setdefault(display, child)
                else:
                    skipped.append(display)
        elif path.is_file():
            found.setdefault(Path(str(given)).as_posix(), path)
        else:
            missing.append(str(given))
    return [(found[d], d) for d in sorted(found)], skipped, missing


def read_file(path: Path) -> FileData:
    """Read every sheet of a tracker file.

    Parameters
    ----------
    path : Path

    Returns
    -------
    FileData

    Raises
    ------
    FileProblem
        ``UNREADABLE_FILE`` or ``TOO_LARGE``; nothing else escapes for bad input.
    """
    kind = SUPPORTED_SUFFIXES.get(path.suffix.lower())
    if kind is None:
        raise FileProblem(
            UNREADABLE_FILE,
            f"type de fichier non pris en charge ({path.suffix or 'sans extension'}) : "
            "attendu .xlsx, .ods, .xls, .csv ou .txt.",
        )
    try:
        if kind == "csv":
            return _read_csv(path)
        return _read_workbook(path, kind)
    except FileProblem:
        raise
    except (OSError, calamine.CalamineError, ValueError, TypeError, UnicodeError, csv.Error) as exc:
        raise FileProblem(UNREADABLE_FILE, f"fichier illisible : {exc}") from exc


def _read_workbook(path: Path, kind: str) -> FileData:
    if kind in ("xlsx", "ods"):
        inspect_zip(path, kind)
    else:
        check_file_size(path)
    notes: list[str] = []
    sheets: list[SheetData] = []
    try:
        workbook = calamine.CalamineWorkbook.from_path(str(path))
    except calamine.PasswordError as exc:
        raise FileProblem(UNREADABLE_FILE, "classeur protégé par mot de passe.") from exc
    # calamine gives no merged ranges for .ods: read them from content.xml.
    ods_merged = _ods_merged_ranges(path) if kind == "ods" else {}
    with workbook:
        for meta in workbook.sheets_metadata:
            if meta.typ != calamine.SheetTypeEnum.WorkSheet:
                continue
            sheet = workbook.get_sheet_by_name(meta.name)
            height, width = sheet.total_height, sheet.total_width
            if height > MAX_ROWS or width > MAX_COLUMNS or height * width > MAX_CELLS:
                raise FileProblem(
                    TOO_LARGE,
                    f"feuille « {meta.name} » : {height} lignes × {width} colonnes, au-delà des "
                    f"limites ({MAX_ROWS} lignes, {MAX_COLUMNS} colonnes, {MAX_CELLS} cellules).",
                )
            rows = sheet.to_python(skip_empty_area=False)
            merged = sheet.merged_cell_ranges or ods_merged.get(meta.name, [])
            if merged:
                _fill_merged(rows, merged)
            hidden = meta.visible != calamine.SheetVisibleEnum.Visible
            sheets.append(SheetData(meta.name, rows, hidden))
    return FileData(sheets, kind, notes)


_ODS_TABLE = "{urn:oasis:names:tc:opendocument:xmlns:table:1.0}"


def _ods_merged_ranges(path: Path) -> dict[str, list[tuple[tuple[int, int], tuple[int, int]]]]:
    """Merged cell ranges of each sheet of an ``.ods`` file, 0-based and inclusive.

    ``content.xml`` is streamed with defusedxml (its DTD and size were checked by
    :func:`inspect_zip` before); repeated rows and columns are counted, covered
    cells take their place, so the positions match calamine's grid.
    """
    ranges: dict[str, list[tuple[tuple[int, int], tuple[int, int]]]] = {}
    table, row, col, row_repeat = "", 0, 0, 1
    cells = (f"{_ODS_TABLE}table-cell", f"{_ODS_TABLE}covered-table-cell")
    with zipfile.ZipFile(path) as archive, archive.open("content.xml") as content:
        for event, elem in DefusedET.iterparse(content, events=("start", "end")):
            tag = elem.tag
            if event == "start":
                if tag == f"{_ODS_TABLE}table":
                    table, row = elem.get(f"{_ODS_TABLE}name", ""), 0
                    ranges.setdefault(table, [])
                elif tag == f"{_ODS_TABLE}table-row":
                    col = 0
                    row_repeat = int(elem.get(f"{_ODS_TABLE}number-rows-repeated", "1"))
            elif tag in cells:
                rows_spanned = int(elem.get(f"{_ODS_TABLE}number-rows-spanned", "1"))
                cols_spanned = int(elem.get(f"{_ODS_TABLE}number-columns-spanned", "1"))
                if tag == cells[0] and (rows_spanned > 1 or cols_spanned > 1):
                    end = (row + rows_spanned - 1, col + cols_spanned - 1)
                    ranges[table].append(((row, col), end))
                col += int(elem.get(f"{_ODS_TABLE}number-columns-repeated", "1"))
                elem.clear()
            elif tag == f"{_ODS_TABLE}table-row":
                row += row_repeat
                elem.clear()
    return ranges


def _fill_merged(
    rows: list[list[Any]], merged: list[tuple[tuple[int, int], tuple[int, int]]]
) -> None:
    """Copy each merged cell's value into the cells it covers.

    Every merge is filled in the header zone; below it, only vertical merges (a
    commune written once for several lists) are, so that a note merged across
    measure columns does not become one value per measure.
    """
    for (r1, c1), (r2, c2) in merged:
        if r1 >= len(rows) or c1 >= len(rows[r1]):
            continue
        if r1 >= _HEADER_ZONE and c1 != c2:
            continue
        value = rows[r1][c1]
        for r in range(r1, min(r2, len(rows) - 1) + 1):
            row = rows[r]
            for c in range(c1, min(c2, len(row) - 1) + 1):
                if (r, c) != (r1, c1) and row[c] in ("", None):
                    row[c] = value


def decode_text(data: bytes) -> tuple[str, str]:
    """Decode CSV bytes; return the text and the encoding used.

    Examples
    --------
    >>> decode_text("é;1".encode("cp1252"))
    ('é;1', 'cp1252')
    """
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        return data.decode("utf-16"), "utf-16"
    for encoding in ("utf-8-sig", "cp1252"):
        try:
            text = data.decode(encoding)
        except UnicodeDecodeError:
            continue
        return text, "utf-8" if encoding == "utf-8-sig" and not data.startswith(
            b"\xef\xbb\xbf"
        ) else encoding
    return data.decode("latin-1"), "latin-1"


def sniff_delimiter(text: str) -> str:
    """Pick the separator giving the most consistent number of fields (> 1).

    Examples
    --------
    >>> sniff_delimiter("Titre\\ncommune;liste;m1\\nRennes;A, B;x\\n")
    ';'
    """
    sample = text[:65536].splitlines()[:60]
    best = (0, 0, ",")
    for delimiter in _DELIMITERS:
        counts = [
            len(row)
            for row in csv.reader(sample, delimiter=delimiter)
            if sum(bool(cell.strip()) for cell in row) > 0
        ]
        counts = [n for n in counts if n > 1]
        if not counts:
            continue
        width, frequency = Counter(counts).most_common(1)[0]
        if (frequency, width) > best[:2]:
            best = (frequency, width, delimiter)
    return best[2]


def _read_csv(path: Path) -> FileData:
    check_file_size(path)
    data = path.read_bytes()
    if b"\x00" in data[:4096] and not data.startswith((b"\xff\xfe", b"\xfe\xff")):
        raise FileProblem(UNREADABLE_FILE, "fichier binaire : ce n'est pas un fichier texte (CSV).")
    text, encoding = decode_text(data)
    text = text.replace("\x00", "")
    delimiter = sniff_delimiter(text)
    rows: list[list[Any]] = []
    for row in csv.reader(io.StringIO(text, newline=""), delimiter=delimiter):
        rows.append(list(row))
        if len(rows) > MAX_ROWS:
            raise FileProblem(TOO_LARGE, f"plus de {MAX_ROWS} lignes.")
        if len(row) > MAX_COLUMNS:
            raise FileProblem(TOO_LARGE, f"plus de {MAX_COLUMNS} colonnes.")
    shown = {"\t": "tabulation", ";": "point-virgule", ",": "virgule", "|": "barre verticale"}
    note = f"encodage {encoding}, séparateur {shown[delimiter]}"
    logger.debug("%s: %s", path, note)
    return FileData([SheetData("", rows)], "csv", [note])
