"""Shared fixtures: the reference cache is built once (idempotent) for the session."""

from __future__ import annotations

from pathlib import Path

import matplotlib
import pytest

matplotlib.use("Agg")


@pytest.fixture(scope="session")
def reference_ready() -> None:
    """Make sure the COG 2020 cache exists (``make test`` builds it beforehand)."""
    from pacte_analysis.reference import build_reference

    build_reference(progress=False)


@pytest.fixture(scope="module")
def small_demo(reference_ready: None, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The demo trackers at scale 0.05 (a few hundred lists), one folder per test module."""
    from pacte_analysis.demo import generate_demo

    folder = tmp_path_factory.mktemp("suivis") / "demo"
    generate_demo(folder, scale=0.05)
    return folder


@pytest.fixture(scope="session")
def resolver(reference_ready: None):  # type: ignore[no-untyped-def]
    from pacte_analysis.reference import CommuneResolver

    return CommuneResolver()


def make_tables(communes, n_communes: int = 400, seed: int = 7):  # type: ignore[no-untyped-def]
    """Synthetic ``lists`` and ``commitments`` tables following the table contract."""
    import numpy as np

    rng = np.random.default_rng(seed)
    chosen = communes.sample(n_communes, random_state=seed).sort_values("code")
    lists, commitments = [], []
    for commune in chosen.itertuples():
        n = int(rng.integers(1, 4))
        winner = int(rng.integers(0, n + 1)) - 1  # -1: the winner is not known
        for j in range(n):
            list_id = f"L{commune.code}-{j}"
            k = int(rng.integers(0, 33))
            measures = sorted(rng.choice(np.arange(1, 33), size=k, replace=False).tolist())
            levels = rng.integers(1, 4, size=k)
            principles = "ABC" if rng.random() < 0.8 else "AB"
            lists.append(
                {
                    "list_id": list_id,
                    "edition": "pacte-2020",
                    "commune_code": commune.code,
                    "commune_name": commune.name,
                    "departement_code": commune.departement_code,
                    "list_name": f"Liste fictive {j}",
                    "list_head": None,
                    "principles": principles,
                    "n_measures": k,
                    "mean_level": float(levels.mean()) if k else None,
                    "signatory": principles == "ABC" and k >= 10,
                    "signatory_source": "rule",
                    "n_measures_declared": None,
                    "elected": None if winner < 0 else j == winner,
                    "elected_source": None if winner < 0 else "tracker",
                    "signed_on": None,
                    "source_file": "synthetique.xlsx",
                    "source_sheet": "Feuil1",
                    "source_row": len(lists) + 2,
                }
            )
            for m, lv in zip(measures, levels, strict=True):
                commitments.append(
                    {
                        "list_id": list_id,
                        "edition": "pacte-2020",
                        "measure": m,
                        "committed": True,
                        "level": int(lv),
                        "raw_value": f"N{lv}",
                        "source_file": "synthetique.xlsx",
                        "source_sheet": "Feuil1",
                        "source_row": len(lists) + 1,
                        "source_column": f"Mesure {m}",
                    }
                )
    from pacte_analysis.tables import SCHEMAS, build_table

    lists_df = build_table("lists", {c: [row[c] for row in lists] for c in SCHEMAS["lists"]})
    com_df = build_table(
        "commitments", {c: [row[c] for row in commitments] for c in SCHEMAS["commitments"]}
    )
    return lists_df, com_df


@pytest.fixture(scope="session")
def synthetic_tables(reference_ready: None):  # type: ignore[no-untyped-def]
    from pacte_analysis.reference import communes

    return make_tables(communes(resolution="web").drop(columns="geometry"))
