"""Blank tracker workbook for groups (``pacte template OUT.xlsx``)."""

from __future__ import annotations

from pathlib import Path

from openpyxl import Workbook
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.datavalidation import DataValidation

from pacte_analysis.editions import DEFAULT_EDITION, Edition, read_edition

__all__ = ["TEMPLATE_ROWS", "template_columns", "write_template"]

#: Rows of the tracker sheet prepared with dropdowns.
TEMPLATE_ROWS = 1000
_HEADER_ROW = 3
_FIRST = ["Code INSEE", "Commune", "Code postal", "Département", "Nom de la liste", "Tête de liste"]
_LAST = ["Élue ?", "Date de signature", "Commentaire"]
_YES_NO = '"oui,non"'


def template_columns(edition: Edition) -> list[str]:
    """Header labels of the tracker sheet, left to right.

    Measures whose title is not confirmed are headed « Mesure N » (titles are
    never invented).

    Examples
    --------
    >>> cols = template_columns(read_edition("pacte-2020"))
    >>> cols[:2], cols[6][:11], cols[9][:28], cols[21]
    (['Code INSEE', 'Commune'], 'Principe A ', "1 - Politique ambitieuse d'a", 'Mesure 13')
    """
    labels = list(_FIRST)
    labels += [
        f"Principe {p.letter} – {p.title}" if p.title else f"Principe {p.letter}"
        for p in edition.principles
    ]
    for measure in edition.measures:
        if measure.title_confirmed and measure.title:
            labels.append(f"{measure.number} - {measure.title}")
        else:
            labels.append(f"Mesure {measure.number}")
    return labels + list(_LAST)


def _instructions(edition: Edition) -> list[str]:
    levels = edition.max_level
    return [
        f"Suivi des engagements des listes — {edition.title}",
        "",
        "Comment remplir l'onglet « Suivi » (une ligne par liste candidate) :",
        "• Commune : le code INSEE suffit ; sinon le nom de la commune, avec le code postal "
        "ou le département s'il existe plusieurs communes du même nom.",
        "• Nom de la liste et tête de liste (prénom et nom) : ils servent à reconnaître une "
        "liste présente dans plusieurs fichiers.",
        f"• Principes {', '.join(edition.principle_letters)} : « oui » si la liste signe le "
        "principe, « non » ou vide sinon.",
        f"• Mesures : « X » si la liste s'engage sur la mesure, « N1 » à « N{levels} » pour "
        "préciser le niveau d'ambition, « non » ou vide sinon.",
        f"• Une liste est signataire si elle signe tous les principes et au moins "
        f"{edition.min_measures} mesures.",
        "• Élue ? : « oui » si la liste a remporté l'élection, « non » sinon, vide si "
        f"vous ne savez pas (la liste sera alors rapprochée du maire élu en {edition.election}).",
        "• Date de signature : au format JJ/MM/AAAA.",
        "",
        "Les intitulés « Mesure N » sont ceux dont la formulation officielle n'a pas pu être "
        "vérifiée : reportez-vous à la fiche de la mesure.",
        "Ne renommez pas les colonnes et ne fusionnez pas de cellules dans le tableau.",
        "Vérifier le fichier : pacte validate fichier.xlsx",
    ]


def write_template(path: str | Path, edition: str | Path | Edition = DEFAULT_EDITION) -> Path:
    """Write a blank tracker workbook for groups.

    The workbook has an « Instructions » sheet in French and a « Suivi » sheet
    whose header names the edition's principles and measures (with their
    confirmed titles), with dropdown validation for the values. Filled in, it
    imports with :func:`pacte_analysis.ingest.ingest` without rejects.

    Parameters
    ----------
    path : str or Path
        Destination ``.xlsx`` file.
    edition : str, path or Edition, default "pacte-2020"

    Returns
    -------
    Path
        The file written.

    Examples
    --------
    >>> write_template("suivi-pacte.xlsx")  # doctest: +SKIP
    PosixPath('suivi-pacte.xlsx')
    """
    ed = read_edition(edition)
    out = Path(path)
    workbook = Workbook()
    info = workbook.active
    assert info is not None
    info.title = "Instructions"
    for i, line in enumerate(_instructions(ed), start=1):
        info.cell(row=i, column=1, value=line)
    info["A1"].font = Font(bold=True, size=14)
    info.column_dimensions["A"].width = 120

    sheet = workbook.create_sheet("Suivi")
    labels = template_columns(ed)
    sheet.cell(row=1, column=1, value=f"{ed.title} — suivi des engagements des listes").font = Font(
        bold=True, size=13
    )
    fill = PatternFill("solid", fgColor="DDEBF7")
    for c, label in enumerate(labels, start=1):
        cell = sheet.cell(row=_HEADER_ROW, column=c, value=label)
        cell.font = Font(bold=True)
        cell.fill = fill
        cell.alignment = Alignment(wrap_text=True, vertical="top")
        sheet.column_dimensions[get_column_letter(c)].width = 14 if c > len(_FIRST) else 20
    sheet.row_dimensions[_HEADER_ROW].height = 90
    sheet.freeze_panes = sheet.cell(row=_HEADER_ROW + 1, column=3)
    first, last = _HEADER_ROW + 1, _HEADER_ROW + TEMPLATE_ROWS
    n_first, n_principles = len(_FIRST), len(ed.principles)

    def span(start: int, count: int) -> str:
        return f"{get_column_letter(start)}{first}:{get_column_letter(start + count - 1)}{last}"

    yes_no = DataValidation(type="list", formula1=_YES_NO, allow_blank=True)
    yes_no.error = "Répondre oui ou non."
    yes_no.add(span(n_first + 1, n_principles))
    yes_no.add(span(len(labels) - 2, 1))
    sheet.add_data_validation(yes_no)
    by_levels: dict[int, list[int]] = {}
    for i, measure in enumerate(ed.measures):
        by_levels.setdefault(measure.levels, []).append(n_first + n_principles + 1 + i)
    for levels, columns in sorted(by_levels.items()):
        choices = ",".join(["X", *(f"N{k}" for k in range(1, levels + 1)), "non"])
        validation = DataValidation(type="list", formula1=f'"{choices}"', allow_blank=True)
        validation.error = f"Valeurs possibles : {choices.replace(',', ', ')}."
        for column in columns:
            validation.add(span(column, 1))
        sheet.add_data_validation(validation)
    dates = DataValidation(type="date", operator="greaterThan", formula1="36526", allow_blank=True)
    dates.error = "Date attendue (JJ/MM/AAAA)."
    dates.add(span(len(labels) - 1, 1))
    sheet.add_data_validation(dates)
    for row in range(first, last + 1):
        sheet.cell(row=row, column=len(labels) - 1).number_format = "DD/MM/YYYY"
        sheet.cell(row=row, column=1).number_format = "@"
        sheet.cell(row=row, column=3).number_format = "@"
    workbook.active = 1
    out.parent.mkdir(parents=True, exist_ok=True)
    workbook.save(out)
    return out
