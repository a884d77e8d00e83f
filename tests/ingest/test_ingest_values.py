"""Value parsing: marks, negatives, levels, compact lists, principles, dates, yes/no."""

from __future__ import annotations

import datetime as dt

import pytest

from pacte_analysis.ingest._compact import parse_measure_list
from pacte_analysis.ingest._values import (
    InvalidValue,
    parse_bool,
    parse_date,
    parse_level,
    parse_mark,
    parse_measure_ref,
    parse_principles,
)

ALL = list(range(1, 33))


@pytest.mark.parametrize(
    "value", ["X", "x", "oui", "Oui", "1", 1, 1.0, "✓", "✔", "vrai", "VRAI", True, " x "]
)
def test_marks(value: object) -> None:
    assert parse_mark(value) == (True, None)


@pytest.mark.parametrize("value", ["non", "Non", "0", 0, 0.0, "", None, "  ", False, "-", "faux"])
def test_negatives(value: object) -> None:
    assert parse_mark(value) == (False, None)


@pytest.mark.parametrize(
    ("value", "level"),
    [("N2", 2), ("n2", 2), ("Niveau 2", 2), ("niv. 2", 2), ("niv 3", 3), ("N 1", 1), ("x (N3)", 3)],
)
def test_levels_in_mark_column(value: object, level: int) -> None:
    assert parse_mark(value) == (True, level)


def test_bare_number_levels_only_in_level_columns() -> None:
    assert parse_mark(2, numeric_levels=True) == (True, 2)
    assert parse_mark("3", numeric_levels=True) == (True, 3)
    assert parse_mark(1, numeric_levels=True) == (True, 1)
    with pytest.raises(InvalidValue):
        parse_mark(2)
    assert parse_level("2") == 2
    assert parse_level("") is None


@pytest.mark.parametrize("value", ["peut-être", "?", "N7", "4", 2.5, "✗", "xyz", "N0"])
def test_invalid_marks(value: object) -> None:
    with pytest.raises(InvalidValue):
        parse_mark(value, numeric_levels=isinstance(value, str) and value == "4")


def test_level_above_measure_scale() -> None:
    with pytest.raises(InvalidValue):
        parse_mark("N3", max_level=2)


@pytest.mark.parametrize(
    ("text", "numbers"),
    [
        ("1, 3, 5-8, 12", [1, 3, 5, 6, 7, 8, 12]),
        ("1-32", ALL),
        ("1 à 3", [1, 2, 3]),
        ("M1, M3, #05", [1, 3, 5]),
        ("1;2;3", [1, 2, 3]),
        ("toutes", ALL),
        ("aucune", []),
        ("", []),
        (7.0, [7]),
        ("12 3 1", [1, 3, 12]),
        ("33, 34, 1", [1, 33, 34]),
    ],
)
def test_compact_lists(text: object, numbers: list[int]) -> None:
    result = parse_measure_list(text, ALL, "ABC")
    assert sorted(result.levels) == numbers
    assert result.bad == []
    assert result.principles == set()


def test_compact_list_with_garbage_and_principles() -> None:
    result = parse_measure_list("A, B, C, 1, 2, quelques-unes", ALL, "ABC")
    assert sorted(result.levels) == [1, 2]
    assert result.principles == {"A", "B", "C"}
    assert result.bad == ["quelques-unes"]
    assert parse_measure_list("8-3", ALL, "ABC").bad == ["8-3"]


@pytest.mark.parametrize(
    ("text", "letters"),
    [
        ("A, B, C", "ABC"),
        ("ABC", "ABC"),
        ("a b c", "ABC"),
        ("A et C", "AC"),
        ("tous", "ABC"),
        ("", ""),
        ("non", ""),
        ("B", "B"),
    ],
)
def test_principles(text: str, letters: str) -> None:
    assert parse_principles(text, "ABC") == set(letters)


def test_invalid_principles() -> None:
    with pytest.raises(InvalidValue):
        parse_principles("A, D", "ABC")


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("M3", ("measure", 3)),
        ("#03", ("measure", 3)),
        (12.0, ("measure", 12)),
        ("Mesure 7", ("measure", 7)),
        ("3 - Sobriété", ("measure", 3)),
        ("A", ("principle", "A")),
        ("Principe B", ("principle", "B")),
        ("", None),
    ],
)
def test_measure_refs(value: object, expected: object) -> None:
    assert parse_measure_ref(value, "ABC") == expected


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("Oui", True),
        ("élue", True),
        ("Élu·e", True),
        ("x", True),
        ("majorité", True),
        ("non", False),
        ("battue", False),
        ("minoritaire", False),
        ("", None),
        (None, None),
        (True, True),
    ],
)
def test_bool(value: object, expected: bool | None) -> None:
    assert parse_bool(value) is expected


def test_bool_invalid() -> None:
    with pytest.raises(InvalidValue):
        parse_bool("on verra")


@pytest.mark.parametrize(
    "value",
    [
        43894,
        43894.0,
        "43894",
        "04/03/2020",
        "4/3/20",
        "2020-03-04",
        "4 mars 2020",
        "le 4 mars 2020",
        dt.datetime(2020, 3, 4, 0, 0),
        dt.date(2020, 3, 4),
    ],
)
def test_dates(value: object) -> None:
    assert parse_date(value) == dt.date(2020, 3, 4)


@pytest.mark.parametrize("value", ["bientôt", "31/02/2020", 12, "2020"])
def test_invalid_dates(value: object) -> None:
    with pytest.raises(InvalidValue):
        parse_date(value)
