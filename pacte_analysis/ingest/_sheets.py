"""Turn the rows of one sheet into candidate lists ("entries") and rejects.

A detector finds the header (or the column of measure labels of a transposed
sheet), scores each layout reader against it and reports its choice. Each layout
is one small module with ``NAME``, ``LABEL``, ``ROW_UNIT``, ``score(ctx)`` and
``read(ctx)``:

* :mod:`._layout_wide` — one column per measure (or per measure and level);
* :mod:`._layout_compact` — the measures listed in one cell;
* :mod:`._layout_long` — one row per list × measure;
* :mod:`._layout_declared` — no measure detail (signature, count, principles);
* :mod:`._layout_transposed` — measures as rows, one column per list (turned, then
  read by the others).

Around them: summary and note rows (``Total``, ``% signataires``, ``NB : …``) are
rejected once each (``SUMMARY_ROW``); a commune left blank under the list above
is taken from it; a commune named only in the title or the sheet name applies to
every list of the sheet; every column with data that no reader used is an
``IGNORED_COLUMN`` reject.
"""

from __future__ import annotations

import re
from types import ModuleType
from typing import Any, Protocol

from pacte_analysis._text import cell_text, is_empty, norm
from pacte_analysis.editions import Edition
from pacte_analysis.ingest import (
    _layout_compact,
    _layout_declared,
    _layout_long,
    _layout_transposed,
    _layout_wide,
)
from pacte_analysis.ingest._compact import title_index
from pacte_analysis.ingest._headers import (
    COMMITMENT_KINDS,
    COMMUNE_KINDS,
    ColumnRole,
    HeaderPlan,
    detect_header,
)
from pacte_analysis.ingest._readers import SheetData
from pacte_analysis.ingest._sheet_base import (
    Entry,
    Reject,
    SheetContext,
    SheetOutcome,
    ValueReader,
)
from pacte_analysis.ingest._values import InvalidValue, parse_signed

__all__ = ["LAYOUTS", "LAYOUT_LABELS", "Entry", "Reject", "SheetOutcome", "read_sheet"]

#: The layout readers, in the order ties are broken.
LAYOUTS: tuple[ModuleType, ...] = (_layout_long, _layout_wide, _layout_compact, _layout_declared)
LAYOUT_LABELS = {m.NAME: m.LABEL for m in (*LAYOUTS, _layout_transposed)}
LAYOUT_LABELS["principles"] = _layout_declared.LABEL

#: Sheet names of summaries (totals, means): their rows are no lists, said once.
_SUMMARY_SHEETS = frozenset(
    {
        "synthese",
        "recapitulatif",
        "recap",
        "resume",
        "statistiques",
        "stats",
        "totaux",
        "bilan",
        "tableau de bord",
        "graphique",
        "graphiques",
    }
)
#: Sheet names that are no trackers (notices, lists of values, summaries).
_INSTRUCTIONS = _SUMMARY_SHEETS | {
    "lisez moi",
    "lisezmoi",
    "lisez moi d abord",
    "a lire",
    "lire",
    "readme",
    "read me",
    "instructions",
    "mode d emploi",
    "notice",
    "aide",
    "legende",
    "sommaire",
    "accueil",
    "parametres",
    "listes",
    "listes deroulantes",
    "config",
    "sources",
    "methode",
    "methodologie",
    "a propos",
}
_GENERIC_TITLE = re.compile(
    r"^(?:pacte(?: pour la transition)?|suivi|listes?|candidats?|municipales|elections?|"
    r"feuil|sheet|tableau|bilan|engagements?|signataires?|mesures?|\d+)(?:\s|$)"
)
_COMMUNE_PHRASE = re.compile(
    r"(?:commune|ville|municipalit[ée]|collectivit[ée])\s*(?:de\s+|d['’]\s*|:\s*|\s)\s*(.+)$", re.I
)
_TAIL = re.compile(r"(?:\s|^)(?:à|a|de|d['’]|pour|sur)\s+(.+)$", re.I)


class ResolverLike(Protocol):
    """A commune resolver (see :class:`pacte_analysis.reference.CommuneResolver`)."""

    def resolve(
        self, name: Any = None, code: Any = None, postal_code: Any = None, departement: Any = None
    ) -> Any:
        """Resolve a commune; the result has ``code`` and ``name``."""


def _looks_tabular(rows: list[list[Any]]) -> bool:
    """Three rows or more with three filled cells or more (not an instructions page)."""
    count = 0
    for row in rows:
        if sum(not is_empty(v) for v in row) >= 3:
            count += 1
            if count >= 3:
                return True
    return False


def _title_candidates(rows: list[list[Any]], sheet_name: str) -> list[str]:
    texts = [cell_text(v) for row in rows[:15] for v in row if cell_text(v)]
    explicit: list[str] = []
    segments: list[str] = []
    for text in texts:
        match = _COMMUNE_PHRASE.search(text)
        if match:
            explicit.append(match.group(1))
        parts = [p.strip() for p in re.split(r"\s[–—-]\s|[:|,/]|\s\(", text) if p.strip()]
        for part in reversed(parts):
            segments.append(part.rstrip(")"))
            tail = _TAIL.search(part)
            if tail:
                segments.append(tail.group(1))
    named = [sheet_name] if sheet_name else []
    out = []
    for candidate in explicit + segments + named:
        key = norm(candidate)
        if len(key) < 2 or _GENERIC_TITLE.match(key) or len(key) > 60:
            continue
        out.append(candidate.strip(" .»«\"'"))
    return list(dict.fromkeys(out))


def _title_commune(
    rows: list[list[Any]], sheet_name: str, resolver: ResolverLike | None
) -> tuple[tuple[str, str] | None, str]:
    """The commune named by a title cell or the sheet name: ``((name, code), text)``."""
    if resolver is None:
        return None, ""
    for candidate in _title_candidates(rows, sheet_name):
        try:
            result = resolver.resolve(name=candidate)
        except Exception:  # noqa: S112 - a title is only a hint
            continue
        code = getattr(result, "code", None)
        if code:
            return (str(getattr(result, "name", "") or candidate), str(code)), candidate
    return None, ""


def _choose(ctx: SheetContext) -> ModuleType:
    scored = [(layout.score(ctx), -i, layout) for i, layout in enumerate(LAYOUTS)]
    best = max(scored, key=lambda item: (item[0], item[1]))
    return best[2]


def _drop_summary_rows(ctx: SheetContext) -> list[Reject]:
    rejects: list[Reject] = []
    keep = []
    for i, r in enumerate(ctx.data_rows):
        text = ctx.is_summary(r, i)
        if text is None:
            keep.append(r)
            continue
        row = ctx.row_no(r)
        rejects.append(
            Reject(
                ctx.file,
                ctx.sheet,
                row,
                None,
                "SUMMARY_ROW",
                f"Ligne {row} : ligne de total ou de note (« {text[:60]} »), pas une liste ; "
                "ignorée.",
                text[:200],
            )
        )
    if rejects:
        ctx.keep_rows(keep)
    return rejects


def _status_as_signature(ctx: SheetContext) -> None:
    """A « Statut » / « Réponse » column of a one-row-per-list sheet says whether the list signed."""
    for c in list(ctx.col.get("long_value", [])):
        values = [v for v in ctx.column(c) if not is_empty(v)]
        if not values:
            continue
        readable = 0
        unread: list[str] = []
        for value in values:
            try:
                parse_signed(value)
            except InvalidValue:
                unread.append(cell_text(value))
                continue
            readable += 1
        if readable >= 0.8 * len(values):
            ctx.col["long_value"].remove(c)
            ctx.col.setdefault("signed", []).append(c)
            ctx.plan.roles[c] = ColumnRole("signed")
            ctx.notes.append(f"{ctx.where(c)} lue comme la signature du pacte (oui / non)")
            continue
        # one row per list: such a column is read as nothing else; say so, never drop it
        shown = ", ".join(f"« {text[:40]} »" for text in dict.fromkeys(unread[:3]))
        ctx.column_reject(
            c,
            "IGNORED_COLUMN",
            f"{ctx.where(c, capital=True)} non importée : ses valeurs ne disent pas si la liste "
            f"a signé le pacte ({readable} sur {len(values)} lisibles ; non lues : {shown}). "
            "Écrivez « signé », « non signé » ou « en attente » (ou une date de signature) "
            "si elle doit l'être.",
            ctx.label(c) or None,
        )


def _read_with(ctx: SheetContext, outcome: SheetOutcome, layout: ModuleType | None = None) -> None:
    summary_rejects = _drop_summary_rows(ctx)
    layout = layout or _choose(ctx)
    if layout is not _layout_long:
        _status_as_signature(ctx)
    pairs = layout.read(ctx)
    if layout is not _layout_long:
        ctx.fill_down(pairs)
    ctx.report_ignored_columns()
    outcome.layout = outcome.layout or layout.NAME
    outcome.row_unit = outcome.row_unit if outcome.layout == "transposed" else layout.ROW_UNIT
    outcome.entries = [entry for _, entry in pairs]
    if outcome.entries and not any(e.principles_known for e in outcome.entries):
        ctx.notes.append(
            "aucun principe dans ce tableau : la règle de signature n'y porte que sur le "
            f"nombre de mesures (au moins {ctx.edition.min_measures})"
        )
    outcome.rejects = ctx.column_rejects + summary_rejects
    outcome.skipped_rows = len(summary_rejects)
    outcome.notes.extend(ctx.notes)


def _plan_strength(plan: HeaderPlan | None) -> int:
    if plan is None:
        return 0
    return sum(1 for role in plan.roles.values() if role.kind in COMMITMENT_KINDS)


def read_sheet(
    sheet: SheetData,
    edition: Edition,
    file: str,
    resolver: ResolverLike | None = None,
    *,
    values: ValueReader | None = None,
) -> SheetOutcome:
    """Read one sheet into entries and rejects.

    Parameters
    ----------
    sheet : SheetData
    edition : Edition
    file : str
        Name the file is reported under.
    resolver : object with a ``resolve`` method, optional
        Used to read a commune named in a title or the sheet name.
    values : ValueReader, optional
        How a measure's cell is read; by default a commitment (mark or level).
        The follow-up import reads a status instead.

    Returns
    -------
    SheetOutcome
        ``has_header`` is false when no header was found; the caller decides
        whether that is a ``NO_HEADER`` reject (see ``looks_tabular`` and
        ``is_instructions``).
    """
    outcome = SheetOutcome(sheet.name)
    rows = sheet.rows
    outcome.non_empty_rows = sum(1 for row in rows if any(not is_empty(v) for v in row))
    letters = edition.principle_letters
    measure_titles = title_index(
        [(m.number, m.title) for m in edition.measures if m.title_confirmed]
    )
    principle_titles = title_index([(i, p.title) for i, p in enumerate(edition.principles)])
    plan = detect_header(
        rows, letters, measure_titles=measure_titles, principle_titles=principle_titles
    )
    label_column = _layout_transposed.find_label_column(rows, letters, measure_titles)
    if label_column is not None and label_column[2] > _plan_strength(plan):
        j, first, _ = label_column
        grid, top, position = _layout_transposed.turn(rows, j, first, letters)
        turned = detect_header(
            grid[:1] + grid[1:],
            letters,
            measure_titles=measure_titles,
            principle_titles=principle_titles,
        )
        if turned is not None and turned.row == 0:
            title, text = (None, "")
            if not turned.kinds() & set(COMMUNE_KINDS):
                title, text = _title_commune(rows[:top], sheet.name, resolver)
            ctx = SheetContext(
                grid,
                turned,
                edition,
                file,
                sheet.name,
                position=position,
                title_commune=title,
                values=values,
            )
            ctx.transposed = True
            outcome.has_header = True
            outcome.header_row = top + 1
            outcome.layout = _layout_transposed.NAME
            outcome.row_unit = _layout_transposed.ROW_UNIT
            if title is not None:
                outcome.notes.append(
                    f"commune lue dans le titre « {text} » : {title[0]} ({title[1]})"
                )
            _read_with(
                ctx, outcome, _layout_wide if ctx.measure_cols or ctx.level_mark_cols else None
            )
            return outcome
    if plan is None:
        outcome.looks_tabular = _looks_tabular(rows)
        outcome.is_instructions = norm(sheet.name) in _INSTRUCTIONS
        outcome.is_summary_sheet = norm(sheet.name) in _SUMMARY_SHEETS
        return outcome
    outcome.has_header = True
    outcome.header_row = plan.row + 1
    title = None
    if not plan.kinds() & set(COMMUNE_KINDS):
        title, text = _title_commune(rows[: min(plan.rows)], sheet.name, resolver)
        if title is not None:
            outcome.notes.append(f"commune lue dans le titre « {text} » : {title[0]} ({title[1]})")
        else:
            outcome.notes.append(
                "aucune colonne de commune et aucune commune reconnue dans le titre ni le nom "
                "de la feuille"
            )
    ctx = SheetContext(rows, plan, edition, file, sheet.name, title_commune=title, values=values)
    _read_with(ctx, outcome)
    return outcome
