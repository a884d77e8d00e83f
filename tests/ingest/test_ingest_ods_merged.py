"""LibreOffice sheets with merged cells: a commune written once for several lists."""

from __future__ import annotations

from pathlib import Path

from odf.opendocument import OpenDocumentSpreadsheet
from odf.table import CoveredTableCell, Table, TableCell, TableRow
from odf.text import P

from pacte_analysis.ingest import ingest
from pacte_analysis.ingest._readers import _ods_merged_ranges

MEASURES = [f"Mesure {n}" for n in range(1, 13)]


def _cell(value: str, **span: int) -> TableCell:
    cell = TableCell(valuetype="string", **span)
    cell.addElement(P(text=value))
    return cell


def _row(*cells: TableCell | CoveredTableCell) -> TableRow:
    row = TableRow()
    for cell in cells:
        row.addElement(cell)
    return row


def _write(path: Path) -> None:
    doc = OpenDocumentSpreadsheet()
    table = Table(name="Listes")
    header = ["Commune", "Département", "Liste", "Tête de liste", "Élue ?", "Principes"]
    width = len(header) + len(MEASURES)
    title = [_cell("Suivi fictif du collectif", numbercolumnsspanned=4)]
    table.addElement(_row(*title, *[CoveredTableCell() for _ in range(3)]))
    table.addElement(_row(*[_cell(h) for h in header + MEASURES]))
    marks = [_cell("X") for _ in MEASURES]
    table.addElement(
        _row(
            _cell("Rennes", numberrowsspanned=2),
            _cell("35", numberrowsspanned=2),
            _cell("Liste fictive A"),
            _cell("Camille Exemple-Démo"),
            _cell("oui"),
            _cell("A, B, C"),
            *marks,
        )
    )
    table.addElement(
        _row(
            CoveredTableCell(),
            CoveredTableCell(),
            _cell("Liste fictive B"),
            _cell("Dominique Essai-Test"),
            _cell("non"),
            _cell("A, B"),
            *[_cell("X") for _ in MEASURES[:3]],
        )
    )
    assert width == 18
    doc.spreadsheet.addElement(table)
    doc.save(str(path))


def test_merged_ranges_are_read_from_content_xml(tmp_path: Path) -> None:
    path = tmp_path / "fusion.ods"
    _write(path)
    assert _ods_merged_ranges(path) == {
        "Listes": [((0, 0), (0, 3)), ((2, 0), (3, 0)), ((2, 1), (3, 1))]
    }


def test_a_commune_merged_over_two_lists_applies_to_both(
    reference_ready: None, tmp_path: Path
) -> None:
    path = tmp_path / "fusion.ods"
    _write(path)
    result = ingest([path])
    assert result.rejects.empty, result.rejects.to_dict("records")
    lists = result.lists.set_index("list_name")
    assert list(lists["commune_code"]) == ["35238", "35238"]
    assert lists.loc["Liste fictive A", "signatory"]
    assert not lists.loc["Liste fictive B", "signatory"]
    assert lists.loc["Liste fictive B", "n_measures"] == 3
