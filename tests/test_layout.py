"""National layout: Lambert-93 with the DROM brought near the mainland."""

from __future__ import annotations

import geopandas as gpd
import pytest
from shapely.geometry import Point, box

import pacte_analysis as pa


@pytest.fixture(scope="module")
def deps(reference_ready: None) -> gpd.GeoDataFrame:
    return pa.departements(resolution="web")


def test_drom_land_in_their_boxes_and_mainland_is_lambert93(deps: gpd.GeoDataFrame) -> None:
    layout = pa.national_layout(deps, departement_column="code")
    assert layout.crs.to_epsg() == 2154
    assert list(layout["code"]) == list(deps["code"])
    boxes = pa.drom_boxes().set_index("code")
    for code in pa.DROM_CODES:
        geom = layout.loc[layout["code"] == code].geometry.item()
        assert boxes.loc[code, "geometry"].contains(geom), code
    mainland = layout[~layout["code"].isin(pa.DROM_CODES)]
    expected = deps[~deps["code"].isin(pa.DROM_CODES)].to_crs(2154)
    assert mainland.geometry.geom_equals_exact(expected.geometry, tolerance=1e-6).all()
    france = box(*mainland.total_bounds)
    for geom in pa.drom_boxes().geometry:
        assert not geom.intersects(france.buffer(-60_000))  # boxes sit beside the mainland


def test_levels_line_up(reference_ready: None, deps: gpd.GeoDataFrame) -> None:
    communes = pa.communes(resolution="web")
    reunion = pa.national_layout(communes[communes["departement_code"] == "974"])
    dep = pa.national_layout(deps, departement_column="code").set_index("code")
    assert dep.loc["974", "geometry"].buffer(1).contains(reunion.union_all())
    regions = pa.national_layout(pa.regions(resolution="web"), region_column="code")
    reg = regions.set_index("code").loc["04", "geometry"]
    assert reg.symmetric_difference(dep.loc["974", "geometry"]).area < 1.0


def test_layout_needs_a_crs() -> None:
    gdf = gpd.GeoDataFrame({"departement_code": ["35"]}, geometry=[Point(0, 0)])
    with pytest.raises(ValueError, match="système de coordonnées"):
        pa.national_layout(gdf)
