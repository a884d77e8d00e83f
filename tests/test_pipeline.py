"""`pacte demo`: the whole pipeline, its files, its summary, and its determinism."""

from __future__ import annotations

from pathlib import Path

import pytest
from trees import file_tree

from pacte_analysis import cli
from pacte_analysis.config import DEMO_MARKER
from pacte_analysis.pipeline import DEMO_MAPS, run_demo


def test_demo_pipeline_files_summary_and_determinism(
    small_demo: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1593475200")  # 30 June 2020
    first = run_demo(tmp_path / "a", trackers=small_demo, progress=False)
    names = {p.relative_to(first.out_dir).as_posix() for p in first.files}
    for table in ("lists", "commitments", "rejects"):
        assert {f"{table}.parquet", f"{table}.csv"} <= names
    assert {"pacte-resultats.xlsx", "rapport-validation.txt", DEMO_MARKER} <= names
    for level, metric in DEMO_MAPS:
        for fmt in (".png", ".svg", ".pdf", ".html"):
            assert f"cartes/{level}-{metric}{fmt}" in names
    assert sum(n.startswith("graphiques/") for n in names) == 12
    # what became of the commitments: follow-up scores with their method, the mayors in 2026
    for name in (
        "bilan-mandat/resultats/scores-communes.csv",
        "bilan-mandat/resultats/METHODE.txt",
        "bilan-mandat/resultats/DONNEES-FICTIVES.txt",
        "bilan-mandat/etat-des-engagements.png",
        "bilan-mandat/commune-score-de-realisation.pdf",
        "graphiques/mandate-reelection.png",
        "mandat-2026/departement-maires-reelus.png",
        "mandat-2026/reelection-size_class.csv",
    ):
        assert name in names, name
    assert "10 ×" in (first.out_dir / "bilan-mandat/resultats/METHODE.txt").read_text(
        encoding="utf-8"
    )
    # a commune the follow-up did not assess reads « Non évalué » on the score map
    score_page = (first.out_dir / "bilan-mandat/commune-score-de-realisation.html").read_text(
        encoding="utf-8"
    )
    assert '"missing":"Non évalué"' in score_page
    summary = first.summary()
    assert summary.startswith("Données fictives – démonstration")
    assert "Population des communes avec une liste signataire" in summary
    assert str(first.out_dir) in summary
    assert "30 juin 2020" in (
        first.out_dir / "cartes" / "region-share_population_signatory.svg"
    ).read_text(encoding="utf-8")
    # No machine path leaks into the outputs when run from the repository.
    second = run_demo(tmp_path / "b", trackers=small_demo, progress=False)
    a, b = file_tree(first.out_dir), file_tree(second.out_dir)
    assert sorted(a) == sorted(b)
    different = [name for name in a if a[name] != b[name]]
    assert different == [], f"sorties différentes d'une exécution à l'autre : {different}"


def test_demo_command_prints_the_french_summary(
    small_demo: Path,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    import pacte_analysis.pipeline as pipeline

    real = pipeline.run_demo
    monkeypatch.setattr(
        pipeline,
        "run_demo",
        lambda out, progress: real(out, trackers=small_demo, progress=progress),
    )
    assert cli.main(["demo", "--out", str(tmp_path / "sortie"), "--quiet"]) == 0
    out = capsys.readouterr().out
    assert "Lignes lues" in out
    assert "Données fictives – démonstration : synthèse" in out
