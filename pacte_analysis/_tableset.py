"""The canonical tables on disk as one whole set: names, manifest, lock, roll-forward.

A set is ``lists``, ``commitments`` and ``rejects`` as parquet and CSV,
``pacte-resultats.xlsx``, the demo marker when the data are fictitious, and
``pacte-manifest.json`` listing every file with its size and SHA-256. Writers
(:func:`pacte_analysis.ingest.write_tables`) publish a set under the folder's lock;
readers (:func:`pacte_analysis.tables.read_tables`) complete a publish a killed
writer left half done and check what they read against the manifest. How a set is
published is described in :mod:`pacte_analysis.ingest._writer`.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import logging
import os
import shutil
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

from pacte_analysis._files import OutputError, current_umask, describe_os_error, fsync_dir
from pacte_analysis.config import DEMO_MARKER
from pacte_analysis.errors import TablesError

try:
    import fcntl
except ImportError:  # not POSIX (Windows): sets are still whole, runs are not serialised
    fcntl = None  # type: ignore[assignment]

__all__ = [
    "FORMAT",
    "LOCK_NAME",
    "MANIFEST_NAME",
    "OUTPUT_NAMES",
    "PUBLISH_PREFIX",
    "STAGING_PREFIX",
    "TABLE_NAMES",
    "WORKBOOK_NAME",
    "complete_interrupted",
    "fsync_file",
    "locked",
    "read_manifest",
    "recover",
    "sha256",
]

logger = logging.getLogger(__name__)

#: The tables of the contract, in order.
TABLE_NAMES = ("lists", "commitments", "rejects")
WORKBOOK_NAME = "pacte-resultats.xlsx"
MANIFEST_NAME = "pacte-manifest.json"
LOCK_NAME = ".pacte-lock"
STAGING_PREFIX = ".pacte-staging-"
PUBLISH_PREFIX = ".pacte-publish-"
FORMAT = "pacte-tables"

#: Every file name a set can hold (what ``pacte ingest`` never reads as a tracker).
OUTPUT_NAMES = frozenset(
    [f"{t}.{e}" for t in TABLE_NAMES for e in ("parquet", "csv")]
    + [WORKBOOK_NAME, MANIFEST_NAME, DEMO_MARKER]
)


def sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def fsync_file(path: Path) -> None:
    with open(path, "rb") as fh:
        os.fsync(fh.fileno())


@contextlib.contextmanager
def locked(
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


def read_manifest(path: Path) -> dict[str, Any] | None:
    try:
        data = json.loads(path.read_bytes())
    except (OSError, ValueError):
        return None
    if not isinstance(data, dict) or data.get("format") != FORMAT:
        return None
    return data


def roll_forward(publish: Path, out: Path) -> None:
    """Finish moving a committed set into ``out`` (idempotent)."""
    manifest = read_manifest(publish / MANIFEST_NAME)
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


def recover(out: Path) -> None:
    """Roll committed sets forward, remove uncommitted staging folders (lock held)."""
    entries = sorted(out.iterdir(), key=lambda p: p.name) if out.is_dir() else []
    for entry in entries:
        if entry.name.startswith(PUBLISH_PREFIX) and entry.is_dir():
            logger.info("Écriture interrompue dans « %s » : achèvement.", out)
            roll_forward(entry, out)
    for entry in entries:
        if entry.name.startswith(STAGING_PREFIX) and entry.is_dir():
            logger.info("Dossier temporaire d'une écriture interrompue supprimé : %s", entry)
            shutil.rmtree(entry, ignore_errors=True)


def complete_interrupted(folder: Path) -> None:
    """Finish a publish that a killed writer left half done (waits for a live writer)."""
    if not any(p.name.startswith(PUBLISH_PREFIX) for p in folder.iterdir()):
        return
    try:
        with locked(folder, timeout=None):
            recover(folder)
    except OutputError as exc:
        raise TablesError(
            f"L'écriture des tables dans « {folder} » a été interrompue et ne peut pas être "
            f"achevée ({exc}) : relancez `pacte ingest … --out {folder}`."
        ) from exc
