"""The validate / ingest / template sub-commands: exit codes, French output, no traceback."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pandas as pd
import pytest

from pacte_analysis.ingest._cli import main


def test_validate_exit_codes(
    fixtures_dir: Path, commune_resolver: Any, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["validate", str(fixtures_dir / "utf8_comma.csv")]) == 0
    out = capsys.readouterr().out
    assert "Aucun rejet." in out
    assert (
        out.strip().splitlines()[-1]
        == "Lignes lues : 2 = listes importées : 2 + lignes rejetées : 0"
    )
    assert main(["validate", str(fixtures_dir / "mel_34_measures.xlsx")]) == 1
    assert "UNKNOWN_MEASURE" in capsys.readouterr().out


def test_validate_hostile_files_without_traceback(
    fixtures_dir: Path, commune_resolver: Any, capsys: pytest.CaptureFixture[str]
) -> None:
    names = ["zip_bomb.xlsx", "billion_laughs.xlsx", "binary.csv", "no_header.xlsx"]
    assert main(["validate", *(str(fixtures_dir / n) for n in names)]) == 1
    captured = capsys.readouterr()
    assert "Traceback" not in captured.out + captured.err
    assert "TOO_LARGE" in captured.out and "NO_HEADER" in captured.out


def test_usage_errors(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["validate", str(tmp_path / "absent.xlsx")]) == 2
    assert "introuvable" in capsys.readouterr().err
    with pytest.raises(SystemExit) as info:
        main(["ingest", str(tmp_path)])  # --out missing
    assert info.value.code == 2
    assert main(["template", str(tmp_path / "modele.csv")]) == 2
    src = tmp_path / "a.csv"
    src.write_text("Commune;M1\nRennes;x\n", encoding="utf-8")
    assert main(["validate", str(src), "--edition", "pacte-1999"]) == 2
    assert "Édition inconnue" in capsys.readouterr().err


def test_ingest_writes_tables_and_strict(
    fixtures_dir: Path, commune_resolver: Any, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "tables"
    src = str(fixtures_dir / "mel_34_measures.xlsx")
    assert main(["ingest", src, "--out", str(out)]) == 0
    assert len(pd.read_parquet(out / "lists.parquet")) == 2
    assert (out / "pacte-resultats.xlsx").exists()
    assert main(["ingest", src, "--out", str(out), "--strict"]) == 1
    assert (
        main(["ingest", str(fixtures_dir / "utf8_comma.csv"), "--out", str(out), "--strict"]) == 0
    )
    assert "Tables écrites" in capsys.readouterr().out


def test_template_command(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["template", str(tmp_path / "modele.xlsx")]) == 0
    assert (tmp_path / "modele.xlsx").exists()
    assert "Modèle de suivi écrit" in capsys.readouterr().out


def _tracker(folder: Path) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    src = folder / "lists.csv"  # a tracker that happens to have the name of an output
    src.write_text("Commune;Principes;M1\nRennes;ABC;x\n", encoding="utf-8")
    return src


@pytest.mark.parametrize("where", ["same", "inside", "contains", "file_inside"])
def test_ingest_refuses_an_out_overlapping_an_input(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], where: str
) -> None:
    src = _tracker(tmp_path / "suivis")
    before = src.read_bytes()
    given, out = {
        "same": (tmp_path / "suivis", tmp_path / "suivis"),
        "inside": (tmp_path / "suivis", tmp_path / "suivis" / "sortie"),
        "contains": (tmp_path / "suivis", tmp_path),
        "file_inside": (src, tmp_path / "suivis"),
    }[where]
    assert main(["ingest", str(given), "--out", str(out)]) == 2
    err = capsys.readouterr().err
    assert "les suivis ne sont jamais modifiés" in err and "Traceback" not in err
    assert src.read_bytes() == before
    assert sorted(p.name for p in src.parent.iterdir()) == ["lists.csv"]


def test_ingest_refuses_an_out_reached_through_a_link(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    src = _tracker(tmp_path / "suivis")
    link = tmp_path / "raccourci"
    link.symlink_to(tmp_path / "suivis")
    assert main(["ingest", str(src), "--out", str(link)]) == 2
    assert "contient l'entrée" in capsys.readouterr().err
    assert sorted(p.name for p in src.parent.iterdir()) == ["lists.csv"]


def test_ingest_out_errors_are_french_usage_errors(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    src = _tracker(tmp_path / "suivis")
    (tmp_path / "notes.txt").write_text("x", encoding="utf-8")
    for out in (tmp_path / "notes.txt", tmp_path / "notes.txt" / "sortie"):
        assert main(["ingest", str(src), "--out", str(out)]) == 2
        err = capsys.readouterr().err
        assert "est un fichier" in err and "Traceback" not in err


def test_strict_with_rejects_writes_nothing(
    fixtures_dir: Path, commune_resolver: Any, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "tables"
    src = str(fixtures_dir / "mel_34_measures.xlsx")
    assert main(["ingest", src, "--out", str(out), "--strict"]) == 1
    assert "aucune table écrite" in capsys.readouterr().err
    assert not out.exists()


def test_a_second_ingest_into_the_same_folder_waits_and_says_so(
    fixtures_dir: Path, commune_resolver: Any, tmp_path: Path
) -> None:
    import fcntl
    import os
    import subprocess
    import sys

    out = tmp_path / "tables"
    out.mkdir()
    root = Path(__file__).resolve().parents[2]
    with open(out / ".pacte-lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)  # a first run is writing
        child = subprocess.Popen(
            [sys.executable, "-m", "pacte_analysis.ingest._cli", "ingest",
             str(fixtures_dir / "utf8_comma.csv"), "--out", str(out)],
            stderr=subprocess.PIPE, stdout=subprocess.PIPE, text=True, cwd=root,
            env=dict(os.environ, PYTHONPATH=str(root)),
        )  # fmt: skip
        assert child.stderr is not None
        seen = []
        for line in child.stderr:  # the import runs, then the writer waits for the lock
            seen.append(line)
            if "Un autre import écrit dans" in line:
                break
        assert seen and seen[-1].startswith("pacte : note : Un autre import écrit dans")
        assert child.poll() is None  # still waiting
        assert not (out / "lists.parquet").exists()
    _, err = child.communicate(timeout=120)
    assert child.returncode == 0, err
    assert (out / "lists.parquet").exists()


def test_the_pacte_process_ends_at_once_with_its_whole_output(
    fixtures_dir: Path, commune_resolver: Any, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """``pacte validate``/``ingest`` skip the interpreter's teardown (``cli._leave``):
    the report still arrives whole through a pipe, with the contract's exit code,
    and the tables are all written; ``main()`` called from Python still returns."""
    import os
    import subprocess
    import sys

    from pacte_analysis import cli

    root = Path(__file__).resolve().parents[2]
    env = dict(os.environ, PYTHONPATH=str(root))
    env.pop("PYTHONUNBUFFERED", None)  # block-buffered output, as in a user's pipe
    srcs = [str(fixtures_dir / n) for n in ("mel_34_measures.xlsx", "header_variants.xlsx")]
    assert cli.main(["validate", *srcs]) == 1  # returned: not ended
    expected = capsys.readouterr().out
    assert "UNKNOWN_MEASURE" in expected
    run = subprocess.run(
        [sys.executable, "-m", "pacte_analysis", "validate", *srcs],
        capture_output=True, text=True, cwd=root, env=env, check=False,
    )  # fmt: skip
    assert (run.returncode, run.stdout, run.stderr) == (1, expected, "")
    out = tmp_path / "tables"
    run = subprocess.run(
        [sys.executable, "-m", "pacte_analysis", "ingest", srcs[0], "--out", str(out)],
        capture_output=True, text=True, cwd=root, env=env, check=False,
    )  # fmt: skip
    assert run.returncode == 0, run.stderr
    assert run.stdout.rstrip().splitlines()[-1].startswith(f"Tables écrites dans {out} : ")
    assert len(pd.read_parquet(out / "lists.parquet")) == 2
    assert (
        pd.read_excel(out / "pacte-resultats.xlsx", sheet_name="listes", engine="calamine").shape[0]
        == 2
    )
