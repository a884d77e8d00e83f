"""Notebooks are stored as jupytext pairs (.py + .ipynb), in sync and without outputs.

They are executed by nbmake as part of `make test` (see pyproject's pytest options).
"""

from __future__ import annotations

from pathlib import Path

import jupytext
import pytest

NOTEBOOKS = Path(__file__).resolve().parents[1] / "notebooks"
EXPECTED = [
    "01-importer-les-suivis",
    "02-carte-nationale",
    "03-comparer-les-engagements",
    "04-exports-presse",
    "05-bilan-de-mandat",
]


def test_the_notebooks_exist() -> None:
    assert sorted(p.stem for p in NOTEBOOKS.glob("*.ipynb")) == EXPECTED
    assert sorted(p.stem for p in NOTEBOOKS.glob("*.py")) == EXPECTED


@pytest.mark.parametrize("name", EXPECTED)
def test_pair_in_sync_and_without_outputs(name: str) -> None:
    py = jupytext.read(NOTEBOOKS / f"{name}.py")
    ipynb = jupytext.read(NOTEBOOKS / f"{name}.ipynb")
    assert [c.source for c in py.cells] == [c.source for c in ipynb.cells], (
        f"{name}: lancez `jupytext --sync notebooks/{name}.py`"
    )
    for cell in ipynb.cells:
        if cell.cell_type == "code":
            assert cell.outputs == [] and cell.execution_count is None
    formats = ipynb.metadata.get("jupytext", {}).get("formats", "")
    assert "ipynb" in formats and "py:percent" in formats
