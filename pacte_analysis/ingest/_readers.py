"""Read tracker files (xlsx, ods, xls, csv/txt, HTML tables) into plain rows of cell values.

Each file is recognised by its content, not only by its name: a workbook saved
under the wrong extension is read as what it is (with a note), an « Excel »
export that is really an HTML table (Framaforms) is read with the standard
library's :mod:`html.parser`, and anything else that does not match its
extension is refused with a French message saying what it is and how to fix it.

Spreadsheets are read with python-calamine after :mod:`._safety` has checked the
archive. CSV and text files are decoded line by line (see :func:`decode_lines`),
their separator (``,`` ``;`` tab ``|``) inferred from the most consistent field
count. Whatever the format, a cell longer than :data:`MAX_CELL_CHARS` characters
is emptied and reported on its row and column (``SheetData.cell_rejects``).
"""

from __future__ import annotations

import codecs
import csv
import errno
import io
import logging
import os
import posixpath
import re
import stat
import zipfile
from collections import Counter
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from html.parser import HTMLParser
from pathlib import Path
from typing import Any, NamedTuple

import python_calamine as calamine

from pacte_analysis._tableset import MANIFEST_NAME, OUTPUT_NAMES
from pacte_analysis._text import column_letter
from pacte_analysis.ingest._safety import (
    MAX_CELL_CHARS,
    MAX_CELLS,
    MAX_COLUMNS,
    MAX_FILE_BYTES,
    MAX_ROWS,
    MIXED_ENCODING,
    NUL_BYTES,
    TOO_LARGE,
    UNREADABLE_FILE,
    FileProblem,
    check_file_size,
    inspect_xls,
    inspect_zip,
)

__all__ = [
    "OUTPUT_MANIFEST",
    "SUPPORTED_SUFFIXES",
    "WORKBOOK_KINDS",
    "CellReject",
    "FileData",
    "Inspection",
    "SheetData",
    "decode_lines",
    "expand_paths",
    "inspect_workbook",
    "read_file",
    "scan_paths",
    "sniff",
]

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
#: What :func:`sniff` finds in a file that calamine parses (after :func:`inspect_workbook`).
WORKBOOK_KINDS = ("xlsx", "ods", "xls")
#: The safety checks run on a workbook before it is parsed: ``(path, kind) -> None``.
Inspection = Callable[[Path, str], None]
#: A folder holding this file was written by ``pacte ingest``: it is never read as trackers.
OUTPUT_MANIFEST = MANIFEST_NAME
#: Beside ``lists.parquet``, these files are our own output, not trackers.
_OUTPUT_NAMES = frozenset(name.lower() for name in OUTPUT_NAMES)
#: Largest HTML page read as a table (the standard parser reads about 1.5 Mio/s).
MAX_HTML_BYTES = 16 * 1024 * 1024
_DELIMITERS = (";", ",", "\t", "|")
_HEADER_ZONE = 40
_RAW_SHOWN = 200
_KIND_LABEL = {"xlsx": ".xlsx", "ods": ".ods", "xls": ".xls (Excel 97-2003)", "csv": "CSV"}


class CellReject(NamedTuple):
    """A row or cell the reader refused or changed, to become a row of ``rejects``.

    ``row`` is 1-based in :attr:`SheetData.rows`; ``column`` is a column letter,
    or ``None`` for the whole row.
    """

    row: int
    column: str | None
    code: str
    message: str
    raw: str


@dataclass
class SheetData:
    """One sheet: its name, rows of raw cell values, and how it was found.

    ``cell_rejects`` lists the cells and lines the reader refused or changed
    (too long, another encoding, NUL bytes): each must become a row of
    ``rejects`` on this sheet.
    """

    name: str
    rows: list[list[Any]]
    hidden: bool = False
    cell_rejects: list[CellReject] = field(default_factory=list)


@dataclass
class FileData:
    """What was read from one file."""

    sheets: list[SheetData]
    kind: str
    notes: list[str] = field(default_factory=list)


# --------------------------------------------------------------------------- paths
def scan_paths(
    paths: Iterable[str | Path],
) -> tuple[list[tuple[Path, str]], list[tuple[str, str]], list[str]]:
    """Turn files and folders into a sorted list of files to read, and say what is not read.

    Folders are walked recursively. What is not read is listed with its reason:
    hidden files and folders (name starting with ``.``; a hidden folder is listed
    once, not walked), lock files (``~$x.xlsx``, ``.~lock.x.ods#``), unsupported
    types, broken symbolic links, links that loop or point outside the folder
    given, FIFOs, sockets and devices, a second path to a file already listed,
    unreadable folders, and our own outputs: a folder holding
    :data:`OUTPUT_MANIFEST` (listed once), and ``lists.csv``, ``commitments.csv``,
    ``rejects.csv``, ``pacte-resultats.xlsx``, the demo marker (or any ``X.csv``
    beside an ``X.parquet``) in a folder holding ``lists.parquet``. Symbolic links
    to files and folders inside the folder given are followed; a path given as an
    argument is followed wherever it points.

    Parameters
    ----------
    paths : iterable of str or Path
        Files and folders.

    Returns
    -------
    files : list of (Path, str)
        Each file and the name it is reported under (the path as given, joined
        with the path inside a folder), sorted by that name so the order of the
        arguments does not change the result.
    skipped : list of (str, str)
        Each path not read and why (French, for the report's « Fichiers
        ignorés »), sorted by path.
    missing : list of str
        Arguments that do not exist.

    Examples
    --------
    >>> scan_paths(["absent/"])
    ([], [], ['absent/'])
    """
    walker = _Walker()
    for given in paths:
        walker.add_argument(str(given))
    return walker.result()


def expand_paths(
    paths: Iterable[str | Path],
) -> tuple[list[tuple[Path, str]], list[str], list[str]]:
    """:func:`scan_paths` without the reasons: ``skipped`` holds the paths only.

    Kept so that callers written for it keep working; new code should call
    :func:`scan_paths` and show each reason.
    """
    files, skipped, missing = scan_paths(paths)
    return files, [path for path, _ in skipped], missing


class _Walker:
    """State of one :func:`expand_paths` call."""

    def __init__(self) -> None:
        self.found: dict[str, Path] = {}
        self.skipped: list[tuple[str, str]] = []
        self.missing: list[str] = []

    def add_argument(self, given: str) -> None:
        path = Path(given)
        display = Path(given).as_posix()
        try:
            info = path.stat()
        except FileNotFoundError:
            if path.is_symlink():
                self.skipped.append((display, "lien symbolique cassé (sa cible n'existe pas)"))
            else:
                self.missing.append(given)
            return
        except OSError as exc:
            self.skipped.append((display, _os_reason(exc)))
            return
        if stat.S_ISDIR(info.st_mode):
            real = os.path.realpath(path)
            self.walk(path, display, real, frozenset({real}))
        elif stat.S_ISREG(info.st_mode):
            reason = _output_reason(path.parent, path.name)
            if reason:
                self.skipped.append((display, reason))
            else:
                self.found.setdefault(display, path)
        else:
            self.skipped.append((display, _special_reason(info.st_mode)))

    def walk(self, folder: Path, display: str, root: str, ancestors: frozenset[str]) -> None:
        try:
            with os.scandir(folder) as scan:
                entries = sorted(scan, key=lambda e: e.name)
        except OSError as exc:
            self.skipped.append((display, f"dossier non parcouru : {_os_reason(exc)}"))
            return
        names = {e.name for e in entries}
        if OUTPUT_MANIFEST in names:
            self.skipped.append(
                (
                    display,
                    f"dossier de résultats écrit par pacte ingest ({OUTPUT_MANIFEST}) : "
                    "ses tables ne sont pas des suivis",
                )
            )
            return
        for entry in entries:
            child = posixpath.join(display, entry.name)
            reason = _name_reason(entry.name)
            if reason:
                self.skipped.append((child, reason))
                continue
            try:
                if entry.is_symlink():
                    target = os.path.realpath(entry.path)
                    info = os.stat(entry.path)
                    if target != root and not target.startswith(root.rstrip(os.sep) + os.sep):
                        self.skipped.append(
                            (
                                child,
                                f"lien symbolique vers {target}, hors du dossier donné : non "
                                "suivi (donnez ce chemin lui-même pour le lire)",
                            )
                        )
                        continue
                else:
                    info = entry.stat(follow_symlinks=False)
            except FileNotFoundError:
                self.skipped.append((child, "lien symbolique cassé (sa cible n'existe pas)"))
                continue
            except OSError as exc:
                self.skipped.append((child, _os_reason(exc)))
                continue
            if stat.S_ISDIR(info.st_mode):
                real = os.path.realpath(entry.path)
                if real in ancestors:
                    self.skipped.append(
                        (child, "lien symbolique en boucle (il mène à un dossier parent)")
                    )
                    continue
                self.walk(Path(entry.path), child, root, ancestors | {real})
            elif not stat.S_ISREG(info.st_mode):
                self.skipped.append((child, _special_reason(info.st_mode)))
            elif Path(entry.name).suffix.lower() not in SUPPORTED_SUFFIXES:
                suffix = Path(entry.name).suffix or "sans extension"
                self.skipped.append((child, f"type de fichier non pris en charge ({suffix})"))
            elif reason := _output_reason(Path(folder), entry.name, names):
                self.skipped.append((child, reason))
            else:
                self.found.setdefault(child, Path(entry.path))

    def result(self) -> tuple[list[tuple[Path, str]], list[tuple[str, str]], list[str]]:
        by_real: dict[str, list[str]] = {}
        for display, path in self.found.items():
            by_real.setdefault(os.path.realpath(path), []).append(display)
        files = []
        for displays in by_real.values():
            first, *others = sorted(displays)
            files.append((self.found[first], first))
            for other in others:
                self.skipped.append((other, f"même fichier que {first} : lu une seule fois"))
        files.sort(key=lambda item: item[1])
        return files, sorted(self.skipped), self.missing


def _name_reason(name: str) -> str | None:
    if name.startswith(("~$", ".~lock.")):
        return "fichier de verrouillage (classeur ouvert dans Excel ou LibreOffice)"
    if name.startswith("."):
        return "fichier ou dossier caché (nom commençant par un point)"
    return None


def _output_reason(folder: Path, name: str, names: set[str] | None = None) -> str | None:
    """Why ``folder/name`` is one of our own output files, or ``None``."""
    if names is None:
        try:
            names = set(os.listdir(folder))
        except OSError:
            return None
    if OUTPUT_MANIFEST in names:
        return f"résultat de pacte ingest (dossier contenant {OUTPUT_MANIFEST})"
    if "lists.parquet" not in names:
        return None
    stem = Path(name).stem
    if name.lower() in _OUTPUT_NAMES or (
        Path(name).suffix.lower() == ".csv" and f"{stem}.parquet" in names
    ):
        return "table écrite par pacte ingest (à côté de lists.parquet) : pas un suivi"
    return None


def _special_reason(mode: int) -> str:
    if stat.S_ISFIFO(mode):
        what = "tube nommé (FIFO)"
    elif stat.S_ISSOCK(mode):
        what = "socket"
    elif stat.S_ISCHR(mode) or stat.S_ISBLK(mode):
        what = "périphérique"
    else:
        what = "fichier spécial"
    return f"{what} : ce n'est pas un fichier ordinaire, non lu"


def _os_reason(exc: OSError) -> str:
    """French wording of an operating-system error (never its English text)."""
    if exc.errno == errno.ELOOP:
        return "lien symbolique en boucle"
    if isinstance(exc, PermissionError):
        return "accès refusé (droits insuffisants)"
    if isinstance(exc, FileNotFoundError):
        return "fichier introuvable (supprimé pendant la lecture ?)"
    if isinstance(exc, IsADirectoryError):
        return "c'est un dossier"
    if exc.errno == errno.ENAMETOOLONG:
        return "nom de fichier trop long"
    return f"erreur du système lors de la lecture (code {exc.errno})"


# --------------------------------------------------------------------------- files
def read_file(path: Path, *, inspect: Inspection | None = None) -> FileData:
    """Read every sheet of a tracker file.

    Parameters
    ----------
    path : Path
    inspect : callable, optional
        Runs the safety checks of a workbook before calamine opens it
        (default :func:`inspect_workbook`); :mod:`._prefetch` passes the
        verdict of checks it ran ahead, in another process.

    Returns
    -------
    FileData

    Raises
    ------
    FileProblem
        ``UNREADABLE_FILE`` or ``TOO_LARGE``, with a French message that does not
        start with « fichier illisible » (the caller adds its own prefix);
        nothing else escapes for bad input.
    """
    kind = SUPPORTED_SUFFIXES.get(path.suffix.lower())
    if kind is None:
        raise FileProblem(
            UNREADABLE_FILE,
            f"type de fichier non pris en charge ({path.suffix or 'sans extension'}) : "
            "attendu .xlsx, .ods, .xls, .csv ou .txt.",
        )
    try:
        if not stat.S_ISREG(path.stat().st_mode):
            raise FileProblem(
                UNREADABLE_FILE, "ce n'est pas un fichier ordinaire (tube, socket ?)."
            )
        check_file_size(path)
        content = sniff(path)
        if content in WORKBOOK_KINDS:
            data = _read_workbook(
                path, content, mismatched=content != kind, inspect=inspect or inspect_workbook
            )
        elif content == "html":
            data = _read_html(path)
        elif content == "text" and kind in ("csv", "xls"):
            data = _read_csv(path)
        elif content == "text":
            raise FileProblem(
                UNREADABLE_FILE,
                f"ce fichier {path.suffix} n'est pas un classeur mais un fichier texte "
                "(CSV ?) : renommez-le en .csv, ou ouvrez-le dans LibreOffice et "
                "enregistrez-le en .xlsx.",
            )
        else:
            raise FileProblem(UNREADABLE_FILE, content)
    except FileProblem:
        raise
    except OSError as exc:
        raise FileProblem(UNREADABLE_FILE, f"lecture impossible : {_os_reason(exc)}.") from exc
    except Exception as exc:  # a damaged file that got past every check: never a traceback
        logger.warning("%s: lecture interrompue : %r", path, exc)
        raise FileProblem(
            UNREADABLE_FILE,
            "contenu abîmé ou inattendu, la lecture s'est arrêtée : ouvrez le fichier dans "
            "LibreOffice ou Excel et enregistrez-le à nouveau (.xlsx ou .csv).",
        ) from exc
    text_as_csv = content == "text" and kind == "csv"
    if content != kind and (content in _KIND_LABEL or content == "text") and not text_as_csv:
        shown = "texte (CSV)" if content == "text" else _KIND_LABEL[content]
        data.notes.append(f"contenu {shown} sous l'extension {path.suffix} : lu comme tel")
    return data


_CFB = bytes.fromhex("d0cf11e0a1b11ae1")
_BINARY_SIGNATURES = (
    (b"%PDF", "un document PDF"),
    (b"\x89PNG", "une image PNG"),
    (b"\xff\xd8\xff", "une image JPEG"),
    (b"GIF8", "une image GIF"),
    (b"\x1f\x8b", "une archive gzip"),
    (b"7z\xbc\xaf", "une archive 7-Zip"),
    (b"Rar!", "une archive RAR"),
    (b"{\\rtf", "un document RTF (traitement de texte)"),
)
_HTML_START = re.compile(
    rb"\s*(?:<!--.*?-->\s*)*<(?:!doctype\s+html|html|head|body|table|meta|title)\b",
    re.IGNORECASE | re.DOTALL,
)
_ENCRYPTED_OOXML = "EncryptionInfo".encode("utf-16-le")


def sniff(path: Path) -> str:
    """What ``path`` holds: a reader name, or a French refusal message.

    Returns one of ``"xlsx"``, ``"ods"``, ``"xls"``, ``"html"``, ``"text"``, or
    the message of a :class:`FileProblem` to raise.
    """
    with path.open("rb") as fh:
        head = fh.read(1 << 16)
    ext = path.suffix
    if head.startswith((b"PK\x03\x04", b"PK\x05\x06")):
        return _zip_kind(path, ext)
    if head.startswith(_CFB):
        with path.open("rb") as fh:
            start = fh.read(1 << 20)
        if _ENCRYPTED_OOXML in start:
            return (
                "classeur protégé par mot de passe : ouvrez-le et enregistrez-en une copie "
                "sans mot de passe."
            )
        return "xls"
    for signature, what in _BINARY_SIGNATURES:
        if head.startswith(signature):
            return f"ce fichier {ext} est en fait {what}, pas un tableau de suivi."
    text = _strip_bom(head)
    if _HTML_START.match(text):
        return "html"
    if text.lstrip().startswith(b"<?xml"):
        lower = text[:4096].lower()
        if b"<html" in lower:
            return "html"
        if b"urn:schemas-microsoft-com:office:spreadsheet" in lower or b"<workbook" in lower:
            return (
                f"ce fichier {ext} est un classeur « XML Excel 2003 » : ouvrez-le dans "
                "LibreOffice ou Excel et enregistrez-le en .xlsx."
            )
    return "text"


def _strip_bom(head: bytes) -> bytes:
    """``head`` as ASCII-compatible bytes: BOM removed, UTF-16 narrowed."""
    if head.startswith(codecs.BOM_UTF8):
        return head[3:]
    for bom, encoding in ((codecs.BOM_UTF16_LE, "utf-16-le"), (codecs.BOM_UTF16_BE, "utf-16-be")):
        if head.startswith(bom):
            body = head[2 : 2 + (len(head) - 2) // 2 * 2]
            return body.decode(encoding, "replace").encode("utf-8", "replace")
    return head


def _zip_kind(path: Path, ext: str) -> str:
    """``"xlsx"`` or ``"ods"`` for a zip archive, or a French refusal message."""
    try:
        with zipfile.ZipFile(path) as archive:
            names = set(archive.namelist())
            mimetype = b""
            if "mimetype" in names and archive.getinfo("mimetype").file_size < 200:
                mimetype = archive.read("mimetype")
    except (zipfile.BadZipFile, OSError, ValueError, RuntimeError, NotImplementedError):
        return (
            f"ce fichier {ext} est une archive zip abîmée (fichier tronqué, corrompu ou "
            "protégé par mot de passe ?)."
        )
    lower = {n.lower() for n in names}
    if "xl/workbook.xml" in lower:
        return "xlsx"
    if b"opendocument.spreadsheet" in mimetype:
        return "ods"
    if "xl/workbook.bin" in lower:
        return (
            "classeur Excel binaire (.xlsb), non pris en charge : ouvrez-le dans Excel ou "
            "LibreOffice et enregistrez-le en .xlsx."
        )
    if ext.lower() in (".xlsx", ".xlsm", ".ods"):  # let the archive checks and calamine judge
        return SUPPORTED_SUFFIXES[ext.lower()]
    if "word/document.xml" in lower:
        return f"ce fichier {ext} est en fait un document Word (.docx), pas un tableau de suivi."
    if b"opendocument.text" in mimetype:
        return f"ce fichier {ext} est en fait un document texte OpenDocument (.odt)."
    return f"ce fichier {ext} est une archive zip qui ne contient pas de classeur."


def inspect_workbook(path: Path, kind: str) -> None:
    """Run the safety checks of :mod:`._safety` on a workbook before it is parsed.

    Parameters
    ----------
    path : Path
    kind : {"xlsx", "ods", "xls"}
        What :func:`sniff` found the file to hold.

    Raises
    ------
    FileProblem
        ``TOO_LARGE`` or ``UNREADABLE_FILE``.
    """
    if kind in ("xlsx", "ods"):
        inspect_zip(path, kind)
    else:
        inspect_xls(path)


def _read_workbook(
    path: Path, kind: str, mismatched: bool = False, inspect: Inspection = inspect_workbook
) -> FileData:
    ole_message = (
        f"ce fichier {path.suffix} n'est pas une archive de classeur mais un conteneur OLE qui "
        "ne s'ouvre pas (classeur protégé par mot de passe, ou ancien classeur .xls renommé et "
        "abîmé ?) : enregistrez-en une copie sans mot de passe, en .xlsx."
    )
    try:
        inspect(path, kind)
    except FileProblem as problem:
        if kind == "xls" and problem.code == UNREADABLE_FILE and mismatched:
            raise FileProblem(UNREADABLE_FILE, ole_message) from problem
        raise
    notes: list[str] = []
    sheets: list[SheetData] = []
    try:
        if mismatched:  # calamine picks its reader from the extension: let it sniff
            with path.open("rb") as fh:
                workbook = calamine.CalamineWorkbook.from_filelike(fh)
        else:
            workbook = calamine.CalamineWorkbook.from_path(str(path))
    except calamine.PasswordError as exc:
        raise FileProblem(UNREADABLE_FILE, "classeur protégé par mot de passe.") from exc
    except BaseException as exc:  # calamine's Rust panics are BaseException
        if isinstance(exc, KeyboardInterrupt | SystemExit):
            raise
        logger.debug("%s: calamine: %r", path, exc)
        if kind == "xls" and mismatched:
            raise FileProblem(UNREADABLE_FILE, ole_message) from exc
        raise FileProblem(UNREADABLE_FILE, _workbook_message(kind)) from exc
    # calamine gives no merged ranges for .ods: read them from content.xml.
    ods_merged = _ods_merged_ranges(path) if kind == "ods" else {}
    try:
        with workbook:
            for meta in workbook.sheets_metadata:
                if meta.typ != calamine.SheetTypeEnum.WorkSheet:
                    continue
                sheet = workbook.get_sheet_by_name(meta.name)
                height, width = sheet.total_height, sheet.total_width
                if height > MAX_ROWS or width > MAX_COLUMNS or height * width > MAX_CELLS:
                    raise FileProblem(
                        TOO_LARGE,
                        f"feuille « {meta.name} » : {height} lignes × {width} colonnes, au-delà "
                        f"des limites ({MAX_ROWS} lignes, {MAX_COLUMNS} colonnes, {MAX_CELLS} "
                        "cellules).",
                    )
                rows = sheet.to_python(skip_empty_area=False)
                rejects = _cap_cells(rows)
                merged = sheet.merged_cell_ranges or ods_merged.get(meta.name, [])
                if merged:
                    _fill_merged(rows, merged)
                hidden = meta.visible != calamine.SheetVisibleEnum.Visible
                sheets.append(SheetData(meta.name, rows, hidden, rejects))
    except FileProblem:
        raise
    except BaseException as exc:  # calamine's Rust panics are BaseException
        if isinstance(exc, KeyboardInterrupt | SystemExit):
            raise
        logger.debug("%s: calamine: %r", path, exc)
        raise FileProblem(UNREADABLE_FILE, _workbook_message(kind)) from exc
    return FileData(sheets, kind, notes)


def _workbook_message(kind: str) -> str:
    return (
        f"classeur {_KIND_LABEL[kind]} corrompu ou d'un format inattendu (protégé par mot de "
        "passe ?) : ouvrez-le dans LibreOffice ou Excel et enregistrez-le à nouveau en .xlsx."
    )


def _cap_cells(rows: list[list[Any]], row_offset: int = 0) -> list[CellReject]:
    """Empty the cells longer than :data:`MAX_CELL_CHARS`; return one reject for each."""
    rejects: list[CellReject] = []
    for r, row in enumerate(rows):
        # no cell can be too long when the whole row, rendered, is short enough
        if sum(map(len, map(str, row))) <= MAX_CELL_CHARS:
            continue
        if not any(type(v) is str and len(v) > MAX_CELL_CHARS for v in row):
            continue
        for c, value in enumerate(row):
            if type(value) is str and len(value) > MAX_CELL_CHARS:
                rejects.append(_long_cell(r + 1 + row_offset, column_letter(c), value))
                row[c] = ""
    return rejects


def _long_cell(row: int, column: str | None, value: str) -> CellReject:
    return CellReject(
        row,
        column,
        TOO_LARGE,
        f"cellule de {len(value):,} caractères, au-delà de la limite de {MAX_CELL_CHARS:,} "
        "caractères par cellule (celle d'Excel) : non importée.".replace(",", "\u202f"),
        _shown(value),
    )


def _shown(value: str) -> str:
    return value if len(value) <= _RAW_SHOWN else value[:_RAW_SHOWN] + "…"


_ODS_TABLE = "{urn:oasis:names:tc:opendocument:xmlns:table:1.0}"


def _ods_merged_ranges(path: Path) -> dict[str, list[tuple[tuple[int, int], tuple[int, int]]]]:
    """Merged cell ranges of each sheet of an ``.ods`` file, 0-based and inclusive.

    ``content.xml`` is streamed with defusedxml (its DTD and size were checked by
    :func:`inspect_zip` before); repeated rows and columns are counted, covered
    cells take their place, so the positions match calamine's grid.
    """
    from defusedxml import ElementTree as DefusedET  # only .ods files need it

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


# --------------------------------------------------------------------------- HTML
def _read_html(path: Path) -> FileData:
    """Read the tables of an HTML page saved as a spreadsheet (Framaforms « Excel » export).

    Only the standard library's :class:`html.parser.HTMLParser` sees the page: no
    network, no script, no style; the file size, rows, columns and cells are
    bounded like a workbook's. Each ``<table>`` becomes a sheet; ``colspan`` and
    ``rowspan`` are treated as merged cells.
    """
    size = path.stat().st_size
    if size > MAX_HTML_BYTES:
        raise FileProblem(
            TOO_LARGE,
            f"page HTML de {size / 2**20:.0f} Mio, au-delà de la limite de "
            f"{MAX_HTML_BYTES / 2**20:.0f} Mio pour ce format lent à lire : exportez les "
            "réponses en CSV.",
        )
    text = _decode_html(path.read_bytes())
    parser = _TableParser()
    parser.feed(text)
    parser.close()
    parser.flush()
    if not parser.tables:
        raise FileProblem(
            UNREADABLE_FILE,
            f"ce fichier {path.suffix} est une page HTML sans tableau (export de formulaire ?) : "
            "exportez les réponses en CSV, ou ouvrez-le dans LibreOffice et enregistrez-le "
            "en .xlsx.",
        )
    sheets = []
    for number, (rows, merged) in enumerate(parser.tables, 1):
        rejects = _cap_cells(rows)
        if merged:
            _fill_merged(rows, merged)
        name = "" if len(parser.tables) == 1 else f"Tableau {number}"
        sheets.append(SheetData(name, rows, False, rejects))
    note = "page HTML enregistrée sous l'extension " + path.suffix + " (export « Excel » de "
    note += "formulaire, Framaforms ?) : tableau lu"
    return FileData(sheets, "html", [note])


_CHARSET = re.compile(rb"""charset\s*=\s*["']?([A-Za-z0-9_.:-]{1,40})""", re.IGNORECASE)


def _decode_html(data: bytes) -> str:
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return data.decode("utf-16", "replace")
    if data.startswith(codecs.BOM_UTF8):
        return data[3:].decode("utf-8", "replace")
    declared = _CHARSET.search(data[:4096])
    if declared:
        try:
            encoding = codecs.lookup(declared.group(1).decode("ascii")).name
            return data.decode(encoding)
        except (LookupError, UnicodeDecodeError):
            pass
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        return _decode_cp1252(data)


class _Table:
    """Rows of one HTML ``<table>`` being parsed."""

    def __init__(self) -> None:
        self.rows: list[list[Any]] = []
        self.merged: list[tuple[tuple[int, int], tuple[int, int]]] = []
        self.row: list[Any] | None = None
        self.cell: list[str] | None = None
        self.spans = (1, 1)
        self.pending: dict[int, int] = {}
        self.cells = 0

    def start_row(self) -> None:
        self.end_row()
        if len(self.rows) >= MAX_ROWS:
            raise FileProblem(TOO_LARGE, f"tableau HTML de plus de {MAX_ROWS} lignes.")
        self.row = []
        self.rows.append(self.row)

    def end_row(self) -> None:
        self.end_cell()
        if self.row is None:
            return
        self.row = None
        self.pending = {c: n - 1 for c, n in self.pending.items() if n > 1}

    def start_cell(self, colspan: int, rowspan: int) -> None:
        self.end_cell()
        if self.row is None:
            self.start_row()
        self.cell = []
        self.spans = (colspan, rowspan)

    def text(self, data: str) -> None:
        if self.cell is not None:
            self.cell.append(data)

    def end_cell(self) -> None:
        if self.cell is None or self.row is None:
            return
        row = self.row
        while len(row) in self.pending:
            row.append("")
        value = _clean_html_text(self.cell)
        self.cell = None
        colspan, rowspan = self.spans
        first, r = len(row), len(self.rows) - 1
        row.append(value)
        row.extend([""] * (colspan - 1))
        self.cells += colspan
        if len(row) > MAX_COLUMNS or self.cells > MAX_CELLS:
            raise FileProblem(
                TOO_LARGE,
                f"tableau HTML de plus de {MAX_COLUMNS} colonnes ou de {MAX_CELLS} cellules.",
            )
        if colspan > 1 or rowspan > 1:
            self.merged.append(((r, first), (r + rowspan - 1, first + colspan - 1)))
        if rowspan > 1:
            for c in range(first, first + colspan):
                self.pending[c] = rowspan


def _clean_html_text(parts: list[str]) -> str:
    lines = "".join(parts).split("\n")
    return "\n".join(filter(None, (" ".join(line.split()) for line in lines)))


class _TableParser(HTMLParser):
    """Collect the cells of every ``<table>``; ignore scripts, styles and everything else."""

    _SKIP = frozenset({"script", "style", "template", "noscript", "title", "textarea"})

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.tables: list[tuple[list[list[Any]], list[tuple[tuple[int, int], tuple[int, int]]]]]
        self.tables = []
        self._stack: list[_Table] = []
        self._skip = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in self._SKIP:
            self._skip += 1
            return
        if tag == "table":
            self._stack.append(_Table())
            return
        if not self._stack or self._skip:
            return
        table = self._stack[-1]
        if tag == "tr":
            table.start_row()
        elif tag in ("td", "th"):
            table.start_cell(
                _span(attrs, "colspan", MAX_COLUMNS), _span(attrs, "rowspan", MAX_ROWS)
            )
        elif tag in ("br", "p", "div", "li"):
            table.text("\n")

    def handle_endtag(self, tag: str) -> None:
        if tag in self._SKIP:
            self._skip = max(0, self._skip - 1)
            return
        if not self._stack:
            return
        table = self._stack[-1]
        if tag in ("td", "th"):
            table.end_cell()
        elif tag == "tr":
            table.end_row()
        elif tag == "table":
            self._close_table()

    def handle_data(self, data: str) -> None:
        if self._stack and not self._skip:
            self._stack[-1].text(data.replace("\x00", "").replace("\r", " ").replace("\n", " "))

    def flush(self) -> None:
        """Close the tables a truncated page left open."""
        while self._stack:
            self._close_table()

    def _close_table(self) -> None:
        table = self._stack.pop()
        table.end_row()
        if any(any(v != "" for v in row) for row in table.rows):
            self.tables.append((table.rows, table.merged))


def _span(attrs: list[tuple[str, str | None]], name: str, cap: int) -> int:
    for key, value in attrs:
        if key == name and value:
            digits = re.match(r"\s*([0-9]{1,7})", value)
            if digits:
                return max(1, min(int(digits.group(1)), cap))
    return 1


# --------------------------------------------------------------------------- text
# control bytes that never occur in a text file (tab, LF, FF, CR and ESC excepted)
_CONTROL_BYTES = bytes([*range(0, 9), 11, *range(14, 27), *range(28, 32)])
_BINARY_SHARE = 0.01


@dataclass
class DecodedText:
    """A text file decoded line by line (see :func:`decode_lines`)."""

    lines: list[str]
    encoding: str
    #: 0-based line numbers decoded as Windows-1252 in a UTF-8 file.
    other_encoding: set[int] = field(default_factory=set)
    #: 0-based line number → NUL bytes removed from it.
    nul_bytes: dict[int, int] = field(default_factory=dict)
    #: NUL bytes padding the end of the file (a save cut short), removed.
    trailing_nuls: int = 0


def decode_lines(data: bytes) -> DecodedText:
    """Decode the bytes of a text file line by line.

    * UTF-16 (with a BOM, or without one when every other byte is NUL) is
      decoded whole.
    * A file that decodes as UTF-8 (with or without BOM) is UTF-8.
    * Otherwise each line is tried as UTF-8: when most lines with accents are not
      UTF-8, the file is a Windows-1252 export and is decoded whole as such; when
      most are, the few that are not (a line pasted from another file) are decoded
      as Windows-1252 and listed in ``other_encoding``, so that they are reported
      on their row while the header and the other rows read right.
    * NUL bytes are removed wherever they are, and counted per line in
      ``nul_bytes``; a run of NUL bytes padding the end of the file (a save cut
      short) is removed and counted in ``trailing_nuls``. A file with more than
      1 % of control bytes is binary and refused.

    Parameters
    ----------
    data : bytes

    Returns
    -------
    DecodedText

    Raises
    ------
    FileProblem
        ``UNREADABLE_FILE`` for a binary file.

    Examples
    --------
    >>> d = decode_lines("Tête;N°1\\n".encode() + "Hélène;x\\n".encode("cp1252"))
    >>> d.lines, d.encoding, d.other_encoding
    (['Tête;N°1\\n', 'Hélène;x\\n'], 'utf-8', {1})
    >>> decode_lines("é;1".encode("cp1252")).encoding
    'cp1252'
    """
    text: str | None = None
    encoding = ""
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        text, encoding = _decode_utf16(data, "utf-16"), "utf-16"
    elif (guess := _utf16_without_bom(data)) is not None:
        text, encoding = _decode_utf16(data, guess), guess
    if text is not None:
        return _with_nuls(0, DecodedText(list(io.StringIO(text, newline="")), encoding))
    padded = len(data)
    data = data.rstrip(b"\x00")
    padded -= len(data)
    controls = len(data) - len(data.translate(None, _CONTROL_BYTES))
    if controls > max(16, _BINARY_SHARE * len(data)):
        raise FileProblem(
            UNREADABLE_FILE,
            f"fichier binaire ({controls} octets de contrôle) : ce n'est pas un fichier texte "
            "(CSV). Exportez le tableau en CSV ou en .xlsx.",
        )
    bom = data.startswith(codecs.BOM_UTF8)
    body = data[3:] if bom else data
    try:
        text = body.decode("utf-8")
    except UnicodeDecodeError:
        pass
    else:
        lines = list(io.StringIO(text, newline=""))
        return _with_nuls(padded, DecodedText(lines, "utf-8-sig" if bom else "utf-8"))
    raw_lines = body.splitlines(keepends=True)
    decoded: list[str | None] = []
    other: set[int] = set()
    valid_accented = 0
    for number, raw in enumerate(raw_lines):
        try:
            decoded.append(raw.decode("utf-8"))
        except UnicodeDecodeError:
            decoded.append(None)
            other.add(number)
        else:
            valid_accented += not raw.isascii()
    if len(other) > valid_accented:
        whole = _decode_cp1252(body)
        return _with_nuls(padded, DecodedText(list(io.StringIO(whole, newline="")), _CP1252))
    lines = [
        line if line is not None else _decode_cp1252(raw)
        for line, raw in zip(decoded, raw_lines, strict=True)
    ]
    return _with_nuls(padded, DecodedText(lines, "utf-8-sig" if bom else "utf-8", other))


_CP1252 = "cp1252"


def _decode_cp1252(data: bytes) -> str:
    try:
        return data.decode(_CP1252)
    except UnicodeDecodeError:  # 0x81, 0x8D, 0x8F, 0x90, 0x9D are not cp1252
        return data.decode("latin-1")


def _utf16_without_bom(data: bytes) -> str | None:
    sample = data[:4096]
    half = len(sample) // 2
    if half < 4:
        return None
    even, odd = sample[0::2].count(0), sample[1::2].count(0)
    if odd > 0.4 * half and even < 0.05 * half:
        return "utf-16-le"
    if even > 0.4 * half and odd < 0.05 * half:
        return "utf-16-be"
    return None


def _decode_utf16(data: bytes, encoding: str) -> str:
    try:
        return data.decode(encoding)
    except UnicodeDecodeError as exc:
        raise FileProblem(
            UNREADABLE_FILE,
            f"fichier texte UTF-16 abîmé (octet {exc.start}) : exportez-le à nouveau en CSV.",
        ) from exc


def _with_nuls(trailing: int, decoded: DecodedText) -> DecodedText:
    decoded.trailing_nuls = trailing
    for number, line in enumerate(decoded.lines):
        if "\x00" in line:
            decoded.nul_bytes[number] = line.count("\x00")
            decoded.lines[number] = line.replace("\x00", "")
    return decoded


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


_SHOWN_ENCODING = {
    "utf-8": "utf-8",
    "utf-8-sig": "utf-8-sig",
    _CP1252: "cp1252",
    "utf-16": "utf-16",
    "utf-16-le": "utf-16 (sans BOM)",
    "utf-16-be": "utf-16 (sans BOM)",
}
_SHOWN_DELIMITER = {
    "\t": "tabulation",
    ";": "point-virgule",
    ",": "virgule",
    "|": "barre verticale",
}


def _read_csv(path: Path) -> FileData:
    data = path.read_bytes()
    decoded = decode_lines(data)
    del data
    lines = decoded.lines
    delimiter = sniff_delimiter("".join(lines[:200]))
    rows: list[list[Any]] = []
    rejects: list[CellReject] = []
    flagged = decoded.other_encoding | set(decoded.nul_bytes)
    previous = csv.field_size_limit()
    # the csv module's own limit (128 Kio) would stop the whole file with an English
    # message: let it read any field, and reject long cells on their row below.
    csv.field_size_limit(max(previous, MAX_FILE_BYTES + 1))
    try:
        reader = csv.reader(lines, delimiter=delimiter)
        consumed = 0
        for row in _csv_rows(reader, path):
            rows.append(row)
            number = len(rows)
            if len(rows) > MAX_ROWS:
                raise FileProblem(TOO_LARGE, f"plus de {MAX_ROWS} lignes.")
            if len(row) > MAX_COLUMNS:
                raise FileProblem(TOO_LARGE, f"plus de {MAX_COLUMNS} colonnes.")
            span = range(consumed, reader.line_num)
            consumed = reader.line_num
            if flagged and not flagged.isdisjoint(span):
                rejects.extend(_line_rejects(number, span, decoded, delimiter.join(row)))
            if row and max(map(len, row)) > MAX_CELL_CHARS:
                rejects.extend(_cap_cells([row], number - 1))
    finally:
        csv.field_size_limit(previous)
    note = (
        f"encodage {_SHOWN_ENCODING.get(decoded.encoding, decoded.encoding)}, "
        f"séparateur {_SHOWN_DELIMITER[delimiter]}"
    )
    if decoded.other_encoding:
        note += f" ; {len(decoded.other_encoding)} ligne(s) en Windows-1252 (signalées)"
    if decoded.nul_bytes:
        note += f" ; caractères nuls supprimés sur {len(decoded.nul_bytes)} ligne(s) (signalées)"
    if decoded.trailing_nuls:
        note += (
            f" ; {decoded.trailing_nuls} octets nuls en fin de fichier supprimés (enregistrement "
            "interrompu ?)"
        )
    logger.debug("%s: %s", path, note)
    return FileData([SheetData("", rows, False, rejects)], "csv", [note])


def _csv_rows(reader: Any, path: Path) -> Iterator[list[str]]:
    try:
        yield from reader
    except csv.Error as exc:
        logger.debug("%s: csv: %s", path, exc)
        raise FileProblem(
            UNREADABLE_FILE,
            f"structure CSV invalide vers la ligne {reader.line_num} du fichier.",
        ) from exc


def _line_rejects(row: int, span: range, decoded: DecodedText, raw: str) -> list[CellReject]:
    rejects = []
    if not decoded.other_encoding.isdisjoint(span):
        rejects.append(
            CellReject(
                row,
                None,
                MIXED_ENCODING,
                "ligne écrite dans un autre encodage que le reste du fichier (Windows-1252 et "
                "non UTF-8) : lue en Windows-1252, importée ; vérifiez ses accents.",
                _shown(raw),
            )
        )
    removed = sum(decoded.nul_bytes.get(i, 0) for i in span)
    if removed:
        rejects.append(
            CellReject(
                row,
                None,
                NUL_BYTES,
                f"{removed} caractère(s) nul(s) (octet 0x00) supprimé(s) de cette ligne, qui est "
                "importée sans eux : fichier abîmé ? Vérifiez-la.",
                _shown(raw),
            )
        )
    return rejects
