"""What keeps `pacte demo` fast: layers read once per process, each map drawn once."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import geopandas as gpd
import pandas as pd
import pytest

from pacte_analysis import reference
from pacte_analysis.maps import _make, static
from pacte_analysis.reference import _layers


def test_a_layer_is_read_once_and_each_caller_gets_its_own_copy(
    reference_ready: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    reads: list[str] = []
    real = gpd.read_parquet

    def counting(path, *args, **kwargs):  # type: ignore[no-untyped-def]
        reads.append(str(path))
        return real(path, *args, **kwargs)

    monkeypatch.setattr(gpd, "read_parquet", counting)
    _layers._read_layer.cache_clear()
    first = reference.departements(resolution="web")
    # a caller that changes its frame (renames, drops, edits a value) …
    first.loc[first["code"] == "35", "name"] = "Nom changé"
    del first["population"]
    second = reference.departements(resolution="web")
    # … does not change what the next caller reads, and the file was read once
    assert second.loc[second["code"] == "35", "name"].item() == "Ille-et-Vilaine"
    assert "population" in second
    assert len(second) == 101
    assert len(reads) == 1
    reference.departements(resolution="print")  # another resolution is another file
    assert len(reads) == 2


def test_every_format_of_a_map_comes_from_one_drawing(
    synthetic_tables: tuple[pd.DataFrame, pd.DataFrame],
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    lists, commitments = synthetic_tables
    drawn: list[str] = []
    real = static.plot_map

    def counting(*args, **kwargs):  # type: ignore[no-untyped-def]
        drawn.append(args[1])
        return real(*args, **kwargs)

    monkeypatch.setattr(static, "plot_map", counting)
    options = {
        "metric": "share_communes_signatory",
        "level": "departement",
        "demo": True,
        "source": "Source : jeu fictif",
        "date": dt.date(2020, 6, 30),
    }
    outs = [tmp_path / "ensemble" / f"carte{fmt}" for fmt in (".png", ".svg", ".pdf", ".html")]
    written = _make.draw_maps(lists, commitments, outs, **options)  # type: ignore[arg-type]
    assert written == outs
    assert drawn == ["share_communes_signatory"]  # drawn once for PNG, SVG and PDF
    # the same bytes as when each file is drawn on its own
    for fmt in (".png", ".svg", ".html"):
        alone = _make.draw_map(lists, commitments, tmp_path / f"seule{fmt}", **options)  # type: ignore[arg-type]
        assert alone.read_bytes() == (tmp_path / "ensemble" / f"carte{fmt}").read_bytes(), fmt
    assert "Données fictives" in (tmp_path / "ensemble" / "carte.svg").read_text(encoding="utf-8")


def test_the_same_shapes_are_placed_once_per_process_with_the_same_bytes(
    synthetic_tables: tuple[pd.DataFrame, pd.DataFrame],
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """The demo's second national map of the same units reuses their placed shapes
    (Lambert-93, DROM moved) and polygon paths: ~1.4 s for the 35,000 communes."""
    lists, commitments = synthetic_tables
    placed: list[int] = []
    real = static._project

    def counting(gdf, *args, **kwargs):  # type: ignore[no-untyped-def]
        placed.append(len(gdf))
        return real(gdf, *args, **kwargs)

    monkeypatch.setattr(static, "_project", counting)
    static._LAST.clear()
    options = {"level": "departement", "demo": True, "date": dt.date(2020, 6, 30)}
    first = [tmp_path / f"a{fmt}" for fmt in (".png", ".svg")]
    second = [tmp_path / f"b{fmt}" for fmt in (".png", ".svg")]
    _make.draw_maps(lists, commitments, first, metric="n_lists", **options)  # type: ignore[arg-type]
    _make.draw_maps(lists, commitments, second, metric="share_communes_signatory", **options)  # type: ignore[arg-type]
    assert placed == [101]  # the second map reused the first one's placed départements
    _make.draw_maps(lists, commitments, [tmp_path / "r.png"], metric="n_lists", level="region")
    assert placed == [101, 18]  # other shapes: placed again
    static._LAST.clear()
    alone = [tmp_path / f"seule{fmt}" for fmt in (".png", ".svg")]
    _make.draw_maps(lists, commitments, alone, metric="share_communes_signatory", **options)  # type: ignore[arg-type]
    assert placed == [101, 18, 101]
    for reused, fresh in zip(second, alone, strict=True):
        assert reused.read_bytes() == fresh.read_bytes(), reused.name
