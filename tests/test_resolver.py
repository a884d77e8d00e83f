"""The commune resolver on real COG 2020 codes."""

from __future__ import annotations

import pytest

import pacte_analysis as pa


@pytest.mark.parametrize(
    ("kwargs", "code"),
    [
        ({"code": "35288"}, "35288"),  # Saint-Malo
        ({"code": 35288}, "35288"),
        ({"code": 1001}, "01001"),  # leading zero restored
        ({"code": "1001"}, "01001"),
        ({"code": 1001.0}, "01001"),  # a code read as a float by a spreadsheet
        ({"code": "2A004"}, "2A004"),  # Ajaccio
        ({"code": "2a004"}, "2A004"),
        ({"name": "Ajaccio"}, "2A004"),
        ({"name": "Le Havre"}, "76351"),
        ({"name": "Havre (Le)"}, "76351"),
        ({"name": "LE HAVRE"}, "76351"),
        ({"name": "Havre, Le"}, "76351"),
        ({"name": "Havre"}, "76351"),
        ({"name": "Les Abymes"}, "97101"),
        ({"name": "Abymes (Les)"}, "97101"),
        ({"name": "L'Haÿ-les-Roses"}, "94038"),
        ({"name": "l’hay les roses"}, "94038"),
        ({"name": "saint etienne"}, "42218"),  # accents and hyphens
        ({"name": "St-Malo"}, "35288"),
        ({"name": "ST MALO"}, "35288"),
        ({"name": "Ste-Marie", "departement": "974"}, "97418"),
        ({"name": "Saint-Denis", "departement": "93"}, "93066"),
        ({"name": "Saint-Denis", "departement": 974}, "97411"),
        ({"name": "Saint-Denis", "departement": "La Réunion"}, "97411"),
        ({"name": "Saint-Denis", "departement": "Seine-Saint-Denis"}, "93066"),
        ({"name": "Saint-Denis (974)"}, "97411"),
        ({"name": "Saint-Denis", "postal_code": "97400"}, "97411"),
        ({"name": "35400 Saint-Malo"}, "35288"),
        ({"name": "Saint-Malo", "code": "35400"}, "35288"),  # postal code in the code column
        ({"postal_code": "35400"}, "35288"),
        ({"name": "Annecy-le-Vieux"}, "74010"),  # merged into Annecy (commune nouvelle)
        ({"code": "74011"}, "74010"),  # former commune's code
        ({"name": "Bâgé-la-Ville"}, "01025"),
        ({"name": "Paris"}, "75056"),
    ],
)
def test_resolves(resolver: pa.CommuneResolver, kwargs: dict[str, object], code: str) -> None:
    res = resolver.resolve(**kwargs)
    assert res.reason is None, res.message
    assert res.code == code
    assert bool(res)


@pytest.mark.parametrize(
    ("kwargs", "commune", "arrondissement"),
    [
        ({"name": "Paris 11e"}, "75056", "75111"),
        ({"name": "Paris XIe"}, "75056", "75111"),
        ({"name": "Paris 11ème arrondissement"}, "75056", "75111"),
        ({"name": "Marseille 1er"}, "13055", "13201"),
        ({"name": "Lyon 3e"}, "69123", "69383"),
        ({"code": "75111"}, "75056", "75111"),
        ({"postal_code": "75011"}, "75056", "75111"),
    ],
)
def test_arrondissements(
    resolver: pa.CommuneResolver, kwargs: dict[str, object], commune: str, arrondissement: str
) -> None:
    res = resolver.resolve(**kwargs)
    assert (res.code, res.arrondissement_code) == (commune, arrondissement)


def test_official_name_with_article(resolver: pa.CommuneResolver) -> None:
    res = resolver.resolve(code="76351")
    assert res.name == "Le Havre"
    assert res.departement_code == "76"


def test_ambiguous_name_is_reported_with_candidates(resolver: pa.CommuneResolver) -> None:
    res = resolver.resolve(name="Saint-Denis")
    assert res.code is None
    assert res.reason == "AMBIGUOUS_COMMUNE"
    assert {c.code for c in res.candidates} == {"11339", "30247", "93066", "97411"}
    assert "Saint-Denis" in res.message and "département" in res.message


def test_shared_postal_code_is_ambiguous(resolver: pa.CommuneResolver) -> None:
    res = resolver.resolve(postal_code="01000")
    assert res.reason == "AMBIGUOUS_COMMUNE"
    assert {"01053", "01344"} <= {c.code for c in res.candidates}


def test_unknown_and_missing(resolver: pa.CommuneResolver) -> None:
    typo = resolver.resolve(name="Saint-Maloo")
    assert typo.reason == "UNKNOWN_COMMUNE"
    assert typo.candidates[0].code == "35288"  # suggestion, not a guess
    assert resolver.resolve(code="99999").reason == "UNKNOWN_COMMUNE"
    assert resolver.resolve().reason == "MISSING_COMMUNE"
    assert resolver.resolve(name="   ", code=float("nan")).reason == "MISSING_COMMUNE"
    wrong_dep = resolver.resolve(name="Saint-Malo", departement="29")
    assert wrong_dep.reason == "UNKNOWN_COMMUNE"
    assert "35288" in {c.code for c in wrong_dep.candidates}


def test_code_contradicting_name_is_not_guessed(resolver: pa.CommuneResolver) -> None:
    res = resolver.resolve(name="Brest", code="35238")
    assert res.reason == "AMBIGUOUS_COMMUNE"
    assert {"35238", "29019"} <= {c.code for c in res.candidates}
    assert resolver.resolve(name="Rennes", code="35238").code == "35238"


def test_module_level_function(reference_ready: None) -> None:
    assert pa.resolve_commune(name="Saint-Malo").code == "35288"
