"""Layout inference on small in-memory sheets (test double for communes)."""

from __future__ import annotations

from pacte_analysis.editions import read_edition
from pacte_analysis.ingest._readers import SheetData
from pacte_analysis.ingest._sheets import read_sheet

EDITION = read_edition("pacte-2020")


def _read(rows: list[list[object]]):  # type: ignore[no-untyped-def]
    return read_sheet(SheetData("S", rows), EDITION, "f.xlsx")


def test_long_rows_without_commune_are_not_grouped() -> None:
    outcome = _read(
        [
            ["Commune", "Liste", "Mesure", "Engagement"],
            ["Rennes", "L1", 1, "oui"],
            ["Rennes", "L1", 2, "oui"],
            [None, None, 3, "oui"],
            [None, None, 4, "oui"],
        ]
    )
    assert outcome.layout == "long"
    assert [e.source_row for e in outcome.entries] == [2, 4, 5]
    assert set(outcome.entries[0].commitments) == {1, 2}


def test_single_numbers_without_repeats_are_compact() -> None:
    outcome = _read([["Commune", "Mesures"], ["Rennes", 3], ["Lille", "4"]])
    assert outcome.layout == "compact"
    assert [set(e.commitments) for e in outcome.entries] == [{3}, {4}]


def test_repeated_header_row_is_skipped() -> None:
    outcome = _read(
        [["Commune", "M1", "M2"], ["Rennes", "x", ""], ["Commune", "M1", "M2"], ["Lille", "", "x"]]
    )
    assert [e.source_row for e in outcome.entries] == [2, 4]
    assert any("en-tête répété" in note for note in outcome.notes)


def test_principles_only_sheet() -> None:
    outcome = _read(
        [["Commune", "Principe A", "Principe B", "Principe C"], ["Rennes", "x", "x", ""]]
    )
    assert outcome.layout == "declared"
    assert outcome.entries[0].principles == {"A", "B"}


def test_prose_sheet_has_no_header() -> None:
    outcome = _read([["Instructions"], ["Remplir une ligne par liste."]])
    assert not outcome.has_header and not outcome.looks_tabular
