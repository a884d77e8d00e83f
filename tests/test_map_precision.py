"""The national commune web map: coordinate precision chosen on evidence (issue 12)."""

from __future__ import annotations

import inspect
import json
import re
from pathlib import Path

import browser
import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
import shapely
from shapely.geometry import box

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


def test_the_page_shows_each_value_when_only_the_known_ones_are_stored(tmp_path: Path) -> None:
    if not browser.browser_available() or browser.skip_browser():
        pytest.skip("Chromium ou Playwright absent")
    gdf = gpd.GeoDataFrame(
        {
            "code": ["A", "B", "C", "D"],
            "name": ["Un", "Deux", "Trois", "Quatre"],
            "share": [np.nan, 20.5, np.nan, 40.0],
            "n": pd.array([3, None, 1, 2], dtype="Int64"),
        },
        geometry=[box(i, 45, i + 1, 46) for i in range(4)],
        crs="EPSG:4326",
    )
    page = save_html(
        interactive_map(gdf, ["share", "n"], units={"share": "%"}, missing_label="Non évalué"),
        tmp_path / "clairsemee.html",
    )
    js = "() => { const api = Object.values(window.pacteMaps)[0]; return [0, 1, 2, 3].map(api.tooltip); }"
    got = browser.load_page(page, evaluate=js, timeout_s=60).evaluated
    assert "share : 20,5 %" in got[1] and "share : 40 %" in got[3]
    assert "share : <span" in got[0] and "Non évalué" in got[0] and "Non évalué" in got[2]
    assert "n : 3" in got[0] and "n : 1" in got[2] and "n : 2" in got[3]
    assert "Non évalué" in got[1].split("<br>")[1]  # n of « Deux » is missing
    # the values of the units without one are not written in the page
    data = re.search(r'<script type="application/json"[^>]*>(.*?)</script>', page.read_text())
    assert data is not None
    assert [m["vals"] for m in json.loads(data.group(1))["metrics"]] == [[20.5, 40], [3, 1, 2]]
