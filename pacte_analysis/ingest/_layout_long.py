"""Long layout: one row per list × measure (principles possibly as ``A``/``B``/``C`` rows).

The rows of one list (same commune and list) are grouped into one entry; each row
is counted as a row read.
"""

from __future__ import annotations

from pacte_analysis._text import cell_text, is_empty
from pacte_analysis.ingest._sheet_base import Entry, SheetContext
from pacte_analysis.ingest._values import InvalidValue, parse_level, parse_mark, parse_measure_ref

__all__ = ["LABEL", "NAME", "read", "score"]

NAME = "long"
LABEL = "format long (une ligne par liste et par mesure)"
ROW_UNIT = "une ligne = une mesure d'une liste"


def score(ctx: SheetContext) -> float:
    """Fits when each measures cell names one measure and lists span several rows."""
    if ctx.list_col is None:
        return 0.0
    singles = 0
    identities: set[tuple[str, ...]] = set()
    for r in ctx.data_rows:
        value = ctx.cell(r, ctx.list_col)
        if is_empty(value):
            continue
        try:
            ref = parse_measure_ref(value, ctx.letters)
        except InvalidValue:
            return 0.0
        if ref is None:
            continue
        singles += 1
        identities.add(ctx.identity(r))
    if not singles:
        return 0.0
    if ctx.col.get("long_value") or ctx.col.get("long_level"):
        return 3.0
    return 2.0 if singles > len(identities) else 0.0


def read(ctx: SheetContext) -> list[tuple[int, Entry]]:
    """Entries of a long sheet (one per list), with the first data row of each."""
    assert ctx.list_col is not None
    value_cols = ctx.col.get("long_value", [])
    level_cols = ctx.col.get("long_level", [])
    long_value = value_cols[0] if value_cols else None
    long_level = level_cols[0] if level_cols else None
    numeric = long_value is not None and ctx.values is None and ctx.holds_levels(long_value)
    common = ctx.common_columns()
    groups: dict[tuple[str, ...], Entry] = {}
    out: list[tuple[int, Entry]] = []
    for i, r in enumerate(ctx.data_rows):
        key = ctx.identity(r)
        entry = groups.get(key)
        if entry is None:
            entry = groups[key] = ctx.new_entry(r)
            entry.has_detail = True
            entry.row_numbers.append(ctx.row_no(r))
            out.append((r, entry))
        else:
            entry.rows += 1
            entry.row_numbers.append(ctx.row_no(r))
        ctx.common(entry, r, i, common)
        _row(ctx, entry, r, ctx.list_col, long_value, long_level, numeric)
    return out


def _row(
    ctx: SheetContext,
    entry: Entry,
    r: int,
    c: int,
    long_value: int | None,
    long_level: int | None,
    numeric: bool,
) -> None:
    try:
        ref = parse_measure_ref(ctx.cell(r, c), ctx.letters)
    except InvalidValue as exc:
        ctx.invalid(entry, r, c, exc)
        return
    if ref is None:
        return
    kind, key = ref
    committed, level = True, None
    raw: str | None = cell_text(ctx.cell(r, c))
    source_col = c
    edition = ctx.edition
    max_level = (
        edition.measure(int(key)).levels
        if kind == "measure" and edition.has_measure(int(key))
        else edition.max_level
    )
    if long_value is not None:
        source_col = long_value
        value = ctx.cell(r, long_value)
        raw = cell_text(value) or None
        try:
            if ctx.values is not None:
                committed, level = ctx.values.parse(value, max_level)
            else:
                committed, level = parse_mark(value, numeric_levels=numeric, max_level=max_level)
        except InvalidValue as exc:
            ctx.invalid(entry, r, long_value, exc)
            return
    if long_level is not None:
        value = ctx.cell(r, long_level)
        try:
            given = parse_level(value, max_level=max_level)
        except InvalidValue as exc:
            ctx.invalid(entry, r, long_level, exc)
            given = None
        if given is not None:
            if long_value is None or (committed and level in (None, given)):
                committed, level = True, given
                if long_value is None:
                    source_col, raw = long_level, cell_text(value)
            else:
                ctx.invalid(
                    entry,
                    r,
                    long_level,
                    f"niveau {given} incompatible avec « {raw} » dans la {ctx.where(long_value)}.",
                )
    if kind == "principle":
        if committed:
            entry.principles.add(str(key))
        return
    number = int(key)
    if not edition.has_measure(number):
        ctx.unknown_in_cell(c, number, r)
        return
    row, letter = ctx.position(r, source_col)
    ctx.commit(entry, number, (committed, level, raw, row, letter), r, source_col)
