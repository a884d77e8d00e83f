"""The registry of metrics and column labels (French label, unit, kind, levels)."""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

from pacte_analysis.analysis._core import (
    _check_level,
)
from pacte_analysis.errors import (
    UnknownCodeError,
)

__all__ = [
    "Metric",
    "available_metrics",
    "column_label",
    "metric_info",
]

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
