"""`pacte commune`: one sheet per commune, as a newsroom would publish it."""

from __future__ import annotations

import base64
import io
import re
import shutil
from html.parser import HTMLParser
from pathlib import Path

import pytest

from pacte_analysis import cli
from pacte_analysis._style import CONTOURS_CREDIT, DEMO_MARK

PAYLOAD = "<script>alert(1)</script>"

# A tiny fictitious tracker: three lists in Rennes (one elected, one named with a
# script payload), one in Brest.
TRACKER = f"""Commune;Département;Liste;Tête de liste;Principes;Élue ?;Mesure 1;Mesure 2;Mesure 3;Mesure 13
Rennes;35;Rennes en commun (fictive);Alix Fictif;ABC;oui;N2;X;N3;
Rennes;35;{PAYLOAD};Camille Factice;AB;non;;N1;;X
Rennes;35;Troisième liste (fictive);Lou Inventé;;non;;;;
Brest;29;Brest demain (fictive);Sam Fictif;ABC;non;N1;;;
"""
RENNES_LISTS = ("Rennes en commun (fictive)", PAYLOAD, "Troisième liste (fictive)")


class _Tables(HTMLParser):
    """Text of every table cell of a page: tables → rows → cells."""

    def __init__(self) -> None:
        super().__init__()
        self.tables: list[list[list[str]]] = []
        self.imgs: list[dict[str, str | None]] = []
        self._cell: list[str] | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "table":
            self.tables.append([])
        elif tag == "tr":
            self.tables[-1].append([])
        elif tag in ("td", "th"):
            self._cell = []
        elif tag == "img":
            self.imgs.append(dict(attrs))
        elif tag == "br" and self._cell is not None:
            self._cell.append(" ")

    def handle_endtag(self, tag: str) -> None:
        if tag in ("td", "th") and self._cell is not None:
            self.tables[-1][-1].append("".join(self._cell).strip())
            self._cell = None

    def handle_data(self, data: str) -> None:
        if self._cell is not None:
            self._cell.append(data)


def _parse(page: str) -> _Tables:
    parser = _Tables()
    parser.feed(page)
    return parser


@pytest.fixture(scope="module")
def data_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("commune")
    tracker = root / "suivi.csv"
    tracker.write_text(TRACKER, encoding="utf-8")
    assert cli.main(["ingest", str(tracker), "--out", str(root / "tables")]) == 0
    return root / "tables"


@pytest.fixture(scope="module")
def demo_dir(data_dir: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("demo") / "tables"
    shutil.copytree(data_dir, folder)
    (folder / "DONNEES-FICTIVES.txt").write_text("Données fictives.\n", encoding="utf-8")
    return folder


@pytest.fixture(scope="module")
def rennes_page(data_dir: Path, tmp_path_factory: pytest.TempPathFactory) -> str:
    out = tmp_path_factory.mktemp("out") / "rennes.html"
    assert cli.main(["commune", "Rennes", "--data", str(data_dir), "--out", str(out)]) == 0
    return out.read_text(encoding="utf-8")


def test_page_holds_every_list_of_the_commune_and_no_other(rennes_page: str) -> None:
    lists_table = _parse(rennes_page).tables[0]
    names = [row[1] for row in lists_table[1:]]
    for name in RENNES_LISTS:
        assert any(n.startswith(name) for n in names), name
    assert len(names) == 3
    assert "Brest demain" not in rennes_page
    assert "<h1>Rennes (35)</h1>" in rennes_page


def test_elected_list_is_marked_once(rennes_page: str) -> None:
    rows = _parse(rennes_page).tables[0][1:]
    elected = [row for row in rows if "★ Liste élue" in row[1]]
    assert len(elected) == 1
    assert elected[0][1].startswith("Rennes en commun (fictive)")
    assert elected[0][7] == "Liste élue"
    assert [row[7] for row in rows].count("Non élue") == 2


def test_user_strings_are_escaped(rennes_page: str) -> None:
    assert PAYLOAD not in rennes_page
    assert "<script" not in rennes_page.lower()
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in rennes_page


def test_grid_gives_levels_side_by_side(rennes_page: str) -> None:
    grid = _parse(rennes_page).tables[1]
    header, rows = grid[0], {row[0]: row[1:] for row in grid[1:]}
    assert len(header) == 4  # measure + three lists
    assert header[1].startswith("L1") and "★" in header[1]  # the elected list first
    measure_1 = next(v for k, v in rows.items() if k.startswith("1. Politique ambitieuse"))
    assert measure_1 == ["N2", "", ""]
    measure_2 = next(v for k, v in rows.items() if k.startswith("2. "))
    assert sorted(measure_2) == ["", "N1", "✓"]
    # unconfirmed title: « Mesure 13 », never an invented one
    assert rows["Mesure 13"].count("✓") == 1
    assert len(rows) == 32


def test_sources_and_credit_line(rennes_page: str) -> None:
    rows = _parse(rennes_page).tables[0][1:]
    assert sorted(row[8] for row in rows) == [
        "suivi.csv, ligne 2",
        "suivi.csv, ligne 3",
        "suivi.csv, ligne 4",
    ]
    assert CONTOURS_CREDIT in rennes_page
    assert DEMO_MARK not in rennes_page  # real (non-demo) folder


def test_map_is_an_inline_png_of_the_commune(rennes_page: str) -> None:
    import matplotlib.image as mpimg
    import numpy as np

    imgs = _parse(rennes_page).imgs
    assert len(imgs) == 1
    src = imgs[0]["src"] or ""
    assert src.startswith("data:image/png;base64,")
    data = base64.b64decode(src.split(",", 1)[1])
    pixels = mpimg.imread(io.BytesIO(data), format="png")
    height, width = pixels.shape[:2]
    assert width > 300 and height > 250
    rgb = (pixels[..., :3] * 255).round().astype(int)
    commune = np.all(rgb == (0x00, 0x72, 0xB2), axis=-1).mean()
    neighbours = np.all(rgb == (0xE6, 0xE6, 0xE6), axis=-1).mean()
    assert commune > 0.02 and neighbours > 0.05  # the commune and its neighbours drawn


def test_demo_folder_marks_every_page(demo_dir: Path, tmp_path: Path) -> None:
    out = tmp_path / "site"
    assert cli.main(["commune", "--all", "--data", str(demo_dir), "--out", str(out)]) == 0
    pages = sorted(p.name for p in out.iterdir())
    assert pages == ["29019.html", "35238.html", "index.html"]
    for page in out.iterdir():
        text = page.read_text(encoding="utf-8")
        assert text.count(DEMO_MARK) >= 2, page.name  # top and foot
        assert "<script" not in text.lower()
    index = _parse((out / "index.html").read_text(encoding="utf-8")).tables[0]
    assert [row[0] for row in index[1:]] == ["Brest", "Rennes"]
    assert [row[3] for row in index[1:]] == ["1", "3"]  # lists per commune
    assert [row[5] for row in index[1:]] == ["non", "non"]  # elected lists not signatories
    links = re.findall(r'href="([^"]+)"', (out / "index.html").read_text(encoding="utf-8"))
    assert links == ["29019.html", "35238.html"]
    assert 'href="index.html"' in (out / "35238.html").read_text(encoding="utf-8")


def test_pdf_sheet(data_dir: Path, tmp_path: Path) -> None:
    out = tmp_path / "brest.pdf"
    assert cli.main(["commune", "29019", "--data", str(data_dir), "--out", str(out)]) == 0
    assert out.read_bytes().startswith(b"%PDF")
    assert out.stat().st_size > 5000


def test_ambiguous_commune_exits_2_with_candidates(
    data_dir: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "x.html"
    assert cli.main(["commune", "Saint-Denis", "--data", str(data_dir), "--out", str(out)]) == 2
    err = capsys.readouterr().err
    assert "AMBIGUOUS_COMMUNE" in err
    assert "Saint-Denis (93, 93066)" in err and "Saint-Denis (974, 97411)" in err
    assert "Traceback" not in err
    assert not out.exists()


def test_unknown_commune_or_commune_without_lists_exits_2(
    data_dir: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "x.html"
    assert cli.main(["commune", "Xyzzyville", "--data", str(data_dir), "--out", str(out)]) == 2
    assert "commune inconnue « Xyzzyville »" in capsys.readouterr().err
    assert cli.main(["commune", "Quimper", "--data", str(data_dir), "--out", str(out)]) == 2
    assert "aucune liste de Quimper (29232)" in capsys.readouterr().err
    assert not out.exists()


def test_usage_errors_exit_2(
    data_dir: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert (
        cli.main(["commune", "Rennes", "--data", str(data_dir), "--out", str(tmp_path / "x.png")])
        == 2
    )
    assert ".html ou .pdf" in capsys.readouterr().err
    assert cli.main(["commune", "--data", str(data_dir), "--out", str(tmp_path / "x.html")]) == 2
    assert (
        cli.main(
            [
                "commune",
                "Rennes",
                "--data",
                str(tmp_path / "nope"),
                "--out",
                str(tmp_path / "x.html"),
            ]
        )
        == 2
    )
    assert "introuvable" in capsys.readouterr().err


def test_pdf_page_carries_grid_elected_mark_and_demo_mark(demo_dir: Path) -> None:
    import pacte_analysis as pa
    from pacte_analysis.commune_sheet import _sheet_figure, commune_sheet

    tables = pa.read_tables(demo_dir)
    sheet = commune_sheet("35238", tables.lists, tables.commitments)
    fig = _sheet_figure(sheet, pa.communes(resolution="web"), demo=tables.demo, source=None)
    texts = [t.get_text() for t in fig.texts]
    assert any(DEMO_MARK in t for t in texts)
    assert any(CONTOURS_CREDIT in t for t in texts)
    assert sum("★" in t for t in texts) == 1  # the elected list's line
    table = fig.axes[-1].tables[0]
    cells = {(r, c): cell.get_text().get_text() for (r, c), cell in table.get_celld().items()}
    assert [cells[(0, c)] for c in range(4)] == ["Mesure", "L1 ★", "L2", "L3"]
    row_1 = next(r for (r, c), v in cells.items() if c == 0 and v.startswith("1. Politique"))
    assert [cells[(row_1, c)] for c in (1, 2, 3)] == ["N2", "", ""]
    assert len(fig.axes) == 2  # the map and the grid
