"""Deterministic, fictitious demo trackers calibrated on the 2020 campaign.

:func:`simulate` draws a national ground truth (which communes have a local
group, which candidate lists committed to what, which of them won); it is
calibrated on the published 2020 figures (groups in ~2,600 communes, ~900
signatory lists, ~290 elected signatory teams). :func:`generate_demo` writes that
truth as the trackers groups really kept: a national consolidated workbook,
local-group workbooks in wide, long and compact layouts, a French CSV export
(cp1252, ``;``) and a LibreOffice ``.ods`` file, plus a handful of deliberate
mistakes so that the validation report has something to say.

Every list name and every head of list is invented (« Liste démo 12 »,
« Camille Exemple-Démo ») and every file says so. Same seed, same bytes.

Examples
--------
>>> from pacte_analysis.demo import simulate
>>> truth = simulate(scale=0.05)
>>> sorted(truth.counts)  # doctest: +NORMALIZE_WHITESPACE
['communes_with_group', 'elected_signatory_teams', 'lists', 'non_signatory_lists',
 'signatory_lists']
"""

from __future__ import annotations

import csv
import datetime as dt
import hashlib
import io
import json
import logging
import os
import re
import shutil
import tempfile
import time
import unicodedata
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from pacte_analysis._reproducible import normalise_zip
from pacte_analysis.config import raw_dir

__all__ = [
    "DEMO_NOTICE",
    "LAYOUTS",
    "TARGETS",
    "DemoFile",
    "DemoManifest",
    "DemoTruth",
    "demo_stamp_path",
    "ensure_demo",
    "generate_demo",
    "simulate",
]

logger = logging.getLogger(__name__)

#: Published 2020 figures the demo is calibrated on (at ``scale=1``).
TARGETS: dict[str, int] = {
    "communes_with_group": 2600,
    "signatory_lists": 900,
    "elected_signatory_teams": 290,
}

#: The notice every demo file carries.
DEMO_NOTICE = "Données fictives – démonstration"

N_MEASURES = 32
PRINCIPLES = "ABC"
MIN_MEASURES = 10
FORCED_COMMUNES = ("75056", "69123", "13055")  # Paris, Lyon, Marseille
NATIONAL_FILE = "national/suivi-national-pacte-2020.xlsx"
#: Notice written in the demo folder (Markdown: importers skip it, people read it).
README_NAME = "LISEZMOI.md"

# Relative popularity of the 32 measures (measures 7, 15, 28 and 3 were the most
# chosen in the local reports; 4, 9 and 2 the least).
_POPULARITY: dict[int, float] = {
    1: 0.55,
    2: 0.10,
    3: 0.75,
    4: 0.14,
    5: 0.62,
    6: 0.45,
    7: 0.90,
    8: 0.55,
    9: 0.12,
    10: 0.50,
    11: 0.42,
    12: 0.58,
    13: 0.32,
    14: 0.50,
    15: 0.85,
    16: 0.36,
    17: 0.30,
    18: 0.62,
    19: 0.33,
    20: 0.30,
    21: 0.40,
    22: 0.28,
    23: 0.34,
    24: 0.42,
    25: 0.32,
    26: 0.30,
    27: 0.33,
    28: 0.85,
    29: 0.38,
    30: 0.29,
    31: 0.48,
    32: 0.27,
}
_LEVEL_P = (0.55, 0.30, 0.15)

# Invented name parts: every head of list gets a hyphenated surname made of two
# words no real family name is made of (« Exemple-Démo », « Maquette-Fictive »).
_FIRST = (
    "Camille",
    "Dominique",
    "Claude",
    "Alix",
    "Sacha",
    "Lou",
    "Morgan",
    "Charlie",
    "Eden",
    "Noa",
    "Maxime",
    "Andréa",
    "Ange",
    "Gaby",
    "Marion",
    "Yael",
)
_LAST_A = (
    "Exemple",
    "Fictif",
    "Maquette",
    "Modèle",
    "Essai",
    "Prototype",
    "Spécimen",
    "Brouillon",
    "Factice",
    "Simulacre",
)
_LAST_B = ("Démo", "Test", "Fantaisie", "Imaginaire", "Inventé", "Pilote", "Témoin", "Fiction")
_LIST_A = (
    "Demain",
    "Ensemble",
    "Agir",
    "Vivre",
    "Cap",
    "Élan",
    "Horizon",
    "Unis",
    "Respirer",
    "Réinventer",
)
_LIST_B = (
    "Ensemble",
    "Autrement",
    "pour demain",
    "en commun",
    "citoyen",
    "durable",
    "solidaire",
    "au quotidien",
    "ici",
    "d'avenir",
)

_DOC_DATE = dt.datetime(2020, 6, 30, 12, 0, 0)

# Deliberate mistakes that do not depend on the drawn truth (commune, département).
_UNKNOWN_SPELLINGS = (("Montpelier", "34"), ("Villeurbane", "69"), ("Bordeau", "33"))
_AMBIGUOUS_NAMES = ("Saint-Denis", "Sainte-Marie")

LAYOUTS: dict[str, str] = {
    "national": "large, niveaux N1/N2/N3, code INSEE (classeur national consolidé)",
    "large-marques": "large, marques X/oui/✓, commune + code postal, principes dans une cellule",
    "large-niveaux": "large, en-tête sur deux lignes « Mesures » / #01…#32, niveaux « niv. 2 », plusieurs feuilles",
    "long": "long, une ligne par liste et par mesure, principes en lignes",
    "compact": "compact, « Mesures : 1, 3, 5-8 » et « Principes : A, B, C » dans une cellule",
    "csv": "CSV cp1252 « ; », large, marques x, N°1…N°32",
    "ods": "ODS LibreOffice, large, M01…M32, niveaux « Niveau 2 », principes A/B/C",
}
_LOCAL_LAYOUTS = ("large-marques", "large-niveaux", "long", "compact", "csv", "ods")


# --------------------------------------------------------------------------- truth
@dataclass(frozen=True)
class DemoTruth:
    """Ground truth drawn by :func:`simulate`.

    Attributes
    ----------
    lists : pandas.DataFrame
        One row per generated candidate list: ``list_key``, ``commune_code``,
        ``commune_name``, ``departement_code``, ``region_code``, ``population``,
        ``list_name``, ``list_head``, ``status`` (``signataire``,
        ``moins de 10 mesures``, ``principe manquant``, ``sans engagement``),
        ``principles`` (``ABC``, ``AC``, ``""``), ``measures`` (tuple of int),
        ``n_measures``, ``mean_level``, ``signatory``, ``elected``, ``signed_on``.
    commitments : pandas.DataFrame
        One row per list × committed measure: ``list_key``, ``measure``, ``level``.
    counts : dict of str to int
        ``communes_with_group``, ``lists``, ``signatory_lists``,
        ``non_signatory_lists``, ``elected_signatory_teams``.
    seed : int
    scale : float
    """

    lists: pd.DataFrame
    commitments: pd.DataFrame
    counts: dict[str, int]
    seed: int
    scale: float


def _load_communes() -> pd.DataFrame:
    from pacte_analysis.reference import communes

    frame = pd.DataFrame(communes(resolution="web").drop(columns="geometry"))
    return frame


def _weighted_pick(rng: np.random.Generator, weights: np.ndarray, k: int) -> np.ndarray:
    """Indices of ``k`` items drawn without replacement, proportionally to weights.

    Efraimidis–Spirakis keys: exact sample size, deterministic for a given stream.
    """
    k = int(min(k, len(weights)))
    if k <= 0:
        return np.zeros(0, dtype=int)
    u = rng.random(len(weights))
    with np.errstate(divide="ignore"):
        keys = np.where(weights > 0, np.log(u) / np.maximum(weights, 1e-300), -np.inf)
    order = np.argsort(-keys, kind="stable")
    return np.sort(order[:k])


def _draw_measures(rng: np.random.Generator, n: int) -> list[int]:
    weights = np.array([_POPULARITY[m] for m in range(1, N_MEASURES + 1)])
    picked = _weighted_pick(rng, weights, n)
    return [int(i) + 1 for i in picked]


def _signatory_size(rng: np.random.Generator) -> int:
    if rng.random() < 0.1:  # ambitious lists, up to all 32 measures
        return int(rng.integers(21, N_MEASURES + 1))
    return int(np.clip(round(rng.normal(15.5, 3.5)), MIN_MEASURES, 24))


def _names_for_commune(
    rng: np.random.Generator, n: int, counter: list[int]
) -> list[tuple[str, str]]:
    """``n`` distinct (list name, head of list) pairs, all visibly invented."""
    heads: set[str] = set()
    names: set[str] = set()
    out: list[tuple[str, str]] = []
    while len(out) < n:
        head = (
            f"{_FIRST[rng.integers(len(_FIRST))]} "
            f"{_LAST_A[rng.integers(len(_LAST_A))]}-{_LAST_B[rng.integers(len(_LAST_B))]}"
        )
        if rng.random() < 0.3:
            counter[0] += 1
            name = f"Liste démo {counter[0]}"
        else:
            name = (
                f"{_LIST_A[rng.integers(len(_LIST_A))]} "
                f"{_LIST_B[rng.integers(len(_LIST_B))]} (fictive)"
            )
        if head in heads or name in names or head.split()[1] == name.split()[0]:
            continue
        heads.add(head)
        names.add(name)
        out.append((name, head))
    return out


def simulate(
    *, seed: int = 2020, scale: float = 1.0, communes: pd.DataFrame | None = None
) -> DemoTruth:
    """Draw the fictitious ground truth of the demo, without writing anything.

    Parameters
    ----------
    seed : int, default 2020
        Seed of the random generator: same seed, same truth.
    scale : float, default 1.0
        Share of the country simulated. ``scale=0.05`` keeps a random 5 % of the
        communes (plus Paris, Lyon and Marseille) and 5 % of every target.
    communes : pandas.DataFrame, optional
        Communes to draw from (columns ``code``, ``name``, ``departement_code``,
        ``region_code``, ``population``); default: the COG 2020 communes.

    Returns
    -------
    DemoTruth

    Notes
    -----
    Groups are drawn in exactly ``round(2600 * scale)`` communes with a
    probability proportional to population (all the largest cities, ~2/3 of the
    10,000–50,000 ones, ~1 % of the villages under 500 inhabitants). Each group
    records 1 to 8 lists (more in larger communes). Exactly ``round(900 * scale)``
    lists sign (3 principles and 10 to 32 measures, 12–20 typically), about half
    as many commit partially; the others gave no commitment. In exactly
    ``round(290 * scale)`` communes the winning list is a signatory; elsewhere
    the winner is a non-signatory list of the tracker, or not in it.

    Examples
    --------
    >>> truth = simulate(scale=0.05)
    >>> truth.counts["signatory_lists"] == round(900 * 0.05)
    True
    """
    if not 0 < scale <= 1:
        raise ValueError(f"scale doit être dans ]0, 1] (reçu : {scale}).")
    rng = np.random.default_rng(seed)
    frame = _load_communes() if communes is None else communes
    frame = (
        frame[["code", "name", "departement_code", "region_code", "population"]]
        .sort_values("code", kind="stable")
        .reset_index(drop=True)
    )
    codes = frame["code"].astype(str).to_numpy()
    forced = np.isin(codes, FORCED_COMMUNES)
    if scale < 1:
        keep = np.zeros(len(frame), dtype=bool)
        keep[rng.permutation(len(frame))[: round(len(frame) * scale)]] = True
        frame = frame[keep | forced].reset_index(drop=True)
        codes = frame["code"].astype(str).to_numpy()
        forced = np.isin(codes, FORCED_COMMUNES)
    pop = frame["population"].astype("Float64").fillna(500).to_numpy(dtype=float).clip(min=1)

    # communes with a group: probability proportional to population
    n_groups = max(1, round(TARGETS["communes_with_group"] * scale))
    weights = np.where(forced, 1e18, pop)
    groups = _weighted_pick(rng, weights, n_groups)

    # lists recorded per commune
    lam = np.maximum(0.0, 0.9 * (np.log10(pop[groups]) - 3.0))
    n_lists = 1 + np.minimum(rng.poisson(lam), 7)
    commune_of_list = np.repeat(np.arange(len(groups)), n_lists)
    list_pop = pop[groups][commune_of_list]
    total = len(commune_of_list)

    # signatories (exact count), then partial commitments
    n_sign = min(total, round(TARGETS["signatory_lists"] * scale))
    signatory = np.zeros(total, dtype=bool)
    signatory[_weighted_pick(rng, np.log10(list_pop + 10) ** 2, n_sign)] = True
    rest = np.flatnonzero(~signatory)
    partial = np.zeros(total, dtype=bool)
    partial[rest[_weighted_pick(rng, np.log10(list_pop[rest] + 10), round(0.5 * n_sign))]] = True

    # winners: exactly n_elected communes where a signatory won
    n_commune_sign = np.bincount(commune_of_list, weights=signatory, minlength=len(groups))
    with_sign = np.flatnonzero(n_commune_sign > 0)
    n_elected = min(len(with_sign), round(TARGETS["elected_signatory_teams"] * scale))
    chosen = set(
        with_sign[_weighted_pick(rng, n_commune_sign[with_sign] / n_lists[with_sign], n_elected)]
    )
    elected = np.zeros(total, dtype=bool)
    starts = np.concatenate([[0], np.cumsum(n_lists)[:-1]])
    for c in range(len(groups)):
        members = np.arange(starts[c], starts[c] + n_lists[c])
        if c in chosen:
            pool = members[signatory[members]]
        else:
            pool = members[~signatory[members]]
            if rng.random() < 0.15:  # the winning list is not in the tracker
                pool = pool[:0]
        if len(pool):
            elected[pool[rng.integers(len(pool))]] = True

    # names, commitments
    counter = [0]
    rows: list[dict[str, Any]] = []
    commitments: list[tuple[str, int, int]] = []
    start_date = dt.date(2020, 1, 13)
    info = frame.iloc[groups].reset_index(drop=True)
    for c in range(len(groups)):
        names = _names_for_commune(rng, int(n_lists[c]), counter)
        for j in range(int(n_lists[c])):
            i = int(starts[c]) + j
            key = f"L{i + 1:05d}"
            if signatory[i]:
                status, principles = "signataire", PRINCIPLES
                measures = _draw_measures(rng, _signatory_size(rng))
            elif partial[i] and rng.random() < 0.6:
                status, principles = "moins de 10 mesures", PRINCIPLES
                measures = _draw_measures(rng, int(rng.integers(3, MIN_MEASURES)))
            elif partial[i]:
                missing = PRINCIPLES[rng.integers(len(PRINCIPLES))]
                status = "principe manquant"
                principles = PRINCIPLES.replace(missing, "")
                measures = _draw_measures(rng, int(rng.integers(MIN_MEASURES, 19)))
            else:
                status, principles, measures = "sans engagement", "", []
            levels = rng.choice([1, 2, 3], size=len(measures), p=_LEVEL_P)
            for m, lv in zip(measures, levels, strict=True):
                commitments.append((key, m, int(lv)))
            signed_on = (
                start_date + dt.timedelta(days=int(rng.integers(0, 60))) if signatory[i] else None
            )
            rows.append(
                {
                    "list_key": key,
                    "commune_code": str(info.at[c, "code"]),
                    "commune_name": str(info.at[c, "name"]),
                    "departement_code": str(info.at[c, "departement_code"]),
                    "region_code": str(info.at[c, "region_code"]),
                    "population": int(pop[groups[c]]),
                    "list_name": names[j][0],
                    "list_head": names[j][1],
                    "status": status,
                    "principles": principles,
                    "measures": tuple(measures),
                    "n_measures": len(measures),
                    "mean_level": float(np.mean(levels)) if len(measures) else np.nan,
                    "signatory": bool(signatory[i]),
                    "elected": bool(elected[i]),
                    "signed_on": signed_on,
                }
            )
    lists = pd.DataFrame(rows)
    commits = pd.DataFrame(commitments, columns=["list_key", "measure", "level"])
    counts = {
        "communes_with_group": int(lists["commune_code"].nunique()),
        "lists": len(lists),
        "signatory_lists": int(lists["signatory"].sum()),
        "non_signatory_lists": int((~lists["signatory"]).sum()),
        "elected_signatory_teams": int((lists["signatory"] & lists["elected"]).sum()),
    }
    return DemoTruth(lists, commits, counts, seed, scale)


# --------------------------------------------------------------------------- manifest
@dataclass(frozen=True)
class DemoFile:
    """One file written by :func:`generate_demo`.

    Attributes
    ----------
    path : str
        Path relative to the demo folder, POSIX style (``groupes/35-ille-et-vilaine.xlsx``).
    layout : str
        Key of :data:`LAYOUTS` (``national``, ``large-marques``, ``long``…) or ``readme``.
    departement_code : str or None
        Département a local group's file covers.
    sheets : tuple of str
        Sheet names (empty for CSV and text files).
    header : tuple of str
        Header labels of the first sheet, as written.
    n_lists : int
        Ground-truth lists written in the file (deliberate mistakes excluded).
    """

    path: str
    layout: str
    departement_code: str | None
    sheets: tuple[str, ...]
    header: tuple[str, ...]
    n_lists: int


@dataclass
class DemoManifest:
    """What :func:`generate_demo` wrote, and what an import should find in it.

    Attributes
    ----------
    out_dir : Path
        Demo folder.
    files : list of DemoFile
    lists : pandas.DataFrame
        Ground truth as written: the columns of :attr:`DemoTruth.lists` plus
        ``source_file``, ``source_sheet``, ``source_row`` (1-based; first row of
        the list in long layouts), ``layout``, ``levels_recorded`` (the layout
        writes levels), ``written_commune``, ``written_code``, ``written_postal_code``,
        ``written_departement`` (how the commune is given in the file) and
        ``importable`` (false only for the list involved in the deliberate
        conflict, which an import must refuse).
    commitments : pandas.DataFrame
        ``list_key``, ``measure``, ``level`` (``<NA>`` where the layout records no
        level).
    mistakes : pandas.DataFrame
        The deliberate mistakes: ``source_file``, ``source_sheet``, ``source_row``,
        ``source_column`` (letter or ``None``), ``code`` (reason code expected in
        the ``rejects`` table), ``raw_value``, ``description`` (French).
    counts : dict of str to int
        Ground-truth counts (see :attr:`DemoTruth.counts`).
    expected : dict of str to int
        What an import of the whole folder should report: ``lists``,
        ``signatory_lists``, ``elected_signatory_teams``, ``communes``,
        ``commitments`` and ``rejects``.
    seed : int
    scale : float
    elapsed : float
        Seconds spent generating.
    """

    out_dir: Path
    files: list[DemoFile]
    lists: pd.DataFrame
    commitments: pd.DataFrame
    mistakes: pd.DataFrame
    counts: dict[str, int]
    expected: dict[str, int]
    seed: int
    scale: float
    elapsed: float = 0.0

    @property
    def mistake_counts(self) -> dict[str, int]:
        """Expected rejects by reason code (``UNKNOWN_COMMUNE``: 3…)."""
        return dict(sorted(Counter(self.mistakes["code"]).items()))

    @property
    def paths(self) -> list[Path]:
        """Absolute paths of the files written."""
        return [self.out_dir / f.path for f in self.files]

    def summary(self) -> str:
        """A short French summary of the demo set."""
        c, e = self.counts, self.expected
        lines = [
            f"Jeu de démonstration ({DEMO_NOTICE}) : {len(self.files)} fichiers dans {self.out_dir}",
            f"  communes avec un groupe local : {c['communes_with_group']}",
            f"  listes : {c['lists']} dont {c['signatory_lists']} signataires",
            f"  équipes signataires élues : {c['elected_signatory_teams']}",
            f"  erreurs volontaires : {len(self.mistakes)} "
            + "("
            + ", ".join(f"{k} {v}" for k, v in self.mistake_counts.items())
            + ")",
            f"  attendu à l'import : {e['lists']} listes, {e['signatory_lists']} signataires, "
            f"{e['rejects']} rejets",
        ]
        return "\n".join(lines)


# --------------------------------------------------------------------------- helpers
def _slug(text: str) -> str:
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    return re.sub(r"[^a-z0-9]+", "-", ascii_text.lower()).strip("-")


def _compact_ranges(numbers: Iterable[int]) -> str:
    """``[1, 3, 5, 6, 7, 8, 12]`` → ``"1, 3, 5-8, 12"``."""
    values = sorted(numbers)
    parts: list[str] = []
    i = 0
    while i < len(values):
        j = i
        while j + 1 < len(values) and values[j + 1] == values[j] + 1:
            j += 1
        if j - i >= 2:
            parts.append(f"{values[i]}-{values[j]}")
        else:
            parts.extend(str(v) for v in values[i : j + 1])
        i = j + 1
    return ", ".join(parts)


def _article_last(name: str) -> str:
    """« Le Havre » → « Havre (Le) » (the INSEE listing style)."""
    for article in ("Le ", "La ", "Les ", "L'"):
        if name.startswith(article) and len(name) > len(article):
            return f"{name[len(article) :]} ({article.strip()})"
    return name


def _col(index: int) -> str:
    from openpyxl.utils import get_column_letter

    return get_column_letter(index)


_XMLNS = re.compile(rb'\s+xmlns:[\w.-]+="[^"]*"')
_ROOT_TAG = re.compile(rb"<office:document[\w-]*")


def _fixed_namespaces(data: bytes) -> bytes:
    """Declare every ODF namespace, sorted, on the root element.

    odfpy keeps the namespaces it has met in a class-level dictionary, so the
    declarations of a document depend on what was written before in the process.
    """
    from odf.namespaces import nsdict

    match = _ROOT_TAG.search(data)
    if match is None:
        return data
    end = data.index(b">", match.end())
    attrs = _XMLNS.sub(b"", data[match.end() : end])
    decls = b"".join(
        f' xmlns:{prefix}="{uri}"'.encode()
        for uri, prefix in sorted(nsdict.items(), key=lambda kv: kv[1])
    )
    return data[: match.end()] + decls + attrs + data[end:]


def _normalise_zip(path: Path) -> None:
    """Rewrite a zip container (xlsx, ods) with fixed timestamps and metadata."""

    def odf_namespaces(name: str, data: bytes) -> bytes:
        if path.suffix == ".ods" and name.endswith(".xml") and "/" not in name:
            return _fixed_namespaces(data)
        return data

    normalise_zip(path, _DOC_DATE, odf_namespaces)


@dataclass
class _Record:
    """One row (or group of rows) to write: a truth list or a deliberate mistake."""

    key: str | None
    commune_code: str
    commune_name: str
    departement_code: str
    postal_code: str
    list_name: str
    list_head: str
    principles: str
    levels: dict[int, int]
    elected: bool
    status: str
    signed_on: dt.date | None = None
    invalid: dict[int, str] = field(default_factory=dict)
    extra: dict[int, int] = field(default_factory=dict)  # measures outside the edition
    mistake: tuple[str, str] | None = None  # (code, description) of a whole-row mistake
    commune_override: tuple[str, str] | None = None  # (commune cell, département/postal cell)


@dataclass
class _Written:
    """Positions of what a writer wrote."""

    positions: dict[str, tuple[str, int]] = field(default_factory=dict)
    written: dict[str, dict[str, str]] = field(default_factory=dict)
    mistakes: list[dict[str, Any]] = field(default_factory=list)
    sheets: list[str] = field(default_factory=list)
    header: list[str] = field(default_factory=list)


def _log_ignored_comments(
    out: _Written, rel: str, sheet: str, labels: list[str], records: list[_Record]
) -> None:
    """A « Commentaire » column is not imported: the report says so (``IGNORED_COLUMN``)."""
    if not any(_note(rec) for rec in records):
        return
    out.mistakes.append(
        {
            "source_file": rel,
            "source_sheet": sheet,
            "source_row": None,
            "source_column": _col(labels.index("Commentaire") + 1),
            "code": "IGNORED_COLUMN",
            "raw_value": "Commentaire",
            "description": "Colonne « Commentaire » : texte libre que l'import ne lit pas, "
            "signalé une fois.",
        }
    )


def _note(rec: _Record) -> str:
    return {
        "signataire": "",
        "moins de 10 mesures": "Engagement partiel",
        "principe manquant": "Principe non signé",
        "sans engagement": "Pas de réponse",
    }.get(rec.status, "")


def _log_position(
    out: _Written,
    rec: _Record,
    file: str,
    sheet: str,
    row: int,
    commune: str,
    code: str = "",
    postal: str = "",
    dep: str = "",
) -> None:
    if rec.mistake is not None:
        out.mistakes.append(
            {
                "source_file": file,
                "source_sheet": sheet,
                "source_row": row,
                "source_column": None,
                "code": rec.mistake[0],
                "raw_value": commune,
                "description": rec.mistake[1],
            }
        )
    elif rec.key is not None:
        out.positions[rec.key] = (sheet, row)
        out.written[rec.key] = {
            "written_commune": commune,
            "written_code": code,
            "written_postal_code": postal,
            "written_departement": dep,
        }


def _log_invalid(
    out: _Written, rec: _Record, file: str, sheet: str, row: int, columns: dict[int, int]
) -> None:
    for measure, raw in rec.invalid.items():
        out.mistakes.append(
            {
                "source_file": file,
                "source_sheet": sheet,
                "source_row": row,
                "source_column": _col(columns[measure]),
                "code": "INVALID_VALUE",
                "raw_value": raw,
                "description": f"Valeur « {raw} » illisible pour la mesure {measure} : la cellule "
                "est rejetée, le reste de la ligne est importé.",
            }
        )


# --------------------------------------------------------------------------- writers
def _new_workbook() -> Any:
    from openpyxl import Workbook

    wb = Workbook()
    wb.properties.creator = "pacte_analysis (démonstration)"
    wb.properties.lastModifiedBy = "pacte_analysis (démonstration)"
    wb.properties.title = DEMO_NOTICE
    wb.properties.created = _DOC_DATE
    wb.properties.modified = _DOC_DATE
    return wb


def _save_workbook(wb: Any, path: Path) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    wb.save(path)
    _normalise_zip(path)


def _title(ws: Any, text: str, width: int) -> None:
    from openpyxl.styles import Font

    ws.cell(row=1, column=1, value=text).font = Font(bold=True, size=13)
    ws.merge_cells(start_row=1, start_column=1, end_row=1, end_column=max(2, width))
    ws.cell(row=2, column=1, value=f"{DEMO_NOTICE} : listes, noms et engagements inventés.")
    ws.merge_cells(start_row=2, start_column=1, end_row=2, end_column=max(2, width))


def _header(ws: Any, row: int, labels: Sequence[str]) -> None:
    from openpyxl.styles import Font

    for c, label in enumerate(labels, start=1):
        ws.cell(row=row, column=c, value=label).font = Font(bold=True)
    ws.freeze_panes = ws.cell(row=row + 1, column=1)


def _write_national(
    path: Path, rel: str, records: list[_Record], rng: np.random.Generator
) -> _Written:
    out = _Written()
    wb = _new_workbook()
    ws = wb.active
    ws.title = "Listes"
    labels = [
        "Code INSEE",
        "Commune",
        "Département",
        "Liste",
        "Tête de liste",
        "Élue ?",
        "Principe A",
        "Principe B",
        "Principe C",
    ]
    labels += [f"Mesure {m}" for m in range(1, N_MEASURES + 1)]
    labels += ["Date de signature", "Commentaire"]
    _title(ws, "Pacte pour la Transition 2020 – suivi national consolidé des engagements", 12)
    _header(ws, 3, labels)
    mcol = {m: 9 + m for m in range(1, N_MEASURES + 1)}
    r = 4
    for rec in records:
        code: Any = rec.commune_code
        if code.isdigit() and rng.random() < 0.15:
            code = int(code)  # a code stored as a number: the importer restores 0s
        values: list[Any] = [
            code,
            rec.commune_name,
            rec.departement_code,
            rec.list_name,
            rec.list_head,
            "oui" if rec.elected else "non",
        ]
        values += [
            "oui" if p in rec.principles else ("non" if rec.principles else None)
            for p in PRINCIPLES
        ]
        for m in range(1, N_MEASURES + 1):
            lv = rec.levels.get(m)
            values.append(f"N{lv}" if lv else rec.invalid.get(m))
        values += [rec.signed_on, _note(rec) or None]
        for c, value in enumerate(values, start=1):
            if value is not None:
                cell = ws.cell(row=r, column=c, value=value)
                if isinstance(value, dt.date):
                    cell.number_format = "DD/MM/YYYY"
        _log_position(
            out,
            rec,
            rel,
            ws.title,
            r,
            rec.commune_name,
            str(rec.commune_code),
            dep=rec.departement_code,
        )
        _log_invalid(out, rec, rel, ws.title, r, mcol)
        r += 1
    ws.column_dimensions["B"].width = 28
    ws.column_dimensions["D"].width = 30
    ws.column_dimensions["E"].width = 28
    _log_ignored_comments(out, rel, ws.title, labels, records)
    _save_workbook(wb, path)
    out.sheets, out.header = [ws.title], labels
    return out


def _by_commune(records: list[_Record]) -> list[list[_Record]]:
    groups: dict[str, list[_Record]] = {}
    for rec in records:
        groups.setdefault(rec.commune_code, []).append(rec)
    return list(groups.values())


def _write_marks(
    path: Path, rel: str, records: list[_Record], rng: np.random.Generator, dep_name: str
) -> _Written:
    """Wide with marks, commune + postal code, principles in one cell, blank lines."""
    out = _Written()
    wb = _new_workbook()
    ws = wb.active
    ws.title = "Suivi des listes"
    labels = ["Commune", "Code postal", "Liste", "Tête de liste", "Élue ?", "Principes"]
    labels += [f"M{m}" for m in range(1, N_MEASURES + 1)]
    labels += ["Commentaire"]
    _title(ws, f"Collectif Pacte pour la Transition – {dep_name} – suivi des listes", 12)
    _header(ws, 4, labels)
    mcol = {m: 6 + m for m in range(1, N_MEASURES + 1)}
    r = 5
    for group in _by_commune(records):
        for rec in group:
            mark = ("X", "X", "oui", "✓")[int(rng.integers(4))]
            commune, postal = rec.commune_override or (rec.commune_name, rec.postal_code)
            values: list[Any] = [
                commune,
                postal,
                rec.list_name,
                rec.list_head,
                "oui" if rec.elected else "non",
                ", ".join(rec.principles),
            ]
            values += [
                mark if m in rec.levels else rec.invalid.get(m) for m in range(1, N_MEASURES + 1)
            ]
            values.append(_note(rec) or None)
            for c, value in enumerate(values, start=1):
                if value not in (None, ""):
                    ws.cell(row=r, column=c, value=value)
            _log_position(out, rec, rel, ws.title, r, commune, postal=postal)
            _log_invalid(out, rec, rel, ws.title, r, mcol)
            r += 1
        r += 1  # blank line between communes
    _log_ignored_comments(out, rel, ws.title, labels, records)
    _save_workbook(wb, path)
    out.sheets, out.header = [ws.title], labels
    return out


def _write_levels(path: Path, rel: str, records: list[_Record], dep_name: str) -> _Written:
    """Wide, two-row header (« Mesures » merged over #01…#32), levels « niv. 2 », sectors."""
    from openpyxl.styles import Alignment, Font

    out = _Written()
    wb = _new_workbook()
    groups = _by_commune(records)
    n_sheets = min(3, len(groups))
    chunks = [list(c) for c in np.array_split(np.arange(len(groups)), n_sheets)]
    sector_names = ("Secteur Nord", "Secteur Centre", "Secteur Sud")
    first_labels: list[str] = []
    for s, chunk in enumerate(chunks):
        ws = wb.active if s == 0 else wb.create_sheet()
        ws.title = sector_names[s]
        out.sheets.append(ws.title)
        extra = s == 0 and any(rec.extra for i in chunk for rec in groups[i])
        measures = list(range(1, N_MEASURES + 1)) + ([33] if extra else [])
        top = [
            "Commune",
            "Département",
            "Liste",
            "Tête de liste",
            "Élue ?",
            "Principe A",
            "Principe B",
            "Principe C",
        ]
        sub = [f"#{m:02d}" for m in measures]
        _title(ws, f"Pacte pour la Transition – {dep_name} – {ws.title}", 12)
        for c, label in enumerate(top, start=1):
            ws.cell(row=4, column=c, value=label).font = Font(bold=True)
            ws.merge_cells(start_row=4, start_column=c, end_row=5, end_column=c)
        first = len(top) + 1
        ws.cell(row=4, column=first, value="Mesures (niveau d'ambition)").font = Font(bold=True)
        ws.cell(row=4, column=first).alignment = Alignment(horizontal="center")
        ws.merge_cells(start_row=4, start_column=first, end_row=4, end_column=first + len(sub) - 1)
        for k, label in enumerate(sub):
            ws.cell(row=5, column=first + k, value=label).font = Font(bold=True)
        ws.freeze_panes = "A6"
        if s == 0:
            first_labels = top + sub
        mcol = {m: first + k for k, m in enumerate(measures)}
        r = 6
        for i in chunk:
            for rec in groups[i]:
                values: list[Any] = [
                    rec.commune_name,
                    rec.departement_code,
                    rec.list_name,
                    rec.list_head,
                    "oui" if rec.elected else "non",
                ]
                values += ["oui" if p in rec.principles else "non" for p in PRINCIPLES]
                for m in measures:
                    lv = rec.levels.get(m) or rec.extra.get(m)
                    values.append(f"niv. {lv}" if lv else rec.invalid.get(m))
                for c, value in enumerate(values, start=1):
                    if value is not None:
                        ws.cell(row=r, column=c, value=value)
                _log_position(
                    out, rec, rel, ws.title, r, rec.commune_name, dep=rec.departement_code
                )
                _log_invalid(out, rec, rel, ws.title, r, mcol)
                r += 1
        if extra:
            out.mistakes.append(
                {
                    "source_file": rel,
                    "source_sheet": ws.title,
                    "source_row": None,
                    "source_column": _col(mcol[33]),
                    "code": "UNKNOWN_MEASURE",
                    "raw_value": "#33",
                    "description": "Colonne d'une mesure locale (33) hors de l'édition pacte-2020 : "
                    "signalée une fois, les 32 autres mesures sont importées.",
                }
            )
    _save_workbook(wb, path)
    out.header = first_labels
    return out


def _write_long(path: Path, rel: str, records: list[_Record], dep_name: str) -> _Written:
    """Long layout: one row per list × measure, principles as rows."""
    out = _Written()
    wb = _new_workbook()
    ws = wb.active
    ws.title = "Engagements"
    labels = [
        "Commune",
        "Département",
        "Liste",
        "Tête de liste",
        "Élue ?",
        "Mesure",
        "Engagement",
        "Niveau",
    ]
    _title(ws, f"Pacte pour la Transition – {dep_name} – engagements mesure par mesure", 8)
    _header(ws, 3, labels)
    r = 4
    for rec in records:
        ident = [
            rec.commune_name,
            rec.departement_code,
            rec.list_name,
            rec.list_head,
            "oui" if rec.elected else "non",
        ]
        lines: list[list[Any]] = []
        if rec.principles or rec.levels:
            lines += [
                [f"Principe {p}", "oui" if p in rec.principles else "non", None] for p in PRINCIPLES
            ]
        else:
            lines.append(["Principe A", "non", None])
        lines += [[f"Mesure {m}", "oui", lv] for m, lv in sorted(rec.levels.items())]
        _log_position(out, rec, rel, ws.title, r, rec.commune_name, dep=rec.departement_code)
        for line in lines:
            for c, value in enumerate(ident + line, start=1):
                if value is not None:
                    ws.cell(row=r, column=c, value=value)
            r += 1
    _save_workbook(wb, path)
    out.sheets, out.header = [ws.title], labels
    return out


def _write_compact(
    path: Path,
    rel: str,
    records: list[_Record],
    rng: np.random.Generator,
    dep_name: str,
    mistakes: list[_Record],
) -> _Written:
    """Compact: principles and measures listed in one cell each; commune + département name."""
    out = _Written()
    wb = _new_workbook()
    ws = wb.active
    ws.title = "Listes"
    labels = ["Commune", "Département", "Liste", "Tête de liste", "Élue ?", "Principes", "Mesures"]
    _title(ws, f"Pacte pour la Transition – {dep_name} – mesures retenues par liste", 7)
    _header(ws, 3, labels)
    r = 4
    for rec in records:
        commune = _article_last(rec.commune_name) if rng.random() < 0.5 else rec.commune_name
        principles = rec.principles if rng.random() < 0.2 else ", ".join(rec.principles)
        measures = "1-32" if len(rec.levels) == N_MEASURES else _compact_ranges(rec.levels)
        values = [
            commune,
            dep_name,
            rec.list_name,
            rec.list_head,
            "oui" if rec.elected else "non",
            principles,
            measures,
        ]
        for c, value in enumerate(values, start=1):
            if value:
                ws.cell(row=r, column=c, value=value)
        _log_position(out, rec, rel, ws.title, r, commune, dep=dep_name)
        r += 1
    r += 1  # rows added later by the group, after a blank line
    for rec in mistakes:
        commune, dep = rec.commune_override or ("", "")
        values = [
            commune,
            dep,
            rec.list_name,
            rec.list_head,
            "non",
            ", ".join(rec.principles),
            _compact_ranges(rec.levels),
        ]
        for c, value in enumerate(values, start=1):
            if value:
                ws.cell(row=r, column=c, value=value)
        _log_position(out, rec, rel, ws.title, r, commune, dep=dep)
        r += 1
    _save_workbook(wb, path)
    out.sheets, out.header = [ws.title], labels
    return out


def _write_csv(path: Path, rel: str, records: list[_Record]) -> _Written:
    """French Excel CSV export: cp1252, ``;``, CRLF, INSEE codes without their leading 0."""
    out = _Written()
    labels = ["Code INSEE", "Commune", "Liste", "Tête de liste", "Élue ?", "Principes"]
    labels += [f"N°{m}" for m in range(1, N_MEASURES + 1)]
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=";", lineterminator="\r\n")
    writer.writerow(labels)
    for r, rec in enumerate(records, start=2):
        code = rec.commune_code.lstrip("0") if rec.commune_code.isdigit() else rec.commune_code
        writer.writerow(
            [
                code,
                rec.commune_name,
                rec.list_name,
                rec.list_head,
                "Oui" if rec.elected else "Non",
                rec.principles,
            ]
            + ["x" if m in rec.levels else "" for m in range(1, N_MEASURES + 1)]
        )
        _log_position(out, rec, rel, "", r, rec.commune_name, code)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(buffer.getvalue().encode("cp1252"))
    out.header = labels
    return out


def _write_ods(path: Path, rel: str, records: list[_Record], dep_name: str) -> _Written:
    """LibreOffice spreadsheet: M01…M32 with « Niveau n », bare principle letters."""
    from odf.opendocument import OpenDocumentSpreadsheet
    from odf.table import Table, TableCell, TableRow
    from odf.text import P

    out = _Written()
    doc = OpenDocumentSpreadsheet()
    table = Table(name="Listes")
    labels = ["Commune", "Code postal", "Liste", "Tête de liste", "Élu·e", "A", "B", "C"]
    labels += [f"M{m:02d}" for m in range(1, N_MEASURES + 1)]
    mcol = {m: 8 + m for m in range(1, N_MEASURES + 1)}

    def add_row(values: Sequence[Any]) -> None:
        tr = TableRow()
        for value in values:
            if value is None or value == "":
                tr.addElement(TableCell())
                continue
            tc = TableCell(valuetype="string")
            tc.addElement(P(text=str(value)))
            tr.addElement(tc)
        table.addElement(tr)

    add_row([f"Pacte pour la Transition – {dep_name} ({DEMO_NOTICE})"])
    add_row(labels)
    for r, rec in enumerate(records, start=3):
        values: list[Any] = [
            rec.commune_name,
            rec.postal_code,
            rec.list_name,
            rec.list_head,
            "Oui" if rec.elected else "Non",
        ]
        values += ["oui" if p in rec.principles else "" for p in PRINCIPLES]
        for m in range(1, N_MEASURES + 1):
            lv = rec.levels.get(m)
            values.append(f"Niveau {lv}" if lv else rec.invalid.get(m))
        add_row(values)
        _log_position(out, rec, rel, "Listes", r, rec.commune_name, postal=rec.postal_code)
        _log_invalid(out, rec, rel, "Listes", r, mcol)
    doc.spreadsheet.addElement(table)
    path.parent.mkdir(parents=True, exist_ok=True)
    doc.save(str(path))
    _normalise_zip(path)
    out.sheets, out.header = ["Listes"], labels
    return out


def _readme_text(
    manifest_files: list[DemoFile],
    mistakes: pd.DataFrame,
    seed: int,
    scale: float,
    counts: dict[str, int],
) -> str:
    lines = [
        f"{DEMO_NOTICE} – Pacte pour la Transition 2020",
        "=" * (len(DEMO_NOTICE) + 31),
        "",
        "Ce dossier contient des suivis FICTIFS des engagements des listes municipales",
        "envers le Pacte pour la Transition 2020. Toutes les listes, tous les noms de",
        "têtes de liste et tous les engagements sont inventés : ils ne décrivent ni des",
        "personnes ni des listes réelles. Seules les communes (COG 2020) sont réelles.",
        "Les colonnes « Élue ? » sont elles aussi fictives.",
        "",
        f"Généré par pacte_analysis.demo (graine {seed}, échelle {scale:g}).",
        f"Communes avec un groupe : {counts['communes_with_group']} ; listes : {counts['lists']} ;",
        f"listes signataires : {counts['signatory_lists']} ; équipes signataires élues : "
        f"{counts['elected_signatory_teams']}.",
        "",
        "Fichiers :",
    ]
    for f in manifest_files:
        lines.append(f"  - {f.path} : {LAYOUTS.get(f.layout, f.layout)} ({f.n_lists} listes)")
    lines += ["", "Erreurs volontaires (le rapport de validation doit les signaler) :"]
    for m in mistakes.to_dict("records"):
        where = str(m["source_file"])
        if m["source_sheet"]:
            where += f", feuille « {m['source_sheet']} »"
        if pd.notna(m["source_row"]):
            where += f", ligne {int(m['source_row'])}"
        if isinstance(m["source_column"], str) and m["source_column"]:
            where += f", colonne {m['source_column']}"
        lines.append(f"  - {m['code']} — {where} : {m['description']}")
    lines += ["", "Régénérer : pacte demo (ou python -m pacte_analysis.demo).", ""]
    return "\n".join(lines)


# --------------------------------------------------------------------------- main
def _to_record(row: Any, levels: dict[int, int], postal: str) -> _Record:
    return _Record(
        key=row.list_key,
        commune_code=row.commune_code,
        commune_name=row.commune_name,
        departement_code=row.departement_code,
        postal_code=postal,
        list_name=row.list_name,
        list_head=row.list_head,
        principles=row.principles,
        levels=levels,
        elected=bool(row.elected),
        status=row.status,
        signed_on=row.signed_on if isinstance(row.signed_on, dt.date) else None,
    )


def _prepare_out_dir(out: Path) -> Path:
    """A fresh temporary sibling of ``out``; refuse to replace a foreign folder."""
    if out.exists():
        readme = out / README_NAME
        foreign = any(out.iterdir()) and not (
            readme.is_file() and DEMO_NOTICE in readme.read_text(encoding="utf-8", errors="replace")
        )
        if foreign:
            raise FileExistsError(
                f"Le dossier {out} existe et ne contient pas un jeu de démonstration : "
                "choisissez un dossier vide."
            )
    out.parent.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix=".demo-", dir=out.parent))
    tmp.chmod(0o755)  # mkdtemp makes it private; the demo folder is an ordinary one
    return tmp


def generate_demo(
    out_dir: Path | str | None = None, *, seed: int = 2020, scale: float = 1.0
) -> DemoManifest:
    """Write the fictitious national set of demo trackers.

    Parameters
    ----------
    out_dir : path-like, optional
        Folder to (re)create; default ``data/raw/demo`` (:func:`pacte_analysis.config.raw_dir`).
        An existing demo folder is replaced as a whole; any other non-empty
        folder is refused.
    seed : int, default 2020
        Same seed → byte-identical files.
    scale : float, default 1.0
        Share of the country simulated (``0.05`` for fast tests), see :func:`simulate`.

    Returns
    -------
    DemoManifest
        The files, the ground truth as written, the deliberate mistakes and the
        counts an import should report.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> m = generate_demo(pathlib.Path(tempfile.mkdtemp()) / "demo", scale=0.05)
    >>> sorted({f.layout for f in m.files})  # doctest: +NORMALIZE_WHITESPACE
    ['compact', 'csv', 'large-marques', 'large-niveaux', 'long', 'national', 'ods', 'readme']
    """
    started = time.perf_counter()
    out = Path(out_dir) if out_dir is not None else raw_dir() / "demo"
    truth = simulate(seed=seed, scale=scale)
    rng = np.random.default_rng([seed, 1])
    from pacte_analysis.reference import departements, postal_codes

    pc = postal_codes()
    postal = pc.sort_values("postal_code").drop_duplicates("commune_code")
    postal_of = dict(
        zip(postal["commune_code"].astype(str), postal["postal_code"].astype(str), strict=True)
    )
    deps = pd.DataFrame(departements())
    dep_name = dict(zip(deps["code"].astype(str), deps["name"].astype(str), strict=True))

    lists = truth.lists
    levels_of: dict[str, dict[int, int]] = {}
    for key, m, lv in truth.commitments.itertuples(index=False):
        levels_of.setdefault(str(key), {})[int(m)] = int(lv)
    records = {
        str(row.list_key): _to_record(
            row, levels_of.get(str(row.list_key), {}), postal_of.get(str(row.commune_code), "")
        )
        for row in lists.itertuples(index=False)
    }

    # one local group's file per chosen département; the rest is consolidated nationally
    per_dep = {
        str(d): int(n) for d, n in lists["departement_code"].astype(str).value_counts().items()
    }
    candidates = sorted(d for d, n in per_dep.items() if n >= 3 and d not in {"75", "69", "13"})
    if len(candidates) < len(_LOCAL_LAYOUTS):
        candidates = sorted(d for d in per_dep if d not in {"75", "69", "13"})
    if len(candidates) < len(_LOCAL_LAYOUTS):
        raise ValueError(
            f"scale={scale} est trop petite pour répartir les listes entre les fichiers."
        )
    sizes = np.array([per_dep[d] for d in candidates], dtype=float)
    chosen = [candidates[i] for i in _weighted_pick(rng, sizes, len(_LOCAL_LAYOUTS))]
    chosen = [chosen[i] for i in rng.permutation(len(chosen))]
    layout_of_dep = dict(zip(chosen, _LOCAL_LAYOUTS, strict=True))
    by_layout: dict[str, list[_Record]] = {k: [] for k in ("national", *_LOCAL_LAYOUTS)}
    for dep_code, list_key in zip(lists["departement_code"], lists["list_key"], strict=True):
        by_layout[layout_of_dep.get(str(dep_code), "national")].append(records[str(list_key)])
    dep_of_layout = {v: k for k, v in layout_of_dep.items()}
    suffixes = {
        "large-marques": ".xlsx",
        "large-niveaux": "-secteurs.xlsx",
        "long": "-engagements.xlsx",
        "compact": ".xlsx",
        "csv": "-export.csv",
        "ods": ".ods",
    }
    rel_of_layout = {
        layout: f"groupes/{dep}-{_slug(dep_name.get(dep, dep))}{suffixes[layout]}"
        for layout, dep in dep_of_layout.items()
    }

    # deliberate mistakes ------------------------------------------------------
    def fake(name: str, head: str, over: tuple[str, str], code: str, text: str) -> _Record:
        return _Record(
            key=None,
            commune_code="",
            commune_name="",
            departement_code="",
            postal_code="",
            list_name=name,
            list_head=head,
            principles=PRINCIPLES,
            levels=dict.fromkeys((3, 7, 15, 18, 28, 31, 5, 12, 1, 14), 1),
            elected=False,
            status="signataire",
            mistake=(code, text),
            commune_override=over,
        )

    compact_extra: list[_Record] = []
    for k, (name, dep) in enumerate(_UNKNOWN_SPELLINGS, start=1):
        compact_extra.append(
            fake(
                f"Liste démo erreur {k}",
                f"Alix Erreur-Démo{k}",
                (name, dep),
                "UNKNOWN_COMMUNE",
                f"Commune mal orthographiée « {name} » : introuvable dans le COG 2020.",
            )
        )
    for k, name in enumerate(_AMBIGUOUS_NAMES, start=1):
        compact_extra.append(
            fake(
                f"Liste démo homonyme {k}",
                f"Sacha Homonyme-Démo{k}",
                (name, ""),
                "AMBIGUOUS_COMMUNE",
                f"« {name} » sans département : plusieurs communes portent ce nom.",
            )
        )
    compact_extra.append(
        fake(
            "Liste démo sans commune",
            "Lou Oubli-Démo",
            ("", ""),
            "MISSING_COMMUNE",
            "Ligne sans commune (ni nom, ni code, ni code postal).",
        )
    )

    taken: set[str | None] = set()

    def pick(layout: str, want_signatory: bool) -> _Record | None:
        pool = [r for r in by_layout[layout] if r.key not in taken and len(r.levels) < N_MEASURES]
        best = (
            [r for r in pool if r.levels and (r.status == "signataire") == want_signatory]
            or [r for r in pool if r.levels]
            or pool
        )
        if not best:
            return None
        chosen_record = best[int(rng.integers(len(best)))]
        taken.add(chosen_record.key)
        return chosen_record

    national_extra: list[_Record] = []
    duplicate = pick("long", True)
    if duplicate is not None:  # identical copy consolidated nationally
        national_extra.append(
            _Record(
                **{
                    **duplicate.__dict__,
                    "key": None,
                    "invalid": {},
                    "extra": {},
                    "mistake": (
                        "DUPLICATE_LIST",
                        f"Liste « {duplicate.list_name} » recopiée à l'identique "
                        f"depuis {rel_of_layout['long']} : une seule est importée.",
                    ),
                }
            )
        )
    conflict = pick("ods", False) or pick("ods", True)
    if conflict is not None:  # a copy that disagrees: both versions are refused
        levels = dict(conflict.levels)
        dropped = min(levels)
        del levels[dropped]
        added = next(m for m in (7, 15, 28, 3, 5, 18, 1, 2, 4, 9) if m not in conflict.levels)
        levels[added] = 2
        national_extra.append(
            _Record(
                **{
                    **conflict.__dict__,
                    "key": None,
                    "levels": levels,
                    "invalid": {},
                    "extra": {},
                    "mistake": (
                        "CONFLICTING_LIST",
                        f"Liste « {conflict.list_name} » recopiée avec des "
                        f"engagements différents (mesure {dropped} retirée, {added} ajoutée).",
                    ),
                }
            )
        )
    # invalid values on measures the list did not commit to
    for layout, raw in (("national", "peut-être"), ("large-marques", "?"), ("ods", "Niveau 4")):
        target = pick(layout, True)
        if target is not None:
            free = [m for m in range(1, N_MEASURES + 1) if m not in target.levels]
            if free:
                target.invalid[free[int(rng.integers(len(free)))]] = raw
    # a local variant's 33rd measure
    local33 = by_layout["large-niveaux"]
    if local33:
        local33[0].extra[33] = 1

    # write ---------------------------------------------------------------------
    tmp = _prepare_out_dir(out)
    try:
        written: dict[str, tuple[_Written, str, str | None]] = {}
        national = sorted(by_layout["national"] + national_extra, key=lambda r: r.commune_code)
        written[NATIONAL_FILE] = (
            _write_national(tmp / NATIONAL_FILE, NATIONAL_FILE, national, rng),
            "national",
            None,
        )
        for layout in _LOCAL_LAYOUTS:
            dep = dep_of_layout[layout]
            name = dep_name.get(dep, dep)
            rel = rel_of_layout[layout]
            recs = sorted(by_layout[layout], key=lambda r: (r.commune_name, r.list_name))
            if layout == "large-marques":
                w = _write_marks(tmp / rel, rel, recs, rng, name)
            elif layout == "large-niveaux":
                w = _write_levels(tmp / rel, rel, recs, name)
            elif layout == "long":
                w = _write_long(tmp / rel, rel, recs, name)
            elif layout == "compact":
                w = _write_compact(tmp / rel, rel, recs, rng, name, compact_extra)
            elif layout == "csv":
                w = _write_csv(tmp / rel, rel, recs)
            else:
                w = _write_ods(tmp / rel, rel, recs, name)
            written[rel] = (w, layout, dep)

        # assemble the manifest
        files: list[DemoFile] = []
        placed: list[dict[str, Any]] = []
        mistakes: list[dict[str, Any]] = []
        for rel, (w, layout, file_dep) in written.items():
            files.append(
                DemoFile(rel, layout, file_dep, tuple(w.sheets), tuple(w.header), len(w.positions))
            )
            for key, (sheet, line) in w.positions.items():
                placed.append(
                    {
                        "list_key": key,
                        "source_file": rel,
                        "source_sheet": sheet,
                        "source_row": line,
                        "layout": layout,
                        **w.written[key],
                    }
                )
            mistakes.extend(w.mistakes)
        if conflict is not None:  # the original row is refused too
            for m in list(mistakes):
                if m["code"] == "CONFLICTING_LIST":
                    src = next(p for p in placed if p["list_key"] == conflict.key)
                    mistakes.append(
                        {
                            **m,
                            "source_file": src["source_file"],
                            "source_sheet": src["source_sheet"],
                            "source_row": src["source_row"],
                            "description": "Version d'origine de la liste en conflit "
                            "(refusée elle aussi).",
                        }
                    )
        mistakes_df = pd.DataFrame(
            mistakes,
            columns=[
                "source_file",
                "source_sheet",
                "source_row",
                "source_column",
                "code",
                "raw_value",
                "description",
            ],
        )
        mistakes_df["source_row"] = mistakes_df["source_row"].astype("Int64")
        where = pd.DataFrame(placed)
        man_lists = lists.merge(where, on="list_key", how="left", validate="one_to_one")
        man_lists["levels_recorded"] = man_lists["layout"].isin(
            ["national", "large-niveaux", "long", "ods"]
        )
        man_lists["importable"] = man_lists["list_key"] != (conflict.key if conflict else None)
        no_dates = man_lists["layout"] != "national"
        man_lists["signed_on"] = man_lists["signed_on"].astype(object).where(~no_dates, None)
        man_lists.loc[~man_lists["levels_recorded"], "mean_level"] = np.nan
        commits = truth.commitments.merge(
            man_lists[["list_key", "levels_recorded"]], on="list_key", how="left"
        )
        commits["level"] = commits["level"].astype("Int64").where(commits["levels_recorded"])
        commits = commits.drop(columns="levels_recorded")

        ok = man_lists[man_lists["importable"]]
        expected = {
            "lists": len(ok),
            "signatory_lists": int(ok["signatory"].sum()),
            "elected_signatory_teams": int((ok["signatory"] & ok["elected"]).sum()),
            "communes": int(ok["commune_code"].nunique()),
            "commitments": int(ok["n_measures"].sum()),
            "rejects": len(mistakes_df),
        }
        readme_file = DemoFile(README_NAME, "readme", None, (), (), 0)
        files.append(readme_file)
        (tmp / README_NAME).write_text(
            _readme_text(files, mistakes_df, seed, scale, truth.counts), encoding="utf-8"
        )
        if out.exists():
            shutil.rmtree(out)
        tmp.rename(out)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    manifest = DemoManifest(
        out_dir=out,
        files=files,
        lists=man_lists,
        commitments=commits,
        mistakes=mistakes_df,
        counts=dict(truth.counts),
        expected=expected,
        seed=seed,
        scale=scale,
        elapsed=time.perf_counter() - started,
    )
    _write_stamp(out, seed, scale)
    logger.info("jeu de démonstration écrit dans %s en %.1f s", out, manifest.elapsed)
    return manifest


# --------------------------------------------------------------------------- stamp
#: Version of the generator's output: bump it when the same seed and scale give other
#: files (the stamp also covers this module's source, the libraries that write the
#: files and the reference data the generator reads).
DEMO_GENERATOR_VERSION = 1
_STAMPED_LIBRARIES = ("numpy", "pandas", "openpyxl", "odfpy")


def demo_stamp_path(out_dir: Path | str) -> Path:
    """The stamp of a generated demo folder: ``.<name>.stamp.json`` beside it.

    It lies outside the folder, so that importing the folder never meets it.

    Examples
    --------
    >>> demo_stamp_path("data/raw/demo").as_posix()
    'data/raw/.demo.stamp.json'
    """
    out = Path(out_dir)
    return out.parent / f".{out.name}.stamp.json"


def _sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def _generator_key(seed: int, scale: float) -> dict[str, Any]:
    """What decides the generator's bytes, besides its code's version number."""
    from importlib import metadata

    from pacte_analysis import _reproducible
    from pacte_analysis.reference._build import cache_path

    manifest = cache_path(2020) / "manifest.json"
    return {
        "generator_version": DEMO_GENERATOR_VERSION,
        "seed": int(seed),
        "scale": float(scale),
        "source_sha256": hashlib.sha256(
            Path(__file__).read_bytes() + Path(_reproducible.__file__).read_bytes()
        ).hexdigest(),
        "libraries": {name: metadata.version(name) for name in _STAMPED_LIBRARIES},
        "reference_sha256": _sha256(manifest) if manifest.is_file() else None,
    }


def _folder_files(out: Path) -> dict[str, str] | None:
    """SHA-256 of every file under ``out`` by relative path; ``None`` if one is not a file."""
    found: dict[str, str] = {}
    for root, dirs, names in os.walk(out):
        dirs.sort()
        for name in sorted(names) + [d for d in dirs if os.path.islink(os.path.join(root, d))]:
            path = Path(root) / name
            if path.is_symlink() or not path.is_file():
                return None  # not what the generator writes
            found[path.relative_to(out).as_posix()] = _sha256(path)
    return found


def _write_stamp(out: Path, seed: int, scale: float) -> None:
    stamp = {"key": _generator_key(seed, scale), "files": _folder_files(out)}
    path = demo_stamp_path(out)
    tmp = path.with_name(path.name + ".tmp")
    try:
        tmp.write_text(json.dumps(stamp, indent=1, sort_keys=True), encoding="utf-8")
        tmp.replace(path)
    except OSError as exc:  # the stamp only saves time: the demo folder is complete
        logger.warning("empreinte du jeu de démonstration non écrite (%s) : %s", path, exc)
        tmp.unlink(missing_ok=True)


def _is_generated(out: Path, seed: int, scale: float) -> bool:
    """Whether ``out`` holds exactly the files the generator would write for ``seed``, ``scale``."""
    try:
        stamp = json.loads(demo_stamp_path(out).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return False
    if not isinstance(stamp, dict) or stamp.get("key") != _generator_key(seed, scale):
        return False
    files = stamp.get("files")
    return isinstance(files, dict) and bool(files) and _folder_files(out) == files


def ensure_demo(out_dir: Path | str | None = None, *, seed: int = 2020, scale: float = 1.0) -> bool:
    """Make sure ``out_dir`` holds the demo trackers of ``seed`` and ``scale``.

    The folder is kept as it is when its stamp (:func:`demo_stamp_path`, written by
    :func:`generate_demo`) says it is the output of this generator version, seed,
    scale, libraries and reference data, and every file's SHA-256 matches it (no file
    missing, changed or added). Otherwise it is regenerated with :func:`generate_demo`
    (same bytes as before when nothing but the files changed).

    Parameters
    ----------
    out_dir : path-like, optional
        Default ``data/raw/demo``.
    seed : int, default 2020
    scale : float, default 1.0

    Returns
    -------
    bool
        True when the folder was (re)generated, False when it was already right.
    """
    out = Path(out_dir) if out_dir is not None else raw_dir() / "demo"
    if out.is_dir() and _is_generated(out, seed, scale):
        logger.info("jeu de démonstration à jour dans %s : gardé tel quel", out)
        return False
    generate_demo(out, seed=seed, scale=scale)
    return True


if __name__ == "__main__":  # pragma: no cover
    print(generate_demo().summary())


# --------------------------------------------------------------------------- follow-up
#: Statuses drawn for the fictitious follow-up, with their probabilities.
_FOLLOWUP_DRAW = (
    ("réalisée", 0.22),
    ("en cours", 0.25),
    ("amorcée", 0.18),
    ("non engagée", 0.30),
    ("abandonnée", 0.05),
)


def write_demo_followup(
    lists: pd.DataFrame, commitments: pd.DataFrame, folder: Path | str, *, seed: int = 2020
) -> list[Path]:
    """Write fictitious follow-up grids (« bilan de mandat ») for the demo's elected teams.

    For each elected signatory team of the imported demo tables, a status is drawn for
    each measure it committed to (some left unassessed). Half of the communes go to a
    wide workbook (one row per commune, one column per measure), the others to a long
    CSV (one row per commune × measure, with a comment). Every file says it is
    fictitious. Same tables, same seed → same bytes.

    Parameters
    ----------
    lists, commitments : pandas.DataFrame
        Tables of the demo import.
    folder : path-like
        Where to write (created).
    seed : int, default 2020

    Returns
    -------
    list of Path
        The files written.
    """
    from openpyxl import Workbook

    from pacte_analysis._style import DEMO_MARK

    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    rng = np.random.default_rng([seed, 2026])
    teams = lists[lists["signatory"] & lists["elected"].fillna(False).astype(bool)]
    teams = teams.sort_values(["commune_code", "list_id"]).drop_duplicates("commune_code")
    committed = commitments[commitments["committed"]]
    by_list = committed.groupby("list_id")["measure"].apply(sorted).to_dict()
    labels = [s for s, _ in _FOLLOWUP_DRAW]
    weights = np.array([p for _, p in _FOLLOWUP_DRAW])
    wide_rows: list[list[Any]] = []
    long_rows: list[list[Any]] = []
    for k, team in enumerate(teams.itertuples(index=False)):
        measures = by_list.get(team.list_id, [])
        if not measures:
            continue
        drawn = rng.choice(len(labels), size=len(measures), p=weights)
        unassessed = rng.random(len(measures)) < 0.1
        statuses = {
            m: (None if skip else labels[d])
            for m, d, skip in zip(measures, drawn, unassessed, strict=True)
        }
        if k % 2 == 0:
            row: list[Any] = [team.commune_code, team.commune_name]
            row += [statuses.get(m) for m in range(1, N_MEASURES + 1)]
            wide_rows.append(row)
        else:
            for m, status in statuses.items():
                if status is not None:
                    comment = "exemple fictif" if status == "réalisée" else ""
                    long_rows.append(
                        [team.commune_code, team.commune_name, f"M{m}", status, comment]
                    )
    written: list[Path] = []
    wb = Workbook()
    ws = wb.active
    ws.title = "Bilan fictif"
    ws.append([f"{DEMO_MARK} — bilan de mandat fictif des équipes élues signataires"])
    ws.append(["Code INSEE", "Commune"] + [f"Mesure {m}" for m in range(1, N_MEASURES + 1)])
    for row in wide_rows:
        ws.append(row)
    path = folder / "bilan-mandat-fictif-large.xlsx"
    wb.properties.created = wb.properties.modified = _DOC_DATE
    _save_workbook(wb, path)
    written.append(path)
    path = folder / "bilan-mandat-fictif-long.csv"
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle, delimiter=";")
        writer.writerow([f"{DEMO_MARK} — bilan de mandat fictif"])
        writer.writerow(["Code INSEE", "Commune", "Mesure", "État d'avancement", "Commentaire"])
        writer.writerows(long_rows)
    written.append(path)
    return written
