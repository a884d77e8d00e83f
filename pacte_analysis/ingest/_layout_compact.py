"""Compact layout: one row per list, its measures listed in one cell.

``1, 3, 5-8, 12``, ``5 (N2), 7 (N3)``, ``toutes sauf 7``, form answers with their
titles, or a count (« 24 mesures »): see :mod:`pacte_analysis.ingest._compact`.
A sheet with no measure detail at all (principles, « A signé », a count) is read by
this reader too.
"""

from __future__ import annotations

from pacte_analysis.ingest._sheet_base import Entry, SheetContext

__all__ = ["LABEL", "NAME", "read", "score"]

NAME = "compact"
LABEL = "format compact (mesures listées dans une cellule)"
ROW_UNIT = "une ligne = une liste"


def score(ctx: SheetContext) -> float:
    """Fits a sheet with a measures cell whose rows are one list each."""
    return 1.0 if ctx.list_col is not None else 0.0


def read(ctx: SheetContext) -> list[tuple[int, Entry]]:
    """Entries of a compact (or detail-free) sheet, with their data rows."""
    common = ctx.common_columns()
    out: list[tuple[int, Entry]] = []
    for i, r in enumerate(ctx.data_rows):
        entry = ctx.new_entry(r)
        ctx.common(entry, r, i, common)
        if ctx.list_col is not None:
            ctx.compact_cell(entry, r, ctx.list_col)
        out.append((r, entry))
    return out
