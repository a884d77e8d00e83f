"""The notebooks, executed as an analyst would, show what they are meant to show.

nbmake (``make test``) only checks that the cells run: a notebook whose figures show
as ``<Figure size … with 1 Axes>`` passes it. Here each notebook is executed with
nbclient and its outputs are read: every cell tagged ``figure`` must show a picture
(``image/png``) or a web map (``text/html``), no cell may show a figure as text, no
warning may be printed, and numbers read as people write them.
"""

from __future__ import annotations

import os
import re
from pathlib import Path
from typing import Any

import pytest

nbformat = pytest.importorskip("nbformat")
nbclient = pytest.importorskip("nbclient")

ROOT = Path(__file__).resolve().parents[1]
NOTEBOOKS = ROOT / "notebooks"
#: Notebooks meant to draw, with the number of cells tagged ``figure`` in each.
FIGURES = {
    "02-carte-nationale": 3,
    "03-comparer-les-engagements": 4,
    "04-exports-presse": 2,
    "05-bilan-de-mandat": 3,
}
ALL = ["01-importer-les-suivis", *FIGURES]


@pytest.fixture(scope="module")
def executed(tmp_path_factory: pytest.TempPathFactory, reference_ready: None) -> dict[str, Any]:
    """Execute every notebook once, with the outputs written under a temporary folder."""
    data = tmp_path_factory.mktemp("data")
    (data / "raw").mkdir()
    for child in (ROOT / "data" / "raw").iterdir():
        (data / "raw" / child.name).symlink_to(child.resolve())
    (data / "processed").mkdir()
    env = dict(os.environ, PACTE_DATA_DIR=str(data), PYTHONPATH=str(ROOT))
    env.pop("MPLBACKEND", None)  # a notebook kernel chooses its own backend
    done = {}
    old = dict(os.environ)
    os.environ.clear()
    os.environ.update(env)
    try:
        for name in ALL:
            nb = nbformat.read(NOTEBOOKS / f"{name}.ipynb", as_version=4)
            client = nbclient.NotebookClient(
                nb,
                timeout=900,
                kernel_name="python3",
                resources={"metadata": {"path": str(NOTEBOOKS)}},
            )
            client.execute()
            done[name] = nb
    finally:
        os.environ.clear()
        os.environ.update(old)
    return done


def _code_cells(nb: Any) -> list[Any]:
    return [c for c in nb.cells if c.cell_type == "code"]


def _mimes(cell: Any) -> set[str]:
    return {m for o in cell.outputs for m in o.get("data", {})}


def _texts(cell: Any) -> list[str]:
    texts = []
    for o in cell.outputs:
        if o.output_type == "stream":
            texts.append(o.text)
        texts.extend(o.get("data", {}).get(m, "") for m in ("text/plain", "text/html"))
    return texts


@pytest.mark.slow
@pytest.mark.parametrize("name", list(FIGURES))
def test_every_figure_cell_shows_a_picture(executed: dict[str, Any], name: str) -> None:
    cells = [c for c in _code_cells(executed[name]) if "figure" in c.metadata.get("tags", [])]
    assert len(cells) == FIGURES[name]
    for cell in cells:
        mimes = _mimes(cell)
        assert "image/png" in mimes or "text/html" in mimes, (
            f"{name} : la cellule « {cell.source.splitlines()[0]} » n'affiche aucune image"
        )


@pytest.mark.slow
@pytest.mark.parametrize("name", ALL)
def test_no_figure_shown_as_text_no_warning_readable_numbers(
    executed: dict[str, Any], name: str
) -> None:
    for cell in _code_cells(executed[name]):
        for output in cell.outputs:
            assert not (output.output_type == "stream" and output.name == "stderr"), (
                f"{name} : message sur stderr : {output.text[:200]}"
            )
            plain = output.get("data", {}).get("text/plain", "")
            if plain.startswith("<Figure size"):
                assert "image/png" in output["data"], f"{name} : figure affichée en texte"
        for text in _texts(cell):
            assert "np.float64(" not in text and "np.int64(" not in text, text[:300]
            assert not re.search(r"\d\.\d+e[+-]\d\d", text), (
                f"{name} : notation scientifique dans « {cell.source.splitlines()[0]} »"
            )


@pytest.mark.slow
def test_the_lists_matrix_shows_measures(executed: dict[str, Any]) -> None:
    nb = executed["03-comparer-les-engagements"]
    (cell,) = [c for c in _code_cells(nb) if "matrix" in c.metadata.get("tags", [])]
    html = "".join(o["data"]["text/html"] for o in cell.outputs if "text/html" in o.get("data", {}))
    cells = re.findall(r"<td>([^<]*)</td>", html)
    marks = [c for c in cells if c == "✓" or re.fullmatch(r"N[123]", c)]
    assert len(marks) >= 10, "la commune choisie n'a presque aucune mesure dans sa matrice"
