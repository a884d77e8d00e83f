"""Transposed layout: measures (and principles) as rows, one column per list.

Common for one commune's comparison table: column A reads « Principe A »,
« Mesure 1 » … downwards, each list has a column headed by its name, and the
commune is named in a title above. The grid is turned so that the wide reader
reads it; positions are reported in the user's sheet (row of the measure, column
of the list).
"""

from __future__ import annotations

from collections.abc import Callable
from itertools import zip_longest
from typing import Any

from pacte_analysis._text import cell_text, column_letter, norm
from pacte_analysis.ingest._headers import classify_label, match_title

__all__ = ["LABEL", "NAME", "find_label_column", "turn"]

NAME = "transposed"
LABEL = "format transposé (une ligne par mesure, une colonne par liste)"
ROW_UNIT = "une colonne = une liste"

_COMMITMENT = {"measure", "measure_level", "level", "principle", "principles"}
_IDENTITY_WORDS = {"liste", "listes", "nom de la liste", "candidat", "candidats", "tete de liste"}


def _kind(text: str, letters: str, titles: tuple[tuple[str, int], ...] = ()) -> str | None:
    """Role of a row label of a transposed sheet (bare principle letters included)."""
    if not text:
        return None
    key = norm(text)
    if len(key) == 1 and key.upper() in letters:
        return "principle"
    role = classify_label(text, letters)
    if role is not None:
        return role.kind
    if titles and match_title(text, titles) is not None:
        return "measure"
    return None


def find_label_column(
    rows: list[list[Any]], letters: str, titles: tuple[tuple[str, int], ...]
) -> tuple[int, int, int] | None:
    """``(column, first label row, count)`` of a column of measure labels, or ``None``.

    A column counts when five cells or more of it, among its first 80 rows, name a
    measure or a principle (« Mesure 3 », « M3 », « 3 - Sobriété… », « Principe A »,
    a confirmed title), some cell to their right is filled, and the labels do not
    repeat (a long layout names each measure once per list).
    """
    best: tuple[int, int, int] | None = None
    for j in range(3):
        first, count = -1, 0
        seen: set[str] = set()
        repeats = 0
        for r, row in enumerate(rows[:80]):
            if j >= len(row):
                continue
            text = cell_text(row[j])
            kind = _kind(text, letters, titles)
            if kind in _COMMITMENT and any(cell_text(v) for v in row[j + 1 :]):
                count += 1
                key = norm(text)
                repeats += key in seen
                seen.add(key)
                if first < 0:
                    first = r
        # one row per measure: labels do not repeat (a long layout repeats them)
        if repeats > count // 10:
            continue
        if count >= 5 and (best is None or count > best[2]):
            best = (j, first, count)
    return best


def turn(
    rows: list[list[Any]], j: int, first: int, letters: str = "ABC"
) -> tuple[list[list[Any]], int, Callable[[int, int], tuple[int, str]]]:
    """Turn the block that starts above ``first`` so that each list becomes a row.

    Returns the turned grid (its first row is the header: the labels of column ``j``),
    the row of the user's sheet where the block starts (0-based; the rows above it are
    titles) and the position map ``(r, c) -> (row number, column letter)``.
    """
    top = first
    # rows just above with labels (« Principe A », « A », « Tête de liste ») belong to the block
    while top > 0:
        above = rows[top - 1]
        text = cell_text(above[j]) if j < len(above) else ""
        if _kind(text, letters) is None or not any(cell_text(v) for v in above[j + 1 :]):
            break
        top -= 1
    # and so does an unlabelled row naming the lists (not a title over one cell)
    list_columns = {
        c for row in rows[first : first + 40] for c in range(j + 1, len(row)) if cell_text(row[c])
    }
    if top > 0:
        above = rows[top - 1]
        label = norm(cell_text(above[j])) if j < len(above) else ""
        names = [c for c in range(j + 1, len(above)) if cell_text(above[c])]
        if (
            (not label or label in _IDENTITY_WORDS)
            and names
            and set(names) <= list_columns
            and (len(names) >= max(1, len(list_columns) // 2))
        ):
            top -= 1
    block = [list(row[j:]) for row in rows[top:]]
    grid = [list(col) for col in zip_longest(*block, fillvalue=None)]
    # the corner names what the first row holds: the lists, whatever it says
    # (« Engagement », « Listes », nothing…)
    if grid:
        corner = classify_label(cell_text(grid[0][0]), letters) if cell_text(grid[0][0]) else None
        if corner is None or corner.kind not in ("list_name", "list_head", "commune_name"):
            grid[0][0] = "Liste"

    def position(r: int, c: int) -> tuple[int, str]:
        return top + c + 1, column_letter(j + r)

    return grid, top, position
