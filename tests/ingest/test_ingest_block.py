"""A wide sheet's commitments kept as columns (``ingest/_block.py``) give the same
tables as one dictionary per list, whatever is rejected or mixed around them."""

from __future__ import annotations

import pickle
from pathlib import Path
from typing import Any

import pandas as pd
import pytest

from pacte_analysis.editions import read_edition
from pacte_analysis.ingest import _engine, _layout_wide
from pacte_analysis.ingest._block import BlockCommitments, CommitmentBlock, ParsedColumn
from pacte_analysis.ingest._readers import SheetData
from pacte_analysis.ingest._sheets import read_sheet

from .conftest import FIXTURES, NO_MAYORS, FakeResolver

EDITION = read_edition("pacte-2020")


def _block() -> CommitmentBlock:
    # columns in the sheet's order (measure 5 before 2), rows 2 and 3
    return CommitmentBlock(
        [5, 2],
        [[(True, 2, "N2"), (False, None, None)], [(True, None, "x"), (True, 3, "3")]],
        [[2, 3], [2, 3]],
        [["E", "E"], ["F", "F"]],
    )


def test_a_view_is_the_dictionary_it_stands_for() -> None:
    views = _block().views()
    expected = {5: (True, 2, "N2", 2, "E"), 2: (True, None, "x", 2, "F")}
    assert views[0] == expected and expected == views[0]
    assert list(views[0]) == [5, 2]  # the sheet's column order, as the dictionary had
    assert list(views[1].items()) == [(5, (False, None, None, 3, "E")), (2, (True, 3, "3", 3, "F"))]
    assert len(views[0]) == 2 and 5 in views[0] and 7 not in views[0]
    assert views[0].get(7) is None
    with pytest.raises(KeyError):
        views[0][7]
    assert pickle.loads(pickle.dumps(views[0])) == expected


def test_a_write_copies_the_row_and_leaves_the_block() -> None:
    block = _block()
    views = block.views()
    assert views[1].block is block
    views[1][9] = (True, 1, "N1", 3, "G")
    assert views[1].block is None  # read as a dictionary from now on
    assert list(views[1]) == [5, 2, 9]
    assert views[0] == {5: (True, 2, "N2", 2, "E"), 2: (True, None, "x", 2, "F")}
    del views[1][5]
    assert list(views[1]) == [2, 9]
    assert block.row(1) == {5: (False, None, None, 3, "E"), 2: (True, 3, "3", 3, "F")}


def _coded_block() -> CommitmentBlock:
    """:func:`_block` with columns parsed once per distinct value (as a sheet gives them)."""
    keys = [["N2", ""], ["x", "3"]]
    memos: list[dict[str, Any]] = [
        {"N2": (True, 2, "N2"), "": (False, None, None)},
        {"x": (True, None, "x"), "3": (True, 3, "3")},
    ]
    cells = [ParsedColumn(memo, column) for memo, column in zip(memos, keys, strict=True)]
    assert cells == _block()._cells
    return CommitmentBlock([5, 2], cells, [[2, 3], [2, 3]], [["E", "E"], ["F", "F"]])


@pytest.mark.parametrize("make", [_block, _coded_block])
def test_columns_follow_the_rows_asked_measures_ascending(make: Any) -> None:
    block = make()
    measures, committed, levels, given, counts = block.columns([1, 0])
    assert measures == [2, 5, 2, 5]
    assert committed.tolist() == [True, False, True, True]
    assert levels.tolist() == [3, 0, 0, 2]
    assert given.tolist() == [True, False, False, True]
    assert counts == [2, 2]
    assert block.levels([1, 0]) == [3, None, None, 2]
    assert block.details([1, 0]) == (["3", None, "x", "N2"], [3, 3, 2, 2], ["F", "E", "F", "E"])
    measures, committed, levels, given, counts = block.columns([1])
    assert (measures, committed.tolist(), levels.tolist(), given.tolist()) == (
        [2, 5],
        [True, False],
        [3, 0],
        [True, False],
    )


def test_a_level_that_is_not_an_int_is_read_cell_by_cell() -> None:
    cells = [ParsedColumn({"a": (True, 2.5, "a")}, ["a", "a"])]
    block = CommitmentBlock([1], cells, [[2, 3]], [["C", "C"]])
    _, committed, levels, given, _ = block.columns([0, 1])
    assert levels.tolist() == [2.5, 2.5] and given.tolist() == [True, True]
    assert committed.tolist() == [True, True]
    with pytest.raises(ValueError):
        CommitmentBlock([1, 1], [[], []], [[], []], [[], []])


def test_a_readable_wide_sheet_is_one_block_and_a_sheet_to_reconcile_is_not() -> None:
    rows: list[list[Any]] = [
        ["Commune", "Tête de liste", "Mesure 7", "Mesure 2"],
        ["Rennes", "A", "x", "N2"],
        ["Lille", "B", "", "x"],
    ]
    entries = read_sheet(SheetData("S", rows), EDITION, "f.xlsx").entries
    assert all(isinstance(e.commitments, BlockCommitments) for e in entries)
    assert entries[0].commitments == {7: (True, None, "x", 2, "C"), 2: (True, 2, "N2", 2, "D")}
    rows[2][2] = "N9"  # an invalid cell: rejected on its own, the others read one by one
    entries = read_sheet(SheetData("S", rows), EDITION, "f.xlsx").entries
    assert not any(isinstance(e.commitments, BlockCommitments) for e in entries)
    assert entries[1].commitments == {2: (True, None, "x", 3, "D")}
    assert [r.code for r in entries[1].rejects] == ["INVALID_VALUE"]


def _tables(monkeypatch: pytest.MonkeyPatch, blocks: bool, *args: Any, **kwargs: Any) -> Any:
    with monkeypatch.context() as patch:
        if not blocks:
            patch.setattr(_layout_wide, "_as_block", lambda *a: False)
        result = _engine.ingest(*args, **kwargs)
        return result.lists, result.commitments, result.rejects


def _same(a: tuple[pd.DataFrame, ...], b: tuple[pd.DataFrame, ...]) -> None:
    for left, right in zip(a, b, strict=True):
        pd.testing.assert_frame_equal(left, right)


def test_blocks_and_dictionaries_mixed_give_the_same_tables(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # a readable wide file (one block) whose lists are partly rejected (a duplicate, an
    # unknown commune), between two files read list by list (an invalid cell, a level
    # column beside its mark column)
    (tmp_path / "a.csv").write_text(
        "Commune;Tête de liste;Mesure 3;Mesure 1\nRennes;Ana;N9;x\nLille;Bo;x;\n",
        encoding="utf-8",
    )
    (tmp_path / "b.csv").write_text(
        "Commune;Tête de liste;Principe A;Mesure 12;Mesure 4;Mesure 30\n"
        "Rennes;Chloé;x;N2;x;\n"
        "Atlantide;Dan;x;x;x;x\n"
        "Rennes;Chloé;x;N2;x;\n"
        "Brunoy;Émile;;;N3;x\n"
        "Le Havre;Fanny;x;x;;N1\n",
        encoding="utf-8",
    )
    (tmp_path / "c.csv").write_text(
        "Commune;Tête de liste;Mesure 5;Niveau mesure 5\nLille;Gaël;x;2\n", encoding="utf-8"
    )
    paths = [tmp_path / n for n in ("a.csv", "b.csv", "c.csv")]
    kwargs = {"resolver": FakeResolver(), "mayors": NO_MAYORS}
    columns = _tables(monkeypatch, True, paths, **kwargs)
    _same(columns, _tables(monkeypatch, False, paths, **kwargs))
    lists, commitments, rejects = columns
    assert set(rejects["code"]) >= {"DUPLICATE_LIST", "UNKNOWN_COMMUNE", "INVALID_VALUE"}
    chloe = lists.loc[lists["list_head"] == "Chloé", "list_id"].item()
    mine = commitments[commitments["list_id"] == chloe]
    assert mine["measure"].tolist() == [4, 12, 30]  # ascending, not the sheet's order
    assert mine["level"].fillna(0).tolist() == [0, 2, 0]
    assert mine["source_column"].tolist() == ["E", "D", "F"]
    assert mine["source_row"].tolist() == [2, 2, 2]
    fanny = lists.loc[lists["list_head"] == "Fanny", "list_id"].item()
    assert commitments.loc[commitments["list_id"] == fanny, "source_row"].tolist() == [6, 6, 6]


@pytest.mark.parametrize(
    "name",
    sorted(p.name for p in FIXTURES.iterdir() if p.name != "make_fixtures.py"),
)
def test_every_fixture_gives_the_same_tables_with_or_without_blocks(
    name: str, commune_resolver: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    kwargs = {"resolver": commune_resolver, "mayors": NO_MAYORS}
    _same(
        _tables(monkeypatch, True, FIXTURES / name, **kwargs),
        _tables(monkeypatch, False, FIXTURES / name, **kwargs),
    )
