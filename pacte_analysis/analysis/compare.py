"""Comparisons: lists of a commune, elected or not, size classes, territories, win rate."""

from __future__ import annotations

import unicodedata
from collections.abc import Iterable, Sequence
from typing import Any, Literal

import numpy as np
import pandas as pd

from pacte_analysis.analysis._core import (
    _LEVEL_WORDS,
    _TERRITORY_KEYS,
    ELECTED_STATUSES,
    FRANCE_CODE,
    SIZE_CLASSES,
    UNASSIGNED_THEME,
    UNKNOWN_SIZE_CLASS,
    EditionLike,
    TerritoryLevel,
    _check_code,
    _list_core,
    _prepare_communes,
    _restrict,
    _share,
    _theme_order,
)
from pacte_analysis.analysis.metrics import (
    _METRICS,
    Metric,
    TerritoryRows,
    available_metrics,
    compute_territory_metrics,
    summary_output,
)
from pacte_analysis.analysis.summaries import (
    _commune_core,
    _display_name,
    _rank_lists,
    territory_summary,
)
from pacte_analysis.editions import DEFAULT_EDITION, read_edition
from pacte_analysis.errors import (
    InvalidArgumentError,
    PacteTypeError,
    UnknownCodeError,
)

__all__ = [
    "compare_elected",
    "compare_lists",
    "compare_size_classes",
    "compare_territories",
    "size_class",
    "win_rate",
]


@summary_output("win_rate")
def win_rate(
    lists: pd.DataFrame,
    commitments: pd.DataFrame,
    communes: pd.DataFrame | None = None,
    edition: EditionLike = DEFAULT_EDITION,
) -> pd.DataFrame:
    """Do signatory lists win more often than the others? Overall and by commune size.

    The reverse view of :func:`compare_elected`: among the lists whose result is
    known, the share that was elected, for signatory lists and for the others.

    Parameters
    ----------
    lists, commitments : DataFrame
        Canonical tables.
    communes : (Geo)DataFrame, optional
        Reference communes (``code``, ``population``): adds one pair of rows per
        commune size class (:data:`SIZE_CLASSES`).
    edition : Edition or str, default DEFAULT_EDITION ("pacte-2020")

    Returns
    -------
    DataFrame
        ``size_class`` (« Toutes les communes » first, « Population inconnue »
        last when some communes have none), ``signatory`` (bool),
        ``n_lists``, ``n_known`` (result known), ``n_elected``, ``win_rate`` (% of
        ``n_known``; NaN when no result is known) and ``difference`` (points of
        win rate of the signatory lists over the others, on the signatory row).

    Examples
    --------
    >>> import pandas as pd
    >>> lists = pd.DataFrame({"list_id": list("abcd"), "edition": "pacte-2020",
    ...     "commune_code": ["35238"] * 4, "principles": ["ABC"] * 4,
    ...     "n_measures": [12, 12, 0, 0], "mean_level": [None] * 4,
    ...     "signatory": [True, True, False, False], "elected": [True, False, False, None]})
    >>> com = pd.DataFrame(columns=["list_id", "measure", "committed", "level"])
    >>> win_rate(lists, com)[["signatory", "n_known", "n_elected", "win_rate"]].values.tolist()
    [[True, 2, 1, 50.0], [False, 1, 0, 0.0]]
    """
    ed = read_edition(edition)
    ls, _ = _list_core(lists, commitments, ed, where="win_rate", text=False)
    groups: list[tuple[str, pd.DataFrame]] = [("Toutes les communes", ls)]
    if communes is not None:
        ref = _prepare_communes(communes, where="win_rate")
        pop = ls["commune_code"].map(pd.Series(ref["population"].to_numpy(), index=ref["code"]))
        classes = size_class(pop)
        groups += [
            (label, ls.loc[(classes == label).fillna(False).to_numpy(dtype=bool)])
            for _, label in SIZE_CLASSES
        ]
        unknown = classes.isna().to_numpy()
        if unknown.any():  # e.g. Mayotte: no population, no size class, never dropped
            groups.append((UNKNOWN_SIZE_CLASS, ls.loc[unknown]))
    rows = []
    for label, sub in groups:
        for signed in (True, False):
            part = sub.loc[sub["signatory"] == signed]
            known = part["elected"].notna()
            n_known = int(known.sum())
            n_elected = int(part["elected"].fillna(False).astype(bool).sum())
            rows.append(
                {
                    "size_class": label,
                    "signatory": signed,
                    "n_lists": len(part),
                    "n_known": n_known,
                    "n_elected": n_elected,
                    "win_rate": 100.0 * n_elected / n_known if n_known else np.nan,
                }
            )
    out = pd.DataFrame(rows)
    out["size_class"] = out["size_class"].astype("str")
    gap = out["win_rate"].where(out["signatory"]).to_numpy()
    other = out["win_rate"].where(~out["signatory"]).shift(-1).to_numpy()
    out["difference"] = np.where(out["signatory"], gap - other, np.nan)
    return out


# --------------------------------------------------------------------------- comparisons


def _codes_first(function: str, example: str, *codes: object) -> None:
    """Say so when a table is given where the function expects its codes first."""
    if any(isinstance(code, pd.DataFrame | pd.Series) for code in codes):
        raise PacteTypeError(
            f"{function} : les premiers arguments sont ce que l'on compare (codes ou nom), "
            f"puis les tables ; une table a été reçue à leur place. Exemple : "
            f"{function}({example})."
        )


@summary_output("compare_lists")
def compare_lists(
    commune_code: str,
    lists: pd.DataFrame,
    commitments: pd.DataFrame,
    edition: EditionLike = DEFAULT_EDITION,
    *,
    values: Literal["committed", "level", "label"] = "committed",
    columns: Literal["list_name", "list_id"] = "list_name",
    mark_elected: bool = True,
) -> pd.DataFrame:
    """Put the lists of one commune side by side: a measure × list matrix.

    Parameters
    ----------
    commune_code : str
        INSEE code of the commune (``"35238"``), or its name (``"Rennes"``,
        ``"Saint-Denis (93)"``), resolved like the import does: an ambiguous or
        unknown name raises an error listing the candidates.
    lists, commitments : DataFrame
        Canonical tables.
    edition : Edition or str, default DEFAULT_EDITION ("pacte-2020")
    values : {'committed', 'level', 'label'}, default 'committed'
        Cell content: ``committed`` a boolean; ``level`` the level (nullable
        integer, null when not committed or not given); ``label`` a French text
        for tables: ``"N2"``, ``"✓"`` (committed, level not given) or ``""``.
    columns : {'list_name', 'list_id'}, default 'list_name'
        Column labels: the list's name (its head, then its id, when missing;
        the id is appended to duplicate names) or its id.
    mark_elected : bool, default True
        Append « (élue) » to the name of the elected list (``columns="list_name"``).

    Returns
    -------
    DataFrame
        Index: the edition's measure numbers (``measure``); first column
        ``label`` (the measure's French label), then one column per list,
        ordered by decreasing number of measures. ``df.attrs["lists"]`` keeps the
        list ids in column order.

    Raises
    ------
    UnknownCodeError
        No list is known in that commune, or the name is unknown or ambiguous
        (French message with the candidates); a ``KeyError``.
    InvalidArgumentError
        ``values`` or ``columns`` not one of the allowed values.

    Examples
    --------
    >>> import pandas as pd
    >>> lists = pd.DataFrame({"list_id": ["a", "b"], "edition": "pacte-2020",
    ...     "commune_code": ["35238", "35238"], "list_name": ["Verts", "Bleus"],
    ...     "principles": ["ABC", "ABC"], "n_measures": [2, 1],
    ...     "mean_level": [None, None], "signatory": [False, False],
    ...     "elected": [None, None]})
    >>> com = pd.DataFrame({"list_id": ["a", "a", "b"], "measure": [1, 2, 2],
    ...     "committed": [True, True, True], "level": [3, None, 1]})
    >>> m = compare_lists("35238", lists, com, values="label")
    >>> m.loc[[1, 2], ["Verts", "Bleus"]].values.tolist()
    [['N3', ''], ['✓', 'N1']]
    """
    for arg, value, allowed in (
        ("values", values, ("committed", "level", "label")),
        ("columns", columns, ("list_name", "list_id")),
    ):
        if value not in allowed:
            raise InvalidArgumentError(
                f"compare_lists : {arg}=« {value} » inconnu ; valeurs possibles : "
                f"{', '.join(allowed)}."
            )
    _codes_first("compare_lists", '"Rennes", lists, commitments', commune_code)
    ed = read_edition(edition)
    ls, com = _list_core(lists, commitments, ed, where="compare_lists", text=False)
    commune_code = _commune_of(commune_code, ls)
    ls = _rank_lists(ls.loc[ls["commune_code"] == str(commune_code)])
    if ls.empty:
        raise UnknownCodeError(
            f"compare_lists : aucune liste connue pour la commune {commune_code}.",
            code="NO_LIST",
        )
    com = _restrict(com, ls)
    numbers = pd.Index(ed.measure_numbers, name="measure")
    if columns == "list_id":
        names = ls["list_id"].astype(str).tolist()
    else:
        base = _display_name(ls).astype(str).tolist()
        dupes = {n for n in base if base.count(n) > 1}
        names = [
            f"{n} ({lid})" if n in dupes else n
            for n, lid in zip(base, ls["list_id"].astype(str), strict=True)
        ]
    out = pd.DataFrame({"label": [m.label for m in ed.measures]}, index=numbers)
    out["label"] = out["label"].astype("str")
    if mark_elected and columns == "list_name":
        elected = ls["elected"].fillna(False).astype(bool).tolist()
        names = [f"{n} (élue)" if e else n for n, e in zip(names, elected, strict=True)]
    for lid, name in zip(ls["list_id"].astype(str), names, strict=True):
        sub = com.loc[com["list_id"] == lid].set_index("measure")["level"]
        committed = pd.Series(numbers.isin(sub.index), index=numbers)
        level = sub.reindex(numbers).astype("Int64")
        if values == "committed":
            out[name] = committed
        elif values == "level":
            out[name] = level
        else:
            text = [
                ("" if not c else ("✓" if pd.isna(lv) else f"N{int(lv)}"))
                for c, lv in zip(committed, level, strict=True)
            ]
            out[name] = pd.Series(text, index=numbers, dtype="str")
    out.attrs["lists"] = ls["list_id"].astype(str).tolist()
    out.attrs["commune_code"] = str(commune_code)
    return out


def _commune_of(value: object, ls: pd.DataFrame) -> str:
    """An INSEE code from a code or a commune name (resolved like the import)."""
    if not isinstance(value, str):
        raise PacteTypeError(
            "compare_lists : donnez le code INSEE (texte, « 35238 ») ou le nom de la "
            f"commune, pas {type(value).__name__} « {value} »."
        )
    text = value.strip()
    if text in set(ls["commune_code"].dropna()):
        return text
    if len(text) == 5 and (text[:2].isdigit() or text[:2] in ("2A", "2B")) and text[2:].isdigit():
        return text  # a code without lists: reported by the caller
    from pacte_analysis.reference import resolve_commune

    res = resolve_commune(name=text)
    if res.code is not None:
        return res.code
    candidates = ", ".join(f"{c.name} ({c.departement_code}, {c.code})" for c in res.candidates[:8])
    what = "ambiguë" if res.reason == "AMBIGUOUS_COMMUNE" else "inconnue"
    hint = f" Candidates : {candidates}." if candidates else ""
    raise UnknownCodeError(
        f"compare_lists : commune « {text} » {what}.{hint} Précisez le département "
        "(« Saint-Denis (93) ») ou donnez le code INSEE.",
        code=res.reason or "UNKNOWN_COMMUNE",
    )


def _elected_status(elected: pd.Series) -> pd.Series:
    status = np.where(
        elected.isna(),
        ELECTED_STATUSES[2],
        np.where(elected.fillna(False).astype(bool), ELECTED_STATUSES[0], ELECTED_STATUSES[1]),
    )
    return pd.Series(
        pd.Categorical(status, categories=ELECTED_STATUSES, ordered=True), index=elected.index
    )


@summary_output("compare_elected")
def compare_elected(
    lists: pd.DataFrame,
    commitments: pd.DataFrame,
    edition: EditionLike = DEFAULT_EDITION,
    *,
    by: Literal["status", "measure", "theme"] = "status",
) -> pd.DataFrame:
    """Compare the elected lists with the others (and those whose result is unknown).

    Parameters
    ----------
    lists, commitments : DataFrame
        Canonical tables.
    edition : Edition or str, default DEFAULT_EDITION ("pacte-2020")
    by : {'status', 'measure', 'theme'}, default 'status'
        ``status``: one row per outcome (:data:`ELECTED_STATUSES`) with
        ``n_lists, n_signatory, share_signatory, mean_measures, median_measures,
        mean_level``. ``measure``: one row per measure with
        ``share_elected, share_not_elected, share_unknown`` (% of the lists of
        each outcome committing to it) and ``difference`` (elected minus not
        elected, in points). ``theme``: the same per theme, as engagement rates
        (% of the theme's measures committed, averaged over the lists).

    Returns
    -------
    DataFrame

    Examples
    --------
    >>> import pandas as pd
    >>> lists = pd.DataFrame({"list_id": ["a", "b", "c"], "edition": "pacte-2020",
    ...     "commune_code": ["1", "1", "2"], "principles": ["ABC"] * 3,
    ...     "n_measures": [12, 4, 10], "mean_level": [None] * 3,
    ...     "signatory": [True, False, True], "elected": [True, False, None]})
    >>> com = pd.DataFrame(columns=["list_id", "measure", "committed", "level"])
    >>> c = compare_elected(lists, com)
    >>> c[["status", "n_lists", "share_signatory", "mean_measures"]].values.tolist()
    [['Élue', 1, 100.0, 12.0], ['Non élue', 1, 0.0, 4.0], ['Résultat inconnu', 1, 100.0, 10.0]]
    """
    ed = read_edition(edition)
    ls, com = _list_core(lists, commitments, ed, where="compare_elected", text=False)
    ls["status"] = _elected_status(ls["elected"])
    if by == "status":
        g = ls.groupby("status", observed=False)
        out = pd.DataFrame(
            {
                "n_lists": g.size().astype("int64"),
                "n_signatory": g["signatory"].sum().astype("int64"),
                "mean_measures": g["n_measures"].mean().astype("float64"),
                "median_measures": g["n_measures"].median().astype("float64"),
                "mean_level": g["mean_level"].mean().astype("Float64").astype("float64"),
            }
        )
        out.insert(2, "share_signatory", _share(out["n_signatory"], out["n_lists"]))
        out.index = pd.CategoricalIndex(
            out.index, categories=ELECTED_STATUSES, ordered=True, name="status"
        )
        return out.reset_index()

    com = com.merge(ls[["list_id", "status"]], on="list_id")
    n_per_status = ls.groupby("status", observed=False).size()
    suffix = {
        ELECTED_STATUSES[0]: "elected",
        ELECTED_STATUSES[1]: "not_elected",
        ELECTED_STATUSES[2]: "unknown",
    }
    if by == "measure":
        index = pd.Index(ed.measure_numbers, name="measure")
        out = pd.DataFrame(
            {
                "label": [m.short_label for m in ed.measures],
                "theme": [m.theme or UNASSIGNED_THEME for m in ed.measures],
            },
            index=index,
        )
        counts = com.groupby(["measure", "status"], observed=False).size().unstack("status")
        for status, name in suffix.items():
            col = counts[status] if status in counts.columns else pd.Series(dtype=float)
            out[f"share_{name}"] = _share(
                col.reindex(index).fillna(0), float(n_per_status.get(status, 0))
            )
    elif by == "theme":
        index = pd.Index(_theme_order(ed), name="theme", dtype="str")
        per_theme = pd.Series([m.theme or UNASSIGNED_THEME for m in ed.measures]).value_counts()
        n_measures = per_theme.reindex(index).fillna(0).astype(float)
        out = pd.DataFrame({"n_measures": n_measures.astype("int64")}, index=index)
        counts = com.groupby(["theme", "status"], observed=False).size().unstack("status")
        counts.index = counts.index.astype("str")
        for status, name in suffix.items():
            col = counts[status] if status in counts.columns else pd.Series(dtype=float)
            out[f"share_{name}"] = _share(
                col.reindex(index).fillna(0),
                n_measures * float(n_per_status.get(status, 0)),
            )
    else:
        raise ValueError(f"by doit valoir 'status', 'measure' ou 'theme', pas « {by} ».")
    out["difference"] = out["share_elected"] - out["share_not_elected"]
    for text_col in ("label", "theme"):
        if text_col in out.columns:
            out[text_col] = out[text_col].astype("str")
    return out.reset_index()


def size_class(population: pd.Series | Sequence[float | None] | Iterable[Any]) -> pd.Series:
    """Classify communes by population into INSEE-style size brackets.

    The brackets (:data:`SIZE_CLASSES`) follow those INSEE uses for the
    population of communes, with the two thresholds of the 2020 municipal
    ballot: 1 000 inhabitants (list ballot with parity from 1 000 up, so
    « listes » below it are rare) and 3 500 (the former threshold). Lower bounds
    are inclusive: < 500, 500–999, 1 000–1 999, 2 000–3 499, 3 500–4 999,
    5 000–9 999, 10 000–19 999, 20 000–49 999, 50 000–99 999, ≥ 100 000.

    Parameters
    ----------
    population : Series or array-like of numbers
        Null populations give a null class.

    Returns
    -------
    Series
        Ordered categorical of the French labels (same index as a Series input),
        named ``size_class``.

    Examples
    --------
    >>> size_class([499, 500, None]).tolist()
    ['Moins de 500 hab.', '500 à 999 hab.', nan]
    >>> size_class([3500, 150000]).str.replace("\u202f", " ").tolist()
    ['3 500 à 4 999 hab.', '100 000 hab. ou plus']
    """
    if isinstance(population, pd.Series):
        index = population.index
        values = pd.to_numeric(population).astype("Float64").to_numpy(dtype=float, na_value=np.nan)
    else:
        values = (
            pd.to_numeric(pd.Series(list(population), dtype="object"))
            .astype("Float64")
            .to_numpy(dtype=float, na_value=np.nan)
        )
        index = pd.RangeIndex(len(values))
    bins = [float(lo) for lo, _ in SIZE_CLASSES] + [np.inf]
    labels = [label for _, label in SIZE_CLASSES]
    cat = pd.cut(values, bins=bins, labels=labels, right=False, ordered=True)
    return pd.Series(cat, index=index, name="size_class")


@summary_output("compare_size_classes")
def compare_size_classes(
    lists: pd.DataFrame,
    commitments: pd.DataFrame,
    communes: pd.DataFrame,
    edition: EditionLike = DEFAULT_EDITION,
) -> pd.DataFrame:
    """Compare commune size classes (see :func:`size_class`).

    The classes are those of :func:`size_class`; communes whose population is
    unknown (Mayotte in the 2020 reference) make a last class « Population
    inconnue », so that every commune and list is counted. The columns are the
    territory metrics of the registry (see :func:`territory_summary`), computed per
    class.

    Parameters
    ----------
    lists, commitments : DataFrame
        Canonical tables.
    communes : (Geo)DataFrame
        Reference communes with ``code, population``.
    edition : Edition or str, default DEFAULT_EDITION ("pacte-2020")

    Returns
    -------
    DataFrame
        One row per size class (all classes, in order, then « Population
        inconnue » when a commune has no population): ``size_class``, then the
        columns of :func:`territory_summary` from ``n_communes`` on (without
        ``population_missing``).

    Examples
    --------
    >>> import pandas as pd
    >>> communes = pd.DataFrame({"code": ["1", "2", "3"], "population": [200, 300, 1500]})
    >>> lists = pd.DataFrame({"list_id": ["a"], "edition": "pacte-2020",
    ...     "commune_code": ["3"], "principles": ["ABC"], "n_measures": [10],
    ...     "mean_level": [None], "signatory": [True], "elected": [None]})
    >>> com = pd.DataFrame(columns=["list_id", "measure", "committed", "level"])
    >>> c = compare_size_classes(lists, com, communes)
    >>> c.loc[[0, 2], ["n_communes", "n_communes_signatory", "share_communes_signatory"]
    ...     ].values.tolist()
    [[2.0, 0.0, 0.0], [1.0, 1.0, 100.0]]
    """
    ed = read_edition(edition)
    ls_all, com = _list_core(lists, commitments, ed, where="compare_size_classes", text=False)
    cs = _commune_core(
        ls_all, com, ed, communes, where="compare_size_classes", include_empty=True, stacklevel=3
    )
    classes = size_class(cs["population"]).astype("str")
    cs["_territory"] = classes.where(cs["population"].notna(), UNKNOWN_SIZE_CLASS).to_numpy()
    ls = ls_all.merge(cs[["commune_code", "_territory"]], on="commune_code", how="inner")
    labels = [label for _, label in SIZE_CLASSES]
    if (cs["_territory"] == UNKNOWN_SIZE_CLASS).any():  # e.g. Mayotte: never dropped
        labels.append(UNKNOWN_SIZE_CLASS)
    out = compute_territory_metrics(TerritoryRows(cs, ls), pd.Index(labels, dtype="str"))
    out.index = pd.CategoricalIndex(labels, categories=labels, ordered=True, name="size_class")
    return out.drop(columns="population_missing").reset_index()


@summary_output("compare_territories")
def compare_territories(
    a: str,
    b: str,
    lists: pd.DataFrame,
    commitments: pd.DataFrame,
    communes: pd.DataFrame,
    *,
    level: TerritoryLevel = "departement",
    territories: pd.DataFrame | None = None,
    edition: EditionLike = DEFAULT_EDITION,
    measures: bool = True,
) -> pd.DataFrame:
    """Put two départements, régions or EPCI side by side, with France for scale.

    Parameters
    ----------
    a, b : str
        Codes (``"35"``, ``"2A"``, ``"53"``, a SIREN) or official names
        (``"Finistère"``, ``"cotes d'armor"``: case, accents and hyphens do not
        matter) of two different territories of ``level``. Codes are text.
    lists, commitments : DataFrame
        Canonical tables.
    communes : (Geo)DataFrame
        Reference communes.
    level : {'departement', 'region', 'epci'}, default 'departement'
    territories : DataFrame, optional
        ``code, name`` of the territories; by default the names are read from the
        reference cache.
    edition : Edition or str, default DEFAULT_EDITION ("pacte-2020")
    measures : bool, default True
        Add one row per measure (``measure_<n>``: % of the territory's lists that
        committed to it) and one per theme (``theme_<theme>``: % of its lists with
        at least one measure of the theme).

    Returns
    -------
    DataFrame
        One row per metric (index ``metric``): ``label`` and ``unit`` (French), one
        column per territory headed « Name (code) », ``Écart (B − A)`` (the second
        minus the first) and ``France entière``. Values are shown as people read
        them: counts and populations as integers, shares and means rounded to one
        decimal (object columns; missing values are ``None``).

    Raises
    ------
    PacteTypeError
        A code given as a number (``35`` instead of ``"35"``).
    UnknownCodeError
        A code that is not a territory of ``level`` (``"2a"``: « vouliez-vous dire
        2A ? »).

    Examples
    --------
    >>> import pandas as pd
    >>> communes = pd.DataFrame({"code": ["01001", "02001"],
    ...     "departement_code": ["01", "02"], "region_code": ["84", "32"],
    ...     "epci_code": [None, None], "population": [100, 50]})
    >>> lists = pd.DataFrame({"list_id": ["a"], "edition": "pacte-2020",
    ...     "commune_code": ["01001"], "principles": ["ABC"], "n_measures": [12],
    ...     "mean_level": [None], "signatory": [True], "elected": [True]})
    >>> com = pd.DataFrame(columns=["list_id", "measure", "committed", "level"])
    >>> c = compare_territories("01", "02", lists, com, communes)
    >>> c.loc["n_communes_signatory"].tolist()[2:]
    [1, 0, -1, 1]
    """
    _codes_first("compare_territories", '"35", "29", lists, commitments, communes', a, b)
    summary = territory_summary(
        lists,
        commitments,
        communes,
        level=level,
        territories=territories,
        edition=edition,
        total=True,
    ).set_index("code")
    what = _LEVEL_WORDS[level]
    known = [c for c in summary.index if c != FRANCE_CODE]
    names = summary.loc[known, "name"].astype("str")
    codes = [_territory_code(c, known, names, what) for c in (a, b)]
    if codes[0] == codes[1]:
        raise InvalidArgumentError(
            f"compare_territories : les deux territoires donnés sont le même ({what} "
            f"{codes[0]}) : donnez deux territoires différents."
        )
    metrics = available_metrics(level)
    labels = dict(zip(metrics["metric"], metrics["label"], strict=True))
    units = dict(zip(metrics["metric"], metrics["unit"], strict=True))
    kinds = {m.name: m.kind for m in _METRICS}
    names = [m for m in summary.columns if m != "name"]
    rows: dict[str, dict[str, Any]] = {}
    headers = [f"{summary.at[c, 'name']!s} ({c})" for c in codes]
    france = str(summary.at[FRANCE_CODE, "name"])  # says which communes at the EPCI level
    columns = [*headers, france]
    for name in names:
        info = _metric_or_none(name)
        rows[name] = {
            "label": info.label if info else labels.get(name, name),
            "unit": info.unit if info else units.get(name, ""),
            "kind": info.kind if info else kinds.get(name, "mean"),
            **{
                col: summary.at[code, name]
                for col, code in zip(columns, [*codes, FRANCE_CODE], strict=True)
            },
        }
    if measures:
        rows.update(_territory_measure_rows(lists, commitments, communes, level, edition, codes))
        for name in list(rows):
            if name.startswith(("measure_", "theme_")):
                values = rows[name]
                values.update(
                    {
                        columns[i]: values.pop(k)
                        for i, k in enumerate([*codes, FRANCE_CODE])
                        if k in values
                    }
                )
    out = pd.DataFrame.from_dict(rows, orient="index")
    out.index.name = "metric"
    diff = f"Écart ({codes[1]} − {codes[0]})"
    integral = out["kind"].isin(["count", "population"])
    table = pd.DataFrame(index=out.index)
    table["label"] = out["label"].astype("str")
    table["unit"] = out["unit"].astype("str")
    numeric = out[[*headers, france]].apply(pd.to_numeric, errors="coerce")
    numeric.insert(2, diff, numeric[headers[1]] - numeric[headers[0]])
    for col in numeric.columns:
        table[col] = pd.Series(
            [_readable(v, bool(i)) for v, i in zip(numeric[col], integral, strict=True)],
            index=table.index,
            dtype=object,
        )
    return table


def _readable(value: Any, integral: bool) -> Any:
    """A number as people read it: an int for counts, one decimal otherwise."""
    if value is None or pd.isna(value):
        return None
    return round(float(value)) if integral else round(float(value), 1) + 0.0  # no -0.0


def _territory_code(given: object, known: list[str], names: pd.Series, what: str) -> str:
    """The code of a territory given by its code or its official name (« Finistère »)."""
    if isinstance(given, str) and given not in known:
        wanted = _name_key(given)
        matches = sorted({str(code) for code, name in names.items() if _name_key(name) == wanted})
        if len(matches) == 1:
            return matches[0]
        if len(matches) > 1:
            raise UnknownCodeError(
                f"compare_territories : plusieurs territoires s'appellent « {given} » "
                f"({', '.join(matches)}) : donnez le code.",
                code="AMBIGUOUS_NAME",
            )
    return _check_code(given, known, what, "compare_territories")


def _name_key(name: str) -> str:
    """A name without case, accents, hyphens or apostrophes (« cotes d armor »)."""
    text = unicodedata.normalize("NFKD", name.casefold())
    text = "".join(ch for ch in text if not unicodedata.combining(ch))
    return " ".join(text.replace("-", " ").replace("'", " ").replace("’", " ").split())


def _metric_or_none(name: str) -> Metric | None:
    for metric in _METRICS:
        if metric.name == name:
            return metric
    return None


def _territory_measure_rows(
    lists: pd.DataFrame,
    commitments: pd.DataFrame,
    communes: pd.DataFrame,
    level: str,
    edition: EditionLike,
    codes: Sequence[str],
) -> dict[str, dict[str, Any]]:
    """Rows ``measure_<n>`` and ``theme_<theme>`` of :func:`compare_territories`."""
    ed = read_edition(edition)
    ls, com = _list_core(lists, commitments, ed, text=False, where="compare_territories")
    ref = _prepare_communes(communes, where="compare_territories")
    key = _TERRITORY_KEYS[level]
    where = ls["commune_code"].map(pd.Series(ref[key].to_numpy(), index=ref["code"]))
    groups = {code: set(ls.loc[where == code, "list_id"]) for code in codes}
    groups[FRANCE_CODE] = set(ls.loc[where.notna(), "list_id"])
    theme_of = {m.number: (m.theme or UNASSIGNED_THEME) for m in ed.measures}
    rows: dict[str, dict[str, Any]] = {}
    for m in ed.measures:
        rows[f"measure_{m.number}"] = {
            "label": m.label,
            "unit": "% des listes",
            "kind": "share",
        }
    for theme in _theme_order(ed):
        rows[f"theme_{theme}"] = {
            "label": f"Thème : {theme}",
            "unit": "% des listes",
            "kind": "share",
        }
    com = com.assign(theme=com["measure"].map(theme_of))
    for code, ids in groups.items():
        sub = com.loc[com["list_id"].isin(ids)]
        n = len(ids)
        per_measure = sub.groupby("measure")["list_id"].nunique()
        per_theme = sub.groupby("theme")["list_id"].nunique()
        for m in ed.measures:
            rows[f"measure_{m.number}"][code] = (
                100.0 * per_measure.get(m.number, 0) / n if n else np.nan
            )
        for theme in _theme_order(ed):
            rows[f"theme_{theme}"][code] = 100.0 * per_theme.get(theme, 0) / n if n else np.nan
    return rows
