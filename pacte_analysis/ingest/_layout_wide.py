"""Wide layout: one row per list, one column per measure (or per measure and level).

Marks (``X``, ``oui``), levels (``N2``, ``2e niveau``, bare ``2`` in a column of
levels), a level column beside a mark column, or one column per measure and level
(``M1 N1 | M1 N2 | M1 N3``). A cell listing measures may sit beside them.
"""

from __future__ import annotations

from itertools import repeat
from typing import Any

from pacte_analysis._text import cell_text
from pacte_analysis.ingest._block import CommitmentBlock
from pacte_analysis.ingest._sheet_base import Entry, SheetContext
from pacte_analysis.ingest._values import InvalidValue, numeric_value, parse_level, parse_mark

__all__ = ["LABEL", "NAME", "read", "score"]

NAME = "wide"
LABEL = "format large (une colonne par mesure)"
ROW_UNIT = "une ligne = une liste"


def score(ctx: SheetContext) -> float:
    """How well the wide reader fits: the share of measure columns in the header."""
    n = len(ctx.measure_cols) + len(ctx.level_cols) + len(ctx.level_mark_cols)
    return 0.0 if not n else 1.0 + n


def _mark_parser(ctx: SheetContext, c: int, number: int) -> Any:
    max_level = ctx.edition.measure(number).levels
    if ctx.values is not None:
        read = ctx.values.parse

        def parse_other(value: Any) -> Any:
            committed, code = read(value, max_level)
            return (committed, code, cell_text(value) or None)

        return ctx.parsed_column(c, f"values:{max_level}", parse_other)
    numeric = ctx.holds_levels(c)

    def parse(value: Any) -> Any:
        committed, level = parse_mark(value, numeric_levels=numeric, max_level=max_level)
        return (committed, level, cell_text(value) or None)

    return ctx.parsed_column(c, f"mark:{numeric}:{max_level}", parse)


def read(ctx: SheetContext) -> list[tuple[int, Entry]]:
    """Entries of a wide sheet, with the data row each comes from.

    Each entry gets its identity and common cells first, then the measure columns
    are read one column at a time (each parsed once per distinct value), then the
    level columns and the cell listing measures: the same order, for each entry,
    as reading its row from left to right.
    """
    common = ctx.common_columns()
    marks = {c: _mark_parser(ctx, c, n) for c, n in ctx.measure_cols.items()}
    if ctx.values is None:
        _bare_ones_as_levels(ctx, marks)
    levels_by_measure: dict[int, list[tuple[int, int]]] = {}
    for c, (number, level) in ctx.level_mark_cols.items():
        levels_by_measure.setdefault(number, []).append((c, level))
    data_rows = ctx.data_rows
    out: list[tuple[int, Entry]] = []
    for i, r in enumerate(data_rows):
        entry = ctx.new_entry(r, i)
        entry.has_detail = True
        ctx.common(entry, r, i, common)
        out.append((r, entry))
    row_numbers = [r + 1 for r in data_rows]
    if not (levels_by_measure or ctx.level_cols or ctx.list_col is not None) and _as_block(
        ctx, out, marks, row_numbers
    ):
        return out
    dicts = [entry.commitments for _, entry in out]
    first_seen: set[int] = set()
    for c, number in ctx.measure_cols.items():
        column = marks[c]
        if ctx.plain_positions:
            places = list(zip(row_numbers, repeat(ctx.letter(c))))
        else:
            places = [ctx.position(r, c) for r in data_rows]
        if number not in first_seen and set(map(type, column)) <= {tuple}:
            # the first column of this measure, every cell readable: nothing to reconcile
            for commitments, cell, place in zip(dicts, column, places, strict=True):
                commitments[number] = cell + place
        else:
            for (r, entry), cell, place in zip(out, column, places, strict=True):
                if isinstance(cell, InvalidValue):
                    ctx.invalid(entry, r, c, cell)
                    continue
                if number in entry.commitments:
                    ctx.commit(entry, number, cell + place, r, c)
                else:
                    entry.commitments[number] = cell + place
        first_seen.add(number)
    if levels_by_measure or ctx.level_cols or ctx.list_col is not None:
        for r, entry in out:
            for number, columns in levels_by_measure.items():
                _level_marks(ctx, entry, r, number, columns)
            for c, number in ctx.level_cols.items():
                _level_column(ctx, entry, r, c, number)
            if ctx.list_col is not None:
                ctx.compact_cell(entry, r, ctx.list_col)
    return out


def _bare_ones_as_levels(ctx: SheetContext, marks: dict[int, list[Any]]) -> None:
    """A bare ``1`` read as « committed, level not given » is N1 on a row whose other
    measure cells give bare levels (a ``2`` or a ``3`` read as that level): in a column
    that also holds marks (« x ») its ``1`` could be a mark, but not on that row.

    The rows changed are named in a note of the sheet; ``marks`` is updated in place.
    """
    ones: dict[int, list[int]] = {}
    for c, column in marks.items():
        distinct = ctx.distinct_values(c)
        if not any(numeric_value(v) == 1.0 for v in distinct):
            continue
        values = ctx.column(c)
        rows = [
            i
            for i, (value, cell) in enumerate(zip(values, column, strict=True))
            if isinstance(cell, tuple)
            and cell[0]
            and cell[1] is None
            and numeric_value(value) == 1.0
        ]
        if rows:
            ones[c] = rows
    if not ones:
        return

    def gives_bare_level(c: int, i: int) -> bool:
        cell = marks[c][i]
        number = numeric_value(ctx.column(c)[i])
        return (
            number in (2.0, 3.0) and isinstance(cell, tuple) and cell[0] and cell[1] == int(number)
        )

    changed: set[int] = set()
    for c, rows in ones.items():
        others = [other for other in marks if other != c]
        for i in rows:
            if any(gives_bare_level(other, i) for other in others):
                if not isinstance(marks[c], _Edited):
                    marks[c] = _Edited(marks[c])
                committed, _, raw = marks[c][i]
                marks[c][i] = (committed, 1, raw)
                changed.add(i)
    if changed:
        shown = sorted(ctx.row_no(ctx.data_rows[i]) for i in changed)
        text = ", ".join(map(str, shown[:12])) + (" …" if len(shown) > 12 else "")
        ctx.notes.append(
            f"{'ligne' if len(shown) == 1 else 'lignes'} {text} : les « 1 » y sont lus comme "
            "le niveau N1, comme les autres niveaux écrits en chiffres sur la même ligne"
        )


class _Edited(list[Any]):
    """A parsed column changed cell by cell (it no longer knows its distinct items)."""


def _as_block(
    ctx: SheetContext, out: list[tuple[int, Entry]], marks: dict[int, list[Any]], rows: list[int]
) -> bool:
    """Give the entries their commitments as one block of columns, when nothing needs
    reconciling: each measure has one column and every cell of it was read."""
    numbers = list(ctx.measure_cols.values())
    if not out or not numbers or len(set(numbers)) != len(numbers):
        return False
    if not all(set(map(type, column)) <= {tuple} for column in marks.values()):
        return False
    columns = list(ctx.measure_cols)
    if ctx.plain_positions:
        row_lists = [rows] * len(columns)
        letters = [[ctx.letter(c)] * len(rows) for c in columns]
    else:
        row_lists, letters = [], []
        for c in columns:
            places = [ctx.position(r, c) for r, _ in out]
            row_lists.append([row for row, _ in places])
            letters.append([letter for _, letter in places])
    block = CommitmentBlock(numbers, [marks[c] for c in columns], row_lists, letters)
    for (_, entry), view in zip(out, block.views(), strict=True):
        entry.commitments = view
    return True


def _level_marks(
    ctx: SheetContext, entry: Entry, r: int, number: int, columns: list[tuple[int, int]]
) -> None:
    """One column per level of a measure: the marked column gives the level."""
    marked: list[tuple[int, int]] = []
    for c, level in columns:
        value = ctx.cell(r, c)
        try:
            committed, given = parse_mark(value, max_level=ctx.edition.measure(number).levels)
        except InvalidValue as exc:
            ctx.invalid(entry, r, c, exc)
            continue
        if committed:
            if given is not None and given != level:
                ctx.invalid(entry, r, c, f"niveau {given} écrit dans la colonne du niveau {level}.")
                continue
            marked.append((c, level))
    if not marked:
        if number not in entry.commitments:
            c = columns[0][0]
            row, letter = ctx.position(r, c)
            entry.commitments[number] = (False, None, None, row, letter)
        return
    c, level = max(marked, key=lambda item: item[1])
    if len(marked) > 1:
        ctx.cell_reject(
            entry,
            r,
            c,
            "AMBIGUOUS_VALUE",
            f"Mesure {number} : plusieurs niveaux cochés ("
            + ", ".join(f"N{lv}" for _, lv in marked)
            + f") ; le plus élevé, N{level}, est retenu.",
        )
    row, letter = ctx.position(r, c)
    ctx.commit(entry, number, (True, level, cell_text(ctx.cell(r, c)) or None, row, letter), r, c)


def _level_column(ctx: SheetContext, entry: Entry, r: int, c: int, number: int) -> None:
    """A level column beside a measure's mark column."""
    value = ctx.cell(r, c)
    try:
        level = parse_level(value, max_level=ctx.edition.measure(number).levels)
    except InvalidValue as exc:
        ctx.invalid(entry, r, c, exc)
        return
    if level is None:
        return
    row, letter = ctx.position(r, c)
    old = entry.commitments.get(number)
    if old is None or (not old[0] and not old[2]):
        entry.commitments[number] = (True, level, cell_text(value), row, letter)
    elif not old[0]:
        ctx.invalid(
            entry, r, c, f"niveau donné pour la mesure {number} marquée « {old[2]} » (non engagée)."
        )
    elif old[1] is not None and old[1] != level:
        ctx.invalid(
            entry, r, c, f"niveau {level} contredit le niveau {old[1]} de la mesure {number}."
        )
    else:
        entry.commitments[number] = (True, level, old[2], old[3], old[4])
