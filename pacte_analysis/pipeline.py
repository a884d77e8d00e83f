"""The main job end to end: demo trackers → tables → metrics → maps, charts, exports.

:func:`run_demo` is what ``pacte demo`` and ``make demo`` run. Every file it
writes is regenerated from ``data/raw`` (cookiecutter-data-science): running it
twice gives the same outputs (set ``SOURCE_DATE_EPOCH`` to fix the date printed on
maps and charts, as reproducible builds do).
"""

from __future__ import annotations

import logging
import os
import shutil
import time
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd
from tqdm.auto import tqdm

from pacte_analysis import analysis, charts, reference
from pacte_analysis._files import OutputError, atomic_write, check_output_path, make_dirs
from pacte_analysis._style import DEMO_MARK, format_number, format_percent
from pacte_analysis.config import DEMO_MARKER, processed_dir, raw_dir
from pacte_analysis.maps._make import MapLevel

__all__ = ["DEMO_MAPS", "PipelineResult", "run_demo"]

logger = logging.getLogger(__name__)

#: National maps of the demo: (level, metric), each written as PNG, SVG, PDF, HTML.
DEMO_MAPS: tuple[tuple[MapLevel, str], ...] = (
    ("commune", "status"),
    ("departement", "share_communes_signatory"),
    ("region", "share_population_signatory"),
)
DEMO_SOURCE = "Source : jeu de démonstration fictif généré par pacte_analysis"
_MAP_FORMATS = (".png", ".svg", ".pdf", ".html")
#: Legend and tooltip text of a commune without follow-up score (no grid assessed it).
FOLLOWUP_MISSING = "Non évalué"
_CHART_FORMATS = (".png", ".svg")


@dataclass
class PipelineResult:
    """What :func:`run_demo` produced."""

    out_dir: Path
    files: list[Path] = field(default_factory=list)
    figures: dict[str, float] = field(default_factory=dict)
    report: str = ""
    seconds: float = 0.0

    def summary(self) -> str:
        """Short French summary: key figures and where the files are."""
        f = self.figures
        lines = [
            f"{DEMO_MARK} : synthèse",
            f"  Listes importées : {format_number(f['lists'])}, dont "
            f"{format_number(f['signatory_lists'])} signataires du Pacte",
            f"  Communes avec au moins une liste connue : {format_number(f['communes_group'])}",
            f"  Communes dont l'équipe élue a signé : {format_number(f['communes_elected_signatory'])}",
            f"  Population des communes avec une liste signataire : "
            f"{format_number(f['population_signatory'])} habitants "
            f"({format_percent(f['share_population_signatory'], 1)} de la population)",
            f"  Population des communes dont l'équipe élue a signé : "
            f"{format_number(f['population_elected_signatory'])} habitants "
            f"({format_percent(f['share_population_elected_signatory'], 1)})",
            f"  Lignes rejetées à l'import : {format_number(f['rejected_rows'])} "
            "(voir rapport-validation.txt)",
            f"  {len(self.files)} fichiers dans {self.out_dir} ({self.seconds:.0f} s) :",
        ]
        by_folder: dict[str, list[str]] = {}
        for path in self.files:
            rel = path.relative_to(self.out_dir)
            folder = rel.parent.as_posix() if rel.parent != Path(".") else "."
            by_folder.setdefault(folder, []).append(rel.name)
        for folder, names in sorted(by_folder.items()):
            lines.append(f"    {folder}/ : {', '.join(sorted(names))}")
        return "\n".join(lines)


def _national_figures(
    lists: pd.DataFrame, commitments: pd.DataFrame, communes: pd.DataFrame
) -> dict[str, float]:
    """Key national figures from the commune summary."""
    cs = analysis.commune_summary(lists, commitments, communes)
    pop = pd.to_numeric(cs["population"], errors="coerce").fillna(0)
    total = float(pd.to_numeric(communes["population"], errors="coerce").sum())
    signed = cs["has_signatory"].fillna(False).astype(bool)
    elected = cs["elected_signatory"].fillna(False).astype(bool)
    return {
        "lists": float(len(lists)),
        "signatory_lists": float(lists["signatory"].fillna(False).astype(bool).sum()),
        "communes_group": float(len(cs)),
        "communes_elected_signatory": float(elected.sum()),
        "population_signatory": float(pop[signed].sum()),
        "population_elected_signatory": float(pop[elected].sum()),
        "share_population_signatory": 100 * float(pop[signed].sum()) / total,
        "share_population_elected_signatory": 100 * float(pop[elected].sum()) / total,
    }


def _check_demo_out(out: Path, raw: Path) -> None:
    """Refuse an output folder whose replacement would delete inputs or a user's files."""
    real_out, real_raw = Path(os.path.realpath(out)), Path(os.path.realpath(raw))
    if real_raw.is_relative_to(real_out) or real_out.is_relative_to(real_raw):
        raise OutputError(
            f"Le dossier de sortie « {out} » recouvre les suivis de démonstration « {raw} » : "
            "choisissez un dossier en dehors.",
            usage=True,
        )
    check_output_path(out, directory=True)
    if out.is_dir() and any(out.iterdir()) and not (out / DEMO_MARKER).is_file():
        raise OutputError(
            f"« {out} » n'est pas vide et n'est pas un dossier de démonstration (pas de "
            f"{DEMO_MARKER}) : son contenu serait remplacé. Choisissez un dossier vide ou nouveau.",
            usage=True,
        )


def _demo_mandate(lists: pd.DataFrame, commitments: pd.DataFrame, out: Path) -> list[Path]:
    """What became of the 2020 commitments, on the demo: fictitious follow-up grids and
    scores, and the 2020 → 2026 mayor outcome (real RNE snapshots, fictitious lists)."""
    from pacte_analysis import demo, mandate
    from pacte_analysis._files import neutralised_frame
    from pacte_analysis.followup import read_followup, write_followup
    from pacte_analysis.maps._make import draw_maps

    files: list[Path] = []
    folder = out / "bilan-mandat"
    grids = demo.write_demo_followup(lists, commitments, folder / "grilles-fictives")
    files += grids
    followup = read_followup(folder / "grilles-fictives")
    # name the grids relative to the output folder: same outputs wherever it is
    followup.relabel(str(folder / "grilles-fictives"), "bilan-mandat/grilles-fictives")
    files += write_followup(followup, lists, commitments, folder / "resultats", demo=True)
    # the one the « mandate-reelection » chart used: computed once per process
    outcome = mandate._default_outcome(2020, 2026)
    target = out / "mandat-2026"
    make_dirs(target)
    per_list = mandate.mandate_outcome(lists, outcome)
    path = target / "listes-et-maire-2026.csv"
    with atomic_write(path, "w", encoding="utf-8") as fh:
        neutralised_frame(per_list).to_csv(fh, index=False)
    files.append(path)
    summaries = {}
    for by in ("france", "size_class", "region", "departement"):
        path = target / f"reelection-{by}.csv"
        summaries[by] = mandate.mandate_summary(lists, outcome, by=by)
        with atomic_write(path, "w", encoding="utf-8") as fh:
            summaries[by].to_csv(fh, index=False)
        files.append(path)
    # maps and charts: promised versus done, and the mayors of the signatory teams
    scores = pd.read_parquet(folder / "resultats" / "scores-communes.parquet")
    reelected = summaries["departement"].set_index("departement_code")["share_signatory_reelected"]
    maps = (
        (
            target / "departement-maires-reelus",
            "departement",
            "share_signatory_reelected",
            reelected,
            "Maire de 2020 réélu·e en 2026, équipes élues signataires (%)",
            "%",
            "Aucune équipe élue signataire dont on connaît le maire de 2026",
        ),
        (
            folder / "commune-score-de-realisation",
            "commune",
            "score",
            scores.set_index("commune_code")["score"],
            "Score de réalisation des engagements (sur 10, méthode pacte_analysis)",
            "",
            FOLLOWUP_MISSING,
        ),
    )
    for stem, level, metric, values, label, unit, missing in maps:
        files += draw_maps(
            lists,
            commitments,
            [stem.with_suffix(fmt) for fmt in (".png", ".pdf", ".html")],
            metric=metric,
            level=level,  # type: ignore[arg-type]
            values=values,
            label=label,
            unit=unit,
            missing_label=missing,
            demo=True,
            source=DEMO_SOURCE,
        )
    fig = charts.plot_followup_status(followup.statuses, demo=True, source=DEMO_SOURCE)
    for fmt in _CHART_FORMATS:
        files.append(charts.save_figure(fig, folder / f"etat-des-engagements{fmt}"))
    return files


def run_demo(
    out_dir: str | Path | None = None,
    *,
    trackers: str | Path | None = None,
    seed: int = 2020,
    scale: float = 1.0,
    progress: bool = True,
) -> PipelineResult:
    """Run the whole pipeline on the fictitious demo trackers.

    Steps: generate the demo trackers into ``data/raw/demo`` (deterministic),
    import them (validation report), write the tables, draw the national maps
    (commune, département, région) as PNG/SVG/PDF/HTML and every chart.

    Parameters
    ----------
    out_dir : str or Path, optional
        Defaults to ``data/processed/demo``. Its previous content is replaced: it
        must be new, empty or an earlier demo output (with ``DONNEES-FICTIVES.txt``),
        and may not hold or lie inside the demo trackers.
    trackers : str or Path, optional
        Folder of demo trackers to import as they are. By default the bundled
        ``data/raw/demo`` is (re)generated, byte for byte identical, from ``seed``
        and ``scale``.
    seed : int, default 2020
        Seed of the demo generator.
    scale : float, default 1.0
        Size of the demo set (1.0 ≈ the 2020 campaign; smaller for quick runs).
    progress : bool, default True
        Show progress bars on standard error.

    Returns
    -------
    PipelineResult

    Raises
    ------
    pacte_analysis._files.OutputError
        ``out_dir`` cannot be used (French message), before anything is written.
    """
    from pacte_analysis import demo
    from pacte_analysis.ingest import ingest, write_tables
    from pacte_analysis.maps._make import draw_maps

    start = time.perf_counter()
    out = Path(out_dir) if out_dir is not None else processed_dir() / "demo"
    raw = Path(trackers) if trackers is not None else raw_dir() / "demo"
    _check_demo_out(out, raw)
    steps = tqdm(total=6, desc="Démonstration", unit="étape", disable=not progress)

    steps.set_postfix_str("suivis fictifs")
    if trackers is None or not raw.exists():
        # Deterministic: rewrites the bundled files byte for byte (data/raw stays as is).
        demo.generate_demo(raw, seed=seed, scale=scale)
    steps.update()

    steps.set_postfix_str("import et validation")
    # Report files relative to the working folder when possible (no machine paths in outputs).
    try:
        given = raw.resolve().relative_to(Path.cwd().resolve())
    except ValueError:
        given = raw
    result = ingest([given], progress=progress)
    if out.exists():
        shutil.rmtree(out)
    make_dirs(out)
    # The demo marker is part of the set: tables and « fictitious » mark are published together.
    files = list(write_tables(result, out, demo=True, source=DEMO_SOURCE))
    report = out / "rapport-validation.txt"
    with atomic_write(report, "w") as fh:
        fh.write(result.report())
    files.append(report)
    steps.update()

    steps.set_postfix_str("indicateurs")
    communes = reference.communes(resolution="web").drop(columns="geometry")
    lists, commitments = result.lists, result.commitments
    figures = _national_figures(lists, commitments, communes)
    figures["rejected_rows"] = float(result.reconciliation.rejected_rows)
    for level in ("departement", "region"):
        territories = getattr(reference, f"{level}s")(resolution="web").drop(columns="geometry")
        table = analysis.territory_summary(
            lists, commitments, communes, level=level, territories=territories
        )
        path = out / "indicateurs" / f"{level}s.csv"
        path.parent.mkdir(exist_ok=True)
        table.to_csv(path, index=False)
        files.append(path)
    measures = analysis.measure_summary(lists, commitments)
    path = out / "indicateurs" / "mesures.csv"
    measures.to_csv(path, index=False)
    files.append(path)
    steps.update()

    steps.set_postfix_str("cartes")
    # Each map computed and drawn once, then saved in every format (PNG, SVG, PDF, HTML).
    for level, metric in tqdm(DEMO_MAPS, desc="Cartes", leave=False, disable=not progress):
        files += draw_maps(
            lists,
            commitments,
            [out / "cartes" / f"{level}-{metric}{fmt}" for fmt in _MAP_FORMATS],
            metric=metric,
            level=level,
            demo=True,
            source=DEMO_SOURCE,
        )
    steps.update()

    steps.set_postfix_str("graphiques")
    kinds = list(charts.available_charts())
    for kind in tqdm(kinds, desc="Graphiques", leave=False, disable=not progress):
        fig = charts.draw_chart(kind, lists, commitments, communes, demo=True, source=DEMO_SOURCE)
        for fmt in _CHART_FORMATS:
            files.append(charts.save_figure(fig, out / "graphiques" / f"{kind}{fmt}"))
    steps.update()

    steps.set_postfix_str("bilan de mandat")
    files += _demo_mandate(lists, commitments, out)
    steps.update()
    steps.close()
    return PipelineResult(
        out_dir=out,
        files=sorted(files),
        figures=figures,
        report=result.report(details=False),
        seconds=time.perf_counter() - start,
    )
