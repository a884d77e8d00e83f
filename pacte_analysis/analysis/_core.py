"""Shared core of the metrics: constants, input checks, the per-list pass (private)."""

from __future__ import annotations

import warnings
from collections.abc import Iterable, Sequence
from itertools import compress
from typing import Any, Literal

import numpy as np
import pandas as pd

from pacte_analysis.editions import Edition
from pacte_analysis.errors import (
    InvalidArgumentError,
    MissingColumnsError,
    PacteTypeError,
    UnknownCodeError,
)

__all__ = [
    "ELECTED_STATUSES",
    "FRANCE_CODE",
    "FRANCE_NAME",
    "SIZE_CLASSES",
    "STATUS_CATEGORIES",
    "UNASSIGNED_THEME",
    "EditionLike",
    "TerritoryLevel",
]

TerritoryLevel = Literal["departement", "region", "epci"]
EditionLike = Edition | str

#: Label of the measures that have no theme in the edition.
UNASSIGNED_THEME = "thème non attribué"

#: Commune situations (ordered from the least to the most engaged), see
#: :func:`commune_summary` (column ``status``).
STATUS_CATEGORIES: tuple[str, ...] = (
    "Listes connues, aucune signataire",
    "Liste signataire, résultat inconnu",
    "Liste signataire, non élue",
    "Équipe élue signataire",
)

#: Election outcome of a list, see :func:`compare_elected`.
ELECTED_STATUSES: tuple[str, ...] = ("Élue", "Non élue", "Résultat inconnu")

_NNBSP = "\u202f"
#: Lower bounds of the commune size classes (inhabitants) and their French labels.
SIZE_CLASSES: tuple[tuple[int, str], ...] = (
    (0, "Moins de 500 hab."),
    (500, "500 à 999 hab."),
    (1_000, f"1{_NNBSP}000 à 1{_NNBSP}999 hab."),
    (2_000, f"2{_NNBSP}000 à 3{_NNBSP}499 hab."),
    (3_500, f"3{_NNBSP}500 à 4{_NNBSP}999 hab."),
    (5_000, f"5{_NNBSP}000 à 9{_NNBSP}999 hab."),
    (10_000, f"10{_NNBSP}000 à 19{_NNBSP}999 hab."),
    (20_000, f"20{_NNBSP}000 à 49{_NNBSP}999 hab."),
    (50_000, f"50{_NNBSP}000 à 99{_NNBSP}999 hab."),
    (100_000, f"100{_NNBSP}000 hab. ou plus"),
)
#: The class of the communes whose population is unknown (Mayotte in the 2020 reference).
UNKNOWN_SIZE_CLASS = "Population inconnue"

_TERRITORY_KEYS: dict[str, str] = {
    "departement": "departement_code",
    "region": "region_code",
    "epci": "epci_code",
}


#: Columns each input table must have, and a column that tells it apart from the
#: others (to report tables given in the wrong order).
_REQUIRED: dict[str, tuple[str, ...]] = {
    "lists": ("list_id", "commune_code", "signatory", "n_measures", "elected"),
    "commitments": ("list_id", "measure", "committed", "level"),
    "communes": ("code",),
}
_TELLTALE: dict[str, str] = {
    "lists": "commune_code",
    "commitments": "measure",
    "communes": "population",
}
_LEVEL_WORDS = {"departement": "département", "region": "région", "epci": "EPCI"}
#: The name of the whole-country row of the summaries (``total=True``).
FRANCE_CODE = "FR"
FRANCE_NAME = "France entière"


def _check_table(frame: object, what: str, function: str) -> pd.DataFrame:
    """Check that ``frame`` is the table ``what`` (lists, commitments, communes).

    Raises a French :class:`~pacte_analysis.errors.PacteError` for something that is
    not a DataFrame, for tables given in the wrong order and for missing columns.
    """
    if not isinstance(frame, pd.DataFrame):
        raise PacteTypeError(
            f"{function} : « {what} » doit être une table (DataFrame), pas {type(frame).__name__}."
        )
    missing = [c for c in _REQUIRED[what] if c not in frame.columns]
    if not missing:
        return frame
    for other, column in _TELLTALE.items():
        if other != what and column in frame.columns and _TELLTALE[what] not in frame.columns:
            raise PacteTypeError(
                f"{function} : la table donnée pour « {what} » ressemble à la table "
                f"« {other} » (elle a une colonne « {column} ») : les arguments sont-ils "
                "dans le bon ordre ?"
            )
    raise MissingColumnsError(
        f"{function} : colonne(s) absente(s) de « {what} » : {', '.join(missing)} "
        f"(colonnes attendues : {', '.join(_REQUIRED[what])})."
    )


def _check_level(level: object, allowed: Iterable[str], function: str) -> str:
    allowed = list(allowed)
    if level not in allowed:
        raise InvalidArgumentError(
            f"{function} : niveau inconnu « {level} » ; niveaux possibles : {', '.join(allowed)}."
        )
    return str(level)


_FEMININE = frozenset({"région", "commune", "intercommunalité"})


def _check_code(code: object, known: Iterable[str], what: str, function: str) -> str:
    """Return ``code`` as a known code, or raise a French error saying what to write."""
    known = set(known)
    if isinstance(code, bool) or not isinstance(code, str):
        hint = ""
        if isinstance(code, int | np.integer) and not isinstance(code, bool):
            candidates = [
                c for c in (str(code), str(code).zfill(2), str(code).zfill(3)) if c in known
            ]
            if candidates:
                hint = f' : écrivez « "{candidates[0]}" »'
        raise PacteTypeError(
            f"{function} : le code de {what} doit être un texte ({type(code).__name__} "
            f"« {code} » reçu){hint} — les codes gardent leurs zéros initiaux et "
            "« 2A »/« 2B » pour la Corse."
        )
    if code in known:
        return code
    hint = ""
    if code.upper() in known:
        hint = f" ; vouliez-vous dire « {code.upper()} » ?"
    elif code.zfill(2) in known:
        hint = f" ; vouliez-vous dire « {code.zfill(2)} » ?"
    unknown = "inconnue" if what in _FEMININE else "inconnu"
    raise UnknownCodeError(f"{function} : {what} « {code} » {unknown}{hint}")


def _territory_names(level: str) -> pd.Series | None:
    """Official names of the territories of ``level`` from the reference cache.

    Returns None when the cache cannot be read (then names stay the codes).
    """
    from pacte_analysis.errors import PacteError

    try:
        from pacte_analysis import reference

        loaders = {
            "departement": reference.departements,
            "region": reference.regions,
            "epci": reference.epci,
        }
        layer = loaders[level](resolution="web")
    except (PacteError, OSError, ImportError, KeyError):
        return None
    names = pd.Series(layer["name"].astype("str").to_numpy(), index=layer["code"].astype("str"))
    return names[~names.index.duplicated()]


# --------------------------------------------------------------------------- helpers


def _boolean(values: pd.Series) -> pd.Series:
    """Coerce a column to pandas' nullable boolean (accepts bools, 0/1, true/false text)."""
    if isinstance(values.dtype, pd.BooleanDtype):
        return values
    if pd.api.types.is_bool_dtype(values.dtype) or pd.api.types.is_numeric_dtype(values.dtype):
        return values.astype("boolean")
    mapping = {"true": True, "false": False, "1": True, "0": False, "vrai": True, "faux": False}

    def _one(v: Any) -> Any:
        if v is None or v is pd.NA or (isinstance(v, float) and np.isnan(v)):
            return pd.NA
        if isinstance(v, bool | np.bool_):
            return bool(v)
        return mapping.get(str(v).strip().lower(), pd.NA)

    return pd.Series([_one(v) for v in values], index=values.index, dtype="boolean")


def _as_frame(frame: pd.DataFrame) -> pd.DataFrame:
    """Drop a geometry column so that results are plain DataFrames."""
    if "geometry" in frame.columns:
        frame = pd.DataFrame(frame.drop(columns="geometry"))
    return frame


def _select_edition(frame: pd.DataFrame, edition: Edition, what: str) -> pd.DataFrame:
    if "edition" not in frame.columns or frame.empty:
        return frame
    keep = frame["edition"].astype("str").fillna(edition.name) == edition.name
    dropped = int((~keep).sum())
    if dropped:
        warnings.warn(
            f"{dropped} ligne(s) de « {what} » relèvent d'une autre édition que "
            f"« {edition.name} » et sont ignorées.",
            stacklevel=3,
        )
        return frame.loc[keep]
    return frame


def _prepare_lists(lists: pd.DataFrame, edition: Edition) -> pd.DataFrame:
    lists = _select_edition(lists, edition, "lists").copy()
    lists["list_id"] = lists["list_id"].astype("str")
    lists["commune_code"] = lists["commune_code"].astype("str")
    lists["signatory"] = _boolean(lists["signatory"]).fillna(False).astype(bool)
    lists["elected"] = _boolean(lists["elected"])
    lists["n_measures"] = pd.to_numeric(lists["n_measures"]).fillna(0).astype("int64")
    mean_level = lists["mean_level"] if "mean_level" in lists.columns else pd.NA
    lists["mean_level"] = pd.to_numeric(pd.Series(mean_level, index=lists.index))
    lists["mean_level"] = lists["mean_level"].astype("Float64")
    for col in ("list_name", "list_head", "commune_name", "departement_code", "principles"):
        if col not in lists.columns:
            lists[col] = pd.NA
        lists[col] = lists[col].astype("str")
    lists["principles"] = lists["principles"].fillna("")
    return lists


def _factorize_ids(keys: pd.Series, values: pd.Series) -> tuple[np.ndarray, np.ndarray, int]:
    """Number ``keys`` and ``values`` (ids) in one sorted numbering.

    Returns ``(key_codes, value_codes, n)``: codes in ``0..n-1`` follow the sort
    order of the ids (``-1`` for a null id, which sorts first), so that integer
    codes can stand for the ids when grouping, sorting and matching. Grouping on
    the Arrow strings themselves is much slower.
    """
    both = pd.concat(
        [keys.reset_index(drop=True), values.reset_index(drop=True)], ignore_index=True
    )
    codes, uniques = pd.factorize(both, sort=True)
    codes = np.asarray(codes, dtype=np.int64)
    return codes[: len(keys)], codes[len(keys) :], len(uniques)


def _committed(commitments: pd.DataFrame, edition: Edition, lists: pd.DataFrame) -> pd.DataFrame:
    """Committed list × measure pairs of the edition's measures, for the given lists.

    Columns ``list_id, measure, level (Int64, null = not given), theme``, sorted by
    list then measure.
    """
    com = _select_edition(commitments, edition, "commitments")
    if com.empty:
        return pd.DataFrame(
            {
                "list_id": pd.Series(dtype="str"),
                "measure": pd.Series(dtype="int64"),
                "level": pd.Series(dtype="Int64"),
                "theme": pd.Series(dtype="str"),
            }
        )
    committed = _boolean(com["committed"]).fillna(False).astype(bool).to_numpy()
    com = com.loc[committed, ["list_id", "measure", "level"]]
    list_id = com["list_id"].astype("str")
    measure = pd.to_numeric(com["measure"]).astype("int64").to_numpy()
    level = pd.to_numeric(com["level"]).astype("Int64")
    known = level.notna().to_numpy()
    level_values = level.to_numpy(dtype="int64", na_value=0)

    # Position of each measure in the edition (-1: not in the edition).
    levels_of = {m.number: m.levels for m in edition.measures}
    themes_of = {m.number: (m.theme or UNASSIGNED_THEME) for m in edition.measures}
    numbers = pd.Index(list(levels_of), dtype="int64")
    pos = numbers.get_indexer(pd.Index(measure))
    in_edition = pos >= 0
    max_level = np.asarray(list(levels_of.values()), dtype="int64")[np.where(in_edition, pos, 0)]
    valid = known & (level_values >= 1) & (level_values <= max_level)

    # Lists: integer codes in the sort order of the ids (null ids: -1, first).
    list_codes, com_codes, n_ids = _factorize_ids(lists["list_id"].astype("str"), list_id)
    of_lists = np.zeros(n_ids + 1, dtype=bool)  # the last slot stands for a null id
    of_lists[list_codes] = True
    rows = np.flatnonzero(in_edition & of_lists[com_codes])

    # One pair counts once; keep the highest level given (null levels sort first).
    # One integer key (list, measure rank, level) sorts faster than three.
    n_numbers, max_level_all = len(numbers), int(edition.max_level)
    rank = np.argsort(np.argsort(numbers.to_numpy(), kind="stable"), kind="stable")
    sort_key = (com_codes[rows] + 1) * n_numbers + rank[pos[rows]]
    sort_key = sort_key * (max_level_all + 2) + np.where(valid, level_values, -1)[rows] + 1
    rows = rows[np.argsort(sort_key, kind="stable")]
    code, meas = com_codes[rows], measure[rows]
    last = np.ones(len(rows), dtype=bool)
    last[:-1] = (code[1:] != code[:-1]) | (meas[1:] != meas[:-1])
    rows = rows[last]

    theme_names = pd.array([themes_of[n] for n in numbers], dtype="str")
    out = pd.DataFrame(
        {
            "list_id": list_id.array.take(rows),
            "measure": measure[rows],
            "level": pd.arrays.IntegerArray(level_values[rows], ~valid[rows]),
            "theme": theme_names.take(pos[rows]),
        }
    )
    return out


def _of_lists(list_id: pd.Series, ids: pd.Series) -> np.ndarray:
    """Boolean mask: which ``list_id`` values (ids, codes) are among ``ids``.

    A fast ``isin`` for text ids: ``Series.isin`` on Arrow strings loops in Python.
    """
    id_codes, codes, n_ids = _factorize_ids(ids.astype("str"), list_id.astype("str"))
    member = np.zeros(n_ids + 1, dtype=bool)  # the last slot stands for a null id
    member[id_codes] = True
    return member[codes]


def _restrict(com: pd.DataFrame, ls: pd.DataFrame) -> pd.DataFrame:
    """The committed pairs of :func:`_committed` kept for the lists of ``ls`` only."""
    return com.loc[_of_lists(com["list_id"], ls["list_id"])].reset_index(drop=True)


def _theme_order(edition: Edition) -> list[str]:
    order = list(edition.themes)
    if any(not m.theme for m in edition.measures):
        order.append(UNASSIGNED_THEME)
    return order


def _share(num: pd.Series, den: pd.Series | float) -> pd.Series:
    """``100 * num / den`` as float, NaN where ``den`` is 0 or missing."""
    num_f = num.astype("Float64").astype("float64")
    if isinstance(den, pd.Series):
        den_f = den.astype("Float64").astype("float64")
        den_f = den_f.where(den_f > 0)
        return 100.0 * num_f / den_f
    if not den or np.isnan(den):
        return pd.Series(np.nan, index=num.index, dtype="float64")
    return 100.0 * num_f / float(den)


def _check_filters(
    communes: pd.DataFrame | None, departement: object, region: object, function: str
) -> None:
    """Refuse a département filter and a région filter that keep nothing together."""
    if departement is None or region is None or communes is None:
        return
    ref = _as_frame(communes)
    if not {"departement_code", "region_code"} <= set(ref.columns):
        return
    regions = set(ref.loc[ref["departement_code"] == departement, "region_code"].dropna())
    if regions and region not in regions:
        raise InvalidArgumentError(
            f"{function} : le département {departement} est dans la région "
            f"{', '.join(sorted(map(str, regions)))}, pas dans la région {region} : ces deux "
            "filtres ensemble ne gardent aucune ligne."
        )


def _prepare_communes(communes: pd.DataFrame, where: str = "pacte_analysis") -> pd.DataFrame:
    _check_table(communes, "communes", where)
    if "n_communes" in communes.columns:  # the territory layers count their communes
        layer = "pa.regions()" if "region_code" not in communes.columns else "pa.departements()"
        if "epci_type" in communes.columns:
            layer = "pa.epci()"
        raise PacteTypeError(
            f"{where} : la table donnée pour « communes » ressemble à {layer} (une ligne par "
            "territoire) : donnez les communes, `pa.communes()`."
        )
    ref = _as_frame(communes).copy()
    ref["code"] = ref["code"].astype("str")
    for col in ("name", "departement_code", "region_code", "epci_code"):
        if col not in ref.columns:
            ref[col] = pd.NA
        ref[col] = ref[col].astype("str")
    if "population" not in ref.columns:
        ref["population"] = pd.NA
    ref["population"] = pd.to_numeric(ref["population"]).astype("Int64")
    return ref.drop_duplicates("code")


def _join_flags(flags: np.ndarray, labels: Sequence[str], sep: str) -> np.ndarray:
    """Join, for each row of a boolean matrix, the labels of its true columns.

    Each distinct row pattern is formatted once (object array of str).
    """
    if flags.shape[0] == 0:
        return np.array([], dtype=object)
    patterns, inverse = np.unique(np.packbits(flags, axis=1), axis=0, return_inverse=True)
    unpacked = np.unpackbits(patterns, axis=1, count=flags.shape[1]).astype(bool)
    texts = np.array([sep.join(compress(labels, row)) for row in unpacked.tolist()], dtype=object)
    return texts[np.asarray(inverse).reshape(-1)]


def _measure_flags(
    row_codes: np.ndarray, measure: np.ndarray, n_rows: int, numbers: Sequence[int]
) -> np.ndarray:
    """Rows × measures boolean matrix (measures in ``numbers`` order)."""
    flags = np.zeros((n_rows, len(numbers)), dtype=bool)
    flags[row_codes, pd.Index(numbers).get_indexer(pd.Index(measure))] = True
    return flags


def _list_core(
    lists: pd.DataFrame,
    commitments: pd.DataFrame,
    ed: Edition,
    *,
    text: bool = True,
    where: str = "pacte_analysis",
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Compute :func:`list_summary` and the committed pairs in one pass.

    ``text=False`` leaves out the text columns ``measures, themes, n_themes``,
    which the other aggregates do not need. ``where`` names the public function
    in the error messages.
    """
    _check_table(lists, "lists", where)
    _check_table(commitments, "commitments", where)
    ls = _prepare_lists(lists, ed)
    com = _committed(commitments, ed, ls)
    letters = ed.principle_letters
    codes, uniques = pd.factorize(ls["principles"])
    per_value = [sum(c in str(p).upper() for c in letters) for p in uniques]
    ls["n_principles"] = np.asarray(per_value, dtype="int64")[codes]
    ls["all_principles"] = ls["n_principles"] == len(letters)

    # Integer codes of the lists (one per distinct id) instead of Arrow strings.
    list_codes, com_codes, n_ids = _factorize_ids(ls["list_id"], com["list_id"])
    list_codes = np.where(list_codes < 0, n_ids, list_codes)  # null id: extra slot
    com_codes = np.where(com_codes < 0, n_ids, com_codes)
    n_slots = n_ids + 1
    measure = com["measure"].to_numpy()
    top = {m.number: m.levels for m in ed.measures}
    is_top = (com["level"] == com["measure"].map(top)).fillna(False).to_numpy(dtype=bool)
    n_top = np.bincount(com_codes, weights=is_top, minlength=n_slots)
    ls["n_top_level"] = n_top.astype("int64")[list_codes]

    if text:
        numbers = sorted(ed.measure_numbers)
        flags = _measure_flags(com_codes, measure, n_slots, numbers)
        measures = _join_flags(flags, [str(n) for n in numbers], ", ")
        themes = [t for t in _theme_order(ed) if t != UNASSIGNED_THEME]
        theme_of = {m.number: (m.theme or UNASSIGNED_THEME) for m in ed.measures}
        by_theme = np.array([[theme_of[n] == t for t in themes] for n in numbers], dtype=bool)
        by_theme = by_theme.reshape(len(numbers), len(themes))
        theme_flags = (flags.astype(np.int64) @ by_theme.astype(np.int64)) > 0
        ls["measures"] = pd.array(measures[list_codes], dtype="str")
        ls["themes"] = pd.array(_join_flags(theme_flags, themes, " ; ")[list_codes], dtype="str")
        ls["n_themes"] = theme_flags.sum(axis=1).astype("int64")[list_codes]
    columns = [
        "list_id",
        "edition",
        "commune_code",
        "commune_name",
        "departement_code",
        "list_name",
        "list_head",
        "principles",
        "n_principles",
        "all_principles",
        "n_measures",
        "mean_level",
        "n_top_level",
        "signatory",
        "elected",
    ]
    if text:
        columns += ["measures", "themes", "n_themes"]
    if "edition" not in ls.columns:
        ls["edition"] = ed.name
    ls = ls.sort_values(["commune_code", "n_measures", "list_id"], ascending=[True, False, True])
    return ls[columns].reset_index(drop=True), com
