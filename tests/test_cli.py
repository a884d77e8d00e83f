from __future__ import annotations

import pytest

from pacte_analysis import cli


def test_reference_build_is_up_to_date(
    reference_ready: None, capsys: pytest.CaptureFixture[str]
) -> None:
    assert cli.main(["reference", "build", "--quiet"]) == 0
    assert "déjà à jour" in capsys.readouterr().out


def test_reference_build_unknown_vintage_fails_cleanly(capsys: pytest.CaptureFixture[str]) -> None:
    assert cli.main(["reference", "build", "--vintage", "2019", "--quiet"]) == 1
    err = capsys.readouterr().err
    assert "Millésime 2019 indisponible" in err
    assert "Traceback" not in err


def test_usage_error_exits_2(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exc:
        cli.main(["reference", "build", "--vintage", "deux-mille"])
    assert exc.value.code == 2
    err = capsys.readouterr().err
    assert "erreur d'utilisation" in err and "nombre entier invalide" in err
    with pytest.raises(SystemExit) as exc:
        cli.main(["inconnue"])
    assert exc.value.code == 2
    assert "choix invalide" in capsys.readouterr().err


def test_python_dash_m_and_french_cli_wording() -> None:
    import subprocess
    import sys

    run = subprocess.run(
        [sys.executable, "-m", "pacte_analysis", "export", "--help"],
        capture_output=True,
        text=True,
        check=False,
    )
    assert run.returncode == 0
    assert run.stdout.startswith("utilisation : pacte export")
    assert "usage:" not in run.stdout
    from pacte_analysis._commune_cli import _of

    assert (_of("Acoua"), _of("Rennes"), _of("Île-Tudy")) == ("d'Acoua", "de Rennes", "d'Île-Tudy")
