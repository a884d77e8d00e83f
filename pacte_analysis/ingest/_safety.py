"""Checks run on a file before any parser sees it.

Spreadsheet files (``.xlsx``, ``.ods``) are zip archives of XML parts. Before
calamine opens one, this module:

* caps the file size (:data:`MAX_FILE_BYTES`);
* reads the zip central directory and refuses archives whose declared
  uncompressed size, member count or compression ratio is absurd;
* inflates every member itself, in bounded chunks, counting the bytes really
  produced (a member whose stream inflates past its declared size is refused:
  headers can lie), so memory stays bounded whatever the archive holds;
* refuses XML parts that declare a DTD or entities (``<!DOCTYPE``,
  ``<!ENTITY``: entity-expansion attacks such as « billion laughs ») before
  any XML parser sees them;
* bounds the grid each worksheet would occupy once loaded (calamine builds a
  dense rectangle from the first to the last filled cell: two cells at ``A1``
  and ``XFD1048576`` would ask for hundreds of gigabytes);
* bounds the text the cells would hold once expanded (:data:`MAX_TEXT_BYTES`),
  for ``.xls`` files too (:func:`inspect_xls` reads their shared strings),
  in the same pass: an ``.ods`` cell repeated by ``number-columns-repeated`` /
  ``number-rows-repeated`` or padded by ``<text:s text:c="…"/>``, and an
  ``.xlsx`` shared string referenced by many cells, are counted once per cell
  they fill, so a file of a few hundred bytes cannot ask for gigabytes.

The ``.xlsx`` worksheets are read in one cheap pass first: the text a part can
hold is bounded by its inflated size, and what its shared-string cells expand
to by their count times the longest shared string. Only when those upper
bounds pass the text budget is the archive inspected again, exactly (the text
of every cell, the string every cell points to): a file is refused if and only
if its exact figures pass a limit, and the usual tracker costs one quick pass.

Every refusal raises :class:`FileProblem` with a stable reason code
(``TOO_LARGE`` or ``UNREADABLE_FILE``) and a French message.
"""

from __future__ import annotations

import html
import posixpath
import re
import struct
import zipfile
import zlib
from array import array
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import BinaryIO

from pacte_analysis._text import column_index

__all__ = [
    "MAX_CELLS",
    "MAX_CELL_CHARS",
    "MAX_COLUMNS",
    "MAX_COMPRESSION_RATIO",
    "MAX_FILE_BYTES",
    "MAX_MEMBERS",
    "MAX_ROWS",
    "MAX_TEXT_BYTES",
    "MAX_UNCOMPRESSED_BYTES",
    "READER_REASON_CODES",
    "FileProblem",
    "inspect_xls",
    "inspect_zip",
]

#: Largest input file accepted, in bytes (as stored on disk).
MAX_FILE_BYTES = 100 * 1024 * 1024
#: Largest total uncompressed size of a spreadsheet archive, in bytes.
MAX_UNCOMPRESSED_BYTES = 256 * 1024 * 1024
#: Largest compression ratio accepted for a member bigger than 1 MiB once inflated.
MAX_COMPRESSION_RATIO = 100
#: Most members a spreadsheet archive may hold.
MAX_MEMBERS = 10_000
#: Most rows a sheet may span (from row 1 to its last filled row).
MAX_ROWS = 200_000
#: Most columns a sheet may span.
MAX_COLUMNS = 2_000
#: Most cells of the rectangle a sheet spans (rows × columns).
MAX_CELLS = 5_000_000
#: Most bytes of cell text a spreadsheet may expand to (repeated cells and shared
#: strings counted once per cell they fill), estimated from its XML before loading.
MAX_TEXT_BYTES = 64 * 1024 * 1024
#: Longest text accepted in one cell, in characters (Excel's own cell limit): a
#: longer cell is rejected on its row and column, whatever the file format.
MAX_CELL_CHARS = 32_767

_RATIO_FLOOR = 1024 * 1024
_CHUNK = 1024 * 1024
_PROLOG_BYTES = 64 * 1024
_XML_SUFFIXES = (".xml", ".rels", ".vml")
_DTD = re.compile(rb"<!\s*(?:DOCTYPE|ENTITY)", re.IGNORECASE)
_ELEMENT_START = re.compile(rb"<[A-Za-z_]")
_LOCAL_HEADER = struct.Struct("<IHHHHHIIIHH")
_LOCAL_SIGNATURE = 0x04034B50

TOO_LARGE = "TOO_LARGE"
UNREADABLE_FILE = "UNREADABLE_FILE"
#: A CSV line that is not UTF-8 in a UTF-8 file: read as Windows-1252 and reported.
MIXED_ENCODING = "MIXED_ENCODING"
#: NUL bytes (``0x00``) removed from a line of a text file, and reported.
NUL_BYTES = "NUL_BYTES"

#: Reason codes the readers give to single rows and cells (``FileData.cell_rejects``),
#: with their French meaning, for the ``rejects`` table's list of codes.
READER_REASON_CODES: dict[str, str] = {
    TOO_LARGE: "fichier ou cellule trop volumineux",
    MIXED_ENCODING: "ligne d'un autre encodage que le reste du fichier",
    NUL_BYTES: "caractères nuls supprimés",
}


class FileProblem(Exception):
    """A file that cannot be imported as a whole.

    Parameters
    ----------
    code : str
        Reason code (``TOO_LARGE``, ``UNREADABLE_FILE``, ``NO_HEADER``).
    message : str
        French explanation for the report.
    """

    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code
        self.message = message


@dataclass
class SheetExtent:
    """Upper bound of the grid a worksheet part would fill."""

    rows: int = 0
    columns: int = 0

    def check(self, where: str) -> None:
        """Raise ``TOO_LARGE`` when the extent passes a cap."""
        if self.rows > MAX_ROWS:
            raise FileProblem(
                TOO_LARGE,
                f"{where} : la feuille s'étend sur {self.rows:,} lignes (maximum "
                f"{MAX_ROWS:,}).".replace(",", "\u202f"),
            )
        if self.columns > MAX_COLUMNS:
            raise FileProblem(
                TOO_LARGE,
                f"{where} : la feuille s'étend sur {self.columns:,} colonnes (maximum "
                f"{MAX_COLUMNS:,}).".replace(",", "\u202f"),
            )
        if self.rows * self.columns > MAX_CELLS:
            raise FileProblem(
                TOO_LARGE,
                f"{where} : la feuille couvre {self.rows:,} lignes × {self.columns:,} "
                f"colonnes, soit plus de {MAX_CELLS:,} cellules (cellules remplies très "
                "éloignées les unes des autres ?).".replace(",", "\u202f"),
            )


@dataclass
class ZipReport:
    """What :func:`inspect_zip` learnt about an archive."""

    members: list[str] = field(default_factory=list)
    uncompressed_bytes: int = 0
    extents: dict[str, SheetExtent] = field(default_factory=dict)
    #: Estimated bytes of cell text once every repeat and shared string is expanded
    #: (an upper bound when the cheap pass sufficed, see :func:`inspect_zip`).
    text_bytes: int = 0


class _BudgetExceeded(FileProblem):
    """The text budget was passed (``TOO_LARGE``); in the cheap pass, by an upper bound."""


class TextBudget:
    """Running estimate of the text a file's cells expand to, capped.

    Parameters
    ----------
    limit : int
        Bytes of text allowed (default :data:`MAX_TEXT_BYTES`).
    exact : bool, default True
        False for a cheap pass, whose scanners may add upper bounds instead
        of exact sizes (they set :attr:`bounded` when they do).
    """

    def __init__(self, limit: int = MAX_TEXT_BYTES, *, exact: bool = True) -> None:
        self.limit = limit
        self.used = 0
        #: Whether every size added must be exact (else an upper bound may be added).
        self.exact = exact
        #: Whether an upper bound was added (``used`` may then be above the truth).
        self.bounded = False

    def add(self, size: int, where: str) -> None:
        """Count ``size`` more bytes; raise ``TOO_LARGE`` past the limit."""
        self.used += size
        if self.used > self.limit:
            raise _BudgetExceeded(
                TOO_LARGE,
                f"{where} : les cellules contiendraient plus de {self.limit / 2**20:.0f} Mio de "
                "texte une fois développées (une même cellule répétée sur des milliers de lignes "
                "ou de colonnes, ou un même texte partagé par de très nombreuses cellules) : "
                "classeur refusé pour protéger la mémoire.",
            )


def check_file_size(path: Path) -> int:
    """Return the size of ``path``; raise ``TOO_LARGE`` above :data:`MAX_FILE_BYTES`."""
    size = path.stat().st_size
    if size > MAX_FILE_BYTES:
        raise FileProblem(
            TOO_LARGE,
            f"fichier de {size / 2**20:.0f} Mio, au-delà de la limite de "
            f"{MAX_FILE_BYTES / 2**20:.0f} Mio.",
        )
    return size


def inspect_zip(path: Path, kind: str) -> ZipReport:
    """Check a spreadsheet archive before any parser opens it.

    Parameters
    ----------
    path : Path
        The ``.xlsx`` or ``.ods`` file.
    kind : {"xlsx", "ods"}
        Decides which parts are worksheets whose extent is bounded.

    Returns
    -------
    ZipReport

    Raises
    ------
    FileProblem
        ``TOO_LARGE`` (size, ratio, member count, sheet extent) or
        ``UNREADABLE_FILE`` (not a zip, lying sizes, DTD/entity declarations,
        unsupported compression).
    """
    check_file_size(path)
    try:
        archive = zipfile.ZipFile(path)
    except (zipfile.BadZipFile, OSError, ValueError) as exc:
        raise FileProblem(
            UNREADABLE_FILE,
            "ce n'est pas un classeur valide : l'archive zip qu'est un fichier "
            f".{kind} ne s'ouvre pas (fichier tronqué, corrompu ou protégé par mot de passe ?).",
        ) from exc
    with archive:
        infos = archive.infolist()
        _check_directory(infos)
        budget = TextBudget(exact=False)
        try:
            return _inspect_members(path, kind, infos, budget)
        except _BudgetExceeded:
            if not budget.bounded:
                raise  # every figure was exact already
            # an upper bound passed the budget: weigh every cell exactly
            return _inspect_members(path, kind, infos, TextBudget())


def _inspect_members(
    path: Path, kind: str, infos: list[zipfile.ZipInfo], budget: TextBudget
) -> ZipReport:
    """Inflate and scan every member (see :func:`inspect_zip`).

    With ``budget.exact`` false the worksheets' text may be weighed by upper
    bounds (see :class:`_XlsxScanner`); a :class:`_BudgetExceeded` raised then
    with ``budget.bounded`` true only means that the exact pass must decide.
    """
    report = ZipReport(members=[i.filename for i in infos])
    with path.open("rb") as raw:
        sheets, strings = _xlsx_parts(raw, infos) if kind == "xlsx" else (set(), set())
        shared = _SharedStrings()
        # shared strings first: the worksheets' references are weighed with them
        ordered = sorted(infos, key=lambda i: i.filename not in strings)
        for info in ordered:
            if info.is_dir():
                continue
            scanner: _Scanner | None
            if info.filename in strings:
                scanner = _SharedStringsScanner(shared, budget)
            elif kind == "xlsx" and (info.filename in sheets or _is_default_sheet(info.filename)):
                scanner = _XlsxScanner(shared, budget)
            elif kind == "ods" and info.filename.lower() == "content.xml":
                scanner = _OdsScanner(budget)
            else:
                scanner = None
            actual = _inflate_member(raw, info, scanner)
            report.uncompressed_bytes += actual
            if scanner is not None:
                extent = scanner.finish()
                extent.check(f"partie {info.filename}")
                if not isinstance(scanner, _SharedStringsScanner):
                    report.extents[info.filename] = extent
    report.text_bytes = budget.used
    return report


def _check_directory(infos: list[zipfile.ZipInfo]) -> None:
    if len(infos) > MAX_MEMBERS:
        raise FileProblem(TOO_LARGE, f"archive de {len(infos)} éléments (maximum {MAX_MEMBERS}).")
    total = 0
    for info in infos:
        total += info.file_size
        if info.file_size > MAX_UNCOMPRESSED_BYTES or total > MAX_UNCOMPRESSED_BYTES:
            raise FileProblem(
                TOO_LARGE,
                f"le classeur décompressé dépasserait {MAX_UNCOMPRESSED_BYTES / 2**20:.0f} Mio "
                f"(partie {info.filename} : {info.file_size / 2**20:.0f} Mio annoncés).",
            )
        if info.file_size > _RATIO_FLOOR:
            ratio = info.file_size / max(info.compress_size, 1)
            if ratio > MAX_COMPRESSION_RATIO:
                raise FileProblem(
                    TOO_LARGE,
                    f"taux de compression anormal ({ratio:.0f}:1) pour la partie "
                    f"{info.filename} : bombe de décompression probable.",
                )
        if info.compress_type not in (zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED):
            raise FileProblem(
                UNREADABLE_FILE,
                f"méthode de compression non prise en charge pour {info.filename}.",
            )
        if info.flag_bits & 0x1:
            raise FileProblem(UNREADABLE_FILE, "archive chiffrée : fichier protégé ?")


def _member_chunks(fp: BinaryIO, info: zipfile.ZipInfo) -> Iterator[bytes]:
    """Yield the inflated bytes of one member, at most :data:`_CHUNK` at a time."""
    fp.seek(info.header_offset)
    header = fp.read(_LOCAL_HEADER.size)
    if len(header) != _LOCAL_HEADER.size:
        raise FileProblem(UNREADABLE_FILE, f"en-tête tronqué pour {info.filename}.")
    fields = _LOCAL_HEADER.unpack(header)
    if fields[0] != _LOCAL_SIGNATURE:
        raise FileProblem(UNREADABLE_FILE, f"en-tête invalide pour {info.filename}.")
    fp.seek(fields[9] + fields[10], 1)
    remaining = info.compress_size
    inflater = zlib.decompressobj(-zlib.MAX_WBITS) if info.compress_type else None
    while remaining > 0:
        data = fp.read(min(_CHUNK, remaining))
        if not data:
            raise FileProblem(UNREADABLE_FILE, f"données tronquées pour {info.filename}.")
        remaining -= len(data)
        if inflater is None:
            yield data
            continue
        while data:
            try:
                out = inflater.decompress(data, _CHUNK)
            except zlib.error as exc:
                raise FileProblem(
                    UNREADABLE_FILE,
                    f"données compressées corrompues dans la partie {info.filename} "
                    "(fichier tronqué ou abîmé ?).",
                ) from exc
            data = inflater.unconsumed_tail
            if out:
                yield out
            if inflater.eof:
                return
    if inflater is not None:
        tail = inflater.flush(_CHUNK)
        if tail:
            yield tail


def _inflate_member(raw: BinaryIO, info: zipfile.ZipInfo, scanner: _Scanner | None) -> int:
    """Inflate one member in bounded chunks; return the number of bytes produced."""
    produced = 0
    first = True
    is_xml = info.filename.lower().endswith(_XML_SUFFIXES)
    prolog = b""
    crc = 0
    for chunk in _member_chunks(raw, info):
        produced += len(chunk)
        if produced > info.file_size:
            raise FileProblem(
                TOO_LARGE if produced > _RATIO_FLOOR else UNREADABLE_FILE,
                f"la partie {info.filename} se décompresse au-delà de la taille annoncée "
                f"({info.file_size} octets) : archive trafiquée (bombe de décompression ?).",
            )
        crc = zlib.crc32(chunk, crc)
        if is_xml and first:
            prolog += chunk[: _PROLOG_BYTES - len(prolog)]
            if len(prolog) >= _PROLOG_BYTES:
                _check_prolog(prolog, info.filename)
                first = False
        if scanner is not None:
            scanner.feed(chunk)
    if is_xml and first:
        _check_prolog(prolog, info.filename, complete=True)
    if produced != info.file_size or crc != info.CRC:
        raise FileProblem(
            UNREADABLE_FILE,
            f"la partie {info.filename} ne correspond pas à sa taille ou à sa somme de "
            "contrôle annoncées : archive corrompue ou trafiquée.",
        )
    return produced


def _check_prolog(prolog: bytes, name: str, complete: bool = False) -> None:
    """Refuse DTD/entity declarations before the root element of an XML part."""
    text = prolog
    if text.startswith((b"\xff\xfe", b"\xfe\xff")):
        try:
            text = prolog.decode("utf-16", errors="replace").encode("utf-8")
        except UnicodeError:  # pragma: no cover - errors="replace" never raises
            text = b""
    match = _ELEMENT_START.search(text)
    head = text[: match.start()] if match else text
    if _DTD.search(head) or (match is None and _DTD.search(text)):
        raise FileProblem(
            UNREADABLE_FILE,
            f"la partie {name} déclare une DTD ou des entités XML (<!DOCTYPE>, <!ENTITY>) : "
            "refusée par sécurité (attaque par expansion d'entités).",
        )
    if match is None and not complete:
        raise FileProblem(
            UNREADABLE_FILE,
            f"la partie {name} ne commence pas par un élément XML dans ses 64 premiers Kio.",
        )


# --------------------------------------------------------------------- xlsx parts
_RELATIONSHIP = re.compile(rb"<(?:\w+:)?Relationship\b[^>]*>")
_REL_TYPE = re.compile(rb"\bType\s*=\s*[\"']([^\"']*)[\"']")
_REL_TARGET = re.compile(rb"\bTarget\s*=\s*[\"']([^\"']*)[\"']")
_RELS_MAX_BYTES = 4 * 1024 * 1024


def _xlsx_parts(raw: BinaryIO, infos: list[zipfile.ZipInfo]) -> tuple[set[str], set[str]]:
    """Worksheet and shared-string parts of an ``.xlsx``, from the workbook's relationships.

    The parts named in ``xl/_rels/workbook.xml.rels`` are added to the usual
    ``xl/worksheets/*.xml`` and ``xl/sharedStrings.xml``, so that a worksheet
    stored under another name is bounded too.
    """
    by_lower = {i.filename.lower(): i for i in infos if not i.is_dir()}
    strings = {i.filename for low, i in by_lower.items() if low == "xl/sharedstrings.xml"}
    sheets: set[str] = set()
    rels = by_lower.get("xl/_rels/workbook.xml.rels")
    if rels is None:
        return sheets, strings
    data = bytearray()
    for chunk in _member_chunks(raw, rels):
        data += chunk
        if len(data) > _RELS_MAX_BYTES:
            raise FileProblem(TOO_LARGE, "relations du classeur démesurées (plus de 4 Mio).")
    _check_prolog(bytes(data[:_PROLOG_BYTES]), rels.filename, complete=True)
    for tag in _RELATIONSHIP.findall(bytes(data)):
        kind, target = _REL_TYPE.search(tag), _REL_TARGET.search(tag)
        if kind is None or target is None:
            continue
        name = target.group(1).decode("utf-8", "replace")
        name = name[1:] if name.startswith("/") else posixpath.normpath("xl/" + name)
        info = by_lower.get(name.lower())
        if info is None:
            continue
        if kind.group(1).endswith(b"/worksheet"):
            sheets.add(info.filename)
        elif kind.group(1).endswith(b"/sharedStrings"):
            strings.add(info.filename)
    return sheets, strings


def _is_default_sheet(name: str) -> bool:
    lower = name.lower()
    return lower.startswith("xl/worksheets/") and lower.endswith(".xml")


# --------------------------------------------------------------------- scanners
_TAGS = re.compile(rb"<[^>]*>")


def _text_length(xml: bytes) -> int:
    """Bytes of character data in an XML fragment (markup removed)."""
    return len(_TAGS.sub(b"", xml)) if b"<" in xml else len(xml)


class _Scanner:
    """Streaming reader of one XML part, fed with inflated chunks.

    Each chunk is cut before its last ``<`` so that no tag is split between two
    calls of :meth:`scan`; text between two tags is therefore never split either.
    """

    def __init__(self) -> None:
        self._buffer = b""
        self.extent = SheetExtent()
        self.pieces = 0

    def feed(self, chunk: bytes) -> None:
        data = self._buffer + chunk
        cut = data.rfind(b"<")
        if cut <= 0:
            self._buffer = data
            if len(self._buffer) > 4 * _CHUNK:
                raise FileProblem(UNREADABLE_FILE, "balise XML démesurée.")
            return
        self._buffer = data[cut:]
        self.pieces += 1
        self.scan(data[:cut])

    def finish(self) -> SheetExtent:
        self.pieces += 1
        self.scan(self._buffer)
        self._buffer = b""
        return self.extent

    def scan(self, data: bytes) -> None:  # pragma: no cover - overridden
        raise NotImplementedError


@dataclass
class _SharedStrings:
    """Length in bytes of each shared string of an ``.xlsx`` (index → length)."""

    lengths: array[int] = field(default_factory=lambda: array("Q"))
    longest: int = 0


class _SharedStringsScanner(_Scanner):
    """Record the text length of every ``<si>`` of a shared-strings part."""

    _SI = re.compile(rb"<(/?)(?:\w+:)?si\b[^>]*?(/?)>")

    def __init__(self, shared: _SharedStrings, budget: TextBudget) -> None:
        super().__init__()
        self._shared = shared
        self._budget = budget
        self._open = False
        self._carried = 0
        self._index = 0

    def scan(self, data: bytes) -> None:
        lengths = self._shared.lengths
        mark = 0
        total = 0
        for match in self._SI.finditer(data):
            closing, empty = match.group(1), match.group(2)
            if not closing:
                if empty:
                    self._store(0)
                else:
                    self._open, mark, self._carried = True, match.end(), 0
                continue
            if self._open:
                size = self._carried + _text_length(data[mark : match.start()])
                self._store(size)
                total += size
                self._open = False
        if self._open:
            self._carried += _text_length(data[mark:])
        if len(lengths) > MAX_CELLS:
            raise FileProblem(
                TOO_LARGE, f"plus de {MAX_CELLS:,} textes partagés.".replace(",", "\u202f")
            )
        self._budget.add(total, "textes partagés du classeur")

    def _store(self, size: int) -> None:
        lengths = self._shared.lengths
        if self._index < len(lengths):  # a second shared-strings part: keep the larger
            lengths[self._index] = max(lengths[self._index], size)
        else:
            lengths.append(size)
        self._index += 1
        self._shared.longest = max(self._shared.longest, size)


class _XlsxScanner(_Scanner):
    """Bound from ``<row r=…>`` and ``<c r=…>`` references (and positions when absent).

    The text is weighed too: the character data of the part, plus, for every
    cell of type ``s``, the length of the shared string it points to. With a
    budget that is not exact (the cheap pass), a piece's character data is
    bounded by its size and its shared-string cells by their count (every
    ``"s"`` or ``'s'`` it holds, an over-count) times the longest string.
    """

    _CELL_REF = re.compile(rb"<(?:\w+:)?c\b[^>]*?\br=\"([A-Z]{1,3})([0-9]{1,9})\"[^>]*?(/?)>")
    # both patterns start with a literal, which the regex engine looks for quickly;
    # they may also match another attribute ending in « r » (an over-count: bounds only)
    # (row references count rows and cells alike: an empty row past the last cell
    # only sends the piece to the exact refinement below)
    _REF_COLUMN = re.compile(rb'r="([A-Z]{1,3})[0-9]')
    _REF_ROW = re.compile(rb'r="[A-Z]{0,3}([0-9]{1,9})"')
    _NO_REF_CELL = re.compile(rb"<(?:\w+:)?c(?:\s(?:(?!\br=)[^>])*)?>")
    _TAG = re.compile(rb"<(/?)(?:\w+:)?(row|c)\b([^>]*?)(/?)>")
    _R_ATTR = re.compile(rb"\br=\"([A-Z]{0,3})([0-9]{1,9})\"")
    _PLAIN_SHARED_REF = re.compile(rb"<c\b[^>]*?\bt=\"s\"[^>]*><v>([0-9]{1,12})</v>")
    _SHARED_REF = re.compile(
        rb"<(?:\w+:)?c\b[^>]*?\bt\s*=\s*[\"']s[\"'][^>]*>\s*"
        rb"(?:<(?:\w+:)?f\b[^>]*/>\s*|<(?:\w+:)?f\b[^>]*>[^<]*</(?:\w+:)?f>\s*)?"
        rb"<(?:\w+:)?v\b[^>]*>\s*([0-9]{1,12})\s*<"
    )

    def __init__(
        self, shared: _SharedStrings | None = None, budget: TextBudget | None = None
    ) -> None:
        super().__init__()
        self._row = 0
        self._col = 0
        self._shared = shared or _SharedStrings()
        self._budget = budget or TextBudget()

    def _weigh(self, data: bytes) -> None:
        budget = self._budget
        lengths = self._shared.lengths
        # text written in the cells themselves (inline strings, formula results);
        # without them a part holds only numbers and shared-string indices
        inline = b"inlineStr" in data or b"str" in data
        quoted = data.count(b'"s"') + data.count(b"'s'") if lengths else 0
        if not budget.exact:
            # upper bounds: the piece's own size, every possible shared cell at the longest
            if lengths:  # with mixed quotes too, which the full pattern accepts
                quoted += data.count(b"\"s'") + data.count(b"'s\"")
            bound = (len(data) if inline else 0) + (quoted + 1) * self._shared.longest
            if bound:
                budget.bounded = True
            budget.add(bound, "feuille du classeur")
            return
        size = _text_length(data) if inline else 0
        if lengths:
            refs = self._PLAIN_SHARED_REF.findall(data)
            if len(refs) != quoted:
                refs = self._SHARED_REF.findall(data)  # formulas, odd quoting: the full pattern
            count = len(lengths)
            size += sum(lengths[int(i)] * n for i, n in Counter(refs).items() if int(i) < count)
            # a cell cut between two pieces is missed by the pattern: count it as the longest
            size += self._shared.longest
        budget.add(size, "feuille du classeur")

    def scan(self, data: bytes) -> None:
        self._weigh(data)
        columns = self._REF_COLUMN.findall(data)
        plain = data.count(b"<c ") + data.count(b"<c>")
        if (plain != len(columns) or b":c " in data) and self._NO_REF_CELL.search(data):
            self._walk(data)
            return
        refs = set(self._REF_ROW.findall(data))
        if refs:
            self._row = max(self._row, max(map(int, refs)))
        if not columns:
            return
        # fast bound (every referenced row and cell, even empty styled ones)…
        rows = self._row
        cols = max(column_index(c.decode()) + 1 for c in set(columns))
        candidate = SheetExtent(max(self.extent.rows, rows), max(self.extent.columns, cols))
        try:
            candidate.check("")
        except FileProblem:
            # …refined only when it passes a cap: empty self-closing cells are not loaded
            cells = set(self._CELL_REF.findall(data))
            filled_rows = [int(r) for _, r, closed in cells if not closed]
            filled_cols = [column_index(c.decode()) + 1 for c, _, closed in cells if not closed]
            if filled_rows:
                self.extent.rows = max(self.extent.rows, max(filled_rows))
                self.extent.columns = max(self.extent.columns, max(filled_cols))
            return
        self.extent = candidate

    def _walk(self, data: bytes) -> None:
        """Slow path for writers that omit ``r`` attributes: follow positions."""
        for closing, tag, attrs, empty in self._TAG.findall(data):
            if closing:
                continue
            ref = self._R_ATTR.search(attrs)
            if tag == b"row":
                self._row = int(ref.group(2)) if ref else self._row + 1
                self._col = 0
                continue
            if ref and ref.group(1):
                self._col = column_index(ref.group(1).decode()) + 1
                self._row = max(self._row, int(ref.group(2)))
            else:
                self._col += 1
            if not empty:
                self.extent.rows = max(self.extent.rows, self._row)
                self.extent.columns = max(self.extent.columns, self._col)


class _OdsScanner(_Scanner):
    """Bound from ODS rows and cells, honouring ``number-*-repeated`` attributes.

    The text of each cell is weighed once per cell it fills: its character data
    (plus the spaces of ``<text:s text:c="n"/>``) times its column repeat, and
    each row's total times the row's repeat.
    """

    _TAG = re.compile(rb"<(/?)table:(table-row|table-cell|covered-table-cell|table)\b([^>]*?)(/?)>")
    _ROWS_REPEATED = re.compile(rb"table:number-rows-repeated=\"([0-9]+)\"")
    _COLS_REPEATED = re.compile(rb"table:number-columns-repeated=\"([0-9]+)\"")
    _VALUED = re.compile(rb"value-type=")
    _NAME = re.compile(rb"table:name=\"([^\"]*)\"")
    _SPACES = re.compile(rb"text:c\s*=\s*[\"']([0-9]{1,12})[\"']")

    def __init__(self, budget: TextBudget | None = None) -> None:
        super().__init__()
        self._budget = budget or TextBudget()
        self._row = 0
        self._col = 0
        self._row_repeat = 1
        self._row_filled = False
        self._row_text = 0
        self._in_cell = False
        self._cell_repeat = 1
        self._cell_text = 0
        self._table = ""

    def _weigh(self, xml: bytes) -> int:
        size = _text_length(xml)
        if b"text:c" in xml:
            size += sum(int(n) for n in self._SPACES.findall(xml))
        return size

    def scan(self, data: bytes) -> None:
        mark = 0
        for match in self._TAG.finditer(data):
            closing, tag, attrs, empty = match.groups()
            if self._in_cell:
                if closing and tag in (b"table-cell", b"covered-table-cell"):
                    self._cell_text += self._weigh(data[mark : match.start()])
                    self._row_text += self._cell_text * self._cell_repeat
                    self._in_cell = False
                continue
            if tag == b"table":
                if not closing:
                    self._row = 0
                    name = self._NAME.search(attrs)
                    self._table = (
                        html.unescape(name.group(1).decode("utf-8", "replace")) if name else ""
                    )
                continue
            if tag == b"table-row":
                if closing:
                    self._end_row()
                    continue
                match_rows = self._ROWS_REPEATED.search(attrs)
                self._row_repeat = int(match_rows.group(1)) if match_rows else 1
                self._col = 0
                self._row_filled = False
                self._row_text = 0
                if empty:
                    self._end_row()
                continue
            if closing:
                continue
            match_cols = self._COLS_REPEATED.search(attrs)
            repeat = int(match_cols.group(1)) if match_cols else 1
            self._col += repeat
            if tag == b"table-cell" and (not empty or self._VALUED.search(attrs)):
                self._row_filled = True
                self.extent.columns = max(self.extent.columns, self._col)
            if not empty:
                self._in_cell, self._cell_repeat, self._cell_text = True, repeat, 0
                mark = match.end()
        if self._in_cell:
            self._cell_text += self._weigh(data[mark:])

    def _end_row(self) -> None:
        self._row += self._row_repeat
        if self._row_filled:
            self.extent.rows = max(self.extent.rows, self._row)
        if self._row_text:
            self._budget.add(self._row_text * self._row_repeat, f"feuille « {self._table} »")
        self._row_repeat = 1
        self._row_filled = False
        self._row_text = 0


# --------------------------------------------------------------------- xls (BIFF8)
_CFB_SIGNATURE = bytes.fromhex("d0cf11e0a1b11ae1")
_FREE, _END_OF_CHAIN = 0xFFFFFFFF, 0xFFFFFFFE
_BIFF_SST, _BIFF_CONTINUE, _BIFF_LABELSST = 0x00FC, 0x003C, 0x00FD
_BIFF_LABEL, _BIFF_RSTRING = 0x0204, 0x00D6
_BIFF_BOF, _BIFF_DIMENSIONS, _BIFF_MULRK, _BIFF_MULBLANK = 0x0809, 0x0200, 0x00BD, 0x00BE
_BIFF_BOUNDSHEET, _BIFF_EOF = 0x0085, 0x000A
# records that place a cell: row and column in their first four bytes
_BIFF_CELLS = frozenset(
    {0x0006, 0x00BD, 0x00BE, 0x00D6, 0x00FD, 0x0201, 0x0203, 0x0204, 0x0205, 0x027E}
)
_OLE_BROKEN = (
    "classeur .xls (Excel 97-2003) abîmé : la structure du fichier est incohérente "
    "(secteurs ou tailles impossibles). Ouvrez-le dans LibreOffice ou Excel et "
    "enregistrez-le en .xlsx."
)


def inspect_xls(path: Path, budget: TextBudget | None = None) -> int:
    """Bound the grid and the text of an Excel 97-2003 (``.xls``, BIFF8) workbook.

    calamine sizes each sheet from its ``DIMENSIONS`` record and copies a shared
    string (``SST``) into every cell that points to it (``LABELSST``): a small
    file could ask for gigabytes, or make the process abort. The ``Workbook``
    stream is read from the compound-file (OLE) container here, without any
    library, the way calamine reads it (globals first, then each worksheet from
    the position its ``BOUNDSHEET`` record gives); each sheet's declared and
    used extent is bounded like an ``.xlsx`` sheet's (and a ``DIMENSIONS`` whose
    first row or column comes after its last is refused), the length of every shared string is taken from the
    ``SST`` record and its ``CONTINUE`` records, and each ``LABELSST`` adds the
    length of its string to the text budget.

    Returns
    -------
    int
        Bytes of text the cells would hold (estimate).

    Raises
    ------
    FileProblem
        ``TOO_LARGE`` past a cap; ``UNREADABLE_FILE`` for a container whose
        sectors, chains or sizes do not hold together.
    """
    budget = budget or TextBudget()
    try:
        stream = _xls_workbook_stream(path)
    except (struct.error, IndexError, ValueError) as exc:
        raise FileProblem(UNREADABLE_FILE, _OLE_BROKEN) from exc
    # the globals substream, as calamine reads it: shared strings and sheet positions
    sst: list[bytes] = []
    in_sst = False
    positions: list[int] = []
    for kind, body in _biff_records(stream, 0):
        if kind == _BIFF_SST:
            sst, in_sst = [body[8:]], True
            continue
        if kind == _BIFF_CONTINUE and in_sst:
            sst.append(body)
            continue
        in_sst = False
        if kind == _BIFF_BOUNDSHEET and len(body) >= 6 and body[5] == 0:  # a worksheet
            positions.append(struct.unpack_from("<I", body, 0)[0])
        elif kind == _BIFF_EOF:
            break
    lengths = _sst_lengths(sst) if sst else []
    budget.add(sum(lengths), "textes partagés du classeur .xls")
    # each worksheet substream, from where the workbook says it starts
    for number, start in enumerate(positions, 1):
        where = f"feuille n° {number} du classeur .xls"
        if stream[start : start + 2] != struct.pack("<H", _BIFF_BOF):
            raise FileProblem(UNREADABLE_FILE, _OLE_BROKEN)
        extent = SheetExtent()
        total = 0
        for kind, body in _biff_records(stream, start):
            if kind == _BIFF_DIMENSIONS and len(body) >= 12:
                first_row, last_row, first_col, last_col = struct.unpack_from("<IIHH", body, 0)
                if first_row > last_row or first_col > last_col:
                    raise FileProblem(UNREADABLE_FILE, _OLE_BROKEN)
                extent.rows = max(extent.rows, last_row)
                extent.columns = max(extent.columns, last_col)
                extent.check(where)
            elif kind in _BIFF_CELLS and len(body) >= 4:
                row, column = struct.unpack_from("<HH", body, 0)
                if kind in (_BIFF_MULRK, _BIFF_MULBLANK) and len(body) >= 6:
                    column = struct.unpack_from("<H", body, len(body) - 2)[0]
                extent.rows = max(extent.rows, row + 1)
                extent.columns = max(extent.columns, column + 1)
                if kind == _BIFF_LABELSST and len(body) >= 10:
                    index = struct.unpack_from("<I", body, 6)[0]
                    total += lengths[index] if index < len(lengths) else 0
                elif kind in (_BIFF_LABEL, _BIFF_RSTRING):
                    total += len(body)
                if total > _CHUNK:
                    budget.add(total, where)
                    total = 0
            elif kind == _BIFF_EOF:
                break
        extent.check(where)
        budget.add(total, where)
    return budget.used


def _biff_records(stream: bytes, pos: int) -> Iterator[tuple[int, bytes]]:
    """``(type, payload)`` of the BIFF records of ``stream`` from ``pos``."""
    end = len(stream)
    while pos + 4 <= end:
        kind, size = struct.unpack_from("<HH", stream, pos)
        yield kind, stream[pos + 4 : pos + 4 + size]
        pos += 4 + size


def _sst_lengths(segments: list[bytes]) -> list[int]:
    """Character count of each string of a BIFF8 shared-string table.

    ``segments`` are the ``SST`` payload (after its two counts) and the
    ``CONTINUE`` payloads that follow; a string's characters may go on in the
    next segment, which then starts with a fresh option byte.
    """
    lengths: list[int] = []
    seg, pos = 0, 0

    def skip(count: int) -> None:
        nonlocal seg, pos
        while count > 0 and seg < len(segments):
            room = len(segments[seg]) - pos
            if count < room:
                pos += count
                return
            count -= room
            seg, pos = seg + 1, 0

    while seg < len(segments):
        data = segments[seg]
        if pos + 3 > len(data):
            seg, pos = seg + 1, 0
            continue
        chars, flags = struct.unpack_from("<HB", data, pos)
        pos += 3
        runs = ext = 0
        if flags & 0x08 and pos + 2 <= len(data):
            runs = struct.unpack_from("<H", data, pos)[0]
            pos += 2
        if flags & 0x04 and pos + 4 <= len(data):
            ext = struct.unpack_from("<I", data, pos)[0]
            pos += 4
        wide = flags & 0x01
        left = chars
        while left > 0 and seg < len(segments):
            room = (len(segments[seg]) - pos) // (2 if wide else 1)
            take = min(left, room)
            pos += take * (2 if wide else 1)
            left -= take
            if left > 0:  # characters go on in the next CONTINUE, after an option byte
                seg, pos = seg + 1, 0
                if seg < len(segments) and segments[seg]:
                    wide = segments[seg][0] & 0x01
                    pos = 1
        skip(4 * runs + ext)
        lengths.append(chars)
    return lengths


def _xls_workbook_stream(path: Path) -> bytes:
    """The ``Workbook`` (or ``Book``) stream of a compound file.

    Raises ``FileProblem`` (``UNREADABLE_FILE``) when the container does not
    hold together: sector numbers past the end of the file, chains that loop,
    sizes larger than the file, no workbook stream.
    """
    data = path.read_bytes()
    if len(data) < 512 or not data.startswith(_CFB_SIGNATURE):
        raise FileProblem(UNREADABLE_FILE, _OLE_BROKEN)
    shift, mini_shift = struct.unpack_from("<HH", data, 0x1E)
    if not 7 <= shift <= 16 or not 1 <= mini_shift < shift:
        raise FileProblem(UNREADABLE_FILE, _OLE_BROKEN)
    sector, mini = 1 << shift, 1 << mini_shift
    n_fat, first_dir = struct.unpack_from("<II", data, 0x2C)
    cutoff, first_minifat, n_minifat, first_difat, n_difat = struct.unpack_from(
        "<IIIII", data, 0x38
    )
    n_sectors = max(0, (len(data) - 512 + sector - 1) // sector)
    if n_fat > n_sectors or n_difat > n_sectors or n_minifat > n_sectors:
        raise FileProblem(UNREADABLE_FILE, _OLE_BROKEN)

    def read_sector(number: int) -> bytes:
        if number >= n_sectors:
            raise FileProblem(UNREADABLE_FILE, _OLE_BROKEN)
        start = 512 + number * sector
        return data[start : start + sector].ljust(sector, b"\x00")

    def words(block: bytes) -> tuple[int, ...]:
        return struct.unpack(f"<{len(block) // 4}I", block)

    fat_sectors = list(struct.unpack_from("<109I", data, 0x4C))
    next_difat = first_difat
    for _ in range(n_difat):
        if next_difat >= n_sectors:
            break
        values = words(read_sector(next_difat))
        fat_sectors.extend(values[:-1])
        next_difat = values[-1]
    fat: list[int] = []
    for number in fat_sectors[:n_fat]:
        fat.extend(words(read_sector(number)))

    def chain(start: int, table: list[int], limit: int) -> list[int]:
        numbers: list[int] = []
        current = start
        while current not in (_END_OF_CHAIN, _FREE):
            if current >= len(table) or current >= limit or len(numbers) > limit:
                raise FileProblem(UNREADABLE_FILE, _OLE_BROKEN)
            numbers.append(current)
            current = table[current]
        return numbers

    directory = b"".join(read_sector(n) for n in chain(first_dir, fat, n_sectors))
    entries = [directory[o : o + 128] for o in range(0, len(directory) - 127, 128)]
    if not entries:
        raise FileProblem(UNREADABLE_FILE, _OLE_BROKEN)
    for entry in entries:
        if entry[0x42] in (1, 2, 5):
            size = struct.unpack_from("<I", entry, 0x78)[0]
            if size > len(data):
                raise FileProblem(UNREADABLE_FILE, _OLE_BROKEN)
    for entry in entries:
        name_size = min(64, struct.unpack_from("<H", entry, 0x40)[0])
        name = entry[: max(0, name_size - 2)].decode("utf-16-le", "replace")
        if name not in ("Workbook", "Book") or entry[0x42] != 2:
            continue
        start, size = struct.unpack_from("<II", entry, 0x74)
        if size >= cutoff:
            return b"".join(read_sector(n) for n in chain(start, fat, n_sectors))[:size]
        # a small stream lives in the mini stream, itself a stream of the root entry
        root_start, root_size = struct.unpack_from("<II", entries[0], 0x74)
        ministream = b"".join(read_sector(n) for n in chain(root_start, fat, n_sectors))
        minifat: list[int] = []
        for number in chain(first_minifat, fat, n_sectors):
            minifat.extend(words(read_sector(number)))
        limit = min(len(ministream), root_size) // mini
        parts = [ministream[n * mini : (n + 1) * mini] for n in chain(start, minifat, limit)]
        return b"".join(parts)[:size]
    raise FileProblem(UNREADABLE_FILE, _OLE_BROKEN)
