"""Deterministic benchmark inputs: trackers with real communes and fictitious lists.

Every generator is seeded, writes into its own folder under the work directory
(``benchmarks/_work/`` by default) and marks it complete with a ``DONE`` file
written last, so an interrupted generation is redone and a complete one is
reused by the next run.

Communes are the real COG 2020 communes (code and official name, from
:func:`pacte_analysis.communes`); list names and heads of list are invented
(« Liste banc d'essai 123 », « Camille Essai-123 »).
"""

from __future__ import annotations

import json
import shutil
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

__all__ = [
    "HEADER",
    "Trackers",
    "commune_table",
    "folder_of_small_trackers",
    "map_frame",
    "national_trackers",
    "single_tracker",
]

#: Bump when the generated content changes, so that cached inputs are rebuilt.
GENERATOR_VERSION = 1
N_MEASURES = 32
#: The tracker header: 5 + 3 + 32 = 40 columns (the layout groups keep).
HEADER: list[str] = [
    "Code INSEE",
    "Commune",
    "Liste",
    "Tête de liste",
    "Élue ?",
    "Principe A",
    "Principe B",
    "Principe C",
    *(f"Mesure {i}" for i in range(1, N_MEASURES + 1)),
]
_FIRST_NAMES = (
    "Camille",
    "Dominique",
    "Claude",
    "Alix",
    "Sacha",
    "Morgan",
    "Charlie",
    "Lou",
    "Eden",
    "Noa",
)
_LAST_NAMES = ("Essai", "Banc", "Mesure", "Repère", "Étalon", "Témoin", "Jalon", "Gabarit")
# Share of empty / X / N1 / N2 / N3 cells in a measure column.
_MARK_VALUES = (None, "X", "N1", "N2", "N3")
_MARK_WEIGHTS = (0.55, 0.15, 0.12, 0.10, 0.08)


@dataclass(frozen=True)
class Trackers:
    """Generated tracker files and what they hold."""

    folder: Path
    files: list[Path]
    n_lists: int
    n_bytes: int


@cache
def commune_table() -> pd.DataFrame:
    """Real COG 2020 communes: ``code, name, departement_code, population`` (sorted by code)."""
    import pacte_analysis as pa

    gdf = pa.communes(resolution="web")
    frame = pd.DataFrame(gdf.drop(columns="geometry"))
    return frame[["code", "name", "departement_code", "population"]].reset_index(drop=True)


def _rows(rng: np.random.Generator, communes: pd.DataFrame, start: int) -> Iterator[list[Any]]:
    """One tracker row per commune of ``communes`` (fictitious list, random commitments)."""
    n = len(communes)
    marks = rng.choice(len(_MARK_VALUES), size=(n, N_MEASURES), p=_MARK_WEIGHTS)
    principles = rng.random((n, 3)) < 0.8
    elected = rng.choice(3, size=n, p=(0.25, 0.5, 0.25))  # oui / non / unknown
    first = rng.integers(len(_FIRST_NAMES), size=n)
    last = rng.integers(len(_LAST_NAMES), size=n)
    for i, (code, name) in enumerate(
        zip(communes["code"].tolist(), communes["name"].tolist(), strict=True)
    ):
        k = start + i
        yield [
            code,
            name,
            f"Liste banc d'essai {k}",
            f"{_FIRST_NAMES[first[i]]} {_LAST_NAMES[last[i]]}-{k}",
            ("oui", "non", None)[elected[i]],
            *("oui" if p else None for p in principles[i]),
            *(_MARK_VALUES[m] for m in marks[i]),
        ]


def _write_xlsx(path: Path, rows: Iterator[list[Any]], sheet: str = "Suivi") -> None:
    from openpyxl import Workbook

    wb = Workbook(write_only=True)
    ws = wb.create_sheet(sheet)
    ws.append(HEADER)
    for row in rows:
        ws.append(row)
    wb.save(path)


def _ready(folder: Path, params: dict[str, Any]) -> bool:
    done = folder / "DONE"
    return done.exists() and json.loads(done.read_text()) == params


def _finish(folder: Path, params: dict[str, Any], files: Sequence[Path], n_lists: int) -> Trackers:
    (folder / "DONE").write_text(json.dumps(params))
    return _collect(folder, n_lists)


def _collect(folder: Path, n_lists: int) -> Trackers:
    files = sorted(p for p in folder.rglob("*.xlsx"))
    return Trackers(folder, files, n_lists, sum(p.stat().st_size for p in files))


def _fresh(folder: Path) -> None:
    if folder.exists():
        shutil.rmtree(folder)
    folder.mkdir(parents=True)


def single_tracker(work: Path, n_rows: int, seed: int = 1) -> Trackers:
    """One ``.xlsx`` tracker of ``n_rows`` lists × 40 columns (case 1)."""
    params = {"kind": "single", "rows": n_rows, "seed": seed, "v": GENERATOR_VERSION}
    folder = work / f"single-{n_rows}"
    if _ready(folder, params):
        return _collect(folder, n_rows)
    _fresh(folder)
    rng = np.random.default_rng(seed)
    communes = commune_table()
    picks = communes.iloc[np.sort(rng.integers(len(communes), size=n_rows))]
    path = folder / f"suivi-national-{n_rows}.xlsx"
    _write_xlsx(path, _rows(rng, picks, 1))
    return _finish(folder, params, [path], n_rows)


def folder_of_small_trackers(work: Path, n_files: int, seed: int = 2) -> Trackers:
    """``n_files`` local-group trackers of one commune with 3–5 lists each (case 2)."""
    params = {"kind": "small", "files": n_files, "seed": seed, "v": GENERATOR_VERSION}
    folder = work / f"small-{n_files}"
    if _ready(folder, params):
        return _collect(folder, json.loads((folder / "n_lists").read_text()))
    _fresh(folder)
    rng = np.random.default_rng(seed)
    communes = commune_table()
    chosen = np.sort(rng.choice(len(communes), size=n_files, replace=False))
    sizes = rng.integers(3, 6, size=n_files)
    files: list[Path] = []
    k = 1
    for index, size in zip(chosen, sizes, strict=True):
        picks = communes.iloc[[index] * int(size)]
        code = picks["code"].iloc[0]
        path = folder / picks["departement_code"].iloc[0] / f"suivi-{code}.xlsx"
        path.parent.mkdir(exist_ok=True)
        _write_xlsx(path, _rows(rng, picks, k))
        files.append(path)
        k += int(size)
    (folder / "n_lists").write_text(str(k - 1))
    return _finish(folder, params, files, k - 1)


def national_trackers(work: Path, n_lists: int, seed: int = 3) -> Trackers:
    """A national campaign: ``n_lists`` lists over every commune, one file per département.

    Every commune gets at least one list when ``n_lists`` ≥ the number of communes
    (the rest go to the most populated communes, as in a real campaign); with fewer
    lists, a seeded sample of communes gets one each (case 3).
    """
    params = {"kind": "national", "lists": n_lists, "seed": seed, "v": GENERATOR_VERSION}
    folder = work / f"national-{n_lists}"
    if _ready(folder, params):
        return _collect(folder, n_lists)
    _fresh(folder)
    rng = np.random.default_rng(seed)
    communes = commune_table()
    n = len(communes)
    if n_lists >= n:
        weights = np.sqrt(communes["population"].fillna(0).to_numpy(dtype=float) + 1)
        extra = rng.choice(n, size=n_lists - n, p=weights / weights.sum())
        counts = 1 + np.bincount(extra, minlength=n)
    else:
        counts = np.zeros(n, dtype=int)
        counts[rng.choice(n, size=n_lists, replace=False)] = 1
    picks = communes.loc[communes.index.repeat(counts)].reset_index(drop=True)
    files: list[Path] = []
    k = 1
    for dep, group in picks.groupby("departement_code", sort=True):
        path = folder / f"suivi-{dep}.xlsx"
        _write_xlsx(path, _rows(rng, group, k))
        files.append(path)
        k += len(group)
    return _finish(folder, params, files, n_lists)


def map_frame(resolution: str, *, small: bool = False, seed: int = 4) -> Any:
    """Communes at ``resolution`` with a seeded metric ``part_signataires`` (in %).

    About 8 % of the communes have lists (as in 2020, where local groups followed
    ~2,600 communes); the others have no value (NaN), as on a real map. With
    ``small``, only the communes of Corse-du-Sud and Mayotte are kept (smoke runs).
    """
    import pacte_analysis as pa

    gdf = pa.communes(resolution=resolution)  # type: ignore[arg-type]
    if small:
        gdf = gdf[gdf["departement_code"].isin(["2A", "976"])].reset_index(drop=True)
    rng = np.random.default_rng(seed)
    has = rng.random(len(gdf)) < 0.08
    values = np.round(rng.random(len(gdf)) * 100, 1)
    gdf = gdf.copy()
    gdf["part_signataires"] = np.where(has, values, np.nan)
    return gdf
