"""Summaries per list, commune, territory, measure and theme."""

from __future__ import annotations

import textwrap
import warnings

import numpy as np
import pandas as pd

from pacte_analysis.analysis._core import (
    _TERRITORY_KEYS,
    FRANCE_CODE,
    FRANCE_NAME,
    STATUS_CATEGORIES,
    UNASSIGNED_THEME,
    EditionLike,
    TerritoryLevel,
    _as_frame,
    _check_code,
    _check_filters,
    _check_level,
    _factorize_ids,
    _join_flags,
    _list_core,
    _measure_flags,
    _of_lists,
    _prepare_communes,
    _restrict,
    _share,
    _territory_names,
    _theme_order,
)
from pacte_analysis.analysis.metrics import (
    TerritoryRows,
    compute_territory_metrics,
    summary_output,
)
from pacte_analysis.editions import DEFAULT_EDITION, Edition, read_edition
from pacte_analysis.errors import (
    InvalidArgumentError,
)

__all__ = [
    "commune_summary",
    "list_summary",
    "measure_summary",
    "territory_summary",
    "theme_summary",
]

# --------------------------------------------------------------------------- per list


@summary_output("list_summary")
def list_summary(
    lists: pd.DataFrame,
    commitments: pd.DataFrame,
    edition: EditionLike = DEFAULT_EDITION,
) -> pd.DataFrame:
    """Summarise each list: measures, principles, signatory, mean level, themes.

    ``n_measures``, ``mean_level`` and ``signatory`` are taken from ``lists`` (the
    import computed them); the measures and themes come from ``commitments``.

    Parameters
    ----------
    lists, commitments : DataFrame
        Canonical tables (see ``docs/contract.md``).
    edition : Edition or str, default DEFAULT_EDITION ("pacte-2020")
        Measure catalogue (an :class:`~pacte_analysis.editions.Edition` or a name
        or path accepted by :func:`~pacte_analysis.editions.read_edition`).

    Returns
    -------
    DataFrame
        One row per list, sorted by commune then by decreasing number of measures:
        ``list_id, edition, commune_code, commune_name, departement_code,
        list_name, list_head, principles, n_principles, all_principles,
        n_measures, mean_level, n_top_level, signatory, elected, measures,
        themes, n_themes``. ``measures`` is the sorted measure numbers as text
        (``"1, 5, 7"``); ``themes`` the themes covered (at least one measure), in
        the edition's order, joined by `` ; ``; ``n_top_level`` counts the
        commitments at the measure's highest level.

    Examples
    --------
    >>> import pandas as pd
    >>> lists = pd.DataFrame({"list_id": ["l1"], "edition": ["pacte-2020"],
    ...     "commune_code": ["35238"], "principles": ["ABC"], "n_measures": [2],
    ...     "mean_level": [2.5], "signatory": [False], "elected": [pd.NA]})
    >>> com = pd.DataFrame({"list_id": ["l1", "l1"], "measure": [5, 14],
    ...     "committed": [True, True], "level": [2, 3]})
    >>> s = list_summary(lists, com)
    >>> print(s[["measures", "n_themes", "n_top_level", "themes"]].to_string(index=False))
    measures  n_themes  n_top_level                                  themes
       5, 14         2            1 agriculture et alimentation ; mobilités
    """
    ed = read_edition(edition)
    return _list_core(lists, commitments, ed, where="list_summary")[0]


# --------------------------------------------------------------------------- per commune


def _rank_lists(ls: pd.DataFrame) -> pd.DataFrame:
    """Sort lists so that the first row of each commune is its 'best' list."""
    return ls.sort_values(
        ["commune_code", "n_measures", "signatory", "mean_level", "list_id"],
        ascending=[True, False, False, False, True],
        na_position="last",
    )


def _display_name(ls: pd.DataFrame) -> pd.Series:
    return ls["list_name"].fillna(ls["list_head"]).fillna(ls["list_id"]).astype("str")


@summary_output("commune_summary")
def commune_summary(
    lists: pd.DataFrame,
    commitments: pd.DataFrame,
    communes: pd.DataFrame | None = None,
    *,
    edition: EditionLike = DEFAULT_EDITION,
    include_empty: bool = False,
    departement: str | None = None,
    region: str | None = None,
) -> pd.DataFrame:
    """Summarise each commune: lists, signatories, best list, elected team.

    Parameters
    ----------
    lists, commitments : DataFrame
        Canonical tables.
    communes : (Geo)DataFrame, optional
        Reference communes (``code, name, departement_code, region_code,
        epci_code, population``). When given, their population, région and EPCI
        are added, and the official name is used.
    edition : Edition or str, default DEFAULT_EDITION ("pacte-2020")
    include_empty : bool, default False
        Also return the reference communes with no known list (``n_lists`` 0,
        the other counts 0, the list columns null). Needs ``communes``.
    departement, region : str, optional
        Keep the communes of this département (``"35"``, ``"2A"``) or région
        (``"53"``, needs ``communes``); codes are text.

    Returns
    -------
    DataFrame
        One row per commune, sorted by code:

        * ``commune_code, commune_name, departement_code`` (+ ``region_code,
          epci_code, population`` with ``communes``);
        * ``n_lists``, ``n_signatory_lists``, ``has_group`` (≥ 1 list known),
          ``has_signatory`` (≥ 1 signatory list);
        * ``best_list_id, best_list_name, best_n_measures``: the list with the most
          measures (ties: signatory first, then higher mean level, then id);
        * ``elected_list_id, elected_list_name, elected_n_measures``: the list
          marked elected (null when none is);
        * ``elected_signatory`` (nullable boolean): whether the elected team signed
          (see the module conventions for the unknown case);
        * ``measures_union`` (text) and ``n_measures_union``: measures promised by
          at least one list;
        * ``status``: ordered categorical, one of :data:`STATUS_CATEGORIES` (null
          for communes without lists).

    Examples
    --------
    >>> import pandas as pd
    >>> lists = pd.DataFrame({"list_id": ["a", "b"], "edition": "pacte-2020",
    ...     "commune_code": ["35238", "35238"], "principles": ["ABC", "AB"],
    ...     "n_measures": [10, 3], "mean_level": [None, None],
    ...     "signatory": [True, False], "elected": [False, True]})
    >>> com = pd.DataFrame({"list_id": ["a", "b"], "measure": [1, 2],
    ...     "committed": [True, True], "level": [None, None]})
    >>> s = commune_summary(lists, com)
    >>> print(s[["n_lists", "best_list_id", "elected_list_id", "elected_signatory",
    ...     "measures_union"]].to_string(index=False))
     n_lists best_list_id elected_list_id  elected_signatory measures_union
           2            a               b              False           1, 2
    >>> s.loc[0, "status"]
    'Liste signataire, non élue'
    """
    _check_filters(communes, departement, region, "commune_summary")
    ed = read_edition(edition)
    ls, com = _list_core(lists, commitments, ed, where="commune_summary", text=False)
    out = _commune_core(
        ls, com, ed, communes, where="commune_summary", include_empty=include_empty, stacklevel=3
    )
    for value, column, what in (
        (departement, "departement_code", "département"),
        (region, "region_code", "région"),
    ):
        if value is None:
            continue
        if column not in out.columns:
            raise InvalidArgumentError(
                f"commune_summary : le filtre {what} demande le référentiel des communes "
                "(communes=pa.communes())."
            )
        known = _as_frame(communes)[column] if communes is not None else out[column]
        code = _check_code(value, known.dropna().astype(str), what, "commune_summary")
        out = out.loc[out[column] == code].reset_index(drop=True)
    return out


def _commune_core(
    ls: pd.DataFrame,
    com: pd.DataFrame,
    ed: Edition,
    communes: pd.DataFrame | None,
    *,
    include_empty: bool,
    stacklevel: int,
    where: str = "pacte_analysis",
) -> pd.DataFrame:
    """:func:`commune_summary` from the output of :func:`_list_core`."""
    ls = ls.copy()
    ls["display_name"] = _display_name(ls)
    ranked = _rank_lists(ls)
    g = ls.groupby("commune_code", sort=True)
    out = pd.DataFrame(
        {
            "commune_name": g["commune_name"].first(),
            "departement_code": g["departement_code"].first(),
            "n_lists": g.size().astype("int64"),
            "n_signatory_lists": g["signatory"].sum().astype("int64"),
        }
    )
    out.index.name = "commune_code"

    best = ranked.drop_duplicates("commune_code").set_index("commune_code")
    out["best_list_id"] = best["list_id"]
    out["best_list_name"] = best["display_name"]
    out["best_n_measures"] = best["n_measures"].astype("Int64")

    is_elected = ls["elected"].fillna(False).astype(bool)
    elected = _rank_lists(ls.loc[is_elected]).drop_duplicates("commune_code")
    elected = elected.set_index("commune_code")
    out["elected_list_id"] = elected["list_id"].reindex(out.index).astype("str")
    out["elected_list_name"] = elected["display_name"].reindex(out.index).astype("str")
    out["elected_n_measures"] = elected["n_measures"].reindex(out.index).astype("Int64")

    any_elected_signatory = (
        (ls["signatory"] & is_elected).groupby(ls["commune_code"]).any().reindex(out.index)
    )
    any_elected = is_elected.groupby(ls["commune_code"]).any().reindex(out.index)
    all_lost = (
        ls["elected"].eq(False).fillna(False).groupby(ls["commune_code"]).all().reindex(out.index)
    )
    elected_signatory = pd.Series(pd.NA, index=out.index, dtype="boolean")
    elected_signatory[all_lost.astype(bool)] = False
    elected_signatory[any_elected.astype(bool)] = any_elected_signatory[any_elected.astype(bool)]
    out["elected_signatory"] = elected_signatory

    # Measures promised in each commune: OR of its lists' lists × measures matrix.
    list_codes, com_codes, n_ids = _factorize_ids(ls["list_id"], com["list_id"])
    list_codes = np.where(list_codes < 0, n_ids, list_codes)
    com_codes = np.where(com_codes < 0, n_ids, com_codes)
    numbers = sorted(ed.measure_numbers)
    list_flags = _measure_flags(com_codes, com["measure"].to_numpy(), n_ids + 1, numbers)
    commune_codes, commune_ids = pd.factorize(ls["commune_code"])
    known = commune_codes >= 0
    n_communes, n_numbers = len(commune_ids), len(numbers)
    cells = commune_codes[known][:, None] * n_numbers + np.arange(n_numbers)
    union_flags = (
        np.bincount(
            cells.ravel(),
            weights=list_flags[list_codes[known]].ravel(),
            minlength=n_communes * n_numbers,
        ).reshape(n_communes, n_numbers)
        > 0
    )
    union_index = pd.Index(commune_ids, name="commune_code")
    union_text = pd.Series(
        _join_flags(union_flags, [str(n) for n in numbers], ", "), index=union_index
    )
    n_union = pd.Series(union_flags.sum(axis=1), index=union_index)
    out["measures_union"] = union_text.reindex(out.index).astype("str").fillna("")
    out["n_measures_union"] = n_union.reindex(out.index).fillna(0).astype("int64")
    out["has_group"] = out["n_lists"] > 0
    out["has_signatory"] = out["n_signatory_lists"] > 0

    status = pd.Series(STATUS_CATEGORIES[0], index=out.index, dtype="object")
    status[out["has_signatory"] & out["elected_signatory"].isna()] = STATUS_CATEGORIES[1]
    status[out["has_signatory"] & out["elected_signatory"].eq(False).fillna(False)] = (
        STATUS_CATEGORIES[2]
    )
    status[out["elected_signatory"].fillna(False).astype(bool)] = STATUS_CATEGORIES[3]
    out["status"] = pd.Categorical(status, categories=STATUS_CATEGORIES, ordered=True)
    out = out.reset_index()

    columns = [
        "commune_code",
        "commune_name",
        "departement_code",
        "n_lists",
        "n_signatory_lists",
        "has_group",
        "has_signatory",
        "best_list_id",
        "best_list_name",
        "best_n_measures",
        "elected_list_id",
        "elected_list_name",
        "elected_n_measures",
        "elected_signatory",
        "measures_union",
        "n_measures_union",
        "status",
    ]
    out = out[columns]
    if communes is None:
        if include_empty:
            raise ValueError("include_empty=True demande le référentiel des communes (communes).")
        return out.sort_values("commune_code").reset_index(drop=True)

    ref = _prepare_communes(communes, where=where)[
        ["code", "name", "departement_code", "region_code", "epci_code", "population"]
    ].rename(columns={"code": "commune_code", "departement_code": "ref_departement_code"})
    unknown = pd.Series(~_of_lists(out["commune_code"], ref["commune_code"]), index=out.index)
    if unknown.any():
        warnings.warn(
            f"{int(unknown.sum())} commune(s) des listes absente(s) du référentiel : "
            f"{', '.join(out.loc[unknown, 'commune_code'].head(5))}…",
            stacklevel=stacklevel,
        )
    out = out.merge(ref, on="commune_code", how="outer" if include_empty else "left")
    out["commune_name"] = out["name"].fillna(out["commune_name"]).astype("str")
    out["departement_code"] = (
        out["ref_departement_code"].fillna(out["departement_code"]).astype("str")
    )
    for col in ("n_lists", "n_signatory_lists", "n_measures_union"):
        out[col] = out[col].fillna(0).astype("int64")
    for col in ("has_group", "has_signatory"):
        out[col] = out[col].astype("boolean").fillna(False).astype(bool)
    out["measures_union"] = out["measures_union"].fillna("").astype("str")
    columns[3:3] = ["region_code", "epci_code", "population"]
    return out[columns].sort_values("commune_code").reset_index(drop=True)


# --------------------------------------------------------------------------- territories


@summary_output("territory_summary")
def territory_summary(
    lists: pd.DataFrame,
    commitments: pd.DataFrame,
    communes: pd.DataFrame,
    *,
    level: TerritoryLevel = "departement",
    territories: pd.DataFrame | None = None,
    edition: EditionLike = DEFAULT_EDITION,
    departement: str | None = None,
    region: str | None = None,
    total: bool = False,
) -> pd.DataFrame:
    """Summarise each département, région or EPCI, including those without data.

    Lists are placed in a territory through the reference commune of their
    ``commune_code`` (lists of a commune missing from ``communes`` are left out,
    with a warning). Communes without a code at ``level`` (the four single-commune
    islands have no EPCI) are left out of that level.

    Parameters
    ----------
    lists, commitments : DataFrame
        Canonical tables.
    communes : (Geo)DataFrame
        Reference communes with ``code, departement_code, region_code, epci_code,
        population``. Every territory of this table appears in the result.
    level : {'departement', 'region', 'epci'}, default 'departement'
    territories : DataFrame, optional
        ``code, name`` of the territories of ``level`` (e.g.
        ``pacte_analysis.departements()``): gives the names, and adds the
        territories without any commune in ``communes``. Without it the names
        are read from the reference cache (the code when it cannot be read).
    edition : Edition or str, default DEFAULT_EDITION ("pacte-2020")
    departement, region : str, optional
        Keep the territories that have communes in this département (``"35"``)
        or région (``"53"``): the départements of a région, the EPCI of a
        département. Shares keep their own territory's denominators.
    total : bool, default False
        Add a last row « France entière » (code ``FR``) computed on every commune
        of ``communes`` (not only on the rows kept by a filter).

    Returns
    -------
    DataFrame
        One row per territory, sorted by code: ``code, name, n_communes,
        population`` (known populations summed; missing, ``<NA>``, when no
        commune of the territory has a known population),
        ``population_missing`` (communes whose population is unknown),
        ``n_lists, n_signatory_lists,
        mean_measures`` (mean ``n_measures`` of its lists), ``n_communes_group``
        (≥ 1 list known), ``n_communes_signatory`` (≥ 1 signatory list),
        ``n_communes_elected_signatory``, the matching ``share_communes_*`` (% of
        ``n_communes``), ``population_signatory``,
        ``population_elected_signatory`` and ``share_population_*`` (% of
        ``population``). Territories without data have zero counts.

    Examples
    --------
    >>> import pandas as pd
    >>> communes = pd.DataFrame({"code": ["01001", "01002", "02001"],
    ...     "departement_code": ["01", "01", "02"], "region_code": ["84", "84", "32"],
    ...     "epci_code": [None, None, None], "population": [100, 300, 50]})
    >>> lists = pd.DataFrame({"list_id": ["a"], "edition": "pacte-2020",
    ...     "commune_code": ["01002"], "principles": ["ABC"], "n_measures": [12],
    ...     "mean_level": [None], "signatory": [True], "elected": [True]})
    >>> com = pd.DataFrame(columns=["list_id", "measure", "committed", "level"])
    >>> t = territory_summary(lists, com, communes, level="departement")
    >>> t[["code", "n_communes_signatory", "share_population_signatory"]].values.tolist()
    [['01', 1, 75.0], ['02', 0, 0.0]]
    """
    _check_level(level, _TERRITORY_KEYS, "territory_summary")
    key = _TERRITORY_KEYS[level]
    ed = read_edition(edition)
    ls, com = _list_core(lists, commitments, ed, where="territory_summary", text=False)
    cs = _commune_core(
        ls, com, ed, communes, where="territory_summary", include_empty=True, stacklevel=3
    )
    ref = _prepare_communes(communes, where="territory_summary")
    cs = cs.loc[_of_lists(cs["commune_code"], ref["code"])]
    cs = cs.merge(
        ref[["code", key]].rename(columns={"code": "commune_code", key: "_territory"}),
        on="commune_code",
        how="left",
    )
    cs = cs.loc[cs["_territory"].notna()]
    ls = ls.merge(
        ref[["code", key]].rename(columns={"code": "commune_code", key: "_territory"}),
        on="commune_code",
        how="inner",
    )
    ls = ls.loc[ls["_territory"].notna()]
    rows = TerritoryRows(communes=cs, lists=ls)

    codes = pd.Index(sorted(set(cs["_territory"].astype(str))), dtype="str")
    names: pd.Series | None = None
    if territories is not None:
        terr = _as_frame(territories)
        terr_codes = terr["code"].astype("str")
        codes = pd.Index(sorted(set(codes) | set(terr_codes.dropna())), dtype="str")
        if "name" in terr.columns:
            names = pd.Series(terr["name"].astype("str").to_numpy(), index=terr_codes)
            names = names[~names.index.duplicated()]
    if names is None:
        names = _territory_names(level)
    out = compute_territory_metrics(rows, codes)
    if total:  # the whole country: every row of the level under one code
        country = TerritoryRows(
            communes=cs.assign(_territory=FRANCE_CODE), lists=ls.assign(_territory=FRANCE_CODE)
        )
        national = compute_territory_metrics(country, pd.Index([FRANCE_CODE], dtype="str"))
        out = pd.concat([out, national])
    out.index.name = "code"
    out = out.reset_index()
    if names is not None:
        names = pd.concat([names, pd.Series({FRANCE_CODE: FRANCE_NAME}, dtype="str")])
        out.insert(1, "name", out["code"].map(names).fillna(out["code"]).astype("str"))
    else:
        out.insert(1, "name", out["code"].astype("str"))
    # At the EPCI level the country row sums the communes that belong to an EPCI (the
    # four single-commune islands do not): its name says so.
    out.loc[out["code"] == FRANCE_CODE, "name"] = (
        FRANCE_NAME if level != "epci" else f"{FRANCE_NAME} (communes membres d'un EPCI)"
    )
    if departement is not None or region is not None:
        _check_filters(ref, departement, region, "territory_summary")
        out = _filter_territories(out, ref, key, departement, region, "territory_summary")
    out = out.reset_index(drop=True)
    out.attrs["level"] = level
    return out


def _filter_territories(
    out: pd.DataFrame,
    ref: pd.DataFrame,
    key: str,
    departement: str | None,
    region: str | None,
    function: str,
) -> pd.DataFrame:
    """Keep the rows of ``out`` whose territory has communes in ``departement``/``region``."""
    keep = pd.Series(True, index=ref.index)
    if departement is not None:
        code = _check_code(departement, ref["departement_code"].dropna(), "département", function)
        keep &= ref["departement_code"] == code
    if region is not None:
        code = _check_code(region, ref["region_code"].dropna(), "région", function)
        keep &= ref["region_code"] == code
    codes = set(ref.loc[keep, key].dropna())
    return out.loc[out["code"].isin(codes) | (out["code"] == FRANCE_CODE)]


# --------------------------------------------------------------------------- measures


def _level_counts(com: pd.DataFrame, by: str, max_level: int, prefix: str) -> pd.DataFrame:
    level = com["level"].astype("Int64")
    cols: dict[str, pd.Series] = {}
    for lv in range(1, max_level + 1):
        cols[f"{prefix}level_{lv}"] = (level == lv).fillna(False).groupby(com[by]).sum()
    cols[f"{prefix}level_unknown"] = level.isna().groupby(com[by]).sum()
    return pd.DataFrame(cols)


@summary_output("measure_summary")
def measure_summary(
    lists: pd.DataFrame,
    commitments: pd.DataFrame,
    edition: EditionLike = DEFAULT_EDITION,
    *,
    signatory_only: bool = False,
) -> pd.DataFrame:
    """Count, for each measure, the lists and elected teams that committed to it.

    Parameters
    ----------
    lists, commitments : DataFrame
        Canonical tables.
    edition : Edition or str, default DEFAULT_EDITION ("pacte-2020")
    signatory_only : bool, default False
        Count only the signatory lists (denominators too).

    Returns
    -------
    DataFrame
        One row per measure of the edition (also those nobody chose), in order:
        ``measure, label, short_label, theme, title_confirmed``; ``n_lists``,
        ``share_lists`` (% of the lists considered), ``n_level_1`` …
        ``n_level_<max>``, ``n_level_unknown``, ``mean_level``; the same for the
        elected lists: ``n_elected, share_elected`` (% of elected lists),
        ``n_elected_level_1`` … ``n_elected_level_unknown``,
        ``mean_level_elected``. ``label`` never invents a title (« Mesure N » when
        unconfirmed); ``short_label`` is at most 48 characters (cut between words,
        with « … »); ``theme`` is :data:`UNASSIGNED_THEME` for measures without one.

    Examples
    --------
    >>> import pandas as pd
    >>> lists = pd.DataFrame({"list_id": ["a", "b"], "edition": "pacte-2020",
    ...     "commune_code": ["35238", "35238"], "principles": ["ABC", "ABC"],
    ...     "n_measures": [1, 1], "mean_level": [2.0, None],
    ...     "signatory": [False, False], "elected": [True, False]})
    >>> com = pd.DataFrame({"list_id": ["a", "b"], "measure": [13, 13],
    ...     "committed": [True, True], "level": [2, None]})
    >>> m = measure_summary(lists, com)
    >>> print(m.loc[m["measure"] == 13, ["label", "n_lists", "share_lists", "n_level_2",
    ...     "n_level_unknown", "n_elected"]].to_string(index=False))
        label  n_lists  share_lists  n_level_2  n_level_unknown  n_elected
    Mesure 13        2        100.0          1                1          1
    """
    ed = read_edition(edition)
    ls, com = _list_core(lists, commitments, ed, where="measure_summary", text=False)
    if signatory_only:
        ls = ls.loc[ls["signatory"]]
        com = _restrict(com, ls)
    elected_ids = set(ls.loc[ls["elected"].fillna(False).astype(bool), "list_id"])
    n_total = len(ls)
    n_elected_total = len(elected_ids)
    numbers = pd.Index(ed.measure_numbers, name="measure")
    out = pd.DataFrame(
        {
            "label": [m.label for m in ed.measures],
            "short_label": [_shorter(m.short_label) for m in ed.measures],
            "theme": [m.theme or UNASSIGNED_THEME for m in ed.measures],
            "title_confirmed": [m.title_confirmed for m in ed.measures],
        },
        index=numbers,
    )
    out["n_lists"] = com.groupby("measure").size().reindex(numbers).fillna(0).astype("int64")
    out["share_lists"] = _share(out["n_lists"], float(n_total))
    levels = _level_counts(com, "measure", ed.max_level, "n_").reindex(numbers).fillna(0)
    out = out.join(levels.astype("int64"))
    out["mean_level"] = (
        com.groupby("measure")["level"].mean().reindex(numbers).astype("Float64").astype(float)
    )
    ecom = com.loc[_of_lists(com["list_id"], pd.Series(list(elected_ids), dtype="str"))]
    out["n_elected"] = ecom.groupby("measure").size().reindex(numbers).fillna(0).astype("int64")
    out["share_elected"] = _share(out["n_elected"], float(n_elected_total))
    elevels = _level_counts(ecom, "measure", ed.max_level, "n_elected_")
    out = out.join(elevels.reindex(numbers).fillna(0).astype("int64"))
    out["mean_level_elected"] = (
        ecom.groupby("measure")["level"].mean().reindex(numbers).astype("Float64").astype(float)
    )
    for col in ("label", "short_label", "theme"):
        out[col] = out[col].astype("str")
    return out.reset_index()


_SHORT_LABEL = 48


def _shorter(label: str) -> str:
    """A short label that is short: at most 48 characters, cut between words.

    Examples
    --------
    >>> _shorter("3. Sobriété, efficacité énergétique et 100 % d'énergie renouvelable et locale")
    '3. Sobriété, efficacité énergétique et 100 % …'
    """
    if len(label) <= _SHORT_LABEL:
        return label
    return textwrap.shorten(label, _SHORT_LABEL, placeholder=" …")


@summary_output("theme_summary")
def theme_summary(
    lists: pd.DataFrame,
    commitments: pd.DataFrame,
    edition: EditionLike = DEFAULT_EDITION,
    *,
    signatory_only: bool = False,
) -> pd.DataFrame:
    """Count, for each theme, the lists and elected teams that committed to it.

    Parameters
    ----------
    lists, commitments : DataFrame
        Canonical tables.
    edition : Edition or str, default DEFAULT_EDITION ("pacte-2020")
        Its measures without a theme are grouped as :data:`UNASSIGNED_THEME`.
    signatory_only : bool, default False
        Count only the signatory lists.

    Returns
    -------
    DataFrame
        One row per theme, in the edition's order: ``theme, n_measures`` (measures
        of the theme), ``n_lists`` (lists with ≥ 1 measure of the theme),
        ``share_lists``, ``n_commitments`` (list × measure pairs),
        ``engagement_rate`` (% of the possible list × measure pairs:
        ``n_commitments / (lists × n_measures)``), level counts
        ``n_level_1`` … ``n_level_unknown`` (over commitments), and the same for
        the elected lists (``n_elected, share_elected, n_elected_commitments,
        elected_engagement_rate, n_elected_level_*``).

    Examples
    --------
    >>> import pandas as pd
    >>> lists = pd.DataFrame({"list_id": ["a", "b"], "edition": "pacte-2020",
    ...     "commune_code": ["35238", "35238"], "principles": ["ABC", "ABC"],
    ...     "n_measures": [2, 0], "mean_level": [None, None],
    ...     "signatory": [False, False], "elected": [True, False]})
    >>> com = pd.DataFrame({"list_id": ["a", "a"], "measure": [14, 15],
    ...     "committed": [True, True], "level": [1, 3]})
    >>> t = theme_summary(lists, com)
    >>> print(t.loc[t["theme"] == "mobilités", ["n_measures", "n_lists", "share_lists",
    ...     "n_commitments", "engagement_rate", "n_elected"]].to_string(index=False))
     n_measures  n_lists  share_lists  n_commitments  engagement_rate  n_elected
              2        1         50.0              2             50.0          1
    """
    ed = read_edition(edition)
    ls, com = _list_core(lists, commitments, ed, where="theme_summary", text=False)
    if signatory_only:
        ls = ls.loc[ls["signatory"]]
        com = _restrict(com, ls)
    elected_ids = set(ls.loc[ls["elected"].fillna(False).astype(bool), "list_id"])
    n_total, n_elected_total = len(ls), len(elected_ids)
    themes = pd.Index(_theme_order(ed), name="theme", dtype="str")
    per_theme = pd.Series([m.theme or UNASSIGNED_THEME for m in ed.measures]).value_counts()
    out = pd.DataFrame(index=themes)
    out["n_measures"] = per_theme.reindex(themes).fillna(0).astype("int64")
    for prefix, sub, total in (
        ("", com, n_total),
        (
            "elected_",
            com.loc[_of_lists(com["list_id"], pd.Series(list(elected_ids), dtype="str"))],
            n_elected_total,
        ),
    ):
        n_name = "n_elected" if prefix else "n_lists"
        share_name = "share_elected" if prefix else "share_lists"
        g = sub.groupby("theme")
        out[n_name] = g["list_id"].nunique().reindex(themes).fillna(0).astype("int64")
        out[share_name] = _share(out[n_name], float(total))
        out[f"n_{prefix}commitments"] = g.size().reindex(themes).fillna(0).astype("int64")
        out[f"{prefix}engagement_rate"] = _share(
            out[f"n_{prefix}commitments"], out["n_measures"] * total
        )
        counts = _level_counts(sub, "theme", ed.max_level, f"n_{prefix}")
        counts.index = counts.index.astype("str")
        out = out.join(counts.reindex(themes).fillna(0).astype("int64"))
    return out.reset_index()
