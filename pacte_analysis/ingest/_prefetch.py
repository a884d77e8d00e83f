"""Read the files of an import one ahead, in a background thread.

calamine parses a workbook without holding Python's global interpreter lock: while
it parses one file, the main thread can import pandas, build the commune resolver or
read the sheets of the file before. On a machine with two cores (a group member's
laptop, this project's CI) ``pacte validate`` of one large tracker starts reading at
once and waits less for the parse.

At most one file is read ahead of the one being imported, so memory holds the cells
of two files at most (each bounded by the safety checks of :mod:`._safety`). Errors
are those of the reader (:class:`~._safety.FileProblem`), raised when the import
reaches the file, in file order, as if it had read it itself.

This module imports neither pandas nor the reference package: the ``pacte`` command
starts the first read before it imports the engine (see :func:`start`).
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterable, Sequence
from concurrent.futures import Future
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from pacte_analysis.ingest._readers import FileData

__all__ = ["FileReads", "discard", "start", "started_for"]

Reader = Callable[[Path], "FileData"]


def _in_thread(read: Reader, path: Path) -> Future[FileData]:
    future: Future[FileData] = Future()

    def run() -> None:
        if not future.set_running_or_notify_cancel():
            return
        try:
            future.set_result(read(path))
        except BaseException as exc:  # handed to the main thread, raised there
            future.set_exception(exc)

    # a daemon: an interrupted import (Ctrl-C) does not wait for a parse to finish
    threading.Thread(target=run, name="pacte-lecture", daemon=True).start()
    return future


class FileReads:
    """The reads of ``paths``, each started once the file before is taken.

    Parameters
    ----------
    paths : sequence of Path
        The files, in import order.
    read : callable
        The reader (:func:`pacte_analysis.ingest._readers.read_file`).
    """

    def __init__(self, paths: Sequence[Path], read: Reader) -> None:
        self.paths = list(paths)
        self._read = read
        self._pending: dict[int, Future[FileData]] = {}
        self._ahead(0)

    def _ahead(self, i: int) -> None:
        if i < len(self.paths) and i not in self._pending:
            self._pending[i] = _in_thread(self._read, self.paths[i])

    def get(self, i: int) -> FileData:
        """The content of file ``i`` (its reader's exception if it could not be read)."""
        self._ahead(i)
        future = self._pending.pop(i)
        self._ahead(i + 1)
        return future.result()

    def close(self) -> None:
        """Forget the reads not taken (a read under way finishes on its own)."""
        for future in self._pending.values():
            future.cancel()
        self._pending.clear()


_started: FileReads | None = None


def start(paths: Iterable[str | Path], read: Reader | None = None) -> None:
    """Start reading the first file of an import of ``paths`` (see :func:`started_for`)."""
    global _started
    from pacte_analysis.ingest._readers import read_file, scan_paths

    files, _, _ = scan_paths(list(paths))
    if files:
        _started = FileReads([path for path, _ in files], read or read_file)


def discard() -> None:
    """Forget the reads :func:`start` began if no import took them."""
    global _started
    found, _started = _started, None
    if found is not None:
        found.close()


def started_for(paths: Sequence[Path], read: Reader) -> FileReads:
    """The reads :func:`start` began, if they are of ``paths`` with ``read``; else new ones."""
    global _started
    found, _started = _started, None
    if found is not None and found.paths == list(paths) and found._read is read:
        return found
    if found is not None:
        found.close()
    return FileReads(paths, read)
