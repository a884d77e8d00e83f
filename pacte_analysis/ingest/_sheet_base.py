"""What every layout reader shares: entries, rejects, and the context of one sheet.

A :class:`SheetContext` holds the rows of a sheet below its header, the role of each
column, and the helpers a layout reader needs: column access with per-value parsing,
positions as the user sees them (file row and column letter, also for a transposed
sheet), and rejects on a row and column. Layout readers live in one small module each
(``_layout_wide``, ``_layout_compact``, ``_layout_long``, ``_layout_transposed``).
"""

from __future__ import annotations

import datetime as dt
import itertools
import re
from collections.abc import Callable, MutableMapping
from dataclasses import dataclass, field
from operator import itemgetter
from typing import Any

from pacte_analysis._text import cell_text, column_letter, is_empty, norm
from pacte_analysis.editions import Edition
from pacte_analysis.ingest._block import Commitment, ParsedColumn
from pacte_analysis.ingest._compact import MeasureList, parse_measure_list, title_index
from pacte_analysis.ingest._headers import (
    COMMUNE_KINDS,
    IDENTITY_KINDS,
    ColumnRole,
    HeaderPlan,
    level_token,
)
from pacte_analysis.ingest._values import (
    InvalidValue,
    PendingValue,
    declared_in_signature,
    numeric_value,
    parse_bool,
    parse_date,
    parse_declared_count,
    parse_mark,
    parse_principles,
    parse_signed,
)

__all__ = ["Commitment", "Entry", "Reject", "SheetContext", "SheetOutcome", "ValueReader"]

_SUMMARY = re.compile(
    r"^(?:total|totaux|sous total|moyenne|moyennes|somme|nb|nbre|nombre|pourcentage|taux|part|"
    r"ratio|bilan|synthese|recapitulatif|recap|legende|source|sources|note|notes|nota|n b|"
    r"remarque|remarques|attention|mise a jour|mis a jour|maj|signataires|resultat global|"
    r"ensemble|tous|toutes)(?:\s|$)"
)


_NOTA_BENE = re.compile(r"^n\s?b\s?:")


@dataclass(frozen=True)
class ValueReader:
    """How the cells of measure columns are read (marks and levels by default).

    ``parse(value, max_level)`` returns ``(committed, code)`` (``code`` in the level
    slot: a level, or another reading's code such as a follow-up status) or raises
    :class:`InvalidValue`; ``text_columns`` are header words of free-text columns
    kept beside (comments), read into :attr:`Entry.notes`.
    """

    parse: Callable[[Any, int], tuple[bool, int | None]]
    text_columns: frozenset[str] = frozenset()


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
    #: By measure: a dictionary, or a row of a wide sheet's columns (:mod:`._block`).
    commitments: MutableMapping[int, Commitment] = field(default_factory=dict)
    elected: bool | None = None
    signed_on: dt.date | None = None
    rejects: list[Reject] = field(default_factory=list)
    #: The tracker's own word on signing (``None``: it does not say).
    signed: bool | None = None
    #: A count of measures the tracker gives without saying which.
    n_declared: int | None = None
    #: Whether the tracker has measure detail for this list (columns or a cell).
    has_detail: bool = False
    #: Whether the tracker says which principles the list signed (columns or a cell).
    principles_known: bool = False
    #: Column of the list in a transposed sheet (one column per list).
    source_column: str | None = None
    #: Data rows this entry was read from (several in a long layout).
    rows: int = 1
    #: Their row numbers in the user's sheet, when more than one.
    row_numbers: list[int] = field(default_factory=list)
    #: Row whose commune was taken for this list (its commune cell was empty).
    commune_from_row: int | None = None
    #: Free text read beside the list (comments of a follow-up grid), by row number.
    notes: dict[int, str] = field(default_factory=dict)
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
    is_instructions: bool = False
    #: A summary sheet (« Synthèse », « Totaux »…): rows of figures, not lists.
    is_summary_sheet: bool = False
    #: Data rows that are not lists (summary and note rows), each rejected once.
    skipped_rows: int = 0
    #: What one « row » of this layout is, for the report.
    row_unit: str = "une ligne = une liste"
    notes: list[str] = field(default_factory=list)


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


#: Cell types whose values never equal a value of another cell type.
_APART_TYPES = frozenset({str, type(None)})


def _mixes_equal_types(types: set[type]) -> bool:
    """Whether values of ``types`` may be equal across types (``1 == 1.0 == True``)."""
    return len(types - _APART_TYPES) > 1


def _memo_keys(values: list[Any]) -> tuple[list[Any], set[Any]]:
    """Memo keys of ``values`` keeping ``1``, ``1.0`` and ``True`` distinct, and the distinct keys.

    The keys are the values themselves when no two of their types can hold equal
    values (texts, empty cells and one other type: the usual column), else
    ``(type, value)`` pairs. A column whose distinct values are all texts or
    empty holds no number that a set could have merged with another: its types
    are not looked at cell by cell.
    """
    distinct = set(values)
    if all(type(v) in _APART_TYPES for v in distinct) or not _mixes_equal_types(
        set(map(type, values))
    ):
        return values, distinct
    keys = list(zip(map(type, values), values, strict=True))
    return keys, set(keys)


def _pad(text: str | None, width: int) -> str | None:
    if text and text.isdigit() and len(text) < width:
        return text.zfill(width)
    return text


def _code_text(value: Any, width: int) -> str | None:
    text = cell_text(value).replace(" ", "")
    if not text:
        return None
    return _pad(text.upper(), width)


def _text_or_none(value: Any) -> str | None:
    return cell_text(value) or None


def _at(values: list[Any] | None, i: int) -> Any:
    return None if values is None else values[i]


#: The identity cells of an entry: role, and padding width for codes (0: text).
_IDENTITY_READS = (
    ("commune_name", 0),
    ("commune_code", 5),
    ("postal_code", 5),
    ("departement", 2),
    ("list_head", 0),
    ("head_first", 0),
    ("head_last", 0),
    ("list_name", 0),
    ("list_name_head", 0),
)


#: Readers of code cells by padding width (memo keys of :meth:`SheetContext.parsed_column`).
_CODE_READERS: dict[int, Callable[[Any], str | None]] = {
    5: lambda value: _code_text(value, 5),
    2: lambda value: _code_text(value, 2),
}


_SUBLABELS = {"niveau", "niv", "engage", "engagee", "oui non", "x", "choix"}


class SheetContext:
    """One sheet whose header is known: its data rows, columns and report helpers.

    Parameters
    ----------
    rows : list of list
        The grid (for a transposed sheet: the grid turned, one row per list).
    plan : HeaderPlan
    edition : Edition
    file, sheet : str
        Names the rejects are reported under.
    position : callable, optional
        ``(r, c) -> (row number, column letter)`` in the user's sheet; the default
        is the identity (``r + 1``, ``column_letter(c)``).
    title_commune : tuple, optional
        ``(name, code)`` of the commune named by the sheet's title or name, used when
        the header has no commune column.
    """

    def __init__(
        self,
        rows: list[list[Any]],
        plan: HeaderPlan,
        edition: Edition,
        file: str,
        sheet: str,
        *,
        position: Callable[[int, int], tuple[int, str]] | None = None,
        title_commune: tuple[str, str] | None = None,
        data_rows: list[int] | None = None,
        values: ValueReader | None = None,
    ) -> None:
        self.rows = rows
        self.plan = plan
        self.edition = edition
        self.file = file
        self.sheet = sheet
        self.letters = edition.principle_letters
        self.position = position or (lambda r, c: (r + 1, column_letter(c)))
        #: Whether positions are the identity (``r + 1``, the letter of ``c``).
        self.plain_positions = position is None
        self.title_commune = title_commune
        self.values = values
        self.column_rejects: list[Reject] = []
        self.row_rejects: list[Reject] = []
        self.notes: list[str] = []
        self.skipped_rows = 0
        self._columns: dict[int, list[Any]] = {}
        self._memo_keys: dict[int, tuple[list[Any], set[Any]]] = {}
        self._parsed_columns: dict[tuple[int, str], list[Any]] = {}
        self._level_evidence: dict[int, tuple[set[float], bool, bool]] = {}
        self._unknown_seen: set[tuple[int, int]] = set()
        self._identity: tuple[list[int], dict[str, list[Any] | None]] | None = None
        self._flags: tuple[list[int], list[bool]] | None = None
        self.measure_titles = title_index(
            [(m.number, m.title) for m in edition.measures if m.title_confirmed]
        )
        self.principle_titles = title_index(
            [(i, p.title) for i, p in enumerate(edition.principles) if p.title]
        )
        roles = plan.roles
        self.col = {kind: plan.columns(kind) for kind in {r.kind for r in roles.values()}}
        self.used: set[int] = set(roles)
        self.data_rows = data_rows if data_rows is not None else self._data_rows()
        self._data = [rows[r] for r in self.data_rows]
        self._min_width = min(map(len, self._data), default=0)
        self.measure_cols: dict[int, int] = {}
        self.level_cols: dict[int, int] = {}
        self.level_mark_cols: dict[int, tuple[int, int]] = {}
        for c in (
            self.col.get("measure", [])
            + self.col.get("level", [])
            + self.col.get("measure_level", [])
        ):
            role = roles[c]
            assert role.measure is not None
            if not edition.has_measure(role.measure):
                self._unknown_column(c, role)
            elif role.kind == "measure":
                self.measure_cols[c] = role.measure
            elif role.kind == "level":
                self.level_cols[c] = role.measure
            else:
                assert role.level is not None
                self.level_mark_cols[c] = (role.measure, role.level)
        measures = self.col.get("measures", [])
        self.list_col = measures[0] if measures else None
        self.commune_from_above: list[int] = []
        self.text_cols: list[int] = []
        if values is not None and values.text_columns:
            for c, label in enumerate(plan.labels):
                words = norm(label).split()
                if c not in roles and words and words[0] in values.text_columns:
                    self.text_cols.append(c)
                    self.used.add(c)

    # ------------------------------------------------------------------ labels
    def label(self, c: int) -> str:
        """Header label of column ``c`` (empty when none)."""
        return self.plan.labels[c] if c < len(self.plan.labels) else ""

    def letter(self, c: int) -> str:
        """Column letter of ``c`` as the user sees it."""
        return self.position(self.plan.row, c)[1]

    def where(self, c: int, *, capital: bool = False) -> str:
        """« colonne B « Commune » », the column as the report names it.

        In a transposed sheet a column here is a row of the user's sheet: « ligne 12
        « Mesure 3 » ».
        """
        label = self.label(c)
        if self.transposed:
            place = f"ligne {self.position(self.plan.row, c)[0]}"
        else:
            place = f"colonne {self.letter(c)}"
        text = f"{place} « {label} »" if label else place
        return text[0].upper() + text[1:] if capital else text

    def row_no(self, r: int, c: int = 0) -> int:
        """1-based row number, in the user's sheet, of cell ``(r, c)``."""
        return self.position(r, c)[0]

    # ------------------------------------------------------------------ rejects
    def column_reject(self, c: int, code: str, message: str, raw: str | None = None) -> None:
        """A reject on a whole column (``source_row`` null; a row in a transposed sheet)."""
        if self.transposed:
            row: int | None = self.position(self.plan.row, c)[0]
            letter: str | None = None
        else:
            row, letter = None, self.letter(c)
        self.column_rejects.append(
            Reject(self.file, self.sheet, row, letter, code, message, raw, self.label(c))
        )

    def _unknown_column(self, c: int, role: ColumnRole) -> None:
        self.used.add(c)
        self.column_reject(
            c,
            "UNKNOWN_MEASURE",
            f"{self.where(c, capital=True)} : la mesure {role.measure} n'existe pas dans "
            f"l'édition {self.edition.name} ({len(self.edition.measures)} mesures) ; "
            "colonne ignorée, les autres mesures sont importées.",
            self.label(c),
        )

    def unknown_in_cell(self, c: int, number: int, r: int) -> None:
        """Report, once per column, a measure number outside the edition."""
        if (c, number) in self._unknown_seen:
            return
        self._unknown_seen.add((c, number))
        self.column_reject(
            c,
            "UNKNOWN_MEASURE",
            f"{self.where(c, capital=True)} : la mesure {number} (vue d'abord ligne {self.row_no(r, c)}) "
            f"n'existe pas dans l'édition {self.edition.name} ; ignorée partout dans "
            "cette colonne, les autres mesures sont importées.",
            str(number),
        )

    def cell_reject(
        self, entry: Entry, r: int, c: int, code: str, message: str, raw: str | None = None
    ) -> None:
        """A reject on one cell of an entry."""
        row, letter = self.position(r, c)
        value = raw if raw is not None else (cell_text(self.cell(r, c)) or None)
        entry.rejects.append(
            Reject(self.file, self.sheet, row, letter, code, message, value, self.label(c))
        )

    def invalid(self, entry: Entry, r: int, c: int, exc: InvalidValue | str) -> None:
        """An ``INVALID_VALUE`` reject on cell ``(r, c)`` (``PENDING_MEASURE`` when pending)."""
        code = "PENDING_MEASURE" if isinstance(exc, PendingValue) else "INVALID_VALUE"
        self.cell_reject(entry, r, c, code, f"{self.where(c, capital=True)} : {exc}")

    def report_ignored_columns(self) -> None:
        """An ``IGNORED_COLUMN`` reject for every column with data that no reader used."""
        width = max((len(row) for row in self._data), default=0)
        width = max(width, len(self.plan.labels))
        for c in range(width):
            if c in self.used and c not in self.plan.duplicates:
                continue
            filled = sum(1 for v in self.column(c) if not is_empty(v))
            label = self.label(c)
            if not filled and (not label or c not in self.plan.duplicates):
                continue
            if c in self.plan.duplicates:
                why = "une autre colonne joue déjà ce rôle (colonne en double)"
            elif label:
                why = "intitulé non reconnu"
            else:
                why = "colonne sans intitulé"
            self.column_reject(
                c,
                "IGNORED_COLUMN",
                f"{self.where(c, capital=True)} non importée ({why}) : ses {filled} cellule(s) "
                "remplie(s) ne sont pas lues. Renommez l'en-tête (par exemple « Mesure 12 », "
                "« Principe A », « Commune », « Tête de liste ») si elle doit l'être.",
                label or None,
            )

    # ------------------------------------------------------------------ rows
    def _data_rows(self) -> list[int]:
        header = [norm(label) for label in self.plan.labels]
        width = len(header)
        keep = []
        for r in range(self.plan.row + 1, len(self.rows)):
            row = self.rows[r]
            first = _first_filled(row)
            if first < 0:
                continue
            repeated = (
                first < width
                and header[first]
                and isinstance(row[first], str)
                and norm(row[first].strip()) == header[first]
            )
            if not repeated and r != self.plan.row + 1:
                keep.append(r)  # neither a repeated header nor a sub-header
                continue
            filled = [c for c, v in enumerate(row) if not is_empty(v)]
            if repeated:
                same = sum(
                    1
                    for c in filled
                    if c < width and header[c] and norm(cell_text(row[c])) == header[c]
                )
                if same >= max(2, int(0.6 * len(filled))):
                    self.notes.append(f"ligne {self.row_no(r)} : en-tête répété, ignoré")
                    continue
            if (
                r == self.plan.row + 1
                and len(filled) >= 2
                and all(
                    level_token(norm(cell_text(row[c]))) or norm(cell_text(row[c])) in _SUBLABELS
                    for c in filled
                )
            ) and not any(
                c in self.plan.roles and self.plan.roles[c].kind in COMMUNE_KINDS + IDENTITY_KINDS
                for c in filled
            ):
                self.notes.append(f"ligne {self.row_no(r)} : sous-en-tête (niveaux), ignoré")
                continue
            keep.append(r)
        return keep

    def cell(self, r: int, c: int) -> Any:
        """Value of cell ``(r, c)`` (``None`` past a short row)."""
        row = self.rows[r]
        return row[c] if c < len(row) else None

    def column(self, c: int) -> list[Any]:
        """Values of column ``c`` over the data rows (``None`` past a short row)."""
        values = self._columns.get(c)
        if values is None and not self._columns and self._data:
            width = len(self._data[0])
            if width == self._min_width and all(len(row) == width for row in self._data):
                # a rectangular sheet (calamine's are): every column in one pass
                self._columns = dict(enumerate(map(list, zip(*self._data, strict=True))))
                values = self._columns.get(c)
        if values is None:
            if c < self._min_width:
                values = list(map(itemgetter(c), self._data))
            else:
                values = [row[c] if c < len(row) else None for row in self._data]
            self._columns[c] = values
        return values

    def parsed_column(self, c: int, kind: str, parse: Callable[[Any], Any]) -> list[Any]:
        """``parse`` applied to column ``c`` over the data rows, once per distinct value.

        Each item is the parsed value or the :class:`InvalidValue` raised; ``parse``
        must depend on the value only (``kind`` names it in the memo).
        """
        parsed = self._parsed_columns.get((c, kind))
        if parsed is None:
            keys, distinct = self._keys_of(c)
            memo: dict[Any, Any] = {}
            unwrap = keys is not self.column(c)
            for key in distinct:
                try:
                    memo[key] = parse(key[1] if unwrap else key)
                except InvalidValue as exc:
                    memo[key] = exc
            parsed = self._parsed_columns[(c, kind)] = ParsedColumn(memo, keys)
        return parsed

    def _keys_of(self, c: int) -> tuple[list[Any], set[Any]]:
        """:func:`_memo_keys` of column ``c``, computed once."""
        found = self._memo_keys.get(c)
        if found is None:
            found = self._memo_keys[c] = _memo_keys(self.column(c))
        return found

    def distinct_values(self, c: int) -> list[Any]:
        """The distinct values of column ``c`` (``1`` and ``1.0`` apart)."""
        keys, distinct = self._keys_of(c)
        if keys is self.column(c):
            return list(distinct)
        return [value for _, value in distinct]

    def _distinct_typed(self, c: int) -> set[tuple[type, Any]]:
        """The distinct ``(type, value)`` pairs of column ``c`` (``1`` and ``1.0`` apart)."""
        keys, distinct = self._keys_of(c)
        if keys is self.column(c):
            return {(type(v), v) for v in distinct}
        return distinct

    def keep_rows(self, rows: list[int]) -> None:
        """Read only the data rows ``rows`` from now on (every column read is forgotten)."""
        self.data_rows = rows
        self._data = [self.rows[r] for r in rows]
        self._min_width = min(map(len, self._data), default=0)
        self._columns.clear()
        self._memo_keys.clear()
        self._parsed_columns.clear()
        self._level_evidence.clear()

    def holds_levels(self, c: int) -> bool:
        """Whether the bare numbers of column ``c`` are levels (``1`` = N1), not marks.

        A column holds bare-number levels when its header says « niveau », or when its
        numbers are only 0…3 with a 2 or a 3. A column of 0 and 1 that holds no mark
        (« x », « oui », a checkbox) holds levels too when the same column writes levels
        as « N2 » or « niveau 2 », or when another measure column of the sheet holds
        bare-number levels: its 1 is then N1, not a commitment without level (a note of
        the sheet says so).
        """
        role = self.plan.roles.get(c)
        if role is not None and role.kind == "measure" and "niv" in norm(self.label(c)):
            return True
        numbers, tokens, marks = self._level_evidence_of(c)
        if numbers & {2.0, 3.0}:
            return numbers <= {0.0, 1.0, 2.0, 3.0}
        if marks or 1.0 not in numbers or not numbers <= {0.0, 1.0}:
            return False
        if tokens:
            why = "les niveaux écrits en toutes lettres dans la même colonne"
        elif any(self._bare_levels(other) for other in self.measure_cols if other != c):
            why = "dans les autres colonnes de mesures de la feuille"
        else:
            return False
        note = f"{self.where(c)} : les « 1 » y sont lus comme le niveau N1, comme {why}"
        if note not in self.notes:
            self.notes.append(note)
        return True

    def _bare_levels(self, c: int) -> bool:
        numbers = self._level_evidence_of(c)[0]
        return bool(numbers & {2.0, 3.0}) and numbers <= {0.0, 1.0, 2.0, 3.0}

    def _level_evidence_of(self, c: int) -> tuple[set[float], bool, bool]:
        """Column ``c``'s bare numbers, whether it writes a level in words (« N2 »), and
        whether it holds a mark (« x », « oui », a checkbox)."""
        found = self._level_evidence.get(c)
        if found is None:
            numbers: set[float] = set()
            tokens = marks = False
            for kind, value in self._distinct_typed(c):
                if kind is bool:
                    marks = True
                    continue
                number = numeric_value(value)
                if number is not None:
                    numbers.add(number)
                elif isinstance(value, str):
                    try:
                        committed, level = parse_mark(value)
                    except InvalidValue:
                        continue
                    tokens = tokens or level is not None
                    marks = marks or (committed and level is None)
            found = self._level_evidence[c] = (numbers, tokens, marks)
        return found

    def text(self, r: int, kind: str) -> str | None:
        """Text of the first column of role ``kind`` on row ``r``."""
        cols = self.col.get(kind)
        if not cols:
            return None
        return cell_text(self.cell(r, cols[0])) or None

    def identity(self, r: int) -> tuple[str, ...]:
        """What names the list of row ``r`` (to group the rows of a long layout)."""
        kinds = ("commune_name", "commune_code", "postal_code", "departement", *IDENTITY_KINDS)
        key = tuple(norm(self.text(r, k) or "") for k in kinds)
        return key if any(key) else ("#row", str(r))

    def is_summary(self, r: int, i: int | None = None) -> str | None:
        """The text that makes row ``r`` a summary or note row, else ``None``.

        ``i``, when given, is the index of ``r`` among :attr:`data_rows` (its
        identity cells are then read from their columns, see :meth:`new_entry`).
        """
        row = self.rows[r]
        first = _first_filled(row)
        if first < 0:
            return None
        text = cell_text(row[first])
        key = norm(text)
        if text.startswith("%") or _SUMMARY.match(key) or _NOTA_BENE.match(text.lower()):
            role = self.plan.roles.get(first)
            # a commune or list that merely starts with such a word (« Toutes les
            # voix ») is kept when the rest of its identity is there
            if (
                role is not None
                and role.kind in ("list_name", "list_head")
                and self._has_commune(r, i)
            ):
                return None
            return text
        if not self._has_commune(r, i) and not any(
            self._identity_text(r, i, k) for k in IDENTITY_KINDS
        ):
            numbers = [numeric_value(v) for v in row if not is_empty(v)]
            if (
                numbers
                and all(n is not None for n in numbers)
                and any(n is not None and n > 1 for n in numbers)
            ):
                return text
        return None

    def _has_commune(self, r: int, i: int | None = None) -> bool:
        if i is not None:
            return self._commune_flags()[i]
        return any(self.text(r, kind) for kind in (*COMMUNE_KINDS, "departement"))

    def _commune_flags(self) -> list[bool]:
        """Whether each data row names a commune or a département (see :meth:`_has_commune`)."""
        cached = self._flags
        if cached is not None and cached[0] is self.data_rows:
            return cached[1]
        ids = self._identity_columns()
        columns = [ids[k] for k in (*COMMUNE_KINDS, "departement") if ids[k] is not None]
        flags = (
            [any(cells) for cells in zip(*columns, strict=True)]
            if columns
            else [False] * len(self._data)
        )
        self._flags = (self.data_rows, flags)
        return flags

    def _identity_text(self, r: int, i: int | None, kind: str) -> str | None:
        """:meth:`text` of row ``r`` (a code's text when ``i`` is given: the same emptiness)."""
        if i is None:
            return self.text(r, kind)
        return _at(self._identity_columns()[kind], i)

    def _identity_columns(self) -> dict[str, list[Any] | None]:
        """The identity cells of every data row, read once per distinct value.

        Kind → list over :attr:`data_rows` (``None`` when no column has that role):
        texts, and codes with spaces removed, upper case, digits padded.
        """
        cached = self._identity
        if cached is not None and cached[0] is self.data_rows:
            return cached[1]
        found: dict[str, list[Any] | None] = {}
        for kind, width in _IDENTITY_READS:
            cols = self.col.get(kind)
            if not cols:
                found[kind] = None
            elif width:
                found[kind] = self.parsed_column(cols[0], f"code:{width}", _CODE_READERS[width])
            else:
                found[kind] = self.parsed_column(cols[0], "text", _text_or_none)
        self._identity = (self.data_rows, found)
        return found

    def new_entry(self, r: int, i: int | None = None) -> Entry:
        """An entry for row ``r`` with its commune and identity.

        ``i``, when given, is the index of ``r`` among :attr:`data_rows`: the cells
        are then read from their columns, each distinct value once.
        """
        if i is None:
            name = self.text(r, "commune_name")
            code_cols = self.col.get("commune_code")
            code = _code_text(self.cell(r, code_cols[0]), 5) if code_cols else None
            postal_cols = self.col.get("postal_code")
            postal = _code_text(self.cell(r, postal_cols[0]), 5) if postal_cols else None
            dep_cols = self.col.get("departement")
            dep = _code_text(self.cell(r, dep_cols[0]), 2) if dep_cols else None
            head = self.text(r, "list_head")
            if head is None:
                parts = [self.text(r, "head_first"), self.text(r, "head_last")]
                head = " ".join(p for p in parts if p) or None
            list_name = self.text(r, "list_name")
            both = self.text(r, "list_name_head")
        else:
            ids = self._identity_columns()
            name = _at(ids["commune_name"], i)
            code = _at(ids["commune_code"], i)
            postal = _at(ids["postal_code"], i)
            dep = _at(ids["departement"], i)
            head = _at(ids["list_head"], i)
            if head is None:
                parts = [_at(ids["head_first"], i), _at(ids["head_last"], i)]
                head = " ".join(p for p in parts if p) or None
            list_name = _at(ids["list_name"], i)
            both = _at(ids["list_name_head"], i)
        if both:  # « Nom de la liste (Tête de liste) »
            match = re.fullmatch(r"(.+?)\s*[(\[]\s*([^()\[\]]+?)\s*[)\]]", both)
            if match:
                list_name = list_name or match.group(1)
                head = head or match.group(2)
            else:
                list_name = list_name or both
        if not any((name, code, postal)) and self.title_commune is not None:
            name, code = self.title_commune
        raw = " / ".join(t for t in (code, postal, name, dep) if t)
        row, letter = self.position(r, 0)
        entry = Entry(
            self.file,
            self.sheet,
            row,
            (name, code, postal, dep),
            raw,
            list_name,
            head,
        )
        if self.transposed:
            entry.source_column = letter  # the list is a column of the user's sheet
        return entry

    #: Whether the grid was turned (one row here per list column of the user's sheet).
    transposed = False

    def fill_down(self, entries: list[tuple[int, Entry]]) -> None:
        """Give a list with no commune the commune of the list above (visual grouping).

        Only when the sheet is grouped that way: it never writes the same commune on
        two rows in a row (a sheet that repeats its communes and leaves one blank has
        simply lost it: ``MISSING_COMMUNE``), the list has a name or a head, and the
        row above (with no empty row between) has a commune.
        """
        if not any(kind in self.col for kind in COMMUNE_KINDS):
            return
        for (r1, a), (r2, b) in itertools.pairwise(entries):
            if r2 - r1 == 1 and any(a.commune[:3]) and a.commune == b.commune:
                return
        previous: tuple[int, Entry] | None = None
        filled: list[int] = []
        for r, entry in entries:
            name, code, postal, _dep = entry.commune
            if not any((name, code, postal)):
                if (
                    previous is not None
                    and (entry.list_name or entry.list_head)
                    and r - previous[0] <= 1 + self._blank_between(previous[0], r)
                ):
                    above = previous[1]
                    entry.commune = above.commune
                    entry.commune_raw = above.commune_raw
                    entry.commune_from_row = above.commune_from_row or above.source_row
                    filled.append(entry.source_row)
                    previous = (r, entry)
                    continue
                previous = None
                continue
            previous = (r, entry)
        if filled:
            self.commune_from_above = filled
            shown = ", ".join(map(str, filled[:12])) + (" …" if len(filled) > 12 else "")
            self.notes.append(
                f"commune reprise de la liste au-dessus (cellule laissée vide) : lignes {shown}"
            )

    def _blank_between(self, r1: int, r2: int) -> int:
        return 0 if r2 - r1 <= 1 else -1  # an empty row between breaks the group

    # ------------------------------------------------------------------ common cells
    def common_columns(self) -> dict[str, list[tuple[int, list[Any]]]]:
        """Parsed principle, elected, date, signed and count columns."""
        letters = self.letters
        titles = self.principle_titles
        parsers: dict[str, Callable[[Any], Any]] = {
            "principles": lambda v: parse_principles(v, letters, titles),
            "principle": lambda v: parse_mark(v, max_level=9),
            "elected": parse_bool,
            "signed_on": parse_date,
            "signed": parse_signed,
            "n_declared": parse_declared_count,
        }
        return {
            kind: [(c, self.parsed_column(c, kind, parse)) for c in self.col.get(kind, [])]
            for kind, parse in parsers.items()
        }

    def parsed(self, entry: Entry, r: int, i: int, column: tuple[int, list[Any]]) -> Any:
        """Item ``i`` of a parsed column; an invalid value becomes a reject of ``entry``."""
        value = column[1][i]
        if isinstance(value, InvalidValue):
            self.invalid(entry, r, column[0], value)
            return None
        return value

    def common(
        self, entry: Entry, r: int, i: int, columns: dict[str, list[tuple[int, list[Any]]]]
    ) -> None:
        """Principles, elected flag, signing date, signature and declared count."""
        for c in self.text_cols:
            text = cell_text(self.cell(r, c))
            if text:
                entry.notes[self.row_no(r, c)] = text
        if columns["principles"] or columns["principle"]:
            entry.principles_known = True
        for column in columns["principles"]:
            found = self.parsed(entry, r, i, column)
            if found:
                entry.principles |= found
        for column in columns["principle"]:
            letter = self.plan.roles[column[0]].letter
            mark = self.parsed(entry, r, i, column)
            if mark and mark[0] and letter:
                entry.principles.add(letter)
        for column in columns["elected"]:
            value = self.parsed(entry, r, i, column)
            if value is not None and entry.elected is None:
                entry.elected = value
        for column in columns["signed_on"]:
            value = self.parsed(entry, r, i, column)
            if value is not None and entry.signed_on is None:
                entry.signed_on = value
        for column in columns["signed"]:
            value = self.parsed(entry, r, i, column)
            if value is not None:
                signed, on = value
                count = declared_in_signature(self.cell(r, column[0]))
                if count is not None and entry.n_declared is None:
                    entry.n_declared = count
                if signed is not None and entry.signed is None:
                    entry.signed = signed
                if on is not None and entry.signed_on is None:
                    entry.signed_on = on
        for column in columns["n_declared"]:
            value = self.parsed(entry, r, i, column)
            if value is not None and entry.n_declared is None:
                entry.n_declared = value

    def commit(self, entry: Entry, number: int, value: Commitment, r: int, c: int) -> None:
        """Record a commitment, reporting a contradiction with one already read."""
        old = entry.commitments.get(number)
        if old is None:
            entry.commitments[number] = value
            return
        if (old[0], old[1]) == (value[0], value[1]) or (value[0] and old[0] and value[1] is None):
            return
        if old[0] and old[1] is None and value[0]:
            entry.commitments[number] = (True, value[1], old[2], old[3], old[4])
            return
        if not old[0] and value[0]:
            entry.commitments[number] = value
            return
        self.invalid(
            entry,
            r,
            c,
            f"mesure {number} déjà renseignée (ligne {old[3]}, colonne {old[4]}) avec une "
            "autre valeur ; valeur contradictoire ignorée.",
        )

    def compact_cell(self, entry: Entry, r: int, c: int) -> None:
        """Read a cell listing measures into ``entry`` (levels, pending, counts)."""
        value = self.cell(r, c)
        parsed: MeasureList = parse_measure_list(
            value,
            self.edition.measure_numbers,
            self.letters,
            titles=self.measure_titles,
            max_level=self.edition.max_level,
        )
        raw = cell_text(value) or None
        if raw:
            entry.has_detail = entry.has_detail or bool(parsed.levels) or parsed.declared is None
        if parsed.bad:
            self.invalid(
                entry,
                r,
                c,
                f"fragment(s) non reconnu(s) : {', '.join(parsed.bad)} (attendu : numéros de "
                "mesures séparés par des virgules, plages comme 5-8 ou « 5 à 8 », niveaux comme "
                "« 5 (N2) », « toutes sauf 7 ») ; les autres numéros sont importés.",
            )
        for warning in parsed.warnings:
            self.cell_reject(
                entry, r, c, "AMBIGUOUS_VALUE", f"{self.where(c, capital=True)} : {warning}."
            )
        for number in parsed.pending:
            self.cell_reject(
                entry,
                r,
                c,
                "PENDING_MEASURE",
                f"{self.where(c, capital=True)} : la mesure {number} est notée en attente, elle n'est "
                "pas comptée comme engagement.",
            )
        if parsed.declared is not None and entry.n_declared is None:
            entry.n_declared = parsed.declared
        entry.principles |= parsed.principles
        entry.principles_known = entry.principles_known or bool(parsed.principles)
        row, letter = self.position(r, c)
        for number, level in parsed.levels.items():
            if not self.edition.has_measure(number):
                self.unknown_in_cell(c, number, r)
                continue
            max_level = self.edition.measure(number).levels
            if level is not None and not 1 <= level <= max_level:
                self.invalid(
                    entry,
                    r,
                    c,
                    f"niveau {level} hors de l'échelle 1 à {max_level} (mesure {number}).",
                )
                level = None
            self.commit(entry, number, (True, level, raw, row, letter), r, c)
