"""Commune names as groups really wrote them in 2020 (issue 9), on the real COG 2020.

Every expected code is checked against the reference itself (``pa.communes()``): the
test fails if a code written here is not the commune named beside it.
"""

from __future__ import annotations

import pytest

import pacte_analysis as pa


@pytest.fixture(scope="module")
def official_names(reference_ready: None) -> dict[str, str]:
    communes = pa.communes(resolution="web")
    return dict(zip(communes["code"], communes["name"], strict=True))


def _check(res: pa.Resolution, code: str, official_names: dict[str, str], name: str) -> None:
    assert official_names[code] == name  # the code written in this test is that commune
    assert res.reason is None, res.message
    assert res.code == code
    assert res.name == name


# --------------------------------------------------------------- prefixes and former
def test_bare_boulogne_is_ambiguous_not_a_former_commune(
    resolver: pa.CommuneResolver, official_names: dict[str, str]
) -> None:
    res = resolver.resolve(name="Boulogne")
    assert res.code is None
    assert res.reason == "AMBIGUOUS_COMMUNE"
    codes = [c.code for c in res.candidates]
    assert codes[:2] == ["92012", "62160"]  # most populated first
    assert [official_names[c] for c in codes[:2]] == ["Boulogne-Billancourt", "Boulogne-sur-Mer"]
    assert {"59093", "31080", "60093"} <= set(codes)  # Boulogne-sur-Helpe, -sur-Gesse, -la-Grasse
    assert codes[-1] == "85084"  # the former commune Boulogne, last
    assert "Boulogne-Billancourt (92, 92012)" in res.message
    assert "ancienne commune Boulogne" in res.message
    assert "Précisez" in res.message


def test_former_commune_in_its_departement(
    resolver: pa.CommuneResolver, official_names: dict[str, str]
) -> None:
    res = resolver.resolve(name="Boulogne", departement="85")
    _check(res, "85084", official_names, "Essarts en Bocage")
    assert "commune déléguée" in res.message and "Essarts en Bocage" in res.message


def test_former_name_against_a_unique_prefix_is_ambiguous(resolver: pa.CommuneResolver) -> None:
    # Vassy, commune déléguée of Valdallière (14), and Vassy-sous-Pisy (89): no guess
    res = resolver.resolve(name="Vassy")
    assert res.reason == "AMBIGUOUS_COMMUNE"
    assert [c.code for c in res.candidates] == ["89431", "14726"]
    assert resolver.resolve(name="Vassy", departement="Calvados").code == "14726"


@pytest.mark.parametrize(
    ("kwargs", "code", "name"),
    [
        ({"name": "Aulnoye", "departement": "59"}, "59033", "Aulnoye-Aymeries"),
        ({"name": "Aulnoye", "departement": "Nord"}, "59033", "Aulnoye-Aymeries"),
        ({"name": "Aulnoye"}, "59033", "Aulnoye-Aymeries"),  # unique everywhere
        ({"name": "AULNOYE (59)"}, "59033", "Aulnoye-Aymeries"),
        ({"name": "Cherbourg"}, "50129", "Cherbourg-en-Cotentin"),
        ({"name": "Levallois"}, "92044", "Levallois-Perret"),
    ],
)
def test_unique_prefix_resolves_with_a_note(
    resolver: pa.CommuneResolver,
    official_names: dict[str, str],
    kwargs: dict[str, str],
    code: str,
    name: str,
) -> None:
    res = resolver.resolve(**kwargs)
    _check(res, code, official_names, name)
    assert res.method.startswith("name_prefix")
    assert f"lu comme {name} ({code})" in res.message


def test_exact_name_beats_a_longer_name(resolver: pa.CommuneResolver) -> None:
    assert resolver.resolve(name="Saint-Malo").code == "35288"  # not Saint-Malo-de-Phily
    assert resolver.resolve(name="Champigny", departement="51").code == "51118"
    assert resolver.resolve(name="Champigny", departement="51").message == ""


@pytest.mark.parametrize("dep", ["Nord", "59", 59])
def test_saint_andre_in_nord_suggests_saint_andre_lez_lille_first(
    resolver: pa.CommuneResolver, official_names: dict[str, str], dep: object
) -> None:
    res = resolver.resolve(name="Saint-André", departement=dep)
    assert res.code is None
    assert res.reason == "AMBIGUOUS_COMMUNE"
    first = res.candidates[0]
    assert (first.code, first.name) == ("59527", "Saint-André-lez-Lille")
    assert official_names["59527"] == "Saint-André-lez-Lille"
    others = {c.code for c in res.candidates[1:]}
    assert {"31468", "32356", "66168", "73223", "81240", "97409"} <= others  # the Saint-André
    assert "Saint-André-lez-Lille (59, 59527)" in res.message


# --------------------------------------------------------------------- postal codes
@pytest.mark.parametrize(
    ("kwargs", "code", "name"),
    [
        ({"name": "Champigny", "postal_code": "94500"}, "94017", "Champigny-sur-Marne"),
        ({"name": "Champigny", "postal_code": 94500}, "94017", "Champigny-sur-Marne"),
        ({"name": "Boulogne", "postal_code": "92100"}, "92012", "Boulogne-Billancourt"),
        ({"name": "Cherbourg", "postal_code": "50100"}, "50129", "Cherbourg-en-Cotentin"),
        ({"name": "Boulogne 92100"}, "92012", "Boulogne-Billancourt"),
        ({"name": "92100 Boulogne"}, "92012", "Boulogne-Billancourt"),
        ({"name": "Boulogne", "code": "92100"}, "92012", "Boulogne-Billancourt"),
        ({"name": "Champigny", "postal_code": "51370"}, "51118", "Champigny"),
    ],
)
def test_postal_code_decides_between_homonyms(
    resolver: pa.CommuneResolver,
    official_names: dict[str, str],
    kwargs: dict[str, object],
    code: str,
    name: str,
) -> None:
    _check(resolver.resolve(**kwargs), code, official_names, name)


def test_departement_alone_does_not_pick_a_longer_name(resolver: pa.CommuneResolver) -> None:
    # « Champigny » exists in the 51 and the 89: with département 94 only, suggest
    res = resolver.resolve(name="Champigny", departement="94")
    assert res.reason == "AMBIGUOUS_COMMUNE"
    assert [c.code for c in res.candidates][:1] == ["94017"]
    assert {"51118", "89074"} <= {c.code for c in res.candidates}


# -------------------------------------------------------- communes associées, déléguées
@pytest.mark.parametrize(
    ("written", "kind"),
    [
        ("Hellemmes", "commune associée"),
        ("Hellemmes-Lille", "commune associée"),
        ("HELLEMMES", "commune associée"),
        ("Lomme", "commune associée"),
        ("Lille-Hellemmes", "commune associée"),
        ("Lille - Lomme", "commune associée"),
        ("Lomme (Lille)", "commune associée"),
    ],
)
def test_communes_associees_of_lille(
    resolver: pa.CommuneResolver, official_names: dict[str, str], written: str, kind: str
) -> None:
    res = resolver.resolve(name=written)
    _check(res, "59350", official_names, "Lille")
    assert kind in res.message and "Lille" in res.message
    assert res.method == "former_name"


@pytest.mark.parametrize("written", ["Olonne-sur-Mer", "Olonne sur Mer", "Château-d'Olonne"])
def test_merged_before_2020_reads_as_the_commune_nouvelle(
    resolver: pa.CommuneResolver, official_names: dict[str, str], written: str
) -> None:
    res = resolver.resolve(name=written)
    _check(res, "85194", official_names, "Les Sables-d'Olonne")
    assert "commune nouvelle Les Sables-d'Olonne" in res.message
    assert "lu comme Les Sables-d'Olonne (85194)" in res.message


@pytest.mark.parametrize(
    "written",
    # communes nouvelles created after 2020 (absent from COG 2020, present in later ones)
    ["Oullins-Pierre-Bénite", "Val-de-Cognac", "Orée de Mormal"],
)
def test_commune_created_after_2020_is_unknown(
    resolver: pa.CommuneResolver, official_names: dict[str, str], written: str
) -> None:
    assert written not in official_names.values()
    res = resolver.resolve(name=written)
    assert res.code is None
    assert res.reason == "UNKNOWN_COMMUNE"
    assert "n'est pas une commune du COG 2020" in res.message
    assert "créée depuis" in res.message


# ------------------------------------------------------------- Paris, Lyon, Marseille
@pytest.mark.parametrize(
    ("kwargs", "commune", "arrondissement"),
    [
        ({"name": "Paris XXe"}, "75056", "75120"),
        ({"name": "Paris XXème"}, "75056", "75120"),
        ({"name": "Paris 15ème"}, "75056", "75115"),
        ({"name": "PARIS 15E"}, "75056", "75115"),
        ({"name": "Paris (15e)"}, "75056", "75115"),
        ({"name": "Paris - XVe"}, "75056", "75115"),
        ({"name": "Paris 15e arr."}, "75056", "75115"),
        ({"name": "15e arrondissement de Paris"}, "75056", "75115"),
        ({"name": "Paris 11"}, "75056", "75111"),
        ({"name": "Paris 1er"}, "75056", "75101"),
        ({"name": "75015 Paris"}, "75056", "75115"),
        ({"name": "Paris", "postal_code": "75011"}, "75056", "75111"),
        ({"name": "15ème arrondissement", "departement": "75"}, "75056", "75115"),
        ({"name": "15ème arrondissement", "departement": "Paris"}, "75056", "75115"),
        ({"name": "15ème arrondissement", "departement": "13"}, "13055", "13215"),
        ({"name": "3e arrondissement", "postal_code": "69003"}, "69123", "69383"),
        ({"name": "Lyon 1er arrondissement"}, "69123", "69381"),
        ({"name": "Lyon 3e secteur"}, "69123", "69383"),  # Lyon: one sector per arrondissement
        ({"name": "Marseille 13"}, "13055", "13213"),
    ],
)
def test_arrondissements_as_voters_wrote_them(
    resolver: pa.CommuneResolver, kwargs: dict[str, object], commune: str, arrondissement: str
) -> None:
    res = resolver.resolve(**kwargs)
    assert res.reason is None, res.message
    assert (res.code, res.arrondissement_code) == (commune, arrondissement)


def test_arrondissement_number_alone(resolver: pa.CommuneResolver) -> None:
    both = resolver.resolve(name="15ème arrondissement")  # Paris and Marseille have one
    assert both.reason == "AMBIGUOUS_COMMUNE"
    assert [c.code for c in both.candidates] == ["75056", "13055"]
    only_paris = resolver.resolve(name="18e arrondissement")
    assert (only_paris.code, only_paris.arrondissement_code) == ("75056", "75118")
    assert "Paris" in only_paris.message


@pytest.mark.parametrize(
    "written", ["Paris Centre", "Paris-Centre", "PARIS CENTRE (1er-4e)", "Paris 1er-4e"]
)
def test_paris_centre_is_paris_with_its_sector(resolver: pa.CommuneResolver, written: str) -> None:
    res = resolver.resolve(name=written)
    assert res.reason is None, res.message
    assert (res.code, res.name, res.departement_code) == ("75056", "Paris", "75")
    assert res.arrondissement_code is None  # four arrondissements: none is chosen
    assert res.sector == "Paris Centre"
    assert res.method == "sector"
    assert "1er" in res.message and "4e" in res.message


@pytest.mark.parametrize(
    ("written", "sector"),
    [
        ("Marseille 1er secteur", "Marseille 1er secteur"),
        ("Marseille 7e secteur (13e/14e)", "Marseille 7e secteur"),
        ("Marseille secteur 7", "Marseille 7e secteur"),
        ("Marseille 13e/14e", "Marseille 7e secteur"),
        ("Marseille 13e-14e arrondissements", "Marseille 7e secteur"),
        ("MARSEILLE 8E SECTEUR", "Marseille 8e secteur"),
    ],
)
def test_marseille_sectors(resolver: pa.CommuneResolver, written: str, sector: str) -> None:
    res = resolver.resolve(name=written)
    assert res.reason is None, res.message
    assert (res.code, res.arrondissement_code, res.sector) == ("13055", None, sector)
    assert "arrondissements" in res.message or "secteur" in res.message


def test_marseille_sector_arrondissements_are_the_2020_ones(resolver: pa.CommuneResolver) -> None:
    first = resolver.resolve(name="Marseille 1er secteur")
    assert "1er et 7e arrondissements" in first.message
    assert resolver.resolve(name="1er secteur", departement="13").sector == first.sector
    wrong = resolver.resolve(name="Marseille 7e secteur (1er/2e)")
    assert wrong.code == "13055"
    assert "Attention" in wrong.message  # the pair written is not the sector's


@pytest.mark.parametrize(
    ("written", "code"),
    [
        ("Marseille (13)", "13055"),  # the département, not the 13e
        ("Paris 75", "75056"),
        ("Paris-l'Hôpital", "71343"),  # a commune of its own (Saône-et-Loire)
        ("Lyon", "69123"),
    ],
)
def test_city_names_that_are_not_arrondissements(
    resolver: pa.CommuneResolver, written: str, code: str
) -> None:
    res = resolver.resolve(name=written)
    assert (res.code, res.arrondissement_code, res.sector) == (code, None, None)


def test_code_and_sector_name_agree(resolver: pa.CommuneResolver) -> None:
    res = resolver.resolve(name="Paris Centre", code="75056")
    assert (res.code, res.sector) == ("75056", "Paris Centre")
    assert resolver.resolve(name="Boulogne", code="92012").code == "92012"
    assert resolver.resolve(name="Hellemmes", code="59350").code == "59350"


# ------------------------------------------------- départements and spellings in names
@pytest.mark.parametrize(
    ("written", "code", "name"),
    [
        ("Saint Malo 35", "35288", "Saint-Malo"),
        ("SAINT-MALO 35", "35288", "Saint-Malo"),
        ("St-Malo (35)", "35288", "Saint-Malo"),
        ("Rennes (35)", "35238", "Rennes"),
        ("Rennes 35", "35238", "Rennes"),
        ("Rennes - 35", "35238", "Rennes"),
        ("Rennes, Ille-et-Vilaine", "35238", "Rennes"),
        ("Rennes – Ille-et-Vilaine", "35238", "Rennes"),
        ("Rennes (Ille-et-Vilaine)", "35238", "Rennes"),
        ("Saint-Denis 93", "93066", "Saint-Denis"),
        ("Saint-Denis 974", "97411", "Saint-Denis"),
        ("Ste-Marie (974)", "97418", "Sainte-Marie"),
        ("Saint-André-lès-Lille", "59527", "Saint-André-lez-Lille"),
        ("St André lez Lille", "59527", "Saint-André-lez-Lille"),
        ("ST ANDRE LES LILLE", "59527", "Saint-André-lez-Lille"),
        ("Boulogne s/ Mer", "62160", "Boulogne-sur-Mer"),
        ("Boulogne s/Mer", "62160", "Boulogne-sur-Mer"),
        ("Champigny s/ Marne", "94017", "Champigny-sur-Marne"),
        ("Sables-d'Olonne (Les)", "85194", "Les Sables-d'Olonne"),
        ("Les Sables d Olonne", "85194", "Les Sables-d'Olonne"),
        ("Villeneuve d'Ascq", "59009", "Villeneuve-d'Ascq"),
        ("Mons-en-Baroeul", "59410", "Mons-en-Barœul"),
        ("l'hay-les-roses", "94038", "L'Haÿ-les-Roses"),
        ("Ville de Rennes", "35238", "Rennes"),
        ("Mairie du Havre", "76351", "Le Havre"),
        ("Commune de Saint-Malo", "35288", "Saint-Malo"),
        ("Ville-d'Avray", "92077", "Ville-d'Avray"),  # « Ville » is part of this name
        ("Ville d'Avray", "92077", "Ville-d'Avray"),
    ],
)
def test_spellings_of_real_trackers(
    resolver: pa.CommuneResolver,
    official_names: dict[str, str],
    written: str,
    code: str,
    name: str,
) -> None:
    _check(resolver.resolve(name=written), code, official_names, name)


def test_misspelling_is_suggested_not_guessed(resolver: pa.CommuneResolver) -> None:
    # as published by pacte-hdf.eu: « Fines-lez-Raches » for Flines-lez-Raches
    res = resolver.resolve(name="Fines-lez-Raches")
    assert res.reason == "UNKNOWN_COMMUNE"
    assert res.candidates[0].code == "59239"
    assert "Flines-lez-Raches" in res.message


def test_official_spelling_does_not_hide_a_homonym_with_article(
    resolver: pa.CommuneResolver, official_names: dict[str, str]
) -> None:
    # « Port » (Ain) is written like « Le Port » (La Réunion) without its article
    res = resolver.resolve(name="Port")
    assert res.reason == "AMBIGUOUS_COMMUNE"
    assert [c.code for c in res.candidates] == ["97407", "01307", "09231"]  # by population
    assert [official_names[c] for c in ("97407", "01307", "09231")] == [
        "Le Port",
        "Port",
        "Le Port",
    ]
    assert resolver.resolve(name="Port", departement="01").code == "01307"


def test_sector_words_without_a_city(resolver: pa.CommuneResolver) -> None:
    res = resolver.resolve(name="13e et 14e arrondissements (7e secteur)", departement="13")
    assert (res.code, res.sector) == ("13055", "Marseille 7e secteur")
    assert resolver.resolve(name="Secteur Paris Centre").sector == "Paris Centre"
    for alone in ({"name": "Centre"}, {"name": "Centre", "departement": "75"}):
        assert resolver.resolve(**alone).code is None  # « Centre » alone is not Paris


@pytest.mark.parametrize(
    ("written", "code", "name"),
    # former communes whose own name starts with « Ville »: not « Ville de … »
    [("Ville-Issey", "55184", "Euville"), ("La Ville-aux-Nonains", "28373", "Senonches")],
)
def test_ville_in_a_former_commune_name_is_kept(
    resolver: pa.CommuneResolver,
    official_names: dict[str, str],
    written: str,
    code: str,
    name: str,
) -> None:
    res = resolver.resolve(name=written)
    _check(res, code, official_names, name)
    assert "commune associée" in res.message
