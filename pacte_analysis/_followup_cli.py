"""``pacte followup``: import follow-up grids, join them to the lists, write scores."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from pacte_analysis.editions import DEFAULT_EDITION

__all__ = ["register", "run_followup"]

EXIT_OK, EXIT_REJECTS, EXIT_USAGE = 0, 1, 2


def register(subparsers: argparse._SubParsersAction) -> None:
    """Add ``followup`` to the ``pacte`` command."""
    cmd = subparsers.add_parser(
        "followup",
        help="importer des grilles de suivi du mandat (état de chaque mesure), écrire les scores",
        description="Lit des grilles de suivi (commune, liste ou équipe, mesure, état : réalisée, "
        "en cours, engagée, non engagée, abandonnée), les joint aux listes du dossier --data "
        "(écrit par « pacte ingest ») et écrit le suivi, les scores par commune (méthode écrite "
        "dans METHODE.txt) et les synthèses par mesure et par thème dans --out.",
    )
    cmd.add_argument("paths", nargs="+", metavar="CHEMIN", help="fichiers ou dossiers de grilles")
    cmd.add_argument("--data", required=True, metavar="DIR", help="dossier écrit par pacte ingest")
    cmd.add_argument("--out", required=True, metavar="DIR", help="dossier de sortie")
    cmd.add_argument(
        "--edition",
        default=DEFAULT_EDITION,
        help=f"édition (défaut : {DEFAULT_EDITION}) ou chemin d'un catalogue CSV",
    )
    cmd.add_argument(
        "--strict", action="store_true", help="code de sortie 1 (et rien n'est écrit) si un rejet"
    )
    cmd.set_defaults(func=run_followup)


def _error(message: str) -> int:
    print(f"pacte : erreur : {message}", file=sys.stderr)
    return EXIT_USAGE


def _inside(child: Path, parent: Path) -> bool:
    try:
        child.relative_to(parent)
    except ValueError:
        return False
    return True


def run_followup(args: argparse.Namespace) -> int:
    """Run ``pacte followup``; see :func:`register`."""
    from pacte_analysis.editions import EditionError
    from pacte_analysis.followup import read_followup, write_followup
    from pacte_analysis.ingest._engine import IngestSetupError

    missing = [p for p in args.paths if not Path(p).exists()]
    if missing:
        return _error("chemin introuvable : " + ", ".join(missing))
    data = Path(args.data)
    tables = {name: data / f"{name}.parquet" for name in ("lists", "commitments")}
    absent = [str(p) for p in tables.values() if not p.is_file()]
    if absent:
        return _error(
            f"--data {data} : tables introuvables ({', '.join(absent)}) ; donnez le dossier "
            "écrit par « pacte ingest … --out DIR »."
        )
    out = Path(args.out).resolve()
    for given in [*args.paths, str(data)]:
        path = Path(given).resolve()
        if out == path or _inside(path, out) or _inside(out, path):
            return _error(
                f"--out {args.out} : le dossier de sortie ne peut pas être, contenir ou se trouver "
                f"dans une entrée ({given}) ; choisissez un autre dossier."
            )
    try:
        result = read_followup(args.paths, edition=args.edition)
    except (EditionError, IngestSetupError) as exc:
        return _error(str(exc))
    print(result.report())
    if args.strict and len(result.rejects):
        print("Mode strict : des rejets ont été signalés, rien n'est écrit.", file=sys.stderr)
        return EXIT_REJECTS
    from pacte_analysis.errors import PacteError
    from pacte_analysis.tables import read_tables

    try:
        read = read_tables(data)
    except PacteError as exc:  # a missing or broken set, a table without its columns
        return _error(str(exc))
    try:
        written = write_followup(result, read.lists, read.commitments, out, demo=read.demo)
    except OSError as exc:
        return _error(f"écriture impossible dans {out} : {exc.strerror or exc}.")
    print(f"{len(written)} fichiers écrits dans {out}")
    return EXIT_OK
