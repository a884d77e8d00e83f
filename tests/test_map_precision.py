"""The national commune web map: coordinate precision chosen on evidence (issue 12)."""

from __future__ import annotations

import inspect
from pathlib import Path

import geopandas as gpd
import numpy as np
import shapely

from pacte_analysis import reference
from pacte_analysis.maps.interactive import interactive_map, save_html

MIB = 2**20


def _national(tmp_path: Path, precision: int | None = None) -> Path:
    communes = reference.communes(resolution="web")
    rng = np.random.default_rng(4)
    communes["part"] = np.where(rng.random(len(communes)) < 0.08, rng.random(len(communes)), np.nan)
    page = tmp_path / f"communes{precision or ''}.html"
    if precision is None:  # the default, as every map of the package draws it
        fmap = interactive_map(communes, ["part"], units={"part": "%"})
    else:
        fmap = interactive_map(communes, ["part"], units={"part": "%"}, precision=precision)
    return save_html(fmap, page)


def test_the_national_commune_page_stays_under_3_mib(reference_ready: None, tmp_path: Path) -> None:
    page = _national(tmp_path)
    assert page.stat().st_size <= 3 * MIB
    # the same page with metre precision (5 decimals) is the heavier one
    assert _national(tmp_path, precision=5).stat().st_size > 1.15 * page.stat().st_size


def test_default_rounding_keeps_the_smallest_communes_shape(reference_ready: None) -> None:
    """Rounded as the page is, no commune's area moves by 5 % (Riverie, 69166, 0.03 km²,
    would lose two thirds of it at 3 decimals)."""
    precision = inspect.signature(interactive_map).parameters["precision"].default
    communes = reference.communes(resolution="web").dropna(subset=["geometry"])
    rounded = shapely.set_precision(communes.geometry.to_numpy(), 10.0**-precision)
    before = communes.to_crs(2154).area.to_numpy()
    after = gpd.GeoSeries(rounded, crs=communes.crs).to_crs(2154).area.to_numpy()
    change = np.abs(after - before) / before
    assert change.max() < 0.05, communes["name"].iloc[int(change.argmax())]
