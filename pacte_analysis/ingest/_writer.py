"""Write and read the canonical tables as one whole set.

A set is ``lists``, ``commitments`` and ``rejects`` as parquet and CSV (UTF-8,
comma), ``pacte-resultats.xlsx`` (see :mod:`pacte_analysis.ingest._workbook`),
the demo marker when the data are fictitious, and ``pacte-manifest.json``, which
lists every file of the set with its size and SHA-256.

How a set is published (:func:`write_tables`)
----------------------------------------------
1. The folder is locked (``fcntl.flock`` on ``DIR/.pacte-lock``, POSIX): a second
   writer waits, saying so, until the first one has finished.
2. Leftovers of a killed run are dealt with (see below).
3. Every file is written into a staging folder *inside* ``DIR``
   (``DIR/.pacte-staging-*``), so that renames never cross a file system: this
   works when ``DIR`` is a mount point or a symbolic link to another disk, and
   needs no right on ``DIR``'s parent. The new manifest is written last.
4. Commit: the staging folder is renamed ``DIR/.pacte-publish-*`` in one atomic
   rename. Before it, the previous set is untouched; after it, the new set is
   complete on disk.
5. The files are moved into ``DIR`` one by one (atomic renames), files of the
   previous set that the new one no longer has are removed, and the manifest is
   moved last; the empty publish folder is removed.

A ``kill -9`` before step 4 leaves a staging folder, deleted by the next run; a
kill during step 5 leaves a publish folder, whose remaining files the next
writer *or reader* moves into place first (roll forward). Files of ``DIR`` that
are not part of the set (maps, notes) are never touched.

How a set is read (:func:`pacte_analysis.tables.read_tables`)
---------------------------------------------------------------
The reader completes an interrupted publish, reads the manifest, reads the
parquet files and checks each one's SHA-256 against it: it never mixes two sets
(a concurrent publish makes it read again). A folder without a manifest (tables
written by hand or by an older version) is read as it is.

CSV cells whose text could run as a formula get an apostrophe; XLSX cells keep
their text with the quote-prefix style (:func:`pacte_analysis._files.is_formula_like`
decides for both); parquet keeps the raw values.
"""

from __future__ import annotations

import json
import logging
import os
import re
import shutil
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pandas as pd

from pacte_analysis._files import (
    OutputError,
    check_output_path,
    describe_os_error,
    fsync_dir,
    make_dirs,
    neutralise,
    neutralised_frame,
)
from pacte_analysis._tableset import (
    FORMAT,
    MANIFEST_NAME,
    OUTPUT_NAMES,
    PUBLISH_PREFIX,
    STAGING_PREFIX,
    TABLE_NAMES,
    WORKBOOK_NAME,
    fsync_file,
    locked,
    read_manifest,
    recover,
    roll_forward,
    sha256,
)
from pacte_analysis.config import DEMO_MARKER
from pacte_analysis.tables import check_table

if TYPE_CHECKING:
    from pacte_analysis.editions import Edition
    from pacte_analysis.ingest._engine import IngestResult

__all__ = [
    "MANIFEST_NAME",
    "OUTPUT_NAMES",
    "TABLE_NAMES",
    "WORKBOOK_NAME",
    "neutralise",
    "write_tables",
]

logger = logging.getLogger(__name__)

# --------------------------------------------------------------------------- writing


def _remove_legacy_staging(out: Path) -> None:
    """Remove staging folders that versions before 0.2 left beside ``out`` when killed.

    They were named ``.<name>-XXXXXXXX`` in the parent and held only table files;
    anything else is left alone.
    """
    pattern = re.compile(r"\." + re.escape(out.name) + r"-[a-z0-9_]{8}")
    try:
        siblings = list(out.parent.iterdir())
    except OSError:
        return
    for entry in siblings:
        if not (pattern.fullmatch(entry.name) and entry.is_dir() and not entry.is_symlink()):
            continue
        try:
            names = {p.name for p in entry.iterdir()}
        except OSError:
            continue
        if names <= OUTPUT_NAMES:
            logger.info(
                "Dossier temporaire d'une ancienne écriture interrompue supprimé : %s", entry
            )
            shutil.rmtree(entry, ignore_errors=True)


def _tables_of(result: IngestResult | dict[str, pd.DataFrame]) -> dict[str, pd.DataFrame]:
    if isinstance(result, dict):
        return {name: result[name] for name in TABLE_NAMES}
    return {"lists": result.lists, "commitments": result.commitments, "rejects": result.rejects}


def _edition_of(
    result: IngestResult | dict[str, pd.DataFrame], lists: pd.DataFrame
) -> Edition | None:
    edition = getattr(result, "edition", None)
    if edition is not None:
        return edition
    names: list[Any] = list(pd.unique(lists["edition"].dropna())) if "edition" in lists else []
    if len(names) != 1:
        return None
    from pacte_analysis.editions import EditionError, read_edition

    try:
        return read_edition(str(names[0]))
    except (EditionError, OSError):
        return None


def _write_set(
    tables: dict[str, pd.DataFrame],
    staging: Path,
    *,
    xlsx: bool,
    edition: Edition | None,
    demo: bool,
    source: str | None,
) -> list[str]:
    from pacte_analysis.ingest._workbook import build_sheets, write_workbook

    names: list[str] = []
    for name, frame in tables.items():
        frame.to_parquet(staging / f"{name}.parquet", index=False)
        # CRLF (RFC 4180): a carriage return inside a cell is then quoted, never a row break.
        neutralised_frame(frame).to_csv(
            staging / f"{name}.csv", index=False, encoding="utf-8", lineterminator="\r\n"
        )
        names += [f"{name}.parquet", f"{name}.csv"]
    if xlsx:
        sheets = build_sheets(tables, edition=edition, demo=demo, source=source)
        write_workbook(sheets, staging / WORKBOOK_NAME)
        names.append(WORKBOOK_NAME)
    if demo:
        from pacte_analysis._style import DEMO_MARK

        (staging / DEMO_MARKER).write_text(
            f"{DEMO_MARK}.\nToutes les listes, personnes et engagements de ce dossier sont "
            "inventés ; ils ne décrivent aucune liste réelle.\n",
            encoding="utf-8",
        )
        names.append(DEMO_MARKER)
    return names


def write_tables(
    result: IngestResult | dict[str, pd.DataFrame],
    out_dir: str | Path,
    *,
    xlsx: bool = True,
    demo: bool = False,
    source: str | None = None,
    timeout: float | None = None,
    on_wait: Callable[[str], None] | None = None,
) -> list[Path]:
    """Write ``lists``, ``commitments`` and ``rejects`` to ``out_dir`` as one whole set.

    The set replaces the previous one at once (see the module notes): a reader,
    a concurrent run or a ``kill -9`` never leaves the tables of one run beside
    those of another. Other files of ``out_dir`` are left alone.

    Parameters
    ----------
    result : IngestResult or dict of DataFrame
        The import to write (or a mapping table name → DataFrame).
    out_dir : str or Path
        Destination folder, created if needed (with the user's umask).
    xlsx : bool, default True
        Also write ``pacte-resultats.xlsx`` for spreadsheet users.
    demo : bool, default False
        The data are fictitious: write the demo marker (maps and charts drawn from
        the folder carry « Données fictives ») and say so in the workbook.
    source : str, optional
        Data source named in the workbook's « À lire » sheet.
    timeout : float, optional
        Seconds to wait for another writer of the same folder (default: no limit).
    on_wait : callable, optional
        Called with a French message when another writer holds the folder (default:
        a logged warning).

    Returns
    -------
    list of Path
        The files of the set (the manifest last).

    Raises
    ------
    OutputError
        The folder cannot be written (French message; ``usage`` set when another
        path must be chosen). Nothing of the previous set is changed.
    MissingColumnsError, InvalidArgumentError
        A table that does not follow the contract (columns, dtypes): nothing is
        written.

    Examples
    --------
    >>> write_tables(ingest("trackers/"), "data/processed/pacte")  # doctest: +SKIP
    """
    tables = _tables_of(result)
    for name, frame in tables.items():  # a set that read_tables would refuse is not written
        check_table(name, frame)
    out = check_output_path(out_dir, directory=True)
    make_dirs(out)
    edition = _edition_of(result, tables["lists"])
    with locked(out, timeout=timeout, on_wait=on_wait):
        try:
            recover(out)
        except OSError as exc:
            reason, usage = describe_os_error(exc)
            raise OutputError(
                f"Impossible d'achever l'écriture interrompue dans « {out} » : {reason}.",
                usage=usage,
            ) from exc
        _remove_legacy_staging(out)
        previous = read_manifest(out / MANIFEST_NAME)
        try:
            staging = Path(tempfile.mkdtemp(prefix=STAGING_PREFIX, dir=out))
        except OSError as exc:
            reason, usage = describe_os_error(exc)
            raise OutputError(
                f"Écriture impossible dans « {out} » : {reason}.", usage=usage
            ) from exc
        try:
            names = _write_set(
                tables, staging, xlsx=xlsx, edition=edition, demo=demo, source=source
            )
            files = {}
            for name in names:
                fsync_file(staging / name)
                files[name] = {
                    "bytes": (staging / name).stat().st_size,
                    "sha256": sha256(staging / name),
                }
            obsolete = sorted(set(previous["files"]) - set(files)) if previous else []
            if not demo and DEMO_MARKER not in obsolete and (out / DEMO_MARKER).exists():
                obsolete.append(DEMO_MARKER)  # real data replace demo data: drop the mark
            manifest = {"format": FORMAT, "version": 1, "files": files, "obsolete": obsolete}
            text = json.dumps(manifest, indent=2, sort_keys=True, ensure_ascii=False) + "\n"
            (staging / MANIFEST_NAME).write_text(text, encoding="utf-8")
            fsync_file(staging / MANIFEST_NAME)
            publish = staging.with_name(PUBLISH_PREFIX + staging.name[len(STAGING_PREFIX) :])
            os.rename(staging, publish)  # the commit point
        except BaseException as exc:
            shutil.rmtree(staging, ignore_errors=True)
            if isinstance(exc, OSError) and not isinstance(exc, OutputError):
                reason, usage = describe_os_error(exc)
                raise OutputError(
                    f"Écriture des tables impossible dans « {out} » : {reason}. "
                    "Les tables précédentes sont intactes.",
                    usage=usage,
                ) from exc
            raise
        fsync_dir(out)
        roll_forward(publish, out)
    return [out / name for name in [*names, MANIFEST_NAME]]
