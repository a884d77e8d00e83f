"""`pacte map` / `pacte chart` and draw_map on contract tables."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

import pacte_analysis as pa
from pacte_analysis import cli
from pacte_analysis.config import DEMO_MARKER
from pacte_analysis.maps._make import MapError, draw_map, map_data


@pytest.fixture(scope="module")
def data_dir(synthetic_tables, tmp_path_factory: pytest.TempPathFactory) -> Path:  # type: ignore[no-untyped-def]
    lists, commitments = synthetic_tables
    folder = tmp_path_factory.mktemp("tables")
    lists.to_parquet(folder / "lists.parquet")
    commitments.to_parquet(folder / "commitments.parquet")
    return folder


def test_commune_metrics_are_missing_where_no_list_is_known(synthetic_tables) -> None:  # type: ignore[no-untyped-def]
    lists, commitments = synthetic_tables
    data = map_data(lists, commitments, level="commune", resolution="web")
    assert len(data) == 34_968
    known = data["n_lists"].notna()
    assert known.sum() == lists["commune_code"].nunique()
    assert data.loc[~known, "status"].isna().all()
    deps = map_data(lists, commitments, level="departement", resolution="web")
    assert len(deps) == 101
    assert deps["n_lists"].sum() == len(lists)
    assert (deps["n_communes_group"] >= 0).all()


@pytest.mark.parametrize(
    ("level", "metric", "suffix"),
    [
        ("commune", "status", ".png"),
        ("commune", "best_n_measures", ".pdf"),
        ("departement", "share_communes_signatory", ".svg"),
        ("region", "share_population_signatory", ".png"),
        ("epci", "n_communes_signatory", ".png"),
    ],
)
def test_map_command_writes_each_level(
    data_dir: Path, tmp_path: Path, level: str, metric: str, suffix: str
) -> None:
    out = tmp_path / f"carte{suffix}"
    code = cli.main(
        ["map", "--data", str(data_dir), "--level", level, "--metric", metric, "--out", str(out)]
    )
    assert code == 0
    head = out.read_bytes()[:5]
    assert head.startswith({".png": b"\x89PNG", ".svg": b"<?xml", ".pdf": b"%PDF"}[suffix])
    assert out.stat().st_size > 20_000


def test_zoom_on_a_departement_and_demo_marker(
    data_dir: Path, tmp_path: Path, synthetic_tables
) -> None:  # type: ignore[no-untyped-def]
    lists, _ = synthetic_tables
    dep = lists["departement_code"].iloc[0]
    demo_dir = tmp_path / "demo"
    demo_dir.mkdir()
    for name in ("lists", "commitments"):
        (demo_dir / f"{name}.parquet").write_bytes((data_dir / f"{name}.parquet").read_bytes())
    (demo_dir / DEMO_MARKER).write_text("fictif", encoding="utf-8")
    out = tmp_path / "zoom.svg"
    args = ["map", "--data", str(demo_dir), "--level", "commune", "--metric", "n_lists"]
    assert cli.main([*args, "--departement", dep, "--out", str(out)]) == 0
    text = out.read_text(encoding="utf-8")
    assert "Données fictives – démonstration" in text
    names = pa.departements(resolution="web").set_index("code")["name"]
    assert f"{names[dep]} ({dep})" in text  # « Ille-et-Vilaine (35) », not « département 35 »
    # the source line says the data are fictitious too, not « relevés des collectifs »
    assert "données fictives de démonstration" in text
    assert "relevés des collectifs" not in text


def test_map_errors_are_french_and_exit_2(
    data_dir: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    base = ["map", "--data", str(data_dir), "--level", "commune", "--out", str(tmp_path / "x.png")]
    assert cli.main([*base, "--metric", "share_communes_group"]) == 2
    assert "indisponible au niveau commune" in capsys.readouterr().err
    assert cli.main([*base[:-1], str(tmp_path / "x.gif"), "--metric", "n_lists"]) == 2
    assert "Format de carte non pris en charge" in capsys.readouterr().err
    assert cli.main([*base, "--metric", "n_lists", "--departement", "99"]) == 2
    assert "Département « 99 »" in capsys.readouterr().err
    missing = tmp_path / "vide"
    missing.mkdir()
    assert cli.main(["map", "--data", str(missing), "--metric", "n_lists", "--out", "a.png"]) == 2
    err = capsys.readouterr().err
    assert "pacte ingest" in err and "Traceback" not in err
    with pytest.raises(MapError):
        draw_map(pd.DataFrame(), pd.DataFrame(), "x.png", metric="nope")


def test_chart_command(data_dir: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert cli.main(["chart", "--list"]) == 0
    kinds = capsys.readouterr().out.split()
    assert "measure-popularity" in kinds
    for kind in kinds:
        out = tmp_path / f"{kind}.png"
        assert cli.main(["chart", kind, "--data", str(data_dir), "--out", str(out)]) == 0, kind
        assert out.read_bytes().startswith(b"\x89PNG")
    assert cli.main(["chart", "camembert", "--data", str(data_dir), "--out", "x.png"]) == 2


def test_zoom_on_a_region(data_dir: Path, tmp_path: Path, synthetic_tables) -> None:  # type: ignore[no-untyped-def]
    import pacte_analysis as pa

    lists, _ = synthetic_tables
    communes = pa.communes(resolution="web").set_index("code")
    region = communes.loc[lists["commune_code"].iloc[0], "region_code"]
    base = ["map", "--data", str(data_dir), "--level", "commune", "--metric", "n_lists"]
    svg = tmp_path / "region.svg"
    assert cli.main([*base, "--region", region, "--out", str(svg)]) == 0
    name = pa.regions(resolution="web").set_index("code").loc[region, "name"]
    text = svg.read_text(encoding="utf-8")
    assert f"par commune, {name}" in text.replace("&#39;", "'") and f"région {region}" not in text
    html = tmp_path / "region.html"
    assert cli.main([*base, "--region", region, "--out", str(html)]) == 0
    national = tmp_path / "france.html"
    assert cli.main([*base, "--out", str(national)]) == 0
    assert html.stat().st_size < national.stat().st_size  # only the région's communes
    assert cli.main([*base, "--region", "99", "--out", str(svg)]) == 2
    assert cli.main([*base, "--region", region, "--departement", "35", "--out", str(svg)]) == 2


def test_export_command_writes_a_tidy_csv(
    data_dir: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str], synthetic_tables
) -> None:  # type: ignore[no-untyped-def]
    lists, _ = synthetic_tables
    out = tmp_path / "departements.csv"
    assert cli.main(["export", "--data", str(data_dir), "--out", str(out)]) == 0
    assert "Tableau écrit" in capsys.readouterr().out
    table = pd.read_csv(out, dtype={"Code": str})
    assert table["Code"].iloc[0] == "01" and table["Code"].iloc[-1] == "FR"
    assert table["Nom"].iloc[-1] == "France entière"
    assert table["Listes connues"].iloc[-1] == len(lists)
    communes = tmp_path / "communes.csv"
    dep = lists["departement_code"].iloc[0]
    args = ["export", "--data", str(data_dir), "--level", "commune", "--departement", dep]
    assert cli.main([*args, "--out", str(communes)]) == 0
    rows = pd.read_csv(communes, dtype=str)
    assert set(rows["Code département"]) == {dep}
    assert cli.main([*args[:-1], "2a", "--out", str(communes)]) == 2
    assert "vouliez-vous dire « 2A »" in capsys.readouterr().err
