"""Declared schemas of the canonical tables (``lists``, ``commitments``, ``rejects``).

Each table has exactly one declared schema; :func:`build_table` builds a
DataFrame that conforms to it and :func:`check_table` verifies one at a boundary.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np
import pandas as pd
import pyarrow as pa

__all__ = [
    "REASON_CODES",
    "SCHEMAS",
    "WARNING_CODES",
    "build_table",
    "check_table",
    "empty_table",
]

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
    """Raise ``ValueError`` if ``frame`` does not follow the declared schema of ``name``."""
    schema = SCHEMAS[name]
    if list(frame.columns) != list(schema):
        raise ValueError(f"{name}: columns {list(frame.columns)} != {list(schema)}")
    for column, dtype in schema.items():
        expected = pd.Series([], dtype=dtype).dtype
        if frame[column].dtype != expected:
            raise ValueError(f"{name}.{column}: dtype {frame[column].dtype} != {expected}")
