"""``pacte commune``: the sheet of one commune, or of every commune with data."""

from __future__ import annotations

import argparse
import re
import sys
from pathlib import Path

from pacte_analysis.editions import DEFAULT_EDITION

__all__ = ["register", "run_commune"]

EXIT_OK, EXIT_FAILED, EXIT_USAGE = 0, 1, 2

_CODE = re.compile(r"^\s*(\d{5}|\d{4}|2[AaBb]\d{3})\s*$")
_MAX_SHOWN = 10


def register(subparsers: argparse._SubParsersAction) -> None:
    """Add ``commune`` to the ``pacte`` command."""
    cmd = subparsers.add_parser(
        "commune",
        help="fiche d'une commune (ses listes, leurs mesures et niveaux, une carte), ou de toutes",
        description="Écrit la fiche d'une commune (code INSEE ou nom) : toutes ses listes, leurs "
        "mesures et niveaux côte à côte, la liste élue marquée, la commune et ses voisines sur une "
        "petite carte, les sources (fichier, feuille, ligne) et les crédits. Avec --all, une fiche "
        "par commune ayant des listes, plus une page index.html.",
    )
    cmd.add_argument(
        "commune", nargs="?", metavar="CODE_OU_NOM", help="code INSEE ou nom de la commune"
    )
    cmd.add_argument("--all", action="store_true", help="toutes les communes (--out : un dossier)")
    cmd.add_argument("--data", required=True, metavar="DIR", help="dossier écrit par pacte ingest")
    cmd.add_argument("--out", required=True, help="fichier .html ou .pdf (avec --all : un dossier)")
    cmd.add_argument(
        "--format",
        choices=["html", "pdf"],
        default="html",
        help="avec --all : format des fiches (html par défaut ; l'index est en HTML)",
    )
    cmd.add_argument(
        "--edition",
        default=DEFAULT_EDITION,
        help=f"édition (défaut : {DEFAULT_EDITION}) ou chemin d'un catalogue CSV",
    )
    cmd.add_argument("--source", help="source des engagements pour la mention")
    cmd.add_argument("--demo", action="store_true", help="marquer « Données fictives »")
    cmd.set_defaults(func=run_commune)


def _error(message: str) -> int:
    print(f"pacte : erreur : {message}", file=sys.stderr)
    return EXIT_USAGE


def _resolve(query: str, codes_with_data: set[str], vintage: int) -> tuple[str | None, str]:
    """Code of the commune ``query`` names, or ``None`` and the French reason."""
    from pacte_analysis.reference import CommuneResolver

    resolver = CommuneResolver(vintage)
    res = resolver.resolve(code=query) if _CODE.match(query) else resolver.resolve(name=query)
    if res.code is not None:
        return res.code, ""
    candidates = list(res.candidates)
    # among several communes of that name, those with lists in the tables come first
    candidates.sort(key=lambda c: c.code not in codes_with_data)
    shown = "; ".join(
        f"{c}{' – a des listes' if c.code in codes_with_data else ''}"
        for c in candidates[:_MAX_SHOWN]
    )
    more = f" (et {len(candidates) - _MAX_SHOWN} autres)" if len(candidates) > _MAX_SHOWN else ""
    if res.reason == "AMBIGUOUS_COMMUNE":
        return None, (
            f"commune ambiguë « {query} » (AMBIGUOUS_COMMUNE) : plusieurs communes portent ce nom ; "
            f"précisez le département (« {query} (93) ») ou donnez le code INSEE. "
            f"Candidates : {shown}{more}."
        )
    hint = f" Orthographes proches : {shown}{more}." if shown else ""
    return None, (
        f"commune inconnue « {query} » ({res.reason or 'UNKNOWN_COMMUNE'}) : ni un code INSEE ni "
        f"un nom de commune du COG 2020.{hint}"
    )


def run_commune(args: argparse.Namespace) -> int:
    """Run ``pacte commune``; see :func:`register`."""
    from pacte_analysis._files import OutputError, check_output_path
    from pacte_analysis.commune_sheet import (
        commune_sheet,
        write_commune_sheet,
        write_commune_sheets,
    )
    from pacte_analysis.editions import EditionError, read_edition
    from pacte_analysis.errors import PacteError
    from pacte_analysis.reference import ReferenceDataError
    from pacte_analysis.tables import TablesError, read_tables

    if args.all == bool(args.commune):
        return _error("donnez soit une commune (CODE_OU_NOM), soit --all.")
    out = Path(args.out)
    if not args.all and out.suffix.lower() not in (".html", ".pdf"):
        return _error(f"--out doit être un fichier .html ou .pdf (reçu : {args.out}).")
    try:
        check_output_path(out, directory=args.all)
    except OutputError as exc:
        return _error(f"--out : {exc}")
    try:
        edition = read_edition(args.edition)
    except EditionError as exc:
        return _error(str(exc))
    try:
        tables = read_tables(args.data)
    except (TablesError, PacteError) as exc:
        return _error(f"--data : {exc}")
    lists, commitments = tables.lists, tables.commitments
    demo = tables.demo or args.demo
    codes = set(lists["commune_code"].dropna().astype(str))
    try:
        from pacte_analysis.reference import communes as reference_communes

        geo = reference_communes(vintage=edition.vintage, resolution="web")
        if args.all:
            written = write_commune_sheets(
                lists,
                commitments,
                out,
                communes=geo,
                edition=edition,
                demo=demo,
                source=args.source,
                fmt=args.format,
            )
            print(f"{len(written) - 1} fiches communales et l'index écrits dans {out}")
            return EXIT_OK
        code, reason = _resolve(args.commune, codes, edition.vintage)
    except ReferenceDataError as exc:
        print(f"Référentiel indisponible : {exc}", file=sys.stderr)
        return EXIT_FAILED
    except OutputError as exc:
        return _error(str(exc)) if exc.usage else _failed(str(exc))
    if code is None:
        return _error(reason)
    if code not in codes:
        name = geo.loc[geo["code"] == code, "name"]
        label = f"{name.iloc[0]} ({code})" if len(name) else code
        return _error(
            f"aucune liste {_of(label)} dans {args.data} : cette commune n'a pas de données "
            "dans ces tables."
        )
    sheet = commune_sheet(code, lists, commitments, edition)
    try:
        path = write_commune_sheet(sheet, out, communes=geo, demo=demo, source=args.source)
    except OutputError as exc:
        return _error(str(exc)) if exc.usage else _failed(str(exc))
    print(f"Fiche écrite : {path}")
    return EXIT_OK


def _failed(message: str) -> int:
    print(f"pacte : {message}", file=sys.stderr)
    return EXIT_FAILED


def _of(name: str) -> str:
    """« de Rennes », « d'Acoua » (French elision before a vowel)."""
    return f"d'{name}" if name[:1].lower() in "aeiouyàâéèêëîïôöùûü" else f"de {name}"
