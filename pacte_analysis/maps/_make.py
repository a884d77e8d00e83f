"""One map from the canonical tables: metric, level, format chosen by name.

This is what ``pacte map`` and the notebooks call: it computes the metric with
:mod:`pacte_analysis.analysis`, joins it to the reference geometry (``print``
resolution for PNG/SVG/PDF, ``web`` for HTML) and draws it.
"""

from __future__ import annotations

import datetime as _dt
import warnings
from collections.abc import Sequence
from pathlib import Path
from typing import Literal

import geopandas as gpd
import numpy as np
import pandas as pd

from pacte_analysis import analysis, reference, tables
from pacte_analysis._style import DEFAULT_SOURCE, NO_DATA_LABEL, SEQUENTIAL_CMAP
from pacte_analysis.editions import DEFAULT_EDITION, Edition, read_edition
from pacte_analysis.errors import InvalidArgumentError, MissingColumnsError, PacteTypeError
from pacte_analysis.maps._checks import zoom_code as _zoom_code

__all__ = ["MAP_FORMATS", "MapError", "draw_map", "draw_maps", "map_data"]

MapLevel = Literal["commune", "departement", "region", "epci"]
#: Output formats of :func:`draw_map`, by file suffix.
MAP_FORMATS = (".png", ".svg", ".pdf", ".html")
_LEVEL_LABELS = {
    "commune": "par commune",
    "departement": "par département",
    "region": "par région",
    "epci": "par intercommunalité",
}
#: Metrics added as switchable layers to an HTML map, after the one asked for.
_HTML_COMPANIONS = {
    "commune": ("status", "n_signatory_lists", "best_n_measures"),
    "departement": ("share_communes_signatory", "share_population_signatory", "n_lists"),
    "region": ("share_communes_signatory", "share_population_signatory", "n_lists"),
    "epci": ("share_communes_signatory", "share_population_signatory", "n_lists"),
}
_STATUS_COLORS = {
    # ColorBrewer YlGnBu steps: readable by colour-blind readers, ordered by engagement.
    "Listes connues, aucune signataire": "#edf8b1",
    "Liste signataire, résultat inconnu": "#7fcdbb",
    "Liste signataire, non élue": "#2c7fb8",
    "Équipe élue signataire": "#081d58",
}


class MapError(InvalidArgumentError):
    """A map that cannot be drawn as asked (French message)."""

    code = "INVALID_MAP"


def _layer(level: str, resolution: reference._layers.Resolution) -> gpd.GeoDataFrame:
    loaders = {
        "commune": reference.communes,
        "departement": reference.departements,
        "region": reference.regions,
        "epci": reference.epci,
    }
    return loaders[level](resolution=resolution)


def map_data(
    lists: pd.DataFrame,
    commitments: pd.DataFrame,
    *,
    level: MapLevel = "departement",
    resolution: reference._layers.Resolution = "print",
    edition: Edition | str = DEFAULT_EDITION,
    demo: bool | None = None,
) -> gpd.GeoDataFrame:
    """Every unit of ``level`` with its geometry and all its metrics.

    Parameters
    ----------
    lists, commitments : DataFrame
        Canonical tables (see the README).
    level : {"commune", "departement", "region", "epci"}
    resolution : {"full", "print", "web"}, default "print"
    edition : Edition or str
    demo : bool, optional
        Flag the result as fictitious demo data (:func:`~pacte_analysis.tables.mark_demo`),
        so that the maps drawn from it say so. Default: flagged when ``lists`` or
        ``commitments`` are (tables read from a demo folder).

    Returns
    -------
    geopandas.GeoDataFrame
        For communes: :func:`~pacte_analysis.commune_summary` of every commune, with
        the commune metrics set to missing where no list is known (they are « no
        data », not zero). For territories: :func:`~pacte_analysis.territory_summary`.
    """
    ed = read_edition(edition)
    if level not in _LEVEL_LABELS:
        raise MapError(
            f"map_data : niveau inconnu « {level} » ; niveaux possibles : "
            f"{', '.join(_LEVEL_LABELS)}."
        )
    geo = _layer(level, resolution)
    if level == "commune":
        summary = analysis.commune_summary(lists, commitments, geo, edition=ed, include_empty=True)
        no_list = summary["n_lists"].fillna(0).to_numpy() == 0
        metrics = analysis.available_metrics("commune")
        counts = metrics.loc[~metrics["kind"].isin(["category", "population"]), "metric"]
        for metric in counts:  # the population of a commune is known without any list
            if metric in summary:
                summary[metric] = summary[metric].astype("Float64").mask(no_list)
        data = summary.rename(columns={"commune_code": "code", "commune_name": "name_summary"})
        keep = geo[["code", "name", "geometry"]]
        out = keep.merge(data, on="code", how="left", suffixes=("", "_summary"))
    else:
        communes = reference.communes(resolution="web").drop(columns="geometry")
        summary = analysis.territory_summary(
            lists, commitments, communes, level=level, territories=geo, edition=ed
        )
        cols = [c for c in ("code", "departement_code", "region_code") if c in geo]
        out = geo[[*cols, "geometry"]].merge(
            summary.drop(columns=[c for c in cols if c != "code"], errors="ignore"),
            on="code",
            how="left",
        )
    result = gpd.GeoDataFrame(out, geometry="geometry", crs=geo.crs)
    result.attrs.pop(tables.DEMO_ATTR, None)
    if _demo(demo, lists, commitments):
        tables.mark_demo(result)
    return result


def _demo(demo: bool | None, *frames: object) -> bool:
    """``demo`` when given, otherwise whether one of ``frames`` is flagged as demo data."""
    return tables.is_demo(*frames) if demo is None else bool(demo)


def draw_map(
    lists: pd.DataFrame,
    commitments: pd.DataFrame,
    out: str | Path,
    *,
    metric: str,
    level: MapLevel = "departement",
    departement: str | None = None,
    region: str | None = None,
    demo: bool | None = None,
    source: str | None = None,
    scheme: str | None = None,
    k: int = 5,
    edition: Edition | str = DEFAULT_EDITION,
    date: _dt.date | None = None,
    values: pd.Series | pd.DataFrame | None = None,
    label: str | None = None,
    unit: str = "",
    missing_label: str | None = None,
) -> Path:
    """Compute ``metric`` at ``level`` and write it as a map file.

    Parameters
    ----------
    lists, commitments : DataFrame
        Canonical tables.
    out : str or Path
        ``.png`` (300 dpi), ``.svg``, ``.pdf`` (print) or ``.html`` (interactive).
    metric : str
        One of :func:`~pacte_analysis.available_metrics` for ``level``, or the
        name of the user's own column given in ``values``.
    level : {"commune", "departement", "region", "epci"}, default "departement"
    departement : str, optional
        Zoom on one département (its code).
    region : str, optional
        Zoom on one région (its code, e.g. ``53``), instead of a département.
    demo : bool, optional
        Mark the map « Données fictives – démonstration » and say in the source line
        that the data are fictitious. Default: when ``lists``, ``commitments`` or
        ``values`` are flagged as demo data (:func:`~pacte_analysis.read_tables` of a
        demo folder flags them).
    source : str, optional
        Source of the commitments for the credit line.
    scheme : str, optional
        Classification (default: categories for ``status``, quantiles otherwise).
    k : int, default 5
    edition : Edition or str
    date : datetime.date, optional
    values : Series or DataFrame, optional
        The user's own values to map as ``metric``: a Series indexed by the units'
        codes (INSEE commune codes, département codes as text…), or a DataFrame
        with a ``code`` column and a ``metric`` column. Units without a value are
        shown « Aucune donnée ».
    label, unit : str, optional
        Legend title and unit of a user's column (defaults: ``metric``, none).
    missing_label : str, optional
        Legend and tooltip text of the units without a value. Default: what a
        missing value means for ``metric`` — « Aucune liste connue » for the commune
        metrics computed from the lists, « Aucune équipe élue connue » for the
        elected team's measures, « Population inconnue », « Aucune donnée » for
        territories and for a user's own column (say what it means, e.g.
        « Non évalué » for follow-up scores).

    Returns
    -------
    Path
        The file written.

    Raises
    ------
    MapError
        Unknown metric for that level, unknown format or département (French).
    """
    return draw_maps(
        lists,
        commitments,
        [out],
        metric=metric,
        level=level,
        departement=departement,
        region=region,
        demo=demo,
        source=source,
        scheme=scheme,
        k=k,
        edition=edition,
        date=date,
        values=values,
        label=label,
        unit=unit,
        missing_label=missing_label,
    )[0]


def draw_maps(
    lists: pd.DataFrame,
    commitments: pd.DataFrame,
    outs: Sequence[str | Path],
    *,
    metric: str,
    level: MapLevel = "departement",
    departement: str | None = None,
    region: str | None = None,
    demo: bool | None = None,
    source: str | None = None,
    scheme: str | None = None,
    k: int = 5,
    edition: Edition | str = DEFAULT_EDITION,
    date: _dt.date | None = None,
    values: pd.Series | pd.DataFrame | None = None,
    label: str | None = None,
    unit: str = "",
    missing_label: str | None = None,
) -> list[Path]:
    """Compute ``metric`` at ``level`` once and write it in every format of ``outs``.

    The print formats (PNG, SVG, PDF) are saved from one drawn figure, the HTML map
    from the same values on the web boundaries: what :func:`draw_map` does for one
    file, without computing or drawing the map again for each format.

    Parameters
    ----------
    lists, commitments : DataFrame
        Canonical tables.
    outs : sequence of str or Path
        Files to write (``.png``, ``.svg``, ``.pdf``, ``.html``).
    **options
        As for :func:`draw_map`.

    Returns
    -------
    list of Path
        The files written, in the order of ``outs``.

    Raises
    ------
    MapError
        As :func:`draw_map`, before any file is written.
    """
    from pacte_analysis.maps import static

    paths = [Path(o) for o in outs]
    demo = _demo(demo, lists, commitments, values)
    for path in paths:
        if path.suffix.lower() not in MAP_FORMATS:
            raise MapError(
                f"Format de carte non pris en charge « {path.suffix or path.name} » : "
                f"utilisez {', '.join(MAP_FORMATS)}."
            )
    if level not in _LEVEL_LABELS:
        raise MapError(
            f"draw_map : niveau inconnu « {level} » ; niveaux possibles : "
            f"{', '.join(_LEVEL_LABELS)}."
        )
    known = analysis.available_metrics(level)
    if values is not None:
        info = analysis.Metric(metric, label or metric, unit, "value", (level,))
    elif metric not in set(known["metric"]):
        raise MapError(
            f"Indicateur « {metric} » indisponible au niveau {level}. "
            f"Indicateurs possibles : {', '.join(known['metric'])} (voir `pacte map --list-metrics`), "
            "ou donnez vos propres valeurs avec values=."
        )
    else:
        info = analysis.metric_info(metric)
    if departement is not None and region is not None:
        raise MapError("Zoom sur un département ou sur une région, pas les deux.")
    suffixes = {p.suffix.lower() for p in paths}
    # The metrics are computed once, on the geometry of the first format asked for; the
    # other resolution only swaps the boundaries (same units, same order, same values).
    first: reference._layers.Resolution = "print" if suffixes - {".html"} else "web"
    data = map_data(lists, commitments, level=level, resolution=first, edition=edition)
    if values is not None:
        data = _join_values(data, values, metric, level)
    where = _LEVEL_LABELS[level]
    if departement is not None:
        dep = str(_zoom_code(departement, "département"))
        column = "code" if level == "departement" else "departement_code"
        if column not in data or not (data[column].astype("string") == dep).any():
            raise MapError(f"Département « {dep} » inconnu ou sans unité à ce niveau.")
        where += f", {_territory_label('departement', dep)}"
    if region is not None:
        reg = str(_zoom_code(region, "région"))
        column = "code" if level == "region" else "region_code"
        if column not in data or not (data[column].astype("string") == reg).any():
            raise MapError(f"Région « {reg} » inconnue ou sans unité à ce niveau.")
        where += f", {_territory_label('region', reg)}"
    categorical = info.kind == "category" or (
        values is not None and not pd.api.types.is_numeric_dtype(data[metric])
    )
    chosen_scheme = scheme or ("categories" if categorical else "quantiles")
    title = f"{info.label}"
    subtitle = f"Pacte pour la Transition, municipales 2020 – {where}"
    missing = missing_label or _missing_label(level, metric, own=values is not None)
    static_paths = [p for p in paths if p.suffix.lower() != ".html"]
    if static_paths:
        borders = None
        if level in ("commune", "epci"):
            borders = reference.departements(resolution="print")
        # Drawn once, saved in every format asked for (PNG, SVG, PDF of the same figure).
        fig = static.plot_map(
            data,
            metric,
            level=level,
            scheme=chosen_scheme,
            k=k,
            colors=_STATUS_COLORS if metric == "status" else None,
            title=title,
            subtitle=subtitle,
            legend_title=info.label,
            unit="" if categorical else info.unit,
            source=source,
            demo=demo,
            departement=departement,
            region=region,
            borders=borders,
            missing_label=missing,
            date=date,
            edgecolor="white" if departement is not None or region is not None else None,
        )
        for path in static_paths:
            static.save_map(fig, path)
    for path in paths:
        if path.suffix.lower() != ".html":
            continue
        web = data if first == "web" else _with_geometry(data, level, "web")
        _draw_html(
            web, path, metric=metric, level=level, departement=departement, region=region,
            title=title,
            subtitle=subtitle, source=source, demo=demo, scheme=chosen_scheme, k=k,
            missing=missing, lists=lists, commitments=commitments, edition=read_edition(edition),
            own=(info.label, info.unit) if values is not None else None,
        )  # fmt: skip
    return paths


def _with_geometry(
    data: gpd.GeoDataFrame, level: str, resolution: reference._layers.Resolution
) -> gpd.GeoDataFrame:
    """``data`` with the boundaries of ``resolution`` instead of its own."""
    geo = _layer(level, resolution).set_index("code")["geometry"]
    out = pd.DataFrame(data.drop(columns="geometry"))
    out["geometry"] = geo.reindex(out["code"].astype(str)).to_numpy()
    return gpd.GeoDataFrame(out[list(data.columns)], geometry="geometry", crs=geo.crs)


def _draw_html(
    data: gpd.GeoDataFrame,
    path: Path,
    *,
    metric: str,
    level: str,
    departement: str | None,
    region: str | None,
    title: str,
    subtitle: str,
    source: str | None,
    demo: bool,
    scheme: str,
    k: int,
    missing: str,
    lists: pd.DataFrame,
    commitments: pd.DataFrame,
    edition: Edition,
    own: tuple[str, str] | None = None,
) -> Path:
    from pacte_analysis.maps import interactive

    if departement is not None:
        column = "code" if level == "departement" else "departement_code"
        data = data[data[column].astype("string") == departement]
    if region is not None:
        data = data[data["code" if level == "region" else "region_code"].astype("string") == region]
    metrics = [metric] + [m for m in _HTML_COMPANIONS[level] if m != metric and m in data]
    tooltip = [c for c in ("n_lists", "n_signatory_lists") if c in data and c not in metrics]

    def describe(m: str) -> tuple[str, str]:
        if own is not None and m == metric:
            return own  # the user's own column: its label and unit
        info = analysis.metric_info(m)
        return info.label, info.unit

    labels = {m: describe(m)[0] for m in [*metrics, *tooltip]}
    # each layer says what its own missing values mean (the companions are list metrics)
    missing_labels = {m: _missing_label(level, m, own=False) for m in metrics}
    missing_labels[metric] = missing
    units = {m: describe(m)[1] for m in metrics}
    details = None
    if level == "commune":
        details = _list_details(lists, commitments, edition)
    fmap = interactive.interactive_map(
        data,
        metrics,
        labels=labels,
        units=units,
        tooltip_columns=tooltip,
        details=details,
        details_key="commune_code",
        details_columns={
            "list_name": "Liste",
            "list_head": "Tête de liste",
            "signatory_label": "Signataire",
            "elected_label": "Élue",
            "n_measures": "Mesures",
            "measures": "Mesures choisies",
        },
        scheme=scheme if scheme != "categories" else "quantiles",
        k=k,
        categorical_colors={"status": _STATUS_COLORS},
        cmap=SEQUENTIAL_CMAP,
        missing_label=missing_labels,
        title=f"{title} – {subtitle}",
        source=source or ("" if demo else DEFAULT_SOURCE),
        demo=demo,
    )
    interactive.save_html(fmap, path)
    return path


def _list_details(lists: pd.DataFrame, commitments: pd.DataFrame, edition: Edition) -> pd.DataFrame:
    """One row per list for the popups: name, head, signatory, elected, measures."""
    details = lists[["list_id", "commune_code", "list_name", "list_head", "n_measures"]].copy()
    details["signatory_label"] = np.where(lists["signatory"].fillna(False), "oui", "non")
    elected = lists["elected"].astype("boolean")
    details["elected_label"] = np.select(
        [elected.fillna(False).to_numpy(), (~elected).fillna(False).to_numpy()],
        ["oui", "non"],
        "inconnu",
    )
    done = commitments[commitments["committed"].astype("boolean").fillna(False)]
    done = done[done["measure"].isin(edition.measure_numbers)].sort_values(["list_id", "measure"])
    level = done["level"].astype("Int64")
    suffix = (" (N" + level.astype("string") + ")").fillna("")
    text: pd.Series = done["measure"].astype(int).astype(str) + suffix
    joined: pd.Series = text.groupby(done["list_id"]).agg(", ".join)
    details["measures"] = details["list_id"].map(joined).fillna("")
    return details.drop(columns="list_id")


#: What a missing value of a commune metric means, when it is not « no list known ».
_COMMUNE_MISSING = {
    # communes with lists whose elected team is unknown or not among them
    "elected_n_measures": "Aucune équipe élue connue",
    "population": "Population inconnue",  # known without any list (null for Mayotte)
}


def _missing_label(level: str, metric: str, *, own: bool) -> str:
    """Legend and tooltip text of a unit without a value of ``metric``.

    The commune metrics computed from the lists are missing where no list is known
    (:func:`map_data`); a user's own column and territories say « Aucune donnée ».
    """
    if own or level != "commune":
        return NO_DATA_LABEL
    return _COMMUNE_MISSING.get(metric, "Aucune liste connue")


def _territory_label(level: str, code: str) -> str:
    """« Ille-et-Vilaine (35) », « Bretagne (53) » for a zoom map's subtitle."""
    layer = reference.departements if level == "departement" else reference.regions
    names = layer(resolution="web").set_index("code")["name"]
    name = names.get(code)
    if name is None:
        return f"{'département' if level == 'departement' else 'région'} {code}"
    return f"{name} ({code})"


def _join_values(
    data: gpd.GeoDataFrame, values: pd.Series | pd.DataFrame, metric: str, level: str
) -> gpd.GeoDataFrame:
    """Put the user's ``values`` (by unit code) in ``data`` as column ``metric``."""
    if isinstance(values, pd.DataFrame):
        missing = [c for c in ("code", metric) if c not in values.columns]
        if missing:
            raise MissingColumnsError(
                f"draw_map : colonne(s) absente(s) de values : {', '.join(missing)} "
                f"(attendu : une colonne « code » et une colonne « {metric} »)."
            )
        series = pd.Series(values[metric].to_numpy(), index=values["code"].astype("string"))
    elif isinstance(values, pd.Series):
        if not all(isinstance(code, str) for code in values.index):
            raise PacteTypeError(
                "draw_map : les codes de values (son index) doivent être du texte, "
                f"comme « 35 » ou « 01001 », pas {type(values.index[0]).__name__} "
                f"« {values.index[0]} »."
            )
        series = values.copy()
        series.index = series.index.astype("string")
    else:
        raise PacteTypeError(
            "draw_map : values doit être une Series indexée par code ou une DataFrame "
            f"(code, {metric}), pas {type(values).__name__}."
        )
    matched = series.index.isin(data["code"].astype("string"))
    if not matched.any():
        raise MapError(
            f"draw_map : aucun code de values ne correspond à une unité de la carte "
            f"(par exemple « {series.index[0]} ») : les codes sont-ils écrits comme texte, "
            "avec leurs zéros initiaux ?"
        )
    unknown = list(dict.fromkeys(str(c) for c in series.index[~matched]))
    if unknown:
        shown = ", ".join(f"« {c} »" for c in unknown[:10])
        more = f" et {len(unknown) - 10} autre(s)" if len(unknown) > 10 else ""
        warnings.warn(
            f"draw_map : {len(unknown)} code(s) de values ne sont pas des unités de la carte "
            f"({_LEVEL_LABELS[level]}), leurs valeurs ne sont pas dessinées : {shown}{more}.",
            UserWarning,
            stacklevel=4,
        )
    out = data.drop(columns=[metric], errors="ignore")
    out[metric] = out["code"].astype("string").map(series[~series.index.duplicated()])
    return out
