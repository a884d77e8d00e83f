"""National maps: every DROM and the Paris inset land in their boxes, at every level.

The national extent must stay the mainland plus the boxes: a DROM left out of the
repositioning (e.g. Mayotte at région level) would stretch the map over thousands of
kilometres and squeeze the mainland into a corner. The region → DROM mapping below
is written out here on purpose, independently of the package's.
"""

from __future__ import annotations

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
import shapely
from shapely.geometry import box

import pacte_analysis as pa
from pacte_analysis.maps.static import (
    IDF_BOX,
    IDF_DEPARTEMENTS,
    idf_inset,
    idf_window,
    plot_map,
)

DROM = ("971", "972", "973", "974", "976")
DROM_OF_REGION = {"01": "971", "02": "972", "03": "973", "04": "974", "06": "976"}
LEVELS = ("commune", "epci", "departement", "region")


@pytest.fixture(scope="module")
def layers(reference_ready: None) -> dict[str, gpd.GeoDataFrame]:
    return {
        "commune": pa.communes(resolution="print"),
        "epci": pa.epci(resolution="print"),
        "departement": pa.departements(resolution="print"),
        "region": pa.regions(resolution="print"),
    }


def _drom_of(gdf: gpd.GeoDataFrame, level: str) -> pd.Series:
    if level == "region":
        return gdf["code"].astype("string").map(DROM_OF_REGION)
    column = "code" if level == "departement" else "departement_code"
    return gdf[column].astype("string").where(gdf[column].astype("string").isin(DROM))


def _layout(gdf: gpd.GeoDataFrame, level: str) -> gpd.GeoDataFrame:
    if level == "departement":
        return pa.national_layout(gdf, departement_column="code")
    if level == "region":
        return pa.national_layout(gdf, departement_column=None, region_column="code")
    return pa.national_layout(gdf)


def _allowed(gdf: gpd.GeoDataFrame, level: str) -> tuple[float, float, float, float]:
    """Bounds of the mainland (true Lambert-93) plus the DROM and Paris boxes."""
    mainland = gdf[_drom_of(gdf, level).isna().to_numpy()].to_crs(2154).total_bounds
    boxes = pa.drom_boxes().total_bounds
    return (
        min(mainland[0], boxes[0], IDF_BOX[0]),
        min(mainland[1], boxes[1], IDF_BOX[1]),
        max(mainland[2], boxes[2], IDF_BOX[2]),
        max(mainland[3], boxes[3], IDF_BOX[3]),
    )


@pytest.mark.parametrize("level", LEVELS)
def test_every_drom_lands_in_its_box(layers: dict[str, gpd.GeoDataFrame], level: str) -> None:
    gdf = layers[level]
    placed = _layout(gdf, level)
    drom = _drom_of(gdf, level).fillna("").to_numpy(dtype=str)
    boxes = pa.drom_boxes().set_index("code").geometry
    for code in DROM:
        rows = placed.geometry[(drom == code)]
        assert len(rows) >= 1, (level, code)
        assert boxes[code].buffer(1.0).contains(rows.union_all()), (level, code)
    x0, y0, x1, y1 = placed.total_bounds
    a0, b0, a1, b1 = _allowed(gdf, level)
    assert a0 - 1 <= x0 and b0 - 1 <= y0 and x1 <= a1 + 1 and y1 <= b1 + 1, (level, (x0, x1))
    assert x1 - x0 < 1_400_000 and y1 - y0 < 1_200_000  # km, not thousands of km


@pytest.mark.parametrize("level", ("commune", "epci", "departement"))
def test_paris_inset_lands_in_its_box_on_open_ground(
    layers: dict[str, gpd.GeoDataFrame], level: str
) -> None:
    gdf = layers[level]
    placed = _layout(gdf, level)
    mask, moved = idf_inset(placed, level)
    column = "code" if level == "departement" else "departement_code"
    if level != "epci":  # the Métropole du Grand Paris is one EPCI
        assert set(IDF_DEPARTEMENTS) <= set(gdf.loc[mask, column])
        assert set(gdf.loc[mask, column]) <= {*IDF_DEPARTEMENTS, "77", "78", "91", "95"}
    if level == "commune":  # Paris and its neighbours are all there, whole
        paris = placed.geometry[(gdf["code"] == "75056").to_numpy()].union_all()
        assert box(*idf_window()).contains(paris)
    frame = box(*IDF_BOX)
    assert frame.buffer(1.0).contains(moved.union_all())
    mainland = placed.geometry[_drom_of(gdf, level).isna().to_numpy()].union_all()
    assert not frame.intersects(mainland)  # drawn over the sea or abroad, never on France
    assert not any(frame.intersects(b) for b in pa.drom_boxes().geometry)


def _label_boxes(fig, ax) -> list[tuple[str, shapely.Geometry]]:  # type: ignore[no-untyped-def]
    fig.draw_without_rendering()
    out = []
    inverse = ax.transData.inverted()
    for text in ax.texts:
        gid = text.get_gid() or ""
        if gid.startswith("pacte-inset-"):
            extent = text.get_window_extent()
            (x0, y0), (x1, y1) = inverse.transform([[extent.x0, extent.y0], [extent.x1, extent.y1]])
            out.append((text.get_text(), box(x0, y0, x1, y1)))
    return out


@pytest.mark.parametrize("level", ("departement", "region", "epci"))
def test_national_maps_extent_and_inset_labels(
    layers: dict[str, gpd.GeoDataFrame], level: str
) -> None:
    gdf = layers[level].copy()
    gdf["value"] = np.arange(len(gdf), dtype=float)
    fig = plot_map(gdf, "value", level=level)  # type: ignore[arg-type]
    ax = fig.axes[0]
    a0, b0, a1, b1 = _allowed(gdf, level)
    pad = 0.03 * max(a1 - a0, b1 - b0)
    x0, x1 = ax.get_xlim()
    y0, y1 = ax.get_ylim()
    assert a0 - pad <= x0 and x1 <= a1 + pad and b0 - pad <= y0 and y1 <= b1 + pad
    placed = _layout(gdf, level)
    shapes = placed.geometry.union_all()
    if level != "region":
        shapes = shapes.union(idf_inset(placed, level)[1].union_all())
    labels = _label_boxes(fig, ax)
    names = {name for name, _ in labels}
    assert {"Guadeloupe", "Martinique", "Guyane", "La Réunion", "Mayotte"} <= names
    assert ("Paris et petite couronne" in names) == (level != "region")
    for name, label in labels:
        assert not label.intersects(shapes), f"le nom « {name} » recouvre des contours"
