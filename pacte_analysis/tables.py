"""The table contract's one home: schemas, reason codes, reading back, tidy exports.

Each canonical table (``lists``, ``commitments``, ``rejects``) has exactly one
declared schema (:data:`SCHEMAS`, column → dtype in contract order);
:func:`build_table` builds a DataFrame that conforms to it and :func:`check_table`
verifies one at a boundary. :data:`REASON_CODES` and :data:`WARNING_CODES` are the
codes of the ``rejects`` table. The contract is described in ``docs/contract.md``.

``pacte ingest --out DIR`` (and :func:`pacte_analysis.write_tables`) writes
``lists``, ``commitments`` and ``rejects`` as ``DIR/<name>.parquet`` and
``DIR/<name>.csv``. :func:`read_tables` reads them back with the dtypes of the
table contract (codes as text, nullable integers and booleans), preferring the
parquet files and falling back to the CSV files. A folder made from the
fictitious demo data carries :data:`DEMO_MARKER`; :attr:`Tables.demo` says so.

:func:`read_csv` reads any CSV the package wrote (tables, indicators, tidy exports
of :func:`pacte_analysis.export_csv`) with every code column as text, so that ``01``,
``2A`` and ``01001`` stay as they are.

Examples
--------
>>> import pacte_analysis as pa
>>> from pacte_analysis.tables import SCHEMAS
>>> SCHEMAS["lists"]["commune_code"]
'str'
"""

from __future__ import annotations

import hashlib
import io
import time
import warnings
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pyarrow as pa

from pacte_analysis._files import describe_os_error
from pacte_analysis._tableset import (
    MANIFEST_NAME,
    TABLE_NAMES,
    complete_interrupted,
    read_manifest,
)
from pacte_analysis.config import DEMO_MARKER
from pacte_analysis.errors import (
    InvalidArgumentError,
    MissingColumnsError,
    PacteTypeError,
    TablesError,
)

__all__ = [
    "CODE_DTYPE",
    "DEMO_ATTR",
    "DEMO_MARKER",
    "MANIFEST_NAME",
    "REASON_CODES",
    "SCHEMAS",
    "TABLE_NAMES",
    "WARNING_CODES",
    "Tables",
    "TablesError",
    "build_table",
    "check_table",
    "empty_table",
    "is_demo",
    "mark_demo",
    "read_csv",
    "read_tables",
]

#: The dtype of every code column (INSEE codes, départements, list ids).
CODE_DTYPE = "str"
#: Key of ``DataFrame.attrs`` flagging tables made from the fictitious demo data.
DEMO_ATTR = "pacte_demo"
_FORMULA_PREFIXES = ("'=", "'+", "'-", "'@", "'\t", "'\r")
#: Text columns where the contract has an empty text, never a null (CSV cannot tell).
_EMPTY_NOT_NULL = {
    ("lists", "principles"),
    ("lists", "source_sheet"),
    ("commitments", "source_sheet"),
}


# --------------------------------------------------------------------------- schemas

DATE = pd.ArrowDtype(pa.date32())

#: Column name → pandas dtype, per table, in contract order.
SCHEMAS: dict[str, dict[str, Any]] = {
    "lists": {
        "list_id": "str",
        "edition": "str",
        "commune_code": "str",
        "commune_name": "str",
        "departement_code": "str",
        "list_name": "str",
        "list_head": "str",
        "principles": "str",
        "n_measures": "int64",
        "mean_level": "Float64",
        "signatory": "bool",
        "signatory_source": "str",
        "n_measures_declared": "Int64",
        "elected": "boolean",
        "elected_source": "str",
        "signed_on": DATE,
        "source_file": "str",
        "source_sheet": "str",
        "source_row": "int64",
    },
    "commitments": {
        "list_id": "str",
        "edition": "str",
        "measure": "int64",
        "committed": "bool",
        "level": "Int64",
        "raw_value": "str",
        "source_file": "str",
        "source_sheet": "str",
        "source_row": "int64",
        "source_column": "str",
    },
    "rejects": {
        "source_file": "str",
        "source_sheet": "str",
        "source_row": "Int64",
        "source_column": "str",
        "code": "str",
        "message": "str",
        "raw_value": "str",
    },
}

#: Stable reason codes of the ``rejects`` table, with their French meaning.
REASON_CODES: dict[str, str] = {
    "UNREADABLE_FILE": "fichier illisible",
    "NO_HEADER": "en-tête introuvable",
    "MISSING_COMMUNE": "commune manquante",
    "UNKNOWN_COMMUNE": "commune inconnue",
    "AMBIGUOUS_COMMUNE": "commune ambiguë",
    "UNKNOWN_MEASURE": "mesure hors de l'édition",
    "INVALID_VALUE": "valeur non reconnue",
    "DUPLICATE_LIST": "liste en double",
    "CONFLICTING_LIST": "liste en conflit",
    "TOO_LARGE": "fichier ou cellule trop volumineux",
    "IGNORED_COLUMN": "colonne non importée",
    "PENDING_MEASURE": "mesure en attente, non comptée",
    "SUMMARY_ROW": "ligne de total ou de note, pas une liste",
    "SIGNATORY_MISMATCH": "signature du suivi contraire à la règle (avertissement)",
    "AMBIGUOUS_VALUE": "valeur lue sous une hypothèse (avertissement)",
    "COMMUNE_READ_AS": "commune lue sous un autre nom (avertissement)",
    "MIXED_ENCODING": "ligne d'un autre encodage, lue en Windows-1252 (avertissement)",
    "NUL_BYTES": "octets nuls retirés de la ligne (avertissement)",
}


#: Codes that warn about a list still imported (read under an assumption).
WARNING_CODES = frozenset(
    {"SIGNATORY_MISMATCH", "AMBIGUOUS_VALUE", "COMMUNE_READ_AS", "MIXED_ENCODING", "NUL_BYTES"}
)


def build_table(name: str, columns: Mapping[str, Sequence[Any]]) -> pd.DataFrame:
    """Build table ``name`` from column sequences, with the declared dtypes."""
    schema = SCHEMAS[name]
    data = {}
    for column, dtype in schema.items():
        values = columns[column]
        if dtype == "str":
            data[column] = _string_array(values)
        elif dtype == "Int64":
            data[column] = _nullable_int_array(values)
        elif dtype in _NUMPY_TYPES and _only(values, _NUMPY_TYPES[dtype]):
            # a plain column of Python ints or bools: numpy converts it in one go
            data[column] = np.array(values, dtype=dtype)
        else:
            data[column] = pd.array(list(values), dtype=dtype)
    return pd.DataFrame(data, columns=list(schema))


#: Plain numpy dtypes of the schemas, with the only Python type converted directly.
_NUMPY_TYPES: dict[str, type] = {"int64": int, "bool": bool}


def _only(values: Sequence[Any], kind: type) -> bool:
    """Whether every item of ``values`` is exactly of type ``kind`` (``True`` is no int)."""
    return isinstance(values, list) and set(map(type, values)) <= {kind}


def _string_array(values: Sequence[Any] | pa.Array) -> Any:
    """``pd.array(values, dtype="str")``, through Arrow when every value is text or missing."""
    if isinstance(values, pa.Array):
        return pd.array(values, dtype="str")
    try:
        arrow = pa.array(values, type=pa.large_string(), from_pandas=True)
    except (pa.ArrowInvalid, pa.ArrowTypeError):
        return pd.array(list(values), dtype="str")
    return pd.array(arrow, dtype="str")


def _nullable_int_array(values: Sequence[Any]) -> Any:
    """``pd.array(values, dtype="Int64")``, faster when the values are ints or ``None``."""
    values = list(values)
    if set(map(type, values)) <= {int, type(None)}:
        arrow = pa.array(values, type=pa.int64())
        mask = arrow.is_null().to_numpy(zero_copy_only=False, writable=True)
        data = arrow.fill_null(0).to_numpy(zero_copy_only=False, writable=True)
        return pd.arrays.IntegerArray(data, mask)
    return pd.array(values, dtype="Int64")


def empty_table(name: str) -> pd.DataFrame:
    """An empty table ``name`` with the declared columns and dtypes."""
    return build_table(name, {c: [] for c in SCHEMAS[name]})


def check_table(name: str, frame: pd.DataFrame) -> None:
    """Check that ``frame`` follows the declared schema of the table ``name``.

    Raises
    ------
    MissingColumnsError
        Columns missing (or in another order than the contract's).
    InvalidArgumentError
        A column of another dtype than the contract's (both ``ValueError``).
    """
    schema = SCHEMAS[name]
    if list(frame.columns) != list(schema):
        missing = [c for c in schema if c not in frame.columns]
        extra = [c for c in frame.columns if c not in schema]
        detail = "; ".join(
            part
            for part in (
                f"absente(s) : {', '.join(missing)}" if missing else "",
                f"en trop : {', '.join(map(str, extra))}" if extra else "",
                "dans un autre ordre" if not (missing or extra) else "",
            )
            if part
        )
        raise MissingColumnsError(
            f"Table « {name} » hors contrat, colonnes {detail} (attendues, dans l'ordre : "
            f"{', '.join(schema)}) : construisez-la avec `build_table` ou relisez-la avec "
            "`read_tables`.",
            code="INVALID_TABLE",
        )
    for column, dtype in schema.items():
        expected = pd.Series([], dtype=dtype).dtype
        if frame[column].dtype != expected:
            raise InvalidArgumentError(
                f"Table « {name} », colonne « {column} » : type {frame[column].dtype} au lieu "
                f"de {expected} (contrat des tables, docs/contract.md).",
                code="INVALID_TABLE",
            )


# --------------------------------------------------------------------------- reading


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

    def __getitem__(self, name: str) -> pd.DataFrame:
        """The table called ``name`` (``tables["lists"]``)."""
        if name not in TABLE_NAMES:
            raise KeyError(name)
        frame: pd.DataFrame = getattr(self, name)
        return frame


_BOOLEAN_TEXT = {
    "True": True,
    "False": False,
    "true": True,
    "false": False,
    "1": True,
    "0": False,
    "oui": True,
    "non": False,
}


def _refuse(
    name: str, where: Path, column: str, values: pd.Series, bad: pd.Series, expected: str
) -> None:
    """Raise a French :class:`TablesError` naming the first cell of ``bad`` (file, row)."""
    flags = bad.fillna(False).to_numpy(dtype=bool)
    if not flags.any():
        return
    first = int(flags.argmax())
    row = first + 2 if where.suffix == ".csv" else first + 1  # CSV: row 1 is the header
    shown = "vide" if pd.isna(values.iloc[first]) else f"« {values.iloc[first]} »"
    others = int(flags.sum()) - 1
    more = f" (et {others} autre(s) ligne(s))" if others else ""
    raise TablesError(
        f"Table « {name} » de {where}, colonne « {column} », ligne {row}{more} : "
        f"{shown} au lieu de {expected}. Corrigez le fichier ou relancez "
        f"`pacte ingest … --out {where.parent}`.",
        code="INVALID_TABLE",
    )


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
            if pd.api.types.is_bool_dtype(values.dtype):
                mapped = values.astype("boolean")
            else:  # text (CSV) or objects
                mapped = values.map(
                    lambda v: v if isinstance(v, bool | np.bool_) else _BOOLEAN_TEXT.get(str(v)),
                    na_action="ignore",
                )
            _refuse(name, where, column, values, values.notna() & mapped.isna(), "oui/non")
            if dtype == "bool":
                _refuse(name, where, column, values, values.isna(), "oui/non")
            out[column] = mapped.astype("boolean").astype(dtype)
        elif dtype in ("int64", "Int64", "Float64"):
            numbers = pd.to_numeric(values, errors="coerce")
            _refuse(name, where, column, values, values.notna() & numbers.isna(), "un nombre")
            if dtype == "int64":
                _refuse(name, where, column, values, values.isna(), "un nombre")
            if dtype != "Float64":
                _refuse(
                    name, where, column, values, numbers.notna() & (numbers % 1 != 0), "un entier"
                )
            out[column] = numbers.astype(dtype)
        else:
            dates = pd.to_datetime(values, errors="coerce", format="ISO8601")
            _refuse(name, where, column, values, values.notna() & dates.isna(), "une date")
            out[column] = dates.dt.date.astype(dtype) if len(values) else pd.Series([], dtype=dtype)
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

    A folder written by ``pacte ingest`` is read as one whole set: a publish that
    a killed writer left half done is completed first, and every file read is
    checked against the folder's manifest (a concurrent writer makes it read
    again). The parquet files are preferred; a folder holding only the CSV files
    (e.g. sent by e-mail) is read from them, codes kept as text.

    Raises
    ------
    TablesError
        The folder or one of its tables is missing or unreadable, or its files do
        not match its manifest (French message saying which, and what to do).

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
    for _attempt in range(5):
        complete_interrupted(folder)
        manifest = read_manifest(folder / MANIFEST_NAME)
        frames = _read_set(folder, manifest)
        if frames is not None:
            demo = (folder / DEMO_MARKER).is_file()
            if demo:  # maps and charts drawn from these tables say they are fictitious
                for frame in frames.values():
                    mark_demo(frame)
            return Tables(
                frames["lists"],
                frames["commitments"],
                frames["rejects"],
                demo=demo,
                folder=folder,
            )
        time.sleep(0.2)  # a writer is publishing a new set: read again
    raise TablesError(
        f"Les tables de « {folder} » ne correspondent pas à son manifeste ({MANIFEST_NAME}) : "
        f"un fichier a été modifié ou remplacé. Relancez `pacte ingest … --out {folder}`."
    )


def mark_demo(frame: pd.DataFrame) -> pd.DataFrame:
    """Flag ``frame`` as made from the fictitious demo data (in ``frame.attrs``).

    :func:`read_tables` flags the tables of a demo folder; the maps and charts drawn
    from a flagged table carry the « Données fictives » mark and a source line saying
    the data are fictitious, whoever draws them. The flag follows the table through
    pandas' copies, selections and merges (``DataFrame.attrs``).
    """
    frame.attrs[DEMO_ATTR] = True
    return frame


def is_demo(*frames: object) -> bool:
    """Whether one of ``frames`` is flagged as fictitious demo data (:func:`mark_demo`).

    Examples
    --------
    >>> import pandas as pd
    >>> is_demo(pd.DataFrame()), is_demo(mark_demo(pd.DataFrame()))
    (False, True)
    """
    return any(bool(getattr(f, "attrs", {}).get(DEMO_ATTR)) for f in frames)


def _read_set(folder: Path, manifest: dict[str, Any] | None) -> dict[str, pd.DataFrame] | None:
    """The three tables of ``folder``; None when a file does not match the manifest."""
    frames: dict[str, pd.DataFrame] = {}
    for name in TABLE_NAMES:
        parquet, csv = folder / f"{name}.parquet", folder / f"{name}.csv"
        path = parquet if parquet.is_file() else csv if csv.is_file() else None
        if path is None and name == "rejects":  # maps and summaries do not need it
            warnings.warn(
                f"Table « rejects » absente de {folder} : lue comme vide (les rejets de "
                "l'import ne sont pas connus).",
                stacklevel=3,
            )
            frames[name] = empty_table("rejects")
            continue
        if path is None:
            raise TablesError(
                f"Table « {name} » absente de {folder} (ni {name}.parquet ni {name}.csv) : "
                f"lancez d'abord `pacte ingest … --out {folder}`."
            )
        try:
            data = path.read_bytes()
        except OSError as exc:
            raise TablesError(
                f"Lecture impossible de « {path} » : {describe_os_error(exc)[0]}."
            ) from exc
        if manifest is not None:
            entry = manifest["files"].get(path.name)
            if entry is None or hashlib.sha256(data).hexdigest() != entry["sha256"]:
                return None
        if path is parquet:
            frames[name] = _conform(name, pd.read_parquet(io.BytesIO(data)), path)
        else:
            raw = pd.read_csv(io.BytesIO(data), dtype=str, keep_default_na=False, na_values=[""])
            frames[name] = _conform(name, raw, path)
    return frames


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
