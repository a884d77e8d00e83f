"""The import engine: files → sheets → entries → resolved, deduplicated lists → tables."""

from __future__ import annotations

import contextlib
import functools
import gc
import hashlib
import logging
import sys
import time
from collections import defaultdict
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from operator import itemgetter
from pathlib import Path
from typing import Any, Protocol

import numpy as np
import pandas as pd
import pyarrow as pa

from pacte_analysis._text import CIVILITIES, column_index, norm, person_key
from pacte_analysis.editions import DEFAULT_EDITION, Edition, read_edition
from pacte_analysis.ingest._block import BlockColumns, BlockCommitments, CommitmentBlock
from pacte_analysis.ingest._headers import HEADER_SCAN_ROWS
from pacte_analysis.ingest._prefetch import FileReads, started_for
from pacte_analysis.ingest._readers import read_file, scan_paths
from pacte_analysis.ingest._safety import FileProblem
from pacte_analysis.ingest._sheet_base import Commitment, ValueReader
from pacte_analysis.ingest._sheets import Entry, Reject, SheetOutcome, read_sheet
from pacte_analysis.tables import build_table, check_table

__all__ = ["FileSummary", "IngestResult", "Reconciliation", "SheetSummary", "ingest"]

logger = logging.getLogger(__name__)

_CIVILITIES = CIVILITIES


class ResolverLike(Protocol):
    """What :func:`ingest` needs from a commune resolver."""

    def resolve(
        self,
        name: Any = None,
        code: Any = None,
        postal_code: Any = None,
        departement: Any = None,
    ) -> Any:
        """Return an object with ``code``, ``name``, ``departement_code``, ``reason``,
        ``message`` and ``candidates``."""


class IngestSetupError(RuntimeError):
    """The import cannot start (no reference data, unknown edition); French message."""


@dataclass
class SheetSummary:
    """Per-sheet figures for the report."""

    source_file: str
    source_sheet: str
    layout: str | None = None
    header_row: int | None = None
    rows_read: int = 0
    lists: int = 0
    rejected_rows: int = 0
    notes: list[str] = field(default_factory=list)
    #: Data rows of the lists imported (more than ``lists`` in a long layout).
    rows_imported: int = 0
    #: What a « row » is in this sheet's layout.
    row_unit: str = "une ligne = une liste"


@dataclass
class FileSummary:
    """Per-file figures for the report."""

    source_file: str
    kind: str = ""
    sheets: list[SheetSummary] = field(default_factory=list)
    problem: Reject | None = None
    notes: list[str] = field(default_factory=list)

    @property
    def rows_read(self) -> int:
        """Entries read in this file (a long-layout list counts once)."""
        return sum(s.rows_read for s in self.sheets)

    @property
    def lists(self) -> int:
        """Lists imported from this file."""
        return sum(s.lists for s in self.sheets)

    @property
    def rejected_rows(self) -> int:
        """Data rows of this file that produced no list."""
        return sum(s.rejected_rows for s in self.sheets)

    @property
    def rows_imported(self) -> int:
        """Data rows of this file that became (part of) a list."""
        return sum(s.rows_imported for s in self.sheets)


@dataclass(frozen=True)
class Reconciliation:
    """Rows read = rows imported + rejected rows (over all files).

    A "row" is one data row below the header, in every layout: one list in a wide
    or compact sheet, one measure of a list in a long sheet (so a long list of 12
    rows counts 12), one list column in a transposed sheet. Title, header and
    repeated-header rows are not rows; summary and note rows are rows, rejected.
    Rows of a sheet without a header count as read and rejected. Files that could
    not be opened at all are counted in ``unreadable_files`` (their rows are unknown).
    """

    rows_read: int
    lists: int
    rejected_rows: int
    unreadable_files: int = 0
    rows_imported: int | None = None

    @property
    def imported(self) -> int:
        """Rows that became (part of) a list."""
        return self.lists if self.rows_imported is None else self.rows_imported

    @property
    def balanced(self) -> bool:
        """Whether every row read is accounted for."""
        return self.rows_read == self.imported + self.rejected_rows

    def line(self) -> str:
        """The French reconciliation line that ends the report."""
        if self.imported == self.lists:
            return (
                f"Lignes lues : {self.rows_read} = listes importées : {self.lists} "
                f"+ lignes rejetées : {self.rejected_rows}"
            )
        return (
            f"Lignes lues : {self.rows_read} = lignes importées : {self.imported} "
            f"(dans {self.lists} listes) + lignes rejetées : {self.rejected_rows}"
        )


@dataclass
class IngestResult:
    """Outcome of :func:`ingest`.

    Attributes
    ----------
    lists, commitments, rejects : pandas.DataFrame
        The canonical tables (see the table contract in ``docs/contract.md``).
    edition : Edition
    files : list of FileSummary
    reconciliation : Reconciliation
    skipped_files : list of str
        Paths found in folders and not read.
    skipped_reasons : list of (str, str)
        The same paths, each with why it was not read (French).
    elapsed : float
        Seconds spent.
    """

    lists: pd.DataFrame
    commitments: pd.DataFrame = field(init=False, repr=False)
    rejects: pd.DataFrame
    edition: Edition
    files: list[FileSummary]
    reconciliation: Reconciliation
    skipped_files: list[str] = field(default_factory=list)
    elapsed: float = 0.0
    skipped_reasons: list[tuple[str, str]] = field(default_factory=list)
    #: the commitments table, or what builds it on first use (:attr:`commitments`)
    commitments_source: pd.DataFrame | Callable[[], pd.DataFrame] = field(
        default_factory=pd.DataFrame, repr=False
    )

    def __getattr__(self, name: str) -> Any:
        # ``commitments`` (hundreds of thousands of rows for a large tracker) is built
        # when first read: ``pacte validate`` reports without it
        if name == "commitments":
            source = self.__dict__.get("commitments_source")
            table = source() if callable(source) else source
            self.__dict__["commitments"] = self.__dict__["commitments_source"] = table
            return table
        raise AttributeError(name)

    def __getstate__(self) -> dict[str, Any]:
        self.commitments  # noqa: B018 - built before pickling (its builder is a closure)
        return self.__dict__

    def report(self, *, details: bool = True, max_problems: int | None = None) -> str:
        """French report: per file and sheet, figures and problems; ends with the reconciliation.

        Parameters
        ----------
        details : bool, default True
            List each problem (file, sheet, row, column, raw value).
        max_problems : int, optional
            At most this many problems listed per file (all by default).
        """
        from pacte_analysis.ingest._report import render_report

        return render_report(self, details=details, max_problems=max_problems)

    def __repr__(self) -> str:
        r = self.reconciliation
        return (
            f"<IngestResult {self.edition.name}: {len(self.files)} fichier(s), "
            f"{r.lists} listes, {len(self.rejects)} rejets>"
        )


# ---------------------------------------------------------------- mayors / RNE
class _MayorIndex:
    """Mayors of each commune, for matching a list head (accent/case/order-insensitive).

    A head is the mayor when it holds the mayor's family name and either nothing
    else (« Dupont » alone: taken as the mayor), or the mayor's first names, or
    their initials (« J. Dupont »); civilities are left out. Another first name
    is another person, also when the RNE gives no first name.
    """

    def __init__(self, mayors: pd.DataFrame) -> None:
        keyed = "last_key" in mayors  # the reference cache's index: names already normalised
        self._key = str if keyed else norm
        self._last: list[str] = (
            mayors["last_key" if keyed else "last_name"].fillna("").astype(str).tolist()
        )
        self._first: list[str] = (
            mayors["first_key" if keyed else "first_name"].fillna("").astype(str).tolist()
        )
        #: rows of each commune's mayors; their name tokens are made when first asked for
        self._rows: dict[str, list[int]] = defaultdict(list)
        for i, code in enumerate(mayors["commune_code"].astype(str).tolist()):
            self._rows[code].append(i)
        self._people: dict[str, list[tuple[frozenset[str], frozenset[str]]]] = {}

    def _mayors_of(self, code: str) -> list[tuple[frozenset[str], frozenset[str]]]:
        """Family-name and first-name tokens of each mayor of commune ``code``."""
        people = self._people.get(code)
        if people is None:
            key = self._key
            people = self._people[code] = [
                (frozenset(key(self._last[i]).split()), frozenset(key(self._first[i]).split()))
                for i in self._rows.get(code, ())
            ]
        return people

    def knows(self, code: str) -> bool:
        return code in self._rows

    def is_mayor(self, code: str, head: str) -> bool:
        tokens = set(norm(head).split()) - _CIVILITIES
        if not tokens:
            return False
        for last, first in self._mayors_of(code):
            if not last or not last <= tokens:
                continue
            rest = tokens - last
            if not rest:
                return True  # the family name alone: taken as the mayor (documented)
            if not first:
                continue  # no first name in the RNE: another first name is another person
            initials = {name[0] for name in first}
            if first <= tokens or all(len(t) == 1 and t in initials for t in rest):
                return True
        return False


def _default_mayors(vintage: int = 2020) -> pd.DataFrame | None:
    try:
        from pacte_analysis.reference._layers import mayor_index

        return mayor_index(vintage=vintage)
    except Exception as exc:
        logger.warning("Maires %s (RNE) indisponibles, « élue » non déduite : %s", vintage, exc)
        return None


# The last mayor index built, with the frame it was built from (``None``: the
# default mayors), so that repeated imports in one process build it once.
_MAYOR_INDEX_CACHE: list[tuple[pd.DataFrame | None, int, _MayorIndex]] = []


def _cached_mayor_index(mayors: pd.DataFrame | None, vintage: int = 2020) -> _MayorIndex | None:
    """The mayor index of ``mayors`` (the vintage's mayors when ``None``), built once."""
    for frame, year, index in _MAYOR_INDEX_CACHE:
        if frame is mayors and year == vintage:
            return index
    frame = mayors if mayors is not None else _default_mayors(vintage)
    if frame is None:
        return None
    index = _MayorIndex(frame)
    _MAYOR_INDEX_CACHE[:] = [(mayors, vintage, index)]
    return index


def _default_resolver(vintage: int = 2020) -> ResolverLike:
    try:
        from pacte_analysis.reference import _resolver

        # built once per process (the resolver is read-only once built)
        return _resolver._default_resolver(vintage)
    except Exception as exc:
        option = "" if vintage == 2020 else f" --vintage {vintage}"
        raise IngestSetupError(
            f"Données de référence (géographie {vintage}) indisponibles : lancez d'abord "
            f"« pacte reference build{option} ». Détail : {exc}"
        ) from exc


# ---------------------------------------------------------------- the engine
def ingest(
    paths: str | Path | Iterable[str | Path],
    edition: str | Path | Edition = DEFAULT_EDITION,
    resolver: ResolverLike | None = None,
    *,
    mayors: pd.DataFrame | None = None,
    progress: bool = False,
) -> IngestResult:
    """Import groups' trackers into the canonical tables.

    Parameters
    ----------
    paths : path or iterable of paths
        Files (``.xlsx``, ``.ods``, ``.xls``, ``.csv``, ``.txt``) and folders (read
        recursively). The order does not matter: files are read sorted by name.
    edition : str, path or Edition, default "pacte-2020"
        Measure catalogue (see :func:`pacte_analysis.read_edition`). Its election
        year and geography vintage decide the communes trackers resolve against and
        the mayors elected lists are matched with.
    resolver : object with a ``resolve(name, code, postal_code, departement)`` method, optional
        Commune resolver; defaults to :class:`pacte_analysis.reference.CommuneResolver`.
    mayors : pandas.DataFrame, optional
        Mayors (``commune_code``, ``last_name``, ``first_name``) used when a
        tracker does not say whether a list won; defaults to
        :func:`pacte_analysis.reference.mayors` (skipped with a warning if absent).
    progress : bool, default False
        Show a progress bar (tqdm, on stderr) over the files.

    Returns
    -------
    IngestResult
        ``.lists``, ``.commitments``, ``.rejects`` and ``.report()``.

    Raises
    ------
    IngestSetupError
        No resolver could be built (reference data missing).
    pacte_analysis.editions.EditionError
        Unknown edition.

    Examples
    --------
    >>> res = ingest("data/raw/trackers/")  # doctest: +SKIP
    >>> print(res.report())  # doctest: +SKIP
    """
    with _collector_paused():
        return _ingest(paths, edition, resolver, mayors=mayors, progress=progress)


@contextlib.contextmanager
def _collector_paused() -> Iterator[None]:
    """Pause Python's cyclic garbage collector while the import runs.

    An import allocates millions of small objects that live until its end (cells,
    entries, commitments) and makes almost no reference cycles: the collector's
    repeated full passes over them cost a fifth of a large import, for nothing.
    Reference counting still frees everything as usual; the collector resumes
    (if it was running) when the import ends, also on error.
    """
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


def _ingest(
    paths: str | Path | Iterable[str | Path],
    edition: str | Path | Edition,
    resolver: ResolverLike | None,
    *,
    mayors: pd.DataFrame | None,
    progress: bool,
) -> IngestResult:
    started = time.perf_counter()
    ed = read_edition(edition)
    if isinstance(paths, str | Path):
        paths = [paths]
    files, skipped_with_reasons, missing = scan_paths(paths)
    skipped = [path for path, _ in skipped_with_reasons]
    # the first file is parsed (GIL released) while the resolver is built
    with contextlib.closing(started_for([path for path, _ in files], read_file)) as reads:
        if resolver is None:
            resolver = _default_resolver(ed.vintage)
        summaries, file_rejects, entries, sheet_of, column_rejects = _read_files(
            files, missing, ed, resolver, progress=progress, reads=reads
        )
    lists_entries, entry_rejects = _resolve_and_dedupe(entries, ed, resolver)
    mayor_index = _mayor_index(lists_entries, mayors, ed.vintage)
    accepted_keys: dict[tuple[str, str], int] = defaultdict(int)
    accepted_rows: dict[tuple[str, str], int] = defaultdict(int)
    for entry, _ in lists_entries:
        accepted_keys[(entry.source_file, entry.source_sheet)] += 1
        accepted_rows[(entry.source_file, entry.source_sheet)] += entry.rows
    for key, summary_sheet in sheet_of.items():
        summary_sheet.lists = accepted_keys.get(key, 0)
        summary_sheet.rows_imported = accepted_rows.get(key, 0)
        summary_sheet.rejected_rows = summary_sheet.rows_read - summary_sheet.rows_imported
    all_rejects = file_rejects + column_rejects + entry_rejects
    tables = _build_tables(lists_entries, all_rejects, ed, mayor_index, summaries)
    rows_read = sum(f.rows_read for f in summaries)
    n_lists = sum(f.lists for f in summaries)
    rejected_rows = sum(f.rejected_rows for f in summaries)
    unreadable = sum(1 for f in summaries if f.problem is not None and not f.sheets)
    rows_imported = sum(f.rows_imported for f in summaries)
    reconciliation = Reconciliation(rows_read, n_lists, rejected_rows, unreadable, rows_imported)
    if not reconciliation.balanced:  # pragma: no cover - an invariant, tested
        raise AssertionError(f"réconciliation impossible : {reconciliation.line()}")
    return IngestResult(
        lists=tables[0],
        commitments_source=tables[1],
        rejects=tables[2],
        edition=ed,
        files=summaries,
        reconciliation=reconciliation,
        skipped_files=skipped,
        skipped_reasons=skipped_with_reasons,
        elapsed=time.perf_counter() - started,
    )


def _file_message(code: str, message: str) -> str:
    """« Fichier illisible : … » once, whatever the reader's message starts with."""
    prefix = "Fichier illisible" if code == "UNREADABLE_FILE" else "Fichier refusé"
    text = message.strip()
    for known in ("fichier illisible", "fichier refusé", "fichier refuse"):
        while text.lower().startswith(known):
            text = text[len(known) :].lstrip(" :—-")
    return f"{prefix} : {text}"


def _read_files(
    files: Sequence[tuple[Path, str]],
    missing: Sequence[str],
    ed: Edition,
    resolver: ResolverLike,
    *,
    progress: bool = False,
    values: ValueReader | None = None,
    reads: FileReads | None = None,
) -> tuple[
    list[FileSummary],
    list[Reject],
    list[Entry],
    dict[tuple[str, str], SheetSummary],
    list[Reject],
]:
    """Read every file and sheet into entries and rejects (shared by every import).

    ``reads``: the files' reads if already started (see :mod:`._prefetch`).
    """
    summaries: list[FileSummary] = []
    file_rejects: list[Reject] = []
    entries: list[Entry] = []
    sheet_of: dict[tuple[str, str], SheetSummary] = {}
    column_rejects: list[Reject] = []
    for name in missing:
        problem = Reject(name, "", None, None, "UNREADABLE_FILE", "Fichier ou dossier introuvable.")
        summaries.append(FileSummary(name, problem=problem))
        file_rejects.append(problem)
    iterator: Iterable[tuple[Path, str]] = files
    if progress and len(files) > 1:
        from tqdm import tqdm

        iterator = tqdm(files, desc="Lecture", unit="fichier", file=sys.stderr, leave=False)
    # the next file is parsed in a background thread while this one's sheets are read
    if reads is None:
        reads = started_for([path for path, _ in files], read_file)
    with contextlib.closing(reads):
        for i, (_, display) in enumerate(iterator):
            summary = FileSummary(display)
            summaries.append(summary)
            try:
                data = reads.get(i)
            except FileProblem as exc:
                summary.problem = Reject(
                    display,
                    "",
                    None,
                    None,
                    exc.code,
                    _file_message(exc.code, exc.message),
                )
                file_rejects.append(summary.problem)
                continue
            summary.kind = data.kind
            summary.notes.extend(data.notes)
            for sheet in data.sheets:
                for cell in getattr(sheet, "cell_rejects", ()):
                    column_rejects.append(
                        Reject(
                            display,
                            sheet.name,
                            cell.row,
                            cell.column,
                            cell.code,
                            cell.message,
                            cell.raw or None,
                        )
                    )
            outcomes = [
                read_sheet(sheet, ed, display, resolver, values=values) for sheet in data.sheets
            ]
            any_header = any(o.has_header for o in outcomes)
            for sheet, outcome in zip(data.sheets, outcomes, strict=True):
                sheet_summary = SheetSummary(
                    display, sheet.name, outcome.layout, outcome.header_row
                )
                sheet_summary.row_unit = outcome.row_unit
                sheet_summary.notes.extend(outcome.notes)
                if sheet.hidden:
                    sheet_summary.notes.append("feuille masquée")
                if outcome.has_header:
                    summary.sheets.append(sheet_summary)
                    sheet_of[(display, sheet.name)] = sheet_summary
                    sheet_summary.rows_read = (
                        sum(e.rows for e in outcome.entries) + outcome.skipped_rows
                    )
                    entries.extend(outcome.entries)
                    column_rejects.extend(outcome.rejects)
                    continue
                if outcome.is_instructions and not (outcome.looks_tabular and not any_header):
                    if outcome.is_summary_sheet and outcome.looks_tabular:
                        column_rejects.append(
                            Reject(
                                display,
                                sheet.name,
                                None,
                                None,
                                "SUMMARY_ROW",
                                f"Feuille « {sheet.name} » : tableau de synthèse "
                                f"({outcome.non_empty_rows} lignes : totaux, moyennes…), pas un suivi "
                                "de listes ; ses lignes ne sont pas importées.",
                            )
                        )
                    kind = "synthèse" if outcome.is_summary_sheet else "notice"
                    summary.notes.append(
                        f"feuille « {sheet.name} » : {kind}, pas un tableau de suivi"
                    )
                    continue
                if (outcome.looks_tabular and not sheet.hidden) or (
                    not any_header and outcome.non_empty_rows and not sheet.hidden
                ):
                    sheet_summary.rows_read = sheet_summary.rejected_rows = outcome.non_empty_rows
                    summary.sheets.append(sheet_summary)
                    column_rejects.append(_no_header(display, sheet.name, outcome, ed))
                elif outcome.non_empty_rows:
                    sheet_summary.notes.append("sans tableau de suivi : ignorée")
                    summary.notes.append(
                        f"feuille « {sheet.name} » ignorée (pas de tableau de suivi"
                        + (", masquée)" if sheet.hidden else ")")
                    )
            if not any_header and not any(s.rejected_rows for s in summary.sheets):
                summary.problem = _no_header(display, "", None, ed)
                file_rejects.append(summary.problem)

    return summaries, file_rejects, entries, sheet_of, column_rejects


def _no_header(file: str, sheet: str, outcome: SheetOutcome | None, edition: Edition) -> Reject:
    where = f"la feuille « {sheet} »" if sheet else "aucune feuille"
    rows = f" ({outcome.non_empty_rows} lignes non vides non importées)" if outcome else ""
    return Reject(
        file,
        sheet,
        None,
        None,
        "NO_HEADER",
        f"En-tête introuvable dans {where}{rows} : il faut, dans les "
        f"{HEADER_SCAN_ROWS} premières lignes, une ligne d'en-tête nommant la commune (« Commune », "
        "« Code INSEE » ou « Code postal ») et les engagements (« Mesure 1 »… ou "
        f"« Mesures », « Principe A »…). Le modèle « pacte template » en donne un exemple.",
    )


def _resolve_and_dedupe(
    entries: list[Entry], edition: Edition, resolver: ResolverLike
) -> tuple[list[tuple[Entry, Any]], list[Reject]]:
    """Resolve communes (once per distinct input), then find duplicates and conflicts."""
    cache: dict[tuple[str | None, ...], Any] = {}
    rejects: list[Reject] = []
    resolved: list[tuple[Entry, Any]] = []
    for entry in entries:
        rejects.extend(entry.rejects)
        key = entry.commune
        result = cache.get(key)
        if result is None:
            name, code, postal, dep = key
            result = cache[key] = resolver.resolve(
                name=name, code=code, postal_code=postal, departement=dep
            )
        if getattr(result, "code", None) is None:
            reason = getattr(result, "reason", None) or "UNKNOWN_COMMUNE"
            message = getattr(result, "message", "") or "Commune non reconnue."
            candidates = list(getattr(result, "candidates", ()) or ())
            if candidates and not getattr(result, "message", ""):
                shown = ", ".join(str(c) for c in candidates[:5])
                message = f"{message} Communes possibles : {shown}."
            if entry.commune_from_row is not None:
                message = (
                    f"{message} (Cellule de commune vide : commune reprise de la ligne "
                    f"{entry.commune_from_row} au-dessus.)"
                )
            name, code, postal, dep = key
            if dep and not (name or code or postal):
                # only a département: maybe the communes' column, read as the département's
                message = (
                    f"{message} Seul le département est indiqué (« {dep} ») : si cette "
                    "colonne contient en fait les communes, nommez son en-tête « Commune »."
                )
            rejects.extend(_entry_rejects(entry, reason, message, entry.commune_raw or None))
            continue
        note = getattr(result, "message", "") or ""
        if note:
            # resolved, but read as another name (commune associée, start of a name,
            # electoral sector): the group sees it on the row
            rejects.append(
                Reject(
                    entry.source_file,
                    entry.source_sheet,
                    entry.source_row,
                    entry.source_column,
                    "COMMUNE_READ_AS",
                    note,
                    entry.commune_raw or None,
                )
            )
        resolved.append((entry, result))
    accepted: list[tuple[Entry, Any]] = []
    for members in _same_lists(resolved):
        if len(members) == 1:
            accepted.append(members[0])
            continue
        signatures = {_signature(e) for e, _ in members}
        first = members[0][0]
        if len(signatures) == 1:
            accepted.append(members[0])
            for entry, _ in members[1:]:
                rejects.extend(
                    _entry_rejects(
                        entry,
                        "DUPLICATE_LIST",
                        f"Liste déjà importée, à l'identique, depuis {_where(first)} : "
                        "cette ligne est ignorée.",
                        _describe(entry),
                    )
                )
            continue
        for entry, _ in members:
            others = "; ".join(_where(e) for e, _ in members if e is not entry)
            rejects.extend(
                _entry_rejects(
                    entry,
                    "CONFLICTING_LIST",
                    f"La même liste figure aussi dans {others} avec des engagements "
                    "différents : aucune version n'est importée, corrigez l'une des sources.",
                    _describe(entry),
                )
            )
    order = {id(entry): i for i, entry in enumerate(entries)}
    accepted.sort(key=lambda pair: order[id(pair[0])])
    return accepted, rejects


def _entry_rejects(entry: Entry, code: str, message: str, raw: str | None) -> list[Reject]:
    """The rejects of a list that is not imported: on its row, and on each other row it
    spans in a long layout (so that every data row carries its reject)."""
    first = Reject(
        entry.source_file,
        entry.source_sheet,
        entry.source_row,
        entry.source_column,
        code,
        message,
        raw,
    )
    out = [first]
    for row in entry.row_numbers[1:]:
        out.append(
            Reject(
                entry.source_file,
                entry.source_sheet,
                row,
                None,
                code,
                f"Ligne de la liste commencée ligne {entry.source_row}, non importée : {message}",
                raw,
            )
        )
    return out


def _same(a: Entry, b: Entry) -> bool:
    """Whether two entries of one commune are the same list.

    Same head (civility, case, accents and word order aside); else, when a head
    is missing on one side, the same list name; two entries naming neither are the
    same (a source listing councils: Lille, Lomme and Hellemmes are one commune).
    """
    if a.list_head and b.list_head:
        return person_key(a.list_head) == person_key(b.list_head)
    if a.list_name and b.list_name:
        return norm(a.list_name) == norm(b.list_name)
    return not (a.list_head or b.list_head or a.list_name or b.list_name)


def _same_lists(resolved: list[tuple[Entry, Any]]) -> list[list[tuple[Entry, Any]]]:
    """Group the entries that are the same list (same commune or arrondissement)."""
    buckets: dict[tuple[str, str], list[int]] = defaultdict(list)
    for i, (_, result) in enumerate(resolved):
        arrondissement = (
            getattr(result, "arrondissement_code", None) or getattr(result, "sector", None) or ""
        )
        buckets[(result.code, arrondissement)].append(i)
    parent = list(range(len(resolved)))

    def find(i: int) -> int:
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    for members in buckets.values():
        if len(members) < 2:
            continue
        if len(members) > 400:  # a huge commune bucket: link by keys only
            seen: dict[str, int] = {}
            for i in members:
                key = _identity(resolved[i][0])
                if key in seen:
                    parent[find(i)] = find(seen[key])
                else:
                    seen[key] = i
            continue
        for x, i in enumerate(members):
            for j in members[x + 1 :]:
                if _same(resolved[i][0], resolved[j][0]):
                    parent[find(j)] = find(i)
    groups: dict[int, list[tuple[Entry, Any]]] = {}
    for i, pair in enumerate(resolved):
        groups.setdefault(find(i), []).append(pair)
    return list(groups.values())


def _identity(entry: Entry) -> str:
    key = entry.identity_key
    if key is None:
        if entry.list_head:
            key = "tete:" + person_key(entry.list_head)
        elif entry.list_name:
            key = "liste:" + norm(entry.list_name)
        else:
            key = "commune"
        entry.identity_key = key
    return key


def _signature(entry: Entry) -> tuple[Any, ...]:
    committed = frozenset((m, c[1]) for m, c in entry.commitments.items() if c[0])
    return (frozenset(entry.principles), committed, entry.signed, entry.n_declared)


def _where(entry: Entry) -> str:
    sheet = f", feuille « {entry.source_sheet} »" if entry.source_sheet else ""
    return f"{entry.source_file}{sheet}, ligne {entry.source_row}"


def _describe(entry: Entry) -> str:
    parts = [entry.commune_raw, entry.list_name or "", entry.list_head or ""]
    return " / ".join(p for p in parts if p)


def _mayor_index(
    accepted: list[tuple[Entry, Any]], mayors: pd.DataFrame | None, vintage: int = 2020
) -> _MayorIndex | None:
    needed = any(e.elected is None and e.list_head for e, _ in accepted)
    if not needed:
        return None
    return _cached_mayor_index(mayors, vintage)


def _list_id(edition: str, code: str, entry: Entry, arrondissement: str = "") -> str:
    where = f"{code}/{arrondissement}" if arrondissement else code
    digest = hashlib.sha1(f"{edition}|{where}|{_identity(entry)}".encode(), usedforsecurity=False)
    return digest.hexdigest()[:16]


def _signatory(
    entry: Entry,
    edition: Edition,
    principles: str,
    n_committed: int,
    rule: Callable[[str, int], bool] | None = None,
) -> tuple[bool, str, Reject | None]:
    """Signatory status, its source (``tracker`` or ``rule``) and a disagreement, if any.

    ``rule`` is the edition's :meth:`~pacte_analysis.editions.Edition.is_signatory`
    (or a memo of it).
    """
    rule = rule or edition.is_signatory
    has_count = bool(entry.commitments) or entry.has_detail or entry.n_declared is not None
    count = n_committed if (entry.commitments or entry.has_detail) else (entry.n_declared or 0)
    if entry.n_declared is not None and not any(c[0] for c in entry.commitments.values()):
        count = entry.n_declared
    # a tracker that transcribes no principle at all: the rule weighs the measures only
    # (the sheet's report says so)
    by_rule = rule(principles, count) if entry.principles_known else count >= edition.min_measures
    if entry.signed is None:
        return by_rule, "rule", None
    mismatch = None
    if has_count and by_rule != entry.signed:
        missing = "".join(ch for ch in edition.principle_letters if ch not in principles)
        missing = missing if entry.principles_known else ""
        detail = f"{count} mesure(s)" + (f", principe(s) {missing} manquant(s)" if missing else "")
        said = "signé" if entry.signed else "pas signé"
        mismatch = Reject(
            entry.source_file,
            entry.source_sheet,
            entry.source_row,
            entry.source_column,
            "SIGNATORY_MISMATCH",
            f"Le suivi dit « {said} » mais la règle de l'édition {edition.name} (tous les "
            f"principes et au moins {edition.min_measures} mesures) donne "
            f"{'signataire' if by_rule else 'non signataire'} ({detail}) : la parole du suivi "
            "est gardée (signatory_source = tracker) ; vérifiez la ligne.",
            _describe(entry),
        )
    return entry.signed, "tracker", mismatch


def _levels(level_of: Sequence[Any]) -> tuple[np.ndarray, np.ndarray]:
    """The levels (0 where none is given) and whether each is given."""
    try:
        levels = pa.array(level_of, type=pa.int64())
    except (pa.ArrowInvalid, pa.ArrowTypeError):  # not plain ints: one by one
        given = np.array([lv is not None for lv in level_of], dtype=bool)
        values = np.array([lv if lv is not None else 0 for lv in level_of], dtype=np.float64)
        return values, given
    given = ~levels.is_null().to_numpy(zero_copy_only=False)
    return levels.fill_null(0).to_numpy(zero_copy_only=False), given


class _DictSegment:
    """Consecutive accepted lists whose commitments are dictionaries."""

    def __init__(self) -> None:
        self.items: list[Mapping[int, Commitment]] = []
        self._cached: tuple[list[int], list[Commitment], list[int]] = ([], [], [])
        self._level_of: list[Any] = []

    def _values(self) -> tuple[list[int], list[Commitment], list[int]]:
        measures: list[int] = []
        values: list[Commitment] = []
        counts: list[int] = []
        for items in self.items:
            counts.append(len(items))
            numbers = sorted(items)
            measures.extend(numbers)
            values.extend(map(items.__getitem__, numbers))
        self._cached = (measures, values, counts)
        return self._cached

    def columns(self) -> BlockColumns:
        measures, values, counts = self._values()
        # one field of the commitment tuples at a time (itemgetter in C, no per-item frame)
        committed = np.array(list(map(itemgetter(0), values)), dtype=bool)
        self._level_of = list(map(itemgetter(1), values))
        levels, given = _levels(self._level_of)
        return measures, committed, levels, given, counts

    def levels(self) -> list[Any]:
        return self._level_of  # after columns()

    def details(self) -> tuple[list[Any], list[Any], list[Any]]:
        _, values, _ = self._cached  # after columns()
        raw, rows, columns = (list(map(itemgetter(k), values)) for k in range(2, 5))
        return raw, rows, columns


class _BlockSegment:
    """Consecutive accepted lists that are rows of one wide sheet's block."""

    def __init__(self, block: CommitmentBlock) -> None:
        self.block = block
        self.indices: list[int] = []

    def columns(self) -> BlockColumns:
        return self.block.columns(self.indices)

    def levels(self) -> list[Any]:
        return self.block.levels(self.indices)

    def details(self) -> tuple[list[Any], list[Any], list[Any]]:
        return self.block.details(self.indices)


def _segments(accepted: list[tuple[Entry, Any]]) -> list[_DictSegment | _BlockSegment]:
    """The accepted lists cut in runs read the same way (block rows, or dictionaries)."""
    segments: list[_DictSegment | _BlockSegment] = []
    for entry, _ in accepted:
        items = entry.commitments
        block = items.block if isinstance(items, BlockCommitments) else None
        last = segments[-1] if segments else None
        if block is not None:
            assert isinstance(items, BlockCommitments)
            if not (isinstance(last, _BlockSegment) and last.block is block):
                last = _BlockSegment(block)
                segments.append(last)
            last.indices.append(items.index)
        else:
            if not isinstance(last, _DictSegment):
                last = _DictSegment()
                segments.append(last)
            last.items.append(items)
    return segments


def _build_tables(
    accepted: list[tuple[Entry, Any]],
    rejects: list[Reject],
    edition: Edition,
    mayor_index: _MayorIndex | None,
    summaries: Sequence[FileSummary],
) -> tuple[pd.DataFrame, Callable[[], pd.DataFrame], pd.DataFrame]:
    """The lists and rejects tables, and what builds the commitments table when asked."""
    letters = edition.principle_letters
    # the commitments of every list, in list order then measure order, as flat
    # columns; per-list figures come from them by column arithmetic
    segments = _segments(accepted)
    measures: list[int] = []
    flags: list[np.ndarray] = []
    values: list[np.ndarray] = []
    givens: list[np.ndarray] = []
    counts: list[int] = []  # commitments per accepted list
    for segment in segments:
        seg_measures, seg_committed, seg_levels, seg_given, seg_counts = segment.columns()
        measures += seg_measures
        flags.append(seg_committed)
        values.append(seg_levels)
        givens.append(seg_given)
        counts += seg_counts
    n_lists = len(accepted)
    positions = np.repeat(np.arange(n_lists), counts)
    committed = np.concatenate(flags) if flags else np.zeros(0, dtype=bool)
    level_values = np.concatenate(values) if values else np.zeros(0, dtype=np.int64)
    has_level = committed & (np.concatenate(givens) if givens else np.zeros(0, dtype=bool))
    n_committed_of = np.bincount(positions, weights=committed, minlength=n_lists)
    level_sum = np.bincount(
        positions, weights=np.where(has_level, level_values, 0), minlength=n_lists
    )
    level_count = np.bincount(positions, weights=has_level, minlength=n_lists)
    rows: list[tuple[Any, ...]] = []  # one per list, in the order of _LIST_COLUMNS
    rule = functools.lru_cache(maxsize=None)(edition.is_signatory)  # few distinct inputs
    for entry, result, n_committed, total, count in zip(
        (e for e, _ in accepted),
        (r for _, r in accepted),
        n_committed_of.astype(np.int64).tolist(),
        level_sum.tolist(),
        level_count.astype(np.int64).tolist(),
        strict=True,
    ):
        code = result.code
        list_id = _list_id(
            edition.name,
            code,
            entry,
            getattr(result, "arrondissement_code", None) or getattr(result, "sector", None) or "",
        )
        principles = "".join(ch for ch in letters if ch in entry.principles)
        elected, source = entry.elected, "tracker" if entry.elected is not None else None
        if (
            elected is None
            and entry.list_head
            and mayor_index is not None
            and mayor_index.knows(code)
        ):
            elected, source = mayor_index.is_mayor(code, entry.list_head), "rne"
        signatory, signatory_source, mismatch = _signatory(
            entry, edition, principles, n_committed, rule
        )
        if mismatch:
            rejects.append(mismatch)
        rows.append(
            (
                list_id,
                edition.name,
                code,
                result.name,
                result.departement_code,
                entry.list_name,
                entry.list_head,
                principles,
                n_committed,
                # the same float as sum(levels) / len(levels): sums of small ints are exact
                total / count if count else None,
                signatory,
                signatory_source,
                entry.n_declared,
                elected,
                source,
                entry.signed_on,
                entry.source_file,
                entry.source_sheet,
                entry.source_row,
            )
        )
    columns = zip(*rows, strict=True) if rows else ([] for _ in _LIST_COLUMNS)
    lists: dict[str, list[Any]] = {
        column: list(values) for column, values in zip(_LIST_COLUMNS, columns, strict=True)
    }

    def commitments_table() -> pd.DataFrame:
        if not len(positions):
            return _checked("commitments", {c: [] for c in _COM_COLUMNS})
        level_of: list[Any] = []
        raw_of: list[Any] = []
        row_of: list[Any] = []
        column_of: list[Any] = []
        for segment in segments:
            level_of += segment.levels()
            seg_raw, seg_rows, seg_columns = segment.details()
            raw_of += seg_raw
            row_of += seg_rows
            column_of += seg_columns
        com: dict[str, Any] = {
            "measure": measures,
            "committed": committed.tolist(),
            "level": level_of,
            "raw_value": raw_of,
            "source_row": row_of,
            "source_column": column_of,
        }
        # per-list columns, repeated once per commitment of the list
        for column in ("list_id", "source_file", "source_sheet"):
            com[column] = pa.array(lists[column], type=pa.large_string()).take(positions)
        com["edition"] = pa.repeat(pa.scalar(edition.name, pa.large_string()), len(positions))
        return _checked("commitments", com)

    file_order = {s.source_file: i for i, s in enumerate(summaries)}

    def reject_key(item: tuple[int, Reject]) -> tuple[Any, ...]:
        seq, rej = item
        column = (
            column_index(rej.source_column)
            if rej.source_column and rej.source_column.isalpha()
            else -1
        )
        return (
            file_order.get(rej.source_file, len(file_order)),
            rej.source_sheet,
            -1 if rej.source_row is None else rej.source_row,
            column,
            seq,
        )

    ordered = [rej for _, rej in sorted(enumerate(rejects), key=reject_key)]
    rej_columns: dict[str, list[Any]] = {
        "source_file": [r.source_file for r in ordered],
        "source_sheet": [r.source_sheet for r in ordered],
        "source_row": [r.source_row for r in ordered],
        "source_column": [r.source_column for r in ordered],
        "code": [r.code for r in ordered],
        "message": [r.message for r in ordered],
        "raw_value": [r.raw_value for r in ordered],
    }
    return (
        _checked("lists", lists if accepted else {c: [] for c in _LIST_COLUMNS}),
        commitments_table,
        _checked("rejects", rej_columns),
    )


def _checked(name: str, columns: Mapping[str, Any]) -> pd.DataFrame:
    """The table ``name`` built from ``columns``, checked against its schema."""
    frame = build_table(name, columns)
    check_table(name, frame)
    return frame


_LIST_COLUMNS = (
    "list_id",
    "edition",
    "commune_code",
    "commune_name",
    "departement_code",
    "list_name",
    "list_head",
    "principles",
    "n_measures",
    "mean_level",
    "signatory",
    "signatory_source",
    "n_measures_declared",
    "elected",
    "elected_source",
    "signed_on",
    "source_file",
    "source_sheet",
    "source_row",
)
_COM_COLUMNS = (
    "list_id",
    "edition",
    "measure",
    "committed",
    "level",
    "raw_value",
    "source_file",
    "source_sheet",
    "source_row",
    "source_column",
)
