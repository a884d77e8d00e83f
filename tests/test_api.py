"""The Python API as an analyst uses it: round trips, summaries, clear French errors."""

from __future__ import annotations

import builtins
import inspect
import re
import subprocess
import sys
import warnings
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
from shapely.geometry import box

import pacte_analysis as pa
from pacte_analysis.config import DEMO_MARKER
from pacte_analysis.tables import check_table

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="module")
def demo(reference_ready: None) -> pa.IngestResult:
    return pa.ingest(ROOT / "data" / "raw" / "demo")


@pytest.fixture(scope="module")
def communes(reference_ready: None) -> pd.DataFrame:
    return pa.communes(resolution="web").drop(columns="geometry")


# --------------------------------------------------------------------------- import


def test_import_does_not_load_the_drawing_libraries() -> None:
    code = (
        "import sys, pacte_analysis as pa; "
        "heavy = [m for m in ('matplotlib', 'folium', 'mapclassify') if m in sys.modules]; "
        "print(heavy); pa.plot_map; print('matplotlib' in sys.modules)"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, cwd=ROOT
    ).stdout.split()
    assert out == ["[]", "True"]


def test_figures_display_inline_without_pyplot(demo: pa.IngestResult) -> None:
    fig = pa.draw_chart("measures-per-list", demo.lists, demo.commitments, demo=True)
    png = fig._repr_png_()  # what IPython shows for a cell returning the figure
    assert png[:8] == b"\x89PNG\r\n\x1a\n" and len(png) > 10_000
    assert (
        "matplotlib.pyplot" not in sys.modules
        or not __import__("matplotlib.pyplot").pyplot.get_fignums()
    )


# --------------------------------------------------------------------------- tables


def test_read_tables_round_trips_parquet_and_csv(demo: pa.IngestResult, tmp_path: Path) -> None:
    pa.write_tables(demo, tmp_path)
    (tmp_path / DEMO_MARKER).write_text("fictif", encoding="utf-8")
    lists, commitments, rejects = tables = pa.read_tables(tmp_path)
    assert tables.demo
    for name, frame, original in zip(
        ("lists", "commitments", "rejects"),
        (lists, commitments, rejects),
        (demo.lists, demo.commitments, demo.rejects),
        strict=True,
    ):
        check_table(name, frame)  # the contract's dtypes
        pd.testing.assert_frame_equal(frame, original)
    for name in ("lists", "commitments", "rejects"):
        (tmp_path / f"{name}.parquet").unlink()
    from_csv = pa.read_tables(tmp_path)
    pd.testing.assert_frame_equal(from_csv.lists, demo.lists)
    pd.testing.assert_frame_equal(from_csv.commitments, demo.commitments)
    assert from_csv.lists["commune_code"].str.len().eq(5).all()  # "02002", never 2002


def test_codes_keep_one_string_dtype_across_tables_layers_and_summaries(
    demo: pa.IngestResult, communes: pd.DataFrame
) -> None:
    """An analyst merges the tables, the reference layers and the summaries by code."""
    lists = demo.lists
    merged = lists.merge(communes, left_on="commune_code", right_on="code")
    assert merged["commune_code"].dtype == "str"
    assert merged["code"].dtype == "str"
    layers = {
        "communes": communes,
        "departements": pa.departements(resolution="web"),
        "regions": pa.regions(resolution="web"),
        "epci": pa.epci(resolution="web"),
        "arrondissements": pa.arrondissements(resolution="web"),
        "former_communes": pa.former_communes(),
        "postal_codes": pa.postal_codes(),
        "mayors": pa.mayors(),
    }
    summaries = {
        "commune_summary": pa.commune_summary(lists, demo.commitments, communes),
        "territory_summary": pa.territory_summary(lists, demo.commitments, communes, total=True),
        "list_summary": pa.list_summary(lists, demo.commitments),
        "measure_summary": pa.measure_summary(lists, demo.commitments),
        "theme_summary": pa.theme_summary(lists, demo.commitments),
        "win_rate": pa.win_rate(lists, demo.commitments, communes),
    }
    for name, frame in {**layers, **summaries}.items():
        text = [c for c in frame.columns if c.endswith("code") or c in ("name", "list_id")]
        assert text or name in ("measure_summary", "theme_summary", "win_rate"), name
        for column in text:
            assert frame[column].dtype == "str", (name, column, frame[column].dtype)
        assert not [c for c, d in frame.dtypes.items() if str(d) == "string"], name
    deps = pa.departements(resolution="web").drop(columns="geometry")
    by_dep = summaries["territory_summary"].merge(deps, on="code", suffixes=("", "_ref"))
    assert by_dep["code"].dtype == "str"
    assert len(by_dep) == 101  # the France row has no département
    by_commune = lists.merge(summaries["commune_summary"], on="commune_code")
    assert by_commune["commune_code"].dtype == "str"


def test_read_tables_says_what_is_missing(tmp_path: Path) -> None:
    with pytest.raises(pa.TablesError, match="Dossier de tables introuvable"):
        pa.read_tables(tmp_path / "nope")
    with pytest.raises(pa.PacteError, match=r"Table « lists » absente .* `pacte ingest"):
        pa.read_tables(tmp_path)


def test_read_csv_keeps_codes_as_text(demo: pa.IngestResult, communes: pd.DataFrame) -> None:
    summary = pa.territory_summary(demo.lists, demo.commitments, communes)
    path = ROOT / "data" / "processed" / "test-api-indicateurs.csv"
    try:
        summary.to_csv(path, index=False)
        back = pa.read_csv(path)
    finally:
        path.unlink(missing_ok=True)
    assert back["code"].head(3).tolist() == ["01", "02", "03"]
    assert "2A" in back["code"].tolist()
    assert back["n_lists"].dtype == np.int64


def test_export_csv_for_datawrapper(
    demo: pa.IngestResult, communes: pd.DataFrame, tmp_path: Path
) -> None:
    summary = pa.territory_summary(demo.lists, demo.commitments, communes, total=True)
    path = pa.export_csv(summary, tmp_path / "departements.csv")
    text = path.read_text(encoding="utf-8").splitlines()
    header = text[0].split(",")
    assert header[:3] == ["Code", "Nom", "Communes"]
    assert "Part des communes avec une liste signataire (%)" in text[0]
    assert text[1].startswith("01,Ain,")
    assert text[-1].startswith("FR,France entière,34968,")
    back = pd.read_csv(path, dtype={"Code": str})
    share = back["Part des communes avec une liste signataire (%)"]
    assert (share.dropna() == share.dropna().round(1)).all()  # rounded to one decimal
    mayotte = back.loc[back["Code"] == "976"].iloc[0]
    assert pd.isna(mayotte["Population municipale (habitants)"])  # empty, not 0

    lists = demo.lists.copy()  # a list name typed by a stranger, exported per commune
    lists.loc[0, "list_name"] = '=HYPERLINK("http://x.invalid","clic")'
    lists.loc[0, "list_head"] = None
    per_commune = pa.commune_summary(lists, demo.commitments, communes)
    path = pa.export_csv(per_commune, tmp_path / "communes.csv")
    cells = pd.read_csv(path, dtype=str)
    names = cells["Liste la plus engagée"].dropna()
    assert not names.str.startswith(("=", "+", "-", "@")).any()
    assert names.str.startswith("'=HYPERLINK").sum() == (
        per_commune["best_list_name"].str.startswith("=").sum()
    )
    assert path.read_text(encoding="utf-8").count("'=HYPERLINK") >= 1


# --------------------------------------------------------------------------- summaries


def test_territory_summary_france_row_filters_and_names(
    demo: pa.IngestResult, communes: pd.DataFrame
) -> None:
    t = pa.territory_summary(demo.lists, demo.commitments, communes, total=True)
    by_code = t.set_index("code")
    assert by_code.at["35", "name"] == "Ille-et-Vilaine"  # without territories=
    france = by_code.loc["FR"]
    assert france["name"] == "France entière"
    departements = by_code.drop(index="FR")
    assert france["n_lists"] == len(demo.lists) == departements["n_lists"].sum()
    assert france["n_communes"] == len(communes)
    assert france["share_communes_signatory"] == pytest.approx(
        100 * departements["n_communes_signatory"].sum() / len(communes)
    )
    mayotte = by_code.loc["976"]
    assert pd.isna(mayotte["population"]) and mayotte["population_missing"] == 17
    assert pd.isna(mayotte["share_population_signatory"])

    bretagne = pa.territory_summary(demo.lists, demo.commitments, communes, region="53")
    assert sorted(bretagne["code"]) == ["22", "29", "35", "56"]
    epci35 = pa.territory_summary(
        demo.lists, demo.commitments, communes, level="epci", departement="35"
    )
    assert len(epci35) >= 15 and not epci35["name"].str.fullmatch(r"\d+").all()


def test_compare_territories_reads_as_people_read(
    demo: pa.IngestResult, communes: pd.DataFrame
) -> None:
    c = pa.compare_territories("34", "62", demo.lists, demo.commitments, communes)
    assert list(c.columns) == [
        "label",
        "unit",
        "Hérault (34)",
        "Pas-de-Calais (62)",
        "Écart (62 − 34)",
        "France entière",
    ]
    n34 = c.at["n_lists", "Hérault (34)"]
    assert isinstance(n34, int) and n34 == (demo.lists["departement_code"] == "34").sum()
    assert c.at["n_lists", "Écart (62 − 34)"] == c.at["n_lists", "Pas-de-Calais (62)"] - n34
    assert c.at["n_lists", "France entière"] == len(demo.lists)
    share = c.at["share_communes_signatory", "Hérault (34)"]
    assert share == round(share, 1)
    assert "e+0" not in c.to_string()
    assert "measure_7" in c.index and c.at["measure_7", "unit"] == "% des listes"
    assert any(i.startswith("theme_") for i in c.index)


def test_metric_info_knows_every_column_of_the_summaries(
    demo: pa.IngestResult, communes: pd.DataFrame
) -> None:
    L, C = demo.lists, demo.commitments
    tables = [
        pa.list_summary(L, C),
        pa.commune_summary(L, C, communes),
        pa.territory_summary(L, C, communes),
        pa.measure_summary(L, C),
        pa.theme_summary(L, C),
        pa.compare_elected(L, C),
        pa.compare_size_classes(L, C, communes),
    ]
    for table in tables:
        for column in table.columns:
            info = pa.metric_info(column)
            assert info.label and info.label != column, column
    with pytest.raises(pa.UnknownCodeError, match="Indicateur inconnu"):
        pa.metric_info("nope")


# --------------------------------------------------------------------------- errors


def test_one_exception_family_and_no_builtin_names() -> None:
    classes = [
        getattr(pa, name)
        for name in pa.__all__
        if inspect.isclass(getattr(pa, name)) and issubclass(getattr(pa, name), Exception)
    ]
    assert pa.ReferenceDataError in classes and pa.MissingColumnsError in classes
    for cls in classes:
        assert not hasattr(builtins, cls.__name__), cls.__name__
        if cls is not pa.EditionError:  # editions/ keeps its own ValueError (see report)
            assert issubclass(cls, pa.PacteError), cls
    with pytest.warns(DeprecationWarning, match="ReferenceDataError"):
        assert pa.ReferenceError is pa.ReferenceDataError


def test_clear_errors_for_everyday_mistakes(demo: pa.IngestResult, communes: pd.DataFrame) -> None:
    L, C = demo.lists, demo.commitments
    with pytest.raises(pa.InvalidArgumentError, match="niveau inconnu « canton » ; niveaux"):
        pa.territory_summary(L, C, communes, level="canton")  # type: ignore[arg-type]
    with pytest.raises(pa.PacteTypeError, match=r'texte .*écrivez « "35" »'):
        pa.compare_territories(35, "62", L, C, communes)  # type: ignore[arg-type]
    with pytest.raises(pa.PacteTypeError, match=r'compare_territories\("35", "29", lists'):
        pa.compare_territories(L, C, communes, "35", "62")  # type: ignore[arg-type]
    with pytest.raises(pa.PacteTypeError, match="une table a été reçue"):
        pa.compare_lists(L, C, "Rennes")  # type: ignore[arg-type]
    with pytest.raises(pa.UnknownCodeError, match="« 2a » inconnu ; vouliez-vous dire « 2A »"):
        pa.compare_territories("2a", "62", L, C, communes)
    with pytest.raises(pa.PacteTypeError, match="bon ordre"):
        pa.commune_summary(C, L, communes)  # swapped tables
    with pytest.raises(pa.MissingColumnsError, match="colonne\\(s\\) absente\\(s\\) de « lists »"):
        pa.list_summary(L.drop(columns=["n_measures"]), C)
    with pytest.raises(pa.PacteTypeError, match="doit être une table"):
        pa.measure_summary("lists.parquet", C)  # type: ignore[arg-type]
    try:
        pa.compare_territories("2a", "62", L, C, communes)
    except KeyError as exc:  # still a KeyError for pandas code, but readable
        assert str(exc).startswith("compare_territories : département")


def test_clear_errors_of_the_maps() -> None:
    gdf = gpd.GeoDataFrame(
        {"code": ["35", "56"], "value": ["haut", "bas"], "n": [1.0, 2.0]},
        geometry=[box(0, 0, 1, 1), box(1, 0, 2, 1)],
        crs=2154,
    )
    with pytest.raises(pa.PacteTypeError, match="GeoDataFrame") as err:
        pa.plot_map(pd.DataFrame(gdf.drop(columns="geometry")), "n", level="departement")
    assert err.value.code == "NO_GEOMETRY"
    with pytest.raises(pa.PacteTypeError, match="arguments inversés"):
        pa.plot_map("n", gdf, level="departement")  # type: ignore[arg-type]
    with pytest.raises(pa.MissingColumnsError, match="« share » absente"):
        pa.plot_map(gdf, "share", level="departement")
    with pytest.raises(pa.InvalidArgumentError, match='scheme="categories"') as err:
        pa.plot_map(gdf, "value", level="departement")
    assert err.value.code == "NOT_NUMERIC"
    with pytest.raises(pa.InvalidArgumentError, match="niveau inconnu « dept »"):
        pa.plot_map(gdf, "n", level="dept")  # type: ignore[arg-type]
    with pytest.raises(pa.PacteTypeError, match='écrivez « "35" »'):
        pa.plot_map(gdf, "n", level="departement", departement=35)  # type: ignore[arg-type]
    with pytest.raises(pa.UnknownCodeError, match="vouliez-vous dire « 2A »"):
        pa.plot_map(gdf, "n", level="departement", departement="2a")


# --------------------------------------------------------------------------- comparisons


def test_compare_lists_by_name_marks_the_elected_list(demo: pa.IngestResult) -> None:
    L, C = demo.lists, demo.commitments
    by_name = pa.compare_lists("Montpellier", L, C, values="label")
    by_code = pa.compare_lists("34172", L, C, values="label")
    pd.testing.assert_frame_equal(by_name, by_code)
    mtp = L.loc[L["commune_code"] == "34172"]
    elected = [c for c in by_name.columns if c.endswith(" (élue)")]
    assert len(elected) == int(mtp["elected"].fillna(False).sum()) == 1
    with pytest.raises(pa.UnknownCodeError, match=r"ambiguë.*Saint-Denis \(93, 93066\)") as err:
        pa.compare_lists("Saint-Denis", L, C)
    assert err.value.code == "AMBIGUOUS_COMMUNE"
    with pytest.raises(pa.InvalidArgumentError, match="values=« niveau » inconnu"):
        pa.compare_lists("34172", L, C, values="niveau")  # type: ignore[arg-type]


def test_win_rate_of_signatory_lists(demo: pa.IngestResult, communes: pd.DataFrame) -> None:
    w = pa.win_rate(demo.lists, demo.commitments, communes)
    overall = w.loc[w["size_class"] == "Toutes les communes"].set_index("signatory")
    signed = demo.lists.loc[demo.lists["signatory"]]
    known = signed["elected"].notna()
    assert overall.at[True, "n_known"] == known.sum()
    assert overall.at[True, "win_rate"] == pytest.approx(
        100 * signed.loc[known, "elected"].astype(bool).mean()
    )
    assert overall.at[True, "difference"] == pytest.approx(
        overall.at[True, "win_rate"] - overall.at[False, "win_rate"]
    )
    by_size = w.loc[w["size_class"] != "Toutes les communes"]
    assert by_size["n_lists"].sum() == len(demo.lists)  # every list in one size class
    assert set(by_size["size_class"]) == {
        *(label for _, label in pa.analysis.SIZE_CLASSES),
        "Population inconnue",  # Mayotte: listed, not dropped
    }


def test_measure_summary_elected_levels_and_short_labels(demo: pa.IngestResult) -> None:
    m = pa.measure_summary(demo.lists, demo.commitments)
    assert (m["short_label"].str.len() <= 48).all()
    assert (
        m.loc[m["measure"] == 3, "label"]
        .iloc[0]
        .startswith(m.loc[m["measure"] == 3, "short_label"].iloc[0].rstrip(" …"))
    )
    elected = set(demo.lists.loc[demo.lists["elected"].fillna(False).astype(bool), "list_id"])
    com = demo.commitments
    c7 = com.loc[(com["measure"] == 7) & com["committed"] & com["list_id"].isin(elected)]
    row = m.loc[m["measure"] == 7].iloc[0]
    assert row["n_elected"] == len(c7)
    assert row["mean_level_elected"] == pytest.approx(c7["level"].astype(float).mean())


# --------------------------------------------------------------------------- drawing


def test_small_multiples_with_ax(demo: pa.IngestResult, reference_ready: None) -> None:
    from pacte_analysis._style import PacteFigure
    from pacte_analysis.charts import plot_measures_per_list

    fig = PacteFigure(figsize=(12, 5))
    left, right = fig.subplots(1, 2)
    assert plot_measures_per_list(demo.lists, ax=left, title="A") is fig
    deps = pa.map_data(demo.lists, demo.commitments, level="departement")
    assert pa.plot_map(deps, "share_communes_signatory", level="departement", ax=right) is fig
    assert len(fig.axes) == 2 and left.get_title(loc="left") == "A"
    assert right.get_legend().get_title().get_text().startswith("Part des communes")
    assert fig._repr_png_()[:4] == b"\x89PNG"


def test_draw_map_with_a_users_column(demo: pa.IngestResult, tmp_path: Path) -> None:
    values = pd.Series({"35": 12.5, "56": 3.0, "2A": 7.0})
    out = pa.draw_map(
        demo.lists,
        demo.commitments,
        tmp_path / "mine.svg",
        metric="budget_climat",
        values=values,
        label="Budget climat par habitant",
        unit="€",
        level="departement",
    )
    svg = out.read_text(encoding="utf-8")
    assert "Budget climat par habitant" in svg and "€" in svg
    assert "<image" not in svg  # a département map stays vector
    with pytest.raises(pa.PacteTypeError, match="doivent être du texte"):
        pa.draw_map(
            demo.lists,
            demo.commitments,
            tmp_path / "x.png",
            metric="m",
            values=pd.Series({35: 1.0}),
            level="departement",
        )


def test_commune_summary_filters(demo: pa.IngestResult, communes: pd.DataFrame) -> None:
    L, C = demo.lists, demo.commitments
    herault = pa.commune_summary(L, C, communes, departement="34")
    assert set(herault["departement_code"]) == {"34"}
    assert len(herault) == L.loc[L["departement_code"] == "34", "commune_code"].nunique()
    bretagne = pa.commune_summary(L, C, communes, region="53", include_empty=True)
    assert len(bretagne) == (communes["region_code"] == "53").sum()
    with pytest.raises(pa.UnknownCodeError, match="« 2b » inconnu ; vouliez-vous dire « 2B »"):
        pa.commune_summary(L, C, communes, departement="2b")
    with pytest.raises(pa.PacteTypeError, match='écrivez « "34" »'):
        pa.commune_summary(L, C, communes, departement=34)  # type: ignore[arg-type]


def test_a_missing_column_is_named_never_a_raw_key_error(
    demo: pa.IngestResult, communes: pd.DataFrame
) -> None:
    """An analyst's hand-made or trimmed table: every function says what is missing."""
    lists = demo.lists.loc[demo.lists["departement_code"].isin(["34", "35"])]
    commitments = demo.commitments.loc[demo.commitments["list_id"].isin(lists["list_id"])]
    communes = communes.loc[communes["departement_code"].isin(["34", "35"])]
    calls = {
        "list_summary": lambda ls, c: pa.list_summary(ls, c),
        "commune_summary": lambda ls, c: pa.commune_summary(ls, c, communes),
        "territory_summary": lambda ls, c: pa.territory_summary(ls, c, communes),
        "measure_summary": lambda ls, c: pa.measure_summary(ls, c),
        "compare_elected": lambda ls, c: pa.compare_elected(ls, c),
        "win_rate": lambda ls, c: pa.win_rate(ls, c, communes),
        "compare_lists": lambda ls, c: pa.compare_lists("34172", ls, c),
    }
    raw = []
    for table, frame in (("lists", lists), ("commitments", commitments)):
        for column in frame.columns:
            for name, call in calls.items():
                trimmed = frame.drop(columns=column)
                args = (trimmed, commitments) if table == "lists" else (lists, trimmed)
                try:
                    with warnings.catch_warnings():
                        warnings.simplefilter("ignore")
                        call(*args)
                except pa.MissingColumnsError as exc:
                    assert column in str(exc) and "colonne(s) absente(s)" in str(exc)
                except Exception as exc:
                    raw.append(f"{name} without {table}.{column}: {type(exc).__name__} {exc}")
    assert raw == []


def test_compare_territories_by_name_and_clear_limits(
    demo: pa.IngestResult, communes: pd.DataFrame
) -> None:
    L, C = demo.lists, demo.commitments
    by_name = pa.compare_territories("Finistère", "cotes d'armor", L, C, communes, measures=False)
    by_code = pa.compare_territories("29", "22", L, C, communes, measures=False)
    pd.testing.assert_frame_equal(by_name, by_code)
    assert list(by_code.columns[2:4]) == ["Finistère (29)", "Côtes-d'Armor (22)"]
    with pytest.raises(pa.InvalidArgumentError, match=r"le même .*35.* deux territoires"):
        pa.compare_territories("35", "Ille-et-Vilaine", L, C, communes)
    with pytest.raises(pa.UnknownCodeError, match="région « Bretagnes » inconnue"):
        pa.compare_territories("Bretagnes", "11", L, C, communes, level="region")
    epci = pa.compare_territories("200039865", "243500139", L, C, communes, level="epci")
    assert epci.columns[-1] == "France entière (communes membres d'un EPCI)"
    t = pa.territory_summary(L, C, communes, level="epci", total=True)
    france = t.set_index("code").loc["FR"]
    assert france["n_communes"] == 34968 - 4  # the four single-commune islands have no EPCI
    assert "membres d'un EPCI" in france["name"]


def test_exported_headers_say_what_each_summary_counts(
    demo: pa.IngestResult, communes: pd.DataFrame, tmp_path: Path
) -> None:
    """A journalist reads the CSV headers: each says what the numbers count, in French."""
    L, C = demo.lists, demo.commitments
    tables = {
        "mesures": pa.measure_summary(L, C),
        "themes": pa.theme_summary(L, C),
        "victoires": pa.win_rate(L, C, communes),
        "elus": pa.compare_elected(L, C, by="measure"),
        "tailles": pa.compare_size_classes(L, C, communes),
        "communes": pa.commune_summary(L, C, communes),
        "comparaison": pa.compare_territories("35", "29", L, C, communes, measures=False),
    }
    headers = {}
    for name, frame in tables.items():
        path = pa.export_csv(frame, tmp_path / f"{name}.csv")
        headers[name] = pd.read_csv(path, nrows=0).columns.tolist()
        english = [h for h in headers[name] if re.fullmatch(r"[a-z0-9_]+", h)]
        assert english == [], (name, english)  # every column has a French label
        assert len(set(headers[name])) == len(headers[name]), name  # no two alike
        assert not [h for h in headers[name] if h.count("(") > 1], name
    assert "Listes engagées sur la mesure" in headers["mesures"]
    assert "Listes connues" not in headers["mesures"]  # n_lists there counts the committed
    assert "Listes élues" in headers["victoires"]
    assert "Communes" in headers["tailles"]  # not « Communes (communes) »
    assert headers["comparaison"][:3] == ["Indicateur", "Intitulé", "Unité"]
    cells = pd.read_csv(tmp_path / "comparaison.csv", dtype=str)
    differences = cells["Écart (29 − 35)"].dropna()
    assert (differences.str.startswith("-")).any()  # negative numbers stay numbers
    assert not differences.str.startswith("'").any()
    assert "Niveau d'ambition moyen (de 1 à 3)" in headers["mesures"]
    with pytest.raises(pa.InvalidArgumentError, match=r"\.csv"):
        pa.export_csv(tables["mesures"], tmp_path / "mesures.xlsx")
    assert not (tmp_path / "mesures.xlsx").exists()


def test_hand_edited_tables_are_named_cell_by_cell(demo: pa.IngestResult, tmp_path: Path) -> None:
    """A group member edits lists.csv by hand: a bad cell is named (file, column, row)."""
    pa.write_tables(demo, tmp_path, xlsx=False)
    for name in ("lists", "commitments", "rejects"):
        (tmp_path / f"{name}.parquet").unlink()
    (tmp_path / "pacte-manifest.json").unlink()  # edited by hand: no manifest to match
    csv = tmp_path / "lists.csv"
    rows = csv.read_text(encoding="utf-8").splitlines()
    header = rows[0].split(",")
    for column, bad, expected in (
        ("n_measures", "beaucoup", "un nombre"),
        ("signatory", "peut-être", "oui/non"),
        ("n_measures", "12.5", "un entier"),
    ):
        cells = rows[2].split(",")
        cells[header.index(column)] = bad
        csv.write_text("\n".join([rows[0], rows[1], ",".join(cells), *rows[3:]]) + "\n", "utf-8")
        with pytest.raises(pa.TablesError, match=rf"colonne « {column} », ligne 3 : .*{expected}"):
            pa.read_tables(tmp_path)
    cells = rows[2].split(",")
    cells[header.index("signatory")] = "oui"  # what a French speaker types
    csv.write_text("\n".join([rows[0], rows[1], ",".join(cells), *rows[3:]]) + "\n", "utf-8")
    assert bool(pa.read_tables(tmp_path).lists["signatory"].iloc[1]) is True


def test_write_tables_refuses_a_set_read_tables_would_refuse(
    demo: pa.IngestResult, tmp_path: Path
) -> None:
    partial = {
        "lists": demo.lists[["list_id", "commune_code"]],
        "commitments": demo.commitments,
        "rejects": demo.rejects,
    }
    with pytest.raises(pa.MissingColumnsError, match=r"« lists » hors contrat.*absente"):
        pa.write_tables(partial, tmp_path / "tables")
    assert not (tmp_path / "tables" / "lists.parquet").exists()


def test_a_territory_layer_given_for_the_communes_is_named(demo: pa.IngestResult) -> None:
    L, C = demo.lists, demo.commitments
    for layer, name in ((pa.departements, "departements"), (pa.regions, "regions")):
        with pytest.raises(pa.PacteTypeError, match=rf"ressemble à pa\.{name}\(\)"):
            pa.territory_summary(L, C, layer(resolution="web"))
    with pytest.raises(pa.PacteTypeError, match=r"pa\.epci\(\).*pa\.communes\(\)"):
        pa.commune_summary(L, C, pa.epci(resolution="web"))
    with pytest.raises(pa.InvalidArgumentError, match="Résolution inconnue « hd »"):
        pa.communes(resolution="hd")  # type: ignore[arg-type]


def test_contradictory_filters_say_so(demo: pa.IngestResult, communes: pd.DataFrame) -> None:
    L, C = demo.lists, demo.commitments
    for call in (pa.commune_summary, pa.territory_summary):
        with pytest.raises(pa.InvalidArgumentError, match="35 est dans la région 53, pas dans"):
            call(L, C, communes, departement="35", region="11")
    kept = pa.commune_summary(L, C, communes, departement="35", region="53")
    assert len(kept) and (kept["departement_code"] == "35").all()
