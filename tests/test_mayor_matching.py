"""Matching a list head against the mayors of the RNE (``elected_source = rne``).

When a tracker does not say whether a list won, the import marks it elected when its
head is the mayor of the commune in the RNE snapshot. Comparing family names only
would mark elected a head who shares the mayor's family name but not the first name;
these tests pin the behaviour, for the 2020 mayors and the 2026 ones:

* family name and first name (any order, accents, case, civility) → elected;
* same family name, another first name → not elected;
* initial(s) of the first name + family name → elected when the initials are those
  of the mayor's first name(s), not otherwise;
* family name alone → elected (no first name to contradict it).
"""

from __future__ import annotations

import pandas as pd
import pytest

from pacte_analysis.ingest._engine import _MayorIndex
from pacte_analysis.reference import _build


def _index(rows: list[tuple[str, str, str]]) -> _MayorIndex:
    return _MayorIndex(pd.DataFrame(rows, columns=["commune_code", "last_name", "first_name"]))


@pytest.fixture(scope="module")
def mayors_2020(reference_ready: None) -> _MayorIndex:
    from pacte_analysis.reference import mayors

    return _MayorIndex(mayors(2020))


@pytest.fixture(scope="module")
def mayors_2026() -> _MayorIndex:
    if _build.check_cache(_build.cache_path(2026), verify_checksums=False, vintage=2026):
        pytest.skip("référentiel 2026 absent : lancez « pacte reference build --vintage 2026 »")
    from pacte_analysis.reference import mayors

    return _MayorIndex(mayors(2026))


# (commune, mayor as a tracker would write them, same family name + other first name,
#  matching initial, other initial, family name alone)
CASES = {
    2020: ("35238", "Nathalie Appéré", "Pierre Appéré", "N. Appéré", "P. APPERE", "Appéré"),
    2026: (
        "75056",
        "GRÉGOIRE Emmanuel",
        "Sophie Grégoire",
        "E. Grégoire",
        "S. Gregoire",
        "Grégoire",
    ),
}


@pytest.fixture(params=[2020, 2026])
def case(
    request: pytest.FixtureRequest,
) -> tuple[_MayorIndex, tuple[str, str, str, str, str, str]]:
    name = "mayors_2020" if request.param == 2020 else "mayors_2026"
    return request.getfixturevalue(name), CASES[request.param]


def test_mayor_is_recognised(case: tuple[_MayorIndex, tuple[str, ...]]) -> None:
    index, (code, head, *_rest) = case
    assert index.knows(code)
    assert index.is_mayor(code, head)
    assert index.is_mayor(code, head.upper())
    assert index.is_mayor(code, " ".join(reversed(head.split())))
    assert index.is_mayor(code, f"Mme {head}" if "Nathalie" in head else f"M. {head}")


def test_same_family_name_other_first_name_is_not_elected(
    case: tuple[_MayorIndex, tuple[str, ...]],
) -> None:
    index, (code, _head, other_first, *_rest) = case
    assert not index.is_mayor(code, other_first)


def test_initials(case: tuple[_MayorIndex, tuple[str, ...]]) -> None:
    index, (code, _head, _other, initial, other_initial, _alone) = case
    assert index.is_mayor(code, initial)
    assert not index.is_mayor(code, other_initial)


def test_family_name_alone_is_elected(case: tuple[_MayorIndex, tuple[str, ...]]) -> None:
    index, (code, *_rest, alone) = case
    assert index.is_mayor(code, alone)


def test_mayor_of_another_commune_is_not_elected(
    case: tuple[_MayorIndex, tuple[str, ...]],
) -> None:
    index, (code, head, *_rest) = case
    other = "35238" if code != "35238" else "75056"
    assert not index.is_mayor(other, head)


def test_2020_and_2026_mayors_differ(mayors_2020: _MayorIndex, mayors_2026: _MayorIndex) -> None:
    # Paris changed mayor in 2026: the same head is elected against one snapshot only.
    assert mayors_2020.is_mayor("75056", "Anne Hidalgo")
    assert not mayors_2026.is_mayor("75056", "Anne Hidalgo")
    assert not mayors_2020.is_mayor("75056", "Emmanuel Grégoire")


def test_compound_names_fictitious() -> None:
    index = _index([("90001", "LE GOFF-MARTIN", "Jean-Marc"), ("90002", "DUPONT", "Marie")])
    assert index.is_mayor("90001", "Jean-Marc Le Goff-Martin")
    assert index.is_mayor("90001", "jean marc le goff martin")
    assert index.is_mayor("90001", "J.-M. Le Goff-Martin")
    assert not index.is_mayor("90001", "Jean Le Goff-Martin")  # one of two first names
    assert not index.is_mayor("90001", "Jean-Marc Le Goff")  # part of the family name
    assert not index.is_mayor("90002", "Jean Dupont")
    assert not index.is_mayor("90002", "")


def test_mayor_without_first_name_does_not_match_any_first_name() -> None:
    index = _index([("90003", "EXEMPLE", "")])
    assert not index.is_mayor("90003", "Pierre Exemple")
