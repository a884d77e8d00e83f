"""Print maps: classification, legend, marks, formats, national layout."""

from __future__ import annotations

import struct
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
from shapely.geometry import Polygon, box

import pacte_analysis as pa
from pacte_analysis.maps.static import classify, plot_map, save_map


def _texts(fig) -> list[str]:  # type: ignore[no-untyped-def]
    out = [t.get_text() for t in fig.texts]
    for ax in fig.axes:
        out += [t.get_text() for t in ax.texts]
    for legend in fig.legends:
        out += [t.get_text() for t in legend.get_texts()] + [legend.get_title().get_text()]
    return out


@pytest.fixture
def squares() -> gpd.GeoDataFrame:
    """Four communes of Ille-et-Vilaine (squares near Rennes), one with a hole."""
    x0, y0 = -1.7, 48.1
    geoms = [box(x0 + i * 0.01, y0, x0 + (i + 1) * 0.01, y0 + 0.01) for i in range(3)]
    outer = box(x0 + 0.03, y0, x0 + 0.05, y0 + 0.02)
    geoms.append(
        Polygon(
            outer.exterior.coords,
            [box(x0 + 0.035, y0 + 0.005, x0 + 0.04, y0 + 0.01).exterior.coords],
        )
    )
    return gpd.GeoDataFrame(
        {
            "code": ["35001", "35002", "35003", "35004"],
            "departement_code": ["35"] * 4,
            "region_code": ["53"] * 4,
            "value": [1.0, 5.0, np.nan, 12.0],
            "status": pd.Categorical(["b", "a", None, "b"], categories=["a", "b"]),
        },
        geometry=geoms,
        crs=4326,
    )


def test_classify_by_hand() -> None:
    c = classify([0, 1, 2, 3, 10, None], scheme="user", breaks=[0, 2, 5])
    assert c.classes.tolist() == [0, 1, 1, 2, 3, -1]
    assert c.labels == ["0", "1 – 2", "3 – 5", "6 – 10"]
    assert len(set(c.colors)) == 4
    q = classify(list(range(1, 101)), scheme="quantiles", k=4, unit="%")
    assert q.labels[0] == "1 – 25\u00a0%" and q.labels[-1] == "76 – 100\u00a0%"
    assert np.bincount(q.classes).tolist() == [25, 25, 25, 25]
    few = classify([1, 1, 2, 2, 2], k=5)
    assert few.labels == ["1", "2"]
    assert classify([0.5, 1.5, 2.5], scheme="equal_interval", k=2).labels[0] == "0,5 – 1,5"
    nb = classify(np.arange(40_000) % 97, scheme="natural_breaks", k=5)
    assert len(nb.labels) == 5 and (nb.classes >= 0).all()
    with pytest.raises(ValueError, match="Méthode de classification inconnue"):
        classify([1, 2], scheme="jenks")
    with pytest.raises(ValueError, match="seuils"):
        classify([1, 2], scheme="user")


def test_categories_keep_their_order_and_missing_is_grey() -> None:
    values = pd.Series(pd.Categorical(["b", None, "a"], categories=["a", "b"]))
    c = classify(values, scheme="categories", colors={"a": "#000000", "b": "#ffffff"})
    assert c.labels == ["a", "b"]
    assert c.classes.tolist() == [1, -1, 0]
    assert list(c.color_array()) == ["#ffffff", "#d9d9d9", "#000000"]


def test_zoom_map_texts_legend_and_marks(squares: gpd.GeoDataFrame) -> None:
    fig = plot_map(
        squares,
        "value",
        departement="35",
        scheme="user",
        breaks=[2, 10],
        title="Titre de test",
        legend_title="Mesures",
        unit="mesures",
        source="Collectif de test",
        demo=True,
        missing_label="Aucune liste connue",
    )
    texts = _texts(fig)
    assert "Titre de test" in texts
    assert "Mesures" in texts
    assert "1 – 2\u00a0mesures" in texts
    assert "Aucune liste connue" in texts
    assert "Données fictives – démonstration" in texts
    source = next(t for t in texts if t.startswith("Source"))
    assert "Collectif de test" in source
    assert "IGN Admin Express COG 2020" in source and "Licence Ouverte 2.0" in source
    # The hole of the fourth commune is kept: the collection draws 4 paths, 5 rings.
    collection = fig.axes[0].collections[0]
    assert len(collection.get_paths()) == 4
    assert sum(c == 1 for c in collection.get_paths()[3].codes) == 2  # two MOVETO


def test_bad_requests_are_explained(squares: gpd.GeoDataFrame) -> None:
    with pytest.raises(ValueError, match="colonne « absent » absente"):
        plot_map(squares, "absent")
    with pytest.raises(ValueError, match="Aucune unité à cartographier pour le département 29"):
        plot_map(squares, "value", departement="29")


@pytest.mark.parametrize("suffix", [".png", ".svg", ".pdf"])
def test_formats(squares: gpd.GeoDataFrame, tmp_path: Path, suffix: str) -> None:
    fig = plot_map(squares, "status", scheme="categories", departement="35", demo=True)
    path = save_map(fig, tmp_path / f"carte{suffix}")
    data = path.read_bytes()
    magic = {".png": b"\x89PNG", ".svg": b"<?xml", ".pdf": b"%PDF"}[suffix]
    assert data.startswith(magic)
    if suffix == ".png":
        # pHYs chunk: 300 dpi = 11811 pixels per metre
        idx = data.index(b"pHYs")
        assert struct.unpack(">II", data[idx + 4 : idx + 12]) == (11811, 11811)
        width = struct.unpack(">I", data[16:20])[0]
        assert width == pytest.approx(8.3 * 300, abs=2)
    if suffix == ".svg":
        text = data.decode("utf-8")
        assert "Données fictives – démonstration" in text  # text stays text
        assert "<image" not in text  # a zoom of a few communes stays vector (editable)


@pytest.fixture(scope="module")
def national(reference_ready: None) -> gpd.GeoDataFrame:
    communes = pa.communes(resolution="print")
    rng = np.random.default_rng(1)
    communes["value"] = np.where(
        rng.random(len(communes)) < 0.1, rng.integers(1, 33, len(communes)), np.nan
    )
    return communes


def test_national_commune_map_shows_the_drom(national: gpd.GeoDataFrame, tmp_path: Path) -> None:
    deps = pa.departements(resolution="print")
    fig = plot_map(national, "value", title="France entière", borders=deps, demo=True)
    texts = _texts(fig)
    for name in ("Guadeloupe", "Martinique", "Guyane", "La Réunion", "Mayotte"):
        assert name in texts
    assert any("DROM rapprochés" in t for t in texts)
    collection = fig.axes[0].collections[0]
    assert len(collection.get_paths()) == 34_968
    xmin, _ = fig.axes[0].get_xlim()
    assert xmin < -50_000  # the DROM column west of Brittany is in view
    png = save_map(fig, tmp_path / "france.png")
    pdf = save_map(fig, tmp_path / "france.pdf")
    assert 200_000 < png.stat().st_size < 8_000_000
    assert pdf.stat().st_size < 5_000_000  # rasterised polygons keep the PDF small


def test_departement_and_region_levels(reference_ready: None, tmp_path: Path) -> None:
    deps = pa.departements(resolution="web")
    deps["share"] = np.linspace(0, 100, len(deps))
    fig = plot_map(deps, "share", level="departement", unit="%", legend_title="Part")
    assert len(fig.axes[0].collections[0].get_paths()) == 101
    regions = pa.regions(resolution="web")
    regions["n"] = range(len(regions))
    fig = plot_map(regions, "n", level="region")
    placed = fig.axes[0].collections[0].get_paths()
    assert len(placed) == 18
    zoom = plot_map(regions, "n", level="region", region="04")
    assert len(zoom.axes[0].collections[0].get_paths()) == 1
