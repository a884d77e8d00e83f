"""The canonical tables on disk: their schemas, reading them back, tidy exports.

``pacte ingest --out DIR`` (and :func:`pacte_analysis.write_tables`) writes
``lists``, ``commitments`` and ``rejects`` as ``DIR/<name>.parquet`` and
``DIR/<name>.csv``. :func:`read_tables` reads them back with the dtypes of the
table contract (codes as text, nullable integers and booleans), preferring the
parquet files and falling back to the CSV files. A folder made from the
fictitious demo data carries :data:`DEMO_MARKER`; :attr:`Tables.demo` says so.

:func:`read_csv` reads any CSV the package wrote (tables, indicators, tidy exports)
with every code column as text, so that ``01``, ``2A`` and ``01001`` stay as they
are. :func:`export_csv` writes a summary as a tidy CSV for Datawrapper or Flourish.

Examples
--------
>>> import pacte_analysis as pa
>>> from pacte_analysis.tables import SCHEMAS
>>> SCHEMAS["lists"]["commune_code"]
'str'
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pandas as pd

from pacte_analysis.config import DEMO_MARKER
from pacte_analysis.errors import MissingColumnsError, PacteError, PacteTypeError
from pacte_analysis.ingest._schema import REASON_CODES, SCHEMAS

__all__ = [
    "CODE_DTYPE",
    "DEMO_MARKER",
    "REASON_CODES",
    "SCHEMAS",
    "TABLE_NAMES",
    "Tables",
    "TablesError",
    "export_csv",
    "read_csv",
    "read_tables",
]

#: The tables of the contract, in order.
TABLE_NAMES = ("lists", "commitments", "rejects")
#: The dtype of every code column (INSEE codes, départements, list ids).
CODE_DTYPE = "str"
_FORMULA_PREFIXES = ("'=", "'+", "'-", "'@", "'\t", "'\r")
#: Text columns where the contract has an empty text, never a null (CSV cannot tell).
_EMPTY_NOT_NULL = {
    ("lists", "principles"),
    ("lists", "source_sheet"),
    ("commitments", "source_sheet"),
}


class TablesError(PacteError, FileNotFoundError):
    """A folder that does not hold the canonical tables (French message)."""

    code = "MISSING_TABLES"


@dataclass(frozen=True)
class Tables:
    """The three canonical tables read from a folder.

    Unpacks as ``lists, commitments, rejects = pa.read_tables(DIR)``.

    Attributes
    ----------
    lists, commitments, rejects : DataFrame
        The tables, with the contract's dtypes.
    demo : bool
        The folder was made from the fictitious demo data (:data:`DEMO_MARKER`).
    folder : Path
    """

    lists: pd.DataFrame
    commitments: pd.DataFrame
    rejects: pd.DataFrame
    demo: bool
    folder: Path

    def __iter__(self) -> Iterator[pd.DataFrame]:
        return iter((self.lists, self.commitments, self.rejects))


def _conform(name: str, frame: pd.DataFrame, where: Path) -> pd.DataFrame:
    schema = SCHEMAS[name]
    missing = [c for c in schema if c not in frame.columns]
    if missing:
        raise MissingColumnsError(
            f"Table « {name} » de {where} : colonne(s) absente(s) : {', '.join(missing)}."
        )
    out: dict[str, Any] = {}
    for column, dtype in schema.items():
        values = frame[column]
        if dtype == "str":
            text = values.astype("str").where(values.notna())
            if where.suffix == ".csv":  # cells defused against spreadsheet formulas
                text = text.where(
                    ~text.str.startswith(_FORMULA_PREFIXES, na=False), text.str.slice(1)
                )
            if (name, column) in _EMPTY_NOT_NULL:
                text = text.fillna("")
            out[column] = text.astype("str")
        elif dtype in ("bool", "boolean"):
            mapped = values.map(
                lambda v: v if isinstance(v, bool) or pd.isna(v) else str(v) == "True"
            )
            out[column] = (
                mapped.astype("boolean").astype(dtype)
                if dtype == "boolean"
                else (mapped.astype("boolean").fillna(False).astype("bool"))
            )
        elif dtype in ("int64",):
            out[column] = pd.to_numeric(values).astype("int64")
        elif dtype in ("Int64", "Float64"):
            out[column] = pd.to_numeric(values).astype(dtype)
        else:
            out[column] = (
                pd.to_datetime(values).dt.date.astype(dtype)
                if len(values)
                else (pd.Series([], dtype=dtype))
            )
    return pd.DataFrame(out, columns=list(schema))


def read_tables(folder: str | Path) -> Tables:
    """Read the tables ``pacte ingest --out DIR`` wrote, with the contract's dtypes.

    Parameters
    ----------
    folder : str or Path
        The folder given to ``pacte ingest --out`` (or :func:`write_tables`).

    Returns
    -------
    Tables
        ``lists, commitments, rejects`` (unpackable) and ``demo``.

    Raises
    ------
    TablesError
        The folder or one of its tables is missing (French message saying which).

    Examples
    --------
    >>> import pacte_analysis as pa
    >>> lists, commitments, rejects = pa.read_tables("data/processed/demo")  # doctest: +SKIP
    >>> lists["commune_code"].dtype  # doctest: +SKIP
    <StringDtype(na_value=nan)>
    """
    if not isinstance(folder, str | Path):
        raise PacteTypeError(
            f"read_tables : donnez le chemin d'un dossier, pas {type(folder).__name__}."
        )
    folder = Path(folder)
    if not folder.is_dir():
        raise TablesError(f"Dossier de tables introuvable : {folder}.")
    frames: dict[str, pd.DataFrame] = {}
    for name in TABLE_NAMES:
        parquet, csv = folder / f"{name}.parquet", folder / f"{name}.csv"
        if parquet.is_file():
            frames[name] = _conform(name, pd.read_parquet(parquet), parquet)
        elif csv.is_file():
            raw = pd.read_csv(csv, dtype=str, keep_default_na=False, na_values=[""])
            frames[name] = _conform(name, raw, csv)
        else:
            raise TablesError(
                f"Table « {name} » absente de {folder} (ni {name}.parquet ni {name}.csv) : "
                f"lancez d'abord `pacte ingest … --out {folder}`."
            )
    return Tables(
        frames["lists"],
        frames["commitments"],
        frames["rejects"],
        demo=(folder / DEMO_MARKER).is_file(),
        folder=folder,
    )


def _is_code_column(name: str) -> bool:
    name = name.lower()
    return (
        name in ("code", "list_id", "best_list_id", "elected_list_id")
        or name.endswith(("_code", " (code)"))
        or name.startswith("code")
    )


def read_csv(path: str | Path, **kwargs: Any) -> pd.DataFrame:
    """Read a CSV written by the package, with every code column as text.

    The columns named ``code``, ``*_code``, ``list_id`` (or « Code … » in tidy
    exports) keep their leading zeros and ``2A``/``2B``; the other columns are
    parsed as usual by :func:`pandas.read_csv`.

    Examples
    --------
    >>> import io, pandas as pd
    >>> df = read_csv(io.StringIO("code,n_lists\\n01,3\\n2A,1\\n"))
    >>> df["code"].tolist(), df["n_lists"].tolist()
    (['01', '2A'], [3, 1])
    """
    header = pd.read_csv(path, nrows=0, **kwargs).columns
    if hasattr(path, "seek"):
        path.seek(0)
    dtypes = {c: "str" for c in header if _is_code_column(str(c))}
    return pd.read_csv(path, dtype=dtypes, **kwargs)


def export_csv(
    frame: pd.DataFrame,
    path: str | Path,
    *,
    decimals: int = 1,
    labels: dict[str, str] | None = None,
) -> Path:
    """Write a summary as a tidy CSV for Datawrapper, Flourish or a spreadsheet.

    Column names become their French labels (with the unit: « Part des communes
    avec une liste signataire (%) »), numbers are rounded to ``decimals``, codes
    stay text (leading zeros kept), missing values are empty cells. UTF-8, comma,
    point as decimal separator (what Datawrapper and Flourish read).

    Parameters
    ----------
    frame : DataFrame
        A table of :mod:`pacte_analysis` (e.g. :func:`territory_summary`); a
        geometry column is left out.
    path : str or Path
        The CSV to write.
    decimals : int, default 1
    labels : dict, optional
        Column name → French label, over the package's labels.

    Returns
    -------
    Path

    Examples
    --------
    >>> import pandas as pd, tempfile, pathlib
    >>> t = pd.DataFrame({"code": ["01"], "name": ["Ain"], "share_communes_signatory": [2.345]})
    >>> p = export_csv(t, pathlib.Path(tempfile.mkdtemp()) / "t.csv")
    >>> print(p.read_text(encoding="utf-8").strip())
    Code,Nom,Part des communes avec une liste signataire (%)
    01,Ain,2.3
    """
    from pacte_analysis.analysis import column_label

    if not isinstance(frame, pd.DataFrame):
        raise PacteTypeError(f"export_csv : une table est attendue, pas {type(frame).__name__}.")
    out = pd.DataFrame(frame.drop(columns="geometry", errors="ignore")).copy()
    for column in out.columns:
        series = out[column]
        if pd.api.types.is_float_dtype(series.dtype):
            out[column] = series.round(decimals)
        elif pd.api.types.is_bool_dtype(series.dtype):
            out[column] = series.map({True: "oui", False: "non"})
    names = {c: (labels or {}).get(str(c)) or column_label(str(c)) for c in out.columns}
    out = out.rename(columns=names)
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    out.to_csv(path, index=False, encoding="utf-8", lineterminator="\n")
    return path
