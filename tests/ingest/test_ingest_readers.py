"""Layout readers on sheets shaped as groups made them (issue 9), with the real resolver.

Each test builds a tiny grid, imports it, and checks what a group member would:
lists, measures with levels, principles, signatory and its source, and the rejects
on the right row and column.
"""

from __future__ import annotations

import datetime as dt
import importlib
from typing import Any

import pandas as pd
import pytest

from pacte_analysis.ingest import ingest
from pacte_analysis.ingest._readers import FileData, SheetData


@pytest.fixture
def run(
    monkeypatch: pytest.MonkeyPatch, commune_resolver: Any, rne_mayors: pd.DataFrame, tmp_path: Any
):  # type: ignore[no-untyped-def]
    """Import in-memory sheets as one workbook ``suivi.xlsx``."""

    def _run(*sheets: tuple[str, list[list[Any]]]) -> Any:
        data = FileData([SheetData(name, [list(r) for r in rows]) for name, rows in sheets], "xlsx")
        engine = importlib.import_module("pacte_analysis.ingest._engine")
        monkeypatch.setattr(engine, "read_file", lambda path: data)
        path = tmp_path / "suivi.xlsx"
        path.write_bytes(b"")
        result = ingest([path], resolver=commune_resolver, mayors=rne_mayors)
        assert result.reconciliation.balanced
        assert result.reconciliation.lists == len(result.lists)
        return result

    return _run


def _measures(result: Any, list_name: str) -> dict[int, int | None]:
    lists = result.lists
    list_id = lists.loc[lists["list_name"] == list_name, "list_id"].iloc[0]
    com = result.commitments
    sel = com[(com["list_id"] == list_id) & com["committed"]]
    return {
        int(m): (None if pd.isna(lv) else int(lv))
        for m, lv in zip(sel["measure"], sel["level"], strict=True)
    }


def _codes(result: Any) -> list[tuple[str, Any, Any]]:
    return [
        (
            r.code,
            None if pd.isna(r.source_row) else int(r.source_row),
            None if pd.isna(r.source_column) else r.source_column,
        )
        for r in result.rejects.itertuples()
    ]


def test_one_column_per_measure_and_level_one_row_header(run: Any) -> None:
    header = ["Commune", "Liste", "Principe A", "Principe B", "Principe C"]
    header += [f"M{m} N{lv}" for m in (1, 2, 3) for lv in (1, 2, 3)]
    result = run(
        (
            "Suivi",
            [
                header,
                ["Rennes", "Liste A", "x", "x", "x", "", "x", "", "x", "", "", "", "", "x"],
                ["Rennes", "Liste B", "x", "", "x", "", "", "", "", "", "", "x", "x", ""],
            ],
        )
    )
    assert _measures(result, "Liste A") == {1: 2, 2: 1, 3: 3}
    assert _measures(result, "Liste B") == {3: 2}
    # two levels ticked for measure 3: the higher is kept, and the report says so
    assert _codes(result) == [("AMBIGUOUS_VALUE", 3, "M")]


def test_one_column_per_measure_and_level_two_row_header(run: Any) -> None:
    result = run(
        (
            "Suivi",
            [
                ["Commune", "Liste", "Mesure 1", "Mesure 1", "Mesure 1", "Mesure 2", "", ""],
                ["", "", "N1", "N2", "N3", "N1", "N2", "N3"],
                ["Brest", "Liste C", "", "x", "", "x", "", ""],
            ],
        )
    )
    assert len(result.lists) == 1  # the N1/N2/N3 row is no list
    assert _measures(result, "Liste C") == {1: 2, 2: 1}
    assert result.rejects.empty


def test_transposed_sheet_with_commune_in_title(run: Any) -> None:
    rows: list[list[Any]] = [
        ["Pacte pour la Transition – Nîmes"],
        [],
        ["", "Nîmes Écologie", "Nîmes Ensemble"],
        ["Tête de liste", "Camille Exemple", "Dominique Essai"],
        ["Principe A", "x", "x"],
        ["Principe B", "x", "x"],
        ["Principe C", "x", ""],
    ]
    rows += [[f"Mesure {m}", "x", "N2" if m % 2 else ""] for m in range(1, 12)]
    rows += [["Avis du collectif", "bien", "moyen"]]
    result = run(("Comparatif", rows))
    lists = result.lists
    assert lists["commune_code"].tolist() == ["30189", "30189"]
    assert lists["list_head"].tolist() == ["Camille Exemple", "Dominique Essai"]
    assert lists["principles"].tolist() == ["ABC", "AB"]
    assert lists["signatory"].tolist() == [True, False]
    assert _measures(result, "Nîmes Ensemble") == {m: 2 for m in range(1, 12, 2)}
    # positions are the user's: the list's column, the measure's row
    com = result.commitments
    first = com[(com["measure"] == 3) & (com["list_id"] == lists["list_id"].iloc[1])].iloc[0]
    assert (first["source_row"], first["source_column"]) == (10, "C")
    # the « Avis du collectif » row is read by nobody: reported on its row (19)
    assert _codes(result) == [("IGNORED_COLUMN", 19, None)]
    assert "Ligne 19 « Avis du collectif »" in result.rejects["message"].iloc[0]
    assert result.files[0].sheets[0].layout == "transposed"


def test_one_sheet_per_commune_and_a_readme(run: Any) -> None:
    readme = ("Lisez-moi", [["Une feuille par commune."], ["Contact : le collectif"], ["Merci"]])
    vannes = (
        "Vannes",
        [
            ["Listes candidates à Vannes"],
            ["Liste", "Tête de liste", "Principes", "Mesures"],
            ["Vannes demain", "Camille Exemple", "ABC", "1-12"],
        ],
    )
    lorient = (
        "Feuille 2",
        [
            ["Commune : Lorient"],
            ["Liste", "Tête de liste", "Principes", "Mesures"],
            ["Lorient autrement", "Alex Essai", "AB", "1, 3"],
        ],
    )
    result = run(readme, vannes, lorient)
    assert result.lists["commune_code"].tolist() == ["56260", "56121"]
    assert result.rejects.empty  # the readme is not a tracker


def test_blank_commune_under_a_group_and_summary_rows(run: Any) -> None:
    result = run(
        (
            "Listes",
            [
                ["Commune", "Liste", "Tête de liste", "Principes", "Mesures"],
                ["Quimper", "Q1", "Camille Exemple", "ABC", "1-10"],
                ["", "Q2", "Alex Essai", "ABC", "1-12"],
                ["Morlaix", "M1", "Claude Test", "A", "1, 2"],
                ["Total", "", "", "", "3 listes"],
                ["TOTAL", "", "", "", ""],
                ["% signataires", "", "", "", "66 %"],
                ["NB : données provisoires", "", "", "", ""],
            ],
        )
    )
    assert result.lists["commune_code"].tolist() == ["29232", "29232", "29151"]
    assert _codes(result) == [
        ("SUMMARY_ROW", 5, None),
        ("SUMMARY_ROW", 6, None),
        ("SUMMARY_ROW", 7, None),
        ("SUMMARY_ROW", 8, None),
    ]
    sheet = result.files[0].sheets[0]
    assert (sheet.rows_read, sheet.lists, sheet.rejected_rows) == (7, 3, 4)
    assert "reprise" in " ".join(sheet.notes)


def test_sheet_that_repeats_its_communes_does_not_fill_down(run: Any) -> None:
    result = run(
        (
            "Listes",
            [
                ["Commune", "Liste", "Mesures"],
                ["Quimper", "Q1", "1-10"],
                ["Quimper", "Q2", "1-12"],
                ["", "Q3", "1, 2"],
            ],
        )
    )
    assert _codes(result) == [("MISSING_COMMUNE", 4, None)]


def test_signed_without_detail_and_declared_counts(run: Any) -> None:
    result = run(
        (
            "Perpignan et Nîmes",
            [
                ["Commune", "Liste", "A signé le Pacte", "Nombre de mesures"],
                ["Perpignan", "P1", "oui", ""],
                ["Perpignan", "P2", "non", ""],
                ["Nîmes", "N1", "oui", "31"],
                ["Nîmes", "N2", "oui", "24 mesures"],
            ],
        )
    )
    lists = result.lists
    assert lists["signatory"].tolist() == [True, False, True, True]
    assert set(lists["signatory_source"]) == {"tracker"}
    assert lists["n_measures_declared"].tolist() == [pd.NA, pd.NA, 31, 24]
    assert lists["n_measures"].tolist() == [0, 0, 0, 0]
    assert result.rejects.empty  # no principles in the tracker: nothing contradicts it


def test_tracker_word_kept_and_disagreement_reported(run: Any) -> None:
    result = run(
        (
            "S",
            [
                ["Commune", "Liste", "Principes", "Mesures", "Signé ?"],
                ["Rennes", "R1", "ABC", "1, 2, 3", "oui"],
                ["Rennes", "R2", "ABC", "1-12", ""],
            ],
        )
    )
    lists = result.lists
    assert lists["signatory"].tolist() == [True, True]
    assert lists["signatory_source"].tolist() == ["tracker", "rule"]
    assert _codes(result) == [("SIGNATORY_MISMATCH", 2, None)]


def test_headers_by_title_and_unknown_columns(run: Any) -> None:
    result = run(
        (
            "S",
            [
                [
                    "Commune",
                    "Liste",
                    "Princ. A",
                    "Principe B – Co-construction",
                    "Principe C",
                    "Politique ambitieuse d'achats publics responsables",
                    "LOGICIEL LIBRE",
                    "Monnaie locale complémentaire et citoyenne",
                    "Avis du collectif",
                ],
                ["Angers", "A1", "x", "x", "x", "x", "x", "x", "très bien"],
            ],
        )
    )
    assert result.lists["principles"].tolist() == ["ABC"]
    assert _measures(result, "A1") == {1: None, 4: None, 32: None}
    assert _codes(result) == [("IGNORED_COLUMN", None, "I")]


def test_removing_a_column_keeps_the_layout(run: Any) -> None:
    base = [
        ["Commune", "Liste", "Tête de liste", "Signé", "Mesures", "33 - Sobriété numérique"],
        ["Rennes", "R1", "Camille Exemple", "oui", "1-10", "x"],
        ["Brest", "B1", "Alex Essai", "non", "2", ""],
    ]
    with_extra = run(("S", base))
    without = run(("S", [row[:5] for row in base]))
    for result in (with_extra, without):
        assert result.files[0].sheets[0].layout == "compact"
        assert result.lists["signatory"].tolist() == [True, False]
        assert _measures(result, "R1") == dict.fromkeys(range(1, 11))
    assert [c for c, _, _ in _codes(with_extra)] == ["UNKNOWN_MEASURE"]


def test_same_list_twice_and_councils_of_one_commune(run: Any) -> None:
    result = run(
        (
            "S",
            [
                ["Commune", "Liste", "Tête de liste", "Mesures", "Principes"],
                ["Rennes", "Rennes demain", "Mme Camille Exemple", "1-10", "ABC"],
                ["Rennes", "", "Camille EXEMPLE", "1-10", "ABC"],
                ["Rennes", "Rennes demain", "", "1-10", "ABC"],
                ["Paris 11e", "Paris en commun", "", "1-10", "ABC"],
                ["Paris 15e", "Paris en commun", "", "1-10", "ABC"],
            ],
        )
    )
    codes = [c for c, _, _ in _codes(result)]
    assert codes == ["DUPLICATE_LIST", "DUPLICATE_LIST"]
    assert result.lists["list_name"].tolist() == [
        "Rennes demain",
        "Paris en commun",
        "Paris en commun",
    ]
    assert result.lists["list_id"].is_unique


def test_status_column_says_whether_the_list_signed(run: Any) -> None:
    result = run(
        (
            "S",
            [
                ["Commune", "Liste", "Statut", "Principes"],
                ["Rennes", "R1", "Signé", "ABC"],
                ["Rennes", "R2", "Refus", ""],
                ["Brest", "B1", "en attente", ""],
            ],
        )
    )
    assert result.lists["signatory"].tolist() == [True, False, False]
    assert result.lists["signatory_source"].tolist() == ["tracker", "tracker", "rule"]
    assert result.rejects.empty


def test_a_status_column_of_a_campaign_says_the_signature_and_its_date(run: Any) -> None:
    """The steps of a campaign say nothing of a signature; « signé le 12/02/2020 » is a
    signature and its date; « N'a pas signé » is a refusal."""
    result = run(
        (
            "S",
            [
                ["Commune", "Liste", "Statut", "Principes"],
                ["Rennes", "R1", "signé le 12/02/2020", "ABC"],
                ["Rennes", "R2", "En discussion", ""],
                ["Brest", "B1", "N'a pas signé", ""],
                ["Brest", "B2", "Relancé", ""],
                ["Lille", "L1", "A signé le 4 mars 2020", ""],
            ],
        )
    )
    lists = result.lists.set_index("list_name")
    assert lists["signatory_source"].to_dict() == {
        "R1": "tracker", "R2": "rule", "B1": "tracker", "B2": "rule", "L1": "tracker",
    }  # fmt: skip
    assert lists.loc[["R1", "B1", "L1"], "signatory"].tolist() == [True, False, True]
    assert lists.loc["R1", "signed_on"] == dt.date(2020, 2, 12)
    assert lists.loc["L1", "signed_on"] == dt.date(2020, 3, 4)
    assert set(result.rejects["code"]) <= {"SIGNATORY_MISMATCH"}


def test_a_status_column_that_does_not_say_the_signature_is_reported(run: Any) -> None:
    """One row per list: a « Statut » column read as nothing is never dropped silently."""
    result = run(
        (
            "S",
            [
                ["Commune", "Liste", "Mesure 1", "Statut"],
                ["Rennes", "R1", "x", "Dossier envoyé"],
                ["Brest", "B1", "x", "Courriel au candidat"],
                ["Lille", "L1", "", "signé"],
            ],
        )
    )
    ignored = result.rejects[result.rejects["code"] == "IGNORED_COLUMN"]
    assert ignored["source_column"].tolist() == ["D"]
    message = ignored["message"].iloc[0]
    assert "« Statut »" in message and "1 sur 3 lisibles" in message
    assert "« Dossier envoyé »" in message
    assert result.lists["signatory_source"].tolist() == ["rule"] * 3


def test_long_layout_with_its_measure_column_first_is_not_transposed(run: Any) -> None:
    rows: list[list[Any]] = [["Mesure", "Commune", "Liste", "Engagement"]]
    for name in ("R1", "R2"):
        rows += [[f"M{m}", "Rennes", name, "N2" if m % 2 else "x"] for m in range(1, 8)]
    result = run(("S", rows))
    assert result.files[0].sheets[0].layout == "long"
    assert result.lists["list_name"].tolist() == ["R1", "R2"]
    assert _measures(result, "R2") == {m: (2 if m % 2 else None) for m in range(1, 8)}
    assert result.reconciliation.rows_read == 14 and result.rejects.empty


def test_commune_read_under_another_name_is_said_on_its_row(run: Any) -> None:
    result = run(
        (
            "S",
            [
                ["Commune", "Liste", "Mesures"],
                ["Hellemmes", "H1", "1-10"],
                ["Paris Centre", "Paris en commun", "1-10"],
                ["Paris 15e", "Paris en commun", "1-10"],
            ],
        )
    )
    assert result.lists["commune_code"].tolist() == ["59350", "75056", "75056"]
    warned = result.rejects[result.rejects["code"] == "COMMUNE_READ_AS"]
    assert warned["source_row"].tolist() == [2, 3]
    assert "Lille" in warned["message"].iloc[0]
    assert result.lists["list_id"].is_unique  # a sector and an arrondissement: two lists


def test_tracker_without_principles_weighs_measures_only_and_says_so(run: Any) -> None:
    result = run(
        (
            "S",
            [
                ["Commune", "Liste", "Mesures"],
                ["Rennes", "R1", "1-12"],
                ["Rennes", "R2", "1, 2"],
                ["Brest", "B1", "24 mesures"],
            ],
        )
    )
    assert result.lists["signatory"].tolist() == [True, False, True]
    assert set(result.lists["signatory_source"]) == {"rule"}
    assert "aucun principe" in " ".join(result.files[0].sheets[0].notes)


def test_report_shows_control_characters_escaped(run: Any) -> None:
    forged = "x\nLignes lues : 999 = listes importées : 999 + lignes rejetées : 0"
    result = run(
        (
            "S\x1b[31m",
            [
                ["Commune", "Liste", "Mesure 1"],
                ["Rennes", "R\x1b[2J1", forged],
            ],
        )
    )
    report = result.report()
    assert "\x1b" not in report and "\\x1b" in report
    assert not any(line.startswith("Lignes lues : 999") for line in report.splitlines())
    assert report.splitlines()[-1] == result.reconciliation.line()


def test_doubtful_pending_and_written_levels_as_people_write_them(run: Any) -> None:
    result = run(
        (
            "S",
            [
                [
                    "Commune",
                    "Liste candidate",
                    "Tête de liste",
                    "M1",
                    "M2",
                    "M3",
                    "M4",
                    "M5",
                    "#29",
                ],
                ["Rennes", "R1", "Camille Exemple", "x ?", "(x)", "En attente", "2/3", "★★★", "x"],
            ],
        ),
        (
            "Synthèse",
            [
                ["Commune", "Nombre de listes", "Listes signataires"],
                ["Rennes", 1, 0],
                ["Brest", 2, 1],
            ],
        ),
    )
    lists = result.lists
    assert lists["list_name"].tolist() == ["R1"] and lists["list_head"].tolist() == [
        "Camille Exemple"
    ]
    assert _measures(result, "R1") == {4: 2, 5: 3, 29: None}
    assert [(c, col) for c, _, col in _codes(result)] == [
        ("INVALID_VALUE", "D"),
        ("INVALID_VALUE", "E"),
        ("PENDING_MEASURE", "F"),
        ("SUMMARY_ROW", None),
    ]


def test_a_repeated_row_does_not_turn_a_compact_sheet_long(run: Any) -> None:
    result = run(
        (
            "S",
            [
                ["Commune", "Liste", "Mesures", "Tour"],
                ["Rennes", "R1", "1-12", "1er tour"],
                ["Rennes", "R2", "3, 4", "1er tour"],
                ["Rennes", "R1", "1-12", "2nd tour"],
            ],
        )
    )
    assert result.files[0].sheets[0].layout == "compact"
    assert _measures(result, "R1") == dict.fromkeys(range(1, 13))
    assert [c for c, _, _ in _codes(result)] == ["IGNORED_COLUMN", "DUPLICATE_LIST"]


def test_list_and_head_in_one_cell_and_levels_per_group(run: Any) -> None:
    result = run(
        (
            "S",
            [
                ["Commune", "Liste (tête de liste)", "Mesures"],
                ["Albi", "Albi Demain (Camille Exemple)", "1, 2, 3 niveau 2 / 4, 5 niveau 3"],
            ],
        )
    )
    assert result.lists[["list_name", "list_head"]].values.tolist() == [
        ["Albi Demain", "Camille Exemple"]
    ]
    assert _measures(result, "Albi Demain") == {1: 2, 2: 2, 3: 2, 4: 3, 5: 3}
