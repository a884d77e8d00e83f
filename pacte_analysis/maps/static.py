"""Print maps with matplotlib: national layout with the DROM, or a zoom.

A map is drawn from a GeoDataFrame with one row per unit (commune, EPCI,
département, région) and the column to show. Classes are computed once on every
unit, DROM included, so the mainland and the overseas boxes share one legend.
Polygons are drawn as one :class:`~matplotlib.collections.PathCollection` built
straight from shapely's coordinate arrays (much faster than one patch per
polygon) and rasterised in vector outputs, so that SVG/PDF files stay small while
their text stays text.
"""

from __future__ import annotations

import datetime as _dt
import math
import warnings
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

import geopandas as gpd
import mapclassify
import matplotlib as mpl
import numpy as np
import pandas as pd
import shapely
from matplotlib.collections import LineCollection, PathCollection
from matplotlib.figure import Figure
from matplotlib.patches import Patch
from matplotlib.path import Path as MplPath

from pacte_analysis import _style
from pacte_analysis.charts import save_figure
from pacte_analysis.errors import (
    InvalidArgumentError,
    MissingColumnsError,
    PacteTypeError,
    UnknownCodeError,
)
from pacte_analysis.maps._checks import zoom_code as _zoom_code
from pacte_analysis.reference._build import LOCAL_CRS
from pacte_analysis.reference._layout import REGION_TO_DROM, drom_boxes, national_layout

__all__ = ["SCHEMES", "Classification", "classify", "plot_map", "save_map"]

Level = Literal["commune", "epci", "departement", "region", "arrondissement"]
#: Classification schemes offered (``user`` needs ``breaks``).
SCHEMES = ("quantiles", "natural_breaks", "equal_interval", "user", "categories")
_DROM_FRAME_COLOR = "#7f7f7f"
_MAP_WIDTH = 0.74  # share of the figure width given to the map (legend on the right)


@dataclass(frozen=True)
class Classification:
    """Classes of a map: one colour and one legend label per class.

    Attributes
    ----------
    classes : numpy.ndarray
        Class index of each unit, ``-1`` where the value is missing.
    labels : list of str
        French legend label of each class.
    colors : list of str
        Hex colour of each class.
    bins : list of float
        Upper bounds of the classes (empty for categories).
    """

    classes: np.ndarray
    labels: list[str]
    colors: list[str]
    bins: list[float]

    def color_array(self, missing_color: str = _style.NO_DATA_COLOR) -> np.ndarray:
        """Colour of each unit, ``missing_color`` where the value is missing."""
        palette = np.array([*self.colors, missing_color], dtype=object)
        return palette[np.where(self.classes < 0, len(self.colors), self.classes)]


def wrap_text(text: str, width: int) -> str:
    r"""Break ``text`` into lines of at most ``width`` characters, between words.

    Examples
    --------
    >>> wrap_text("Part des communes avec une liste signataire", 20)
    'Part des communes\navec une liste\nsignataire'
    """
    lines: list[str] = []
    for paragraph in text.split("\n"):
        line = ""
        for word in paragraph.split(" "):
            if line and len(line) + 1 + len(word) > width:
                lines.append(line)
                line = word
            else:
                line = f"{line} {word}".strip()
        lines.append(line)
    return "\n".join(lines)


def _fmt(value: float, integral: bool, decimals: int | None = None) -> str:
    if decimals is None:
        decimals = 0 if integral else (1 if abs(value) < 100 else 0)
    return _style.format_number(value, decimals)


def _decimals(bins: Sequence[float], low: float) -> int:
    """Decimals so that no two class bounds print the same (at most 3)."""
    bounds = [low, *bins]
    for decimals in range(0, 4):
        if decimals == 0 and max(abs(b) for b in bounds) < 100:
            continue
        texts = [_style.format_number(b, decimals) for b in bounds]
        if len(set(texts)) == len(set(bounds)):
            return decimals
    return 3


def classify(
    values: pd.Series | Sequence[object],
    *,
    scheme: str = "quantiles",
    k: int = 5,
    breaks: Sequence[float] | None = None,
    cmap: str | None = None,
    colors: Mapping[str, str] | None = None,
    unit: str = "",
) -> Classification:
    """Put values into classes for a choropleth map.

    Parameters
    ----------
    values : Series or sequence
        One value per unit; missing values (NaN, None, ``pd.NA``) get class -1.
    scheme : {"quantiles", "natural_breaks", "equal_interval", "user", "categories"}
        ``natural_breaks`` uses mapclassify's ``FisherJenksSampled`` (fast on
        35,000 communes); ``user`` takes ``breaks`` (upper bounds); ``categories``
        gives one class per distinct value (in the order of a categorical dtype).
    k : int, default 5
        Number of classes (fewer when the values have fewer distinct levels).
    breaks : sequence of float, optional
        Upper bounds for ``scheme="user"``.
    cmap : str, optional
        Matplotlib colormap name; defaults to ColorBrewer ``YlGnBu`` (colour-blind
        safe), or the Okabe–Ito palette for categories.
    colors : mapping, optional
        Colour of each category (``scheme="categories"``).
    unit : str, optional
        Unit appended to the legend labels (``%``…).

    Returns
    -------
    Classification

    Examples
    --------
    >>> c = classify([0, 1, 2, 3, None], scheme="user", breaks=[0, 1, 3])
    >>> c.classes.tolist(), c.labels
    ([0, 1, 2, 2, -1], ['0', '1', '2 – 3'])
    """
    series = pd.Series(values)
    if scheme not in SCHEMES:
        raise InvalidArgumentError(
            f"Méthode de classification inconnue « {scheme} » (attendue : {', '.join(SCHEMES)})."
        )
    suffix = f"\u00a0{unit}" if unit else ""
    if scheme == "categories":
        return _categories(series, cmap, colors)
    numeric = pd.to_numeric(series, errors="coerce").astype("float64")
    not_numbers = series.notna().to_numpy() & numeric.isna().to_numpy()
    if not_numbers.any() or isinstance(series.dtype, pd.CategoricalDtype):
        example = series[not_numbers].iloc[0] if not_numbers.any() else series.dropna().iloc[0]
        raise InvalidArgumentError(
            f"Classification « {scheme} » impossible : les valeurs ne sont pas des nombres "
            f'(par exemple « {example} »). Pour du texte, utilisez scheme="categories".',
            code="NOT_NUMERIC",
        )
    present = numeric.notna().to_numpy()
    data = numeric.to_numpy()[present]
    classes = np.full(len(numeric), -1, dtype=int)
    if data.size == 0:
        return Classification(classes, [], [], [])
    if scheme == "user":
        if not breaks:
            raise InvalidArgumentError("La classification « user » demande des seuils (breaks).")
        bins = sorted(float(b) for b in breaks)
        if bins[-1] < data.max():
            bins.append(float(data.max()))
    elif _zero_inflated(data, k):
        # Many zeros (e.g. EPCI shares): « 0 » is a class of its own and the other
        # classes are computed on the positive values, so that they do not collapse.
        positive = data[data > 0]
        rest = classify(pd.Series(positive), scheme=scheme, k=k - 1, cmap=cmap, unit=unit)
        positive_classes = np.full(data.size, 0)
        positive_classes[data > 0] = rest.classes + 1
        classes[present] = positive_classes
        palette = mpl.colormaps[cmap or _style.SEQUENTIAL_CMAP]
        n_cls = len(rest.bins) + 1
        colors_list = [
            mpl.colors.to_hex(palette(0.15 + 0.8 * (i / max(1, n_cls - 1)))) for i in range(n_cls)
        ]
        first = rest.labels[0].split(" – ")[-1]
        labels = ["0" + suffix, f"> 0 – {first}", *rest.labels[1:]]
        return Classification(classes, labels, colors_list, [0.0, *rest.bins])
    else:
        distinct = np.unique(data)
        n = max(1, min(k, distinct.size))
        if distinct.size <= k:
            bins = [float(v) for v in distinct]
        elif scheme == "quantiles":
            with warnings.catch_warnings():  # tied values: duplicate bins are merged below
                warnings.simplefilter("ignore", UserWarning)
                bins = list(mapclassify.Quantiles(data, k=n).bins)
        elif scheme == "natural_breaks":
            with warnings.catch_warnings():  # "Numba not installed": the sample keeps it fast
                warnings.simplefilter("ignore", UserWarning)
                sampled = mapclassify.FisherJenksSampled(data, k=n, pct=min(1.0, 3000 / data.size))
            bins = list(sampled.bins)
        else:
            bins = list(mapclassify.EqualInterval(data, k=n).bins)
        bins = sorted(set(float(b) for b in bins))
        bins[-1] = max(bins[-1], float(data.max()))
    idx = np.searchsorted(np.asarray(bins), data, side="left")
    classes[present] = np.minimum(idx, len(bins) - 1)
    integral = bool(np.all(np.equal(np.mod(data, 1), 0)))
    labels = []
    low = float(data.min())
    for i, upper in enumerate(bins):
        lower = low if i == 0 else bins[i - 1]
        if integral:
            lo = math.floor(lower) if i == 0 else math.floor(lower) + 1
            hi = math.floor(upper)
            text = _fmt(lo, True) if lo >= hi else f"{_fmt(lo, True)} – {_fmt(hi, True)}"
        else:
            decimals = _decimals(bins, low)
            text = (
                f"{_fmt(lower, False, decimals)} – {_fmt(upper, False, decimals)}"
                if i == 0 or lower != upper
                else _fmt(upper, False, decimals)
            )
        labels.append(text + suffix)
    # Keep only the classes that can be reached (user breaks may leave some empty).
    palette = mpl.colormaps[cmap or _style.SEQUENTIAL_CMAP]
    n_cls = len(bins)
    colors_list = [
        mpl.colors.to_hex(palette(0.15 + 0.8 * (i / max(1, n_cls - 1)))) for i in range(n_cls)
    ]
    return Classification(classes, labels, colors_list, bins)


def _zero_inflated(data: np.ndarray, k: int) -> bool:
    """Values ≥ 0 with at least a fifth of zeros and more positive levels than classes."""
    if k < 3 or data.size == 0 or data.min() < 0:
        return False
    zeros = float(np.mean(data == 0))
    return zeros >= 0.2 and np.unique(data[data > 0]).size >= k - 1


def _categories(
    series: pd.Series, cmap: str | None, colors: Mapping[str, str] | None
) -> Classification:
    if isinstance(series.dtype, pd.CategoricalDtype):
        cats = [str(c) for c in series.cat.categories]
    else:
        cats = sorted({str(v) for v in series.dropna()})
    if colors is None:
        if cmap:
            palette = mpl.colormaps[cmap]
            colors = {
                c: mpl.colors.to_hex(palette(i / max(1, len(cats) - 1))) for i, c in enumerate(cats)
            }
        else:
            colors = dict(zip(cats, _style.qualitative_colors(len(cats)), strict=True))
    index = {c: i for i, c in enumerate(cats)}
    classes = np.array([-1 if pd.isna(v) else index.get(str(v), -1) for v in series], dtype=int)
    return Classification(classes, cats, [colors.get(c, _style.NO_DATA_COLOR) for c in cats], [])


def _paths(geoms: np.ndarray) -> list[MplPath]:
    """Matplotlib paths (holes included) for polygons, built from coordinate arrays."""
    geoms = shapely.orient_polygons(geoms, exterior_cw=False)
    polygons, poly_geom = shapely.get_parts(geoms, return_index=True)
    rings, ring_poly = shapely.get_rings(polygons, return_index=True)
    coords, coord_ring = shapely.get_coordinates(rings, return_index=True)
    codes = np.full(len(coords), MplPath.LINETO, dtype=np.uint8)
    starts = np.r_[0, np.flatnonzero(np.diff(coord_ring)) + 1]
    ends = np.r_[starts[1:] - 1, len(coords) - 1]
    codes[starts] = MplPath.MOVETO
    codes[ends] = MplPath.CLOSEPOLY
    geom_of_coord = poly_geom[ring_poly[coord_ring]]
    bounds = np.searchsorted(geom_of_coord, np.arange(len(geoms) + 1))
    return [
        MplPath(coords[bounds[i] : bounds[i + 1]], codes[bounds[i] : bounds[i + 1]])
        for i in range(len(geoms))
    ]


def _lines(geoms: np.ndarray) -> list[np.ndarray]:
    lines = shapely.get_parts(shapely.boundary(geoms))
    lines = shapely.get_parts(lines)  # boundaries of multipolygons are multilines
    return [shapely.get_coordinates(line) for line in lines]


def _project(
    gdf: gpd.GeoDataFrame, level: str, departement: str | None, region: str | None
) -> gpd.GeoDataFrame:
    if departement is None and region is None:
        if level == "departement":
            return national_layout(gdf, departement_column="code")
        if level == "region":
            return national_layout(gdf, departement_column=None, region_column="code")
        return national_layout(gdf)
    dep_codes: set[str] = set()
    if departement is not None:
        dep_codes = {departement}
    epsg = LOCAL_CRS.get(next(iter(dep_codes), ""), 2154)
    if region is not None and region in REGION_TO_DROM:
        epsg = LOCAL_CRS[REGION_TO_DROM[region]]
    return gdf.to_crs(epsg)


def _select(
    gdf: gpd.GeoDataFrame, level: str, departement: str | None, region: str | None
) -> gpd.GeoDataFrame:
    if departement is not None:
        column = "code" if level == "departement" else "departement_code"
        if column not in gdf:
            raise MissingColumnsError(
                f"Zoom sur un département impossible : colonne « {column} » absente."
            )
        out = gdf[gdf[column].astype("string") == departement]
    elif region is not None:
        column = "code" if level == "region" else "region_code"
        if column not in gdf:
            raise MissingColumnsError(
                f"Zoom sur une région impossible : colonne « {column} » absente."
            )
        out = gdf[gdf[column].astype("string") == region]
    else:
        return gdf
    if out.empty:
        where = f"département {departement}" if departement else f"région {region}"
        raise UnknownCodeError(f"Aucune unité à cartographier pour le {where} (code inconnu ?).")
    return out


_LEVELS = ("commune", "epci", "departement", "region", "arrondissement")


def _check_map_arguments(gdf: object, column: object, level: object, function: str) -> None:
    """French errors for a table without geometry, swapped arguments, a missing column."""
    if isinstance(gdf, str) and isinstance(column, pd.DataFrame):
        raise PacteTypeError(
            f"{function} : arguments inversés ? Donnez d'abord la table à cartographier, "
            f'puis le nom de la colonne : {function}(table, "{gdf}").'
        )
    if not isinstance(gdf, gpd.GeoDataFrame):
        kind = (
            "une DataFrame sans contours" if isinstance(gdf, pd.DataFrame) else type(gdf).__name__
        )
        raise PacteTypeError(
            f"{function} : la table à cartographier doit être une GeoDataFrame (avec des "
            f"contours), pas {kind}. Utilisez pa.map_data(...), ou joignez vos colonnes à "
            "pa.departements() / pa.communes() sur le code.",
            code="NO_GEOMETRY",
        )
    if not isinstance(column, str):
        raise PacteTypeError(
            f"{function} : le nom de la colonne doit être un texte, pas {type(column).__name__}."
        )
    if column not in gdf.columns:
        raise MissingColumnsError(
            f"{function} : colonne « {column} » absente des données à cartographier "
            f"(colonnes présentes : {', '.join(str(c) for c in gdf.columns if c != 'geometry')})."
        )
    if gdf.crs is None:
        raise InvalidArgumentError(
            f"{function} : la couche n'a pas de système de coordonnées (CRS)."
        )
    if level not in _LEVELS:
        raise InvalidArgumentError(
            f"{function} : niveau inconnu « {level} » ; niveaux possibles : {', '.join(_LEVELS)}."
        )


def plot_map(
    gdf: gpd.GeoDataFrame,
    column: str,
    *,
    level: Level = "commune",
    scheme: str = "quantiles",
    k: int = 5,
    breaks: Sequence[float] | None = None,
    cmap: str | None = None,
    colors: Mapping[str, str] | None = None,
    title: str | None = None,
    subtitle: str | None = None,
    legend_title: str | None = None,
    unit: str = "",
    source: str | None = None,
    demo: bool = False,
    departement: str | None = None,
    region: str | None = None,
    borders: gpd.GeoDataFrame | None = None,
    missing_label: str = _style.NO_DATA_LABEL,
    figsize: tuple[float, float] | None = None,
    date: _dt.date | None = None,
    edgecolor: str | None = None,
) -> Figure:
    """Draw a choropleth map ready for print.

    Parameters
    ----------
    gdf : geopandas.GeoDataFrame
        One row per unit, with a CRS, the ``column`` to map and the columns that
        place each unit (``departement_code`` for communes and EPCI, ``code`` for
        départements and régions).
    column : str
        Values to map (numbers, or categories with ``scheme="categories"``).
    level : {"commune", "epci", "departement", "region", "arrondissement"}
    scheme, k, breaks, cmap, colors
        Classification, see :func:`classify`; classes are computed once on every
        unit drawn (mainland and DROM together).
    title, subtitle, legend_title : str, optional
        French texts; the legend title defaults to ``column``.
    unit : str, optional
        Unit written in the legend labels (``%``, ``listes``…).
    source : str, optional
        Source of the commitments, written before the IGN/INSEE credit.
    demo : bool, default False
        Mark the map « Données fictives – démonstration ».
    departement, region : str, optional
        Zoom on one département (``"35"``, ``"974"``) or région (``"53"``) in its
        own projection; otherwise the national layout (Lambert-93, DROM brought
        near in framed boxes).
    borders : geopandas.GeoDataFrame, optional
        Outlines drawn over the map (e.g. départements over communes), placed like
        the map (give them a ``code`` column of départements for the national
        layout).
    missing_label : str, default « Aucune donnée »
        Legend entry of the grey units without a value.
    figsize : (float, float), optional
        Inches; by default A4 width (8.3 in) and the height the map needs.
    date : datetime.date, optional
        Date of the credit line (today by default).
    edgecolor : str, optional
        Colour of the unit outlines; default white hairlines for territories and
        none for communes (too dense at national scale).

    Returns
    -------
    matplotlib.figure.Figure
        Save it with :func:`save_map` (PNG 300 dpi, SVG, PDF).

    Examples
    --------
    >>> import pacte_analysis as pa  # doctest: +SKIP
    >>> deps = pa.departements(resolution="print")  # doctest: +SKIP
    >>> fig = pa.plot_map(deps, "population", level="departement", unit="hab.")  # doctest: +SKIP
    >>> pa.save_map(fig, "population.pdf")  # doctest: +SKIP
    """
    _check_map_arguments(gdf, column, level, "plot_map")
    departement = _zoom_code(departement, "département")
    region = _zoom_code(region, "région")
    selected = _select(gdf, level, departement, region)
    placed = _project(selected, level, departement, region)
    cls = classify(
        selected[column],
        scheme=scheme,
        k=k,
        breaks=breaks,
        cmap=cmap,
        colors=colors,
        unit=unit,
    )
    facecolors = cls.color_array()
    national = departement is None and region is None
    if edgecolor is None:
        edgecolor = "none" if level in ("commune", "arrondissement") and national else "white"

    xmin, ymin, xmax, ymax = placed.total_bounds
    frames = drom_boxes() if national else None
    if frames is not None:
        fxmin, fymin, fxmax, fymax = frames.total_bounds
        xmin, ymin = min(xmin, fxmin), min(ymin, fymin)
        xmax, ymax = max(xmax, fxmax), max(ymax, fymax)
    pad = 0.02 * max(xmax - xmin, ymax - ymin)
    xmin, xmax, ymin, ymax = xmin - pad, xmax + pad, ymin - pad, ymax + pad
    width_in = figsize[0] if figsize else 8.3
    map_w_in = width_in * _MAP_WIDTH
    map_h_in = map_w_in * (ymax - ymin) / (xmax - xmin)
    if title:
        title = wrap_text(title, 58 if demo else 75)
    top_in = 0.35 + (0.22 * (title.count("\n") + 1) + 0.06 if title else 0.0)
    top_in += 0.22 * ((subtitle or "").count("\n") + 1) if subtitle else 0.0
    bottom_in = 0.55
    if figsize is None:
        map_h_in = min(max(map_h_in, 3.0), 10.0)
        figsize = (width_in, map_h_in + top_in + bottom_in)
    height_in = figsize[1]

    with _style.figure_style():
        fig = _style.PacteFigure(figsize=figsize)
        ax = fig.add_axes(
            (
                0.01,
                bottom_in / height_in,
                _MAP_WIDTH,
                max(0.1, 1 - (top_in + bottom_in) / height_in),
            )
        )
        ax.set_axis_off()
        ax.set_aspect("equal")
        paths = _paths(placed.geometry.to_numpy())
        collection = PathCollection(
            paths,
            facecolors=list(facecolors),
            edgecolors=edgecolor,
            linewidths=0.15 if edgecolor != "none" else 0.0,
            rasterized=True,
        )
        ax.add_collection(collection)
        if borders is not None:
            placed_borders = _place_borders(borders, departement, region, placed.crs)
            ax.add_collection(
                LineCollection(
                    _lines(placed_borders.geometry.to_numpy()),
                    colors="#4d4d4d",
                    linewidths=0.3,
                )
            )
        if frames is not None:
            for _, frame in frames.iterrows():
                x0, y0, x1, y1 = frame.geometry.bounds
                ax.plot([x0, x1, x1, x0, x0], [y0, y0, y1, y1, y0], color=_DROM_FRAME_COLOR, lw=0.5)
                ax.text(x0 + 4000, y1 - 4000, frame["name"], fontsize=6, va="top", color="#333333")
        ax.set_xlim(xmin, xmax)
        ax.set_ylim(ymin, ymax)

        handles = [
            Patch(facecolor=c, edgecolor="#999999", linewidth=0.3, label=wrap_text(lab, 26))
            for c, lab in zip(cls.colors, cls.labels, strict=True)
        ]
        if (cls.classes < 0).any():
            handles.append(
                Patch(
                    facecolor=_style.NO_DATA_COLOR,
                    edgecolor="#999999",
                    linewidth=0.3,
                    label=wrap_text(missing_label, 26),
                )
            )
        legend = fig.legend(
            handles=handles,
            title=wrap_text(legend_title or column, 28),
            loc="center left",
            bbox_to_anchor=(_MAP_WIDTH + 0.02, 0.5),
            fontsize=7.5,
            title_fontsize=8,
            alignment="left",
        )
        legend.set_gid("pacte-legend")
        notes = []
        if national:
            notes.append("DROM rapprochés, à des échelles différentes")
        _style.finish_figure(
            fig,
            title=title,
            subtitle=subtitle,
            source=source,
            demo=demo,
            date=date,
            contours=True,
            extra="; ".join(notes) or None,
        )
    return fig


def _place_borders(
    borders: gpd.GeoDataFrame, departement: str | None, region: str | None, crs: object
) -> gpd.GeoDataFrame:
    if departement is None and region is None:
        column = "code" if "departement_code" not in borders else "departement_code"
        return national_layout(borders, departement_column=column)
    if departement is not None and "code" in borders:
        col = "code" if "departement_code" not in borders else "departement_code"
        borders = borders[borders[col].astype("string") == departement]
    elif region is not None and "region_code" in borders:
        borders = borders[borders["region_code"].astype("string") == region]
    return borders.to_crs(crs)


def save_map(fig: Figure, path: str | Path, *, dpi: int = 300) -> Path:
    """Write a map as PNG (300 dpi), SVG or PDF, chosen by the file suffix.

    Polygons are rasterised inside SVG and PDF files (small files), text and legend
    stay vector. See :func:`pacte_analysis.charts.save_figure`.
    """
    return save_figure(fig, path, dpi=dpi)
