"""Files that expand to gigabytes from a few bytes are refused before they are loaded.

Each case is generated here (nothing large is committed) and read in a fresh
Python process whose own peak memory (``VmHWM``) and time are measured; the
child runs under a 3 GiB address-space limit, so a broken guard fails the test
instead of exhausting the machine.
"""

from __future__ import annotations

import json
import os
import struct
import subprocess
import sys
import zipfile
from pathlib import Path
from typing import Any

import pytest

from pacte_analysis.ingest._safety import MAX_TEXT_BYTES

PEAK_LIMIT_MIB = 1024
TIME_LIMIT_S = 60

_CHILD = r"""
import json, resource, sys, time
resource.setrlimit(resource.RLIMIT_AS, (3 * 2**30, 3 * 2**30))
from pathlib import Path
from pacte_analysis.ingest._readers import read_file
from pacte_analysis.ingest._safety import FileProblem
started = time.perf_counter()
try:
    data = read_file(Path(sys.argv[1]))
    outcome = {"rows": [len(s.rows) for s in data.sheets], "cells": [
        sum(1 for row in s.rows for v in row if v not in ("", None)) for s in data.sheets]}
except FileProblem as exc:
    outcome = {"code": exc.code, "message": exc.message}
outcome["seconds"] = time.perf_counter() - started
# this process's own peak: VmHWM belongs to the address space exec made; ru_maxrss
# would carry the high-water mark of the (large) test process that spawned it
peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
try:
    for line in open("/proc/self/status", encoding="ascii"):
        if line.startswith("VmHWM:"):
            peak = int(line.split()[1])
except OSError:
    pass
outcome["peak_mib"] = peak / 1024
print(json.dumps(outcome))
"""


def _read_in_child(path: Path) -> dict[str, Any]:
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join([str(Path(__file__).resolve().parents[2]), *sys.path])
    done = subprocess.run(
        [sys.executable, "-c", _CHILD, str(path)],
        capture_output=True,
        text=True,
        timeout=TIME_LIMIT_S * 3,
        env=env,
        check=False,
    )
    assert done.returncode == 0, f"le processus a échoué ({done.returncode}) : {done.stderr[-500:]}"
    outcome: dict[str, Any] = json.loads(done.stdout.strip().splitlines()[-1])
    assert outcome["peak_mib"] < PEAK_LIMIT_MIB, f"pic mémoire {outcome['peak_mib']:.0f} Mio"
    assert outcome["seconds"] < TIME_LIMIT_S, f"{outcome['seconds']:.0f} s"
    return outcome


# ------------------------------------------------------------------ generators
_ODS_NS = (
    'xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0" '
    'xmlns:table="urn:oasis:names:tc:opendocument:xmlns:table:1.0" '
    'xmlns:text="urn:oasis:names:tc:opendocument:xmlns:text:1.0"'
)
_ODS_MANIFEST = (
    '<?xml version="1.0" encoding="UTF-8"?><manifest:manifest xmlns:manifest='
    '"urn:oasis:names:tc:opendocument:xmlns:manifest:1.0" manifest:version="1.2">'
    '<manifest:file-entry manifest:full-path="/" manifest:media-type='
    '"application/vnd.oasis.opendocument.spreadsheet"/><manifest:file-entry '
    'manifest:full-path="content.xml" manifest:media-type="text/xml"/></manifest:manifest>'
)


def write_ods(path: Path, table_body: str) -> Path:
    """A minimal ``.ods`` whose one sheet « S » holds ``table_body`` (rows XML)."""
    content = (
        f'<?xml version="1.0" encoding="UTF-8"?><office:document-content {_ODS_NS}>'
        '<office:body><office:spreadsheet><table:table table:name="S">'
        f"{table_body}</table:table></office:spreadsheet></office:body></office:document-content>"
    )
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr(
            zipfile.ZipInfo("mimetype"), "application/vnd.oasis.opendocument.spreadsheet"
        )
        archive.writestr("META-INF/manifest.xml", _ODS_MANIFEST)
        archive.writestr("content.xml", content)
    return path


def _ods_cell(text: str, repeat: int = 1) -> str:
    return (
        f'<table:table-cell table:number-columns-repeated="{repeat}" office:value-type="string">'
        f"<text:p>{text}</text:p></table:table-cell>"
    )


def write_xlsx(
    path: Path,
    rows: list[list[int]],
    shared: list[str],
    sheet_part: str = "worksheets/sheet1.xml",
    cell: str = '<c r="{ref}" t="s"><v>{value}</v></c>',
) -> Path:
    """A minimal ``.xlsx``: every cell of ``rows`` is an index into ``shared``."""
    main = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
    rel = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
    pkg = "http://schemas.openxmlformats.org/package/2006/relationships"
    sheet_rows = []
    for r, cells in enumerate(rows, 1):
        xml = "".join(cell.format(ref=f"{_letters(c)}{r}", value=v) for c, v in enumerate(cells))
        sheet_rows.append(f'<row r="{r}">{xml}</row>')
    parts = {
        "[Content_Types].xml": (
            '<?xml version="1.0" encoding="UTF-8"?><Types xmlns="http://schemas.openxmlformats.org'
            '/package/2006/content-types"><Default Extension="rels" ContentType="application/'
            'vnd.openxmlformats-package.relationships+xml"/><Default Extension="xml" '
            'ContentType="application/xml"/><Override PartName="/xl/workbook.xml" ContentType='
            '"application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>'
            f'<Override PartName="/xl/{sheet_part}" ContentType="application/vnd.openxmlformats-'
            'officedocument.spreadsheetml.worksheet+xml"/><Override PartName="/xl/sharedStrings'
            '.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.'
            'sharedStrings+xml"/></Types>'
        ),
        "_rels/.rels": (
            f'<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="{pkg}"><Relationship '
            f'Id="rId1" Type="{rel}/officeDocument" Target="xl/workbook.xml"/></Relationships>'
        ),
        "xl/workbook.xml": (
            f'<?xml version="1.0" encoding="UTF-8"?><workbook xmlns="{main}" xmlns:r="{rel}">'
            '<sheets><sheet name="S" sheetId="1" r:id="rId1"/></sheets></workbook>'
        ),
        "xl/_rels/workbook.xml.rels": (
            f'<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="{pkg}">'
            f'<Relationship Id="rId1" Type="{rel}/worksheet" Target="{sheet_part}"/>'
            f'<Relationship Id="rId2" Type="{rel}/sharedStrings" Target="sharedStrings.xml"/>'
            "</Relationships>"
        ),
        f"xl/{sheet_part}": (
            f'<?xml version="1.0" encoding="UTF-8"?><worksheet xmlns="{main}"><sheetData>'
            + "".join(sheet_rows)
            + "</sheetData></worksheet>"
        ),
        "xl/sharedStrings.xml": (
            f'<?xml version="1.0" encoding="UTF-8"?><sst xmlns="{main}">'
            + "".join(f"<si><t>{s}</t></si>" for s in shared)
            + "</sst>"
        ),
    }
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, text in parts.items():
            archive.writestr(name, text)
    return path


def _letters(index: int) -> str:
    letters = ""
    index += 1
    while index:
        index, rem = divmod(index - 1, 26)
        letters = chr(65 + rem) + letters
    return letters


# Excel 97-2003: a BIFF8 « Workbook » stream in a compound file (OLE) container
def _record(kind: int, body: bytes) -> bytes:
    return struct.pack("<HH", kind, len(body)) + body


def _bof(sheet_type: int) -> bytes:
    return _record(0x0809, struct.pack("<HHHHII", 0x0600, sheet_type, 0x0DBB, 0x07CC, 0, 6))


def _sst_records(shared: list[str], total: int) -> bytes:
    """``SST`` then ``CONTINUE`` records of at most 8,224 bytes; a string may be split."""
    records: list[bytes] = []
    current = bytearray(struct.pack("<II", total, len(shared)))
    for text in shared:
        if len(current) + 3 > 8224:
            records.append(bytes(current))
            current = bytearray()
        current += struct.pack("<HB", len(text), 0)
        chars = text.encode("latin-1")
        while chars:
            room = 8224 - len(current)
            current += chars[:room]
            chars = chars[room:]
            if chars:  # go on in a CONTINUE record, after a fresh option byte
                records.append(bytes(current))
                current = bytearray(b"\x00")
    records.append(bytes(current))
    return _record(0x00FC, records[0]) + b"".join(_record(0x003C, r) for r in records[1:])


def write_xls(
    path: Path,
    shared: list[str],
    cells: list[tuple[int, int, int]],
    dimensions: tuple[int, int, int, int] | None = None,
    sheet_shift: int = 0,
) -> Path:
    """A minimal ``.xls``: one sheet « S » whose cells point into ``shared``.

    ``dimensions`` (first row, last row + 1, first column, last column + 1)
    replaces the true extent; ``sheet_shift`` moves the sheet's declared position.
    """
    head = _bof(0x0005) + _record(0x0042, struct.pack("<H", 1200))
    tail = _sst_records(shared, len(cells)) + _record(0x000A, b"")
    sheet_at = len(head) + 4 + 9 + len(tail)
    head += _record(0x0085, struct.pack("<IBBBB", sheet_at + sheet_shift, 0, 0, 1, 0) + b"S")
    rows, cols = max(c[0] for c in cells) + 1, max(c[1] for c in cells) + 1
    first_row, last_row, first_col, last_col = dimensions or (0, rows, 0, cols)
    extent = struct.pack("<IIHHH", first_row, last_row, first_col, last_col, 0)
    sheet = _bof(0x0010) + _record(0x0200, extent)
    sheet += b"".join(_record(0x00FD, struct.pack("<HHHI", r, c, 15, i)) for r, c, i in cells)
    stream = head + tail + sheet + _record(0x000A, b"")
    stream += b"\x00" * max(0, 4096 - len(stream))
    sector, per_fat = 512, 128
    n_stream = -(-len(stream) // sector)
    n_fat = 1
    while n_fat * per_fat < n_fat + 1 + n_stream:
        n_fat += 1
    first = n_fat + 1
    fat = [0xFFFFFFFD] * n_fat + [0xFFFFFFFE]
    fat += [first + i + 1 for i in range(n_stream - 1)] + [0xFFFFFFFE]
    fat += [0xFFFFFFFF] * (n_fat * per_fat - len(fat))

    def entry(name: str, kind: int, child: int, start: int, size: int) -> bytes:
        raw = (name + "\x00").encode("utf-16-le")
        ids = struct.pack("<III", 0xFFFFFFFF, 0xFFFFFFFF, child)
        return (
            raw.ljust(64, b"\x00")
            + struct.pack("<HBB", len(raw), kind, 1)
            + ids
            + b"\x00" * 36
            + struct.pack("<III", start, size, 0)
        )

    directory = entry("Root Entry", 5, 1, 0xFFFFFFFE, 0)
    directory += entry("Workbook", 2, 0xFFFFFFFF, first, len(stream)) + b"\x00" * 256
    header = bytes.fromhex("d0cf11e0a1b11ae1") + b"\x00" * 16
    header += struct.pack("<HHHHH", 0x3E, 3, 0xFFFE, 9, 6) + b"\x00" * 6
    header += struct.pack("<9I", 0, n_fat, n_fat, 0, 4096, 0xFFFFFFFE, 0, 0xFFFFFFFE, 0)
    header += struct.pack("<109I", *range(n_fat), *[0xFFFFFFFF] * (109 - n_fat))
    fat_bytes = struct.pack(f"<{len(fat)}I", *fat)
    path.write_bytes(header + fat_bytes + directory + stream.ljust(n_stream * sector, b"\x00"))
    return path


# ------------------------------------------------------------------ hostile cases
def test_ods_repeated_cell_refused(tmp_path: Path) -> None:
    # the case: one 2 KB cell repeated 2,000 x 1,000 times (4 GB once loaded)
    path = write_ods(
        tmp_path / "repeat.ods",
        f'<table:table-row table:number-rows-repeated="1000">{_ods_cell("x" * 2048, 2000)}'
        "</table:table-row>",
    )
    assert path.stat().st_size < 2000
    outcome = _read_in_child(path)
    assert outcome.get("code") == "TOO_LARGE", outcome
    assert "Mio de texte" in outcome["message"] and "« S »" in outcome["message"]


def test_ods_space_run_refused(tmp_path: Path) -> None:
    # <text:s text:c="n"/> stands for n spaces: 10 million of them in 1,000 cells
    cell = _ods_cell('a<text:s text:c="10000000"/>b', 100)
    path = write_ods(
        tmp_path / "spaces.ods",
        f'<table:table-row table:number-rows-repeated="10">{cell}</table:table-row>',
    )
    outcome = _read_in_child(path)
    assert outcome.get("code") == "TOO_LARGE", outcome


def test_xlsx_shared_string_fan_out_refused(tmp_path: Path) -> None:
    # the case: 80,000 cells pointing to one 5 KB shared string
    path = write_xlsx(tmp_path / "fanout.xlsx", [[0] * 40 for _ in range(2000)], ["y" * 5000])
    assert path.stat().st_size < 300_000
    outcome = _read_in_child(path)
    assert outcome.get("code") == "TOO_LARGE", outcome
    assert "texte partagé" in outcome["message"]


def test_xlsx_fan_out_in_a_sheet_stored_elsewhere_refused(tmp_path: Path) -> None:
    # the worksheet is found through the workbook's relationships, not its folder
    path = write_xlsx(
        tmp_path / "elsewhere.xlsx",
        [[0] * 40 for _ in range(2000)],
        ["y" * 5000],
        sheet_part="data/feuille.xml",
    )
    outcome = _read_in_child(path)
    assert outcome.get("code") == "TOO_LARGE", outcome


def test_xlsx_fan_out_written_unusually_refused(tmp_path: Path) -> None:
    # single quotes, spaces and a formula before the value: the slow pattern counts them
    path = write_xlsx(
        tmp_path / "odd.xlsx",
        [[0] * 40 for _ in range(2000)],
        ["y" * 5000],
        cell="<c r='{ref}' t = 's'><f>A1</f><v> {value} </v></c>",
    )
    outcome = _read_in_child(path)
    assert outcome.get("code") == "TOO_LARGE", outcome


def test_xls_shared_string_fan_out_refused(tmp_path: Path) -> None:
    # the same attack in the Excel 97-2003 format: 80,000 cells, one 5 KB string
    cells = [(r, c, 0) for r in range(2000) for c in range(40)]
    path = write_xls(tmp_path / "fanout.xls", ["y" * 5000], cells)
    outcome = _read_in_child(path)
    assert outcome.get("code") == "TOO_LARGE", outcome
    assert ".xls" in outcome["message"]


# ------------------------------------------------------------------ and no false alarm
def test_repeated_cells_within_budget_are_read(tmp_path: Path) -> None:
    # LibreOffice writes identical rows once with number-rows-repeated: read them all
    header = (
        "<table:table-row>"
        + "".join(_ods_cell(h) for h in ("Commune", "Liste"))
        + (_ods_cell("Mesure", 1) + "</table:table-row>")
    )
    body = f'<table:table-row table:number-rows-repeated="500">{_ods_cell("Rennes")}'
    body += f"{_ods_cell('Liste A')}{_ods_cell('x')}</table:table-row>"
    trailing = (
        '<table:table-row table:number-rows-repeated="1048000"><table:table-cell '
        'table:number-columns-repeated="1024"/></table:table-row>'
    )
    path = write_ods(tmp_path / "legit.ods", header + body + trailing)
    outcome = _read_in_child(path)
    assert "code" not in outcome, outcome
    assert outcome["cells"] == [3 + 500 * 3]


def test_shared_strings_within_budget_are_read(tmp_path: Path) -> None:
    # 20,000 lists x 12 cells, all pointing at a handful of shared strings
    shared = ["Commune", "Liste", "Mesure 1", "Rennes", "Liste A", "x"]
    rows = [[0, 1, 2], *([[3, 4, 5]] * 20_000)]
    path = write_xlsx(tmp_path / "legit.xlsx", rows, shared)
    outcome = _read_in_child(path)
    assert "code" not in outcome, outcome
    assert outcome["rows"] == [20_001]


def test_one_long_shared_string_does_not_refuse_many_short_cells(tmp_path: Path) -> None:
    # 100,000 cells point at « x », one at a 1,000-character note: the cheap pass bounds
    # them all by the longest (about 100 MB, past the budget), the exact pass reads 0.1 MB
    shared = ["n" * 1000, "x"]
    rows = [[0], *([[1] * 50] * 2000)]
    path = write_xlsx(tmp_path / "one-long.xlsx", rows, shared)
    outcome = _read_in_child(path)
    assert "code" not in outcome, outcome
    assert outcome["cells"] == [1 + 2000 * 50]


@pytest.mark.parametrize("factor", [0.5, 2])
def test_budget_is_the_text_once_expanded(tmp_path: Path, factor: float) -> None:
    # the same shared string, referenced so that the expanded text is half, then
    # twice, the limit: only the second is refused
    size = 4096
    cells = int(MAX_TEXT_BYTES * factor / size)
    columns = 50
    rows = [[0] * columns for _ in range(cells // columns)]
    path = write_xlsx(tmp_path / f"budget-{factor}.xlsx", rows, ["z" * size])
    outcome = _read_in_child(path)
    if factor < 1:
        assert "code" not in outcome, outcome
        assert outcome["cells"] == [len(rows) * columns]
    else:
        assert outcome.get("code") == "TOO_LARGE", outcome


def test_xls_shared_strings_split_across_continue_records(tmp_path: Path) -> None:
    from pacte_analysis.ingest._readers import read_file
    from pacte_analysis.ingest._safety import inspect_xls

    shared = ["a" * 6000, "b" * 6000, "c" * 6000, "Rennes"]
    cells = [(r, c, (r + c) % 4) for r in range(100) for c in range(4)]
    path = write_xls(tmp_path / "continue.xls", shared, cells)
    assert inspect_xls(path) == sum(len(s) for s in shared) + sum(len(shared[i]) for *_, i in cells)
    rows = read_file(path).sheets[0].rows  # calamine reads the same strings back
    assert rows[1][:4] == [shared[1], shared[2], shared[3], shared[0]]


def test_wide_ods_is_measured_by_its_cells_not_its_tags(tmp_path: Path) -> None:
    from pacte_analysis.ingest._readers import read_file

    # 1,500 filled columns: within MAX_COLUMNS (closing tags are not columns)
    row = "<table:table-row>" + "".join(_ods_cell(f"c{i}") for i in range(1500))
    path = write_ods(tmp_path / "large.ods", row + "</table:table-row>")
    rows = read_file(path).sheets[0].rows
    assert len(rows[0]) == 1500 and rows[0][-1] == "c1499"


@pytest.mark.parametrize(
    ("case", "code"),
    [
        ({"dimensions": (183, 2, 0, 2)}, "UNREADABLE_FILE"),  # first row after the last
        ({"dimensions": (0, 4_000_000, 0, 2)}, "TOO_LARGE"),  # declares 4 million rows
        ({"dimensions": (0, 60_000, 0, 200)}, "TOO_LARGE"),  # 12 million cells
        ({"sheet_shift": 7}, "UNREADABLE_FILE"),  # the sheet is not where it is said to be
    ],
)
def test_xls_with_impossible_structure_refused(
    tmp_path: Path, case: dict[str, Any], code: str
) -> None:
    # calamine trusts these fields: a wrapped-around row count made it allocate 343 GB
    # and abort the whole process
    path = write_xls(tmp_path / "casse.xls", ["Commune", "Rennes"], [(0, 0, 0), (1, 0, 1)], **case)
    outcome = _read_in_child(path)
    assert outcome.get("code") == code, outcome
