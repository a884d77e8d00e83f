"""Maps from demo tables say so; classes tell the truth on small selections; bad input is
explained in French (issue 11, QA report items 5, 6, 7, 10, 15, 26)."""

from __future__ import annotations

import html
import json
import re
from pathlib import Path
from typing import Any

import geopandas as gpd
import pandas as pd
import pytest
from matplotlib import colors as mpl_colors
from matplotlib.text import Text
from shapely.geometry import box

import pacte_analysis as pa
from pacte_analysis.errors import InvalidArgumentError, PacteError, PacteTypeError
from pacte_analysis.maps import _make, classify, plot_map, save_map
from pacte_analysis.tables import DEMO_MARKER

DEMO_MARK = "Données fictives – démonstration"


def _payload(page: Path) -> dict[str, Any]:
    found = re.search(
        r'<script type="application/json" id="pacte-data-[^"]+">(.*?)</script>',
        page.read_text(encoding="utf-8"),
        re.S,
    )
    assert found, "no data block"
    return dict(json.loads(found.group(1)))


def _svg_text(path: Path) -> str:
    return html.unescape(path.read_text(encoding="utf-8"))


@pytest.fixture(scope="module")
def demo_folder(
    synthetic_tables: tuple[pd.DataFrame, pd.DataFrame], tmp_path_factory: pytest.TempPathFactory
) -> Path:
    """A folder of tables marked as fictitious, like the one `pacte demo` writes."""
    lists, commitments = synthetic_tables
    folder = tmp_path_factory.mktemp("demo")
    rejects = pa.tables.empty_table("rejects")
    pa.write_tables({"lists": lists, "commitments": commitments, "rejects": rejects}, folder)
    (folder / DEMO_MARKER).write_text("Données fictives\n", encoding="utf-8")
    return folder


def test_maps_drawn_from_demo_tables_say_the_data_are_fictitious(
    demo_folder: Path, tmp_path: Path
) -> None:
    tables = pa.read_tables(demo_folder)
    assert tables.demo
    svg, page = _make.draw_maps(
        tables.lists,
        tables.commitments,
        [tmp_path / "r.svg", tmp_path / "r.html"],
        metric="share_communes_signatory",
        level="region",
    )
    text = _svg_text(svg)
    assert DEMO_MARK in text
    assert "données fictives de démonstration" in text
    assert "relevés des collectifs locaux" not in text  # not the real source
    data = _payload(page)
    assert data["demo"] == DEMO_MARK
    assert "données fictives de démonstration" in data["credit"]
    # the Python API path of a notebook: map_data → plot_map / interactive_map
    md = pa.map_data(tables.lists, tables.commitments, level="departement")
    fig = plot_map(md, "n_lists", level="departement")
    texts = [t.get_text() for t in fig.findobj(Text)]
    assert DEMO_MARK in texts
    assert any("données fictives de démonstration" in t for t in texts)
    web = pa.map_data(tables.lists, tables.commitments, level="departement", resolution="web")
    fmap = pa.interactive_map(web, ["n_lists"])
    assert DEMO_MARK in fmap.get_root().render()
    # an explicit demo=False is honoured
    own = tmp_path / "own.svg"
    pa.draw_map(tables.lists, tables.commitments, own, metric="n_lists", demo=False)
    assert DEMO_MARK not in _svg_text(own)


def test_maps_of_real_tables_are_not_marked_and_cite_the_collectives(
    synthetic_tables: tuple[pd.DataFrame, pd.DataFrame], tmp_path: Path
) -> None:
    lists, commitments = synthetic_tables
    assert not pa.tables.is_demo(lists, commitments)
    svg, page = _make.draw_maps(
        lists, commitments, [tmp_path / "r.svg", tmp_path / "r.html"], metric="n_lists",
        level="region",
    )  # fmt: skip
    assert DEMO_MARK not in _svg_text(svg)
    data = _payload(page)
    assert data["demo"] == ""
    assert "Source : relevés des collectifs locaux" in data["credit"]  # no more « no source »


def test_fewer_values_than_classes_give_one_class_per_value() -> None:
    c = classify([0.8, 0.8, 1.6, None], unit="%")
    assert c.labels == ["0,8\u00a0%", "1,6\u00a0%"]
    assert c.classes.tolist() == [0, 0, 1, -1]
    one = classify([3.0, 3.0, 3.0], unit="%")
    assert one.labels == ["3\u00a0%"]  # not « 3,0 – 3,0 % »
    for labels in (c.labels, one.labels, classify([0.5, 0.51, 0.52]).labels):
        assert not any(
            " – " in lab and lab.split(" – ")[0] == lab.split(" – ")[1] for lab in labels
        )
        assert len(set(labels)) == len(labels)
    # integers: « 1 liste » (singular), « 3 listes »
    assert classify([1, 3, 3], unit="listes").labels == ["1\u00a0liste", "3\u00a0listes"]
    wide = classify(list(range(1, 30)), unit="listes").labels
    assert wide[0] == "1 – 6\u00a0listes"


@pytest.mark.parametrize("k", [0, -1, 2.5])
def test_k_below_one_is_refused_in_french(k: Any) -> None:
    with pytest.raises(InvalidArgumentError, match="Nombre de classes"):
        classify([1, 2, 3], k=k)


def test_values_that_are_not_territories_are_reported(
    synthetic_tables: tuple[pd.DataFrame, pd.DataFrame], tmp_path: Path
) -> None:
    lists, commitments = synthetic_tables
    values = pd.Series([1.0, 2.0, 3.0], index=["ZZ", "35", "2a"])
    with pytest.warns(UserWarning, match=r"2 code\(s\).*« ZZ », « 2a »"):
        pa.draw_map(
            lists, commitments, tmp_path / "x.svg", level="departement", metric="x",
            values=values,
        )  # fmt: skip


def test_bad_map_arguments_are_pacte_errors_in_french(tmp_path: Path) -> None:
    squares = gpd.GeoDataFrame(
        {"code": ["35", "29"], "name": ["A", "B"], "v": [1.0, 2.0]},
        geometry=[box(0, 0, 1, 1), box(1, 0, 2, 1)],
        crs="EPSG:2154",
    )
    with pytest.raises(InvalidArgumentError, match="Palette de couleurs inconnue « Bogus »"):
        plot_map(squares, "v", level="departement", cmap="Bogus")
    with pytest.raises(InvalidArgumentError, match="Nombre de classes"):
        plot_map(squares, "v", level="departement", k=0)
    with pytest.raises(PacteTypeError, match="save_map : donnez la figure"):
        save_map(pd.DataFrame(squares), tmp_path / "x.png")  # type: ignore[arg-type]
    fig = plot_map(squares, "v", level="departement")
    with pytest.raises(PacteError, match=r"format de fichier non pris en charge « \.jpg »"):
        save_map(fig, tmp_path / "x.jpg")
    assert not (tmp_path / "x.jpg").exists()


def test_plot_map_keeps_the_registered_metric_look(
    synthetic_tables: tuple[pd.DataFrame, pd.DataFrame],
) -> None:
    """REPORT 18: plot_map(map_data(...), "status") draws what draw_map draws."""
    lists, commitments = synthetic_tables
    md = pa.map_data(lists, commitments, level="commune")
    dep = str(lists["departement_code"].mode().iloc[0])
    fig = plot_map(md, "status", level="commune", departement=dep)  # no scheme= needed
    legend = fig.legends[0]
    labels = [t.get_text().replace("\n", " ") for t in legend.get_texts()]
    assert "Aucune liste connue" in labels and "Aucune donnée" not in labels
    colours = {
        t.get_text().replace("\n", " "): mpl_colors.to_hex(h.get_facecolor())  # type: ignore[union-attr]
        for t, h in zip(legend.get_texts(), legend.legend_handles, strict=True)
    }
    for status, colour in _make._STATUS_COLORS.items():
        if status in colours:
            assert colours[status] == colour, status
    deps = pa.map_data(lists, commitments, level="departement")
    fig = plot_map(deps, "share_communes_signatory", level="departement", breaks=[1, 5, 10])
    texts = [t.get_text() for t in fig.legends[0].get_texts()]
    classes = [t for t in texts if t != "Aucune donnée"]
    assert len(classes) >= 2 and all(t.endswith("\u00a0%") for t in classes), texts


def test_small_multiple_legends_never_cover_the_map(
    synthetic_tables: tuple[pd.DataFrame, pd.DataFrame],
) -> None:
    """REPORT 27: with ax=, the legend sits outside the map's data extent."""
    import matplotlib.pyplot as plt

    lists, commitments = synthetic_tables
    deps = pa.map_data(lists, commitments, level="departement")
    communes = pa.map_data(lists, commitments, level="commune")
    dep = str(lists["departement_code"].mode().iloc[0])
    fig, axes = plt.subplots(1, 2, figsize=(10, 6))
    plot_map(deps, "share_communes_signatory", level="departement", ax=axes[0])
    plot_map(communes, "status", level="commune", departement=dep, ax=axes[1])
    fig.canvas.draw()
    renderer = fig.canvas.get_renderer()  # type: ignore[attr-defined]
    for ax in axes:
        legend = ax.get_legend()
        assert legend is not None
        box_ = legend.get_window_extent(renderer)
        (x0, y0), (x1, y1) = ax.transData.transform(
            [[ax.get_xlim()[0], ax.get_ylim()[0]], [ax.get_xlim()[1], ax.get_ylim()[1]]]
        )
        overlap_x = min(box_.x1, x1) - max(box_.x0, x0)
        overlap_y = min(box_.y1, y1) - max(box_.y0, y0)
        assert overlap_x <= 0 or overlap_y <= 0, (box_, (x0, y0, x1, y1))
    plt.close(fig)


@pytest.mark.parametrize("n", [400, 3001])
def test_commune_svg_stays_vector_up_to_the_rule_and_says_so(tmp_path: Path, n: int) -> None:
    """REPORT 21: a département's communes stay editable shapes; above RASTER_ABOVE the
    polygon layer is an image, and the file's description says which rule applied."""
    from pacte_analysis.maps.static import RASTER_ABOVE

    side = int(n**0.5) + 1
    cells = [(i % side, i // side) for i in range(n)]
    grid = gpd.GeoDataFrame(
        {
            "code": [f"35{i:03d}" for i in range(n)],
            "name": [f"C{i}" for i in range(n)],
            "departement_code": "35",
            "v": [float(i % 7) for i in range(n)],
        },
        geometry=[box(x * 1000, y * 1000, x * 1000 + 900, y * 1000 + 900) for x, y in cells],
        crs="EPSG:2154",
    )
    svg = save_map(plot_map(grid, "v", departement="35", place_names=0), tmp_path / "c.svg")
    text = _svg_text(svg)
    description = re.search(r"<dc:description>(.*?)</dc:description>", text, re.S)
    assert description, "no description in the SVG"
    if n > RASTER_ABOVE:
        assert "<image" in text
        assert f"polygones des {n} unités rastérisés" in description.group(1)
    else:
        assert "<image" not in text
        assert text.count("<path") > n  # one editable shape per commune
        assert "contours vectoriels" in description.group(1)


def _place_names(fig: Any) -> list[str]:
    return [t.get_text() for t in fig.findobj(Text) if t.get_gid() == "pacte-place-name"]


def test_zoom_maps_name_their_territory_and_places(
    synthetic_tables: tuple[pd.DataFrame, pd.DataFrame], tmp_path: Path
) -> None:
    """REPORT 19: « Bretagne (53) »; a région zoom of départements names them; Mayotte
    (populations unknown in COG 2020) gets names beyond its préfecture."""
    lists, commitments = synthetic_tables
    svg = pa.draw_map(
        lists, commitments, tmp_path / "53.svg", level="departement",
        metric="share_communes_signatory", region="53",
    )  # fmt: skip
    assert "Bretagne (53)" in _svg_text(svg)
    deps = pa.map_data(lists, commitments, level="departement")
    names = _place_names(plot_map(deps, "n_lists", level="departement", region="53"))
    assert sorted(names) == ["Côtes-d'Armor", "Finistère", "Ille-et-Vilaine", "Morbihan"]
    communes = pa.map_data(lists, commitments, level="commune")
    names = _place_names(plot_map(communes, "status", level="commune", departement="976"))
    local = set(communes.loc[communes["departement_code"] == "976", "name"])
    assert names[0] == "Mamoudzou"  # the préfecture, first
    assert len(local.intersection(names)) >= 5, names


def test_print_source_line_follows_french_typography(
    synthetic_tables: tuple[pd.DataFrame, pd.DataFrame], tmp_path: Path
) -> None:
    """REPORT 32: « différentes ; Paris » (a space before the semicolon)."""
    lists, commitments = synthetic_tables
    svg = pa.draw_map(lists, commitments, tmp_path / "n.svg", metric="n_lists")
    text = _svg_text(svg)
    assert "DROM rapprochés, à des échelles différentes\u00a0; Paris" in text
    assert "différentes;" not in text


def test_region_zoom_names_the_prefectures_of_its_departements(
    synthetic_tables: tuple[pd.DataFrame, pd.DataFrame],
) -> None:
    """REPORT 19: the Île-de-France zoom names Melun, Évry, Cergy-Pontoise's seat…,
    not only the petite couronne and Versailles."""
    lists, commitments = synthetic_tables
    communes = pa.map_data(lists, commitments, level="commune")
    names = _place_names(plot_map(communes, "n_lists", level="commune", region="11"))
    assert names[0] == "Paris"
    for seat in ("Melun", "Évry-Courcouronnes", "Pontoise", "Versailles"):
        assert seat in names, names
