"""An edition of the 2026 elections resolves against the 2026 geography and mayors (issue 10)."""

from __future__ import annotations

from pathlib import Path

import pytest

import pacte_analysis as pa
from pacte_analysis.ingest import ingest

DOCS = Path(__file__).resolve().parents[1] / "docs" / "editions.md"


@pytest.fixture(scope="module")
def catalogue(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The fictitious local 2026 pact of the documentation, as a user would save it."""
    text = DOCS.read_text(encoding="utf-8").split("```csv\n")[1].split("```")[0]
    path = tmp_path_factory.mktemp("edition") / "pacte-local-2026.csv"
    path.write_text(text, encoding="utf-8")
    return path


@pytest.fixture(scope="module")
def mayors_2026() -> object:
    try:
        return pa.mayors(vintage=2026)
    except Exception as exc:  # pragma: no cover - without the 2026 cache
        pytest.skip(f"référentiel 2026 absent (pacte reference build --vintage 2026) : {exc}")


def test_documented_catalogue_declares_2026(catalogue: Path) -> None:
    ed = pa.read_edition(catalogue)
    assert (ed.election, ed.vintage, ed.min_measures) == (2026, 2026, 5)
    assert all(m.title_confirmed for m in ed.measures)


def test_trackers_of_a_2026_edition_use_the_2026_geography_and_mayors(
    tmp_path: Path, catalogue: Path, mayors_2026: object
) -> None:
    import pandas as pd

    assert isinstance(mayors_2026, pd.DataFrame)
    # a mayor elected in 2026 whose commune had another mayor in 2020 (read from the data,
    # never written in the repository)
    m20 = pa.mayors()
    before = dict(zip(m20["commune_code"], m20["last_name"].str.upper(), strict=False))
    new = mayors_2026[
        mayors_2026["commune_code"].map(before).ne(mayors_2026["last_name"].str.upper())
        & mayors_2026["commune_code"].isin(before)
    ].iloc[0]
    head = f"{new['first_name']} {new['last_name']}"
    tracker = tmp_path / "suivi.csv"
    tracker.write_text(
        "Code INSEE,Commune,Liste,Tête de liste,Mesures\n"
        ",Oullins-Pierre-Bénite,Liste fictive O,,1-5\n"
        f"{new['commune_code']},,Liste fictive N,{head},1-5\n",
        encoding="utf-8",
    )
    result = ingest(tracker, edition=catalogue)
    lists = result.lists
    assert len(lists) == 2, result.report()
    assert lists["edition"].tolist() == ["pacte-exemple-2026"] * 2
    assert lists["commune_name"].iloc[0] == "Oullins-Pierre-Bénite"  # created in 2024
    assert lists["elected"].tolist()[1] is True and lists["elected_source"].iloc[1] == "rne"
    assert "référentiel 2026" in result.report()
    # the same tracker under the 2020 edition: the commune did not exist yet
    old = ingest(tracker)
    assert "UNKNOWN_COMMUNE" in old.rejects["code"].tolist()
