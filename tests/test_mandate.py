"""Mandate outcome 2020 → 2026: following the 2020 mayor into the 2026 RNE snapshot."""

from __future__ import annotations

import pandas as pd
import pytest

import pacte_analysis as pa
from pacte_analysis.reference import _build


def person(last: str, first: str, born: str | None) -> dict[str, str | None]:
    return {"last_name": last, "first_name": first, "birth_date": born}


# ------------------------------------------------------------------ same person
def test_homonyms_with_different_birth_dates_are_two_people() -> None:
    father = person("MARTIN", "Daniel", "1951-02-23")
    son = person("MARTIN", "Daniel", "1979-06-14")
    assert not pa.same_person(father, son)
    assert pa.same_person(father, person("Martin", "DANIEL", "1951-02-23"))


def test_accents_case_and_hyphens_do_not_matter() -> None:
    a = person("APPÉRÉ", "Nathalie", "1975-07-08")
    assert pa.same_person(a, person("Appere", "nathalie", "1975-07-08"))
    assert pa.same_person(
        person("LE GOFF", "Jean-Marc", "1960-01-20"), person("Le-Goff", "Jean Marc", "1960-01-20")
    )
    assert pa.same_person(person("CŒUR", "Zoé", "1970-05-30"), person("Coeur", "Zoe", "1970-05-30"))


def test_compound_family_names() -> None:
    born = "1962-03-28"
    # One compound name containing the other, in any order.
    assert pa.same_person(
        person("RENOUD-LYAT DUPERRAY", "Agnès", born), person("RENOUD-LYAT", "Agnès", born)
    )
    assert pa.same_person(
        person("RABILLOUD VEYSSET", "Françoise", born),
        person("VEYSSET-RABILLOUD", "Françoise", born),
    )
    # Birth name and married name around « ép. » / « épouse ».
    assert pa.same_person(
        person("GENTIL ÉP GARCIER-RICHAUD", "Hélène", born),
        person("GARCIER-RICHAUD", "Hélène", born),
    )
    assert pa.same_person(
        person("BLANC ÉPOUSE VENTRE", "Maryse", born), person("BLANC", "Maryse", born)
    )
    # A part of a word is not a name: « MARTINEAU » is not « MARTIN ».
    assert not pa.same_person(person("MARTINEAU", "Anne", born), person("MARTIN", "Anne", born))
    # A different family name is a different person, even born the same day.
    assert not pa.same_person(
        person("LEJEUNE", "Stéphanie", born), person("MACON", "Stéphanie", born)
    )


def test_first_names() -> None:
    born = "1958-11-21"
    assert pa.same_person(
        person("DUBOIS", "Jean-Marie", born), person("DUBOIS", "Jean-Marie Louis", born)
    )
    assert pa.same_person(person("BURTON", "Franck", born), person("BURTON", "Frank", born))
    assert not pa.same_person(person("DUBOIS", "Jean", born), person("DUBOIS", "Pierre", born))
    assert not pa.same_person(person("DUBOIS", "Marie", born), person("DUBOIS", "Jean-Marie", born))
    # One slip is tolerated only in a name long enough to carry it.
    assert not pa.same_person(person("DUBOIS", "Léa", born), person("DUBOIS", "Léo", born))


def test_birth_date_with_day_and_month_swapped() -> None:
    # How the 2026 snapshot writes a birth date whose day is 12 or less.
    a = person("FABRE", "Daniel", "1961-09-07")
    assert pa.same_person(a, person("FABRE", "Daniel", "1961-07-09"))
    assert not pa.same_person(a, person("FABRE", "Daniel", "1962-07-09"))
    assert not pa.same_person(a, person("FABRE", "Daniel", "1961-07-10"))
    assert not pa.same_person(a, person("FABRE", "Daniel", None))


# ------------------------------------------------------------ outcome per commune
def _fixture() -> dict[str, pd.DataFrame]:
    """Six fictitious 2020 communes and their fate in 2026 (names invented)."""
    communes = pd.DataFrame(
        {
            "code": ["90001", "90002", "90003", "90004", "90005", "90006"],
            "name": ["Alpha", "Bêta", "Gamma", "Delta", "Epsilon", "Zêta"],
            "departement_code": ["90", "90", "90", "90", "90", "90"],
            "region_code": ["27"] * 6,
            "population": pd.array([300, 12_000, 800, 450, 2_500, None], dtype="Int64"),
        }
    )
    changes = pd.DataFrame(
        {
            "code_2020": ["90001", "90002", "90003", "90004", "90005", "90006"],
            "name_2020": communes["name"],
            "code_2026": ["90001", "90002", "90003", "90003", "90005", "90006"],
            "name_2026": ["Alpha", "Bêta", "Gamma-Delta", "Gamma-Delta", "Epsilon", "Zêta"],
            "kind": ["unchanged", "renamed", "merged", "merged", "split", "unchanged"],
            "other_codes_2026": [None, None, None, None, "90007", None],
        }
    )
    mayors_2020 = pd.DataFrame(
        [
            {"commune_code": "90001", **person("EXEMPLE", "Camille", "1960-04-30")},
            {"commune_code": "90002", **person("FICTIF", "Dominique", "1955-10-03")},
            {"commune_code": "90003", **person("INVENTÉ", "Claude", "1970-01-15")},
            {"commune_code": "90004", **person("MODÈLE", "Alix", "1966-12-25")},
            {"commune_code": "90005", **person("ESSAI", "Sacha", "1972-08-19")},
        ]
    )
    mayors_2026 = pd.DataFrame(
        [
            # Alpha: the same person (accents and case aside)
            {"commune_code": "90001", **person("Exemple", "Camille", "1960-04-30")},
            # Bêta: a homonym, other birth date → a new mayor
            {"commune_code": "90002", **person("FICTIF", "Dominique", "1988-02-14")},
            # Gamma-Delta: the mayor of Delta heads the commune nouvelle
            {"commune_code": "90003", **person("MODELE", "Alix", "1966-12-25")},
            # Epsilon was split: its mayor now heads the restored commune 90007
            {"commune_code": "90007", **person("ESSAI", "Sacha", "1972-08-19")},
            {"commune_code": "90005", **person("AUTRE", "Maxime", "1980-03-03")},
            # Zêta had no mayor in 2020
            {"commune_code": "90006", **person("NOUVEAU", "Lou", "1990-09-09")},
        ]
    )
    return {
        "communes": communes,
        "changes": changes,
        "mayors_from": mayors_2020,
        "mayors_to": mayors_2026,
    }


def test_commune_outcomes() -> None:
    out = pa.commune_mandate_outcome(**_fixture()).set_index("commune_code")
    assert out["mayor_2026_outcome"].to_dict() == {
        "90001": "reelected",
        "90002": "new_mayor",
        "90003": "merged",
        "90004": "reelected",
        "90005": "reelected",
        "90006": "unknown",
    }
    assert out.loc["90001", "mayor_2026_outcome_label"] == "maire réélu·e en 2026"
    assert out.loc["90002", "mayor_2026_outcome_label"] == "nouveau maire"
    assert out.loc["90003", "mayor_2026_outcome_label"] == "commune fusionnée"
    assert out.loc["90006", "mayor_2026_outcome_label"] == "inconnu"
    assert out.loc["90004", "commune_code_2026"] == "90003"
    assert bool(out.loc["90004", "commune_merged"]) and not bool(out.loc["90005", "commune_merged"])
    assert out.loc["90004", "mayor_2026"] == "Alix MODELE"
    assert out.loc["90003", "mayor_2020"] == "Claude INVENTÉ"
    assert out.loc["90002", "size_class"] == pa.size_class([12_000]).item()


def test_mandate_outcome_on_lists() -> None:
    outcome = pa.commune_mandate_outcome(**_fixture())
    lists = pd.DataFrame(
        {
            "list_id": ["a", "b", "c", "d"],
            "commune_code": ["90001", "90003", "90002", "99999"],
            "elected": pd.array([True, True, False, None], dtype="boolean"),
            "signatory": [True, True, True, False],
        }
    )
    out = pa.mandate_outcome(lists, outcome)
    assert list(out["list_id"]) == ["a", "b", "c", "d"]
    assert list(out["mayor_2026_outcome"]) == ["reelected", "merged", "new_mayor", "unknown"]
    assert out.loc[3, "mayor_2026_outcome_label"] == "inconnu"
    assert list(out["commune_merged"].fillna(False)) == [False, True, False, False]
    assert "mayor_2026_outcome" not in lists.columns  # the input is left as it was


def test_mandate_summary_compares_with_same_size_communes() -> None:
    outcome = pa.commune_mandate_outcome(**_fixture())
    lists = pd.DataFrame(
        {
            "commune_code": ["90001", "90001", "90002", "90003", "90005"],
            "elected": pd.array([True, False, True, True, True], dtype="boolean"),
            "signatory": [True, False, True, False, False],
        }
    )
    table = pa.mandate_summary(lists, outcome, by="france").iloc[0]
    assert (table["n_signatory"], table["n_signatory_known"]) == (2, 2)
    assert table["n_signatory_reelected"] == 1  # Alpha yes, Bêta no
    assert table["share_signatory_reelected"] == pytest.approx(50.0)
    assert (table["n_non_signatory"], table["n_non_signatory_reelected"]) == (2, 1)
    assert (table["n_all"], table["n_all_known"], table["n_all_reelected"]) == (6, 5, 3)
    # Expected by size: Alpha (< 500: Alpha and Delta, both re-elected → 100 %) and
    # Bêta (10 000–19 999: itself only, not re-elected → 0 %) → 50 %.
    assert table["share_expected_by_size"] == pytest.approx(50.0)
    assert table["difference_by_size"] == pytest.approx(0.0)
    # Only Bêta signed: its size class has no re-elected mayor → 0 % expected.
    only_beta = lists.assign(signatory=lists["commune_code"].eq("90002"))
    table = pa.mandate_summary(only_beta, outcome, by="france").iloc[0]
    assert table["share_expected_by_size"] == pytest.approx(0.0)
    by_size = pa.mandate_summary(lists, outcome, by="size_class").set_index("size_class")
    small = pa.size_class([300]).item()
    assert by_size.loc[small, "share_all_reelected"] == pytest.approx(100.0)
    by_dep = pa.mandate_summary(lists, outcome, by="departement")
    assert list(by_dep["departement_code"]) == ["90"]
    with pytest.raises(ValueError, match="by doit valoir"):
        pa.mandate_summary(lists, outcome, by="canton")


def test_missing_birth_date_column_is_a_clear_error() -> None:
    fx = _fixture()
    fx["mayors_to"] = fx["mayors_to"].drop(columns="birth_date")
    with pytest.raises(ValueError, match="colonnes absentes birth_date"):
        pa.commune_mandate_outcome(**fx)


# ------------------------------------------------------------ the real snapshots
@pytest.fixture(scope="module")
def real_outcome(reference_ready: None) -> pd.DataFrame:
    if _build.check_cache(_build.cache_path(2026), verify_checksums=False, vintage=2026):
        pytest.skip("référentiel 2026 absent : lancez « pacte reference build --vintage 2026 »")
    return pa.commune_mandate_outcome()


def test_real_outcomes(real_outcome: pd.DataFrame) -> None:
    out = real_outcome.set_index("commune_code")
    assert len(out) == 34_968
    # Known outcomes of the March 2026 election in the RNE snapshot.
    assert out.loc["44109", "mayor_2026_outcome"] == "reelected"  # Nantes
    assert out.loc["75056", "mayor_2026_outcome"] == "new_mayor"  # Paris
    # Le Mont-Dieu merged into Tannay-le-Mont-Dieu, whose mayor is its 2020 mayor.
    assert out.loc["08300", ["commune_code_2026", "mayor_2026_outcome"]].tolist() == [
        "08439",
        "reelected",
    ]
    # Béon's mayor heads Culoz-Béon: Culoz's 2020 mayor is « commune fusionnée ».
    assert out.loc["01039", "mayor_2026_outcome"] == "reelected"
    assert out.loc["01138", "mayor_2026_outcome"] == "merged"
    shares = out["mayor_2026_outcome"].value_counts(normalize=True)
    assert 0.4 < shares["reelected"] < 0.7
    assert shares["unknown"] < 0.02
