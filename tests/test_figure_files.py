"""What the figure files hold once written fast: the same pixels, embedded editable text,
and the same class breaks as mapclassify without importing it."""

from __future__ import annotations

import re
import subprocess
import sys
import textwrap
import warnings
import zlib
from io import BytesIO
from pathlib import Path

import mapclassify
import matplotlib as mpl
import numpy as np
import pytest
from fontTools.ttLib import TTFont
from matplotlib.figure import Figure
from PIL import Image

from pacte_analysis import charts
from pacte_analysis.maps import _classes

ROOT = Path(__file__).resolve().parents[1]


def _figure() -> Figure:
    fig = Figure(figsize=(4, 3))
    ax = fig.add_subplot()
    ax.bar(["a", "b", "c"], [3, 1, 2], color="#0072B2")
    ax.set_title("Mesures choisies – Données fictives")
    fig.text(0.02, 0.02, "Réalisation : 30 juin 2020 ; ﬁchiers", fontsize=7)
    return fig


def test_png_has_matplotlibs_pixels_without_the_alpha_channel(tmp_path: Path) -> None:
    fig = _figure()
    path = charts.save_figure(fig, tmp_path / "graphique.png")
    ours = Image.open(path)
    assert ours.mode == "RGB"  # an opaque figure: no alpha channel to store
    assert ours.size == (1200, 900)
    assert ours.info["dpi"] == pytest.approx((300, 300), abs=0.01)
    assert "Software" not in ours.info  # no version string: the same bytes everywhere
    reference = BytesIO()
    fig.savefig(reference, format="png", dpi=300, facecolor="white")
    expected = np.asarray(Image.open(reference).convert("RGB"))
    assert np.array_equal(np.asarray(ours), expected)
    again = charts.save_figure(fig, tmp_path / "encore.png")
    assert again.read_bytes() == path.read_bytes()


def test_png_of_a_transparent_figure_keeps_its_alpha(tmp_path: Path) -> None:
    fig = _figure()
    fig.patch.set_alpha(0.0)  # savefig's white facecolor keeps the patch's alpha
    path = charts.save_figure(fig, tmp_path / "transparent.png")
    image = Image.open(path)
    reference = BytesIO()
    fig.savefig(reference, format="png", dpi=300, facecolor="white")
    expected = np.asarray(Image.open(reference).convert("RGBA"))
    assert expected[..., 3].min() < 255  # the figure is not opaque …
    assert image.mode == "RGBA"  # … so its alpha channel is kept
    assert np.array_equal(np.asarray(image), expected)


def _pdf_objects(raw: bytes) -> dict[int, tuple[bytes, bytes]]:
    """Object number → (dictionary, decompressed stream) of a matplotlib PDF."""
    objects = {}
    for match in re.finditer(rb"(\d+) 0 obj\n(.*?)endobj", raw, re.S):
        body = match.group(2)
        head, _, rest = body.partition(b"stream\n")
        stream = rest.rsplit(b"\nendstream", 1)[0] if rest else b""
        if b"/FlateDecode" in head and stream:
            stream = zlib.decompress(stream)
        objects[int(match.group(1))] = (head, stream)
    return objects


def test_pdf_text_stays_embedded_truetype_without_unused_layout_tables(tmp_path: Path) -> None:
    path = charts.save_figure(_figure(), tmp_path / "graphique.pdf")
    objects = _pdf_objects(path.read_bytes())
    fonts = [
        TTFont(BytesIO(stream))
        for head, stream in objects.values()
        if stream and re.search(rb"/Length1 \d+", head)  # a FontFile2 stream
    ]
    assert fonts, "no embedded TrueType font"
    for font in fonts:
        assert "glyf" in font and "cmap" in font  # real outlines, editable text
        assert not {"GSUB", "GPOS", "GDEF", "MATH"} & set(font.keys())
    # the text can be selected and searched: each font maps its glyphs back to characters
    unicode_maps = b"".join(s for h, s in objects.values() if b"begincmap" in s)
    mapped = "".join(
        bytes.fromhex(code.decode()).decode("utf-16-be")
        for targets in re.findall(rb"\[([^\]]*)\]", unicode_maps)
        for code in re.findall(rb"<([0-9a-fA-F]+)>", targets)
    )
    assert set("MesuroiéDnf") <= set(mapped)
    assert "fi" in mapped  # the « ﬁ » ligature drawn by matplotlib is read back as « fi »
    # drawn again, the same bytes (no date, same subsets)
    again = charts.save_figure(_figure(), tmp_path / "encore.pdf")
    assert again.read_bytes() == path.read_bytes()


def test_pdf_writing_leaves_matplotlibs_font_subsetting_as_it_was(tmp_path: Path) -> None:
    from fontTools import subset
    from matplotlib.backends import _backend_pdf_ps

    charts.save_figure(_figure(), tmp_path / "graphique.pdf")
    assert _backend_pdf_ps.subset is subset
    plain = BytesIO()
    with mpl.rc_context({"pdf.fonttype": 42}):  # a user's own figure, saved by matplotlib
        _figure().savefig(plain, format="pdf", metadata={"CreationDate": None})
    fonts = [
        TTFont(BytesIO(stream))
        for head, stream in _pdf_objects(plain.getvalue()).values()
        if stream and re.search(rb"/Length1 \d+", head)
    ]
    assert fonts and all("GSUB" in font for font in fonts)  # matplotlib's own subsets


@pytest.mark.parametrize("k", [1, 2, 3, 4, 5, 7])
def test_class_breaks_are_mapclassifys(k: int) -> None:
    rng = np.random.default_rng(k)
    samples = [
        rng.normal(50, 20, 5_000),
        rng.integers(0, 6, 2_000).astype(float),  # many ties
        np.r_[np.zeros(800), rng.exponential(3, 300)],
        rng.uniform(0, 100, 7) ** 2,
        np.array([0.0, 1.0, 10.0, 10.0, 11.5]),
    ]
    for y in samples:
        with warnings.catch_warnings():  # « not enough unique values »
            warnings.simplefilter("ignore")
            expected = mapclassify.Quantiles(y, k=k)
        assert _classes.quantile_bins(y, k).tolist() == expected.bins.tolist()
        bins, ids = _classes.classify(y, "quantiles", k)
        assert bins.tolist() == expected.bins.tolist()
        assert ids.tolist() == expected.yb.tolist()
        equal = mapclassify.EqualInterval(y, k=k)
        bins, ids = _classes.classify(y, "equal_interval", k)
        assert bins.tolist() == equal.bins.tolist() and ids.tolist() == equal.yb.tolist()
        user = sorted(rng.choice(y, 3, replace=False).tolist())
        defined = mapclassify.UserDefined(y, bins=user)
        assert _classes.user_bins(y, user).tolist() == defined.bins.tolist()
        assert _classes.bin_ids(y, _classes.user_bins(y, user)).tolist() == defined.yb.tolist()


def test_other_schemes_are_still_mapclassifys() -> None:
    y = np.random.default_rng(3).normal(0, 1, 500)
    bins, ids = _classes.classify(y, "fisher_jenks_sampled", 4)
    assert len(bins) == 4 and set(ids.tolist()) <= {0, 1, 2, 3}


def test_quantile_maps_draw_without_scipy(tmp_path: Path) -> None:
    """Quantile maps and web maps never import mapclassify's scipy and scikit-learn."""
    code = textwrap.dedent(
        f"""
        import sys
        import numpy as np, pandas as pd, geopandas as gpd
        from shapely.geometry import box
        from pacte_analysis.maps import static, interactive
        gdf = gpd.GeoDataFrame(
            {{"code": [str(i) for i in range(12)], "name": list("abcdefghijkl"), "v": np.arange(12.0)}},
            geometry=[box(i, 0, i + 1, 1) for i in range(12)], crs="EPSG:4326",
        )
        static.save_map(static.plot_map(gdf, "v", level="departement"), r"{tmp_path}/c.png")
        interactive.save_html(interactive.interactive_map(gdf, ["v"]), r"{tmp_path}/c.html")
        print([m for m in ("scipy", "sklearn", "mapclassify") if m in sys.modules])
        """
    )
    done = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT, check=False
    )
    assert done.returncode == 0, done.stderr[-2000:]
    assert done.stdout.strip().splitlines()[-1] == "[]"
    assert (tmp_path / "c.png").is_file() and (tmp_path / "c.html").is_file()


@pytest.mark.parametrize("width", [1.5, 3.0, 4.2, 6.0])
def test_wrapped_source_lines_are_matplotlibs(width: float) -> None:
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.text import Text

    from pacte_analysis import _style

    text = (
        "Source : jeu de démonstration fictif généré par pacte_analysis. Contours : IGN "
        "Admin Express COG 2020 – INSEE COG 2020, Licence Ouverte 2.0. Réalisation : "
        "30 juin 2020.\nUne ligne à part ; un_mot_bien_plus_long_que_la_ligne_entière_"
        "de_la_figure fin.\n\nAprès une ligne vide."
    )
    fig = Figure(figsize=(width, 2))
    FigureCanvasAgg(fig)
    _style.add_source(fig, text)
    ours = fig.texts[-1]
    assert isinstance(ours, _style.WrappedText)
    theirs = fig.text(0.01, 0.005, text, fontsize=6.5, wrap=True)
    assert type(theirs) is Text
    fig.canvas.draw()
    expected = theirs._get_wrapped_text()  # type: ignore[attr-defined]
    assert ours._get_wrapped_text() == expected
    assert expected.count("\n") > text.count("\n")  # the text was wrapped


def test_heatmap_cells_are_vector_squares_of_the_values_colours(tmp_path: Path) -> None:
    from test_charts import ED, _dataset

    lists, commitments, communes = _dataset()
    fig = charts.draw_chart("theme-heatmap", lists, commitments, communes, ED, demo=True)
    svg = charts.save_figure(fig, tmp_path / "h.svg").read_text(encoding="utf-8")
    # vector cells, sharp at any zoom: the only picture left is the colour bar's gradient
    assert svg.count("<image") == 1
    assert not fig.axes[0].get_images() and not fig.axes[0].collections[0].get_rasterized()
    png = charts.save_figure(fig, tmp_path / "h.png")
    pixels = np.asarray(Image.open(png).convert("RGB")).astype(int)
    ax = fig.axes[0]
    cells = ax.collections[0]
    values = np.asarray(cells.get_array()).reshape(-1, len(ax.get_xticks()))
    scale = 300 / fig.dpi
    checked = 0
    for i in range(values.shape[0]):
        for j in range(values.shape[1]):
            if np.ma.is_masked(values[i, j]):
                continue
            # near a corner of the cell, away from the value written at its centre
            x, y = ax.transData.transform((j - 0.4, i - 0.4)) * scale
            colour = np.array(cells.cmap(cells.norm(values[i, j]))[:3]) * 255
            found = pixels[pixels.shape[0] - int(y) - 1, int(x)]
            assert np.abs(found - colour).max() <= 1.5, (i, j, found, colour)
            checked += 1
    assert checked >= 8


def test_pdf_writing_does_not_flood_the_verbose_log(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    import logging

    caplog.set_level(logging.INFO)  # what `pacte -v` asks for
    charts.save_figure(_figure(), tmp_path / "graphique.pdf")
    assert not [r for r in caplog.records if r.name.startswith("fontTools")]
    assert logging.getLogger("fontTools").level == logging.NOTSET  # left as it was
