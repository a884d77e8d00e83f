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

Text longer than Excel's cell limit (:data:`EXCEL_MAX_CHARS`, in UTF-16 units) is
cut and ends with :data:`CUT_NOTE`; the tables keep it whole (logged as a warning).

Writers, chosen on measurement (20,000 lists × 32 measures, ``benchmarks/workbook.py``):
rust_xlsxwriter through its binding ``rvgsrust_xlsxwriter`` where its wheel exists
(Linux x86_64, Windows x86_64, macOS arm64: pyproject's environment marker), about
twice as fast as xlsxwriter, which writes the workbook everywhere else (pure Python,
``constant_memory`` mode). :func:`write_workbook` hands both the same prepared cells
(:class:`_Table`), so they give the same values, types, formats and layout; each
writer's bytes are reproducible (the binding cannot set the creation date: its zip is
rewritten by :func:`pacte_analysis._reproducible.normalise_zip`).
"""

from __future__ import annotations

import datetime as dt
import importlib
import logging
from collections.abc import Sequence
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from pacte_analysis._files import formula_like_mask
from pacte_analysis._reproducible import build_date, normalise_zip

if TYPE_CHECKING:
    from pacte_analysis.editions import Edition

__all__ = [
    "CUT_NOTE",
    "EXCEL_MAX_CHARS",
    "EXCEL_MAX_ROWS",
    "WORKBOOK_SHEETS",
    "WRITERS",
    "Column",
    "Sheet",
    "available_writers",
    "build_sheets",
    "default_writer",
    "write_workbook",
]

logger = logging.getLogger(__name__)

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

#: The writers :func:`write_workbook` can use, in order of preference (fastest first):
#: ``rvgsrust_xlsxwriter``, the Python binding of rust_xlsxwriter (installed where it has
#: a wheel: Linux x86_64, Windows x86_64, macOS arm64), then ``xlsxwriter`` (everywhere).
WRITERS = ("rvgsrust_xlsxwriter", "xlsxwriter")
#: Longest text of one cell, in UTF-16 code units: Excel's own limit.
EXCEL_MAX_CHARS = 32_767
#: Appended to a text cut to :data:`EXCEL_MAX_CHARS` (the tables keep the whole text).
CUT_NOTE = (
    " […] (texte coupé à la limite d'Excel de 32 767 caractères ; "
    "texte complet dans les fichiers CSV et parquet)"
)
_TITLE = "Résultats du Pacte pour la Transition"
_DATE_FORMAT = "dd/mm/yyyy"
_HEADER_FILL = "#DDEBF7"
_NOTES_WIDTH = 110
_COLUMN_STYLES = {"float": "decimal", "measure": "centered"}


@dataclass
class _Table:
    """One sheet as every writer writes it: the cells, their styles and the layout."""

    name: str
    headers: list[str]
    columns: list[list[Any]]  # str, int, float, datetime.date/datetime or None (empty)
    styles: list[str | None]  # column style: "decimal", "centered" or None
    widths: list[float]
    quoted: list[list[int]]  # per column, the data rows of formula-like text
    dated: list[bool]  # per column, whether it holds dates
    freeze_columns: int = 0
    notes: bool = False  # « À lire »: one wrapped paragraph per row, no header

    @property
    def n_rows(self) -> int:
        return len(self.columns[0]) if self.columns else 0


def _utf16_length(text: str) -> int:
    return len(text.encode("utf-16-le")) // 2


def _cut(text: str) -> str:
    """``text`` cut with :data:`CUT_NOTE` so that it fits in one Excel cell."""
    keep = EXCEL_MAX_CHARS - len(CUT_NOTE)
    head = text[:keep]
    excess = _utf16_length(head) - keep  # characters beyond U+FFFF count twice
    while excess > 0:  # dropping n characters drops n to 2n units: never too many
        head = head[: len(head) - max(1, excess // 2)]
        excess = _utf16_length(head) - keep
    return head + CUT_NOTE


def _cell(value: Any) -> Any:
    """A value the writers take as it is (``None`` = empty cell), for the rare other types."""
    if value is None:
        return None
    if isinstance(value, str):
        return str(value)  # numpy.str_ and other subclasses: plain text
    if isinstance(value, bool | np.bool_):
        return _YES if value else _NO
    if pd.api.types.is_scalar(value) and pd.isna(value):  # NaN, NA, NaT
        return None
    if isinstance(value, pd.Timestamp):
        value = value.to_pydatetime()
    if isinstance(value, dt.datetime):
        if value.tzinfo is not None:
            value = value.astimezone(dt.UTC).replace(tzinfo=None)
        return value
    if isinstance(value, dt.date):
        return value
    if isinstance(value, int | np.integer):
        return int(value)
    if isinstance(value, float | np.floating):
        number = float(value)
        return number if np.isfinite(number) else str(number)  # inf: no Excel number
    return str(value)


_PLAIN = frozenset({str, int, float, dt.date, dt.datetime, type(None)})
_DATE_TYPES = frozenset({dt.date, dt.datetime})


@dataclass
class _Cells:
    """One column made ready for every writer."""

    values: list[Any]
    width: float
    quoted: list[int]  # data rows of formula-like text
    dated: bool
    n_cut: int  # texts cut to Excel's limit


def _cells(column: Column) -> _Cells:
    """The values made writable (see :func:`_cell`), long texts cut; width and risky rows."""
    values = column.values
    types = set(map(type, values))
    if not types <= _PLAIN:
        values = [_cell(v) for v in values]
        types = set(map(type, values))
    if float in types:
        values = [v if type(v) is not float or np.isfinite(v) else _cell(v) for v in values]
        types = set(map(type, values))
    longest, quoted, n_cut = 0, [], 0
    if str in types:
        only_text = types <= {str, type(None)}
        texts = pd.Series(
            values if only_text else [v if type(v) is str else None for v in values],
            dtype="string",
        )
        lengths = texts.str.len().fillna(-1).to_numpy(dtype=np.int64)
        longest = int(lengths.max())
        quoted = np.flatnonzero(formula_like_mask(texts)).tolist()
        empty = np.flatnonzero(lengths == 0).tolist()
        if empty:  # an empty text is an empty cell, for every writer
            values = list(values)
            for i in empty:
                values[i] = None
        if longest > EXCEL_MAX_CHARS // 2:
            values = list(values)
            for i in np.flatnonzero(lengths > EXCEL_MAX_CHARS // 2).tolist():
                if _utf16_length(values[i]) > EXCEL_MAX_CHARS:
                    values[i] = _cut(values[i])
                    n_cut += 1
    dated = bool(types & _DATE_TYPES)
    if column.kind == "measure":
        width = float(max(len(column.header) + 2, 8))
    else:
        if int in types or float in types:
            numbers = [v for v in values if type(v) is int or type(v) is float]
            longest = max([longest, *map(len, map(str, numbers))])
        if dated:
            longest = max(longest, len(_DATE_FORMAT))
        width = float(min(max(longest, min(len(column.header), 30), 6) + 2, _MAX_WIDTH))
    return _Cells(values, width, quoted, dated, n_cut)


def _parts(spec: Sheet) -> list[Sheet]:
    """``spec`` cut in sheets of at most :data:`EXCEL_MAX_ROWS` rows (``rejets``, ``rejets (2)``…).

    A writer ignores or refuses cells beyond Excel's last row: nothing may be lost.
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


def _tables(sheets: list[Sheet]) -> list[_Table]:
    """The sheets as every writer writes them (same cells, styles and layout)."""
    tables, n_cut = [], 0
    for spec in sheets:
        if spec.notes:
            notes = _cells(Column("", list(spec.notes)))
            n_cut += notes.n_cut
            tables.append(
                _Table(
                    spec.name,
                    headers=[],
                    columns=[notes.values],
                    styles=[None],
                    widths=[_NOTES_WIDTH],
                    quoted=[[]],
                    dated=[False],
                    notes=True,
                )
            )
            continue
        for part in _parts(spec):
            cells = [_cells(column) for column in part.columns]
            n_cut += sum(c.n_cut for c in cells)
            tables.append(
                _Table(
                    part.name,
                    [c.header for c in part.columns],
                    [c.values for c in cells],
                    [_COLUMN_STYLES.get(c.kind) for c in part.columns],
                    [c.width for c in cells],
                    [c.quoted for c in cells],
                    [c.dated for c in cells],
                    part.freeze_columns,
                )
            )
    if n_cut:
        logger.warning(
            "%d texte(s) de plus de %d caractères coupé(s) dans le classeur "
            "(complets dans les fichiers CSV et parquet).",
            n_cut,
            EXCEL_MAX_CHARS,
        )
    return tables


@cache
def available_writers() -> tuple[str, ...]:
    """The writers of :data:`WRITERS` that import here, in order of preference."""
    found = []
    for name in WRITERS:
        try:
            importlib.import_module(name)
        except ImportError:
            continue
        found.append(name)
    return tuple(found)


def default_writer() -> str:
    """The writer :func:`write_workbook` uses by default: the first of :func:`available_writers`."""
    return available_writers()[0]


def write_workbook(sheets: list[Sheet], path: str | Path, *, writer: str | None = None) -> Path:
    """Write ``sheets`` to ``path``; the same sheets give the same bytes.

    Both writers give the same cells (values and types), styles (bold header on a
    fill, wrapped and top-aligned; quote prefix on formula-like text; ``0.0#`` on
    decimal columns, centred measures; dates ``dd/mm/yyyy``), column widths, frozen
    panes and autofilters. The creation date is :func:`pacte_analysis._reproducible.build_date`.

    Parameters
    ----------
    sheets : list of Sheet
        From :func:`build_sheets`.
    path : str or Path
        The ``.xlsx`` file (written directly: callers stage it).
    writer : str, optional
        One of :data:`WRITERS`; default :func:`default_writer` (the fastest installed).
        Each writer's own bytes are reproducible; the two writers' bytes differ.
    """
    name = writer or default_writer()
    if name not in available_writers():
        raise ValueError(
            f"écriture du classeur : module {name!r} absent ou inconnu "
            f"(disponibles ici : {', '.join(available_writers())})"
        )
    path = Path(path)
    tables = _tables(sheets)
    logger.debug("classeur %s écrit avec %s", path.name, name)
    if name == "xlsxwriter":
        _write_with_xlsxwriter(tables, path)
    else:
        _write_with_rust(tables, path)
    return path


def _write_with_xlsxwriter(tables: list[_Table], path: Path) -> None:
    """xlsxwriter in ``constant_memory`` mode: rows in order, in-line strings."""
    import xlsxwriter

    workbook = xlsxwriter.Workbook(
        str(path),
        {
            "constant_memory": True,
            "strings_to_formulas": False,
            "strings_to_urls": False,
            "strings_to_numbers": False,
        },
    )
    workbook.set_properties({"title": _TITLE, "created": build_date()})
    header = workbook.add_format(
        {"bold": True, "bg_color": _HEADER_FILL, "text_wrap": True, "valign": "top"}
    )
    quoted = workbook.add_format({"quote_prefix": True})
    date = workbook.add_format({"num_format": _DATE_FORMAT})
    styles = {
        "decimal": workbook.add_format({"num_format": "0.0#"}),
        "centered": workbook.add_format({"align": "center"}),
    }
    for table in tables:
        sheet = workbook.add_worksheet(table.name)
        if table.notes:
            sheet.set_column(0, 0, _NOTES_WIDTH, workbook.add_format({"text_wrap": True}))
            for row, line in enumerate(table.columns[0]):
                if line is not None:
                    sheet.write_string(row, 0, line)
            continue
        for j, width in enumerate(table.widths):
            style = table.styles[j]
            sheet.set_column(j, j, width, styles[style] if style else None)
        sheet.freeze_panes(1, table.freeze_columns)
        sheet.autofilter(0, 0, max(table.n_rows, 1), max(len(table.columns) - 1, 0))
        for j, text in enumerate(table.headers):
            sheet.write_string(0, j, text, header)
        risky: dict[int, list[int]] = {}
        for j, rows in enumerate(table.quoted):
            for i in rows:
                risky.setdefault(i, []).append(j)
        # Typed writes, empty cells skipped; the row is written before the next one starts.
        string, number, datetime = sheet.write_string, sheet.write_number, sheet.write_datetime
        for i, values in enumerate(zip(*table.columns, strict=True)):
            row = i + 1
            for j, value in enumerate(values):
                if value is None:
                    continue
                kind = type(value)
                if kind is str:
                    string(row, j, value)
                elif kind is int or kind is float:
                    number(row, j, value)
                else:
                    datetime(row, j, value, date)
            for j in risky.get(i, ()):
                string(row, j, values[j], quoted)
    workbook.close()


def _write_with_rust(tables: list[_Table], path: Path) -> None:
    """rust_xlsxwriter through ``rvgsrust_xlsxwriter``, in constant-memory mode (rows in order).

    The binding cannot set the creation date: the zip is rewritten with
    :func:`pacte_analysis._reproducible.normalise_zip` (dates of the entries and of
    ``docProps/core.xml``).
    """
    from rvgsrust_xlsxwriter import Workbook

    workbook = Workbook()
    workbook.set_properties(title=_TITLE)
    header = (
        workbook.add_format()
        .set_bold()
        .set_background_color(_HEADER_FILL)
        .set_pattern("solid")
        .set_text_wrap()
        .set_vertical_align("top")
    )
    quoted = workbook.add_format().set_quote_prefix()
    date = workbook.add_format().set_num_format(_DATE_FORMAT)
    styles = {
        "decimal": workbook.add_format().set_num_format("0.0#"),
        "centered": workbook.add_format().set_align("center"),
    }
    for table in tables:
        sheet = workbook.add_worksheet(table.name, constant_memory=True)
        if table.notes:
            sheet.set_column_width(0, _NOTES_WIDTH)
            sheet.set_column_format(0, workbook.add_format().set_text_wrap())
            sheet.write_column(0, 0, table.columns[0])  # empty lines (None) skipped
            continue
        for j, width in enumerate(table.widths):
            sheet.set_column_width(j, width)
            style = table.styles[j]
            if style:
                sheet.set_column_format(j, styles[style])
        sheet.freeze_panes(1, table.freeze_columns)
        sheet.autofilter(0, 0, max(table.n_rows, 1), max(len(table.columns) - 1, 0))
        for j, text in enumerate(table.headers):
            sheet.write(0, j, text, header)
        # Cells with their own style, written again in their row before the next row starts.
        special: dict[int, list[tuple[int, Any]]] = {}
        for j, rows in enumerate(table.quoted):
            for i in rows:
                special.setdefault(i, []).append((j, quoted))
        for j, values in enumerate(table.columns):
            if table.dated[j]:
                for i, value in enumerate(values):
                    if isinstance(value, dt.date):
                        special.setdefault(i, []).append((j, date))
        for i, cells in enumerate(zip(*table.columns, strict=True)):
            row = list(cells)
            sheet.write_row(i + 1, 0, row)  # empty cells (None) skipped
            for j, style in special.get(i, ()):
                sheet.write(i + 1, j, row[j], style)
    path.write_bytes(workbook.save_to_buffer())
    normalise_zip(path, build_date())
