"""Follow-up of the mandate: what became of the commitments (« bilan de mandat »).

Groups assessed, measure by measure, what their commune did with the commitments
of its elected team. A follow-up grid is read with the same readers as trackers
(wide, long, transposed…, see ``docs/import.md``); its measure cells hold a status:

===============  ===========================================  =========
status           written as (sample)                          weight
===============  ===========================================  =========
``done``         réalisée, fait, terminée, 100 %               1
``in_progress``  en cours, partiellement réalisée              0.5
``started``      engagée, amorcée, lancée, initiée, prévue     0
``not_started``  non engagée, pas commencée, rien              0
``abandoned``    abandonnée, renoncée, annulée                 0
===============  ===========================================  =========

An empty cell is « not assessed »; any other value is an ``INVALID_VALUE`` reject
on its cell. The score of a commune is ours, and says so (:data:`SCORE_METHOD`):
``10 × (done + 0.5 × in progress) / measures committed by the elected team``, a
committed measure left unassessed counting 0. It is not the method of the June
2023 mid-term review (not published in a machine-readable form).

Examples
--------
>>> parse_status("Réalisée", 3), parse_status("en cours", 3), parse_status("", 3)
((True, 1), (True, 2), (False, None))
"""

from __future__ import annotations

import time
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from pacte_analysis._text import cell_text, norm
from pacte_analysis.editions import DEFAULT_EDITION, Edition, read_edition
from pacte_analysis.ingest._engine import (
    FileSummary,
    ResolverLike,
    _default_resolver,
    _read_files,
    _resolve_and_dedupe,
    _same,
)
from pacte_analysis.ingest._readers import scan_paths
from pacte_analysis.ingest._sheet_base import Entry, Reject, ValueReader

__all__ = [
    "SCORE_METHOD",
    "STATUSES",
    "FollowupResult",
    "followup_scores",
    "followup_summary",
    "parse_status",
    "read_followup",
]


@dataclass(frozen=True)
class Status:
    """One status of a follow-up grid: its code, French label, weight and spellings."""

    key: str
    label: str
    weight: float
    spellings: frozenset[str]


#: The statuses, in order (code = position + 1), with what groups write for each.
STATUSES: tuple[Status, ...] = (
    Status(
        "done",
        "réalisée",
        1.0,
        frozenset(
            {
                "realisee",
                "realise",
                "realisees",
                "fait",
                "faite",
                "faites",
                "termine",
                "terminee",
                "acquis",
                "acquise",
                "atteint",
                "atteinte",
                "tenue",
                "tenu",
                "100",
                "100 %",
                "ok",
                "mise en oeuvre",
                "mis en oeuvre",
                "realisee totalement",
                "totalement realisee",
            }
        ),
    ),
    Status(
        "in_progress",
        "en cours",
        0.5,
        frozenset(
            {
                "en cours",
                "en cours de realisation",
                "en cours de mise en oeuvre",
                "partiellement realisee",
                "partiellement realise",
                "partielle",
                "partiel",
                "en partie",
                "en partie realisee",
                "realisation partielle",
                "avance",
                "avancee",
            }
        ),
    ),
    Status(
        "started",
        "engagée",
        0.0,
        frozenset(
            {
                "engagee",
                "engage",
                "amorcee",
                "amorce",
                "initiee",
                "initie",
                "lancee",
                "lance",
                "demarree",
                "demarre",
                "commencee",
                "commence",
                "en preparation",
                "prevue",
                "prevu",
                "programmee",
                "programme",
                "a l etude",
                "etudiee",
                "en reflexion",
            }
        ),
    ),
    Status(
        "not_started",
        "non engagée",
        0.0,
        frozenset(
            {
                "non engagee",
                "non engage",
                "pas engagee",
                "pas engage",
                "non commencee",
                "pas commencee",
                "non demarree",
                "pas demarree",
                "non realisee",
                "non realise",
                "rien",
                "aucune action",
                "pas d action",
                "neant",
                "non",
                "0",
                "0 %",
                "pas fait",
                "non faite",
                "non fait",
                "nulle",
            }
        ),
    ),
    Status(
        "abandoned",
        "abandonnée",
        0.0,
        frozenset(
            {
                "abandonnee",
                "abandonne",
                "abandon",
                "renoncee",
                "renonce",
                "annulee",
                "annule",
                "retiree",
                "retire",
                "refusee",
                "refuse",
            }
        ),
    ),
)
_BY_SPELLING = {
    spelling: i + 1 for i, status in enumerate(STATUSES) for spelling in status.spellings
}
_ACCEPTED = ", ".join(f"« {s.label} »" for s in STATUSES)

#: How the commune score is computed, written wherever a score is shown.
SCORE_METHOD = (
    "Score sur 10 (méthode pacte_analysis, pas celle du bilan de mi-mandat de 2023) : "
    "10 × (mesures réalisées + 0,5 × mesures en cours) ÷ mesures auxquelles l'équipe élue "
    "s'était engagée ; une mesure engagée non évaluée compte 0 ; sans les engagements de "
    "l'équipe élue, le dénominateur est le nombre de mesures évaluées."
)


class _StatusError(ValueError):
    pass


def parse_status(value: Any, max_level: int = 3) -> tuple[bool, int | None]:
    """Read a follow-up cell: ``(True, status code)``, or ``(False, None)`` when empty.

    Raises
    ------
    pacte_analysis.ingest._values.InvalidValue
        The value is not a known status; the message lists the accepted ones.
    """
    from pacte_analysis.ingest._values import InvalidValue

    text = cell_text(value)
    if not text or text in {"-", "–", "?", "nc", "NC"}:
        return False, None
    key = norm(text).replace(" %", " %")
    code = _BY_SPELLING.get(key) or _BY_SPELLING.get(text.strip().lower())
    if code is None and key.endswith(("e s", " s")):
        code = _BY_SPELLING.get(key.rsplit(" ", 1)[0])
    if code is None:
        raise InvalidValue(
            f"« {text} » n'est pas un état d'avancement ; états acceptés : {_ACCEPTED}."
        )
    return True, code


_VALUES = ValueReader(
    parse=parse_status,
    text_columns=frozenset(
        {
            "commentaire",
            "commentaires",
            "remarque",
            "remarques",
            "observation",
            "observations",
            "precisions",
            "detail",
            "details",
            "note",
            "notes",
        }
    ),
)


@dataclass
class FollowupResult:
    """What :func:`read_followup` read.

    Attributes
    ----------
    statuses : pandas.DataFrame
        One row per commune (and team) × measure assessed: ``commune_code``,
        ``commune_name``, ``departement_code``, ``list_name``, ``list_head``,
        ``measure``, ``status`` (``done``…), ``status_label``, ``comment``,
        ``assessed_on``, ``raw_value``, ``source_file``, ``source_sheet``,
        ``source_row``, ``source_column``.
    rejects : pandas.DataFrame
        Same columns as the import's ``rejects`` table.
    files : list of FileSummary
    """

    statuses: pd.DataFrame
    rejects: pd.DataFrame
    edition: Edition
    files: list[FileSummary] = field(default_factory=list)
    elapsed: float = 0.0

    def relabel(self, old: str, new: str) -> None:
        """Name the files read from ``old`` (a path prefix) as ``new`` in every output."""

        def swap(name: str) -> str:
            return new + name[len(old) :] if name.startswith(old) else name

        for frame in (self.statuses, self.rejects):
            frame["source_file"] = (
                frame["source_file"]
                .map(swap, na_action="ignore")
                .astype(frame["source_file"].dtype)
            )
        for summary in self.files:
            summary.source_file = swap(summary.source_file)
            for sheet in summary.sheets:
                sheet.source_file = swap(sheet.source_file)

    def report(self) -> str:
        """French report: per file and sheet, what was read, then every reject."""
        from pacte_analysis.ingest._report import _problem_line

        lines = [f"Rapport d'import des grilles de suivi — édition {self.edition.name}", ""]
        for summary in self.files:
            lines.append(f"Fichier : {summary.source_file}")
            if summary.problem is not None and not summary.sheets:
                lines.append(f"  {summary.problem.code} — {summary.problem.message}")
                continue
            for sheet in summary.sheets:
                name = f"Feuille « {sheet.source_sheet} »" if sheet.source_sheet else "Tableau"
                lines.append(
                    f"  {name} : {sheet.layout or 'sans en-tête'} — lignes lues : {sheet.rows_read}"
                )
        lines.append("")
        for row in self.rejects.itertuples(index=False):
            lines.append("- " + str(row.source_file) + ", " + _problem_line(row))
        counts = self.statuses["status_label"].value_counts()
        lines.append(
            f"Total : {len(self.statuses)} évaluation(s) de mesure dans "
            f"{self.statuses['commune_code'].nunique()} commune(s) ; "
            + ", ".join(f"{label} : {n}" for label, n in counts.items())
            + f" ; {len(self.rejects)} rejet(s)."
        )
        return "\n".join(lines)


def read_followup(
    paths: str | Path | Iterable[str | Path],
    edition: str | Path | Edition = DEFAULT_EDITION,
    resolver: ResolverLike | None = None,
) -> FollowupResult:
    """Import follow-up grids (status per measure) from files and folders.

    Parameters
    ----------
    paths : path or iterable of paths
        Files (``.xlsx``, ``.ods``, ``.csv``…) and folders.
    edition : str, path or Edition, default "pacte-2020"
        The catalogue the commitments were made under.
    resolver : optional
        Commune resolver; defaults to the edition's geography.

    Returns
    -------
    FollowupResult
    """
    started = time.perf_counter()
    ed = read_edition(edition)
    if isinstance(paths, str | Path):
        paths = [paths]
    files, _skipped, missing = scan_paths(paths)
    if resolver is None:
        resolver = _default_resolver(ed.vintage)
    summaries, file_rejects, entries, _sheets, column_rejects = _read_files(
        files, missing, ed, resolver, values=_VALUES
    )
    accepted, entry_rejects = _resolve_and_dedupe(entries, ed, resolver)
    rows: list[dict[str, Any]] = []
    for entry, result in accepted:
        for number, (assessed, code, raw, row, letter) in sorted(entry.commitments.items()):
            if not assessed or code is None:
                continue
            status = STATUSES[code - 1]
            rows.append(
                {
                    "commune_code": result.code,
                    "commune_name": result.name,
                    "departement_code": result.departement_code,
                    "list_name": entry.list_name,
                    "list_head": entry.list_head,
                    "measure": number,
                    "status": status.key,
                    "status_label": status.label,
                    "comment": entry.notes.get(row),
                    "assessed_on": entry.signed_on,
                    "raw_value": raw,
                    "source_file": entry.source_file,
                    "source_sheet": entry.source_sheet,
                    "source_row": row,
                    "source_column": letter,
                }
            )
    columns = [
        "commune_code",
        "commune_name",
        "departement_code",
        "list_name",
        "list_head",
        "measure",
        "status",
        "status_label",
        "comment",
        "assessed_on",
        "raw_value",
        "source_file",
        "source_sheet",
        "source_row",
        "source_column",
    ]
    statuses = pd.DataFrame(rows, columns=columns)
    for column in ("commune_code", "commune_name", "departement_code", "status", "status_label"):
        statuses[column] = statuses[column].astype("str")
    statuses["measure"] = statuses["measure"].astype("int64")
    statuses["source_row"] = statuses["source_row"].astype("int64")
    rejects = _rejects_frame(file_rejects + column_rejects + entry_rejects)
    return FollowupResult(statuses, rejects, ed, summaries, time.perf_counter() - started)


def _rejects_frame(rejects: list[Reject]) -> pd.DataFrame:
    from pacte_analysis.tables import build_table

    return build_table(
        "rejects",
        {
            "source_file": [r.source_file for r in rejects],
            "source_sheet": [r.source_sheet for r in rejects],
            "source_row": [r.source_row for r in rejects],
            "source_column": [r.source_column for r in rejects],
            "code": [r.code for r in rejects],
            "message": [r.message for r in rejects],
            "raw_value": [r.raw_value for r in rejects],
        },
    )


def _team_of(statuses: pd.DataFrame, lists: pd.DataFrame) -> pd.Series:
    """The list each assessed row refers to: the named list, else the elected one."""
    elected_all = lists["elected"].fillna(False).astype(bool)
    by_commune: dict[Any, list[tuple[Any, Entry, bool]]] = {}
    for code, lid, lname, lhead, is_elected in zip(
        lists["commune_code"],
        lists["list_id"],
        lists["list_name"],
        lists["list_head"],
        elected_all,
        strict=True,
    ):
        if pd.isna(code):  # as groupby: a list without commune is nobody's candidate
            continue
        entry = Entry(
            "",
            "",
            0,
            (None, None, None, None),
            "",
            lname if isinstance(lname, str) else None,
            lhead if isinstance(lhead, str) else None,
        )
        by_commune.setdefault(code, []).append((lid, entry, bool(is_elected)))
    out: list[Any] = []
    for code, name, head in zip(
        statuses["commune_code"], statuses["list_name"], statuses["list_head"], strict=True
    ):
        candidates = by_commune.get(code)
        if candidates is None:
            out.append(None)
            continue
        if (isinstance(name, str) and name) or (isinstance(head, str) and head):
            probe = Entry("", "", 0, (None, None, None, None), "", name or None, head or None)
            found = [lid for lid, entry, _ in candidates if _same(probe, entry)]
            out.append(found[0] if len(found) == 1 else None)
            continue
        elected = [lid for lid, _, is_elected in candidates if is_elected]
        out.append(elected[0] if len(elected) == 1 else None)
    return pd.Series(out, index=statuses.index, dtype="str")


def followup_scores(
    statuses: pd.DataFrame, lists: pd.DataFrame, commitments: pd.DataFrame
) -> pd.DataFrame:
    """Score of each commune's team on its commitments, with the method written beside.

    Parameters
    ----------
    statuses : pandas.DataFrame
        :attr:`FollowupResult.statuses`.
    lists, commitments : pandas.DataFrame
        The tables of the 2020 import (``pacte ingest``), to know the elected team
        and what it committed to.

    Returns
    -------
    pandas.DataFrame
        One row per commune assessed: ``commune_code``, ``commune_name``,
        ``departement_code``, ``list_id``, ``list_name``, ``signatory``,
        ``n_committed``, ``n_assessed``, one ``n_<status>`` column per status,
        ``n_not_assessed``, ``n_outside_commitments``, ``score`` (0–10, 1 decimal)
        and ``method``.
    """
    frame = statuses.copy()
    frame["list_id"] = _team_of(frame, lists)
    committed = commitments[commitments["committed"]]
    promised = committed.groupby("list_id")["measure"].apply(set).to_dict()
    weight = {s.key: s.weight for s in STATUSES}
    out: list[dict[str, Any]] = []
    info = lists.set_index("list_id")
    for code, group in frame.groupby("commune_code", sort=True):
        ids = group["list_id"].dropna().unique()
        list_id = ids[0] if len(ids) == 1 else None
        measures = promised.get(list_id, set()) if list_id is not None else set()
        status_of = dict(zip(group["measure"], group["status"], strict=True))
        row: dict[str, Any] = {
            "commune_code": code,
            "commune_name": group["commune_name"].iloc[0],
            "departement_code": group["departement_code"].iloc[0],
            "list_id": list_id,
            "list_name": info.loc[list_id, "list_name"] if list_id is not None else None,
            "signatory": bool(info.loc[list_id, "signatory"]) if list_id is not None else None,
            "n_committed": len(measures) if list_id is not None else None,
            "n_assessed": len(status_of),
        }
        for status in STATUSES:
            row[f"n_{status.key}"] = sum(1 for v in status_of.values() if v == status.key)
        if measures:
            base = measures
            row["n_not_assessed"] = len(measures - set(status_of))
            row["n_outside_commitments"] = len(set(status_of) - measures)
        else:
            base = set(status_of)
            row["n_not_assessed"] = None
            row["n_outside_commitments"] = None
        total = sum(weight[status_of[m]] for m in base if m in status_of)
        row["score"] = round(10 * total / len(base), 1) if base else np.nan
        row["method"] = SCORE_METHOD
        out.append(row)
    result = pd.DataFrame(out)
    for column in ("commune_code", "commune_name", "departement_code", "list_id", "list_name"):
        if column in result:
            result[column] = result[column].astype("str")
    for column in ("n_committed", "n_not_assessed", "n_outside_commitments"):
        if column in result:
            result[column] = result[column].astype("Int64")
    return result


def followup_summary(
    statuses: pd.DataFrame, edition: str | Path | Edition = DEFAULT_EDITION, *, by: str = "measure"
) -> pd.DataFrame:
    """How many assessed commitments are in each status, per measure or per theme.

    Parameters
    ----------
    statuses : pandas.DataFrame
    edition : str, path or Edition
    by : {"measure", "theme"}

    Returns
    -------
    pandas.DataFrame
        One row per measure (with its label) or theme; one column per status label,
        ``n_assessed`` and ``share_done`` (% réalisées).
    """
    ed = read_edition(edition)
    if by not in ("measure", "theme"):
        from pacte_analysis.errors import InvalidArgumentError

        raise InvalidArgumentError(f"by= « {by} » : valeurs possibles « measure » ou « theme ».")
    frame = statuses[["measure", "status"]].copy()
    labels = {m.number: m.short_label for m in ed.measures}
    themes = {m.number: m.theme or "thème non attribué" for m in ed.measures}
    frame["key"] = frame["measure"].map(labels if by == "measure" else themes)
    table = pd.crosstab(frame["key"], frame["status"]).reindex(
        columns=[s.key for s in STATUSES], fill_value=0
    )
    table.columns = [s.label for s in STATUSES]
    table["n_assessed"] = table.sum(axis=1)
    table["share_done"] = (100 * table["réalisée"] / table["n_assessed"]).round(1)
    table.index.name = "mesure" if by == "measure" else "thème"
    return table.reset_index()


#: Files written by :func:`write_followup` (besides the report and the method).
FOLLOWUP_FILES = (
    "suivi-mesures.parquet",
    "suivi-mesures.csv",
    "scores-communes.parquet",
    "scores-communes.csv",
    "suivi-par-mesure.csv",
    "suivi-par-theme.csv",
    "rejets-suivi.csv",
    "rapport-suivi.txt",
    "METHODE.txt",
)


def write_followup(
    result: FollowupResult,
    lists: pd.DataFrame,
    commitments: pd.DataFrame,
    out: str | Path,
    *,
    demo: bool = False,
) -> list[Path]:
    """Write the follow-up outputs to ``out`` as one whole set (staged, then renamed).

    Parameters
    ----------
    result : FollowupResult
    lists, commitments : pandas.DataFrame
        The tables of the import the grids follow up.
    out : path-like
        Output folder (replaced as a whole).
    demo : bool, default False
        Mark every file as fictitious (the tables come from ``pacte demo``).

    Returns
    -------
    list of Path
    """
    import os
    import shutil
    import tempfile

    from pacte_analysis._files import neutralised_frame
    from pacte_analysis.config import DEMO_MARKER

    out = Path(out)
    out.parent.mkdir(parents=True, exist_ok=True)
    stage = Path(tempfile.mkdtemp(prefix=f".{out.name}.suivi-", dir=out.parent))
    try:
        scores = followup_scores(result.statuses, lists, commitments)
        frames = {
            "suivi-mesures": result.statuses,
            "scores-communes": scores,
        }
        for name, frame in frames.items():
            frame.to_parquet(stage / f"{name}.parquet", index=False)
            neutralised_frame(frame).to_csv(stage / f"{name}.csv", index=False)
        for by, name in (("measure", "suivi-par-mesure"), ("theme", "suivi-par-theme")):
            neutralised_frame(followup_summary(result.statuses, result.edition, by=by)).to_csv(
                stage / f"{name}.csv", index=False
            )
        neutralised_frame(result.rejects).to_csv(stage / "rejets-suivi.csv", index=False)
        (stage / "rapport-suivi.txt").write_text(result.report() + "\n", encoding="utf-8")
        mark = "Données fictives – démonstration.\n\n" if demo else ""
        (stage / "METHODE.txt").write_text(mark + SCORE_METHOD + "\n", encoding="utf-8")
        if demo:
            (stage / DEMO_MARKER).write_text(
                "Bilan de mandat fictif, généré par pacte_analysis pour la démonstration.\n",
                encoding="utf-8",
            )
        os.chmod(stage, 0o777 & ~_umask())
        old = None
        if out.exists():
            old = out.with_name(f".{out.name}.ancien-{os.getpid()}")
            out.rename(old)
        stage.rename(out)
        if old is not None:
            shutil.rmtree(old, ignore_errors=True)
    except BaseException:
        shutil.rmtree(stage, ignore_errors=True)
        raise
    return sorted(p for p in out.iterdir() if p.is_file())


def _umask() -> int:
    import os

    mask = os.umask(0)
    os.umask(mask)
    return mask
