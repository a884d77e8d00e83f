"""Print maps and charts a newsroom would publish: truthful classes, vector files, axes."""

from __future__ import annotations

from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
from shapely.geometry import box

import pacte_analysis as pa
from pacte_analysis.maps.static import classify, plot_map


def _texts(fig) -> list[str]:  # type: ignore[no-untyped-def]
    out = [t.get_text() for t in fig.texts]
    for legend in fig.legends:
        out += [t.get_text() for t in legend.get_texts()]
    return out


@pytest.fixture(scope="module")
def demo(reference_ready: None) -> pa.IngestResult:
    return pa.ingest(Path(__file__).resolve().parents[1] / "data" / "raw" / "demo")


def test_many_zeros_get_their_own_class() -> None:
    rng = np.random.default_rng(3)
    shares = np.r_[np.zeros(700), rng.uniform(0.1, 4.0, 300)]  # EPCI shares: mostly 0 %
    c = classify(shares, k=5, unit="%")
    assert c.labels[0] == "0\u00a0%"
    assert len(c.labels) == 5 and len(set(c.labels)) == 5  # no collapsed classes
    assert (c.classes[:700] == 0).all() and (c.classes[700:] >= 1).all()
    assert not any(label.startswith("0,0 – 0,0") for label in c.labels)
    # positive values share the other classes about evenly (quantiles)
    assert np.bincount(c.classes[700:])[1:].min() >= 60


def test_empty_categories_are_left_out_of_the_legend() -> None:
    gdf = gpd.GeoDataFrame(
        {
            "code": ["35001", "35002"],
            "departement_code": ["35", "35"],
            "status": pd.Categorical(["a", "b"], categories=["a", "b", "résultat inconnu"]),
        },
        geometry=[box(-1.7, 48.1, -1.69, 48.11), box(-1.69, 48.1, -1.68, 48.11)],
        crs=4326,
    )
    fig = plot_map(gdf, "status", scheme="categories", departement="35")
    texts = _texts(fig)
    assert "a" in texts and "b" in texts
    assert "résultat inconnu" not in texts


def test_territory_maps_stay_vector_communes_are_rasterised(
    demo: pa.IngestResult, tmp_path: Path
) -> None:
    for level in ("departement", "region", "epci"):
        svg = pa.draw_map(
            demo.lists,
            demo.commitments,
            tmp_path / f"{level}.svg",
            metric="n_lists",
            level=level,  # type: ignore[arg-type]
        ).read_text(encoding="utf-8")
        assert "<image" not in svg, level  # editable shapes in Illustrator / Inkscape
        assert svg.count("<path") > {"departement": 100, "region": 17, "epci": 1200}[level]
    herault = pa.draw_map(
        demo.lists,
        demo.commitments,
        tmp_path / "herault.svg",
        metric="n_lists",
        level="commune",
        departement="34",
    ).read_text(encoding="utf-8")
    assert "<image" not in herault  # a département's 342 communes stay editable shapes
    national = pa.draw_map(
        demo.lists, demo.commitments, tmp_path / "communes.svg", metric="n_lists", level="commune"
    ).read_text(encoding="utf-8")
    assert national.count("<image") == 1  # 35,000 shapes: only this layer is an image
    assert "rastéris" in national  # and the file says so


def test_chart_axes_fit_the_data(demo: pa.IngestResult, reference_ready: None) -> None:
    L, C = demo.lists, demo.commitments
    fig = pa.draw_chart("measure-popularity", L, C)
    ax = fig.axes[0]
    top = pa.measure_summary(L, C)[["share_lists", "share_elected"]].max().max()
    assert top <= ax.get_xlim()[1] <= top * 1.5  # not 0–100 % with 75 % empty
    communes = pa.communes(resolution="web").drop(columns="geometry")
    heat = pa.draw_chart("theme-heatmap", L, C, communes)
    cells = heat.axes[0].collections[0]  # one coloured cell per département and theme
    values = cells.get_array().compressed()
    assert cells.get_clim() == pytest.approx((values.min(), values.max()))


def test_elected_chart_says_nothing_of_zero_unknown(demo: pa.IngestResult) -> None:
    fig = pa.draw_chart("elected-vs-not", demo.lists, demo.commitments, demo=True)
    texts = _texts(fig)
    assert not any("0 liste au résultat inconnu" in t for t in texts)
    assert demo.lists["elected"].notna().all()  # the demo knows every result
    source = next(t for t in fig.texts if t.get_gid() == "pacte-source").get_text()
    assert "données fictives" in source  # fictitious data say so in the source line too
    assert "relevés des collectifs" not in source
    labels = [t.get_text() for t in fig.axes[0].get_legend().get_texts()]
    assert labels[0] == "aucune"  # lists without any measure are shown, not a collapsed box


def test_zoom_maps_name_the_main_communes_without_overlaps(synthetic_tables) -> None:  # type: ignore[no-untyped-def]
    lists, commitments = synthetic_tables
    data = pa.map_data(lists, commitments, level="commune")
    assert data.loc[data["code"] == "35238", "population"].notna().all()  # known, list or not
    fig = plot_map(data, "n_lists", level="commune", departement="35")
    ax = fig.axes[0]
    names = [t for t in ax.texts if t.get_gid() == "pacte-place-name"]
    assert "Rennes" in [t.get_text() for t in names] and 4 <= len(names) <= 8
    fig.draw_without_rendering()
    boxes = [t.get_window_extent() for t in names]
    for i, a in enumerate(boxes):
        assert not any(a.overlaps(b) for b in boxes[i + 1 :])
    national = plot_map(
        data.loc[data["departement_code"].isin(["35", "56"])], "n_lists", level="commune"
    )
    assert not [t for t in national.axes[0].texts if t.get_gid() == "pacte-place-name"]
