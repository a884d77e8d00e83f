"""Header detection and column roles."""

from __future__ import annotations

import pytest

from pacte_analysis.ingest._headers import classify_label, detect_header


@pytest.mark.parametrize(
    ("label", "kind", "measure"),
    [
        ("Mesure 1", "measure", 1),
        ("M1", "measure", 1),
        ("m 01", "measure", 1),
        ("N°1", "measure", 1),
        ("Mesure n°12", "measure", 12),
        ("1 - Achats publics responsables", "measure", 1),
        ("12. La ressource en eau", "measure", 12),
        ("M4 niveau", "level", 4),
        ("Niveau mesure 4", "level", 4),
        ("Code INSEE", "commune_code", None),
        ("code commune", "commune_code", None),
        ("CP", "postal_code", None),
        ("Code postal", "postal_code", None),
        ("Département", "departement", None),
        ("N° département", "departement", None),
        ("Commune", "commune_name", None),
        ("Nom de la commune", "commune_name", None),
        ("Ville", "commune_name", None),
        ("Cne", "commune_name", None),
        ("Nom cne", "commune_name", None),
        ("Cne (dépt)", "commune_name", None),
        ("Code cne", "commune_code", None),
        # the commune first, then what its cells add to the name (« Saint-Étienne (42) »)
        ("Ville (dépt)", "commune_name", None),
        ("Commune (département)", "commune_name", None),
        ("Commune - Dpt", "commune_name", None),
        ("Nom de la commune (CP)", "commune_name", None),
        ("Commune / code postal", "commune_name", None),
        ("Département de la commune", "departement", None),
        ("Code commune (INSEE)", "commune_code", None),
        ("Code postal de la commune", "postal_code", None),
        ("Nom de la liste", "list_name", None),
        ("Tête de liste", "list_head", None),
        ("Élue ?", "elected", None),
        ("Élu·e", "elected", None),
        ("Liste élue ?", "elected", None),
        ("Date de signature", "signed_on", None),
        ("Principes", "principles", None),
        ("Principes A, B, C", "principles", None),
        ("Mesures signées", "measures", None),
        ("Mesure", "measures", None),
        ("Niveau", "long_level", None),
        ("Engagement", "long_value", None),
        ("Nombre de mesures", "n_declared", None),
        ("Nb mesures", "n_declared", None),
        ("A signé le Pacte ?", "signed", None),
        ("Signataire", "signed", None),
        ("M1 N2", "measure_level", 1),
        ("Mesure 12 - niveau 3", "measure_level", 12),
    ],
)
def test_classify(label: str, kind: str, measure: int | None) -> None:
    role = classify_label(label)
    assert role is not None, label
    assert role.kind == kind
    assert role.measure == measure


@pytest.mark.parametrize(
    "label", ["Commentaire", "Population", "", "2020", "1er tour", "Avis du collectif"]
)
def test_ignored_labels(label: str) -> None:
    assert classify_label(label) is None


def test_principle_columns() -> None:
    assert classify_label("Principe A").letter == "A"  # type: ignore[union-attr]
    assert classify_label("Principe C – Intégration").letter == "C"  # type: ignore[union-attr]
    assert classify_label("Principe D") is None


def test_header_below_title_rows() -> None:
    rows = [
        ["Suivi du Pacte 2020", "", "", ""],
        ["", "", "", ""],
        ["Commune", "Liste", "M1", "M2"],
        ["Rennes", "A", "x", ""],
    ]
    plan = detect_header(rows)
    assert plan is not None and plan.row == 2
    assert plan.roles[2].measure == 1


def test_two_row_header_with_bare_numbers_and_letters() -> None:
    rows = [
        ["Commune", "Principes", "Principes", "Principes", "Mesures", "Mesures", "Mesures"],
        ["", "A", "B", "C", "1", "2", "3"],
        ["Rennes", "x", "x", "x", "x", "", "x"],
    ]
    plan = detect_header(rows)
    assert plan is not None and plan.row == 1
    assert plan.roles[0].kind == "commune_name"
    assert [plan.roles[c].letter for c in (1, 2, 3)] == ["A", "B", "C"]
    assert [plan.roles[c].measure for c in (4, 5, 6)] == [1, 2, 3]


def test_no_header() -> None:
    assert detect_header([["Qui", "Quoi"], ["Alice", "Tracts"]]) is None
