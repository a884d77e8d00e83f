"""National layout: mainland France in Lambert-93 with the five DROM brought near.

Each overseas département (Guadeloupe, Martinique, Guyane, La Réunion, Mayotte) is
projected in its own official metric projection, scaled to fit a box of fixed size
and moved into a column west of Brittany ("DROM rapprochés"). The boxes and the
transformation depend only on the département, never on the rows given, so a layer
of communes and a layer of départements line up exactly, and every map uses the same
classification for the mainland and the DROM (it is computed on the data, not here).
Scales differ between boxes: the legend of a map says so.
"""

from __future__ import annotations

from dataclasses import dataclass

import geopandas as gpd
import numpy as np
import pandas as pd
from shapely.geometry import box

__all__ = [
    "DROM_CODES",
    "LAMBERT93",
    "DromBox",
    "drom_boxes",
    "national_layout",
]

#: Projection of mainland maps (RGF93 / Lambert-93).
LAMBERT93 = "EPSG:2154"
#: Overseas départements (DROM) of 2020, in the order of their boxes (north to south).
DROM_CODES = ("971", "972", "973", "974", "976")
#: Région code → département code for the single-département overseas régions.
REGION_TO_DROM = {"01": "971", "02": "972", "03": "973", "04": "974", "06": "976"}

_BOX_WIDTH = 150_000.0
_BOX_HEIGHT = 150_000.0
_BOX_GAP = 30_000.0
_BOX_X0 = -90_000.0
_BOX_TOP = 7_060_000.0
_MARGIN = 0.06


@dataclass(frozen=True)
class DromBox:
    """Where one DROM goes: source projection and extent, target box in Lambert-93."""

    code: str
    name: str
    epsg: int
    extent: tuple[float, float, float, float]
    box: tuple[float, float, float, float]

    @property
    def affine(self) -> list[float]:
        """Coefficients ``[a, b, d, e, xoff, yoff]`` for ``GeoSeries.affine_transform``."""
        x0, y0, x1, y1 = self.extent
        bx0, by0, bx1, by1 = self.box
        inner_w = (bx1 - bx0) * (1 - 2 * _MARGIN)
        inner_h = (by1 - by0) * (1 - 2 * _MARGIN)
        scale = min(inner_w / (x1 - x0), inner_h / (y1 - y0))
        cx, cy = (x0 + x1) / 2, (y0 + y1) / 2
        bcx, bcy = (bx0 + bx1) / 2, (by0 + by1) / 2
        return [scale, 0.0, 0.0, scale, bcx - scale * cx, bcy - scale * cy]

    @property
    def scale(self) -> float:
        """Scale factor applied (1 = true scale of the mainland map)."""
        return self.affine[0]


# Extents in each DROM's projection, from the COG 2020 boundaries (rounded outwards).
_DROM_SOURCES = {
    "971": ("Guadeloupe", 5490, (627_000.0, 1_751_000.0, 714_000.0, 1_827_000.0)),
    "972": ("Martinique", 5490, (690_000.0, 1_592_000.0, 736_000.0, 1_646_000.0)),
    "973": ("Guyane", 2972, (99_000.0, 233_000.0, 432_000.0, 637_000.0)),
    "974": ("La Réunion", 2975, (314_000.0, 7_634_000.0, 380_000.0, 7_692_000.0)),
    "976": ("Mayotte", 4471, (504_000.0, 8_562_000.0, 533_000.0, 8_602_000.0)),
}


def _boxes() -> dict[str, DromBox]:
    out = {}
    for i, code in enumerate(DROM_CODES):
        name, epsg, extent = _DROM_SOURCES[code]
        top = _BOX_TOP - i * (_BOX_HEIGHT + _BOX_GAP)
        target = (_BOX_X0, top - _BOX_HEIGHT, _BOX_X0 + _BOX_WIDTH, top)
        out[code] = DromBox(code, name, epsg, extent, target)
    return out


_BOXES = _boxes()


def drom_boxes() -> gpd.GeoDataFrame:
    """The five inset boxes in Lambert-93, to draw their frames and names.

    Returns
    -------
    geopandas.GeoDataFrame
        ``code``, ``name``, ``scale`` (factor applied to that DROM), ``geometry``.
    """
    rows = list(_BOXES.values())
    return gpd.GeoDataFrame(
        {
            "code": [b.code for b in rows],
            "name": [b.name for b in rows],
            "scale": [b.scale for b in rows],
        },
        geometry=[box(*b.box) for b in rows],
        crs=LAMBERT93,
    )


def national_layout(
    gdf: gpd.GeoDataFrame,
    *,
    departement_column: str | None = "departement_code",
    region_column: str | None = None,
) -> gpd.GeoDataFrame:
    """Project a layer for a national map: Lambert-93 with the DROM moved near.

    Parameters
    ----------
    gdf : geopandas.GeoDataFrame
        Any layer with a CRS (communes, EPCI, départements, régions…).
    departement_column : str or None, default "departement_code"
        Column telling each row's département (use ``"code"`` for the départements
        layer). Rows whose département is one of :data:`DROM_CODES` are moved.
    region_column : str, optional
        For the régions layer: the column of région codes (``"code"``); used
        instead of ``departement_column``.

    Returns
    -------
    geopandas.GeoDataFrame
        A copy in EPSG:2154, same rows and order, DROM geometry scaled and moved
        into their boxes (see :func:`drom_boxes`).

    Examples
    --------
    >>> import pacte_analysis as pa
    >>> layout = pa.national_layout(pa.departements(), departement_column="code")  # doctest: +SKIP
    >>> layout.crs.to_epsg()  # doctest: +SKIP
    2154
    """
    if gdf.crs is None:
        raise ValueError("La couche n'a pas de système de coordonnées (CRS).")
    if region_column is not None:
        drom = gdf[region_column].astype("string").map(REGION_TO_DROM)
    elif departement_column is not None:
        drom = (
            gdf[departement_column]
            .astype("string")
            .where(gdf[departement_column].astype("string").isin(DROM_CODES))
        )
    else:
        raise ValueError("Indiquez departement_column ou region_column.")
    drom = pd.Series(drom.to_numpy(), index=gdf.index)
    out = gdf.to_crs(LAMBERT93)
    geoms = out.geometry.copy()
    for code, target in _BOXES.items():
        mask = (drom == code).fillna(False).to_numpy(dtype=bool)
        if not np.any(mask):
            continue
        local = gdf.geometry[mask].to_crs(target.epsg)
        moved = local.affine_transform(target.affine)
        geoms[mask] = moved.set_crs(LAMBERT93, allow_override=True).to_numpy()
    out = out.set_geometry(geoms)
    return out
