"""``import pacte_analysis`` and the ``pacte`` command stay light (issue 12).

Each check runs in a fresh interpreter: this test process has long imported
everything.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap
from pathlib import Path
from typing import Any

import pytest

import pacte_analysis as pa

HEAVY = ("folium", "matplotlib", "mapclassify", "scipy")
#: Public names whose module draws (matplotlib, mapclassify, folium).
DRAWING = {
    "plot_followup_status",
    "plot_mandate_reelection",
    "available_charts",
    "chart_info",
    "classify",
    "draw_chart",
    "draw_map",
    "interactive_map",
    "map_data",
    "plot_map",
    "run_demo",
    "save_figure",
    "save_html",
    "save_map",
}


def _fresh(code: str) -> dict[str, Any]:
    """Run ``code`` in a new interpreter; it ends by printing one JSON object."""
    env = dict(os.environ)
    env["PYTHONPATH"] = str(Path(pa.__file__).resolve().parents[1])
    done = subprocess.run(
        [sys.executable, "-c", textwrap.dedent(code)],
        capture_output=True,
        text=True,
        env=env,
        timeout=120,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    result: dict[str, Any] = json.loads(done.stdout.strip().splitlines()[-1])
    return result


def test_import_loads_no_drawing_library() -> None:
    loaded = _fresh(
        f"""
        import json, sys
        import pacte_analysis
        print(json.dumps({{"loaded": [m for m in {HEAVY!r} if m in sys.modules]}}))
        """
    )
    assert loaded["loaded"] == []


def test_reading_names_load_no_drawing_library_until_a_map_is_drawn() -> None:
    """Every non-drawing name (ingest, reference, analysis) leaves them out; a map pulls them."""
    loaded = _fresh(
        f"""
        import json, sys
        import pacte_analysis as pa
        for name in sorted(set(pa.__all__) - set({sorted(DRAWING)!r})):
            getattr(pa, name)
        before = [m for m in {HEAVY!r} if m in sys.modules]
        pa.plot_map
        after = [m for m in {HEAVY!r} if m in sys.modules]
        print(json.dumps({{"before": before, "after": after}}))
        """
    )
    assert loaded["before"] == []
    assert "matplotlib" in loaded["after"]
    # quantile classes are computed without mapclassify (scipy, scikit-learn): ~1.5 s
    assert "mapclassify" not in loaded["after"] and "scipy" not in loaded["after"]


def test_cli_parser_loads_neither_pandas_nor_the_import_engine() -> None:
    """``pacte --help`` builds every sub-command's parser without pandas (≈ 0.4 s saved)."""
    loaded = _fresh(
        """
        import json, sys
        from pacte_analysis.cli import build_parser
        build_parser().format_help()
        mods = ("pandas", "geopandas", "pacte_analysis.ingest._engine") + ("matplotlib",)
        print(json.dumps({"loaded": [m for m in mods if m in sys.modules]}))
        """
    )
    assert loaded["loaded"] == []


def test_every_public_name_resolves_to_its_module_object() -> None:
    import importlib

    assert set(pa._LAZY) | {"__version__"} == set(pa.__all__)
    for name in pa.__all__:
        if name == "__version__":
            continue
        module = importlib.import_module(pa._LAZY[name])
        assert getattr(pa, name) is getattr(module, name), name
    assert set(pa.__all__) <= set(dir(pa))
    with pytest.raises(AttributeError, match="n_existe_pas"):
        pa.n_existe_pas  # noqa: B018
    # subpackages stay reachable as attributes, as when they were imported eagerly
    assert pa.editions is importlib.import_module("pacte_analysis.editions")


def test_ingest_stays_the_function_after_its_subpackage_is_imported() -> None:
    """The first ``import pacte_analysis.ingest…`` would otherwise bind the subpackage."""
    result = _fresh(
        """
        import json
        from pacte_analysis.ingest import _engine
        import pacte_analysis as pa
        print(json.dumps({"same": pa.ingest is _engine.ingest, "callable": callable(pa.ingest)}))
        """
    )
    assert result == {"same": True, "callable": True}


def test_commune_resolver_loads_no_geometry_library() -> None:
    """Every import resolves communes: it needs names and codes, not polygons (issue 12)."""
    loaded = _fresh(
        """
        import json, sys
        from pacte_analysis.reference import CommuneResolver
        from pacte_analysis.ingest import _engine
        code = CommuneResolver().resolve(name="Rennes").code
        mods = ("geopandas", "shapely", "pyproj", "matplotlib")
        print(json.dumps({"code": code, "loaded": [m for m in mods if m in sys.modules]}))
        """
    )
    assert loaded["code"] == "35238"
    assert loaded["loaded"] == []
