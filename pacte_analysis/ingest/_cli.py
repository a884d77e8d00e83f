"""Sub-commands ``validate``, ``ingest`` and ``template`` of the ``pacte`` command.

``pacte_analysis.cli`` calls :func:`register` on its sub-parsers. Each handler
returns the exit code of the CLI contract and never lets a traceback reach the
user for bad input.
"""

from __future__ import annotations

import argparse
import gc
import logging
import os
import sys
from pathlib import Path

from pacte_analysis.editions import DEFAULT_EDITION

__all__ = ["register"]

logger = logging.getLogger(__name__)

EXIT_OK = 0
EXIT_REJECTS = 1
EXIT_USAGE = 2


def register(subparsers: argparse._SubParsersAction) -> None:
    """Add the ``validate``, ``ingest`` and ``template`` sub-commands.

    Each sub-parser gets ``func`` (a callable taking the parsed namespace and
    returning the exit code) as its default.

    Parameters
    ----------
    subparsers : argparse._SubParsersAction
        What ``ArgumentParser.add_subparsers()`` returned.
    """
    validate = subparsers.add_parser(
        "validate",
        help="lire des suivis et afficher le rapport, sans rien écrire",
        description="Lit les fichiers et dossiers de suivi, affiche le rapport (en français) et "
        "n'écrit rien. Code de sortie : 0 sans rejet, 1 si des rejets, 2 en cas d'erreur "
        "d'utilisation.",
    )
    validate.add_argument("paths", nargs="+", metavar="PATH", help="fichiers ou dossiers")
    validate.add_argument(
        "--edition",
        default=DEFAULT_EDITION,
        help=f"édition (défaut : {DEFAULT_EDITION}) ou chemin d'un catalogue CSV",
    )
    validate.set_defaults(func=run_validate)

    ingest = subparsers.add_parser(
        "ingest",
        help="importer des suivis et écrire les tables canoniques",
        description="Importe les fichiers et dossiers de suivi et écrit lists, commitments et "
        "rejects (.parquet, .csv) et pacte-resultats.xlsx dans DIR, en un seul ensemble "
        "(jamais un mélange de deux imports). DIR ne peut pas être, contenir ou se trouver "
        "dans un chemin importé. Code de sortie : 0 écrit, 1 avec --strict et des rejets "
        "(rien n'est écrit) ou si l'écriture échoue, 2 en cas d'erreur d'utilisation.",
    )
    ingest.add_argument("paths", nargs="+", metavar="PATH", help="fichiers ou dossiers")
    ingest.add_argument("--out", required=True, metavar="DIR", help="dossier de sortie")
    ingest.add_argument(
        "--edition",
        default=DEFAULT_EDITION,
        help=f"édition (défaut : {DEFAULT_EDITION}) ou chemin d'un catalogue CSV",
    )
    ingest.add_argument(
        "--strict",
        action="store_true",
        help="si un rejet est signalé : ne rien écrire, code de sortie 1",
    )
    ingest.set_defaults(func=run_ingest)

    template = subparsers.add_parser(
        "template",
        help="écrire un classeur de suivi vierge pour les collectifs",
        description="Écrit un classeur de suivi vierge (onglet d'instructions, une colonne par "
        "mesure, listes déroulantes) qui s'importe sans rejet une fois rempli.",
    )
    template.add_argument("out", metavar="OUT.xlsx", help="fichier à écrire")
    template.add_argument(
        "--edition",
        default=DEFAULT_EDITION,
        help=f"édition (défaut : {DEFAULT_EDITION}) ou chemin d'un catalogue CSV",
    )
    template.set_defaults(func=run_template)


def _error(message: str, kind: str = "erreur") -> None:
    print(f"pacte : {kind} : {message}", file=sys.stderr)


def _run(args: argparse.Namespace) -> tuple[int, object | None]:
    """Shared part of validate/ingest: returns (exit code if failed, result)."""
    missing = [p for p in args.paths if not Path(p).exists()]
    if missing:
        _error("chemin introuvable : " + ", ".join(missing))
        return EXIT_USAGE, None
    from pacte_analysis.ingest import _prefetch

    if getattr(args, "own_process", False):
        # A command of its own process: Python's cyclic garbage collector stays off
        # until it exits (an import makes millions of objects and no cycles;
        # resuming the collector after it would walk them all once, ~0.2 s for
        # 20,000 lists). Not when called from Python (tests, notebooks).
        gc.disable()
    # the first tracker is parsed while pandas and the engine are imported
    _prefetch.start(args.paths, fork=getattr(args, "own_process", False))
    from pacte_analysis.editions import EditionError
    from pacte_analysis.ingest._engine import IngestSetupError, ingest

    try:
        result = ingest(args.paths, edition=args.edition, progress=sys.stderr.isatty())
    except EditionError as exc:
        _error(str(exc))
        return EXIT_USAGE, None
    except IngestSetupError as exc:
        _error(str(exc))
        return EXIT_USAGE, None
    finally:
        _prefetch.discard()  # a read the import did not take (it stopped before reading)
    return EXIT_OK, result


def run_validate(args: argparse.Namespace) -> int:
    """``pacte validate PATH...``: print the report; 0 without rejects, 1 with."""
    code, result = _run(args)
    if result is None:
        return code
    from pacte_analysis.ingest._engine import IngestResult

    assert isinstance(result, IngestResult)
    print(result.report())
    return EXIT_REJECTS if len(result.rejects) else EXIT_OK


def _overlap(out: Path, inputs: list[str]) -> str | None:
    """French reason why ``out`` may not be written, if it is, is inside or contains an input."""
    real_out = Path(os.path.realpath(out))
    for given in inputs:
        real_in = Path(os.path.realpath(given))
        if real_out == real_in:
            return f"le dossier de sortie « {out} » est aussi une entrée (« {given} »)"
        if real_out.is_relative_to(real_in):
            return f"le dossier de sortie « {out} » est à l'intérieur de l'entrée « {given} »"
        if real_in.is_relative_to(real_out):
            return f"le dossier de sortie « {out} » contient l'entrée « {given} »"
    return None


def run_ingest(args: argparse.Namespace) -> int:
    """``pacte ingest PATH... --out DIR``: write the tables as one set.

    Exit codes: 0 written (rejects reported), 1 with ``--strict`` and rejects
    (nothing written) or when writing failed (full disk…), 2 usage error (bad
    ``--out``: a file, not writable, or overlapping an input).
    """
    from pacte_analysis._files import OutputError, check_output_path

    out = Path(args.out)
    reason = _overlap(out, args.paths)
    if reason is not None:
        _error(
            f"{reason} : les suivis ne sont jamais modifiés ; choisissez un dossier de "
            "sortie en dehors des chemins importés."
        )
        return EXIT_USAGE
    try:
        check_output_path(out, directory=True)
    except OutputError as exc:
        _error(f"--out : {exc}")
        return EXIT_USAGE
    code, result = _run(args)
    if result is None:
        return code
    from pacte_analysis.ingest._engine import IngestResult
    from pacte_analysis.ingest._writer import write_tables

    assert isinstance(result, IngestResult)
    print(result.report())
    if args.strict and len(result.rejects):
        _error(
            f"--strict : {len(result.rejects)} rejet(s) signalé(s), aucune table écrite dans {out}."
        )
        return EXIT_REJECTS
    try:
        written = write_tables(result, out, on_wait=lambda message: _error(message, "note"))
    except OutputError as exc:
        _error(str(exc))
        return EXIT_USAGE if exc.usage else EXIT_REJECTS
    print(f"Tables écrites dans {out} : " + ", ".join(p.name for p in written))
    return EXIT_OK


def run_template(args: argparse.Namespace) -> int:
    """``pacte template OUT.xlsx``: write a blank tracker workbook."""
    from pacte_analysis.editions import EditionError
    from pacte_analysis.ingest._template import write_template

    out = Path(args.out)
    if out.suffix.lower() != ".xlsx":
        _error(f"le modèle est un classeur .xlsx : « {out} » n'a pas cette extension.")
        return EXIT_USAGE
    try:
        path = write_template(out, args.edition)
    except EditionError as exc:
        _error(str(exc))
        return EXIT_USAGE
    except OSError as exc:
        _error(f"écriture impossible : {exc}")
        return EXIT_USAGE
    print(f"Modèle de suivi écrit : {path}")
    return EXIT_OK


def main(argv: list[str] | None = None) -> int:
    """Run these sub-commands alone (``python -m pacte_analysis.ingest._cli``), for tests."""
    parser = argparse.ArgumentParser(prog="pacte")
    register(parser.add_subparsers(dest="command", required=True))
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.WARNING, format="%(levelname)s : %(message)s")
    return int(args.func(args))


if __name__ == "__main__":
    sys.exit(main())
