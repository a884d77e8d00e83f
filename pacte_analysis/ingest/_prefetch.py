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

The safety checks of a workbook (:mod:`._safety`: inflate every part, bound its grid
and text) are Python work that holds the lock, as much as the parse itself for a
large tracker. When the ``pacte`` command runs as its own process on Linux, the
first file's checks run in a child process forked before any thread exists
(:class:`ChildInspection`): they take the second core while the main thread imports
pandas, and calamine parses once they have passed. Their verdict is used only if the
file has not changed since; anything unexpected in the child (it died, it failed
otherwise than with a :class:`~._safety.FileProblem`) makes the reader run the
checks itself, so the outcome is always that of the checks.
"""

from __future__ import annotations

import contextlib
import json
import os
import sys
import threading
from collections.abc import Callable, Iterable, Sequence
from concurrent.futures import Future
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from pacte_analysis.ingest._readers import FileData

__all__ = ["ChildInspection", "FileReads", "discard", "start", "started_for"]

Reader = Callable[[Path], "FileData"]

#: Whether the first file's safety checks may run in a forked child (Linux only:
#: elsewhere fork is missing, or unsafe with the system's libraries).
FORK_INSPECTION = sys.platform == "linux"


def _stamp(path: Path) -> list[int]:
    """What says that a file is still the one checked: device, inode, size, mtime."""
    st = path.stat()
    return [st.st_dev, st.st_ino, st.st_size, st.st_mtime_ns]


class ChildInspection:
    """The safety checks of one file, run in a forked child process.

    Called as the reader's ``inspect`` (see :func:`~._readers.read_file`), it waits
    for the child's verdict and applies it: the checks passed, or the
    :class:`~._safety.FileProblem` they raised. When the verdict cannot be used
    (the child died or failed otherwise, the file changed, or it is not the
    workbook the reader found), the checks run again in the caller.

    Use :meth:`fork`, which returns ``None`` where a child cannot be forked safely.
    """

    def __init__(self, path: Path, pid: int, fd: int, stamp: list[int]) -> None:
        self.path = path
        self._pid = pid
        self._fd: int | None = fd
        self._stamp = stamp
        self._verdict: dict[str, Any] | None = None

    @classmethod
    def fork(cls, path: Path) -> ChildInspection | None:
        """Start the checks of ``path`` in a child; ``None`` when it cannot be done safely.

        Only on Linux, and only while the process has a single thread: a child
        forked beside other threads may inherit a lock one of them held.
        """
        if not FORK_INSPECTION or threading.active_count() != 1:
            return None
        try:
            stamp = _stamp(path)
            read_end, write_end = os.pipe()
        except OSError:
            return None
        try:
            pid = os.fork()
        except OSError:
            os.close(read_end)
            os.close(write_end)
            return None
        if pid == 0:  # pragma: no cover - the child (its work is tested through the parent)
            os.close(read_end)
            _child(path, write_end)
        os.close(write_end)
        return cls(path, pid, read_end, stamp)

    def verdict(self) -> dict[str, Any]:
        """The child's report (waits for it once): ``{}`` when there is none to trust."""
        if self._verdict is None:
            fd, self._fd = self._fd, None
            data = b""
            if fd is not None:
                with os.fdopen(fd, "rb") as pipe:
                    data = pipe.read()
                with contextlib.suppress(ChildProcessError):  # already reaped
                    os.waitpid(self._pid, 0)
            try:
                found = json.loads(data.decode("utf-8")) if data else {}
            except ValueError:  # pragma: no cover - a child cut short
                found = {}
            self._verdict = found if isinstance(found, dict) else {}
        return self._verdict

    def __call__(self, path: Path, kind: str) -> None:
        """Apply the child's verdict on ``path`` read as ``kind``, or check it here."""
        from pacte_analysis.ingest._readers import inspect_workbook
        from pacte_analysis.ingest._safety import FileProblem

        verdict = self.verdict()
        try:
            same = (
                Path(path) == self.path
                and verdict.get("kind") == kind
                and verdict.get("stamp") == self._stamp == _stamp(path)
            )
        except OSError:
            same = False
        if same and verdict.get("outcome") == "passed":
            return
        if same and verdict.get("outcome") == "refused":
            raise FileProblem(str(verdict["code"]), str(verdict["message"]))
        inspect_workbook(path, kind)

    def close(self) -> None:
        """Collect the child if no one asked for its verdict (no zombie left behind)."""
        self.verdict()


def _child(path: Path, fd: int) -> None:  # pragma: no cover - runs in the forked child
    """Run the checks of ``path`` and write their verdict to ``fd``; never returns."""
    try:
        # the parent's terminal and pipes are not the child's: a pipeline reading the
        # parent's output ends when the parent does
        quiet = os.open(os.devnull, os.O_RDWR)
        for standard in (0, 1, 2):
            os.dup2(quiet, standard)
        from pacte_analysis.ingest import _readers
        from pacte_analysis.ingest._safety import FileProblem

        report: dict[str, Any] = {"outcome": "unknown"}
        kind: str | None = None
        try:
            _readers.check_file_size(path)
            kind = _readers.sniff(path)
            if kind in _readers.WORKBOOK_KINDS:
                _readers.inspect_workbook(path, kind)
            report = {"outcome": "passed", "kind": kind}
        except FileProblem as problem:
            report = {"outcome": "refused", "kind": kind, "code": problem.code}
            report["message"] = problem.message
        except BaseException:  # the reader checks again and reports it its own way
            report = {"outcome": "unknown"}
        report["stamp"] = _stamp(path)
        with os.fdopen(fd, "wb") as pipe:
            pipe.write(json.dumps(report).encode("utf-8"))
    finally:
        os._exit(0)  # no atexit handler, no flush of the parent's buffers


def _in_thread(
    read: Reader, path: Path, inspection: ChildInspection | None = None
) -> Future[FileData]:
    future: Future[FileData] = Future()

    def run() -> None:
        if not future.set_running_or_notify_cancel():
            if inspection is not None:
                inspection.close()
            return
        try:
            if inspection is None:
                future.set_result(read(path))
            else:
                future.set_result(read(path, inspect=inspection))  # type: ignore[call-arg]
        except BaseException as exc:  # handed to the main thread, raised there
            future.set_exception(exc)
        finally:
            if inspection is not None:
                inspection.close()

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
    first_inspection : ChildInspection, optional
        The safety checks of the first file, started in a child process; ``read``
        is then called with it as its ``inspect`` argument.
    """

    def __init__(
        self,
        paths: Sequence[Path],
        read: Reader,
        first_inspection: ChildInspection | None = None,
    ) -> None:
        self.paths = list(paths)
        self._read = read
        self._pending: dict[int, Future[FileData]] = {}
        self._first_inspection = first_inspection
        self._ahead(0)

    def _ahead(self, i: int) -> None:
        if i < len(self.paths) and i not in self._pending:
            inspection = self._first_inspection if i == 0 else None
            self._pending[i] = _in_thread(self._read, self.paths[i], inspection)

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


def start(paths: Iterable[str | Path], read: Reader | None = None, *, fork: bool = False) -> None:
    """Start reading the first file of an import of ``paths`` (see :func:`started_for`).

    With ``fork`` (the ``pacte`` command in its own process) and the default
    reader, the first file's safety checks run in a child process
    (:class:`ChildInspection`) where that can be done safely.
    """
    global _started
    from pacte_analysis.ingest._readers import read_file, scan_paths

    files, _, _ = scan_paths(list(paths))
    if files:
        inspection = ChildInspection.fork(files[0][0]) if fork and read is None else None
        _started = FileReads([path for path, _ in files], read or read_file, inspection)


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
