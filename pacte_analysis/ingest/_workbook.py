"""``pacte-resultats.xlsx``: the results workbook, shaped for people who open Excel.

Sheets, in order:

- « À lire » — what each sheet holds, where the long ``commitments`` table lives
  (parquet/CSV only), the data source and whether it is fictitious;
- ``listes`` — one row per list: commune, code, département, list name, head,
  principles, signatory, elected, the other columns of ``lists``, then one column
  per measure of the edition giving its level (1/2/3), ✓ when committed without a
  level, empty otherwise;
- ``rejets`` — the ``rejects`` table with its reason in words;
- ``mesures``, ``communes``, ``départements`` — simple counts computed here from
  the tables (pure pandas).

Every sheet has French headers, a frozen header row, column widths fitted to
the content and an autofilter. Text that a spreadsheet could run as a formula
(:func:`pacte_analysis._files.is_formula_like`) is written as a string with the
« quote prefix » style: the cell shows the text as typed, without an apostrophe,
and Excel keeps it as text even when the cell is edited. The same tables give the
same bytes (creation date fixed by :func:`pacte_analysis._reproducible.build_date`).

The writer is xlsxwriter in ``constant_memory`` mode, chosen on measurement
(20,000 lists × 32 measures: see ``benchmarks/workbook.py``).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from pacte_analysis._files import formula_like_mask
from pacte_analysis._reproducible import build_date

if TYPE_CHECKING:
    from pacte_analysis.editions import Edition

__all__ = ["EXCEL_MAX_ROWS", "WORKBOOK_SHEETS", "Column", "Sheet", "build_sheets", "write_workbook"]

#: Sheet names of the workbook, in order.
WORKBOOK_SHEETS = ("À lire", "listes", "rejets", "mesures", "communes", "départements")
CHECK = "✓"
#: Rows of an Excel sheet, header included.
EXCEL_MAX_ROWS = 1_048_576
_MAX_WIDTH = 60
_YES, _NO, _UNKNOWN = "oui", "non", "inconnu"

#: French headers of the ``lists`` columns; a column not named here keeps its name.
_LIST_HEADERS = {
    "commune_name": "Commune",
    "commune_code": "Code commune",
    "departement_code": "Département",
    "list_name": "Nom de la liste",
    "list_head": "Tête de liste",
    "principles": "Principes signés",
    "signatory": "Signataire",
    "elected": "Élue",
    "n_measures": "Mesures retenues",
    "mean_level": "Niveau moyen",
    "signatory_source": "Signature établie par",
    "n_measures_declared": "Mesures annoncées par le suivi",
    "elected_source": "Élue : source",
    "signed_on": "Signée le",
    "source_file": "Fichier",
    "source_sheet": "Feuille",
    "source_row": "Ligne",
    "list_id": "Identifiant",
    "edition": "Édition",
}
_FIRST_LIST_COLUMNS = (
    "commune_name",
    "commune_code",
    "departement_code",
    "list_name",
    "list_head",
    "principles",
    "signatory",
    "elected",
)
_VALUE_LABELS = {
    "signatory_source": {"rule": "règle (principes et mesures)", "tracker": "le suivi"},
    "elected_source": {"tracker": "le suivi", "rne": "RNE (maire élu en 2020)"},
}
_REJECT_HEADERS = {
    "source_file": "Fichier",
    "source_sheet": "Feuille",
    "source_row": "Ligne",
    "source_column": "Colonne",
    "code": "Code",
    "message": "Message",
    "raw_value": "Valeur lue",
}


@dataclass
class Column:
    """One column of a sheet: French header, Python values (``None`` = empty cell)."""

    header: str
    values: list[Any]
    kind: str = "text"  # text, int, float, date


@dataclass
class Sheet:
    """One sheet: name, columns (all of one length) and a few display options."""

    name: str
    columns: list[Column]
    freeze_columns: int = 0
    notes: list[str] = field(default_factory=list)  # « À lire »: one paragraph per row


# --------------------------------------------------------------------------- values


def _values(series: pd.Series) -> list[Any]:
    """Plain Python values, ``None`` where missing."""
    out = series.astype(object).where(series.notna(), None)
    return out.tolist()


def _yes_no(series: pd.Series, unknown: str | None = None) -> list[Any]:
    flags = series.astype("boolean")
    text = np.where(flags.fillna(False).to_numpy(dtype=bool), _YES, _NO).astype(object)
    text[flags.isna().to_numpy()] = unknown
    return text.tolist()


def _int_values(series: pd.Series) -> list[Any]:
    ints = pd.to_numeric(series, errors="coerce").astype("Int64")
    return [None if v is pd.NA else int(v) for v in ints.tolist()]


def _float_values(series: pd.Series, decimals: int = 2) -> list[Any]:
    floats = pd.to_numeric(series, errors="coerce").astype("Float64").round(decimals)
    return [None if v is pd.NA else float(v) for v in floats.tolist()]


def _kind(series: pd.Series) -> str:
    if pd.api.types.is_bool_dtype(series.dtype):
        return "text"
    if pd.api.types.is_integer_dtype(series.dtype):
        return "int"
    if pd.api.types.is_float_dtype(series.dtype):
        return "float"
    if isinstance(series.dtype, pd.ArrowDtype) and "date" in str(series.dtype):
        return "date"
    return "text"


def _column(header: str, series: pd.Series, name: str = "") -> Column:
    kind = _kind(series)
    if pd.api.types.is_bool_dtype(series.dtype):
        return Column(header, _yes_no(series, "" if name != "elected" else _UNKNOWN))
    if kind == "int":
        return Column(header, _int_values(series), "int")
    if kind == "float":
        return Column(header, _float_values(series), "float")
    if name in _VALUE_LABELS:
        labels = _VALUE_LABELS[name]
        mapped = series.astype("string").map(lambda v: labels.get(v, v), na_action="ignore")
        return Column(header, _values(mapped))
    values = _values(series)
    if kind == "date":
        values = [v if isinstance(v, dt.date) else None for v in values]
    return Column(header, values, kind)


# --------------------------------------------------------------------------- sheets


def _measure_numbers(
    edition: Edition | None, commitments: pd.DataFrame
) -> tuple[list[int], dict[int, Any]]:
    if edition is not None:
        return list(edition.measure_numbers), {m.number: m for m in edition.measures}
    found = sorted(int(m) for m in pd.unique(commitments["measure"]))
    return found, {}


def _measure_grid(
    lists: pd.DataFrame, commitments: pd.DataFrame, measures: list[int]
) -> dict[int, list[Any]]:
    """Per measure, one value per list: level (1–3), ✓ without level, ``None`` otherwise."""
    done = commitments[commitments["committed"].astype("boolean").fillna(False).to_numpy()]
    done = done[done["measure"].isin(measures)]
    position = pd.Index(lists["list_id"].astype("string")).get_indexer(
        pd.Index(done["list_id"].astype("string"))
    )
    keep = position >= 0
    rows = position[keep]
    cols = pd.Index(measures).get_indexer(pd.Index(done["measure"].to_numpy()[keep]))
    levels = pd.to_numeric(done["level"], errors="coerce").to_numpy(dtype=float)[keep]
    # 0 = not committed, 1 = committed without level, 2..4 = level 1..3 (the highest wins).
    grid = np.zeros((len(lists), len(measures)), dtype=np.int64)
    code = np.where(np.isnan(levels), 1, np.nan_to_num(levels) + 1).astype(np.int64)
    np.maximum.at(grid, (rows, cols), code)
    out: dict[int, list[Any]] = {}
    for j, number in enumerate(measures):
        column = grid[:, j]
        values = (column - 1).astype(object)
        values[column == 0] = None
        values[column == 1] = CHECK
        out[number] = values.tolist()
    return out


def _lists_sheet(lists: pd.DataFrame, commitments: pd.DataFrame, measures: list[int]) -> Sheet:
    order = [c for c in _FIRST_LIST_COLUMNS if c in lists.columns]
    order += [c for c in lists.columns if c not in order]
    columns = [_column(_LIST_HEADERS.get(c, c), lists[c], c) for c in order]
    grid = _measure_grid(lists, commitments, measures)
    for number in measures:
        columns.append(Column(f"Mesure {number}", grid[number], "measure"))
    return Sheet("listes", columns, freeze_columns=2)


def _rejects_sheet(rejects: pd.DataFrame) -> Sheet:
    from pacte_analysis.tables import REASON_CODES

    columns = [_column(_REJECT_HEADERS.get(c, c), rejects[c], c) for c in rejects.columns]
    if "code" in rejects.columns:
        reason = rejects["code"].astype("string").map(REASON_CODES.get, na_action="ignore")
        at = list(rejects.columns).index("code") + 1
        columns.insert(at, Column("Motif", _values(reason)))
    return Sheet("rejets", columns)


def _committed(lists: pd.DataFrame, commitments: pd.DataFrame, measures: list[int]) -> pd.DataFrame:
    done = commitments[commitments["committed"].astype("boolean").fillna(False).to_numpy()]
    done = done[done["measure"].isin(measures)]
    done = done.drop_duplicates(["list_id", "measure"], keep="first")
    signatory = lists.set_index(lists["list_id"].astype("string"))["signatory"]
    flags = signatory.astype("boolean").fillna(False)
    return pd.DataFrame(
        {
            "measure": done["measure"].to_numpy(),
            "level": pd.to_numeric(done["level"], errors="coerce").to_numpy(dtype=float),
            "signatory": done["list_id"].astype("string").map(flags).fillna(False).to_numpy(bool),
        }
    )


def _measures_sheet(
    lists: pd.DataFrame,
    commitments: pd.DataFrame,
    measures: list[int],
    catalogue: dict[int, Any],
) -> Sheet:
    done = _committed(lists, commitments, measures)
    by = done.groupby("measure")
    n_lists = by.size().reindex(measures, fill_value=0)
    n_signatory = by["signatory"].sum().reindex(measures, fill_value=0)
    mean = by["level"].mean().reindex(measures)
    n_level = by["level"].count().reindex(measures, fill_value=0)
    total = len(lists)
    share = (100 * n_lists / total).round(1) if total else n_lists * np.nan
    titles = [catalogue[m].label if m in catalogue else f"Mesure {m}" for m in measures]
    themes = [catalogue[m].theme if m in catalogue else None for m in measures]
    columns = [
        Column("Mesure", list(measures), "int"),
        Column("Intitulé", titles),
        Column("Thème", [t or None for t in themes]),
        Column("Listes engagées", _int_values(n_lists), "int"),
        Column("Part des listes (%)", _float_values(share, 1), "float"),
        Column("dont listes signataires", _int_values(n_signatory), "int"),
        Column("Listes ayant donné un niveau", _int_values(n_level), "int"),
        Column("Niveau moyen", _float_values(mean), "float"),
    ]
    return Sheet("mesures", columns)


def _flags(lists: pd.DataFrame) -> pd.DataFrame:
    signatory = lists["signatory"].astype("boolean").fillna(False).to_numpy(bool)
    elected = lists["elected"].astype("boolean").fillna(False).to_numpy(bool)
    return pd.DataFrame(
        {
            "commune_code": lists["commune_code"].astype("string").to_numpy(),
            "commune_name": lists["commune_name"].astype("string").to_numpy(),
            "departement_code": lists["departement_code"].astype("string").to_numpy(),
            "lists": 1,
            "signatory": signatory.astype(int),
            "elected": elected.astype(int),
            "elected_signatory": (signatory & elected).astype(int),
        }
    )


def _communes_sheet(lists: pd.DataFrame) -> Sheet:
    flags = _flags(lists)
    table = (
        flags.groupby("commune_code", sort=True)
        .agg(
            commune_name=("commune_name", "first"),
            departement_code=("departement_code", "first"),
            lists=("lists", "sum"),
            signatory=("signatory", "sum"),
            elected=("elected", "sum"),
            elected_signatory=("elected_signatory", "sum"),
        )
        .reset_index()
    )
    columns = [
        Column("Code commune", _values(table["commune_code"])),
        Column("Commune", _values(table["commune_name"])),
        Column("Département", _values(table["departement_code"])),
        Column("Listes connues", _int_values(table["lists"]), "int"),
        Column("Listes signataires", _int_values(table["signatory"]), "int"),
        Column("Listes élues (selon les données)", _int_values(table["elected"]), "int"),
        Column("Équipe élue signataire", _yes_no(table["elected_signatory"] > 0)),
    ]
    return Sheet("communes", columns, freeze_columns=2)


def _departements_sheet(lists: pd.DataFrame) -> Sheet:
    flags = _flags(lists)
    per_commune = flags.groupby(["departement_code", "commune_code"]).agg(
        signatory=("signatory", "max"), elected_signatory=("elected_signatory", "max")
    )
    communes = per_commune.groupby(level="departement_code").agg(
        communes=("signatory", "size"),
        communes_signatory=("signatory", "sum"),
        communes_elected=("elected_signatory", "sum"),
    )
    totals = flags.groupby("departement_code").agg(
        lists=("lists", "sum"), signatory=("signatory", "sum")
    )
    table = totals.join(communes).sort_index().reset_index()
    columns = [
        Column("Département", _values(table["departement_code"])),
        Column("Communes avec une liste connue", _int_values(table["communes"]), "int"),
        Column(
            "Communes avec une liste signataire", _int_values(table["communes_signatory"]), "int"
        ),
        Column(
            "Communes dont l'équipe élue a signé", _int_values(table["communes_elected"]), "int"
        ),
        Column("Listes connues", _int_values(table["lists"]), "int"),
        Column("Listes signataires", _int_values(table["signatory"]), "int"),
    ]
    return Sheet("départements", columns)


def _source_line(source: str | None) -> str:
    if not source:
        return "Source des données : suivis des collectifs locaux (fichiers ci-dessous)."
    return source if source.lower().startswith("source") else f"Source des données : {source}"


def _readme_sheet(
    *,
    edition: Edition | None,
    n_lists: int,
    n_rejects: int,
    sources: Sequence[str],
    demo: bool,
    source: str | None,
) -> Sheet:
    label = f"{edition.title} ({edition.name})" if edition is not None else "non précisée"
    lines = [
        "Résultats de l'import des suivis du Pacte pour la Transition (pacte_analysis)",
        "",
    ]
    if demo:
        lines += [
            "DONNÉES FICTIVES – DÉMONSTRATION : toutes les listes, personnes et engagements de "
            "ce classeur sont inventés ; ils ne décrivent aucune liste réelle.",
            "",
        ]
    lines += [
        f"Édition du Pacte : {label}.",
        f"Listes importées : {n_lists} ; rejets : {n_rejects}.",
        "",
        "Onglets :",
        "« listes » : une ligne par liste candidate (commune, tête de liste, principes, "
        "signature, élection…), puis une colonne par mesure de l'édition : le niveau "
        f"d'ambition (1, 2 ou 3), {CHECK} si la liste s'est engagée sans niveau, vide sinon.",
        "« rejets » : ce qui n'a pas pu être importé, avec le fichier, la feuille, la ligne, "
        "la colonne, le code et le motif. À corriger dans les suivis, puis relancer l'import.",
        "« mesures » : pour chaque mesure, les listes engagées, dont signataires, et le "
        "niveau moyen quand il est donné.",
        "« communes » et « départements » : décomptes simples des listes par territoire.",
        "",
        "La table détaillée des engagements (une ligne par liste et par mesure) n'est pas "
        "dans ce classeur : elle est dans commitments.csv et commitments.parquet, à côté. "
        "lists et rejects y sont aussi, avec leurs noms de colonnes d'origine.",
        "Une cellule dont le texte commence par = + - @ est gardée comme texte (jamais "
        "exécutée comme une formule).",
        "pacte-manifest.json, à côté, liste les fichiers de cet ensemble avec leur empreinte : "
        "les tables d'un même import sont toujours publiées ensemble.",
        "",
        _source_line(source),
    ]
    if not demo:
        lines.append("Ces données ne sont pas marquées comme fictives.")
    if sources:
        lines += ["", f"Fichiers importés ({len(sources)}) :"]
        lines += [f"  {name}" for name in sources]
    return Sheet("À lire", [Column("À lire", lines)], notes=lines)


def build_sheets(
    tables: dict[str, pd.DataFrame],
    *,
    edition: Edition | None = None,
    demo: bool = False,
    source: str | None = None,
) -> list[Sheet]:
    """Build the sheets of the workbook from the tables (pure pandas, no I/O).

    Parameters
    ----------
    tables : dict of DataFrame
        ``lists``, ``commitments`` and ``rejects``.
    edition : Edition, optional
        Gives the measure columns and titles; without it, the measures found.
    demo : bool, default False
        The data are the fictitious demo data (said in « À lire »).
    source : str, optional
        Data source written in « À lire ».
    """
    lists, commitments, rejects = tables["lists"], tables["commitments"], tables["rejects"]
    measures, catalogue = _measure_numbers(edition, commitments)
    files = pd.concat(
        [lists.get("source_file", pd.Series(dtype="string")), rejects.get("source_file")]
    )
    sources = sorted({str(f) for f in files.dropna().unique()})
    return [
        _readme_sheet(
            edition=edition,
            n_lists=len(lists),
            n_rejects=len(rejects),
            sources=sources,
            demo=demo,
            source=source,
        ),
        _lists_sheet(lists, commitments, measures),
        _rejects_sheet(rejects),
        _measures_sheet(lists, commitments, measures, catalogue),
        _communes_sheet(lists),
        _departements_sheet(lists),
    ]


# --------------------------------------------------------------------------- writing


def _width(column: Column) -> float:
    """Column width in characters: the longest of the header and the values, capped."""
    lengths = pd.Series(column.values, dtype=object).dropna().astype(str).str.len()
    longest = int(lengths.max()) if len(lengths) else 0
    if column.kind == "measure":
        return max(len(column.header) + 2, 8)
    return float(min(max(longest, min(len(column.header), 30), 6) + 2, _MAX_WIDTH))


def write_workbook(sheets: list[Sheet], path: str | Path) -> Path:
    """Write ``sheets`` to ``path`` with xlsxwriter; the same sheets give the same bytes.

    Parameters
    ----------
    sheets : list of Sheet
        From :func:`build_sheets`.
    path : str or Path
        The ``.xlsx`` file (written directly: callers stage it).
    """
    import xlsxwriter

    path = Path(path)
    workbook = xlsxwriter.Workbook(
        str(path),
        {
            "constant_memory": True,
            "strings_to_formulas": False,
            "strings_to_urls": False,
            "strings_to_numbers": False,
            "default_date_format": "dd/mm/yyyy",
        },
    )
    workbook.set_properties(
        {"title": "Résultats du Pacte pour la Transition", "created": build_date()}
    )
    header = workbook.add_format({"bold": True, "bg_color": "#DDEBF7", "text_wrap": True})
    header.set_align("top")
    quoted = workbook.add_format({"quote_prefix": True})
    decimal = workbook.add_format({"num_format": "0.0#"})
    centered = workbook.add_format({"align": "center"})
    for spec in sheets:
        if spec.notes:
            sheet = workbook.add_worksheet(spec.name)
            _write_notes(sheet, spec.notes, workbook.add_format({"text_wrap": True}))
            continue
        for part in _parts(spec):
            sheet = workbook.add_worksheet(part.name)
            _write_table(
                sheet, part, header=header, quoted=quoted, decimal=decimal, centered=centered
            )
    workbook.close()
    return path


def _parts(spec: Sheet) -> list[Sheet]:
    """``spec`` cut in sheets of at most :data:`EXCEL_MAX_ROWS` rows (``rejets``, ``rejets (2)``…).

    xlsxwriter silently ignores cells beyond Excel's last row: nothing may be lost.
    """
    n_rows = len(spec.columns[0].values) if spec.columns else 0
    size = EXCEL_MAX_ROWS - 1
    if n_rows <= size:
        return [spec]
    parts = []
    for number, start in enumerate(range(0, n_rows, size), start=1):
        columns = [Column(c.header, c.values[start : start + size], c.kind) for c in spec.columns]
        name = spec.name if number == 1 else f"{spec.name} ({number})"
        parts.append(Sheet(name, columns, spec.freeze_columns))
    return parts


def _write_notes(sheet: Any, lines: list[str], wrap: Any) -> None:
    sheet.set_column(0, 0, 110, wrap)
    for row, line in enumerate(lines):
        sheet.write_string(row, 0, line)


def _write_table(
    sheet: Any, spec: Sheet, *, header: Any, quoted: Any, decimal: Any, centered: Any
) -> None:
    n_rows = len(spec.columns[0].values) if spec.columns else 0
    for j, column in enumerate(spec.columns):
        fmt = {"float": decimal, "measure": centered}.get(column.kind)
        sheet.set_column(j, j, _width(column), fmt)
    sheet.freeze_panes(1, spec.freeze_columns)
    sheet.autofilter(0, 0, max(n_rows, 1), max(len(spec.columns) - 1, 0))
    for j, column in enumerate(spec.columns):
        sheet.write_string(0, j, column.header, header)
    # Cells a spreadsheet would run as formulas: written again with the quote-prefix style.
    risky: dict[int, list[int]] = {}
    for j, column in enumerate(spec.columns):
        if column.kind == "text":
            for i in np.flatnonzero(formula_like_mask(column.values)).tolist():
                risky.setdefault(i, []).append(j)
    # Typed writes, empty cells skipped: twice as fast as ``write_row`` (1 M cells ≈ 2 s).
    text, number, date = sheet._write_string, sheet._write_number, sheet._write_datetime
    date_format = sheet.default_date_format
    rows = zip(*(c.values for c in spec.columns), strict=True)
    for i, values in enumerate(rows, start=1):
        for j, value in enumerate(values):
            if value is None:
                continue
            kind = type(value)
            if kind is str:
                text(i, j, value, None)
            elif kind is int or kind is float:
                number(i, j, value, None)
            elif isinstance(value, dt.date):
                date(i, j, value, date_format)
            else:
                sheet.write(i, j, value)
        if i - 1 in risky:
            for j in risky[i - 1]:
                text(i, j, values[j], quoted)
