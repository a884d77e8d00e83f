"""The fictitious demo set: deterministic, calibrated, every layout, no real name."""

from __future__ import annotations

import csv
import io
import unicodedata
import zipfile
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from pacte_analysis.demo import (
    DEMO_NOTICE,
    NATIONAL_FILE,
    README_NAME,
    TARGETS,
    DemoManifest,
    _compact_ranges,
    generate_demo,
    simulate,
)

SCALE = 0.05


@pytest.fixture(scope="module")
def demo(reference_ready: None, tmp_path_factory: pytest.TempPathFactory) -> DemoManifest:
    return generate_demo(tmp_path_factory.mktemp("demo") / "demo", scale=SCALE)


@pytest.fixture(scope="module")
def full_truth(reference_ready: None):  # type: ignore[no-untyped-def]
    return simulate()


def _key(text: str) -> str:
    text = unicodedata.normalize("NFKD", text)
    text = "".join(ch for ch in text if not unicodedata.combining(ch))
    return " ".join(text.lower().replace("-", " ").split())


# ------------------------------------------------------------------ calibration
def test_full_scale_calibration(full_truth) -> None:  # type: ignore[no-untyped-def]
    counts = full_truth.counts
    for name, target in TARGETS.items():
        assert abs(counts[name] - target) <= 0.1 * target, (name, counts[name])
    lists = full_truth.lists
    # a list signs = all 3 principles and at least 10 measures
    rule = (lists["principles"] == "ABC") & (lists["n_measures"] >= 10)
    assert (rule == lists["signatory"]).all()
    assert (~lists["signatory"]).sum() > 0.5 * counts["signatory_lists"]
    assert {"moins de 10 mesures", "principe manquant", "sans engagement"} <= set(lists["status"])
    # at most one elected list per commune
    assert lists.groupby("commune_code")["elected"].sum().max() == 1


def test_groups_favour_large_communes(full_truth) -> None:  # type: ignore[no-untyped-def]
    communes = full_truth.lists.drop_duplicates("commune_code")
    assert {"75056", "69123", "13055"} <= set(communes["commune_code"])
    import pacte_analysis as pa

    ref = pd.DataFrame(pa.communes(resolution="web").drop(columns="geometry"))
    big = ref.loc[ref["population"].fillna(0) > 50_000, "code"]
    assert big.isin(communes["commune_code"]).mean() > 0.9
    small = ref.loc[ref["population"].fillna(0) < 500, "code"]
    assert small.isin(communes["commune_code"]).mean() < 0.05
    assert communes["departement_code"].str.len().eq(3).sum() >= 20  # DROM


def test_measure_popularity_and_levels(full_truth) -> None:  # type: ignore[no-untyped-def]
    per_measure = full_truth.commitments.groupby("measure").size()
    assert set(per_measure.index) == set(range(1, 33))
    for popular in (7, 15, 28, 3):
        for rare in (4, 9, 2):
            assert per_measure[popular] > 2 * per_measure[rare]
    levels = full_truth.commitments["level"].value_counts()
    assert levels[1] > levels[2] > levels[3]
    sizes = full_truth.lists.loc[full_truth.lists["signatory"], "n_measures"]
    assert 12 <= sizes.median() <= 20
    assert sizes.min() >= 10 and sizes.max() <= 32 and (sizes >= 28).any()


def test_simulate_is_deterministic(reference_ready: None) -> None:
    a, b = simulate(seed=7, scale=SCALE), simulate(seed=7, scale=SCALE)
    pd.testing.assert_frame_equal(a.lists, b.lists)
    pd.testing.assert_frame_equal(a.commitments, b.commitments)
    c = simulate(seed=8, scale=SCALE)
    assert not a.lists["list_head"].equals(c.lists["list_head"])


def test_scale_shrinks_targets(reference_ready: None) -> None:
    truth = simulate(scale=SCALE)
    assert truth.counts["communes_with_group"] == round(2600 * SCALE)
    assert truth.counts["signatory_lists"] == round(900 * SCALE)
    assert truth.counts["elected_signatory_teams"] == round(290 * SCALE)
    with pytest.raises(ValueError):
        simulate(scale=0)


# ------------------------------------------------------------------ files
def test_same_seed_same_bytes(reference_ready: None, tmp_path: Path) -> None:
    first = generate_demo(tmp_path / "a", scale=SCALE)
    second = generate_demo(tmp_path / "b", scale=SCALE)
    names = sorted(f.path for f in first.files)
    assert names == sorted(f.path for f in second.files)
    for name in names:
        assert (tmp_path / "a" / name).read_bytes() == (tmp_path / "b" / name).read_bytes(), name
    # regenerating in place replaces the previous set
    again = generate_demo(tmp_path / "a", scale=SCALE)
    assert sorted(p.name for p in (tmp_path / "a").rglob("*") if p.is_file()) == sorted(
        p.name for p in again.paths
    )


def test_zip_metadata_fixed(demo: DemoManifest) -> None:
    for path in demo.paths:
        if path.suffix in {".xlsx", ".ods"}:
            with zipfile.ZipFile(path) as zf:
                assert {info.date_time for info in zf.infolist()} == {(2020, 6, 30, 12, 0, 0)}
                if path.suffix == ".xlsx":
                    core = zf.read("docProps/core.xml").decode()
                    assert "2020-06-30T12:00:00Z" in core


def test_refuses_foreign_folder(reference_ready: None, tmp_path: Path) -> None:
    (tmp_path / "mes-fichiers.txt").write_text("à garder", encoding="utf-8")
    with pytest.raises(FileExistsError):
        generate_demo(tmp_path, scale=SCALE)
    assert (tmp_path / "mes-fichiers.txt").read_text(encoding="utf-8") == "à garder"


def test_every_layout_present(demo: DemoManifest) -> None:
    layouts = {f.layout for f in demo.files}
    assert layouts == {
        "national",
        "large-marques",
        "large-niveaux",
        "long",
        "compact",
        "csv",
        "ods",
        "readme",
    }
    for path in demo.paths:
        assert path.is_file(), path
    by_layout = {f.layout: f for f in demo.files}
    assert by_layout["national"].path == "national/suivi-national-pacte-2020.xlsx"
    assert by_layout["national"].n_lists > 0.5 * len(demo.lists)
    for f in demo.files:
        if f.layout != "readme":
            assert f.n_lists >= 1, f.path
            assert f.path.startswith(("national/", "groupes/"))
    assert "Mesure 32" in by_layout["national"].header
    assert "Code INSEE" in by_layout["national"].header
    assert "M32" in by_layout["large-marques"].header
    assert "#32" in by_layout["large-niveaux"].header
    assert {"Mesure", "Engagement", "Niveau"} <= set(by_layout["long"].header)
    assert {"Principes", "Mesures"} <= set(by_layout["compact"].header)
    assert "M01" in by_layout["ods"].header
    assert set(demo.lists["layout"]) == layouts - {"readme"}


def test_national_workbook(demo: DemoManifest) -> None:
    from openpyxl import load_workbook

    wb = load_workbook(demo.out_dir / "national/suivi-national-pacte-2020.xlsx")
    ws = wb["Listes"]
    assert DEMO_NOTICE in str(ws["A2"].value)
    header = [c.value for c in ws[3]]
    assert header[:6] == [
        "Code INSEE",
        "Commune",
        "Département",
        "Liste",
        "Tête de liste",
        "Élue ?",
    ]
    values = {c.value for row in ws.iter_rows(min_row=4, min_col=10, max_col=41) for c in row}
    assert {"N1", "N2", "N3", None} <= values
    codes = [ws.cell(row=r, column=1).value for r in range(4, ws.max_row + 1)]
    assert any(isinstance(v, int) for v in codes) and any(isinstance(v, str) for v in codes)
    elected = {ws.cell(row=r, column=6).value for r in range(4, ws.max_row + 1)}
    assert elected == {"oui", "non"}


def test_csv_is_french_excel_export(demo: DemoManifest) -> None:
    f = next(f for f in demo.files if f.layout == "csv")
    raw = (demo.out_dir / f.path).read_bytes()
    with pytest.raises(UnicodeDecodeError):
        raw.decode("utf-8")
    text = raw.decode("cp1252")
    assert "\r\n" in text
    rows = list(csv.reader(io.StringIO(text), delimiter=";"))
    assert rows[0][:2] == ["Code INSEE", "Commune"] and "N°32" in rows[0]
    assert len(rows) - 1 == f.n_lists


def test_ods_readable(demo: DemoManifest) -> None:
    f = next(f for f in demo.files if f.layout == "ods")
    frame = pd.read_excel(demo.out_dir / f.path, engine="odf", header=None, dtype=str)
    assert list(frame.iloc[1, :5]) == ["Commune", "Code postal", "Liste", "Tête de liste", "Élu·e"]
    assert len(frame) - 2 == f.n_lists


def test_compact_ranges() -> None:
    assert _compact_ranges([12, 1, 3, 5, 6, 7, 8]) == "1, 3, 5-8, 12"
    assert _compact_ranges([1, 2]) == "1, 2"
    assert _compact_ranges([]) == ""


def test_readme_says_fictitious(demo: DemoManifest) -> None:
    text = (demo.out_dir / README_NAME).read_text(encoding="utf-8")
    assert DEMO_NOTICE in text
    assert "fictifs" in text.lower() or "FICTIFS" in text
    for f in demo.files:
        if f.layout != "readme":
            assert f.path in text


# ------------------------------------------------------------------ names
def test_names_are_invented(demo: DemoManifest, full_truth) -> None:  # type: ignore[no-untyped-def]
    import pacte_analysis as pa

    mayors = pa.mayors()
    full = (mayors["first_name"].astype(str) + " " + mayors["last_name"].astype(str)).map(_key)
    by_commune = set(zip(mayors["commune_code"].astype(str), full, strict=True))
    everywhere = set(full)
    for lists in (demo.lists, full_truth.lists):
        heads = lists["list_head"].map(_key)
        pairs = set(zip(lists["commune_code"].astype(str), heads, strict=True))
        assert not pairs & by_commune
        assert not set(heads) & everywhere
        assert lists["list_name"].str.contains(r"\(fictive\)|^Liste démo \d+$", regex=True).all()
        # distinct heads within a commune (the importer tells lists apart by their head)
        assert not lists.duplicated(["commune_code", "list_head"]).any()
    assert (
        full_truth.lists["list_head"]
        .str.contains("Démo|Test|Fantaisie|Imaginaire|Inventé|Pilote|Témoin|Fiction")
        .all()
    )


# ------------------------------------------------------------------ truth vs files
def test_written_communes_resolve(demo: DemoManifest, resolver) -> None:  # type: ignore[no-untyped-def]
    for row in demo.lists.itertuples():
        result = resolver.resolve(
            name=row.written_commune or None,
            code=row.written_code or None,
            postal_code=row.written_postal_code or None,
            departement=row.written_departement or None,
        )
        assert result.code == row.commune_code, (row.written_commune, result.message)


def test_mistakes_documented(demo: DemoManifest, resolver) -> None:  # type: ignore[no-untyped-def]
    counts = demo.mistake_counts
    assert counts == {
        "AMBIGUOUS_COMMUNE": 2,
        "CONFLICTING_LIST": 2,
        "DUPLICATE_LIST": 1,
        "IGNORED_COLUMN": 2,
        "INVALID_VALUE": 3,
        "MISSING_COMMUNE": 1,
        "UNKNOWN_COMMUNE": 3,
        "UNKNOWN_MEASURE": 1,
    }
    assert 10 <= len(demo.mistakes) <= 30
    assert demo.mistakes["description"].str.len().gt(10).all()
    for code in ("UNKNOWN_COMMUNE", "AMBIGUOUS_COMMUNE"):
        rows = demo.mistakes[demo.mistakes["code"] == code]
        for raw in rows["raw_value"]:
            assert resolver.resolve(name=raw).reason == code, raw
    assert (~demo.lists["importable"]).sum() == 1
    assert demo.expected["lists"] == len(demo.lists) - 1
    assert demo.expected["rejects"] == len(demo.mistakes)
    levels = demo.commitments.merge(demo.lists[["list_key", "levels_recorded"]], on="list_key")
    assert levels.loc[~levels["levels_recorded"], "level"].isna().all()
    assert levels.loc[levels["levels_recorded"], "level"].notna().all()


def test_summary_is_french(demo: DemoManifest) -> None:
    text = demo.summary()
    assert "communes avec un groupe local" in text and DEMO_NOTICE in text


def test_import_matches_manifest(demo: DemoManifest) -> None:
    from pacte_analysis.ingest import ingest

    result = ingest([demo.out_dir], edition="pacte-2020")
    lists, rejects = result.lists, result.rejects
    assert len(lists) == demo.expected["lists"]
    assert int(lists["signatory"].sum()) == demo.expected["signatory_lists"]
    elected = lists["signatory"] & lists["elected"].fillna(False).astype(bool)
    assert int(elected.sum()) == demo.expected["elected_signatory_teams"]
    assert lists["commune_code"].nunique() == demo.expected["communes"]
    assert rejects.groupby("code").size().to_dict() == demo.mistake_counts
    # each list's commitments as written
    truth = demo.lists[demo.lists["importable"]]
    joined = truth.merge(
        lists,
        on=["commune_code", "list_head"],
        how="left",
        suffixes=("", "_imported"),
        validate="one_to_one",
    )
    assert (joined["n_measures"] == joined["n_measures_imported"]).all()
    assert (joined["principles"] == joined["principles_imported"].astype(str)).all()
    assert (joined["elected"] == joined["elected_imported"].astype(bool)).all()
    recorded = joined[joined["levels_recorded"] & joined["n_measures"].gt(0)]
    assert np.allclose(recorded["mean_level"], recorded["mean_level_imported"].astype(float))


def test_bundled_demo_trackers_are_the_generators_output(
    reference_ready: None, tmp_path: Path
) -> None:
    """data/raw/demo is committed: it must be exactly what the generator writes."""
    from pacte_analysis.config import raw_dir

    bundled = raw_dir() / "demo"
    fresh = generate_demo(tmp_path / "demo")
    names = sorted(p.relative_to(fresh.out_dir) for p in fresh.out_dir.rglob("*") if p.is_file())
    assert names == sorted(p.relative_to(bundled) for p in bundled.rglob("*") if p.is_file())
    for name in names:
        assert (bundled / name).read_bytes() == (fresh.out_dir / name).read_bytes(), name


# ------------------------------------------------------------------ stamp (pacte demo)
def test_demo_kept_when_the_stamp_matches_regenerated_otherwise(
    reference_ready: None, tmp_path: Path
) -> None:
    """`pacte demo` leaves data/raw/demo as it is when it already holds the generator's
    output (no rewrite), and regenerates it when any file differs, is missing or added."""
    from pacte_analysis.demo import demo_stamp_path, ensure_demo

    out = tmp_path / "demo"
    assert ensure_demo(out, scale=SCALE) is True  # nothing there: generated
    assert demo_stamp_path(out).is_file() and not (out / demo_stamp_path(out).name).exists()
    files = sorted(p for p in out.rglob("*") if p.is_file())
    before = {p: (p.read_bytes(), p.stat().st_ino, p.stat().st_mtime_ns) for p in files}
    assert ensure_demo(out, scale=SCALE) is False  # kept: same files, not rewritten
    assert {p: (p.read_bytes(), p.stat().st_ino, p.stat().st_mtime_ns) for p in files} == before

    national = out / NATIONAL_FILE
    national.write_bytes(national.read_bytes()[:-10])  # a damaged tracker
    assert ensure_demo(out, scale=SCALE) is True
    assert national.read_bytes() == before[national][0]
    (out / "groupes" / "ajout.csv").write_text("Commune\n", encoding="utf-8")  # an extra file
    assert ensure_demo(out, scale=SCALE) is True
    assert not (out / "groupes" / "ajout.csv").exists()
    csv_file = next(p for p in files if p.suffix == ".csv")
    csv_file.unlink()  # a missing file
    assert ensure_demo(out, scale=SCALE) is True
    assert csv_file.read_bytes() == before[csv_file][0]
    # another seed or scale is another set
    assert ensure_demo(out, scale=SCALE, seed=7) is True
    assert ensure_demo(out, scale=SCALE, seed=7) is False
    assert ensure_demo(out, scale=SCALE) is True
    assert {p: p.read_bytes() for p in files} == {p: v[0] for p, v in before.items()}
    # an unreadable or foreign stamp: regenerated as before the stamp existed
    demo_stamp_path(out).write_text("pas du json", encoding="utf-8")
    assert ensure_demo(out, scale=SCALE) is True
    assert ensure_demo(out, scale=SCALE) is False
