"""Declarative layout: one row per list, no measure detail.

What published sources transcribe: « A signé le Pacte : oui », a count of measures
(« 24 mesures »), the principles signed, whether the list won. The list is a
signatory on the tracker's word (``signatory_source = tracker``).
"""

from __future__ import annotations

from pacte_analysis.ingest._sheet_base import Entry, SheetContext

__all__ = ["LABEL", "NAME", "read", "score"]

NAME = "declared"
LABEL = "déclaratif (signature, principes ou nombre de mesures, sans le détail des mesures)"
ROW_UNIT = "une ligne = une liste"


def score(ctx: SheetContext) -> float:
    """Fits a sheet without measure columns nor a measures cell."""
    detail = ctx.measure_cols or ctx.level_cols or ctx.level_mark_cols or ctx.list_col is not None
    return 0.5 if not detail else 0.0


def read(ctx: SheetContext) -> list[tuple[int, Entry]]:
    """Entries of a detail-free sheet, with their data rows."""
    common = ctx.common_columns()
    out: list[tuple[int, Entry]] = []
    for i, r in enumerate(ctx.data_rows):
        entry = ctx.new_entry(r)
        ctx.common(entry, r, i, common)
        out.append((r, entry))
    return out
