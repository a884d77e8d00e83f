"""Turn the rows of one sheet into candidate lists ("entries") and cell rejects.

Three layouts are read:

``large`` (wide)
    one row per list, one column per measure (``Mesure 1``, ``M1``, ``#01``…),
    optionally a level column per measure;
``compact``
    one row per list, one cell listing its measures (``1, 3, 5-8, 12``);
``long``
    one row per list × measure (principles possibly as ``A``/``B``/``C`` rows);
    the rows of one list are grouped into one entry.

Principles come as one column per letter or as one cell (``A, B, C``, ``ABC``).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass, field
from operator import itemgetter
from typing import Any

from pacte_analysis.editions import Edition
from pacte_analysis.ingest._headers import ColumnRole, HeaderPlan, detect_header
from pacte_analysis.ingest._readers import SheetData
from pacte_analysis.ingest._text import cell_text, column_letter, is_empty, norm
from pacte_analysis.ingest._values import (
    InvalidValue,
    numeric_value,
    parse_bool,
    parse_date,
    parse_level,
    parse_mark,
    parse_measure_list,
    parse_measure_ref,
    parse_principles,
)

__all__ = ["Entry", "Reject", "SheetOutcome", "read_sheet"]

LAYOUT_LABELS = {
    "wide": "format large (une colonne par mesure)",
    "compact": "format compact (mesures listées dans une cellule)",
    "long": "format long (une ligne par liste et par mesure)",
    "principles": "principes seulement (aucune colonne de mesure)",
}
# (committed, level, raw value, 1-based row, column letter)
Commitment = tuple[bool, int | None, str | None, int, str]


@dataclass
class Reject:
    """One row of the ``rejects`` table (before it becomes a DataFrame)."""

    source_file: str
    source_sheet: str
    source_row: int | None
    source_column: str | None
    code: str
    message: str
    raw_value: str | None = None
    column_label: str = ""


@dataclass
class Entry:
    """A candidate list read from one row (or one group of rows in a long layout)."""

    source_file: str
    source_sheet: str
    source_row: int
    commune: tuple[str | None, str | None, str | None, str | None]
    commune_raw: str
    list_name: str | None
    list_head: str | None
    principles: set[str] = field(default_factory=set)
    commitments: dict[int, Commitment] = field(default_factory=dict)
    elected: bool | None = None
    signed_on: dt.date | None = None
    rejects: list[Reject] = field(default_factory=list)
    #: Memo of the engine's identity key (set once computed; not part of equality).
    identity_key: str | None = field(default=None, repr=False, compare=False)


@dataclass
class SheetOutcome:
    """What one sheet gave: entries, column- or sheet-level rejects, and its description."""

    sheet: str
    entries: list[Entry] = field(default_factory=list)
    rejects: list[Reject] = field(default_factory=list)
    layout: str | None = None
    header_row: int | None = None
    non_empty_rows: int = 0
    has_header: bool = False
    looks_tabular: bool = False
    notes: list[str] = field(default_factory=list)


def _pad(text: str | None, width: int) -> str | None:
    if text and text.isdigit() and len(text) < width:
        return text.zfill(width)
    return text


def _first_filled(row: list[Any]) -> int:
    """Index of the first non-empty cell of ``row`` (see :func:`is_empty`), or -1."""
    for c, v in enumerate(row):
        if v is None:
            continue
        if isinstance(v, str):
            if v and not v.isspace():
                return c
        elif not (isinstance(v, float) and v != v):
            return c
    return -1


def _typed(values: list[Any]) -> list[Any]:
    """Memo keys of ``values`` keeping ``1``, ``1.0`` and ``True`` distinct.

    The values themselves when they all have one type, else ``(type, value)`` pairs.
    """
    if len(set(map(type, values))) <= 1:
        return values
    return list(zip(map(type, values), values, strict=True))


def _distinct_typed(values: list[Any]) -> set[tuple[type, Any]]:
    """Distinct ``(type, value)`` pairs of ``values``."""
    types = set(map(type, values))
    if len(types) == 1:
        (kind,) = types
        return {(kind, v) for v in set(values)}
    return set(zip(map(type, values), values, strict=True))


def _code_text(value: Any, width: int) -> str | None:
    text = cell_text(value).replace(" ", "")
    if not text:
        return None
    return _pad(text.upper(), width)


class _SheetReader:
    """Read one sheet whose header is known."""

    def __init__(
        self, rows: list[list[Any]], plan: HeaderPlan, edition: Edition, file: str, sheet: str
    ) -> None:
        self.rows = rows
        self.plan = plan
        self.edition = edition
        self.file = file
        self.sheet = sheet
        self.letters = edition.principle_letters
        self.column_rejects: list[Reject] = []
        self._columns: dict[int, list[Any]] = {}
        self._parsed_columns: dict[tuple[int, str], list[Any]] = {}
        self._letters = [column_letter(c) for c in range(len(plan.labels) + 1)]
        self.notes: list[str] = []
        self._unknown_seen: set[tuple[int, int]] = set()
        roles = plan.roles
        self.col = {kind: plan.columns(kind) for kind in {r.kind for r in roles.values()}}
        self.data_rows = self._data_rows()
        self._data = [rows[r] for r in self.data_rows]
        self._min_width = min(map(len, self._data), default=0)
        self.measure_cols: dict[int, int] = {}
        self.level_cols: dict[int, int] = {}
        for c in self.col.get("measure", []) + self.col.get("level", []):
            role = roles[c]
            assert role.measure is not None
            if not edition.has_measure(role.measure):
                self._unknown_column(c, role)
            elif role.kind == "measure":
                self.measure_cols[c] = role.measure
            else:
                self.level_cols[c] = role.measure
        self.numeric_levels = {c: self._holds_levels(c) for c in self.measure_cols}
        measures = self.col.get("measures", [])
        self.list_col = measures[0] if measures else None
        self.layout = self._layout()
        if self.layout == "long":
            value_cols = self.col.get("long_value", [])
            self.long_value = value_cols[0] if value_cols else None
            level_cols = self.col.get("long_level", [])
            self.long_level = level_cols[0] if level_cols else None
            self.long_numeric = self.long_value is not None and self._holds_levels(self.long_value)

    # ------------------------------------------------------------------ setup
    def _label(self, c: int) -> str:
        return self.plan.labels[c] if c < len(self.plan.labels) else ""

    def _where(self, c: int) -> str:
        label = self._label(c)
        return f"{column_letter(c)} « {label} »" if label else column_letter(c)

    def _unknown_column(self, c: int, role: ColumnRole) -> None:
        self.column_rejects.append(
            Reject(
                self.file,
                self.sheet,
                None,
                column_letter(c),
                "UNKNOWN_MEASURE",
                f"Colonne {self._where(c)} : la mesure {role.measure} n'existe pas dans "
                f"l'édition {self.edition.name} ({len(self.edition.measures)} mesures) ; "
                "colonne ignorée, les autres mesures sont importées.",
                self._label(c),
                self._label(c),
            )
        )

    def _unknown_in_cell(self, c: int, number: int, row: int) -> None:
        if (c, number) in self._unknown_seen:
            return
        self._unknown_seen.add((c, number))
        self.column_rejects.append(
            Reject(
                self.file,
                self.sheet,
                None,
                column_letter(c),
                "UNKNOWN_MEASURE",
                f"Colonne {self._where(c)} : la mesure {number} (vue d'abord ligne {row}) "
                f"n'existe pas dans l'édition {self.edition.name} ; ignorée partout dans "
                "cette colonne, les autres mesures sont importées.",
                str(number),
                self._label(c),
            )
        )

    def _data_rows(self) -> list[int]:
        header = [norm(label) for label in self.plan.labels]
        width = len(header)
        keep = []
        for r in range(self.plan.row + 1, len(self.rows)):
            row = self.rows[r]
            first = _first_filled(row)
            if first < 0:
                continue
            # cheap test first: a repeated header starts with the header's own label
            if (
                first < width
                and header[first]
                and isinstance(row[first], str)
                and norm(row[first].strip()) == header[first]
            ):
                filled = [c for c, v in enumerate(row) if not is_empty(v)]
                same = sum(
                    1
                    for c in filled
                    if c < width and header[c] and norm(cell_text(row[c])) == header[c]
                )
                if same >= max(2, int(0.6 * len(filled))):
                    self.notes.append(f"ligne {r + 1} : en-tête répété, ignoré")
                    continue
            keep.append(r)
        return keep

    def _cell(self, r: int, c: int) -> Any:
        row = self.rows[r]
        return row[c] if c < len(row) else None

    def _column(self, c: int) -> list[Any]:
        """Values of column ``c`` over the data rows (``None`` past a short row)."""
        values = self._columns.get(c)
        if values is None:
            if c < self._min_width:
                values = list(map(itemgetter(c), self._data))
            else:
                values = [row[c] if c < len(row) else None for row in self._data]
            self._columns[c] = values
        return values

    def _parsed_column(self, c: int, kind: str, parse: Callable[[Any], Any]) -> list[Any]:
        """``parse`` applied to column ``c`` over the data rows, once per distinct value.

        Each item is the parsed value or the :class:`InvalidValue` raised; ``parse``
        must depend on the value only (``kind`` names it in the memo).
        """
        parsed = self._parsed_columns.get((c, kind))
        if parsed is None:
            values = self._column(c)
            keys = _typed(values)
            memo: dict[Any, Any] = {}
            if keys is values:
                for key in set(keys):
                    try:
                        memo[key] = parse(key)
                    except InvalidValue as exc:
                        memo[key] = exc
            else:
                for key in set(keys):
                    try:
                        memo[key] = parse(key[1])
                    except InvalidValue as exc:
                        memo[key] = exc
            parsed = self._parsed_columns[(c, kind)] = list(map(memo.__getitem__, keys))
        return parsed

    def _holds_levels(self, c: int) -> bool:
        """A column holds bare-number levels if it has a 2 or 3 and only 0…3."""
        role = self.plan.roles[c]
        if role.kind == "measure" and "niv" in norm(self._label(c)):
            return True
        distinct = _distinct_typed(self._column(c))
        numbers = {n for _, v in distinct if (n := numeric_value(v)) is not None}
        return bool(numbers) and numbers <= {0.0, 1.0, 2.0, 3.0} and bool(numbers & {2.0, 3.0})

    def _layout(self) -> str:
        if self.measure_cols or self.level_cols or self.col.get("measure") or self.col.get("level"):
            return "wide"
        if self.list_col is None:
            return "principles"
        if self.col.get("long_value") or self.col.get("long_level"):
            return "long"
        singles = 0
        identities: set[tuple[str, ...]] = set()
        for r in self.data_rows:
            value = self._cell(r, self.list_col)
            if is_empty(value):
                continue
            try:
                parse_measure_ref(value, self.letters)
            except InvalidValue:
                return "compact"
            singles += 1
            identities.add(self._identity(r))
        return "long" if singles > len(identities) else "compact"

    # ------------------------------------------------------------------ rows
    def _text(self, r: int, kind: str) -> str | None:
        cols = self.col.get(kind)
        if not cols:
            return None
        return cell_text(self._cell(r, cols[0])) or None

    def _identity(self, r: int) -> tuple[str, ...]:
        kinds = (
            "commune_name",
            "commune_code",
            "postal_code",
            "departement",
            "list_name",
            "list_head",
            "head_first",
            "head_last",
        )
        key = tuple(norm(self._text(r, k) or "") for k in kinds)
        # rows that name neither a commune nor a list are never grouped together
        return key if any(key) else ("#row", str(r))

    def _new_entry(self, r: int) -> Entry:
        name = self._text(r, "commune_name")
        code_cols = self.col.get("commune_code")
        code = _code_text(self._cell(r, code_cols[0]), 5) if code_cols else None
        postal_cols = self.col.get("postal_code")
        postal = _code_text(self._cell(r, postal_cols[0]), 5) if postal_cols else None
        dep_cols = self.col.get("departement")
        dep = _code_text(self._cell(r, dep_cols[0]), 2) if dep_cols else None
        head = self._text(r, "list_head")
        if head is None:
            parts = [self._text(r, "head_first"), self._text(r, "head_last")]
            head = " ".join(p for p in parts if p) or None
        raw = " / ".join(t for t in (code, postal, name, dep) if t)
        return Entry(
            self.file,
            self.sheet,
            r + 1,
            (name, code, postal, dep),
            raw,
            self._text(r, "list_name"),
            head,
        )

    def _invalid(self, entry: Entry, r: int, c: int, exc: InvalidValue | str) -> None:
        entry.rejects.append(
            Reject(
                self.file,
                self.sheet,
                r + 1,
                column_letter(c),
                "INVALID_VALUE",
                f"Colonne {self._where(c)} : {exc}",
                cell_text(self._cell(r, c)) or None,
                self._label(c),
            )
        )

    def _parsed(self, entry: Entry, r: int, i: int, column: tuple[int, list[Any]]) -> Any:
        """Item ``i`` of a parsed column; an invalid value becomes a reject of ``entry``."""
        value = column[1][i]
        if isinstance(value, InvalidValue):
            self._invalid(entry, r, column[0], value)
            return None
        return value

    def _common_columns(self) -> dict[str, list[tuple[int, list[Any]]]]:
        letters = self.letters
        columns = {
            "principles": [
                (c, self._parsed_column(c, "principles", lambda v: parse_principles(v, letters)))
                for c in self.col.get("principles", [])
            ],
            "principle": [
                (c, self._parsed_column(c, "principle", lambda v: parse_mark(v, max_level=9)))
                for c in self.col.get("principle", [])
            ],
            "elected": [
                (c, self._parsed_column(c, "elected", parse_bool))
                for c in self.col.get("elected", [])
            ],
            "signed_on": [
                (c, self._parsed_column(c, "signed_on", parse_date))
                for c in self.col.get("signed_on", [])
            ],
        }
        return columns

    def _common(
        self, entry: Entry, r: int, i: int, columns: dict[str, list[tuple[int, list[Any]]]]
    ) -> None:
        """Principles, elected flag and signing date, present in every layout."""
        for column in columns["principles"]:
            found = self._parsed(entry, r, i, column)
            if found:
                entry.principles |= found
        for column in columns["principle"]:
            letter = self.plan.roles[column[0]].letter
            mark = self._parsed(entry, r, i, column)
            if mark and mark[0] and letter:
                entry.principles.add(letter)
        for column in columns["elected"]:
            value = self._parsed(entry, r, i, column)
            if value is not None and entry.elected is None:
                entry.elected = value
        for column in columns["signed_on"]:
            value = self._parsed(entry, r, i, column)
            if value is not None and entry.signed_on is None:
                entry.signed_on = value

    def _commit(self, entry: Entry, number: int, value: Commitment, r: int, c: int) -> None:
        old = entry.commitments.get(number)
        if old is None:
            entry.commitments[number] = value
            return
        if (old[0], old[1]) == (value[0], value[1]) or (value[0] and old[0] and value[1] is None):
            return
        if old[0] and old[1] is None and value[0]:
            entry.commitments[number] = (True, value[1], old[2], old[3], old[4])
            return
        self._invalid(
            entry,
            r,
            c,
            f"mesure {number} déjà renseignée (ligne {old[3]}, colonne {old[4]}) avec une "
            "autre valeur ; valeur contradictoire ignorée.",
        )

    def _wide_rows(self) -> list[tuple[Any, ...]]:
        """Per data row, the commitment of each measure column (in column order).

        Each cell is a :data:`Commitment` or the :class:`InvalidValue` raised.
        """
        edition = self.edition
        columns = []
        for c, number in self.measure_cols.items():
            numeric, max_level = self.numeric_levels[c], edition.measure(number).levels

            def parse(value: Any, numeric: bool = numeric, max_level: int = max_level) -> Any:
                committed, level = parse_mark(value, numeric_levels=numeric, max_level=max_level)
                return (committed, level, cell_text(value) or None)

            parsed = self._parsed_column(c, f"mark:{numeric}:{max_level}", parse)
            letter = self._letters[c]
            if any(p.__class__ is not tuple for p in parsed):
                cells = [
                    (p[0], p[1], p[2], r + 1, letter) if p.__class__ is tuple else p
                    for p, r in zip(parsed, self.data_rows, strict=True)
                ]
            else:
                cells = [
                    (committed, level, raw, r + 1, letter)
                    for (committed, level, raw), r in zip(parsed, self.data_rows, strict=True)
                ]
            columns.append(cells)
        return list(zip(*columns, strict=True)) if columns else [()] * len(self.data_rows)

    def _wide(self, entry: Entry, r: int, cells: tuple[Any, ...]) -> None:
        edition = self.edition
        commitments = entry.commitments
        if all(cell.__class__ is tuple for cell in cells):
            commitments.update(zip(self.measure_cols.values(), cells, strict=True))
        else:
            for (c, number), cell in zip(self.measure_cols.items(), cells, strict=True):
                if cell.__class__ is tuple:
                    commitments[number] = cell
                else:
                    self._invalid(entry, r, c, cell)
        for c, number in self.level_cols.items():
            value = self._cell(r, c)
            try:
                level = parse_level(value, max_level=edition.measure(number).levels)
            except InvalidValue as exc:
                self._invalid(entry, r, c, exc)
                continue
            if level is None:
                continue
            old = entry.commitments.get(number)
            if old is None or (not old[0] and not old[2]):
                entry.commitments[number] = (True, level, cell_text(value), r + 1, column_letter(c))
            elif not old[0]:
                self._invalid(
                    entry,
                    r,
                    c,
                    f"niveau donné pour la mesure {number} marquée « {old[2]} » (non engagée).",
                )
            elif old[1] is not None and old[1] != level:
                self._invalid(
                    entry,
                    r,
                    c,
                    f"niveau {level} contredit le niveau {old[1]} de la mesure {number}.",
                )
            else:
                entry.commitments[number] = (True, level, old[2], old[3], old[4])
        if self.list_col is not None:
            self._compact(entry, r)

    def _compact(self, entry: Entry, r: int) -> None:
        assert self.list_col is not None
        c = self.list_col
        value = self._cell(r, c)
        try:
            numbers, principles, bad = parse_measure_list(
                value, self.edition.measure_numbers, self.letters
            )
        except InvalidValue as exc:
            self._invalid(entry, r, c, exc)
            return
        if bad:
            self._invalid(
                entry,
                r,
                c,
                f"fragment(s) non reconnu(s) : {', '.join(bad)} (attendu : numéros de mesures "
                "séparés par des virgules, plages comme 5-8) ; les autres numéros sont importés.",
            )
        entry.principles |= principles
        raw = cell_text(value) or None
        for number in numbers:
            if not self.edition.has_measure(number):
                self._unknown_in_cell(c, number, r + 1)
                continue
            self._commit(entry, number, (True, None, raw, r + 1, column_letter(c)), r, c)

    def _long_row(self, entry: Entry, r: int) -> None:
        assert self.list_col is not None
        c = self.list_col
        try:
            ref = parse_measure_ref(self._cell(r, c), self.letters)
        except InvalidValue as exc:
            self._invalid(entry, r, c, exc)
            return
        if ref is None:
            return
        kind, key = ref
        committed, level = True, None
        raw: str | None = cell_text(self._cell(r, c))
        source_col = c
        max_level = (
            self.edition.measure(int(key)).levels
            if kind == "measure" and self.edition.has_measure(int(key))
            else self.edition.max_level
        )
        if self.long_value is not None:
            source_col = self.long_value
            value = self._cell(r, self.long_value)
            raw = cell_text(value) or None
            try:
                committed, level = parse_mark(
                    value, numeric_levels=self.long_numeric, max_level=max_level
                )
            except InvalidValue as exc:
                self._invalid(entry, r, self.long_value, exc)
                return
        if self.long_level is not None:
            value = self._cell(r, self.long_level)
            try:
                given = parse_level(value, max_level=max_level)
            except InvalidValue as exc:
                self._invalid(entry, r, self.long_level, exc)
                given = None
            if given is not None:
                if self.long_value is None or (committed and level in (None, given)):
                    committed, level = True, given
                    if self.long_value is None:
                        source_col, raw = self.long_level, cell_text(value)
                else:
                    self._invalid(
                        entry,
                        r,
                        self.long_level,
                        f"niveau {given} incompatible avec « {raw} » dans la colonne "
                        f"{self._where(self.long_value)}.",
                    )
        if kind == "principle":
            if committed:
                entry.principles.add(str(key))
            return
        number = int(key)
        if not self.edition.has_measure(number):
            self._unknown_in_cell(c, number, r + 1)
            return
        self._commit(
            entry, number, (committed, level, raw, r + 1, column_letter(source_col)), r, source_col
        )

    def entries(self) -> list[Entry]:
        result: list[Entry] = []
        common = self._common_columns()
        if self.layout == "long":
            groups: dict[tuple[str, ...], Entry] = {}
            for i, r in enumerate(self.data_rows):
                key = self._identity(r)
                entry = groups.get(key)
                if entry is None:
                    entry = groups[key] = self._new_entry(r)
                    result.append(entry)
                self._common(entry, r, i, common)
                self._long_row(entry, r)
            return result
        wide_rows = self._wide_rows() if self.layout == "wide" else None
        for i, r in enumerate(self.data_rows):
            entry = self._new_entry(r)
            self._common(entry, r, i, common)
            if wide_rows is not None:
                self._wide(entry, r, wide_rows[i])
            elif self.layout == "compact":
                self._compact(entry, r)
            result.append(entry)
        return result


def _looks_tabular(rows: list[list[Any]]) -> bool:
    """Three rows or more with three filled cells or more (not an instructions page)."""
    count = 0
    for row in rows:
        if sum(not is_empty(v) for v in row) >= 3:
            count += 1
            if count >= 3:
                return True
    return False


def read_sheet(sheet: SheetData, edition: Edition, file: str) -> SheetOutcome:
    """Read one sheet into entries and rejects.

    Parameters
    ----------
    sheet : SheetData
    edition : Edition
    file : str
        Name the file is reported under.

    Returns
    -------
    SheetOutcome
        ``has_header`` is false when no header was found; the caller decides
        whether that is a ``NO_HEADER`` reject (see ``looks_tabular``).
    """
    outcome = SheetOutcome(sheet.name)
    outcome.non_empty_rows = sum(1 for row in sheet.rows if any(not is_empty(v) for v in row))
    plan = detect_header(sheet.rows, edition.principle_letters)
    if plan is None:
        outcome.looks_tabular = _looks_tabular(sheet.rows)
        return outcome
    outcome.has_header = True
    outcome.header_row = plan.row + 1
    reader = _SheetReader(sheet.rows, plan, edition, file, sheet.name)
    outcome.layout = reader.layout
    outcome.entries = reader.entries()
    outcome.rejects = reader.column_rejects
    outcome.notes = reader.notes
    if plan.duplicates:
        outcome.notes.append(
            "colonnes en double ignorées : "
            + ", ".join(f"{column_letter(c)} « {plan.labels[c]} »" for c in plan.duplicates)
        )
    ignored = [
        f"{column_letter(c)} « {label} »"
        for c, label in enumerate(plan.labels)
        if label and c not in plan.roles and c not in plan.duplicates
    ]
    if ignored:
        outcome.notes.append("colonnes non utilisées : " + ", ".join(ignored))
    return outcome
