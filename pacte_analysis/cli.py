"""The ``pacte`` command (see the CLI contract in the README).

Library modules log with ``logging``; only this module configures output. No
command shows a traceback for bad input: it prints what is wrong in French and
exits with the contract's code.
"""

from __future__ import annotations

import argparse
import contextlib
import logging
import os
import re
import sys
import warnings
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any, NoReturn

from pacte_analysis import __version__
from pacte_analysis.editions import DEFAULT_EDITION

if TYPE_CHECKING:
    import pandas as pd

__all__ = ["main"]

EXIT_OK = 0
EXIT_FAILED = 1
EXIT_USAGE = 2


# argparse's own messages, in French.
_ARGPARSE_FR = (
    ("the following arguments are required", "arguments obligatoires manquants"),
    ("unrecognized arguments", "arguments non reconnus"),
    ("invalid choice", "choix invalide"),
    ("choose from", "choisir parmi"),
    ("expected one argument", "une valeur est attendue"),
    ("invalid int value", "nombre entier invalide"),
    ("argument ", "option "),
)


class _FrenchArgumentParser(argparse.ArgumentParser):
    """argparse with French help headings and usage errors (exit code 2)."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs["add_help"] = False
        super().__init__(*args, **kwargs)
        self._positionals.title = "arguments"
        self._optionals.title = "options"
        self.add_argument(
            "-h", "--help", action="help", default=argparse.SUPPRESS, help="afficher cette aide"
        )

    def format_usage(self) -> str:
        return super().format_usage().replace("usage: ", "utilisation : ", 1)

    def format_help(self) -> str:
        return super().format_help().replace("usage: ", "utilisation : ", 1)

    def error(self, message: str) -> None:  # type: ignore[override]
        for english, french in _ARGPARSE_FR:
            message = message.replace(english, french)
        self.print_usage(sys.stderr)
        self.exit(EXIT_USAGE, f"{self.prog} : erreur d'utilisation : {message}\n")


def _cmd_reference_build(args: argparse.Namespace) -> int:
    from pacte_analysis.reference import VINTAGES, ReferenceDataError, build_reference

    try:
        result = build_reference(args.vintage, force=args.force, progress=not args.quiet)
    except ReferenceDataError as exc:
        print(f"Échec de la construction du référentiel : {exc}", file=sys.stderr)
        return EXIT_FAILED
    label = f"{args.vintage} ({VINTAGES[args.vintage].label})"
    if result.rebuilt:
        print(
            f"Référentiel {label} construit dans {result.path} "
            f"({result.reason} ; {result.seconds:.1f} s)."
        )
    else:
        print(f"Référentiel {label} déjà à jour dans {result.path}.")
    return EXIT_OK


class _UsageError(Exception):
    """Bad arguments or input found after parsing (exit code 2)."""


def _load_tables(data_dir: Path) -> tuple[pd.DataFrame, pd.DataFrame, bool]:
    """Read ``lists`` and ``commitments`` written by ``pacte ingest`` in ``data_dir``."""
    from pacte_analysis.errors import PacteError
    from pacte_analysis.tables import read_tables

    try:
        tables = read_tables(data_dir)
    except PacteError as exc:  # a missing or broken set, a table without its columns
        raise _UsageError(str(exc)) from exc
    return tables.lists, tables.commitments, tables.demo


class _WriteError(Exception):
    """An output file that could not be written (exit code 1, or 2 for a bad path)."""

    def __init__(self, message: str, code: int) -> None:
        super().__init__(message)
        self.code = code


def _check_out(out: str) -> None:
    """Refuse, before any work, an ``--out`` that cannot be written (French, exit 2)."""
    from pacte_analysis._files import OutputError, check_output_path

    try:
        check_output_path(out)
    except OutputError as exc:
        raise _UsageError(f"--out : {exc}") from exc


def _write_failed(exc: OSError, out: str) -> _WriteError:
    from pacte_analysis._files import describe_os_error

    reason, usage = describe_os_error(exc)
    if not reason.endswith("."):
        reason = f"Impossible d'écrire « {out} » : {reason}."
    return _WriteError(reason + " Aucun fichier existant n'a été remplacé.", 2 if usage else 1)


def _cmd_map(args: argparse.Namespace) -> int:
    from pacte_analysis import analysis

    if args.list_metrics:
        table = analysis.available_metrics(args.level)
        for row in table.itertuples():
            if args.level is None:
                print(row.metric)
            else:
                print(f"{row.metric}\t{row.label}")
        return EXIT_OK
    missing = [
        opt for opt, val in (("--data", args.data), ("--metric", args.metric), ("--out", args.out))
        if val is None
    ]  # fmt: skip
    if missing:
        raise _UsageError(f"options manquantes : {', '.join(missing)}")
    from pacte_analysis.errors import PacteError
    from pacte_analysis.maps._make import draw_map

    _check_out(args.out)
    lists, commitments, demo = _load_tables(Path(args.data))
    try:
        path = draw_map(
            lists,
            commitments,
            args.out,
            metric=args.metric,
            level=args.level or "departement",
            departement=args.departement,
            region=args.region,
            demo=demo or args.demo,
            source=args.source,
            scheme=args.scheme,
            k=args.k,
            edition=args.edition,
        )
    except PacteError as exc:
        raise _UsageError(str(exc)) from exc
    except OSError as exc:
        raise _write_failed(exc, args.out) from exc
    print(f"Carte écrite : {path}")
    return EXIT_OK


def _cmd_chart(args: argparse.Namespace) -> int:
    from pacte_analysis import charts

    if args.list:
        for name in charts.available_charts():
            print(name)
        return EXIT_OK
    if args.kind is None or args.data is None or args.out is None:
        raise _UsageError("indiquez KIND, --data et --out (ou --list)")
    if args.kind not in charts.available_charts():
        raise _UsageError(
            f"graphique inconnu « {args.kind} » ; graphiques possibles : "
            f"{', '.join(charts.available_charts())}"
        )
    _check_out(args.out)
    lists, commitments, demo = _load_tables(Path(args.data))
    options = {"source": args.source} if args.source else {}
    try:
        fig = charts.draw_chart(
            args.kind,
            lists,
            commitments,
            None,  # read from the reference by the charts that need it
            args.edition,
            demo=demo or args.demo,
            **options,
        )
        path = charts.save_figure(fig, args.out)
    except ValueError as exc:
        raise _UsageError(str(exc)) from exc
    except OSError as exc:
        raise _write_failed(exc, args.out) from exc
    print(f"Graphique écrit : {path}")
    return EXIT_OK


def _cmd_export(args: argparse.Namespace) -> int:
    from pacte_analysis import analysis, reference
    from pacte_analysis.errors import PacteError
    from pacte_analysis.exports import export_csv

    lists, commitments, demo = _load_tables(Path(args.data))
    if not args.out.lower().endswith(".csv"):
        raise _UsageError(f"--out doit être un fichier .csv (reçu : {args.out})")
    communes = reference.communes(resolution="web").drop(columns="geometry")
    try:
        if args.level == "commune":
            table = analysis.commune_summary(
                lists,
                commitments,
                communes,
                edition=args.edition,
                departement=args.departement,
                region=args.region,
            )
        else:
            table = analysis.territory_summary(
                lists,
                commitments,
                communes,
                level=args.level,
                edition=args.edition,
                departement=args.departement,
                region=args.region,
                total=True,
            )
    except PacteError as exc:
        raise _UsageError(str(exc)) from exc
    path = export_csv(table, args.out)
    note = " (données fictives de démonstration)" if demo else ""
    rows = f"{len(table)} ligne" + ("s" if len(table) > 1 else "")
    print(f"Tableau écrit : {path} – {rows}{note}")
    return EXIT_OK


def _cmd_demo(args: argparse.Namespace) -> int:
    from pacte_analysis.pipeline import run_demo
    from pacte_analysis.reference import ReferenceDataError

    try:
        result = run_demo(args.out, progress=not args.quiet)
    except ReferenceDataError as exc:
        print(f"Référentiel indisponible : {exc}", file=sys.stderr)
        return EXIT_FAILED
    except OSError as exc:
        raise _write_failed(exc, args.out or "data/processed/demo") from exc
    print(result.report)
    print()
    print(result.summary())
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
    parser.add_argument(
        "--version", action="version", version=f"pacte {__version__}", help="afficher la version"
    )
    parser.add_argument(
        "-v", "--verbose", action="store_true", help="afficher les messages de progression"
    )
    commands = parser.add_subparsers(
        dest="command", metavar="COMMANDE", parser_class=_FrenchArgumentParser
    )

    reference = commands.add_parser(
        "reference", help="référentiel géographique (COG 2020, ou COG 2025 et maires 2026)"
    )
    ref_commands = reference.add_subparsers(dest="ref_command", metavar="ACTION", required=True)
    build = ref_commands.add_parser(
        "build", help="télécharger, vérifier et construire le référentiel (idempotent)"
    )
    build.add_argument(
        "--vintage",
        type=int,
        default=2020,
        help="millésime : 2020 (COG 2020, maires de 2020 ; défaut) ou 2026 "
        "(COG 2025, maires élus en 2026)",
    )
    build.add_argument("--force", action="store_true", help="reconstruire même si à jour")
    build.add_argument("--quiet", action="store_true", help="sans barre de progression")
    build.set_defaults(func=_cmd_reference_build)

    from pacte_analysis.ingest._cli import register as register_ingest

    register_ingest(commands)
    from pacte_analysis._followup_cli import register as register_followup

    register_followup(commands)
    from pacte_analysis._commune_cli import register as register_commune

    register_commune(commands)

    demo = commands.add_parser(
        "demo", help="toute la chaîne sur les suivis fictifs de démonstration"
    )
    demo.add_argument("--out", help="dossier de sortie (data/processed/demo)")
    demo.add_argument("--quiet", action="store_true", help="sans barre de progression")
    demo.set_defaults(func=_cmd_demo)

    map_cmd = commands.add_parser("map", help="une carte (PNG, SVG, PDF ou HTML)")
    map_cmd.add_argument("--data", help="dossier des tables écrites par `pacte ingest`")
    map_cmd.add_argument(
        "--level", choices=["commune", "departement", "region", "epci"], help="échelon"
    )
    map_cmd.add_argument("--metric", help="indicateur (voir --list-metrics)")
    map_cmd.add_argument("--out", help="fichier .png, .svg, .pdf ou .html")
    map_cmd.add_argument("--departement", help="zoom sur un département (code)")
    map_cmd.add_argument("--region", help="zoom sur une région (code, ex. 53)")
    map_cmd.add_argument("--scheme", choices=["quantiles", "natural_breaks", "equal_interval"])
    map_cmd.add_argument("--k", type=int, default=5, help="nombre de classes (5)")
    map_cmd.add_argument("--source", help="source des engagements pour la mention")
    map_cmd.add_argument("--edition", default=DEFAULT_EDITION, help="édition du Pacte")
    map_cmd.add_argument("--demo", action="store_true", help="marquer « Données fictives »")
    map_cmd.add_argument(
        "--list-metrics", action="store_true", help="lister les indicateurs disponibles"
    )
    map_cmd.set_defaults(func=_cmd_map)

    chart = commands.add_parser("chart", help="un graphique (PNG, SVG ou PDF)")
    chart.add_argument("kind", nargs="?", metavar="KIND", help="type de graphique (voir --list)")
    chart.add_argument("--data", help="dossier des tables écrites par `pacte ingest`")
    chart.add_argument("--out", help="fichier .png, .svg ou .pdf")
    chart.add_argument("--source", help="source des engagements pour la mention")
    chart.add_argument("--edition", default=DEFAULT_EDITION, help="édition du Pacte")
    chart.add_argument("--demo", action="store_true", help="marquer « Données fictives »")
    chart.add_argument("--list", action="store_true", help="lister les graphiques disponibles")
    chart.set_defaults(func=_cmd_chart)

    export = commands.add_parser(
        "export", help="un tableau CSV propre pour Datawrapper, Flourish ou un tableur"
    )
    export.add_argument("--data", required=True, help="dossier des tables de `pacte ingest`")
    export.add_argument(
        "--level",
        choices=["commune", "departement", "region", "epci"],
        default="departement",
        help="échelon (departement)",
    )
    export.add_argument("--out", required=True, help="fichier .csv")
    export.add_argument("--departement", help="seulement ce département (code)")
    export.add_argument("--region", help="seulement cette région (code)")
    export.add_argument("--edition", default=DEFAULT_EDITION, help="édition du Pacte")
    export.set_defaults(func=_cmd_export)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Run the ``pacte`` command; return its exit code."""
    parser = build_parser()
    args = parser.parse_args(argv)
    logging.basicConfig(
        level=logging.INFO if args.verbose else logging.WARNING,
        format="pacte : %(message)s",
    )
    if not getattr(args, "func", None):
        parser.print_help()
        return EXIT_USAGE
    args.own_process = argv is None  # the ``pacte`` command itself, not a call from Python
    shown = warnings.showwarning
    warnings.showwarning = _show_warning  # French, without the Python file and line
    try:
        code: int = args.func(args)
    except _UsageError as exc:  # without the Python function that found the problem
        print(f"pacte : {re.sub(r'^[a-z_]+ : ', '', str(exc))}", file=sys.stderr)
        return EXIT_USAGE
    except _WriteError as exc:
        print(f"pacte : {exc}", file=sys.stderr)
        return exc.code
    except KeyboardInterrupt:
        print("Interrompu.", file=sys.stderr)
        return 130
    finally:
        warnings.showwarning = shown
    if args.own_process and args.command in _LEAVE_AT_ONCE:
        _leave(code)
    return code


#: Commands whose process ends without tearing down what it built: an import of
#: 20,000 lists leaves millions of small objects, and freeing them one by one at
#: exit takes 0.3–0.6 s that the user waits for after the report is printed.
_LEAVE_AT_ONCE = frozenset({"validate", "ingest"})


def _leave(code: int) -> NoReturn:
    """End the ``pacte`` process now with ``code``, its output flushed.

    Only for a command of its own process (never when :func:`main` is called from
    Python) whose files are all written and closed when it returns: logging is shut
    down and both streams are flushed, then the interpreter's teardown is skipped.
    """
    logging.shutdown()
    for stream in (sys.stdout, sys.stderr):
        # a closed pipe (``pacte validate … | head``) loses nothing the reader wanted
        with contextlib.suppress(OSError, ValueError):
            stream.flush()
    os._exit(code)


def _show_warning(
    message: Warning | str,
    category: type[Warning],
    filename: str,
    lineno: int,
    file: Any = None,
    line: str | None = None,
) -> None:
    print(f"pacte : attention : {message}", file=sys.stderr)


if __name__ == "__main__":
    sys.exit(main())
