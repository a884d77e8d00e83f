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

How a set is read (:func:`read_tables`)
---------------------------------------
The reader completes an interrupted publish, reads the manifest, reads the
parquet files and checks each one's SHA-256 against it: it never mixes two sets
(a concurrent publish makes it read again). A folder without a manifest (tables
written by hand or by an older version) is read as it is.

CSV cells whose text could run as a formula get an apostrophe; XLSX cells keep
their text with the quote-prefix style (:func:`pacte_analysis._files.is_formula_like`
decides for both); parquet keeps the raw values.
"""

from __future__ import annotations

import contextlib
import hashlib
import io
import json
import logging
import os
import re
import shutil
import tempfile
import time
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pandas as pd

from pacte_analysis._files import (
    OutputError,
    check_output_path,
    current_umask,
    describe_os_error,
    formula_like_mask,
    fsync_dir,
    make_dirs,
    neutralise,
)
from pacte_analysis.config import DEMO_MARKER

try:
    import fcntl
except ImportError:  # not POSIX (Windows): sets are still whole, runs are not serialised
    fcntl = None  # type: ignore[assignment]

if TYPE_CHECKING:
    from pacte_analysis.editions import Edition
    from pacte_analysis.ingest._engine import IngestResult

__all__ = [
    "MANIFEST_NAME",
    "OUTPUT_NAMES",
    "TABLE_NAMES",
    "WORKBOOK_NAME",
    "TablesError",
    "neutralise",
    "read_tables",
    "write_tables",
]

logger = logging.getLogger(__name__)

TABLE_NAMES = ("lists", "commitments", "rejects")
WORKBOOK_NAME = "pacte-resultats.xlsx"
MANIFEST_NAME = "pacte-manifest.json"
LOCK_NAME = ".pacte-lock"
_STAGING = ".pacte-staging-"
_PUBLISH = ".pacte-publish-"
_FORMAT = "pacte-tables"
#: Every file name a set can hold (what ``pacte ingest`` never reads as a tracker).
OUTPUT_NAMES = frozenset(
    [f"{t}.{e}" for t in TABLE_NAMES for e in ("parquet", "csv")]
    + [WORKBOOK_NAME, MANIFEST_NAME, DEMO_MARKER]
)


class TablesError(OSError):
    """A folder of tables that cannot be read as one set (French message)."""

    def __str__(self) -> str:
        return str(self.args[0])


# --------------------------------------------------------------------------- writing


def _neutralised_frame(frame: pd.DataFrame) -> pd.DataFrame:
    out = frame.copy()
    for column in out.columns:
        if pd.api.types.is_string_dtype(out[column].dtype) or out[column].dtype == object:
            mask = formula_like_mask(out[column])
            if mask.any():
                out[column] = out[column].astype(object)
                out.loc[mask, column] = "'" + out.loc[mask, column].astype(str)
    return out


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def _fsync(path: Path) -> None:
    with open(path, "rb") as fh:
        os.fsync(fh.fileno())


@contextlib.contextmanager
def _locked(
    folder: Path, *, timeout: float | None, on_wait: Callable[[str], None] | None = None
) -> Iterator[None]:
    """Hold the folder's writer lock; wait for another writer, saying so."""
    lock_path = folder / LOCK_NAME
    try:
        fd = os.open(lock_path, os.O_RDWR | os.O_CREAT, 0o666 & ~current_umask())
    except OSError as exc:
        reason, usage = describe_os_error(exc)
        raise OutputError(
            f"Écriture impossible dans « {folder} » : {reason}.", usage=usage
        ) from exc
    try:
        try:
            if fcntl is not None:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            message = (
                f"Un autre import écrit dans « {folder} » : attente de la fin de son écriture…"
            )
            if on_wait is None:
                logger.warning(message)
            else:
                on_wait(message)
            deadline = None if timeout is None else time.monotonic() + timeout
            while True:
                try:
                    fcntl.flock(fd, fcntl.LOCK_EX | (0 if deadline is None else fcntl.LOCK_NB))
                    break
                except BlockingIOError:
                    if deadline is not None and time.monotonic() > deadline:
                        raise OutputError(
                            f"Un autre import écrit encore dans « {folder} » après "
                            f"{timeout:.0f} s d'attente : réessayez plus tard."
                        ) from None
                    time.sleep(0.1)
        yield
    finally:
        os.close(fd)  # releases the lock


def _read_manifest(path: Path) -> dict[str, Any] | None:
    try:
        data = json.loads(path.read_bytes())
    except (OSError, ValueError):
        return None
    if not isinstance(data, dict) or data.get("format") != _FORMAT:
        return None
    return data


def _roll_forward(publish: Path, out: Path) -> None:
    """Finish moving a committed set into ``out`` (idempotent)."""
    manifest = _read_manifest(publish / MANIFEST_NAME)
    if manifest is None:  # already moved (killed before the folder was removed)
        shutil.rmtree(publish, ignore_errors=True)
        return
    for name in manifest["files"]:
        if (publish / name).exists():
            os.replace(publish / name, out / name)
    for name in manifest.get("obsolete", []):
        if name in OUTPUT_NAMES:
            (out / name).unlink(missing_ok=True)
    os.replace(publish / MANIFEST_NAME, out / MANIFEST_NAME)
    fsync_dir(out)
    shutil.rmtree(publish, ignore_errors=True)


def _recover(out: Path) -> None:
    """Roll committed sets forward, remove uncommitted staging folders (lock held)."""
    entries = sorted(out.iterdir(), key=lambda p: p.name) if out.is_dir() else []
    for entry in entries:
        if entry.name.startswith(_PUBLISH) and entry.is_dir():
            logger.info("Écriture interrompue dans « %s » : achèvement.", out)
            _roll_forward(entry, out)
    for entry in entries:
        if entry.name.startswith(_STAGING) and entry.is_dir():
            logger.info("Dossier temporaire d'une écriture interrompue supprimé : %s", entry)
            shutil.rmtree(entry, ignore_errors=True)


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
        _neutralised_frame(frame).to_csv(
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

    Examples
    --------
    >>> write_tables(ingest("trackers/"), "data/processed/pacte")  # doctest: +SKIP
    """
    tables = _tables_of(result)
    out = check_output_path(out_dir, directory=True)
    make_dirs(out)
    edition = _edition_of(result, tables["lists"])
    with _locked(out, timeout=timeout, on_wait=on_wait):
        try:
            _recover(out)
        except OSError as exc:
            reason, usage = describe_os_error(exc)
            raise OutputError(
                f"Impossible d'achever l'écriture interrompue dans « {out} » : {reason}.",
                usage=usage,
            ) from exc
        _remove_legacy_staging(out)
        previous = _read_manifest(out / MANIFEST_NAME)
        try:
            staging = Path(tempfile.mkdtemp(prefix=_STAGING, dir=out))
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
                _fsync(staging / name)
                files[name] = {
                    "bytes": (staging / name).stat().st_size,
                    "sha256": _sha256(staging / name),
                }
            obsolete = sorted(set(previous["files"]) - set(files)) if previous else []
            if not demo and DEMO_MARKER not in obsolete and (out / DEMO_MARKER).exists():
                obsolete.append(DEMO_MARKER)  # real data replace demo data: drop the mark
            manifest = {"format": _FORMAT, "version": 1, "files": files, "obsolete": obsolete}
            text = json.dumps(manifest, indent=2, sort_keys=True, ensure_ascii=False) + "\n"
            (staging / MANIFEST_NAME).write_text(text, encoding="utf-8")
            _fsync(staging / MANIFEST_NAME)
            publish = staging.with_name(_PUBLISH + staging.name[len(_STAGING) :])
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
        _roll_forward(publish, out)
    return [out / name for name in [*names, MANIFEST_NAME]]


# --------------------------------------------------------------------------- reading


def _complete_interrupted(folder: Path) -> None:
    """Finish a publish that a killed writer left half done (waits for a live writer)."""
    if not any(p.name.startswith(_PUBLISH) for p in folder.iterdir()):
        return
    try:
        with _locked(folder, timeout=None):
            _recover(folder)
    except OutputError as exc:
        raise TablesError(
            f"L'écriture des tables dans « {folder} » a été interrompue et ne peut pas être "
            f"achevée ({exc}) : relancez `pacte ingest … --out {folder}`."
        ) from exc


def read_tables(
    data_dir: str | Path, names: Sequence[str] = TABLE_NAMES
) -> dict[str, pd.DataFrame]:
    """Read tables written by :func:`write_tables` (``pacte ingest``), all from one set.

    Parameters
    ----------
    data_dir : str or Path
        The ``--out`` folder of ``pacte ingest``.
    names : sequence of str, default ("lists", "commitments", "rejects")
        The tables to read.

    Returns
    -------
    dict of DataFrame

    Raises
    ------
    TablesError
        Folder or table missing, or files that do not match the folder's manifest
        (French message saying what to do).

    Examples
    --------
    >>> tables = read_tables("data/processed/demo", ["lists", "commitments"])  # doctest: +SKIP
    """
    folder = Path(data_dir)
    if not folder.is_dir():
        raise TablesError(f"Dossier de données introuvable : {folder}")
    for name in names:
        if name not in TABLE_NAMES:
            raise ValueError(f"table inconnue {name!r}")
    for _attempt in range(5):
        _complete_interrupted(folder)
        manifest = _read_manifest(folder / MANIFEST_NAME)
        frames: dict[str, pd.DataFrame] = {}
        consistent = True
        for name in names:
            path = folder / f"{name}.parquet"
            try:
                data = path.read_bytes()
            except FileNotFoundError:
                raise TablesError(
                    f"Table « {name} » absente de {folder} : lancez d'abord "
                    f"`pacte ingest … --out {folder}`."
                ) from None
            except OSError as exc:
                raise TablesError(
                    f"Lecture impossible de « {path} » : {describe_os_error(exc)[0]}."
                ) from exc
            if manifest is not None:
                entry = manifest["files"].get(path.name)
                if entry is None or hashlib.sha256(data).hexdigest() != entry["sha256"]:
                    consistent = False
                    break
            frames[name] = pd.read_parquet(io.BytesIO(data))
        if consistent:
            return frames
        time.sleep(0.2)  # a writer is publishing a new set: read again
    raise TablesError(
        f"Les tables de « {folder} » ne correspondent pas à son manifeste ({MANIFEST_NAME}) : "
        f"un fichier a été modifié ou remplacé. Relancez `pacte ingest … --out {folder}`."
    )
