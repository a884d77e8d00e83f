"""The ``pacte`` command (see the CLI contract in the README).

Library modules log with ``logging``; only this module configures output. No
command shows a traceback for bad input: it prints what is wrong in French and
exits with the contract's code.
"""

from __future__ import annotations

import argparse
import logging
import sys
from collections.abc import Sequence

from pacte_analysis import __version__

__all__ = ["main"]

EXIT_OK = 0
EXIT_FAILED = 1
EXIT_USAGE = 2


class _FrenchArgumentParser(argparse.ArgumentParser):
    """argparse with usage errors in French (exit code 2)."""

    def error(self, message: str) -> None:  # type: ignore[override]
        self.print_usage(sys.stderr)
        self.exit(EXIT_USAGE, f"{self.prog} : erreur d'utilisation : {message}\n")


def _cmd_reference_build(args: argparse.Namespace) -> int:
    from pacte_analysis.reference import ReferenceError, build_reference

    try:
        result = build_reference(args.vintage, force=args.force, progress=not args.quiet)
    except ReferenceError as exc:
        print(f"Échec de la construction du référentiel : {exc}", file=sys.stderr)
        return EXIT_FAILED
    if result.rebuilt:
        print(
            f"Référentiel COG {args.vintage} construit dans {result.path} "
            f"({result.reason} ; {result.seconds:.1f} s)."
        )
    else:
        print(f"Référentiel COG {args.vintage} déjà à jour dans {result.path}.")
    return EXIT_OK


def build_parser() -> argparse.ArgumentParser:
    """Return the argument parser of the ``pacte`` command."""
    parser = _FrenchArgumentParser(
        prog="pacte",
        description=(
            "Engagements des listes municipales 2020 envers le Pacte pour la Transition : "
            "import des suivis, référentiel géographique, cartes et graphiques."
        ),
    )
    parser.add_argument("--version", action="version", version=f"pacte {__version__}")
    parser.add_argument(
        "-v", "--verbose", action="store_true", help="afficher les messages de progression"
    )
    commands = parser.add_subparsers(
        dest="command", metavar="COMMANDE", parser_class=_FrenchArgumentParser
    )

    reference = commands.add_parser("reference", help="référentiel géographique COG 2020")
    ref_commands = reference.add_subparsers(dest="ref_command", metavar="ACTION", required=True)
    build = ref_commands.add_parser(
        "build", help="télécharger, vérifier et construire le référentiel (idempotent)"
    )
    build.add_argument("--vintage", type=int, default=2020, help="millésime (2020)")
    build.add_argument("--force", action="store_true", help="reconstruire même si à jour")
    build.add_argument("--quiet", action="store_true", help="sans barre de progression")
    build.set_defaults(func=_cmd_reference_build)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Run the ``pacte`` command; return its exit code."""
    parser = build_parser()
    args = parser.parse_args(argv)
    logging.basicConfig(
        level=logging.INFO if args.verbose else logging.WARNING,
        format="%(levelname)s %(message)s",
    )
    if not getattr(args, "func", None):
        parser.print_help()
        return EXIT_USAGE
    try:
        code: int = args.func(args)
    except KeyboardInterrupt:
        print("Interrompu.", file=sys.stderr)
        return 130
    return code


if __name__ == "__main__":
    sys.exit(main())
