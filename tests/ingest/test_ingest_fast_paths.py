"""The column-wise fast paths give what a cell-by-cell reading gives."""

from __future__ import annotations

import math
from typing import Any

import pandas as pd
import pytest

from pacte_analysis._text import cell_text
from pacte_analysis.editions import read_edition
from pacte_analysis.ingest import _engine
from pacte_analysis.ingest._readers import SheetData
from pacte_analysis.ingest._sheets import read_sheet
from pacte_analysis.ingest._values import InvalidValue, parse_mark
from pacte_analysis.tables import _nullable_int_array, _string_array

EDITION = read_edition("pacte-2020")
HEADER = ["Commune", "Liste", "Élue ?", "Principe A", "Mesure 1", "Mesure 2", "Mesure 3"]
# a measure column mixing types (1, 1.0, True, "1"), NaN, blanks, invalid values, short rows
ROWS: list[list[Any]] = [
    HEADER,
    ["Rennes", "L1", "oui", "x", 1, "X", "N2"],
    ["Lille", "L2", "non", "", 1.0, "", 2],
    ["Brunoy", "L3", "", "oui", True, "bof", "N9"],
    ["Le Havre", "L4", "peut-être", "x", "1", float("nan"), None],
    ["Rennes", "L5", "oui", "x", 0, "  "],
    ["Lille", "L6"],
]


def _expected(value: Any, numeric_levels: bool) -> tuple[bool, int | None] | None:
    try:
        return parse_mark(value, numeric_levels=numeric_levels)
    except InvalidValue:
        return None


def test_wide_rows_match_cell_by_cell_parsing() -> None:
    outcome = read_sheet(SheetData("Suivi", [list(r) for r in ROWS]), EDITION, "f.xlsx")
    assert outcome.layout == "wide"
    assert [e.source_row for e in outcome.entries] == [2, 3, 4, 5, 6, 7]
    for entry, row in zip(outcome.entries, ROWS[1:], strict=True):
        for number in (1, 2, 3):
            value = row[3 + number] if 3 + number < len(row) else None
            # « Mesure 3 » holds a bare 2: its numbers are levels
            expected = _expected(value, numeric_levels=number == 3)
            if entry.list_name == "L2" and number == 1:
                # a bare 1 on a row whose « Mesure 3 » gives a bare level (2): N1
                assert expected == (True, None)
                expected = (True, 1)
            if expected is None:
                assert number not in entry.commitments
                continue
            committed, level, raw, source_row, column = entry.commitments[number]
            assert (committed, level) == expected
            assert source_row == entry.source_row and column == "DEFG"[number]
            assert raw == (cell_text(value) or None)
    invalid = [
        (r.source_row, r.source_column)
        for e in outcome.entries
        for r in e.rejects
        if r.code == "INVALID_VALUE"
    ]
    # "bof" and "N9" (row 4), the elected "peut-être" (row 5)
    assert invalid == [(4, "F"), (4, "G"), (5, "C")]
    assert [e.elected for e in outcome.entries] == [True, False, None, None, True, None]
    assert [sorted(e.principles) for e in outcome.entries] == [["A"], [], ["A"], ["A"], ["A"], []]


def test_mixed_types_stay_distinct() -> None:
    # 1 is a mark, True is a mark, but in a level column 2 and "2" are both levels
    rows: list[list[Any]] = [
        HEADER,
        ["Rennes", "L1", "", "", True, 1, 1.0],
        ["Lille", "L2", "", "", 1, True, "1"],
    ]
    outcome = read_sheet(SheetData("S", rows), EDITION, "f.xlsx")
    raws = [[e.commitments[n][2] for n in (1, 2, 3)] for e in outcome.entries]
    assert raws == [["VRAI", "1", "1"], ["1", "VRAI", "1"]]


def test_string_and_int_arrays_match_pandas() -> None:
    samples: list[list[Any]] = [["a", None, math.nan, "b"], [], ["x", 1], [None]]
    for values in samples:
        pd.testing.assert_extension_array_equal(
            _string_array(values), pd.array(list(values), dtype="str")
        )
    int_samples: list[list[Any]] = [[1, None, 3], [], [None], [True, None], [1.0, None]]
    for ints in int_samples:
        pd.testing.assert_extension_array_equal(
            _nullable_int_array(ints), pd.array(list(ints), dtype="Int64")
        )


def test_mayor_index_is_built_once_per_frame(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(_engine, "_MAYOR_INDEX_CACHE", [])
    frame = pd.DataFrame(
        {"commune_code": ["35238"], "last_name": ["Appere"], "first_name": ["Nathalie"]}
    )
    first = _engine._cached_mayor_index(frame)
    assert first is not None and _engine._cached_mayor_index(frame) is first
    other = frame.copy()
    assert _engine._cached_mayor_index(other) is not first
    assert first.is_mayor("35238", "Nathalie Appéré")


def test_plain_int_and_bool_columns_match_pandas() -> None:
    from pacte_analysis.tables import SCHEMAS, build_table

    columns: dict[str, list[Any]] = {
        "list_id": ["a", "a", "b"],
        "edition": ["pacte-2020"] * 3,
        "measure": [1, 2, 3],
        "committed": [True, False, True],
        "level": [2, None, None],
        "raw_value": ["N2", None, "x"],
        "source_file": ["f.xlsx"] * 3,
        "source_sheet": ["S"] * 3,
        "source_row": [2, 2, 3],
        "source_column": ["B", "C", "B"],
    }
    frame = build_table("commitments", columns)
    for column, dtype in SCHEMAS["commitments"].items():
        expected = pd.Series(pd.array(list(columns[column]), dtype=dtype), name=column)
        pd.testing.assert_series_equal(frame[column], expected)


def test_the_collector_runs_again_after_an_import(tmp_path: Any) -> None:
    import gc

    from pacte_analysis.editions import EditionError

    (tmp_path / "t.csv").write_text("Commune;Liste;Mesure 1\nRennes;A;x\n", encoding="utf-8")
    assert gc.isenabled()
    with pytest.raises(EditionError):
        _engine.ingest([tmp_path / "t.csv"], edition="pas-une-edition")
    assert gc.isenabled()
    gc.disable()
    try:  # a caller that paused it itself finds it paused
        with pytest.raises(EditionError):
            _engine.ingest([tmp_path / "t.csv"], edition="pas-une-edition")
        assert not gc.isenabled()
    finally:
        gc.enable()


@pytest.mark.parametrize(
    "text", ["  Saint-Denis ", "N°1 - Achats", "DUPONT Jean-Pierre", "L'Haÿ-les-Roses", "Œuvre’s"]
)
def test_norm_fast_path_gives_the_full_normalisation(text: str) -> None:
    import re
    import unicodedata

    from pacte_analysis._text import _TRANSLATE, norm

    full = unicodedata.normalize("NFKD", text.translate(_TRANSLATE))
    full = "".join(ch for ch in full if not unicodedata.combining(ch)).lower()
    assert norm(text) == re.sub(r"[^0-9a-z]+", " ", full).strip()
