"""Every chart kind renders to PNG, SVG and PDF, in French, with its marks."""

from __future__ import annotations

import contextlib
import datetime
import struct
from pathlib import Path
from typing import Any

import matplotlib

matplotlib.use("Agg")

import numpy as np
import pandas as pd
import pytest
from matplotlib.figure import Figure
from matplotlib.transforms import Bbox

import pacte_analysis as pa
from pacte_analysis._style import (
    DEFAULT_SOURCE,
    DEMO_MARK,
    DEMO_SOURCE,
    credit_line,
    format_date,
    format_number,
    format_percent,
)
from pacte_analysis.charts import (
    available_charts,
    draw_chart,
    plot_departement_ranking,
    plot_measure_popularity,
    plot_measures_per_list,
    save_figure,
)
from pacte_analysis.config import DEMO_MARKER
from pacte_analysis.editions import read_edition
from pacte_analysis.tables import SCHEMAS, build_table, empty_table

ED = read_edition("pacte-2020")
DATE = datetime.date(2024, 5, 1)
MAGIC = {".png": b"\x89PNG\r\n\x1a\n", ".svg": b"<?xml", ".pdf": b"%PDF-"}


def _dataset(n_lists: int = 60, seed: int = 7) -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame]:
    rng = np.random.default_rng(seed)
    deps = ["01", "2A", "35", "56", "69", "971"]
    codes = [f"{d}{i:03d}" for d in deps for i in range(1, 9)]
    communes = pd.DataFrame(
        {
            "code": codes,
            "name": [f"Commune {c}" for c in codes],
            "departement_code": [c[:-3] for c in codes],
            "region_code": ["84" if c.startswith(("01", "69")) else "53" for c in codes],
            "epci_code": [f"E{c[:-3]}" for c in codes],
            "population": pd.array(rng.integers(100, 60_000, len(codes)), dtype="Int64"),
        }
    )
    lists, commitments = [], []
    for i in range(n_lists):
        code = codes[int(rng.integers(len(codes)))]
        n = int(rng.integers(0, 33))
        principles = "ABC" if rng.random() < 0.8 else "AC"
        elected = [True, False, None][int(rng.integers(3))]
        measures = sorted(int(m) for m in rng.choice(np.arange(1, 33), n, replace=False))
        levels = [int(rng.integers(1, 4)) if rng.random() < 0.7 else None for _ in measures]
        known = [lv for lv in levels if lv is not None]
        lists.append(
            {
                "list_id": f"L{i:03d}",
                "edition": "pacte-2020",
                "commune_code": code,
                "commune_name": f"Commune {code}",
                "departement_code": code[:-3],
                "list_name": f"Liste {i}",
                "list_head": None,
                "principles": principles,
                "n_measures": n,
                "mean_level": sum(known) / len(known) if known else None,
                "signatory": ED.is_signatory(principles, n),
                "elected": elected,
            }
        )
        commitments += [
            {
                "list_id": f"L{i:03d}",
                "edition": "pacte-2020",
                "measure": m,
                "committed": True,
                "level": lv,
            }
            for m, lv in zip(measures, levels, strict=True)
        ]
    ls = pd.DataFrame(lists)
    ls["elected"] = ls["elected"].astype("boolean")
    com = pd.DataFrame(commitments)
    com["level"] = com["level"].astype("Int64")
    return ls, com, communes


@pytest.fixture(scope="module")
def data() -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame]:
    return _dataset()


@pytest.fixture(scope="module")
def departements() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "code": ["01", "2A", "35", "56", "69", "971"],
            "name": ["Ain", "Corse-du-Sud", "Ille-et-Vilaine", "Morbihan", "Rhône", "Guadeloupe"],
        }
    )


def _texts(fig: Figure) -> list[str]:
    """Every text of the figure (figure-level and axes-level, tick labels included)."""
    fig.canvas.draw()
    return [t.get_text() for t in fig.findobj(matplotlib.text.Text)]


def _png_size(path: Path) -> tuple[int, int]:
    with path.open("rb") as fh:
        head = fh.read(24)
    width, height = struct.unpack(">II", head[16:24])
    return width, height


@pytest.mark.parametrize("kind", list(available_charts()))
@pytest.mark.parametrize("suffix", [".png", ".svg", ".pdf"])
def test_every_chart_renders(
    kind: str,
    suffix: str,
    data: tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame],
    departements: pd.DataFrame,
    tmp_path: Path,
) -> None:
    lists, com, communes = data
    options = (
        {"territories": departements} if kind in {"departement-ranking", "theme-heatmap"} else {}
    )
    fig = draw_chart(kind, lists, com, communes, ED, demo=True, date=DATE, **options)
    assert isinstance(fig, Figure)
    path = save_figure(fig, tmp_path / "sub" / f"{kind}{suffix}")
    assert path.is_file()
    raw = path.read_bytes()
    assert raw.startswith(MAGIC[suffix])
    assert 10_000 < len(raw) < 5_000_000, len(raw)
    if suffix == ".png":
        width, height = _png_size(path)
        w_in, h_in = fig.get_size_inches()
        assert (width, height) == (round(w_in * 300), round(h_in * 300))
    if suffix == ".svg":
        text = raw.decode("utf-8")
        assert "</svg>" in text
        assert DEMO_MARK in text  # text stays text (svg.fonttype = none)
    if suffix == ".pdf":
        assert raw.rstrip().endswith(b"%%EOF")


@pytest.mark.parametrize("kind", list(available_charts()))
def test_demo_mark_and_source_line(
    kind: str, data: tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame]
) -> None:
    lists, com, communes = data
    with_mark = _texts(draw_chart(kind, lists, com, communes, ED, demo=True, date=DATE))
    assert DEMO_MARK in with_mark
    assert any(t.startswith(DEMO_SOURCE) and "1er mai 2024" in t for t in with_mark)
    without = _texts(draw_chart(kind, lists, com, communes, ED, date=DATE))
    assert DEMO_MARK not in without
    assert any(t.startswith(DEFAULT_SOURCE) for t in without)


def _contract(name: str, frame: pd.DataFrame) -> pd.DataFrame:
    """``frame`` completed to the table contract (provenance columns left empty)."""
    columns = {
        col: frame[col].tolist()
        if col in frame.columns
        else [1 if dtype == "int64" else None] * len(frame)
        for col, dtype in SCHEMAS[name].items()
    }
    return build_table(name, columns)


@pytest.fixture(scope="module")
def folders(
    data: tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame], tmp_path_factory: pytest.TempPathFactory
) -> dict[str, Path]:
    """Two folders of the same tables, written by ``write_tables``: one marked fictitious."""
    lists, com, _ = data
    tables = {
        "lists": _contract("lists", lists),
        "commitments": _contract("commitments", com),
        "rejects": empty_table("rejects"),
    }
    out = {}
    for name in ("demo", "real"):
        folder = tmp_path_factory.mktemp(name)
        pa.write_tables(tables, folder, xlsx=False)
        if name == "demo":
            (folder / DEMO_MARKER).write_text("fictif", encoding="utf-8")
        out[name] = folder
    return out


@pytest.mark.parametrize("kind", list(available_charts()))
def test_charts_of_a_demo_folder_say_the_data_are_fictitious(
    kind: str, folders: dict[str, Path], data: tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame]
) -> None:
    """An analyst reads the demo folder and draws: nothing to remember, the chart says it."""
    communes = data[2]
    T = pa.read_tables(folders["demo"])
    texts = _texts(pa.draw_chart(kind, T.lists, T.commitments, communes, date=DATE))
    assert DEMO_MARK in texts
    sources = [t for t in texts if t.startswith("Source : ")]
    assert len(sources) == 1 and "fictives" in sources[0]
    assert "relevés des collectifs" not in sources[0]
    # The tables of a real folder: no mark, the real source; an explicit demo=False wins.
    R = pa.read_tables(folders["real"])
    real = _texts(pa.draw_chart(kind, R.lists, R.commitments, communes, date=DATE))
    assert DEMO_MARK not in real and any(t.startswith(DEFAULT_SOURCE) for t in real)
    forced = _texts(pa.draw_chart(kind, T.lists, T.commitments, communes, demo=False, date=DATE))
    assert DEMO_MARK not in forced


def test_chart_functions_honour_the_demo_flag(folders: dict[str, Path]) -> None:
    T = pa.read_tables(folders["demo"])
    fig = plot_measures_per_list(T.lists)
    assert DEMO_MARK in _texts(fig)
    assert any(t.startswith(DEMO_SOURCE) for t in _texts(fig))
    # Small multiples of fictitious data: the caller's figure gets the mark, once.
    from matplotlib.figure import Figure as PlainFigure

    grid = PlainFigure(figsize=(10, 4))
    ax1, ax2 = grid.subplots(1, 2)
    plot_measures_per_list(T.lists, ax=ax1)
    plot_measure_popularity(T.lists, T.commitments, ax=ax2)
    assert _texts(grid).count(DEMO_MARK) == 2  # the banner and the watermark


@pytest.mark.parametrize("kind", list(available_charts()))
def test_every_chart_renders_without_data(
    kind: str, data: tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame], tmp_path: Path
) -> None:
    lists, com, communes = data
    fig = draw_chart(kind, lists.iloc[:0], com.iloc[:0], communes, ED, demo=True)
    path = save_figure(fig, tmp_path / f"{kind}.png")
    assert path.read_bytes().startswith(MAGIC[".png"])


def test_measure_popularity_never_invents_titles(
    data: tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame],
) -> None:
    lists, com, _ = data
    fig = plot_measure_popularity(lists, com, ED)
    labels = [t.get_text() for t in fig.axes[0].get_yticklabels()]
    assert len(labels) == 32
    for m in ED.measures:
        if not m.title_confirmed:
            assert f"Mesure {m.number}" in labels
        else:
            assert any(label.startswith(f"{m.number}. ") for label in labels)
    # Theme headers are drawn, capitalised, with the unassigned group last.
    texts = _texts(fig)
    assert "Mobilités" in texts and "Thème non attribué" in texts
    flat = plot_measure_popularity(lists, com, ED, by_theme=False, signatory_only=True)
    assert "Mobilités" not in _texts(flat)


def test_measures_per_list_marks_threshold(
    data: tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame],
) -> None:
    lists, _, _ = data
    fig = plot_measures_per_list(lists, ED)
    assert "Seuil : 10 mesures" in _texts(fig)
    lines = [ln for ln in fig.axes[0].get_lines() if ln.get_linestyle() == "--"]
    assert [float(np.asarray(ln.get_xdata())[0]) for ln in lines] == [9.5]


def test_ranking_options(
    data: tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame], departements: pd.DataFrame
) -> None:
    lists, com, communes = data
    fig = plot_departement_ranking(
        lists,
        com,
        communes,
        ED,
        metric="share_population_signatory",
        territories=departements,
        top=3,
    )
    labels = [t.get_text() for t in fig.axes[0].get_yticklabels()]
    assert len(labels) == 3 and all(label.endswith(")") for label in labels)
    assert any(t.endswith("\u00a0%") for t in _texts(fig))
    # Without reference communes, counts still work; shares cannot.
    plot_departement_ranking(lists, com, None, ED, metric="n_signatory_lists")
    with pytest.raises(ValueError, match="référentiel"):
        plot_departement_ranking(lists, com, None, ED, metric="share_communes_signatory")
    with pytest.raises(ValueError, match="niveau"):
        plot_departement_ranking(lists, com, communes, ED, metric="status")
    region = plot_departement_ranking(lists, com, communes, ED, level="region")
    assert "Classement des régions" in _texts(region)


def test_registry_and_errors(
    data: tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame], tmp_path: Path
) -> None:
    charts = available_charts()
    assert list(charts) == [
        "measure-popularity",
        "measures-per-list",
        "departement-ranking",
        "theme-heatmap",
        "elected-vs-not",
        "mandate-reelection",
    ]
    assert all(desc and desc[0].isupper() for desc in charts.values())
    lists, com, communes = data
    with pytest.raises(ValueError, match="Graphique inconnu"):
        draw_chart("camembert", lists, com, communes, ED)
    fig = draw_chart("measures-per-list", lists, com, communes, ED)
    with pytest.raises(ValueError, match="Format de fichier"):
        save_figure(fig, tmp_path / "x.jpg")


def test_outputs_are_reproducible_and_leave_rcparams(
    data: tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame], tmp_path: Path
) -> None:
    before = dict(matplotlib.rcParams)
    lists, com, communes = data
    for suffix in (".svg", ".pdf"):
        a = save_figure(
            draw_chart("elected-vs-not", lists, com, communes, ED, date=DATE),
            tmp_path / f"a{suffix}",
        )
        b = save_figure(
            draw_chart("elected-vs-not", lists, com, communes, ED, date=DATE),
            tmp_path / f"b{suffix}",
        )
        assert a.read_bytes() == b.read_bytes()
    assert dict(matplotlib.rcParams) == before


def test_style_helpers() -> None:
    assert format_date(datetime.date(2020, 3, 15)) == "15 mars 2020"
    assert format_date(datetime.date(2020, 8, 1)) == "1er août 2020"
    assert format_number(1234567) == "1\u202f234\u202f567"
    assert format_number(float("nan")) == "–"
    assert format_number(pd.NA) == "–"  # type: ignore[arg-type]
    assert format_percent(33.333, 1) == "33,3\u00a0%"
    line = credit_line(contours=True, date=DATE)
    assert line.startswith("Source : ")
    assert "IGN Admin Express COG 2020" in line and "Licence Ouverte 2.0" in line
    assert line.endswith("Réalisation : 1er mai 2024.")


def test_charts_declare_what_they_need(
    data: tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame], reference_ready: None
) -> None:
    """A user draws any chart from the two tables alone; the registry says what it reads."""
    from pacte_analysis.charts import chart_info

    lists, com, _ = data
    assert chart_info("departement-ranking").needs == ("communes",)
    assert chart_info("mandate-reelection").needs == ("reference-2026",)
    assert [chart_info(k).name for k in available_charts()] == list(available_charts())
    for kind in ("departement-ranking", "theme-heatmap"):
        with pytest.warns(UserWarning) if kind == "departement-ranking" else _no_warning():
            texts = _texts(draw_chart(kind, lists, com, edition=ED, date=DATE))
        assert any("Ille-et-Vilaine (35)" in t for t in texts), kind  # names, not codes
        assert any("Corse-du-Sud (2A)" in t for t in texts), kind
    with pytest.raises(ValueError, match=r"Graphique inconnu « camembert ».*theme-heatmap"):
        chart_info("camembert")


def _no_warning() -> contextlib.AbstractContextManager[object]:
    return contextlib.nullcontext()


# --------------------------------------------------------------------------- small multiples, errors


def test_every_chart_draws_into_the_callers_axes(
    data: tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame], tmp_path: Path
) -> None:
    """Small multiples: one figure of the user's, one chart per axes, every kind."""
    lists, com, communes = data
    kinds = list(available_charts())
    grid = Figure(figsize=(16, 15), layout="constrained")
    axes = grid.subplots(3, 2).ravel()
    for ax, kind in zip(axes, kinds, strict=True):
        assert draw_chart(kind, lists, com, communes, ED, ax=ax) is grid
    assert not any(t.get_text().startswith("Source : ") for t in grid.texts)  # the caller's
    texts = _texts(grid)
    for heading in (
        "Popularité des mesures",
        "Nombre de mesures retenues par liste",
        "Classement des départements",
        "Thèmes retenus par les listes",
        "Listes élues et non élues",
        "Maires des équipes signataires",
    ):
        assert any(t.startswith(heading) for t in texts), heading
    # elected-vs-not puts its two panels in the place of the one axes it was given
    assert "Nombre de mesures par liste" in texts and "Engagement par thème" in texts
    path = save_figure(grid, tmp_path / "multiples.png", dpi=100)
    assert _png_size(path) == (1600, 1500)


def test_draw_chart_errors_are_french(
    data: tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame], departements: pd.DataFrame
) -> None:
    lists, com, communes = data
    with pytest.raises(pa.InvalidArgumentError, match=r"option\(s\) inconnue\(s\).*colour") as exc:
        draw_chart("measure-popularity", lists, com, communes, ED, colour="red")
    # the message lists the chart's own options, read from its signature
    assert "by_theme" in str(exc.value) and "ax" in str(exc.value) and "top" not in str(exc.value)
    assert exc.value.code == "UNKNOWN_OPTION"
    with pytest.raises(pa.InvalidArgumentError, match="Options possibles : ax, cmap"):
        draw_chart("theme-heatmap", lists, com, communes, ED, metric="n_lists")
    with pytest.raises(pa.PacteTypeError, match=r"nom du graphique.*pas DataFrame"):
        draw_chart(lists, com, "measure-popularity")  # type: ignore[arg-type]
    with pytest.raises(pa.PacteTypeError, match="ressemble à la table « commitments »"):
        draw_chart("measure-popularity", com, lists)
    for kind in ("theme-heatmap", "departement-ranking"):
        with pytest.raises(pa.PacteTypeError, match="« territories » doit être une table"):
            draw_chart(kind, lists, com, communes, ED, territories="region")
        with pytest.raises(pa.MissingColumnsError, match=r"territories.*name"):
            draw_chart(kind, lists, com, communes, ED, territories=departements[["code"]])
        with pytest.raises(pa.InvalidArgumentError, match="« top » doit valoir au moins 1"):
            draw_chart(kind, lists, com, communes, ED, top=0)
    with pytest.raises(pa.InvalidArgumentError, match="niveaux possibles"):
        draw_chart("departement-ranking", lists, com, communes, ED, level="commune")
    with pytest.raises(pa.PacteTypeError, match="donnez une figure"):
        save_figure(lists, "x.png")  # type: ignore[arg-type]


# --------------------------------------------------------------------------- labels: wrapped, apart


def _boxes(fig: Figure, texts: list[matplotlib.text.Text]) -> list[tuple[str, Bbox]]:
    renderer = fig._get_renderer()  # type: ignore[attr-defined]
    return [
        (t.get_text(), t.get_window_extent(renderer))
        for t in texts
        if t.get_visible() and t.get_text().strip()
    ]


def _intersecting(fig: Figure, texts: list[matplotlib.text.Text]) -> list[tuple[str, str]]:
    """Pairs of drawn texts whose renderer boxes intersect, laid out at 300 dpi (print)."""
    before = fig.dpi
    fig.set_dpi(300)
    try:
        fig.draw_without_rendering()
        boxes = _boxes(fig, texts)
    finally:
        fig.set_dpi(before)
    return [
        (a, b)
        for i, (a, box_a) in enumerate(boxes)
        for b, box_b in boxes[i + 1 :]
        if box_a.overlaps(box_b)
    ]


def test_measure_labels_are_wrapped_never_cut(
    data: tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame],
) -> None:
    lists, com, _ = data
    for by_theme in (True, False):
        fig = plot_measure_popularity(lists, com, ED, by_theme=by_theme)
        ticks = fig.axes[0].get_yticklabels()
        labels = {" ".join(t.get_text().split("\n")) for t in ticks}
        assert not any("…" in label for label in labels)
        for m in ED.measures:  # every confirmed title in full, e.g. measure 3 (118 characters)
            assert (m.label if m.title_confirmed else f"Mesure {m.number}") in labels
        assert any("\n" in t.get_text() for t in ticks)
        assert _intersecting(fig, list(ticks)) == []  # wrapped lines never run into the next


@pytest.mark.parametrize("kind", list(available_charts()))
def test_value_and_tick_labels_never_overlap(
    kind: str, data: tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame], departements: pd.DataFrame
) -> None:
    """Geometric check on the drawn figure: no two labels of one axes intersect."""
    lists, com, communes = data
    # long row labels (« Bouches-du-Rhône (13) – 98 listes ») leave narrow columns
    long_names = departements.assign(name=departements["name"] + " et Territoire-de-Belfort")
    options: dict[str, Any] = {"territories": long_names} if kind == "theme-heatmap" else {}
    fig = draw_chart(kind, lists, com, communes, ED, date=DATE, **options)
    for ax in fig.axes:
        assert _intersecting(fig, list(ax.texts)) == [], (kind, ax.get_title())
        for axis in (ax.xaxis, ax.yaxis):  # bottom/left and top/right tick labels
            for which in ("label1", "label2"):
                labels = [getattr(tick, which) for tick in axis.get_major_ticks()]
                assert _intersecting(fig, labels) == [], (kind, which)


@pytest.mark.parametrize("size", [(9.5, 5.4), (5.0, 3.5)])
def test_mandate_value_labels_are_apart(
    size: tuple[float, float], data: tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame]
) -> None:
    """« 57 %58 % »: neighbouring bars' labels, on a page and in a small multiple."""
    from pacte_analysis.charts import plot_mandate_reelection

    lists, _, _ = data
    if size == (9.5, 5.4):
        fig = plot_mandate_reelection(lists, date=DATE)
    else:
        fig = Figure(figsize=size, layout="constrained")
        plot_mandate_reelection(lists, ax=fig.add_subplot())
    ax = fig.axes[0]
    shown = [t for t in ax.texts if t.get_visible()]
    assert len(shown) >= 10 and all(t.get_text().endswith("\u00a0%") for t in shown)
    assert _intersecting(fig, shown) == []
    assert _intersecting(fig, list(ax.get_xticklabels())) == []  # the size classes too
    legend = ax.get_legend()
    assert legend is not None
    renderer = fig._get_renderer()  # type: ignore[attr-defined]
    frame = legend.get_window_extent(renderer)
    assert not any(frame.overlaps(box) for _, box in _boxes(fig, shown))


# --------------------------------------------------------------------------- newsroom review


def _legend_entries(ax: matplotlib.axes.Axes) -> list[str]:
    legend = ax.get_legend()
    return [] if legend is None else [t.get_text() for t in legend.get_texts()]


def _drawn_series(ax: matplotlib.axes.Axes) -> set[str]:
    """Labels of the bar series of ``ax`` that show at least one non-empty bar."""
    return {
        str(c.get_label())
        for c in ax.containers
        if any(p.get_width() * p.get_height() > 0 for p in c.patches)  # type: ignore[attr-defined]
    }


@pytest.mark.parametrize("kind", list(available_charts()))
def test_no_empty_legend_entry_and_distinct_ticks(
    kind: str, data: tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame]
) -> None:
    """Elected non-signatory lists only: no « Listes signataires » entry without bars, and
    no axis reading « 0 %, 0 %, 1 %, 1 % » when there is nothing (or little) to show."""
    lists, com, communes = data
    sub = lists[~lists["signatory"] & lists["elected"].fillna(False)]
    subsets = {
        "non signataires élues": (sub, com[com["list_id"].isin(sub["list_id"])]),
        "vide": (lists.iloc[:0], com.iloc[:0]),
    }
    for name, (ls, cs) in subsets.items():
        fig = draw_chart(kind, ls, cs, communes, ED, date=DATE)
        fig.draw_without_rendering()
        for ax in fig.axes:
            entries = _legend_entries(ax)
            if ax.containers:  # bar series: each entry names bars that are drawn
                assert set(entries) <= _drawn_series(ax), (kind, name, entries)
            for axis in (ax.xaxis, ax.yaxis):
                ticks = [t.get_text() for t in axis.get_ticklabels() if t.get_text()]
                assert len(ticks) == len(set(ticks)), (kind, name, ticks)


def test_measures_per_list_cuts_the_zero_bar(
    data: tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame],
) -> None:
    """Most lists of a tracker that only says « signé » have no measure: the 0 bar is cut
    and labelled, the axis fits the others (not one bar and a flat line)."""
    lists, _, _ = data
    zeros = lists.iloc[:40].assign(
        list_id=[f"Z{i}" for i in range(40)], n_measures=0, signatory=False
    )
    many = pd.concat([lists.iloc[40:], zeros, zeros.assign(list_id=lambda f: f.list_id + "b")])
    counts = many["n_measures"].value_counts()
    n_zero, tallest_other = int(counts[0]), int(counts.drop(0).max())
    assert n_zero > 3 * tallest_other
    fig = plot_measures_per_list(many, ED)
    ax = fig.axes[0]
    _low, high = ax.get_ylim()
    assert tallest_other < high < n_zero
    assert high <= 2 * tallest_other  # the axis fits the bars it does not cut
    assert any(f"{n_zero} listes" in t and "barre coupée" in t for t in _texts(fig))
    assert _intersecting(fig, list(ax.texts)) == []
    # Without such a peak nothing is cut.
    plain = plot_measures_per_list(lists.iloc[40:], ED)
    assert not any("barre coupée" in t for t in _texts(plain))
    assert plain.axes[0].get_ylim()[1] >= lists.iloc[40:]["n_measures"].value_counts().max()
    # « médiane : 0 mesure », singular below 2
    assert any("médiane : 0 mesure sur 32" in t for t in _texts(fig))


def test_ranking_of_zeros_says_so(data: tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame]) -> None:
    lists, com, communes = data
    fig = plot_departement_ranking(
        lists.assign(signatory=False), com, communes, ED, metric="n_communes_signatory"
    )
    assert any(t.startswith("Aucun territoire où") for t in _texts(fig))
    assert not fig.axes[0].patches  # no row of empty bars


@pytest.mark.parametrize("kind", list(available_charts()))
@pytest.mark.parametrize("every_measure", [False, True])
def test_legends_never_cover_bars(
    kind: str, every_measure: bool, data: tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame]
) -> None:
    """Geometric: the legend box of an axes intersects none of its bars, also when the
    lists commit to every measure (tall bars on the right, long bars at the bottom)."""
    lists, com, communes = data
    if every_measure:
        lists = lists.assign(n_measures=32, principles="ABC", signatory=True)
        com = pd.DataFrame(
            [
                {"list_id": i, "edition": "pacte-2020", "measure": m, "committed": True}
                for i in lists["list_id"]
                for m in range(1, 33)
            ]
        ).assign(level=pd.array([pd.NA] * (32 * len(lists)), dtype="Int64"))
    fig = draw_chart(kind, lists, com, communes, ED, date=DATE)
    fig.draw_without_rendering()
    renderer = fig._get_renderer()  # type: ignore[attr-defined]
    for ax in fig.axes:
        legend = ax.get_legend()
        if legend is None:
            continue
        frame = legend.get_window_extent(renderer)
        bars = [
            p.get_window_extent(renderer)
            for c in ax.containers
            for p in c.patches  # type: ignore[attr-defined]
            if p.get_width() * p.get_height() > 0
        ]
        covered = [b for b in bars if frame.overlaps(b)]
        assert covered == [], (kind, ax.get_title(), len(covered))


def test_mandate_classes_say_how_many_teams(
    data: tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame],
) -> None:
    """A share of 14 % on 7 teams is not one on 700: each class shows its n."""
    from pacte_analysis.charts import plot_mandate_reelection
    from pacte_analysis.mandate import mandate_summary

    lists, _, _ = data
    table = mandate_summary(lists, None, by="size_class")
    table = table[table["n_all_known"] > 0]
    fig = plot_mandate_reelection(lists, date=DATE)
    ticks = [t.get_text() for t in fig.axes[0].get_xticklabels()]
    assert [t.rsplit("n = ", 1)[1] for t in ticks] == [
        format_number(int(n)) for n in table["n_signatory_known"]
    ]
