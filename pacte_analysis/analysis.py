"""Metrics and comparisons on the canonical ``lists`` and ``commitments`` tables.

Pure pandas: every function takes DataFrames (and an edition) and returns a new
DataFrame; nothing is read from or written to disk. The tables follow the
contract of ``DESIGN.md``; the reference communes are a (Geo)DataFrame with the
columns ``code, name, departement_code, region_code, epci_code, population``
(COG 2020 municipal population, nullable).

Conventions
-----------
* A commitment counts when ``committed`` is true; each list × measure pair counts
  once. Measures that are not in the edition are ignored.
* ``elected`` is a nullable boolean: true, false or unknown (null). A commune's
  elected team is known to have signed when one of its lists is elected and
  signatory; it is known not to have signed when its elected list is not
  signatory, or when every known list of the commune lost (the winner then is a
  list the local group did not record, hence not a signatory). Otherwise it is
  unknown.
* Shares are percentages in 0–100 (floats); a share whose denominator is zero is
  NaN. Populations sum the communes whose population is known.
* Rows of another edition than the one given are left out, with a warning.
"""

from __future__ import annotations

import textwrap
import warnings
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from itertools import compress
from typing import Any, Literal

import numpy as np
import pandas as pd

from pacte_analysis.editions import Edition, read_edition
from pacte_analysis.errors import (
    InvalidArgumentError,
    MissingColumnsError,
    PacteTypeError,
    UnknownCodeError,
)

__all__ = [
    "ELECTED_STATUSES",
    "SIZE_CLASSES",
    "STATUS_CATEGORIES",
    "UNASSIGNED_THEME",
    "Metric",
    "available_metrics",
    "column_label",
    "commune_summary",
    "compare_elected",
    "compare_lists",
    "compare_size_classes",
    "compare_territories",
    "list_summary",
    "measure_summary",
    "metric_info",
    "size_class",
    "territory_summary",
    "theme_summary",
    "win_rate",
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

_TERRITORY_KEYS: dict[str, str] = {
    "departement": "departement_code",
    "region": "region_code",
    "epci": "epci_code",
}


#: Columns each input table must have, and a column that tells it apart from the
#: others (to report tables given in the wrong order).
_REQUIRED: dict[str, tuple[str, ...]] = {
    "lists": ("list_id", "commune_code", "signatory", "n_measures"),
    "commitments": ("list_id", "measure"),
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
    raise UnknownCodeError(f"{function} : {what} « {code} » inconnu{hint}")


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
    names = pd.Series(
        layer["name"].astype("string").to_numpy(), index=layer["code"].astype("string")
    )
    return names[~names.index.duplicated()]


# --------------------------------------------------------------------------- metrics


@dataclass(frozen=True)
class Metric:
    """A metric column that maps can draw.

    Attributes
    ----------
    name : str
        Column name in :func:`commune_summary` or :func:`territory_summary`.
    label : str
        French label (legend title).
    unit : str
        French unit (``%``, ``communes``, ``habitants``…; empty for categories).
    kind : str
        ``count``, ``share``, ``population``, ``mean`` or ``category``.
    levels : tuple of str
        Levels where the metric exists (``commune``, ``departement``, ``region``,
        ``epci``).
    """

    name: str
    label: str
    unit: str
    kind: str
    levels: tuple[str, ...]


_COMMUNE = ("commune",)
_TERRITORY = ("departement", "region", "epci")
_ALL = _COMMUNE + _TERRITORY

_METRICS: tuple[Metric, ...] = (
    # commune and territory
    Metric("n_lists", "Listes connues", "listes", "count", _ALL),
    Metric("n_signatory_lists", "Listes signataires", "listes", "count", _ALL),
    # commune only
    Metric("status", "Situation de la commune", "", "category", _COMMUNE),
    Metric(
        "best_n_measures",
        "Mesures de la liste la plus engagée",
        "mesures",
        "count",
        _COMMUNE,
    ),
    Metric("elected_n_measures", "Mesures de l'équipe élue", "mesures", "count", _COMMUNE),
    Metric(
        "n_measures_union",
        "Mesures promises par au moins une liste",
        "mesures",
        "count",
        _COMMUNE,
    ),
    # territories
    Metric("n_communes", "Communes", "communes", "count", _TERRITORY),
    Metric("population", "Population municipale", "habitants", "population", _ALL),
    Metric(
        "population_missing",
        "Communes dont la population est inconnue",
        "communes",
        "count",
        _TERRITORY,
    ),
    Metric(
        "n_communes_group",
        "Communes avec au moins une liste connue",
        "communes",
        "count",
        _TERRITORY,
    ),
    Metric(
        "n_communes_signatory",
        "Communes avec une liste signataire",
        "communes",
        "count",
        _TERRITORY,
    ),
    Metric(
        "n_communes_elected_signatory",
        "Communes dont l'équipe élue a signé",
        "communes",
        "count",
        _TERRITORY,
    ),
    Metric(
        "share_communes_group",
        "Part des communes avec au moins une liste connue",
        "%",
        "share",
        _TERRITORY,
    ),
    Metric(
        "share_communes_signatory",
        "Part des communes avec une liste signataire",
        "%",
        "share",
        _TERRITORY,
    ),
    Metric(
        "share_communes_elected_signatory",
        "Part des communes dont l'équipe élue a signé",
        "%",
        "share",
        _TERRITORY,
    ),
    Metric(
        "population_signatory",
        "Population des communes avec une liste signataire",
        "habitants",
        "population",
        _TERRITORY,
    ),
    Metric(
        "population_elected_signatory",
        "Population des communes dont l'équipe élue a signé",
        "habitants",
        "population",
        _TERRITORY,
    ),
    Metric(
        "share_population_signatory",
        "Part de la population vivant dans une commune avec une liste signataire",
        "%",
        "share",
        _TERRITORY,
    ),
    Metric(
        "share_population_elected_signatory",
        "Part de la population vivant dans une commune dont l'équipe élue a signé",
        "%",
        "share",
        _TERRITORY,
    ),
    Metric(
        "mean_measures",
        "Nombre moyen de mesures par liste",
        "mesures",
        "mean",
        _TERRITORY,
    ),
)


def available_metrics(level: str | None = None) -> pd.DataFrame:
    """List the metric columns that maps can draw, with a French label and unit.

    Parameters
    ----------
    level : {None, 'commune', 'departement', 'region', 'epci'}, default None
        Keep the metrics available at this level; ``None`` lists them all.

    Returns
    -------
    DataFrame
        Columns ``metric, label, unit, kind, levels`` (``levels`` is a
        comma-separated string), one row per metric.

    Examples
    --------
    >>> m = available_metrics("departement").set_index("metric")
    >>> m.loc["share_communes_signatory", ["label", "unit"]].tolist()
    ['Part des communes avec une liste signataire', '%']
    >>> "status" in available_metrics("commune")["metric"].tolist()
    True
    """
    if level is not None:
        _check_level(level, _ALL, "available_metrics")
    rows = [
        {
            "metric": m.name,
            "label": m.label,
            "unit": m.unit,
            "kind": m.kind,
            "levels": ",".join(m.levels),
        }
        for m in _METRICS
        if level is None or level in m.levels
    ]
    return pd.DataFrame(rows, columns=["metric", "label", "unit", "kind", "levels"])


def metric_info(name: str) -> Metric:
    """Return the :class:`Metric` called ``name``: its French label and unit.

    Every column the summaries produce is known: the metrics maps can draw
    (:func:`available_metrics`) and the other columns (``kind="column"``, no level).

    Raises
    ------
    KeyError
        With a French message listing the known metrics.

    Examples
    --------
    >>> metric_info("share_population_signatory").unit
    '%'
    """
    for m in _METRICS:
        if m.name == name:
            return m
    column = _column_info(name)
    if column is not None:  # a column of a summary that maps do not draw
        return Metric(name, column[0], column[1], "column", ())
    known = ", ".join(m.name for m in _METRICS)
    raise UnknownCodeError(
        f"Indicateur inconnu « {name} ». Indicateurs disponibles : {known}.", code="UNKNOWN_METRIC"
    )


#: French label and unit of the other columns the summaries produce (not mapped).
_COLUMN_LABELS: dict[str, tuple[str, str]] = {
    "code": ("Code", ""),
    "name": ("Nom", ""),
    "label": ("Intitulé", ""),
    "short_label": ("Intitulé court", ""),
    "edition": ("Édition", ""),
    "list_id": ("Identifiant de la liste", ""),
    "list_name": ("Nom de la liste", ""),
    "list_head": ("Tête de liste", ""),
    "commune_code": ("Code commune (INSEE)", ""),
    "commune_name": ("Commune", ""),
    "departement_code": ("Code département", ""),
    "region_code": ("Code région", ""),
    "epci_code": ("Code EPCI (SIREN)", ""),
    "principles": ("Principes signés", ""),
    "all_principles": ("Les trois principes signés", ""),
    "n_principles": ("Principes signés", "principes"),
    "signatory": ("Liste signataire", ""),
    "elected": ("Liste élue", ""),
    "n_measures": ("Mesures choisies", "mesures"),
    "mean_level": ("Niveau d'ambition moyen", "niveau (1 à 3)"),
    "n_top_level": ("Mesures au niveau le plus haut", "mesures"),
    "measures": ("Mesures choisies", ""),
    "themes": ("Thèmes", ""),
    "n_themes": ("Thèmes couverts", "thèmes"),
    "measure": ("Mesure", ""),
    "theme": ("Thème", ""),
    "title_confirmed": ("Intitulé confirmé par une source publique", ""),
    "has_group": ("Au moins une liste connue", ""),
    "has_signatory": ("Au moins une liste signataire", ""),
    "best_list_id": ("Identifiant de la liste la plus engagée", ""),
    "best_list_name": ("Liste la plus engagée", ""),
    "elected_list_id": ("Identifiant de la liste élue", ""),
    "elected_list_name": ("Liste élue", ""),
    "elected_signatory": ("L'équipe élue a signé", ""),
    "measures_union": ("Mesures promises par au moins une liste", ""),
    "n_lists_measure": ("Listes engagées", "listes"),
    "share_lists": ("Part des listes engagées", "%"),
    "n_elected": ("Équipes élues engagées", "listes"),
    "share_elected": ("Part des équipes élues engagées", "%"),
    "n_signatory": ("Listes signataires", "listes"),
    "share_signatory": ("Part des listes signataires", "%"),
    "median_measures": ("Nombre médian de mesures par liste", "mesures"),
    "n_commitments": ("Engagements (liste × mesure)", "engagements"),
    "n_elected_commitments": ("Engagements des équipes élues", "engagements"),
    "engagement_rate": ("Taux d'engagement des listes", "%"),
    "elected_engagement_rate": ("Taux d'engagement des équipes élues", "%"),
    "size_class": ("Taille de la commune", ""),
    "n_known": ("Listes au résultat connu", "listes"),
    "win_rate": ("Part des listes élues (résultat connu)", "%"),
    "difference": ("Écart signataires − autres", "points"),
    "mean_level_elected": ("Niveau d'ambition moyen des équipes élues", "niveau (1 à 3)"),
    "n_level_unknown": ("Listes engagées sans niveau précisé", "listes"),
    "n_elected_level_unknown": ("Équipes élues engagées sans niveau précisé", "listes"),
}


def _column_info(name: str) -> tuple[str, str] | None:
    if name in _COLUMN_LABELS:
        return _COLUMN_LABELS[name]
    for prefix, who in (("n_elected_level_", "Équipes élues"), ("n_level_", "Listes")):
        if name.startswith(prefix) and name[len(prefix) :].isdigit():
            return (f"{who} engagées au niveau {name[len(prefix) :]}", "listes")
    return None


def column_label(name: str) -> str:
    """French label of a column of the package's tables, with its unit in brackets.

    Examples
    --------
    >>> column_label("share_population_signatory")
    'Part de la population vivant dans une commune avec une liste signataire (%)'
    >>> column_label("n_level_2")
    'Listes engagées au niveau 2 (listes)'
    >>> column_label("a_user_column")
    'a_user_column'
    """
    try:
        info = metric_info(name)
    except UnknownCodeError:
        return name
    return f"{info.label} ({info.unit})" if info.unit else info.label


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
    keep = frame["edition"].astype("string").fillna(edition.name) == edition.name
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
    lists["list_id"] = lists["list_id"].astype("string")
    lists["commune_code"] = lists["commune_code"].astype("string")
    lists["signatory"] = _boolean(lists["signatory"]).fillna(False).astype(bool)
    lists["elected"] = _boolean(lists["elected"])
    lists["n_measures"] = pd.to_numeric(lists["n_measures"]).fillna(0).astype("int64")
    lists["mean_level"] = pd.to_numeric(lists["mean_level"]).astype("Float64")
    for col in ("list_name", "list_head", "commune_name", "departement_code", "principles"):
        if col not in lists.columns:
            lists[col] = pd.NA
        lists[col] = lists[col].astype("string")
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
                "list_id": pd.Series(dtype="string"),
                "measure": pd.Series(dtype="int64"),
                "level": pd.Series(dtype="Int64"),
                "theme": pd.Series(dtype="string"),
            }
        )
    committed = _boolean(com["committed"]).fillna(False).astype(bool).to_numpy()
    com = com.loc[committed, ["list_id", "measure", "level"]]
    list_id = com["list_id"].astype("string")
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
    list_codes, com_codes, n_ids = _factorize_ids(lists["list_id"].astype("string"), list_id)
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

    theme_names = pd.array([themes_of[n] for n in numbers], dtype="string")
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
    id_codes, codes, n_ids = _factorize_ids(ids.astype("string"), list_id.astype("string"))
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


def _prepare_communes(communes: pd.DataFrame, where: str = "pacte_analysis") -> pd.DataFrame:
    _check_table(communes, "communes", where)
    ref = _as_frame(communes).copy()
    ref["code"] = ref["code"].astype("string")
    for col in ("name", "departement_code", "region_code", "epci_code"):
        if col not in ref.columns:
            ref[col] = pd.NA
        ref[col] = ref[col].astype("string")
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
        ls["measures"] = pd.array(measures[list_codes], dtype="string")
        ls["themes"] = pd.array(_join_flags(theme_flags, themes, " ; ")[list_codes], dtype="string")
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


# --------------------------------------------------------------------------- per list


def list_summary(
    lists: pd.DataFrame,
    commitments: pd.DataFrame,
    edition: EditionLike = "pacte-2020",
) -> pd.DataFrame:
    """Summarise each list: measures, principles, signatory, mean level, themes.

    ``n_measures``, ``mean_level`` and ``signatory`` are taken from ``lists`` (the
    import computed them); the measures and themes come from ``commitments``.

    Parameters
    ----------
    lists, commitments : DataFrame
        Canonical tables (see ``DESIGN.md``).
    edition : Edition or str, default "pacte-2020"
        Measure catalogue (an :class:`~pacte_analysis.editions.Edition` or a name
        or path accepted by :func:`~pacte_analysis.editions.read_edition`).

    Returns
    -------
    DataFrame
        One row per list, sorted by commune then by decreasing number of measures:
        ``list_id, edition, commune_code, commune_name, departement_code,
        list_name, list_head, principles, n_principles, all_principles,
        n_measures, mean_level, n_top_level, signatory, elected, measures,
        themes, n_themes``. ``measures`` is the sorted measure numbers as text
        (``"1, 5, 7"``); ``themes`` the themes covered (at least one measure), in
        the edition's order, joined by `` ; ``; ``n_top_level`` counts the
        commitments at the measure's highest level.

    Examples
    --------
    >>> import pandas as pd
    >>> lists = pd.DataFrame({"list_id": ["l1"], "edition": ["pacte-2020"],
    ...     "commune_code": ["35238"], "principles": ["ABC"], "n_measures": [2],
    ...     "mean_level": [2.5], "signatory": [False], "elected": [pd.NA]})
    >>> com = pd.DataFrame({"list_id": ["l1", "l1"], "measure": [5, 14],
    ...     "committed": [True, True], "level": [2, 3]})
    >>> s = list_summary(lists, com)
    >>> print(s[["measures", "n_themes", "n_top_level", "themes"]].to_string(index=False))
    measures  n_themes  n_top_level                                  themes
       5, 14         2            1 agriculture et alimentation ; mobilités
    """
    ed = read_edition(edition)
    return _list_core(lists, commitments, ed, where="list_summary")[0]


# --------------------------------------------------------------------------- per commune


def _rank_lists(ls: pd.DataFrame) -> pd.DataFrame:
    """Sort lists so that the first row of each commune is its 'best' list."""
    return ls.sort_values(
        ["commune_code", "n_measures", "signatory", "mean_level", "list_id"],
        ascending=[True, False, False, False, True],
        na_position="last",
    )


def _display_name(ls: pd.DataFrame) -> pd.Series:
    return ls["list_name"].fillna(ls["list_head"]).fillna(ls["list_id"]).astype("string")


def commune_summary(
    lists: pd.DataFrame,
    commitments: pd.DataFrame,
    communes: pd.DataFrame | None = None,
    *,
    edition: EditionLike = "pacte-2020",
    include_empty: bool = False,
    departement: str | None = None,
    region: str | None = None,
) -> pd.DataFrame:
    """Summarise each commune: lists, signatories, best list, elected team.

    Parameters
    ----------
    lists, commitments : DataFrame
        Canonical tables.
    communes : (Geo)DataFrame, optional
        Reference communes (``code, name, departement_code, region_code,
        epci_code, population``). When given, their population, région and EPCI
        are added, and the official name is used.
    edition : Edition or str, default "pacte-2020"
    include_empty : bool, default False
        Also return the reference communes with no known list (``n_lists`` 0,
        the other counts 0, the list columns null). Needs ``communes``.
    departement, region : str, optional
        Keep the communes of this département (``"35"``, ``"2A"``) or région
        (``"53"``, needs ``communes``); codes are text.

    Returns
    -------
    DataFrame
        One row per commune, sorted by code:

        * ``commune_code, commune_name, departement_code`` (+ ``region_code,
          epci_code, population`` with ``communes``);
        * ``n_lists``, ``n_signatory_lists``, ``has_group`` (≥ 1 list known),
          ``has_signatory`` (≥ 1 signatory list);
        * ``best_list_id, best_list_name, best_n_measures``: the list with the most
          measures (ties: signatory first, then higher mean level, then id);
        * ``elected_list_id, elected_list_name, elected_n_measures``: the list
          marked elected (null when none is);
        * ``elected_signatory`` (nullable boolean): whether the elected team signed
          (see the module conventions for the unknown case);
        * ``measures_union`` (text) and ``n_measures_union``: measures promised by
          at least one list;
        * ``status``: ordered categorical, one of :data:`STATUS_CATEGORIES` (null
          for communes without lists).

    Examples
    --------
    >>> import pandas as pd
    >>> lists = pd.DataFrame({"list_id": ["a", "b"], "edition": "pacte-2020",
    ...     "commune_code": ["35238", "35238"], "principles": ["ABC", "AB"],
    ...     "n_measures": [10, 3], "mean_level": [None, None],
    ...     "signatory": [True, False], "elected": [False, True]})
    >>> com = pd.DataFrame({"list_id": ["a", "b"], "measure": [1, 2],
    ...     "committed": [True, True], "level": [None, None]})
    >>> s = commune_summary(lists, com)
    >>> print(s[["n_lists", "best_list_id", "elected_list_id", "elected_signatory",
    ...     "measures_union"]].to_string(index=False))
     n_lists best_list_id elected_list_id  elected_signatory measures_union
           2            a               b              False           1, 2
    >>> s.loc[0, "status"]
    'Liste signataire, non élue'
    """
    ed = read_edition(edition)
    ls, com = _list_core(lists, commitments, ed, where="commune_summary", text=False)
    out = _commune_core(
        ls, com, ed, communes, where="commune_summary", include_empty=include_empty, stacklevel=3
    )
    for value, column, what in (
        (departement, "departement_code", "département"),
        (region, "region_code", "région"),
    ):
        if value is None:
            continue
        if column not in out.columns:
            raise InvalidArgumentError(
                f"commune_summary : le filtre {what} demande le référentiel des communes "
                "(communes=pa.communes())."
            )
        known = _as_frame(communes)[column] if communes is not None else out[column]
        code = _check_code(value, known.dropna().astype(str), what, "commune_summary")
        out = out.loc[out[column] == code].reset_index(drop=True)
    return out


def _commune_core(
    ls: pd.DataFrame,
    com: pd.DataFrame,
    ed: Edition,
    communes: pd.DataFrame | None,
    *,
    include_empty: bool,
    stacklevel: int,
    where: str = "pacte_analysis",
) -> pd.DataFrame:
    """:func:`commune_summary` from the output of :func:`_list_core`."""
    ls = ls.copy()
    ls["display_name"] = _display_name(ls)
    ranked = _rank_lists(ls)
    g = ls.groupby("commune_code", sort=True)
    out = pd.DataFrame(
        {
            "commune_name": g["commune_name"].first(),
            "departement_code": g["departement_code"].first(),
            "n_lists": g.size().astype("int64"),
            "n_signatory_lists": g["signatory"].sum().astype("int64"),
        }
    )
    out.index.name = "commune_code"

    best = ranked.drop_duplicates("commune_code").set_index("commune_code")
    out["best_list_id"] = best["list_id"]
    out["best_list_name"] = best["display_name"]
    out["best_n_measures"] = best["n_measures"].astype("Int64")

    is_elected = ls["elected"].fillna(False).astype(bool)
    elected = _rank_lists(ls.loc[is_elected]).drop_duplicates("commune_code")
    elected = elected.set_index("commune_code")
    out["elected_list_id"] = elected["list_id"].reindex(out.index).astype("string")
    out["elected_list_name"] = elected["display_name"].reindex(out.index).astype("string")
    out["elected_n_measures"] = elected["n_measures"].reindex(out.index).astype("Int64")

    any_elected_signatory = (
        (ls["signatory"] & is_elected).groupby(ls["commune_code"]).any().reindex(out.index)
    )
    any_elected = is_elected.groupby(ls["commune_code"]).any().reindex(out.index)
    all_lost = (
        ls["elected"].eq(False).fillna(False).groupby(ls["commune_code"]).all().reindex(out.index)
    )
    elected_signatory = pd.Series(pd.NA, index=out.index, dtype="boolean")
    elected_signatory[all_lost.astype(bool)] = False
    elected_signatory[any_elected.astype(bool)] = any_elected_signatory[any_elected.astype(bool)]
    out["elected_signatory"] = elected_signatory

    # Measures promised in each commune: OR of its lists' lists × measures matrix.
    list_codes, com_codes, n_ids = _factorize_ids(ls["list_id"], com["list_id"])
    list_codes = np.where(list_codes < 0, n_ids, list_codes)
    com_codes = np.where(com_codes < 0, n_ids, com_codes)
    numbers = sorted(ed.measure_numbers)
    list_flags = _measure_flags(com_codes, com["measure"].to_numpy(), n_ids + 1, numbers)
    commune_codes, commune_ids = pd.factorize(ls["commune_code"])
    known = commune_codes >= 0
    n_communes, n_numbers = len(commune_ids), len(numbers)
    cells = commune_codes[known][:, None] * n_numbers + np.arange(n_numbers)
    union_flags = (
        np.bincount(
            cells.ravel(),
            weights=list_flags[list_codes[known]].ravel(),
            minlength=n_communes * n_numbers,
        ).reshape(n_communes, n_numbers)
        > 0
    )
    union_index = pd.Index(commune_ids, name="commune_code")
    union_text = pd.Series(
        _join_flags(union_flags, [str(n) for n in numbers], ", "), index=union_index
    )
    n_union = pd.Series(union_flags.sum(axis=1), index=union_index)
    out["measures_union"] = union_text.reindex(out.index).astype("string").fillna("")
    out["n_measures_union"] = n_union.reindex(out.index).fillna(0).astype("int64")
    out["has_group"] = out["n_lists"] > 0
    out["has_signatory"] = out["n_signatory_lists"] > 0

    status = pd.Series(STATUS_CATEGORIES[0], index=out.index, dtype="object")
    status[out["has_signatory"] & out["elected_signatory"].isna()] = STATUS_CATEGORIES[1]
    status[out["has_signatory"] & out["elected_signatory"].eq(False).fillna(False)] = (
        STATUS_CATEGORIES[2]
    )
    status[out["elected_signatory"].fillna(False).astype(bool)] = STATUS_CATEGORIES[3]
    out["status"] = pd.Categorical(status, categories=STATUS_CATEGORIES, ordered=True)
    out = out.reset_index()

    columns = [
        "commune_code",
        "commune_name",
        "departement_code",
        "n_lists",
        "n_signatory_lists",
        "has_group",
        "has_signatory",
        "best_list_id",
        "best_list_name",
        "best_n_measures",
        "elected_list_id",
        "elected_list_name",
        "elected_n_measures",
        "elected_signatory",
        "measures_union",
        "n_measures_union",
        "status",
    ]
    out = out[columns]
    if communes is None:
        if include_empty:
            raise ValueError("include_empty=True demande le référentiel des communes (communes).")
        return out.sort_values("commune_code").reset_index(drop=True)

    ref = _prepare_communes(communes, where=where)[
        ["code", "name", "departement_code", "region_code", "epci_code", "population"]
    ].rename(columns={"code": "commune_code", "departement_code": "ref_departement_code"})
    unknown = pd.Series(~_of_lists(out["commune_code"], ref["commune_code"]), index=out.index)
    if unknown.any():
        warnings.warn(
            f"{int(unknown.sum())} commune(s) des listes absente(s) du référentiel : "
            f"{', '.join(out.loc[unknown, 'commune_code'].head(5))}…",
            stacklevel=stacklevel,
        )
    out = out.merge(ref, on="commune_code", how="outer" if include_empty else "left")
    out["commune_name"] = out["name"].fillna(out["commune_name"]).astype("string")
    out["departement_code"] = (
        out["ref_departement_code"].fillna(out["departement_code"]).astype("string")
    )
    for col in ("n_lists", "n_signatory_lists", "n_measures_union"):
        out[col] = out[col].fillna(0).astype("int64")
    for col in ("has_group", "has_signatory"):
        out[col] = out[col].astype("boolean").fillna(False).astype(bool)
    out["measures_union"] = out["measures_union"].fillna("").astype("string")
    columns[3:3] = ["region_code", "epci_code", "population"]
    return out[columns].sort_values("commune_code").reset_index(drop=True)


# --------------------------------------------------------------------------- territories


def territory_summary(
    lists: pd.DataFrame,
    commitments: pd.DataFrame,
    communes: pd.DataFrame,
    *,
    level: TerritoryLevel = "departement",
    territories: pd.DataFrame | None = None,
    edition: EditionLike = "pacte-2020",
    departement: str | None = None,
    region: str | None = None,
    total: bool = False,
) -> pd.DataFrame:
    """Summarise each département, région or EPCI, including those without data.

    Lists are placed in a territory through the reference commune of their
    ``commune_code`` (lists of a commune missing from ``communes`` are left out,
    with a warning). Communes without a code at ``level`` (the four single-commune
    islands have no EPCI) are left out of that level.

    Parameters
    ----------
    lists, commitments : DataFrame
        Canonical tables.
    communes : (Geo)DataFrame
        Reference communes with ``code, departement_code, region_code, epci_code,
        population``. Every territory of this table appears in the result.
    level : {'departement', 'region', 'epci'}, default 'departement'
    territories : DataFrame, optional
        ``code, name`` of the territories of ``level`` (e.g.
        ``pacte_analysis.departements()``): gives the names, and adds the
        territories without any commune in ``communes``. Without it the names
        are read from the reference cache (the code when it cannot be read).
    edition : Edition or str, default "pacte-2020"
    departement, region : str, optional
        Keep the territories that have communes in this département (``"35"``)
        or région (``"53"``): the départements of a région, the EPCI of a
        département. Shares keep their own territory's denominators.
    total : bool, default False
        Add a last row « France entière » (code ``FR``) computed on every commune
        of ``communes`` (not only on the rows kept by a filter).

    Returns
    -------
    DataFrame
        One row per territory, sorted by code: ``code, name, n_communes,
        population`` (known populations summed; missing, ``<NA>``, when no
        commune of the territory has a known population),
        ``population_missing`` (communes whose population is unknown),
        ``n_lists, n_signatory_lists,
        mean_measures`` (mean ``n_measures`` of its lists), ``n_communes_group``
        (≥ 1 list known), ``n_communes_signatory`` (≥ 1 signatory list),
        ``n_communes_elected_signatory``, the matching ``share_communes_*`` (% of
        ``n_communes``), ``population_signatory``,
        ``population_elected_signatory`` and ``share_population_*`` (% of
        ``population``). Territories without data have zero counts.

    Examples
    --------
    >>> import pandas as pd
    >>> communes = pd.DataFrame({"code": ["01001", "01002", "02001"],
    ...     "departement_code": ["01", "01", "02"], "region_code": ["84", "84", "32"],
    ...     "epci_code": [None, None, None], "population": [100, 300, 50]})
    >>> lists = pd.DataFrame({"list_id": ["a"], "edition": "pacte-2020",
    ...     "commune_code": ["01002"], "principles": ["ABC"], "n_measures": [12],
    ...     "mean_level": [None], "signatory": [True], "elected": [True]})
    >>> com = pd.DataFrame(columns=["list_id", "measure", "committed", "level"])
    >>> t = territory_summary(lists, com, communes, level="departement")
    >>> t[["code", "n_communes_signatory", "share_population_signatory"]].values.tolist()
    [['01', 1, 75.0], ['02', 0, 0.0]]
    """
    _check_level(level, _TERRITORY_KEYS, "territory_summary")
    key = _TERRITORY_KEYS[level]
    ed = read_edition(edition)
    ls, com = _list_core(lists, commitments, ed, where="territory_summary", text=False)
    cs = _commune_core(
        ls, com, ed, communes, where="territory_summary", include_empty=True, stacklevel=3
    )
    ref = _prepare_communes(communes, where="territory_summary")
    cs = cs.loc[_of_lists(cs["commune_code"], ref["code"])]
    cs = cs.merge(
        ref[["code", key]].rename(columns={"code": "commune_code", key: "_territory"}),
        on="commune_code",
        how="left",
    )
    cs = cs.loc[cs["_territory"].notna()]
    known_pop = cs["population"].notna().to_numpy()
    pop = cs["population"].astype("Float64").fillna(0.0).astype("float64")
    elected_signatory = cs["elected_signatory"].fillna(False).astype(bool)
    g = cs.groupby("_territory")
    out = pd.DataFrame(
        {
            "n_communes": g.size(),
            "population": pop.where(known_pop).groupby(cs["_territory"]).sum(min_count=1),
            "population_missing": pd.Series((~known_pop).astype("int64"), index=cs.index)
            .groupby(cs["_territory"])
            .sum(),
            "n_communes_group": g["has_group"].sum(),
            "n_communes_signatory": g["has_signatory"].sum(),
            "n_communes_elected_signatory": elected_signatory.groupby(cs["_territory"]).sum(),
            "population_signatory": pop.where(cs["has_signatory"], 0.0)
            .groupby(cs["_territory"])
            .sum(),
            "population_elected_signatory": pop.where(elected_signatory, 0.0)
            .groupby(cs["_territory"])
            .sum(),
        }
    )
    ls = ls.merge(
        ref[["code", key]].rename(columns={"code": "commune_code", key: "_territory"}),
        on="commune_code",
        how="inner",
    )
    lg = ls.groupby("_territory")
    out["n_lists"] = lg.size()
    out["n_signatory_lists"] = lg["signatory"].sum()
    out["mean_measures"] = lg["n_measures"].mean()

    codes = pd.Index(sorted(set(out.index.astype(str))), dtype="string")
    names: pd.Series | None = None
    if territories is not None:
        terr = _as_frame(territories)
        terr_codes = terr["code"].astype("string")
        codes = pd.Index(sorted(set(codes) | set(terr_codes.dropna())), dtype="string")
        if "name" in terr.columns:
            names = pd.Series(terr["name"].astype("string").to_numpy(), index=terr_codes)
            names = names[~names.index.duplicated()]
    if names is None:
        names = _territory_names(level)
    out.index = out.index.astype("string")
    out = out.reindex(codes)
    counts = [
        "population_missing",
        "n_communes",
        "n_communes_group",
        "n_communes_signatory",
        "n_communes_elected_signatory",
        "n_lists",
        "n_signatory_lists",
    ]
    for col in counts:
        out[col] = out[col].fillna(0).astype("int64")
    out["population"] = out["population"].round().astype("Int64")
    for col in ("population_signatory", "population_elected_signatory"):
        out[col] = out[col].fillna(0).round().astype("int64")
    if total:
        out.loc[FRANCE_CODE] = _national_row(out)
    out["mean_measures"] = out["mean_measures"].astype("float64")
    for what in ("group", "signatory", "elected_signatory"):
        out[f"share_communes_{what}"] = _share(out[f"n_communes_{what}"], out["n_communes"])
    for what in ("signatory", "elected_signatory"):
        out[f"share_population_{what}"] = _share(out[f"population_{what}"], out["population"])
    out.index.name = "code"
    out = out.reset_index()
    if names is not None:
        names = pd.concat([names, pd.Series({FRANCE_CODE: FRANCE_NAME}, dtype="string")])
        out.insert(1, "name", out["code"].map(names).fillna(out["code"]).astype("string"))
    else:
        out.insert(1, "name", out["code"].astype("string"))
    out.loc[out["code"] == FRANCE_CODE, "name"] = FRANCE_NAME
    if departement is not None or region is not None:
        out = _filter_territories(out, ref, key, departement, region, "territory_summary")
    columns = [
        "code",
        "name",
        "n_communes",
        "population",
        "population_missing",
        "n_lists",
        "n_signatory_lists",
        "mean_measures",
        "n_communes_group",
        "n_communes_signatory",
        "n_communes_elected_signatory",
        "share_communes_group",
        "share_communes_signatory",
        "share_communes_elected_signatory",
        "population_signatory",
        "population_elected_signatory",
        "share_population_signatory",
        "share_population_elected_signatory",
    ]
    out = out[columns].reset_index(drop=True)
    out.attrs["level"] = level
    return out


def _national_row(out: pd.DataFrame) -> dict[str, Any]:
    """Whole-country totals of a per-territory table (before its shares)."""
    row: dict[str, Any] = {c: out[c].sum() for c in out.columns if c != "mean_measures"}
    row["population"] = out["population"].sum(min_count=1)
    weights = out["n_lists"].where(out["mean_measures"].notna(), 0)
    row["mean_measures"] = (
        float((out["mean_measures"].fillna(0) * weights).sum() / weights.sum())
        if weights.sum()
        else np.nan
    )
    return row


def _filter_territories(
    out: pd.DataFrame,
    ref: pd.DataFrame,
    key: str,
    departement: str | None,
    region: str | None,
    function: str,
) -> pd.DataFrame:
    """Keep the rows of ``out`` whose territory has communes in ``departement``/``region``."""
    keep = pd.Series(True, index=ref.index)
    if departement is not None:
        code = _check_code(departement, ref["departement_code"].dropna(), "département", function)
        keep &= ref["departement_code"] == code
    if region is not None:
        code = _check_code(region, ref["region_code"].dropna(), "région", function)
        keep &= ref["region_code"] == code
    codes = set(ref.loc[keep, key].dropna())
    return out.loc[out["code"].isin(codes) | (out["code"] == FRANCE_CODE)]


# --------------------------------------------------------------------------- measures


def _level_counts(com: pd.DataFrame, by: str, max_level: int, prefix: str) -> pd.DataFrame:
    level = com["level"].astype("Int64")
    cols: dict[str, pd.Series] = {}
    for lv in range(1, max_level + 1):
        cols[f"{prefix}level_{lv}"] = (level == lv).fillna(False).groupby(com[by]).sum()
    cols[f"{prefix}level_unknown"] = level.isna().groupby(com[by]).sum()
    return pd.DataFrame(cols)


def measure_summary(
    lists: pd.DataFrame,
    commitments: pd.DataFrame,
    edition: EditionLike = "pacte-2020",
    *,
    signatory_only: bool = False,
) -> pd.DataFrame:
    """Count, for each measure, the lists and elected teams that committed to it.

    Parameters
    ----------
    lists, commitments : DataFrame
        Canonical tables.
    edition : Edition or str, default "pacte-2020"
    signatory_only : bool, default False
        Count only the signatory lists (denominators too).

    Returns
    -------
    DataFrame
        One row per measure of the edition (also those nobody chose), in order:
        ``measure, label, short_label, theme, title_confirmed``; ``n_lists``,
        ``share_lists`` (% of the lists considered), ``n_level_1`` …
        ``n_level_<max>``, ``n_level_unknown``, ``mean_level``; the same for the
        elected lists: ``n_elected, share_elected`` (% of elected lists),
        ``n_elected_level_1`` … ``n_elected_level_unknown``,
        ``mean_level_elected``. ``label`` never invents a title (« Mesure N » when
        unconfirmed); ``short_label`` is at most 48 characters (cut between words,
        with « … »); ``theme`` is :data:`UNASSIGNED_THEME` for measures without one.

    Examples
    --------
    >>> import pandas as pd
    >>> lists = pd.DataFrame({"list_id": ["a", "b"], "edition": "pacte-2020",
    ...     "commune_code": ["35238", "35238"], "principles": ["ABC", "ABC"],
    ...     "n_measures": [1, 1], "mean_level": [2.0, None],
    ...     "signatory": [False, False], "elected": [True, False]})
    >>> com = pd.DataFrame({"list_id": ["a", "b"], "measure": [13, 13],
    ...     "committed": [True, True], "level": [2, None]})
    >>> m = measure_summary(lists, com)
    >>> print(m.loc[m["measure"] == 13, ["label", "n_lists", "share_lists", "n_level_2",
    ...     "n_level_unknown", "n_elected"]].to_string(index=False))
        label  n_lists  share_lists  n_level_2  n_level_unknown  n_elected
    Mesure 13        2        100.0          1                1          1
    """
    ed = read_edition(edition)
    ls, com = _list_core(lists, commitments, ed, where="measure_summary", text=False)
    if signatory_only:
        ls = ls.loc[ls["signatory"]]
        com = _restrict(com, ls)
    elected_ids = set(ls.loc[ls["elected"].fillna(False).astype(bool), "list_id"])
    n_total = len(ls)
    n_elected_total = len(elected_ids)
    numbers = pd.Index(ed.measure_numbers, name="measure")
    out = pd.DataFrame(
        {
            "label": [m.label for m in ed.measures],
            "short_label": [_shorter(m.short_label) for m in ed.measures],
            "theme": [m.theme or UNASSIGNED_THEME for m in ed.measures],
            "title_confirmed": [m.title_confirmed for m in ed.measures],
        },
        index=numbers,
    )
    out["n_lists"] = com.groupby("measure").size().reindex(numbers).fillna(0).astype("int64")
    out["share_lists"] = _share(out["n_lists"], float(n_total))
    levels = _level_counts(com, "measure", ed.max_level, "n_").reindex(numbers).fillna(0)
    out = out.join(levels.astype("int64"))
    out["mean_level"] = (
        com.groupby("measure")["level"].mean().reindex(numbers).astype("Float64").astype(float)
    )
    ecom = com.loc[_of_lists(com["list_id"], pd.Series(list(elected_ids), dtype="string"))]
    out["n_elected"] = ecom.groupby("measure").size().reindex(numbers).fillna(0).astype("int64")
    out["share_elected"] = _share(out["n_elected"], float(n_elected_total))
    elevels = _level_counts(ecom, "measure", ed.max_level, "n_elected_")
    out = out.join(elevels.reindex(numbers).fillna(0).astype("int64"))
    out["mean_level_elected"] = (
        ecom.groupby("measure")["level"].mean().reindex(numbers).astype("Float64").astype(float)
    )
    for col in ("label", "short_label", "theme"):
        out[col] = out[col].astype("string")
    return out.reset_index()


_SHORT_LABEL = 48


def _shorter(label: str) -> str:
    """A short label that is short: at most 48 characters, cut between words.

    Examples
    --------
    >>> _shorter("3. Sobriété, efficacité énergétique et 100 % d'énergie renouvelable et locale")
    '3. Sobriété, efficacité énergétique et 100 % …'
    """
    if len(label) <= _SHORT_LABEL:
        return label
    return textwrap.shorten(label, _SHORT_LABEL, placeholder=" …")


def win_rate(
    lists: pd.DataFrame,
    commitments: pd.DataFrame,
    communes: pd.DataFrame | None = None,
    edition: EditionLike = "pacte-2020",
) -> pd.DataFrame:
    """Do signatory lists win more often than the others? Overall and by commune size.

    The reverse view of :func:`compare_elected`: among the lists whose result is
    known, the share that was elected, for signatory lists and for the others.

    Parameters
    ----------
    lists, commitments : DataFrame
        Canonical tables.
    communes : (Geo)DataFrame, optional
        Reference communes (``code``, ``population``): adds one pair of rows per
        commune size class (:data:`SIZE_CLASSES`).
    edition : Edition or str, default "pacte-2020"

    Returns
    -------
    DataFrame
        ``size_class`` (« Toutes les communes » first, « Population inconnue »
        last when some communes have none), ``signatory`` (bool),
        ``n_lists``, ``n_known`` (result known), ``n_elected``, ``win_rate`` (% of
        ``n_known``; NaN when no result is known) and ``difference`` (points of
        win rate of the signatory lists over the others, on the signatory row).

    Examples
    --------
    >>> import pandas as pd
    >>> lists = pd.DataFrame({"list_id": list("abcd"), "edition": "pacte-2020",
    ...     "commune_code": ["35238"] * 4, "principles": ["ABC"] * 4,
    ...     "n_measures": [12, 12, 0, 0], "mean_level": [None] * 4,
    ...     "signatory": [True, True, False, False], "elected": [True, False, False, None]})
    >>> com = pd.DataFrame(columns=["list_id", "measure", "committed", "level"])
    >>> win_rate(lists, com)[["signatory", "n_known", "n_elected", "win_rate"]].values.tolist()
    [[True, 2, 1, 50.0], [False, 1, 0, 0.0]]
    """
    ed = read_edition(edition)
    ls, _ = _list_core(lists, commitments, ed, where="win_rate", text=False)
    groups: list[tuple[str, pd.DataFrame]] = [("Toutes les communes", ls)]
    if communes is not None:
        ref = _prepare_communes(communes, where="win_rate")
        pop = ls["commune_code"].map(pd.Series(ref["population"].to_numpy(), index=ref["code"]))
        classes = size_class(pop)
        groups += [
            (label, ls.loc[(classes == label).fillna(False).to_numpy(dtype=bool)])
            for _, label in SIZE_CLASSES
        ]
        unknown = classes.isna().to_numpy()
        if unknown.any():  # e.g. Mayotte: no population, no size class, never dropped
            groups.append(("Population inconnue", ls.loc[unknown]))
    rows = []
    for label, sub in groups:
        for signed in (True, False):
            part = sub.loc[sub["signatory"] == signed]
            known = part["elected"].notna()
            n_known = int(known.sum())
            n_elected = int(part["elected"].fillna(False).astype(bool).sum())
            rows.append(
                {
                    "size_class": label,
                    "signatory": signed,
                    "n_lists": len(part),
                    "n_known": n_known,
                    "n_elected": n_elected,
                    "win_rate": 100.0 * n_elected / n_known if n_known else np.nan,
                }
            )
    out = pd.DataFrame(rows)
    out["size_class"] = out["size_class"].astype("string")
    gap = out["win_rate"].where(out["signatory"]).to_numpy()
    other = out["win_rate"].where(~out["signatory"]).shift(-1).to_numpy()
    out["difference"] = np.where(out["signatory"], gap - other, np.nan)
    return out


def theme_summary(
    lists: pd.DataFrame,
    commitments: pd.DataFrame,
    edition: EditionLike = "pacte-2020",
    *,
    signatory_only: bool = False,
) -> pd.DataFrame:
    """Count, for each theme, the lists and elected teams that committed to it.

    Parameters
    ----------
    lists, commitments : DataFrame
        Canonical tables.
    edition : Edition or str, default "pacte-2020"
        Its measures without a theme are grouped as :data:`UNASSIGNED_THEME`.
    signatory_only : bool, default False
        Count only the signatory lists.

    Returns
    -------
    DataFrame
        One row per theme, in the edition's order: ``theme, n_measures`` (measures
        of the theme), ``n_lists`` (lists with ≥ 1 measure of the theme),
        ``share_lists``, ``n_commitments`` (list × measure pairs),
        ``engagement_rate`` (% of the possible list × measure pairs:
        ``n_commitments / (lists × n_measures)``), level counts
        ``n_level_1`` … ``n_level_unknown`` (over commitments), and the same for
        the elected lists (``n_elected, share_elected, n_elected_commitments,
        elected_engagement_rate, n_elected_level_*``).

    Examples
    --------
    >>> import pandas as pd
    >>> lists = pd.DataFrame({"list_id": ["a", "b"], "edition": "pacte-2020",
    ...     "commune_code": ["35238", "35238"], "principles": ["ABC", "ABC"],
    ...     "n_measures": [2, 0], "mean_level": [None, None],
    ...     "signatory": [False, False], "elected": [True, False]})
    >>> com = pd.DataFrame({"list_id": ["a", "a"], "measure": [14, 15],
    ...     "committed": [True, True], "level": [1, 3]})
    >>> t = theme_summary(lists, com)
    >>> print(t.loc[t["theme"] == "mobilités", ["n_measures", "n_lists", "share_lists",
    ...     "n_commitments", "engagement_rate", "n_elected"]].to_string(index=False))
     n_measures  n_lists  share_lists  n_commitments  engagement_rate  n_elected
              2        1         50.0              2             50.0          1
    """
    ed = read_edition(edition)
    ls, com = _list_core(lists, commitments, ed, where="theme_summary", text=False)
    if signatory_only:
        ls = ls.loc[ls["signatory"]]
        com = _restrict(com, ls)
    elected_ids = set(ls.loc[ls["elected"].fillna(False).astype(bool), "list_id"])
    n_total, n_elected_total = len(ls), len(elected_ids)
    themes = pd.Index(_theme_order(ed), name="theme", dtype="string")
    per_theme = pd.Series([m.theme or UNASSIGNED_THEME for m in ed.measures]).value_counts()
    out = pd.DataFrame(index=themes)
    out["n_measures"] = per_theme.reindex(themes).fillna(0).astype("int64")
    for prefix, sub, total in (
        ("", com, n_total),
        (
            "elected_",
            com.loc[_of_lists(com["list_id"], pd.Series(list(elected_ids), dtype="string"))],
            n_elected_total,
        ),
    ):
        n_name = "n_elected" if prefix else "n_lists"
        share_name = "share_elected" if prefix else "share_lists"
        g = sub.groupby("theme")
        out[n_name] = g["list_id"].nunique().reindex(themes).fillna(0).astype("int64")
        out[share_name] = _share(out[n_name], float(total))
        out[f"n_{prefix}commitments"] = g.size().reindex(themes).fillna(0).astype("int64")
        out[f"{prefix}engagement_rate"] = _share(
            out[f"n_{prefix}commitments"], out["n_measures"] * total
        )
        counts = _level_counts(sub, "theme", ed.max_level, f"n_{prefix}")
        counts.index = counts.index.astype("string")
        out = out.join(counts.reindex(themes).fillna(0).astype("int64"))
    return out.reset_index()


# --------------------------------------------------------------------------- comparisons


def compare_lists(
    commune_code: str,
    lists: pd.DataFrame,
    commitments: pd.DataFrame,
    edition: EditionLike = "pacte-2020",
    *,
    values: Literal["committed", "level", "label"] = "committed",
    columns: Literal["list_name", "list_id"] = "list_name",
    mark_elected: bool = True,
) -> pd.DataFrame:
    """Put the lists of one commune side by side: a measure × list matrix.

    Parameters
    ----------
    commune_code : str
        INSEE code of the commune (``"35238"``), or its name (``"Rennes"``,
        ``"Saint-Denis (93)"``), resolved like the import does: an ambiguous or
        unknown name raises an error listing the candidates.
    lists, commitments : DataFrame
        Canonical tables.
    edition : Edition or str, default "pacte-2020"
    values : {'committed', 'level', 'label'}, default 'committed'
        Cell content: ``committed`` a boolean; ``level`` the level (nullable
        integer, null when not committed or not given); ``label`` a French text
        for tables: ``"N2"``, ``"✓"`` (committed, level not given) or ``""``.
    columns : {'list_name', 'list_id'}, default 'list_name'
        Column labels: the list's name (its head, then its id, when missing;
        the id is appended to duplicate names) or its id.
    mark_elected : bool, default True
        Append « (élue) » to the name of the elected list (``columns="list_name"``).

    Returns
    -------
    DataFrame
        Index: the edition's measure numbers (``measure``); first column
        ``label`` (the measure's French label), then one column per list,
        ordered by decreasing number of measures. ``df.attrs["lists"]`` keeps the
        list ids in column order.

    Raises
    ------
    UnknownCodeError
        No list is known in that commune, or the name is unknown or ambiguous
        (French message with the candidates); a ``KeyError``.
    InvalidArgumentError
        ``values`` or ``columns`` not one of the allowed values.

    Examples
    --------
    >>> import pandas as pd
    >>> lists = pd.DataFrame({"list_id": ["a", "b"], "edition": "pacte-2020",
    ...     "commune_code": ["35238", "35238"], "list_name": ["Verts", "Bleus"],
    ...     "principles": ["ABC", "ABC"], "n_measures": [2, 1],
    ...     "mean_level": [None, None], "signatory": [False, False],
    ...     "elected": [None, None]})
    >>> com = pd.DataFrame({"list_id": ["a", "a", "b"], "measure": [1, 2, 2],
    ...     "committed": [True, True, True], "level": [3, None, 1]})
    >>> m = compare_lists("35238", lists, com, values="label")
    >>> m.loc[[1, 2], ["Verts", "Bleus"]].values.tolist()
    [['N3', ''], ['✓', 'N1']]
    """
    for arg, value, allowed in (
        ("values", values, ("committed", "level", "label")),
        ("columns", columns, ("list_name", "list_id")),
    ):
        if value not in allowed:
            raise InvalidArgumentError(
                f"compare_lists : {arg}=« {value} » inconnu ; valeurs possibles : "
                f"{', '.join(allowed)}."
            )
    ed = read_edition(edition)
    ls, com = _list_core(lists, commitments, ed, where="compare_lists", text=False)
    commune_code = _commune_of(commune_code, ls)
    ls = _rank_lists(ls.loc[ls["commune_code"] == str(commune_code)])
    if ls.empty:
        raise UnknownCodeError(
            f"compare_lists : aucune liste connue pour la commune {commune_code}.",
            code="NO_LIST",
        )
    com = _restrict(com, ls)
    numbers = pd.Index(ed.measure_numbers, name="measure")
    if columns == "list_id":
        names = ls["list_id"].astype(str).tolist()
    else:
        base = _display_name(ls).astype(str).tolist()
        dupes = {n for n in base if base.count(n) > 1}
        names = [
            f"{n} ({lid})" if n in dupes else n
            for n, lid in zip(base, ls["list_id"].astype(str), strict=True)
        ]
    out = pd.DataFrame({"label": [m.label for m in ed.measures]}, index=numbers)
    out["label"] = out["label"].astype("string")
    if mark_elected and columns == "list_name":
        elected = ls["elected"].fillna(False).astype(bool).tolist()
        names = [f"{n} (élue)" if e else n for n, e in zip(names, elected, strict=True)]
    for lid, name in zip(ls["list_id"].astype(str), names, strict=True):
        sub = com.loc[com["list_id"] == lid].set_index("measure")["level"]
        committed = pd.Series(numbers.isin(sub.index), index=numbers)
        level = sub.reindex(numbers).astype("Int64")
        if values == "committed":
            out[name] = committed
        elif values == "level":
            out[name] = level
        else:
            text = [
                ("" if not c else ("✓" if pd.isna(lv) else f"N{int(lv)}"))
                for c, lv in zip(committed, level, strict=True)
            ]
            out[name] = pd.Series(text, index=numbers, dtype="string")
    out.attrs["lists"] = ls["list_id"].astype(str).tolist()
    out.attrs["commune_code"] = str(commune_code)
    return out


def _commune_of(value: object, ls: pd.DataFrame) -> str:
    """An INSEE code from a code or a commune name (resolved like the import)."""
    if not isinstance(value, str):
        raise PacteTypeError(
            "compare_lists : donnez le code INSEE (texte, « 35238 ») ou le nom de la "
            f"commune, pas {type(value).__name__} « {value} »."
        )
    text = value.strip()
    if text in set(ls["commune_code"].dropna()):
        return text
    if len(text) == 5 and (text[:2].isdigit() or text[:2] in ("2A", "2B")) and text[2:].isdigit():
        return text  # a code without lists: reported by the caller
    from pacte_analysis.reference import resolve_commune

    res = resolve_commune(name=text)
    if res.code is not None:
        return res.code
    candidates = ", ".join(f"{c.name} ({c.departement_code}, {c.code})" for c in res.candidates[:8])
    what = "ambiguë" if res.reason == "AMBIGUOUS_COMMUNE" else "inconnue"
    hint = f" Candidates : {candidates}." if candidates else ""
    raise UnknownCodeError(
        f"compare_lists : commune « {text} » {what}.{hint} Précisez le département "
        "(« Saint-Denis (93) ») ou donnez le code INSEE.",
        code=res.reason or "UNKNOWN_COMMUNE",
    )


def _elected_status(elected: pd.Series) -> pd.Series:
    status = np.where(
        elected.isna(),
        ELECTED_STATUSES[2],
        np.where(elected.fillna(False).astype(bool), ELECTED_STATUSES[0], ELECTED_STATUSES[1]),
    )
    return pd.Series(
        pd.Categorical(status, categories=ELECTED_STATUSES, ordered=True), index=elected.index
    )


def compare_elected(
    lists: pd.DataFrame,
    commitments: pd.DataFrame,
    edition: EditionLike = "pacte-2020",
    *,
    by: Literal["status", "measure", "theme"] = "status",
) -> pd.DataFrame:
    """Compare the elected lists with the others (and those whose result is unknown).

    Parameters
    ----------
    lists, commitments : DataFrame
        Canonical tables.
    edition : Edition or str, default "pacte-2020"
    by : {'status', 'measure', 'theme'}, default 'status'
        ``status``: one row per outcome (:data:`ELECTED_STATUSES`) with
        ``n_lists, n_signatory, share_signatory, mean_measures, median_measures,
        mean_level``. ``measure``: one row per measure with
        ``share_elected, share_not_elected, share_unknown`` (% of the lists of
        each outcome committing to it) and ``difference`` (elected minus not
        elected, in points). ``theme``: the same per theme, as engagement rates
        (% of the theme's measures committed, averaged over the lists).

    Returns
    -------
    DataFrame

    Examples
    --------
    >>> import pandas as pd
    >>> lists = pd.DataFrame({"list_id": ["a", "b", "c"], "edition": "pacte-2020",
    ...     "commune_code": ["1", "1", "2"], "principles": ["ABC"] * 3,
    ...     "n_measures": [12, 4, 10], "mean_level": [None] * 3,
    ...     "signatory": [True, False, True], "elected": [True, False, None]})
    >>> com = pd.DataFrame(columns=["list_id", "measure", "committed", "level"])
    >>> c = compare_elected(lists, com)
    >>> c[["status", "n_lists", "share_signatory", "mean_measures"]].values.tolist()
    [['Élue', 1, 100.0, 12.0], ['Non élue', 1, 0.0, 4.0], ['Résultat inconnu', 1, 100.0, 10.0]]
    """
    ed = read_edition(edition)
    ls, com = _list_core(lists, commitments, ed, where="compare_elected", text=False)
    ls["status"] = _elected_status(ls["elected"])
    if by == "status":
        g = ls.groupby("status", observed=False)
        out = pd.DataFrame(
            {
                "n_lists": g.size().astype("int64"),
                "n_signatory": g["signatory"].sum().astype("int64"),
                "mean_measures": g["n_measures"].mean().astype("float64"),
                "median_measures": g["n_measures"].median().astype("float64"),
                "mean_level": g["mean_level"].mean().astype("Float64").astype("float64"),
            }
        )
        out.insert(2, "share_signatory", _share(out["n_signatory"], out["n_lists"]))
        out.index = pd.CategoricalIndex(
            out.index, categories=ELECTED_STATUSES, ordered=True, name="status"
        )
        return out.reset_index()

    com = com.merge(ls[["list_id", "status"]], on="list_id")
    n_per_status = ls.groupby("status", observed=False).size()
    suffix = {
        ELECTED_STATUSES[0]: "elected",
        ELECTED_STATUSES[1]: "not_elected",
        ELECTED_STATUSES[2]: "unknown",
    }
    if by == "measure":
        index = pd.Index(ed.measure_numbers, name="measure")
        out = pd.DataFrame(
            {
                "label": [m.short_label for m in ed.measures],
                "theme": [m.theme or UNASSIGNED_THEME for m in ed.measures],
            },
            index=index,
        )
        counts = com.groupby(["measure", "status"], observed=False).size().unstack("status")
        for status, name in suffix.items():
            col = counts[status] if status in counts.columns else pd.Series(dtype=float)
            out[f"share_{name}"] = _share(
                col.reindex(index).fillna(0), float(n_per_status.get(status, 0))
            )
    elif by == "theme":
        index = pd.Index(_theme_order(ed), name="theme", dtype="string")
        per_theme = pd.Series([m.theme or UNASSIGNED_THEME for m in ed.measures]).value_counts()
        n_measures = per_theme.reindex(index).fillna(0).astype(float)
        out = pd.DataFrame({"n_measures": n_measures.astype("int64")}, index=index)
        counts = com.groupby(["theme", "status"], observed=False).size().unstack("status")
        counts.index = counts.index.astype("string")
        for status, name in suffix.items():
            col = counts[status] if status in counts.columns else pd.Series(dtype=float)
            out[f"share_{name}"] = _share(
                col.reindex(index).fillna(0),
                n_measures * float(n_per_status.get(status, 0)),
            )
    else:
        raise ValueError(f"by doit valoir 'status', 'measure' ou 'theme', pas « {by} ».")
    out["difference"] = out["share_elected"] - out["share_not_elected"]
    for text_col in ("label", "theme"):
        if text_col in out.columns:
            out[text_col] = out[text_col].astype("string")
    return out.reset_index()


def size_class(population: pd.Series | Sequence[float | None] | Iterable[Any]) -> pd.Series:
    """Classify communes by population into INSEE-style size brackets.

    The brackets (:data:`SIZE_CLASSES`) follow those INSEE uses for the
    population of communes, with the two thresholds of the 2020 municipal
    ballot: 1 000 inhabitants (list ballot with parity from 1 000 up, so
    « listes » below it are rare) and 3 500 (the former threshold). Lower bounds
    are inclusive: < 500, 500–999, 1 000–1 999, 2 000–3 499, 3 500–4 999,
    5 000–9 999, 10 000–19 999, 20 000–49 999, 50 000–99 999, ≥ 100 000.

    Parameters
    ----------
    population : Series or array-like of numbers
        Null populations give a null class.

    Returns
    -------
    Series
        Ordered categorical of the French labels (same index as a Series input),
        named ``size_class``.

    Examples
    --------
    >>> size_class([499, 500, None]).tolist()
    ['Moins de 500 hab.', '500 à 999 hab.', nan]
    >>> size_class([3500, 150000]).str.replace("\u202f", " ").tolist()
    ['3 500 à 4 999 hab.', '100 000 hab. ou plus']
    """
    if isinstance(population, pd.Series):
        index = population.index
        values = pd.to_numeric(population).astype("Float64").to_numpy(dtype=float, na_value=np.nan)
    else:
        values = (
            pd.to_numeric(pd.Series(list(population), dtype="object"))
            .astype("Float64")
            .to_numpy(dtype=float, na_value=np.nan)
        )
        index = pd.RangeIndex(len(values))
    bins = [float(lo) for lo, _ in SIZE_CLASSES] + [np.inf]
    labels = [label for _, label in SIZE_CLASSES]
    cat = pd.cut(values, bins=bins, labels=labels, right=False, ordered=True)
    return pd.Series(cat, index=index, name="size_class")


def compare_size_classes(
    lists: pd.DataFrame,
    commitments: pd.DataFrame,
    communes: pd.DataFrame,
    edition: EditionLike = "pacte-2020",
) -> pd.DataFrame:
    """Compare commune size classes (see :func:`size_class`).

    Communes whose population is unknown are left out.

    Parameters
    ----------
    lists, commitments : DataFrame
        Canonical tables.
    communes : (Geo)DataFrame
        Reference communes with ``code, population``.
    edition : Edition or str, default "pacte-2020"

    Returns
    -------
    DataFrame
        One row per size class (all classes, in order): ``size_class,
        n_communes, population, n_communes_group, n_communes_signatory,
        n_communes_elected_signatory, share_communes_group,
        share_communes_signatory, share_communes_elected_signatory, n_lists,
        n_signatory_lists, mean_measures, population_signatory,
        population_elected_signatory``.

    Examples
    --------
    >>> import pandas as pd
    >>> communes = pd.DataFrame({"code": ["1", "2", "3"], "population": [200, 300, 1500]})
    >>> lists = pd.DataFrame({"list_id": ["a"], "edition": "pacte-2020",
    ...     "commune_code": ["3"], "principles": ["ABC"], "n_measures": [10],
    ...     "mean_level": [None], "signatory": [True], "elected": [None]})
    >>> com = pd.DataFrame(columns=["list_id", "measure", "committed", "level"])
    >>> c = compare_size_classes(lists, com, communes)
    >>> c.loc[[0, 2], ["n_communes", "n_communes_signatory", "share_communes_signatory"]
    ...     ].values.tolist()
    [[2.0, 0.0, 0.0], [1.0, 1.0, 100.0]]
    """
    ed = read_edition(edition)
    ls_all, com = _list_core(lists, commitments, ed, where="compare_size_classes", text=False)
    cs = _commune_core(
        ls_all, com, ed, communes, where="compare_size_classes", include_empty=True, stacklevel=3
    )
    cs["size_class"] = size_class(cs["population"]).to_numpy()
    cs = cs.loc[cs["size_class"].notna()]
    pop = cs["population"].astype("Float64").astype("float64")
    elected_signatory = cs["elected_signatory"].fillna(False).astype(bool)
    key = cs["size_class"]
    g = cs.groupby(key, observed=False)
    out = pd.DataFrame(
        {
            "n_communes": g.size(),
            "population": pop.groupby(key, observed=False).sum(),
            "n_communes_group": g["has_group"].sum(),
            "n_communes_signatory": g["has_signatory"].sum(),
            "n_communes_elected_signatory": elected_signatory.groupby(key, observed=False).sum(),
        }
    )
    for what in ("group", "signatory", "elected_signatory"):
        out[f"share_communes_{what}"] = _share(out[f"n_communes_{what}"], out["n_communes"])
    ls = ls_all.merge(cs[["commune_code", "size_class"]], on="commune_code", how="inner")
    lg = ls.groupby("size_class", observed=False)
    out["n_lists"] = lg.size()
    out["n_signatory_lists"] = lg["signatory"].sum()
    out["mean_measures"] = lg["n_measures"].mean()
    out["population_signatory"] = (
        pop.where(cs["has_signatory"], 0.0).groupby(key, observed=False).sum()
    )
    out["population_elected_signatory"] = (
        pop.where(elected_signatory, 0.0).groupby(key, observed=False).sum()
    )
    out = out.reindex(
        pd.CategoricalIndex(
            [label for _, label in SIZE_CLASSES],
            categories=[label for _, label in SIZE_CLASSES],
            ordered=True,
            name="size_class",
        )
    )
    ints = [
        "n_communes",
        "population",
        "n_communes_group",
        "n_communes_signatory",
        "n_communes_elected_signatory",
        "n_lists",
        "n_signatory_lists",
        "population_signatory",
        "population_elected_signatory",
    ]
    for col in ints:
        out[col] = out[col].fillna(0).round().astype("int64")
    out["mean_measures"] = out["mean_measures"].astype("float64")
    return out.reset_index()


def compare_territories(
    a: str,
    b: str,
    lists: pd.DataFrame,
    commitments: pd.DataFrame,
    communes: pd.DataFrame,
    *,
    level: TerritoryLevel = "departement",
    territories: pd.DataFrame | None = None,
    edition: EditionLike = "pacte-2020",
    measures: bool = True,
) -> pd.DataFrame:
    """Put two départements, régions or EPCI side by side, with France for scale.

    Parameters
    ----------
    a, b : str
        Codes of the two territories, as text (``"35"``, ``"2A"``; ``"53"`` for a
        région).
    lists, commitments : DataFrame
        Canonical tables.
    communes : (Geo)DataFrame
        Reference communes.
    level : {'departement', 'region', 'epci'}, default 'departement'
    territories : DataFrame, optional
        ``code, name`` of the territories; by default the names are read from the
        reference cache.
    edition : Edition or str, default "pacte-2020"
    measures : bool, default True
        Add one row per measure (``measure_<n>``: % of the territory's lists that
        committed to it) and one per theme (``theme_<theme>``: % of its lists with
        at least one measure of the theme).

    Returns
    -------
    DataFrame
        One row per metric (index ``metric``): ``label`` and ``unit`` (French), one
        column per territory headed « Name (code) », ``Écart (B − A)`` (the second
        minus the first) and ``France entière``. Values are shown as people read
        them: counts and populations as integers, shares and means rounded to one
        decimal (object columns; missing values are ``None``).

    Raises
    ------
    PacteTypeError
        A code given as a number (``35`` instead of ``"35"``).
    UnknownCodeError
        A code that is not a territory of ``level`` (``"2a"``: « vouliez-vous dire
        2A ? »).

    Examples
    --------
    >>> import pandas as pd
    >>> communes = pd.DataFrame({"code": ["01001", "02001"],
    ...     "departement_code": ["01", "02"], "region_code": ["84", "32"],
    ...     "epci_code": [None, None], "population": [100, 50]})
    >>> lists = pd.DataFrame({"list_id": ["a"], "edition": "pacte-2020",
    ...     "commune_code": ["01001"], "principles": ["ABC"], "n_measures": [12],
    ...     "mean_level": [None], "signatory": [True], "elected": [True]})
    >>> com = pd.DataFrame(columns=["list_id", "measure", "committed", "level"])
    >>> c = compare_territories("01", "02", lists, com, communes)
    >>> c.loc["n_communes_signatory"].tolist()[2:]
    [1, 0, -1, 1]
    """
    summary = territory_summary(
        lists,
        commitments,
        communes,
        level=level,
        territories=territories,
        edition=edition,
        total=True,
    ).set_index("code")
    what = _LEVEL_WORDS[level]
    known = [c for c in summary.index if c != FRANCE_CODE]
    codes = [_check_code(c, known, what, "compare_territories") for c in (a, b)]
    metrics = available_metrics(level)
    labels = dict(zip(metrics["metric"], metrics["label"], strict=True))
    units = dict(zip(metrics["metric"], metrics["unit"], strict=True))
    kinds = {m.name: m.kind for m in _METRICS}
    names = [m for m in summary.columns if m != "name"]
    rows: dict[str, dict[str, Any]] = {}
    headers = [f"{summary.at[c, 'name']!s} ({c})" for c in codes]
    columns = [*headers, FRANCE_NAME]
    for name in names:
        info = _metric_or_none(name)
        rows[name] = {
            "label": info.label if info else labels.get(name, name),
            "unit": info.unit if info else units.get(name, ""),
            "kind": info.kind if info else kinds.get(name, "mean"),
            **{
                col: summary.at[code, name]
                for col, code in zip(columns, [*codes, FRANCE_CODE], strict=True)
            },
        }
    if measures:
        rows.update(_territory_measure_rows(lists, commitments, communes, level, edition, codes))
        for name in list(rows):
            if name.startswith(("measure_", "theme_")):
                values = rows[name]
                values.update(
                    {
                        columns[i]: values.pop(k)
                        for i, k in enumerate([*codes, FRANCE_CODE])
                        if k in values
                    }
                )
    out = pd.DataFrame.from_dict(rows, orient="index")
    out.index.name = "metric"
    diff = f"Écart ({codes[1]} − {codes[0]})"
    integral = out["kind"].isin(["count", "population"])
    table = pd.DataFrame(index=out.index)
    table["label"] = out["label"].astype("string")
    table["unit"] = out["unit"].astype("string")
    numeric = out[[*headers, FRANCE_NAME]].apply(pd.to_numeric, errors="coerce")
    numeric.insert(2, diff, numeric[headers[1]] - numeric[headers[0]])
    for col in numeric.columns:
        table[col] = pd.Series(
            [_readable(v, bool(i)) for v, i in zip(numeric[col], integral, strict=True)],
            index=table.index,
            dtype=object,
        )
    return table


def _readable(value: Any, integral: bool) -> Any:
    """A number as people read it: an int for counts, one decimal otherwise."""
    if value is None or pd.isna(value):
        return None
    return round(float(value)) if integral else round(float(value), 1) + 0.0  # no -0.0


def _metric_or_none(name: str) -> Metric | None:
    for metric in _METRICS:
        if metric.name == name:
            return metric
    return None


def _territory_measure_rows(
    lists: pd.DataFrame,
    commitments: pd.DataFrame,
    communes: pd.DataFrame,
    level: str,
    edition: EditionLike,
    codes: Sequence[str],
) -> dict[str, dict[str, Any]]:
    """Rows ``measure_<n>`` and ``theme_<theme>`` of :func:`compare_territories`."""
    ed = read_edition(edition)
    ls, com = _list_core(lists, commitments, ed, text=False, where="compare_territories")
    ref = _prepare_communes(communes, where="compare_territories")
    key = _TERRITORY_KEYS[level]
    where = ls["commune_code"].map(pd.Series(ref[key].to_numpy(), index=ref["code"]))
    groups = {code: set(ls.loc[where == code, "list_id"]) for code in codes}
    groups[FRANCE_CODE] = set(ls.loc[where.notna(), "list_id"])
    theme_of = {m.number: (m.theme or UNASSIGNED_THEME) for m in ed.measures}
    rows: dict[str, dict[str, Any]] = {}
    for m in ed.measures:
        rows[f"measure_{m.number}"] = {
            "label": m.label,
            "unit": "% des listes",
            "kind": "share",
        }
    for theme in _theme_order(ed):
        rows[f"theme_{theme}"] = {
            "label": f"Thème : {theme}",
            "unit": "% des listes",
            "kind": "share",
        }
    com = com.assign(theme=com["measure"].map(theme_of))
    for code, ids in groups.items():
        sub = com.loc[com["list_id"].isin(ids)]
        n = len(ids)
        per_measure = sub.groupby("measure")["list_id"].nunique()
        per_theme = sub.groupby("theme")["list_id"].nunique()
        for m in ed.measures:
            rows[f"measure_{m.number}"][code] = (
                100.0 * per_measure.get(m.number, 0) / n if n else np.nan
            )
        for theme in _theme_order(ed):
            rows[f"theme_{theme}"][code] = 100.0 * per_theme.get(theme, 0) / n if n else np.nan
    return rows
