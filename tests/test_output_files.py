"""`pacte map` / `pacte chart` outputs: user text drawn as typed, files written atomically."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from disks import tmpfs
from matplotlib.figure import Figure

from pacte_analysis import cli
from pacte_analysis.ingest import write_tables

SOURCES = ["$\\bad$", "Prix : 5 $ et 6 $", "$x^2$ \\$ $", "_cachée"]


@pytest.fixture(scope="module")
def data_dir(synthetic_tables, tmp_path_factory: pytest.TempPathFactory) -> Path:  # type: ignore[no-untyped-def]
    from pacte_analysis.tables import empty_table

    lists, commitments = synthetic_tables
    folder = tmp_path_factory.mktemp("tables")
    write_tables(
        {"lists": lists, "commitments": commitments, "rejects": empty_table("rejects")},
        folder,
        xlsx=False,
    )
    return folder


def _map(data_dir: Path, out: Path, *extra: str) -> list[str]:
    return ["map", "--data", str(data_dir), "--level", "region", "--metric", "n_lists",
            "--out", str(out), *extra]  # fmt: skip


def _drawn_as_text(svg: Path, text: str) -> bool:
    """``text`` is the content of an SVG ``<text>`` (mathtext would be drawn glyph by glyph)."""
    return re.search(">[^<]*" + re.escape(text), svg.read_text(encoding="utf-8")) is not None


@pytest.mark.parametrize("source", SOURCES)
def test_dollar_signs_are_drawn_as_typed(
    data_dir: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str], source: str
) -> None:
    svg = tmp_path / "carte.svg"
    assert cli.main(_map(data_dir, svg, "--source", source)) == 0
    assert _drawn_as_text(svg, source)
    chart = tmp_path / "mesures.svg"
    args = ["chart", "measure-popularity", "--data", str(data_dir), "--out", str(chart)]
    assert cli.main([*args, "--source", source]) == 0
    assert _drawn_as_text(chart, source)
    assert "Traceback" not in capsys.readouterr().err


def test_a_failed_drawing_keeps_the_previous_file(
    data_dir: Path,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    pdf = tmp_path / "carte.pdf"
    assert cli.main(_map(data_dir, pdf)) == 0
    good = pdf.read_bytes()
    real = Figure.savefig

    def broken(self: Figure, fname: object, **kwargs: object) -> None:
        assert hasattr(fname, "write")
        fname.write(b"%PDF-1.4 tronque")
        raise OSError(5, "Input/output error")

    monkeypatch.setattr(Figure, "savefig", broken)
    assert cli.main(_map(data_dir, pdf)) == 1
    err = capsys.readouterr().err
    assert "erreur d'entrée-sortie" in err and "Traceback" not in err
    assert pdf.read_bytes() == good
    assert sorted(p.name for p in tmp_path.iterdir()) == ["carte.pdf"]  # no temporary file
    monkeypatch.setattr(Figure, "savefig", real)


def test_out_under_an_existing_file_is_a_usage_error(
    data_dir: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (tmp_path / "carte.pdf").write_bytes(b"%PDF")
    for out in (tmp_path / "carte.pdf" / "x.png", tmp_path / "carte.pdf" / "a" / "x.svg"):
        assert cli.main(_map(data_dir, out)) == 2
        err = capsys.readouterr().err
        assert "est un fichier, pas un dossier" in err and "Traceback" not in err
        args = ["chart", "measure-popularity", "--data", str(data_dir), "--out", str(out)]
        assert cli.main(args) == 2
        assert "est un fichier, pas un dossier" in capsys.readouterr().err
    assert (tmp_path / "carte.pdf").read_bytes() == b"%PDF"


@pytest.fixture
def tiny_disk(tmp_path: Path) -> Iterator[Path]:
    """A 64 KiB tmpfs (root only; skipped elsewhere)."""
    with tmpfs(tmp_path / "disque", "64k") as mount:
        yield mount


def test_full_disk_gives_a_french_message_and_no_empty_file(
    data_dir: Path, tiny_disk: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    old = tiny_disk / "ancienne.png"
    old.write_bytes(b"\x89PNG ancienne")
    for name in ("ancienne.png", "nouvelle.png"):
        out = tiny_disk / name
        assert cli.main(_map(data_dir, out)) == 1
        err = capsys.readouterr().err
        assert "disque plein" in err and "Traceback" not in err
        args = ["chart", "measure-popularity", "--data", str(data_dir), "--out", str(out)]
        assert cli.main(args) == 1
        assert "disque plein" in capsys.readouterr().err
    assert old.read_bytes() == b"\x89PNG ancienne"
    assert sorted(p.name for p in tiny_disk.iterdir()) == ["ancienne.png"]


def test_demo_never_deletes_a_users_folder_or_its_trackers(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    from pacte_analysis._files import OutputError
    from pacte_analysis.pipeline import run_demo

    mine = tmp_path / "documents"
    mine.mkdir()
    (mine / "rapport.docx").write_bytes(b"mon travail")
    assert cli.main(["demo", "--out", str(mine), "--quiet"]) == 2
    err = capsys.readouterr().err
    assert "n'est pas un dossier de démonstration" in err and "Traceback" not in err
    assert (mine / "rapport.docx").read_bytes() == b"mon travail"
    trackers = tmp_path / "suivis"
    (trackers / "demo").mkdir(parents=True)
    (trackers / "demo" / "suivi.csv").write_text("Commune\n", encoding="utf-8")
    for out in (trackers, trackers / "demo", trackers / "demo" / "sortie"):
        with pytest.raises(OutputError, match="recouvre les suivis"):
            run_demo(out, trackers=trackers / "demo", progress=False)
    assert (trackers / "demo" / "suivi.csv").read_text(encoding="utf-8") == "Commune\n"
