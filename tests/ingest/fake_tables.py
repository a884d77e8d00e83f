"""Fictitious canonical tables of any size, for the writer tests and the workbook benchmark.

Built directly with the declared schemas (no tracker, no reference data): ``n``
lists × 32 measures, deterministic for a seed. Every name is invented.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from pacte_analysis.tables import SCHEMAS, build_table

__all__ = ["fake_tables"]


def fake_tables(n_lists: int, n_measures: int = 32, *, seed: int = 2020) -> dict[str, pd.DataFrame]:
    """Fictitious ``lists`` / ``commitments`` / ``rejects`` of ``n_lists`` lists (deterministic)."""
    rng = np.random.default_rng(seed)
    ids = [f"L{i:06d}" for i in range(n_lists)]
    codes = [f"{rng.integers(1, 96):02d}{rng.integers(1, 700):03d}" for _ in range(n_lists)]
    chosen = rng.random((n_lists, n_measures)) < 0.45
    levels = rng.integers(0, 4, size=(n_lists, n_measures))  # 0 = no level given
    n_measures_list = chosen.sum(axis=1)
    columns: dict[str, Any] = {
        "list_id": ids,
        "edition": ["pacte-2020"] * n_lists,
        "commune_code": codes,
        "commune_name": [f"Commune fictive {c}" for c in codes],
        "departement_code": [c[:2] for c in codes],
        "list_name": [f"Liste exemple n° {i}" for i in range(n_lists)],
        "list_head": [
            f"Camille Exemple-Démo {i}" if i % 97 else f"=HYPERLINK({i})" for i in range(n_lists)
        ],
        "principles": ["ABC" if i % 5 else "AC" for i in range(n_lists)],
        "n_measures": n_measures_list.tolist(),
        "mean_level": [float(x) if x else None for x in np.round(rng.random(n_lists) * 3, 2)],
        "signatory": (n_measures_list >= 10).tolist(),
        "signatory_source": ["rule"] * n_lists,
        "n_measures_declared": [None] * n_lists,
        "elected": [None if i % 3 == 0 else bool(i % 2) for i in range(n_lists)],
        "elected_source": [None if i % 3 == 0 else "tracker" for i in range(n_lists)],
        "signed_on": [None] * n_lists,
        "source_file": ["suivi-fictif.xlsx"] * n_lists,
        "source_sheet": ["Listes"] * n_lists,
        "source_row": list(range(2, n_lists + 2)),
    }
    lists_schema = SCHEMAS["lists"]
    lists = build_table("lists", {c: columns.get(c, [None] * n_lists) for c in lists_schema})
    rows, cols = np.nonzero(np.ones_like(chosen))
    committed = chosen[rows, cols]
    level = levels[rows, cols]
    commitments = build_table(
        "commitments",
        {
            "list_id": [ids[r] for r in rows],
            "edition": ["pacte-2020"] * len(rows),
            "measure": (cols + 1).tolist(),
            "committed": committed.tolist(),
            "level": [int(v) if c and v else None for c, v in zip(committed, level, strict=True)],
            "raw_value": ["x" if c else "" for c in committed],
            "source_file": ["suivi-fictif.xlsx"] * len(rows),
            "source_sheet": ["Listes"] * len(rows),
            "source_row": (rows + 2).tolist(),
            "source_column": [f"M{c + 1}" for c in cols],
        },
    )
    n_rejects = max(1, n_lists // 100)
    rejects = build_table(
        "rejects",
        {
            "source_file": ["suivi-fictif.xlsx"] * n_rejects,
            "source_sheet": ["Listes"] * n_rejects,
            "source_row": list(range(n_lists + 2, n_lists + 2 + n_rejects)),
            "source_column": ["Commune"] * n_rejects,
            "code": ["UNKNOWN_COMMUNE"] * n_rejects,
            "message": ["Commune inconnue (exemple fictif)."] * n_rejects,
            "raw_value": ["@Nulle-Part"] * n_rejects,
        },
    )
    return {"lists": lists, "commitments": commitments, "rejects": rejects}
