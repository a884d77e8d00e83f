"""Print maps with matplotlib: national layout with the DROM, or a zoom.

A map is drawn from a GeoDataFrame with one row per unit (commune, EPCI,
département, région) and the column to show. Classes are computed once on every
unit, DROM included, so the mainland and the overseas boxes share one legend.
Polygons are drawn as one :class:`~matplotlib.collections.PathCollection` built
straight from shapely's coordinate arrays (much faster than one patch per
polygon). In SVG/PDF they stay vector, except on maps of more than
:data:`RASTER_ABOVE` communes (the national map, the largest régions), whose polygon
layer is rasterised so that the files stay small while their text stays text; the
file's description says which (:func:`save_map`).
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
import matplotlib as mpl
import numpy as np
import pandas as pd
import shapely
from matplotlib.axes import Axes
from matplotlib.collections import LineCollection, PathCollection
from matplotlib.figure import Figure
from matplotlib.patches import Patch
from matplotlib.path import Path as MplPath
from matplotlib.transforms import Bbox
from shapely.geometry import box

from pacte_analysis import _style
from pacte_analysis.charts import save_figure, write_figure
from pacte_analysis.errors import (
    InvalidArgumentError,
    MissingColumnsError,
    PacteTypeError,
    UnknownCodeError,
)
from pacte_analysis.maps import _classes
from pacte_analysis.maps._checks import zoom_code as _zoom_code
from pacte_analysis.reference._build import LOCAL_CRS
from pacte_analysis.reference._layout import REGION_TO_DROM, drom_boxes, national_layout

__all__ = [
    "IDF_BOX",
    "IDF_DEPARTEMENTS",
    "IDF_NAME",
    "SCHEMES",
    "Classification",
    "classify",
    "idf_affine",
    "idf_inset",
    "idf_window",
    "plot_map",
    "save_map",
]

Level = Literal["commune", "epci", "departement", "region", "arrondissement"]
#: Classification schemes offered (``user`` needs ``breaks``).
SCHEMES = ("quantiles", "natural_breaks", "equal_interval", "user", "categories")
_DROM_FRAME_COLOR = "#7f7f7f"
#: Paris and the petite couronne, drawn a second time, larger, in a box north-east of
#: the mainland (Belgium, Luxembourg and Germany are not drawn): Lambert-93 metres.
IDF_DEPARTEMENTS = ("75", "92", "93", "94")
IDF_NAME = "Paris et petite couronne"
IDF_BOX = (1_000_000.0, 6_930_000.0, 1_240_000.0, 7_110_000.0)
#: Extent of the four départements in Lambert-93 (COG 2020, rounded outwards).
_IDF_EXTENT = (635_000.0, 6_841_000.0, 674_000.0, 6_882_000.0)
_INSET_MARGIN = 0.06
_LABEL_GAP = 3_000.0  # metres between a box and its name, written above the box
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
    if isinstance(k, bool) or not isinstance(k, (int, np.integer)) or k < 1:
        raise InvalidArgumentError(
            f"Nombre de classes k={k!r} impossible : donnez un entier d'au moins 1 (5 par défaut).",
            code="INVALID_K",
        )
    if cmap is not None and cmap not in mpl.colormaps:
        raise InvalidArgumentError(
            f"Palette de couleurs inconnue « {cmap} » (cmap) ; par exemple « YlGnBu », "
            "« Blues », « OrRd », « Set2 » (palettes de matplotlib).",
            code="UNKNOWN_CMAP",
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
        if np.unique(positive).size <= k - 1:  # one class per positive value
            labels = [_with_unit("0", unit), *rest.labels]
        else:
            labels = [_with_unit("0", unit), f"> 0 – {first}", *rest.labels[1:]]
        return Classification(classes, labels, colors_list, [0.0, *rest.bins])
    else:
        distinct = np.unique(data)
        n = max(1, min(k, distinct.size))
        if distinct.size <= k:
            bins = [float(v) for v in distinct]
        elif scheme == "quantiles":  # tied values: duplicate bins are merged below
            bins = list(_classes.quantile_bins(data, n))
        elif scheme == "natural_breaks":
            import mapclassify  # scipy and scikit-learn: only for this scheme

            with warnings.catch_warnings():  # "Numba not installed": the sample keeps it fast
                warnings.simplefilter("ignore", UserWarning)
                sampled = mapclassify.FisherJenksSampled(data, k=n, pct=min(1.0, 3000 / data.size))
            bins = list(sampled.bins)
        else:
            bins = list(_classes.equal_interval_bins(data, n))
        bins = sorted(set(float(b) for b in bins))
        bins[-1] = max(bins[-1], float(data.max()))
    exact = scheme != "user" and np.unique(data).size <= k
    idx = np.searchsorted(np.asarray(bins), data, side="left")
    classes[present] = np.minimum(idx, len(bins) - 1)
    integral = bool(np.all(np.equal(np.mod(data, 1), 0)))
    labels = []
    low = float(data.min())
    for i, upper in enumerate(bins):
        lower = low if i == 0 else bins[i - 1]
        if exact:  # the class holds this one value
            decimals = None if integral else _decimals(bins, low)
            labels.append(_with_unit(_fmt(upper, integral, decimals), unit, single=upper))
            continue
        if integral:
            lo = math.floor(lower) if i == 0 else math.floor(lower) + 1
            hi = math.floor(upper)
            text = _fmt(lo, True) if lo >= hi else f"{_fmt(lo, True)} – {_fmt(hi, True)}"
            if lo >= hi:
                labels.append(_with_unit(text, unit, single=lo))
                continue
        else:
            decimals = _decimals(bins, low)
            text = (
                f"{_fmt(lower, False, decimals)} – {_fmt(upper, False, decimals)}"
                if lower != upper
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


def _with_unit(text: str, unit: str, single: float | None = None) -> str:
    """``text`` and its unit, singular for one value below 2 (« 1 liste », « 0 liste »).

    Examples
    --------
    >>> _with_unit("1", "listes", 1), _with_unit("3", "listes", 3), _with_unit("1", "%", 1)
    ('1\xa0liste', '3\xa0listes', '1\xa0%')
    """
    if not unit:
        return text
    if single is None:
        try:
            single = float(text.replace("\u202f", "").replace("\u00a0", "").replace(",", "."))
        except ValueError:
            single = None
    if single is not None and abs(single) < 2 and unit.endswith("s") and unit.isalpha():
        unit = unit[:-1]
    return f"{text}\u00a0{unit}"


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


#: The last layer placed on a map and the last polygons turned into paths, reused when
#: the same shapes (the same shapely objects: the reference layer's) are drawn again in
#: this process: placing and tracing the 35,000 communes take ~1.4 s per map.
_LAST: dict[str, tuple[np.ndarray, object, object]] = {}


def _shape_ids(geoms: np.ndarray) -> np.ndarray:
    return np.fromiter((id(g) for g in geoms), dtype=np.int64, count=len(geoms))


def _shape_paths(geoms: np.ndarray) -> list[MplPath]:
    """:func:`_paths`, reused for the very shapes of the last call."""
    ids = _shape_ids(geoms)
    last = _LAST.get("paths")
    if last is not None and np.array_equal(last[0], ids):
        return list(last[2])  # type: ignore[call-overload]
    paths = _paths(geoms)
    _LAST["paths"] = (ids, geoms, paths)  # the shapes are kept: their ids stay theirs
    return list(paths)


def _placed(
    gdf: gpd.GeoDataFrame, level: str, departement: str | None, region: str | None
) -> gpd.GeoDataFrame:
    """:func:`_project`, whose geometry is reused for the shapes of the last call."""
    national = departement is None and region is None
    column = (
        ("code" if level in ("departement", "region") else "departement_code") if national else None
    )
    if column is not None and column not in gdf:
        return _project(gdf, level, departement, region)
    geoms = gdf.geometry.to_numpy()
    key = (level, departement, region, str(gdf.crs), len(gdf))
    tags = None if column is None else gdf[column].astype("string").reset_index(drop=True)
    last = _LAST.get("placed")
    if last is not None:
        ids, before, projected = last
        assert isinstance(before, tuple)
        if (
            before[0] == key
            and np.array_equal(ids, _shape_ids(geoms))
            and (tags is None or tags.equals(before[1]))
        ):
            assert isinstance(projected, gpd.GeoSeries)
            series = gpd.GeoSeries(
                projected.to_numpy(), index=gdf.index, crs=projected.crs, name=gdf.geometry.name
            )
            return gdf.set_geometry(series)
    placed = _project(gdf, level, departement, region)
    _LAST["placed"] = (_shape_ids(geoms), (key, tags, geoms), placed.geometry.copy())
    return placed


def _lines(geoms: np.ndarray) -> list[np.ndarray]:
    lines = shapely.get_parts(shapely.boundary(geoms))
    lines = shapely.get_parts(lines)  # boundaries of multipolygons are multilines
    return [shapely.get_coordinates(line) for line in lines]


def idf_affine() -> list[float]:
    """Coefficients ``[a, b, d, e, xoff, yoff]`` moving Paris and the petite couronne
    (Lambert-93) into :data:`IDF_BOX`, at a fixed scale whatever the rows drawn."""
    x0, y0, x1, y1 = _IDF_EXTENT
    bx0, by0, bx1, by1 = IDF_BOX
    inner_w = (bx1 - bx0) * (1 - 2 * _INSET_MARGIN)
    inner_h = (by1 - by0) * (1 - 2 * _INSET_MARGIN)
    scale = min(inner_w / (x1 - x0), inner_h / (y1 - y0))
    cx, cy = (x0 + x1) / 2, (y0 + y1) / 2
    return [scale, 0.0, 0.0, scale, (bx0 + bx1) / 2 - scale * cx, (by0 + by1) / 2 - scale * cy]


def idf_window() -> tuple[float, float, float, float]:
    """The Lambert-93 window shown in the Paris box (Paris, the petite couronne and
    the edges of their neighbours), of the box's proportions."""
    scale, _, _, _, xoff, yoff = idf_affine()
    bx0, by0, bx1, by1 = IDF_BOX
    mx, my = (bx1 - bx0) * _INSET_MARGIN, (by1 - by0) * _INSET_MARGIN
    return (
        (bx0 + mx - xoff) / scale,
        (by0 + my - yoff) / scale,
        (bx1 - mx - xoff) / scale,
        (by1 - my - yoff) / scale,
    )


def idf_inset(placed: gpd.GeoDataFrame, level: str) -> tuple[np.ndarray, gpd.GeoSeries]:
    """Rows shown in the Paris box and their geometry, clipped and moved into it.

    ``placed`` is in Lambert-93 (the national layout). Returns the mask of the rows
    that reach the window (:func:`idf_window`) and their clipped, enlarged shapes.
    Régions have no inset (a single shape would fill it).
    """
    if level == "region":
        return np.zeros(len(placed), dtype=bool), gpd.GeoSeries([], crs=placed.crs)
    window = box(*idf_window())
    geoms = placed.geometry.to_numpy()
    mask = np.asarray(shapely.intersects(geoms, window), dtype=bool)
    clipped = shapely.intersection(geoms[mask], window)
    moved = gpd.GeoSeries(clipped, crs=placed.crs).affine_transform(idf_affine())
    return mask, moved


def _idf_lines(placed_borders: gpd.GeoDataFrame) -> list[np.ndarray]:
    """Outlines of ``placed_borders`` inside the Paris window, moved into its box."""
    window = box(*idf_window())
    lines = shapely.intersection(shapely.boundary(placed_borders.geometry.to_numpy()), window)
    moved = gpd.GeoSeries(lines).affine_transform(idf_affine()).to_numpy()
    parts = shapely.get_parts(shapely.get_parts(moved[~shapely.is_empty(moved)]))
    return [shapely.get_coordinates(line) for line in parts]


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
#: Commune maps with more units than this rasterise their polygons in SVG/PDF.
RASTER_ABOVE = 3000
_VECTOR_NOTE = (
    "Carte pacte_analysis : texte, légende et contours vectoriels (modifiables). "
    f"Les polygones sont rastérisés seulement au-delà de {RASTER_ABOVE:,} unités.".replace(
        ",", "\u202f"
    )
)
_RASTER_NOTE = (
    "Carte pacte_analysis : texte, légende et cadres vectoriels ; polygones des "
    "{n} unités rastérisés (image, {n} > {limit}) pour garder un fichier léger."
)


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


def _registered_defaults(
    column: str,
    level: str,
    scheme: str | None,
    breaks: Sequence[float] | None,
    colors: Mapping[str, str] | None,
    unit: str | None,
    missing_label: str | None,
    legend_title: str | None,
) -> tuple[str, Mapping[str, str] | None, str, str, str]:
    """Scheme, colours, unit, missing label and legend title of ``column``: what the
    caller gave, else what the registered metric of that name uses in :func:`draw_map`."""
    from pacte_analysis.analysis import metric_info
    from pacte_analysis.maps import _make

    try:
        info = metric_info(column)
    except UnknownCodeError:
        info = None
    # A user's text column keeps the explicit choice (a French error says to write
    # scheme="categories"); the registered category metrics (status) need none.
    categorical = info is not None and info.kind == "category"
    if scheme is None:
        scheme = "user" if breaks is not None else "categories" if categorical else "quantiles"
    if colors is None and column == "status" and scheme == "categories":
        colors = _make._STATUS_COLORS
    if unit is None:
        unit = info.unit if info is not None and scheme != "categories" else ""
    if missing_label is None:
        missing_label = _make._missing_label(level, column, own=info is None)
    if legend_title is None:
        legend_title = info.label if info is not None else column
    return scheme, colors, unit, missing_label, legend_title


def plot_map(
    gdf: gpd.GeoDataFrame,
    column: str,
    *,
    level: Level = "commune",
    scheme: str | None = None,
    k: int = 5,
    breaks: Sequence[float] | None = None,
    cmap: str | None = None,
    colors: Mapping[str, str] | None = None,
    title: str | None = None,
    subtitle: str | None = None,
    legend_title: str | None = None,
    unit: str | None = None,
    source: str | None = None,
    demo: bool | None = None,
    departement: str | None = None,
    region: str | None = None,
    borders: gpd.GeoDataFrame | None = None,
    missing_label: str | None = None,
    figsize: tuple[float, float] | None = None,
    date: _dt.date | None = None,
    edgecolor: str | None = None,
    ax: Axes | None = None,
    inset: bool = True,
    place_names: int | None = None,
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
        unit drawn (mainland and DROM together). Default scheme: ``"categories"``
        for a registered category metric (``status``, with its registered
        colours), ``"user"`` when ``breaks`` are given, ``"quantiles"`` otherwise.
    title, subtitle, legend_title : str, optional
        French texts; the legend title defaults to the column's French label
        (:func:`~pacte_analysis.metric_info`), or ``column`` for a user's column.
    unit : str, optional
        Unit written in the legend labels (``%``, ``listes``…). Default: the
        registered unit of the column (:func:`~pacte_analysis.metric_info`), none
        for a user's column.
    source : str, optional
        Source of the commitments, written before the IGN/INSEE credit.
    demo : bool, optional
        Mark the map « Données fictives – démonstration » and say in the source line
        that the data are fictitious. Default: when ``gdf`` is flagged as demo data
        (:func:`~pacte_analysis.map_data` of tables read from a demo folder).
    departement, region : str, optional
        Zoom on one département (``"35"``, ``"974"``) or région (``"53"``) in its
        own projection; otherwise the national layout (Lambert-93, DROM brought
        near in framed boxes).
    borders : geopandas.GeoDataFrame, optional
        Outlines drawn over the map (e.g. départements over communes), placed like
        the map (give them a ``code`` column of départements for the national
        layout).
    missing_label : str, optional
        Legend entry of the grey units without a value. Default: what a missing
        value of the registered metric means at ``level`` (« Aucune liste connue »
        for the commune metrics computed from the lists…), « Aucune donnée »
        otherwise.
    figsize : (float, float), optional
        Inches; by default A4 width (8.3 in) and the height the map needs.
    date : datetime.date, optional
        Date of the credit line (today by default).
    edgecolor : str, optional
        Colour of the unit outlines; default white hairlines for territories and
        none for communes (too dense at national scale).
    ax : matplotlib.axes.Axes, optional
        Draw into this axes (small multiples): the map, its DROM and Paris boxes,
        a compact legend and ``title`` as the axes title; the figure's title,
        source line and demo mark are left to the caller. Returns ``ax.figure``.
    inset : bool, default True
        On national maps of communes, EPCI and départements, draw Paris and the
        petite couronne again, larger, in a box north-east of the mainland (same
        classes as the main map).
    place_names : int, optional
        Name the ``place_names`` most populous units (needs ``name`` and
        ``population`` columns), skipping a name that would overlap another.
        Default on zoom maps: 8 for communes, every unit for EPCI and
        départements (a région has at most 13 départements); none on national
        maps. On a zoom, the
        chef-lieu (préfecture) of the département or région is always named
        first, in bold beside a star.

    Notes
    -----
    In SVG and PDF files, text, legend and frames stay vector. The polygons stay
    vector too (editable in Illustrator or Inkscape) on département, région and
    EPCI maps and on commune zooms of up to :data:`RASTER_ABOVE` communes (a
    département, Bretagne, Île-de-France); maps of more communes (the national
    map: 35,000 shapes) rasterise their polygon layer at the file's dpi. The rule
    applied is written in the file's description (SVG ``dc:description``, PDF
    subject, PNG ``Description``).

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
    if demo is None:
        from pacte_analysis.tables import is_demo

        demo = is_demo(gdf)
    departement = _zoom_code(departement, "département")
    region = _zoom_code(region, "région")
    scheme, colors, unit, missing_label, legend_title = _registered_defaults(
        column, level, scheme, breaks, colors, unit, missing_label, legend_title
    )
    selected = _select(gdf, level, departement, region)
    placed = _placed(selected, level, departement, region)
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
    rasterized = level in ("commune", "arrondissement") and len(placed) > RASTER_ABOVE
    show_idf = national and inset and level != "region"
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
    if ax is not None:
        return _draw_into(
            ax, placed, cls, facecolors, edgecolor, rasterized, frames, show_idf, level,
            (xmin, xmax, ymin, ymax), title, legend_title, missing_label,
        )  # fmt: skip
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
        _draw_layers(ax, placed, facecolors, edgecolor, rasterized, frames, show_idf, level)
        if borders is not None:
            placed_borders = _place_borders(borders, departement, region, placed.crs)
            ax.add_collection(
                LineCollection(
                    _lines(placed_borders.geometry.to_numpy()),
                    colors="#4d4d4d",
                    linewidths=0.3,
                )
            )
            if show_idf:
                ax.add_collection(
                    LineCollection(_idf_lines(placed_borders), colors="#4d4d4d", linewidths=0.3)
                )
        ax.set_xlim(xmin, xmax)
        ax.set_ylim(ymin, ymax)
        if place_names is None:  # zooms: the main communes, every territory
            place_names = 0 if national else 8 if level == "commune" else len(placed)
        if place_names:
            _name_places(
                fig, ax, placed, place_names, _prefecture_code(departement, region),
                _seats_of(region) if level == "commune" else (),
            )  # fmt: skip

        handles = _legend_handles(cls, missing_label)
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
            if show_idf:
                notes.append("Paris et petite couronne agrandis")
        _style.finish_figure(
            fig,
            title=title,
            subtitle=subtitle,
            source=source,
            demo=demo,
            date=date,
            contours=True,
            extra="\u00a0; ".join(notes) or None,  # French: a space before « ; »
        )
    from pacte_analysis._files import escape_figure_text

    description = (
        _RASTER_NOTE.format(n=len(placed), limit=RASTER_ABOVE) if rasterized else _VECTOR_NOTE
    )
    setattr(fig, "pacte_description", description)  # noqa: B010 (read by save_map)
    return escape_figure_text(fig)


#: Points of white space kept around every place name (no two names closer than this).
_NAME_PAD_PX = 2.0


def _prefecture_code(departement: str | None, region: str | None) -> str | None:
    """Commune code of the chef-lieu (préfecture) of the zoomed territory, if known."""
    from pacte_analysis import reference

    if departement is None and region is None:
        return None
    layer = reference.departements if departement is not None else reference.regions
    frame = layer(resolution="web")
    if "chef_lieu" not in frame:  # a cache built before the chef-lieu was stored
        return None
    match = frame.loc[frame["code"].astype("string") == (departement or region), "chef_lieu"]
    return None if match.empty or pd.isna(match.iloc[0]) else str(match.iloc[0])


def _seats_of(region: str | None) -> list[str]:
    """Commune codes of the chefs-lieux (préfectures) of the départements of ``region``."""
    from pacte_analysis import reference

    if region is None:
        return []
    deps = reference.departements(resolution="web")
    if "chef_lieu" not in deps or "region_code" not in deps:
        return []
    seats = deps.loc[deps["region_code"].astype("string") == region, "chef_lieu"]
    return [str(c) for c in seats.dropna()]


def _name_places(
    fig: Figure,
    ax: Axes,
    placed: gpd.GeoDataFrame,
    n: int,
    prefecture: str | None = None,
    seats: Sequence[str] = (),
) -> None:
    """Name the préfecture (star and bold name), then the ``seats`` (the other
    préfectures of a région), then the most populous units (then the largest ones
    whose population is unknown).

    ``n`` names at most, the préfecture's first: it is always written (above its star,
    or beside it when the map's edge is too near). Another name is written only where
    its box, padded by :data:`_NAME_PAD_PX`, meets no other name and no star; otherwise
    the next commune by population is tried.
    """
    from matplotlib import patheffects

    if "name" not in placed or "population" not in placed:
        return
    renderer = fig._get_renderer()  # type: ignore[attr-defined]
    halo = [patheffects.withStroke(linewidth=2, foreground="white")]
    frame = ax.get_window_extent(renderer=renderer)
    taken: list[Bbox] = []

    def box_of(artist: object) -> Bbox:
        extent = artist.get_window_extent(renderer=renderer)  # type: ignore[attr-defined]
        return extent.padded(_NAME_PAD_PX)

    written = 0
    is_prefecture = np.zeros(len(placed), dtype=bool)
    if prefecture is not None and "code" in placed:
        is_prefecture = (placed["code"].astype("string") == prefecture).fillna(False).to_numpy(bool)
    if is_prefecture.any():
        idx = placed.index[is_prefecture][0]
        point = placed.geometry.loc[idx].representative_point()
        (star,) = ax.plot(
            [point.x], [point.y], marker="*", markersize=9, color="#111111",
            markeredgecolor="white", markeredgewidth=0.6, linestyle="none", zorder=6,
            gid="pacte-prefecture",
        )  # fmt: skip
        taken.append(box_of(star))
        for offset, ha, va in (
            ((0, 5), "center", "bottom"),
            ((0, -5), "center", "top"),
            ((6, 0), "left", "center"),
            ((-6, 0), "right", "center"),
        ):
            text = ax.annotate(
                str(placed.at[idx, "name"]), (point.x, point.y), xytext=offset,
                textcoords="offset points", fontsize=7.5, fontweight="bold", ha=ha, va=va,
                color="#111111", zorder=6, gid="pacte-place-name", path_effects=halo,
            )  # fmt: skip
            box_ = box_of(text)
            inside = frame.x0 <= box_.x0 and box_.x1 <= frame.x1
            if inside and frame.y0 <= box_.y0 and box_.y1 <= frame.y1:
                break
            text.remove()
        else:  # no side fits inside the map: above it is
            text = ax.annotate(
                str(placed.at[idx, "name"]), (point.x, point.y), xytext=(0, 5),
                textcoords="offset points", fontsize=7.5, fontweight="bold", ha="center",
                va="bottom", color="#111111", zorder=6, gid="pacte-place-name",
                path_effects=halo,
            )  # fmt: skip
            box_ = box_of(text)
        taken.append(box_)
        written += 1
    population = pd.to_numeric(placed["population"], errors="coerce")[~is_prefecture]
    # Units of unknown population (all of Mayotte's communes in COG 2020) come after,
    # the largest in area first: a zoom always names some places.
    unknown = placed.geometry[~is_prefecture][population.isna()].area
    order = [
        *population.dropna().sort_values(ascending=False).index,
        *unknown.sort_values(ascending=False).index,
    ][: n * 4]
    if seats and "code" in placed:  # a région zoom: every département's préfecture first
        codes = placed["code"].astype("string")
        first = [i for i in population.index if codes.at[i] in set(seats)]
        n += len(first)
        order = [*first, *(i for i in order if i not in set(first))]
    for idx in order:
        if written >= n:
            break
        point = placed.geometry.loc[idx].representative_point()
        name = ax.text(
            point.x,
            point.y,
            str(placed.at[idx, "name"]),
            fontsize=6.5,
            ha="center",
            va="center",
            color="#111111",
            zorder=5,
            gid="pacte-place-name",
            path_effects=halo,
        )
        box_ = box_of(name)
        if any(box_.overlaps(other) for other in taken):
            name.remove()
            continue
        taken.append(box_)
        written += 1


def _legend_handles(cls: Classification, missing_label: str) -> list[Patch]:
    """One patch per class that has units (empty categories are left out)."""
    counts = np.bincount(cls.classes[cls.classes >= 0], minlength=len(cls.labels))
    handles = [
        Patch(facecolor=c, edgecolor="#999999", linewidth=0.3, label=wrap_text(lab, 26))
        for c, lab, n in zip(cls.colors, cls.labels, counts, strict=True)
        if n > 0
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
    return handles


def _frame(ax: Axes, bounds: tuple[float, float, float, float], name: str) -> None:
    """A grey frame with its name written just above it (never over the shapes)."""
    x0, y0, x1, y1 = bounds
    ax.plot([x0, x1, x1, x0, x0], [y0, y0, y1, y1, y0], color=_DROM_FRAME_COLOR, lw=0.5)
    ax.text(
        x0, y1 + _LABEL_GAP, name, fontsize=6, va="bottom", ha="left", color="#333333",
        gid=f"pacte-inset-{name}",
    )  # fmt: skip


def _draw_layers(
    ax: Axes,
    placed: gpd.GeoDataFrame,
    facecolors: np.ndarray,
    edgecolor: str,
    rasterized: bool,
    frames: gpd.GeoDataFrame | None,
    show_idf: bool,
    level: str,
) -> None:
    """The polygons, the DROM frames and the Paris inset (same colours as the map)."""
    ax.set_axis_off()
    ax.set_aspect("equal")
    ax.add_collection(
        PathCollection(
            _shape_paths(placed.geometry.to_numpy()),
            facecolors=list(facecolors),
            edgecolors=edgecolor,
            linewidths=0.15 if edgecolor != "none" else 0.0,
            rasterized=rasterized,
        )
    )
    if frames is not None:
        for _, frame in frames.iterrows():
            _frame(ax, frame.geometry.bounds, str(frame["name"]))
    if show_idf:
        mask, moved = idf_inset(placed, level)
        if mask.any():
            ax.add_collection(
                PathCollection(
                    _paths(moved.to_numpy()),
                    facecolors=list(facecolors[mask]),
                    edgecolors="white",
                    linewidths=0.1,
                    rasterized=rasterized,
                )
            )
            _frame(ax, IDF_BOX, IDF_NAME)


def _draw_into(
    ax: Axes,
    placed: gpd.GeoDataFrame,
    cls: Classification,
    facecolors: np.ndarray,
    edgecolor: str,
    rasterized: bool,
    frames: gpd.GeoDataFrame | None,
    show_idf: bool,
    level: str,
    limits: tuple[float, float, float, float],
    title: str | None,
    legend_title: str,
    missing_label: str,
) -> Figure:
    """:func:`plot_map` into a caller's axes (small multiples)."""
    with _style.figure_style():
        _draw_layers(ax, placed, facecolors, edgecolor, rasterized, frames, show_idf, level)
        ax.set_xlim(limits[0], limits[1])
        ax.set_ylim(limits[2], limits[3])
        if title:
            ax.set_title(wrap_text(title, 40), fontsize=9, loc="left")
        handles = _legend_handles(cls, missing_label)
        # Below the map, never over it (small multiples: leave room under each axes).
        legend = ax.legend(
            handles=handles,
            title=wrap_text(legend_title, 40),
            loc="upper center",
            bbox_to_anchor=(0.5, 0.0),
            ncols=2 if len(handles) > 3 else 1,
            fontsize=6,
            title_fontsize=6.5,
            alignment="left",
            frameon=False,
            borderaxespad=0.3,
        )
        legend.set_gid("pacte-legend")
    fig = ax.figure
    assert isinstance(fig, Figure)
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

    In SVG and PDF files the polygons of commune maps of more than
    :data:`RASTER_ABOVE` units are rasterised (the national map's 35,000 shapes:
    small files); département, région and EPCI maps and smaller commune zooms stay
    entirely vector. Text, legend and frames always stay vector. The file's
    description (SVG ``dc:description``, PDF subject, PNG ``Description``) says which.
    See :func:`pacte_analysis.charts.save_figure`.

    Raises
    ------
    PacteTypeError
        ``fig`` is not a matplotlib figure (e.g. the table instead of the map).
    InvalidArgumentError
        Unsupported suffix (French message).
    """
    if not isinstance(fig, Figure):
        hint = " (la table, pas la carte ?)" if isinstance(fig, pd.DataFrame) else ""
        raise PacteTypeError(
            f"save_map : donnez la figure renvoyée par pa.plot_map, pas {type(fig).__name__}"
            f'{hint} : pa.save_map(pa.plot_map(table, "colonne"), "carte.png").'
        )
    suffix = Path(path).suffix.lower()
    if suffix not in (".png", ".svg", ".pdf"):
        raise InvalidArgumentError(
            f"save_map : format de fichier non pris en charge « {Path(path).suffix or path} » : "
            "utilisez .png, .svg ou .pdf (et pa.interactive_map pour une carte web .html)."
        )
    description = getattr(fig, "pacte_description", None)
    if description is None:
        return save_figure(fig, path, dpi=dpi)
    from pacte_analysis._files import atomic_write

    metadata: dict[str, str | None] = {
        ".png": {"Software": None, "Description": description},
        ".svg": {"Date": None, "Description": description},
        ".pdf": {"CreationDate": None, "ModDate": None, "Subject": description},
    }[suffix]
    # As save_figure, with the file's description (whether the polygons are rasterised).
    with atomic_write(Path(path)) as fh:
        write_figure(fig, fh, suffix, dpi=dpi, metadata=metadata)
    return Path(path)
