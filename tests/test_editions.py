from __future__ import annotations

from pathlib import Path

import pytest

import pacte_analysis as pa

# Measures whose title is read in public sources (docs/pacte-2020.md).
CONFIRMED = {1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 14, 15, 18, 20, 24, 25, 28, 29, 31, 32}
TOPIC_ONLY = {21, 27}
BUNDLED = Path(pa.editions.__file__).with_name("pacte-2020.csv")


def test_bundled_edition_follows_the_2020_rules() -> None:
    ed = pa.read_edition("pacte-2020")
    assert ed.name == "pacte-2020"
    assert ed.principle_letters == "ABC"
    assert ed.measure_numbers == list(range(1, 33))
    assert ed.min_measures == 10
    assert ed.max_level == 3
    assert ed.is_signatory("ABC", 10)
    assert not ed.is_signatory("ABC", 9)
    assert not ed.is_signatory("AC", 32)
    assert len(ed.themes) == 8


def test_no_measure_title_is_invented() -> None:
    ed = pa.read_edition("pacte-2020")
    assert {m.number for m in ed.measures if m.title_confirmed} == CONFIRMED
    for m in ed.measures:
        if m.number in CONFIRMED:
            assert m.label.startswith(f"{m.number}. ")
        elif m.number in TOPIC_ONLY:
            assert m.label.startswith(f"Mesure {m.number} (sujet")
        else:
            assert m.title == "" and m.theme == ""
            assert m.label == f"Mesure {m.number}"
    assert ed.measure(3).title.startswith("Sobriété, efficacité énergétique")
    assert ed.measure(29).title == "Commission extra-municipale du temps long"


def test_local_variant_with_34_measures(tmp_path: Path) -> None:
    text = BUNDLED.read_text(encoding="utf-8").replace("edition,pacte-2020,", "edition,pacte-mel,")
    text += "measure,33,Sensibilisation et formation,,3,true,pacte-mel\n"
    text += "measure,34,Autorité pour le climat,,3,true,pacte-mel\n"
    path = tmp_path / "pacte-mel.csv"
    path.write_text(text, encoding="utf-8")
    ed = pa.read_edition(path)
    assert ed.name == "pacte-mel"
    assert len(ed.measures) == 34
    assert ed.measure(34).label == "34. Autorité pour le climat"


@pytest.mark.parametrize(
    ("content", "expected"),
    [
        ("kind,id,title\nmeasure,1,x\n", "colonnes manquantes"),
        (
            "kind,id,title,theme,levels,title_confirmed,source\nmesure,1,x,,3,true,\n",
            "ligne 2, colonne kind",
        ),
        (
            "kind,id,title,theme,levels,title_confirmed,source\n"
            "measure,1,x,,3,true,\nmeasure,1,y,,3,true,\n",
            "ligne 3 : mesure 1 en double",
        ),
        (
            "kind,id,title,theme,levels,title_confirmed,source\nmeasure,un,x,,3,true,\n",
            "ligne 2, colonne id",
        ),
        (
            "kind,id,title,theme,levels,title_confirmed,source\nmeasure,1,x,,3,peut-être,\n",
            "colonne title_confirmed",
        ),
        (
            "kind,id,title,theme,levels,title_confirmed,source\nmeasure,1,x,,0,true,\n",
            "colonne levels",
        ),
        ("kind,id,title,theme,levels,title_confirmed,source\n", "aucune mesure"),
        (
            "kind,id,title,theme,levels,title_confirmed,source\n"
            "rule,min_measures,5,,,true,\nmeasure,1,x,,3,true,\n",
            "dépasse le nombre de mesures",
        ),
    ],
)
def test_malformed_catalogue_is_refused_with_its_place(
    tmp_path: Path, content: str, expected: str
) -> None:
    path = tmp_path / "bad.csv"
    path.write_text(content, encoding="utf-8")
    with pytest.raises(pa.EditionError, match=expected):
        pa.read_edition(path)


def test_catalogue_not_utf8_and_unknown_names(tmp_path: Path) -> None:
    path = tmp_path / "latin1.csv"
    path.write_bytes(
        "kind,id,title,theme,levels,title_confirmed,source\nmeasure,1,Sobriété,,3,true,\n".encode(
            "cp1252"
        )
    )
    with pytest.raises(pa.EditionError, match="UTF-8"):
        pa.read_edition(path)
    with pytest.raises(pa.EditionError, match="Édition inconnue"):
        pa.read_edition("pacte-1999")
    with pytest.raises(pa.EditionError, match="introuvable"):
        pa.read_edition(tmp_path / "absent.csv")


def test_measures_frame() -> None:
    frame = pa.read_edition().measures_frame()
    assert list(frame.columns[:4]) == ["measure", "title", "label", "theme"]
    assert len(frame) == 32
    assert frame.loc[frame.measure == 13, "label"].item() == "Mesure 13"


def test_edition_knows_its_election_and_geography(tmp_path: Path) -> None:
    ed = pa.read_edition("pacte-2020")
    assert (ed.election, ed.vintage) == (2020, 2020)
    text = BUNDLED.read_text(encoding="utf-8")
    local = text.replace("rule,election,2020", "rule,election,2026").replace(
        "rule,geography,2020,,,true,COG 2020 (INSEE) et RNE 2020\n", ""
    )
    local = local.replace("edition,pacte-2020,", "edition,pacte-local-2026-fictif,")
    path = tmp_path / "pacte-local-2026.csv"
    path.write_text(local, encoding="utf-8")
    ed26 = pa.read_edition(path)
    assert (ed26.name, ed26.election, ed26.vintage) == ("pacte-local-2026-fictif", 2026, 2026)
    bad = tmp_path / "bad.csv"
    bad.write_text(text.replace("rule,geography,2020", "rule,geography,2023"), encoding="utf-8")
    with pytest.raises(pa.editions.EditionError, match="géographie 2023 inconnue"):
        pa.read_edition(bad)
