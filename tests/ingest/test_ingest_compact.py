"""Cells listing measures, as people and forms write them (issue 9, shapes 1, 8 and 10)."""

from __future__ import annotations

import pytest

from pacte_analysis.editions import read_edition
from pacte_analysis.ingest._compact import parse_measure_list, title_index
from pacte_analysis.ingest._values import InvalidValue, parse_mark, parse_principles

EDITION = read_edition("pacte-2020")
ALL = EDITION.measure_numbers
TITLES = title_index({m.number: m.title for m in EDITION.measures if m.title_confirmed})


def _read(text: str):  # type: ignore[no-untyped-def]
    return parse_measure_list(text, ALL, "ABC", titles=TITLES)


@pytest.mark.parametrize(
    ("text", "levels"),
    [
        ("5 (N2), 7 (N3), 12", {5: 2, 7: 3, 12: None}),
        ("M5-N2; M7-N3", {5: 2, 7: 3}),
        ("2-N1", {2: 1}),
        ("1 N1", {1: 1}),
        ("5-8 (N2)", {5: 2, 6: 2, 7: 2, 8: 2}),
        ("Niveau 2 : 5, 7 ; Niveau 3 : 12", {5: 2, 7: 2, 12: 3}),
        ("5 niveau max, 7 2e niveau", {5: 3, 7: 2}),
        ("12 (1er niveau)", {12: 1}),
        ("M1 / M4", {1: None, 4: None}),
        ("n°4, n°12", {4: None, 12: None}),
    ],
)
def test_levels_inside_compact_cells(text: str, levels: dict[int, int | None]) -> None:
    result = _read(text)
    assert result.levels == levels
    assert result.bad == [] and result.warnings == []  # no level digit became a measure


def test_level_written_once_at_the_end_applies_to_all_and_says_so() -> None:
    result = _read("5, 10, 24, 31 (niveau 3)")
    assert result.levels == {5: 3, 10: 3, 24: 3, 31: 3}
    assert "5, 10, 24, 31" in result.warnings[0]


@pytest.mark.parametrize(
    ("text", "numbers"),
    [
        ("toutes sauf 7 et 21", [n for n in ALL if n not in (7, 21)]),
        ("tout sauf la 4", [n for n in ALL if n != 4]),
        ("Toutes", ALL),
        ("les 32", ALL),
        ("1 à 32", ALL),
        ("5 à 8", [5, 6, 7, 8]),
        ("1-10 + 12", [*range(1, 11), 12]),
        ("mesures 1 et 4", [1, 4]),
    ],
)
def test_compact_cells_written_by_people(text: str, numbers: list[int]) -> None:
    result = _read(text)
    assert sorted(result.levels) == numbers
    assert result.bad == []


def test_pending_measures_are_not_commitments() -> None:
    result = _read("3, 5 (en attente pour la 11)")
    assert sorted(result.levels) == [3, 5] and result.pending == [11]
    result = _read("11 à confirmer, 3, 4")
    assert sorted(result.levels) == [3, 4] and result.pending == [11]
    assert _read("peut-être").bad  # a hedge without a number is not silently empty


def test_declared_count_is_not_a_measure() -> None:
    result = _read("24 mesures")
    assert result.levels == {} and result.declared == 24


def test_form_answers_with_titles() -> None:
    text = (
        "1 - Politique ambitieuse d'achats publics responsables, 3 - Sobriété, efficacité "
        "énergétique et 100 % d'énergie renouvelable et locale (bâtiments, véhicules, "
        "éclairage public), 32 - Monnaie locale complémentaire et citoyenne"
    )
    result = _read(text)
    assert sorted(result.levels) == [1, 3, 32]  # « 100 % » inside a title is no measure
    assert result.bad == []


def test_titles_only() -> None:
    result = _read(
        "Politique ambitieuse d'achats publics responsables, Priorité au logiciel libre dans "
        "le service public"
    )
    assert sorted(result.levels) == [1, 4]


def test_garbage_is_reported_not_dropped() -> None:
    result = _read("1, 2, quelques-unes, 2020")
    assert sorted(result.levels) == [1, 2]
    assert sorted(result.bad) == ["2020", "quelques-unes"]
    assert _read("xyz").bad == ["xyz"]  # letters that are no principle


@pytest.mark.parametrize(
    ("text", "level"),
    [("niveau max", 3), ("1er niveau", 1), ("2e niveau", 2), ("2ème niveau", 2), ("niveau 3", 3)],
)
def test_levels_as_words(text: str, level: int) -> None:
    assert parse_mark(text) == (True, level)


def test_unknown_level_word_lists_accepted_forms() -> None:
    with pytest.raises(InvalidValue, match="niveau max"):
        parse_mark("niveau élevé")


def test_principles_written_with_their_titles() -> None:
    letters = "ABC"
    titles = title_index([(i, p.title) for i, p in enumerate(EDITION.principles)])
    text = "A - Sensibilisation et formation à la transition, B - Co-construction des politiques locales"
    assert parse_principles(text, letters, titles) == {"A", "B"}
    assert parse_principles(
        "Co-construction des politiques locales, Intégration des impacts à long terme et de "
        "l'urgence climatique et sociale",
        letters,
        titles,
    ) == {"B", "C"}
