"""The registry of metrics and column labels.

Each :class:`Metric` declares its French label, unit, kind, the levels where it
exists and, for the territory levels, its computation: an aggregate of the
communes or lists of each territory, or a column derived from the ones before it
(a share). :func:`~pacte_analysis.analysis.territory_summary` is the registry
computed; a new territory metric is one new entry here.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, TypeVar, cast

import pandas as pd
from pandas.core.groupby import DataFrameGroupBy

from pacte_analysis.analysis._core import (
    _check_level,
    _share,
)
from pacte_analysis.errors import (
    UnknownCodeError,
)

__all__ = [
    "Metric",
    "TerritoryRows",
    "available_metrics",
    "column_label",
    "compute_territory_metrics",
    "labelled",
    "metric_info",
    "summary_output",
    "territory_metrics",
]

# --------------------------------------------------------------------------- metrics


@dataclass(frozen=True)
class TerritoryRows:
    """What territory metrics aggregate, each row tagged with its territory.

    Attributes
    ----------
    communes : DataFrame
        One row per reference commune: the columns of :func:`commune_summary`
        (``has_group``, ``has_signatory``, ``elected_signatory``, ``population``…).
    lists : DataFrame
        One row per list (``signatory``, ``n_measures``…).
    key : str
        The column of both frames holding the territory code.
    """

    communes: pd.DataFrame
    lists: pd.DataFrame
    key: str = "_territory"

    def group(self, of: str) -> DataFrameGroupBy:
        """The rows of ``of`` (``communes`` or ``lists``) grouped by territory."""
        frame = self.communes if of == "communes" else self.lists
        return frame.groupby(self.key, sort=True)


#: Computes one value per territory from its rows.
Aggregate = Callable[[TerritoryRows], pd.Series]
#: Computes a column from the columns computed before it (shares).
Derive = Callable[[pd.DataFrame], pd.Series]


@dataclass(frozen=True)
class Metric:
    """A metric column that maps can draw, declared with its computation.

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
    aggregate : callable, optional
        For territory levels: one value per territory from its communes and lists
        (:class:`TerritoryRows`).
    derive : callable, optional
        For territory levels: the column from the columns before it (shares).
    missing_is_zero : bool, default True
        A territory without any row has 0 (counts, populations of signatory
        communes); otherwise missing (total population, means).
    """

    name: str
    label: str
    unit: str
    kind: str
    levels: tuple[str, ...]
    aggregate: Aggregate | None = field(default=None, compare=False, repr=False)
    derive: Derive | None = field(default=None, compare=False, repr=False)
    missing_is_zero: bool = True


def _size(of: str) -> Aggregate:
    """Number of rows of ``of`` in each territory."""
    return lambda rows: rows.group(of).size()


def _count(of: str, flag: str) -> Aggregate:
    """Number of rows of ``of`` whose boolean ``flag`` is true (unknown counts as no)."""

    def aggregate(rows: TerritoryRows) -> pd.Series:
        frame = rows.communes if of == "communes" else rows.lists
        values = frame[flag].astype("boolean").fillna(False).astype("int64")
        return values.groupby(frame[rows.key], sort=True).sum()

    return aggregate


def _population(flag: str | None = None) -> Aggregate:
    """Known population of the communes (whose ``flag`` is true, when given).

    Populations sum the communes whose population is known (``population_missing``
    counts the others); a territory where no population is known at all (Mayotte in
    the 2020 reference) has missing populations, never 0 inhabitants.
    """

    def aggregate(rows: TerritoryRows) -> pd.Series:
        cs = rows.communes
        pop = cs["population"].astype("Float64").astype("float64")
        known = pop.notna().groupby(cs[rows.key], sort=True).any()
        if flag is not None:
            keep = cs[flag].astype("boolean").fillna(False).astype(bool)
            pop = pop.where(keep, 0.0)
        return pop.fillna(0.0).groupby(cs[rows.key], sort=True).sum().where(known)

    return aggregate


def _population_missing(rows: TerritoryRows) -> pd.Series:
    cs = rows.communes
    return cs["population"].isna().astype("int64").groupby(cs[rows.key], sort=True).sum()


def _mean(of: str, column: str) -> Aggregate:
    """Mean of ``column`` over the rows of ``of`` (missing values left out)."""
    return lambda rows: rows.group(of)[column].mean()


def _ratio(numerator: str, denominator: str) -> Derive:
    """``100 × numerator / denominator`` (NaN where the denominator is 0)."""
    return lambda out: _share(out[numerator], out[denominator])


_COMMUNE = ("commune",)
_TERRITORY = ("departement", "region", "epci")
_ALL = _COMMUNE + _TERRITORY

# In the order of the columns of territory_summary.
_METRICS: tuple[Metric, ...] = (
    Metric("n_communes", "Communes", "communes", "count", _TERRITORY, _size("communes")),
    Metric(
        "population",
        "Population municipale",
        "habitants",
        "population",
        _ALL,
        _population(),
        missing_is_zero=False,
    ),
    Metric(
        "population_missing",
        "Communes dont la population est inconnue",
        "communes",
        "count",
        _TERRITORY,
        _population_missing,
    ),
    # commune and territory
    Metric("n_lists", "Listes connues", "listes", "count", _ALL, _size("lists")),
    Metric(
        "n_signatory_lists",
        "Listes signataires",
        "listes",
        "count",
        _ALL,
        _count("lists", "signatory"),
    ),
    Metric(
        "mean_measures",
        "Nombre moyen de mesures par liste",
        "mesures",
        "mean",
        _TERRITORY,
        _mean("lists", "n_measures"),
        missing_is_zero=False,
    ),
    # commune only: columns of commune_summary
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
    Metric(
        "n_communes_group",
        "Communes avec au moins une liste connue",
        "communes",
        "count",
        _TERRITORY,
        _count("communes", "has_group"),
    ),
    Metric(
        "n_communes_signatory",
        "Communes avec une liste signataire",
        "communes",
        "count",
        _TERRITORY,
        _count("communes", "has_signatory"),
    ),
    Metric(
        "n_communes_elected_signatory",
        "Communes dont l'équipe élue a signé",
        "communes",
        "count",
        _TERRITORY,
        _count("communes", "elected_signatory"),
    ),
    Metric(
        "share_communes_group",
        "Part des communes avec au moins une liste connue",
        "%",
        "share",
        _TERRITORY,
        derive=_ratio("n_communes_group", "n_communes"),
    ),
    Metric(
        "share_communes_signatory",
        "Part des communes avec une liste signataire",
        "%",
        "share",
        _TERRITORY,
        derive=_ratio("n_communes_signatory", "n_communes"),
    ),
    Metric(
        "share_communes_elected_signatory",
        "Part des communes dont l'équipe élue a signé",
        "%",
        "share",
        _TERRITORY,
        derive=_ratio("n_communes_elected_signatory", "n_communes"),
    ),
    Metric(
        "population_signatory",
        "Population des communes avec une liste signataire",
        "habitants",
        "population",
        _TERRITORY,
        _population("has_signatory"),
        missing_is_zero=False,
    ),
    Metric(
        "population_elected_signatory",
        "Population des communes dont l'équipe élue a signé",
        "habitants",
        "population",
        _TERRITORY,
        _population("elected_signatory"),
        missing_is_zero=False,
    ),
    Metric(
        "share_population_signatory",
        "Part de la population vivant dans une commune avec une liste signataire",
        "%",
        "share",
        _TERRITORY,
        derive=_ratio("population_signatory", "population"),
    ),
    Metric(
        "share_population_elected_signatory",
        "Part de la population vivant dans une commune dont l'équipe élue a signé",
        "%",
        "share",
        _TERRITORY,
        derive=_ratio("population_elected_signatory", "population"),
    ),
)


def territory_metrics() -> tuple[Metric, ...]:
    """The metrics of the territory levels, in the order of :func:`territory_summary`."""
    return tuple(m for m in _METRICS if "departement" in m.levels)


def compute_territory_metrics(rows: TerritoryRows, codes: pd.Index) -> pd.DataFrame:
    """Every territory metric of the registry, one row per code of ``codes``.

    The aggregates are computed from ``rows`` and reindexed on ``codes`` (a
    territory without rows gets 0, or missing when the metric says so); the
    derived columns (shares) are then computed in registry order.
    """
    out = pd.DataFrame(index=codes)
    metrics = territory_metrics()
    for metric in metrics:
        if metric.aggregate is None:
            continue
        values = metric.aggregate(rows)
        values.index = values.index.astype("str")
        values = values.reindex(codes)
        if metric.kind == "mean":
            out[metric.name] = values.astype("float64")
        elif metric.missing_is_zero:
            out[metric.name] = values.fillna(0).round().astype("int64")
        else:
            out[metric.name] = values.round().astype("Int64")
    for metric in metrics:
        if metric.derive is not None:
            out[metric.name] = metric.derive(out)
    return out[[m.name for m in metrics]]


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
    "unit": ("Unité", ""),
    "metric": ("Indicateur", ""),
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
    "mean_level": ("Niveau d'ambition moyen", "de 1 à 3"),
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
    "win_rate": ("Part des listes élues, parmi celles au résultat connu", "%"),
    "difference": ("Écart signataires − autres", "points"),
    "mean_level_elected": ("Niveau d'ambition moyen des équipes élues", "de 1 à 3"),
    "share_not_elected": ("Part des listes non élues engagées", "%"),
    "share_unknown": ("Part des listes au résultat inconnu engagées", "%"),
    "measures_union": ("Numéros des mesures promises par au moins une liste", ""),
    "n_signatory_known": ("Communes à équipe élue signataire au résultat 2026 connu", "communes"),
    "n_signatory_reelected": (
        "Communes à équipe élue signataire dont le maire est réélu",
        "communes",
    ),
    "n_non_signatory": ("Communes dont l'équipe élue en 2020 n'a pas signé", "communes"),
    "n_non_signatory_known": (
        "Communes à équipe élue non signataire au résultat connu",
        "communes",
    ),
    "n_non_signatory_reelected": (
        "Communes à équipe élue non signataire dont le maire est réélu",
        "communes",
    ),
    "n_all": ("Toutes les communes", "communes"),
    "n_all_known": ("Communes au résultat 2026 connu", "communes"),
    "n_all_reelected": ("Communes dont le maire de 2020 est réélu", "communes"),
    "share_signatory_reelected": ("Part des maires réélus (équipes signataires)", "%"),
    "share_non_signatory_reelected": ("Part des maires réélus (équipes non signataires)", "%"),
    "share_all_reelected": ("Part des maires réélus (toutes les communes)", "%"),
    "share_expected_by_size": ("Part attendue d'après la taille des communes", "%"),
    "difference_by_size": ("Écart à la part attendue d'après la taille", "points"),
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


#: Labels of the columns whose meaning depends on the summary that made them
#: (``n_lists`` of :func:`measure_summary` counts the lists committed to the measure).
_SUMMARY_LABELS: dict[str, dict[str, tuple[str, str]]] = {
    "measure_summary": {
        "n_lists": ("Listes engagées sur la mesure", "listes"),
        "share_lists": ("Part des listes engagées sur la mesure", "%"),
        "n_elected": ("Équipes élues engagées sur la mesure", "listes"),
        "share_elected": ("Part des équipes élues engagées sur la mesure", "%"),
    },
    "theme_summary": {
        "n_measures": ("Mesures du thème", "mesures"),
        "n_lists": ("Listes engagées sur au moins une mesure du thème", "listes"),
        "share_lists": ("Part des listes engagées sur au moins une mesure du thème", "%"),
        "n_elected": ("Équipes élues engagées sur au moins une mesure du thème", "listes"),
        "share_elected": (
            "Part des équipes élues engagées sur au moins une mesure du thème",
            "%",
        ),
    },
    "win_rate": {
        "n_lists": ("Listes", "listes"),
        "n_elected": ("Listes élues", "listes"),
    },
    "compare_elected": {
        "n_lists": ("Listes", "listes"),
        "n_measures": ("Mesures du thème", "mesures"),
        "share_elected": ("Part des listes élues engagées", "%"),
        "difference": ("Écart élues − non élues", "points"),
    },
    "mandate_summary": {
        "n_signatory": ("Communes dont l'équipe élue en 2020 a signé", "communes"),
    },
}

#: Key of ``DataFrame.attrs`` naming the summary that made a table.
SUMMARY_ATTR = "pacte_summary"


def labelled(frame: pd.DataFrame, summary: str, *inputs: object) -> pd.DataFrame:
    """Tag ``frame`` with the summary that made it (and the demo flag of its inputs).

    :func:`column_label` then gives the columns the meaning they have in that
    summary, and maps or charts drawn from ``frame`` say that demo data are
    fictitious (:func:`pacte_analysis.tables.is_demo`).
    """
    from pacte_analysis.tables import is_demo, mark_demo

    frame.attrs[SUMMARY_ATTR] = summary
    if is_demo(*inputs):
        mark_demo(frame)
    return frame


_F = TypeVar("_F", bound=Callable[..., pd.DataFrame])


def summary_output(summary: str) -> Callable[[_F], _F]:
    """Decorate a public summary: its result is :func:`labelled` after its inputs."""

    def decorate(function: _F) -> _F:
        @functools.wraps(function)
        def wrapper(*args: Any, **kwargs: Any) -> pd.DataFrame:
            result = function(*args, **kwargs)
            inputs = [a for a in (*args, *kwargs.values()) if isinstance(a, pd.DataFrame)]
            return labelled(result, summary, *inputs)

        return cast(_F, wrapper)

    return decorate


def column_label(name: str, frame: pd.DataFrame | None = None) -> str:
    """French label of a column of the package's tables, with its unit in brackets.

    Parameters
    ----------
    name : str
        Column name.
    frame : DataFrame, optional
        The table holding the column: a column whose meaning depends on the summary
        that made the table (``n_lists`` of :func:`measure_summary` counts the lists
        committed to the measure) gets that summary's label.

    Examples
    --------
    >>> column_label("share_population_signatory")
    'Part de la population vivant dans une commune avec une liste signataire (%)'
    >>> column_label("n_level_2")
    'Listes engagées au niveau 2'
    >>> column_label("n_communes")
    'Communes'
    >>> column_label("a_user_column")
    'a_user_column'
    """
    summary = frame.attrs.get(SUMMARY_ATTR) if frame is not None else None
    override = _SUMMARY_LABELS.get(str(summary), {}).get(name)
    if override is not None:
        label, unit = override
    else:
        try:
            info = metric_info(name)
        except UnknownCodeError:
            return name
        label, unit = info.label, info.unit
    # « Communes (communes) », « Listes connues (listes) »: the unit is already said.
    if not unit or (" " not in unit and unit.casefold() in label.casefold()):
        return label
    return f"{label} ({unit})"
