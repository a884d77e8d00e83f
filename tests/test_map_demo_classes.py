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
