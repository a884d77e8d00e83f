"""The main job end to end: demo trackers → tables → metrics → maps, charts, exports.

:func:`run_demo` is what ``pacte demo`` and ``make demo`` run. Every file it
writes is regenerated from ``data/raw`` (cookiecutter-data-science): running it
twice gives the same outputs (set ``SOURCE_DATE_EPOCH`` to fix the date printed on
maps and charts, as reproducible builds do).

The demo trackers are kept when their stamp says they are the generator's output
(:func:`pacte_analysis.demo.ensure_demo`). After the import, the maps and charts are
independent tasks (:func:`_demo_tasks`): this process and :func:`demo_jobs` ``- 1``
worker processes, started (``spawn``) before the import so that their own start-up
overlaps it, each take the next task not yet taken, longest first (a ``local`` task
stays in this process). Every task writes
the same bytes whichever process runs it; a task's error is raised here as it was
raised there, and leaving early (an error, Ctrl-C) stops the workers.
"""

from __future__ import annotations

import contextlib
import logging
import os
import shutil
import signal
import time
import warnings
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd
from tqdm.auto import tqdm

from pacte_analysis import analysis, charts, reference
from pacte_analysis._files import OutputError, atomic_write, check_output_path, make_dirs
from pacte_analysis._style import DEMO_MARK, format_number, format_percent
from pacte_analysis.config import DEMO_MARKER, processed_dir, raw_dir
from pacte_analysis.maps._make import MapLevel

__all__ = ["DEMO_MAPS", "MAX_DEMO_JOBS", "PipelineResult", "demo_jobs", "run_demo"]

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


@dataclass(frozen=True)
class _DemoInputs:
    """What every drawing task of the demo needs: the imported tables and the output folder.

    Sent once to each worker process (pickled: a few megabytes).
    """

    lists: pd.DataFrame
    commitments: pd.DataFrame
    out: Path


@dataclass(frozen=True)
class _Task:
    """One independent piece of the demo: files written from :class:`_DemoInputs` alone.

    ``func`` is a module-level function (it is pickled by name for a worker process);
    ``cost`` is its measured duration in seconds on the demo, used to start the longest
    tasks first so that the processes finish together. A ``local`` task is run by this
    process, after the tables: it re-reads files with the import's readers, which this
    process has already loaded (a fresh worker would spend ~0.8 s loading them).
    """

    name: str
    cost: float
    func: Callable[..., list[Path]]
    args: tuple[Any, ...] = ()
    local: bool = False

    def run(self, inputs: _DemoInputs) -> list[Path]:
        started, cpu = time.perf_counter(), time.process_time()
        files = self.func(inputs, *self.args)
        logger.info(
            "%s : %.1f s (%.1f s de calcul, processus %d)",
            self.name,
            time.perf_counter() - started,
            time.process_time() - cpu,
            os.getpid(),
        )
        return files


def _national_map(inputs: _DemoInputs, level: MapLevel, metric: str) -> list[Path]:
    """One national map of the demo, drawn once, saved as PNG, SVG, PDF and HTML."""
    from pacte_analysis.maps._make import draw_maps

    return draw_maps(
        inputs.lists,
        inputs.commitments,
        [inputs.out / "cartes" / f"{level}-{metric}{fmt}" for fmt in _MAP_FORMATS],
        metric=metric,
        level=level,
        demo=True,
        source=DEMO_SOURCE,
    )


def _chart(inputs: _DemoInputs, kind: str) -> list[Path]:
    """One chart of :func:`pacte_analysis.charts.available_charts`, as PNG and SVG."""
    communes = reference.communes(resolution="web").drop(columns="geometry")
    fig = charts.draw_chart(
        kind, inputs.lists, inputs.commitments, communes, demo=True, source=DEMO_SOURCE
    )
    return [
        charts.save_figure(fig, inputs.out / "graphiques" / f"{kind}{fmt}")
        for fmt in _CHART_FORMATS
    ]


def _demo_followup(inputs: _DemoInputs) -> list[Path]:
    """What became of the 2020 commitments, on the demo: fictitious follow-up grids,
    their scores, the score map and the status chart (``bilan-mandat/``).

    The national commune map (:data:`DEMO_MAPS`) is drawn first by the same task: the
    second map of the 35,000 communes in a process reuses their placed shapes.
    """
    from pacte_analysis import demo
    from pacte_analysis.followup import read_followup, write_followup
    from pacte_analysis.maps._make import draw_maps

    lists, commitments = inputs.lists, inputs.commitments
    files = [
        path
        for level, metric in DEMO_MAPS
        if level == "commune"
        for path in _national_map(inputs, level, metric)
    ]
    folder = inputs.out / "bilan-mandat"
    files += demo.write_demo_followup(lists, commitments, folder / "grilles-fictives")
    followup = read_followup(folder / "grilles-fictives")
    # name the grids relative to the output folder: same outputs wherever it is
    followup.relabel(str(folder / "grilles-fictives"), "bilan-mandat/grilles-fictives")
    files += write_followup(followup, lists, commitments, folder / "resultats", demo=True)
    scores = pd.read_parquet(folder / "resultats" / "scores-communes.parquet")
    files += draw_maps(
        lists,
        commitments,
        [folder / f"commune-score-de-realisation{fmt}" for fmt in (".png", ".pdf", ".html")],
        metric="score",
        level="commune",
        values=scores.set_index("commune_code")["score"],
        label="Score de réalisation des engagements (sur 10, méthode pacte_analysis)",
        unit="",
        missing_label=FOLLOWUP_MISSING,
        demo=True,
        source=DEMO_SOURCE,
    )
    fig = charts.plot_followup_status(followup.statuses, demo=True, source=DEMO_SOURCE)
    for fmt in _CHART_FORMATS:
        files.append(charts.save_figure(fig, folder / f"etat-des-engagements{fmt}"))
    return files


def _demo_reelection(inputs: _DemoInputs) -> list[Path]:
    """The 2020 → 2026 mayor outcome on the demo (real RNE snapshots, fictitious lists):
    tables of ``mandat-2026/``, its map, and the « mandate-reelection » chart (one
    task: the outcome is computed once per process and shared by all three)."""
    from pacte_analysis import mandate
    from pacte_analysis._files import neutralised_frame
    from pacte_analysis.maps._make import draw_maps

    lists = inputs.lists
    outcome = mandate._default_outcome(2020, 2026)
    target = inputs.out / "mandat-2026"
    make_dirs(target)
    files: list[Path] = []
    path = target / "listes-et-maire-2026.csv"
    with atomic_write(path, "w", encoding="utf-8") as fh:
        neutralised_frame(mandate.mandate_outcome(lists, outcome)).to_csv(fh, index=False)
    files.append(path)
    summaries = {}
    for by in ("france", "size_class", "region", "departement"):
        path = target / f"reelection-{by}.csv"
        summaries[by] = mandate.mandate_summary(lists, outcome, by=by)
        with atomic_write(path, "w", encoding="utf-8") as fh:
            summaries[by].to_csv(fh, index=False)
        files.append(path)
    reelected = summaries["departement"].set_index("departement_code")["share_signatory_reelected"]
    files += draw_maps(
        lists,
        inputs.commitments,
        [target / f"departement-maires-reelus{fmt}" for fmt in (".png", ".pdf", ".html")],
        metric="share_signatory_reelected",
        level="departement",
        values=reelected,
        label="Maire de 2020 réélu·e en 2026, équipes élues signataires (%)",
        unit="%",
        missing_label="Aucune équipe élue signataire dont on connaît le maire de 2026",
        demo=True,
        source=DEMO_SOURCE,
    )
    return files + _chart(inputs, _REELECTION_CHART)


#: The chart drawn with the mandate outcome (by :func:`_demo_reelection`).
_REELECTION_CHART = "mandate-reelection"


def _demo_tasks() -> list[_Task]:
    """The independent drawing tasks of the demo, longest first."""
    tasks = [
        _Task(f"carte {level}", 1.5, _national_map, (level, metric))
        for level, metric in DEMO_MAPS
        if level != "commune"  # drawn by _demo_followup
    ]
    tasks += [
        _Task(f"graphique {kind}", _CHART_COSTS.get(kind, 1.0), _chart, (kind,))
        for kind in charts.available_charts()
        if kind != _REELECTION_CHART
    ]
    tasks.append(_Task("carte des communes et bilan de mandat", 9.0, _demo_followup, local=True))
    tasks.append(_Task("maires 2026", 4.5, _demo_reelection))
    return sorted(tasks, key=lambda t: -t.cost)


#: Measured seconds of each chart of the demo (PNG and SVG), for the order of the tasks.
_CHART_COSTS = {"theme-heatmap": 1.6, "measure-popularity": 1.4, "departement-ranking": 1.0}


def demo_jobs(jobs: int | None = None) -> int:
    """Number of processes :func:`run_demo` draws with.

    ``jobs`` when given; else the environment variable ``PACTE_DEMO_JOBS``; else the
    processors this process may use (``os.sched_getaffinity``, or ``os.cpu_count``),
    at most :data:`MAX_DEMO_JOBS`. ``1`` means everything runs in this process.

    Examples
    --------
    >>> demo_jobs(1)
    1
    """
    if jobs is None:
        env = os.environ.get("PACTE_DEMO_JOBS", "").strip()
        if env:
            if not env.isdigit() or int(env) < 1:
                raise OutputError(
                    f"PACTE_DEMO_JOBS=« {env} » : donnez un nombre de processus d'au moins 1.",
                    usage=True,
                )
            jobs = int(env)
        else:
            try:
                usable = len(os.sched_getaffinity(0))
            except (AttributeError, OSError):  # not on Linux
                usable = os.cpu_count() or 1
            jobs = min(usable, MAX_DEMO_JOBS)
    return max(1, int(jobs))


#: Processes :func:`run_demo` uses at most by default (more share too few long tasks).
MAX_DEMO_JOBS = 3


class _Workers:
    """Worker processes that draw demo tasks beside this one (``spawn``: fresh interpreters).

    Started before the import so that their own start-up (matplotlib, geopandas…)
    overlaps it; then each is sent the tables once, and every process — this one
    included — takes the next task not yet taken (longest first) until none is left.
    A task's error is sent back and raised here as it was raised there (same French
    message); a worker that dies is an :class:`OutputError`. Leaving the ``with`` block
    on an error or Ctrl-C stops the workers (their temporary files are removed).
    """

    def __init__(self, n: int) -> None:
        import multiprocessing

        self._ctx = multiprocessing.get_context("spawn")
        self._next: Any = None  # shared index of the next task to take (with workers only)
        self._n = n
        self._procs: list[Any] = []
        self._conns: list[Any] = []
        self._warnings: dict[Any, Any] = {}
        self._sender: Any = None

    def __enter__(self) -> _Workers:
        try:
            self._start()
        except BaseException:
            self.stop()
            raise
        return self

    def _start(self) -> None:
        if self._n < 1:
            return  # one process: nothing shared, nothing started
        self._next = self._ctx.Value("i", 0)
        level = logging.getLogger().getEffectiveLevel()
        for i in range(self._n):
            parent, child = self._ctx.Pipe()
            # Ctrl-C is for this process: the workers ignore it (they are stopped from here).
            # SIGINT stays blocked while the interpreter starts, so that it never shows a
            # traceback of an interrupted start-up.
            old = _block_sigint(True)
            try:
                proc = self._ctx.Process(
                    target=_worker_main,
                    args=(child, self._next, level),
                    name=f"pacte-demo-{i + 1}",
                    daemon=True,
                )
                proc.start()
            finally:
                _block_sigint(False, old)
            child.close()
            self._procs.append(proc)
            self._conns.append(parent)

    def __exit__(self, exc_type: object, exc: object, tb: object) -> None:
        if exc_type is None:
            for proc in self._procs:
                proc.join(timeout=30)
        self.stop()

    def stop(self) -> None:
        """Stop every worker still running (nothing more is taken; temporary files removed)."""
        if self._next is not None:
            with self._next.get_lock():
                self._next.value = 1 << 30  # no task left to take
        for proc in self._procs:
            if proc.is_alive():
                proc.terminate()  # SIGTERM: the worker leaves its task, cleaning up
        for proc in self._procs:
            proc.join(timeout=10)
            if proc.is_alive():
                proc.kill()
                proc.join()
        if self._sender is not None:
            self._sender.join(timeout=10)  # its sends fail now that the workers are gone
        for conn in self._conns:
            with contextlib.suppress(OSError):
                conn.close()
        self._procs, self._conns, self._sender = [], [], None

    def run(
        self,
        inputs: _DemoInputs,
        tasks: Sequence[_Task],
        own: Callable[[], list[Path]],
        done: Callable[[str], None],
    ) -> list[Path]:
        """Run ``own`` here, then ``tasks`` shared between this process and the workers."""
        import threading

        payload = (inputs, list(tasks))
        # sent from a thread: a worker reads it once its own start-up is over
        self._sender = sender = threading.Thread(
            target=self._send_all, args=(payload,), daemon=True
        )
        sender.start()
        files = own()
        running = list(self._conns)
        while True:
            running = self._collect(running, tasks, files, done, block=False)
            index = _take(self._next, len(tasks))
            if index is None:
                break
            files += tasks[index].run(inputs)
            done(tasks[index].name)
        while running:
            running = self._collect(running, tasks, files, done, block=True)
        sender.join()
        return files

    def _send_all(self, payload: tuple[_DemoInputs, list[_Task]]) -> None:
        for conn in self._conns:
            # a worker that died is reported by _collect, one that was stopped needs nothing
            with contextlib.suppress(Exception):
                conn.send(payload)

    def _collect(
        self,
        running: list[Any],
        tasks: Sequence[_Task],
        files: list[Path],
        done: Callable[[str], None],
        *,
        block: bool,
    ) -> list[Any]:
        """Read the workers' messages (wait for one when ``block``); the still running ones."""
        import multiprocessing.connection

        ready: list[Any] = multiprocessing.connection.wait(running, timeout=None if block else 0)
        still = list(running)
        for conn in ready:
            proc = self._procs[self._conns.index(conn)]
            try:
                message = conn.recv()
            except (EOFError, OSError):
                proc.join(timeout=5)
                raise OutputError(
                    f"Un processus de dessin de la démonstration s'est arrêté avant la fin "
                    f"(code de sortie {proc.exitcode}) : sortie incomplète, relancez "
                    "`pacte demo`."
                ) from None
            kind: str = message[0]
            if kind == "done":
                still.remove(conn)
            elif kind == "ok":
                _, index, written, caught = message
                self._rewarn(caught)
                files += written
                done(tasks[index].name)
            else:  # "error": raised here as the task raised it there
                _, index, error, caught = message
                self._rewarn(caught)
                raise error
        return still

    def _rewarn(self, caught: list[tuple[str, type[Warning], str, int]]) -> None:
        """Show a worker's warnings here, as if this process had met them."""
        for text, category, filename, lineno in caught:
            warnings.warn_explicit(text, category, filename, lineno, registry=self._warnings)


def _block_sigint(block: bool, previous: Any = None) -> Any:
    """Block SIGINT in this thread (``block``), or restore ``previous`` (else unblock it).

    Returns the mask before; does nothing where signal masks do not exist (Windows).
    """
    if not hasattr(signal, "pthread_sigmask"):
        return None
    if block:
        return signal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGINT})
    if previous is not None:
        return signal.pthread_sigmask(signal.SIG_SETMASK, previous)
    return signal.pthread_sigmask(signal.SIG_UNBLOCK, {signal.SIGINT})


def _take(counter: Any, n: int) -> int | None:
    """Index of the next task nobody has taken, or ``None`` when all are taken."""
    with counter.get_lock():
        index = int(counter.value)
        if index >= n:
            return None
        counter.value = index + 1
    return index


def _worker_main(conn: Any, counter: Any, log_level: int) -> None:
    """Body of a worker process: take tasks until none is left, send back each result."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    _block_sigint(False)
    signal.signal(signal.SIGTERM, _leave)
    logging.basicConfig(level=log_level, format="pacte : %(message)s")
    try:
        # the drawing libraries, while the main process imports the trackers
        import pacte_analysis.maps.interactive
        import pacte_analysis.maps.static  # noqa: F401

        ready = time.process_time()
        try:
            inputs, tasks = conn.recv()  # sent by this package's main process only
        except (EOFError, OSError):
            return  # the main process stopped before sending anything
        logger.info(
            "processus %d prêt (%.1f s de calcul au démarrage, %.1f s pour recevoir les tables)",
            os.getpid(),
            ready,
            time.process_time() - ready,
        )
        while (index := _take(counter, len(tasks))) is not None:
            with warnings.catch_warnings(record=True) as caught:
                warnings.simplefilter("always")
                try:
                    written = tasks[index].run(inputs)
                except Exception as exc:  # sent back, raised by the main process
                    conn.send(("error", index, _sendable(exc), _warning_data(caught)))
                    return
            conn.send(("ok", index, written, _warning_data(caught)))
        conn.send(("done",))
    except (BrokenPipeError, EOFError, SystemExit):
        return  # stopped by the main process


def _leave(signum: int, frame: object) -> None:
    """SIGTERM in a worker: leave the task through its ``finally`` blocks."""
    raise SystemExit(1)


def _warning_data(
    caught: list[warnings.WarningMessage],
) -> list[tuple[str, type[Warning], str, int]]:
    return [(str(w.message), w.category, w.filename, w.lineno) for w in caught]


def _sendable(exc: Exception) -> Exception:
    """``exc`` if it survives pickling, else an exception of the same family with its text."""
    import pickle

    try:
        pickle.loads(pickle.dumps(exc))  # noqa: S301 (our own object)
    except Exception:
        if isinstance(exc, OSError):
            return OutputError(str(exc))
        return RuntimeError(str(exc))
    return exc


def run_demo(
    out_dir: str | Path | None = None,
    *,
    trackers: str | Path | None = None,
    seed: int = 2020,
    scale: float = 1.0,
    progress: bool = True,
    jobs: int | None = None,
) -> PipelineResult:
    """Run the whole pipeline on the fictitious demo trackers.

    Steps: make sure ``data/raw/demo`` holds the demo trackers of ``seed`` and
    ``scale`` (generated when it does not, see :func:`pacte_analysis.demo.ensure_demo`),
    import them (validation report), write the tables, then draw the national maps
    (commune, département, région) as PNG/SVG/PDF/HTML, every chart and the
    follow-up of the mandate. The maps and charts are independent tasks, shared
    between ``jobs`` processes (this one and ``jobs - 1`` fresh ones, longest task
    first); the files are the same, byte for byte, whatever the number of processes.

    Parameters
    ----------
    out_dir : str or Path, optional
        Defaults to ``data/processed/demo``. Its previous content is replaced: it
        must be new, empty or an earlier demo output (with ``DONNEES-FICTIVES.txt``),
        and may not hold or lie inside the demo trackers.
    trackers : str or Path, optional
        Folder of demo trackers to import as they are. By default the bundled
        ``data/raw/demo``, checked against the generator's stamp and regenerated
        (byte for byte identical) only when it is not what ``seed`` and ``scale`` give.
    seed : int, default 2020
        Seed of the demo generator.
    scale : float, default 1.0
        Size of the demo set (1.0 ≈ the 2020 campaign; smaller for quick runs).
    progress : bool, default True
        Show progress bars on standard error.
    jobs : int, optional
        Processes to draw with (see :func:`demo_jobs`: by default the usable
        processors, at most 3; ``PACTE_DEMO_JOBS`` overrides it). ``1``: everything
        in this process, one task after the other.

    Returns
    -------
    PipelineResult

    Raises
    ------
    pacte_analysis._files.OutputError
        ``out_dir`` cannot be used (French message), before anything is written; or a
        file cannot be written (the French message of the task that failed, whichever
        process ran it).
    """
    from pacte_analysis import demo
    from pacte_analysis.ingest import ingest, write_tables

    start, cpu = time.perf_counter(), time.process_time()
    out = Path(out_dir) if out_dir is not None else processed_dir() / "demo"
    raw = Path(trackers) if trackers is not None else raw_dir() / "demo"
    _check_demo_out(out, raw)
    tasks = _demo_tasks()
    n_jobs = min(demo_jobs(jobs), len(tasks))
    steps = tqdm(total=3 + len(tasks), desc="Démonstration", unit="étape", disable=not progress)

    def done(name: str) -> None:
        steps.set_postfix_str(name)
        steps.update()

    # Started first: the workers' own start-up overlaps the import below.
    with _Workers(n_jobs - 1) as workers:
        steps.set_postfix_str("suivis fictifs")
        if trackers is None or not raw.exists():
            # Deterministic: the bundled files are kept when they are already the
            # generator's output (checked against its stamp), regenerated otherwise.
            demo.ensure_demo(raw, seed=seed, scale=scale)
        steps.update()

        steps.set_postfix_str("import et validation")
        # Report files relative to the working folder when possible (no machine paths).
        try:
            given = raw.resolve().relative_to(Path.cwd().resolve())
        except ValueError:
            given = raw
        result = ingest([given], progress=progress)
        if out.exists():
            shutil.rmtree(out)
        make_dirs(out)
        steps.update()
        lists, commitments = result.lists, result.commitments
        figures: dict[str, float] = {}

        logger.info(
            "suivis et import : %.1f s (%.1f s de calcul)",
            time.perf_counter() - start,
            time.process_time() - cpu,
        )

        def tables_and_indicators() -> list[Path]:
            started = time.process_time()
            # The demo marker is part of the set: tables and « fictitious » mark together.
            files = list(write_tables(result, out, demo=True, source=DEMO_SOURCE))
            report = out / "rapport-validation.txt"
            with atomic_write(report, "w") as fh:
                fh.write(result.report())
            files.append(report)
            files += _indicators(lists, commitments, out, figures)
            figures["rejected_rows"] = float(result.reconciliation.rejected_rows)
            logger.info("tables et indicateurs : %.1f s de calcul", time.process_time() - started)
            done("tables et indicateurs")
            return files

        inputs = _DemoInputs(lists, commitments, out)
        local = [task for task in tasks if task.local]

        def own() -> list[Path]:
            files = tables_and_indicators()
            for task in local:
                files += task.run(inputs)
                done(task.name)
            return files

        shared = [task for task in tasks if not task.local]
        if n_jobs > 1:
            files = workers.run(inputs, shared, own, done)
        else:
            files = own()
            for task in shared:
                files += task.run(inputs)
                done(task.name)
    steps.close()
    return PipelineResult(
        out_dir=out,
        files=sorted(files),
        figures=figures,
        report=result.report(details=False),
        seconds=time.perf_counter() - start,
    )


def _indicators(
    lists: pd.DataFrame, commitments: pd.DataFrame, out: Path, figures: dict[str, float]
) -> list[Path]:
    """Key national figures (into ``figures``) and the tables of ``indicateurs/``."""
    communes = reference.communes(resolution="web").drop(columns="geometry")
    figures.update(_national_figures(lists, commitments, communes))
    files = []
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
    return files
