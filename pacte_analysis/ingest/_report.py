"""The French import report."""

from __future__ import annotations

import re
from collections import Counter
from typing import TYPE_CHECKING

import pandas as pd

from pacte_analysis.ingest._sheets import LAYOUT_LABELS
from pacte_analysis.tables import REASON_CODES, WARNING_CODES

if TYPE_CHECKING:
    from pacte_analysis.ingest._engine import IngestResult

__all__ = ["render_report"]


_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f\u200b-\u200f\u202a-\u202e\u2066-\u2069]")


def visible(text: str) -> str:
    r"""``text`` with control characters shown escaped (``\x1b``, ``\n``): a file name or a
    cell cannot colour the terminal or forge a line of the report.

    Examples
    --------
    >>> print(visible("a" + chr(27) + "[31mb" + chr(10) + "c"))
    a\x1b[31mb\nc
    """
    text = text.replace("\n", "\\n").replace("\r", "\\r").replace("\t", " ")
    return _CONTROL.sub(
        lambda m: (
            f"\\x{ord(m.group()):02x}" if ord(m.group()) < 256 else f"\\u{ord(m.group()):04x}"
        ),
        text,
    )


def _plural(n: int, word: str, plural: str | None = None) -> str:
    return f"{n} {word if n == 1 else plural or word + 's'}"


def _codes(counter: Counter[str]) -> str:
    return ", ".join(f"{code} : {n}" for code, n in sorted(counter.items()))


def render_report(
    result: IngestResult, *, details: bool = True, max_problems: int | None = None
) -> str:
    """Render the report of an import (see :meth:`IngestResult.report`)."""
    lines: list[str] = []
    rec = result.reconciliation
    edition = result.edition
    lines.append(f"Rapport d'import — édition {edition.name} ({edition.title})")
    lines.append(
        f"  catalogue : {len(edition.measures)} mesures, principes {', '.join(edition.principle_letters)} ; "
        f"signataire = tous les principes et au moins {edition.min_measures} mesures, "
        "ou le suivi dit que la liste a signé"
        + (f" ; source : {edition.source}" if edition.source not in ("", "bundled") else "")
    )
    lines.append(
        f"  élection {edition.election} : communes et maires du référentiel {edition.vintage}"
    )
    warnings = int(result.rejects["code"].isin(WARNING_CODES).sum())
    shown_warnings = f" dont {_plural(warnings, 'avertissement')}" if warnings else ""
    lines.append(
        f"{_plural(len(result.files), 'fichier')} · {_plural(rec.lists, 'liste importée', 'listes importées')}"
        f" · {_plural(len(result.rejects), 'rejet')}{shown_warnings}"
    )
    lines.append("")
    rejects = result.rejects
    by_file = {name: frame for name, frame in rejects.groupby("source_file", sort=False)}
    for summary in result.files:
        lines.append(f"Fichier : {summary.source_file}")
        file_rejects = by_file.get(summary.source_file)
        if summary.problem is not None and not summary.sheets:
            lines.append(f"  {summary.problem.code} — {summary.problem.message}")
            lines.append("")
            continue
        if summary.notes:
            lines.append("  (" + " ; ".join(summary.notes) + ")")
        for sheet in summary.sheets:
            name = f"Feuille « {sheet.source_sheet} »" if sheet.source_sheet else "Tableau"
            layout = LAYOUT_LABELS.get(sheet.layout or "", "sans en-tête")
            header = f", en-tête ligne {sheet.header_row}" if sheet.header_row else ""
            unit = sheet.row_unit
            imported = (
                f"lignes importées : {sheet.rows_imported} (dans {sheet.lists} listes)"
                if sheet.rows_imported != sheet.lists
                else f"listes importées : {sheet.lists}"
            )
            lines.append(
                f"  {name} : {layout}{header} — lignes lues : {sheet.rows_read} "
                f"({unit}), {imported}, lignes rejetées : {sheet.rejected_rows}"
            )
            for note in sheet.notes:
                lines.append(f"    ({note})")
        if file_rejects is not None and len(file_rejects):
            counts = Counter(file_rejects["code"])
            lines.append(f"  Rejets et avertissements : {len(file_rejects)} ({_codes(counts)})")
            if details:
                shown = file_rejects if max_problems is None else file_rejects.head(max_problems)
                for row in shown.itertuples(index=False):
                    lines.append("  - " + _problem_line(row))
                if max_problems is not None and len(file_rejects) > max_problems:
                    lines.append(f"  … et {len(file_rejects) - max_problems} autre(s) rejet(s).")
        else:
            lines.append("  Aucun rejet.")
        lines.append("")
    if result.skipped_files:
        lines.append(f"Fichiers ignorés : {len(result.skipped_files)}")
        reasons = dict(result.skipped_reasons)
        for skipped in result.skipped_files:
            why = reasons.get(skipped)
            lines.append(f"  - {skipped}" + (f" : {why}" if why else ""))
    if len(rejects):
        counts = Counter(rejects["code"])
        lines.append("Rejets par code : " + _codes(counts))
        for code in sorted(counts):
            lines.append(f"  {code} : {REASON_CODES.get(code, '')}")
    lists = result.lists
    n_signatory = int(lists["signatory"].sum())
    by_tracker = int((lists["signatory"] & (lists["signatory_source"] == "tracker")).sum())
    lines.append(
        f"Total : {_plural(len(result.files), 'fichier')}, {_plural(rec.lists, 'liste importée', 'listes importées')}"
        f" dont {n_signatory} signataire(s) du pacte"
        + (
            f" ({by_tracker} sur la parole du suivi, sans le détail suffisant)"
            if by_tracker
            else ""
        )
        + "."
    )
    if rec.unreadable_files:
        lines.append(
            f"Fichiers non lus : {rec.unreadable_files} (leurs lignes ne sont pas comptées ; voir ci-dessus)."
        )
    lines.append(rec.line())
    return "\n".join(visible(line) for line in lines)


def _problem_line(row: object) -> str:
    sheet = getattr(row, "source_sheet", "")
    source_row = getattr(row, "source_row", None)
    column = getattr(row, "source_column", None)
    raw = getattr(row, "raw_value", None)
    parts = []
    if isinstance(sheet, str) and sheet:
        parts.append(f"feuille « {sheet} »")
    if not pd.isna(source_row):
        parts.append(f"ligne {source_row}")
    if isinstance(column, str) and column:
        parts.append(f"colonne {column}")
    where = ", ".join(parts) or "fichier entier"
    text = f"{where} : {getattr(row, 'code', '')} — {getattr(row, 'message', '')}"
    if isinstance(raw, str) and raw:
        text += f" [valeur : « {raw} »]"
    return text
