"""Metrics against hand-computed expectations on tiny tables.

The fixture (6 reference communes, 7 lists):

=====  ====  ======  =====  ====  ==========================  =========  ========
list   dep   commune  pop   meas  principles                  signatory  elected
=====  ====  ======  =====  ====  ==========================  =========  ========
L1     35    35001   1000   12    ABC                         yes        yes
L2     35    35001   1000   15    ABC                         yes        no
L3     35    35002   3000   11    AB                          no         yes
L4     35    35003    200   10    ABC                         yes        unknown
L5     56    56001   5000   10    ABC                         yes        no
L6     56    56001   5000    2    (none)                      no         no
L7     976   97601   null   20    ABC                         yes        yes
=====  ====  ======  =====  ====  ==========================  =========  ========

Commune 29001 (dep 29, pop 800) has no list; département 22 has no commune in
the table but is in the territories table. Each list commits to the measures
1..n; levels: L1 2, L2 none, L3 1, L4 3, L5 3 for 1–5 and none for 6–10, L6 1,
L7 2.
"""

from __future__ import annotations

import math
import warnings

import numpy as np
import pandas as pd
import pytest

import pacte_analysis as pa
from pacte_analysis.analysis import (
    ELECTED_STATUSES,
    SIZE_CLASSES,
    STATUS_CATEGORIES,
    UNASSIGNED_THEME,
    available_metrics,
    commune_summary,
    compare_elected,
    compare_lists,
    compare_size_classes,
    compare_territories,
    list_summary,
    measure_summary,
    metric_info,
    size_class,
    territory_summary,
    theme_summary,
)
from pacte_analysis.editions import read_edition

ED = read_edition("pacte-2020")
NNBSP = "\u202f"

_LISTS = [
    # list_id, commune, dep, name, principles, n, signatory, elected, levels
    ("L1", "35001", "35", "Ensemble", "ABC", 12, True, True, [2] * 12),
    ("L2", "35001", "35", "Demain", "ABC", 15, True, False, [None] * 15),
    ("L3", "35002", "35", "Avenir", "AB", 11, False, True, [1] * 11),
    ("L4", "35003", "35", None, "ABC", 10, True, None, [3] * 10),
    ("L5", "56001", "56", "Liste citoyenne", "ABC", 10, True, False, [3] * 5 + [None] * 5),
    ("L6", "56001", "56", "Liste citoyenne", "", 2, False, False, [1, 1]),
    ("L7", "97601", "976", "Mayotte verte", "ABC", 20, True, True, [2] * 20),
]


def _mean(levels: list[int | None]) -> float | None:
    known = [v for v in levels if v is not None]
    return sum(known) / len(known) if known else None


@pytest.fixture
def lists() -> pd.DataFrame:
    rows = []
    for lid, code, dep, name, principles, n, sig, elected, levels in _LISTS:
        rows.append(
            {
                "list_id": lid,
                "edition": "pacte-2020",
                "commune_code": code,
                "commune_name": f"Commune {code}",
                "departement_code": dep,
                "list_name": name,
                "list_head": f"Tête {lid}",
                "principles": principles,
                "n_measures": n,
                "mean_level": _mean(levels),
                "signatory": sig,
                "elected": elected,
                "elected_source": "tracker" if elected is not None else None,
                "signed_on": None,
                "source_file": "f.xlsx",
                "source_sheet": "Feuil1",
                "source_row": 1,
            }
        )
    df = pd.DataFrame(rows)
    df["elected"] = df["elected"].astype("boolean")
    df["mean_level"] = df["mean_level"].astype("Float64")
    return df


@pytest.fixture
def commitments() -> pd.DataFrame:
    rows = []
    for lid, *_rest, levels in _LISTS:
        for i, lv in enumerate(levels, start=1):
            rows.append({"list_id": lid, "measure": i, "committed": True, "level": lv})
    # Noise that must not count: an explicit "no", a duplicate, an unknown measure.
    rows.append({"list_id": "L6", "measure": 3, "committed": False, "level": None})
    rows.append({"list_id": "L1", "measure": 1, "committed": True, "level": 2})
    rows.append({"list_id": "L1", "measure": 40, "committed": True, "level": 1})
    df = pd.DataFrame(rows)
    df["edition"] = "pacte-2020"
    df["level"] = df["level"].astype("Int64")
    df["raw_value"] = "x"
    return df


@pytest.fixture
def communes() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "code": ["35001", "35002", "35003", "56001", "97601", "29001"],
            "name": ["Alpha", "Bêta", "Gamma", "Delta", "Epsilon", "Zêta"],
            "departement_code": ["35", "35", "35", "56", "976", "29"],
            "region_code": ["53", "53", "53", "53", "06", "53"],
            "epci_code": ["E1", "E1", None, "E2", "E3", "E2"],
            "population": pd.array([1000, 3000, 200, 5000, None, 800], dtype="Int64"),
        }
    )


@pytest.fixture
def departements() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "code": ["22", "29", "35", "56", "976"],
            "name": ["Côtes-d'Armor", "Finistère", "Ille-et-Vilaine", "Morbihan", "Mayotte"],
            "region_code": ["53", "53", "53", "53", "06"],
        }
    )


def _row(df: pd.DataFrame, column: str, value: object) -> pd.Series:
    sub = df.loc[df[column] == value]
    assert len(sub) == 1, f"{column}={value!r}: {len(sub)} rows"
    return sub.iloc[0]


# --------------------------------------------------------------------------- per list


def test_list_summary(lists: pd.DataFrame, commitments: pd.DataFrame) -> None:
    s = list_summary(lists, commitments, ED)
    assert list(s["list_id"]) == ["L2", "L1", "L3", "L4", "L5", "L6", "L7"]
    l1 = _row(s, "list_id", "L1")
    assert l1["n_measures"] == 12
    assert l1["measures"] == ", ".join(str(i) for i in range(1, 13))  # measure 40 ignored
    assert l1["n_principles"] == 3 and l1["all_principles"]
    assert l1["n_top_level"] == 0
    assert l1["mean_level"] == 2.0
    # 1..12 covers: consommation, transition énergétique, démocratie, agriculture,
    # environnement, aménagement
    assert l1["n_themes"] == 6
    assert l1["themes"].split(" ; ")[0] == ED.themes[0]
    l6 = _row(s, "list_id", "L6")
    assert l6["measures"] == "1, 2"  # the explicit "no" on 3 does not count
    assert l6["n_principles"] == 0 and not l6["all_principles"]
    assert l6["themes"] == "consommation responsable"
    l4 = _row(s, "list_id", "L4")
    assert l4["n_top_level"] == 10
    assert pd.isna(l4["elected"])
    l2 = _row(s, "list_id", "L2")
    assert pd.isna(l2["mean_level"]) and l2["n_top_level"] == 0
    # 1..15 includes measure 13 (no theme): not a theme
    assert UNASSIGNED_THEME not in l2["themes"]


def test_list_summary_no_commitments(lists: pd.DataFrame) -> None:
    empty = pd.DataFrame(columns=["list_id", "edition", "measure", "committed", "level"])
    s = list_summary(lists, empty, ED)
    assert (s["measures"] == "").all()
    assert (s["n_themes"] == 0).all()
    assert list(s["n_measures"]) == [15, 12, 11, 10, 10, 2, 20]  # from `lists`


def test_other_edition_rows_are_ignored_with_warning(
    lists: pd.DataFrame, commitments: pd.DataFrame
) -> None:
    lists.loc[lists["list_id"] == "L7", "edition"] = "pacte-2015"
    with pytest.warns(UserWarning, match="autre édition"):
        s = list_summary(lists, commitments, ED)
    assert "L7" not in set(s["list_id"])


def test_elected_as_text_is_understood(lists: pd.DataFrame, commitments: pd.DataFrame) -> None:
    lists["elected"] = pd.Series(["true", "false", "True", None, "false", "0", "1"], dtype="object")
    s = list_summary(lists, commitments, ED).set_index("list_id")
    assert s.loc["L1", "elected"] is True or bool(s.loc["L1", "elected"])
    assert not bool(s.loc["L2", "elected"])
    assert pd.isna(s.loc["L4", "elected"])


# --------------------------------------------------------------------------- per commune


def test_commune_summary(lists: pd.DataFrame, commitments: pd.DataFrame) -> None:
    cs = commune_summary(lists, commitments, edition=ED)
    assert list(cs["commune_code"]) == ["35001", "35002", "35003", "56001", "97601"]

    c1 = _row(cs, "commune_code", "35001")  # two signatory lists, L1 elected
    assert (c1["n_lists"], c1["n_signatory_lists"]) == (2, 2)
    assert (c1["best_list_id"], c1["best_list_name"], c1["best_n_measures"]) == (
        "L2",
        "Demain",
        15,
    )
    assert (c1["elected_list_id"], c1["elected_n_measures"]) == ("L1", 12)
    assert c1["elected_signatory"] is True or bool(c1["elected_signatory"])
    assert c1["n_measures_union"] == 15
    assert c1["status"] == "Équipe élue signataire"

    c2 = _row(cs, "commune_code", "35002")  # elected list did not sign (AB only)
    assert c2["n_signatory_lists"] == 0 and not c2["has_signatory"] and c2["has_group"]
    assert not bool(c2["elected_signatory"])
    assert c2["status"] == "Listes connues, aucune signataire"

    c3 = _row(cs, "commune_code", "35003")  # result unknown
    assert pd.isna(c3["elected_list_id"]) and pd.isna(c3["elected_n_measures"])
    assert pd.isna(c3["elected_signatory"])
    assert c3["best_list_name"] == "Tête L4"  # no list name: the head
    assert c3["status"] == "Liste signataire, résultat inconnu"

    c4 = _row(cs, "commune_code", "56001")  # every known list lost
    assert not bool(c4["elected_signatory"])
    assert c4["measures_union"] == ", ".join(str(i) for i in range(1, 11))
    assert c4["status"] == "Liste signataire, non élue"

    assert bool(_row(cs, "commune_code", "97601")["elected_signatory"])
    assert list(cs["status"].cat.categories) == list(STATUS_CATEGORIES)


def test_commune_summary_with_reference(
    lists: pd.DataFrame, commitments: pd.DataFrame, communes: pd.DataFrame
) -> None:
    cs = commune_summary(lists, commitments, communes, edition=ED)
    assert len(cs) == 5
    assert _row(cs, "commune_code", "35001")["commune_name"] == "Alpha"
    assert pd.isna(_row(cs, "commune_code", "97601")["population"])
    full = commune_summary(lists, commitments, communes, edition=ED, include_empty=True)
    assert len(full) == 6
    empty = _row(full, "commune_code", "29001")
    assert empty["n_lists"] == 0 and not empty["has_group"] and not empty["has_signatory"]
    assert empty["measures_union"] == "" and empty["n_measures_union"] == 0
    assert pd.isna(empty["status"]) and pd.isna(empty["elected_signatory"])
    assert empty["population"] == 800 and empty["region_code"] == "53"


def test_commune_summary_two_elected_lists_prefers_signatory(
    lists: pd.DataFrame, commitments: pd.DataFrame
) -> None:
    # Inconsistent input: both lists of 35001 marked elected. The commune counts as
    # having an elected signatory team.
    lists.loc[lists["list_id"] == "L2", "elected"] = True
    cs = commune_summary(lists, commitments, edition=ED)
    c1 = _row(cs, "commune_code", "35001")
    assert c1["elected_list_id"] == "L2"  # most measures
    assert bool(c1["elected_signatory"])


def test_commune_summary_requires_reference_for_empty(
    lists: pd.DataFrame, commitments: pd.DataFrame
) -> None:
    with pytest.raises(ValueError, match="référentiel"):
        commune_summary(lists, commitments, include_empty=True)


def test_commune_missing_from_reference_warns(
    lists: pd.DataFrame, commitments: pd.DataFrame, communes: pd.DataFrame
) -> None:
    with pytest.warns(UserWarning, match="absente"):
        cs = commune_summary(lists, commitments, communes.iloc[:4], edition=ED)
    assert "97601" in set(cs["commune_code"])


# --------------------------------------------------------------------------- territories


def test_territory_summary_departements(
    lists: pd.DataFrame,
    commitments: pd.DataFrame,
    communes: pd.DataFrame,
    departements: pd.DataFrame,
) -> None:
    t = territory_summary(
        lists, commitments, communes, level="departement", territories=departements, edition=ED
    )
    assert list(t["code"]) == ["22", "29", "35", "56", "976"]
    assert t.attrs["level"] == "departement"

    d35 = _row(t, "code", "35")
    assert d35["name"] == "Ille-et-Vilaine"
    assert (d35["n_communes"], d35["population"]) == (3, 4200)
    assert (d35["n_lists"], d35["n_signatory_lists"], d35["mean_measures"]) == (4, 3, 12.0)
    assert (
        d35["n_communes_group"],
        d35["n_communes_signatory"],
        d35["n_communes_elected_signatory"],
    ) == (3, 2, 1)
    assert d35["share_communes_group"] == 100.0
    assert d35["share_communes_signatory"] == pytest.approx(200 / 3)
    assert d35["share_communes_elected_signatory"] == pytest.approx(100 / 3)
    assert (d35["population_signatory"], d35["population_elected_signatory"]) == (1200, 1000)
    assert d35["share_population_signatory"] == pytest.approx(1200 / 4200 * 100)
    assert d35["share_population_elected_signatory"] == pytest.approx(1000 / 4200 * 100)

    d56 = _row(t, "code", "56")
    assert (d56["n_lists"], d56["n_signatory_lists"], d56["mean_measures"]) == (2, 1, 6.0)
    assert (d56["n_communes_signatory"], d56["n_communes_elected_signatory"]) == (1, 0)
    assert (d56["share_population_signatory"], d56["share_population_elected_signatory"]) == (
        100.0,
        0.0,
    )

    d976 = _row(t, "code", "976")  # population unknown
    assert d976["n_communes_elected_signatory"] == 1
    assert pd.isna(d976["population"]) and d976["population_missing"] == 1  # not 0 inhabitants
    assert pd.isna(d976["population_signatory"]) and pd.isna(d976["population_elected_signatory"])
    assert math.isnan(d976["share_population_signatory"])
    assert d976["share_communes_elected_signatory"] == 100.0

    d29 = _row(t, "code", "29")  # communes but no list: zeros, not missing
    assert (d29["n_communes"], d29["n_lists"], d29["n_communes_group"]) == (1, 0, 0)
    assert d29["share_communes_signatory"] == 0.0 and d29["share_population_signatory"] == 0.0
    assert math.isnan(d29["mean_measures"])

    d22 = _row(t, "code", "22")  # only in the territories table
    assert d22["name"] == "Côtes-d'Armor" and d22["n_communes"] == 0
    assert math.isnan(d22["share_communes_group"])

    for col in ("n_communes", "n_lists"):
        assert t[col].dtype == np.int64
    for col in ("population", "population_signatory", "population_elected_signatory"):
        assert t[col].dtype == "Int64"  # missing where no population is known


def test_the_registry_is_what_territory_summary_computes(
    lists: pd.DataFrame,
    commitments: pd.DataFrame,
    communes: pd.DataFrame,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """One new entry in the registry: a new column, labelled, and a France total."""
    from pacte_analysis.analysis import metrics

    t = territory_summary(lists, commitments, communes, edition=ED, total=True)
    declared = [m.name for m in metrics.territory_metrics()]
    assert list(t.columns) == ["code", "name", *declared]
    for m in metrics.territory_metrics():  # every territory metric says how it is computed
        assert (m.aggregate is None) != (m.derive is None), m.name

    elected = metrics.Metric(
        "n_elected_lists",
        "Listes élues",
        "listes",
        "count",
        ("departement", "region", "epci"),
        metrics._count("lists", "elected"),
    )
    share = metrics.Metric(
        "share_elected_lists",
        "Part des listes élues",
        "%",
        "share",
        ("departement", "region", "epci"),
        derive=metrics._ratio("n_elected_lists", "n_lists"),
    )
    monkeypatch.setattr(metrics, "_METRICS", (*metrics._METRICS, elected, share))
    t = territory_summary(lists, commitments, communes, edition=ED, total=True)
    d35 = _row(t, "code", "35")
    assert d35["n_elected_lists"] == int(
        lists.loc[lists["commune_code"].str.startswith("35"), "elected"].fillna(False).sum()
    )
    assert d35["share_elected_lists"] == pytest.approx(100 * d35["n_elected_lists"] / 4)
    france = _row(t, "code", "FR")
    assert france["n_elected_lists"] == t.loc[t["code"] != "FR", "n_elected_lists"].sum()
    assert pa.column_label("share_elected_lists") == "Part des listes élues (%)"
    assert "n_elected_lists" in pa.available_metrics("region")["metric"].tolist()


def test_territory_summary_regions_and_epci(
    lists: pd.DataFrame, commitments: pd.DataFrame, communes: pd.DataFrame
) -> None:
    r = territory_summary(lists, commitments, communes, level="region", edition=ED)
    assert list(r["code"]) == ["06", "53"]
    r53 = _row(r, "code", "53")
    assert r53["name"] == "Bretagne"  # no names given: read from the reference
    assert (r53["n_communes"], r53["population"]) == (5, 10000)
    assert (
        r53["n_communes_group"],
        r53["n_communes_signatory"],
        r53["n_communes_elected_signatory"],
    ) == (4, 3, 1)
    assert (r53["share_communes_group"], r53["share_communes_signatory"]) == (80.0, 60.0)
    assert r53["share_communes_elected_signatory"] == 20.0
    assert (r53["population_signatory"], r53["population_elected_signatory"]) == (6200, 1000)
    assert (r53["share_population_signatory"], r53["share_population_elected_signatory"]) == (
        62.0,
        10.0,
    )

    e = territory_summary(lists, commitments, communes, level="epci", edition=ED)
    assert list(e["code"]) == ["E1", "E2", "E3"]  # 35003 has no EPCI
    e1 = _row(e, "code", "E1")
    assert (e1["n_communes"], e1["population"], e1["n_lists"]) == (2, 4000, 3)
    assert (e1["population_signatory"], e1["population_elected_signatory"]) == (1000, 1000)
    assert e1["share_population_signatory"] == 25.0
    e2 = _row(e, "code", "E2")
    assert (e2["n_communes"], e2["n_communes_signatory"], e2["population_signatory"]) == (
        2,
        1,
        5000,
    )


def test_territory_summary_without_any_list(
    communes: pd.DataFrame, departements: pd.DataFrame
) -> None:
    lists = pd.DataFrame(
        columns=[
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
            "elected",
        ]
    )
    com = pd.DataFrame(columns=["list_id", "edition", "measure", "committed", "level"])
    t = territory_summary(lists, com, communes, territories=departements, edition=ED)
    assert len(t) == 5
    assert (t["n_lists"] == 0).all() and (t["n_communes_signatory"] == 0).all()
    assert (t.loc[t["n_communes"] > 0, "share_communes_signatory"] == 0.0).all()
    cs = commune_summary(lists, com, communes, include_empty=True)
    assert len(cs) == 6 and (cs["n_lists"] == 0).all()
    ms = measure_summary(lists, com)
    assert len(ms) == 32 and (ms["n_lists"] == 0).all() and ms["share_lists"].isna().all()
    ts = theme_summary(lists, com)
    assert (ts["n_lists"] == 0).all()
    ce = compare_elected(lists, com)
    assert list(ce["n_lists"]) == [0, 0, 0]
    sc = compare_size_classes(lists, com, communes)
    assert sc["n_communes"].sum() == 6


def test_territory_summary_bad_level(
    lists: pd.DataFrame, commitments: pd.DataFrame, communes: pd.DataFrame
) -> None:
    with pytest.raises(
        pa.InvalidArgumentError, match="niveau inconnu « canton » ; niveaux possibles"
    ):
        territory_summary(lists, commitments, communes, level="canton")  # type: ignore[arg-type]


def test_territory_summary_accepts_geodataframe(
    lists: pd.DataFrame, commitments: pd.DataFrame, communes: pd.DataFrame
) -> None:
    gpd = pytest.importorskip("geopandas")
    from shapely.geometry import Point

    gdf = gpd.GeoDataFrame(
        communes, geometry=[Point(i, i) for i in range(len(communes))], crs="EPSG:4326"
    )
    t = territory_summary(lists, commitments, gdf, level="region")
    assert type(t) is pd.DataFrame
    assert "geometry" not in t.columns


# --------------------------------------------------------------------------- measures


def test_measure_summary(lists: pd.DataFrame, commitments: pd.DataFrame) -> None:
    ms = measure_summary(lists, commitments, ED)
    assert list(ms["measure"]) == list(range(1, 33))
    m1 = _row(ms, "measure", 1)
    assert (m1["n_lists"], m1["share_lists"]) == (7, 100.0)
    assert (m1["n_level_1"], m1["n_level_2"], m1["n_level_3"], m1["n_level_unknown"]) == (
        2,
        2,
        2,
        1,
    )
    assert m1["mean_level"] == pytest.approx(2.0)
    assert (m1["n_elected"], m1["share_elected"]) == (3, 100.0)
    assert (
        m1["n_elected_level_1"],
        m1["n_elected_level_2"],
        m1["n_elected_level_3"],
        m1["n_elected_level_unknown"],
    ) == (1, 2, 0, 0)

    m3 = _row(ms, "measure", 3)  # L6's explicit "no" does not count
    assert m3["n_lists"] == 6 and m3["share_lists"] == pytest.approx(600 / 7)

    m13 = _row(ms, "measure", 13)  # unconfirmed title: never invented
    assert m13["label"] == "Mesure 13" and m13["short_label"] == "Mesure 13"
    assert not m13["title_confirmed"] and m13["theme"] == UNASSIGNED_THEME
    assert (m13["n_lists"], m13["n_elected"]) == (2, 1)

    m12 = _row(ms, "measure", 12)
    assert (m12["n_lists"], m12["n_elected"]) == (3, 2)
    assert m12["share_elected"] == pytest.approx(200 / 3)

    m32 = _row(ms, "measure", 32)
    assert (m32["n_lists"], m32["share_lists"], m32["n_level_unknown"]) == (0, 0.0, 0)
    assert math.isnan(m32["mean_level"])

    sig = measure_summary(lists, commitments, ED, signatory_only=True)
    s1 = _row(sig, "measure", 1)
    assert (s1["n_lists"], s1["n_elected"]) == (5, 2)  # L1, L2, L4, L5, L7; L1 and L7


def test_theme_summary(lists: pd.DataFrame, commitments: pd.DataFrame) -> None:
    ts = theme_summary(lists, commitments, ED)
    assert list(ts["theme"]) == [*ED.themes, UNASSIGNED_THEME]
    mob = _row(ts, "theme", "mobilités")  # measures 14, 15
    assert (mob["n_measures"], mob["n_lists"], mob["n_commitments"]) == (2, 2, 4)
    assert mob["share_lists"] == pytest.approx(200 / 7)
    assert mob["engagement_rate"] == pytest.approx(4 / 14 * 100)
    assert (mob["n_level_2"], mob["n_level_unknown"]) == (2, 2)
    assert (mob["n_elected"], mob["n_elected_commitments"]) == (1, 2)
    assert mob["share_elected"] == pytest.approx(100 / 3)
    assert mob["elected_engagement_rate"] == pytest.approx(100 / 3)

    agri = _row(ts, "theme", "agriculture et alimentation")  # 5, 6, 7
    assert (agri["n_lists"], agri["n_commitments"]) == (6, 18)
    assert agri["engagement_rate"] == pytest.approx(18 / 21 * 100)

    none = _row(ts, "theme", UNASSIGNED_THEME)  # 13, 16, 17, 19, 22, 23, 26, 30
    assert (none["n_measures"], none["n_lists"], none["n_commitments"]) == (8, 2, 5)


# --------------------------------------------------------------------------- comparisons


def test_compare_lists(lists: pd.DataFrame, commitments: pd.DataFrame) -> None:
    m = compare_lists("35001", lists, commitments, ED, values="label", mark_elected=False)
    assert list(m.columns) == ["label", "Demain", "Ensemble"]  # most measures first
    assert m.attrs["lists"] == ["L2", "L1"]
    assert (m.loc[1, "Demain"], m.loc[1, "Ensemble"]) == ("✓", "N2")
    assert (m.loc[13, "Demain"], m.loc[13, "Ensemble"]) == ("✓", "")
    assert (m.loc[16, "Demain"], m.loc[16, "Ensemble"]) == ("", "")
    marked = compare_lists("35001", lists, commitments, ED)
    assert list(marked.columns) == ["label", "Demain", "Ensemble (élue)"]  # L1 won
    assert m.loc[13, "label"] == "Mesure 13"
    assert len(m) == 32

    b = compare_lists("35001", lists, commitments, ED, mark_elected=False)
    assert b["Demain"].sum() == 15 and b["Ensemble"].sum() == 12
    lv = compare_lists("35001", lists, commitments, ED, values="level", columns="list_id")
    assert list(lv.columns) == ["label", "L2", "L1"]
    assert lv.loc[1, "L1"] == 2 and pd.isna(lv.loc[1, "L2"]) and pd.isna(lv.loc[20, "L1"])


def test_compare_lists_duplicate_names_and_unknown_commune(
    lists: pd.DataFrame, commitments: pd.DataFrame
) -> None:
    m = compare_lists("56001", lists, commitments, ED)
    assert list(m.columns) == ["label", "Liste citoyenne (L5)", "Liste citoyenne (L6)"]
    with pytest.raises(KeyError, match="aucune liste connue pour la commune 99999"):
        compare_lists("99999", lists, commitments, ED)


def test_compare_elected(lists: pd.DataFrame, commitments: pd.DataFrame) -> None:
    c = compare_elected(lists, commitments, ED)
    assert list(c["status"]) == list(ELECTED_STATUSES)
    el, lost, unknown = (c.iloc[i] for i in range(3))
    assert (el["n_lists"], el["n_signatory"]) == (3, 2)
    assert el["share_signatory"] == pytest.approx(200 / 3)
    assert el["mean_measures"] == pytest.approx(43 / 3) and el["median_measures"] == 12
    assert el["mean_level"] == pytest.approx(5 / 3)
    assert (lost["n_lists"], lost["n_signatory"], lost["mean_measures"]) == (3, 2, 9.0)
    assert lost["mean_level"] == pytest.approx(2.0)
    assert (unknown["n_lists"], unknown["share_signatory"], unknown["mean_level"]) == (
        1,
        100.0,
        3.0,
    )

    bm = compare_elected(lists, commitments, ED, by="measure")
    m12 = _row(bm, "measure", 12)
    assert m12["share_elected"] == pytest.approx(200 / 3)
    assert m12["share_not_elected"] == pytest.approx(100 / 3)
    assert m12["share_unknown"] == 0.0
    assert m12["difference"] == pytest.approx(100 / 3)

    bt = compare_elected(lists, commitments, ED, by="theme")
    mob = _row(bt, "theme", "mobilités")
    assert mob["share_elected"] == pytest.approx(100 / 3)
    assert mob["share_not_elected"] == pytest.approx(100 / 3)
    assert mob["difference"] == pytest.approx(0.0)


@pytest.mark.parametrize(
    ("population", "expected"),
    [
        (0, 0),
        (499, 0),
        (500, 1),
        (999, 1),
        (1000, 2),
        (1999, 2),
        (2000, 3),
        (3499, 3),
        (3500, 4),
        (4999, 4),
        (5000, 5),
        (9999, 5),
        (10000, 6),
        (19999, 6),
        (20000, 7),
        (49999, 7),
        (50000, 8),
        (99999, 8),
        (100000, 9),
        (2_165_423, 9),
    ],
)
def test_size_class_brackets(population: int, expected: int) -> None:
    assert size_class([population]).iloc[0] == SIZE_CLASSES[expected][1]


def test_size_class_series() -> None:
    pop = pd.Series(pd.array([1500, None, 250], dtype="Int64"), index=["a", "b", "c"])
    sc = size_class(pop)
    assert list(sc.index) == ["a", "b", "c"] and sc.name == "size_class"
    assert sc["a"] == f"1{NNBSP}000 à 1{NNBSP}999 hab."
    assert pd.isna(sc["b"])
    assert sc.cat.ordered and len(sc.cat.categories) == 10


def test_compare_size_classes(
    lists: pd.DataFrame, commitments: pd.DataFrame, communes: pd.DataFrame
) -> None:
    c = compare_size_classes(lists, commitments, communes, ED).set_index("size_class")
    assert list(c.index) == [label for _, label in SIZE_CLASSES] + ["Population inconnue"]
    assert c["n_communes"].sum() == 6  # every commune, Mayotte's (no population) too
    assert c["n_lists"].sum() == len(lists)  # and every list: nothing silently dropped
    unknown = c.loc["Population inconnue"]  # 97601
    assert unknown["n_communes"] == 1 and pd.isna(unknown["population"])
    assert pd.isna(unknown["population_signatory"])  # unknown, not 0 inhabitants
    small = c.loc["Moins de 500 hab."]  # 35003
    assert (small["n_communes"], small["n_communes_signatory"]) == (1, 1)
    assert small["share_communes_elected_signatory"] == 0.0
    c1000 = c.loc[f"1{NNBSP}000 à 1{NNBSP}999 hab."]  # 35001
    assert (c1000["n_lists"], c1000["n_signatory_lists"], c1000["mean_measures"]) == (2, 2, 13.5)
    assert (c1000["n_communes_elected_signatory"], c1000["population_signatory"]) == (1, 1000)
    c500 = c.loc["500 à 999 hab."]  # 29001, no list
    assert (c500["n_communes"], c500["n_communes_group"], c500["share_communes_group"]) == (
        1,
        0,
        0.0,
    )
    c5000 = c.loc[f"5{NNBSP}000 à 9{NNBSP}999 hab."]
    assert (c5000["n_lists"], c5000["mean_measures"], c5000["population_signatory"]) == (
        2,
        6.0,
        5000,
    )
    big = c.loc[f"100{NNBSP}000 hab. ou plus"]
    assert big["n_communes"] == 0 and pd.isna(big["share_communes_group"])


def test_compare_territories(
    lists: pd.DataFrame,
    commitments: pd.DataFrame,
    communes: pd.DataFrame,
    departements: pd.DataFrame,
) -> None:
    c = compare_territories(
        "35", "56", lists, commitments, communes, territories=departements, edition=ED
    )
    assert list(c.columns) == [
        "label",
        "unit",
        "Ille-et-Vilaine (35)",
        "Morbihan (56)",
        "Écart (56 − 35)",
        "France entière",
    ]
    assert c.loc["n_communes_signatory", "Écart (56 − 35)"] == -1
    assert c.loc["n_communes_signatory", "France entière"] == 4  # 35: 2, 56: 1, 976: 1
    assert isinstance(c.loc["n_communes_signatory", "France entière"], int)  # 4, not 4.0
    assert c.loc["n_communes_signatory", "Ille-et-Vilaine (35)"] == 2
    assert c.loc["n_communes_signatory", "Morbihan (56)"] == 1
    assert c.loc["share_population_signatory", "Morbihan (56)"] == 100.0
    assert c.loc["share_communes_signatory", "unit"] == "%"
    assert c.loc["population", "label"] == "Population municipale"
    with pytest.raises(KeyError, match="inconnu"):
        compare_territories("35", "75", lists, commitments, communes)
    r = compare_territories("53", "06", lists, commitments, communes, level="region")
    assert r.loc["n_communes", "Bretagne (53)"] == 5


# --------------------------------------------------------------------------- metric catalogue


def test_available_metrics_are_real_columns(
    lists: pd.DataFrame, commitments: pd.DataFrame, communes: pd.DataFrame
) -> None:
    allm = available_metrics()
    assert list(allm.columns) == ["metric", "label", "unit", "kind", "levels"]
    assert allm["metric"].is_unique
    assert (allm["label"].str.len() > 0).all()
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        cs = commune_summary(lists, commitments, communes, include_empty=True)
    for name in available_metrics("commune")["metric"]:
        assert name in cs.columns, name
    for level in ("departement", "region", "epci"):
        t = territory_summary(lists, commitments, communes, level=level)  # type: ignore[arg-type]
        for name in available_metrics(level)["metric"]:
            assert name in t.columns, (level, name)
    share = available_metrics("departement").set_index("metric").loc["share_communes_signatory"]
    assert share["label"] == "Part des communes avec une liste signataire"
    assert share["unit"] == "%"
    assert metric_info("population_signatory").unit == "habitants"
    with pytest.raises(KeyError, match="Indicateur inconnu"):
        metric_info("nope")
    with pytest.raises(
        pa.InvalidArgumentError, match="niveau inconnu « canton » ; niveaux possibles"
    ):
        available_metrics("canton")


# --------------------------------------------------------------------------- vectorised paths


def test_text_columns_match_a_naive_computation() -> None:
    """The vectorised measure/theme texts equal a plain per-list computation."""
    rng = np.random.default_rng(3)
    n_lists = 60
    ids = [f"X{i:03d}" for i in range(n_lists)]
    lists = pd.DataFrame(
        {
            "list_id": ids,
            "edition": "pacte-2020",
            "commune_code": [f"3500{i % 7}" for i in range(n_lists)],
            "principles": rng.choice(["ABC", "ab", "", "C"], n_lists),
            "n_measures": rng.integers(0, 33, n_lists),
            "mean_level": None,
            "signatory": rng.random(n_lists) < 0.5,
            "elected": pd.array(rng.choice([True, False, None], n_lists), dtype="boolean"),
        }
    )
    rows = [
        (lid, int(m), bool(rng.random() < 0.9), int(rng.integers(0, 5)))
        for lid in ids[:-5]  # the last five lists commit to nothing
        for m in rng.choice(np.arange(1, 36), int(rng.integers(0, 20)))  # repeats, unknown
    ]
    com = pd.DataFrame(rows, columns=["list_id", "measure", "committed", "level"])
    s = list_summary(lists, com, ED).set_index("list_id")
    theme_of = {m.number: m.theme for m in ED.measures}
    known = com.loc[com["committed"] & com["measure"].isin(ED.measure_numbers)]
    for lid in ids:
        measures = sorted(set(known.loc[known["list_id"] == lid, "measure"]))
        themes = [t for t in ED.themes if any(theme_of[m] == t for m in measures)]
        assert s.loc[lid, "measures"] == ", ".join(map(str, measures)), lid
        assert s.loc[lid, "themes"] == " ; ".join(themes), lid
        assert s.loc[lid, "n_themes"] == len(themes), lid
    c = commune_summary(lists, com, edition=ED).set_index("commune_code")
    for code, group in lists.groupby("commune_code"):
        union = sorted(set(known.loc[known["list_id"].isin(group["list_id"]), "measure"]))
        assert c.loc[code, "measures_union"] == ", ".join(map(str, union)), code
        assert c.loc[code, "n_measures_union"] == len(union), code
    only_signatory = measure_summary(lists, com, ED, signatory_only=True).set_index("measure")
    signatory_ids = set(lists.loc[lists["signatory"], "list_id"])
    on_signatory = known.loc[known["list_id"].isin(signatory_ids)]
    expected = on_signatory.drop_duplicates(["list_id", "measure"]).groupby("measure").size()
    got = only_signatory["n_lists"]
    assert got.loc[got > 0].to_dict() == expected.to_dict()
