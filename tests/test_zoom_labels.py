"""Zoom maps name the préfecture (chef-lieu) first, then the largest communes, no overlap."""

from __future__ import annotations

import itertools

import geopandas as gpd
import numpy as np
import pytest
import shapely
from matplotlib.figure import Figure
from matplotlib.lines import Line2D
from matplotlib.text import Text
from matplotlib.transforms import Bbox

import pacte_analysis as pa
from pacte_analysis.maps.static import plot_map


@pytest.mark.parametrize("vintage", [2020, 2026])
def test_the_reference_knows_each_chef_lieu(reference_ready: None, vintage: int) -> None:
    deps = pa.departements(vintage=vintage, resolution="web").set_index("code")
    regs = pa.regions(vintage=vintage, resolution="web").set_index("code")
    communes = pa.communes(vintage=vintage, resolution="web").set_index("code")
    assert deps.loc["35", "chef_lieu"] == "35238"  # Rennes
    assert deps.loc["2A", "chef_lieu"] == "2A004"  # Ajaccio
    assert deps.loc["976", "chef_lieu"] == "97611"  # Mamoudzou (not Dzaoudzi)
    assert deps.loc["50", "chef_lieu"] == "50502"  # Saint-Lô, not the largest (Cherbourg)
    assert regs.loc["53", "chef_lieu"] == "35238"  # Rennes
    assert regs.loc["06", "chef_lieu"] == "97611"
    assert communes.loc["97611", "name"] == "Mamoudzou"
    # every chef-lieu is a commune of its own territory
    assert (communes.loc[deps["chef_lieu"], "departement_code"].to_numpy() == deps.index).all()
    assert (communes.loc[regs["chef_lieu"], "region_code"].to_numpy() == regs.index).all()


def _labels(fig: Figure) -> tuple[list[Text], list[Bbox], list[Line2D]]:
    fig.draw_without_rendering()
    ax = fig.axes[0]
    names = [t for t in ax.texts if t.get_gid() == "pacte-place-name"]
    stars = [line for line in ax.get_lines() if line.get_gid() == "pacte-prefecture"]
    boxes = [a.get_window_extent() for a in [*names, *stars]]
    return names, boxes, stars


@pytest.fixture(scope="module")
def communes_data(synthetic_tables) -> gpd.GeoDataFrame:  # type: ignore[no-untyped-def]
    lists, commitments = synthetic_tables
    return pa.map_data(lists, commitments, level="commune")


@pytest.mark.parametrize(
    ("zoom", "prefecture", "code"),
    [
        ({"departement": "35"}, "Rennes", "35238"),
        ({"departement": "2A"}, "Ajaccio", "2A004"),
        ({"departement": "50"}, "Saint-Lô", "50502"),
        ({"region": "53"}, "Rennes", "35238"),
    ],
)
def test_zoom_maps_star_the_prefecture_and_name_the_largest_without_overlap(
    communes_data: gpd.GeoDataFrame, zoom: dict[str, str], prefecture: str, code: str
) -> None:
    fig = plot_map(
        communes_data,
        "n_lists",
        level="commune",
        place_names=12,
        departement=zoom.get("departement"),
        region=zoom.get("region"),
    )
    names, boxes, stars = _labels(fig)
    bold = [t.get_text() for t in names if t.get_fontweight() == "bold"]
    assert bold == [prefecture]  # the préfecture, and only it, in bold
    assert len(stars) == 1
    # the star sits on the préfecture (in the map's projection)
    x, y = (float(v) for v in np.asarray(stars[0].get_xydata())[0])
    where = zoom.get("departement") or zoom["region"]
    column = "departement_code" if "departement" in zoom else "region_code"
    shown = communes_data[communes_data[column] == where]
    from pacte_analysis.maps.static import _project

    placed = _project(shown, "commune", zoom.get("departement"), zoom.get("region"))
    assert placed.loc[placed["code"] == code].geometry.iloc[0].contains(shapely.Point(x, y))
    assert len(names) >= 6  # the largest communes are named too
    for a, b in itertools.combinations(boxes, 2):
        assert not a.overlaps(b), "deux noms (ou l'étoile) se chevauchent"


def test_the_prefecture_is_named_even_when_it_is_not_the_largest(
    communes_data: gpd.GeoDataFrame,
) -> None:
    fig = plot_map(communes_data, "n_lists", level="commune", departement="50", place_names=1)
    names, _, stars = _labels(fig)
    assert [t.get_text() for t in names] == ["Saint-Lô"]  # not Cherbourg-en-Cotentin
    assert len(stars) == 1
